"""The exclusive model: exactly one hypothesis is true; the hypothesis is marginalised.

λ[e, h] ~ Beta per cell (point cells fixed), ρ_s ~ Beta per source (shared by
that source's items), the prior π fixed or Dirichlet. With
ℓ_h = log π_h + Σ_e w_e log P(E_e | h),

    pm.Potential("marginal", logsumexp_h ℓ_h),   credence = softmax(ℓ).

Because the hypothesis is summed out, the posterior mean of ``credence``
equals the exact engine's credence (:func:`motives.exact.exact_posterior`):
E[c_h | E] = E[π_h] E[Π_e P(E_e | h)] / Σ_h' (same), and the cells are
independent and P is linear in each row of λ.

Propositions (a structured case): each table row with a stated spread is
random (a two-state row Beta on P(first state), a multi-state row Dirichlet),
items under a proposition have Beta cells per state, a source's ρ is shared by
its items wherever they sit, and the states are summed out bottom-up in log
space, m_p(v) = logsumexp_s(log P(s | v) + Σ_children m_c(s)), exactly as the
exact engine does; ℓ_h adds the messages of the propositions bearing on the
hypotheses (:func:`motives.models.evidence.structure_messages`). The credence is
multilinear in the independent rows and cells, so its posterior mean is still
the exact engine's.

A network (a root fact, a fact of several parents, an item of several parents — a
Beta cell per parent configuration where the lens gives a confidence — an observed
fact) is summed out by the exact engine's own elimination plan
(:func:`motives.exact.contract.plan_elimination`), evaluated in PyTensor in log space
(:func:`motives.models.evidence.contract_log`): one factor per fact (its table plus
what its items and its observed state say) and per item of several parents, each
step a broadcast sum and a log-sum-exp. Each table row and cell still appears once
in every term of P(E | h), so the argument above holds unchanged.

Knobs a sensitivity analysis turns are ``pm.Data`` (see :mod:`motives.models.knobs`),
so :func:`motives.models.sampling.refit` re-uses the compiled model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from motives.models.evidence import ModelInputs, SigmaMode, TimelineMode, item_loglik, model_inputs
from motives.models.knobs import add_knobs, hypothesis_prior, parse_prior, weighted_total
from motives.schema import Case

if TYPE_CHECKING:
    from motives.models.sampling import BuiltModel


def build_exclusive(
    case: Case,
    *,
    lens: str | None = None,
    prior: Any = None,
    reliability: bool = True,
    timeline: TimelineMode = "marginal",
    sigma: SigmaMode = "fixed",
) -> BuiltModel:
    """Build the exclusive model of a case under one lens (no sampling).

    Parameters
    ----------
    case
        The case.
    lens
        Whose likelihoods; default the case's default lens.
    prior
        None (the case's), ``"uniform"``, a mapping, a list, or ``{"dirichlet": ...}``.
    reliability
        Mix in source reliability ρ (the default) or take every report at face value.
    timeline
        ``"marginal"``: trend coefficients integrated out in closed form;
        ``"explicit"``: sampled.
    sigma
        ``"fixed"`` at each timeline item's σ, or ``"free"`` (HalfNormal).

    Returns
    -------
    BuiltModel
        The PyMC model with its inputs; sample it with :func:`motives.models.sampling.sample`.

    Examples
    --------
    >>> import motives as mv
    >>> built = build_exclusive(mv.examples.load("witness"))
    >>> [v.name for v in built.model.deterministics]
    ['credence', 'family_credence']
    """
    import pymc as pm
    import pytensor.tensor as pt

    from motives.models.evidence import beta_cells, reliability_vector, source_reliability
    from motives.models.sampling import BuiltModel

    inp = model_inputs(case, lens)
    kind, vec = parse_prior(case, prior)
    with pm.Model(coords=nonempty_coords(inp.coords())) as model:
        knobs = add_knobs(inp)
        lam = beta_cells(inp, knobs["concentration"])
        rho_src = source_reliability(inp, reliability=reliability)
        rho = reliability_vector(inp, reliability=reliability, rho_src=rho_src)
        ll = item_loglik(
            inp,
            lam=lam,
            rho=rho,
            log_scale=knobs["log_scale"],
            observed=knobs["observed"],
            timeline=timeline,
            sigma=sigma,
        )
        if not inp.structured:
            joint = hypothesis_prior(kind, vec) + weighted_total(ll, knobs["weight"])
        else:
            joint = (
                hypothesis_prior(kind, vec)
                + weighted_total(ll, knobs["weight"][: len(inp.direct_items)])
                + structured_loglik(inp, knobs, rho_src, timeline=timeline, sigma=sigma).sum(axis=0)
            )
        pm.Potential("marginal", pm.math.logsumexp(joint))
        cred = pm.Deterministic("credence", pt.special.softmax(joint), dims="hypothesis")
        pm.Deterministic("family_credence", pt.dot(cred, inp.family_matrix), dims="family")
    settings = {
        "model": "exclusive",
        "lens": inp.lens,
        "prior": jsonable(prior),
        "reliability": reliability,
        "timeline": timeline,
        "sigma": sigma,
    }
    return BuiltModel(kind="exclusive", model=model, inputs=inp, settings=settings)


def structured_loglik(
    inp: ModelInputs,
    knobs: dict[str, Any],
    rho_src: Any,
    *,
    timeline: TimelineMode = "marginal",
    sigma: SigmaMode = "fixed",
) -> Any:
    """Log messages (P_top, K) of the propositions bearing on the hypotheses.

    The tables and cells are random.

    For a network, the whole structure contracted by the exact engine's elimination plan, one row
    (1, K).
    """
    from motives.models.evidence import structure_messages

    tables, cells, jcells = structure_inputs(inp, knobs)
    return structure_messages(
        inp,
        tables=tables,
        cells=cells,
        rho_src=rho_src,
        knobs=knobs,
        timeline=timeline,
        sigma=sigma,
        jcells=jcells,
    )


def structure_inputs(inp: ModelInputs, knobs: dict[str, Any]) -> tuple[list[Any], Any, Any]:
    """The random tables and the cells of the items.

    The cells are those of the items under one proposition, and those of the items of several
    parents.
    """
    from motives.models.evidence import joint_cells, proposition_cells, proposition_tables

    tables = proposition_tables(inp, knobs["concentration"])
    cells = proposition_cells(inp, knobs["concentration"])
    jcells = joint_cells(inp, knobs["concentration"]) if inp.joint else None
    return tables, cells, jcells


def nonempty_coords(coords: dict[str, list[str]]) -> dict[str, list[str]]:
    """The coordinates with at least one label (PyMC refuses an empty dim)."""
    return {k: v for k, v in coords.items() if v}


def jsonable(x: Any) -> Any:
    """Arrays, dicts and tuples as JSON-ready lists and dicts (keys as text)."""
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [jsonable(v) for v in x]
    return x
