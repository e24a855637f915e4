"""Errors a person can act on: each problem names file, line, item and field."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a case, located as precisely as the input allows.

    Parameters
    ----------
    message
        What is wrong and what would be valid.
    file
        The file it is in, when known.
    line
        1-based line number, when YAML gives one.
    item
        The evidence item (or other record) id, when there is one.
    field
        Dotted path of the offending field inside the file or item.
    kind
        What ``item`` names: ``item`` (an evidence item), ``proposition``, ``hypothesis`` or ``source``.
    """

    message: str
    file: str | None = None
    line: int | None = None
    item: str | None = None
    field: str | None = None
    kind: str = "item"

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "")
        parts = []
        if self.item:
            parts.append(f"{self.kind} '{self.item}'")
        if self.field:
            parts.append(f"field '{self.field}'")
        head = ", ".join(parts)
        text = f"{head}: {self.message}" if head else self.message
        return f"{where}: {text}" if where else text


class MotivesError(Exception):
    """Base class of every error this library raises on purpose."""


class CaseError(MotivesError, ValueError):
    """A case (or spec) failed validation; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ReferenceProblems(ValueError):
    """Raised inside record validators: cross-reference problems, located by item and field.

    Pydantic wraps it; :mod:`motives.io` unwraps it and adds file and line.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))
