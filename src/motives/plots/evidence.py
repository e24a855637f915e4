"""The evidence.

A ledger of decibans per item, and a timeline item with each hypothesis's predicted trend.
"""

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
    TICK_SIZE,
    TWO_COLUMN,
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
    row_xlabel,
    shorten,
    style,
    style_of,
    visuals_of,
    width_of,
    wrap_lines,
    wrap_text,
)
from motives.schema import Case
from motives.sensitivity.results import table_of


def _pick_target(woe: pd.DataFrame, target: str | None) -> tuple[str, str]:
    ids = woe.index.get_level_values("id")
    levels = woe.index.get_level_values("level")
    if target is None:
        fam = woe[levels == "family"]
        totals = fam.groupby(level="id")["decibans"].sum()
        return "family", str(totals.idxmax())
    if target in set(ids[levels == "family"]) and target not in set(ids[levels == "hypothesis"]):
        return "family", target
    if target in set(ids):
        return "hypothesis" if target in set(ids[levels == "hypothesis"]) else "family", target
    raise ValueError(f"unknown target {target!r}; ids: {sorted(set(ids))}")


def plot_ledger(
    woe: pd.DataFrame,
    *,
    target: str | None = None,
    case: Case | None = None,
    labels: dict[str, str] | None = None,
    use_titles: bool = False,
    ax: Axes | None = None,
    width: str | float = "auto",
    top: int | None = None,
    propositions: pd.DataFrame | None = None,
    visuals: dict[str, Any] | None = None,
) -> tuple[Figure, Axes]:
    """The evidence ledger.

    Each item's weight of evidence for a target, in decibans, grouped by issue area.

    With ``propositions`` (:func:`motives.sensitivity.proposition_weight` of a
    structured case) the items under propositions are grouped under their
    proposition instead (see :func:`_plot_grouped_ledger`): a grey band behind
    each group spans what the proposition can say (floor to cap), its first
    bar is the weight of all its evidence, and each item's bar is its weight
    given the proposition's other items (an open circle: the item alone).
    Direct items follow by issue area.

    Parameters
    ----------
    woe
        :func:`motives.sensitivity.weight_of_evidence`.
    target
        Hypothesis or family id; default the family the evidence favours most.
    case
        Gives issue-area titles and their order.
    labels
        Id -> display label (the target in the axis label).
    use_titles
        Label items by their titles (wrapped onto two lines) instead of their ids.
    ax
        Axes to draw on (default: a new figure).
    width
        ``"one"`` (3.5 in), ``"two"`` (7.2 in), inches, or ``"auto"`` (two columns).
    top
        At most this many items, the largest weights (default: as many as fit a
        page); the figure says how many are left out.
    propositions
        :func:`motives.sensitivity.proposition_weight`, to group by proposition.
    visuals
        Element -> ``False`` or a dict of keyword arguments: ``ref_line`` (zero),
        ``annotations`` (the decibans written beside the bars), ``headings``
        (issue-area headings; grouped: the cap notes), ``band`` (grouped: the
        floor-to-cap band), ``legend`` (grouped), ``omitted``.

    Returns
    -------
    (Figure, Axes)
        Bars for the target are dark, bars against it white and hatched.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import motives as mv
    >>> from motives.sensitivity import weight_of_evidence
    >>> woe = weight_of_evidence(mv.examples.load("dice"))
    >>> fig, ax = plot_ledger(woe)  # target: the family the evidence favours most, d8
    >>> float(fig.get_figwidth())  # two columns
    7.2
    >>> [t.get_text() for t in ax.get_yticklabels()]  # strongest item first
    ['roll_8', 'roll_6']
    >>> [t.get_text() for t in ax.texts]  # the issue-area heading, then each item's decibans
    ['(no issue area)', '+5.7', '+2.2']
    >>> ax.get_xlabel()
    'Weight of evidence for d8 against the rest (decibans; rest weighted by the prior)'
    >>> plt.close(fig)

    Against the 20-sided die, labelled by the items' titles:

    >>> fig, ax = plot_ledger(woe, target="d20", use_titles=True)
    >>> [t.get_text() for t in ax.get_yticklabels()], [t.get_text() for t in ax.texts][1:]
    (['Rolled an 8', 'Rolled a 6'], ['-0.2', '-2.7'])
    >>> plt.close(fig)

    A structured case, grouped by proposition:

    >>> from motives.sensitivity import proposition_weight
    >>> case = mv.examples.load("burglary")
    >>> fig, ax = plot_ledger(
    ...     weight_of_evidence(case), case=case, propositions=proposition_weight(case)
    ... )
    >>> [t.get_text() for t in ax.get_yticklabels()][:4]  # the heading, the proposition, its items
    ['The suspect was at the scene that night', 'at_scene: all 3 items', 'neighbour_saw_suspect',
    'fibres_match']
    >>> [t.get_text() for t in ax.texts][0]
    'cap +9.0 dB, 95% used'

    >>> plt.close(fig)
    """
    woe = table_of(woe)
    if woe.empty:
        raise ValueError(
            "nothing to draw: the weight-of-evidence table is empty (a case without evidence items)"
        )
    propositions = None if propositions is None else table_of(propositions)
    v = visuals_of(
        visuals,
        {
            "ref_line": {"color": "black", "linewidth": 0.6},
            "annotations": {"textcoords": "offset points", "va": "center", "fontsize": 6},
            "headings": {"fontweight": "bold", "fontsize": 7, "va": "center"},
            "band": {"color": "0.88", "linewidth": 0, "zorder": 1},
            "legend": {},
            "omitted": {},
        },
    )
    check_top(top)
    level, tgt = _pick_target(woe, target)
    W = width_of(auto_width(width, [], natural="two") if ax is None else axes_width(ax))
    if propositions is not None and not propositions.empty:
        return _plot_grouped_ledger(
            woe,
            propositions,
            level,
            tgt,
            case=case,
            labels=labels,
            use_titles=use_titles,
            ax=ax,
            width=W,
            top=top,
            v=v,
        )
    d = woe.xs((level, tgt), level=("level", "id")).copy()
    area_order = [a.id for a in case.issue_areas] if case is not None else []
    area_title = {a.id: a.title or a.id for a in case.issue_areas} if case is not None else {}
    d["area"] = d["issue_area"].replace("", "(no issue area)")
    n_all = len(d)
    key = (lambda e, r: str(r["title"])) if use_titles else (lambda e, r: str(e))
    per = row_height(
        fit_labels([key(e, r) for e, r in d.head(200).iterrows()], LABEL_SHARE * W), 0.17
    )
    k, height = plan_rows(len(d) + len(set(d["area"])), top, 0.9, per)
    if k < len(d) + len(set(d["area"])):  # the strongest items; room for their headings
        strongest = d["decibans"].abs().sort_values(ascending=False, kind="stable").index
        k_items = max(1, k - len(set(d.loc[strongest[:k], "area"])))
        d = d.loc[strongest[:k_items]]
    order = area_order + sorted(set(d["area"]) - set(area_order))
    with style():
        fig, ax_ = new_axes(ax, W, height)
        y, ticks, names = 0.0, [], []
        finite = d["decibans"][np.isfinite(d["decibans"])]
        lim = max(1.0, float(finite.abs().max()) if len(finite) else 1.0) * 1.15
        for area in order:
            sub = d[d["area"] == area].sort_values("decibans", ascending=False)
            if sub.empty:
                continue
            if v["headings"] is not None:
                head = wrap_lines(area_title.get(area) or str(area), 0.5 * W, 7, 1, bold=True)[0]
                ax_.text(-lim, y, head, **v["headings"])
            y -= 1
            for e, r in sub.iterrows():
                val = float(np.clip(r["decibans"], -lim, lim))
                pos = val >= 0
                ax_.barh(
                    y,
                    val,
                    height=0.7,
                    facecolor="0.25" if pos else "white",
                    edgecolor="black",
                    hatch="" if pos else "////",
                    linewidth=0.6,
                )
                text = (
                    f"{r['decibans']:+.1f}"
                    if np.isfinite(r["decibans"])
                    else ("+inf" if pos else "-inf")
                )
                if abs(r["decibans"]) < 0.05:
                    text = "0"
                if v["annotations"] is not None:
                    ax_.annotate(
                        text,
                        (val, y),
                        **(
                            {"xytext": (3 if pos else -3, 0), "ha": "left" if pos else "right"}
                            | v["annotations"]
                        ),
                    )
                ticks.append(y)
                names.append(key(e, r))
                y -= 1
        if v["ref_line"] is not None:
            ax_.axvline(0, **v["ref_line"])
        ax_.set_yticks(ticks, fit_labels(names, LABEL_SHARE * W))
        ax_.set_ylim(y + 0.4, 0.8)
        ax_.set_xlim(-lim, lim)
        row_xlabel(
            ax_,
            f"Weight of evidence for {label_for(labels, tgt)} against the rest "
            "(decibans; rest weighted by the prior)",
            W,
        )
        ax_.spines["left"].set_visible(False)
        ax_.tick_params(axis="y", length=0)
        omitted_note(ax_, len(d), n_all, "items", v["omitted"])
    return fig, ax_


