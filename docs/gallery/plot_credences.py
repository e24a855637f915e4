"""
Credences
=========

Posterior credence of each hypothesis and family (exact engine), one bar each. Drawn by
:func:`motives.plots.plot_credences`.
"""

import motives as mv
from motives.plots import labels_of, plot_credences

case = mv.examples.load("burglary")
fig, ax = plot_credences(mv.exact_posterior(case), labels=labels_of(case))
