"""
Evidence ledger
===============

The weight of each item of evidence, in decibans, for a target against the rest; a structured case
shows each proposition above its items. Drawn by :func:`motives.plots.plot_ledger`.
"""

import motives as mv
from motives.plots import plot_ledger
from motives.sensitivity import proposition_weight, weight_of_evidence

case = mv.examples.load("burglary")
fig, ax = plot_ledger(weight_of_evidence(case), case=case, propositions=proposition_weight(case))
