"""One plot style: journal column widths, greyscale-safe cycles, saving."""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import matplotlib as mpl
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from motives.files import write_atomic

#: Width of one journal column and of the full page, inches.
ONE_COLUMN = 3.5
TWO_COLUMN = 7.2

#: Greys from black to light: distinguishable in greyscale print, paired with line styles and
#: markers.
GREYS = ["0.0", "0.45", "0.25", "0.6", "0.1", "0.35", "0.7", "0.5"]
LINESTYLES: list[Any] = [
    "-",
    "--",
    ":",
    "-.",
    (0, (5, 1)),
    (0, (3, 1, 1, 1, 1, 1)),
    (0, (1, 2)),
    (0, (8, 2, 2, 2)),
]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
HATCHES = ["", "////", "....", "xxxx", "\\\\\\\\", "++++", "oo", "--"]
FILLS = ["0.15", "white", "0.6", "white", "0.85", "white", "0.4", "white"]

RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.6,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "lines.linewidth": 1.2,
    "lines.markersize": 4,
    "hatch.linewidth": 0.5,
    "hatch.color": "black",
    "patch.linewidth": 0.6,
    "axes.grid": False,
    "figure.dpi": 100,
    "savefig.dpi": 300,
    # The saved size is the figure size (the contract: 3.5 or 7.2 in wide); constrained layout keeps
    # every label inside it. A tight bounding box would change the saved size with the labels.
    "savefig.bbox": None,
    "savefig.pad_inches": 0.02,
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    # User text (titles, labels, ids) is drawn as typed: "$5_$" must not reach mathtext, where it is
    # an error. The library's own formulas turn math back on for their Text objects (plot_sobol's
    # legend).
    "text.parse_math": False,
    "axes.prop_cycle": cycler(color=GREYS) + cycler(linestyle=LINESTYLES) + cycler(marker=MARKERS),
}


@contextmanager
def style() -> Iterator[None]:
    """Context manager applying the library's plot style (every ``plot_*`` function uses it).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> with style():
    ...     plt.rcParams["font.size"]
    8.0
    """
    with mpl.rc_context(RC), warnings.catch_warnings():  # type: ignore[arg-type]  # RC's keys: rcParams names
        warnings.filterwarnings("ignore", GLYPH_WARNING, UserWarning)
        yield


#: A character the figure font lacks (a tab, emoji or CJK in user text) is drawn as its empty box:
#: matplotlib's warning, with its source line on stderr, would tell a reader of a command's output
#: nothing.
GLYPH_WARNING = r"Glyph \d+ .* missing from font"


def width_of(width: str | float) -> float:
    """``"one"`` -> 3.5 in, ``"two"`` -> 7.2 in, or a number of inches.

    Examples
    --------
    >>> width_of("one"), width_of("two"), width_of(5)
    (3.5, 7.2, 5.0)
    >>> width_of("three")
    Traceback (most recent call last):
    ...
    ValueError: width must be 'one', 'two' or inches, got 'three'
    """
    if isinstance(width, int | float):
        return float(width)
    try:
        return {"one": ONE_COLUMN, "two": TWO_COLUMN}[width]
    except KeyError:
        raise ValueError(f"width must be 'one', 'two' or inches, got {width!r}") from None


def auto_width(width: str | float, labels: Sequence[str], natural: str = "labels") -> str | float:
    """Resolve ``width="auto"``: the figure's natural width.

    ``natural="labels"``: one column when every label fits on one line in the
    label column of a one-column figure (:data:`LABEL_SHARE` of 3.5 in), else
    two columns. ``"one"`` or ``"two"``: that width whatever the labels.
    """
    if width != "auto":
        width_of(width)  # validates
        return width
    if natural != "labels":
        return natural
    room = LABEL_SHARE * ONE_COLUMN
    return "one" if all(text_width(str(x), TICK_SIZE) <= room for x in labels) else "two"


def new_axes(ax: Axes | None, width: str | float, height: float) -> tuple[Figure, Axes]:
    """The given axes and its figure, or a new figure of the given width and height (inches).

    The height is capped at :data:`MAX_HEIGHT` (a page); callers plan their rows with
    :func:`plan_rows`.
    """
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    fig = Figure(figsize=(width_of(width), min(float(height), MAX_HEIGHT)), layout="constrained")
    return fig, fig.add_subplot()


