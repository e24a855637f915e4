"""What ``motives check`` finds in a case.

Counts, tables and the notes and warnings a reader should see.

:func:`case_check` loads and checks a case and returns a :class:`CaseCheck` (plain text and rows);
the CLI prints it as tables and lines, or as JSON with ``--json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from motives.conventions import parents_text, plural
from motives.errors import MotivesError

__all__ = ["ZERO_CELL_LINES", "CaseCheck", "case_check"]

#: ``check`` lists the zero likelihoods of at most this many items, then a count.
ZERO_CELL_LINES = 12


@dataclass
class CaseCheck:
    """A checked case and what to say about it, in the order ``motives check`` prints it.

    ``areas``: one row per issue area (the last is ``all``) with the items each lens rates and the
    items in all; ``head`` the lines before the propositions table, ``propositions`` its rows (empty
    for a case without propositions), ``notes`` the lines after it, ``warnings`` what goes to
    stderr.
    """

    case: Any
    counts: dict[str, int]
    areas: list[dict[str, Any]]
    head: list[str] = field(default_factory=list)
    propositions: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """Everything as one JSON-ready dictionary (``motives check --json``)."""
        return {
            "case": self.case.name,
            "title": self.case.title,
            "counts": self.counts,
            "areas": self.areas,
            "propositions": self.propositions,
            "notes": [*self.head, *self.notes],
            "warnings": self.warnings,
            "ok": True,
        }


def case_check(case_dir: Path) -> CaseCheck:
    """Load a case and say what a reader should know.

    Its problems raise :class:`motives.errors.CaseError`.

    Examples
    --------
    >>> import motives as mv
    >>> res = case_check(mv.examples.path("cookies"))
    >>> res.counts["hypotheses"], res.areas[-1]["area"]
    (2, 'all')
    """
    from motives.io import load_case, skipped_files

    case = load_case(case_dir)
    res = CaseCheck(
        case,
        {
            "hypotheses": len(case.hypotheses),
            "lenses": len(case.lens_ids),
            "evidence items": len(case.evidence),
            "references": len(case.references or {}),
        },
        _areas(case),
    )
    note = case.prior_note()
    if note:
        res.head.append(note)
    for g in case.groupings:
        res.head.append(
            f"grouping {g.id}: "
            + "; ".join(f"{grp.id} ({', '.join(grp.hypotheses)})" for grp in g.groups)
        )
    kinds: dict[str, int] = {}
    for e in case.evidence:
        kinds[e.kind] = kinds.get(e.kind, 0) + 1
    res.head.append("kinds: " + ", ".join(f"{k} {n}" for k, n in kinds.items()))
    if case.structured:
        res.propositions = _propositions(case)
    for lens in case.lens_ids:
        res.notes += _lens_notes(case, lens)
    res.warnings += _conflicts(case)
    unused = case.unused_propositions()
    if unused:
        res.warnings.append(
            f"{plural(len(unused), 'proposition')} no item bears on (directly or through another "
            f"proposition); they change nothing: {', '.join(unused)}"
        )
    res.notes += [f"skipped {f}: {why}" for f, why in skipped_files(case_dir)]
    return res


def _areas(case: Any) -> list[dict[str, Any]]:
    """Items per issue area and lens (rated by the lens / in all), then the row ``all``."""
    areas = [a.id for a in case.issue_areas] + sorted(
        {e.issue_area or "(none)" for e in case.evidence} - {a.id for a in case.issue_areas}
    )
    rows = []
    for area in [*areas, None]:
        items = [e for e in case.evidence if area is None or (e.issue_area or "(none)") == area]
        if items or area is None:
            rows.append(
                {
                    "area": "all" if area is None else area,
                    "rated": {
                        lens: sum(lens in e.judgements() for e in items) for lens in case.lens_ids
                    },
                    "items": len(items),
                }
            )
    return rows


def _propositions(case: Any) -> list[dict[str, Any]]:
    """Each proposition (parents first) with what bears on it, then the direct items.

    A proposition's row holds its parents, states and what bears on it.
    """
    rows = []
    for pid in case.proposition_order():
        p = case.proposition(pid)
        kids, items = case.children(pid)
        rows.append(
            {
                "proposition": pid,
                "bears on": parents_text(p.parents),
                "states": " | ".join(p.states),
                "items": len(items),
                "bearing on it": ", ".join([*items, *(f"{k} (proposition)" for k in kids)])
                or "(nothing)",
            }
        )
    _, direct = case.children()
    if direct:
        rows.append(
            {
                "proposition": "(directly on the hypotheses)",
                "bears on": "",
                "states": "",
                "items": len(direct),
                "bearing on it": ", ".join(direct),
            }
        )
    return rows


def _lens_notes(case: Any, lens: str) -> list[str]:
    """Non-diagnostic items and propositions, zero cells, defaulted base rates and fallbacks.

    They are found under one lens.
    """
    props = set(case.proposition_ids)
    lines = []
    nd = case.non_diagnostic(lens)
    nd_props = [i for i in nd if i in props]
    nd_items = [i for i in nd if i not in props]
    if nd_props:
        lines.append(
            f"non-diagnostic propositions under {lens} (equal tables for every parent value: "
            "nothing "
            f"under them can change the odds): {', '.join(nd_props)}"
        )
    if nd_items:
        lines.append(
            f"non-diagnostic under {lens} (equal likelihoods, change nothing): "
            f"{', '.join(nd_items)}"
        )
    zc = case.zero_cells(lens)
    if zc:
        lines += _zero_cells(lens, zc, case)
    lines += _default_base_rates(case, lens)
    fb = case.fallbacks(lens)
    if fb and lens != case.default_lens:
        fb_props = [i for i in fb if i in props]
        fb_items = [i for i in fb if i not in props]
        if fb_props:
            lines.append(
                f"lens {lens} does not rate {plural(len(fb_props), 'proposition')}; they use "
                f"{case.default_lens}'s tables: {', '.join(fb_props)}"
            )
        if fb_items:
            lines.append(
                f"lens {lens} does not rate {plural(len(fb_items), 'item')}; they use "
                f"{case.default_lens}: "
                f"{', '.join(fb_items)}"
            )
    return lines


def _default_base_rates(case: Any, lens: str) -> list[str]:
    """Base rates of items reported by a source of reliability below 1 that the case leaves out."""
    from motives.exact import compile_case
    from motives.sensitivity.judgements import default_base_rates

    try:
        dflt = default_base_rates(compile_case(case, lens))
    except MotivesError:
        return []
    if not dflt:
        return []
    shown = ", ".join(f"{i} = {v:.6g}" for i, v in list(dflt.items())[:ZERO_CELL_LINES])
    more = f" and {len(dflt) - ZERO_CELL_LINES} more" if len(dflt) > ZERO_CELL_LINES else ""
    return [
        f"base rates defaulted under {lens} (no base_rate given: P(report | source wrong) is the "
        "mean of the item's likelihoods; give base_rate where that is not your judgement): "
        f"{shown}{more}"
    ]


def _zero_cells(lens: str, cells: list[tuple[str, str]], case: Any) -> list[str]:
    """The zero likelihoods, one line per item (at most ``ZERO_CELL_LINES``, then a count).

    A zero judged for an item that a source of reliability below 1 reports rules nothing out (a
    wrong report still has its base rate): those are listed apart, saying so.
    """
    from motives.exact.compile import reliability_of

    soft = {
        e.id
        for e in case.evidence
        if getattr(e, "reported_by", None) is not None
        and reliability_of(case, e.reported_by) is not None
    }
    hard = [(i, h) for i, h in cells if i not in soft]
    loose = [(i, h) for i, h in cells if i in soft]
    lines = []
    if loose:
        items = sorted({i for i, _ in loose})
        lines.append(
            f"zero likelihoods under {lens} of items a source of reliability below 1 reports "
            f"(nothing is ruled out: a wrong report still has its base rate): "
            f"{plural(len(loose), 'cell')} in {', '.join(items)}"
        )
    if not hard:
        return lines
    by_item: dict[str, list[str]] = {}
    for item, h in hard:
        by_item.setdefault(item, []).append(h)
    lines.append(
        f"zero likelihoods under {lens} (each rules out the hypothesis, or the state of the fact, "
        f"named): {plural(len(hard), 'cell')} in {plural(len(by_item), 'item')}"
    )
    for item, hs in list(by_item.items())[:ZERO_CELL_LINES]:
        shown = ", ".join(hs[:8]) + (f" and {len(hs) - 8} more" if len(hs) > 8 else "")
        lines.append(f"  {item} -> {shown}")
    if len(by_item) > ZERO_CELL_LINES:
        rest = len(by_item) - ZERO_CELL_LINES
        lines.append(
            f"  ... and {plural(rest, 'more item')} "
            "(the likelihood table of `motives describe CASE` shows every cell)"
        )
    return lines


def _conflicts(case: Any) -> list[str]:
    """Items far less probable given the rest of the evidence than a priori, under each lens."""
    from motives.sensitivity.conflict import CONFLICT_THRESHOLD_DB, conflict_flags

    lines = []
    for lens in case.lens_ids:
        try:
            flags = conflict_flags(case, lens=lens)
        except MotivesError:
            flags = []  # a case no posterior exists for is reported by posterior, not here
        if flags:
            lines.append(
                f"conflict under {lens}: {', '.join(flags)} {'is' if len(flags) == 1 else 'are'} "
                "more than "
                f"{CONFLICT_THRESHOLD_DB:g} dB less probable given the rest of the evidence than "
                "a priori (an encoding error, a deception, or a hypothesis missing from the set?)"
            )
    return lines
