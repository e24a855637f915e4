"""Prior sweep and the prior that reverses the conclusion."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from motives.exact import family_credence
from motives.schema import Case
from motives.sensitivity._core import (
    DB,
    Array,
    check_finite,
    scenario_levels,
    scenario_loglik,
    scenario_logpost,
    scenario_posterior,
    setup,
    target_of,
)


def swept_priors(prior: Array, mask: np.ndarray, p: ArrayLike) -> Array:
    """Priors (P, K) giving the target (``mask``) mass ``p``.

    Within each side the proportions of ``prior`` are kept.

    A side with no prior mass is split equally among its hypotheses.

    Examples
    --------
    Give the first hypothesis half, then 0.8, of the prior; the other two keep their ratio 3 : 5.

    >>> import numpy as np
    >>> swept_priors(np.array([0.2, 0.3, 0.5]), np.array([True, False, False]), [0.5, 0.8])
    array([[0.5   , 0.1875, 0.3125],
           [0.8   , 0.075 , 0.125 ]])
    """
    p = np.asarray(p, dtype=float)[:, None]
    inside = np.where(mask, prior, 0.0)
    outside = np.where(mask, 0.0, prior)
    inside = inside / inside.sum() if inside.sum() > 0 else mask / mask.sum()
    outside = outside / outside.sum() if outside.sum() > 0 else ~mask / (~mask).sum()
    return p * inside + (1 - p) * outside


def prior_sweep(
    case: Case,
    target: str | None = None,
    *,
    lens: str | None = None,
    prior: Any = None,
    points: int = 101,
    grid: ArrayLike | None = None,
    spacing: str = "auto",
    reliability: bool = True,
) -> pd.DataFrame:
    """Credence of every hypothesis and family as the prior of one target sweeps [0, 1].

    The target (a hypothesis or a family; default the leading family) gets
    prior mass ``p``; the rest of the prior keeps its proportions, and so do
    the hypotheses inside the target. All scenarios go through the exact
    engine in one vectorised call.

    Parameters
    ----------
    case
        The case.
    target
        Hypothesis or family id; default the family with the highest posterior credence.
    lens, prior, reliability
        As :func:`motives.exact_posterior`; ``prior`` fixes the proportions kept.
    points
        Number of prior values (ignored when ``grid`` is given).
    grid
        Explicit prior values of the target.
    spacing
        ``"linear"``: evenly spaced in [0, 1]; ``"logit"``: evenly spaced in
        prior log-odds, from 20 dB below to 20 dB above the case's prior and
        the tie prior (the sweep of a strong case, whose tie prior may be
        1e-9); ``"auto"`` (default): logit when the tie prior is within 0.02
        of 0 or 1, else linear.

    Returns
    -------
    pandas.DataFrame
        Long form, indexed by (``scenario``, ``level``, ``id``); columns
        ``target``, ``target_prior`` (the swept value), ``prior``,
        ``credence`` and ``log_odds_db`` (each id against the rest, decibans,
        exact from the log weights). ``attrs`` give ``spacing``,
        ``case_prior`` and ``tie_prior`` of the target.

    Examples
    --------
    >>> import motives as mv
    >>> df = prior_sweep(mv.examples.cookie_case(), "bowl1", grid=[0.5])
    >>> round(float(df.loc[(0, "hypothesis", "bowl1"), "credence"]), 12)
    0.6
    """
    arr, pri = setup(case, lens, prior)
    base = scenario_posterior(arr, pri, reliability=reliability)
    tgt = target_of(arr, target, base)
    p0 = float(pri[tgt.mask].sum())
    lbf = 0.0 if tgt.mask.all() else _log_bf(arr, pri, tgt.mask, reliability)
    # exp past 709 overflows to inf and 1 / (1 + inf) is the exact 0: that one overflow is expected,
    # said here (the formula kept as it was: the flat cases' outputs stay bit for bit those of
    # tests/data/flat_reference.json)
    with np.errstate(over="ignore"):
        tie = float(1.0 / (1.0 + np.exp(lbf))) if np.isfinite(lbf) else (0.0 if lbf > 0 else 1.0)
    if spacing not in ("auto", "linear", "logit"):
        raise ValueError(f"spacing must be 'auto', 'linear' or 'logit', got {spacing!r}")
    if spacing == "auto":
        spacing = "logit" if min(tie, 1 - tie) < 0.02 and 0 < tie < 1 else "linear"
    if grid is not None:
        g, spacing = np.asarray(grid, dtype=float), "grid"
    elif spacing == "logit":
        ends = [np.log(x) - np.log1p(-x) for x in (p0, tie) if 0 < x < 1]
        lo, hi = min(ends) - 20 / DB, max(ends) + 20 / DB
        with np.errstate(
            over="ignore"
        ):  # as for ``tie`` above: an overflow to inf gives the exact 0
            g = 1.0 / (1.0 + np.exp(-np.linspace(lo, hi, points)))
    else:
        g = np.linspace(0.0, 1.0, points)
    priors = swept_priors(pri, tgt.mask, g)
    post = scenario_posterior(arr, priors, reliability=reliability)  # (P, K): one call
    lp = scenario_logpost(arr, priors, reliability=reliability)
    idx, cred, lo_db = scenario_levels(arr, post, lp)
    df = pd.DataFrame(
        {
            "target": tgt.id,
            "target_prior": np.repeat(g, len(idx) // len(g)),
            "prior": np.concatenate([priors, family_credence(arr, priors)], axis=1).ravel(),
            "credence": cred,
            "log_odds_db": lo_db,
        },
        index=idx,
    )
    df.attrs.update(
        {
            "lens": arr.lens,
            "target": tgt.id,
            "target_level": tgt.level,
            "spacing": spacing,
            "case_prior": p0,
            "tie_prior": tie,
        }
    )
    return df


def bayes_factor(
    case: Case, target: str, *, lens: str | None = None, prior: Any = None, reliability: bool = True
) -> float:
    """P(E | target) / P(E | not target), with prior-weighted likelihoods.

    Each side's likelihood averaged with its prior proportions.

    Examples
    --------
    A positive test detects 90% of cases and gives 9% false positives: a Bayes factor of 0.9 / 0.09.

    >>> import motives as mv
    >>> round(bayes_factor(mv.examples.load("diagnostic_test"), "condition"), 6)
    10.0

    With more than two hypotheses the rest is averaged with the prior's weights: after a 6 and an 8,
    the d8 against the d4, d6, d12 and d20 (each 1/4 of the rest's prior).

    >>> round(
    ...     bayes_factor(mv.examples.load("dice"), "d8"), 4
    ... )  # (1/8)**2 / mean(0, 0, 1/144, 1/400)
    6.6176
    """
    arr, pri = setup(case, lens, prior)
    tgt = target_of(arr, target)
    return float(np.exp(_log_bf(arr, pri, tgt.mask, reliability)))


def _log_bf(arr: Any, pri: Array, mask: np.ndarray, reliability: bool) -> float:
    from motives.sensitivity._core import mixture_ll

    ll = scenario_loglik(arr, reliability=reliability)
    return float(mixture_ll(ll, pri, mask) - mixture_ll(ll, pri, ~mask))


def reversal_priors(
    case: Case, *, lens: str | None = None, prior: Any = None, reliability: bool = True
) -> pd.DataFrame:
    """Each hypothesis's and family's Bayes factor against the rest and its tying prior.

    For every hypothesis and family: its Bayes factor against the rest and the prior that makes it a
    tie.

    In odds form, posterior odds = prior odds x BF with
    BF = P(E | T) / P(E | not T), each side averaging its hypotheses'
    likelihoods with the prior's proportions (kept fixed when the target's
    prior moves). The target's credence is 1/2 exactly when its prior is
    ``p* = 1 / (1 + BF)``: the prior needed to reverse the conclusion (for
    two families, to make the other family lead).

    Returns
    -------
    pandas.DataFrame
        Indexed by (``level``, ``id``): ``prior``, ``credence``,
        ``bayes_factor``, ``decibans`` (10 log10 BF) and ``prior_for_tie``.

    Examples
    --------
    A positive test (Bayes factor 10) with a base rate of 1%: the condition would be a tie at a
    prior of 1/11.

    >>> import motives as mv
    >>> case = mv.examples.load("diagnostic_test")
    >>> rev = reversal_priors(case)
    >>> rev.loc["hypothesis"].round(4)
               prior  credence  bayes_factor  decibans  prior_for_tie
    id
    condition   0.01    0.0917          10.0      10.0         0.0909
    healthy     0.99    0.9083           0.1     -10.0         0.9091
    >>> p_star = rev.loc[("hypothesis", "condition"), "prior_for_tie"]
    >>> sweep = prior_sweep(case, "condition", grid=[p_star])
    >>> round(float(sweep.loc[(0, "hypothesis", "condition"), "credence"]), 9)  # the tie
    0.5
    """
    arr, pri = setup(case, lens, prior)
    post = scenario_posterior(arr, pri, reliability=reliability)
    check_finite(post)
    fp, fc = family_credence(arr, pri), family_credence(arr, post)
    rows = []
    for level, ids, pr, cr in (
        ("hypothesis", arr.hypotheses, pri, post),
        ("family", arr.families, fp, fc),
    ):
        for i, t in enumerate(ids):
            mask = np.arange(len(pri)) == i if level == "hypothesis" else arr.family_index == i
            if mask.all():
                lbf = 0.0
            else:
                lbf = _log_bf(arr, pri, mask, reliability)
            with np.errstate(over="ignore"):
                bf = float(np.exp(lbf))
            rows.append((level, t, pr[i], cr[i], bf, DB * lbf, 1.0 / (1.0 + bf)))
    df = pd.DataFrame(
        rows,
        columns=["level", "id", "prior", "credence", "bayes_factor", "decibans", "prior_for_tie"],
    ).set_index(["level", "id"])
    df.attrs["lens"] = arr.lens
    return df
