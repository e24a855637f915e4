"""
Value of information
====================

Expected reduction of entropy (bits) from each item, judged as if it had not been observed yet.
Drawn by
:func:`motives.plots.plot_information`.
"""

import motives as mv
from motives.plots import plot_information
from motives.sensitivity import item_information

fig, ax = plot_information(item_information(mv.examples.load("dice")))
