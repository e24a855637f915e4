"""Sensitivity analysis on the exact engine: what a reader of a paper asks.

Every function takes a case (and optionally a lens, a prior in any form
:func:`motives.exact.prior_from` accepts, and ``reliability``), evaluates all
its scenarios through the exact engine in one vectorised call where it can,
and returns a pandas DataFrame indexed by named dims (``scenario``,
``evidence``, ``source``, ``lens``, ``level``/``id`` for hypotheses and
families). The *target* of an analysis is a hypothesis or a family; by
default the leading family (highest posterior credence).

- :func:`prior_sweep`, :func:`reversal_priors` -- credence against one prior; the prior that
reverses the conclusion.
- :func:`weight_of_evidence` -- decibans per item; :func:`leave_one_out`,
  :func:`leave_one_source_out`, :func:`leave_one_lens_out`.
- :func:`tornado`, :func:`break_even`, :func:`lens_break_even` -- likelihood ratios scaled.
- :func:`evidence_discount` -- every item's weight discounted at once: how far the answer rests on
  treating the items as independent.
- :func:`lens_comparison`, :func:`cruxes` -- posterior per lens; items whose disagreement matters.
- :func:`global_sensitivity`, :func:`sobol_indices` -- Sobol indices over the elicitation Betas.
- :func:`value_of_information`, :func:`item_information` -- expected entropy reduction.
- :func:`trajectory` -- belief as of each date.
- :func:`proposition_weight`, :func:`proposition_cap` -- weight of evidence per proposition, its cap
  and the share used, and each item's share inside it; :func:`proposition_information` -- value of
  learning a proposition's state; :func:`group_discount` -- the evidence discount of one
  proposition's or one issue area's items; :func:`perturb_inputs` -- the perturbations behind
  tornado and break-even, over items and proposition tables.
- :func:`conflict`, :func:`conflict_flags`, :func:`surprise` -- evidence at odds with the rest
(Hugin's
  data-conflict measure); evidence no listed hypothesis expects.
- :func:`run_all` -- everything above for one analysis spec.
- :class:`SensitivityResult` -- a table with its typed metadata (target, spacing, tie prior, ...);
  ``save``/``load`` it as CSV plus a JSON sidecar, :func:`load_results` reads a folder of them.

Structured cases (propositions between the hypotheses and the items): every
analysis reads the items under propositions (through ``plam=``) and, where it
perturbs judgements (tornado, break-even, cruxes, Sobol), the propositions'
tables (through ``tables=``) of :func:`motives.exact.loglik`; leave-one-out and
value of information also leave out / learn whole propositions.
"""

from __future__ import annotations

from motives.sensitivity._core import DB, Target, case_target, scenario_loglik, scenario_posterior
from motives.sensitivity.conflict import conflict, conflict_flags, surprise
from motives.sensitivity.discount import discount_groups, evidence_discount, group_discount
from motives.sensitivity.influence import (
    cruxes,
    leave_one_lens_out,
    leave_one_out,
    leave_one_source_out,
    lens_comparison,
    weight_of_evidence,
)
from motives.sensitivity.perturb import (
    break_even,
    lens_break_even,
    perturb_inputs,
    scale_rows,
    temper_rows,
    tornado,
)
from motives.sensitivity.prior import bayes_factor, prior_sweep, reversal_priors, swept_priors
from motives.sensitivity.propositions import proposition_cap, proposition_weight
from motives.sensitivity.results import SensitivityResult, load_results
from motives.sensitivity.run import run_all
from motives.sensitivity.sobol import global_sensitivity, ishigami, ishigami_indices, sobol_indices
from motives.sensitivity.trajectory import trajectory
from motives.sensitivity.voi import item_information, proposition_information, value_of_information

__all__ = [
    "DB",
    "SensitivityResult",
    "Target",
    "bayes_factor",
    "break_even",
    "case_target",
    "conflict",
    "conflict_flags",
    "cruxes",
    "discount_groups",
    "evidence_discount",
    "global_sensitivity",
    "group_discount",
    "ishigami",
    "ishigami_indices",
    "item_information",
    "leave_one_lens_out",
    "leave_one_out",
    "leave_one_source_out",
    "load_results",
    "lens_break_even",
    "lens_comparison",
    "perturb_inputs",
    "prior_sweep",
    "proposition_cap",
    "proposition_information",
    "proposition_weight",
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
