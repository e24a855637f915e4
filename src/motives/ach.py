"""Analysis of Competing Hypotheses.

Matrices in CSV/XLSX to and from cases, and Heuer's inconsistency score.

An ACH matrix has one row per evidence item and one column per hypothesis;
each cell is a rating in any form a case accepts (``CC C N I II``,
``++ + 0 - --``, ``NA``, a probability, a verbal phrase, ``icd203:likely``,
``beta(a, b)``). Optional columns: ``id``, ``title``, ``source``, ``date``,
``quote``, ``credibility`` (the source's reliability), ``confidence`` and
``rationale``; optional rows whose ``id`` is ``#label``, ``#prior`` or
``#value`` give the hypotheses' labels, priors and values.
:func:`import_matrix` writes a case folder, :func:`export_matrix` writes a
case's likelihoods under one lens back as a matrix, and :func:`inconsistency`
is Heuer's score (count of I and II ratings per hypothesis, II weighted 2).
"""

from __future__ import annotations

import csv
import datetime as _dt
import io as _io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from motives import escape
from motives import likelihood as _lk
from motives.errors import CaseError, MotivesError, Problem
from motives.files import swap_folder, temporary_folder, write_atomic
from motives.numeric import read_number

if TYPE_CHECKING:
    import pandas as pd

    from motives.schema import Case

#: Optional columns of a matrix (any letter case); every other column is a hypothesis.
COLUMNS = ("id", "title", "source", "date", "quote", "credibility", "confidence", "rationale")

#: Column names read as ``title``.
TITLE_ALIASES = ("evidence", "item", "description")

#: Rows (by their ``id`` cell) that describe the hypotheses rather than an item.
SPECIAL_ROWS = ("#label", "#prior", "#value")

#: ``credibility`` words -> source reliability (a point). The project's convention: PARC ACH rates
#: credibility High / Medium / Low without numbers. Any likelihood form (a number, a phrase,
#: ``beta(a, b)``) is also accepted.
CREDIBILITY: dict[str, float] = {"high": 0.9, "medium": 0.75, "low": 0.5}

#: Heuer's weights of the inconsistency score.
INCONSISTENCY_WEIGHTS: dict[str, int] = {"I": 1, "II": 2}

#: Without ratings, a cell counts as I when its likelihood is at most this fraction of the row's
#: largest (-3 dB), as II when at most :data:`II_RATIO` (-7 dB).
I_RATIO = 0.5
II_RATIO = 0.2

#: First line of every file :func:`import_matrix` writes (``--force`` replaces only such a folder).
MARKER = "# Written by motives import-matrix"

_SYMBOLS = ("++", "+", "-", "--")


# --------------------------------------------------------------------------- reading


def read_matrix(path: str | Path) -> list[tuple[int, dict[str, Any]]]:  # noqa: C901 - each file format and row kind a branch
    r"""Read a CSV or XLSX matrix: (row number in the file, {header: cell}) for each non-empty row.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "m.csv"
    >>> _ = p.write_text("title,h1,h2\nA report,C,I\n")
    >>> read_matrix(p)
    [(2, {'title': 'A report', 'h1': 'C', 'h2': 'I'})]
    """
    p = Path(path)
    f = str(p)
    suffix = p.suffix.lower()
    if not (p.exists() or p.is_symlink()):
        raise CaseError([Problem("no such file", file=f)])
    from motives.yamlfile import read_capped

    data = read_capped(p, MAX_MATRIX_BYTES)  # a regular file, capped before and while reading
    if suffix == ".csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CaseError(
                [Problem(f"file is not UTF-8 (offset {exc.start}); save it as UTF-8 CSV", file=f)]
            ) from None
        # only the delimiter is guessed: the quote is always '"' (a cell 'like this' keeps its
        # quotes)
        try:
            delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
        except csv.Error:
            delimiter = ","
        raw, cells = [], 0
        # newline="": old Mac (CR), Unix and Windows line ends all end a row; a CR or LF inside
        # quotes stays
        reader = csv.reader(_io.StringIO(text, newline=""), csv.excel, delimiter=delimiter)
        try:
            for i, row in enumerate(reader):
                cells += len(row)
                _within_limits(f, i + 1, row, cells)
                raw.append((i + 1, row))
        except (
            csv.Error
        ) as exc:  # a cell over csv's field limit (131,072 characters), a stray NUL, ...
            why = (
                f"a cell has more than {csv.field_size_limit():,} characters (the limit for a "
                "cell is "
                f"{MAX_CELL_CHARS:,})"
                if "field limit" in str(exc)
                else f"not a readable CSV matrix: {exc}"
            )
            raise CaseError([Problem(why, file=f, line=reader.line_num or None)]) from None
    elif suffix == ".xlsx":
        import openpyxl

        try:
            wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise CaseError([Problem(f"cannot read the workbook: {exc}", file=f)]) from None
        ws = wb.worksheets[0]
        raw, cells = [], 0
        try:
            for i, row in enumerate(ws.iter_rows(values_only=True)):
                cells += len(row)  # blank cells count: a sheet of empty cells costs as much to read
                _within_limits(f, i + 1, row, cells)
                raw.append((i + 1, list(row)))
        finally:
            wb.close()
    else:
        raise CaseError(
            [Problem(f"a matrix must be a .csv or .xlsx file, got '{p.suffix}'", file=f)]
        )
    raw = [(n, row) for n, row in raw if any(_blank(c) is False for c in row)]
    if not raw:
        raise CaseError([Problem("the matrix is empty", file=f)])
    head_line, header = raw[0]
    names = [("" if c is None else str(escape.uncell(c))).strip() for c in header]
    problems = []
    for j, name in enumerate(names):
        if not name and any(len(r) > j and not _blank(r[j]) for _, r in raw[1:]):
            problems.append(
                Problem(f"column {j + 1} has cells but no header", file=f, line=head_line)
            )
    seen: dict[str, int] = {}
    for j, name in enumerate(names):
        if name and name.lower() in seen:
            problems.append(
                Problem(
                    f"column '{name}' appears twice (columns {seen[name.lower()] + 1} and {j + 1})",
                    file=f,
                    line=head_line,
                )
            )
        seen.setdefault(name.lower(), j)
    if problems:
        raise CaseError(problems)
    out = []
    for n, row in raw[1:]:
        # a text cell written by export_matrix with an apostrophe before a formula character: as it
        # was
        out.append(
            (
                n,
                {
                    names[j]: escape.uncell(row[j])
                    for j in range(min(len(names), len(row)))
                    if names[j]
                },
            )
        )
    return out


