"""
Prior sweep
===========

The posterior of a hypothesis as its prior moves across its range. Drawn by
:func:`motives.plots.plot_prior_sweep`.
"""

import motives as mv
from motives.plots import plot_prior_sweep
from motives.sensitivity import prior_sweep

fig, ax = plot_prior_sweep(
    prior_sweep(mv.examples.load("diagnostic_test"), "condition", spacing="logit", points=41)
)
