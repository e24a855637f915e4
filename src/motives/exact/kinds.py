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


def timeline_loglik(
    t: ArrayLike, y: ArrayLike, sigma: float, a_mean: float, a_sd: float, b_mean: float, b_sd: float
) -> float:
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


def step_loglik(
    t: ArrayLike,
    y: ArrayLike,
    sigma: float,
    before_mean: float,
    before_sd: float,
    after_mean: float,
    after_sd: float,
    breaks: ArrayLike,
) -> float:
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
    >>> round(
    ...     step_loglik([0.0], [1.0], 1.0, 1.0, 1e-9, 5.0, 1e-9, [0.5]), 6
    ... )  # before the break: log N(1; 1, 1)
    -0.918939
    >>> a = step_loglik([0.0, 1.0], [0.0, 2.0], 1.0, 0.0, 1.0, 2.0, 1.0, [0.5])
    >>> b = step_loglik([0.0, 1.0], [0.0, 2.0], 1.0, 0.0, 1.0, 2.0, 1.0, [5.0])
    >>> float(
    ...     round(
    ...         step_loglik([0.0, 1.0], [0.0, 2.0], 1.0, 0.0, 1.0, 2.0, 1.0, [0.5, 5.0])
    ...         - np.logaddexp(a, b),
    ...         9,
    ...     )
    ... )
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


def trend_loglik(
    t: ArrayLike, y: ArrayLike, sigma: float, trend: Any, *, origin: float = 0.0
) -> float:
    """Log marginal likelihood of timeline data under one trend record, sigma fixed.

    ``trend`` is a linear :class:`~motives.schema.TrendPrior` (``{intercept, slope}``,
    :func:`timeline_loglik`) or a :class:`~motives.schema.StepTrend` (``{step: {before,
    after, at}}``, :func:`step_loglik`). ``t`` is in years from ``origin`` (the
    timeline item's ``origin``, as :func:`timeline_data` gives it); a step's break
    dates are converted with the same origin, so pass it whenever a step may occur.

    Examples
    --------
    >>> from motives.schema import TrendPrior, StepTrend
    >>> lin = TrendPrior.model_validate(
    ...     {"intercept": {"mean": 1.0, "sd": 1e-9}, "slope": {"mean": 0.0, "sd": 1e-9}}
    ... )
    >>> round(trend_loglik([0.0], [1.0], 1.0, lin), 6)
    -0.918939
    >>> st = StepTrend.model_validate(
    ...     {
    ...         "step": {
    ...             "before": {"mean": 1.0, "sd": 1e-9},
    ...             "after": {"mean": 3.0, "sd": 1e-9},
    ...             "at": "2008",
    ...         }
    ...     }
    ... )
    >>> round(trend_loglik([2.0], [1.0], 1.0, st, origin=2002.0), 6)  # 2004 is before mid-2008
    -0.918939
    """
    step = getattr(trend, "step", None)
    if step is not None:
        breaks = [d.decimal_year - origin for d in step.break_dates]
        return step_loglik(
            t, y, sigma, step.before.mean, step.before.sd, step.after.mean, step.after.sd, breaks
        )
    return timeline_loglik(
        t, y, sigma, trend.intercept.mean, trend.intercept.sd, trend.slope.mean, trend.slope.sd
    )


def quantity_loglik(x: float, dist: Any) -> float:
    """Log density of the observed ``x`` under a predictive distribution record.

    Examples
    --------
    >>> from motives.schema import NormalPredictive, UniformPredictive
    >>> round(
    ...     quantity_loglik(1.0, NormalPredictive(dist="normal", mean=1.0, sd=1.0)), 6
    ... )  # log N(1; 1, 1)
    -0.918939
    >>> round(
    ...     quantity_loglik(0.5, UniformPredictive(dist="uniform", lower=0.0, upper=2.0)), 6
    ... )  # log(1/2)
    -0.693147
    >>> quantity_loglik(3.0, UniformPredictive(dist="uniform", lower=0.0, upper=2.0))
    -inf
    """
    if dist.dist == "normal":
        z = _standardised(x, dist.mean, dist.sd)
        _gaussian_log(z)  # refuses a z whose square overflows
        # the same operations in the same order as before the overflow checks (the flat references
        # are bit for bit)
        return -0.5 * z**2 - math.log(dist.sd) - 0.5 * math.log(2 * math.pi)
    if dist.dist == "lognormal":
        if x <= 0:
            return -math.inf
        z = _standardised(math.log(x), math.log(dist.median), dist.sigma)
        _gaussian_log(z)  # refuses a z whose square overflows
        scale = (
            dist.sigma * x
        )  # as before the overflow checks where it is finite (bit for bit), else in logs
        log_scale = (
            math.log(scale)
            if math.isfinite(scale) and scale > 0
            else math.log(dist.sigma) + math.log(x)
        )
        return -0.5 * z * z - log_scale - 0.5 * math.log(2 * math.pi)
    if dist.dist == "uniform":
        if not dist.lower <= x <= dist.upper:
            return -math.inf
        width = (
            dist.upper - dist.lower
        )  # overflows for [-1e308, 1e308] (density read as 0): then 2 (upper/2 - lower/2)
        return (
            -math.log(width)
            if math.isfinite(width)
            else -(math.log(dist.upper / 2 - dist.lower / 2) + math.log(2))
        )
    raise ValueError(f"unknown predictive distribution {dist.dist!r}")


