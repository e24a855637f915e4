"""HTML for notebooks: cases, evidence items, results and any table."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from motives.conventions import INTERVAL_MASS, is_db_column, number_text, parents_text, plural

if TYPE_CHECKING:
    import pandas as pd

    from motives.schema import Case


def case_html(case: Case) -> str:
    """HTML summary of a case for Jupyter.

    Examples
    --------
    >>> import motives as mv
    >>> h = case_html(mv.examples.load("witness"))
    >>> "<strong>Case witness</strong>: The taxicab witness (Kahneman and Tversky)" in h
    True
    >>> "1 evidence item (1 likelihood); lenses: default" in h
    True
    >>> # id, label, family, prior
    >>> "<tr><td>blue</td><td>blue</td><td>blue</td><td>0.15</td></tr>" in h
    True

    A structured case lists its propositions and what bears on each:

    >>> h = case_html(mv.examples.load("burglary"))
    >>> "2 propositions (parents first)" in h
    True
    >>> (
    ...     "<td>had_motive</td><td>The suspect had a motive</td>"
    ...     "<td>hypotheses</td><td>yes | no</td>" in h
    ... )
    True
    """
    rows = "".join(
        f"<tr><td>{html.escape(h.id)}</td><td>{html.escape(h.name)}</td><td>{html.escape(h.family_id)}</td>"
        f"<td>{'' if h.prior is None else f'{h.prior:.3g}'}</td></tr>"
        for h in case.hypotheses
    )
    kinds: dict[str, int] = {}
    for e in case.evidence:
        kinds[e.kind] = kinds.get(e.kind, 0) + 1
    counts = ", ".join(f"{n} {k}" for k, n in kinds.items()) or "no items"
    props = ""
    if case.propositions:
        prow = []
        for pid in case.proposition_order():
            p = case.proposition(pid)
            kids, items = case.children(pid)
            below = ", ".join([*items, *(f"{k} (proposition)" for k in kids)]) or "(nothing)"
            prow.append(
                f"<tr><td>{html.escape(pid)}</td><td>{html.escape(p.title)}</td>"
                f"<td>{html.escape(parents_text(p.parents))}</td>"
                f"<td>{html.escape(' | '.join(p.states))}</td>"
                f"<td>{html.escape(below)}</td></tr>"
            )
        props = (
            f"<br>{plural(len(case.propositions), 'proposition')} (parents first):"
            "<table><thead><tr><th>id</th><th>title</th><th>bears on</th><th>states</th>"
            f"<th>what bears on it</th></tr></thead><tbody>{''.join(prow)}</tbody></table>"
        )
    return (
        f"<div><strong>Case {html.escape(case.name)}</strong>"
        + (f": {html.escape(case.title)}" if case.title.strip() else "")
        + "<br>"
        f"{plural(len(case.evidence), 'evidence item')} ({counts}); lenses: "
        f"{html.escape(', '.join(case.lens_ids))} "
        f"(default {html.escape(case.default_lens)})"
        "<table><thead><tr><th>id</th><th>label</th><th>family</th><th>prior</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>{props}</div>"
    )


def proposition_html(prop: Any, case: Case | None = None) -> str:
    """HTML card of one proposition.

    Provenance, quote, and each lens's table P(state | parent value).

    For ``Proposition._repr_html_`` (``case`` gives hypothesis labels when known).

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("burglary")
    >>> h = proposition_html(case.proposition("at_scene"), case)
    >>> h.startswith(
    ...     "<div><strong>at_scene</strong> (proposition): The suspect was at the scene that night"
    ... )
    True
    >>> "bears on hypotheses; states yes | no" in h
    True
    >>> (
    ...     "<tr><td>default</td><td>The suspect did it</td>"
    ...     "<td>0.80</td><td>0.20</td><td></td></tr>" in h
    ... )
    True
    """
    labels = {h.id: h.name for h in case.hypotheses} if case is not None else {}
    parts = [
        f"<div><strong>{html.escape(prop.id)}</strong> (proposition): {html.escape(prop.title)}"
    ]
    meta = [
        f"bears on {html.escape(parents_text(prop.parents))}",
        "states " + html.escape(" | ".join(prop.states)),
    ]
    if prop.implication:
        meta.append(f"implication {html.escape(prop.implication)}")
    if prop.date:
        meta.append(f"date {html.escape(str(prop.date))}")
    if prop.issue_area:
        meta.append(f"issue area {html.escape(prop.issue_area)}")
    if prop.sources:
        meta.append("sources " + html.escape(", ".join(prop.sources)))
    if prop.footnotes:
        meta.append("footnotes " + html.escape(", ".join(map(str, prop.footnotes))))
    parts.append("<br><small>" + "; ".join(meta) + "</small>")
    if prop.description:
        parts.append(f"<p>{html.escape(prop.description)}</p>")
    if prop.quote:
        parts.append(f"<blockquote>{html.escape(prop.quote)}</blockquote>")
    head = "".join(f"<th>{html.escape(s)}</th>" for s in prop.states)
    rows = []
    for lens, j in prop.likelihoods.items():
        for k, v in enumerate(j.values):
            probs, conc = prop.row(j, v)
            cells = "".join(f"<td>{p:.2f}</td>" for p in probs)
            note = html.escape(j.rationale) + (
                f" (confidence {html.escape(j.confidence)})" if j.confidence else ""
            )
            rows.append(
                f"<tr><td>{html.escape(lens) if k == 0 else ''}</td>"
                f"<td>{html.escape(labels.get(v, v))}</td>"
                f"{cells}<td>{note if k == 0 else ''}</td></tr>"
            )
    parts.append(
        f"<table><thead><tr><th>lens</th><th>parent</th>{head}<th>rationale</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
    return "".join(parts)


def _html_table(df: pd.DataFrame, digits: int = 3) -> str:
    # Written here rather than with pandas.Styler or a jinja2 template: every cell goes through the
    # project's one
    # number format (conventions._fmt: the engine's resolution, decibans) and escape.html, which
    # Styler would call per cell all the same, and Styler needs jinja2, which no core dependency
    # brings (only the docs and lab extras do); the markup is one fixed <table> shape, tested for
    # injection in tests/test_injection.py.
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in [*df.index.names, *df.columns])
    body = []
    for idx, row in df.iterrows():
        cells = [html.escape(number_text(i)) for i in (idx if isinstance(idx, tuple) else (idx,))]
        cells += [
            html.escape(number_text(v, digits, db=is_db_column(c)))
            for c, v in zip(df.columns, row.tolist(), strict=True)
        ]
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def item_html(item: Any, case: Case | None = None) -> str:
    """HTML card of one evidence item.

    Provenance, quote, and each lens's likelihoods with its rationale.

    For ``EvidenceItem._repr_html_`` (``case`` gives hypothesis labels and lens names when known).

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("witness")
    >>> h = item_html(case.item("says_blue"), case)
    >>> h.startswith(
    ...     "<div><strong>says_blue</strong> (likelihood): The witness says the cab was blue"
    ... )
    True
    >>> "reported by witness" in h, "<td>default</td><td>blue: 1.00<br>green: 0.00</td>" in h
    (True, True)
    """
    labels = {h.id: h.name for h in case.hypotheses} if case is not None else {}
    if (
        case is not None and len(item.parents) > 1
    ):  # flat keys of several parents shown as "h1, yes"
        labels = dict(
            zip(case.parent_values(item.parents), case.parent_labels(item.parents), strict=True)
        )
    parts = [
        f"<div><strong>{html.escape(item.id)}</strong> ({html.escape(item.kind)}): "
        f"{html.escape(item.title)}"
    ]
    meta = []
    if item.date:
        meta.append(f"date {html.escape(str(item.date))}")
    if item.issue_area:
        meta.append(f"issue area {html.escape(item.issue_area)}")
    if item.sources:
        meta.append("sources " + html.escape(", ".join(item.sources)))
    if item.footnotes:
        meta.append("footnotes " + html.escape(", ".join(map(str, item.footnotes))))
    if item.parents != ("hypotheses",):
        one = (
            len(item.parents) == 1
        )  # one proposition: "bears on proposition p2"; else "bears on f1 and f2"
        meta.append(
            f"bears on {'proposition ' if one else ''}{html.escape(parents_text(item.parents))}"
        )
    if item.reported_by:
        meta.append(f"reported by {html.escape(item.reported_by)}")
    if item.given:
        meta.append("given " + html.escape(", ".join(item.given)))
    if meta:
        parts.append("<br><small>" + "; ".join(meta) + "</small>")
    if item.quote:
        parts.append(f"<blockquote>{html.escape(item.quote)}</blockquote>")
    rows = []
    for lens, j in item.judgements().items():
        vals = []
        for h, v in j.values.items():
            if hasattr(v, "mean") and isinstance(v.mean, float) and hasattr(v, "concentration"):
                s = f"{v.mean:.2f}" + (f" (&kappa;={v.concentration:g})" if v.concentration else "")
            else:
                s = html.escape(str(v.model_dump(exclude_none=True)))
            vals.append(f"{html.escape(labels.get(h, h))}: {s}")
        rows.append(
            f"<tr><td>{html.escape(lens)}</td><td>{'<br>'.join(vals)}</td>"
            f"<td>{html.escape(getattr(j, 'rationale', ''))}</td></tr>"
        )
    given = (
        "h" if item.parents == ("hypotheses",) else "state" if len(item.parents) == 1 else "parents"
    )
    parts.append(
        f"<table><thead><tr><th>lens</th><th>P(E | {given})</th><th>rationale</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
    return "".join(parts)


def result_html(table: pd.DataFrame, *, title: str | None = None) -> str:
    """HTML of a credence table, stating method, lens and interval.

    The table is an exact posterior or a fit's summary.

    Examples
    --------
    >>> import motives as mv
    >>> h = result_html(mv.exact_posterior(mv.examples.load("diagnostic_test")))
    >>> h.startswith("<div><strong>Credences (exact, lens default)</strong><table>")
    True
    >>> (
    ...     "<tr><td>hypothesis</td><td>condition</td><td>condition</td>"
    ...     "<td>0.010</td><td>0.092</td></tr>" in h
    ... )
    True
    >>> "<strong>Base rate 1%</strong>" in result_html(
    ...     mv.exact_posterior(mv.examples.load("diagnostic_test")), title="Base rate 1%"
    ... )
    True
    """
    a = table.attrs
    cap = title or f"Credences ({a.get('method', 'exact')}, lens {a.get('lens', '?')})"
    if {"lower", "upper"} <= set(table.columns):
        cap += f"; {INTERVAL_MASS:.0%} central interval"
    return f"<div><strong>{html.escape(cap)}</strong>{_html_table(table)}</div>"


def table_html(df: pd.DataFrame, *, caption: str = "") -> str:
    """Any sensitivity table as HTML (index names kept as column headers).

    Examples
    --------
    >>> import motives as mv
    >>> h = table_html(
    ...     mv.sensitivity.reversal_priors(mv.examples.load("cookies")), caption="Bayes factors"
    ... )
    >>> h.startswith(
    ...     "<div><strong>Bayes factors</strong><table><thead>"
    ...     "<tr><th>level</th><th>id</th><th>prior</th>"
    ... )
    True
    >>> # prior, credence, Bayes factor
    >>> "<td>hypothesis</td><td>bowl1</td><td>0.500</td><td>0.600</td><td>1.500</td>" in h
    True
    """
    return f"<div><strong>{html.escape(caption)}</strong>{_html_table(df)}</div>"
