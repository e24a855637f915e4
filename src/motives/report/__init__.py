"""Tables and summaries: DataFrames, JSON summaries, Markdown and LaTeX tables, HTML reprs, the analysis report.

- :mod:`motives.report.tables` -- evidence and posterior tables as DataFrames and Markdown;
- :mod:`motives.report.latex` -- the same tables in LaTeX (booktabs, ``\\cite``), escaping, a structural checker;
- :mod:`motives.report.html` -- HTML for notebooks (cases, items, results);
- :mod:`motives.report.document` -- the Markdown report of ``motives report``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from motives.report._common import INTERVAL_MASS, _num

if TYPE_CHECKING:
    import pandas as pd


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


from motives.report.document import report_markdown  # noqa: E402
from motives.report.html import case_html, item_html, result_html, table_html  # noqa: E402
from motives.report.latex import (  # noqa: E402
    check_latex,
    cite,
    evidence_latex,
    latex_escape,
    posterior_latex,
    standalone_latex,
)
from motives.report.tables import (  # noqa: E402
    evidence_markdown,
    evidence_table,
    posterior_markdown,
    posterior_table,
    to_markdown,
)

__all__ = [
    "INTERVAL_MASS",
    "case_html",
    "check_latex",
    "cite",
    "evidence_latex",
    "evidence_markdown",
    "evidence_table",
    "item_html",
    "latex_escape",
    "posterior_latex",
    "posterior_markdown",
    "posterior_table",
    "report_markdown",
    "result_html",
    "standalone_latex",
    "summary_dict",
    "table_html",
    "to_markdown",
]
