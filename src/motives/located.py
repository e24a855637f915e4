"""Validation problems located.

A pydantic error turned into file, line, item, field and what would be valid.
"""

from __future__ import annotations

import contextlib
import re
import typing
import weakref
from collections.abc import Callable, Iterator
from typing import Any

from pydantic import BaseModel, ValidationError

from motives.errors import CaseError, Problem, ReferenceProblems, did_you_mean
from motives.schema import Record
from motives.yamlfile import Lines, dotted, line_of


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
        elif isinstance(cur, dict) and part in (
            "state_row",
            "probs",
        ):  # a table row written {state: p}
            continue
        elif (
            isinstance(part, str)
            and part in ("likelihood", "timeline", "quantity")
            or not isinstance(cur, dict | list)
        ):
            continue
        elif isinstance(cur, dict) and any(isinstance(p, str) and p in cur for p in loc[i + 1 :]):
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
        if (
            isinstance(t, type)
            and issubclass(t, BaseModel)
            and isinstance(part, str)
            and part in t.model_fields
        ):
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
    """The keys valid at a pydantic error location, or None when unsure.

    The location's union tags pick the member.
    """
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


def problems_from_validation(
    exc: ValidationError, data: Any, model: type[BaseModel], f: str, lines: Lines
) -> list[Problem]:
    """The problems of a pydantic error, each located and saying what would be valid.

    A problem has a file, line, item and field.
    """
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
        kind = RECORD_KIND.get(path[0], "item") if path else "item"
        if len(path) >= 2 and path[0] in lists and isinstance(path[1], int):
            entry = (
                data.get(path[0], [None])[path[1]] if isinstance(data.get(path[0]), list) else None
            )
            if isinstance(entry, dict) and isinstance(entry.get("id", entry.get("key")), str):
                item = entry.get("id", entry.get("key"))
                field_path = path[2:]
        msg = str(err["msg"])
        if isinstance(ctx_error, Exception):
            msg = str(ctx_error)
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        if err["type"] == "extra_forbidden":
            valid = _keys_at(model, loc[:-1]) or _field_names(model, path[:-1]) or []
            msg = f"unknown key '{path[-1]}'." + did_you_mean(str(path[-1]), valid)
            if valid:
                msg += " Valid keys: " + ", ".join(valid)
            if err.get("input", "") is None and isinstance(path[-1], str):
                # {id: a, label: Smith, Jones}: in braces a comma ends the value, and 'Jones'
                # becomes a key
                msg += ("" if msg.endswith(".") else ".") + (
                    " A key with no value often comes from a comma inside a value written in "
                    "braces: quote that "
                    f'value (e.g. label: "Smith, {path[-1]}")'
                )

        elif err["type"] == "missing":
            msg = "required field is missing"
        elif (
            err["type"] == "string_pattern_mismatch"
            and (err.get("ctx") or {}).get("pattern") == ID_PATTERN
        ):
            msg = (
                f"an id is lowercase letters, digits and underscores, starting with a letter (e.g. "
                f"{_id_like(err.get('input'))!r}), got {err.get('input')!r}"
            )
        elif "input" in err and err["type"] not in ("value_error", "assertion_error"):
            shown = repr(err["input"])
            msg = f"{msg}, got {shown[:80] + '...' if len(shown) > 80 else shown}"
        out.append(
            Problem(
                msg,
                file=f,
                line=line_of(lines, path),
                item=item,
                field=dotted(field_path) or None,
                kind=kind,
            )
        )
    return out


#: The pattern of every id (:data:`motives.schema.Id`).
ID_PATTERN = r"^[a-z][a-z0-9_]*$"


def _id_like(text: Any) -> str:
    """An id close to ``text``.

    Lowercased, other characters as _, a leading letter if it starts otherwise.

    >>> _id_like("2nd Item"), _id_like("Regime-security")
    ('x2nd_item', 'regime_security')
    """
    out = re.sub(r"[^a-z0-9_]+", "_", str(text).lower()).strip("_") or "x"
    return out if out[0].isalpha() else "x" + out


