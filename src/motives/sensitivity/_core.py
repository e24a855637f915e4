"""Shared machinery: a scenario evaluator on the exact engine, targets, units.

The evaluator extends :func:`motives.exact.loglik` with three per-scenario
inputs the sensitivity analyses need: a ``keep`` mask (items left out of a
scenario contribute nothing, exactly, also inside a shared-source group), a
per-scenario base rate, and per-scenario log-likelihoods of the timeline and
quantity items. With every item kept it is the engine's own log-likelihood
(a test checks this).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from motives.errors import CaseError, Problem
from motives.exact import (
    CaseArrays,
    compile_case,
    family_credence,
    logsumexp,
    normalise,
    prior_from,
    quiet_log,
)
from motives.schema import Case
from motives.sensitivity._structure import (
    direct_logliks_structured,
    every_item,
    structured_item_logliks,
    structured_loglik,
)

Array = NDArray[np.float64]

#: Decibans per natural-log unit: 10 log10(x) = DB * ln(x).
DB = 10.0 / np.log(10.0)


#: Work arrays for one block of scenarios stay near this size: analyses over many scenarios
#: (items x hypotheses x scenarios) are computed block by block instead of all at once.
BLOCK_BYTES = 128 * 2**20


def scenario_blocks(n: int, bytes_per_scenario: float) -> list[slice]:
    """Slices of ``range(n)`` whose work arrays fit in :data:`BLOCK_BYTES`.

    Each scenario's work arrays take ``bytes_per_scenario``.

    Examples
    --------
    >>> scenario_blocks(5, BLOCK_BYTES / 2)
    [slice(0, 2, None), slice(2, 4, None), slice(4, 5, None)]
    """
    size = max(1, int(BLOCK_BYTES // max(1.0, bytes_per_scenario)))
    return [slice(i, min(n, i + size)) for i in range(0, n, size)]


def scenario_loglik(
    arr: CaseArrays,
    *,
    lam: ArrayLike | None = None,
    keep: ArrayLike | None = None,
    other: ArrayLike | None = None,
    base: ArrayLike | None = None,
    reliability: bool = True,
    tables: Mapping[str, ArrayLike] | None = None,
    plam: Mapping[str, ArrayLike] | None = None,
    pother: Mapping[str, ArrayLike] | None = None,
    jlam: Mapping[str, ArrayLike] | None = None,
) -> Array:
    """Total log-likelihood per hypothesis for many scenarios at once, shape (..., K).

    Parameters
    ----------
    arr
        The compiled case.
    lam
        Likelihood means, shape (..., N, K); default the case's.
    keep
        Which items count, shape (..., E): likelihood items, then timeline
        and quantity items, as :attr:`CaseArrays.all_items`; in a structured
        case then the items under each proposition
        (:func:`motives.sensitivity._structure.every_item`); default all.
    other
        Log-likelihoods of the timeline/quantity items, shape (..., M, K).
    base
        Base rates of the report-if-wrong, shape (..., N); NaN means the row mean.
    reliability
        Mix in source reliability.
    tables, plam
        Proposition tables and item means under propositions, as :func:`motives.exact.loglik`.
    pother
        Proposition id -> log densities of the timeline/quantity items bearing on it, (..., m, S).
    jlam
        Item id -> P(E | parent configuration) of an item of several parents, (..., V).

    Examples
    --------
    >>> import numpy as np, motives as mv
    >>> from motives.exact import compile_case
    >>> arr = compile_case(mv.examples.cookie_case())
    >>> np.exp(scenario_loglik(arr))  # P(vanilla | bowl)
    array([0.75, 0.5 ])
    >>> np.exp(
    ...     scenario_loglik(arr, keep=[[True], [False]])
    ... )  # two scenarios; the second leaves the item out
    array([[0.75, 0.5 ],
           [1.  , 1.  ]])
    """
    if arr.propositions:
        if base is not None:
            raise ValueError(
                "base rates per scenario are not supported for a case with propositions"
            )
        return structured_loglik(
            arr,
            lam=lam,
            keep=keep,
            other=other,
            reliability=reliability,
            tables=tables,
            plam=plam,
            pother=pother,
            jlam=jlam,
        )
    if tables or plam or pother or jlam:
        raise ValueError("tables, plam, pother and jlam need a case with propositions")
    if keep is None and other is None and base is None:
        from motives.exact import loglik

        return loglik(arr, lam, reliability=reliability)  # the engine's own (fast) path
    N, M, K = len(arr.items), len(arr.other_items), len(arr.hypotheses)
    lam = arr.lam if lam is None else np.asarray(lam, dtype=float)
    other = arr.other_loglik if other is None else np.asarray(other, dtype=float)
    keep_a = np.ones(N + M, dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
    if lam.shape[-2:] != (N, K) or other.shape[-2:] != (M, K) or keep_a.shape[-1] != N + M:
        raise ValueError(
            f"shapes do not match the case: lam {lam.shape}, other {other.shape}, keep "
            f"{keep_a.shape}"
        )
    kl, ko = keep_a[..., :N], keep_a[..., N:]
    shape = np.broadcast_shapes(lam.shape[:-2], other.shape[:-2], kl.shape[:-1])
    per = (
        8.0 * 6 * (N + M) * K * max(1, len(arr.groups) and 8)
    )  # temporaries of one scenario (x nodes if grouped)
    if shape and shape[0] > 1 and float(np.prod(shape)) * per > BLOCK_BYTES:
        lead = len(shape)

        def part(x: Array | None, core: int, sl: slice) -> Array | None:
            if x is None or x.ndim - core != lead or x.shape[0] == 1:
                return x
            return x[sl]

        b0 = None if base is None else np.asarray(base, dtype=float)
        return np.concatenate(
            [
                scenario_loglik(
                    arr,
                    lam=part(lam, 2, sl),
                    keep=part(keep_a, 1, sl),
                    other=part(other, 2, sl),
                    base=part(b0, 1, sl),
                    reliability=reliability,
                )
                for sl in scenario_blocks(shape[0], per * float(np.prod(shape[1:])))
            ],
            axis=0,
        )
    total = np.zeros(shape + (K,))
    grouped = np.zeros(N, dtype=bool)
    if reliability and arr.groups:
        b = arr.base if base is None else np.asarray(base, dtype=float)
        b = np.where(np.isnan(b), lam.mean(axis=-1), b)
        for g in arr.groups:
            grouped[g.index] = True
            x, w = g.nodes()
            lg = lam[..., g.index, :][..., None, :, :]  # (..., 1, n, K)
            bg = b[..., g.index][..., None, :, None]
            mix = x[:, None, None] * lg + (1 - x[:, None, None]) * bg  # (..., Q, n, K)
            kg = kl[..., g.index][..., None, :, None]
            terms = np.where(kg, quiet_log(mix), 0.0).sum(axis=-2) + quiet_log(w)[:, None]
            total = total + logsumexp(terms, axis=-2)
    free = ~grouped
    total = total + np.where(kl[..., free, None], quiet_log(lam[..., free, :]), 0.0).sum(axis=-2)
    total = total + np.where(ko[..., None], other, 0.0).sum(axis=-2)
    return total


def scenario_posterior(arr: CaseArrays, prior: ArrayLike | None = None, **kw: Any) -> Array:
    """Posterior credences (..., K) for many scenarios; keywords as :func:`scenario_loglik`.

    Examples
    --------
    The dice problem with one roll at a time: a 6, then an 8 (which rules out the d4 and the d6).

    >>> import numpy as np, motives as mv
    >>> from motives.exact import compile_case
    >>> arr = compile_case(mv.examples.load("dice"))
    >>> arr.all_items, arr.hypotheses
    (['roll_6', 'roll_8'], ['d4', 'd6', 'd8', 'd12', 'd20'])
    >>> scenario_posterior(arr, keep=np.eye(2, dtype=bool)).round(4)
    array([[0.    , 0.3922, 0.2941, 0.1961, 0.1176],
           [0.    , 0.    , 0.4839, 0.3226, 0.1935]])
    """
    p = arr.prior if prior is None else np.asarray(prior, dtype=float)
    return normalise(quiet_log(p) + scenario_loglik(arr, **kw))


@dataclass(frozen=True)
class Target:
    """A hypothesis or a family, as a mask over hypotheses."""

    id: str
    level: str  # "hypothesis" | "family"
    mask: NDArray[np.bool_]


def target_of(arr: CaseArrays, target: str | None, credence: Array | None = None) -> Target:
    """Resolve a hypothesis or family id; ``None`` gives the leading family under ``credence``.

    A target must leave some hypothesis out: one that holds them all has credence 1 whatever the
    evidence, so nothing can move it. When the default (the leading family) would be such a family —
    a case with one family — the default is the leading hypothesis instead; a named target holding
    every hypothesis is refused.
    """
    if target is None:
        if credence is None:
            raise ValueError("need a credence to find the leading family")
        fam = np.zeros(len(arr.families))
        np.add.at(fam, arr.family_index, credence)
        target = arr.families[int(np.argmax(fam))]
        level = "family"
        if (
            len(arr.families) == 1
        ):  # one family holds every hypothesis: the leading hypothesis instead
            target = arr.hypotheses[int(np.argmax(credence))]
            level = "hypothesis"
    elif target in arr.families and target not in arr.hypotheses:
        level = "family"
    elif target in arr.hypotheses:
        level = "hypothesis"
    elif target in arr.families:
        level = "family"
    else:
        raise CaseError(
            [
                Problem(
                    f"unknown target '{target}': give a hypothesis ({', '.join(arr.hypotheses)}) "
                    f"or a family ({', '.join(arr.families)})",
                    field="target",
                )
            ]
        )
    if level == "family":
        mask = arr.family_index == arr.families.index(target)
    else:
        mask = np.array([h == target for h in arr.hypotheses])
    if mask.all():
        raise CaseError(
            [
                Problem(
                    f"target '{target}' holds every hypothesis, so its credence is 1 whatever the "
                    "evidence and no analysis can move it: name a hypothesis or a family that "
                    "leaves "
                    f"some hypothesis out ({', '.join(arr.hypotheses)})",
                    field="target",
                )
            ]
        )
    return Target(target, level, mask)


def setup(case: Case, lens: str | None, prior: Any) -> tuple[CaseArrays, Array]:
    """Compile the case under a lens and resolve the prior."""
    arr = compile_case(case, lens)
    return arr, prior_from(case, prior)


def case_target(
    case: Case, target: str | None = None, *, lens: str | None = None, prior: Any = None
) -> Target:
    """The target an analysis of ``case`` moves.

    It is ``target`` resolved, or by default the leading family.

    The default is read off the posterior under ``lens`` and ``prior`` (the leading hypothesis when
    one family holds them all), as every analysis of this package reads it.

    Examples
    --------
    >>> import motives as mv
    >>> from motives.sensitivity import case_target
    >>> t = case_target(mv.examples.cookie_case())
    >>> t.id, t.level, t.mask.tolist()
    ('bowl1', 'family', [True, False])
    >>> case_target(mv.examples.cookie_case(), "bowl2").mask.tolist()
    [False, True]
    """
    arr, pri = setup(case, lens, prior)
    return target_of(arr, target, scenario_posterior(arr, pri))


def check_finite(post: Array, what: str = "posterior") -> None:
    """Raise a clear error when the evidence rules out every hypothesis."""
    if not np.all(np.isfinite(post)):
        raise CaseError(
            [
                Problem(
                    f"the {what} does not exist: the evidence rules out every hypothesis "
                    "(each has a likelihood of 0 somewhere or a prior of 0)",
                    field="likelihoods",
                )
            ]
        )


def effective_lam(arr: CaseArrays) -> Array:
    """Per-item marginal likelihoods (N, K).

    E_rho[rho lam + (1 - rho) b] = rho_bar lam + (1 - rho_bar) b.
    """
    lam = arr.lam.copy()
    for g in arr.groups:
        b = np.where(np.isnan(arr.base[g.index]), arr.lam[g.index].mean(axis=-1), arr.base[g.index])
        lam[g.index] = g.mean * arr.lam[g.index] + (1 - g.mean) * b[:, None]
    return lam


def item_logliks(arr: CaseArrays) -> Array:
    """Per-item log P(E_e | h), every item (E, K); source reliability at its mean.

    An item under a proposition counts alone, through the chain: P(E_e | h) = sum_s P(s | h) P(E_e |
    s).
    """
    if not arr.propositions:
        return np.concatenate([quiet_log(effective_lam(arr)), arr.other_loglik], axis=0)
    lam = effective_lam(arr)
    ds = arr.direct_source >= 0 if len(arr.direct_source) else np.zeros(len(arr.items), dtype=bool)
    lam[ds] = direct_logliks_structured(arr)[ds]
    return np.concatenate([quiet_log(lam), arr.other_loglik, structured_item_logliks(arr)], axis=0)


def mixture_ll(ll: Array, weights: Array, mask: NDArray[np.bool_]) -> Array:
    """Log of sum_{h in mask} w_h exp(ll_h) / sum_{h in mask} w_h along the last axis."""
    w = np.where(mask, weights, 0.0)
    if w.sum() <= 0:  # no prior mass: weigh the group's hypotheses equally
        w = mask.astype(float)
    w = w / w.sum()
    return logsumexp(np.where(mask, ll + quiet_log(w), -np.inf), axis=-1)


def entropy_bits(p: ArrayLike, axis: int = -1) -> Array:
    """Shannon entropy in bits along ``axis`` (0 log 0 = 0)."""
    p = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(p > 0, -p * np.log2(np.where(p > 0, p, 1.0)), 0.0)
    return t.sum(axis=axis)


def all_items(arr: CaseArrays) -> list[str]:
    """Every item of the compiled case (direct, then under each proposition).

    ``arr.all_items`` when flat.
    """
    return every_item(arr)


def item_sources(case: Case) -> dict[str, list[str]]:
    """Item id -> the sources it rests on (its BibTeX ``sources`` and ``reported_by``)."""
    out = {}
    for e in case.evidence:
        keys = list(e.sources)
        if e.reported_by and e.reported_by not in keys:
            keys.append(e.reported_by)
        out[e.id] = keys
    return out


def scenario_logpost(arr: CaseArrays, prior: ArrayLike | None = None, **kw: Any) -> Array:
    """Unnormalised log posterior, log prior + log-likelihood (..., K).

    Keywords as :func:`scenario_loglik`.
    """
    p = arr.prior if prior is None else np.asarray(prior, dtype=float)
    return quiet_log(p) + scenario_loglik(arr, **kw)


def log_odds_db(logpost: ArrayLike, mask: NDArray[np.bool_]) -> Array:
    """Log-odds of the hypotheses in ``mask`` against the rest, in decibans.

    Computed from unnormalised log posteriors.

    Computed from the log weights directly, so it stays exact when a credence is within 1e-16 of 0
    or 1.
    """
    lp = np.asarray(logpost, dtype=float)
    with np.errstate(invalid="ignore"):
        return DB * (
            logsumexp(np.where(mask, lp, -np.inf), axis=-1)
            - logsumexp(np.where(mask, -np.inf, lp), axis=-1)
        )


def scenario_levels(
    arr: CaseArrays, post: Array, logpost: Array
) -> tuple[pd.MultiIndex, Array, Array]:
    """Long-form rows for S scenarios: every hypothesis, then every family, per scenario.

    Returns the (``scenario``, ``level``, ``id``) index, the credences and the log-odds
    against the rest in decibans (from the log weights), each flattened in index order.
    """
    K = len(arr.hypotheses)
    masks = [np.arange(K) == k for k in range(K)] + [
        arr.family_index == i for i in range(len(arr.families))
    ]
    lo_db = np.stack([log_odds_db(logpost, m) for m in masks], axis=1)  # (S, K + F)
    ids = [("hypothesis", h) for h in arr.hypotheses] + [("family", f) for f in arr.families]
    idx = pd.MultiIndex.from_tuples(
        [(s, lv, i) for s in range(len(post)) for lv, i in ids], names=["scenario", "level", "id"]
    )
    cred = np.concatenate([post, family_credence(arr, post)], axis=1)
    return idx, cred.ravel(), lo_db.ravel()
