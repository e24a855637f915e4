"""Figures of the sensitivity tables (:mod:`motives.sensitivity`): one function per table.

Each takes the table as its sensitivity function returned it (a DataFrame whose ``attrs`` hold its metadata) or as a
:class:`~motives.sensitivity.SensitivityResult` (e.g. loaded from ``motives sensitivity`` output); a DataFrame
without the metadata a figure needs is an error naming what is missing, never a silent default.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from motives.plots._style import auto_width, bar_style, label_for, new_axes, shorten, style, style_of
from motives.sensitivity.results import table_of, unpack


def _auto_db(credence: np.ndarray | pd.Series, scale: str) -> bool:
    if scale not in ("auto", "db", "credence"):
        raise ValueError(f"scale must be 'auto', 'db' or 'credence', got {scale!r}")
    c = np.asarray(credence, dtype=float)
    return scale == "db" or (scale == "auto" and bool(np.nanmax(np.minimum(c, 1 - c)) < 0.01))


def plot_trajectory(traj: pd.DataFrame, *, level: str = "family", ids: list[str] | None = None,
                    labels: dict[str, str] | None = None, scale: str = "auto", ax: Axes | None = None,
                    width: str | float = "two") -> tuple[Figure, Axes]:
    """Credence after each item, items in date order (:func:`motives.sensitivity.trajectory`).

    The x axis counts items; tick labels give each item's date and id.
    Undated items are marked "undated" and shaded. ``scale="db"`` plots
    log-odds against the rest in decibans instead of credences; ``"auto"``
    does so when the final credences are all within 0.01 of 0 or 1.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import motives as mv
    >>> from motives.sensitivity import trajectory
    >>> fig, ax = plot_trajectory(trajectory(mv.examples.load("dice")))
    >>> float(fig.get_figwidth())  # two columns
    7.2
    >>> [t.get_text() for t in ax.get_xticklabels()]  # the items have no dates
    ['prior', 'roll_6  undated', 'roll_8  undated']
    >>> ax.get_ylabel(), ax.get_legend_handles_labels()[1]
    ('Credence', ['d4', 'd6', 'd8', 'd12', 'd20'])
    >>> plt.close(fig)

    Log-odds in decibans instead of credences:

    >>> fig, ax = plot_trajectory(trajectory(mv.examples.load("dice")), ids=["d8", "d12"], scale="db")
    >>> ax.get_ylabel(), ax.get_legend_handles_labels()[1]
    ('Log-odds against the rest (dB)', ['d8', 'd12'])
    >>> plt.close(fig)
    """
    traj = table_of(traj)
    d = traj.xs(level, level="level")
    ids = ids or list(dict.fromkeys(d.index.get_level_values("id")))
    steps = sorted(set(d.index.get_level_values("step")))
    first = d.xs(ids[0], level="id")
    db = _auto_db(d.xs(max(steps), level="step")["credence"], scale)
    col = "log_odds_db" if db else "credence"
    with style():
        fig, ax = new_axes(ax, width, 2.4 + 0.04 * len(steps))
        for k, i in enumerate(ids):
            c = d.xs(i, level="id")[col].reindex(steps)
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
        if db:
            ax.axhline(0, color="0.6", linewidth=0.6)
            ax.set_ylabel("Log-odds against the rest (dB)")
        else:
            ax.set_ylim(0, 1)
            ax.set_ylabel("Credence")
        ax.set_xlabel("Items in date order (undated items first, shaded)" if und else "Items in date order")
        ax.legend(loc="best", ncols=min(len(ids), 4))
    return fig, ax


def plot_prior_sweep(sweep: pd.DataFrame, *, level: str = "family", labels: dict[str, str] | None = None,
                     mark: float | None = None, scale: str = "auto", ax: Axes | None = None,
                     width: str | float = "one") -> tuple[Figure, Axes]:
    """Credences against the swept prior of the target (:func:`motives.sensitivity.prior_sweep`).

    ``scale="credence"``: every id's credence against the target's prior,
    with a dotted "prior = credence" diagonal. ``scale="db"``: the target's
    posterior log-odds against its prior log-odds, both in decibans -- a line
    of slope 1 lying the Bayes factor above the diagonal (Bayes' rule in odds
    form), readable however strong the evidence. ``"auto"`` picks dB when the
    sweep was spaced in log-odds. An open circle marks the tie (credence 1/2);
    a thin vertical line marks ``mark`` (default: the case's prior of the target).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import motives as mv
    >>> from motives.sensitivity import prior_sweep
    >>> fig, ax = plot_prior_sweep(prior_sweep(mv.examples.load("cookies"), "bowl1", points=11))
    >>> float(fig.get_figwidth()), ax.get_xlabel(), ax.get_ylabel()
    (3.5, 'Prior of bowl1', 'Posterior credence')
    >>> [t.get_text() for t in ax.texts]  # bowl 1 ties with bowl 2 when its prior is 0.4
    ['tie at prior 0.4']
    >>> ax.get_legend_handles_labels()[1]
    ['Prior = credence', 'bowl1', 'bowl2']
    >>> plt.close(fig)

    A sweep in log-odds (a rare condition) is drawn in decibans:

    >>> sweep = prior_sweep(mv.examples.load("diagnostic_test"), "condition", spacing="logit", points=21)
    >>> fig, ax = plot_prior_sweep(sweep)
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('Prior log-odds of condition (dB)', 'Posterior log-odds (dB)')
    >>> plt.close(fig)
    """
    sweep, meta = unpack(sweep, "prior_sweep")
    tgt = meta.target
    if scale not in ("auto", "db", "credence"):
        raise ValueError(f"scale must be 'auto', 'db' or 'credence', got {scale!r}")
    db = scale == "db" or (scale == "auto" and meta.spacing == "logit")
    mark = meta.case_prior if mark is None else mark
    tie = meta.tie_prior
    d = sweep.xs(level, level="level")
    ids = list(dict.fromkeys(d.index.get_level_values("id")))
    with style():
        fig, ax = new_axes(ax, width, 2.6)
        if db:
            t = d.xs(tgt, level="id") if tgt in ids else sweep.xs(tgt, level="id")
            p = t["target_prior"].to_numpy()
            with np.errstate(divide="ignore"):
                x = 10 * np.log10(p / (1 - p))
            ok = np.isfinite(x)
            ax.plot(x[ok], x[ok], color="0.6", linestyle=":", marker="", linewidth=0.8, label="No evidence")
            ax.plot(x[ok], t["log_odds_db"].to_numpy()[ok], color="black", linestyle="-", marker="o",
                    markevery=max(ok.sum() // 8, 1), label=label_for(labels, tgt))
            ax.axhline(0, color="0.6", linewidth=0.6)
            if tie is not None and 0 < tie < 1:
                xt = 10 * np.log10(tie / (1 - tie))
                ax.plot([xt], [0], marker="o", markerfacecolor="white", color="black", linestyle="", zorder=5)
                ax.annotate(f"tie at prior {tie:.2g}", (xt, 0), xytext=(6, -10), textcoords="offset points",
                            fontsize=6)
            if mark is not None and 0 < mark < 1:
                ax.axvline(10 * np.log10(mark / (1 - mark)), color="0.4", linewidth=0.6)
            ax.set_xlabel(f"Prior log-odds of {label_for(labels, tgt)} (dB)")
            ax.set_ylabel("Posterior log-odds (dB)")
            ax.legend(loc="upper left")
            return fig, ax
        ax.plot([0, 1], [0, 1], color="0.6", linestyle=":", marker="", linewidth=0.8, label="Prior = credence")
        for k, i in enumerate(ids):
            s = d.xs(i, level="id")
            st = style_of(k)
            ax.plot(s["target_prior"], s["credence"], color=st["color"], linestyle=st["linestyle"], marker=st["marker"],
                    markevery=max(len(s) // 8, 1), label=label_for(labels, i))
        if tie is not None and 0 < tie < 1:
            ax.plot([tie], [0.5], marker="o", markerfacecolor="white", color="black", linestyle="", zorder=5)
            ax.annotate(f"tie at prior {tie:.3g}", (tie, 0.5), xytext=(6, -10), textcoords="offset points",
                        fontsize=6)
        if mark is not None:
            ax.axvline(mark, color="0.4", linewidth=0.6)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel(f"Prior of {label_for(labels, tgt)}")
        ax.set_ylabel("Posterior credence")
        ax.legend(loc="lower right")
    return fig, ax


def _input_labels(df: pd.DataFrame, labels: dict[str, str] | None) -> list[str]:
    """Row labels of a tornado / break-even table; a proposition's table is marked ``(table)``."""
    kinds = df["input"] if "input" in df else pd.Series("item", index=df.index)
    return [label_for(labels, str(e)) + (" (table)" if k == "table" else "") for e, k in zip(df.index, kinds,
                                                                                            strict=True)]


def plot_tornado(tor: pd.DataFrame, *, top: int = 15, labels: dict[str, str] | None = None, scale: str = "auto",
                 ax: Axes | None = None, width: str | float = "auto") -> tuple[Figure, Axes]:
    """Tornado of :func:`motives.sensitivity.tornado`: the target's credence with each item weakened and strengthened.

    Hatched bars: the item weakened (factor 1/f); dark bars: strengthened
    (factor f). ``scale="db"`` draws the target's log-odds in decibans;
    ``"auto"`` does so when the credence is within 0.01 of 0 or 1.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import motives as mv
    >>> from motives.sensitivity import tornado
    >>> fig, ax = plot_tornado(tornado(mv.examples.load("dice")))
    >>> float(fig.get_figwidth())  # short labels: one column
    3.5
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['roll_6', 'roll_8']
    >>> print(ax.get_xlabel())
    Credence of d8
    (each item's weight of evidence x 1/3 and x 3)
    >>> ax.get_legend_handles_labels()[1]  # hatched, then dark bars
    ['weakened (x 1/3)', 'strengthened (x 3)']
    >>> plt.close(fig)
    """
    tor, meta = unpack(tor, "tornado")
    db = _auto_db(tor["credence"].iloc[:1], scale)
    if db and len(tor) and not np.isfinite(float(tor["log_odds_db"].iloc[0])):
        db = False  # a certainty (the rest ruled out) has infinite log-odds: draw credences
    d = tor.sort_values("swing_db" if db else "swing", ascending=False, kind="stable").head(top)
    f = meta.factor
    mode = meta.mode
    lo_c, hi_c, base_c = ("low_db", "high_db", "log_odds_db") if db else ("low", "high", "credence")
    base = float(tor[base_c].iloc[0])
    names = _input_labels(d, labels)
    width = auto_width(width, names)
    with style():
        fig, ax = new_axes(ax, width, 0.8 + 0.2 * len(d))
        y = np.arange(len(d))[::-1]
        ax.barh(y, d[lo_c] - base, left=base, height=0.65, label=f"weakened (x 1/{f:g})", **bar_style(1))
        ax.barh(y, d[hi_c] - base, left=base, height=0.65, label=f"strengthened (x {f:g})", **bar_style(0))
        ax.axvline(base, color="black", linewidth=0.8)
        ax.set_yticks(y, [shorten(n, 34) for n in names])
        what = "weight of evidence" if mode == "strength" else "likelihood ratio"
        quantity = "Log-odds (dB)" if db else "Credence"
        ax.set_xlabel(f"{quantity} of {label_for(labels, meta.target)}\n"
                      f"(each item's {what} x 1/{f:g} and x {f:g})")
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2)
    return fig, ax