#: What a record in each list of a case or evidence file is called in messages.
RECORD_KIND = {
    "evidence": "item",
    "amend": "item",
    "hypotheses": "hypothesis",
    "sources": "source",
    "propositions": "proposition",
}


def validate(model: type[Record], data: Any, file: str, lines: Lines) -> Any:
    """Validate ``data`` as ``model``; raise :class:`CaseError` with file and line on failure."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise CaseError(problems_from_validation(exc, data, model, file, lines)) from None
    except (OverflowError, RecursionError, TypeError, ArithmeticError) as exc:
        raise CaseError([Problem(f"invalid value: {exc}", file=file)]) from None


# ------------------------------------------------------------------ where a loaded case's records
# are

#: id(case) -> how to locate a problem about one of its records (set by
#: :func:`motives.io.load_case`).
#: Kept beside the case, not on it: a pydantic private attribute would take part in ``==``, and two
#: cases with the same content are equal wherever they were read from.
_WHERE: dict[int, Callable[[Problem], Problem]] = {}


def remember_where(case: Any, locate: Callable[[Problem], Problem]) -> None:
    """Note how to locate problems about ``case``'s records (forgotten when the case is).

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.cookie_case()
    >>> remember_where(case, lambda p: Problem(p.message, file="case.yaml", line=3, item=p.item))
    >>> str(where_defined(case, [Problem("too many", item="x")])[0])
    "case.yaml:3: item 'x': too many"
    """
    key = id(case)
    _WHERE[key] = locate
    weakref.finalize(case, _WHERE.pop, key, None)


def where_defined(case: Any, problems: list[Problem]) -> list[Problem]:
    """``problems`` with the file and line of the record each names.

    Where ``case`` was loaded from files.

    A problem that already has a file, names no record (a setting such as the prior may come from
    the command line), or is about a case built in memory (or a what-if copy: its records were not
    read from a file) is returned as it is.
    """
    where = locator(case)
    return list(problems) if where is None else where(problems)


def share_where(source: Any, derived: Any) -> None:
    """Locate problems about ``derived`` (a case built from ``source``) as ``source``'s.

    For a case whose records keep the ids of the records they come from (the independent reading
    of a structured case); nothing when ``source`` was not read from files.
    """
    locate = _WHERE.get(id(source))
    if locate is not None:
        remember_where(derived, locate)


def locator(case: Any) -> Callable[[list[Problem]], list[Problem]] | None:
    """:func:`where_defined` for ``case``, as a function that holds no reference to the case.

    None for a case built in memory. The exact engine keeps it beside a case's compiled arrays, so
    a refusal raised after compiling (the reliability grid, the elimination plan) is located too.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.cookie_case()
    >>> locator(case) is None
    True
    >>> remember_where(case, lambda p: Problem(p.message, file="e.yaml", line=9, item=p.item))
    >>> str(locator(case)([Problem("too many", item="x")])[0])
    "e.yaml:9: item 'x': too many"
    """
    locate = _WHERE.get(id(case))
    if locate is None:
        return None

    def where(problems: list[Problem]) -> list[Problem]:
        return [p if p.file or not p.item else locate(p) for p in problems]

    return where


@contextlib.contextmanager
def refusals_located(case: Any) -> Iterator[None]:
    """Raise a :class:`CaseError` escaping the block again with its problems located.

    Located by :func:`where_defined`.

    The exact engine refuses a record (a source past a limit, an item whose likelihood overflows)
    by id and field; this puts the file and line where the record is written on the message.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.cookie_case()
    >>> remember_where(case, lambda p: Problem(p.message, file="e.yaml", line=9, item=p.item))
    >>> try:
    ...     with refusals_located(case):
    ...         raise CaseError([Problem("overflows", item="cookie")])
    ... except CaseError as exc:
    ...     print(exc)
    e.yaml:9: item 'cookie': overflows
    """
    try:
        yield
    except CaseError as exc:
        located = where_defined(case, exc.problems)
        if located == exc.problems:
            raise
        raise CaseError(located) from None
