"""The verdict in words: a short paragraph generated from the analyses, for a brief or a results section.

Every number and every name in the text is read from an analysis object
(:func:`motives.exact_posterior`, :mod:`motives.sensitivity`); the sentences
only join them. Change the case and the text changes with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from motives.schema import Case


@dataclass
class Explanation:
    """What :func:`explain` found, and its text in Markdown and LaTeX.

    Attributes
    ----------
    facts
        The values the text is built from (leader, credences, top items, flips, lenses, conflicts, discount).
    sentences
        One entry per sentence, as (Markdown, LaTeX).
    """

    facts: dict[str, Any] = field(default_factory=dict)
    sentences: list[tuple[str, str]] = field(default_factory=list)

    @property
    def markdown(self) -> str:
        """The paragraph in Markdown."""
        return " ".join(m for m, _ in self.sentences)

    @property
    def latex(self) -> str:
        """The paragraph in LaTeX (user text escaped)."""
        return " ".join(t for _, t in self.sentences)

    def __str__(self) -> str:
        return self.markdown

    def _repr_markdown_(self) -> str:
        return self.markdown


def _slice(df: Any, level: str, target: str, column: str) -> Any:
    """One target's column of a (evidence, level, id)-indexed analysis table; empty when it has no rows."""
    import pandas as pd

    if not len(df) or column not in df:
        return pd.Series(dtype=float)
    return df.xs((level, target), level=["level", "id"])[column].astype(float)


def _pct(x: float) -> str:
    if x >= 0.9995 or x <= 0.0005:
        return f"{x:.2e}" if x <= 0.0005 else f"1 − {1 - x:.1e}"
    return f"{100 * x:.1f}%"


def _odds(x: float) -> str:
    if x >= 100:
        return f"{x:,.0f} to 1"
    return f"{x:.1f} to 1"


