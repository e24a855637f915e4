"""A case's sizes counted in its raw files, before any record is validated.

:class:`SourceSizes` counts the items each source reports as the files are read and refuses a source
past the stated limit on its items (:func:`motives.numeric.source_refusal`, the rule the exact
engine applies when it compiles the case) before pydantic sees them: validating 20,000 items before
the engine refused them took minutes. :func:`positions` indexes where each record sits in a raw
file, so that records are located in one pass.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from motives.errors import CaseError, Problem
from motives.schema.structure import HYPOTHESES
from motives.yamlfile import Lines, line_of

__all__ = ["SourceSizes", "positions"]


def positions(raw: Any) -> dict[str, dict[Any, list[int]]]:
    """Where each id sits in each list of a raw file.

    List -> id -> its indices (built once per file).

    One pass per file, so locating n records costs O(n), not O(n^2) (20,000 items took minutes).

    Examples
    --------
    >>> positions({"evidence": [{"id": "a"}, {"id": "b"}, {"id": "a"}], "sources": [{"key": "s"}]})
    {'propositions': {}, 'evidence': {'a': [0, 2], 'b': [1]}, 'amend': {}, 'sources': {'s': [0]}}
    """
    out: dict[str, dict[Any, list[int]]] = {}
    for key in ("propositions", "evidence", "amend", "sources"):
        entries = raw.get(key) if isinstance(raw, dict) else None
        found: dict[Any, list[int]] = {}
        for j, e in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(e, dict):
                ident = e.get("id", e.get("key"))
                if isinstance(ident, str | int | float | bool | None):
                    found.setdefault(ident, []).append(j)
        out[key] = found
    return out


class SourceSizes:
    """The stated limit on a source's items, checked on the raw files before any item is validated.

    ``declare`` the sources of each file, ``count`` each evidence file's items as it is read, then
    ``refuse``.

    A source of uncertain reliability reporting n items directly needs n // 2 + 1 quadrature nodes
    (:func:`motives.numeric.source_refusal`, the rule :func:`motives.exact.compile_case` applies).
    Validating 20,000 items before the engine refused them took minutes: they are counted in the
    parsed YAML instead, and the case is refused before pydantic sees them.
    """

    def __init__(self) -> None:
        self.reports: dict[str, int] = {}  # likelihood items bearing on the hypotheses, per source
        self.files: dict[str, list[str]] = {}  # where they are
        self.in_structure: set[str] = set()  # sources reporting an item under a proposition
        self.declared: dict[str, tuple[str, int | None, Any]] = {}  # file, line, Source record

    def declare(self, file: str, lines: Lines, raw: Any, sources: Any) -> None:
        """Note the sources a file declares (a later declaration replaces an earlier one)."""
        at = positions(raw).get("sources", {})
        for i, src in enumerate(sources):
            path = ("sources", (at.get(src.key) or [i])[0])
            self.declared[src.key] = (file, line_of(lines, (*path, "reliability")), src)

    def count(self, file: str, raw: Any, lines: Lines) -> None:
        """Count an evidence file's raw items per source; note the sources it declares."""
        from motives.schema import Source
        from motives.schema.evidence import kind_of

        mine = []
        declared = raw.get("sources") if isinstance(raw, dict) else None
        for e in declared if isinstance(declared, list) else []:
            try:
                mine.append(Source.model_validate(e))
            except (ValidationError, TypeError, ValueError, ArithmeticError):
                continue  # reported with its file and line when the file is validated
        self.declare(file, lines, raw, mine)
        entries = raw.get("evidence") if isinstance(raw, dict) else None
        for e in entries if isinstance(entries, list) else []:
            key = e.get("reported_by") if isinstance(e, dict) else None
            if not isinstance(key, str) or kind_of(e) != "likelihood":
                continue
            if e.get("bears_on") in (None, HYPOTHESES, [HYPOTHESES]):
                self.reports[key] = self.reports.get(key, 0) + 1
                if file not in self.files.setdefault(key, []):
                    self.files[key].append(file)
            else:
                self.in_structure.add(key)

    def refuse(self, n_hyp: int) -> None:
        """Raise a located :class:`CaseError` for the first source past a limit, if any."""
        from motives.numeric import source_refusal

        for key, n in self.reports.items():
            if key in self.in_structure or key not in self.declared:
                continue  # under a proposition its items go to another integration (MAX_GRID)
            file, line, src = self.declared[key]
            msg = source_refusal(n, src.reliability.concentration, n_hyp)
            if msg:
                where = ", ".join(self.files[key])
                raise CaseError(
                    [
                        Problem(
                            f"{msg} (counted in {where} before the items were checked)",
                            file=file,
                            line=line,
                            item=key,
                            kind="source",
                            field="reliability",
                        )
                    ]
                )