def _standardised(x: float, loc: float, scale: float) -> float:
    """(x - loc) / scale without overflow in the difference (1e308 against -1e308 with scale 1e308 is 2)."""
    z = (x - loc) / scale
    return z if math.isfinite(z) else x / scale - loc / scale


def _gaussian_log(z: float) -> float:
    """Log of the standard normal density at z; an OverflowError where z^2 / 2 is beyond float64.

    A normal density is never 0: a log density of -inf would only be an overflow, which read as 0
    would rule a hypothesis out (or, for all of them, say the evidence rules out every one); the
    caller refuses it, located.
    """
    half = 0.5 * z * z
    if not math.isfinite(half):
        raise OverflowError(
            f"the observation is {abs(z):.3g} standard deviations from the prediction"
        )
    return -half - 0.5 * math.log(2 * math.pi)


def timeline_data(item: TimelineItem) -> tuple[Array, Array]:
    """(t, y) of a timeline item: years from its origin and codes."""
    t = np.array([o.date.decimal_year - item.origin for o in item.observations])
    y = np.array([o.code for o in item.observations])
    return t, y


def _timeline_culprit(e: TimelineItem, j: Any, keys: list[str]) -> tuple[str, float]:
    """(field, value) of the number of a timeline item furthest from ordinary magnitudes (log10 |x| from 0).

    Years are compared with 2000, not 0 (an origin of 2002 is ordinary); zeros are ordinary.
    """
    found: list[tuple[str, float, float]] = [("sigma", e.sigma, 0.0), ("origin", e.origin, 2000.0)]
    found += [(f"observations.{i}.code", float(o.code), 0.0) for i, o in enumerate(e.observations)]
    for k in keys:
        trend = j.values[k].model_dump()
        parts = trend["step"] if "step" in trend else trend
        for part in ("intercept", "slope", "before", "after"):
            for name in ("mean", "sd"):
                if isinstance(parts.get(part), dict):
                    found.append((f"trends.{k}.{part}.{name}", float(parts[part][name]), 0.0))

    def far(x: float, centre: float) -> float:
        d = abs(x - centre) if math.isfinite(x - centre) else abs(x)
        return abs(math.log10(d)) if d > 0 else 0.0

    field, value, _ = max(found, key=lambda t: far(t[1], t[2]))
    return field, value


def other_kind_loglik(e: Any, j: Any, keys: list[str]) -> list[float]:
    """Log-likelihoods of a timeline or quantity item per key.

    A located refusal where they cannot be computed.

    A sigma so small that sigma^2 I + X S X^T is singular in floating point (1e-8 against trend
    priors of sd 0.5), or so large that sigma^2 overflows (1e300), has no usable likelihood: it is
    refused with the item and field named, rather than escaping as LinAlgError or OverflowError.
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
        singular = isinstance(exc, np.linalg.LinAlgError)
        if not isinstance(e, TimelineItem):
            what, field = (
                f"the predictive distributions give no finite density at {e.observed:g}: {exc}",
                "predictive",
            )
        elif singular:  # only sigma against the trends' spreads makes the covariance singular
            what, field = (
                (
                    f"sigma {e.sigma:g} cannot be computed with against the trends' spreads "
                    "(sigma^2 I + X S X^T is singular in floating point): give sigma on the scale "
                    "of the codes (e.g. 0.1 to 10)"
                ),
                "sigma",
            )
        else:  # an overflow: the number furthest from the scale of codes and years is named
            field, value = _timeline_culprit(e, j, keys)
            what = (
                f"its likelihood overflows in floating point ({field} is {value:g}): give sigma, "
                "the origin, the "
                "codes and the trends' means and sds on the scale of the codes and years (e.g. "
                "sigma 0.1 to 10)"
            )
        raise CaseError([Problem(what, item=e.id, field=field)]) from None
    if any(math.isnan(v) or v == math.inf for v in out):
        raise CaseError(
            [
                Problem(
                    "its likelihood is not a finite number (the numbers are too extreme to compute "
                    "with)",
                    item=e.id,
                )
            ]
        )
    return out
