"""
Evidence discount
=================

The credences as every likelihood ratio is discounted toward 1 (all evidence weakened at once).
Drawn by
:func:`motives.plots.plot_discount`.
"""

import motives as mv
from motives.plots import plot_discount
from motives.sensitivity import evidence_discount

fig, ax = plot_discount(
    evidence_discount(mv.examples.load("diagnostic_test"), points=21), level="hypothesis"
)
