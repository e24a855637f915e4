"""Numeric hypotheses: the posterior over a parameter grid as a density (step) plot."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from motives.plots._style import (
    auto_width,
    axes_width,
    new_axes,
    style,
    visuals_of,
    width_of,
    wrap_text,
)
from motives.plots.credence import plot_credences
from motives.plots.registry import GRID_ROWS, FigureContext, figure, numeric_hypotheses
from motives.sensitivity.results import table_of


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def plot_value_posterior(
    table: pd.DataFrame,
    summary: dict[str, float] | None = None,
    *,
    xlabel: str = "Value",
    ax: Axes | None = None,
    width: str | float = "auto",
    title: str | None = None,
    visuals: dict[str, Any] | None = None,
) -> tuple[Figure, Axes]:
    """Posterior density over the hypotheses' values, as steps.

    It shows the mean, median and credible interval.

    Each hypothesis's credence is spread over its cell of the grid (halfway to
    its neighbours), so the steps are a density whatever the spacing; the
    credible interval is shaded, the mean dashed and the median dotted, and
    their numbers are written above the axes (no legend over the data).

    Parameters
    ----------
    table
        :func:`motives.exact.value_table`: columns ``value`` and ``credence``, in order of value.
    summary
        :func:`motives.exact.value_summary` (computed from the table when not given).
    xlabel
        Axis label.
    ax
        Axes to draw on (default: a new figure).
    width
        ``"one"`` (3.5 in), ``"two"`` (7.2 in), inches, or ``"auto"`` (one column).
        However many hypotheses, the figure is one density: its size does not grow.
    title
        Axes title (default: the mean, median and interval in words).
    visuals
        Element -> ``False`` or a dict of keyword arguments: ``interval`` (the
        shading), ``mean`` (dashed line), ``median`` (dotted line).

    Returns
    -------
    (Figure, Axes)

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import motives as mv
    >>> from motives.exact import value_summary, value_table
    >>> grid = [i / 100 for i in range(101)]
    >>> case = mv.Case.model_validate(
    ...     {
    ...         "name": "proportion",
    ...         "hypotheses": [{"id": f"p{i}", "value": p} for i, p in enumerate(grid)],
    ...         "evidence": [
    ...             {
    ...                 "id": "seven_of_ten",
    ...                 "title": "7 successes in 10 trials",
    ...                 "likelihoods": {f"p{i}": p**7 * (1 - p) ** 3 for i, p in enumerate(grid)},
    ...             }
    ...         ],
    ...     }
    ... )
    >>> fig, ax = plot_value_posterior(value_table(case), value_summary(case), xlabel="Proportion")
    >>> float(fig.get_figwidth()), float(fig.get_figheight()), ax.get_xlabel()
    (3.5, 2.4, 'Proportion')
    >>> print(ax.get_title())
    mean 0.6667 (dashed), median 0.68 (dotted)
    90% interval [0.44, 0.86] (shaded)
    >>> plt.close(fig)
    """
    from motives.exact import INTERVAL_MASS

    t = table.groupby("value", sort=True)["credence"].sum()
    v, c = t.index.to_numpy(dtype=float), t.to_numpy(dtype=float)
    if summary is None:
        cdf = np.cumsum(c)
        tail = (1 - INTERVAL_MASS) / 2

        def q(p: float) -> float:
            return float(v[min(int(np.searchsorted(cdf, p - 1e-12)), len(v) - 1)])

        summary = {
            "mean": float(np.dot(v, c)),
            "median": q(0.5),
            "lower": q(tail),
            "upper": q(1 - tail),
            "mass": INTERVAL_MASS,
        }
    if len(v) > 1:
        mids = (v[1:] + v[:-1]) / 2
        edges = np.concatenate([[v[0] - (mids[0] - v[0])], mids, [v[-1] + (v[-1] - mids[-1])]])
    else:
        edges = np.array([v[0] - 0.5, v[0] + 0.5])
    dens = c / np.diff(edges)
    vis = visuals_of(
        visuals,
        {
            "interval": {"color": "0.85", "linewidth": 0},
            "mean": {"colors": "black", "linestyles": "--", "linewidth": 0.8},
            "median": {"colors": "0.4", "linestyles": ":", "linewidth": 1.0},
        },
    )
    W = width_of(auto_width(width, [], natural="one") if ax is None else axes_width(ax))
    with style():
        fig, ax = new_axes(ax, W, 2.4)
        inside = (v >= summary["lower"]) & (v <= summary["upper"])
        if vis["interval"] is not None:
            ax.stairs(np.where(inside, dens, 0.0), edges, fill=True, **vis["interval"])
        ax.stairs(dens, edges, color="black", linewidth=0.9)
        top = float(dens.max()) if dens.size else 1.0
        if vis["mean"] is not None:
            ax.vlines([summary["mean"]], 0, top * 1.05, **vis["mean"])
        if vis["median"] is not None:
            ax.vlines([summary["median"]], 0, top * 1.05, **vis["median"])
        ax.set_xlim(edges[0], edges[-1])
        ax.set_ylim(0, top * 1.08)
        ax.set_xlabel(wrap_text(xlabel, 0.8 * W))
        ax.set_ylabel("Posterior density")
        ax.set_title(
            title
            or (
                f"mean {_fmt(summary['mean'])} (dashed), median {_fmt(summary['median'])} "
                f"(dotted)\n{summary['mass']:.0%} interval [{_fmt(summary['lower'])}, "
                f"{_fmt(summary['upper'])}] (shaded)"
            ),
            fontsize="small",
        )
    return fig, ax


# The standard figures of this module (motives.plots.registry): name, caption, the tables drawn,
# when, and the place in the report (order). The credences figure (motives.plots.credence) is
# registered here too, beside the value posterior that replaces it beyond GRID_ROWS numeric
# hypotheses: one rule chooses between the two (and credence.py is at its 500 lines).


@figure(
    "credences",
    caption=(
        "Credence of each hypothesis (open circles) and family (filled squares), exact engine."
    ),
    needs=("posterior",),
    when=lambda x: not (numeric_hypotheses(x.case) and len(x.case.hypotheses) > GRID_ROWS),
    order=20,
)
def _figure_credences(x: FigureContext) -> tuple[Figure, Axes]:
    """The standard figure ``credences``."""
    return plot_credences(x.tables["posterior"], labels=x.labels, **x.kw)


@figure(
    "value_posterior",
    caption=(
        "Posterior density over the hypotheses' values (each credence spread over "
        "its grid cell), "
        "with the mean (dashed), the median (dotted) and the 90% credible interval (shaded)."
    ),
    needs=("posterior",),
    when=lambda x: numeric_hypotheses(x.case),
    order=140,
)
def _figure_value_posterior(x: FigureContext) -> tuple[Figure, Axes]:
    """The standard figure ``value_posterior``."""
    from motives.exact import value_table

    return plot_value_posterior(
        value_table(x.case, credence=table_of(x.tables["posterior"])), **x.kw
    )
