"""
Trajectory
==========

How the credences moved as the items came in, in date order. Drawn by
:func:`motives.plots.plot_trajectory`.
"""

import motives as mv
from motives.plots import plot_trajectory
from motives.sensitivity import trajectory

fig, ax = plot_trajectory(trajectory(mv.examples.load("dice")))