def _db_text(v: float) -> str:
    if not np.isfinite(v):
        return "+inf" if v > 0 else "-inf"
    return "0" if abs(v) < 0.05 else f"{v:+.1f}"


def _bar(
    ax: Axes,
    y: float,
    v: float,
    lim: float,
    *,
    height: float = 0.62,
    strong: bool = False,
    alone: float | None = None,
) -> None:
    """One ledger bar: dark for the target, white and hatched against it.

    The value is written beside it.

    With ``alone`` an open circle marks the item's weight on its own, and the value is written past
    it.
    """

    def clip(x: float) -> float:
        return float(np.clip(x, -lim, lim)) if np.isfinite(x) else (lim if x > 0 else -lim)

    vv = clip(v)
    pos = vv >= 0
    ax.barh(
        y,
        vv,
        height=height,
        facecolor=("0.05" if strong else "0.35") if pos else "white",
        edgecolor="black",
        hatch="" if pos else "////",
        linewidth=0.8 if strong else 0.6,
        zorder=3,
    )
    at = vv
    if (
        strong and pos and vv > 0.3 * lim
    ):  # the proposition's value inside its bar, clear of the cap line
        ax.annotate(
            _db_text(v),
            (vv, y),
            xytext=(-3, 0),
            textcoords="offset points",
            ha="right",
            va="center",
            fontsize=6,
            zorder=4,
            fontweight="bold",
            color="white",
        )
        return
    if alone is not None:
        a = clip(alone)
        ax.plot(
            [a],
            [y],
            marker="o",
            markersize=3.5,
            markerfacecolor="white",
            markeredgecolor="black",
            markeredgewidth=0.7,
            linestyle="none",
            zorder=5,
        )
        at = max(vv, a) if pos else min(vv, a)
    ax.annotate(
        _db_text(v),
        (at, y),
        xytext=(4 if pos else -4, 0),
        textcoords="offset points",
        ha="left" if pos else "right",
        va="center",
        fontsize=6,
        zorder=4,
        fontweight="bold" if strong else "normal",
    )


