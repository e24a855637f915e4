"""Evidence discount: how far the conclusion rests on treating the items as independent.

The exact engine multiplies the items' likelihoods, as if each were
conditionally independent given the hypothesis. Observations that stem from
one underlying decision are rarely quite that, and many mildly diagnostic
items multiplied together can give a near-certain answer. A common discount
``gamma`` in [0, 1] on every item's weight of evidence (each row of
likelihoods raised to ``gamma``, timeline and quantity log densities times
``gamma``; a zero likelihood stays a zero, a logical exclusion) asks what the evidence implies if it is worth only ``gamma`` times
as much -- as if the N diagnostic items were worth ``gamma * N`` independent
ones. At face value every log-odds is then linear in ``gamma``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from motives.schema import Case
from motives.sensitivity._core import scenario_levels, scenario_logpost, scenario_posterior, setup, target_of
from motives.sensitivity.perturb import temper_rows


def evidence_discount(case: Case, target: str | None = None, *, lens: str | None = None, prior: Any = None,
                      points: int = 101, grid: ArrayLike | None = None, levels: ArrayLike = (0.9, 0.95, 0.99),
                      reliability: bool = True) -> pd.DataFrame:
    """Credences with every item's weight of evidence discounted by a common factor ``gamma``.

    Parameters
    ----------
    case
        The case.
    target
        Hypothesis or family whose credence the ``attrs`` summarise; default the leading family.
    lens, prior, reliability
        As :func:`motives.exact_posterior`.
    points
        Number of ``gamma`` values, evenly spaced in [0, 1] (ignored when ``grid`` is given).
    grid
        Explicit ``gamma`` values (each >= 0).
    levels
        Credences of the target for which ``attrs["gamma_for"]`` gives the smallest
        discount factor that still reaches them.

    Returns
    -------
    pandas.DataFrame
        Long form, indexed by (``scenario``, ``level``, ``id``); columns ``target``,
        ``gamma``, ``effective_items`` (``gamma`` times the number of diagnostic
        items), ``credence`` and ``log_odds_db`` (each id against the rest, in
        decibans). ``attrs``: ``lens``, ``target``, ``diagnostic_items`` and
        ``gamma_for`` -- {level: smallest gamma on the grid at which the target's
        credence reaches that level, or None if it never does}.

    Examples
    --------
    The dice problem (a 6, then an 8). A zero likelihood is a logical exclusion, not a weight, so
    it is not discounted: at gamma = 0 the d4 and d6 stay ruled out and the d8 has 1/3; at 1, the
    posterior.

    >>> import motives as mv
    >>> d = evidence_discount(mv.examples.load("dice"), "d8", grid=[0.0, 0.5, 1.0])
    >>> d.xs(("hypothesis", "d8"), level=("level", "id"))[["gamma", "credence"]].round(4)
              gamma  credence
    scenario
    0           0.0    0.3333
    1           0.5    0.4839
    2           1.0    0.6233

    For two hypotheses and point likelihoods the log-odds is linear in gamma: the cookie
    problem's +1.76 dB at full weight is +0.88 dB at half weight.

    >>> d = evidence_discount(mv.examples.cookie_case(), "bowl1", grid=[0.5, 1.0])
    >>> d.xs(("hypothesis", "bowl1"), level=("level", "id"))["log_odds_db"].round(2).tolist()
    [0.88, 1.76]
    >>> d.attrs["diagnostic_items"], d.attrs["gamma_for"][0.9]
    (1, None)
    """
    arr, pri = setup(case, lens, prior)
    if grid is not None:
        g = np.asarray(grid, dtype=float)
        if g.ndim != 1 or g.size == 0 or not np.all(np.isfinite(g)) or np.any(g < 0):
            raise ValueError(f"grid must be a non-empty list of finite numbers >= 0, got {np.asarray(grid).tolist()}")
    else:
        if points < 2:
            raise ValueError(f"points must be at least 2, got {points}")
        g = np.linspace(0.0, 1.0, points)
    base = scenario_posterior(arr, pri, reliability=reliability)
    tgt = target_of(arr, target, base)
    E = len(arr.all_items)
    lam, other = temper_rows(arr, np.ones((len(g), E), dtype=bool), g)
    post = scenario_posterior(arr, pri, lam=lam, other=other, reliability=reliability)  # (G, K): one call
    lp = scenario_logpost(arr, pri, lam=lam, other=other, reliability=reliability)
    idx, cred, lo_db = scenario_levels(arr, post, lp)
    rows = len(idx) // len(g)
    n_diag = _diagnostic_items(arr)
    df = pd.DataFrame({
        "target": tgt.id,
        "gamma": np.repeat(g, rows),
        "effective_items": np.repeat(g * n_diag, rows),
        "credence": cred,
        "log_odds_db": lo_db,
    }, index=idx)
    t_cred = post[:, tgt.mask].sum(axis=1)
    order = np.argsort(g)
    gamma_for = {}
    for level in np.atleast_1d(np.asarray(levels, dtype=float)):
        hit = order[t_cred[order] >= level]
        gamma_for[float(level)] = float(g[hit[0]]) if hit.size else None
    df.attrs.update({"lens": arr.lens, "target": tgt.id, "target_level": tgt.level,
                     "diagnostic_items": n_diag, "gamma_for": gamma_for})
    return df


def _diagnostic_items(arr: Any) -> int:
    """Items whose likelihoods (or log densities) differ across hypotheses."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rows = np.concatenate([np.log(arr.lam), arr.other_loglik], axis=0)
    spread = np.nanmax(rows, axis=1) - np.nanmin(rows, axis=1)
    return int(np.sum((spread > 1e-12) | ~np.isfinite(spread)))
