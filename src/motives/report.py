"""Tables and summaries: DataFrames, JSON summaries, Markdown, HTML reprs."""

from __future__ import annotations

import html
import math
import re
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


# --------------------------------------------------------------------------- tables for papers

#: Characters LaTeX treats specially, and what to write instead.
_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
}
_LATEX_UNICODE = {"\u2013": "--", "\u2014": "---", "\u2018": "`", "\u2019": "'", "\u201c": "``", "\u201d": "''",
                  "\u2026": r"\ldots{}", "\u00a0": "~", "\u2212": "-", "\u03ba": r"$\kappa$", "\u2192": r"$\to$"}


def latex_escape(text: Any) -> str:
    r"""Escape text for LaTeX (specials, and common typographic Unicode to ASCII LaTeX).

    Examples
    --------
    >>> print(latex_escape("50% of R&D_costs ~ $5 {sic}"))
    50\% of R\&D\_costs \textasciitilde{} \$5 \{sic\}
    """
    out = []
    for ch in str(text):
        out.append(_LATEX_SPECIAL.get(ch) or _LATEX_UNICODE.get(ch) or ch)
    return "".join(out)


_CITE_KEY = re.compile(r"^[A-Za-z0-9_:.\-+/]+$")


def cite(keys: list[str]) -> str:
    r"""``\cite{a,b}`` for BibTeX keys (keys are not escaped: BibTeX needs them verbatim).

    Raises
    ------
    ValueError
        For a key LaTeX could not take verbatim.

    Examples
    --------
    >>> cite(["hughes_2024", "rusi2022"])
    '\\cite{hughes_2024,rusi2022}'
    """
    bad = [k for k in keys if not _CITE_KEY.match(k)]
    if bad:
        raise ValueError(f"BibTeX keys {bad} have characters \\cite cannot take (use letters, digits, _:.-+/)")
    return "\\cite{" + ",".join(keys) + "}" if keys else ""


def _fmt(x: Any, digits: int = 2) -> str:
    if isinstance(x, bool):
        return "yes" if x else ""
    if isinstance(x, int):
        return str(x)
    if isinstance(x, float):
        if math.isnan(x):
            return ""
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        if 0 < abs(x) < 0.5 * 10.0**-digits:
            return f"{x:.2g}"  # 2.8e-10, not 0.00
        out = f"{x:.{digits}f}"
        return out.lstrip("-") if float(out) == 0 else out  # no "-0.00"
    if isinstance(x, list | tuple):
        return ", ".join(str(v) for v in x)
    return str(x)


def evidence_table(case: Case, lens: str | None = None, *, prior: Any = None,
                   target: str | None = None) -> pd.DataFrame:
    """One row per item: provenance, likelihood means per hypothesis and weight of evidence.

    Parameters
    ----------
    case, lens, prior
        The case, whose judgements (default lens) and which prior weighs the rest in the decibans.
    target
        Hypothesis or family for the ``decibans`` column; default the leading family.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``evidence``: ``title``, ``kind``, ``issue_area``, ``date``,
        ``sources`` (BibTeX keys), ``footnotes``, one column per hypothesis
        (likelihood mean; empty for timeline and quantity items),
        ``decibans`` and ``fallback`` (the lens borrowed the default lens's judgement).
    """
    import pandas as pd

    from motives.schema import LikelihoodItem
    from motives.sensitivity import weight_of_evidence
    from motives.sensitivity._core import scenario_posterior, setup, target_of

    lens = case.resolve_lens(lens)
    arr, pri = setup(case, lens, prior)
    tgt = target_of(arr, target, scenario_posterior(arr, pri))
    woe = weight_of_evidence(case, lens=lens, prior=prior).xs((tgt.level, tgt.id), level=("level", "id"))
    rows = []
    for e in case.evidence:
        j, fell = case.judgement(e, lens)
        r: dict[str, Any] = {"evidence": e.id, "title": e.title, "kind": e.kind, "issue_area": e.issue_area or "",
                             "date": str(e.date) if e.date else "", "sources": list(e.sources),
                             "footnotes": list(e.footnotes)}
        for h in case.hypothesis_ids:
            r[h] = j.values[h].mean if isinstance(e, LikelihoodItem) else float("nan")
        r["decibans"] = float(woe.loc[e.id, "decibans"])
        r["fallback"] = fell
        rows.append(r)
    df = pd.DataFrame(rows).set_index("evidence")
    df.attrs.update({"lens": lens, "target": tgt.id, "target_level": tgt.level})
    return df


