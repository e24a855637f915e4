"""The structure diagram: hypotheses -> propositions -> items, laid out as a tree from left to right.

The hypotheses are one node (in a Bayesian network they are one variable
whose states are the hypotheses); each proposition is a box with its states
and its *cap* under the lens; items are listed, one per line, in a column on
the right, grouped under the proposition they bear on. Every edge is an
elbow off a vertical trunk, so nothing crosses. The layout is computed here
(no graph-layout dependency), in inches, so text sizes are exact at the
journal widths.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from motives.plots._style import MAX_HEIGHT, ONE_COLUMN, TWO_COLUMN, label_for, style, visuals_of, width_of
from motives.plots._style import text_width as _width_in
from motives.plots._style import wrap_lines as _wrap
from motives.schema import Case
from motives.schema.structure import HYPOTHESES

#: The hypotheses box lists at most this many hypotheses (then "... and N more").
MAX_HYP_LINES = 30
#: Above this edge cap (decibans) edges are drawn at full width.
CAP_FULL_WIDTH_DB = 20.0


def proposition_cap_db(case: Case, prop_id: str, lens: str | None = None) -> float:
    """The proposition's cap in decibans (:meth:`motives.Case.proposition_cap_db`), for the edge widths.

    Examples
    --------
    >>> import motives as mv
    >>> round(proposition_cap_db(mv.examples.load("burglary"), "at_scene"), 2)  # 10 log10(0.8 / 0.1)
    9.03
    """
    return case.proposition_cap_db(prop_id, lens)


def _plain(text: str) -> str:
    """User text safe from mathtext (a literal dollar sign)."""
    return str(text).replace("$", r"\$")


@dataclass
class _Node:
    """One laid-out box (hypotheses or a proposition)."""

    id: str
    x: float
    w: float
    lines: list[tuple[str, float, str]]  # (text, fontsize, weight/style)
    h: float
    y: float = 0.0  # centre
    children: list[tuple[str, float]] = field(default_factory=list)  # ("prop:<id>" | "item:<id>", y)


def _text_h(size: float) -> float:
    return size * 1.22 / 72


def plot_structure(case: Case, lens: str | None = None, *, width: str | float = "auto",
                   labels: dict[str, str] | None = None, item_labels: str = "title",
                   ax: Axes | None = None, visuals: dict[str, Any] | None = None) -> tuple[Figure, Axes]:
    r"""The case's structure: hypotheses -> propositions -> items, with each proposition's cap under a lens.

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
        At most a page (9 in) tall: a taller diagram lists each item on one
        line, then shows the first items of each group and counts the rest
        ("... and 12 more items"). Each proposition box gives its title, states and cap: the most it can
        move the odds between two values of its parent, in decibans
        (:func:`proposition_cap_db`); the edge into it is wider the larger the
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
    >>> [t for t in texts if t.startswith(("states", "cap"))]  # at_scene's cap: 10 log10 (0.8 / 0.1)
    ['states: yes | no', 'cap 9.0 dB', 'states: yes | no', 'cap 5.4 dB']
    >>> plt.close(fig)

    A flat case is one hypotheses node and its items:

    >>> fig, ax = plot_structure(mv.examples.load("cookies"))
    >>> [t.get_text().replace("\xa0", " ") for t in ax.texts]  # labels wrap to the column
    ['Hypotheses', 'bowl1', '(prior 0.5)', 'bowl2', '(prior 0.5)', 'A vanilla cookie was drawn']
    >>> plt.close(fig)
    """
    vis = visuals_of(visuals, {"item_edges": {"color": "0.6", "linewidth": 0.4, "linestyle": "-"},
                               "direct_note": {"fontsize": 5.5, "style": "italic", "color": "0.25", "va": "bottom",
                                               "ha": "left"}})
    lens = case.resolve_lens(lens)
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
    # proposition columns share what the item column (at least 38% of the width) leaves; deep trees get narrow boxes
    longest = max((_width_in(e.title if item_labels == "title" else e.id, fs_item) for e in case.evidence),
                  default=0.0)
    room = W - wH - min(max(longest + 0.15, 0.25 * W), 0.38 * W) - (D + 1) * gap
    wP = max(0.8 if D == 1 else 0.62, min(0.19 * W, room / D)) if D else 0.0
    if D and wP < 0.8:
        fs_box = min(fs_box, 6.0)
    xI = wH + D * (wP + gap) + gap
    wI = W - xI
    lh_item = fs_item * 1.18 / 72
    item_lines = (3 if len(case.evidence) <= 12 else 2) if small else (2 if len(case.evidence) <= 24 else 1)
    pad = 0.04
    tin = 0.05  # text inset in a box

    def lh(size: float) -> float:
        return size * 1.2 / 72

    def box_h(lines: list[tuple[str, float, bool]]) -> float:
        return sum(lh(sz) for _, sz, _ in lines) + 2 * pad

    Layout = tuple[dict[str, _Node], list[tuple[float, list[str]]], float, dict[str, float]]

    def layout(item_lines: int, max_items: int | None) -> Layout:
        """Boxes and rows for items wrapped on ``item_lines`` lines, at most ``max_items`` per group."""
        # --- boxes
        nodes: dict[str, _Node] = {}
        hl = [("Hypotheses", fs_box, True)]
        pairs = list(zip(case.hypothesis_ids, case.prior_vector(), strict=True))
        for h, p in pairs[:MAX_HYP_LINES]:
            hl += [(ln, fs_box - 0.5, False) for ln in _wrap(f"{label_for(labs, h)} (prior\u00a0{p:.2g})",
                                                             wH - 2 * tin, fs_box - 0.5, 3 if len(pairs) <= 10 else 1)]
        if len(pairs) > MAX_HYP_LINES:
            hl.append((f"\u2026 and {len(pairs) - MAX_HYP_LINES} more", fs_box - 0.5, False))
        nodes[HYPOTHESES] = _Node(HYPOTHESES, 0.0, wH, hl, box_h(hl))
        caps: dict[str, float] = {}
        unused = set(case.unused_propositions())
        for pid, p in props.items():
            caps[pid] = proposition_cap_db(case, pid, lens)
            fell = case.judgement(p, lens)[1]
            cap = "\u221e" if math.isinf(caps[pid]) else f"{caps[pid]:.1f}"
            head = labs.get(p.id) or p.title  # a proposition's short label when the caller passes one
            lines = [(t, fs_box, True) for t in _wrap(head, wP - 2 * tin, fs_box, 4 if small else 3, bold=True)]
            lines += [(t, fs_meta, False) for t in _wrap("states: " + " | ".join(p.states), wP - 2 * tin, fs_meta, 2)]
            lines += [(t, fs_meta, False) for t in _wrap(f"cap {cap} dB" + (" (default lens)" if fell else ""),
                                                        wP - 2 * tin, fs_meta, 2)]
            if pid in unused:
                lines.append(("no item bears on it", fs_meta, False))
            nodes[pid] = _Node(pid, wH + gap + (depth[pid] - 1) * (wP + gap), wP, lines, box_h(lines))

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
            return [nodes[pid], *(nodes[q] for q in props if q != pid and pid in case.path_to_hypotheses(q))]

        def place(parent: str) -> None:
            nonlocal y
            node = nodes[parent]
            top = y
            child_props, child_items = case.children(parent)
            if parent == HYPOTHESES:
                child_props = [p for p in case.proposition_order() if props[p].bears_on == HYPOTHESES]
            hidden = 0 if max_items is None else max(0, len(child_items) - max_items)
            if hidden:
                child_items = child_items[:max_items]
            blocks: list[tuple[str, str]] = [("item", i) for i in child_items] + [("prop", p) for p in child_props]
            if parent == HYPOTHESES:  # the propositions first, then the items that bear on the hypotheses directly
                blocks = [b for b in blocks if b[0] == "prop"] + [b for b in blocks if b[0] == "item"]
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
                item_rows.append((y + hgt / 2, [f"\u2026 and {hidden} more item{'s' if hidden != 1 else ''}"]))
                node.children.append(("item:", y + hgt / 2))
                y += hgt
            if parent != HYPOTHESES and y - top < node.h:  # the box needs more room than its subtree
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

    line = {"marker": "", "solid_capstyle": "butt", "zorder": 1}
    with style():
        if ax is None:
            fig = Figure(figsize=(W, total))
            ax = fig.add_axes((0, 0, 1, 1))
        else:
            fig = ax.figure  # type: ignore[assignment]
            ax.clear()
            fig.set_size_inches(W, total)
            ax.set_position((0, 0, 1, 1))
        ax.set_xlim(0, W)
        ax.set_ylim(total, 0)
        ax.set_axis_off()
        for nid, n in nodes.items():
            is_h = nid == HYPOTHESES
            ax.add_patch(FancyBboxPatch((n.x + 0.01, n.y - n.h / 2), n.w - 0.02, n.h,
                                        boxstyle="round,pad=0,rounding_size=0.04",
                                        facecolor="0.88" if is_h else "white", edgecolor="black",
                                        linewidth=0.8 if is_h else 0.6, zorder=2))
            ty = n.y - n.h / 2 + pad
            for text, size, bold in n.lines:
                ax.text(n.x + tin, ty + lh(size) / 2, _plain(text), fontsize=size, va="center_baseline",
                        ha="left", fontweight="bold" if bold else "normal", zorder=3)
                ty += lh(size)
        for n in nodes.values():  # edges: an elbow off a trunk to the right of each box
            if not n.children:
                continue
            xt = n.x + n.w + gap / 2
            ys = [yc for _, yc in n.children]
            ax.plot([n.x + n.w - 0.01, xt], [n.y, n.y], color="black", linewidth=0.6, linestyle="-", **line)
            ax.plot([xt, xt], [min(*ys, n.y), max(*ys, n.y)], color="black", linewidth=0.6, linestyle="-", **line)
            for c, yc in n.children:
                kind, cid = c.split(":", 1)
                if kind == "prop":
                    cap = caps[cid]
                    lw = 0.6 + 2.0 * min(cap, CAP_FULL_WIDTH_DB) / CAP_FULL_WIDTH_DB
                    ax.plot([xt, nodes[cid].x + 0.01], [yc, yc], color="black", linewidth=lw,
                            linestyle=(0, (2, 1.5)) if cap <= 1e-9 else "-", **line)
                elif vis["item_edges"] is not None:
                    ax.plot([xt, xI - 0.03], [yc, yc], **(line | vis["item_edges"]))
        direct = [yc for c, yc in hn.children if c.startswith("item:")]
        if direct and props and vis["direct_note"] is not None:
            ax.text(wH + gap, min(direct) - lh_item * 0.6, "bear on the hypotheses directly:",
                    **({"fontsize": fs_meta} | vis["direct_note"]))
        for yc, lines in item_rows:
            top = yc - len(lines) * lh_item / 2
            for k, ln in enumerate(lines):
                ax.text(xI, top + (k + 0.5) * lh_item, _plain(ln), fontsize=fs_item, va="center_baseline",
                        ha="left")
    return fig, ax


__all__ = ["plot_structure", "proposition_cap_db"]