def plot_lenses(lenses: pd.DataFrame, *, level: str = "hypothesis", labels: dict[str, str] | None = None,
                ax: Axes | None = None, width: str | float = "one") -> tuple[Figure, Axes]:
    """Credences under each lens (:func:`motives.sensitivity.lens_comparison`), one hatching per lens.

    Examples
    --------
    Two analysts who read one of two items the opposite way (``two_lenses``):

    >>> import matplotlib.pyplot as plt
    >>> import motives as mv
    >>> from motives.plots import labels_of
    >>> from motives.sensitivity import lens_comparison
    >>> case = mv.examples.load("two_lenses")
    >>> fig, ax = plot_lenses(lens_comparison(case), labels=labels_of(case))
    >>> float(fig.get_figwidth()), [t.get_text() for t in ax.get_yticklabels()]
    (3.5, ['h1', 'h2'])
    >>> ax.get_legend_handles_labels()[1]
    ['Analyst A', 'Analyst B']
    >>> [t.get_text() for t in ax.texts]  # h1, h2 under each lens: odds 4 : 1, then 1 : 1
    ['0.80', '0.20', '0.50', '0.50']
    >>> sorted({str(p.get_hatch()) for p in ax.patches})  # one hatching per lens
    ['', '////']
    >>> plt.close(fig)
    """
    lenses = table_of(lenses)
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
        long = max(len(label_for(labels, ln)) for ln in lens_ids) > 14
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=1 if long else min(m, 3), title="Lens")
    return fig, ax


