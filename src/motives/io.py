"""Loading a case folder.

Its files read, validated one by one, and assembled into a :class:`~motives.schema.Case`.

Every problem found becomes a :class:`motives.errors.Problem` with the file,
the line (where YAML gives one), the item and the field; :func:`load_case`
raises one :class:`motives.errors.CaseError` listing them all, sorted by file
(in reading order) and line. Each file is validated on its own; records that
fail are left out, with whatever depends on them, and the cross-file checks
of :class:`motives.schema.Case` run on the rest, so one mistake never hides
another.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from motives.bibtex import read_bibtex
from motives.errors import CaseError, Problem
from motives.located import RECORD_KIND, problems_from_validation, validate
from motives.schema import Amendment, Case, CaseFile, EvidenceFile, Record
from motives.schema.structure import HYPOTHESES, Proposition, PropositionJudgement
from motives.yamlfile import Lines, line_of, read_yaml

__all__ = ["load_case", "evidence_files", "skipped_files", "read_yaml", "read_bibtex", "validate"]

Path_ = str | Path


# --------------------------------------------------------------------------- cases


class _Loc:
    """Where records came from, to put file and line on cross-reference problems."""

    def __init__(self) -> None:
        self.items: dict[str, tuple[str, Lines, tuple[Any, ...]]] = {}
        self.case_file: tuple[str, Lines] | None = None
        self.hypotheses: dict[str, int] = {}
        self.files: list[str] = []  # in the order read: problems are sorted by it
        self.repeats: dict[
            str, list[tuple[str, Lines, tuple[Any, ...]]]
        ] = {}  # an id's later records

    def add(self, ident: str, where: tuple[str, Lines, tuple[Any, ...]]) -> None:
        """Note where a record is; a repeated id keeps its first place and notes the others."""
        if ident in self.items:
            self.repeats.setdefault(ident, []).append(where)
        else:
            self.items[ident] = where

    def locate(self, p: Problem) -> Problem:
        if p.file:
            return p
        field = tuple(int(x) if x.isdigit() else x for x in (p.field or "").split(".") if x)
        if (
            p.item
            and p.item in self.items
            and p.message.startswith("duplicate")
            and p.item in self.repeats
        ):
            # a duplicate is located where it repeats, and says where the id was first used
            f0, lines0, prefix0 = self.items[p.item]
            f, lines, prefix = self.repeats[p.item][0]
            kind = RECORD_KIND.get(prefix[0], p.kind) if prefix else p.kind
            first = f"{f0}:{line_of(lines0, prefix0 + field) or '?'}"
            return Problem(
                f"{p.message} (first used at {first})",
                file=f,
                line=line_of(lines, prefix + field),
                item=p.item,
                field=p.field,
                kind=kind,
            )
        if p.item and p.item in self.items:
            f, lines, prefix = self.items[p.item]
            kind = RECORD_KIND.get(prefix[0], p.kind) if prefix else p.kind
            return Problem(
                p.message,
                file=f,
                line=line_of(lines, prefix + field),
                item=p.item,
                field=p.field,
                kind=kind,
            )
        if self.case_file:
            f, lines = self.case_file
            kind = p.kind
            if p.item in self.hypotheses:
                path = ("hypotheses", self.hypotheses[p.item]) + field
                kind = "hypothesis"
            else:
                path = field
            return Problem(
                p.message, file=f, line=line_of(lines, path), item=p.item, field=p.field, kind=kind
            )
        return p


def _case_path(path: Path_) -> tuple[Path, Path]:
    p = Path(path)
    if p.is_dir():
        return p, p / "case.yaml"
    if p.is_file():
        return p.parent, p
    raise CaseError([Problem(f"no such case folder or case.yaml: {p}")])


class _Failed:
    """What failed per-file validation, so the cross-file checks skip exactly what depends on it.

    ``ids``: ids (or keys) of records that failed; ``unknown``: a whole evidence file failed, so any
    id not loaded may be one of its records; ``foundation``: case.yaml (or its hypotheses, lenses,
    families, default lens, parent or prior switch) failed, on which every cross-file check rests;
    ``bib``: a BibTeX file failed, so BibTeX keys are not checked.
    """

    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.unknown = False
        self.foundation = False
        self.bib = False


#: case.yaml fields every cross-file check rests on: when one is invalid, only per-file problems are
#: reported.
_FOUNDATION = ("hypotheses", "lenses", "families", "default_lens", "extends", "prior_normalise")
#: Top-level fields no cross-file check needs: when one is invalid it is reported and left out.
_SPARE = ("title", "description", "references", "issue_area", "name")


def _salvage(
    model: type[Record], data: Any, file: str, lines: Lines, failed: _Failed
) -> tuple[Any, list[Problem]]:
    """Validate one file; on failure report every problem and keep the records that are valid.

    Returns the record (the file without its invalid list entries and spare fields) or None when
    what failed cannot be left out, and the problems found.
    """
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems, errors = problems_from_validation(exc, data, model, file, lines), exc.errors()
    except (OverflowError, RecursionError, TypeError, ArithmeticError) as exc:
        return None, [Problem(f"invalid value: {exc}", file=file)]
    drop: dict[Any, set[int]] = {}
    spare: set[str] = set()
    whole = not isinstance(data, dict)
    for err in errors:
        loc = tuple(err["loc"])
        if whole or not loc:
            whole = True
        elif (
            loc[0] not in _FOUNDATION
            and len(loc) >= 2
            and isinstance(data.get(loc[0]), list)
            and isinstance(loc[1], int)
        ):
            drop.setdefault(loc[0], set()).add(loc[1])
        elif loc[0] in _SPARE or (len(loc) == 1 and err["type"] == "extra_forbidden"):
            spare.add(
                str(loc[0])
            )  # a spare field, or an unknown top-level key (a typo): reported and left out
        else:
            whole = True
    if whole:
        return None, problems
    kept = {k: v for k, v in data.items() if k not in spare}
    if "name" in spare:
        kept["name"] = "invalid_name"  # reported above; the cross-checks do not use it
    for key, idx in drop.items():
        for i in idx:
            entry = data[key][i]
            ident = entry.get("id", entry.get("key")) if isinstance(entry, dict) else None
            if isinstance(ident, str):
                failed.ids.add(ident)
        kept[key] = [e for i, e in enumerate(data[key]) if i not in idx]
    try:
        return model.model_validate(kept), problems
    except (ValidationError, OverflowError, RecursionError, TypeError, ArithmeticError):
        return None, problems


# C901: one case file's records salvaged kind by kind
def _collect(  # noqa: C901
    path: Path_,
    loc: _Loc,
    problems: list[Problem],
    failed: _Failed,
    depth: int = 0,
) -> tuple[CaseFile | None, list[dict[str, Any]], dict[str, dict[str, str]] | None]:
    """Read and validate every file of a case folder and its parents.

    Every problem is added to ``problems``.

    Stops only where nothing further can be read; otherwise each file is validated on its own,
    invalid records are left out (and noted in ``failed``), and the rest is returned for the
    cross-file checks.
    """
    folder, case_path = _case_path(path)
    if not case_path.is_file():
        raise CaseError([Problem(f"no case.yaml in {folder}", file=str(case_path))])
    cf: CaseFile | None = None
    data: Any = None
    lines: Lines = {}
    loc.files.append(str(case_path))
    try:
        data, lines = read_yaml(case_path)
    except CaseError as exc:
        problems += exc.problems
    else:
        cf, found = _salvage(CaseFile, data, str(case_path), lines, failed)
        problems += found
    if cf is None:
        failed.foundation = True
    items: list[dict[str, Any]] = []
    props: list[dict[str, Any]] = []
    sources: list[Any] = list(cf.sources) if cf else []
    bib: dict[str, dict[str, str]] | None = None
    parent: CaseFile | None = None
    if cf is not None and cf.extends:
        parent_dir = (folder / cf.extends).resolve()
        if depth > 8:
            problems.append(
                Problem(
                    "'extends' chain is too long (a cycle?)", file=str(case_path), field="extends"
                )
            )
            failed.foundation = True
        elif not parent_dir.exists():
            problems.append(
                Problem(
                    f"extends: no case at {parent_dir}",
                    file=str(case_path),
                    line=lines.get(("extends",)),
                    field="extends",
                )
            )
            failed.foundation = True
        else:
            parent, parent_items, bib = _collect(parent_dir, loc, problems, failed, depth + 1)
            items = [d for d in parent_items if not isinstance(d["item"], Proposition)]
            props = [d for d in parent_items if isinstance(d["item"], Proposition)]
            # a source the extending case declares again replaces the parent's (its reliability,
            # say)
            own_keys = {getattr(x, "key", None) for x in sources}
            sources = [
                x for x in (parent.sources if parent else []) if x.key not in own_keys
            ] + sources
    loc.case_file = (str(case_path), lines)
    loc.hypotheses = {h.id: i for i, h in enumerate(cf.hypotheses)} if cf else {}
    refs = (
        cf.references if cf else data.get("references") if isinstance(data, dict) else None
    )  # BibTeX: checked
    refs = refs if isinstance(refs, str | list) else None  # even when case.yaml failed
    ref_names = refs or (["references.bib"] if (folder / "references.bib").is_file() else [])
    for ref_name in [ref_names] if isinstance(ref_names, str) else ref_names:
        if not isinstance(ref_name, str):
            continue
        ref_path = (folder / ref_name).resolve()
        if not ref_path.is_relative_to(folder.resolve()):
            problems.append(
                Problem(
                    f"references: '{ref_name}' lies outside the case folder {folder}; keep "
                    "BibTeX files inside it",
                    file=str(case_path),
                    line=line_of(lines, ("references",)),
                    field="references",
                )
            )
            failed.bib = True
            continue
        loc.files.append(str(folder / ref_name))
        try:
            own = read_bibtex(folder / ref_name)
        except CaseError as exc:
            problems += exc.problems
            failed.bib = True
            continue
        clash = sorted(k for k in set(bib or {}) & set(own) if (bib or {})[k] != own[k])
        if clash and not (cf and cf.extends):
            problems.append(
                Problem(
                    f"BibTeX key(s) {clash} defined differently in two files",
                    file=str(folder / ref_name),
                )
            )
            failed.bib = True
        bib = {**own, **(bib or {})}
    for i, prop in enumerate(cf.propositions if cf else []):
        loc.add(prop.id, (str(case_path), lines, ("propositions", i)))
        props.append({"item": prop})
    amendments: list[tuple[Amendment, str, Lines, int]] = []
    files = evidence_files(folder)
    for ef_path in files:
        loc.files.append(str(ef_path))
        try:
            raw, elines = read_yaml(ef_path)
        except CaseError as exc:
            problems += exc.problems
            failed.unknown = True
            continue
        ef, found = _salvage(EvidenceFile, raw, str(ef_path), elines, failed)
        problems += found
        if ef is None:
            failed.unknown = True
            continue
        sources += list(ef.sources)
        for i, prop in enumerate(ef.propositions):
            if prop.issue_area is None and ef.issue_area is not None:
                prop = prop.model_copy(update={"issue_area": ef.issue_area})
            loc.add(prop.id, (str(ef_path), elines, _kept_path(raw, "propositions", prop.id, i)))
            props.append({"item": prop})
        for i, item in enumerate(ef.evidence):
            if item.issue_area is None and ef.issue_area is not None:
                item = item.model_copy(update={"issue_area": ef.issue_area})
            loc.add(item.id, (str(ef_path), elines, _kept_path(raw, "evidence", item.id, i)))
            items.append({"item": item})
        for i, am in enumerate(ef.amend):
            amendments.append((am, str(ef_path), elines, _kept_path(raw, "amend", am.id, i)[1]))
    if cf is None:
        return None, props + items, bib
    if amendments:  # shorthand judgements belong to the default lens: name it before amending
        lenses = _merge_by_id(parent.lenses if parent else [], cf.lenses)
        default = (
            cf.default_lens
            or (parent.default_lens if parent else None)
            or (lenses[0].id if lenses else "default")
        )
        for d in items + props:
            d["item"] = _name_default_lens(d["item"], default)
    for am, f, elines, i in amendments:
        target = next((d for d in items + props if d["item"].id == am.id), None)
        if target is None:
            if (
                am.id not in failed.ids and not failed.unknown
            ):  # else it may be a record that failed
                problems.append(
                    Problem(
                        f"amend: no item or proposition '{am.id}' in this case or its parent",
                        file=f,
                        line=line_of(elines, ("amend", i, "id")),
                        item=am.id,
                        field="id",
                    )
                )
            continue
        try:
            target["item"] = _amend(target["item"], am)
        except ValueError as exc:
            problems.append(
                Problem(str(exc), file=f, line=line_of(elines, ("amend", i)), item=am.id)
            )
            failed.ids.add(am.id)  # the item without its amendment would be checked as incomplete
    merged = cf.model_copy(
        update={
            "lenses": _merge_by_id(parent.lenses if parent else [], cf.lenses),
            "issue_areas": _merge_by_id(parent.issue_areas if parent else [], cf.issue_areas),
            "implications": _merge_by_id(parent.implications if parent else [], cf.implications),
            "families": _merge_by_id(parent.families if parent else [], cf.families),
            "groupings": _merge_by_id(parent.groupings if parent else [], cf.groupings),
            "sources": sources,
            "default_lens": cf.default_lens or (parent.default_lens if parent else None),
        }
    )
    return merged.model_copy(update={"propositions": []}), props + items, bib


def _kept_path(raw: Any, key: str, ident: str, i: int) -> tuple[str, int]:
    """The path of the ``i``-th kept record of list ``key`` in the raw file.

    Invalid entries before it were left out.
    """
    entries = raw.get(key) if isinstance(raw, dict) else None
    if isinstance(entries, list):
        at = [
            j
            for j, e in enumerate(entries)
            if isinstance(e, dict) and e.get("id", e.get("key")) == ident
        ]
        if at:
            return (key, at[0] if len(at) == 1 else min(at, key=lambda j: abs(j - i)))
    return (key, i)


def _prune(nodes: list[Any], failed: _Failed, source_keys: set[str]) -> list[Any]:
    """Leave out what depends on records that failed, so the cross-file checks skip only that.

    Items and propositions whose own record (or amendment) failed go; so do those bearing on a
    proposition that went, and so on up; ``given`` and ``reported_by`` references to failed records
    are dropped. After a whole evidence file failed, any reference to an id not loaded may be to one
    of its records, so it is dropped too rather than reported as unknown.
    """
    known = {n.id for n in nodes}

    def gone(ref: str | None, ids: set[str], pool: set[str]) -> bool:
        return ref is not None and (
            ref in failed.ids
            or (ref in pool and ref not in ids)
            or (failed.unknown and ref not in pool)
        )

    out = [n for n in nodes if n.id not in failed.ids]
    while True:
        ids = {n.id for n in out}
        keep = [
            n for n in out if not any(gone(b, ids, known) for b in n.parents if b != HYPOTHESES)
        ]
        if len(keep) == len(out):
            break
        out = keep
    ids = {n.id for n in out}
    fixed = []
    for n in out:
        update: dict[str, Any] = {}
        given = list(getattr(n, "given", None) or [])
        if any(gone(g, ids, known) for g in given):
            update["given"] = [g for g in given if not gone(g, ids, known)]
        if gone(getattr(n, "reported_by", None), source_keys, source_keys):
            update["reported_by"] = None
        for field in ("issue_area", "implication"):
            if getattr(n, field, None) in failed.ids:
                update[field] = None
        fixed.append(n.model_copy(update=update) if update else n)
    return fixed


def _is_yaml_name(name: str) -> bool:
    return name.lower().endswith((".yaml", ".yml")) and not name.startswith(".")


def evidence_files(folder: Path) -> list[Path]:
    """The evidence files of a case folder.

    Every ``*.yaml`` / ``*.yml`` (any letter case) but ``case.yaml``.

    Hidden files (``.name.yaml``) are not read; :func:`skipped_files` lists them.
    """
    try:
        entries = list(folder.iterdir())
    except OSError as exc:
        raise CaseError(
            [Problem(f"cannot list the case folder: {exc.strerror or exc}", file=str(folder))]
        ) from None
    return sorted(
        p
        for p in entries
        if _is_yaml_name(p.name) and p.name.lower() not in ("case.yaml", "case.yml")
    )


def skipped_files(path: Path_) -> list[tuple[str, str]]:
    """Entries of a case folder that loading it does not read, with the reason.

    This is what ``motives check`` lists.

    Examples
    --------
    >>> import motives as mv
    >>> skipped_files(mv.examples.path("cookies"))
    []
    """
    p = Path(path)
    folder = p if p.is_dir() else p.parent
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    read = {q.name for q in evidence_files(folder)} | {"case.yaml"}
    refs: set[str] = {"references.bib"}
    try:
        data, _ = read_yaml(folder / "case.yaml")
        r = data.get("references")
        refs |= (
            {r}
            if isinstance(r, str)
            else {x for x in r if isinstance(x, str)}
            if isinstance(r, list)
            else set()
        )
    except CaseError:
        pass
    out = []
    for q in entries:
        if q.name in read or q.name in refs or q.name == "__pycache__":
            continue
        if q.name.startswith("."):
            why = "hidden file (names starting with '.' are not read)"
        elif q.is_dir():
            why = "a folder (cases are not read recursively)"
        elif q.name.lower() in ("case.yaml", "case.yml"):
            why = "the case file must be named case.yaml (lower case)"
        else:
            why = "not a YAML file (*.yaml, *.yml)"
        out.append((q.name, why))
    return out


def _merge_by_id(parent: list[Any], child: list[Any]) -> list[Any]:
    ids = {c.id for c in child}
    return [p for p in parent if p.id not in ids] + list(child)


def _amend(item: Any, am: Amendment) -> Any:
    if isinstance(item, Proposition):
        return _amend_proposition(item, am)
    field = {"likelihood": "likelihoods", "timeline": "trends", "quantity": "predictive"}[item.kind]
    given = {"likelihoods": am.likelihoods, "trends": am.trends, "predictive": am.predictive}
    for name, value in given.items():
        if value is not None and name != field:
            raise ValueError(
                f"item '{item.id}' is a {item.kind} item: amend its '{field}', not '{name}'"
            )
    extra = given[field] or {}
    current = dict(getattr(item, field))
    for lens, j in extra.items():
        if lens in current:
            old = current[lens]
            clash = sorted(set(old.values) & set(j.values))
            if clash:
                raise ValueError(
                    f"amend would replace existing values for {clash} under lens '{lens}'; "
                    "amendments only add hypotheses"
                )
            rationale = " ".join(r for r in (old.rationale, j.rationale) if r)
            # values are already Beta/point records, so each keeps the confidence it was written
            # with
            current[lens] = old.model_copy(
                update={"values": {**old.values, **j.values}, "rationale": rationale}
            )
        else:
            current[lens] = j
    return item.model_copy(update={field: current})


def _name_default_lens(node: Any, default: str) -> Any:
    field = (
        "likelihoods"
        if isinstance(node, Proposition)
        else {"likelihood": "likelihoods", "timeline": "trends", "quantity": "predictive"}[
            node.kind
        ]
    )
    judged = getattr(node, field)
    if "__default__" not in judged:
        return node
    judged = dict(judged)
    judged[default] = judged.pop("__default__")
    return node.model_copy(update={field: judged})


def _amend_proposition(prop: Proposition, am: Amendment) -> Proposition:
    if am.trends is not None or am.predictive is not None:
        raise ValueError(f"'{prop.id}' is a proposition: amend its 'likelihoods' (table rows)")
    current = dict(prop.likelihoods)
    for lens, j in (am.likelihoods or {}).items():
        if not isinstance(j, PropositionJudgement):
            j = PropositionJudgement.model_validate(j.model_dump(exclude={"others"}))
        if lens in current:
            old = current[lens]
            clash = sorted(set(old.values) & set(j.values))
            if clash:
                raise ValueError(
                    f"amend would replace existing rows for {clash} under lens '{lens}'; "
                    "amendments only add hypotheses"
                )
            rationale = " ".join(r for r in (old.rationale, j.rationale) if r)
            current[lens] = old.model_copy(
                update={"values": {**old.values, **j.values}, "rationale": rationale}
            )
        else:
            current[lens] = j
    return prop.model_copy(update={"likelihoods": current})


def load_case(path: Path_) -> Case:
    """Load and validate a case from a folder (or its ``case.yaml``).

    Parameters
    ----------
    path
        A case folder holding ``case.yaml``, evidence ``*.yaml`` files and
        optionally ``references.bib``; or the path of ``case.yaml`` itself.

    Returns
    -------
    Case
        The validated case.

    Raises
    ------
    CaseError
        Listing every problem with file, line, item and field.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.load_case(mv.examples.path("cookies"))
    >>> case.hypothesis_ids
    ['bowl1', 'bowl2']
    """
    loc = _Loc()
    problems: list[Problem] = []
    failed = _Failed()
    cf, items, bib = _collect(path, loc, problems, failed)
    if (
        cf is None or failed.foundation
    ):  # every cross-file check rests on case.yaml: report what was found
        raise CaseError(_sorted(problems, loc.files))
    nodes = _prune([d["item"] for d in items], failed, {s.key for s in cf.sources})
    data = cf.model_dump(exclude={"extends", "references"}, exclude_none=True)
    data["sources"] = list(cf.sources)
    data["propositions"] = [n for n in nodes if isinstance(n, Proposition)]
    data["evidence"] = [n for n in nodes if not isinstance(n, Proposition)]
    data["references"] = None if failed.bib else bib
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        found = problems_from_validation(exc, data, Case, "", {})
        problems += [
            loc.locate(p if p.file else Problem(p.message, item=p.item, field=p.field))
            for p in found
        ]
        raise CaseError(_sorted(problems, loc.files)) from None
    if problems:
        raise CaseError(_sorted(problems, loc.files))
    return case


def _sorted(problems: list[Problem], files: list[str]) -> list[Problem]:
    """Problems in reading order: by file, then line.

    Unlocated problems first, ties in the order found.

    Files rank as read: case.yaml, its BibTeX, then the evidence files by name (a parent case's
    files where its child's case.yaml names it).
    """
    rank = {f: i for i, f in reversed(list(enumerate(files)))}
    return sorted(
        problems,
        key=lambda p: (
            -1 if p.file is None else rank.get(p.file, len(files)),
            p.file or "",
            p.line or 0,
        ),
    )