def style_of(i: int) -> dict[str, Any]:
    """Line style number i: colour, line style and marker that survive greyscale printing.

    Examples
    --------
    >>> style_of(0)
    {'color': '0.0', 'linestyle': '-', 'marker': 'o'}
    >>> style_of(1)
    {'color': '0.45', 'linestyle': '--', 'marker': 's'}
    >>> style_of(8) == style_of(0)  # eight styles, then they repeat
    True

    The dictionary goes straight into a plot call:

    >>> import matplotlib.pyplot as plt
    >>> from matplotlib.figure import Figure
    >>> fig = Figure()
    >>> (line,) = fig.add_subplot().plot([0, 1], [0.5, 0.6], **style_of(1))
    >>> line.get_color(), line.get_linestyle(), line.get_marker()
    ('0.45', '--', 's')
    >>> plt.close(fig)
    """
    return {
        "color": GREYS[i % len(GREYS)],
        "linestyle": LINESTYLES[i % len(LINESTYLES)],
        "marker": MARKERS[i % len(MARKERS)],
    }


def bar_style(i: int) -> dict[str, Any]:
    """Bar style number i: fill and hatching.

    Examples
    --------
    >>> bar_style(0)
    {'facecolor': '0.15', 'hatch': '', 'edgecolor': 'black', 'linewidth': 0.6}
    >>> bar_style(1)["facecolor"], bar_style(1)["hatch"]  # the second series: white and hatched
    ('white', '////')

    >>> import matplotlib.pyplot as plt
    >>> from matplotlib.figure import Figure
    >>> fig = Figure()
    >>> bars = fig.add_subplot().barh([0, 1], [0.6, 0.4], **bar_style(1))
    >>> [str(b.get_hatch()) for b in bars], bars[0].get_facecolor()
    (['////', '////'], (1.0, 1.0, 1.0, 1.0))
    >>> plt.close(fig)
    """
    return {
        "facecolor": FILLS[i % len(FILLS)],
        "hatch": HATCHES[i % len(HATCHES)],
        "edgecolor": "black",
        "linewidth": 0.6,
    }


def label_for(labels: dict[str, str] | None, key: str) -> str:
    """A display label for an id."""
    return (labels or {}).get(key, key)


def save_figure(
    fig: Figure, stem: str | Path, formats: Sequence[str] = ("pdf", "png")
) -> list[Path]:
    """Write ``stem.<fmt>`` for every format; returns the paths.

    The saved size is the figure's size (no tight bounding box): what
    ``fig.get_size_inches()`` says is what the PDF's page and the PNG (at
    300 dpi) measure.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import matplotlib.pyplot as plt
    >>> import motives as mv
    >>> from motives.plots import plot_credences
    >>> fig, ax = plot_credences(mv.exact_posterior(mv.examples.load("cookies")))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = save_figure(fig, Path(tmp) / "credences")
    ...     [p.name for p in paths], paths[0].read_bytes()[:5], paths[1].read_bytes()[1:4]
    (['credences.pdf', 'credences.png'], b'%PDF-', b'PNG')
    >>> plt.close(fig)
    """
    stem = Path(stem)
    out = []
    for fmt in formats:
        p = stem.with_suffix(f".{fmt}")
        with (
            style()
        ):  # PNG: light compression (zlib level 6 took most of the time of a 300 dpi figure)
            extra: dict[str, Any] = {"pil_kwargs": {"compress_level": 1}} if fmt == "png" else {}
            # drawn in memory: the PDF backend failing a write (a full disk) raised AttributeError
            buf = io.BytesIO()
            fig.savefig(buf, format=fmt, **extra)
        out.append(write_atomic(p, buf.getvalue()))
    return out


def shorten(text: str, n: int = 38) -> str:
    """Cut long labels with an ellipsis."""
    return text if len(text) <= n else text[: n - 1] + "\u2026"


# --- the plot contract: sizes, labels, rows, legends, visuals
# -------------------------------------------------

