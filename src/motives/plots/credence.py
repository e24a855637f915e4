"""Credences: point and interval per hypothesis and family, posterior densities, mixture shares."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from motives.conventions import INTERVAL_MASS
from motives.plots._style import (
    LABEL_SHARE,
    MAX_LINES,
    ONE_COLUMN,
    TICK_SIZE,
    add_legend,
    auto_width,
    axes_width,
    check_top,
    fit_labels,
    label_for,
    legend_plan,
    new_axes,
    omitted_note,
    plan_rows,
    row_height,
    style,
    style_of,
    text_width,
    visuals_of,
    width_of,
)


def plot_credences(
    table: pd.DataFrame,
    *,
    labels: dict[str, str] | None = None,
    ax: Axes | None = None,
    width: str | float = "auto",
    top: int | None = None,
    title: str | None = None,
    visuals: dict[str, Any] | None = None,
) -> tuple[Figure, Axes]:
    """Credence of every hypothesis and family, with its central interval when the table has one.

    Parameters
    ----------
    table
        Indexed by (``level``, ``id``) with ``credence`` and optionally
        ``lower``/``upper`` (e.g. :func:`motives.exact_posterior`, or a fit's summary);
        a ``label`` column gives display names.
    labels
        Id -> display label (overrides the table's ``label`` column); long labels wrap onto two
        lines.
    ax
        Axes to draw on (default: a new figure).
    width
        ``"one"`` (3.5 in), ``"two"`` (7.2 in), inches, or ``"auto"``: one column
        when every label fits on one line there, else two.
    top
        At most this many rows (default: as many as fit a page, 9 in). When rows
        are left out, the hypotheses and families with the highest credence are
        shown, highest first, and the figure says how many are left out.
    title
        Axes title.
    visuals
        Element -> ``False`` (not drawn) or a dict of keyword arguments:
        ``interval`` (the interval lines), ``annotations`` (the credence
        written beside each point), ``separator`` (the line between
        hypotheses and families), ``omitted`` (the note on rows left out).

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

    The top two, without the numbers:

    >>> fig, ax = plot_credences(table, top=2, visuals={"annotations": False})
    >>> [t.get_text() for t in ax.get_yticklabels()], list(ax.texts)
    (['d8', 'd12'], [])
    >>> print(ax.get_title(loc="right"))  # the note, wrapped to half the width
    2 of 5 rows shown; 3 left out (credence
    0.10 in all)
    >>> plt.close(fig)
    """
    from motives.sensitivity.results import table_of

    table = table_of(table)
    v = visuals_of(
        visuals,
        {
            "interval": {"color": "black", "linewidth": 1.2, "linestyle": "-", "marker": ""},
            "annotations": {"xytext": (5, 3), "textcoords": "offset points", "fontsize": 6},
            "separator": {"color": "0.7", "linewidth": 0.5},
            "omitted": {},
        },
    )
    check_top(top)
    col = (
        table["label"]
        if "label" in table
        else pd.Series(table.index.get_level_values("id"), index=table.index)
    )
    by_level = {
        key: str(v) for key, v in col.items()
    }  # (level, id) -> label: a family's own id must not hide
    # the label of the hypothesis it is named after

    def lab(lv: str, i: str) -> str:
        return (labels or {}).get(i, by_level.get((lv, i), i))

    hyp = list(table.xs("hypothesis", level="level").index)
    fam = (
        list(table.xs("family", level="level").index)
        if "family" in table.index.get_level_values("level")
        else []
    )
    if len(fam) == len(
        hyp
    ):  # each family one hypothesis (a hypothesis has one family): the rows would repeat
        # the hypotheses' under other names; conventions.one_per_family, the captions' rule, is the
        # same
        fam = []
    rows = [("hypothesis", i) for i in hyp] + [("family", i) for i in fam]
    n_all = len(rows)

    def name(lv: str, i: str) -> str:
        return lab(lv, i) + (" (family)" if lv == "family" else "")

    W = width_of(
        auto_width(width, [name(lv, i) for lv, i in rows[:200]]) if ax is None else axes_width(ax)
    )
    per = row_height(fit_labels([name(lv, i) for lv, i in rows[:200]], LABEL_SHARE * W), 0.2)
    k, height = plan_rows(n_all + (1 if fam else 0), top, 0.7, per)
    left_out = 0.0
    if k < n_all:  # the highest credences, highest first; families keep up to a third of the rows
        cred = table["credence"]
        k_f = min(len(fam), k // 3)
        fam_k = sorted(fam, key=lambda i: -cred[("family", i)])[:k_f]
        hyp_k = sorted(hyp, key=lambda i: -cred[("hypothesis", i)])[: k - k_f]
        left_out = float(sum(cred[("hypothesis", i)] for i in hyp if i not in set(hyp_k)))
        rows = [("hypothesis", i) for i in hyp_k] + [("family", i) for i in fam_k]
    n = len(rows)
    with style():
        fig, ax = new_axes(ax, W, height)
        y: float = n
        ticks: list[float] = []
        names: list[str] = []
        has_int = {"lower", "upper"} <= set(table.columns)
        for j, (lv, i) in enumerate(rows):
            if j and rows[j - 1][0] != lv:
                y -= 0.6
                if v["separator"] is not None:
                    ax.axhline(y + 0.3, **v["separator"])
            r = table.loc[(lv, i)]
            marker = "o" if lv == "hypothesis" else "s"
            if (
                v["interval"] is not None
                and has_int
                and np.isfinite(r["lower"])
                and r["upper"] > r["lower"]
            ):
                ax.plot([r["lower"], r["upper"]], [y, y], **v["interval"])
            ax.plot(
                [r["credence"]],
                [y],
                marker=marker,
                color="black",
                markerfacecolor="black" if lv == "family" else "white",
                linestyle="",
                markersize=5,
            )
            if v["annotations"] is not None:
                ax.annotate(f"{r['credence']:.2f}", (r["credence"], y), **v["annotations"])
            ticks.append(y)
            names.append(name(lv, i))
            y -= 1
        fam_w = text_width(
            " (family)", TICK_SIZE
        )  # the suffix stays whole however the label is cut
        ax.set_yticks(
            ticks,
            [
                fit_labels([lab(lv, i)], LABEL_SHARE * W - fam_w)[0] + " (family)"
                if lv == "family"
                else fit_labels([lab(lv, i)], LABEL_SHARE * W)[0]
                for lv, i in rows
            ],
        )
        ax.set_ylim(y + 0.5, n + 0.5)
        ax.set_xlim(0, 1.05)
        ax.set_xlabel("Credence" + (f" ({INTERVAL_MASS:.0%} central interval)" if has_int else ""))
        if title:
            ax.set_title(title)
        omitted_note(
            ax,
            n,
            n_all,
            "rows",
            v["omitted"],
            f" (credence {left_out:.2f} in all)" if left_out else "",
        )
    return fig, ax


def _draws(trace: Any, var: str) -> Any:
    """The variable's draws as an xarray DataArray.

    From a fit, a DataTree, Dataset or InferenceData-like object.
    """
    from motives.models.result import FitResult

    obj = trace.trace if isinstance(trace, FitResult) else trace  # a FitResult: its trace
    for getter in (lambda o: o["posterior"], lambda o: o.posterior):
        try:
            cand = getter(obj)
        except (KeyError, AttributeError, TypeError):
            continue
        obj = cand
        break
    ds = obj.to_dataset() if hasattr(obj, "to_dataset") else obj
    if var not in ds:
        raise ValueError(
            f"the trace has no variable {var!r}; it has {sorted(map(str, ds.data_vars))}"
        )
    return ds[var]


def _flat(da: Any, dim: str) -> tuple[list[str], np.ndarray]:
    sample_dims = [d for d in da.dims if d != dim]
    da = da.stack(__sample__=sample_dims).transpose(dim, "__sample__")
    return [str(v) for v in da[dim].values], np.asarray(da.values)


def plot_credence_density(
    trace: Any,
    *,
    var: str = "credence",
    dim: str = "hypothesis",
    labels: dict[str, str] | None = None,
    ax: Axes | None = None,
    width: str | float = "auto",
    top: int | None = None,
    visuals: dict[str, Any] | None = None,
) -> tuple[Figure, Axes]:
    """Posterior density of each credence from an MCMC trace.

    The trace is a DataTree or Dataset with ``var`` over ``dim``.

    The spread says how far each credence would move if the likelihoods were
    pinned down; densities are Gaussian KDEs reflected at 0 and 1.

    Parameters
    ----------
    trace
        A fit (:class:`~motives.models.result.FitResult`) or its trace: DataTree, InferenceData-like
        or Dataset with ``var`` over ``dim``.
    var
        The variable to draw.
    dim
        Its dimension of hypotheses.
    labels
        Id -> display label; long labels wrap in the legend.
    ax
        Axes to draw on (default: a new figure).
    width
        ``"one"`` (3.5 in), ``"two"`` (7.2 in), inches, or ``"auto"`` (one column).
    top
        At most this many densities (default 8, the distinct line styles): those
        with the highest posterior mean; the figure says how many are left out.
    visuals
        Element -> ``False`` or a dict of keyword arguments: ``mode`` (the
        marker at each density's peak), ``legend``, ``omitted``.

    Returns
    -------
    (Figure, Axes)

    Examples
    --------
    Draws of the credences of three dice, two chains of 100 draws (a fit's
    ``posterior`` group has this shape):

    >>> import numpy as np
    >>> import xarray as xr
    >>> import matplotlib.pyplot as plt
    >>> draws = np.random.default_rng(0).dirichlet([12, 6, 2], size=(2, 100))
    >>> trace = xr.Dataset(
    ...     {"credence": (("chain", "draw", "hypothesis"), draws)},
    ...     coords={"hypothesis": ["d8", "d12", "d20"]},
    ... )
    >>> fig, ax = plot_credence_density(trace, labels={"d8": "Eight-sided"})
    >>> (
    ...     float(fig.get_figwidth()),
    ...     ax.get_xlabel(),
    ...     ax.get_ylabel(),
    ...     tuple(map(float, ax.get_xlim())),
    ... )
    (3.5, 'Posterior credence', 'Density', (0.0, 1.0))
    >>> ax.get_legend_handles_labels()[1]
    ['Eight-sided', 'd12', 'd20']
    >>> plt.close(fig)
    """
    from scipy.stats import gaussian_kde

    v = visuals_of(visuals, {"mode": {"linestyle": ""}, "legend": {}, "omitted": {}})
    check_top(top)
    ids, x = _flat(_draws(trace, var), dim)
    n_all = len(ids)
    k = min(n_all, MAX_LINES if top is None else top)
    keep = sorted(np.argsort(-x.mean(axis=1), kind="stable")[:k])
    W = width_of(auto_width(width, [], natural="one") if ax is None else axes_width(ax))
    names = [label_for(labels, ids[j]) for j in keep]
    _, _, leg_h = legend_plan(names, W) if v["legend"] is not None else ([], 1, 0.0)
    grid = np.linspace(0, 1, 401)
    with style():
        fig, ax_ = new_axes(ax, W, 2.2 + leg_h)
        for kk, j in enumerate(keep):
            i, xs = ids[j], x[j]
            st = style_of(kk)
            if np.ptp(xs) < 1e-9:
                ax_.axvline(
                    float(xs.mean()),
                    color=st["color"],
                    linestyle=st["linestyle"],
                    label=label_for(labels, i),
                )
                continue
            refl = np.concatenate(
                [xs, -xs, 2 - xs]
            )  # reflect at 0 and 1; bandwidth of the original sample
            bw = gaussian_kde(xs).factor * xs.std(ddof=1) / refl.std(ddof=1)
            dens = 3 * gaussian_kde(refl, bw_method=bw)(grid)
            ax_.plot(
                grid,
                dens,
                color=st["color"],
                linestyle=st["linestyle"],
                marker="",
                label=label_for(labels, i),
            )
            if v["mode"] is not None:
                jj = int(np.argmax(dens))
                ax_.plot(
                    grid[jj],
                    dens[jj],
                    **({"marker": st["marker"], "color": st["color"]} | v["mode"]),
                )
        ax_.set_xlim(0, 1)
        ax_.set_ylim(bottom=0)
        ax_.set_xlabel(f"Posterior {var}")
        ax_.set_ylabel("Density")
        add_legend(ax_, ax is None, v["legend"])
        omitted_note(
            ax_, len(keep), n_all, dim + "s" if not dim.endswith("s") else dim, v["omitted"]
        )
    return fig, ax_


def plot_shares(
    trace: Any,
    *,
    var: str = "share",
    dim: str = "hypothesis",
    labels: dict[str, str] | None = None,
    ax: Axes | None = None,
    width: str | float = "auto",
    top: int | None = None,
    visuals: dict[str, Any] | None = None,
) -> tuple[Figure, Axes]:
    """Explanatory shares of the mixture model.

    Posterior median and central interval per hypothesis.

    Parameters
    ----------
    trace
        A mixture fit or its trace: DataTree, InferenceData-like or Dataset with ``var`` over
        ``dim``.
    var
        The variable to draw.
    dim
        Its dimension of hypotheses.
    labels
        Id -> display label; long labels wrap onto two lines.
    ax
        Axes to draw on (default: a new figure).
    width
        ``"one"`` (3.5 in), ``"two"`` (7.2 in), inches, or ``"auto"``: one column
        when every label fits on one line there, else two.
    top
        At most this many rows (default: as many as fit a page); when rows are
        left out, the largest medians are shown and the figure says how many are left out.
    visuals
        Element -> ``False`` or a dict of keyword arguments: ``interval``,
        ``annotations`` (the medians written beside the points), ``omitted``.

    Returns
    -------
    (Figure, Axes)

    Examples
    --------
    Draws of the shares of three hypotheses, two chains of 100 draws (a mixture
    fit's ``posterior`` group has this shape):

    >>> import numpy as np
    >>> import xarray as xr
    >>> import matplotlib.pyplot as plt
    >>> draws = np.random.default_rng(0).dirichlet([12, 6, 2], size=(2, 100))
    >>> trace = xr.Dataset(
    ...     {"share": (("chain", "draw", "hypothesis"), draws)},
    ...     coords={"hypothesis": ["security", "regime", "ideology"]},
    ... )
    >>> fig, ax = plot_shares(trace)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['security', 'regime', 'ideology']
    >>> [t.get_text() for t in ax.texts]  # the posterior medians
    ['0.60', '0.30', '0.08']
    >>> float(fig.get_figwidth()), ax.get_xlabel()
    (3.5, 'Explanatory share (median, 90% central interval)')
    >>> plt.close(fig)
    """
    v = visuals_of(
        visuals,
        {
            "interval": {"color": "black", "linestyle": "-", "marker": ""},
            "annotations": {"xytext": (4, 3), "textcoords": "offset points", "fontsize": 6},
            "omitted": {},
        },
    )
    check_top(top)
    ids, x = _flat(_draws(trace, var), dim)
    lo_q, hi_q = (1 - INTERVAL_MASS) / 2, 1 - (1 - INTERVAL_MASS) / 2
    all_names = [label_for(labels, i) for i in ids]
    W = width_of(auto_width(width, all_names[:200]) if ax is None else axes_width(ax))
    per = row_height(fit_labels(all_names[:200], LABEL_SHARE * W), 0.25)
    k, height = plan_rows(len(ids), top, 0.6, per)
    keep = (
        list(range(len(ids)))
        if k >= len(ids)
        else list(np.argsort(-np.median(x, axis=1), kind="stable")[:k])
    )
    with style():
        fig, ax_ = new_axes(ax, W, height)
        for kk, j in enumerate(keep):
            y = len(keep) - kk
            lo, med, hi = np.quantile(x[j], [lo_q, 0.5, hi_q])
            if v["interval"] is not None:
                ax_.plot([lo, hi], [y, y], **v["interval"])
            ax_.plot([med], [y], marker="o", color="black", markerfacecolor="white", linestyle="")
            if v["annotations"] is not None:
                ax_.annotate(f"{med:.2f}", (med, y), **v["annotations"])
        ax_.set_yticks(
            range(len(keep), 0, -1), fit_labels([all_names[j] for j in keep], LABEL_SHARE * W)
        )
        ax_.set_ylim(0.5, len(keep) + 0.5)
        ax_.set_xlim(0, 1)
        ax_.set_xlabel(f"Explanatory share (median, {INTERVAL_MASS:.0%} central interval)")
        omitted_note(ax_, len(keep), len(ids), "rows", v["omitted"])
    return fig, ax_


__all__ = ["ONE_COLUMN", "plot_credence_density", "plot_credences", "plot_shares"]
