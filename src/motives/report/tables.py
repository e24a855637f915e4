"""Evidence and posterior tables: DataFrames and Markdown."""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any

from motives.casebook import md_escape, proposition_frame, propositions_markdown
from motives.citations import Bibliography
from motives.conventions import (
    INTERVAL_MASS,
    RESOLUTION_NOTE,
    is_db_column,
    md_text,
    most_credible,
    number_text,
    parents_text,
)
from motives.escape import markdown_inline

if TYPE_CHECKING:
    import pandas as pd

    from motives.schema import Case


def target_label(case: Case, target: str) -> str:
    """Display label of a hypothesis or family id."""
    labels = {h.id: h.name for h in case.hypotheses} | {
        f.id: f.label or f.id for f in case.families
    }
    return labels.get(target, target)


def evidence_table(
    case: Case, lens: str | None = None, *, prior: Any = None, target: str | None = None
) -> pd.DataFrame:
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
        A structured case (with propositions) adds, after ``kind``,
        ``proposition`` (the one the item bears on; empty when it bears on the
        hypotheses) and ``given_state`` (P(E | state) per state); the
        hypothesis columns of such an item give what it implies alone,
        P(E | h) = sum over s of P(s | h) P(E | s), and ``decibans`` its
        weight of evidence alone. These items are not independent given h,
        so their decibans do not add up: the structured posterior combines
        them through their proposition.

    Examples
    --------
    >>> import motives as mv
    >>> t = evidence_table(mv.examples.load("cookies"))
    >>> list(t.columns)
    ['title', 'kind', 'issue_area', 'date', 'sources', 'footnotes', 'bowl1', 'bowl2', 'decibans',
    'fallback']
    >>> t.loc["vanilla", ["bowl1", "bowl2"]].tolist()
    [0.75, 0.5]
    >>> round(float(t.loc["vanilla", "decibans"]), 2)  # 10 log10(0.75 / 0.5), for bowl1
    1.76
    >>> t.attrs["target"]
    'bowl1'

    Each item of a structured case names its proposition:

    >>> t = evidence_table(mv.examples.load("burglary"))
    >>> t.loc["fibres_match", ["proposition", "given_state"]].tolist()
    ['at_scene', 'yes 0.50, no 0.10']
    >>> t.loc["fibres_match", ["suspect", "someone_else"]].astype(float).round(
    ...     2
    ... ).tolist()  # implied alone
    [0.42, 0.14]
    """
    import pandas as pd

    from motives.schema import LikelihoodItem
    from motives.sensitivity import case_target, weight_of_evidence

    lens = case.resolve_lens(lens)
    tgt = case_target(case, target, lens=lens, prior=prior)
    if case.structured:  # each item's weight alone: what it implies through its proposition(s)
        from motives.exact import independent_case

        woe_case = independent_case(case)
        implied = case.likelihood_table(lens)
    else:
        woe_case, implied = case, None
    woe = weight_of_evidence(woe_case, lens=lens, prior=prior).xs(
        (tgt.level, tgt.id), level=("level", "id")
    )
    rows = []
    for e in case.evidence:
        j, fell = case.judgement(e, lens)
        r: dict[str, Any] = {"evidence": e.id, "title": e.title, "kind": e.kind}
        if case.structured:
            r["proposition"] = "" if e.parents == ("hypotheses",) else parents_text(e.parents)
            r["given_state"] = (
                ""
                if not r["proposition"] or not isinstance(e, LikelihoodItem)
                else ", ".join(
                    f"{label} {j.values[s].mean:.2f}"
                    for s, label in zip(
                        case.parent_values(e.parents), case.parent_labels(e.parents), strict=True
                    )
                )
            )
        r |= {
            "issue_area": e.issue_area or "",
            "date": str(e.date) if e.date else "",
            "sources": list(e.sources),
            "footnotes": list(e.footnotes),
        }
        for h in case.hypothesis_ids:
            if not isinstance(e, LikelihoodItem):
                r[h] = float("nan")
            elif implied is not None:
                r[h] = float(implied.loc[e.id, h])
            else:
                r[h] = j.values[h].mean
        r["decibans"] = float(woe.loc[e.id, "decibans"])
        r["fallback"] = fell
        rows.append(r)
    df = pd.DataFrame(rows).set_index("evidence")
    df.attrs.update({"lens": lens, "target": tgt.id, "target_level": tgt.level})
    return df


def posterior_table(
    case: Case,
    lens: str | None = None,
    *,
    prior: Any = None,
    table: pd.DataFrame | None = None,
    families: bool | None = None,
) -> pd.DataFrame:
    """Credence per hypothesis (and family) with its prior.

    Also its interval, where the method gives one.

    ``table`` may be a fit's summary indexed by (level, id) with ``credence``,
    ``lower``, ``upper``; by default the exact posterior is used, which has no
    interval, so the table has no ``lower``/``upper`` columns. ``families``:
    whether to keep the family rows; by default only when some family groups
    two or more hypotheses (otherwise they repeat the hypothesis rows).

    Examples
    --------
    >>> import motives as mv
    >>> t = posterior_table(mv.examples.load("diagnostic_test"))
    >>> list(t.columns), list(t.index.get_level_values("level"))
    (['label', 'prior', 'credence'], ['hypothesis', 'hypothesis'])
    >>> t.loc[("hypothesis", "condition"), ["prior", "credence"]].round(4).tolist()
    [0.01, 0.0917]

    Families that group hypotheses get rows of their own:

    >>> case = mv.Case.model_validate(
    ...     {
    ...         "name": "grouped",
    ...         "hypotheses": [
    ...             {"id": "d4", "family": "small"},
    ...             {"id": "d6", "family": "small"},
    ...             {"id": "d20", "family": "large"},
    ...         ],
    ...     }
    ... )
    >>> posterior_table(case).index.tolist()[3:]
    [('family', 'small'), ('family', 'large')]
    """
    from motives.conventions import families_group
    from motives.exact import exact_posterior

    t = exact_posterior(case, lens, prior) if table is None else table.copy()
    if "label" not in t.columns:
        labels = {h.id: h.name for h in case.hypotheses} | {
            f.id: f.label or f.id for f in case.families
        }
        t["label"] = [labels.get(i, i) for i in t.index.get_level_values("id")]
    if "prior" not in t.columns:
        t["prior"] = float("nan")
    if not (families_group(t) if families is None else families):
        t = t[t.index.get_level_values("level") != "family"]
    cols = ["label", "prior", "credence"] + (
        ["lower", "upper"] if {"lower", "upper"} <= set(t.columns) else []
    )
    out = t[cols]
    out.attrs.update(t.attrs)
    return out


_PLURAL = {"hypothesis": "hypotheses", "family": "families"}


def most_credible_rows(
    t: pd.DataFrame, credence: pd.Series | None = None
) -> tuple[pd.DataFrame, str]:
    """The rows of a table a report shows, and a sentence on those left out ("" when none are).

    At each level (the index level ``level`` if there is one; else the whole index) every row, or,
    when there are more than :data:`motives.conventions.MANY_ROWS`, the
    :data:`motives.conventions.SHOWN_ROWS` most credible, in their own order: the rule of ``motives
    posterior``. ``credence`` is indexed like the rows' ids (default: the table's own ``credence``
    column).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame(
    ...     {"credence": [i / 1275 for i in range(51)]},
    ...     index=pd.Index([f"p{i}" for i in range(51)], name="hypothesis"),
    ... )
    >>> shown, note = most_credible_rows(t)
    >>> len(shown), shown.index[0]
    (20, 'p31')
    >>> note
    'Only the 20 most credible of 51 hypotheses are shown; the other 31 (together credence 0.365)
    are left out.'
    >>> most_credible_rows(t.head(3))[1]
    ''
    """
    import numpy as np

    levels = (
        t.index.get_level_values("level")
        if "level" in (t.index.names or [])
        else np.full(len(t), t.index.name or "row", dtype=object)
    )
    ids = t.index.get_level_values("id") if "level" in (t.index.names or []) else t.index
    keep = np.ones(len(t), dtype=bool)
    notes = []
    for lv in dict.fromkeys(levels):
        at = np.flatnonzero(levels == lv)
        cred = (
            t["credence"].iloc[at].to_numpy()
            if credence is None
            else credence.reindex(ids[at]).to_numpy()
        )
        shown = set(most_credible(dict(enumerate(cred))))
        if len(shown) == len(at):
            continue
        rest = [k for k in range(len(at)) if k not in shown]
        keep[at[rest]] = False
        notes.append(
            f"Only the {len(shown)} most credible of {len(at)} {_PLURAL.get(lv, lv + 's')} are "
            "shown; the "
            f"other {len(rest)} (together credence "
            f"{number_text(float(np.nansum(cred[rest])), 3)}) are left out."
        )
    return t[keep], " ".join(notes)


def to_markdown(df: pd.DataFrame, *, digits: int = 2, index: bool = True) -> str:
    r"""A DataFrame as a GitHub-flavoured Markdown table (pipes escaped, numbers to ``digits``).

    Numbers below the engine's resolution print as 0: :data:`motives.conventions.DB_RESOLUTION` in
    columns of decibans (``decibans``, ``*_db``, ``db_*``),
    :data:`motives.conventions.PROB_RESOLUTION`
    elsewhere.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame(
    ...     {"p": [0.75, 1 / 3], "note": ["vanilla | chocolate", ""]},
    ...     index=pd.Index(["bowl1", "bowl2"], name="hypothesis"),
    ... )
    >>> print(to_markdown(df))
    | hypothesis | p | note |
    | --- | --- | --- |
    | bowl1 | 0.75 | vanilla \| chocolate |
    | bowl2 | 0.33 |  |
    >>> print(to_markdown(df[["p"]], digits=3, index=False))
    | p |
    | --- |
    | 0.750 |
    | 0.333 |
    >>> print(
    ...     to_markdown(
    ...         pd.DataFrame({"swing_db": [1.9e-15, 2e-6], "p": [3e-13, 3e-10]}), index=False
    ...     )
    ... )
    | swing_db | p |
    | --- | --- |
    | 0.00 | 0.00 |
    | 2e-06 | 3e-10 |
    """

    def cell(x: Any, db: bool = False) -> str:
        if isinstance(x, numbers.Real) and not isinstance(x, bool):
            return number_text(x, digits, db=db)
        # user text: no HTML, links or emphasis reach the reader; a table cell holds inline content
        # only, so a leading number or # cannot start a block there and is left as typed ("0.8", not
        # "0\\.8")
        return markdown_inline(number_text(x, digits))

    cols = ([*(df.index.names if df.index.names != [None] else ["index"])] if index else []) + [
        str(c) for c in df.columns
    ]
    dbs = [is_db_column(c) for c in df.columns]
    lines = [
        "| " + " | ".join(markdown_inline(c) for c in cols) + " |",
        "| " + " | ".join("---" for _ in cols) + " |",
    ]
    # itertuples keeps each column's type (iterrows makes a row of ints and floats all floats: a
    # count read "3.0000")
    for idx, row in zip(df.index, df.itertuples(index=False, name=None), strict=True):
        head = [cell(i) for i in (idx if isinstance(idx, tuple) else (idx,))] if index else []
        lines.append(
            "| " + " | ".join(head + [cell(v, db) for v, db in zip(row, dbs, strict=True)]) + " |"
        )
    return "\n".join(lines) + "\n"


def evidence_markdown(
    case: Case,
    lens: str | None = None,
    *,
    prior: Any = None,
    note: bool = True,
    target: str | None = None,
) -> str:
    """The evidence table as Markdown, with a caption line stating the lens and the unit.

    Unless ``note=False`` (a document that states it once), a last line states the engine's
    resolution. ``target`` (a hypothesis or family) is what the decibans are for, default the
    leading family: a report analysed for a target passes it, so that the table and the figures give
    each item the same sign.

    Examples
    --------
    >>> import motives as mv
    >>> print(evidence_markdown(mv.examples.load("cookies")))
    Evidence under lens `default`: likelihood P(E | h) per hypothesis (means); decibans = weight of
    evidence
    for bowl1 against the rest (rest weighted by the prior).
    <BLANKLINE>
    | evidence | title | issue_area | date | sources | footnotes | bowl1 | bowl2 | decibans |
    | --- | --- | --- | --- | --- | --- | --- | --- | --- |
    | vanilla | A vanilla cookie was drawn |  |  |  |  | 0.75 | 0.50 | 1.76 |
    <BLANKLINE>
    Values smaller in magnitude than the engine's resolution (1e-12 for probabilities, 1e-9 dB for
    weights of
    evidence and log-odds) are printed as 0.
    """
    t = evidence_table(case, lens, prior=prior, target=target)
    shown = t.drop(columns=["kind", "fallback"])
    bib = Bibliography(
        case.references
    )  # sources as in-text citations; the report lists the references
    shown["sources"] = [bib.cite(keys) for keys in shown["sources"]]
    cap = (
        f"Evidence under lens `{t.attrs['lens']}`: likelihood P(E | h) per hypothesis (means); "
        f"decibans = weight of evidence for {md_text(target_label(case, t.attrs['target']))} "
        "against the rest (rest weighted by the prior)."
    )
    if case.structured:
        cap += (
            " An item under a proposition is rated P(E | state) (`given_state`); its hypothesis "
            "columns give what it implies alone through its proposition, and its decibans its "
            "weight alone. Items under one proposition are not independent given h, so their "
            "decibans do not add up: the structured posterior combines them through the "
            "proposition."
        )
    fb = [i for i, f in t["fallback"].items() if f]
    if fb:
        cap += f" Items this lens does not rate use the default lens: {', '.join(fb)}."
    return cap + "\n\n" + to_markdown(shown) + ("\n" + RESOLUTION_NOTE + "\n" if note else "")


def posterior_markdown(
    case: Case,
    lens: str | None = None,
    *,
    prior: Any = None,
    method: str = "exact",
    table: pd.DataFrame | None = None,
    families: bool | None = None,
    note: bool = True,
    all_rows: bool = True,
) -> str:
    """The posterior table as Markdown, stating method, lens and interval mass.

    The interval mass is stated where there are intervals.

    Unless ``note=False`` (a document that states it once), a last line states the engine's
    resolution. ``all_rows=False`` keeps, at a level with many rows, only the most credible
    (:func:`most_credible_rows`) and says how many are left out.

    Examples
    --------
    >>> import motives as mv
    >>> print(posterior_markdown(mv.examples.load("monty_hall")))
    Credence per hypothesis (exact, lens `default`; the exact method has no interval).
    <BLANKLINE>
    | level | id | label | prior | credence |
    | --- | --- | --- | --- | --- |
    | hypothesis | door_a | door_a | 0.333 | 0.333 |
    | hypothesis | door_b | door_b | 0.333 | 0.000 |
    | hypothesis | door_c | door_c | 0.333 | 0.667 |
    <BLANKLINE>
    Values smaller in magnitude than the engine's resolution (1e-12 for probabilities, 1e-9 dB for
    weights of
    evidence and log-odds) are printed as 0.
    """
    t = posterior_table(case, lens, prior=prior, table=table, families=families)
    fam = "family" in set(t.index.get_level_values("level"))
    what = "hypothesis and family" if fam else "hypothesis"
    how = (
        f"lower/upper bound a {INTERVAL_MASS:.0%} central interval"
        if "lower" in t.columns
        else f"the {method} method has no interval"
        if method == "exact"
        else "no interval given"
    )
    cap = f"Credence per {what} ({method}, lens `{case.resolve_lens(lens)}`; {how})."
    left_out = ""
    if not all_rows:
        t, left_out = most_credible_rows(t)
    return (
        cap
        + "\n\n"
        + to_markdown(t, digits=3)
        + ("\n" + left_out + "\n" if left_out else "")
        + ("\n" + RESOLUTION_NOTE + "\n" if note else "")
    )


__all__ = [
    "evidence_markdown",
    "evidence_table",
    "md_escape",
    "most_credible_rows",
    "posterior_markdown",
    "posterior_table",
    "proposition_frame",
    "propositions_markdown",
    "to_markdown",
]
