"""The registry of standard figures: each one registered once, beside its plot function.

A standard figure is a function ``draw(ctx) -> (Figure, Axes)`` of a :class:`FigureContext`,
decorated with :func:`figure`, which records its name (``figures/<name>.png``), its caption in the
report, the analyses it draws (table names of :mod:`motives.sensitivity.registry`), when it is
drawn, and its ``order``: :data:`FIGURES` is kept sorted by it, so the report and
:func:`motives.plots.standard_figures` show the figures in that order whichever module registered
first. The built-in figures are registered in the modules of their plot functions
(:mod:`motives.plots.sensitivity`, :mod:`motives.plots.evidence`, ...); a figure of one's own,
outside the package, the same way (without ``order`` it follows the built-in ones).

This module is separate from :mod:`motives.plots.figures` (the standard set drawn) so that the plot
modules can register their figures without importing the module that imports them all.

Examples
--------
>>> from motives.plots import standard_figures  # registers the built-in figures
>>> list(FIGURES)[:3]
['structure', 'credences', 'ledger']
>>> [FIGURES[n].order for n in ("tornado", "discount")]  # the report's order
[60, 70]
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from motives.schema import Case
from motives.sensitivity.results import SensitivityResult, table_of

__all__ = [
    "FIGURES",
    "GRID_ROWS",
    "STANDARD_TOP",
    "FigureContext",
    "FigureSpec",
    "figure",
    "numeric_hypotheses",
    "unregister_figure",
]

#: Rows of the item-ranked sensitivity figures in the standard set (tornado, cruxes, Sobol,
#: break-even, information): the strongest twenty; each figure says how many it leaves out. The
#: functions' own default (``top=None``) is a page of rows.
STANDARD_TOP = 20
#: A case whose hypotheses are a numeric grid (every hypothesis has a ``value``) with more
#: hypotheses than this gets the value posterior (a density) instead of the credences figure (one
#: row per hypothesis).
GRID_ROWS = 40


def numeric_hypotheses(case: Case) -> bool:
    """Whether the hypotheses are a numeric grid: every one has a ``value``.

    Examples
    --------
    >>> import motives as mv
    >>> numeric_hypotheses(mv.examples.load("cookies"))
    False
    """
    return bool(case.hypotheses) and all(h.value is not None for h in case.hypotheses)


@dataclass(frozen=True)
class FigureContext:
    """What a registered figure draws from.

    The case, the tables of :func:`motives.sensitivity.run_all`, labels.

    ``width`` is passed to the plot function when given (``"one"``, ``"two"``, inches); ``None``
    keeps the function's own default (``"auto"``).
    """

    case: Case
    tables: dict[str, SensitivityResult | pd.DataFrame]
    lens: str | None
    labels: dict[str, str]
    target: str
    width: str | float | None = None
    top: int = STANDARD_TOP

    @property
    def kw(self) -> dict[str, Any]:
        """``{"width": width}`` when a width was given, else nothing."""
        return {} if self.width is None else {"width": self.width}

    def frame(self, name: str) -> pd.DataFrame:
        """The table ``name`` as a DataFrame with its metadata in ``attrs``.

        From a result or a DataFrame.
        """
        t = self.tables[name]
        return t.frame() if isinstance(t, SensitivityResult) else t

    def empty(self, name: str) -> bool:
        """Whether the table ``name`` is missing or empty."""
        return name not in self.tables or table_of(self.tables[name]).empty


@dataclass(frozen=True)
class FigureSpec:
    """One registered figure: its name (the file name), caption, the analyses it draws and how.

    ``order`` places it among the others (:data:`FIGURES` is sorted by it; ties keep registration
    order).
    """

    name: str
    caption: str
    needs: tuple[str, ...]
    draw: Callable[[FigureContext], tuple[Figure, Axes]] = field(repr=False)
    when: Callable[[FigureContext], bool] | None = field(default=None, repr=False)
    target: bool = False
    order: float = math.inf

    def drawn(self, ctx: FigureContext) -> bool:
        """Whether :func:`motives.plots.standard_figures` draws it for these tables."""
        return all(n in ctx.tables for n in self.needs) and (
            self.when is None or bool(self.when(ctx))
        )


#: Figure name -> figure, sorted by ``order`` (then registration): the order
#: :func:`motives.plots.standard_figures` draws them and the report shows them.
FIGURES: dict[str, FigureSpec] = {}
#: Registration sequence numbers (ties of ``order`` keep it).
_SEQ: dict[str, int] = {}
_COUNTER = itertools.count()

Draw = Callable[[FigureContext], tuple[Figure, Axes]]


def figure(
    name: str,
    *,
    caption: str,
    needs: tuple[str, ...] = (),
    when: Callable[[FigureContext], bool] | None = None,
    target: bool = False,
    order: float | None = None,
) -> Callable[[Draw], Draw]:
    """Register ``draw(ctx) -> (Figure, Axes)`` as the standard figure ``name``.

    A decorator; returns ``draw``.

    Parameters
    ----------
    name
        The figure's name (``figures/<name>.png``); unique.
    caption
        Its caption in the report.
    needs
        The analyses (table names of :mod:`motives.sensitivity.registry`) it draws; it is drawn when
        all are present.
    when
        Drawn only when this is true of the :class:`FigureContext` (e.g. the table is not empty).
    target
        It is about the tables' target (the report says "the target" for "the leading family").
    order
        Its place among the figures (the built-in ones are 10, 20, ..., 140 in report order);
        default after every figure with an order.

    Examples
    --------
    >>> from motives.plots import standard_figures  # registers the built-in figures
    >>> try:
    ...     figure("tornado", caption="again")(lambda ctx: None)
    ... except ValueError as exc:
    ...     print(exc)
    a figure named 'tornado' is registered already (unregister_figure it first to replace it)
    >>> _ = figure("early_demo", caption="first of all", order=0)(lambda ctx: None)
    >>> list(FIGURES)[0]
    'early_demo'
    >>> unregister_figure("early_demo")
    """

    def register(fn: Draw) -> Draw:
        if name in FIGURES:
            raise ValueError(
                f"a figure named {name!r} is registered already (unregister_figure it first to "
                "replace it)"
            )
        spec = FigureSpec(
            name, caption, tuple(needs), fn, when, target, math.inf if order is None else order
        )
        _SEQ[name] = next(_COUNTER)
        ranked = sorted([*FIGURES.values(), spec], key=lambda f: (f.order, _SEQ[f.name]))
        FIGURES.clear()  # in place: other modules hold this dict
        FIGURES.update((f.name, f) for f in ranked)
        return fn

    return register


def unregister_figure(name: str) -> None:
    """Remove the figure ``name`` from :data:`FIGURES`."""
    del FIGURES[name]
    _SEQ.pop(name, None)
