"""Closed-form log marginal likelihoods of timeline (linear trend, step) and quantity items."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from motives.schema import TimelineItem

if TYPE_CHECKING:
    pass

Array = NDArray[np.float64]



def timeline_loglik(t: ArrayLike, y: ArrayLike, sigma: float, a_mean: float, a_sd: float,
                    b_mean: float, b_sd: float) -> float:
    """Log marginal likelihood of y ~ Normal(a + b t, sigma) with a, b independent Normals.

    y ~ MVN(X m, sigma^2 I + X S X^T), X = [1, t], S = diag(a_sd^2, b_sd^2).

    Examples
    --------
    >>> round(timeline_loglik([0.0], [1.0], 1.0, 1.0, 1e-9, 0.0, 1e-9), 6)  # = log N(1; 1, 1)
    -0.918939
    """
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    X = np.stack([np.ones_like(t), t], axis=1)
    S = np.diag([a_sd**2, b_sd**2])
    cov = sigma**2 * np.eye(len(t)) + X @ S @ X.T
    r = y - X @ np.array([a_mean, b_mean])
    L = np.linalg.cholesky(cov)
    z = np.linalg.solve(L, r)
    return float(-0.5 * z @ z - np.log(np.diag(L)).sum() - 0.5 * len(t) * math.log(2 * math.pi))



def mvn_marginal(X: Array, y: Array, sigma: float, m: Array, sd: Array) -> float:
    """Log N(y; X m, sigma^2 I + X diag(sd^2) X^T) by Cholesky."""
    cov = sigma**2 * np.eye(len(y)) + (X * sd**2) @ X.T
    L = np.linalg.cholesky(cov)
    z = np.linalg.solve(L, y - X @ m)
    return float(-0.5 * z @ z - np.log(np.diag(L)).sum() - 0.5 * len(y) * math.log(2 * math.pi))



def step_loglik(t: ArrayLike, y: ArrayLike, sigma: float, before_mean: float, before_sd: float,
                after_mean: float, after_sd: float, breaks: ArrayLike) -> float:
    """Log marginal likelihood of a step trend: y_i ~ Normal(mu_before or mu_after, sigma).

    The level is ``mu_before`` for t_i < t_b and ``mu_after`` for t_i >= t_b,
    with mu_before ~ Normal(before_mean, before_sd) and mu_after ~
    Normal(after_mean, after_sd) independent. For one break t_b,
    y ~ MVN(X m, sigma^2 I + X S X^T) with X = [1{t < t_b}, 1{t >= t_b}]
    and S = diag(before_sd^2, after_sd^2). With several candidate breaks
    (``breaks``, in the units of ``t``) the break is uniform over them and the
    result is the log of the mean of their likelihoods (log-mean-exp).

    Examples
    --------
    >>> round(step_loglik([0.0], [1.0], 1.0, 1.0, 1e-9, 5.0, 1e-9, [0.5]), 6)  # before the break: log N(1; 1, 1)
    -0.918939
    >>> a = step_loglik([0.0, 1.0], [0.0, 2.0], 1.0, 0.0, 1.0, 2.0, 1.0, [0.5])
    >>> b = step_loglik([0.0, 1.0], [0.0, 2.0], 1.0, 0.0, 1.0, 2.0, 1.0, [5.0])
    >>> float(round(step_loglik([0.0, 1.0], [0.0, 2.0], 1.0, 0.0, 1.0, 2.0, 1.0, [0.5, 5.0]) - np.logaddexp(a, b), 9))
    -0.693147181
    """
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    bs = np.atleast_1d(np.asarray(breaks, dtype=float))
    if bs.size == 0:
        raise ValueError("a step trend needs at least one break")
    m = np.array([before_mean, after_mean])
    sd = np.array([before_sd, after_sd])
    lls = []
    for tb in bs:
        after = (t >= tb).astype(float)
        X = np.stack([1.0 - after, after], axis=1)
        lls.append(mvn_marginal(X, y, sigma, m, sd))
    arr = np.array(lls)
    top = arr.max()
    return float(top + np.log(np.mean(np.exp(arr - top))))



def trend_loglik(t: ArrayLike, y: ArrayLike, sigma: float, trend: Any, *, origin: float = 0.0) -> float:
    """Log marginal likelihood of timeline data under one trend record, sigma fixed.

    ``trend`` is a linear :class:`~motives.schema.TrendPrior` (``{intercept, slope}``,
    :func:`timeline_loglik`) or a :class:`~motives.schema.StepTrend` (``{step: {before,
    after, at}}``, :func:`step_loglik`). ``t`` is in years from ``origin`` (the
    timeline item's ``origin``, as :func:`timeline_data` gives it); a step's break
    dates are converted with the same origin, so pass it whenever a step may occur.

    Examples
    --------
    >>> from motives.schema import TrendPrior, StepTrend
    >>> lin = TrendPrior.model_validate({"intercept": {"mean": 1.0, "sd": 1e-9}, "slope": {"mean": 0.0, "sd": 1e-9}})
    >>> round(trend_loglik([0.0], [1.0], 1.0, lin), 6)
    -0.918939
    >>> st = StepTrend.model_validate({"step": {"before": {"mean": 1.0, "sd": 1e-9},
    ...                                         "after": {"mean": 3.0, "sd": 1e-9}, "at": "2008"}})
    >>> round(trend_loglik([2.0], [1.0], 1.0, st, origin=2002.0), 6)  # 2004 is before mid-2008
    -0.918939
    """
    step = getattr(trend, "step", None)
    if step is not None:
        breaks = [d.decimal_year - origin for d in step.break_dates]
        return step_loglik(t, y, sigma, step.before.mean, step.before.sd, step.after.mean, step.after.sd, breaks)
    return timeline_loglik(t, y, sigma, trend.intercept.mean, trend.intercept.sd, trend.slope.mean, trend.slope.sd)



def quantity_loglik(x: float, dist: Any) -> float:
    """Log density of the observed ``x`` under a predictive distribution record.

    Examples
    --------
    >>> from motives.schema import NormalPredictive, UniformPredictive
    >>> round(quantity_loglik(1.0, NormalPredictive(dist="normal", mean=1.0, sd=1.0)), 6)  # log N(1; 1, 1)
    -0.918939
    >>> round(quantity_loglik(0.5, UniformPredictive(dist="uniform", lower=0.0, upper=2.0)), 6)  # log(1/2)
    -0.693147
    >>> quantity_loglik(3.0, UniformPredictive(dist="uniform", lower=0.0, upper=2.0))
    -inf
    """
    if dist.dist == "normal":
        return -0.5 * ((x - dist.mean) / dist.sd) ** 2 - math.log(dist.sd) - 0.5 * math.log(2 * math.pi)
    if dist.dist == "lognormal":
        if x <= 0:
            return -math.inf
        z = (math.log(x) - math.log(dist.median)) / dist.sigma
        return -0.5 * z * z - math.log(dist.sigma * x) - 0.5 * math.log(2 * math.pi)
    if dist.dist == "uniform":
        return -math.log(dist.upper - dist.lower) if dist.lower <= x <= dist.upper else -math.inf
    raise ValueError(f"unknown predictive distribution {dist.dist!r}")



def timeline_data(item: TimelineItem) -> tuple[Array, Array]:
    """(t, y) of a timeline item: years from its origin and codes."""
    t = np.array([o.date.decimal_year - item.origin for o in item.observations])
    y = np.array([o.code for o in item.observations])
    return t, y



def other_kind_loglik(e: Any, j: Any, keys: list[str]) -> list[float]:
    """Log-likelihoods of a timeline or quantity item per key.

    A located refusal where they cannot be computed.

    A sigma so small that sigma^2 I + X S X^T is singular in floating point (1e-8 against trend priors of sd
    0.5), or so large that sigma^2 overflows (1e300), has no usable likelihood: it is refused with the item
    and field named, rather than escaping as LinAlgError or OverflowError.
    """
    from motives.errors import CaseError, Problem

    try:
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            if isinstance(e, TimelineItem):
                t, y = timeline_data(e)
                out = [trend_loglik(t, y, e.sigma, j.values[k], origin=e.origin) for k in keys]
            else:
                out = [quantity_loglik(e.observed, j.values[k]) for k in keys]
    except (np.linalg.LinAlgError, ArithmeticError, FloatingPointError) as exc:
        what = (f"sigma {e.sigma:g} cannot be computed with against the trends' spreads (sigma^2 I + X S X^T is "
                f"{'singular' if isinstance(exc, np.linalg.LinAlgError) else 'out of range'} in floating point): "
                "give sigma on the scale of the codes (e.g. 0.1 to 10)" if isinstance(e, TimelineItem)
                else f"the predictive distributions give no finite density at {e.observed:g}: {exc}")
        raise CaseError([Problem(what, item=e.id, field="sigma" if isinstance(e, TimelineItem) else "predictive")]
                        ) from None
    if any(math.isnan(v) or v == math.inf for v in out):
        raise CaseError([Problem("its likelihood is not a finite number (the numbers are too extreme to compute "
                                 "with)", item=e.id)])
    return out