#: Largest matrix file read (bytes), checked before and while reading.
MAX_MATRIX_BYTES = 10 * 2**20
#: Most rows a matrix may have (its items; the exact engine and check stay within seconds at this
#: size).
MAX_MATRIX_ROWS = 10_000
#: Most cells a matrix may have (a row's columns; in a workbook, every cell read, blank ones
#: included).
MAX_MATRIX_CELLS = 1_000_000
#: Most characters in one cell.
MAX_CELL_CHARS = 100_000


def _within_limits(f: str, line: int, row: Any, cells: int) -> None:
    """Refuse a matrix past the stated limits as soon as that is seen, before reading the rest."""
    if line > MAX_MATRIX_ROWS + 1:
        raise CaseError(
            [
                Problem(
                    f"the matrix has more than {MAX_MATRIX_ROWS:,} rows (the limit): split it",
                    file=f,
                    line=line,
                )
            ]
        )
    long = next(
        (j for j, c in enumerate(row) if isinstance(c, str) and len(c) > MAX_CELL_CHARS), None
    )
    if long is not None:
        raise CaseError(
            [
                Problem(
                    f"column {long + 1} has a cell of {len(row[long]):,} characters, more than the "
                    f"limit of {MAX_CELL_CHARS:,}",
                    file=f,
                    line=line,
                )
            ]
        )
    if cells > MAX_MATRIX_CELLS:
        raise CaseError(
            [
                Problem(
                    f"the matrix has more than {MAX_MATRIX_CELLS:,} cells (the limit; in a "
                    "workbook blank cells count): remove empty rows and columns or split it",
                    file=f,
                    line=line,
                )
            ]
        )


def _blank(c: Any) -> bool:
    return c is None or (isinstance(c, str) and not c.strip())


#: Longest id :func:`slug` makes; a longer one is cut at the last word boundary (``_``) within it.
SLUG_LENGTH = 60


def slug(text: str, fallback: str = "h") -> str:
    """An id from free text: lowercase letters, digits and underscores, starting with a letter.

    Ids longer than :data:`SLUG_LENGTH` characters are cut after the last whole word that fits (a
    single word longer than that is cut at the limit).

    Examples
    --------
    >>> slug("National security (NATO)"), slug("2nd try"), slug("")
    ('national_security_nato', 'h_2nd_try', 'h')
    >>> slug("The regime was acting against a perceived threat to its own survival in power")
    'the_regime_was_acting_against_a_perceived_threat_to_its_own'
    """
    s = re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")
    if len(s) > SLUG_LENGTH:
        cut = s[: SLUG_LENGTH + 1].rfind("_")
        s = s[:cut] if cut > 0 else s[:SLUG_LENGTH]
    if not s:
        return fallback
    return s if s[0].isalpha() else f"{fallback}_{s}"