def plot_cruxes(cr: pd.DataFrame, *, top: int = 12, labels: dict[str, str] | None = None,
                ax: Axes | None = None, width: str | float = "auto") -> tuple[Figure, Axes]:
    """Cruxes (:func:`motives.sensitivity.cruxes`): change of the target's log-odds when one item is read by another lens.

    Examples
    --------
    Two analysts who read one of two items the opposite way; the analysis uses lens a:

    >>> import matplotlib.pyplot as plt
    >>> import motives as mv
    >>> from motives.sensitivity import cruxes
    >>> case = mv.examples.load("two_lenses")
    >>> fig, ax = plot_cruxes(cruxes(case, target="h1"))
    >>> float(fig.get_figwidth()), [t.get_text() for t in ax.get_yticklabels()]
    (3.5, ['disputed (b)'])
    >>> round(float(ax.patches[0].get_width()), 2)  # 10 log10(0.3/0.6) - 10 log10(0.6/0.3)
    -6.02
    >>> print(ax.get_xlabel())
    Change in log-odds of h1 (decibans)
    when the item is read by the named lens
    >>> plt.close(fig)
    """
    cr, meta = unpack(cr, "cruxes")
    d = cr.head(top)
    width = auto_width(width, [f"{e} ({lens})" for lens, e in d.index])
    with style():
        fig, ax = new_axes(ax, width, 0.8 + 0.2 * max(len(d), 1))
        y = np.arange(len(d))[::-1]
        v = d["delta_db"].to_numpy() if len(d) else np.zeros(0)
        ax.barh(y, v, height=0.65, color=["0.25" if x >= 0 else "white" for x in v], edgecolor="black",
                hatch=["" if x >= 0 else "////" for x in v], linewidth=0.6)
        ax.axvline(0, color="black", linewidth=0.6)
        ax.set_yticks(y, [f"{shorten(e, 28)} ({lens})" for lens, e in d.index])
        tgt = label_for(labels, meta.target)
        ax.set_xlabel(f"Change in log-odds of {tgt} (decibans)\nwhen the item is read by the named lens")
        if not len(d):
            ax.text(0.5, 0.5, "no item is rated differently", transform=ax.transAxes, ha="center")
    return fig, ax


