"""
Lenses side by side
===================

The credences under each lens (each analyst's set of judgements). Drawn by
:func:`motives.plots.plot_lenses`.
"""

import motives as mv
from motives.plots import labels_of, plot_lenses
from motives.sensitivity import lens_comparison

case = mv.examples.load("two_lenses")
fig, ax = plot_lenses(lens_comparison(case), level="hypothesis", labels=labels_of(case))
