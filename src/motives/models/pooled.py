"""The pooled model: several lenses rate the same items; a consensus and each lens's view.

Model, for every likelihood cell (e, h) that some lens judges with a Beta:

    θ[e, h] ~ Logistic(0, 1)                      (consensus logit; uniform on λ)
    δ^a[e, h] = τ z^a[e, h],  z ~ Normal(0, 1)      (lens deviations, δ ~ Normal(0, τ))
    λ[e, h] = σ(θ),  λ^a[e, h] = σ(θ + δ^a)
    each lens's stated judgement Beta(α_a, β_a) is an observation of its λ^a,
    entered with weight 1/A (A lenses):  Potential (1/A) Σ_a log Beta(λ^a; α_a, β_a).

The 1/A weight makes the pool a logarithmic opinion pool: A lenses that agree
count as one judgement, not as A independent ones. With τ = 0 the consensus
λ has exactly the density Beta(mean_a α_a, mean_a β_a), so identical lenses
give exactly the single-lens model; with τ > 0 the deviations loosen each
lens's grip on the consensus and identical lenses give the single-lens answer
up to O(τ²) (see ``tests/test_models_pooled.py``). τ is a ``pm.Data`` knob
(default 0.3 on the logit scale).

Cells every lens gives as a point stay fixed: the consensus is the mean of the
lenses' points, and each lens keeps its own. Where some lenses give a point and
others a Beta, the point enters the pool as a Beta of concentration
:data:`POINT_CONCENTRATION`. Items a lens does not rate use the default lens.

The evidence enters through the consensus λ (``pm.Potential`` of the
marginal over hypotheses, as in the exclusive model); timeline and quantity
items enter with the mean over lenses of their closed-form log densities (σ
fixed). ``credence`` / ``family_credence`` are the consensus credences;
``lens_credence`` (lens, hypothesis) the credence each lens's λ^a implies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from motives.models.evidence import likelihood_loglik, model_inputs, other_loglik_const
from motives.models.knobs import add_knobs, hypothesis_prior, parse_prior, weighted_total
from motives.schema import Case

if TYPE_CHECKING:
    from motives.models.sampling import BuiltModel

#: Concentration a point judgement gets when it is pooled with Beta judgements of other lenses.
POINT_CONCENTRATION = 200.0
#: Default lens deviation sd on the logit scale.
TAU = 0.3


def build_pooled(case: Case, *, lenses: list[str] | None = None, prior: Any = None, reliability: bool = True,
                 tau: float = TAU) -> BuiltModel:
    """Build the pooled model over several lenses (no sampling).

    Parameters
    ----------
    case
        The case.
    lenses
        Lenses to pool (default: all of the case's).
    prior, reliability
        As for :func:`motives.models.exclusive.build_exclusive`.
    tau
        Lens deviation sd on the logit scale (a ``pm.Data`` knob named ``tau``).

    Returns
    -------
    BuiltModel
        Deterministics ``credence``, ``family_credence`` (consensus) and
        ``lens_credence`` (lens, hypothesis).
    """
    import pymc as pm
    import pytensor.tensor as pt

    from motives.models.evidence import reliability_vector
    from motives.models.exclusive import _jsonable, _nonempty
    from motives.models.sampling import BuiltModel

    lens_ids = [case.resolve_lens(x) for x in (lenses or case.lens_ids)]
    inps = [model_inputs(case, x) for x in lens_ids]
    base = inps[0]
    A = len(inps)
    means = np.stack([i.lam_mean for i in inps])
    concs = np.stack([i.lam_conc for i in inps])
    own_free = np.isfinite(concs)
    free = own_free.any(axis=0)
    rows, cols = np.nonzero(free)
    kind, vec = parse_prior(case, prior)
    coords = _nonempty(base.coords())
    coords["lens"] = lens_ids
    coords["cell"] = [f"{base.items[i]}:{base.hypotheses[k]}" for i, k in zip(rows, cols, strict=True)]
    coords = _nonempty(coords)
    other = np.stack([other_loglik_const(i) for i in inps])  # (A, T+Q, K)
    with pm.Model(coords=coords) as model:
        knobs = add_knobs(base)
        tau_d = pm.Data("tau", float(tau))
        lam_c = pt.as_tensor_variable(means.mean(axis=0))
        lam_a = [pt.as_tensor_variable(m) for m in means]
        if free.any():
            m = np.clip(means[:, rows, cols], 1e-3, 1 - 1e-3)
            k = np.where(own_free[:, rows, cols], concs[:, rows, cols], POINT_CONCENTRATION)
            alpha = pm.Data("pool_alpha", m * k, dims=("lens", "cell"))
            beta = pm.Data("pool_beta", (1 - m) * k, dims=("lens", "cell"))
            theta = pm.Logistic("consensus_logit", 0.0, 1.0, dims="cell")
            z = pm.Normal("lens_z", 0.0, 1.0, dims=("lens", "cell"))
            cells_a = pt.sigmoid(theta[None, :] + tau_d * z)
            conc = knobs["concentration"]
            judged = pm.logp(pm.Beta.dist(alpha=alpha * conc, beta=beta * conc), cells_a)
            pm.Potential("judgements", judged.sum() / A)
            lam_c = pt.set_subtensor(lam_c[rows, cols], pt.sigmoid(theta))
            for a in range(A):
                keep = own_free[a, rows, cols]
                lam_a[a] = pt.set_subtensor(lam_a[a][rows[keep], cols[keep]], cells_a[a][np.flatnonzero(keep)])
        rho = reliability_vector(base, reliability=reliability)
        logpi = hypothesis_prior(kind, vec)
        N = len(base.items)

        def loglik(inp: Any, lam: Any, oth: np.ndarray) -> Any:
            parts = []
            if N:
                parts.append(likelihood_loglik(inp, lam, rho, knobs["log_scale"][:N], knobs["observed"]))
            if oth.shape[0]:
                parts.append(pt.as_tensor_variable(oth) + knobs["log_scale"][N:])
            return pt.concatenate(parts, axis=0) if len(parts) > 1 else parts[0]

        joint = logpi + weighted_total(loglik(base, lam_c, other.mean(axis=0)), knobs["weight"])
        pm.Potential("marginal", pm.math.logsumexp(joint))
        cred = pm.Deterministic("credence", pt.special.softmax(joint), dims="hypothesis")
        pm.Deterministic("family_credence", pt.dot(cred, base.family_matrix), dims="family")
        per_lens = [pt.special.softmax(logpi + weighted_total(loglik(inps[a], lam_a[a], other[a]), knobs["weight"]))
                    for a in range(A)]
        pm.Deterministic("lens_credence", pt.stack(per_lens), dims=("lens", "hypothesis"))
    settings = {"model": "pooled", "lenses": lens_ids, "prior": _jsonable(prior), "reliability": reliability,
                "tau": tau}
    return BuiltModel(kind="pooled", model=model, inputs=inps, settings=settings)
