"""The exact engine: closed-form posteriors over exclusive hypotheses, vectorised over scenarios.

One job per module: ``compile`` (a case and a lens to arrays), ``kinds`` (each evidence kind's closed-form
likelihood), ``contract`` (variable elimination planned once per structure), ``likelihood`` (the
likelihood of all the evidence per hypothesis, reliability mixed in, and the posterior), ``frames``
(priors, posterior and value tables), ``trends`` (trend bands), ``marginals`` (P(parent configuration | h)
without evidence). Every public name, and the helpers other layers use, is importable from ``motives.exact``
(the function ``contract`` from ``motives.exact.contract``, the module of that name).
"""

from motives.conventions import INTERVAL_MASS
from motives.exact._num import _log, _logsumexp
from motives.exact.compile import (
    _CACHE,
    CaseArrays,
    JointItem,
    PropArrays,
    SourceGroup,
    _Bucket,
    _cache_of,
    _compile_structure,
    _GroupPlan,
    _jacobi_nodes,
    _reliability,
    _without_structured,
    compile_case,
    compiled,
)
from motives.exact.contract import (
    _LETTERS,
    MAX_TABLE,
    Plan,
    _log_step,
    _scaled,
    _scaled_prob,
    _Step,
    _subscripts,
    plan_elimination,
    scale_factors,
)
from motives.exact.frames import (
    _frame,
    _frame_parts,
    _naming,
    exact_posterior,
    independent_case,
    prior_from,
    value_summary,
    value_table,
)
from motives.exact.kinds import (
    _mvn_marginal,
    _other_loglik,
    quantity_loglik,
    step_loglik,
    timeline_data,
    timeline_loglik,
    trend_loglik,
)
from motives.exact.likelihood import (
    _CHUNK,
    MAX_GRID,
    _grid,
    _log_message,
    _loglik,
    _mix,
    _structure_loglik,
    _sum_items,
    _sum_last,
    family_credence,
    item_loglik,
    loglik,
    normalise,
    posterior,
)
from motives.exact.marginals import ancestor_indices, config_marginals, implied_tables
from motives.exact.trends import _mixture_quantile, _trend_mixture, trend_bands

__all__ = [
    '_Bucket', '_CACHE', '_cache_of', '_CHUNK', '_compile_structure', '_frame', '_frame_parts', '_grid',
    '_GroupPlan', '_jacobi_nodes', '_LETTERS', '_log', '_log_message', '_log_step', '_loglik', '_logsumexp',
    '_mix', '_mixture_quantile', '_mvn_marginal', '_naming', '_other_loglik', '_reliability', '_scaled',
    '_scaled_prob', '_Step', '_structure_loglik', '_subscripts', '_sum_items', '_sum_last', '_trend_mixture',
    '_without_structured', 'CaseArrays', 'compile_case', 'compiled', 'exact_posterior',
    'family_credence', 'independent_case', 'INTERVAL_MASS', 'item_loglik', 'JointItem', 'loglik', 'MAX_GRID',
    'MAX_TABLE', 'normalise', 'Plan', 'plan_elimination', 'posterior', 'prior_from', 'PropArrays',
    'quantity_loglik', 'scale_factors', 'SourceGroup', 'step_loglik', 'timeline_data', 'timeline_loglik',
    'trend_bands', 'trend_loglik', 'value_summary', 'value_table', 'ancestor_indices', 'config_marginals',
    'implied_tables',
]
