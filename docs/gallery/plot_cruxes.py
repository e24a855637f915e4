"""
Cruxes
======

The items on which two lenses disagree most, by the difference of their weights of evidence. Drawn
by
:func:`motives.plots.plot_cruxes`.
"""

import motives as mv
from motives.plots import plot_cruxes
from motives.sensitivity import cruxes

fig, ax = plot_cruxes(cruxes(mv.examples.load("two_lenses"), target="h1"))
