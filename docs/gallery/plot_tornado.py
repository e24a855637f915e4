"""
Tornado
=======

How far each judgement, moved over its range, moves the leading hypothesis. Drawn by
:func:`motives.plots.plot_tornado`.
"""

import motives as mv
from motives.plots import plot_tornado
from motives.sensitivity import tornado

fig, ax = plot_tornado(tornado(mv.examples.load("dice")))
