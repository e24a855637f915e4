"""
Credence densities (a fit)
==========================

The posterior density of each hypothesis's credence from MCMC draws. Here the draws are a seeded
fake fit (:func:`motives.testing.fake_fit`), so the page builds without sampling; a real fit's
``res.trace`` is drawn the same way. Drawn by :func:`motives.plots.plot_credence_density`.
"""

from motives.plots import plot_credence_density
from motives.testing import fake_fit, two_hypothesis_case

res = fake_fit(two_hypothesis_case(), seed=0)
fig, ax = plot_credence_density(res.trace)
