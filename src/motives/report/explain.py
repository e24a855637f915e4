"""The verdict in words.

A short paragraph generated from the analyses, for a brief or a results section.

Every sentence that states a number or a direction is generated from a
:class:`Claim` (what, of which, which number, compared with what), read from
the same tables the report and its figures show (:func:`motives.exact_posterior`,
:mod:`motives.sensitivity`); the sentences only join them, and a test checks
every claim against the tables. "The posterior favours X" speaks of the
posterior credences; "the evidence favours X" of the Bayes factor against the
rest, which the prior does not enter -- the two can name different accounts.
A claim that would say nothing (a number compared with itself) is not made.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from motives.schema import Case


@dataclass(frozen=True)
class Claim:
    """One statement of the text about a number.

    What is claimed, of which, the number, compared with what.

    Attributes
    ----------
    what
        The kind of claim: ``posterior_leader``, ``leader_within``, ``evidence_favours``,
        ``carries``, ``against``, ``proposition_carries``, ``loo_flips``, ``no_loo_flip``,
        ``nearest_flip``, ``no_flip``, ``lens_disagrees``, ``lenses_agree``, ``conflict``,
        ``discount``, ``independent``.
    subject
        The id it is about (hypothesis, family, item, proposition, judgement, lens).
    value
        The number stated (a credence, a Bayes factor, decibans, a factor, ...); NaN when none.
    compared_with
        What the number is compared with (a rival's id, ``rest``), if anything.
    other
        The number it is compared with; NaN when none.
    table
        The table both come from (a :func:`motives.sensitivity.run_all` name).
    detail
        Anything else the sentence states (the judgement's kind, the level reached).
    """

    what: str
    subject: str
    value: float = float("nan")
    compared_with: str = ""
    other: float = float("nan")
    table: str = ""
    detail: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass
class Explanation:
    """What :func:`explain` found, and its text in Markdown and LaTeX.

    Attributes
    ----------
    facts
        The values the text is built from (leader, credences, top items, flips, lenses, conflicts,
        discount).
    claims
        Every statement of the text about a number or a direction, as :class:`Claim`.
    sentences
        One entry per sentence, as (Markdown, LaTeX).
    """

    facts: dict[str, Any] = field(default_factory=dict)
    claims: list[Claim] = field(default_factory=list)
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
    """One target's column of a (evidence, level, id)-indexed analysis table.

    Empty when it has no rows.
    """
    import pandas as pd

    if not len(df) or column not in df:
        return pd.Series(dtype=float)
    return df.xs((level, target), level=["level", "id"])[column].astype(float)


def _pct(x: float) -> str:
    if x >= 0.9995 or x <= 0.0005:
        return f"{x:.2e}" if x <= 0.0005 else f"1 − {1 - x:.1e}"
    return f"{100 * x:.1f}%"


def _num(x: float) -> str:
    """A positive number for prose.

    Three significant digits, scientific notation when very small or large.
    """
    if not np.isfinite(x):
        return "infinite" if x > 0 else "undefined"
    if x != 0 and (abs(x) < 1e-3 or abs(x) >= 1e5):
        return f"{x:.2e}"
    return f"{x:,.3g}"


def _prob(x: float) -> str:
    """A probability judgement: its digits in full up to 6 significant, scientific below 1e-3."""
    return f"{x:.3g}" if 0 < x < 1e-3 else f"{x:.6g}"


def _odds(x: float | str) -> str:
    if isinstance(x, str):  # already words (odds past float64)
        return x
    if (
        1e15 <= x < float("inf")
    ):  # beyond the digits a double holds: the power of ten, not 300 digits
        return f"about 10^{math.log10(x):.0f} to 1"
    if x >= 100:
        return f"{x:,.0f} to 1"
    return f"{x:.1f} to 1"


def _against(case: Case, woe: Any, pw: Any, level: str, tgt: str, *, top: int) -> list[Claim]:
    """Claims ``against``.

    The items and observed or reported facts of most negative weight for the target.

    An item's weight is :func:`motives.sensitivity.weight_of_evidence`'s; a fact's (observed, or
    with items bearing on it directly) is :func:`motives.sensitivity.proposition_weight`'s. A fact
    whose weight only passes on what lies below it (neither observed nor reported) is not named: the
    finding below it is. ``favours`` is the rival with the largest weight of that finding against
    its own rest, named only when that weight is positive.
    """
    rows: list[tuple[float, str, str, Any]] = []
    col = _slice(woe, level, tgt, "decibans")
    for i, v in col[np.isfinite(col)].items():
        rows.append((float(v), str(i), "weight_of_evidence", woe.xs(i, level="evidence")))
    if pw is not None and len(pw):
        props = {p.id: p for p in case.propositions}
        reported = {q for e in case.evidence for q in (e.parents or ())}
        facts = pw[pw["kind"] == "proposition"]
        for node in dict.fromkeys(facts.index.get_level_values("node")):
            p = props.get(str(node))
            sub = facts.xs(node, level="node")
            if p is None or (p.observed is None and p.id not in reported):
                continue
            if (level, tgt) in sub.index:
                v = float(sub.loc[(level, tgt), "decibans"])
                if np.isfinite(v):
                    rows.append((v, str(node), "proposition_weight", sub))
    out = []
    for v, i, table, sub in sorted(rows, key=lambda r: r[0])[:top]:
        if not round(v, 1) < 0:
            break
        others = sub.xs(level, level="level")["decibans"].astype(float).drop(tgt, errors="ignore")
        others = others[np.isfinite(others)]
        fav = str(others.idxmax()) if len(others) and float(others.max()) > 0 else ""
        obs = next(
            (p.observed for p in case.propositions if p.id == i and p.observed is not None), None
        )
        out.append(
            Claim(
                "against",
                i,
                v,
                tgt,
                float(others.max()) if fav else float("nan"),
                table,
                {"level": level, "favours": fav, **({"observed": obs} if obs is not None else {})},
            )
        )
    return out


# C901: the verdict's claims in reading order; to split per claim
def explain(  # noqa: C901
    case: Case,
    lens: str | None = None,
    *,
    prior: Any = None,
    reliability: bool = True,
    top: int = 3,
    target: str | None = None,
) -> Explanation:
    """A paragraph of plain English on what the verdict rests on.

    It is generated from claims on the analyses.

    It says which family and hypothesis the posterior favours and by how much;
    which account the evidence favours (the largest Bayes factor against the
    rest: the prior does not enter it, so it may differ from the posterior's
    leader); which two or three items (or propositions) carry most of the
    weight; what it would take to flip the verdict (leave-one-out, and
    break-even over every judgement: items, tables, source reliabilities, base
    rates, the prior); where the lenses disagree (the cruxes); which items
    conflict with the rest; and how far the answer depends on treating the
    evidence as independent (the evidence discount, and for a structured case
    the posterior without the structure). Each such sentence is made from a
    :class:`Claim` in ``.claims``; a claim that would say nothing is left out.

    Parameters
    ----------
    case, lens, prior, reliability
        As for :func:`motives.exact_posterior`.
    top
        How many items to name as carrying the weight.
    target
        The hypothesis or family the target-centred claims are about (weights, flips, discount);
        default the leading family, as in :func:`motives.sensitivity.run_all`.

    Returns
    -------
    Explanation
        ``.markdown`` and ``.latex`` hold the paragraph, ``.claims`` its claims, ``.facts`` the
        values it states.

    Examples
    --------
    >>> import motives as mv
    >>> text = explain(mv.examples.load("two_lenses"))
    >>> text.facts["leader"], round(text.facts["leader_credence"], 3)
    ('h1', 0.8)
    >>> "disputed" in text.markdown
    True

    On Pearl's alarm the evidence favours a burglary while the prior keeps "no burglary" ahead:

    >>> text = explain(mv.examples.load("alarm"))
    >>> [(c.what, c.subject, round(c.value, 3)) for c in text.claims[:2]]
    [('posterior_leader', 'no_burglary', 0.716), ('evidence_favours', 'burglary', 396.586)]
    """
    from motives import sensitivity as S
    from motives.conventions import md_text
    from motives.exact import exact_posterior
    from motives.report.latex import latex_escape as esc
    from motives.sensitivity.conflict import conflict

    lens = case.resolve_lens(lens)
    ex = Explanation()

    def say(m: str, t: str | None = None) -> None:
        ex.sentences.append((m, m if t is None else t))

    post = exact_posterior(case, lens, prior, reliability=reliability)
    hyp = post.xs("hypothesis")["credence"]
    fam = post.xs("family")["credence"]
    grouped = (
        1 < len(fam) < len(hyp)
    )  # one family holding every hypothesis says nothing: read as ungrouped
    names = (
        {f: f for f in case.family_ids}
        | {h.id: h.name for h in case.hypotheses}
        | {f.id: f.label or f.id for f in case.families}
    )
    mn = {k: md_text(v) for k, v in names.items()}  # user text as Markdown that renders as typed
    lead_h = str(hyp.idxmax())
    if grouped:  # the leading hypothesis within the leading family
        lead_f0 = str(fam.idxmax())
        inside = [h.id for h in case.hypotheses if h.family_id == lead_f0]
        lead_h = str(hyp[inside].idxmax())
    pool_ids = (
        [h.id for h in case.hypotheses if h.family_id == str(fam.idxmax())]
        if grouped
        else list(hyp.index)
    )
    rest = hyp[[h for h in pool_ids if h != lead_h]] if len(pool_ids) > 1 else hyp.drop(lead_h)
    second_h = str(rest.idxmax())
    ex.facts.update(
        leader=lead_h,
        leader_credence=float(hyp[lead_h]),
        runner_up=second_h,
        runner_up_credence=float(hyp[second_h]),
    )
    lens_name = next((ln.name or ln.id for ln in case.lenses if ln.id == lens), lens)
    under_m = f"Under the lens *{md_text(lens_name)}*, " if len(case.lens_ids) > 1 else ""
    under_t = f"Under the lens \\emph{{{esc(lens_name)}}}, " if len(case.lens_ids) > 1 else ""
    odds: float | str = float("inf")
    if (
        hyp[second_h] > 0
    ):  # a ratio past float64 (a runner-up below 1e-308 or so) is said as a power of ten
        log10_odds = math.log10(float(hyp[lead_h])) - math.log10(float(hyp[second_h]))
        odds = (
            float(hyp[lead_h]) / float(hyp[second_h])
            if log10_odds < 300
            else f"about 10^{log10_odds:.0f} to 1"
        )
    level = "family" if grouped else "hypothesis"
    cred = fam if grouped else hyp

    # 1. the posterior: who leads, against whom
    if grouped:
        lead_f = str(fam.idxmax())
        others_f = fam.drop(lead_f)
        ex.facts.update(leading_family=lead_f, family_credence=float(fam[lead_f]))
        ex.claims.append(
            Claim(
                "posterior_leader",
                lead_f,
                float(fam[lead_f]),
                str(others_f.idxmax()),
                float(others_f.max()),
                "posterior",
                {"level": "family"},
            )
        )
        ex.claims.append(
            Claim(
                "leader_within",
                lead_h,
                float(hyp[lead_h]),
                second_h,
                float(hyp[second_h]),
                "posterior",
                {"level": "hypothesis", "family": lead_f},
            )
        )
        tied = abs(float(hyp[lead_h]) - float(hyp[second_h])) <= 1e-9
        within_m = (
            f"{mn[lead_h]} and {mn[second_h]} share the lead ({_pct(hyp[lead_h])} each)"
            if tied
            else f"{mn[lead_h]} leads ({_pct(hyp[lead_h])}), {_odds(odds)} against the runner-up, "
            f"{mn[second_h]}"
        )
        within_t = (
            f"{esc(names[lead_h])} and {esc(names[second_h])} share the lead "
            f"({esc(_pct(hyp[lead_h]))} each)"
            if tied
            else f"{esc(names[lead_h])} leads ({esc(_pct(hyp[lead_h]))}), {esc(_odds(odds))} "
            "against "
            f"the runner-up, {esc(names[second_h])}"
        )
        top_h = str(hyp.idxmax())
        if top_h not in [h.id for h in case.hypotheses if h.family_id == lead_f]:
            within_m += (
                f"; the single most credible account is outside it: {mn[top_h]} "
                f"({_pct(hyp[top_h])})"
            )
            within_t += (
                f"; the single most credible account is outside it: {esc(names[top_h])} "
                f"({esc(_pct(hyp[top_h]))})"
            )
        m = (
            f"{under_m}the posterior favours the {mn[lead_f]} family (credence "
            f"{_pct(fam[lead_f])}); within it, {within_m}."
        )
        t = (
            f"{under_t}the posterior favours the {esc(names[lead_f])} family "
            f"(credence {esc(_pct(fam[lead_f]))}); within it, {within_t}."
        )
    else:
        ex.claims.append(
            Claim(
                "posterior_leader",
                lead_h,
                float(hyp[lead_h]),
                second_h,
                float(hyp[second_h]),
                "posterior",
                {"level": "hypothesis"},
            )
        )
        m = (
            f"{under_m}{mn[lead_h]} leads with credence {_pct(hyp[lead_h])}, "
            f"{_odds(odds)} against the runner-up, {mn[second_h]}."
        )
        t = (
            f"{under_t}{esc(names[lead_h])} leads with credence {esc(_pct(hyp[lead_h]))}, "
            f"{esc(_odds(odds))} against the runner-up, {esc(names[second_h])}."
        )
    if m.startswith("the posterior"):
        m, t = "T" + m[1:], "T" + t[1:]
    say(m, t)

    # 2. the evidence: the largest Bayes factor against the rest (the prior does not enter it)
    lead_id = str(cred.idxmax())
    rev = S.reversal_priors(case, lens=lens, prior=prior, reliability=reliability)
    bf = rev.xs(level, level="level")["bayes_factor"].astype(float)
    bf = bf[np.isfinite(bf) | (bf > 0)]
    if len(bf):
        fav = str(bf.idxmax())
        b = float(bf[fav])
        if b > 1 and _num(b) != "1":
            ex.claims.append(
                Claim(
                    "evidence_favours",
                    fav,
                    b,
                    "rest",
                    float("nan"),
                    "reversal_priors",
                    {"level": level, "posterior_leader": lead_id},
                )
            )
            db = 10 * np.log10(b) if np.isfinite(b) else np.inf
            what_m = f"the {mn[fav]} family" if grouped else mn[fav]
            what_t = f"the {esc(names[fav])} family" if grouped else esc(names[fav])
            m = (
                f"The evidence favours {what_m}: a Bayes factor of {_num(b)} against the rest "
                f"({db:+.1f} dB)"
            )
            t = (
                f"The evidence favours {what_t}: a Bayes factor of {esc(_num(b))} against the "
                f"rest ({db:+.1f}\\,dB)"
            )
            if fav != lead_id:
                lm = f"the {mn[lead_id]} family" if grouped else mn[lead_id]
                lt = f"the {esc(names[lead_id])} family" if grouped else esc(names[lead_id])
                m += f"; the posterior still favours {lm}, because of the prior."
                t += f"; the posterior still favours {lt}, because of the prior."
            else:
                m, t = m + ".", t + "."
            say(m, t)

    # what carries the weight: weight of evidence for the target against the rest
    if target is None:
        target_level, tgt = ("family", lead_id) if grouped else ("hypothesis", lead_h)
    else:
        target_level = (
            "family"
            if target in set(fam.index) and (grouped or target not in set(hyp.index))
            else "hypothesis"
        )
        tgt = target
    tcred = float((fam if target_level == "family" else hyp)[tgt])
    woe = S.weight_of_evidence(case, lens=lens, prior=prior)
    col = _slice(woe, target_level, tgt, "decibans")
    col = col[np.isfinite(col)]
    pos = col[col > 0].sort_values(ascending=False).head(top)
    ex.facts.update(carriers=list(pos.index), carrier_db=[float(x) for x in pos])
    titles = {e.id: e.title for e in case.evidence} | {p.id: p.title for p in case.propositions}
    mt = {k: md_text(v) for k, v in titles.items()}
    tname_m, tname_t = mn.get(tgt, tgt), esc(names.get(tgt, tgt))
    pw = None
    if case.propositions:  # the facts first: each proposition's weight against its cap
        pw = S.proposition_weight(case, lens=lens, prior=prior)
        pw = pw[pw["kind"] == "proposition"]
        props = pw.xs((target_level, tgt), level=["level", "id"]) if len(pw) else pw
        props = (
            props[props["decibans"].astype(float).round(1) > 0]
            .sort_values("decibans", ascending=False)
            .head(top)
        )
        ex.facts["carrying_propositions"] = list(props.index)
        for i, r in props.iterrows():
            ex.claims.append(
                Claim(
                    "proposition_carries",
                    str(i),
                    float(r["decibans"]),
                    tgt,
                    float(r["cap_db"]),
                    "proposition_weight",
                    {"level": target_level},
                )
            )
        if len(props):

            def cap(r: Any, unit: str) -> str:
                # a fact whose descendants also hang from other parents is not capped by its own
                # table alone (proposition_weight gives no cap then): say so, never 'a cap of nan
                # dB'
                c = float(r["cap_db"])
                if np.isnan(c):
                    return (
                        "; not capped by its own table: a fact below it also depends on other "
                        "parents"
                    )
                if np.isinf(c):
                    return (
                        " of an unbounded cap: a state its table rules out under some parent value"
                    )
                return f" of a cap of {c:.1f}{unit}dB"

            lst_m = "; ".join(
                f"{mt.get(i, i)} ({i}, {r['decibans']:+.1f} dB{cap(r, ' ')})"
                for i, r in props.iterrows()
            )
            lst_t = "; ".join(
                f"{esc(titles.get(i, i))} ({esc(i)}, "
                f"{r['decibans']:+.1f}\\,dB{cap(r, chr(92) + ',')})"
                for i, r in props.iterrows()
            )
            say(
                f"Among the facts the items bear on, the case for {tname_m} rests most on {lst_m}.",
                f"Among the facts the items bear on, the case for {tname_t} rests most on {lst_t}.",
            )
    pos = pos[pos.round(1) > 0]
    for i, v in pos.items():
        ex.claims.append(
            Claim(
                "carries",
                str(i),
                float(v),
                tgt,
                float("nan"),
                "weight_of_evidence",
                {"level": target_level},
            )
        )
    if len(pos):
        lst_m = "; ".join(f"{mt.get(i, i)} ({i}, {v:+.1f} dB)" for i, v in pos.items())
        lst_t = "; ".join(
            f"{esc(titles.get(i, i))} ({esc(i)}, {v:+.1f}\\,dB)" for i, v in pos.items()
        )
        one = len(pos) == 1
        lead_in = (
            f"Of the items, the heaviest for {tname_m} {'is' if one else 'are'}"
            if case.propositions
            else f"The case for {tname_m} rests most on"
        )
        lead_t = (
            f"Of the items, the heaviest for {tname_t} {'is' if one else 'are'}"
            if case.propositions
            else f"The case for {tname_t} rests most on"
        )
        say(f"{lead_in} {lst_m}.", f"{lead_t} {lst_t}.")
    # what speaks against the target: the items and observed facts of most negative weight, each
    # with the rival it favours most (the largest weight of that finding for another hypothesis or
    # family against its rest)
    against = _against(case, woe, pw if case.propositions else None, target_level, tgt, top=2)
    ex.facts["strongest_against"] = [c.subject for c in against]
    ex.claims.extend(against)
    if against:

        def one_m(c: Claim) -> str:
            fav = c.detail.get("favours")
            seen = f" = {c.detail['observed']}" if "observed" in c.detail else ""
            return (
                f"{mt.get(c.subject, c.subject)} ({c.subject}{seen}, {c.value:+.1f} dB"
                + (f", favouring {mn.get(fav, fav)}" if fav else "")
                + ")"
            )

        def one_t(c: Claim) -> str:
            fav = c.detail.get("favours")
            seen = f" = {esc(str(c.detail['observed']))}" if "observed" in c.detail else ""
            return (
                f"{esc(titles.get(c.subject, c.subject))} ({esc(c.subject)}{seen}, "
                f"{c.value:+.1f}\\,dB"
                + (f", favouring {esc(names.get(fav, fav))}" if fav else "")
                + ")"
            )

        say(
            f"What speaks most against {tname_m}: {'; '.join(one_m(c) for c in against)}.",
            f"What speaks most against {tname_t}: {'; '.join(one_t(c) for c in against)}.",
        )

    # what it would take to flip: leave one out, then break-even over every judgement
    loo = S.leave_one_out(case, lens=lens, prior=prior, reliability=reliability)
    without = _slice(loo, target_level, tgt, "credence_without")
    ids_lvl = fam.index if target_level == "family" else hyp.index
    others = [x for x in ids_lvl if x != tgt]
    leads_now = (
        tcred >= max(float((fam if target_level == "family" else hyp)[o]) for o in others)
        if others
        else True
    )
    # the strongest rival without each item, for all items at once (one lookup per item and rival
    # was minutes at 300 hypotheses x 200 items); a row of NaN (everything ruled out without the
    # item) stays NaN, as the loop's max gave
    if others and len(without):
        by_rival = (
            loo["credence_without"]
            .xs(target_level, level="level")
            .astype(float)
            .unstack("id")
            .reindex(index=without.index, columns=others)
        )
        rivals = by_rival.to_numpy().max(axis=1)
    else:
        rivals = np.zeros(len(without))
    flips = [
        item
        for item, rival in zip(without.index, rivals, strict=True)
        if leads_now and float(without[item]) < rival
    ]
    ex.facts["single_item_flips"] = flips
    leads = bool(others) and tcred >= max(
        float((fam if target_level == "family" else hyp)[o]) for o in others
    )
    m = t = ""
    if len(without) and leads:
        if flips:
            ex.claims.extend(
                Claim(
                    "loo_flips",
                    str(i),
                    float(without[i]),
                    tgt,
                    float("nan"),
                    "leave_one_out",
                    {"level": target_level},
                )
                for i in flips
            )
            which = "any one of " if len(flips) > 1 else ""
            m = f"Leaving out {which}{', '.join(flips)} alone would change the leader."
            t = (
                f"Leaving out {which}{', '.join(esc(f) for f in flips)} alone would change the "
                "leader."
            )
        else:
            ex.claims.append(
                Claim(
                    "no_loo_flip",
                    tgt,
                    tcred,
                    "",
                    float("nan"),
                    "leave_one_out",
                    {"level": target_level},
                )
            )
            m = t = "No single item, left out, changes the leader."
    be = S.break_even(case, lens=lens, target=tgt, prior=prior, reliability=reliability)
    fdb = be["factor_db"].astype(float) if len(be) else be
    reach = be[be["reachable"].astype(bool) & np.isfinite(fdb)] if len(be) else be
    if len(reach):
        easiest = str(reach["factor_db"].astype(float).abs().idxmin())
        r = reach.loc[easiest]
        f, f_db, kind = float(r["factor"]), float(r["factor_db"]), str(r.get("kind", "item"))
        ex.facts.update(easiest_flip=easiest, easiest_flip_db=f_db)
        if abs(f_db) >= 0.05:  # a factor that rounds to 1 says nothing: the target already ties
            ex.claims.append(
                Claim(
                    "nearest_flip",
                    easiest,
                    f,
                    be.attrs["rival"],
                    f_db,
                    "break_even",
                    {
                        "kind": kind,
                        "target": tgt,
                        "value": float(r.get("value", np.nan)),
                        "value_needed": float(r.get("value_needed", np.nan)),
                    },
                )
            )
            riv_m, riv_t = (
                mn.get(be.attrs["rival"], be.attrs["rival"]),
                esc(names.get(be.attrs["rival"], be.attrs["rival"])),
            )
            if kind in ("source", "base_rate", "prior"):
                key = easiest.split(":", 1)[-1]
                what = {
                    "source": f"the reliability of source {key}",
                    "base_rate": f"the base rate of {key} (P(report | source wrong))",
                    "prior": f"the prior of {names.get(tgt, tgt)}",
                }[kind]
                v0, v1 = _prob(float(r["value"])), _prob(float(r["value_needed"]))
                m2 = (
                    f"The nearest flip by one judgement: {md_text(what)} would have to be {v1} "
                    f"instead of {v0} (its odds multiplied by {_num(f)}, {f_db:+.1f} dB) to tie "
                    f"{tname_m} with {riv_m}."
                )
                t2 = (
                    f"The nearest flip by one judgement: {esc(what)} would have to be {esc(v1)} "
                    "instead of "
                    f"{esc(v0)} (its odds multiplied by {esc(_num(f))}, {f_db:+.1f}\\,dB) to tie "
                    f"{tname_t} with {riv_t}."
                )
            else:
                noun = (
                    "the odds of its favoured state" if kind == "table" else "its likelihood ratio"
                )
                m2 = (
                    f"The nearest flip by one judgement: {mt.get(easiest, easiest)} ({easiest}) "
                    "would have to have "
                    f"{noun} multiplied by {_num(f)} ({f_db:+.1f} dB) to tie {tname_m} with "
                    f"{riv_m}."
                )
                t2 = (
                    f"The nearest flip by one judgement: {esc(titles.get(easiest, easiest))} "
                    f"({esc(easiest)}) "
                    f"would have to have {noun} multiplied by {esc(_num(f))} ({f_db:+.1f}\\,dB) "
                    "to tie "
                    f"{tname_t} with {riv_t}."
                )
            m, t = (m + " " + m2).strip(), (t + " " + t2).strip()
    elif len(be):
        ex.claims.append(
            Claim(
                "no_flip",
                tgt,
                float("nan"),
                be.attrs["rival"],
                float("nan"),
                "break_even",
                {"inputs": len(be)},
            )
        )
        m2 = (
            f"No single judgement can flip it: break-even over all {len(be)} judgements (items, "
            "tables, source reliabilities, base rates, the prior) finds none that alone ties it "
            "with its rival."
        )
        m, t = (m + " " + m2).strip(), (t + " " + m2).strip()
    if m:
        say(m, t)

    # lenses
    if len(case.lens_ids) > 1:
        comp = S.lens_comparison(case, prior=prior, reliability=reliability)
        lvl = "family" if grouped else "hypothesis"
        leaders = {}
        for a in case.lens_ids:
            cr = comp.xs((a, lvl), level=["lens", "level"])["credence"].sort_values(ascending=False)
            tied = len(cr) > 1 and abs(float(cr.iloc[0]) - float(cr.iloc[1])) <= 1e-9
            leaders[a] = None if tied else str(cr.index[0])
        ex.facts["lens_leaders"] = leaders
        dissent = {a: w for a, w in leaders.items() if w != leaders[lens]}
        if dissent:
            cx = S.cruxes(case, lens=lens, target=tgt, prior=prior, reliability=reliability)
            order = cx["disagreement"].abs().sort_values(ascending=False)
            a0 = next(iter(dissent))
            crux_items = [i for (ln, i) in order.index if ln == a0][:2]
            ex.facts["cruxes"] = crux_items
            ex.claims.append(
                Claim(
                    "lens_disagrees",
                    a0,
                    float("nan"),
                    lens,
                    float("nan"),
                    "lens_comparison",
                    {"leader": dissent[a0], "level": lvl, "cruxes": crux_items},
                )
            )
            lname = next((ln.name or ln.id for ln in case.lenses if ln.id == a0), a0)
            d0 = dissent[a0]
            verdict = f"it favours {mn[d0]}" if d0 else "it leaves the leading hypotheses tied"
            verdict_t = (
                f"it favours {esc(names[d0])}" if d0 else "it leaves the leading hypotheses tied"
            )
            m = (
                f"The lens *{md_text(lname)}* disagrees: {verdict}, mainly because it reads "
                f"{' and '.join(crux_items)} differently."
            )
            t = (
                f"The lens \\emph{{{esc(lname)}}} disagrees: {verdict_t}, mainly because it "
                f"reads {' and '.join(esc(c) for c in crux_items)} differently."
            )
        else:
            ex.claims.append(
                Claim(
                    "lenses_agree",
                    leaders[lens] or "",
                    float(len(case.lens_ids)),
                    "",
                    float("nan"),
                    "lens_comparison",
                    {"level": lvl},
                )
            )
            m = t = f"All {len(case.lens_ids)} lenses agree on the leader."
        say(m, t)

    # conflict
    conf = conflict(case, lens=lens, prior=prior, reliability=reliability)
    flagged = conf[conf["flag"] & (conf.index.get_level_values("kind") != "case")]
    flagged = flagged.sort_values("conflict_db", ascending=False)
    ex.facts["conflicts"] = [i for _, i in flagged.index]
    for (_, i), v in flagged["conflict_db"].items():
        ex.claims.append(
            Claim("conflict", str(i), float(v), "", float(conf.attrs["threshold_db"]), "conflict")
        )
    if len(flagged):
        lst = ", ".join(f"{i} ({v:.1f} dB)" for (_, i), v in flagged["conflict_db"].items())
        m = (
            f"Conflict check: {lst} {'is' if len(flagged) == 1 else 'are'} much less probable "
            "given the rest of "
            "the evidence than a priori — check the encoding, or whether a hypothesis is missing."
        )
        t = (
            f"Conflict check: {esc(lst)} {'is' if len(flagged) == 1 else 'are'} much less "
            "probable given the rest of the evidence than a priori --- check the encoding, or "
            "whether a hypothesis is missing."
        )
        say(m, t)

    # independence: the highest level the target reaches now and keeps for every discount down to
    # gamma
    disc = S.evidence_discount(case, tgt, lens=lens, prior=prior, reliability=reliability)
    n_diag = disc.attrs.get("diagnostic_items")
    if n_diag and len(disc):
        curve = disc.xs((target_level, tgt), level=["level", "id"])[["gamma", "credence"]].astype(
            float
        )
        curve = curve.sort_values("gamma")
        for lv in sorted(disc.attrs.get("gamma_for", {}), reverse=True):
            g = disc.attrs["gamma_for"][lv]
            if g is None or not g > 0 or tcred < lv:
                continue
            if not (curve.loc[curve["gamma"] >= g, "credence"] >= lv).all():
                continue  # not kept over the whole range [g, 1]: no "as long as"
            ex.facts.update(
                discount_level=float(lv), discount_gamma=float(g), discount_items=float(g * n_diag)
            )
            if lv == 0.95:
                ex.facts.update(discount_gamma_95=float(g))
            ex.claims.append(
                Claim(
                    "discount",
                    tgt,
                    float(g),
                    "",
                    float(lv),
                    "evidence_discount",
                    {"items": n_diag, "level": target_level},
                )
            )
            m = (
                f"{tname_m} keeps a credence of at least {lv:.0%} as long as the {n_diag} "
                "diagnostic items are "
                f"worth at least {g * n_diag:.1f} independent ones (every weight scaled by "
                f"{g:.2f})."
            )
            pct_t = f"{lv:.0%}".replace("%", "\\%")
            t = (
                f"{tname_t} keeps a credence of at least {pct_t} as long as the {n_diag} "
                "diagnostic items are "
                f"worth at least {g * n_diag:.1f} independent ones (every weight scaled by "
                f"{g:.2f})."
            )
            say(m, t)
            break
    if case.propositions:
        flat = exact_posterior(case, lens, prior, reliability=reliability, structure=False)
        fc = float(
            (flat.xs("family") if target_level == "family" else flat.xs("hypothesis"))["credence"][
                tgt
            ]
        )
        ex.facts.update(independent_credence=fc, structured_credence=tcred)
        if _pct(fc) != _pct(tcred):  # the same number twice says nothing
            ex.claims.append(
                Claim(
                    "independent",
                    tgt,
                    fc,
                    "structured",
                    tcred,
                    "posterior",
                    {"level": target_level},
                )
            )
            m = (
                f"Counting every item as independent would give {tname_m} {_pct(fc)} instead of "
                f"{_pct(tcred)}: "
                "the propositions keep items that share a cause from counting more than that cause."
            )
            t = (
                f"Counting every item as independent would give {tname_t} {esc(_pct(fc))} instead "
                "of "
                f"{esc(_pct(tcred))}: the propositions keep items that share a cause from "
                "counting more than that cause."
            )
            say(m, t)
    return ex
