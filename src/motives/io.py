"""Loading cases from YAML and BibTeX, safely, with errors that name file and line.

Every problem found becomes a :class:`motives.errors.Problem` with the file,
the line (where YAML gives one), the item and the field; :func:`load_case`
raises one :class:`motives.errors.CaseError` listing them all, sorted by file
(in reading order) and line. Each file is validated on its own; records that
fail are left out, with whatever depends on them, and the cross-file checks
of :class:`motives.schema.Case` run on the rest, so one mistake never hides
another.
"""

from __future__ import annotations

import re
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from motives.errors import CaseError, Problem, ReferenceProblems, did_you_mean
from motives.numeric import read_number
from motives.schema import Amendment, Case, CaseFile, EvidenceFile, Record
from motives.schema.forms import CITE_KEY_PATTERN
from motives.schema.structure import HYPOTHESES, Proposition, PropositionJudgement

Path_ = str | Path
Lines = dict[tuple[Any, ...], int]

MAX_FILE_BYTES = 10 * 2**20


# --------------------------------------------------------------------------- YAML


def read_yaml(path: Path) -> tuple[Any, Lines]:
    """Read one YAML file safely; return (data, line map from key path to 1-based line).

    Raises :class:`CaseError` for an unreadable, empty, non-UTF-8 or malformed
    file, a tag that would build an object, anchors/aliases, or duplicate keys.
    """
    f = str(path)
    raw = read_capped(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CaseError([Problem(f"file is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                                 "save it as UTF-8", file=f, line=line)]) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise CaseError([Problem("file is empty; expected a YAML mapping", file=f)])
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        if node is None:
            raise CaseError([Problem("file holds no YAML document; expected a mapping", file=f)])
        lines: Lines = {}
        problems: list[Problem] = []
        _walk(node, (), lines, problems, f, set(), loader)
        if problems:
            raise CaseError(_alias_lines(problems, text))
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        msg = f"{exc.problem or 'invalid YAML'}"
        if isinstance(exc, yaml.constructor.ConstructorError) and "tag" in msg:
            msg += " (files are loaded safely: plain data only, no tags that build objects)"
        if exc.context:
            msg = f"{exc.context}: {msg}"
        raise CaseError([Problem(msg, file=f, line=mark.line + 1 if mark else None)]) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise CaseError([Problem(f"character U+{int(exc.character):04X} is not allowed in YAML", file=f, line=line)]) from None
    except yaml.YAMLError as exc:
        raise CaseError([Problem(f"invalid YAML: {exc}", file=f)]) from None
    except RecursionError:
        raise CaseError([Problem("YAML is nested too deeply", file=f)]) from None
    finally:
        if loader is not None:
            loader.dispose()
    if not isinstance(data, dict):
        raise CaseError([Problem(f"expected a YAML mapping at the top, got {type(data).__name__}", file=f, line=1)])
    return data, lines


def read_capped(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; anything else is a :class:`CaseError`.

    FIFOs, devices (``/dev/zero``) and folders are refused before reading (a FIFO is opened
    without blocking), and the cap is applied while reading, so neither a hang nor an
    unbounded read can happen.
    """
    import os
    import stat

    f = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise CaseError([Problem(f"cannot read file: {exc.strerror or exc}", file=f)]) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            what = ("a folder" if stat.S_ISDIR(mode) else "a FIFO (named pipe)" if stat.S_ISFIFO(mode)
                    else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode)
                    else "not a regular file")
            raise CaseError([Problem(f"cannot read file: it is {what}; only regular files are read", file=f)])
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise CaseError([Problem(f"file is larger than {limit // 2**20} MiB", file=f)])
        return b"".join(chunks)
    except OSError as exc:
        raise CaseError([Problem(f"cannot read file: {exc.strerror or exc}", file=f)]) from None
    finally:
        os.close(fd)


class _Loader(yaml.SafeLoader):
    """Safe loader with the YAML 1.2 core schema's plain scalars.

    PyYAML follows YAML 1.1, where bare ``yes``/``no``/``on``/``off`` are
    booleans (but they are the default states of a proposition), ``5e-9``
    is a string, ``017`` is octal and dates become objects. Here, as in YAML
    1.2: only ``true``/``false`` are booleans, ``5e-9`` and ``1e3`` are
    floats, ``017`` is 17, ``0o17`` octal, ``0x1f`` hexadecimal, and dates stay
    text (the schema validates them, with their line).
    """

    yaml_implicit_resolvers: dict[str, list[tuple[str, Any]]] = {}


_CORE_12 = [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     "-+.0123456789"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
]
for _tag, _regexp, _first in _CORE_12:
    _Loader.add_implicit_resolver(_tag, __import__("re").compile(_regexp), list(_first))


def _core_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


def _core_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> float:
    text = str(loader.construct_scalar(node)).lower()
    if text.endswith(".inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    if text == ".nan":
        return float("nan")
    return float(text)


def _core_bool(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> bool:
    return str(loader.construct_scalar(node)).lower() == "true"


_Loader.add_constructor("tag:yaml.org,2002:int", _core_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _core_float)
_Loader.add_constructor("tag:yaml.org,2002:bool", _core_bool)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


_REFUSED_TAGS = {"tag:yaml.org,2002:binary": "!!binary", "tag:yaml.org,2002:set": "!!set",
                 "tag:yaml.org,2002:omap": "!!omap", "tag:yaml.org,2002:pairs": "!!pairs"}


def _walk(node: yaml.Node, path: tuple[Any, ...], lines: Lines, problems: list[Problem], f: str, seen: set[int],
          loader: yaml.SafeLoader | None = None) -> None:
    if id(node) in seen:  # an alias: say where it is used (the key's line), not where its anchor is
        problems.append(Problem(f"{_ALIAS} (the value on line "
                                f"{node.start_mark.line + 1} is reused here); write the value out", file=f,
                                line=_line(lines, path), field=_dotted(path)))
        return
    seen.add(id(node))
    lines.setdefault(path, node.start_mark.line + 1)
    line = node.start_mark.line + 1
    if node.tag in _REFUSED_TAGS:
        problems.append(Problem(f"YAML tag {_REFUSED_TAGS[node.tag]} is not supported: plain text, numbers, "
                                "lists and mappings only", file=f, line=line, field=_dotted(path) or None))
        return
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:float":
        try:
            read_number(node.value)  # the one number parser: underflow, overflow, NaN and infinity refused alike
        except ValueError as exc:
            problems.append(Problem(str(exc), file=f, line=line, field=_dotted(path) or None))
    if isinstance(node, yaml.MappingNode):
        keys: dict[str, int] = {}
        values: dict[Any, tuple[str, int]] = {}
        for k, v in node.value:
            if k.tag == "tag:yaml.org,2002:merge":
                problems.append(Problem("YAML merge keys (<<) are not supported", file=f, line=k.start_mark.line + 1))
                continue
            key = k.value if isinstance(k, yaml.ScalarNode) else repr(k.value)
            if key in keys:
                problems.append(Problem(f"duplicate key '{key}' (first on line {keys[key]})", file=f,
                                        line=k.start_mark.line + 1, field=_dotted(path + (key,))))
            elif loader is not None and isinstance(k, yaml.ScalarNode):
                same = _same_key(loader, k, values)
                if same is not None:
                    problems.append(Problem(f"key '{key}' is the same key as '{same[0]}' on line {same[1]} once read "
                                            "(they would overwrite each other); write distinct keys", file=f,
                                            line=k.start_mark.line + 1, field=_dotted(path + (key,))))
            keys[key] = k.start_mark.line + 1
            lines[path + (key,)] = k.start_mark.line + 1
            _walk(v, path + (key,), lines, problems, f, seen, loader)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _walk(v, path + (i,), lines, problems, f, seen, loader)


_ALIAS = "YAML anchors and aliases are not supported"


def _alias_lines(problems: list[Problem], text: str) -> list[Problem]:
    """Put each alias problem on the line of its alias (``*name``), not of its anchor.

    :func:`_walk` meets the aliases in document order, once each (it does not descend into a
    reused value), so the n-th alias problem belongs to the n-th alias token.
    """
    import dataclasses

    if not any(p.message.startswith(_ALIAS) for p in problems):
        return problems
    try:
        where = iter([t.start_mark.line + 1 for t in yaml.scan(text, Loader=yaml.SafeLoader)
                      if isinstance(t, yaml.AliasToken)])
    except yaml.YAMLError:
        return problems
    return [dataclasses.replace(p, line=next(where, p.line)) if p.message.startswith(_ALIAS) else p for p in problems]


def _same_key(loader: yaml.SafeLoader, k: yaml.ScalarNode, values: dict[Any, tuple[str, int]]) -> tuple[str, int] | None:
    """The earlier key that reads as the same value as ``k`` (``0`` and ``0x0``, ``1`` and ``true``), else None."""
    try:
        value = loader.construct_object(k)
        hash(value)
    except Exception:  # noqa: BLE001 - an odd key is reported by the schema, not here
        return None
    if value in values:
        return values[value]
    values[value] = (k.value, k.start_mark.line + 1)
    return None


def _dotted(path: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in path)


# --------------------------------------------------------------------------- validation -> problems


def _line(lines: Lines, path: tuple[Any, ...]) -> int | None:
    p = tuple(str(x) if not isinstance(x, int) else x for x in path)
    while p:
        for key in (p, tuple(str(x) for x in p)):
            if key in lines:
                return lines[key]
        p = p[:-1]
    return lines.get(())


def _raw_path(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Keep the parts of a pydantic loc that exist in the raw data (drop union tags etc.)."""
    out: list[Any] = []
    cur = data
    for i, part in enumerate(loc):
        if isinstance(cur, dict) and part in cur:
            out.append(part)
            cur = cur[part]
        elif isinstance(cur, dict) and str(part) in {str(k) for k in cur}:
            key = next(k for k in cur if str(k) == str(part))
            out.append(key)
            cur = cur[key]
        elif isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
            out.append(part)
            cur = cur[part]
        elif isinstance(cur, dict) and part == "__default__":
            continue
        elif isinstance(cur, dict) and part in ("state_row", "probs"):  # a table row written {state: p}
            continue
        elif isinstance(part, str) and part in ("likelihood", "timeline", "quantity") or not isinstance(cur, dict | list):
            continue
        elif isinstance(cur, dict) and any(isinstance(p, str) and p in cur for p in loc[i + 1:]):
            continue  # a union's tag (e.g. a predictive's 'normal'): the field is further on
        else:
            out.append(part)  # a missing field: name it
            cur = None
    return tuple(out)


def _field_names(model: type[BaseModel], path: tuple[Any, ...]) -> list[str] | None:
    """Best effort: the field names valid at ``path`` inside ``model``."""
    t: Any = model
    for part in path:
        t = _unwrap(t, part)
        if t is None:
            return None
        if isinstance(t, type) and issubclass(t, BaseModel) and isinstance(part, str) and part in t.model_fields:
            t = t.model_fields[part].annotation
        elif isinstance(part, str) and typing.get_origin(_strip(t)) is dict:
            t = typing.get_args(_strip(t))[1]
        elif isinstance(part, int) and typing.get_origin(_strip(t)) is list:
            t = typing.get_args(_strip(t))[0]
        elif isinstance(t, type) and issubclass(t, BaseModel):
            return None
    t = _unwrap(t, None)
    if isinstance(t, type) and issubclass(t, BaseModel):
        return list(t.model_fields)
    return None


def _tagged(t: Any) -> dict[str, Any]:
    """The members of a discriminated union by tag (``Annotated[Model, Tag("x")]``)."""
    out = {}
    for a in typing.get_args(t) if typing.get_origin(t) in (typing.Union, type(int | str)) else ():
        for meta in getattr(a, "__metadata__", ()):
            if type(meta).__name__ == "Tag":
                out[str(meta.tag)] = _strip(a)
    return out


def _keys_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str] | None:
    """The keys valid at a pydantic error location (its union tags pick the member), or None when unsure."""
    t: Any = model
    for part in loc:
        t = _strip(t)
        if isinstance(t, type) and issubclass(t, BaseModel):
            if not (isinstance(part, str) and part in t.model_fields):
                return None
            t = t.model_fields[part].annotation
            continue
        tags = _tagged(t)
        if tags:
            if part not in tags:
                return None
            t = tags[part]
            continue
        if typing.get_origin(t) in (typing.Union, type(int | str)):
            args = [_strip(a) for a in typing.get_args(t) if a is not type(None)]
            if len(args) != 1:
                return None
            t = args[0]
        origin = typing.get_origin(t)
        if origin is list and isinstance(part, int):
            t = typing.get_args(t)[0]
        elif origin is dict and isinstance(part, str):
            t = typing.get_args(t)[1]
        else:
            return None
    t = _strip(t)
    if isinstance(t, type) and issubclass(t, BaseModel):
        return list(t.model_fields)
    return None


def _strip(t: Any) -> Any:
    while typing.get_origin(t) is typing.Annotated:
        t = typing.get_args(t)[0]
    return t


def _unwrap(t: Any, part: Any) -> Any:
    t = _strip(t)
    if typing.get_origin(t) in (typing.Union, type(int | str)):
        models = [_strip(a) for a in typing.get_args(t)]
        models = [m for m in models if isinstance(m, type) and issubclass(m, BaseModel)]
        if not models:
            return t
        if isinstance(part, str):
            for m in models:
                if part in m.model_fields:
                    return m
        return models[0]
    return t


def _problems_from_validation(
    exc: ValidationError, data: Any, model: type[BaseModel], f: str, lines: Lines
) -> list[Problem]:
    out: list[Problem] = []
    for err in exc.errors():
        ctx_error = err.get("ctx", {}).get("error")
        if isinstance(ctx_error, ReferenceProblems):
            out += ctx_error.problems
            continue
        loc = tuple(err["loc"])
        path = _raw_path(data, loc)
        item = None
        field_path = path
        lists = ("evidence", "amend", "hypotheses", "sources", "propositions")
        kind = _RECORD_KIND.get(path[0], "item") if path else "item"
        if len(path) >= 2 and path[0] in lists and isinstance(path[1], int):
            entry = data.get(path[0], [None])[path[1]] if isinstance(data.get(path[0]), list) else None
            if isinstance(entry, dict) and isinstance(entry.get("id", entry.get("key")), str):
                item = entry.get("id", entry.get("key"))
                field_path = path[2:]
        msg = str(err["msg"])
        if isinstance(ctx_error, Exception):
            msg = str(ctx_error)
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        if err["type"] == "extra_forbidden":
            valid = _keys_at(model, loc[:-1]) or _field_names(model, path[:-1]) or []
            msg = f"unknown key '{path[-1]}'." + did_you_mean(str(path[-1]), valid)
            if valid:
                msg += " Valid keys: " + ", ".join(valid)
            if err.get("input", "") is None and isinstance(path[-1], str):
                # {id: a, label: Smith, Jones}: in braces a comma ends the value, and 'Jones' becomes a key
                msg += ("" if msg.endswith(".") else ".") + (
                    " A key with no value often comes from a comma inside a value written in braces: quote that "
                    f"value (e.g. label: \"Smith, {path[-1]}\")")

        elif err["type"] == "missing":
            msg = "required field is missing"
        elif err["type"] == "string_pattern_mismatch" and (err.get("ctx") or {}).get("pattern") == ID_PATTERN:
            msg = (f"an id is lowercase letters, digits and underscores, starting with a letter (e.g. "
                   f"{_id_like(err.get('input'))!r}), got {err.get('input')!r}")
        elif "input" in err and err["type"] not in ("value_error", "assertion_error"):
            shown = repr(err["input"])
            msg = f"{msg}, got {shown[:80] + '...' if len(shown) > 80 else shown}"
        out.append(Problem(msg, file=f, line=_line(lines, path), item=item, field=_dotted(field_path) or None,
                           kind=kind))
    return out


#: The pattern of every id (:data:`motives.schema.Id`).
ID_PATTERN = r"^[a-z][a-z0-9_]*$"


def _id_like(text: Any) -> str:
    """An id close to ``text``: lowercased, other characters as _, a leading letter if it starts otherwise.

    >>> _id_like("2nd Item"), _id_like("Regime-security")
    ('x2nd_item', 'regime_security')
    """
    out = re.sub(r"[^a-z0-9_]+", "_", str(text).lower()).strip("_") or "x"
    return out if out[0].isalpha() else "x" + out


#: What a record in each list of a case or evidence file is called in messages.
_RECORD_KIND = {"evidence": "item", "amend": "item", "hypotheses": "hypothesis", "sources": "source",
                "propositions": "proposition"}


def validate(model: type[Record], data: Any, file: str, lines: Lines) -> Any:
    """Validate ``data`` as ``model``; raise :class:`CaseError` with file and line on failure."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise CaseError(_problems_from_validation(exc, data, model, file, lines)) from None
    except (OverflowError, RecursionError, TypeError, ArithmeticError) as exc:
        raise CaseError([Problem(f"invalid value: {exc}", file=file)]) from None


# --------------------------------------------------------------------------- BibTeX


def read_bibtex(path: Path) -> dict[str, dict[str, str]]:
    """Parse a BibTeX file into key -> fields (lower-case names, plus ``ENTRYTYPE``).

    Duplicate keys and unparsable entries are errors.
    """
    import bibtexparser

    f = str(path)
    try:
        text = read_capped(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CaseError([Problem(f"file is not UTF-8 (offset {exc.start})", file=f)]) from None
    lib = bibtexparser.parse_string(text)
    problems = []
    for block in lib.failed_blocks:
        start = getattr(block, "start_line", None)
        kind = type(block).__name__
        if kind == "DuplicateFieldKeyBlock":
            entry = getattr(getattr(block, "ignore_error_block", None), "key", None)
            fields = ", ".join(sorted(getattr(block, "duplicate_keys", None) or [])) or "?"
            msg = (f"BibTeX entry '{entry}'" if entry else "a BibTeX entry") + f" gives the field(s) {fields} twice"
        elif "Duplicate" in kind:
            key = getattr(block, "key", None) or getattr(getattr(block, "ignore_error_block", None), "key", "?")
            msg = f"duplicate BibTeX key '{key}'"
        else:
            msg = f"cannot parse this BibTeX entry ({kind})"
        problems.append(Problem(msg, file=f, line=start + 1 if isinstance(start, int) else None))
    if problems:
        raise CaseError(problems)
    for e in lib.entries:
        if not re.match(CITE_KEY_PATTERN, e.key):
            start = getattr(e, "start_line", None)
            problems.append(Problem(f"BibTeX key {e.key!r} has characters \\cite cannot take (use ASCII letters, "
                                    "digits and _:.-+/)", file=f, line=start + 1 if isinstance(start, int) else None))
    if problems:
        raise CaseError(problems)
    out: dict[str, dict[str, str]] = {}
    for e in lib.entries:
        fields = {fl.key.lower(): str(fl.value) for fl in e.fields}
        fields["ENTRYTYPE"] = e.entry_type.lower()
        out[e.key] = fields
    return out


# --------------------------------------------------------------------------- cases


class _Loc:
    """Where records came from, to put file and line on cross-reference problems."""

    def __init__(self) -> None:
        self.items: dict[str, tuple[str, Lines, tuple[Any, ...]]] = {}
        self.case_file: tuple[str, Lines] | None = None
        self.hypotheses: dict[str, int] = {}
        self.files: list[str] = []  # in the order read: problems are sorted by it
        self.repeats: dict[str, list[tuple[str, Lines, tuple[Any, ...]]]] = {}  # an id's later records

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
        if p.item and p.item in self.items and p.message.startswith("duplicate") and p.item in self.repeats:
            # a duplicate is located where it repeats, and says where the id was first used
            f0, lines0, prefix0 = self.items[p.item]
            f, lines, prefix = self.repeats[p.item][0]
            kind = _RECORD_KIND.get(prefix[0], p.kind) if prefix else p.kind
            first = f"{f0}:{_line(lines0, prefix0 + field) or '?'}"
            return Problem(f"{p.message} (first used at {first})", file=f, line=_line(lines, prefix + field),
                           item=p.item, field=p.field, kind=kind)
        if p.item and p.item in self.items:
            f, lines, prefix = self.items[p.item]
            kind = _RECORD_KIND.get(prefix[0], p.kind) if prefix else p.kind
            return Problem(p.message, file=f, line=_line(lines, prefix + field), item=p.item, field=p.field,
                           kind=kind)
        if self.case_file:
            f, lines = self.case_file
            kind = p.kind
            if p.item in self.hypotheses:
                path = ("hypotheses", self.hypotheses[p.item]) + field
                kind = "hypothesis"
            else:
                path = field
            return Problem(p.message, file=f, line=_line(lines, path), item=p.item, field=p.field, kind=kind)
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

    ``ids``: ids (or keys) of records that failed; ``unknown``: a whole evidence file failed, so any id
    not loaded may be one of its records; ``foundation``: case.yaml (or its hypotheses, lenses, families,
    default lens, parent or prior switch) failed, on which every cross-file check rests; ``bib``: a BibTeX
    file failed, so BibTeX keys are not checked.
    """

    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.unknown = False
        self.foundation = False
        self.bib = False


#: case.yaml fields every cross-file check rests on: when one is invalid, only per-file problems are reported.
_FOUNDATION = ("hypotheses", "lenses", "families", "default_lens", "extends", "prior_normalise")
#: Top-level fields no cross-file check needs: when one is invalid it is reported and left out.
_SPARE = ("title", "description", "references", "issue_area", "name")


def _salvage(model: type[Record], data: Any, file: str, lines: Lines, failed: _Failed) -> tuple[Any, list[Problem]]:
    """Validate one file; on failure report every problem and keep the records that are valid.

    Returns the record (the file without its invalid list entries and spare fields) or None when
    what failed cannot be left out, and the problems found.
    """
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems, errors = _problems_from_validation(exc, data, model, file, lines), exc.errors()
    except (OverflowError, RecursionError, TypeError, ArithmeticError) as exc:
        return None, [Problem(f"invalid value: {exc}", file=file)]
    drop: dict[Any, set[int]] = {}
    spare: set[str] = set()
    whole = not isinstance(data, dict)
    for err in errors:
        loc = tuple(err["loc"])
        if whole or not loc:
            whole = True
        elif (loc[0] not in _FOUNDATION and len(loc) >= 2 and isinstance(data.get(loc[0]), list)
              and isinstance(loc[1], int)):
            drop.setdefault(loc[0], set()).add(loc[1])
        elif loc[0] in _SPARE or (len(loc) == 1 and err["type"] == "extra_forbidden"):
            spare.add(str(loc[0]))  # a spare field, or an unknown top-level key (a typo): reported and left out
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


def _collect(path: Path_, loc: _Loc, problems: list[Problem], failed: _Failed,
             depth: int = 0) -> tuple[CaseFile | None, list[dict[str, Any]], dict[str, dict[str, str]] | None]:
    """Read and validate every file of a case folder (and its parents), adding every problem to ``problems``.

    Stops only where nothing further can be read; otherwise each file is validated on its own, invalid
    records are left out (and noted in ``failed``), and the rest is returned for the cross-file checks.
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
            problems.append(Problem("'extends' chain is too long (a cycle?)", file=str(case_path), field="extends"))
            failed.foundation = True
        elif not parent_dir.exists():
            problems.append(Problem(f"extends: no case at {parent_dir}", file=str(case_path),
                                    line=lines.get(("extends",)), field="extends"))
            failed.foundation = True
        else:
            parent, parent_items, bib = _collect(parent_dir, loc, problems, failed, depth + 1)
            items = [d for d in parent_items if not isinstance(d["item"], Proposition)]
            props = [d for d in parent_items if isinstance(d["item"], Proposition)]
            sources = (list(parent.sources) if parent else []) + sources
    loc.case_file = (str(case_path), lines)
    loc.hypotheses = {h.id: i for i, h in enumerate(cf.hypotheses)} if cf else {}
    refs = cf.references if cf else data.get("references") if isinstance(data, dict) else None  # BibTeX: checked
    refs = refs if isinstance(refs, str | list) else None  # even when case.yaml failed
    ref_names = refs or (["references.bib"] if (folder / "references.bib").is_file() else [])
    for ref_name in [ref_names] if isinstance(ref_names, str) else ref_names:
        if not isinstance(ref_name, str):
            continue
        ref_path = (folder / ref_name).resolve()
        if not ref_path.is_relative_to(folder.resolve()):
            problems.append(Problem(f"references: '{ref_name}' lies outside the case folder {folder}; keep "
                                    "BibTeX files inside it", file=str(case_path),
                                    line=_line(lines, ("references",)), field="references"))
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
            problems.append(Problem(f"BibTeX key(s) {clash} defined differently in two files",
                                    file=str(folder / ref_name)))
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
        default = cf.default_lens or (parent.default_lens if parent else None) or (lenses[0].id if lenses else "default")
        for d in items + props:
            d["item"] = _name_default_lens(d["item"], default)
    for am, f, elines, i in amendments:
        target = next((d for d in items + props if d["item"].id == am.id), None)
        if target is None:
            if am.id not in failed.ids and not failed.unknown:  # else it may be a record that failed
                problems.append(Problem(f"amend: no item or proposition '{am.id}' in this case or its parent", file=f,
                                        line=_line(elines, ("amend", i, "id")), item=am.id, field="id"))
            continue
        try:
            target["item"] = _amend(target["item"], am)
        except ValueError as exc:
            problems.append(Problem(str(exc), file=f, line=_line(elines, ("amend", i)), item=am.id))
            failed.ids.add(am.id)  # the item without its amendment would be checked as incomplete
    merged = cf.model_copy(update={
        "lenses": _merge_by_id(parent.lenses if parent else [], cf.lenses),
        "issue_areas": _merge_by_id(parent.issue_areas if parent else [], cf.issue_areas),
        "implications": _merge_by_id(parent.implications if parent else [], cf.implications),
        "families": _merge_by_id(parent.families if parent else [], cf.families),
        "groupings": _merge_by_id(parent.groupings if parent else [], cf.groupings),
        "sources": sources,
        "default_lens": cf.default_lens or (parent.default_lens if parent else None),
    })
    return merged.model_copy(update={"propositions": []}), props + items, bib


def _kept_path(raw: Any, key: str, ident: str, i: int) -> tuple[str, int]:
    """The path of the ``i``-th kept record of list ``key`` in the raw file (invalid entries before it were left out)."""
    entries = raw.get(key) if isinstance(raw, dict) else None
    if isinstance(entries, list):
        at = [j for j, e in enumerate(entries) if isinstance(e, dict) and e.get("id", e.get("key")) == ident]
        if at:
            return (key, at[0] if len(at) == 1 else min(at, key=lambda j: abs(j - i)))
    return (key, i)


def _prune(nodes: list[Any], failed: _Failed, source_keys: set[str]) -> list[Any]:
    """Leave out what depends on records that failed, so the cross-file checks skip only that.

    Items and propositions whose own record (or amendment) failed go; so do those bearing on a
    proposition that went, and so on up; ``given`` and ``reported_by`` references to failed records are
    dropped. After a whole evidence file failed, any reference to an id not loaded may be to one of its
    records, so it is dropped too rather than reported as unknown.
    """
    known = {n.id for n in nodes}

    def gone(ref: str | None, ids: set[str], pool: set[str]) -> bool:
        return ref is not None and (ref in failed.ids or (ref in pool and ref not in ids)
                                    or (failed.unknown and ref not in pool))

    out = [n for n in nodes if n.id not in failed.ids]
    while True:
        ids = {n.id for n in out}
        keep = [n for n in out if not any(gone(b, ids, known) for b in n.parents if b != HYPOTHESES)]
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
    """The evidence files of a case folder: every ``*.yaml`` / ``*.yml`` (any letter case) but ``case.yaml``.

    Hidden files (``.name.yaml``) are not read; :func:`skipped_files` lists them.
    """
    try:
        entries = list(folder.iterdir())
    except OSError as exc:
        raise CaseError([Problem(f"cannot list the case folder: {exc.strerror or exc}", file=str(folder))]) from None
    return sorted(p for p in entries if _is_yaml_name(p.name) and p.name.lower() not in ("case.yaml", "case.yml"))


def skipped_files(path: Path_) -> list[tuple[str, str]]:
    """Entries of a case folder that loading it does not read, with the reason (what ``motives check`` lists).

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
        refs |= {r} if isinstance(r, str) else {x for x in r if isinstance(x, str)} if isinstance(r, list) else set()
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
            raise ValueError(f"item '{item.id}' is a {item.kind} item: amend its '{field}', not '{name}'")
    extra = given[field] or {}
    current = dict(getattr(item, field))
    for lens, j in extra.items():
        if lens in current:
            old = current[lens]
            clash = sorted(set(old.values) & set(j.values))
            if clash:
                raise ValueError(f"amend would replace existing values for {clash} under lens '{lens}'; "
                                 "amendments only add hypotheses")
            rationale = " ".join(r for r in (old.rationale, j.rationale) if r)
            # values are already Beta/point records, so each keeps the confidence it was written with
            current[lens] = old.model_copy(update={"values": {**old.values, **j.values}, "rationale": rationale})
        else:
            current[lens] = j
    return item.model_copy(update={field: current})


def _name_default_lens(node: Any, default: str) -> Any:
    field = "likelihoods" if isinstance(node, Proposition) else {
        "likelihood": "likelihoods", "timeline": "trends", "quantity": "predictive"}[node.kind]
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
                raise ValueError(f"amend would replace existing rows for {clash} under lens '{lens}'; "
                                 "amendments only add hypotheses")
            rationale = " ".join(r for r in (old.rationale, j.rationale) if r)
            current[lens] = old.model_copy(update={"values": {**old.values, **j.values}, "rationale": rationale})
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
    if cf is None or failed.foundation:  # every cross-file check rests on case.yaml: report what was found
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
        found = _problems_from_validation(exc, data, Case, "", {})
        problems += [loc.locate(p if p.file else Problem(p.message, item=p.item, field=p.field)) for p in found]
        raise CaseError(_sorted(problems, loc.files)) from None
    if problems:
        raise CaseError(_sorted(problems, loc.files))
    return case


def _sorted(problems: list[Problem], files: list[str]) -> list[Problem]:
    """Problems in reading order: by file, then line; unlocated problems first, ties in the order found.

    Files rank as read: case.yaml, its BibTeX, then the evidence files by name (a parent case's files
    where its child's case.yaml names it).
    """
    rank = {f: i for i, f in reversed(list(enumerate(files)))}
    return sorted(problems, key=lambda p: (-1 if p.file is None else rank.get(p.file, len(files)), p.file or "",
                                           p.line or 0))


def json_schema(what: str = "all") -> dict[str, Any]:
    """JSON Schema of ``case.yaml``, of evidence files or of analysis specs.

    ``what``: ``"case"`` (``case.yaml``), ``"evidence"`` (an evidence file) or ``"spec"`` (an analysis spec)
    give a schema whose root is that file, for a validator or an editor; ``"all"`` gives the three side by
    side (``$defs`` shared), for reading.

    Examples
    --------
    >>> sorted(json_schema()["properties"])
    ['analysis spec', 'case.yaml', 'evidence file']
    >>> spec = json_schema("spec")
    >>> sorted(spec["properties"])[:4], spec["additionalProperties"]  # the root is the spec itself
    (['case', 'description', 'figures', 'lens'], False)
    """
    from pydantic.json_schema import models_json_schema

    from motives.spec import AnalysisSpec

    roots = {"case": CaseFile, "evidence": EvidenceFile, "spec": AnalysisSpec}
    if what in roots:
        return roots[what].model_json_schema(mode="validation")
    if what != "all":
        raise ValueError(f"what must be 'all', 'case', 'evidence' or 'spec', got {what!r}")
    parts = {"case.yaml": CaseFile, "evidence file": EvidenceFile, "analysis spec": AnalysisSpec}
    _, top = models_json_schema([(m, "validation") for m in parts.values()], title="motives formats")
    top["type"] = "object"
    top["properties"] = {k: {"$ref": f"#/$defs/{m.__name__}"} for k, m in parts.items()}
    return top
