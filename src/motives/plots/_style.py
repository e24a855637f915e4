"""One plot style: journal column widths, greyscale-safe cycles, saving."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib as mpl
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure

#: Width of one journal column and of the full page, inches.
ONE_COLUMN = 3.5
TWO_COLUMN = 7.2

#: Greys from black to light: distinguishable in greyscale print, paired with line styles and markers.
GREYS = ["0.0", "0.45", "0.25", "0.6", "0.1", "0.35", "0.7", "0.5"]
LINESTYLES: list[Any] = ["-", "--", ":", "-.", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 2)), (0, (8, 2, 2, 2))]
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
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.02,
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    # User text (titles, labels, ids) is drawn as typed: "$5_$" must not reach mathtext, where it is an
    # error. The library's own formulas turn math back on for their Text objects (plot_sobol's legend).
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
    with mpl.rc_context(RC):
        yield


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


def auto_width(width: str | float, labels: Sequence[str], limit: int = 22) -> str | float:
    """``"auto"``: one column when every label fits in ``limit`` characters, else two columns."""
    if width != "auto":
        return width
    return "one" if max((len(str(x)) for x in labels), default=0) <= limit else "two"


def new_axes(ax: Axes | None, width: str | float, height: float) -> tuple[Figure, Axes]:
    """The given axes and its figure, or a new figure of the given width and height (inches)."""
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    fig = Figure(figsize=(width_of(width), height), layout="constrained")
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
    return {"color": GREYS[i % len(GREYS)], "linestyle": LINESTYLES[i % len(LINESTYLES)],
            "marker": MARKERS[i % len(MARKERS)]}


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
    return {"facecolor": FILLS[i % len(FILLS)], "hatch": HATCHES[i % len(HATCHES)], "edgecolor": "black",
            "linewidth": 0.6}


def label_for(labels: dict[str, str] | None, key: str) -> str:
    """A display label for an id."""
    return (labels or {}).get(key, key)


def save_figure(fig: Figure, stem: str | Path, formats: Sequence[str] = ("pdf", "png")) -> list[Path]:
    """Write ``stem.<fmt>`` for every format; returns the paths.

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
        with style():
            fig.savefig(p, format=fmt)
        out.append(p)
    return out


def shorten(text: str, n: int = 38) -> str:
    """Cut long labels with an ellipsis."""
    return text if len(text) <= n else text[: n - 1] + "\u2026"