#: The tallest figure, inches (a page less its margins); longer lists show their top rows and say
#: how many are left out.
MAX_HEIGHT = 9.0
#: Distinct (colour, line style, marker) triples: line plots draw at most this many lines by
#: default.
MAX_LINES = len(LINESTYLES)
#: Share of the figure width the row labels may take; longer labels wrap onto :data:`LABEL_LINES`
#: lines.
LABEL_SHARE = 0.4
LABEL_LINES = 2
#: Tick label size (points), as in :data:`RC`.
TICK_SIZE = 7.0

_RENDERER: list[Any] = []


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width of one line of text in inches, measured with the figure font (DejaVu Sans)."""
    return _text_width(str(text), float(size), bool(bold))


@lru_cache(maxsize=65536)
def _text_width(text: str, size: float, bold: bool) -> float:
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    if not _RENDERER:
        _RENDERER.append(RendererAgg(10, 10, 72))
    prop = FontProperties(family="DejaVu Sans", size=size, weight="bold" if bold else "normal")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", GLYPH_WARNING, UserWarning)
        w, _, _ = _RENDERER[0].get_text_width_height_descent(
            text.replace("$", r"\$"), prop, ismath=False
        )
    return float(w) / 72


def _longest_prefix(text: str, fits: Any) -> int:
    """The largest k with ``fits(text[:k])`` (0 if none), by bisection (widths grow with k)."""
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(text[:mid]):
            lo = mid
        else:
            hi = mid - 1
    return lo


def wrap_lines(text: str, width: float, size: float, lines: int, bold: bool = False) -> list[str]:
    """Greedy word wrap into lines at most ``width`` inches wide.

    At most ``lines`` lines, an ellipsis ends a cut text.
    """
    words = [
        w for w in re.split(r"[ \t\r\n]+", str(text)) if w
    ]  # a no-break space (\xa0) binds its words
    out: list[str] = []
    cur = ""
    for w in words:
        cand = f"{cur} {w}" if cur else w
        if text_width(cand, size, bold) <= width:
            cur = cand
            continue
        if cur:
            out.append(cur)
        while (
            text_width(w, size, bold) > width and len(w) > 3
        ):  # a word longer than the line: hyphenate it
            k = max(2, _longest_prefix(w[:-1], lambda t: text_width(t + "-", size, bold) <= width))
            out.append(w[:k] + "-")
            w = w[k:]
        cur = w
    out.append(cur)
    out = [_cut(ln, width, size, bold) for ln in out]
    if len(out) > lines:
        out = out[:lines]
        out[-1] = _cut(out[-1] + " \u2026", width, size, bold, force=True)
    return out


def _cut(line: str, width: float, size: float, bold: bool, force: bool = False) -> str:
    """The line, or its longest prefix that fits with an ellipsis."""
    if text_width(line, size, bold) <= width and not force:
        return line
    base = line.removesuffix(" \u2026")
    if force and text_width(base + "\u2026", size, bold) <= width:
        return base.rstrip() + "\u2026"
    base = base[: _longest_prefix(base, lambda t: text_width(t + "\u2026", size, bold) <= width)]
    return base.rstrip() + "\u2026"


def fit_labels(
    names: Sequence[str], width: float, size: float = TICK_SIZE, lines: int = LABEL_LINES
) -> list[str]:
    """Labels wrapped to ``width`` inches on at most ``lines`` lines (an ellipsis where cut)."""
    return ["\n".join(wrap_lines(str(n), width, size, lines)) for n in names]


def axes_width(ax: Axes) -> float:
    """Inches a given axes may use, labels included.

    Its share of its figure's width (a subplot's cell).
    """
    figure: Any = ax.figure  # a Figure here (a SubFigure has no width of its own)
    fig_w = float(figure.get_figwidth())
    return max(1.0, min(fig_w, ax.get_position().width * fig_w / 0.8))


def check_top(top: int | None) -> None:
    """``top`` is None or a positive whole number."""
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise ValueError(f"top must be a positive whole number or None, got {top!r}")


def check_level(level: str) -> None:
    """``level`` is ``"family"`` or ``"hypothesis"``."""
    if level not in ("family", "hypothesis"):
        raise ValueError(f"level must be 'family' or 'hypothesis', got {level!r}")


def row_height(wrapped: Sequence[str], per_row: float, size: float = TICK_SIZE) -> float:
    """Height of one row (inches): ``per_row``, or more when a wrapped label needs it."""
    n_lines = max((s.count("\n") + 1 for s in wrapped), default=1)
    return max(per_row, n_lines * size * 1.25 / 72 + 0.04)


def plan_rows(n: int, top: int | None, base: float, per_row: float) -> tuple[int, float]:
    """How many of ``n`` rows to draw and the figure height.

    At most ``top`` rows, at most a page tall.
    """
    check_top(top)
    fit = max(1, int((MAX_HEIGHT - base) // per_row))
    k = min(n, fit if top is None else min(top, fit))
    return k, min(MAX_HEIGHT, base + per_row * max(k, 1))


def omitted_note(
    ax: Axes, shown: int, total: int, what: str, v: dict[str, Any] | None, extra: str = ""
) -> None:
    """Say in the figure how many rows or lines were left out.

    In a right-hand title; ``visuals={"omitted": False}`` turns it off.
    """
    if v is None or shown >= total:
        return
    fig_w = axes_width(ax)
    text = f"{shown} of {total} {what} shown; {total - shown} left out{extra}"
    text = "\n".join(wrap_lines(text, 0.5 * fig_w, 6, 3))
    title: dict[str, Any] = {
        "loc": "right",
        "fontsize": 6,
        "fontstyle": "italic",
        "color": "0.25",
    } | v
    ax.set_title(text, **title)


def legend_plan(
    names: Sequence[str], width: float, size: float = 7.0, max_cols: int = 4
) -> tuple[list[str], int, float]:
    """Legend labels wrapped to fit a legend above the axes ``width`` inches wide.

    Returns (labels, columns, height in inches).
    """
    if not names:
        return [], 1, 0.0
    handle = 0.45  # handle, its padding and the column gap, inches
    widest = max(text_width(str(n), size) for n in names)
    ncols = max(1, min(max_cols, len(names), int((width - 0.1) // (min(widest, width) + handle))))
    col_w = (width - 0.1) / ncols - handle
    wrapped = fit_labels(names, max(col_w, 0.5), size, LABEL_LINES)
    lines = max(s.count("\n") + 1 for s in wrapped)
    rows = -(-len(names) // ncols)
    return wrapped, ncols, rows * (lines * size * 1.3 / 72 + 0.03) + 0.1


def add_legend(
    ax: Axes,
    owned: bool,
    v: dict[str, Any] | None,
    *,
    handles: Sequence[Any] | None = None,
    names: Sequence[str] | None = None,
    max_cols: int = 4,
    **kw: Any,
) -> Any:
    """A legend that never covers the data.

    Above the axes (a new figure) or to its right (a given axes).

    ``v`` is the ``legend`` entry of :func:`visuals_of` (None: no legend).
    """
    if v is None:
        return None
    if handles is None:
        handles, names = ax.get_legend_handles_labels()
    names = list(names or [])
    if not names:
        return None
    fig: Any = ax.figure
    if owned:
        wrapped, ncols, _ = legend_plan(names, fig.get_figwidth(), max_cols=max_cols)
        return fig.legend(
            handles, wrapped, **({"loc": "outside upper center", "ncols": ncols} | kw | v)
        )
    width = max(1.0, 0.4 * axes_width(ax))
    wrapped = fit_labels(names, width - 0.45, 7.0)
    return ax.legend(
        handles, wrapped, **({"loc": "upper left", "bbox_to_anchor": (1.01, 1.0)} | kw | v)
    )


def visuals_of(
    visuals: dict[str, Any] | None, defaults: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any] | None]:
    """Merge a ``visuals=`` mapping into a plot's element defaults.

    Each element (reference lines, annotations, the legend, ...) is drawn with
    its default keyword arguments; ``visuals={"name": False}`` switches it off
    and ``visuals={"name": {...}}`` updates its keyword arguments.

    Examples
    --------
    >>> v = visuals_of(
    ...     {"ref_line": {"color": "red"}, "legend": False},
    ...     {"ref_line": {"color": "0.6", "linewidth": 0.6}, "legend": {}},
    ... )
    >>> v["ref_line"], v["legend"]
    ({'color': 'red', 'linewidth': 0.6}, None)
    >>> visuals_of({"ref_lines": False}, {"ref_line": {}})
    Traceback (most recent call last):
    ...
    ValueError: visuals: unknown element 'ref_lines'; this plot has: ref_line
    """
    out: dict[str, dict[str, Any] | None] = {k: dict(d) for k, d in defaults.items()}
    for k, val in (visuals or {}).items():
        if k not in defaults:
            raise ValueError(
                f"visuals: unknown element {k!r}; this plot has: {', '.join(sorted(defaults))}"
            )
        if val is False or val is None:
            out[k] = None
        elif val is True:
            continue
        elif isinstance(val, dict):
            out[k] = {**defaults[k], **val}
        else:
            raise ValueError(
                f"visuals[{k!r}] must be False, True or a dict of keyword arguments, got {val!r}"
            )
    return out


def wrap_text(text: str, width: float, size: float = 8.0, lines: int = 3) -> str:
    """Each line of ``text`` wrapped to ``width`` inches (at most ``lines`` lines each).

    For axis labels with user text.
    """
    return "\n".join(
        "\n".join(wrap_lines(part, width, size, lines)) if part.strip() else part
        for part in str(text).split("\n")
    )


def balanced_wrap(text: str, width: float, size: float = 8.0, lines: int = 3) -> str:
    """Each line of ``text`` wrapped into lines of even length.

    As few lines as greedy wrapping needs, of even length (no orphan word).

    Greedy wrapping to ``width`` fills the first lines and leaves a word or two on the last; this
    keeps the number of lines and narrows the width until one more line would be needed. Each
    explicit line (a line break) is a paragraph of its own; at most ``lines`` lines each (an
    ellipsis where cut).

    Examples
    --------
    >>> text = "each item's weight of evidence, each other judgement's odds x 1/3 and x 3"
    >>> print(wrap_text(text, 3.0))  # greedy: one word on its own
    each item's weight of evidence, each other judgement's
    odds x 1/3 and x 3
    >>> print(balanced_wrap(text, 3.0))
    each item's weight of evidence, each
    other judgement's odds x 1/3 and x 3
    """
    out = []
    for part in str(text).split("\n"):
        if not part.strip():
            out.append(part)
            continue
        n = len(wrap_lines(part, width, size, 99))
        widest_word = max(text_width(w, size) for w in part.split())
        lo, hi = min(widest_word, width), width
        for _ in range(14):  # the narrowest width that still needs only n lines
            mid = (lo + hi) / 2
            if len(wrap_lines(part, mid, size, 99)) <= n:
                hi = mid
            else:
                lo = mid
        out.extend(wrap_lines(part, hi, size, lines))
    return "\n".join(out)


def row_xlabel(ax: Axes, text: str, width: float) -> None:
    """The x label of a plot with a row-label column, wrapped to the figure in even lines.

    A label whose lines fit under the data area is centred there; one whose lines fit the figure is
    aligned to the axes' right edge, so it runs leftwards under the row labels instead of off the
    figure. A longer one is wrapped evenly (:func:`balanced_wrap`, no word left on a line of its
    own): centred under the data area if that takes at most one line more, else across the figure,
    aligned right.
    """
    data, full = 0.9 * (1 - LABEL_SHARE) * width, 0.92 * width

    def fits(t: str, w: float) -> bool:
        return all(text_width(ln, 8.0) <= w for ln in t.split("\n"))

    if fits(text, data):
        ax.set_xlabel(text)
    elif fits(text, full):
        ax.set_xlabel(text, loc="right")
    elif (
        fits(wrapped := balanced_wrap(text, data), data)
        and wrapped.count("\n") <= text.count("\n") + 1
    ):
        ax.set_xlabel(wrapped)
    else:
        ax.set_xlabel(balanced_wrap(text, full), loc="right")
