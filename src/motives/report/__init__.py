r"""Tables and summaries.

DataFrames, JSON summaries, Markdown and LaTeX tables, HTML reprs, the analysis report.

- :mod:`motives.report.tables` -- evidence and posterior tables as DataFrames and Markdown;
- :mod:`motives.report.latex` -- the same tables in LaTeX (booktabs, ``\cite``), escaping, a
  structural checker;
- HTML for notebooks (cases, items, results) lives in :mod:`motives.display`, re-exported here;
- :mod:`motives.report.document` -- the Markdown report of ``motives report``.
"""

from __future__ import annotations

from motives.conventions import (
    DB_RESOLUTION,
    INTERVAL_MASS,
    PROB_RESOLUTION,
    RESOLUTION_NOTE,
    summary_dict,
)
from motives.display import case_html, item_html, proposition_html, result_html, table_html
from motives.report.document import Report, build_report, report_markdown
from motives.report.latex import (
    check_latex,
    cite,
    column_headers,
    evidence_latex,
    latex_escape,
    posterior_latex,
    proposition_latex,
    propositions_latex,
    standalone_latex,
)
from motives.report.tables import (
    evidence_markdown,
    evidence_table,
    md_escape,
    posterior_markdown,
    posterior_table,
    proposition_frame,
    propositions_markdown,
    to_markdown,
)

__all__ = [
    "DB_RESOLUTION",
    "INTERVAL_MASS",
    "PROB_RESOLUTION",
    "RESOLUTION_NOTE",
    "Report",
    "build_report",
    "case_html",
    "check_latex",
    "cite",
    "column_headers",
    "evidence_latex",
    "evidence_markdown",
    "evidence_table",
    "item_html",
    "latex_escape",
    "md_escape",
    "posterior_latex",
    "posterior_markdown",
    "posterior_table",
    "proposition_frame",
    "proposition_html",
    "proposition_latex",
    "propositions_latex",
    "propositions_markdown",
    "report_markdown",
    "result_html",
    "standalone_latex",
    "summary_dict",
    "table_html",
    "to_markdown",
]
