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
        What ``item`` names: ``item`` (an evidence item), ``proposition``, ``hypothesis`` or
        ``source``.
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


class LimitError(MotivesError):
    """A computation refused before it starts: it would exceed a stated limit (:data:`motives.numeric.MAX_WORK_BYTES`).

    ``field`` names the setting that sets its size (``sensitivity.sobol_samples``,
    ``sampler.draws``), so the
    command that read it from a file can say where.
    """

    def __init__(self, message: str, field: str) -> None:
        self.field = field
        super().__init__(message)


class FailedFitWarning(UserWarning):
    """A fit whose diagnostics failed was made, loaded or summarised.

    Its credences should not be reported.
    """


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


# --------------------------------------------------------------------------- did you mean


def _edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance.

    It counts insertions, deletions, substitutions and adjacent transpositions.
    """
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def close_matches(word: str, valid: list[str], limit: int = 4) -> list[str]:
    """Every entry of ``valid`` close to ``word``, nearest first.

    Close: one edit (insert, delete, substitute, swap two neighbours) or a letter case apart, two
    edits for words of six letters or more, a prefix of three letters or more, or a difflib ratio of
    0.6 or more. Every entry one edit away is kept; the others fill up to ``limit``.

    Examples
    --------
    >>> close_matches("lense", ["name", "case", "lens", "lenses", "prior"])
    ['lenses', 'lens']
    >>> close_matches("draw", ["draws", "tune", "chains", "seed"])
    ['draws']
    >>> close_matches("xyz", ["draws", "tune"])
    []
    """
    import difflib

    w = str(word).lower()
    scored = []
    for v in dict.fromkeys(valid):
        c = str(v).lower()
        d = _edit_distance(w, c)
        r = difflib.SequenceMatcher(None, w, c).ratio()
        prefix = min(len(w), len(c)) >= 3 and (c.startswith(w) or w.startswith(c))
        if d <= 1 or (d <= 2 and min(len(w), len(c)) >= 6) or prefix or r >= 0.6:
            scored.append((d, -r, v))
    scored.sort(key=lambda t: (t[0], t[1]))
    near = [v for d, _, v in scored if d <= 1]
    return near + [v for d, _, v in scored if d > 1][: max(0, limit - len(near))]


def did_you_mean(word: str, valid: list[str]) -> str:
    """`` Did you mean 'a' or 'b'?`` over :func:`close_matches`, or ``""`` when nothing is close.

    Examples
    --------
    >>> did_you_mean("lense", ["name", "lens", "lenses"])
    " Did you mean 'lenses' or 'lens'?"
    >>> did_you_mean("sampler", ["lens"])
    ''
    """
    close = [f"'{c}'" for c in close_matches(word, valid)]
    if not close:
        return ""
    return (
        " Did you mean "
        + (close[0] if len(close) == 1 else ", ".join(close[:-1]) + " or " + close[-1])
        + "?"
    )