_BETA = re.compile(r"^beta\(\s*([0-9.eE+-]+)\s*,\s*([0-9.eE+-]+)\s*\)$", re.I)
_NUMBER = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?: ?%)?$")


def parse_cell(cell: Any, *, zero_is_neutral: bool = False) -> Any:
    """A matrix cell as the YAML value it stands for (a number, a rating, ``NA`` or a form mapping).

    ``zero_is_neutral``: read ``0`` as the ACH symbol for neutral (a matrix written in ``++ + 0 -
    --``).

    Examples
    --------
    >>> (
    ...     parse_cell("CC"),
    ...     parse_cell("--"),
    ...     parse_cell(" 0.25 "),
    ...     parse_cell("60%"),
    ...     parse_cell("30 %"),
    ...     parse_cell(0.5),
    ... )
    ('CC', '--', 0.25, 0.6, 0.3, 0.5)
    >>> parse_cell("0"), parse_cell("0", zero_is_neutral=True)
    (0.0, 'N')
    >>> parse_cell("icd203: very likely"), parse_cell("beta(7, 3)")
    ({'icd203': 'very likely'}, {'beta': [7.0, 3.0]})
    >>> try:
    ...     parse_cell("likley")
    ... except ValueError as exc:
    ...     print(str(exc)[:58])
    unknown likelihood phrase 'likley'. Did you mean 'likely'?
    >>> try:
    ...     parse_cell("highly probable")  # an ICD 203 range is never read as a point phrase
    ... except ValueError as exc:
    ...     print(exc)
    'highly probable' is an ICD 203 term (a range, not a point): write icd203: highly probable
    """
    if isinstance(cell, bool):
        raise ValueError(f"a rating or a probability, got {cell!r}")
    if isinstance(cell, int | float):
        value: Any = read_number(cell)
    elif not isinstance(cell, str) or not cell.strip():
        raise ValueError("empty cell: rate every hypothesis (N for neutral, NA for not applicable)")
    else:
        text = " ".join(cell.strip().split())
        m = _BETA.match(text)
        if text == "0" and zero_is_neutral:
            value = "N"
        elif _NUMBER.match(text):
            value = read_number(text[:-1]) / 100 if text.endswith("%") else read_number(text)
        elif text.lower().startswith("icd203:"):
            value = {"icd203": text.split(":", 1)[1].strip()}
        elif m:
            value = {"beta": [read_number(m.group(1)), read_number(m.group(2))]}
        elif _lk.is_not_applicable(text):
            return _lk.NOT_APPLICABLE
        elif text.startswith("{"):
            raise ValueError(
                f"a matrix cell is written without braces: icd203: likely, beta(7, 3); got {text!r}"
            )
        else:
            value = text
            try:
                _lk.phrase_value(text)
            except ValueError:
                raise ValueError(_lk.unknown_phrase(text, "icd203: {}")) from None
    _lk.parse(value)  # raises ValueError with the valid forms
    return value


# --------------------------------------------------------------------------- import