def plot_sobol(sob: pd.DataFrame, *, top: int = 15, labels: dict[str, str] | None = None, ax: Axes | None = None,
               width: str | float = "auto") -> tuple[Figure, Axes]:
    """Sobol indices (:func:`motives.sensitivity.global_sensitivity`): first order (dark) and total (hatched).

    Examples
    --------
    Two vanilla cookies, the likelihoods of one judged with medium confidence,
    of the other with low confidence (a wider Beta distribution):

    >>> import matplotlib.pyplot as plt
    >>> import motives as mv
    >>> from motives.sensitivity import global_sensitivity
    >>> ratios = {"bowl1": 0.75, "bowl2": 0.5}
    >>> case = mv.Case.model_validate({
    ...     "name": "cookies_uncertain",
    ...     "hypotheses": [{"id": "bowl1"}, {"id": "bowl2"}],
    ...     "evidence": [
    ...         {"id": "sure", "title": "A vanilla cookie",
    ...          "likelihoods": {"default": {"values": ratios, "confidence": "medium"}}},
    ...         {"id": "unsure", "title": "Another vanilla cookie",
    ...          "likelihoods": {"default": {"values": ratios, "confidence": "low"}}}]})
    >>> fig, ax = plot_sobol(global_sensitivity(case, n=64, seed=1))
    >>> float(fig.get_figwidth()), [t.get_text() for t in ax.get_yticklabels()]  # the less certain item first
    (3.5, ['unsure', 'sure'])
    >>> ax.get_legend_handles_labels()[1]
    ['first order $S_1$', 'total $S_T$']
    >>> print(ax.get_xlabel())
    Share of the variance of the log-odds of bowl1
    (over the elicited Beta distributions)
    >>> plt.close(fig)
    """
    sob, meta = unpack(sob, "global_sensitivity")
    d = sob.head(top)
    width = auto_width(width, [str(i) for i in d.index])
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
        top_x = float((d["ST"] + (d["ST_se"] if "ST_se" in d else 0)).max()) if len(d) else 1.0
        ax.set_xlim(0, min(1.05, max(0.1, 1.2 * top_x)))
        tgt = label_for(labels, meta.target)
        what = "credence" if meta.scale == "credence" else "log-odds"
        ax.set_xlabel(f"Share of the variance of the {what} of {tgt}\n(over the elicited Beta distributions)")
        for t in ax.legend(loc="lower right").get_texts():
            t.set_parse_math(True)  # the library's own $S_1$, $S_T$ (user text stays plain: see RC)
        if not len(d):
            ax.text(0.5, 0.5, "no uncertain judgement", transform=ax.transAxes, ha="center")
    return fig, ax


