"""Figures of the sensitivity tables (:mod:`motives.sensitivity`): one function per table.

Each takes the table as its sensitivity function returned it (a DataFrame whose ``attrs`` hold its
metadata) or as a
:class:`~motives.sensitivity.SensitivityResult` (e.g. loaded from ``motives sensitivity`` output); a
DataFrame
without the metadata a figure needs is an error naming what is missing, never a silent default.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from motives.plots._style import (
    LABEL_SHARE,
    MAX_LINES,
    add_legend,
    auto_width,
    axes_width,
    bar_style,
    check_level,
    check_top,
    fit_labels,
    label_for,
    legend_plan,
    new_axes,
    omitted_note,
    plan_rows,
    row_height,
    row_xlabel,
    shorten,
    style,
    style_of,
    text_width,
    visuals_of,
    width_of,
    wrap_text,
)
from motives.sensitivity.results import table_of, unpack


def _pick_lines(
    ids: list[str], score: pd.Series, top: int | None, always: str | None = None
) -> list[str]:
    """At most ``top`` ids, the highest ``score`` first chosen, kept in table order.

    ``top`` defaults to :data:`MAX_LINES`.
    """
    check_top(top)
    k = MAX_LINES if top is None else top
    if len(ids) <= k:
        return ids
    ranked = list(
        score.reindex(ids).fillna(-np.inf).sort_values(ascending=False, kind="stable").index
    )
    chosen = ([always] if always in ids else []) + [i for i in ranked if i != always]
    keep = set(chosen[:k])
    return [i for i in ids if i in keep]


def _auto_db(credence: np.ndarray | pd.Series, scale: str) -> bool:
    if scale not in ("auto", "db", "credence"):
        raise ValueError(f"scale must be 'auto', 'db' or 'credence', got {scale!r}")
    c = np.asarray(credence, dtype=float)
    return scale == "db" or (scale == "auto" and bool(np.nanmax(np.minimum(c, 1 - c)) < 0.01))


def plot_trajectory(
    traj: pd.DataFrame,
    *,
    level: str = "family",
    ids: list[str] | None = None,
    labels: dict[str, str] | None = None,
    scale: str = "auto",
    ax: Axes | None = None,
    width: str | float = "auto",
    top: int | None = None,
    visuals: dict[str, Any] | None = None,
) -> tuple[Figure, Axes]:
    """Credence after each item, items in date order (:func:`motives.sensitivity.trajectory`).

    The x axis counts items; tick labels give each item's date and id (every
    k-th item when there are more than fit). Undated items are marked
    "undated" and shaded. ``scale="db"`` plots log-odds against the rest in
    decibans instead of credences; ``"auto"`` does so when the final
    credences are all within 0.01 of 0 or 1.

    Parameters
    ----------
    traj
        :func:`motives.sensitivity.trajectory`.
    level
        ``"family"`` or ``"hypothesis"``.
    ids
        The ids to draw (default: the ``top`` with the highest final credence).
    labels
        Id -> display label; long labels wrap in the legend.
    scale
        ``"auto"``, ``"credence"`` or ``"db"``.
    ax
        Axes to draw on (default: a new figure, its legend above the axes).
    width
        ``"one"`` (3.5 in), ``"two"`` (7.2 in), inches, or ``"auto"`` (two columns).
    top
        At most this many lines (default 8, the distinct line styles); the figure
        says how many are left out.
    visuals
        Element -> ``False`` or a dict of keyword arguments: ``markers`` (a
        marker at each item), ``undated`` (the shading of undated items),
        ``ref_line`` (log-odds 0 in dB), ``legend``, ``omitted``.

    Returns
    -------
    (Figure, Axes)

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import motives as mv
    >>> from motives.sensitivity import trajectory
    >>> fig, ax = plot_trajectory(trajectory(mv.examples.load("dice")))
    >>> float(fig.get_figwidth())  # two columns
    7.2
    >>> [
    ...     t.get_text().splitlines() for t in ax.get_xticklabels()
    ... ]  # no dates; few items: level labels
    [['prior'], ['roll_6', 'undated'], ['roll_8', 'undated']]
    >>> ax.get_ylabel(), ax.get_legend_handles_labels()[1]
    ('Credence', ['d4', 'd6', 'd8', 'd12', 'd20'])
    >>> plt.close(fig)

    Log-odds in decibans instead of credences:

    >>> fig, ax = plot_trajectory(
    ...     trajectory(mv.examples.load("dice")), ids=["d8", "d12"], scale="db"
    ... )
    >>> ax.get_ylabel(), ax.get_legend_handles_labels()[1]
    ('Log-odds against the rest (dB)', ['d8', 'd12'])
    >>> plt.close(fig)

    The two that end highest, without the shading:

    >>> fig, ax = plot_trajectory(
    ...     trajectory(mv.examples.load("dice")), top=2, visuals={"undated": False}
    ... )
    >>> ax.get_legend_handles_labels()[1], ax.get_title(loc="right")
    (['d8', 'd12'], '2 of 5 hypotheses shown; 3 left out')
    >>> plt.close(fig)
    """
    traj = table_of(traj)
    v = visuals_of(
        visuals,
        {
            "markers": {"linestyle": "", "markersize": 3},
            "undated": {"color": "0.9", "zorder": 0, "linewidth": 0},
            "ref_line": {"color": "0.6", "linewidth": 0.6},
            "legend": {},
            "omitted": {},
        },
    )
    check_level(level)
    d = traj.xs(level, level="level")
    all_ids = list(dict.fromkeys(d.index.get_level_values("id")))
    steps = sorted(set(d.index.get_level_values("step")))
    final = d.xs(max(steps), level="step")["credence"]
    ids = ids or _pick_lines(all_ids, final, top)
    first = d.xs(ids[0], level="id")
    db = _auto_db(final, scale)
    col = "log_odds_db" if db else "credence"
    W = width_of(auto_width(width, [], natural="two") if ax is None else axes_width(ax))
    _, _, leg_h = (
        legend_plan([label_for(labels, i) for i in ids], W)
        if v["legend"] is not None
        else ([], 1, 0)
    )
    every = max(
        1, -(-len(steps) // max(1, int((0.85 * W) / 0.11)))
    )  # tick labels at least 0.11 in apart
    shown = steps[::every]
    fs = 5.5 if len(shown) > 30 else 6.5
    names = []
    for s in shown:
        r = first.loc[s]
        tag = "prior" if s == 0 else (r["date"] if r["dated"] else "undated")
        names.append((shorten(str(r["evidence"]), 24), tag) if s else ("prior", ""))
    # Horizontal labels (the item on at most two lines, broken after an underscore, then the date)
    # when each fits its share of the width; else rotated. The figure is sized for a data area of
    # 1.9 in plus the labels, so the labels never crowd the curves out.
    room = 0.95 * 0.85 * W / len(shown)
    split = [_break_id(e, room, fs) for e, _t in names]
    level_ = all(b is not None for b in split)
    if level_:
        ticks = [f"{b}\n{t}" if t else str(b) for b, (_e, t) in zip(split, names, strict=True)]
        label_h = max(t.count("\n") + 1 for t in ticks) * fs * 1.25 / 72
    else:
        ticks = [f"{e}  {t}" if t else e for e, t in names]
        label_h = max(text_width(t, fs) for t in ticks)
    with style():
        fig, ax_ = new_axes(ax, W, 1.9 + label_h + 0.45 + leg_h)
        for k, i in enumerate(ids):
            c = d.xs(i, level="id")[col].reindex(steps)
            st = style_of(k)
            ax_.plot(
                steps,
                c.to_numpy(),
                drawstyle="steps-mid",
                color=st["color"],
                linestyle=st["linestyle"],
                marker="",
                label=label_for(labels, i),
            )
            if v["markers"] is not None:  # at most ~40 markers per line
                ax_.plot(
                    steps,
                    c.to_numpy(),
                    **(
                        {
                            "marker": st["marker"],
                            "color": st["color"],
                            "markevery": max(1, len(steps) // 40),
                        }
                        | v["markers"]
                    ),
                )
        und = [s for s in steps if s > 0 and not first.loc[s, "dated"]]
        if und and v["undated"] is not None:
            ax_.axvspan(min(und) - 0.5, max(und) + 0.5, **v["undated"])
        ax_.set_xticks(shown, ticks, rotation=0 if level_ else 90, fontsize=fs)
        ax_.set_xlim(-0.5, max(steps) + 0.5)
        if db:
            if v["ref_line"] is not None:
                ax_.axhline(0, **v["ref_line"])
            ax_.set_ylabel("Log-odds against the rest (dB)")
        else:
            ax_.set_ylim(0, 1)
            ax_.set_ylabel("Credence")
        xl = "Items in date order (undated items first, shaded)" if und else "Items in date order"
        ax_.set_xlabel(xl + (f"; one item in {every} labelled" if every > 1 else ""))
        add_legend(ax_, ax is None, v["legend"])
        ax_.set_xlabel(wrap_text(ax_.get_xlabel(), 0.8 * W))
        omitted_note(ax_, len(ids), len(all_ids), _rows_word(traj, level), v["omitted"])
    return fig, ax_


def _break_id(text: str, width: float, size: float, lines: int = 2) -> str | None:
    """``text`` on at most ``lines`` lines no wider than ``width`` inches.

    Broken after underscores or spaces.

    None when it does not fit (a word wider than ``width``, or more lines needed). Matplotlib does
    not wrap tick labels, and :func:`~motives.plots._style.wrap_lines` breaks at spaces only (an id
    has none).
    """
    import re

    out: list[str] = []
    for tok in re.split(r"(?<=_)|(?<= )", text):
        if out and text_width((out[-1] + tok).strip(), size) <= width:
            out[-1] += tok
        else:
            out.append(tok)
    out = [ln.strip() for ln in out]
    return (
        "\n".join(out)
        if len(out) <= lines and all(text_width(ln, size) <= width for ln in out)
        else None
    )


def _rows_word(table: pd.DataFrame, level: str) -> str:
    """What the rows of ``level`` are called: "families" only when the families group hypotheses.

    A case whose every family is one hypothesis has family rows that are the hypotheses, so a note
    on the lines left out says "hypotheses" there too.
    """
    levels = table.index.get_level_values("level")
    ids = table.index.get_level_values("id")
    n_fam, n_hyp = (len(set(ids[levels == lv])) for lv in ("family", "hypothesis"))
    return "families" if level == "family" and 0 < n_fam < n_hyp else "hypotheses"


def _clear_spot(ax: Axes, ann: Any, kw: dict[str, Any]) -> None:
    """Move an annotation next to its point to where no line of the axes runs under its text.

    Tries the offsets right-below (the default), left-below, right-above, left-above, then farther
    out (up to about 60 points, nearest first); keeps the first whose text box lies inside the axes
    and meets no line (each line sampled densely in display coordinates), else the one that meets
    the fewest; a white box under the text keeps it legible there. Only the default offset is moved:
    a caller's own ``xytext`` is kept. Matplotlib places text where it is told and has no such
    search (``adjustText`` does it for scatter labels, but pulls in its own dependency for one
    label).
    """
    if kw.get("xytext") != (6, -10):
        return
    ann.set_in_layout(False)  # inside the axes: the layout never shrinks them to make room for it
    fig: Any = ax.figure
    fig.draw_without_rendering()
    frame = ax.get_window_extent()
    pts = []
    for ln in ax.lines:
        if ln is ann or not ln.get_visible():
            continue
        xy = ln.get_transform().transform(np.asarray(ln.get_xydata(), dtype=float))
        xy = xy[np.isfinite(xy).all(axis=1)]
        for a, b in zip(
            xy[:-1], xy[1:], strict=True
        ):  # the segments between the points too, a sample a pixel
            n = int(min(4000, max(2, np.hypot(*(b - a)))))
            pts.append(a + (b - a) * np.linspace(0, 1, n)[:, None])
        pts.append(xy)
    cloud = np.concatenate(pts) if pts else np.zeros((0, 2))
    best: tuple[int, tuple[float, float], str] | None = None
    near = [(6, -10), (-6, -10), (6, 6), (-6, 6)]
    far = sorted(
        (
            (dx, dy)
            for dx in (6, -6, 24, -24, 48, -48)
            for dy in (-22, 18, -34, 30, -46, 42, -58, 54)
        ),
        key=lambda p: (abs(p[0]) + abs(p[1]), p[1] > 0, p[0] < 0),
    )  # nearest first
    for dx, dy in near + far:
        ha = "left" if dx > 0 else "right"
        ann.set_position((dx, dy))
        ann.set_horizontalalignment(ha)
        bb = ann.get_window_extent().expanded(1.05, 1.2)
        inside = frame.x0 <= bb.x0 and bb.x1 <= frame.x1 and frame.y0 <= bb.y0 and bb.y1 <= frame.y1
        hits = int(
            (
                (cloud[:, 0] >= bb.x0)
                & (cloud[:, 0] <= bb.x1)
                & (cloud[:, 1] >= bb.y0)
                & (cloud[:, 1] <= bb.y1)
            ).sum()
        ) + (0 if inside else 10**6)
        if best is None or hits < best[0]:
            best = (hits, (dx, dy), ha)
        if hits == 0:
            break
    assert best is not None
    ann.set_position(best[1])
    ann.set_horizontalalignment(best[2])
    if best[0]:
        ann.set_bbox(
            {
                "boxstyle": "square,pad=0.15",
                "facecolor": "white",
                "edgecolor": "none",
                "alpha": 0.85,
            }
        )


# C901: label placement candidates
def plot_prior_sweep(  # noqa: C901
    sweep: pd.DataFrame,
    *,
    level: str = "family",
    labels: dict[str, str] | None = None,
    mark: float | None = None,
    scale: str = "auto",
    ax: Axes | None = None,
    width: str | float = "auto",
    top: int | None = None,
    visuals: dict[str, Any] | None = None,
) -> tuple[Figure, Axes]:
    """Credences against the swept prior of the target (:func:`motives.sensitivity.prior_sweep`).

    ``scale="credence"``: every id's credence against the target's prior,
    with a dotted "prior = credence" diagonal. ``scale="db"``: the target's
    posterior log-odds against its prior log-odds, both in decibans -- a line
    of slope 1 lying the Bayes factor above the diagonal (Bayes' rule in odds
    form), readable however strong the evidence. ``"auto"`` picks dB when the
    sweep was spaced in log-odds. An open circle marks where the target's
    credence is 1/2 (even odds against the rest together; not where it ties
    with its strongest rival, which break-even finds); a thin vertical line
    marks ``mark`` (default: the case's prior of the target).

    Parameters
    ----------
    sweep
        :func:`motives.sensitivity.prior_sweep`.
    level
        ``"family"`` or ``"hypothesis"``.
    labels
        Id -> display label; long labels wrap in the legend.
    mark
        Prior to mark with a vertical line (default: the case's prior of the target).
    scale
        ``"auto"``, ``"credence"`` or ``"db"``.
    ax
        Axes to draw on (default: a new figure, its legend above the axes).
    width
        ``"one"`` (3.5 in), ``"two"`` (7.2 in), inches, or ``"auto"`` (one column).
    top
        At most this many lines (default 8, the distinct line styles): the
        target and those with the highest mean credence over the sweep; the
        figure says how many are left out.
    visuals
        Element -> ``False`` or a dict of keyword arguments: ``ref_line`` (the
        diagonal), ``tie`` (the open circle at credence 1/2), ``annotations`` (its text),
        ``mark`` (the vertical line), ``legend``, ``omitted``.

    Returns
    -------
    (Figure, Axes)

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import motives as mv
    >>> from motives.sensitivity import prior_sweep
    >>> fig, ax = plot_prior_sweep(prior_sweep(mv.examples.load("cookies"), "bowl1", points=11))
    >>> float(fig.get_figwidth()), ax.get_xlabel(), ax.get_ylabel()
    (3.5, 'Prior of bowl1', 'Posterior credence')
    >>> print(*[t.get_text() for t in ax.texts])  # bowl 1 has credence 1/2 when its prior is 0.4
    credence 1/2 (even odds)
    at prior 0.4
    >>> ax.get_legend_handles_labels()[1]
    ['Prior = credence', 'bowl1', 'bowl2']
    >>> plt.close(fig)

    A sweep in log-odds (a rare condition) is drawn in decibans:

    >>> sweep = prior_sweep(
    ...     mv.examples.load("diagnostic_test"), "condition", spacing="logit", points=21
    ... )
    >>> fig, ax = plot_prior_sweep(sweep)
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('Prior log-odds of condition (dB)', 'Posterior log-odds (dB)')
    >>> plt.close(fig)
    """
    sweep, meta = unpack(sweep, "prior_sweep")
    v = visuals_of(
        visuals,
        {
            "ref_line": {"color": "0.6", "linestyle": ":", "marker": "", "linewidth": 0.8},
            "tie": {
                "marker": "o",
                "markerfacecolor": "white",
                "color": "black",
                "linestyle": "",
                "zorder": 5,
            },
            "annotations": {"xytext": (6, -10), "textcoords": "offset points", "fontsize": 6},
            "mark": {"color": "0.4", "linewidth": 0.6},
            "legend": {},
            "omitted": {},
        },
    )
    check_level(level)
    tgt = meta.target
    if scale not in ("auto", "db", "credence"):
        raise ValueError(f"scale must be 'auto', 'db' or 'credence', got {scale!r}")
    db = scale == "db" or (scale == "auto" and meta.spacing == "logit")
    mark = meta.case_prior if mark is None else mark
    tie = meta.tie_prior
    d = sweep.xs(level, level="level")
    all_ids = list(dict.fromkeys(d.index.get_level_values("id")))
    ids = _pick_lines(all_ids, d.groupby(level="id")["credence"].mean(), top, always=tgt)
    W = width_of(auto_width(width, [], natural="one") if ax is None else axes_width(ax))
    leg = ["Prior = credence"] + (
        [label_for(labels, tgt)] if db else [label_for(labels, i) for i in ids]
    )
    _, _, leg_h = legend_plan(leg, W) if v["legend"] is not None else ([], 1, 0)
    with style():
        fig, ax_ = new_axes(ax, W, 2.6 + leg_h)
        if db:
            t = d.xs(tgt, level="id") if tgt in all_ids else sweep.xs(tgt, level="id")
            p = t["target_prior"].to_numpy()
            with np.errstate(divide="ignore"):
                x = 10 * np.log10(p / (1 - p))
            ok = np.isfinite(x)
            if v["ref_line"] is not None:
                ax_.plot(x[ok], x[ok], **({"label": "No evidence"} | v["ref_line"]))
            ax_.plot(
                x[ok],
                t["log_odds_db"].to_numpy()[ok],
                color="black",
                linestyle="-",
                marker="o",
                markevery=max(ok.sum() // 8, 1),
                label=label_for(labels, tgt),
            )
            ax_.axhline(0, color="0.6", linewidth=0.6)
            if tie is not None and 0 < tie < 1:
                xt = 10 * np.log10(tie / (1 - tie))
                if v["tie"] is not None:
                    ax_.plot([xt], [0], **v["tie"])
                if v["annotations"] is not None:
                    note = ax_.annotate(
                        f"credence 1/2 (even odds)\nat prior {tie:.2g}", (xt, 0), **v["annotations"]
                    )
            if mark is not None and 0 < mark < 1 and v["mark"] is not None:
                ax_.axvline(10 * np.log10(mark / (1 - mark)), **v["mark"])
            ax_.set_xlabel(f"Prior log-odds of {label_for(labels, tgt)} (dB)")
            ax_.set_ylabel("Posterior log-odds (dB)")
            ax_.set_xlabel(wrap_text(ax_.get_xlabel(), 0.8 * W))
            add_legend(ax_, ax is None, v["legend"])
            if tie is not None and 0 < tie < 1 and v["annotations"] is not None:
                _clear_spot(ax_, note, v["annotations"])
            return fig, ax_
        if v["ref_line"] is not None:
            ax_.plot([0, 1], [0, 1], **({"label": "Prior = credence"} | v["ref_line"]))
        for k, i in enumerate(ids):
            s = d.xs(i, level="id")
            st = style_of(k)
            ax_.plot(
                s["target_prior"],
                s["credence"],
                color=st["color"],
                linestyle=st["linestyle"],
                marker=st["marker"],
                markevery=max(len(s) // 8, 1),
                label=label_for(labels, i),
            )
        if tie is not None and 0 < tie < 1:
            if v["tie"] is not None:
                ax_.plot([tie], [0.5], **v["tie"])
            if v["annotations"] is not None:
                note = ax_.annotate(
                    f"credence 1/2 (even odds)\nat prior {tie:.3g}", (tie, 0.5), **v["annotations"]
                )
        if mark is not None and v["mark"] is not None:
            ax_.axvline(mark, **v["mark"])
        ax_.set_xlim(0, 1)
        ax_.set_ylim(0, 1)
        ax_.set_xlabel(f"Prior of {label_for(labels, tgt)}")
        ax_.set_ylabel("Posterior credence")
        add_legend(ax_, ax is None, v["legend"])
        ax_.set_xlabel(wrap_text(ax_.get_xlabel(), 0.8 * W))
        omitted_note(ax_, len(ids), len(all_ids), _rows_word(sweep, level), v["omitted"])
        if tie is not None and 0 < tie < 1 and v["annotations"] is not None:
            _clear_spot(ax_, note, v["annotations"])
    return fig, ax_


def _input_labels(df: pd.DataFrame, labels: dict[str, str] | None) -> list[str]:
    """Row labels of a tornado / break-even table.

    A proposition's table is marked ``(table)``; a source's reliability reads ``reliability:
    <source>``, a base rate ``base rate: <item>``, the target's prior ``prior``.
    """
    kinds = (
        df["kind"]
        if "kind" in df
        else df["input"]
        if "input" in df
        else pd.Series("item", index=df.index)
    )
    out = []
    for e, k in zip(df.index.astype(str), kinds, strict=True):
        if k == "source":
            out.append(f"reliability: {e.split(':', 1)[1]}")
        elif k == "base_rate":
            out.append(f"base rate: {label_for(labels, e.split(':', 1)[1])}")
        else:
            out.append(label_for(labels, e) + (" (table)" if k == "table" else ""))
    return out


def _row_plan(
    names: list[str],
    width: str | float,
    ax: Axes | None,
    top: int | None,
    base: float,
    per_row: float,
    natural: str = "labels",
) -> tuple[float, int, float]:
    """(figure width, rows to draw, height) of a plot with one row per name.

    The names are in drawing order.
    """
    check_top(top)
    head = names[: (top or 200)]
    W = width_of(auto_width(width, head, natural) if ax is None else axes_width(ax))
    k, height = plan_rows(
        len(names), top, base, row_height(fit_labels(head, LABEL_SHARE * W), per_row)
    )
    return W, k, height


def _rows_axes(
    d: pd.DataFrame,
    names_all: list[str],
    width: str | float,
    ax: Axes | None,
    top: int | None,
    base: float,
    per_row: float,
) -> tuple[Figure, Axes, pd.DataFrame, np.ndarray, float]:
    """The ranked-row template's first half.

    Returns (Figure, Axes, rows drawn, their y, width) of one row per name.

    Call inside :func:`~motives.plots._style.style`; the first row is at the top. Every ranked-bar
    figure (tornado, cruxes, Sobol, break-even, information) draws its bars at ``y`` and then calls
    :func:`_rows_done`.
    """
    W, k, height = _row_plan(names_all, width, ax, top, base, per_row)
    d = d.head(k)
    fig, ax_ = new_axes(ax, W, height)
    return fig, ax_, d, np.arange(len(d))[::-1], W


def _rows_done(
    ax_: Axes,
    y: np.ndarray,
    names_all: list[str],
    W: float,
    xlabel: str,
    total: int,
    v: dict[str, Any],
    *,
    owned: bool,
    ylim: bool = True,
    legend: bool = True,
    wrap: bool = True,
    empty: str | None = None,
    what: str = "items",
) -> Any:
    """The ranked-row template's second half.

    Row labels, limits, x label, legend, the rows left out.

    ``empty`` is said in the axes when no row is drawn; ``what`` names the rows left out; ``wrap``
    wraps the x label to the figure
    (:func:`~motives.plots._style.row_xlabel`). Returns the legend (or None).
    """
    n = len(y)
    ax_.set_yticks(y, fit_labels(names_all[:n], LABEL_SHARE * W))
    if ylim:
        ax_.set_ylim(-0.6, max(n, 1) - 0.4)
    ax_.set_xlabel(xlabel)
    leg = add_legend(ax_, owned, v["legend"]) if legend else None
    if empty is not None and not n:
        ax_.text(0.5, 0.5, empty, transform=ax_.transAxes, ha="center")
    if wrap:
        row_xlabel(ax_, ax_.get_xlabel(), W)
    omitted_note(ax_, n, total, what, v["omitted"])
    return leg


def _finite_ends(lo: np.ndarray, hi: np.ndarray, base: float) -> tuple[np.ndarray, np.ndarray, Any]:
    """Bar ends a figure can draw: an infinite end (log-odds of a ruled-out rival) at the edge of the finite ones.

    Matplotlib cannot place a bar of infinite width (NaN transforms); such an end is drawn 15% of
    the finite span beyond the farthest finite end and marked ``∞`` (``ends(y)`` yields where and
    what to mark). A NaN end (undefined) draws no bar.
    """
    vals = np.concatenate([lo, hi, [base]])
    fin = vals[np.isfinite(vals)]
    span = float(fin.max() - fin.min()) if len(fin) > 1 and fin.max() > fin.min() else 1.0
    top, bottom = float(fin.max()) + 0.15 * span, float(fin.min()) - 0.15 * span

    def clip(a: np.ndarray) -> np.ndarray:
        out = np.where(np.isnan(a), base, a)
        return np.where(np.isposinf(out), top, np.where(np.isneginf(out), bottom, out))

    def ends(y: Any) -> Any:
        for arr in (lo, hi):
            for yy, x in zip(y, arr, strict=True):
                if np.isinf(x):
                    yield yy, top if x > 0 else bottom, "∞" if x > 0 else "−∞"

    return clip(lo), clip(hi), ends


def plot_tornado(
    tor: pd.DataFrame,
    *,
    top: int | None = None,
    labels: dict[str, str] | None = None,
    scale: str = "auto",
    ax: Axes | None = None,
    width: str | float = "auto",
    visuals: dict[str, Any] | None = None,
) -> tuple[Figure, Axes]:
    """Tornado of :func:`motives.sensitivity.tornado`.

    The target's credence with each item weakened and strengthened.

    Hatched bars: the item weakened (factor 1/f); dark bars: strengthened
    (factor f). ``scale="db"`` draws the target's log-odds in decibans;
    ``"auto"`` does so when the credence is within 0.01 of 0 or 1.

    Parameters
    ----------
    tor
        :func:`motives.sensitivity.tornado`.
    top
        At most this many items, the largest swings (default: as many as fit a
        page); the figure says how many are left out.
    labels
        Id -> display label (items, and the target in the axis label); long labels wrap onto two
        lines.
    scale
        ``"auto"``, ``"credence"`` or ``"db"``.
    ax
        Axes to draw on (default: a new figure, its legend above the axes).
    width
        ``"one"`` (3.5 in), ``"two"`` (7.2 in), inches, or ``"auto"``: one column
        when every label fits on one line there, else two.
    visuals
        Element -> ``False`` or a dict of keyword arguments: ``ref_line`` (the
        credence as analysed), ``legend``, ``omitted``.

    Returns
    -------
    (Figure, Axes)

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import motives as mv
    >>> from motives.sensitivity import tornado
    >>> fig, ax = plot_tornado(tornado(mv.examples.load("dice")))
    >>> float(fig.get_figwidth())  # short labels: one column
    3.5
    >>> [t.get_text() for t in ax.get_yticklabels()]  # the prior of d8 is a judgement too
    ['prior', 'roll_6', 'roll_8']
    >>> print(
    ...     ax.get_xlabel().replace(chr(160), " ")
    ... )  # wrapped in even lines, "x 1/3" kept together
    Credence of d8
    (each item's weight of evidence, each
    other judgement’s odds x 1/3 and x 3)
    >>> ax.get_legend_handles_labels()[1]  # hatched, then dark bars
    ['weakened (x 1/3)', 'strengthened (x 3)']
    >>> plt.close(fig)
    """
    tor, meta = unpack(tor, "tornado")
    if tor.empty:
        raise ValueError(
            "nothing to draw: the tornado table is empty (a case without evidence items)"
        )
    v = visuals_of(
        visuals, {"ref_line": {"color": "black", "linewidth": 0.8}, "legend": {}, "omitted": {}}
    )
    db = _auto_db(tor["credence"].iloc[:1], scale)
    if db and len(tor) and not np.isfinite(float(tor["log_odds_db"].iloc[0])):
        db = False  # a certainty (the rest ruled out) has infinite log-odds: draw credences
    d = tor.sort_values("swing_db" if db else "swing", ascending=False, kind="stable")
    f = meta.factor
    mode = meta.mode
    lo_c, hi_c, base_c = ("low_db", "high_db", "log_odds_db") if db else ("low", "high", "credence")
    base = float(tor[base_c].iloc[0])
    with style():
        fig, ax_, d, y, W = _rows_axes(d, _input_labels(d, labels), width, ax, top, 1.0, 0.2)
        lo, hi, ends = _finite_ends(
            d[lo_c].to_numpy(dtype=float), d[hi_c].to_numpy(dtype=float), base
        )
        ax_.barh(
            y, lo - base, left=base, height=0.65, label=f"weakened (x 1/{f:g})", **bar_style(1)
        )
        ax_.barh(
            y, hi - base, left=base, height=0.65, label=f"strengthened (x {f:g})", **bar_style(0)
        )
        marks = list(ends(y))
        if marks:
            ax_.margins(x=0.12)  # room for the marks inside the axes
        for (
            yy,
            x,
            text,
        ) in marks:  # a bar to an infinite log-odds (a ruled-out rival) ends at the edge, marked
            ax_.annotate(
                text,
                (x, yy),
                xytext=(2 if x > base else -2, 0),
                textcoords="offset points",
                ha="left" if x > base else "right",
                va="center",
                fontsize="small",
            )
        if v["ref_line"] is not None:
            ax_.axvline(base, **v["ref_line"])
        what = "weight of evidence" if mode == "strength" else "likelihood ratio"
        quantity = "Log-odds (dB)" if db else "Credence"
        others = "kind" in d and not d["kind"].isin(["item", "table"]).all()
        _rows_done(
            ax_,
            y,
            _input_labels(d, labels),
            W,
            f"{quantity} of {shorten(label_for(labels, meta.target), 60)}\n"
            f"(each item's {what}{', each other judgement’s odds' if others else ''} x\xa01/{f:g} "
            f"and x\xa0{f:g})",
            len(tor),
            v,
            owned=ax is None,
        )
    return fig, ax_


def plot_lenses(
    lenses: pd.DataFrame,
    *,
    level: str = "family",
    labels: dict[str, str] | None = None,
    ax: Axes | None = None,
    width: str | float = "auto",
    top: int | None = None,
    visuals: dict[str, Any] | None = None,
) -> tuple[Figure, Axes]:
    """Credences under each lens, one hatching per lens.

    See :func:`motives.sensitivity.lens_comparison`.

    Parameters
    ----------
    lenses
        :func:`motives.sensitivity.lens_comparison`.
    level
        ``"family"`` or ``"hypothesis"``.
    labels
        Id -> display label (ids and lenses); long labels wrap onto two lines.
    ax
        Axes to draw on (default: a new figure, its legend above the axes).
    width
        ``"one"`` (3.5 in), ``"two"`` (7.2 in), inches, or ``"auto"``: one column
        when every label fits on one line there, else two.
    top
        At most this many ids, the highest credence under any lens first
        (default: as many as fit a page); the figure says how many are left out.
    visuals
        Element -> ``False`` or a dict of keyword arguments: ``annotations``
        (the credences written beside the bars), ``legend``, ``omitted``.

    Returns
    -------
    (Figure, Axes)

    Examples
    --------
    Two analysts who read one of two items the opposite way (``two_lenses``):

    >>> import matplotlib.pyplot as plt
    >>> import motives as mv
    >>> from motives.plots import labels_of
    >>> from motives.sensitivity import lens_comparison
    >>> case = mv.examples.load("two_lenses")
    >>> fig, ax = plot_lenses(lens_comparison(case), level="hypothesis", labels=labels_of(case))
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
    v = visuals_of(
        visuals,
        {
            "annotations": {
                "xytext": (2, 0),
                "textcoords": "offset points",
                "va": "center",
                "fontsize": 5.5,
            },
            "legend": {"title": "Lens"},
            "omitted": {},
        },
    )
    check_level(level)
    d = lenses.xs(level, level="level")["credence"].unstack("lens")
    lens_ids = list(dict.fromkeys(lenses.index.get_level_values("lens")))
    d = d[lens_ids].reindex(
        list(dict.fromkeys(lenses.xs(level, level="level").index.get_level_values("id")))
    )
    m = len(lens_ids)
    n_all = len(d)
    W, k, height = _row_plan([label_for(labels, i) for i in d.index], width, ax, top, 1.1, 0.16 * m)
    if k < n_all:
        d = d.loc[d.max(axis=1).sort_values(ascending=False, kind="stable").index[:k]]
    n = len(d)
    h = 0.8 / m
    with style():
        fig, ax_ = new_axes(ax, W, height)
        for j, lens in enumerate(lens_ids):
            y = np.arange(n)[::-1] + (m - 1) / 2 * h - j * h
            ax_.barh(y, d[lens], height=h * 0.9, label=label_for(labels, lens), **bar_style(j))
            if v["annotations"] is not None:
                for yy, val in zip(y, d[lens], strict=True):
                    ax_.annotate(f"{val:.2f}", (val, yy), **v["annotations"])
        ax_.set_yticks(
            np.arange(n)[::-1], fit_labels([label_for(labels, i) for i in d.index], LABEL_SHARE * W)
        )
        ax_.set_ylim(-0.5, n - 0.5)
        ax_.set_xlim(0, 1.08)
        ax_.set_xlabel("Credence")
        add_legend(ax_, ax is None, v["legend"], max_cols=3)
        ax_.set_xlabel(wrap_text(ax_.get_xlabel(), 0.8 * W))
        omitted_note(ax_, n, n_all, _rows_word(lenses, level), v["omitted"])
    return fig, ax_


def plot_cruxes(
    cr: pd.DataFrame,
    *,
    top: int | None = None,
    labels: dict[str, str] | None = None,
    ax: Axes | None = None,
    width: str | float = "auto",
    visuals: dict[str, Any] | None = None,
) -> tuple[Figure, Axes]:
    """Cruxes (:func:`motives.sensitivity.cruxes`).

    Change of the target's log-odds when one item is read by another lens.

    Parameters
    ----------
    cr
        :func:`motives.sensitivity.cruxes`.
    top
        At most this many rows, in the table's order (largest change first;
        default: as many as fit a page); the figure says how many are left out.
    labels
        Id -> display label (items, the target); long labels wrap onto two lines. Lenses are named
        by id.
    ax
        Axes to draw on (default: a new figure).
    width
        ``"one"`` (3.5 in), ``"two"`` (7.2 in), inches, or ``"auto"``: one column
        when every label fits on one line there, else two.
    visuals
        Element -> ``False`` or a dict of keyword arguments: ``ref_line`` (no change), ``omitted``.

    Returns
    -------
    (Figure, Axes)

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
    v = visuals_of(visuals, {"ref_line": {"color": "black", "linewidth": 0.6}, "omitted": {}})
    names_all = [
        f"{label_for(labels, e)} ({lens})" for lens, e in cr.index
    ]  # the lens by id: short, repeated
    with style():
        fig, ax_, d, y, W = _rows_axes(cr, names_all, width, ax, top, 1.0, 0.2)
        vals = d["delta_db"].to_numpy() if len(d) else np.zeros(0)
        ax_.barh(
            y,
            vals,
            height=0.65,
            color=["0.25" if x >= 0 else "white" for x in vals],
            edgecolor="black",
            hatch=["" if x >= 0 else "////" for x in vals],
            linewidth=0.6,
        )
        if v["ref_line"] is not None:
            ax_.axvline(0, **v["ref_line"])
        tgt = shorten(label_for(labels, meta.target), 60)
        _rows_done(
            ax_,
            y,
            names_all,
            W,
            f"Change in log-odds of {tgt} (decibans)\nwhen the item is read by the named lens",
            len(cr),
            v,
            owned=ax is None,
            legend=False,
            empty="no item is rated differently",
            what="rows",
        )
    return fig, ax_


def plot_sobol(
    sob: pd.DataFrame,
    *,
    top: int | None = None,
    labels: dict[str, str] | None = None,
    ax: Axes | None = None,
    width: str | float = "auto",
    visuals: dict[str, Any] | None = None,
) -> tuple[Figure, Axes]:
    """Sobol indices (:func:`motives.sensitivity.global_sensitivity`).

    First order (dark) and total (hatched).

    Parameters
    ----------
    sob
        :func:`motives.sensitivity.global_sensitivity`.
    top
        At most this many items, in the table's order (largest total index
        first; default: as many as fit a page); the figure says how many are left out.
    labels
        Id -> display label (items, the target); long labels wrap onto two lines.
    ax
        Axes to draw on (default: a new figure, its legend above the axes).
    width
        ``"one"`` (3.5 in), ``"two"`` (7.2 in), inches, or ``"auto"``: one column
        when every label fits on one line there, else two.
    visuals
        Element -> ``False`` or a dict of keyword arguments: ``errorbars``
        (bootstrap standard errors), ``legend``, ``omitted``.

    Returns
    -------
    (Figure, Axes)

    Examples
    --------
    Two vanilla cookies, the likelihoods of one judged with medium confidence,
    of the other with low confidence (a wider Beta distribution):

    >>> import matplotlib.pyplot as plt
    >>> import motives as mv
    >>> from motives.sensitivity import global_sensitivity
    >>> ratios = {"bowl1": 0.75, "bowl2": 0.5}
    >>> case = mv.Case.model_validate(
    ...     {
    ...         "name": "cookies_uncertain",
    ...         "hypotheses": [{"id": "bowl1"}, {"id": "bowl2"}],
    ...         "evidence": [
    ...             {
    ...                 "id": "sure",
    ...                 "title": "A vanilla cookie",
    ...                 "likelihoods": {"default": {"values": ratios, "confidence": "medium"}},
    ...             },
    ...             {
    ...                 "id": "unsure",
    ...                 "title": "Another vanilla cookie",
    ...                 "likelihoods": {"default": {"values": ratios, "confidence": "low"}},
    ...             },
    ...         ],
    ...     }
    ... )
    >>> fig, ax = plot_sobol(global_sensitivity(case, n=64, seed=1))
    >>> (
    ...     float(fig.get_figwidth()),
    ...     [t.get_text() for t in ax.get_yticklabels()],
    ... )  # the less certain item first
    (3.5, ['unsure', 'sure'])
    >>> ax.get_legend_handles_labels()[1]
    ['first order $S_1$', 'total $S_T$']
    >>> print(ax.get_xlabel())
    Share of the variance of the log-odds of bowl1
    (over the elicited Beta distributions)
    >>> plt.close(fig)
    """
    sob, meta = unpack(sob, "global_sensitivity")
    v = visuals_of(
        visuals, {"errorbars": {"linewidth": 0.6, "capsize": 1.5}, "legend": {}, "omitted": {}}
    )
    names_all = [label_for(labels, str(i)) for i in sob.index]
    with style():
        fig, ax_, d, y, W = _rows_axes(sob, names_all, width, ax, top, 1.1, 0.22)
        on = v["errorbars"] is not None
        xe1 = d["S1_se"] if "S1_se" in d and on else None
        xet = d["ST_se"] if "ST_se" in d and on else None
        ax_.barh(
            y + 0.18,
            d["S1"].clip(lower=0),
            height=0.34,
            xerr=xe1,
            label="first order $S_1$",
            error_kw=v["errorbars"] or {},
            **bar_style(0),
        )
        ax_.barh(
            y - 0.18,
            d["ST"].clip(lower=0),
            height=0.34,
            xerr=xet,
            label="total $S_T$",
            error_kw=v["errorbars"] or {},
            **bar_style(1),
        )
        top_x = float((d["ST"] + (d["ST_se"] if "ST_se" in d else 0)).max()) if len(d) else 1.0
        ax_.set_xlim(0, min(1.05, max(0.1, 1.2 * top_x)))
        tgt = shorten(label_for(labels, meta.target), 60)
        what = "credence" if meta.scale == "credence" else "log-odds"
        leg = _rows_done(
            ax_,
            y,
            names_all,
            W,
            f"Share of the variance of the {what} of {tgt}\n(over the elicited Beta distributions)",
            len(sob),
            v,
            owned=ax is None,
            ylim=False,
            empty="no uncertain judgement",
        )
        for t in leg.get_texts() if leg is not None else []:
            t.set_parse_math(True)  # the library's own $S_1$, $S_T$ (user text stays plain: see RC)
    return fig, ax_


def plot_break_even(
    be: pd.DataFrame,
    *,
    top: int | None = None,
    labels: dict[str, str] | None = None,
    ax: Axes | None = None,
    width: str | float = "auto",
    visuals: dict[str, Any] | None = None,
) -> tuple[Figure, Axes]:
    """Break-even (:func:`motives.sensitivity.break_even`).

    Each item's weight of evidence now (filled) and the one that would tie (open);
    a dotted arrow marks an item that cannot reach the tie alone.

    Parameters
    ----------
    be
        :func:`motives.sensitivity.break_even`.
    top
        At most this many items, the largest weights first (default: as many as
        fit a page); the figure says how many are left out.
    labels
        Id -> display label (items, the target and its rival); long labels wrap onto two lines.
    ax
        Axes to draw on (default: a new figure, its legend above the axes).
    width
        ``"one"`` (3.5 in), ``"two"`` (7.2 in), inches, or ``"auto"``: one column
        when every label fits on one line there, else two.
    visuals
        Element -> ``False`` or a dict of keyword arguments: ``arrows`` (now ->
        needed), ``ref_line`` (zero), ``legend``, ``omitted``.

    Returns
    -------
    (Figure, Axes)

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import motives as mv
    >>> from motives.sensitivity import break_even
    >>> fig, ax = plot_break_even(break_even(mv.examples.load("dice")))
    >>> (
    ...     float(fig.get_figwidth()),
    ...     [t.get_text() for t in ax.get_yticklabels()],
    ... )  # largest weight first
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
    if (
        "kind" in be
        # weights of evidence: the items and tables (reliabilities, base rates, the prior: the table)
    ):
        be = be[be["kind"].isin(["item", "table"])]
    v = visuals_of(
        visuals,
        {
            "arrows": {"arrowstyle": "->", "color": "0.4", "linewidth": 0.7},
            "ref_line": {"color": "0.6", "linewidth": 0.6},
            "legend": {},
            "omitted": {},
        },
    )
    d = be.reindex(be["db_item"].abs().sort_values(ascending=False).index)
    names_all = [
        n + ("" if r else " (cannot)")
        for n, r in zip(_input_labels(d, labels), d["reachable"], strict=True)
    ]
    with style():
        fig, ax_, d, y, W = _rows_axes(d, names_all, width, ax, top, 1.0, 0.2)
        fin = np.isfinite(d["db_needed"]).to_numpy()
        item = d["db_item"].to_numpy(dtype=float)
        lim = (
            float(np.nanmax(np.abs(np.r_[item[np.isfinite(item)], d["db_needed"][fin], 1.0]))) * 1.1
        )
        item = np.where(
            np.isfinite(item), item, np.nan_to_num(np.sign(item)) * lim
        )  # an item that rules out: at the edge
        if v["arrows"] is not None:
            for yy, it, (_e, r) in zip(y, item, d.iterrows(), strict=True):
                need = (
                    r["db_needed"]
                    if np.isfinite(r["db_needed"])
                    else np.nan_to_num(np.sign(r["db_needed"])) * lim
                )
                ax_.annotate(
                    "",
                    xy=(need, yy),
                    xytext=(it, yy),
                    arrowprops={"linestyle": "-" if r["reachable"] else ":"} | v["arrows"],
                )
        ax_.plot(item, y, "o", color="black", linestyle="", label="now")
        ax_.plot(
            np.where(fin, d["db_needed"], np.nan),
            y,
            "o",
            color="black",
            markerfacecolor="white",
            linestyle="",
            label="to tie",
        )
        if v["ref_line"] is not None:
            ax_.axvline(0, **v["ref_line"])
        ax_.set_xlim(-lim, lim)
        tgt = shorten(label_for(labels, meta.target), 50)
        rival = shorten(label_for(labels, meta.rival), 50)
        _rows_done(
            ax_,
            y,
            names_all,
            W,
            f"Weight of evidence for {tgt} (decibans)\nnow and needed to tie with {rival}",
            len(be),
            v,
            owned=ax is None,
        )
    return fig, ax_


def plot_information(
    info: pd.DataFrame,
    *,
    top: int | None = None,
    labels: dict[str, str] | None = None,
    ax: Axes | None = None,
    width: str | float = "auto",
    visuals: dict[str, Any] | None = None,
) -> tuple[Figure, Axes]:
    """Expected information of each item (:func:`motives.sensitivity.item_information`), in bits.

    Parameters
    ----------
    info
        :func:`motives.sensitivity.item_information`.
    top
        At most this many items, the most informative first (default: as many
        as fit a page); the figure says how many are left out.
    labels
        Id -> display label of the items; long labels wrap onto two lines.
    ax
        Axes to draw on (default: a new figure, its legend above the axes).
    width
        ``"one"`` (3.5 in), ``"two"`` (7.2 in), inches, or ``"auto"``: one column
        when every label fits on one line there, else two.
    visuals
        Element -> ``False`` or a dict of keyword arguments: ``legend``, ``omitted``.

    Returns
    -------
    (Figure, Axes)

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import motives as mv
    >>> from motives.sensitivity import item_information
    >>> fig, ax = plot_information(item_information(mv.examples.load("dice")))
    >>> (
    ...     float(fig.get_figwidth()),
    ...     [t.get_text() for t in ax.get_yticklabels()],
    ... )  # most informative first
    (3.5, ['roll_8', 'roll_6'])
    >>> [
    ...     round(float(b.get_width()), 3) for b in ax.patches[:2]
    ... ]  # bits; each die is its own family: one bar
    [0.049, 0.008]
    >>> print(ax.get_xlabel())
    Expected reduction of the entropy of the hypotheses (bits),
    as if not yet observed
    >>> plt.close(fig)

    Families of several hypotheses: the information about which hypothesis and about which family,
    named apart.

    >>> from motives.testing import rich_case
    >>> fig, ax = plot_information(item_information(rich_case()))
    >>> ax.get_legend_handles_labels()[1]
    ['which hypothesis', 'which family']
    >>> plt.close(fig)
    """
    info = table_of(info)
    v = visuals_of(visuals, {"legend": {}, "omitted": {}})
    d = info.sort_values("voi", ascending=False)
    names_all = [label_for(labels, str(i)) for i in d.index]
    # Two quantities: the entropy removed about which hypothesis is true, and about which family.
    # When the families are the hypotheses the two are one number: one bar, one name.
    one = bool(
        np.allclose(info["entropy"], info["entropy_family"])
        and np.allclose(info["voi"], info["voi_family"])
    )
    with style():
        fig, ax_, d, y, W = _rows_axes(
            d, names_all, width, ax, top, 1.1, 0.22 * (0.6 if one else 1)
        )
        if one:
            ax_.barh(y, d["voi"], height=0.6, **bar_style(0))
            xlabel = (
                "Expected reduction of the entropy of the hypotheses (bits),\nas if not yet "
                "observed"
            )
        else:
            ax_.barh(y + 0.18, d["voi"], height=0.34, label="which hypothesis", **bar_style(0))
            ax_.barh(y - 0.18, d["voi_family"], height=0.34, label="which family", **bar_style(1))
            xlabel = (
                "Expected reduction of entropy (bits), as if not yet observed:\nabout which "
                "hypothesis (dark) and which family (hatched) is true"
            )
        _rows_done(
            ax_, y, names_all, W, xlabel, len(info), v, owned=ax is None, ylim=False, legend=not one
        )
    return fig, ax_


def plot_discount(
    discount: pd.DataFrame,
    *,
    level: str = "family",
    labels: dict[str, str] | None = None,
    ax: Axes | None = None,
    width: str | float = "auto",
    top: int | None = None,
    visuals: dict[str, Any] | None = None,
) -> tuple[Figure, Axes]:
    """Credences against a common discount on every item's weight.

    See :func:`motives.sensitivity.evidence_discount`.

    The bottom axis is the discount factor gamma (1: the items as independent
    as the engine takes them; 0: no evidence), the top axis the number of
    independent items the evidence would then be worth (gamma times the
    diagnostic items). Dotted horizontal lines mark the levels of
    ``gamma_for`` in its metadata.

    Parameters
    ----------
    discount
        :func:`motives.sensitivity.evidence_discount`.
    level
        ``"family"`` or ``"hypothesis"``.
    labels
        Id -> display label; long labels wrap in the legend.
    ax
        Axes to draw on (default: a new figure, its legend above the axes).
    width
        ``"one"`` (3.5 in), ``"two"`` (7.2 in), inches, or ``"auto"`` (one column).
    top
        At most this many lines (default 8, the distinct line styles): the
        highest credences at the largest discount factor; the figure says how
        many are left out.
    visuals
        Element -> ``False`` or a dict of keyword arguments: ``ref_line`` (the
        dotted credence levels), ``secondary_axis`` (the top axis; ``{}`` only),
        ``legend``, ``omitted``.

    Returns
    -------
    (Figure, Axes)

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import motives as mv
    >>> from motives.sensitivity import evidence_discount
    >>> d = evidence_discount(mv.examples.load("diagnostic_test"), points=11)
    >>> fig, ax = plot_discount(d, level="hypothesis")
    >>> float(fig.get_figwidth()), ax.get_xlabel(), ax.get_ylabel()
    (3.5, "Discount on each item's weight (1 = independent)", 'Credence')
    >>> [t.get_text() for t in fig.legends[0].get_texts()]  # the legend sits above the axes
    ['condition', 'healthy']
    >>> ax.child_axes[0].get_xlabel()  # the secondary axis on top
    'Worth this many independent items (of 1)'
    >>> plt.close(fig)
    """
    discount, meta = unpack(discount, "evidence_discount")
    v = visuals_of(
        visuals,
        {
            "ref_line": {"color": "0.6", "linestyle": ":", "linewidth": 0.6},
            "secondary_axis": {},
            "legend": {},
            "omitted": {},
        },
    )
    check_level(level)
    d = discount.xs(level, level="level")
    all_ids = list(dict.fromkeys(d.index.get_level_values("id")))
    last = d[d["gamma"] == d["gamma"].max()].reset_index().set_index("id")["credence"]
    ids = _pick_lines(all_ids, last[~last.index.duplicated()], top)
    n = meta.diagnostic_items
    W = width_of(auto_width(width, [], natural="one") if ax is None else axes_width(ax))
    _, _, leg_h = (
        legend_plan([label_for(labels, i) for i in ids], W)
        if v["legend"] is not None
        else ([], 1, 0)
    )
    with style():
        fig, ax_ = new_axes(ax, W, 2.6 + leg_h)
        for k, i in enumerate(ids):
            s = d.xs(i, level="id")
            st = style_of(k)
            ax_.plot(
                s["gamma"],
                s["credence"],
                color=st["color"],
                linestyle=st["linestyle"],
                marker=st["marker"],
                markevery=max(len(s) // 8, 1),
                label=label_for(labels, i),
            )
        if v["ref_line"] is not None:
            for lv in meta.gamma_for:
                ax_.axhline(float(lv), **v["ref_line"])
        ax_.set_xlim(0, max(1.0, float(d["gamma"].max())))
        ax_.set_ylim(-0.02, 1.02)
        ax_.set_xlabel("Discount on each item's weight (1 = independent)")
        ax_.set_ylabel("Credence")
        add_legend(ax_, ax is None, v["legend"])
        omitted_note(ax_, len(ids), len(all_ids), _rows_word(discount, level), v["omitted"])
        if n > 0 and v["secondary_axis"] is not None:
            sec = ax_.secondary_xaxis("top", functions=(lambda g: g * n, lambda e: e / n))
            sec.set_xlabel(f"Worth this many independent items (of {n})")
        return fig, ax_
