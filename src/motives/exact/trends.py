"""Predictive bands of each hypothesis's trend for timeline items (the trend figures draw them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from motives.conventions import INTERVAL_MASS
from motives.schema import Case, TimelineItem

if TYPE_CHECKING:
    import pandas as pd

Array = NDArray[np.float64]


def trend_bands(
    case: Case,
    item: str | None = None,
    lens: str | None = None,
    *,
    years: ArrayLike | None = None,
    points: int = 200,
    mass: float = INTERVAL_MASS,
) -> pd.DataFrame:
    """Each predicted trend of a timeline item over the years.

    Prior mean, sd and central ``mass`` band.

    A linear trend y = a + b (t - origin), a ~ N(m_a, s_a), b ~ N(m_b, s_b) independent, is Normal
    at each year: mean m_a + m_b t, variance s_a^2 + s_b^2 t^2, band mean -/+ z sd (z the Normal
    quantile). A step trend whose break is one of several dates (uniform) is at each year a mixture
    of N(before) and N(after), weighted by the share of break dates at or before that year; its band
    holds the mixture's quantiles (1 -/+ mass)/2, found by bisection of its CDF (exact to 1e-10 of
    the code scale). The band is of the trend line, not of one observation (without the noise
    ``sigma``).

    Hypotheses (or, for an item under a proposition, the proposition's states)
    whose trend records are identical share one trend.

    Parameters
    ----------
    item
        Id of a timeline item; default the case's first.
    lens
        Whose trend priors; default the case's default lens (an item the lens does not rate uses it
        too).
    years
        Decimal years to evaluate; default ``points`` from the earlier of the
        item's origin and first observation to half a year past the last.
    mass
        Mass of the central band.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``trend`` (0, 1, ...; first-appearance order) and ``point``;
        columns ``ids`` (the hypotheses or states sharing the trend, joined by
        commas), ``year``, ``mean``, ``sd``, ``lower``, ``upper``. ``attrs``:
        ``item``, ``lens``, ``mass``, ``sigma``, ``origin``.

    Examples
    --------
    One hypothesis predicts a rise from 0 by 0.2 a year, the other a flat line at 1:

    >>> import motives as mv
    >>> trend = {
    ...     "rising": {"intercept": {"mean": 0, "sd": 0.5}, "slope": {"mean": 0.2, "sd": 0.05}},
    ...     "flat": {"intercept": {"mean": 1, "sd": 0.5}, "slope": {"mean": 0, "sd": 0.05}},
    ... }
    >>> case = mv.Case.model_validate(
    ...     {
    ...         "name": "trend",
    ...         "hypotheses": [{"id": "rising"}, {"id": "flat"}],
    ...         "evidence": [
    ...             {
    ...                 "id": "rhetoric",
    ...                 "kind": "timeline",
    ...                 "title": "Statements",
    ...                 "origin": 2000,
    ...                 "sigma": 0.8,
    ...                 "observations": [{"date": "2000", "code": 0}, {"date": "2010", "code": 2}],
    ...                 "trends": {"default": {"values": trend}},
    ...             }
    ...         ],
    ...     }
    ... )
    >>> b = trend_bands(case, "rhetoric", years=[2000, 2010])
    >>> b[["ids", "year", "mean", "sd"]].round(3)
                    ids    year  mean     sd
    trend point
    0     0      rising  2000.0   0.0  0.500
          1      rising  2010.0   2.0  0.707
    1     0        flat  2000.0   1.0  0.500
          1        flat  2010.0   1.0  0.707
    >>> float((b["upper"] - b["mean"]).round(3).iloc[0])  # 1.645 sd: the 90% band
    0.822
    """
    import pandas as pd
    from scipy.stats import norm

    items = [e for e in case.evidence if isinstance(e, TimelineItem)]
    if not items:
        raise ValueError(f"case {case.name!r} has no timeline item")
    it = items[0] if item is None else case.item(item)
    if not isinstance(it, TimelineItem):
        raise ValueError(f"item {item!r} is a {it.kind} item, not a timeline")
    if not 0 < mass < 1:
        raise ValueError(f"mass must lie strictly between 0 and 1, got {mass!r}")
    lens_id = case.resolve_lens(lens)
    j, _ = case.judgement(it, lens_id)
    if years is None:
        t_obs = np.array([o.date.decimal_year for o in it.observations])
        grid = np.linspace(min(t_obs.min(), it.origin), t_obs.max() + 0.5, points)
    else:
        grid = np.atleast_1d(np.asarray(years, dtype=float))
    keys = case.parent_values(
        it.parents
    )  # a timeline item has one parent: the hypotheses or a proposition
    groups: dict[str, list[str]] = {}
    for h in keys:
        groups.setdefault(j.values[h].model_dump_json(), []).append(h)
    q = np.array([(1 - mass) / 2, (1 + mass) / 2])
    frames = []
    for k, hs in enumerate(groups.values()):
        w, m, s = _trend_mixture(j.values[hs[0]], grid, it.origin)
        mean = (w * m).sum(axis=0)
        sd = np.sqrt(np.maximum((w * (s**2 + m**2)).sum(axis=0) - mean**2, 0.0))
        lo, hi = (_mixture_quantile(w, m, s, p, norm) for p in q)
        frames.append(
            pd.DataFrame(
                {
                    "ids": ",".join(hs),
                    "year": grid,
                    "mean": mean,
                    "sd": sd,
                    "lower": lo,
                    "upper": hi,
                },
                index=pd.MultiIndex.from_arrays(
                    [np.full(len(grid), k), np.arange(len(grid))], names=["trend", "point"]
                ),
            )
        )
    df = pd.concat(frames)
    df.attrs.update(
        {
            "item": it.id,
            "lens": lens_id,
            "mass": float(mass),
            "sigma": float(it.sigma),
            "origin": float(it.origin),
        }
    )
    return df


def _trend_mixture(tr: Any, years: Array, origin: float) -> tuple[Array, Array, Array]:
    """(weights, means, sds), each (components, years).

    The trend line at ``years`` as a mixture of Normals.
    """
    step = getattr(tr, "step", None)
    if step is None:
        t = years - origin
        return (
            np.ones((1, len(years))),
            (tr.intercept.mean + tr.slope.mean * t)[None],
            np.sqrt(tr.intercept.sd**2 + (tr.slope.sd * t) ** 2)[None],
        )
    breaks = [d.decimal_year for d in step.break_dates]
    after = np.mean(
        [(years >= b).astype(float) for b in breaks], axis=0
    )  # share of breaks at or before each year
    ones = np.ones_like(years)
    return (
        np.stack([1 - after, after]),
        np.stack([step.before.mean * ones, step.after.mean * ones]),
        np.stack([step.before.sd * ones, step.after.sd * ones]),
    )


def _mixture_quantile(w: Array, m: Array, s: Array, p: float, norm: Any) -> Array:
    """The ``p`` quantile of sum_k w_k N(m_k, s_k) at each column, by bisection of the CDF.

    s_k = 0 is a point mass.
    """
    if len(w) == 1:  # one Normal: closed form
        return m[0] + norm.ppf(p) * s[0]

    def cdf(x: Array) -> Array:
        with np.errstate(divide="ignore", invalid="ignore"):
            c = np.where(s > 0, norm.cdf((x - m) / np.where(s > 0, s, 1.0)), (x >= m).astype(float))
        return (w * c).sum(axis=0)

    live = w > 0
    lo = np.where(live, m - 40 * s, np.inf).min(axis=0) - 1.0
    hi = np.where(live, m + 40 * s, -np.inf).max(axis=0) + 1.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        below = cdf(mid) < p
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
        if np.all(hi - lo <= 1e-10 * np.maximum(1.0, np.abs(hi))):
            break
    return hi
