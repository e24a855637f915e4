"""
Mixture shares (a fit)
======================

The posterior share of each motive in the mixture model, from MCMC draws. Here the draws come from a
Dirichlet, standing in for a mixture fit's ``share`` variable. Drawn by
:func:`motives.plots.plot_shares`.
"""

import numpy as np
import xarray as xr

from motives.plots import plot_shares

draws = np.random.default_rng(0).dirichlet([12, 6, 2], size=(2, 200))
trace = xr.Dataset(
    {"share": (("chain", "draw", "hypothesis"), draws)},
    coords={"hypothesis": ["security", "regime", "ideology"]},
)
fig, ax = plot_shares(trace)