def plot_break_even(be: pd.DataFrame, *, top: int = 20, labels: dict[str, str] | None = None,
                    ax: Axes | None = None, width: str | float = "auto") -> tuple[Figure, Axes]:
    """Break-even (:func:`motives.sensitivity.break_even`).

    Each item's weight of evidence now (filled) and the one that would tie (open);
    a dotted arrow marks an item that cannot reach the tie alone.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import motives as mv
    >>> from motives.sensitivity import break_even
    >>> fig, ax = plot_break_even(break_even(mv.examples.load("dice")))
    >>> float(fig.get_figwidth()), [t.get_text() for t in ax.get_yticklabels()]  # largest weight first
    (3.5, ['roll_8', 'roll_6'])
    >>> print(ax.get_xlabel())
    Weight of evidence for d8 (decibans)
    now and needed to tie with d12
    >>> [round(float(x), 1) for x in ax.get_lines()[1].get_xdata()]  # the weights that would tie
    [2.2, -1.3]
    >>> plt.close(fig)

    The taxicab witness is only 60% reliable: no single report can tie the colours.

    >>> fig, ax = plot_break_even(break_even(mv.examples.load("witness")))
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['says_blue (cannot)']
    >>> plt.close(fig)
    """
    be, meta = unpack(be, "break_even")
    d = be.reindex(be["db_item"].abs().sort_values(ascending=False).index).head(top)
    width = auto_width(width, [f"{n} (cannot)" for n in _input_labels(d, None)])
    with style():
        fig, ax = new_axes(ax, width, 0.8 + 0.2 * max(len(d), 1))
        y = np.arange(len(d))[::-1]
        fin = np.isfinite(d["db_needed"]).to_numpy()
        item = d["db_item"].to_numpy(dtype=float)
        lim = float(np.nanmax(np.abs(np.r_[item[np.isfinite(item)], d["db_needed"][fin], 1.0]))) * 1.1
        item = np.where(np.isfinite(item), item, np.nan_to_num(np.sign(item)) * lim)  # an item that rules out: at the edge
        for yy, it, (_e, r) in zip(y, item, d.iterrows(), strict=True):
            need = r["db_needed"] if np.isfinite(r["db_needed"]) else np.nan_to_num(np.sign(r["db_needed"])) * lim
            ax.annotate("", xy=(need, yy), xytext=(it, yy),
                        arrowprops={"arrowstyle": "->", "color": "0.4", "linewidth": 0.7,
                                    "linestyle": "-" if r["reachable"] else ":"})
        ax.plot(item, y, "o", color="black", linestyle="", label="now")
        ax.plot(np.where(fin, d["db_needed"], np.nan), y, "o", color="black", markerfacecolor="white", linestyle="",
                label="to tie")
        ax.axvline(0, color="0.6", linewidth=0.6)
        ax.set_yticks(y, [shorten(n, 30) + ("" if r["reachable"] else " (cannot)")
                          for n, (_e, r) in zip(_input_labels(d, None), d.iterrows(), strict=True)])
        ax.set_xlim(-lim, lim)
        ax.set_xlabel(f"Weight of evidence for {label_for(labels, meta.target)} (decibans)\n"
                      f"now and needed to tie with {label_for(labels, meta.rival)}")
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2)
    return fig, ax


