"""Credences: point and interval per hypothesis and family, posterior densities, mixture shares."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from motives.conventions import INTERVAL_MASS
from motives.plots._style import ONE_COLUMN, label_for, new_axes, style, style_of


def plot_credences(table: pd.DataFrame, *, labels: dict[str, str] | None = None, ax: Axes | None = None,
                   width: str | float = "one", title: str | None = None) -> tuple[Figure, Axes]:
    """Credence of every hypothesis and family, with its central interval when the table has one.

    Parameters
    ----------
    table
        Indexed by (``level``, ``id``) with ``credence`` and optionally
        ``lower``/``upper`` (e.g. :func:`motives.exact_posterior`, or a fit's summary);
        a ``label`` column gives display names.
    labels
        Id -> display label (overrides the table's ``label`` column).
    ax, width, title
        Axes to draw on (default a new figure ``width`` wide: ``"one"`` or ``"two"`` columns).

    Returns
    -------
    (Figure, Axes)

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import motives as mv
    >>> table = mv.exact_posterior(mv.examples.load("dice"))
    >>> fig, ax = plot_credences(table)
    >>> float(fig.get_figwidth())  # one column
    3.5
    >>> [t.get_text() for t in ax.get_yticklabels()]  # each die is its own family: no family rows
    ['d4', 'd6', 'd8', 'd12', 'd20']
    >>> [t.get_text() for t in ax.texts]  # the credences, annotated
    ['0.00', '0.00', '0.62', '0.28', '0.10']
    >>> plt.close(fig)

    With ``lower``/``upper`` columns each credence gets its interval:

    >>> table = table.assign(lower=table["credence"] * 0.8, upper=table["credence"] * 1.2)
    >>> fig, ax = plot_credences(table, labels={"d8": "Eight-sided"}, width="two")
    >>> float(fig.get_figwidth()), ax.get_xlabel()
    (7.2, 'Credence (90% central interval)')
    >>> ax.get_yticklabels()[2].get_text()
    'Eight-sided'
    >>> plt.close(fig)
    """
    from motives.sensitivity.results import table_of

    table = table_of(table)
    labs = dict(zip(table.index.get_level_values("id"), table.get("label", table.index.get_level_values("id")),
                    strict=True))
    labs.update(labels or {})
    hyp = list(table.xs("hypothesis", level="level").index)
    fam = list(table.xs("family", level="level").index) if "family" in table.index.get_level_values("level") else []
    if fam == hyp:  # every hypothesis its own family: the family rows would repeat the hypothesis rows
        fam = []
    rows = [("hypothesis", i) for i in hyp] + [("family", i) for i in fam]
    n = len(rows)
    with style():
        fig, ax = new_axes(ax, width, 0.6 + 0.2 * (n + 1))
        y, ticks, names = n, [], []
        has_int = {"lower", "upper"} <= set(table.columns)
        for k, (lv, i) in enumerate(rows):
            if k and rows[k - 1][0] != lv:
                y -= 0.6
                ax.axhline(y + 0.3, color="0.7", linewidth=0.5)
            r = table.loc[(lv, i)]
            marker = "o" if lv == "hypothesis" else "s"
            if has_int and np.isfinite(r["lower"]) and r["upper"] > r["lower"]:
                ax.plot([r["lower"], r["upper"]], [y, y], color="black", linewidth=1.2, linestyle="-", marker="")
            ax.plot([r["credence"]], [y], marker=marker, color="black",
                    markerfacecolor="black" if lv == "family" else "white", linestyle="", markersize=5)
            ax.annotate(f"{r['credence']:.2f}", (r["credence"], y), xytext=(5, 3), textcoords="offset points",
                        fontsize=6)
            ticks.append(y)
            names.append(label_for(labs, i) + (" (family)" if lv == "family" else ""))
            y -= 1
        ax.set_yticks(ticks, names)
        ax.set_xlim(0, 1.05)
        ax.set_xlabel("Credence" + (f" ({INTERVAL_MASS:.0%} central interval)" if has_int else ""))
        if title:
            ax.set_title(title)
    return fig, ax


def _draws(trace: Any, var: str) -> Any:
    """The variable's draws as an xarray DataArray from a DataTree, Dataset or InferenceData-like object."""
    obj = trace
    for getter in (lambda o: o["posterior"], lambda o: o.posterior):
        try:
            cand = getter(obj)
        except (KeyError, AttributeError, TypeError):
            continue
        obj = cand
        break
    ds = obj.to_dataset() if hasattr(obj, "to_dataset") else obj
    if var not in ds:
        raise ValueError(f"the trace has no variable {var!r}; it has {sorted(map(str, ds.data_vars))}")
    return ds[var]


def _flat(da: Any, dim: str) -> tuple[list[str], np.ndarray]:
    sample_dims = [d for d in da.dims if d != dim]
    da = da.stack(__sample__=sample_dims).transpose(dim, "__sample__")
    return [str(v) for v in da[dim].values], np.asarray(da.values)


def plot_credence_density(trace: Any, *, var: str = "credence", dim: str = "hypothesis",
                          labels: dict[str, str] | None = None, ax: Axes | None = None,
                          width: str | float = "one") -> tuple[Figure, Axes]:
    """Posterior density of each credence from an MCMC trace (DataTree or Dataset with ``var`` over ``dim``).

    The spread says how far each credence would move if the likelihoods were
    pinned down; densities are Gaussian KDEs reflected at 0 and 1.

    Examples
    --------
    Draws of the credences of three dice, two chains of 100 draws (a fit's
    ``posterior`` group has this shape):

    >>> import numpy as np
    >>> import xarray as xr
    >>> import matplotlib.pyplot as plt
    >>> draws = np.random.default_rng(0).dirichlet([12, 6, 2], size=(2, 100))
    >>> trace = xr.Dataset({"credence": (("chain", "draw", "hypothesis"), draws)},
    ...                    coords={"hypothesis": ["d8", "d12", "d20"]})
    >>> fig, ax = plot_credence_density(trace, labels={"d8": "Eight-sided"})
    >>> float(fig.get_figwidth()), ax.get_xlabel(), ax.get_ylabel(), tuple(map(float, ax.get_xlim()))
    (3.5, 'Posterior credence', 'Density', (0.0, 1.0))
    >>> ax.get_legend_handles_labels()[1]
    ['Eight-sided', 'd12', 'd20']
    >>> plt.close(fig)
    """
    from scipy.stats import gaussian_kde

    ids, x = _flat(_draws(trace, var), dim)
    grid = np.linspace(0, 1, 401)
    with style():
        fig, ax = new_axes(ax, width, 2.2)
        for k, (i, xs) in enumerate(zip(ids, x, strict=True)):
            st = style_of(k)
            if np.ptp(xs) < 1e-9:
                ax.axvline(float(xs.mean()), color=st["color"], linestyle=st["linestyle"], label=label_for(labels, i))
                continue
            refl = np.concatenate([xs, -xs, 2 - xs])  # reflect at 0 and 1; bandwidth of the original sample
            bw = gaussian_kde(xs).factor * xs.std(ddof=1) / refl.std(ddof=1)
            dens = 3 * gaussian_kde(refl, bw_method=bw)(grid)
            ax.plot(grid, dens, color=st["color"], linestyle=st["linestyle"], marker="",
                    label=label_for(labels, i))
            j = int(np.argmax(dens))
            ax.plot(grid[j], dens[j], marker=st["marker"], color=st["color"], linestyle="")
        ax.set_xlim(0, 1)
        ax.set_ylim(bottom=0)
        ax.set_xlabel(f"Posterior {var}")
        ax.set_ylabel("Density")
        ax.legend(loc="upper right")
    return fig, ax


def plot_shares(trace: Any, *, var: str = "share", dim: str = "hypothesis", labels: dict[str, str] | None = None,
                ax: Axes | None = None, width: str | float = "one") -> tuple[Figure, Axes]:
    """Explanatory shares of the mixture model: posterior median and central interval per hypothesis.

    Examples
    --------
    Draws of the shares of three hypotheses, two chains of 100 draws (a mixture
    fit's ``posterior`` group has this shape):

    >>> import numpy as np
    >>> import xarray as xr
    >>> import matplotlib.pyplot as plt
    >>> draws = np.random.default_rng(0).dirichlet([12, 6, 2], size=(2, 100))
    >>> trace = xr.Dataset({"share": (("chain", "draw", "hypothesis"), draws)},
    ...                    coords={"hypothesis": ["security", "regime", "ideology"]})
    >>> fig, ax = plot_shares(trace)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['security', 'regime', 'ideology']
    >>> [t.get_text() for t in ax.texts]  # the posterior medians
    ['0.60', '0.30', '0.08']
    >>> float(fig.get_figwidth()), ax.get_xlabel()
    (3.5, 'Explanatory share (median, 90% central interval)')
    >>> plt.close(fig)
    """
    ids, x = _flat(_draws(trace, var), dim)
    lo_q, hi_q = (1 - INTERVAL_MASS) / 2, 1 - (1 - INTERVAL_MASS) / 2
    with style():
        fig, ax = new_axes(ax, width, 0.6 + 0.25 * len(ids))
        for k, (_i, xs) in enumerate(zip(ids, x, strict=True)):
            y = len(ids) - k
            lo, med, hi = np.quantile(xs, [lo_q, 0.5, hi_q])
            ax.plot([lo, hi], [y, y], color="black", linestyle="-", marker="")
            ax.plot([med], [y], marker="o", color="black", markerfacecolor="white", linestyle="")
            ax.annotate(f"{med:.2f}", (med, y), xytext=(4, 3), textcoords="offset points", fontsize=6)
        ax.set_yticks(range(len(ids), 0, -1), [label_for(labels, i) for i in ids])
        ax.set_xlim(0, 1)
        ax.set_xlabel(f"Explanatory share (median, {INTERVAL_MASS:.0%} central interval)")
    return fig, ax


__all__ = ["ONE_COLUMN", "plot_credence_density", "plot_credences", "plot_shares"]
