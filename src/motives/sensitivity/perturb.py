"""Perturbing likelihood ratios: tornado and break-even.

(The tornado's default perturbation, scaling an item's weight of evidence, is
described in :func:`tornado`; the ratio scaling below is its ``mode="ratio"``.)

**How a row is scaled.** Scaling item e's likelihood ratio by a factor x in
favour of a target T (a hypothesis or family) multiplies P(E_e | h) by x for
every h in T and leaves the other hypotheses' values alone; if a value then
exceeds 1, the whole row is divided by its largest value. For an item taken at
face value only ratios across hypotheses matter, so the cap changes nothing
and the item's likelihood ratio T : h' is multiplied by exactly x for every
h' outside T (ratios inside T and inside the rest are kept). Behind a source
of uncertain reliability the factor acts on the judged likelihoods before the
mixture rho lam + (1 - rho) b, so the item's effective ratio moves by less
than x (an unreliable source caps what any judgement can do). Timeline and
quantity items get log x added to T's log densities.

**Break-even.** The factor on one item's ratio (or on the ratios of every item
a lens rates) that alone brings the target level with its strongest rival R
(the runner-up hypothesis or family). For items at face value this is closed
form: scaling by x multiplies the posterior odds T : R by x (x**n for n items),
so x = c_R / c_T (or (c_R / c_T)**(1/n)). Where shared-source reliability
enters, the factor is found by root finding on log x; an item whose source
caps its effect may be unable to reach the tie (``reachable`` False).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from motives.exact import CaseArrays, family_credence, normalise
from motives.schema import Case
from motives.sensitivity._core import (
    DB,
    Array,
    Target,
    check_finite,
    item_logliks,
    log_odds_db,
    mixture_ll,
    scenario_blocks,
    scenario_logpost,
    scenario_posterior,
    setup,
    target_of,
)

#: Root finding gives up beyond factors of exp(+-MAX_LOG_FACTOR) (about 10**43).
MAX_LOG_FACTOR = 100.0


def scale_rows(arr: CaseArrays, mask: np.ndarray, which: np.ndarray, factor: Array) -> tuple[Array, Array]:
    """Scaled likelihoods for many scenarios.

    Parameters
    ----------
    arr
        The compiled case.
    mask
        (K,) the target's hypotheses.
    which
        (S, E) the items scaled in each scenario (E = likelihood then other items).
    factor
        (S,) the factor of each scenario.

    Returns
    -------
    lam, other
        Shapes (S, N, K) and (S, M, K).

    Examples
    --------
    The cookie problem's one item, its ratio bowl 1 : bowl 2 (1.5) scaled by 3 in favour of bowl 1:

    >>> import numpy as np, motives as mv
    >>> from motives.exact import compile_case
    >>> arr = compile_case(mv.examples.cookie_case())
    >>> lam, other = scale_rows(arr, np.array([True, False]), np.array([[True]]), np.array([3.0]))
    >>> lam.round(4)  # 0.75 x 3 exceeds 1, so the row is divided by 2.25
    array([[[1.    , 0.2222]]])
    >>> round(float(lam[0, 0, 0] / lam[0, 0, 1]), 6)  # the ratio, times 3
    4.5
    >>> other.shape  # no timeline or quantity items
    (1, 0, 2)
    """
    N = len(arr.items)
    which = np.asarray(which, dtype=bool)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        logf = np.log(np.asarray(factor, dtype=float))[:, None, None]
        up = which[:, :, None] & mask[None, None, :]
        lam = np.where(up[:, :N], arr.lam[None] * np.exp(logf), arr.lam[None])
        top = lam.max(axis=-1, keepdims=True)
        lam = np.where(top > 1, lam / np.where(top > 1, top, 1.0), lam)
        other = arr.other_loglik[None] + np.where(up[:, N:], logf, 0.0)
    return lam, other


def _credences(arr: CaseArrays, post: Array, level: str) -> Array:
    return family_credence(arr, post) if level == "family" else post


def _rival(arr: CaseArrays, tgt: Target, post: Array) -> tuple[int, int, str]:
    c = _credences(arr, post, tgt.level)
    ids = arr.families if tgt.level == "family" else arr.hypotheses
    t = ids.index(tgt.id)
    others = [i for i in range(len(ids)) if i != t]
    r = max(others, key=lambda i: c[i])
    return t, r, ids[r]


def temper_rows(arr: CaseArrays, which: np.ndarray, gamma: Array) -> tuple[Array, Array]:
    """Likelihoods with the chosen items' weight of evidence multiplied by ``gamma`` (one per scenario).

    Row e becomes lam_e**gamma (still in [0, 1] for gamma > 0; zeros stay zero);
    timeline and quantity rows get gamma times their log densities. At face
    value every log-ratio of the item, hence every weight of evidence, is
    multiplied by gamma exactly; gamma = 0 leaves the item out.

    Returns
    -------
    lam, other
        Shapes (S, N, K) and (S, M, K).

    Examples
    --------
    The cookie problem's one item (0.75 against 0.5) at twice its weight, then at none:

    >>> import numpy as np, motives as mv
    >>> from motives.exact import compile_case
    >>> arr = compile_case(mv.examples.cookie_case())
    >>> lam, other = temper_rows(arr, np.array([[True], [True]]), np.array([2.0, 0.0]))
    >>> lam[:, 0]  # ratio 1.5**2 = 2.25; ratio 1: the item says nothing
    array([[0.5625, 0.25  ],
           [1.    , 1.    ]])
    """
    N = len(arr.items)
    which = np.asarray(which, dtype=bool)
    g = np.asarray(gamma, dtype=float)[:, None, None]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ll = np.log(arr.lam)[None]
        tempered = np.where(np.isfinite(ll), np.exp(g * ll), 0.0)
    lam = np.where(which[:, :N, None], tempered, arr.lam[None])
    other = np.where(which[:, N:, None], g * arr.other_loglik[None], arr.other_loglik[None])
    return lam, other


def tornado(case: Case, *, factor: float = 3.0, mode: str = "strength", lens: str | None = None,
            target: str | None = None, prior: Any = None, reliability: bool = True) -> pd.DataFrame:
    """Target credence with each item perturbed down and up by ``factor``, one item at a time.

    Two perturbations, both applied with 1/factor (``low``) and factor (``high``):

    - ``mode="strength"`` (default): the item's weight of evidence is
      multiplied by the factor -- its likelihood ratios raised to that power
      (:func:`temper_rows`). An item that says little moves little, so the
      bars rank the items by how much the conclusion leans on them.
    - ``mode="ratio"``: the item's likelihood ratio target : rest is
      multiplied by the factor (:func:`scale_rows`). For items taken at face
      value this moves the posterior odds by exactly the factor whatever the
      item, so all their bars are equal (only items behind an uncertain source
      differ): that is the arithmetic of Bayes' rule, and the reason the
      break-even factor is the same for every such item.

    All 2E scenarios go through the engine in one call.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``evidence``, sorted by ``swing_db``: ``credence`` (unperturbed),
        ``low``, ``high``, ``swing`` (``|high - low|``); the same on the log-odds
        scale of the target against the rest, in decibans (``log_odds_db``,
        ``low_db``, ``high_db``, ``swing_db``: exact even when a credence is
        within 1e-16 of 0 or 1); ``direction`` (+1 when strengthening the item
        raises the target's credence).

    Examples
    --------
    A weak item (ratio 1.25) and a strong one (ratio 4.5), each weighted by 1/3 and by 3:

    >>> import motives as mv
    >>> case = mv.Case.model_validate({
    ...     "name": "two_items", "hypotheses": [{"id": "h1"}, {"id": "h2"}],
    ...     "evidence": [{"id": "weak", "title": "Weak", "likelihoods": {"h1": 0.5, "h2": 0.4}},
    ...                  {"id": "strong", "title": "Strong", "likelihoods": {"h1": 0.9, "h2": 0.2}}]})
    >>> t = tornado(case, target="h1")
    >>> t[["low", "high", "swing_db"]].round(4)  # the strong item first; swing = (3 - 1/3) x its decibans
              low    high  swing_db
    evidence
    strong    0.6736  0.9913   17.4190
    weak      0.8290  0.8978    2.5843

    Scaling the ratios instead moves the posterior odds by 1/3 and 3 whatever the item: equal bars
    of 20 log10(3) dB.

    >>> tornado(case, target="h1", mode="ratio")["swing_db"].round(4).tolist()
    [9.5424, 9.5424]
    """
    arr, pri = setup(case, lens, prior)
    base = scenario_posterior(arr, pri, reliability=reliability)
    check_finite(base)
    tgt = target_of(arr, target, base)
    E = len(arr.all_items)
    if mode not in ("strength", "ratio"):
        raise ValueError(f"mode must be 'strength' or 'ratio', got {mode!r}")
    fac = np.concatenate([np.full(E, 1.0 / factor), np.full(E, factor)])
    c, lo = np.empty(2 * E), np.empty(2 * E)
    per = 8.0 * 8 * E * len(arr.hypotheses)  # lam, other and temporaries of one scenario
    for sl in scenario_blocks(2 * E, per):  # 2E scenarios of E x K each: in blocks, not all at once
        which = np.eye(E, dtype=bool)[np.arange(2 * E)[sl] % E]
        if mode == "strength":
            lam, other = temper_rows(arr, which, fac[sl])
        else:
            lam, other = scale_rows(arr, tgt.mask, which, fac[sl])
        lp = scenario_logpost(arr, pri, lam=lam, other=other, reliability=reliability)
        c[sl] = normalise(lp)[:, tgt.mask].sum(axis=1)
        lo[sl] = log_odds_db(lp, tgt.mask)
    lo0 = float(log_odds_db(scenario_logpost(arr, pri, reliability=reliability), tgt.mask))
    df = pd.DataFrame({"credence": base[tgt.mask].sum(), "low": c[:E], "high": c[E:],
                       "log_odds_db": lo0, "low_db": lo[:E], "high_db": lo[E:]},
                      index=pd.Index(arr.all_items, name="evidence"))
    df["swing"] = (df["high"] - df["low"]).abs()
    df["swing_db"] = (df["high_db"] - df["low_db"]).abs()
    # NaN where the log-odds are infinite at both ends (an item cannot move a certainty): no direction
    df["direction"] = np.sign(np.nan_to_num(df["high_db"] - df["low_db"], nan=0.0)).astype(int)
    df = df.sort_values("swing_db", ascending=False, kind="stable")
    df.attrs.update({"lens": arr.lens, "target": tgt.id, "target_level": tgt.level, "factor": factor,
                     "mode": mode})
    return df


def _gap(arr: CaseArrays, pri: Array, tgt: Target, which: np.ndarray, t: int, r: int, reliability: bool,
         logx: float) -> float:
    lam, other = scale_rows(arr, tgt.mask, which[None], np.array([np.exp(logx)]))
    post = scenario_posterior(arr, pri, lam=lam, other=other, reliability=reliability)[0]
    c = _credences(arr, post, tgt.level)
    with np.errstate(divide="ignore"):
        return float(np.log(c[t]) - np.log(c[r]))


def _solve(arr: CaseArrays, pri: Array, tgt: Target, which: np.ndarray, t: int, r: int, reliability: bool,
           guess: float) -> tuple[float, bool]:
    def g(lx: float) -> float:
        return _gap(arr, pri, tgt, which, t, r, reliability, lx)

    lo, hi = min(guess, 0.0) - 1.0, max(guess, 0.0) + 1.0
    with np.errstate(all="ignore"):
        while lo >= -MAX_LOG_FACTOR and hi <= MAX_LOG_FACTOR:
            glo, ghi = g(lo), g(hi)
            if np.isfinite(glo) and np.isfinite(ghi) and glo * ghi <= 0:
                return float(np.exp(brentq(g, lo, hi, xtol=1e-14, rtol=1e-14, maxiter=500))), True
            lo, hi = lo * 2, hi * 2
    return (0.0 if guess < 0 else np.inf), False


def _grouped(arr: CaseArrays, reliability: bool) -> np.ndarray:
    E, out = len(arr.all_items), np.zeros(len(arr.all_items), dtype=bool)
    if reliability:
        for g in arr.groups:
            out[g.index] = True
    return out[:E]


def break_even(case: Case, *, lens: str | None = None, target: str | None = None, prior: Any = None,
               reliability: bool = True) -> pd.DataFrame:
    """For each item, the factor on its likelihood ratio that alone ties the target with its strongest rival.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``evidence``: ``factor`` (multiply the item's ratio target :
        rest by this), ``factor_db`` (10 log10 factor), ``db_item`` (the item's
        current weight of evidence for the target, prior-weighted rest),
        ``db_needed`` (``db_item + factor_db``), ``reachable`` and ``method``
        (closed form or root finding). ``attrs`` name the target and rival.

    Examples
    --------
    A positive test (ratio 10) with a base rate of 1%: for the condition to tie with health, the test's
    ratio would have to be 99 (the prior odds against), i.e. 9.9 times what it is.

    >>> import numpy as np, motives as mv
    >>> from motives.exact import compile_case
    >>> case = mv.examples.load("diagnostic_test")
    >>> be = break_even(case, target="condition")
    >>> be.attrs["rival"]
    'healthy'
    >>> be[["factor", "db_item", "db_needed", "reachable"]].round(4)
              factor  db_item  db_needed  reachable
    evidence
    positive     9.9     10.0    19.9564       True

    Applying the factor lands on the tie:

    >>> arr = compile_case(case)
    >>> lam, other = scale_rows(arr, np.array([True, False]), np.array([[True]]), be["factor"].to_numpy())
    >>> scenario_posterior(arr, lam=lam, other=other).round(12)
    array([[0.5, 0.5]])
    """
    arr, pri = setup(case, lens, prior)
    base = scenario_posterior(arr, pri, reliability=reliability)
    check_finite(base)
    tgt = target_of(arr, target, base)
    t, r, rival = _rival(arr, tgt, base)
    c = _credences(arr, base, tgt.level)
    x0 = c[r] / c[t]
    E = len(arr.all_items)
    ll = item_logliks(arr)
    with np.errstate(invalid="ignore"):
        db_item = DB * (mixture_ll(ll, pri, tgt.mask) - mixture_ll(ll, pri, ~tgt.mask))
    grouped = _grouped(arr, reliability)
    rows = []
    for j, e in enumerate(arr.all_items):
        if grouped[j]:
            x, ok = _solve(arr, pri, tgt, np.arange(E) == j, t, r, reliability, float(np.log(x0)))
            method = "root"
        else:
            x, ok, method = x0, True, "closed form"
        with np.errstate(divide="ignore", invalid="ignore"):  # an item that rules out: inf + -inf is NaN
            fdb = DB * np.log(x)
            rows.append((e, x, fdb, db_item[j], db_item[j] + fdb, ok, method))
    df = pd.DataFrame(rows, columns=["evidence", "factor", "factor_db", "db_item", "db_needed", "reachable",
                                     "method"]).set_index("evidence")
    df.attrs.update({"lens": arr.lens, "target": tgt.id, "target_level": tgt.level, "rival": rival})
    return df


def lens_break_even(case: Case, *, target: str | None = None, prior: Any = None,
                    reliability: bool = True) -> pd.DataFrame:
    """For each lens, one factor on the ratios of every item it rates that ties the target with its rival.

    The target defaults to the leading family under the case's default lens
    and is the same for every lens; the posterior is each lens's own.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``lens``: ``credence`` (target under the lens), ``rival``,
        ``items`` (items the lens rates), ``factor``, ``factor_db``, ``reachable``, ``method``.

    Examples
    --------
    Two lenses that agree on one item and read the other the opposite way. Lens a puts the odds of h1 at
    4 : 1 over two items, so halving both ratios ties it; under lens b it is already a tie.

    >>> import motives as mv
    >>> case = mv.examples.load("two_lenses")
    >>> lbe = lens_break_even(case, target="h1")
    >>> lbe[["credence", "rival", "items", "factor", "factor_db"]].round(4)
          credence rival  items  factor  factor_db
    lens
    a          0.8    h2      2     0.5    -3.0103
    b          0.5    h2      2     1.0     0.0000
    """
    arr0, pri = setup(case, None, prior)
    tgt0 = target_of(arr0, target, scenario_posterior(arr0, pri, reliability=reliability))
    rows = []
    for lens in case.lens_ids:
        arr, _ = setup(case, lens, prior)
        base = scenario_posterior(arr, pri, reliability=reliability)
        check_finite(base, f"posterior under lens {lens}")
        tgt = target_of(arr, tgt0.id)
        t, r, rival = _rival(arr, tgt, base)
        c = _credences(arr, base, tgt.level)
        which = np.array([e not in arr.fallbacks for e in arr.all_items])
        n = int(which.sum())
        if n == 0:
            x, ok, method = np.nan, False, "no items"
        elif (which & _grouped(arr, reliability)).any():
            x, ok = _solve(arr, pri, tgt, which, t, r, reliability, float(np.log(c[r] / c[t]) / n))
            method = "root"
        else:
            x, ok, method = (c[r] / c[t]) ** (1.0 / n), True, "closed form"
        with np.errstate(divide="ignore", invalid="ignore"):
            fdb = DB * np.log(x)
        rows.append((lens, c[t], rival, n, x, fdb, ok, method))
    df = pd.DataFrame(rows, columns=["lens", "credence", "rival", "items", "factor", "factor_db", "reachable",
                                     "method"]).set_index("lens")
    df.attrs.update({"target": tgt0.id, "target_level": tgt0.level})
    return df
