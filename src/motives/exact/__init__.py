"""The exact engine: closed-form posteriors over exclusive hypotheses, vectorised over scenarios.

One job per module: ``compile`` (a case and a lens to arrays), ``kinds`` (each evidence kind's
closed-form likelihood), ``contract`` (variable elimination planned once per structure),
``likelihood`` (the likelihood of all the evidence per hypothesis, reliability mixed in, and the
posterior), ``frames`` (priors, posterior and value tables), ``trends`` (trend bands), ``marginals``
(P(parent configuration | h) without evidence). Every public name, and the helpers other layers use,
is importable from ``motives.exact`` (the function ``contract`` from ``motives.exact.contract``, the
module of that name).
"""

from motives.conventions import INTERVAL_MASS
from motives.exact._num import logsumexp, quiet_log
from motives.exact.compile import (
    CaseArrays,
    JointItem,
    PropArrays,
    SourceGroup,
    cache_of,
    compile_case,
    compiled,
    jacobi_nodes,
    reliability_of,
)
from motives.exact.contract import MAX_TABLE, Plan, plan_elimination, scale_factors
from motives.exact.frames import (
    exact_posterior,
    independent_case,
    prior_from,
    value_summary,
    value_table,
)
from motives.exact.kinds import (
    mvn_marginal,
    other_kind_loglik,
    quantity_loglik,
    step_loglik,
    timeline_data,
    timeline_loglik,
    trend_loglik,
)
from motives.exact.likelihood import (
    MAX_GRID,
    StructureParts,
    family_credence,
    item_loglik,
    loglik,
    mix_reliability,
    normalise,
    posterior,
    reliability_grid,
    structure_parts,
)
from motives.exact.marginals import ancestor_indices, config_marginals, implied_tables
from motives.exact.trends import trend_bands

__all__ = [
    "CaseArrays",
    "compile_case",
    "compiled",
    "exact_posterior",
    "family_credence",
    "independent_case",
    "INTERVAL_MASS",
    "item_loglik",
    "JointItem",
    "loglik",
    "MAX_GRID",
    "MAX_TABLE",
    "normalise",
    "Plan",
    "plan_elimination",
    "posterior",
    "prior_from",
    "PropArrays",
    "quantity_loglik",
    "scale_factors",
    "SourceGroup",
    "step_loglik",
    "timeline_data",
    "timeline_loglik",
    "trend_bands",
    "trend_loglik",
    "value_summary",
    "value_table",
    "ancestor_indices",
    "config_marginals",
    "implied_tables",
    # helpers the other layers use (sensitivity, bn, interactive, models, app)
    "cache_of",
    "jacobi_nodes",
    "logsumexp",
    "mix_reliability",
    "mvn_marginal",
    "other_kind_loglik",
    "quiet_log",
    "reliability_grid",
    "reliability_of",
    "StructureParts",
    "structure_parts",
]
