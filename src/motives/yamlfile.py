"""The YAML reader: safe, capped, YAML 1.2's plain scalars, and the line of every key and value.

PyYAML parses. ruamel.yaml reads YAML 1.2 natively and keeps line numbers, but a loader is not where
the work is: what this module adds, and would add on top of either parser, is the refusal of tags,
anchors and aliases, duplicate keys and numbers that underflow, each with its line, and the map of
key paths to lines that every located message uses. It is written against PyYAML's node API and held
by the fuzz and bad-input suites, so the parser stays PyYAML with the 1.2 core schema's resolvers
below.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from motives.errors import CaseError, Problem
from motives.numeric import read_number

Lines = dict[tuple[Any, ...], int]

MAX_FILE_BYTES = 10 * 2**20


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
        raise CaseError(
            [
                Problem(
                    f"file is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                    "save it as UTF-8",
                    file=f,
                    line=line,
                )
            ]
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise CaseError([Problem("file is empty; expected a YAML mapping", file=f)])
    loader = None
    try:
        loader = Loader(text)
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
        raise CaseError(
            [
                Problem(
                    f"character U+{int(exc.character):04X} is not allowed in YAML",
                    file=f,
                    line=line,
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise CaseError([Problem(f"invalid YAML: {exc}", file=f)]) from None
    except RecursionError:
        raise CaseError([Problem("YAML is nested too deeply", file=f)]) from None
    finally:
        if loader is not None:
            loader.dispose()
    if not isinstance(data, dict):
        raise CaseError(
            [
                Problem(
                    f"expected a YAML mapping at the top, got {type(data).__name__}", file=f, line=1
                )
            ]
        )
    return data, lines


def read_capped(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Anything else is a :class:`CaseError`.

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
            what = (
                "a folder"
                if stat.S_ISDIR(mode)
                else "a FIFO (named pipe)"
                if stat.S_ISFIFO(mode)
                else "a device"
                if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else "a socket"
                if stat.S_ISSOCK(mode)
                else "not a regular file"
            )
            raise CaseError(
                [Problem(f"cannot read file: it is {what}; only regular files are read", file=f)]
            )
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


class Loader(yaml.SafeLoader):
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
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+.0123456789",
    ),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
]
for _tag, _regexp, _first in _CORE_12:
    Loader.add_implicit_resolver(_tag, __import__("re").compile(_regexp), list(_first))


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
    return float(text) + 0.0  # -0.0 is 0: a zero has no sign to print ("-0.0000")


def _core_bool(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> bool:
    return str(loader.construct_scalar(node)).lower() == "true"


Loader.add_constructor("tag:yaml.org,2002:int", _core_int)
Loader.add_constructor("tag:yaml.org,2002:float", _core_float)
Loader.add_constructor("tag:yaml.org,2002:bool", _core_bool)
Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)  # type: ignore[type-var]


_REFUSED_TAGS = {
    "tag:yaml.org,2002:binary": "!!binary",
    "tag:yaml.org,2002:set": "!!set",
    "tag:yaml.org,2002:omap": "!!omap",
    "tag:yaml.org,2002:pairs": "!!pairs",
}


def _walk(
    node: yaml.Node,
    path: tuple[Any, ...],
    lines: Lines,
    problems: list[Problem],
    f: str,
    seen: set[int],
    loader: yaml.SafeLoader | None = None,
) -> None:
    """Collect the problems of one YAML node and its children.

    Aliases, refused tags and floats out of range, each with its file, line and field.
    """
    if id(node) in seen:  # an alias: say where it is used (the key's line), not where its anchor is
        problems.append(
            Problem(
                f"{_ALIAS} (the value on line "
                f"{node.start_mark.line + 1} is reused here); write the value out",
                file=f,
                line=line_of(lines, path),
                field=dotted(path),
            )
        )
        return
    seen.add(id(node))
    lines.setdefault(path, node.start_mark.line + 1)
    line = node.start_mark.line + 1
    if node.tag in _REFUSED_TAGS:
        problems.append(
            Problem(
                f"YAML tag {_REFUSED_TAGS[node.tag]} is not supported: plain text, numbers, "
                "lists and mappings only",
                file=f,
                line=line,
                field=dotted(path) or None,
            )
        )
        return
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:float":
        try:
            read_number(
                node.value
            )  # the one number parser: underflow, overflow, NaN and infinity refused alike
        except ValueError as exc:
            problems.append(Problem(str(exc), file=f, line=line, field=dotted(path) or None))
    if isinstance(node, yaml.MappingNode):
        keys: dict[str, int] = {}
        values: dict[Any, tuple[str, int]] = {}
        for k, v in node.value:
            if k.tag == "tag:yaml.org,2002:merge":
                problems.append(
                    Problem(
                        "YAML merge keys (<<) are not supported", file=f, line=k.start_mark.line + 1
                    )
                )
                continue
            key = k.value if isinstance(k, yaml.ScalarNode) else repr(k.value)
            if key in keys:
                problems.append(
                    Problem(
                        f"duplicate key '{key}' (first on line {keys[key]})",
                        file=f,
                        line=k.start_mark.line + 1,
                        field=dotted(path + (key,)),
                    )
                )
            elif loader is not None and isinstance(k, yaml.ScalarNode):
                same = _same_key(loader, k, values)
                if same is not None:
                    problems.append(
                        Problem(
                            f"key '{key}' is the same key as '{same[0]}' on line {same[1]} once "
                            "read (they would overwrite each other); write distinct keys",
                            file=f,
                            line=k.start_mark.line + 1,
                            field=dotted(path + (key,)),
                        )
                    )
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
        where = iter(
            [
                t.start_mark.line + 1
                for t in yaml.scan(text, Loader=yaml.SafeLoader)
                if isinstance(t, yaml.AliasToken)
            ]
        )
    except yaml.YAMLError:
        return problems
    return [
        dataclasses.replace(p, line=next(where, p.line)) if p.message.startswith(_ALIAS) else p
        for p in problems
    ]


def _same_key(
    loader: yaml.SafeLoader, k: yaml.ScalarNode, values: dict[Any, tuple[str, int]]
) -> tuple[str, int] | None:
    """The earlier key that reads as the same value as ``k``, else None.

    For example ``0`` and ``0x0``, ``1`` and ``true``.
    """
    try:
        value = loader.construct_object(k)
        hash(value)
    except Exception:  # noqa: BLE001 - an odd key is reported by the schema, not here
        return None
    if value in values:
        return values[value]
    values[value] = (k.value, k.start_mark.line + 1)
    return None


def dotted(path: tuple[Any, ...]) -> str:
    """A key path as the dotted field name messages print (``evidence.3.likelihoods``)."""
    return ".".join(str(p) for p in path)


def line_of(lines: Lines, path: tuple[Any, ...]) -> int | None:
    """The line of a key path, or of its nearest ancestor that has one."""
    p = tuple(str(x) if not isinstance(x, int) else x for x in path)
    while p:
        for key in (p, tuple(str(x) for x in p)):
            if key in lines:
                return lines[key]
        p = p[:-1]
    return lines.get(())
