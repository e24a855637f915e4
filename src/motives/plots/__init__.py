"""Figures: one style, journal column widths, greyscale-safe; every function returns (Figure, Axes).

Figures are built with :class:`matplotlib.figure.Figure` directly (no pyplot
state, nothing shown); save them with :func:`save_figure` or ``fig.savefig``.
Compute functions (:mod:`motives.sensitivity`, :mod:`motives.report`) return
DataFrames; the ``plot_*`` functions here draw them.

One contract (docs/figures.md): 3.5 or 7.2 in wide and at most a page (9 in)
tall as saved; long labels wrap; longer lists show their top rows and say how
many they left out; legends never cover the data; the same keyword-only
``labels``, ``ax``, ``width="auto"``, ``top=None``, ``level="family"`` and
``visuals=None`` wherever they apply.
"""

from __future__ import annotations

from motives.plots._style import (
    ONE_COLUMN,
    TWO_COLUMN,
    bar_style,
    save_figure,
    style,
    style_of,
    width_of,
)
from motives.plots.credence import plot_credence_density, plot_credences, plot_shares
from motives.plots.evidence import plot_ledger, plot_timeline
from motives.plots.figures import caption, labels_of, standard_figures
from motives.plots.sensitivity import (
    plot_break_even,
    plot_cruxes,
    plot_discount,
    plot_information,
    plot_lenses,
    plot_prior_sweep,
    plot_sobol,
    plot_tornado,
    plot_trajectory,
)
from motives.plots.structure import plot_structure, proposition_cap_db
from motives.plots.value import plot_value_posterior

__all__ = [
    "ONE_COLUMN",
    "TWO_COLUMN",
    "bar_style",
    "caption",
    "labels_of",
    "plot_break_even",
    "plot_credence_density",
    "plot_credences",
    "plot_cruxes",
    "plot_discount",
    "plot_information",
    "plot_ledger",
    "plot_lenses",
    "plot_prior_sweep",
    "plot_shares",
    "plot_structure",
    "plot_sobol",
    "plot_timeline",
    "plot_tornado",
    "plot_trajectory",
    "proposition_cap_db",
    "plot_value_posterior",
    "save_figure",
    "standard_figures",
    "style",
    "style_of",
    "width_of",
]
