"""The structure diagram: hypotheses -> propositions -> items, laid out from left to right.

The hypotheses are one node (in a Bayesian network they are one variable
whose states are the hypotheses); each proposition is a box with its states
and its *cap* under the lens; items are listed, one per line, in a column on
the right, grouped under the proposition they bear on. Every edge is an
elbow off a vertical trunk, so nothing crosses. The layout is computed here
(no graph-layout dependency), in inches, so text sizes are exact at the
journal widths.

A network (a root fact, a fact or an item with several parents) is laid out in
layers instead: each fact in the column of its longest path from the
hypotheses, a root fact one column before its first child, an arrow from each
parent; root facts and observed facts are marked in their boxes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from motives.plots._style import (
    MAX_HEIGHT,
    ONE_COLUMN,
    TWO_COLUMN,
    label_for,
    style,
    visuals_of,
    width_of,
)
from motives.plots._style import text_width as _width_in
from motives.plots._style import wrap_lines as _wrap
from motives.schema import Case
from motives.schema.structure import HYPOTHESES

#: The hypotheses box lists at most this many hypotheses (then "... and N more").
MAX_HYP_LINES = 30
#: Above this edge cap (decibans) edges are drawn at full width.
CAP_FULL_WIDTH_DB = 20.0


def proposition_cap_db(case: Case, prop_id: str, lens: str | None = None) -> float:
    """The proposition's cap in decibans, for the edge widths.

    See :meth:`motives.Case.proposition_cap_db`.

    Examples
    --------
    >>> import motives as mv
    >>> round(
    ...     proposition_cap_db(mv.examples.load("burglary"), "at_scene"), 2
    ... )  # 10 log10(0.8 / 0.1)
    9.03
    """
    return case.proposition_cap_db(prop_id, lens)


def _prob(p: float, digits: int) -> str:
    """A probability in ``digits`` significant digits that never rounds a judgement to 0 or 1.

    Examples
    --------
    >>> _prob(0.5, 2), _prob(0.9999, 3), _prob(0.00004, 2), _prob(1.0, 3)
    ('0.5', '1 − 0.0001', '4e-05', '1')
    """
    text = f"{p:.{digits}g}"
    if 0 < p < 1 and float(text) in (0.0, 1.0):
        return (
            f"1 \u2212 {1 - p:.{max(digits - 2, 1)}g}" if p > 0.5 else f"{p:.{max(digits - 2, 1)}g}"
        )
    return text


def _canvas(ax: Axes | None, width: float, height: float) -> tuple[Figure, Axes]:
    """A figure of ``width`` x ``height`` inches whose one axes spans it in inches, y downwards.

    Or ``ax``'s figure, resized.
    """
    if ax is None:
        fig = Figure(figsize=(width, height))
        ax = fig.add_axes((0, 0, 1, 1))
    else:
        fig = ax.figure  # type: ignore[assignment]
        ax.clear()
        fig.set_size_inches(width, height)
        ax.set_position((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_axis_off()
    return fig, ax


def _plain(text: str) -> str:
    """User text safe from mathtext (a literal dollar sign)."""
    return str(text).replace("$", r"\$")


@dataclass
class _Node:
    """One laid-out box (hypotheses or a proposition)."""

    id: str
    x: float
    w: float
    lines: list[tuple[str, float, bool]]  # (text, fontsize, bold)
    h: float
    y: float = 0.0  # centre
    children: list[tuple[str, float]] = field(
        default_factory=list
    )  # ("prop:<id>" | "item:<id>", y)


def _text_h(size: float) -> float:
    return size * 1.22 / 72


# C901: tree layout of the structure diagram; to split into layout and drawing
def plot_structure(  # noqa: C901
    case: Case,
    lens: str | None = None,
    *,
    width: str | float = "auto",
    labels: dict[str, str] | None = None,
    item_labels: str = "title",
    ax: Axes | None = None,
    visuals: dict[str, Any] | None = None,
) -> tuple[Figure, Axes]:
    r"""The case's structure: hypotheses -> propositions -> items.

    The figure gives each proposition's cap under a lens.

    Parameters
    ----------
    case
        Any case (a flat case shows every item bearing on the hypotheses).
    lens
        Whose tables give the caps (default the case's default lens).
    width
        ``"one"`` (3.5 in), ``"two"`` (7.2 in), inches, or ``"auto"``: one
        column for at most two propositions and twelve items, else two.
    labels
        Id -> display label for hypotheses (default their labels).
    item_labels
        ``"title"`` (wrapped, shortened) or ``"id"``.
    ax
        Ignored unless given: the diagram needs its own figure size, so an
        axes is cleared and drawn on in inch coordinates of its figure.
    visuals
        Element -> ``False`` or a dict of keyword arguments: ``item_edges``
        (the grey lines to the items), ``direct_note`` (the note over items
        that bear on the hypotheses directly).

    Returns
    -------
    (Figure, Axes)
        At most a page (9 in) tall: a taller diagram lists each item on one line, then shows the
        first items of each group and counts the rest ("... and 12 more items"). Each proposition
        box gives its title, states and cap: the most it can move the odds between two values of its
        parent, in decibans (:func:`proposition_cap_db`); the edge into it is wider the larger the
        cap and dashed when the cap is 0 (a non-diagnostic proposition).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import motives as mv
    >>> fig, ax = plot_structure(mv.examples.load("burglary"))
    >>> float(fig.get_figwidth())  # a small case: one column
    3.5
    >>> texts = [t.get_text() for t in ax.texts]
    >>> texts[0], texts[-1]  # the hypotheses node first, the last item last
    ('Hypotheses', 'The suspect was in debt')
    >>> [
    ...     t for t in texts if t.startswith(("states", "cap"))
    ... ]  # at_scene's cap: 10 log10 (0.8 / 0.1)
    ['states: yes | no', 'cap 9.0 dB', 'states: yes | no', 'cap 5.4 dB']
    >>> plt.close(fig)

    A flat case is one hypotheses node and its items:

    >>> fig, ax = plot_structure(mv.examples.load("cookies"))
    >>> [t.get_text().replace("\xa0", " ") for t in ax.texts]  # labels wrap to the column
    ['Hypotheses', 'bowl1', '(prior 0.5)', 'bowl2', '(prior 0.5)', 'A vanilla cookie was drawn']
    >>> plt.close(fig)
    """
    vis = visuals_of(
        visuals,
        {
            "item_edges": {"color": "0.6", "linewidth": 0.4, "linestyle": "-"},
            "direct_note": {
                "fontsize": 5.5,
                "style": "italic",
                "color": "0.25",
                "va": "bottom",
                "ha": "left",
            },
        },
    )
    lens = case.resolve_lens(lens)
    if is_network(case):
        return _plot_network(
            case, lens, width=width, labels=labels, item_labels=item_labels, ax=ax, vis=vis
        )
    labs = {h.id: h.name for h in case.hypotheses} | (labels or {})
    props = {p.id: p for p in case.propositions}
    depth = {p: len(case.path_to_hypotheses(p)) + 1 for p in props}
    D = max(depth.values(), default=0)
    if width == "auto":
        width = "one" if len(props) <= 2 and len(case.evidence) <= 12 else "two"
    W = width_of(width)
    small = W < (ONE_COLUMN + TWO_COLUMN) / 2
    fs_box, fs_meta, fs_item = (6.0, 5.5, 5.5) if small else (6.5, 5.5, 6.0)
    gap = 0.16 if small else 0.22
    wH = max(0.72, (0.16 if D <= 2 else 0.13) * W)
    # proposition columns share what the item column (at least 38% of the width) leaves; deep trees
    # get narrow boxes
    longest = max(
        (_width_in(e.title if item_labels == "title" else e.id, fs_item) for e in case.evidence),
        default=0.0,
    )
    room = W - wH - min(max(longest + 0.15, 0.25 * W), 0.38 * W) - (D + 1) * gap
    wP = max(0.8 if D == 1 else 0.62, min(0.19 * W, room / D)) if D else 0.0
    if D and wP < 0.8:
        fs_box = min(fs_box, 6.0)
    xI = wH + D * (wP + gap) + gap
    wI = W - xI
    lh_item = fs_item * 1.18 / 72
    item_lines = (
        (3 if len(case.evidence) <= 12 else 2) if small else (2 if len(case.evidence) <= 24 else 1)
    )
    pad = 0.04
    tin = 0.05  # text inset in a box

    def lh(size: float) -> float:
        return size * 1.2 / 72

    def box_h(lines: list[tuple[str, float, bool]]) -> float:
        return sum(lh(sz) for _, sz, _ in lines) + 2 * pad

    Layout = tuple[dict[str, _Node], list[tuple[float, list[str]]], float, dict[str, float]]

    def layout(item_lines: int, max_items: int | None) -> Layout:  # noqa: C901 - the tree layout's boxes and rows
        """Boxes and rows for items wrapped on ``item_lines`` lines.

        At most ``max_items`` per group.
        """
        # --- boxes
        nodes: dict[str, _Node] = {}
        hl = [("Hypotheses", fs_box, True)]
        pairs = list(zip(case.hypothesis_ids, case.prior_vector(), strict=True))
        for h, prior in pairs[:MAX_HYP_LINES]:
            hl += [
                (ln, fs_box - 0.5, False)
                for ln in _wrap(
                    f"{label_for(labs, h)} (prior\u00a0{_prob(prior, 2)})",
                    wH - 2 * tin,
                    fs_box - 0.5,
                    3 if len(pairs) <= 10 else 1,
                )
            ]
        if len(pairs) > MAX_HYP_LINES:
            hl.append((f"\u2026 and {len(pairs) - MAX_HYP_LINES} more", fs_box - 0.5, False))
        nodes[HYPOTHESES] = _Node(HYPOTHESES, 0.0, wH, hl, box_h(hl))
        caps: dict[str, float] = {}
        unused = set(case.unused_propositions())
        for pid, p in props.items():
            caps[pid] = proposition_cap_db(case, pid, lens)
            fell = case.judgement(p, lens)[1]
            cap = "\u221e" if math.isinf(caps[pid]) else f"{caps[pid]:.1f}"
            head = (
                labs.get(p.id) or p.title
            )  # a proposition's short label when the caller passes one
            lines = [
                (t, fs_box, True)
                for t in _wrap(head, wP - 2 * tin, fs_box, 4 if small else 3, bold=True)
            ]
            lines += [
                (t, fs_meta, False)
                for t in _wrap("states: " + " | ".join(p.states), wP - 2 * tin, fs_meta, 2)
            ]
            lines += [
                (t, fs_meta, False)
                for t in _wrap(
                    f"cap {cap} dB" + (" (default lens)" if fell else ""), wP - 2 * tin, fs_meta, 2
                )
            ]
            if pid in unused:
                lines.append(("no item bears on it", fs_meta, False))
            nodes[pid] = _Node(
                pid, wH + gap + (depth[pid] - 1) * (wP + gap), wP, lines, box_h(lines)
            )

        def item_text(e: object) -> list[str]:
            base = e.title if item_labels == "title" else e.id  # type: ignore[attr-defined]
            extra = "" if e.kind == "likelihood" else f" [{e.kind}]"  # type: ignore[attr-defined]
            if e.reported_by:  # type: ignore[attr-defined]
                extra += f" [source: {e.reported_by}]"  # type: ignore[attr-defined]
            return _wrap(base + extra, wI - 0.08, fs_item, item_lines)

        # --- vertical layout: y downward, inches; each subtree a contiguous band
        item_rows: list[tuple[float, list[str]]] = []  # (centre y, lines)
        y = 0.04
        group_gap = 0.08 if small else 0.1

        def subtree(pid: str) -> list[_Node]:
            return [
                nodes[pid],
                *(nodes[q] for q in props if q != pid and pid in case.path_to_hypotheses(q)),
            ]

        def place(parent: str) -> None:
            nonlocal y
            node = nodes[parent]
            top = y
            child_props, child_items = case.children(parent)
            if parent == HYPOTHESES:
                child_props = [
                    p for p in case.proposition_order() if props[p].bears_on == HYPOTHESES
                ]
            hidden = 0 if max_items is None else max(0, len(child_items) - max_items)
            if hidden:
                child_items = child_items[:max_items]
            blocks: list[tuple[str, str]] = [("item", i) for i in child_items] + [
                ("prop", p) for p in child_props
            ]
            if (
                parent == HYPOTHESES
            ):  # the propositions first, then the items that bear on the hypotheses directly
                blocks = [b for b in blocks if b[0] == "prop"] + [
                    b for b in blocks if b[0] == "item"
                ]
            prev = None
            for kind, cid in blocks:
                if prev is not None and (kind == "prop" or prev == "prop"):
                    y += group_gap
                prev = kind
                if kind == "item":
                    lines = item_text(case.item(cid))
                    hgt = len(lines) * lh_item + 0.015
                    item_rows.append((y + hgt / 2, lines))
                    node.children.append((f"item:{cid}", y + hgt / 2))
                    y += hgt
                else:
                    t0 = y
                    place(cid)
                    nodes[cid].y = (t0 + y) / 2
                    node.children.append((f"prop:{cid}", nodes[cid].y))
            if hidden:  # the group's remaining items, counted
                hgt = lh_item + 0.015
                item_rows.append(
                    (y + hgt / 2, [f"\u2026 and {hidden} more item{'s' if hidden != 1 else ''}"])
                )
                node.children.append(("item:", y + hgt / 2))
                y += hgt
            if (
                parent != HYPOTHESES and y - top < node.h
            ):  # the box needs more room than its subtree
                shift = (node.h - (y - top)) / 2
                item_rows[:] = [(yc + shift if yc >= top else yc, ln) for yc, ln in item_rows]
                for n in subtree(parent):
                    n.y += shift
                    n.children = [(c, yc + shift) for c, yc in n.children]
                y = top + node.h

        place(HYPOTHESES)
        hn = nodes[HYPOTHESES]
        total = max(y, hn.h + 0.08) + 0.04
        ys = [yc for _, yc in hn.children] or [total / 2]
        hn.y = min(max((min(ys) + max(ys)) / 2, hn.h / 2 + 0.02), total - hn.h / 2 - 0.02)
        return nodes, item_rows, total, caps

    nodes, item_rows, total, caps = layout(item_lines, None)
    if total > MAX_HEIGHT:  # taller than a page: one line per item, then fewer items per group
        nodes, item_rows, total, caps = layout(1, None)
        most = max((len(case.children(p)[1]) for p in [HYPOTHESES, *props]), default=0)
        while total > MAX_HEIGHT and most > 1:
            most = max(1, most * 2 // 3)
            nodes, item_rows, total, caps = layout(1, most)
    hn = nodes[HYPOTHESES]

    line: dict[str, Any] = {"marker": "", "solid_capstyle": "butt", "zorder": 1}
    with style():
        fig, ax = _canvas(ax, W, total)
        for nid, n in nodes.items():
            is_h = nid == HYPOTHESES
            ax.add_patch(
                FancyBboxPatch(
                    (n.x + 0.01, n.y - n.h / 2),
                    n.w - 0.02,
                    n.h,
                    boxstyle="round,pad=0,rounding_size=0.04",
                    facecolor="0.88" if is_h else "white",
                    edgecolor="black",
                    linewidth=0.8 if is_h else 0.6,
                    zorder=2,
                )
            )
            ty = n.y - n.h / 2 + pad
            for text, size, bold in n.lines:
                ax.text(
                    n.x + tin,
                    ty + lh(size) / 2,
                    _plain(text),
                    fontsize=size,
                    va="center_baseline",
                    ha="left",
                    fontweight="bold" if bold else "normal",
                    zorder=3,
                )
                ty += lh(size)
        for n in nodes.values():  # edges: an elbow off a trunk to the right of each box
            if not n.children:
                continue
            xt = n.x + n.w + gap / 2
            ys = [yc for _, yc in n.children]
            ax.plot(
                [n.x + n.w - 0.01, xt],
                [n.y, n.y],
                color="black",
                linewidth=0.6,
                linestyle="-",
                **line,
            )
            ax.plot(
                [xt, xt],
                [min(*ys, n.y), max(*ys, n.y)],
                color="black",
                linewidth=0.6,
                linestyle="-",
                **line,
            )
            for c, yc in n.children:
                kind, cid = c.split(":", 1)
                if kind == "prop":
                    cap = caps[cid]
                    lw = 0.6 + 2.0 * min(cap, CAP_FULL_WIDTH_DB) / CAP_FULL_WIDTH_DB
                    ax.plot(
                        [xt, nodes[cid].x + 0.01],
                        [yc, yc],
                        color="black",
                        linewidth=lw,
                        linestyle=(0, (2, 1.5)) if cap <= 1e-9 else "-",
                        **line,
                    )
                elif vis["item_edges"] is not None:
                    ax.plot([xt, xI - 0.03], [yc, yc], **(line | vis["item_edges"]))
        direct = [yc for c, yc in hn.children if c.startswith("item:")]
        if direct and props and vis["direct_note"] is not None:
            ax.text(
                wH + gap,
                min(direct) - lh_item * 0.6,
                "bear on the hypotheses directly:",
                **({"fontsize": fs_meta} | vis["direct_note"]),
            )
        for yc, row_lines in item_rows:
            top = yc - len(row_lines) * lh_item / 2
            for k, ln in enumerate(row_lines):
                ax.text(
                    xI,
                    top + (k + 0.5) * lh_item,
                    _plain(ln),
                    fontsize=fs_item,
                    va="center_baseline",
                    ha="left",
                )
    return fig, ax


def is_network(case: Case) -> bool:
    """True when the case is not a tree: a root fact, or a fact or an item with several parents.

    Examples
    --------
    >>> import motives as mv
    >>> is_network(mv.examples.load("burglary"))
    False
    """
    return any(len(p.parents) != 1 for p in case.propositions) or any(
        len(e.parents) > 1 for e in case.evidence
    )


def _layers(case: Case) -> dict[str, int]:
    """Column of each node: the hypotheses 0, a fact its longest path from the hypotheses.

    The path runs through facts that are not roots; a root fact sits one column before its first
    child fact (column 0 when it has none).
    """
    props = {p.id: p for p in case.propositions}
    roots = {p.id for p in case.propositions if not p.parents}
    layer: dict[str, int] = {HYPOTHESES: 0}
    for pid in case.proposition_order():
        if pid not in roots:
            layer[pid] = 1 + max(
                (layer[b] for b in props[pid].parents if b not in roots), default=0
            )
    for r in roots:
        kids = [layer[q] for q in props if r in props[q].parents]
        layer[r] = max(0, min(kids) - 1) if kids else 0
    return layer


def _home(case: Case, item: Any, layer: dict[str, int]) -> str:
    """The parent an item is listed under.

    Its deepest parent (the last listed among the deepest).
    """
    best = max(layer[b] for b in item.parents)
    return [b for b in item.parents if layer[b] == best][-1]


# C901: layered network drawing; to split into layout and drawing
def _plot_network(  # noqa: C901
    case: Case,
    lens: str,
    *,
    width: str | float,
    labels: dict[str, str] | None,
    item_labels: str,
    ax: Axes | None,
    vis: dict[str, Any],
) -> tuple[Figure, Axes]:  # noqa: C901 - one layout
    """:func:`plot_structure` of a network.

    Facts in layers, an arrow from each parent, items in the last column.
    """
    from matplotlib.patches import FancyArrowPatch

    labs = {h.id: h.name for h in case.hypotheses} | (labels or {})
    props = {p.id: p for p in case.propositions}
    layer = _layers(case)
    D = max(layer.values())
    if width == "auto":
        width = "one" if len(props) <= 2 and len(case.evidence) <= 12 else "two"
    W = width_of(width)
    small = W < (ONE_COLUMN + TWO_COLUMN) / 2
    fs_box, fs_meta, fs_item = (6.0, 5.5, 5.5) if small else (6.0, 5.0, 5.5)
    gap = 0.2 if small else 0.26
    longest = max(
        (_width_in(e.title if item_labels == "title" else e.id, fs_item) for e in case.evidence),
        default=0.0,
    )
    col0 = max(0.72, 0.14 * W)
    wI = min(max(longest + 0.15, 0.25 * W), 0.34 * W)
    wP = max(0.62, min(0.3 * W, (W - col0 - wI - (D + 1) * gap) / D)) if D else 0.0
    xcol = [0.0] + [col0 + gap + (k - 1) * (wP + gap) for k in range(1, D + 1)]
    xI = col0 + D * (wP + gap) + gap
    wI = W - xI
    pad, tin = 0.04, 0.05
    lh_item = fs_item * 1.18 / 72

    def lh(size: float) -> float:
        return size * 1.2 / 72

    caps = {pid: proposition_cap_db(case, pid, lens) for pid in props}
    unused = set(case.unused_propositions())
    nodes: dict[str, _Node] = {}
    hl = [("Hypotheses", fs_box, True)]
    pairs = list(zip(case.hypothesis_ids, case.prior_vector(), strict=True))
    for h, pr in pairs[:MAX_HYP_LINES]:
        if (
            len(pairs) <= 10
        ):  # the label on up to two lines, the prior on its own: a long label never hides it
            hl += [
                (ln, fs_box - 0.5, False)
                for ln in _wrap(label_for(labs, h), col0 - 2 * tin, fs_box - 0.5, 2)
            ]
            hl.append((f"prior\u00a0{_prob(pr, 3)}", fs_box - 1.0, False))
        else:
            hl += [
                (ln, fs_box - 0.5, False)
                for ln in _wrap(
                    f"{label_for(labs, h)} (prior\u00a0{_prob(pr, 3)})",
                    col0 - 2 * tin,
                    fs_box - 0.5,
                    1,
                )
            ]
    if len(pairs) > MAX_HYP_LINES:
        hl.append((f"\u2026 and {len(pairs) - MAX_HYP_LINES} more", fs_box - 0.5, False))
    nodes[HYPOTHESES] = _Node(HYPOTHESES, 0.0, col0, hl, sum(lh(z) for _, z, _ in hl) + 2 * pad)
    for pid, p in props.items():
        w = col0 if layer[pid] == 0 else wP
        fell = case.judgement(p, lens)[1]
        head = labs.get(pid) or p.title
        lines = [(t, fs_box, True) for t in _wrap(head, w - 2 * tin, fs_box, 3, bold=True)]
        if not p.parents:
            row = case.proposition_table(pid, lens).iloc[0]
            lines += [
                (t, fs_meta, True)
                for t in _wrap("root fact (no parent)", w - 2 * tin, fs_meta, 2, bold=True)
            ]
            lines += [
                (t, fs_meta, False)
                for t in _wrap(
                    "prior: " + " | ".join(f"{s} {_prob(float(row[s]), 3)}" for s in p.states),
                    w - 2 * tin,
                    fs_meta,
                    3,
                )
            ]
        else:
            lines += [
                (t, fs_meta, False)
                for t in _wrap("states: " + " | ".join(p.states), w - 2 * tin, fs_meta, 2)
            ]
            cap = "\u221e" if math.isinf(caps[pid]) else f"{caps[pid]:.1f}"
            lines += [
                (t, fs_meta, False)
                for t in _wrap(
                    f"cap {cap} dB" + (" (default lens)" if fell else ""), w - 2 * tin, fs_meta, 2
                )
            ]
        if p.observed is not None:
            lines += [
                (t, fs_meta, True)
                for t in _wrap(f"observed: {p.observed}", w - 2 * tin, fs_meta, 2, bold=True)
            ]
        if pid in unused:
            lines.append(("no item bears on it", fs_meta, False))
        nodes[pid] = _Node(
            pid, xcol[layer[pid]], w, lines, sum(lh(z) for _, z, _ in lines) + 2 * pad
        )

    # --- order: each column by the mean rank of the parents (barycentres), items under their
    # deepest parent
    cols: list[list[str]] = [[HYPOTHESES] + [p for p in case.proposition_order() if layer[p] == 0]]
    rank = {HYPOTHESES: 0.0}
    for k in range(1, D + 1):
        here = [p for p in case.proposition_order() if layer[p] == k]
        key = {
            p: sum(rank.get(b, 0.0) for b in props[p].parents) / max(1, len(props[p].parents))
            for p in here
        }
        cols.append(sorted(here, key=lambda q: key[q]))
        for i, q in enumerate(cols[-1]):
            rank[q] = (i + 0.5) / len(here)
    for i, q in enumerate(cols[0]):
        rank[q] = (i + 0.5) / len(cols[0])
    homes = {e.id: _home(case, e, layer) for e in case.evidence}
    items = sorted(case.evidence, key=lambda e: (rank[homes[e.id]], -layer[homes[e.id]]))

    def item_text(e: Any) -> list[str]:
        base = e.title if item_labels == "title" else e.id
        extra = "" if e.kind == "likelihood" else f" [{e.kind}]"
        if e.reported_by:
            extra += f" [source: {e.reported_by}]"
        return _wrap(base + extra, wI - 0.06, fs_item, 2 if len(items) <= 30 else 1)

    item_y: dict[str, float] = {}
    item_rows: list[tuple[float, list[str]]] = []
    y, prev = 0.06, None
    for e in items:
        if prev is not None and homes[e.id] != prev:
            y += 0.06
        prev = homes[e.id]
        text_lines = item_text(e)
        hgt = len(text_lines) * lh_item + 0.015
        item_y[e.id] = y + hgt / 2
        item_rows.append((item_y[e.id], text_lines))
        y += hgt
    total = y + 0.06
    # --- boxes: each at the mean height of what hangs from it, right to left, then pushed apart in
    # its column
    vgap = 0.08
    for k in range(D, -1, -1):
        target: dict[str, float | None] = {}
        for nid in cols[k]:
            ys = [item_y[e.id] for e in case.evidence if nid in e.parents]
            ys += [nodes[q].y for q in props if nid in props[q].parents and layer[q] > k]
            target[nid] = sum(ys) / len(ys) if ys else None
        order = sorted(cols[k], key=lambda n: t if (t := target[n]) is not None else total / 2)
        if k == 0:  # the hypotheses on top of their column
            order = [HYPOTHESES] + [n for n in order if n != HYPOTHESES]
        yy = 0.04
        for nid in order:
            n = nodes[nid]
            t = target[nid]
            want = t if t is not None else yy + n.h / 2
            n.y = max(want, yy + n.h / 2)
            yy = n.y + n.h / 2 + vgap
        total = max(total, yy + 0.02)
        cols[k] = order
    top_fix = min(n.y - n.h / 2 for n in nodes.values())
    if top_fix < 0.02:
        shift = 0.02 - top_fix
        for n in nodes.values():
            n.y += shift
        item_rows = [(yc + shift, ln) for yc, ln in item_rows]
        item_y = {k: v + shift for k, v in item_y.items()}
        total += shift
    total = max(total, max(n.y + n.h / 2 for n in nodes.values()) + 0.04)

    with style():
        fig, ax = _canvas(ax, W, total)
        for nid, n in nodes.items():
            is_h = nid == HYPOTHESES
            prop = props.get(nid)
            observed = prop is not None and prop.observed is not None
            root = prop is not None and not prop.parents
            ax.add_patch(
                FancyBboxPatch(
                    (n.x + 0.01, n.y - n.h / 2),
                    n.w - 0.02,
                    n.h,
                    boxstyle="round,pad=0,rounding_size=0.04",
                    facecolor="0.88" if is_h else ("0.94" if observed else "white"),
                    edgecolor="black",
                    linewidth=1.4 if observed else (0.8 if is_h else 0.6),
                    linestyle=(0, (3, 1.5)) if root else "-",
                    zorder=2,
                )
            )
            ty = n.y - n.h / 2 + pad
            for text, size, bold in n.lines:
                ax.text(
                    n.x + tin,
                    ty + lh(size) / 2,
                    _plain(text),
                    fontsize=size,
                    va="center_baseline",
                    ha="left",
                    fontweight="bold" if bold else "normal",
                    zorder=3,
                )
                ty += lh(size)

        def arrow(
            x0: float, y0: float, x1: float, y1: float, skips: bool = False, **kw: Any
        ) -> None:
            # straight; one that skips a column is drawn over the boxes in between (half
            # transparent), so it is not read as starting from a box it only passes behind
            ax.add_patch(
                FancyArrowPatch(
                    (x0, y0),
                    (x1, y1),
                    arrowstyle="-|>",
                    shrinkA=0,
                    shrinkB=0,
                    zorder=4 if skips else 1,
                    alpha=0.55 if skips else 1.0,
                    mutation_scale=4 + 2.5 * kw.get("linewidth", 0.5),
                    **kw,
                )
            )

        for pid, prop in props.items():  # an arrow from each parent, wider the larger the cap
            cap_db = caps[pid]
            lw = 0.5 + 1.5 * min(cap_db, CAP_FULL_WIDTH_DB) / CAP_FULL_WIDTH_DB
            for b in prop.parents:
                a, c = nodes[b], nodes[pid]
                arrow(
                    a.x + a.w - 0.01,
                    a.y,
                    c.x + 0.01,
                    c.y,
                    layer[pid] - layer[b] > 1,
                    color="black",
                    linewidth=lw,
                    linestyle=(0, (2, 1.5)) if cap_db <= 1e-9 else "-",
                )
        if vis["item_edges"] is not None:
            ie = dict(vis["item_edges"])
            for e in case.evidence:  # an arrow from each parent of an item
                for b in e.parents:
                    a = nodes[b]
                    arrow(
                        a.x + a.w - 0.01,
                        a.y,
                        xI - 0.03,
                        item_y[e.id],
                        layer[b] < D,
                        **(
                            {
                                "color": ie.get("color", "0.6"),
                                "linewidth": ie.get("linewidth", 0.4),
                                "linestyle": ie.get("linestyle", "-"),
                            }
                        ),
                    )
        for yc, row_lines in item_rows:
            top = yc - len(row_lines) * lh_item / 2
            for k, ln in enumerate(row_lines):
                ax.text(
                    xI,
                    top + (k + 0.5) * lh_item,
                    _plain(ln),
                    fontsize=fs_item,
                    va="center_baseline",
                    ha="left",
                )
    return fig, ax


__all__ = ["is_network", "plot_structure", "proposition_cap_db"]
