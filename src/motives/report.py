"""Tables and summaries: DataFrames, JSON summaries, Markdown, HTML reprs."""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from motives.schema import Case

#: Mass of every central credible interval this library reports.
INTERVAL_MASS = 0.90


def _num(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def summary_dict(table: pd.DataFrame, *, method: str, lens: str, diagnostics: dict[str, Any] | None = None,
                 fallbacks: list[str] | None = None, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The summary JSON (DESIGN.md shape) from a credence table.

    ``table`` is indexed by (level, id) with a ``credence`` column and, for
    MCMC, ``lower`` and ``upper``; where those are absent they equal the credence.
    """
    out: dict[str, Any] = {"method": method, "lens": lens,
                           "interval": {"kind": "central", "mass": INTERVAL_MASS}}
    for level, key in (("hypothesis", "hypotheses"), ("family", "families")):
        sub = table.xs(level, level="level")
        out[key] = {
            str(i): {
                "credence": _num(r["credence"]),
                "lower": _num(r.get("lower", r["credence"])),
                "upper": _num(r.get("upper", r["credence"])),
            }
            for i, r in sub.iterrows()
        }
    diag = {"r_hat_max": None, "ess_bulk_min": None, "divergences": None, "ok": True}
    diag.update(diagnostics or {})
    out["diagnostics"] = diag
    out["fallbacks"] = list(fallbacks or [])
    if extra:
        out.update(extra)
    return out


def case_html(case: Case) -> str:
    """HTML summary of a case for Jupyter."""
    rows = "".join(
        f"<tr><td>{html.escape(h.id)}</td><td>{html.escape(h.name)}</td><td>{html.escape(h.family_id)}</td>"
        f"<td>{'' if h.prior is None else f'{h.prior:.3g}'}</td></tr>"
        for h in case.hypotheses
    )
    kinds: dict[str, int] = {}
    for e in case.evidence:
        kinds[e.kind] = kinds.get(e.kind, 0) + 1
    counts = ", ".join(f"{n} {k}" for k, n in kinds.items()) or "no items"
    return (
        f"<div><strong>Case {html.escape(case.name)}</strong>: {html.escape(case.title)}<br>"
        f"{len(case.evidence)} evidence items ({counts}); lenses: {html.escape(', '.join(case.lens_ids))} "
        f"(default {html.escape(case.default_lens)})"
        "<table><thead><tr><th>id</th><th>label</th><th>family</th><th>prior</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div>"
    )