def posterior_table(case: Case, lens: str | None = None, *, prior: Any = None,
                    table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Credence per hypothesis and family with its interval (equal to the credence for the exact method).

    ``table`` may be a fit's summary indexed by (level, id) with ``credence``,
    ``lower``, ``upper``; by default the exact posterior is used.
    """
    from motives.exact import exact_posterior

    t = exact_posterior(case, lens, prior) if table is None else table.copy()
    for c in ("lower", "upper"):
        if c not in t.columns:
            t[c] = t["credence"]
    if "label" not in t.columns:
        labels = {h.id: h.name for h in case.hypotheses} | {f.id: f.label or f.id for f in case.families}
        t["label"] = [labels.get(i, i) for i in t.index.get_level_values("id")]
    if "prior" not in t.columns:
        t["prior"] = float("nan")
    out = t[["label", "prior", "credence", "lower", "upper"]]
    out.attrs.update(t.attrs)
    return out


def to_markdown(df: pd.DataFrame, *, digits: int = 2, index: bool = True) -> str:
    """A DataFrame as a GitHub-flavoured Markdown table (pipes escaped, numbers to ``digits``)."""
    def cell(x: Any) -> str:
        return _fmt(x, digits).replace("|", "\\|").replace("\n", " ")

    cols = ([*(df.index.names if df.index.names != [None] else ["index"])] if index else []) + [str(c) for c in
                                                                                                 df.columns]
    lines = ["| " + " | ".join(cols) + " |", "| " + " | ".join("---" for _ in cols) + " |"]
    for idx, row in df.iterrows():
        head = [cell(i) for i in (idx if isinstance(idx, tuple) else (idx,))] if index else []
        lines.append("| " + " | ".join(head + [cell(v) for v in row.tolist()]) + " |")
    return "\n".join(lines) + "\n"


def evidence_markdown(case: Case, lens: str | None = None, *, prior: Any = None) -> str:
    """The evidence table as Markdown, with a caption line stating the lens and the unit."""
    t = evidence_table(case, lens, prior=prior)
    shown = t.drop(columns=["kind", "fallback"])
    cap = (f"Evidence under lens `{t.attrs['lens']}`: likelihood P(E | h) per hypothesis (means); "
           f"decibans = weight of evidence for {t.attrs['target']} against the rest (rest weighted by the prior).")
    fb = [i for i, f in t["fallback"].items() if f]
    if fb:
        cap += f" Items this lens does not rate use the default lens: {', '.join(fb)}."
    return cap + "\n\n" + to_markdown(shown)


def posterior_markdown(case: Case, lens: str | None = None, *, prior: Any = None, method: str = "exact",
                       table: pd.DataFrame | None = None) -> str:
    """The posterior table as Markdown, stating method, lens and interval mass."""
    t = posterior_table(case, lens, prior=prior, table=table)
    cap = (f"Credence per hypothesis and family ({method}, lens `{case.resolve_lens(lens)}`; "
           f"lower/upper bound a {INTERVAL_MASS:.0%} central interval, equal to the credence for the exact method).")
    return cap + "\n\n" + to_markdown(t, digits=3)


def _signed(x: float) -> str:
    if not math.isfinite(x):
        return "$+\\infty$" if x > 0 else "$-\\infty$"
    out = f"{x:+.1f}"
    return "$0.0$" if float(out) == 0 else f"${out}$"


def _latex_table(header: list[str], rows: list[list[str]], *, colspec: str, caption: str, label: str,
                 size: str = r"\small", env: str = "table") -> str:
    """A booktabs table: a ``table`` float holding a ``tabular``, or a ``longtable`` that breaks across pages."""
    body = [" & ".join(header) + r" \\", r"\midrule"] + [" & ".join(r) + r" \\" for r in rows]
    if env == "longtable":
        return "\n".join([
            "{" + size, r"\setlength{\tabcolsep}{3pt}", rf"\begin{{longtable}}{{{colspec}}}",
            rf"\caption{{{caption}}}\label{{{label}}} \\", r"\toprule", *body[:2], r"\endhead", *body[2:],
            r"\bottomrule", r"\end{longtable}", "}", "",
        ])
    return "\n".join([
        r"\begin{table}[htbp]", r"\centering", size, r"\setlength{\tabcolsep}{3pt}",
        rf"\caption{{{caption}}}", rf"\label{{{label}}}",
        rf"\begin{{tabular}}{{{colspec}}}", r"\toprule", *body, r"\bottomrule", r"\end{tabular}",
        r"\end{table}", "",
    ])


def evidence_latex(case: Case, lens: str | None = None, *, prior: Any = None, label: str = "tab:evidence",
                   env: str = "auto") -> str:
    r"""The evidence table in LaTeX (booktabs; ``\cite`` keys from each item's sources).

    Needs ``\usepackage{booktabs}``, and ``\usepackage{longtable}`` for
    ``env="longtable"`` (``"auto"``: a longtable beyond 20 items, which breaks
    across pages; otherwise a ``table`` float). Column widths are fractions of
    ``\linewidth`` so the table fits the text block. Text is escaped; numbers
    are likelihood means and decibans.
    """
    t = evidence_table(case, lens, prior=prior)
    H = case.hypothesis_ids
    labels = {h.id: h.name for h in case.hypotheses}
    header = ["Item"] + [latex_escape(labels[h]) for h in H] + ["dB", "Sources"]
    rows = []
    for _, r in t.iterrows():
        title = latex_escape(r["title"]) + (r"$^{\dagger}$" if r["fallback"] else "")
        rows.append([title] + [_fmt(r[h]) if not math.isnan(r[h]) else "--" for h in H]
                    + [_signed(r["decibans"]), cite(r["sources"])])
    cap = (f"Evidence under lens {latex_escape(t.attrs['lens'])}: likelihood of each item under each hypothesis "
           f"(means; -- for timeline and quantity items, scored by their own models) and its weight of evidence "
           f"for {latex_escape(t.attrs['target'])} against the rest, in decibans (rest weighted by the prior).")
    if t["fallback"].any():
        cap += r" $^{\dagger}$Judgement borrowed from the default lens."
    if env == "auto":
        env = "longtable" if len(rows) > 20 else "table"
    if env not in ("table", "longtable"):
        raise ValueError(f"env must be 'auto', 'table' or 'longtable', got {env!r}")
    num = min(0.09, 0.34 / len(H))
    colspec = (r"p{0.27\linewidth}" + rf"p{{{num:.3f}\linewidth}}" * len(H) + r"p{0.05\linewidth}"
               + r"p{0.20\linewidth}")
    return _latex_table(header, rows, colspec=colspec, caption=cap, label=label, size=r"\footnotesize", env=env)


def posterior_latex(case: Case, lens: str | None = None, *, prior: Any = None, method: str = "exact",
                    table: pd.DataFrame | None = None, label: str = "tab:posterior") -> str:
    """The posterior table as a LaTeX ``table`` (booktabs), stating method, lens and interval mass."""
    t = posterior_table(case, lens, prior=prior, table=table)
    rows = []
    for (level, _i), r in t.iterrows():
        name = latex_escape(r["label"]) + (" (family)" if level == "family" else "")
        rows.append([name, _fmt(r["prior"], 3), _fmt(r["credence"], 3), f"[{r['lower']:.3f}, {r['upper']:.3f}]"])
    mass = latex_escape(f"{INTERVAL_MASS:.0%}")
    cap = (f"Credence of each hypothesis and family ({latex_escape(method)}, lens "
           f"{latex_escape(case.resolve_lens(lens))}); {mass} central interval.")
    return _latex_table(["", "Prior", "Credence", f"{mass} interval"], rows, colspec="lrrr",
                        caption=cap, label=label)


def _tabular_columns(text: str) -> int:
    """Number of columns in the first tabular's column spec (l, c, r, p{..}, m{..}, b{..}, X)."""
    env = "tabular" if "\\begin{tabular}{" in text else "longtable"
    start = text.find(f"\\begin{{{env}}}{{")
    if start < 0:
        return 0
    i = start + len(f"\\begin{{{env}}}{{")
    depth, spec = 1, ""
    while i < len(text) and depth:
        depth += text[i] == "{"
        depth -= text[i] == "}"
        if depth:
            spec += text[i]
        i += 1
    flat = re.sub(r"\{[^{}]*\}", "", spec)
    return sum(ch in "lcrpmbX" for ch in flat)


def check_latex(text: str) -> list[str]:
    r"""Structural problems of a LaTeX table (no LaTeX needed): unbalanced braces or environments,
    missing booktabs rules, unescaped specials, rows with the wrong number of cells.

    Returns
    -------
    list of str
        Empty when the table looks well formed.
    """
    problems = []
    depth = 0
    for i, ch in enumerate(text):
        if ch in "{}" and i and text[i - 1] == "\\":
            continue
        depth += ch == "{"
        depth -= ch == "}"
        if depth < 0:
            problems.append(f"unbalanced '}}' at character {i}")
            depth = 0
    if depth:
        problems.append(f"{depth} unclosed '{{'")
    for env in set(re.findall(r"\\begin\{(\w+)\}", text)):
        if text.count(rf"\begin{{{env}}}") != text.count(rf"\end{{{env}}}"):
            problems.append(f"environment {env} not closed")
    for rule in (r"\toprule", r"\midrule", r"\bottomrule"):
        if text.count(rule) != 1:
            problems.append(f"expected one {rule}, found {text.count(rule)}")
    ncols = _tabular_columns(text)
    body = text[text.find(r"\toprule") + 8: text.find(r"\bottomrule")]
    for line in body.splitlines():
        line = line.strip()
        if not line.endswith(r"\\"):
            continue
        cells = len(re.findall(r"(?<!\\)&", line)) + 1
        if cells != ncols:
            problems.append(f"row has {cells} cells, the tabular has {ncols}: {line[:60]}")
        stripped = re.sub(r"\\cite\{[^}]*\}|\\label\{[^}]*\}|\$[^$]*\$", "", line)
        for ch in "%#_&^~":
            if re.search(rf"(?<!\\){re.escape(ch)}", stripped.replace("&", "") if ch != "&" else ""):
                problems.append(f"unescaped '{ch}' in: {line[:60]}")
    return problems


# --------------------------------------------------------------------------- HTML for notebooks


def _html_table(df: pd.DataFrame, digits: int = 3) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in [*df.index.names, *df.columns])
    body = []
    for idx, row in df.iterrows():
        cells = [html.escape(_fmt(i)) for i in (idx if isinstance(idx, tuple) else (idx,))]
        cells += [html.escape(_fmt(v, digits)) for v in row.tolist()]
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def item_html(item: Any, case: Case | None = None) -> str:
    """HTML card of one evidence item: provenance, quote, and each lens's likelihoods with its rationale.

    For ``EvidenceItem._repr_html_`` (``case`` gives hypothesis labels and lens names when known).
    """
    labels = {h.id: h.name for h in case.hypotheses} if case is not None else {}
    parts = [f"<div><strong>{html.escape(item.id)}</strong> ({html.escape(item.kind)}): {html.escape(item.title)}"]
    meta = []
    if item.date:
        meta.append(f"date {html.escape(str(item.date))}")
    if item.issue_area:
        meta.append(f"issue area {html.escape(item.issue_area)}")
    if item.sources:
        meta.append("sources " + html.escape(", ".join(item.sources)))
    if item.footnotes:
        meta.append("footnotes " + html.escape(", ".join(map(str, item.footnotes))))
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
        rows.append(f"<tr><td>{html.escape(lens)}</td><td>{'<br>'.join(vals)}</td>"
                    f"<td>{html.escape(getattr(j, 'rationale', ''))}</td></tr>")
    parts.append("<table><thead><tr><th>lens</th><th>P(E | h)</th><th>rationale</th></tr></thead>"
                 f"<tbody>{''.join(rows)}</tbody></table></div>")
    return "".join(parts)


def result_html(table: pd.DataFrame, *, title: str | None = None) -> str:
    """HTML of a credence table (exact posterior or a fit's summary), stating method, lens and interval."""
    a = table.attrs
    cap = title or f"Credences ({a.get('method', 'exact')}, lens {a.get('lens', '?')})"
    if {"lower", "upper"} <= set(table.columns):
        cap += f"; {INTERVAL_MASS:.0%} central interval"
    return f"<div><strong>{html.escape(cap)}</strong>{_html_table(table)}</div>"


def table_html(df: pd.DataFrame, *, caption: str = "") -> str:
    """Any sensitivity table as HTML (index names kept as column headers)."""
    return f"<div><strong>{html.escape(caption)}</strong>{_html_table(df)}</div>"


# --------------------------------------------------------------------------- the analysis report


def _top(df: pd.DataFrame, col: str, n: int = 10) -> pd.DataFrame:
    return df.reindex(df[col].abs().sort_values(ascending=False).index).head(n)


def report_markdown(case: Case, tables: dict[str, pd.DataFrame], figures: dict[str, str], *,
                    spec: dict[str, Any] | None = None) -> str:
    """The Markdown report of one analysis: posterior, evidence, every sensitivity analysis, with figures.

    Parameters
    ----------
    case
        The case.
    tables
        :func:`motives.sensitivity.run_all` output.
    figures
        Figure name -> path relative to the report (PNG), e.g. from the ``report`` command.
    spec
        ``name``, ``file``, ``lens``, ``prior``, ``model``, ``config_hash``, ``tornado_factor``.
    """
    from motives.plots.figures import caption

    spec = spec or {}
    post = tables["posterior"]
    lens = post.attrs.get("lens", case.default_lens)
    fam = post.xs("family", level="level")["credence"]
    lead = str(fam.idxmax())
    labels = {h.id: h.name for h in case.hypotheses} | {f.id: f.label or f.id for f in case.families}
    prior_text = "the case's own" if spec.get("prior") is None else f"`{spec.get('prior')}`"
    L = [f"# {case.title or case.name}: sensitivity report", ""]
    L += [f"Analysis `{spec.get('name', '?')}` ({spec.get('file', '')}; config {spec.get('config_hash', '')}): "
          f"case `{case.name}`, lens `{lens}`, prior {prior_text}, exact engine "
          f"(closed form; model `{spec.get('model', 'exclusive')}` -- every analysis below uses the exact "
          "posterior of the exclusive model). Intervals, where shown, are "
          f"{INTERVAL_MASS:.0%} central intervals; for the exact method they collapse to the credence.", ""]
    fb = post.attrs.get("fallbacks") or []
    if fb:
        L += [f"Items lens `{lens}` does not rate use the default lens `{case.default_lens}`: {', '.join(fb)}.", ""]

    def fig(name: str) -> None:
        if name in figures:
            L.extend([f"![{caption(name)}]({figures[name]})", "", f"*Figure: {caption(name)}*", ""])

    L += ["## Posterior", "", posterior_markdown(case, lens, prior=spec.get("prior"), table=None), ""]
    fig("credences")
    rev = tables["reversal_priors"]
    r = rev.loc[("family", lead)]
    L += [f"The leading family is **{labels.get(lead, lead)}** with credence {r['credence']:.4g} "
          f"(Bayes factor against the rest {r['bayes_factor']:.4g}, {r['decibans']:.1f} dB).", ""]

    L += ["## Evidence", "", evidence_markdown(case, lens, prior=spec.get("prior")), ""]
    fig("ledger")
    L += ["Weight of evidence W = 10 log10 P(E | T) / P(E | not T) in decibans; P(E | not T) averages the other "
          "hypotheses' likelihoods weighted by the prior. With two hypotheses (or families that agree within "
          "themselves) and independent items the W add up to the total change of log-odds; otherwise the exact, "
          "order-dependent decomposition is the trajectory's `step_db`.", ""]

    L += ["## Prior", "", "Bayes factor of each hypothesis and family against the rest, and the prior at which "
          "its credence would be 1/2 (prior odds x Bayes factor = posterior odds):", "",
          to_markdown(rev, digits=4), ""]
    fig("prior_sweep")

    L += ["## Influence of single items and sources", "",
          "Leave-one-out: the leading family's credence without each item (largest changes of log-odds first).", "",
          to_markdown(_top(tables["leave_one_out"].xs(("family", lead), level=("level", "id")), "delta_db"), digits=4),
          ""]
    los = tables["leave_one_source_out"]
    if not los.empty:
        L += ["Leave one source out (all items resting on it):", "",
              to_markdown(_top(los.xs(("family", lead), level=("level", "id")), "delta_db"), digits=4), ""]
    tor = tables["tornado"]
    f = tor.attrs.get("factor", spec.get("tornado_factor", 3))
    L += [f"Tornado: each item's weight of evidence multiplied by 1/{f:g} and {f:g} (its likelihoods raised to "
          "that power), one item at a time.", "",
          to_markdown(tor.head(10)[["credence", "low", "high", "log_odds_db", "low_db", "high_db", "swing_db"]],
                      digits=4), ""]
    fig("tornado")
    be = tables["break_even"]
    L += [f"Break-even: the factor on one item's likelihood ratio ({labels.get(be.attrs['target'], '')} : rest) "
          f"that alone ties the leading family with {labels.get(be.attrs['rival'], be.attrs['rival'])}. For items "
          "taken at face value it is the same for every item (posterior odds move by exactly the factor); "
          "what differs is how far each item's own weight of evidence would have to move (`db_item` -> "
          "`db_needed`). Items behind an uncertain source may be unable to reach the tie.", "",
          to_markdown(_top(be, "db_item"), digits=4), ""]
    fig("break_even")

    if len(case.lens_ids) > 1:
        lc = tables["lens_comparison"]
        L += ["## Lenses", "", to_markdown(lc, digits=4), ""]
        fig("lenses")
        fig("lenses_family")
        L += ["Leave one lens out (linear pool of the remaining lenses' likelihoods; items no remaining lens "
              "rates are left out):", "", to_markdown(tables["leave_one_lens_out"], digits=4), ""]
        lb = tables["lens_break_even"]
        L += ["One factor on the ratios of every item a lens rates that ties the leading family with its rival:",
              "", to_markdown(lb, digits=4), ""]
        cr = tables["cruxes"]
        if not cr.empty:
            L += [f"Cruxes: change of the log-odds of {labels.get(lead, lead)} (dB) when one item is read through "
                  "another lens, all else as the analysis lens reads it.", "", to_markdown(cr.head(12), digits=3), ""]
            fig("cruxes")

    sob = tables["sobol"]
    if not sob.empty:
        L += ["## Global sensitivity", "",
              f"Sobol indices of the log-odds of {labels.get(lead, lead)} over every Beta-distributed judgement "
              f"(Saltelli 2010 first order, Jansen total; n = {sob.attrs.get('n')}, "
              f"{sob.attrs.get('evaluations')} engine evaluations; bootstrap standard errors).", "",
              to_markdown(sob.head(15), digits=3), ""]
        fig("sobol")
    info = tables["item_information"]
    if not info.empty:
        L += ["## Value of information", "",
              "Expected reduction of entropy (bits) from each item, judged as if it had not been observed yet "
              "(belief = posterior without it):", "",
              to_markdown(info.sort_values("voi", ascending=False).head(10), digits=4), ""]
        fig("information")
    L += ["## Trajectory", ""]
    und = tables["trajectory"].attrs.get("undated_items") or []
    if und:
        L += [f"Undated items (placed first): {', '.join(und)}.", ""]
    fig("trajectory")
    for name in figures:
        if name.startswith("timeline_"):
            if "## Timelines" not in L:
                L += ["## Timelines", ""]
            fig(name)
    return "\n".join(L).rstrip() + "\n"


def standalone_latex(*tables_tex: str) -> str:
    """A compilable LaTeX document holding the given tables (for checking them; references need BibTeX)."""
    return "\n".join([r"\documentclass{article}", r"\usepackage[T1]{fontenc}", r"\usepackage{booktabs}",
                      r"\usepackage{longtable}", r"\begin{document}", *tables_tex, r"\end{document}", ""])
