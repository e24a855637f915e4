"""Conflict and surprise.

Evidence at odds with the rest, and evidence that no listed hypothesis expects.

**Conflict** is the data-conflict measure of Bayesian-network tools (Jensen,
Chamberlain, Nordahl and Jensen 1990, "Analysis in HUGIN of data conflict";
Jensen and Nielsen 2007, *Bayesian Networks and Decision Graphs*, §5.4):

    conf(e_1, …, e_n) = log [ Π_i P(e_i) / P(e_1, …, e_n) ],

with every probability a marginal under the case's model (prior over the hypotheses, the
propositions, reliability). Findings that support each other are more probable together than apart,
so conf < 0; conf > 0 says they are less probable together than one by one — often an encoding
error, a deception, or a hypothesis missing from the set. For one item (or one proposition's whole
subtree) against the rest of the evidence the same measure is conf(e_i, e_rest) = log [P(e_i) /
P(e_i | e_rest)]: how much less probable the rest of the evidence makes this item than it was a
priori. Values are reported in decibans (10·log10), like every weight in motives. On a network "a
proposition's evidence" is the evidence below it (items on it or on a proposition below it, several
parents included, and the observations of those propositions); the observations of facts together
are one more finding, the row ``(observed facts)``.

**Surprise** asks whether the evidence fits even the best hypothesis: the
log-likelihood of the observed items under h is set against its distribution
over simulated cases of the same shape (every item's finding drawn from the
model under h: a proposition's state from its table, then each report with
its probability). A tiny tail probability under every hypothesis says the
evidence is unusual under all of them — consider a hypothesis you have not
listed. The simulation covers likelihood items and takes reports at face
value (timeline and quantity items are left out of both sides; source
reliability is not simulated). On a network every fact is drawn from its table given its drawn
parents, items of several parents included; an observation of a fact stays as observed on both
sides.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from motives.exact import CaseArrays, compiled, loglik, logsumexp, prior_from, quiet_log
from motives.schema import Case
from motives.sensitivity._core import DB, Array

#: Default threshold for flagging an item or proposition, in decibans: it is at least this much less
#: probable given the rest of the evidence than a priori (6 dB: a factor of 4).
CONFLICT_THRESHOLD_DB = 6.0

#: The row of the observations of facts (``observed:``), together one finding, in :func:`conflict`.
OBSERVATIONS = "(observed facts)"

#: Tail probability below which the evidence counts as surprising under a hypothesis.
SURPRISE_LEVEL = 0.01


def log_evidence(
    arr: CaseArrays,
    pri: np.ndarray,
    keep: set[str],
    reliability: bool,
    observed: set[str] | None = None,
) -> float:
    """Log P(the evidence in ``keep``) = log Σ_h π_h P(E_keep | h).

    ``observed``: the propositions whose observations count (default all; an observation is a
    finding).
    """
    from dataclasses import replace

    everything = arr.all_items + arr.structured_items
    sub = arr.without([e for e in everything if e not in keep])
    if observed is not None:
        sub = replace(
            sub,
            propositions=tuple(
                pa if pa.id in observed else replace(pa, observed=-1) for pa in sub.propositions
            ),
        )
    return float(logsumexp(quiet_log(pri) + loglik(sub, reliability=reliability), axis=-1))


def conflict(
    case: Case,
    *,
    lens: str | None = None,
    prior: Any = None,
    reliability: bool = True,
    threshold_db: float = CONFLICT_THRESHOLD_DB,
) -> pd.DataFrame:
    """Data conflict of the case, of each proposition's evidence and of each item against the rest.

    Parameters
    ----------
    case, lens, prior, reliability
        As for :func:`motives.exact_posterior`.
    threshold_db
        Items and propositions whose conflict with the rest exceeds this many decibans are flagged.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``kind``, ``id``) with kind ``case``, ``proposition``, ``item`` or
        ``observation`` (the observations of facts, together); columns ``conflict_db`` (10·log10 of
        Π P(e_i) / P(e) for the case; of P(e_i) / P(e_i | rest) for a part), ``log_p_alone``
        (natural log of P(part)), ``log_p_given_rest`` and ``flag``. ``attrs["threshold_db"]`` holds
        the threshold.

    Examples
    --------
    Five reports agree, a sixth contradicts them all:

    >>> import motives as mv
    >>> items = [
    ...     {"id": f"agree{i}", "title": "agrees", "likelihoods": {"h": 0.8, "g": 0.2}}
    ...     for i in range(5)
    ... ]
    >>> items.append({"id": "odd", "title": "contradicts", "likelihoods": {"h": 0.05, "g": 1.0}})
    >>> case = mv.Case.model_validate(
    ...     {"name": "c", "hypotheses": [{"id": "h"}, {"id": "g"}], "evidence": items}
    ... )
    >>> df = conflict(case)
    >>> df.loc[df["flag"]].index.tolist()  # the whole case conflicts (conf > 0), and this is why
    [('case', '(all evidence)'), ('item', 'odd')]
    >>> round(float(df.loc[("item", "odd"), "conflict_db"]), 1)
    10.1
    """
    arr = compiled(case, lens)
    pri = prior_from(case, prior)
    if not arr.propositions and not arr.sources_in_structure:
        return _frame(_flat_rows(arr, pri, reliability), threshold_db, arr.lens, reliability)
    from motives.sensitivity.conflict_structure import structured_rows

    rows = structured_rows(arr, pri, reliability)
    return _frame(rows, threshold_db, arr.lens, reliability)


def _frame(
    rows: list[tuple[Any, ...]], threshold_db: float, lens: str, reliability: bool
) -> pd.DataFrame:
    df = pd.DataFrame(
        rows, columns=["kind", "id", "conflict_db", "log_p_alone", "log_p_given_rest"]
    )
    df = df.set_index(["kind", "id"])
    df["flag"] = (df.index.get_level_values("kind") != "case") & (df["conflict_db"] > threshold_db)
    df.loc[("case", "(all evidence)"), "flag"] = bool(
        df.loc[("case", "(all evidence)"), "conflict_db"] > 0
    )
    df.attrs.update({"threshold_db": threshold_db, "lens": lens, "reliability": reliability})
    return df


def flat_parts(arr: CaseArrays, reliability: bool) -> tuple[Array, Array, Array]:
    """Per item of a case without propositions: log P(e | h) alone, log P(E_rest | h) − log P(E | h), and log P(E | h).

    Items are independent given h except those of one source of uncertain reliability, which share
    its ρ. So log P(E_rest | h) is the total minus the item's own term for an independent item, and
    for an item of a source, the total minus the source's joint term plus that term with the item
    left out, evaluated on the same Gauss-Jacobi nodes (exact: leaving an item out lowers the
    polynomial's degree). O(items x nodes x hypotheses) instead of one posterior per item.
    """
    from motives.exact import mix_reliability

    n_items, k = arr.lam.shape
    items = arr.all_items
    own = np.zeros((len(items), k))  # log P(e | h) of each item alone
    rest_adj = np.zeros((len(items), k))  # log P(E_rest | h) - log P(E | h), per item
    total = np.zeros(k)
    lam = arr.lam
    if reliability and (arr.groups or (arr.direct_source >= 0).any()):
        plan = arr._group_plan
        ls = np.take(lam, plan.simple, axis=0).copy()
        if len(plan.simple_x):
            ls[plan.n_free :] = mix_reliability(
                ls[plan.n_free :], arr.base[plan.simple[plan.n_free :]], plan.simple_x[:, None], k
            )
        with np.errstate(divide="ignore"):
            ls = np.log(ls)
        own[plan.simple] = ls
        for bk in plan.buckets:
            with np.errstate(divide="ignore"):
                m = np.log(
                    mix_reliability(
                        lam[bk.item][None, :, :], arr.base[bk.item], bk.x[:, :, None], k
                    )
                )  # (Q, n_b, K)
            sums = np.add.reduceat(m, bk.start, axis=1)  # (Q, G_b, K)
            joint = logsumexp(sums + bk.logw[:, :, None], axis=0)  # (G_b, K)
            group = np.repeat(np.arange(len(bk.start)), np.diff(np.append(bk.start, len(bk.item))))
            # a node where the item itself is impossible (-inf): the sum minus it is undefined
            # there, so the rest's sum is added up without it (rare: an item that rules a hypothesis
            # out at some reliability)
            with np.errstate(invalid="ignore"):
                loo_terms = sums[:, group] - m
            if np.isneginf(m).any():
                loo_terms = _rest_sums(m, bk.start, group, loo_terms)
            loo = logsumexp(loo_terms + bk.logw[:, group, None], axis=0)  # (n_b, K)
            own[bk.item] = logsumexp(m + bk.logw[:, group, None], axis=0)
            with np.errstate(invalid="ignore"):
                rest_adj[bk.item] = np.where(np.isneginf(joint[group]), np.nan, loo - joint[group])
            total = total + joint.sum(axis=0)
        with np.errstate(invalid="ignore"):
            rest_adj[plan.simple] = -ls
        total = total + ls.sum(axis=0)
    else:
        with np.errstate(divide="ignore"):
            own[:n_items] = np.log(lam)
        rest_adj[:n_items] = -own[:n_items]
        total = total + own[:n_items].sum(axis=0)
    other = arr.other_loglik
    own[n_items:] = other
    rest_adj[n_items:] = -other
    total = total + other.sum(axis=0)
    return own, rest_adj, total


def _flat_rows(arr: CaseArrays, pri: np.ndarray, reliability: bool) -> list[tuple[Any, ...]]:
    """The rows of :func:`conflict` for a case without propositions, in one vectorised pass (:func:`flat_parts`)."""
    items = arr.all_items
    own, rest_adj, total = flat_parts(arr, reliability)
    logp = quiet_log(pri)
    log_all = float(logsumexp(logp + total, axis=-1))
    singles = logsumexp(logp + own, axis=-1)
    with np.errstate(invalid="ignore"):
        rest_h = total[None, :] + rest_adj
    bad = ~np.isfinite(rest_h) & ~np.isneginf(rest_h)  # -inf - (-inf): this item alone rules h out
    if bad.any():
        rest_h = _rest_exact(arr, pri, reliability, items, rest_h, bad)
    rest = logsumexp(logp + rest_h, axis=-1)
    rows: list[tuple[Any, ...]] = [
        (
            "case",
            "(all evidence)",
            DB * (float(singles.sum()) - log_all),
            float(singles.sum()),
            np.nan,
        )
    ]
    with np.errstate(invalid="ignore"):
        rows += [
            ("item", e, DB * (singles[i] + rest[i] - log_all), singles[i], log_all - rest[i])
            for i, e in enumerate(items)
        ]
    return rows


def _rest_sums(m: Array, start: np.ndarray, group: np.ndarray, loo: Array) -> Array:
    """Per item, the sum of the other items' log terms in its group.

    Used for nodes where its own term is -inf.
    """
    out = loo.copy()
    bounds = np.append(start, m.shape[1])
    for j in np.flatnonzero(np.isneginf(m).any(axis=(0, 2))):
        g = group[j]
        idx = [i for i in range(bounds[g], bounds[g + 1]) if i != j]
        out[:, j] = m[:, idx].sum(axis=1)
    return out


def _rest_exact(
    arr: CaseArrays,
    pri: np.ndarray,
    reliability: bool,
    items: list[str],
    rest_h: Array,
    bad: np.ndarray,
) -> Array:
    """Log P(E_rest | h) recomputed by leaving the item out.

    Used where the subtraction is undefined (rare).
    """
    out = rest_h.copy()
    for i in np.flatnonzero(bad.any(axis=1)):
        sub = arr.without([items[i]])
        out[i] = loglik(sub, reliability=reliability)
    return out


def conflict_flags(
    case: Case,
    *,
    lens: str | None = None,
    prior: Any = None,
    reliability: bool = True,
    threshold_db: float = CONFLICT_THRESHOLD_DB,
) -> list[str]:
    """Ids of items and propositions whose conflict with the rest exceeds ``threshold_db``.

    Worst first.

    Examples
    --------
    >>> import motives as mv
    >>> conflict_flags(mv.examples.cookie_case())
    []
    """
    df = conflict(case, lens=lens, prior=prior, reliability=reliability, threshold_db=threshold_db)
    flagged = df[df["flag"] & (df.index.get_level_values("kind") != "case")].sort_values(
        "conflict_db", ascending=False
    )
    return [i for _, i in flagged.index]


def surprise(
    case: Case,
    *,
    lens: str | None = None,
    n: int = 4000,
    seed: int = 0,
    level: float = SURPRISE_LEVEL,
) -> pd.DataFrame:
    """How improbable the evidence is under each hypothesis, against simulated cases.

    The simulated cases have the same shape as the case.

    Parameters
    ----------
    case, lens
        As for :func:`motives.exact_posterior`.
    n
        Simulated cases per hypothesis.
    seed
        Random seed.
    level
        Tail probability below which the evidence counts as surprising.

    Returns
    -------
    pandas.DataFrame
        One row per hypothesis: ``loglik`` (observed log P(E | h) of the likelihood items, face
        value), ``sim_mean`` and ``sim_sd`` of the simulated log-likelihoods, ``tail`` (the fraction
        of simulated cases at most as probable as the observed one) and ``surprising`` (tail <
        level). ``attrs["all_surprising"]`` is True when the evidence surprises every hypothesis.

    Examples
    --------
    Ten reports each unlikely under both hypotheses fit neither:

    >>> import motives as mv
    >>> items = [
    ...     {"id": f"e{i}", "title": "odd", "likelihoods": {"h": 0.1, "g": 0.05}} for i in range(10)
    ... ]
    >>> case = mv.Case.model_validate(
    ...     {"name": "s", "hypotheses": [{"id": "h"}, {"id": "g"}], "evidence": items}
    ... )
    >>> df = surprise(case, n=2000)
    >>> df["surprising"].tolist(), df.attrs["all_surprising"]
    ([True, True], True)
    """
    arr = compiled(case, lens)
    rng = np.random.default_rng(seed)
    K = len(arr.hypotheses)
    flat_other = arr.other_loglik.sum(axis=0)
    obs = loglik(arr, reliability=False) - flat_other - _other_structured(arr)
    rows = []
    flat = not arr.propositions and not arr.joint
    for k, h in enumerate(arr.hypotheses):
        if (
            flat
        ):  # only hypothesis k's column is read: O(n x items) per hypothesis, not O(n x items x K)
            occurs = (
                rng.random((n, len(arr.items))) < arr.lam[:, k]
            )  # the draws _simulate makes for a flat case
            ll = np.where(
                occurs, quiet_log(arr.lam[:, k]), quiet_log(1.0 - arr.lam[:, k])
            ) @ np.ones(len(arr.items))
        else:
            lam, plam, jlam = _simulate(arr, k, n, rng)
            ll = (
                loglik(arr, lam, reliability=False, plam=plam, jlam=jlam)[:, k]
                - flat_other[k]
                - _other_structured(arr)[k]
            )
        tail = float(np.mean(ll <= obs[k] + 1e-12))
        with np.errstate(
            invalid="ignore"
        ):  # a hypothesis an observed fact rules out: every draw -inf, sd NaN
            mean, sd = float(ll.mean()), float(ll.std())
        rows.append((h, float(obs[k]), mean, sd, tail, tail < level))
    df = pd.DataFrame(
        rows, columns=["hypothesis", "loglik", "sim_mean", "sim_sd", "tail", "surprising"]
    )
    df = df.set_index("hypothesis")
    df.attrs.update(
        {
            "all_surprising": bool(df["surprising"].all()) and K > 0,
            "level": level,
            "n": n,
            "lens": arr.lens,
        }
    )
    return df


def _other_structured(arr: CaseArrays) -> np.ndarray:
    """Log P(timeline and quantity items under propositions | h) alone.

    Removed from the surprise check.
    """
    if not any(len(p.other_items) for p in arr.propositions):
        return np.zeros(len(arr.hypotheses))
    only = arr.without(
        [e for p in arr.propositions for e in p.items] + [j.id for j in arr.joint] + arr.all_items
    )
    return loglik(only, reliability=False)


def _simulate(
    arr: CaseArrays, k: int, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Likelihood tables that score ``n`` simulated outcome patterns drawn under hypothesis ``k``.

    An item that occurs keeps its row λ; one that does not gets 1 − λ (the probability of its
    absence).
    """
    occurs = rng.random((n, len(arr.items))) < arr.lam[:, k]
    lam = np.where(occurs[:, :, None], arr.lam, 1.0 - arr.lam)
    states: list[np.ndarray] = []
    plam, jlam = {}, {}
    K = len(arr.hypotheses)

    def config(parents: tuple[int, ...]) -> np.ndarray:
        """Flat index of each draw's parent configuration (first parent outermost)."""
        idx = np.zeros(n, dtype=np.intp)
        for q in parents:
            card = K if q < 0 else len(arr.propositions[q].states)
            idx = idx * card + (np.full(n, k) if q < 0 else states[q])
        return idx

    for p in (
        arr.propositions
    ):  # parents first; an observed fact is drawn too (its observation stays as it is)
        cum = np.cumsum(p.table[config(p.parents)], axis=1)
        s = np.minimum((rng.random((n, 1)) > cum).sum(axis=1), p.table.shape[1] - 1)
        states.append(s)
        occ = (
            rng.random((n, len(p.items))) < p.lam[:, s].T
            if len(p.items)
            else np.zeros((n, 0), dtype=bool)
        )
        plam[p.id] = np.where(occ[:, :, None], p.lam, 1.0 - p.lam)
    for jt in arr.joint:
        occ1 = rng.random(n) < jt.lam[config(jt.parents)]
        jlam[jt.id] = np.where(occ1[:, None], jt.lam, 1.0 - jt.lam)
    return lam, plam, jlam