def _plot_grouped_ledger(
    woe: pd.DataFrame,
    props: pd.DataFrame,
    level: str,
    tgt: str,
    *,
    case: Case | None,
    labels: dict[str, str] | None,
    use_titles: bool,
    ax: Axes | None,
    width: float,
    top: int | None,
    v: dict[str, Any],
) -> tuple[Figure, Axes]:
    """The ledger grouped by proposition (see :func:`plot_ledger`).

    Each group: a heading (the proposition's title, bold, in the label column; the cap or floor and
    the share used at the right), a grey band from floor to cap behind the group with dotted edges,
    the proposition's bar (all its evidence, black), and its items' bars (each given the others)
    with an open circle for the item alone. Direct items follow, by issue area.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    d = woe.xs((level, tgt), level=("level", "id")).copy()
    pw = props.xs((level, tgt), level=("level", "id"))
    prop_rows = pw[pw["kind"] == "proposition"]
    item_rows = pw[pw["kind"] == "item"]
    direct = d[d["proposition"] == ""] if "proposition" in d else d.iloc[:0]
    area_order = [a.id for a in case.issue_areas] if case is not None else []
    area_title = {a.id: a.title or a.id for a in case.issue_areas} if case is not None else {}
    direct = direct.assign(area=direct["issue_area"].replace("", "(no issue area)"))
    areas = [
        a
        for a in area_order + sorted(set(direct["area"]) - set(area_order))
        if (direct["area"] == a).any()
    ]
    n_items = len(item_rows) + len(direct)
    narrow = width < 5
    legend_names = [
        "what the proposition can say (floor to cap)",
        "proposition: all its evidence",
        "item, given its proposition's other items",
        "item alone",
        "against the target",
    ]
    leg_h = (
        legend_plan(legend_names, width, 6, max_cols=1 if narrow else 3)[2]
        if v["legend"] is not None
        else 0
    )
    k, _ = plan_rows(len(prop_rows) * 2 + n_items + len(areas), top, 1.0 + leg_h, 0.17)
    if k < len(prop_rows) * 2 + n_items + len(
        areas
    ):  # keep the strongest items (every proposition stays)
        k_items = max(0, k - len(prop_rows) * 2 - len(areas))
        strength = pd.concat([item_rows["decibans"], direct["decibans"]]).abs()
        kept = set(strength.sort_values(ascending=False, kind="stable").index[:k_items])
        item_rows = item_rows[item_rows.index.isin(kept)]
        direct = direct[direct.index.isin(kept)]
        areas = [a for a in areas if (direct["area"] == a).any()]
    n_title = 80

    def heading(
        text: str,
    ) -> str:  # a bold heading wraps onto two lines of the label column (then an ellipsis)
        return "\n".join(wrap_lines(text, LABEL_SHARE * width, TICK_SIZE, 2, bold=True))

    prop_heads = {
        pid: heading(
            shorten((labels or {}).get(pid) or str(pr["title"]), n_title)
            + ("" if pr["parent"] == "hypotheses" else f" (on {pr['parent']})")
        )
        for pid, pr in prop_rows.iterrows()
    }
    area_heads = {a: heading("Direct: " + shorten(area_title.get(a, a), n_title)) for a in areas}
    extra = 0.6 * sum(
        h.count("\n") for h in [*prop_heads.values(), *area_heads.values()]
    )  # rows the 2nd lines take
    n = len(prop_rows) * 2 + len(item_rows) + len(direct) + len(areas) + extra
    vals = np.concatenate(
        [pw["decibans"], pw["alone_db"], pw["cap_db"], pw["floor_db"], direct["decibans"]]
    )
    finite = vals[np.isfinite(vals)]
    lim = max(1.0, float(np.abs(finite).max()) if finite.size else 1.0) * 1.25
    owned = ax is None
    with style():
        fig, ax = new_axes(ax, width, 1.0 + leg_h + 0.17 * n)
        y, ticks, names, heads = 0.0, [], [], []
        for pid, pr in prop_rows.iterrows():
            head = prop_heads[pid]
            y -= 0.3 * head.count(
                "\n"
            )  # a two-line heading sits half a row lower and takes more room
            share = pr["share_of_cap"]
            uncapped = bool(np.isnan(float(pr["cap_db"])) or np.isnan(float(pr["floor_db"])))
            bound = (
                "no cap of its own: a fact below it has other parents"
                if uncapped
                else f"cap {_db_text(pr['cap_db'])} dB"
                if pr["decibans"] >= 0
                else f"floor {_db_text(pr['floor_db'])} dB"
            )
            used = f", {abs(share):.0%} used" if np.isfinite(share) else ""
            ticks.append(y)
            names.append(head)
            heads.append(len(names) - 1)
            if v["headings"] is not None:
                ax.text(
                    lim,
                    y,
                    f"{bound}{used}",
                    **(
                        {"fontsize": 6, "va": "center", "ha": "right"}
                        | {
                            kk: vv
                            for kk, vv in v["headings"].items()
                            if kk not in ("fontsize", "fontweight")
                        }
                    ),
                )
            y -= 1 + 0.3 * head.count("\n")
            sub = item_rows[item_rows["proposition"] == pid].sort_values(
                "decibans", ascending=False
            )
            y_top, bottom = y + 0.45, y - len(sub) - 0.45
            lo, hi = float(pr["floor_db"]), float(pr["cap_db"])
            lo_c = float(np.clip(lo, -lim, lim)) if np.isfinite(lo) else -lim
            hi_c = float(np.clip(hi, -lim, lim)) if np.isfinite(hi) else lim
            if v["band"] is not None and not uncapped:
                ax.fill_betweenx([bottom, y_top], lo_c, hi_c, **v["band"])
                for xv in (lo_c, hi_c):
                    ax.plot(
                        [xv, xv],
                        [bottom, y_top],
                        color="black",
                        linewidth=0.8,
                        linestyle=(0, (2, 1.5)),
                        marker="none",
                        zorder=2,
                    )
            _bar(ax, y, float(pr["decibans"]), lim, strong=True)
            ticks.append(y)
            k = int(pr["items"])
            names.append(f"{pid}: all {k} item{'s' if k != 1 else ''}")
            y -= 1
            for e, r in sub.iterrows():
                _bar(ax, y, float(r["decibans"]), lim, height=0.5, alone=float(r["alone_db"]))
                ticks.append(y)
                names.append(str(r["title"]) if use_titles else str(e))
                y -= 1
            y -= 0.3
        for area in areas:
            sub = direct[direct["area"] == area].sort_values("decibans", ascending=False)
            head = area_heads[area]
            y -= 0.3 * head.count("\n")
            ticks.append(y)
            names.append(head)
            heads.append(len(names) - 1)
            y -= 1 + 0.3 * head.count("\n")
            for e, r in sub.iterrows():
                _bar(ax, y, float(r["decibans"]), lim, height=0.62)
                ticks.append(y)
                names.append(str(r["title"]) if use_titles else str(e))
                y -= 1
        if v["ref_line"] is not None:
            ax.axvline(0, **({"zorder": 2} | v["ref_line"]))
        ax.set_yticks(
            ticks,
            [
                nm if i in heads else fit_labels([nm], LABEL_SHARE * width, lines=1)[0]
                for i, nm in enumerate(names)
            ],
        )  # headings are wrapped already
        for i in heads:
            ax.get_yticklabels()[i].set_fontweight("bold")
        ax.set_ylim(y + 0.4, 0.8)
        ax.set_xlim(-lim, lim)
        if narrow:
            ax.set_xlabel(
                f"Decibans for {shorten(label_for(labels, tgt), 24)}\n"
                "against the (prior-weighted) rest"
            )
        else:
            row_xlabel(
                ax,
                f"Weight of evidence for {label_for(labels, tgt)} against the rest\n"
                "(decibans; rest weighted by the prior)",
                width,
            )
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0)
        handles = [
            Patch(
                facecolor="0.88",
                edgecolor="none",
                label="what the proposition can say (floor to cap)",
            ),
            Patch(facecolor="0.05", edgecolor="black", label="proposition: all its evidence"),
            Patch(
                facecolor="0.35",
                edgecolor="black",
                label="item, given its proposition's other items",
            ),
            Line2D(
                [],
                [],
                marker="o",
                markerfacecolor="white",
                markeredgecolor="black",
                linestyle="none",
                markersize=3.5,
                label="item alone",
            ),
            Patch(facecolor="white", edgecolor="black", hatch="////", label="against the target"),
        ]
        add_legend(
            ax,
            owned,
            v["legend"],
            handles=handles,
            names=[str(h.get_label()) for h in handles],
            max_cols=1 if narrow else 3,
            fontsize=6,
            handlelength=1.6,
            columnspacing=1.0,
        )
        omitted_note(ax, len(item_rows) + len(direct), n_items, "items", v["omitted"])
    return fig, ax


def plot_timeline(
    case: Case,
    item: str | None = None,
    *,
    lens: str | None = None,
    labels: dict[str, str] | None = None,
    ax: Axes | None = None,
    width: str | float = "auto",
    top: int | None = None,
    visuals: dict[str, Any] | None = None,
) -> tuple[Figure, Axes]:
    """A timeline item: the coded observations and each hypothesis's predicted trend.

    Each hypothesis predicts y = a + b (t - origin) with Normal priors on a
    and b; the line is the prior mean and the band the central
    :data:`~motives.report.INTERVAL_MASS` interval of the trend line (without
    the observation noise sigma, which the caption states), both computed by
    :func:`motives.exact.trend_bands`.

    Parameters
    ----------
    case
        A case with at least one timeline item.
    item
        The timeline item's id (default: the first).
    lens
        Whose trends to draw (default: the case's default lens).
    labels
        Id -> display label of the hypotheses; long labels wrap in the legend.
    ax
        Axes to draw on (default: a new figure, its legend above the axes).
    width
        ``"one"`` (3.5 in), ``"two"`` (7.2 in), inches, or ``"auto"`` (two columns).
    top
        At most this many trend lines (default 8, the distinct line styles), in
        the case's order; hypotheses with identical trends share a line. The
        figure says how many are left out.
    visuals
        Element -> ``False`` or a dict of keyword arguments: ``band`` (the
        interval of each trend), ``observed`` (the coded observations),
        ``legend``, ``omitted``.

    Returns
    -------
    (Figure, Axes)

    Examples
    --------
    A case with one timeline item: codes 0-2 observed in 2000, 2005 and 2010;
    one hypothesis predicts a rising trend, the other a flat one.

    >>> import matplotlib.pyplot as plt
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
    ...                 "title": "Statements on the dispute",
    ...                 "origin": 2000,
    ...                 "sigma": 0.8,
    ...                 "scale": {0: "none", 1: "mild", 2: "strong"},
    ...                 "observations": [
    ...                     {"date": "2000", "code": 0},
    ...                     {"date": "2005", "code": 1},
    ...                     {"date": "2010", "code": 2},
    ...                 ],
    ...                 "trends": {"default": {"values": trend}},
    ...             }
    ...         ],
    ...     }
    ... )
    >>> fig, ax = plot_timeline(case, "rhetoric")
    >>> float(fig.get_figwidth()), ax.get_title()
    (7.2, 'Statements on the dispute')
    >>> [t.get_text() for t in ax.get_yticklabels()]  # the coding scale
    ['0 none', '1 mild', '2 strong']
    >>> ax.get_legend_handles_labels()[1]
    ['rising', 'flat', 'Observed (coded)']
    >>> ax.get_xlabel()
    'Year (bands: 90% interval of each predicted trend; noise sd 0.8)'
    >>> plt.close(fig)
    """
    from motives.exact import trend_bands

    bands = trend_bands(
        case, item, lens, mass=INTERVAL_MASS
    )  # the exact layer computes; this draws
    it: Any = case.item(bands.attrs["item"])  # a timeline item (trend_bands refuses other kinds)
    t_obs = np.array([o.date.decimal_year for o in it.observations])
    y_obs = np.array([o.code for o in it.observations])
    labs = {h.id: h.name for h in case.hypotheses} | (labels or {})
    v = visuals_of(
        visuals,
        {
            "band": {"alpha": 0.10, "linewidth": 0},
            "observed": {
                "linestyle": "",
                "marker": "o",
                "markerfacecolor": "white",
                "markeredgecolor": "black",
                "markersize": 5,
                "zorder": 5,
            },
            "legend": {},
            "omitted": {},
        },
    )
    check_top(top)
    groups = list(
        bands.groupby(level="trend", sort=True)
    )  # parent values with identical trends share one line
    n_all = len(groups)
    shown = groups[: MAX_LINES if top is None else top]
    W = width_of(auto_width(width, [], natural="two") if ax is None else axes_width(ax))
    names = [", ".join(label_for(labs, h) for h in b["ids"].iloc[0].split(",")) for _, b in shown]
    names.append("Observed (coded)")
    _, _, leg_h = legend_plan(names, W, max_cols=2) if v["legend"] is not None else ([], 1, 0)
    with style():
        fig, ax_ = new_axes(ax, W, 2.6 + leg_h)
        for n, (k, b) in enumerate(shown):
            st = style_of(int(k))
            grid = b["year"].to_numpy()
            if v["band"] is not None:
                ax_.fill_between(
                    grid,
                    b["lower"].to_numpy(),
                    b["upper"].to_numpy(),
                    **({"color": st["color"]} | v["band"]),
                )
            ax_.plot(
                grid,
                b["mean"].to_numpy(),
                color=st["color"],
                linestyle=st["linestyle"],
                marker=st["marker"],
                markevery=[-1],
                label=names[n],
            )
        if v["observed"] is not None:
            ax_.plot(t_obs, y_obs, **({"label": "Observed (coded)"} | v["observed"]))
        if it.scale:
            ax_.set_yticks(
                sorted(it.scale), [_wrap(f"{c} {it.scale[c]}", 24, 2) for c in sorted(it.scale)]
            )
        ax_.set_xlabel(
            wrap_text(
                f"Year (bands: {INTERVAL_MASS:.0%} interval of each predicted trend; "
                f"noise sd {it.sigma:g})",
                0.8 * W,
            )
        )
        ax_.set_ylabel("Code")
        ax_.set_title(wrap_text(it.title, 0.6 * W, 8, 2))
        add_legend(ax_, ax is None, v["legend"], max_cols=2)
        omitted_note(ax_, len(shown), n_all, "trend lines", v["omitted"])
    return fig, ax_


__all__ = ["TWO_COLUMN", "plot_ledger", "plot_timeline"]


def _wrap(text: str, width: int, lines: int) -> str:
    """Wrap a tick label onto at most ``lines`` lines of ``width`` chars (an ellipsis if cut)."""
    import textwrap

    parts = textwrap.wrap(text, width)
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = shorten(parts[-1] + " \u2026", width)
    return "\n".join(parts)
