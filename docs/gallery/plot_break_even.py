"""
Break-even weights
==================

For each item, the weight it would need to bring the leading hypothesis level with the runner-up.
Drawn by
:func:`motives.plots.plot_break_even`.
"""

import motives as mv
from motives.plots import plot_break_even
from motives.sensitivity import break_even

fig, ax = plot_break_even(break_even(mv.examples.load("dice")))