def explain(case: Case, lens: str | None = None, *, prior: Any = None, reliability: bool = True,
            top: int = 3) -> Explanation:
    """A paragraph of plain English on what the verdict rests on, generated from the analyses.

    It says which family and hypothesis lead and by how much; which two or
    three items (or propositions) carry most of the weight; what it would take
    to flip the verdict (leave-one-out, break-even); where the lenses disagree
    (the cruxes); which items conflict with the rest; and how far the answer
    depends on treating the evidence as independent (the evidence discount,
    and for a structured case the posterior without the structure).

    Parameters
    ----------
    case, lens, prior, reliability
        As for :func:`motives.exact_posterior`.
    top
        How many items to name as carrying the weight.

    Returns
    -------
    Explanation
        ``.markdown`` and ``.latex`` hold the paragraph, ``.facts`` the values it states.

    Examples
    --------
    >>> import motives as mv
    >>> text = explain(mv.examples.load("two_lenses"))
    >>> text.facts["leader"], round(text.facts["leader_credence"], 3)
    ('h1', 0.8)
    >>> "disputed" in text.markdown
    True
    """
    from motives import sensitivity as S
    from motives.conventions import md_text
    from motives.exact import exact_posterior
    from motives.report.latex import latex_escape as esc
    from motives.sensitivity.conflict import conflict

    lens = case.resolve_lens(lens)
    ex = Explanation()
    post = exact_posterior(case, lens, prior, reliability=reliability)
    hyp = post.xs("hypothesis")["credence"]
    fam = post.xs("family")["credence"]
    grouped = len(fam) < len(hyp)
    names = ({f: f for f in case.family_ids} | {h.id: h.name for h in case.hypotheses}
             | {f.id: f.label or f.id for f in case.families})
    mn = {k: md_text(v) for k, v in names.items()}  # user text as Markdown that renders as typed
    lead_h = str(hyp.idxmax())
    if grouped:  # the leading hypothesis within the leading family
        lead_f0 = str(fam.idxmax())
        inside = [h.id for h in case.hypotheses if h.family_id == lead_f0]
        lead_h = str(hyp[inside].idxmax())
    pool_ids = ([h.id for h in case.hypotheses if h.family_id == str(fam.idxmax())] if grouped else list(hyp.index))
    rest = hyp[[h for h in pool_ids if h != lead_h]] if len(pool_ids) > 1 else hyp.drop(lead_h)
    second_h = str(rest.idxmax())
    ex.facts.update(leader=lead_h, leader_credence=float(hyp[lead_h]), runner_up=second_h,
                    runner_up_credence=float(hyp[second_h]))
    lens_name = next((ln.name or ln.id for ln in case.lenses if ln.id == lens), lens)
    under_m = f"Under the lens *{md_text(lens_name)}*, " if len(case.lens_ids) > 1 else ""
    under_t = f"Under the lens \\emph{{{esc(lens_name)}}}, " if len(case.lens_ids) > 1 else ""
    odds = float(hyp[lead_h] / hyp[second_h]) if hyp[second_h] > 0 else float("inf")
    if grouped:
        lead_f = str(fam.idxmax())
        ex.facts.update(leading_family=lead_f, family_credence=float(fam[lead_f]))
        tied = abs(float(hyp[lead_h]) - float(hyp[second_h])) <= 1e-9
        within_m = (f"{mn[lead_h]} and {mn[second_h]} share the lead ({_pct(hyp[lead_h])} each)" if tied else
                    f"{mn[lead_h]} leads ({_pct(hyp[lead_h])}), {_odds(odds)} against the runner-up, "
                    f"{mn[second_h]}")
        within_t = (f"{esc(names[lead_h])} and {esc(names[second_h])} share the lead ({esc(_pct(hyp[lead_h]))} each)"
                    if tied else f"{esc(names[lead_h])} leads ({esc(_pct(hyp[lead_h]))}), {esc(_odds(odds))} against "
                    f"the runner-up, {esc(names[second_h])}")
        top_h = str(hyp.idxmax())
        if top_h not in [h.id for h in case.hypotheses if h.family_id == lead_f]:
            within_m += f"; the single most credible account is outside it: {mn[top_h]} ({_pct(hyp[top_h])})"
            within_t += f"; the single most credible account is outside it: {esc(names[top_h])} ({esc(_pct(hyp[top_h]))})"
        m = (f"{under_m}the evidence favours the {mn[lead_f]} family (credence "
             f"{_pct(fam[lead_f])}); within it, {within_m}.")
        t = (f"{under_t}the evidence favours the {esc(names[lead_f])} family "
             f"(credence {esc(_pct(fam[lead_f]))}); within it, {within_t}.")
    else:
        m = (f"{under_m}{mn[lead_h]} leads with credence {_pct(hyp[lead_h])}, "
             f"{_odds(odds)} against the runner-up, {mn[second_h]}.")
        t = (f"{under_t}{esc(names[lead_h])} leads with credence "
             f"{esc(_pct(hyp[lead_h]))}, {esc(_odds(odds))} against the runner-up, {esc(names[second_h])}.")
    if m.startswith("the evidence"):
        m, t = "T" + m[1:], "T" + t[1:]
    ex.sentences.append((m, t))

    # what carries the weight: weight of evidence for the leading target against the rest
    target_level, target = ("family", ex.facts["leading_family"]) if grouped else ("hypothesis", lead_h)
    woe = S.weight_of_evidence(case, lens=lens, prior=prior)
    col = _slice(woe, target_level, target, "decibans")
    col = col[np.isfinite(col)]
    pos = col[col > 0].sort_values(ascending=False).head(top)
    neg = col[col < 0].sort_values().head(1)
    ex.facts.update(carriers=list(pos.index), carrier_db=[float(x) for x in pos], strongest_against=list(neg.index))
    titles = {e.id: e.title for e in case.evidence} | {p.id: p.title for p in case.propositions}
    mt = {k: md_text(v) for k, v in titles.items()}
    if case.propositions:  # the facts first: each proposition's weight against its cap
        pw = S.proposition_weight(case, lens=lens, prior=prior)
        pw = pw[pw["kind"] == "proposition"]
        props = pw.xs((target_level, target), level=["level", "id"]) if len(pw) else pw
        props = props[props["decibans"] > 0].sort_values("decibans", ascending=False).head(top)
        ex.facts["carrying_propositions"] = list(props.index)
        if len(props):
            lst_m = "; ".join(f"{mt.get(i, i)} ({i}, {r['decibans']:+.1f} dB of a cap of {r['cap_db']:.1f} dB)"
                              for i, r in props.iterrows())
            lst_t = "; ".join(f"{esc(titles.get(i, i))} ({esc(i)}, {r['decibans']:+.1f}\\,dB of a cap of "
                              f"{r['cap_db']:.1f}\\,dB)" for i, r in props.iterrows())
            ex.sentences.append((f"Among the facts the items bear on, the verdict rests most on {lst_m}.",
                                 f"Among the facts the items bear on, the verdict rests most on {lst_t}."))
    if len(pos):
        lst_m = "; ".join(f"{mt.get(i, i)} ({i}, {v:+.1f} dB)" for i, v in pos.items())
        lst_t = "; ".join(f"{esc(titles.get(i, i))} ({esc(i)}, {v:+.1f}\\,dB)" for i, v in pos.items())
        lead_in = "Of the items, the heaviest for it are" if case.propositions else "The verdict rests most on"
        m = f"{lead_in} {lst_m}."
        t = f"{lead_in} {lst_t}."
        if len(neg):
            i, v = next(iter(neg.items()))
            m += f" The strongest item against it is {mt.get(i, i)} ({i}, {v:+.1f} dB)."
            t += f" The strongest item against it is {esc(titles.get(i, i))} ({esc(i)}, {v:+.1f}\\,dB)."
        ex.sentences.append((m, t))

    # what it would take to flip: leave one out, then break-even
    loo = S.leave_one_out(case, lens=lens, prior=prior, reliability=reliability)
    without = _slice(loo, target_level, target, "credence_without")
    others = [x for x in (fam.index if grouped else hyp.index) if x != target]
    flips = []
    for item in without.index:
        rival = max(float(loo.loc[(item, target_level, o), "credence_without"]) for o in others) if others else 0.0
        if float(without[item]) < rival:
            flips.append(item)
    ex.facts["single_item_flips"] = flips
    be = S.break_even(case, lens=lens, target=target, prior=prior, reliability=reliability)
    reach = be[be["reachable"].astype(bool) & np.isfinite(be["factor_db"].astype(float))] if len(be) else be
    if len(reach):
        easiest = reach["factor_db"].abs().idxmin()
        f_db = float(reach.loc[easiest, "factor_db"])
        ex.facts.update(easiest_flip=str(easiest), easiest_flip_db=f_db)
    if not len(without):
        m = t = ""
    elif flips:
        which = "any one of " if len(flips) > 1 else ""
        m = f"Leaving out {which}{', '.join(flips)} alone would change the leader."
        t = f"Leaving out {which}{', '.join(esc(f) for f in flips)} alone would change the leader."
    else:
        m, t = "No single item, left out, changes the leader.", "No single item, left out, changes the leader."
    if "easiest_flip" in ex.facts:
        i, f_db = ex.facts["easiest_flip"], ex.facts["easiest_flip_db"]
        m += (f" The nearest flip by one judgement: {mt.get(i, i)} ({i}) would have to move its likelihood "
              f"ratio by {abs(f_db):.1f} dB (a factor of {10 ** (abs(f_db) / 10):,.3g}).")
        t += (f" The nearest flip by one judgement: {esc(titles.get(i, i))} ({esc(i)}) would have to move its "
              f"likelihood ratio by {abs(f_db):.1f}\\,dB (a factor of {esc(f'{10 ** (abs(f_db) / 10):,.3g}')}).")
    elif len(be):
        m += " No single judgement can flip it."
        t += " No single judgement can flip it."
    if m:
        ex.sentences.append((m.strip(), t.strip()))

    # lenses
    if len(case.lens_ids) > 1:
        comp = S.lens_comparison(case, prior=prior, reliability=reliability)
        lvl = "family" if grouped else "hypothesis"
        leaders = {}
        for a in case.lens_ids:
            cred = comp.xs((a, lvl), level=["lens", "level"])["credence"].sort_values(ascending=False)
            tied = len(cred) > 1 and abs(float(cred.iloc[0]) - float(cred.iloc[1])) <= 1e-9
            leaders[a] = None if tied else str(cred.index[0])
        ex.facts["lens_leaders"] = leaders
        dissent = {a: w for a, w in leaders.items() if w != leaders[lens]}
        if dissent:
            cx = S.cruxes(case, lens=lens, target=target, prior=prior, reliability=reliability)
            order = cx["disagreement"].abs().sort_values(ascending=False)
            a0 = next(iter(dissent))
            crux_items = [i for (ln, i) in order.index if ln == a0][:2]
            ex.facts["cruxes"] = crux_items
            lname = next((ln.name or ln.id for ln in case.lenses if ln.id == a0), a0)
            verdict = f"it favours {mn[dissent[a0]]}" if dissent[a0] else "it leaves the leading hypotheses tied"
            m = (f"The lens *{md_text(lname)}* disagrees: {verdict}, mainly because it reads "
                 f"{' and '.join(crux_items)} differently.")
            t = (f"The lens \\emph{{{esc(lname)}}} disagrees: {esc(verdict)}, mainly because it "
                 f"reads {' and '.join(esc(c) for c in crux_items)} differently.")
        else:
            m = t = f"All {len(case.lens_ids)} lenses agree on the leader."
        ex.sentences.append((m, t))

    # conflict
    conf = conflict(case, lens=lens, prior=prior, reliability=reliability)
    flagged = conf[conf["flag"] & (conf.index.get_level_values("kind") != "case")]
    flagged = flagged.sort_values("conflict_db", ascending=False)
    ex.facts["conflicts"] = [i for _, i in flagged.index]
    if len(flagged):
        lst = ", ".join(f"{i} ({v:.1f} dB)" for (_, i), v in flagged["conflict_db"].items())
        m = (f"Conflict check: {lst} {'is' if len(flagged) == 1 else 'are'} much less probable given the rest of "
             "the evidence than a priori — check the encoding, or whether a hypothesis is missing.")
        t = (f"Conflict check: {esc(lst)} {'is' if len(flagged) == 1 else 'are'} much less probable given the rest "
             "of the evidence than a priori --- check the encoding, or whether a hypothesis is missing.")
        ex.sentences.append((m, t))

    # independence
    disc = S.evidence_discount(case, lens=lens, prior=prior, reliability=reliability)
    g95 = disc.attrs.get("gamma_for", {}).get(0.95)
    n_diag = disc.attrs.get("diagnostic_items")
    if g95 is not None and np.isfinite(g95) and n_diag:
        ex.facts.update(discount_gamma_95=float(g95), discount_items=float(g95 * n_diag))
        m = (f"The leader keeps 95% credence as long as the {n_diag} diagnostic items are worth at least "
             f"{g95 * n_diag:.1f} independent ones (every weight scaled by {g95:.2f}).")
        t = m
        ex.sentences.append((m, t))
    if case.propositions:
        flat = exact_posterior(case, lens, prior, reliability=reliability, structure=False)
        fc = float((flat.xs("family") if grouped else flat.xs("hypothesis"))["credence"][target])
        sc = float((fam if grouped else hyp)[target])
        ex.facts.update(independent_credence=fc, structured_credence=sc)
        m = (f"Counting every item as independent would give {mn[target]} {_pct(fc)} instead of {_pct(sc)}: "
             "the propositions keep items that share a cause from counting more than that cause.")
        t = (f"Counting every item as independent would give {esc(names[target])} {esc(_pct(fc))} instead of "
             f"{esc(_pct(sc))}: the propositions keep items that share a cause from counting more than that cause.")
        ex.sentences.append((m, t))
    return ex