def plot_information(info: pd.DataFrame, *, top: int = 15, ax: Axes | None = None,
                     width: str | float = "auto") -> tuple[Figure, Axes]:
    """Expected information of each item (:func:`motives.sensitivity.item_information`), in bits.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import motives as mv
    >>> from motives.sensitivity import item_information
    >>> fig, ax = plot_information(item_information(mv.examples.load("dice")))
    >>> float(fig.get_figwidth()), [t.get_text() for t in ax.get_yticklabels()]  # most informative first
    (3.5, ['roll_8', 'roll_6'])
    >>> [round(float(b.get_width()), 3) for b in ax.patches[:2]]  # bits, hypotheses (dark bars)
    [0.049, 0.008]
    >>> ax.get_xlabel()
    'Expected information, as if not yet observed (bits)'
    >>> plt.close(fig)
    """
    info = table_of(info)
    d = info.sort_values("voi", ascending=False).head(top)
    width = auto_width(width, [str(i) for i in d.index])
    with style():
        fig, ax = new_axes(ax, width, 0.8 + 0.22 * max(len(d), 1))
        y = np.arange(len(d))[::-1]
        ax.barh(y + 0.18, d["voi"], height=0.34, label="hypotheses", **bar_style(0))
        ax.barh(y - 0.18, d["voi_family"], height=0.34, label="families", **bar_style(1))
        ax.set_yticks(y, [shorten(str(i), 30) for i in d.index])
        ax.set_xlabel("Expected information, as if not yet observed (bits)")
        ax.legend(loc="lower right")
    return fig, ax


def plot_discount(discount: pd.DataFrame, *, level: str = "family", labels: dict[str, str] | None = None,
                  ax: Axes | None = None, width: str | float = "one") -> tuple[Figure, Axes]:
    """Credences against a common discount on every item's weight (:func:`motives.sensitivity.evidence_discount`).

    The bottom axis is the discount factor gamma (1: the items as independent
    as the engine takes them; 0: no evidence), the top axis the number of
    independent items the evidence would then be worth (gamma times the
    diagnostic items). Dotted horizontal lines mark the levels of
    ``gamma_for`` in its metadata.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import motives as mv
    >>> from motives.sensitivity import evidence_discount
    >>> d = evidence_discount(mv.examples.load("diagnostic_test"), points=11)
    >>> fig, ax = plot_discount(d, level="hypothesis")
    >>> float(fig.get_figwidth()), ax.get_xlabel(), ax.get_ylabel()
    (3.5, "Discount on each item's weight (1 = independent)", 'Credence')
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['condition', 'healthy']
    >>> ax.child_axes[0].get_xlabel()  # the secondary axis on top
    'Worth this many independent items (of 1)'
    >>> plt.close(fig)
    """
    discount, meta = unpack(discount, "evidence_discount")
    d = discount.xs(level, level="level")
    ids = list(dict.fromkeys(d.index.get_level_values("id")))
    n = meta.diagnostic_items
    with style():
        fig, ax = new_axes(ax, width, 2.6)
        for k, i in enumerate(ids):
            s = d.xs(i, level="id")
            st = style_of(k)
            ax.plot(s["gamma"], s["credence"], color=st["color"], linestyle=st["linestyle"], marker=st["marker"],
                    markevery=max(len(s) // 8, 1), label=label_for(labels, i))
        for lv in meta.gamma_for:
            ax.axhline(float(lv), color="0.6", linestyle=":", linewidth=0.6)
        ax.set_xlim(0, max(1.0, float(d["gamma"].max())))
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("Discount on each item's weight (1 = independent)")
        ax.set_ylabel("Credence")
        ax.legend(loc="best")
        if n > 0:
            top = ax.secondary_xaxis("top", functions=(lambda g: g * n, lambda e: e / n))
            top.set_xlabel(f"Worth this many independent items (of {n})")
        return fig, ax
