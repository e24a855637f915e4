"""
Structure of a case
===================

The hypotheses, the propositions between them and the items, with each proposition's cap in
decibans. Drawn by
:func:`motives.plots.plot_structure`.
"""

import motives as mv
from motives.plots import plot_structure

fig, ax = plot_structure(mv.examples.load("burglary"))