# C901: one pass over a matrix's rows and columns; to split by row kind
def matrix_to_case(  # noqa: C901
    path: str | Path,
    *,
    lens: str = "default",
    name: str | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    r"""(case.yaml, evidence.yaml) contents for an ACH matrix.

    Every bad cell is one located problem.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "m.csv"
    >>> _ = p.write_text("title,National security,Regime security\nTroops massed,C,I\n")
    >>> case, ev = matrix_to_case(p)
    >>> [h["id"] for h in case["hypotheses"]], ev["evidence"][0]["likelihoods"]
    (['national_security', 'regime_security'], {'default': {'values': {'national_security': 'C',
    'regime_security': 'I'}}})
    """
    from motives.schema import PartialDate
    from motives.schema.forms import cite_key

    p = Path(path)
    f = str(p)
    rows = read_matrix(p)
    header = list(rows[0][1]) if rows else []
    if not rows:
        raise CaseError([Problem("the matrix has a header but no rows", file=f)])
    all_names: list[str] = []
    for _, r in rows:
        all_names += [k for k in r if k not in all_names]
    header = all_names
    role: dict[str, str] = {}
    for col in header:
        low = col.lower()
        role[col] = low if low in COLUMNS else ("title" if low in TITLE_ALIASES else "hypothesis")
    problems: list[Problem] = []
    hyp_cols = [c for c in header if role[c] == "hypothesis"]
    if len(hyp_cols) < 2:
        problems.append(
            Problem(
                f"an ACH matrix needs at least two hypothesis columns; found {hyp_cols} (optional "
                f"columns: {', '.join(COLUMNS)})",
                file=f,
                line=1,
            )
        )
        raise CaseError(problems)
    hyp_ids: dict[str, str] = {}
    for c in hyp_cols:
        hid = slug(c)
        if hid in hyp_ids.values():
            other = next(k for k, v in hyp_ids.items() if v == hid)
            problems.append(
                Problem(
                    f"columns '{other}' and '{c}' give the same hypothesis id '{hid}' (an id is "
                    "the "
                    f"header lowercased, other characters as _, cut to {SLUG_LENGTH} characters "
                    "at a word): give the columns short distinct headers and put the full names in "
                    "a #label row",
                    file=f,
                    line=1,
                )
            )
        hyp_ids[c] = hid
    id_col = next((c for c in header if role[c] == "id"), None)
    symbols = any(
        isinstance(v, str) and v.strip() in _SYMBOLS
        for _, r in rows
        for c, v in r.items()
        if role.get(c) == "hypothesis"
    )
    hypotheses: list[dict[str, Any]] = [{"id": hyp_ids[c]} for c in hyp_cols]
    for c, h in zip(hyp_cols, hypotheses, strict=True):
        if h["id"] != c:
            h["label"] = c
    evidence: list[dict[str, Any]] = []
    sources: dict[str, tuple[Any, int]] = {}
    used: dict[str, int] = {}
    specials: dict[str, int] = {}
    title_col = next((c for c in header if role[c] == "title"), None)
    for line, r in rows:
        rid = r.get(id_col) if id_col else None
        special = (
            rid.strip().lower() if isinstance(rid, str) and rid.strip().startswith("#") else None
        )
        head = r.get(title_col) if title_col and not id_col else None
        if isinstance(head, str) and head.strip().lower() in SPECIAL_ROWS:
            # without an id column a '#prior' title would become an item titled '#prior': never a
            # silent choice
            problems.append(
                Problem(
                    f"'{head.strip()}' in the {title_col} column: a {head.strip().lower()} row is "
                    "read from an id column; add a first column headed id and write "
                    f"{head.strip().lower()} there (its title cell empty)",
                    file=f,
                    line=line,
                )
            )
            continue
        if special is not None:
            if special not in SPECIAL_ROWS:
                problems.append(
                    Problem(
                        f"unknown special row '{rid}'; valid: {', '.join(SPECIAL_ROWS)}",
                        file=f,
                        line=line,
                    )
                )
                continue
            if (
                special in specials
            ):  # '#PRIOR' and ' #prior' are the same row: the last would silently win
                problems.append(
                    Problem(
                        f"a second {special} row ('{rid}'; the first is on line "
                        f"{specials[special]}): "
                        "keep one",
                        file=f,
                        line=line,
                    )
                )
                continue
            specials[special] = line
            key = special[1:]
            for c, h in zip(hyp_cols, hypotheses, strict=True):
                v = r.get(c)
                if _blank(v):
                    continue
                if key == "label":
                    h["label"] = str(v).strip()
                else:
                    try:
                        x = read_number(v.strip() if isinstance(v, str) else v)
                    except ValueError as exc:
                        problems.append(
                            Problem(f"{key} must be a number: {exc}", file=f, line=line, field=c)
                        )
                        continue
                    h[key] = x
            continue
        title = r.get(next((c for c in header if role[c] == "title"), ""), None)
        title = "" if _blank(title) else str(title).strip()
        item_id = str(rid).strip() if not _blank(rid) else slug(title, "e") if title else f"e{line}"
        if not re.fullmatch(r"[a-z][a-z0-9_]*", item_id):
            item_id = slug(item_id, "e")
        if (
            not _blank(rid) and item_id in used
        ):  # a written id is never renamed: two rows with one id are refused
            problems.append(
                Problem(
                    f"id '{str(rid).strip()}' is the id of the row on line {used[item_id]} too"
                    + (f" (both read as '{item_id}')" if item_id != str(rid).strip() else "")
                    + ": give each row its own id",
                    file=f,
                    line=line,
                    field=id_col,
                )
            )
            continue
        base, k = item_id, 2
        while item_id in used:  # ids made from titles (no id written) are numbered apart
            item_id, k = f"{base}_{k}", k + 1
        used[item_id] = line
        item: dict[str, Any] = {"id": item_id, "title": title or item_id}
        values: dict[str, Any] = {}
        for c in hyp_cols:
            try:
                values[hyp_ids[c]] = parse_cell(r.get(c), zero_is_neutral=symbols)
            except ValueError as exc:
                problems.append(Problem(_reason(exc), file=f, line=line, item=item_id, field=c))
        if values and all(v == _lk.NOT_APPLICABLE for v in values.values()):
            problems.append(
                Problem(
                    "every cell is NA; such an item says nothing, leave it out",
                    file=f,
                    line=line,
                    item=item_id,
                )
            )
        judgement: dict[str, Any] = {"values": values}
        for c in header:
            v = r.get(c)
            if role[c] in ("hypothesis", "id", "title") or _blank(v):
                continue
            text = v.isoformat()[:10] if isinstance(v, _dt.date) else str(v).strip()
            if role[c] == "date":
                try:
                    PartialDate.model_validate(text)
                except ValueError as exc:
                    problems.append(Problem(_reason(exc), file=f, line=line, item=item_id, field=c))
                    continue
                item["date"] = text
            elif role[c] == "quote":
                item["quote"] = text
            elif role[c] == "rationale":
                judgement["rationale"] = text
            elif role[c] == "confidence":
                if text.lower() not in _lk.CONFIDENCE:
                    problems.append(
                        Problem(
                            f"confidence must be low, medium or high, got {text!r}",
                            file=f,
                            line=line,
                            item=item_id,
                            field=c,
                        )
                    )
                    continue
                judgement["confidence"] = text.lower()
            elif role[c] == "source":
                try:
                    cite_key(text)
                except ValueError as exc:
                    problems.append(
                        Problem(
                            f"source key: {_reason(exc)}", file=f, line=line, item=item_id, field=c
                        )
                    )
                    continue
                item["sources"] = [text]
        cred_col = next((c for c in header if role[c] == "credibility"), None)
        cred = r.get(cred_col) if cred_col else None
        if not _blank(cred):
            try:
                rel = _credibility(cred)
            except ValueError as exc:
                problems.append(
                    Problem(_reason(exc), file=f, line=line, item=item_id, field=cred_col)
                )
            else:
                key = item["sources"][0] if "sources" in item else f"{item_id}_source"
                if key in sources and sources[key][0] != rel:
                    problems.append(
                        Problem(
                            f"source '{key}' has credibility "
                            f"{cred!r} here but {sources[key][0]!r} on line {sources[key][1]}; one "
                            "source, one reliability",
                            file=f,
                            line=line,
                            item=item_id,
                            field=cred_col,
                        )
                    )
                sources.setdefault(key, (rel, line))
                item["reported_by"] = key
        item["likelihoods"] = {lens: judgement}
        evidence.append(item)
    if problems:
        raise CaseError(problems)
    case: dict[str, Any] = {
        "name": slug(name or p.stem, "case"),
        "title": p.stem,
        "default_lens": lens,
        "lenses": [{"id": lens}],
        "hypotheses": hypotheses,
    }
    if any("prior" in h for h in hypotheses):
        total = sum(h.get("prior", 0.0) for h in hypotheses)
        if abs(total - 1) > 1e-9:
            case["prior_normalise"] = True
    if sources:
        case["sources"] = [{"key": k, "reliability": v} for k, (v, _) in sources.items()]
    return case, {"evidence": evidence}


def _credibility(cell: Any) -> Any:
    if isinstance(cell, str) and cell.strip().lower() in CREDIBILITY:
        return CREDIBILITY[cell.strip().lower()]
    try:
        value = parse_cell(cell)
    except ValueError as exc:
        raise ValueError(f"credibility must be high, medium, low or a probability: {exc}") from None
    if value == _lk.NOT_APPLICABLE:
        raise ValueError(
            f"credibility must be high, medium, low or a probability, got {cell!r} (NA stands "
            "only in a hypothesis column)"
        )
    return value


def _reason(exc: Exception) -> str:
    """What a ValueError says, without pydantic's wrapping (count, model name, input, URL)."""
    from pydantic import ValidationError

    if not isinstance(exc, ValidationError):
        return str(exc)
    msgs = []
    for err in exc.errors():
        ctx = err.get("ctx", {}).get("error")
        msg = str(ctx) if isinstance(ctx, Exception) else str(err["msg"])
        msgs.append(msg.removeprefix("Value error, "))
    return "; ".join(msgs)


def import_matrix(
    path: str | Path,
    out: str | Path,
    *,
    lens: str = "default",
    name: str | None = None,
    force: bool = False,
) -> Path:
    r"""Turn an ACH matrix (CSV or XLSX) into a case folder ``out`` (case.yaml and evidence.yaml).

    The folder is written whole or not at all, and checked by loading it. An
    existing ``out`` is refused unless ``force`` is set and it holds only files
    this function wrote.

    Examples
    --------
    >>> import tempfile
    >>> import motives as mv
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "m.csv").write_text("title,h1,h2\nA report,C,I\nAnother,++,0\n")
    >>> case = mv.load_case(import_matrix(d / "m.csv", d / "case"))
    >>> case.likelihood_table()[["h1", "h2"]].to_numpy().tolist()
    [[0.7, 0.3], [0.9, 0.5]]
    """
    import shutil

    import yaml

    from motives.io import load_case

    src = Path(path)
    out = Path(out)
    case, ev = matrix_to_case(src, lens=lens, name=name)
    if out.exists():
        if not force:
            raise MotivesError(f"{out} already exists; pass --force to replace it")
        if not _written_by_us(out):
            raise MotivesError(
                f"{out} holds files motives import-matrix did not write; not replacing it"
            )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = temporary_folder(out.parent, out.name)
    except OSError as exc:  # a read-only or full disk: name the folder asked for
        raise MotivesError(f"cannot write {out}: {exc.strerror or exc}") from None
    try:
        when = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        head = (
            f"{MARKER} from {src.name} on {when}.\n# Edit freely; re-importing with --force "
            "replaces it.\n"
        )
        dump = {"sort_keys": False, "allow_unicode": True, "width": 100, "Dumper": _dumper()}
        (tmp / "case.yaml").write_text(head + yaml.dump(case, **dump), encoding="utf-8")
        (tmp / "evidence.yaml").write_text(head + yaml.dump(ev, **dump), encoding="utf-8")
        try:
            load_case(tmp)  # what we wrote must load
        except (
            CaseError
        ) as exc:  # name the folder the user asked for, not the temporary one (gone by then)
            import dataclasses

            raise CaseError(
                [
                    dataclasses.replace(
                        p, file=p.file.replace(str(tmp), str(out)) if p.file else p.file
                    )
                    for p in exc.problems
                ]
            ) from None
        swap_folder(tmp, out)  # the old folder (--force) or the new one, whole, at every moment
    except (
        OSError
    ) as exc:  # a full disk while writing: the message names the folder asked for, not tmp
        raise MotivesError(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def _dumper() -> Any:
    """A safe YAML dumper that quotes every text the case loader would read as something else.

    For example ``1e400`` or ``true``.

    PyYAML quotes by YAML 1.1's rules; the loader follows YAML 1.2's core schema
    (:class:`motives.io.Loader`).
    """
    import yaml

    from motives.yamlfile import Loader

    class Dumper(yaml.SafeDumper):
        yaml_implicit_resolvers = {k: list(v) for k, v in Loader.yaml_implicit_resolvers.items()}

    return Dumper


def _written_by_us(folder: Path) -> bool:
    if not folder.is_dir():
        return False
    files = list(folder.iterdir())
    return all(
        p.is_file()
        and p.name in ("case.yaml", "evidence.yaml")
        and p.read_text(encoding="utf-8", errors="replace").startswith(MARKER)
        for p in files
    )


# --------------------------------------------------------------------------- export


# C901: one column per field an item may carry
def matrix_rows(  # noqa: C901
    case: Case, lens: str | None = None, *, cells: str = "ratings"
) -> tuple[list[list[Any]], list[str]]:
    """The matrix of a case under a lens: (rows, notes on what it leaves out).

    The first of the rows is the header.

    ``cells="ratings"`` writes a point on the ACH scale (.9 .7 .5 .3 .1) as its
    letter (CC C N I II); ``"numbers"`` writes every cell as a number.

    Examples
    --------
    >>> import motives as mv
    >>> rows, notes = matrix_rows(mv.examples.cookie_case())
    >>> rows  # the cookie case states its prior: a #prior row
    [['id', 'title', 'bowl1', 'bowl2'], ['#prior', '', '0.5', '0.5'], ['vanilla', 'A vanilla cookie
    was drawn', '0.75', 'N']]
    """
    from motives.schema import LikelihoodItem
    from motives.schema.structure import HYPOTHESES

    if cells not in ("ratings", "numbers"):
        raise ValueError(f"cells must be 'ratings' or 'numbers', got {cells!r}")
    lens = case.resolve_lens(lens)
    hyp = case.hypothesis_ids
    notes: list[str] = []
    skipped = [e.id for e in case.evidence if not isinstance(e, LikelihoodItem)]
    if skipped:
        notes.append(
            f"timeline and quantity items have no cells and are left out: {', '.join(skipped)}"
        )
    structured = [
        e.id for e in case.evidence if isinstance(e, LikelihoodItem) and e.parents != (HYPOTHESES,)
    ]
    if structured:
        notes.append(
            "items under propositions are written with the P(E | h) each implies alone; a matrix "
            "has no "
            f"structure, so importing it treats them as independent: {', '.join(structured)}"
        )
    if lens != case.default_lens:
        fallen = [i for i in case.fallbacks(lens) if i not in skipped]
        if fallen:
            notes.append(
                f"lens '{lens}' does not rate {', '.join(fallen)}: their cells are the default "
                "lens "
                f"'{case.default_lens}''s judgements (importing the matrix makes them '{lens}''s "
                "own)"
            )
    given = [e.id for e in case.evidence if e.given]
    if given:
        notes.append(f"'given' links are not written: {', '.join(given)}")
    implied = case.likelihood_table(lens) if structured else None
    body: list[dict[str, Any]] = []
    extra = {
        c: False for c in ("source", "date", "quote", "credibility", "confidence", "rationale")
    }
    for e in case.evidence:
        if not isinstance(e, LikelihoodItem):
            continue
        j, _ = case.judgement(e, lens)
        row: dict[str, Any] = {"id": e.id, "title": e.title}
        conf_k = _lk.CONFIDENCE.get(j.confidence) if j.confidence else None
        if e.id in structured:
            row |= {h: _number(float(implied.loc[e.id, h])) for h in hyp}  # type: ignore[union-attr]
        else:
            for h in hyp:
                v = j.values[h]
                if v.concentration is not None and v.concentration != conf_k:
                    row[h] = f"beta({_number(v.belief.alpha)}, {_number(v.belief.beta)})"
                elif cells == "ratings" and v.mean in _RATING_OF:
                    row[h] = _RATING_OF[v.mean]
                else:
                    row[h] = _number(v.mean)
            if j.confidence and any(v.concentration == conf_k for v in j.values.values()):
                row["confidence"] = j.confidence
        src = e.reported_by or (e.sources[0] if e.sources else None)
        if src:
            row["source"] = src
        if e.reported_by:
            s = case.source(e.reported_by)
            rel = s.reliability if s is not None else None
            if rel is not None:
                row["credibility"] = (
                    _number(rel.mean)
                    if rel.concentration is None
                    else f"beta({_number(rel.belief.alpha)}, {_number(rel.belief.beta)})"
                )
        if e.date is not None:
            row["date"] = str(e.date)
        if e.quote:
            row["quote"] = e.quote
        if j.rationale:
            row["rationale"] = j.rationale
        for c in extra:
            extra[c] |= c in row
        body.append(row)
    columns = ["id", "title", *hyp, *[c for c, used in extra.items() if used]]
    rows: list[list[Any]] = [columns]
    labels = [h.label or "" for h in case.hypotheses]
    if any(labels):
        rows.append(["#label", "", *labels] + [""] * (len(columns) - 2 - len(hyp)))
    for key in ("prior", "value"):
        vals = [getattr(h, key) for h in case.hypotheses]
        if any(v is not None for v in vals):
            rows.append(
                [f"#{key}", "", *["" if v is None else _number(v) for v in vals]]
                + [""] * (len(columns) - 2 - len(hyp))
            )
    rows += [[r.get(c, "") for c in columns] for r in body]
    return rows, notes


_RATING_OF = {v: k for k, v in _lk.ACH_SCALE.items()}


def _number(x: float) -> str:
    """A cell's number with 15 significant digits, what a spreadsheet shows.

    For example 0.3, not 0.30000000000000004.

    A value changes by at most 5e-15 of itself, far below the engine's resolution.
    """
    return format(float(x), ".15g") if not float(x).is_integer() else str(int(x))


def export_matrix(
    case: Case, path: str | Path, lens: str | None = None, *, cells: str = "ratings"
) -> list[str]:
    """Write a case's likelihoods under a lens as an ACH matrix; return the notes.

    The matrix is written as ``.csv`` or ``.xlsx``.

    Examples
    --------
    >>> import tempfile
    >>> import motives as mv
    >>> p = Path(tempfile.mkdtemp()) / "cookies.csv"
    >>> export_matrix(mv.examples.cookie_case(), p)
    []
    >>> print(p.read_text().strip())
    id,title,bowl1,bowl2
    #prior,,0.5,0.5
    vanilla,A vanilla cookie was drawn,0.75,N
    """
    p = Path(path)
    rows, notes = matrix_rows(case, lens, cells=cells)
    rows = [[_inert(c) for c in r] for r in rows]  # no cell a spreadsheet would run as a formula
    suffix = p.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise MotivesError(f"the matrix file must end in .csv or .xlsx, got '{p.name}'")
    # made in memory, then written whole by write_atomic: openpyxl writing to a full disk leaves a
    # zip file whose clean-up prints a traceback at exit ("Exception ignored in ZipFile.__del__");
    # openpyxl still writes each worksheet to a temporary file first, so a full temporary folder
    # fails here too: one message either way
    try:
        if suffix == ".csv":
            buf = _io.StringIO()
            csv.writer(buf, lineterminator="\n").writerows(rows)
            data: str | bytes = buf.getvalue()
        else:
            import openpyxl

            wb = openpyxl.Workbook()
            ws: Any = wb.active
            ws.title = "ACH matrix"
            for r in rows:
                ws.append([_xlsx_cell(c) for c in r])
            raw = _io.BytesIO()
            wb.save(raw)
            data = raw.getvalue()
        write_atomic(p, data)
    except OSError as exc:
        raise MotivesError(f"cannot write {p}: {exc.strerror or exc}") from None
    return notes


def _inert(c: Any) -> Any:
    """A cell's text as no spreadsheet runs it (:func:`motives.escape.cell`).

    Numbers stay numbers.
    """
    return escape.cell(c) if isinstance(c, str) and not _NUMBER.match(c) else c


def _xlsx_cell(c: Any) -> Any:
    if isinstance(c, str) and _NUMBER.match(c) and not c.endswith("%"):
        return float(c)
    return c if c != "" else None


# ---------------------------------------------------------------------- Heuer's inconsistency score


def inconsistency(case: Case, lens: str | None = None) -> pd.DataFrame:
    """Heuer's ACH inconsistency score per hypothesis: I ratings count 1, II ratings 2.

    Lower is better.

    A row whose cells are all on the ACH scale (.9 .7 .5 .3 .1, however they
    were written) is read as ratings: .3 is I, .1 is II. Any other row is read
    through likelihood ratios: a cell at most :data:`I_RATIO` (-3 dB) of the
    row's largest counts as I, at most :data:`II_RATIO` (-7 dB) as II. Items
    under propositions use the P(E | h) they imply alone; timeline and quantity
    items have no ratings and are not counted.

    Returns
    -------
    pandas.DataFrame
        Indexed by hypothesis id: ``I``, ``II`` (counts) and ``score`` (I + 2·II).

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.Case.model_validate(
    ...     {
    ...         "name": "ach",
    ...         "hypotheses": [{"id": "a"}, {"id": "b"}, {"id": "c"}],
    ...         "evidence": [
    ...             {"id": "e1", "title": "E1", "likelihoods": {"a": "C", "b": "I", "c": "II"}},
    ...             {"id": "e2", "title": "E2", "likelihoods": {"a": "--", "b": "N", "c": "+"}},
    ...             {"id": "e3", "title": "E3", "likelihoods": {"a": 0.4, "b": 0.1, "c": 0.02}},
    ...         ],
    ...     }
    ... )
    >>> inconsistency(case)
       I  II  score
    a  0   1      2
    b  2   0      2
    c  0   2      4
    """
    import numpy as np
    import pandas as pd

    t = case.likelihood_table(lens)
    hyp = case.hypothesis_ids
    m = t[hyp].to_numpy(dtype=float) if len(t) else np.zeros((0, len(hyp)))
    scale = np.array(sorted(_lk.ACH_SCALE.values()))
    n_i = np.zeros(len(hyp), dtype=int)
    n_ii = np.zeros(len(hyp), dtype=int)
    for row in m:
        on_scale = np.all(np.isclose(row[:, None], scale[None, :], rtol=0, atol=1e-12).any(axis=1))
        if on_scale:
            ii = np.isclose(row, _lk.ACH_SCALE["II"], rtol=0, atol=1e-12)
            i = np.isclose(row, _lk.ACH_SCALE["I"], rtol=0, atol=1e-12)
        else:
            r = row / row.max()
            ii = r <= II_RATIO
            i = (r <= I_RATIO) & ~ii
        n_i += i
        n_ii += ii
    score = n_i * INCONSISTENCY_WEIGHTS["I"] + n_ii * INCONSISTENCY_WEIGHTS["II"]
    return pd.DataFrame({"I": n_i, "II": n_ii, "score": score}, index=pd.Index(hyp))


def inconsistency_line(scores: pd.DataFrame | dict[str, int], limit: int = 12) -> str:
    """One line for the terminal: hypotheses from the least inconsistent, at most ``limit`` of them.

    Examples
    --------
    >>> inconsistency_line({"a": 2, "b": 0, "c": 5})
    'ACH inconsistency (Heuer; I = 1, II = 2; lower is better): b 0, a 2, c 5'
    """
    table: Any = scores
    s: dict[str, Any] = table["score"].to_dict() if hasattr(table, "columns") else dict(table)
    order = sorted(s, key=lambda h: (s[h], list(s).index(h)))
    shown = ", ".join(f"{h} {int(s[h])}" for h in order[:limit])
    more = f", ... ({len(order) - limit} more)" if len(order) > limit else ""
    return f"ACH inconsistency (Heuer; I = 1, II = 2; lower is better): {shown}{more}"
