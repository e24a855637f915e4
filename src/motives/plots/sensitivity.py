"""Figures of the sensitivity tables (:mod:`motives.sensitivity`): one function per table."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from motives.plots._style import bar_style, label_for, new_axes, shorten, style, style_of


def plot_trajectory(traj: pd.DataFrame, *, level: str = "family", ids: list[str] | None = None,
                    labels: dict[str, str] | None = None, ax: Axes | None = None,
                    width: str | float = "two") -> tuple[Figure, Axes]:
    """Credence after each item, items in date order (:func:`motives.sensitivity.trajectory`).

    The x axis counts items; tick labels give each item's date and id.
    Undated items are marked "undated" and shaded.
    """
    d = traj.xs(level, level="level")
    ids = ids or list(dict.fromkeys(d.index.get_level_values("id")))
    steps = sorted(set(d.index.get_level_values("step")))
    first = d.xs(ids[0], level="id")
    with style():
        fig, ax = new_axes(ax, width, 2.4 + 0.04 * len(steps))
        for k, i in enumerate(ids):
            c = d.xs(i, level="id")["credence"].reindex(steps)
            st = style_of(k)
            ax.plot(steps, c.to_numpy(), drawstyle="steps-mid", color=st["color"], linestyle=st["linestyle"],
                    marker="", label=label_for(labels, i))
            ax.plot(steps, c.to_numpy(), linestyle="", marker=st["marker"], color=st["color"], markersize=3)
        und = [s for s in steps if s > 0 and not first.loc[s, "dated"]]
        if und:
            ax.axvspan(min(und) - 0.5, max(und) + 0.5, color="0.9", zorder=0, linewidth=0)
        names = []
        for s in steps:
            r = first.loc[s]
            tag = "prior" if s == 0 else (r["date"] if r["dated"] else "undated")
            names.append(f"{shorten(str(r['evidence']), 30)}  {tag}" if s else "prior")
        ax.set_xticks(steps, names, rotation=90, fontsize=5.5 if len(steps) > 30 else 6.5)
        ax.set_xlim(-0.5, max(steps) + 0.5)
        ax.set_ylim(0, 1)
        ax.set_ylabel("Credence")
        ax.set_xlabel("Items in date order (undated items first, shaded)" if und else "Items in date order")
        ax.legend(loc="best", ncols=min(len(ids), 4))
    return fig, ax


def plot_prior_sweep(sweep: pd.DataFrame, *, level: str = "family", labels: dict[str, str] | None = None,
                     mark: float | None = None, ax: Axes | None = None,
                     width: str | float = "one") -> tuple[Figure, Axes]:
    """Credences against the swept prior of the target (:func:`motives.sensitivity.prior_sweep`).

    A dotted diagonal is "no evidence"; a thin vertical line marks ``mark``
    (e.g. the case's prior) and an open circle the prior at which the target's
    credence crosses 1/2.
    """
    tgt = sweep.attrs.get("target", sweep["target"].iloc[0])
    d = sweep.xs(level, level="level")
    ids = list(dict.fromkeys(d.index.get_level_values("id")))
    with style():
        fig, ax = new_axes(ax, width, 2.6)
        ax.plot([0, 1], [0, 1], color="0.6", linestyle=":", marker="", linewidth=0.8, label="Prior = credence")
        for k, i in enumerate(ids):
            s = d.xs(i, level="id")
            st = style_of(k)
            ax.plot(s["target_prior"], s["credence"], color=st["color"], linestyle=st["linestyle"], marker=st["marker"],
                    markevery=max(len(s) // 8, 1), label=label_for(labels, i))
        t = d.xs(tgt, level="id") if tgt in ids else None
        if t is not None:
            c = t["credence"].to_numpy()
            k = np.nonzero(np.diff(np.sign(c - 0.5)))[0]
            if len(k):
                k = int(k[0])
                p = t["target_prior"].to_numpy()
                x = p[k] + (0.5 - c[k]) * (p[k + 1] - p[k]) / (c[k + 1] - c[k])
                ax.plot([x], [0.5], marker="o", markerfacecolor="white", color="black", linestyle="", zorder=5)
                ax.annotate(f"tie at prior {x:.3g}", (x, 0.5), xytext=(6, -10), textcoords="offset points", fontsize=6)
        if mark is not None:
            ax.axvline(mark, color="0.4", linewidth=0.6)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel(f"Prior of {label_for(labels, tgt)}")
        ax.set_ylabel("Posterior credence")
        ax.legend(loc="lower right")
    return fig, ax


def plot_tornado(tor: pd.DataFrame, *, top: int = 15, labels: dict[str, str] | None = None,
                 ax: Axes | None = None, width: str | float = "one") -> tuple[Figure, Axes]:
    """Tornado of :func:`motives.sensitivity.tornado`: the target's credence with each item weakened and strengthened.

    Hatched bars: the item weakened (factor 1/f); dark bars: strengthened (factor f).
    """
    d = tor.head(top)
    f = tor.attrs.get("factor", 3.0)
    mode = tor.attrs.get("mode", "strength")
    base = float(tor["credence"].iloc[0])
    with style():
        fig, ax = new_axes(ax, width, 0.8 + 0.2 * len(d))
        y = np.arange(len(d))[::-1]
        ax.barh(y, d["low"] - base, left=base, height=0.65, label=f"weakened (x 1/{f:g})", **bar_style(1))
        ax.barh(y, d["high"] - base, left=base, height=0.65, label=f"strengthened (x {f:g})", **bar_style(0))
        ax.axvline(base, color="black", linewidth=0.8)
        ax.set_yticks(y, [shorten(label_for(labels, str(e)), 34) for e in d.index])
        what = "weight of evidence" if mode == "strength" else "likelihood ratio"
        ax.set_xlabel(f"Credence of {label_for(labels, tor.attrs.get('target', ''))}\n(each item's {what} x 1/{f:g} and x {f:g})")
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2)
    return fig, ax


def plot_lenses(lenses: pd.DataFrame, *, level: str = "hypothesis", labels: dict[str, str] | None = None,
                ax: Axes | None = None, width: str | float = "one") -> tuple[Figure, Axes]:
    """Credences under each lens (:func:`motives.sensitivity.lens_comparison`), one hatching per lens."""
    d = lenses.xs(level, level="level")["credence"].unstack("lens")
    lens_ids = list(dict.fromkeys(lenses.index.get_level_values("lens")))
    d = d[lens_ids].reindex(list(dict.fromkeys(lenses.xs(level, level="level").index.get_level_values("id"))))
    n, m = len(d), len(lens_ids)
    h = 0.8 / m
    with style():
        fig, ax = new_axes(ax, width, 0.8 + 0.16 * n * m)
        for j, lens in enumerate(lens_ids):
            y = np.arange(n)[::-1] + (m - 1) / 2 * h - j * h
            ax.barh(y, d[lens], height=h * 0.9, label=label_for(labels, lens), **bar_style(j))
            for yy, v in zip(y, d[lens], strict=True):
                ax.annotate(f"{v:.2f}", (v, yy), xytext=(2, 0), textcoords="offset points", va="center", fontsize=5.5)
        ax.set_yticks(np.arange(n)[::-1], [label_for(labels, i) for i in d.index])
        ax.set_xlim(0, 1.08)
        ax.set_xlabel("Credence")
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=min(m, 3), title="Lens")
    return fig, ax


def plot_cruxes(cr: pd.DataFrame, *, top: int = 12, labels: dict[str, str] | None = None,
                ax: Axes | None = None, width: str | float = "one") -> tuple[Figure, Axes]:
    """Cruxes (:func:`motives.sensitivity.cruxes`): change of the target's log-odds when one item is read by another lens."""
    d = cr.head(top)
    with style():
        fig, ax = new_axes(ax, width, 0.8 + 0.2 * max(len(d), 1))
        y = np.arange(len(d))[::-1]
        v = d["delta_db"].to_numpy() if len(d) else np.zeros(0)
        ax.barh(y, v, height=0.65, color=["0.25" if x >= 0 else "white" for x in v], edgecolor="black",
                hatch=["" if x >= 0 else "////" for x in v], linewidth=0.6)
        ax.axvline(0, color="black", linewidth=0.6)
        ax.set_yticks(y, [f"{shorten(e, 28)} ({lens})" for lens, e in d.index])
        tgt = label_for(labels, cr.attrs.get("target", "target"))
        ax.set_xlabel(f"Change in log-odds of {tgt} (decibans)\nwhen the item is read by the named lens")
        if not len(d):
            ax.text(0.5, 0.5, "no item is rated differently", transform=ax.transAxes, ha="center")
    return fig, ax


def plot_sobol(sob: pd.DataFrame, *, top: int = 15, labels: dict[str, str] | None = None, ax: Axes | None = None,
               width: str | float = "one") -> tuple[Figure, Axes]:
    """Sobol indices (:func:`motives.sensitivity.global_sensitivity`): first order (dark) and total (hatched)."""
    d = sob.head(top)
    with style():
        fig, ax = new_axes(ax, width, 0.8 + 0.22 * max(len(d), 1))
        y = np.arange(len(d))[::-1]
        xe1 = d["S1_se"] if "S1_se" in d else None
        xet = d["ST_se"] if "ST_se" in d else None
        ax.barh(y + 0.18, d["S1"].clip(lower=0), height=0.34, xerr=xe1, label="first order $S_1$",
                error_kw={"linewidth": 0.6, "capsize": 1.5}, **bar_style(0))
        ax.barh(y - 0.18, d["ST"].clip(lower=0), height=0.34, xerr=xet, label="total $S_T$",
                error_kw={"linewidth": 0.6, "capsize": 1.5}, **bar_style(1))
        ax.set_yticks(y, [shorten(str(i), 30) for i in d.index])
        ax.set_xlim(0, 1.05)
        tgt = label_for(labels, sob.attrs.get("target", "target"))
        what = "credence" if sob.attrs.get("scale") == "credence" else "log-odds"
        ax.set_xlabel(f"Share of the variance of the {what} of {tgt}\n(over the elicited Beta distributions)")
        ax.legend(loc="lower right")
        if not len(d):
            ax.text(0.5, 0.5, "no uncertain judgement", transform=ax.transAxes, ha="center")
    return fig, ax


def plot_break_even(be: pd.DataFrame, *, top: int = 20, labels: dict[str, str] | None = None,
                    ax: Axes | None = None,
                    width: str | float = "one") -> tuple[Figure, Axes]:
    """Break-even (:func:`motives.sensitivity.break_even`).

    Each item's weight of evidence now (filled) and the one that would tie (open);
    a dotted arrow marks an item that cannot reach the tie alone.
    """
    d = be.reindex(be["db_item"].abs().sort_values(ascending=False).index).head(top)
    with style():
        fig, ax = new_axes(ax, width, 0.8 + 0.2 * max(len(d), 1))
        y = np.arange(len(d))[::-1]
        fin = np.isfinite(d["db_needed"]).to_numpy()
        lim = float(np.nanmax(np.abs(np.r_[d["db_item"], d["db_needed"][fin], 1.0]))) * 1.1
        for yy, (_e, r) in zip(y, d.iterrows(), strict=True):
            need = r["db_needed"] if np.isfinite(r["db_needed"]) else np.sign(r["db_needed"]) * lim
            ax.annotate("", xy=(need, yy), xytext=(r["db_item"], yy),
                        arrowprops={"arrowstyle": "->", "color": "0.4", "linewidth": 0.7,
                                    "linestyle": "-" if r["reachable"] else ":"})
        ax.plot(d["db_item"], y, "o", color="black", linestyle="", label="now")
        ax.plot(np.where(fin, d["db_needed"], np.nan), y, "o", color="black", markerfacecolor="white", linestyle="",
                label="to tie")
        ax.axvline(0, color="0.6", linewidth=0.6)
        ax.set_yticks(y, [shorten(str(e), 30) + ("" if r["reachable"] else " (cannot)") for e, r in d.iterrows()])
        ax.set_xlim(-lim, lim)
        ax.set_xlabel(f"Weight of evidence for {label_for(labels, be.attrs.get('target', 'target'))} (decibans)\n"
                      f"now and needed to tie with {label_for(labels, be.attrs.get('rival', 'its rival'))}")
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2)
    return fig, ax


def plot_information(info: pd.DataFrame, *, top: int = 15, ax: Axes | None = None,
                     width: str | float = "one") -> tuple[Figure, Axes]:
    """Expected information of each item (:func:`motives.sensitivity.item_information`), in bits."""
    d = info.sort_values("voi", ascending=False).head(top)
    with style():
        fig, ax = new_axes(ax, width, 0.8 + 0.22 * max(len(d), 1))
        y = np.arange(len(d))[::-1]
        ax.barh(y + 0.18, d["voi"], height=0.34, label="hypotheses", **bar_style(0))
        ax.barh(y - 0.18, d["voi_family"], height=0.34, label="families", **bar_style(1))
        ax.set_yticks(y, [shorten(str(i), 30) for i in d.index])
        ax.set_xlabel("Expected information, as if not yet observed (bits)")
        ax.legend(loc="lower right")
    return fig, ax
