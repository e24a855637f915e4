r"""LaTeX tables, escaping and a structural checker that needs no LaTeX.

Tables are booktabs, with ``\cite`` keys.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from motives.citations import latex_cite
from motives.conventions import INTERVAL_MASS, RESOLUTION_NOTE, number_text, parents_text
from motives.escape import latex
from motives.report.tables import evidence_table, posterior_table, target_label

if TYPE_CHECKING:
    import pandas as pd

    from motives.schema import Case


#: Characters LaTeX treats specially, and what to write instead.
latex_escape = latex  # the LaTeX escaper (:func:`motives.escape.latex`), under its older name


def cite(keys: list[str]) -> str:
    r"""``\cite{a,b}`` for BibTeX keys (keys are not escaped: BibTeX needs them verbatim).

    The one citation formatter's LaTeX form (:func:`motives.citations.latex_cite`): the paper's
    BibTeX or biblatex style formats the citation from the case's own ``.bib`` file.

    Raises
    ------
    ValueError
        For a key LaTeX could not take verbatim.

    Examples
    --------
    >>> cite(["hughes_2024", "rusi2022"])
    '\\cite{hughes_2024,rusi2022}'
    """
    return latex_cite(keys)


def _signed(x: float) -> str:
    if not math.isfinite(x):
        return "$+\\infty$" if x > 0 else "$-\\infty$"
    out = f"{x:+.1f}"
    return "$0.0$" if float(out) == 0 else f"${out}$"


def column_headers(case: Case, headers: Mapping[str, str] | None = None) -> dict[str, str]:
    """Column header text of each hypothesis, escaped for LaTeX.

    ``headers[id]`` where given, else the hypothesis's ``short`` label if the schema has one, else
    its name.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("diagnostic_test")
    >>> column_headers(case)
    {'condition': 'condition', 'healthy': 'healthy'}
    >>> column_headers(case, {"condition": "C+"})
    {'condition': 'C+', 'healthy': 'healthy'}
    """
    given = dict(headers or {})
    unknown = sorted(set(given) - set(case.hypothesis_ids))
    if unknown:
        raise ValueError(
            f"headers names unknown hypotheses {unknown}; hypotheses: {case.hypothesis_ids}"
        )
    return {
        h.id: latex_escape(given.get(h.id) or getattr(h, "short", None) or h.name)
        for h in case.hypotheses
    }


def _latex_table(
    header: list[str],
    rows: list[list[str]],
    *,
    colspec: str,
    caption: str,
    label: str,
    size: str = r"\small",
    env: str = "table",
) -> str:
    """A booktabs table.

    A ``table`` float holding a ``tabular``, or a ``longtable`` that breaks across pages.
    """
    body = [" & ".join(header) + r" \\", r"\midrule"] + [" & ".join(r) + r" \\" for r in rows]
    if env == "longtable":
        return "\n".join(
            [
                "{" + size,
                r"\setlength{\tabcolsep}{3pt}",
                rf"\begin{{longtable}}{{{colspec}}}",
                rf"\caption{{{caption}}}\label{{{label}}} \\",
                r"\toprule",
                *body[:2],
                r"\endhead",
                *body[2:],
                r"\bottomrule",
                r"\end{longtable}",
                "}",
                "",
            ]
        )
    return "\n".join(
        [
            r"\begin{table}[htbp]",
            r"\centering",
            size,
            r"\setlength{\tabcolsep}{3pt}",
            rf"\caption{{{caption}}}",
            rf"\label{{{label}}}",
            rf"\begin{{tabular}}{{{colspec}}}",
            r"\toprule",
            *body,
            r"\bottomrule",
            r"\end{tabular}",
            r"\end{table}",
            "",
        ]
    )


def evidence_latex(
    case: Case,
    lens: str | None = None,
    *,
    prior: Any = None,
    label: str = "tab:evidence",
    env: str = "auto",
    headers: Mapping[str, str] | None = None,
    note: bool = True,
) -> str:
    r"""The evidence table in LaTeX (booktabs; ``\cite`` keys from each item's sources).

    Needs ``\usepackage{booktabs}`` and ``\usepackage{array}`` (ragged-right
    columns), and ``\usepackage{longtable}`` for
    ``env="longtable"`` (``"auto"``: a longtable beyond 20 items, which breaks
    across pages; otherwise a ``table`` float). Column widths are fractions of
    ``\linewidth`` so the table fits the text block: ``headers`` maps
    hypothesis ids to short column headers (by default a hypothesis's
    ``short`` label where the schema has one, else its name; see
    :func:`column_headers`). Text is escaped; numbers are likelihood means
    and decibans. ``note``: end the caption with the engine's resolution.

    Examples
    --------
    >>> import motives as mv
    >>> tex = evidence_latex(mv.examples.load("cookies"))
    >>> check_latex(tex)
    []
    >>> for line in tex.splitlines():
    ...     if line.endswith("\\\\"):  # the header and one row per item
    ...         print(line)
    Item & bowl1 & bowl2 & dB & Sources \\
    A vanilla cookie was drawn & 0.75 & 0.50 & $+1.8$ & \\
    >>> "B1 & B2 & dB" in evidence_latex(mv.examples.load("cookies"), headers={"bowl1": "B1", "bowl2": "B2"})
    True
    """
    t = evidence_table(case, lens, prior=prior)
    H = case.hypothesis_ids
    labels = column_headers(case, headers)
    structured = "proposition" in t.columns
    header = (
        ["Item"]
        + (["Proposition"] if structured else [])
        + [labels[h] for h in H]
        + ["dB", "Sources"]
    )
    rows = []
    for _, r in t.iterrows():
        title = latex_escape(r["title"]) + (r"$^{\dagger}$" if r["fallback"] else "")
        prop = []
        if structured:
            prop = [
                latex_escape(r["proposition"])
                + (
                    r" {\scriptsize (" + latex_escape(r["given_state"]) + ")}"
                    if r["given_state"]
                    else ""
                )
            ]
        rows.append(
            [title, *prop]
            + [number_text(r[h]) if not math.isnan(r[h]) else "--" for h in H]
            + [_signed(r["decibans"]), cite(r["sources"])]
        )
    cap = (
        f"Evidence under lens {latex_escape(t.attrs['lens'])}: likelihood of each item under each "
        "hypothesis (means; -- for timeline and quantity items, scored by their own models) and "
        "its weight of evidence "
        f"for {latex_escape(target_label(case, t.attrs['target']))} against the rest, in decibans "
        "(rest weighted by the prior)."
    )
    if structured:
        cap += (
            r" An item under a proposition is rated P(E $\mid$ state) (in brackets); its "
            r"hypothesis columns give "
            "what it implies alone through the proposition and its dB its weight alone: items "
            "under one "
            "proposition are not independent given the hypothesis, so their dB do not add up."
        )
    if t["fallback"].any():
        cap += r" $^{\dagger}$Judgement borrowed from the default lens."
    if note:
        cap += " " + latex_escape(RESOLUTION_NOTE)
    if env == "auto":
        env = "longtable" if len(rows) > 20 else "table"
    if env not in ("table", "longtable"):
        raise ValueError(f"env must be 'auto', 'table' or 'longtable', got {env!r}")
    num = min(0.09, 0.34 / len(H))
    rag = r">{\raggedright\arraybackslash}"
    colspec = (
        rag
        + (
            r"p{0.22\linewidth}" + rag + r"p{0.14\linewidth}"
            if structured
            else r"p{0.27\linewidth}"
        )
        + (rag + rf"p{{{num:.3f}\linewidth}}") * len(H)
        + rag
        + r"p{0.05\linewidth}"
        + rag
        + (r"p{0.12\linewidth}" if structured else r"p{0.20\linewidth}")
    )
    return _latex_table(
        header, rows, colspec=colspec, caption=cap, label=label, size=r"\footnotesize", env=env
    )


def posterior_latex(
    case: Case,
    lens: str | None = None,
    *,
    prior: Any = None,
    method: str = "exact",
    table: pd.DataFrame | None = None,
    label: str = "tab:posterior",
    labels: Mapping[str, str] | None = None,
    families: bool | None = None,
    note: bool = True,
) -> str:
    r"""The posterior table as a LaTeX ``table`` (booktabs), stating method, lens and interval mass.

    The interval column appears only for a ``table`` that has intervals (an
    MCMC summary with ``lower`` and ``upper``); the exact method has none.
    Family rows appear only when some family groups two or more hypotheses
    (``families`` forces them on or off). ``labels`` maps hypothesis or
    family ids to row names (default: names). ``note``: end the caption with
    the engine's resolution.

    Examples
    --------
    >>> import motives as mv
    >>> tex = posterior_latex(mv.examples.load("diagnostic_test"), label="tab:test")
    >>> check_latex(tex)
    []
    >>> r"\label{tab:test}" in tex
    True
    >>> for line in tex.splitlines():
    ...     if line.endswith("\\\\"):  # the header and one row per hypothesis
    ...         print(line)
    & Prior & Credence \\
    condition & 0.010 & 0.092 \\
    healthy & 0.990 & 0.908 \\
    """
    t = posterior_table(case, lens, prior=prior, table=table, families=families)
    names = {h.id: h.name for h in case.hypotheses} | {f.id: f.label or f.id for f in case.families}
    names |= dict(labels or {})
    interval = "lower" in t.columns
    fam = "family" in set(t.index.get_level_values("level"))
    rows = []
    for (level, i), r in t.iterrows():
        name = latex_escape(names.get(i, r["label"])) + (" (family)" if level == "family" else "")
        cells = [name, number_text(r["prior"], 3), number_text(r["credence"], 3)]
        if interval:
            cells.append(f"[{number_text(r['lower'], 3)}, {number_text(r['upper'], 3)}]")
        rows.append(cells)
    mass = latex_escape(f"{INTERVAL_MASS:.0%}")
    cap = (
        f"Credence of each hypothesis{' and family' if fam else ''} ({latex_escape(method)}, lens "
        f"{latex_escape(case.resolve_lens(lens))})"
        + (f"; {mass} central interval." if interval else ".")
    )
    if note:
        cap += " " + latex_escape(RESOLUTION_NOTE)
    header = ["", "Prior", "Credence"] + ([f"{mass} interval"] if interval else [])
    return _latex_table(
        header, rows, colspec="lrr" + ("r" if interval else ""), caption=cap, label=label
    )


def proposition_latex(
    case: Case, prop_id: str, lens: str | None = None, *, label: str | None = None
) -> str:
    r"""One proposition's tables P(state | parent value) per lens as a LaTeX ``table`` (booktabs).

    The caption gives the title, what it bears on, its cap under ``lens``,
    the implication it tests, each lens's confidence and rationale, the
    quote, footnotes and ``\cite`` keys; every piece of user text is escaped.

    Examples
    --------
    >>> import motives as mv
    >>> tex = proposition_latex(mv.examples.load("burglary"), "at_scene")
    >>> check_latex(tex)
    []
    >>> r"\label{tab:prop:at_scene}" in tex
    True
    >>> for line in tex.splitlines():
    ...     if line.endswith("\\\\"):  # the header and one row per parent value
    ...         print(line)
    Lens & Parent & yes & no \\
    default & The suspect did it & 0.80 & 0.20 \\
    default & Someone else did it & 0.10 & 0.90 \\
    """
    from motives.plots.structure import proposition_cap_db
    from motives.report.tables import proposition_frame

    lens = case.resolve_lens(lens)
    p = case.proposition(prop_id)
    rated = [ln for ln in case.lens_ids if ln in p.likelihoods]
    order = [lens, *[ln for ln in rated if ln != lens]] if lens in rated else rated
    df = proposition_frame(case, prop_id, order)
    conc = not df["concentration"].isna().all()
    hl = {h.id: h.name for h in case.hypotheses}
    rows = []
    for (ln, v), r in df.iterrows():
        cells = [
            latex_escape(ln),
            latex_escape(hl.get(v, v) if p.parents == ("hypotheses",) else v),
        ]
        cells += [number_text(r[s_]) for s_ in p.states]
        if conc:
            cells.append("--" if math.isnan(r["concentration"]) else f"{r['concentration']:g}")
        rows.append(cells)
    header = (
        ["Lens", "Parent"] + [latex_escape(s_) for s_ in p.states] + ([r"$\kappa$"] if conc else [])
    )
    cap_db = proposition_cap_db(case, prop_id, lens)
    if not p.parents:
        cap = [
            f"Proposition {latex_escape(prop_id)}: {latex_escape(p.title)}. A root fact (nothing "
            "in the case causes it): its one row, per lens, is its prior."
        ]
    else:
        over = (
            "the hypotheses"
            if p.parents == ("hypotheses",)
            else f"proposition {latex_escape(p.parents[0])}"
            if len(p.parents) == 1
            else latex_escape(parents_text(p.parents))
        )
        cap = [
            f"Proposition {latex_escape(prop_id)}: {latex_escape(p.title)}. P(state $\\mid$ "
            "parent value) per "
            f"lens (means); it bears on {over}; cap {_signed(cap_db)} dB under lens "
            f"{latex_escape(lens)} (the "
            "most it can move the odds between two parent values, however many items bear on it)."
        ]
    if p.observed is not None:
        cap.append(f"Observed: {latex_escape(p.observed)} (the case conditions on it).")
    if p.implication:
        cap.append(f"Tests implication {latex_escape(p.implication)}.")
    for ln in order:
        j = p.likelihoods[ln]
        if j.rationale or j.confidence:
            conf = f" (confidence {latex_escape(j.confidence)})" if j.confidence else ""
            why = j.rationale.strip()
            cap.append(
                f"Lens {latex_escape(ln)}{conf}: {latex_escape(why)}"
                + ("" if not why or why.endswith((".", "!", "?")) else ".")
            )
    if lens not in rated:
        cap.append(f"Lens {latex_escape(lens)} does not rate it and uses the default lens.")
    if p.quote:
        cap.append(f"``{latex_escape(p.quote)}''")
    if p.footnotes:
        cap.append("Footnotes " + ", ".join(str(f) for f in p.footnotes) + ".")
    if p.sources:
        cap.append(cite(list(p.sources)))
    colspec = "ll" + "r" * (len(p.states) + conc)
    return _latex_table(
        header,
        rows,
        colspec=colspec,
        caption=" ".join(cap),
        label=label or f"tab:prop:{prop_id}",
        size=r"\footnotesize",
    )


def propositions_latex(case: Case, lens: str | None = None) -> str:
    r"""Every proposition's table (:func:`proposition_latex`), parents first; empty for a flat case.

    Examples
    --------
    >>> import motives as mv
    >>> tex = propositions_latex(mv.examples.load("burglary"))
    >>> tex.count(r"\begin{table}"), propositions_latex(mv.examples.load("cookies"))
    (2, '')
    """
    return "\n".join(proposition_latex(case, pid, lens) for pid in case.proposition_order())


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
    r"""Structural problems of a LaTeX table (no LaTeX needed).

    Checks for unbalanced braces or environments, missing booktabs rules, unescaped specials, rows
    with the wrong number of cells.

    Returns
    -------
    list of str
        Empty when the table looks well formed.

    Examples
    --------
    >>> import motives as mv
    >>> tex = posterior_latex(mv.examples.load("cookies"))
    >>> check_latex(tex)
    []
    >>> check_latex(tex.replace(r"Credence \\", r"Credence 90% \\"))
    ["unescaped '%' in: & Prior & Credence 90% \\\\"]
    >>> check_latex(tex.replace(r"\midrule", ""))
    ['expected one \\midrule, found 0']
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
    body = text[text.find(r"\toprule") + 8 : text.find(r"\bottomrule")]
    for line in body.splitlines():
        line = line.strip()
        if not line.endswith(r"\\"):
            continue
        cells = len(re.findall(r"(?<!\\)&", line)) + 1
        if cells != ncols:
            problems.append(f"row has {cells} cells, the tabular has {ncols}: {line[:60]}")
        stripped = re.sub(r"\\cite\{[^}]*\}|\\label\{[^}]*\}|\$[^$]*\$", "", line)
        for ch in "%#_&^~":
            if re.search(
                rf"(?<!\\){re.escape(ch)}", stripped.replace("&", "") if ch != "&" else ""
            ):
                problems.append(f"unescaped '{ch}' in: {line[:60]}")
    return problems


def standalone_latex(*tables_tex: str) -> str:
    r"""A compilable LaTeX document holding the given tables.

    For checking them; references need BibTeX.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("cookies")
    >>> doc = standalone_latex(evidence_latex(case), posterior_latex(case))
    >>> print("\n".join(doc.splitlines()[:6]))
    \documentclass{article}
    \usepackage[T1]{fontenc}
    \usepackage{booktabs}
    \usepackage{array}
    \usepackage{longtable}
    \begin{document}
    >>> doc.count(r"\begin{table}"), doc.rstrip().endswith(r"\end{document}")
    (2, True)
    """
    return "\n".join(
        [
            r"\documentclass{article}",
            r"\usepackage[T1]{fontenc}",
            r"\usepackage{booktabs}",
            r"\usepackage{array}",
            r"\usepackage{longtable}",
            r"\begin{document}",
            *tables_tex,
            r"\end{document}",
            "",
        ]
    )
