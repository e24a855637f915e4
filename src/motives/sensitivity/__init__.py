"""Sensitivity analysis on the exact engine: what a reader of a paper asks.

Every function takes a case (and optionally a lens, a prior in any form
:func:`motives.exact.prior_from` accepts, and ``reliability``), evaluates all
its scenarios through the exact engine in one vectorised call where it can,
and returns a pandas DataFrame indexed by named dims (``scenario``,
``evidence``, ``source``, ``lens``, ``level``/``id`` for hypotheses and
families). The *target* of an analysis is a hypothesis or a family; by
default the leading family (highest posterior credence).

- :func:`prior_sweep`, :func:`reversal_priors` -- credence against one prior; the prior that reverses the conclusion.
- :func:`weight_of_evidence` -- decibans per item; :func:`leave_one_out`,
  :func:`leave_one_source_out`, :func:`leave_one_lens_out`.
- :func:`tornado`, :func:`break_even`, :func:`lens_break_even` -- likelihood ratios scaled.
- :func:`evidence_discount` -- every item's weight discounted at once: how far the answer rests on
  treating the items as independent.
- :func:`lens_comparison`, :func:`cruxes` -- posterior per lens; items whose disagreement matters.
- :func:`global_sensitivity`, :func:`sobol_indices` -- Sobol indices over the elicitation Betas.
- :func:`value_of_information`, :func:`item_information` -- expected entropy reduction.
- :func:`trajectory` -- belief as of each date.
- :func:`conflict`, :func:`conflict_flags`, :func:`surprise` -- evidence at odds with the rest (Hugin's
  data-conflict measure); evidence no listed hypothesis expects.
- :func:`run_all` -- everything above for one analysis spec.
"""

from __future__ import annotations

from motives.sensitivity._core import DB, Target, scenario_loglik, scenario_posterior
from motives.sensitivity.conflict import conflict, conflict_flags, surprise
from motives.sensitivity.discount import evidence_discount
from motives.sensitivity.influence import (
    cruxes,
    leave_one_lens_out,
    leave_one_out,
    leave_one_source_out,
    lens_comparison,
    weight_of_evidence,
)
from motives.sensitivity.perturb import break_even, lens_break_even, scale_rows, temper_rows, tornado
from motives.sensitivity.prior import bayes_factor, prior_sweep, reversal_priors, swept_priors
from motives.sensitivity.run import run_all
from motives.sensitivity.sobol import global_sensitivity, ishigami, ishigami_indices, sobol_indices
from motives.sensitivity.trajectory import trajectory
from motives.sensitivity.voi import item_information, value_of_information

__all__ = [
    "DB",
    "Target",
    "bayes_factor",
    "break_even",
    "conflict",
    "conflict_flags",
    "cruxes",
    "evidence_discount",
    "global_sensitivity",
    "ishigami",
    "ishigami_indices",
    "item_information",
    "leave_one_lens_out",
    "leave_one_out",
    "leave_one_source_out",
    "lens_break_even",
    "lens_comparison",
    "prior_sweep",
    "reversal_priors",
    "run_all",
    "scale_rows",
    "scenario_loglik",
    "scenario_posterior",
    "sobol_indices",
    "surprise",
    "swept_priors",
    "temper_rows",
    "tornado",
    "trajectory",
    "value_of_information",
    "weight_of_evidence",
]
