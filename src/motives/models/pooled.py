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

Propositions. Every table row and every cell of an item under a proposition
is pooled the same way. Item cells and two-state rows (P of the first state)
exactly as above, on the logit scale (variables ``pcell_logit`` / ``pcell_z``
and ``table_{p}_logit`` / ``table_{p}_z``). A multi-state row: the consensus
row u ~ Dirichlet(1, ..., 1) (uniform on the simplex, as the Logistic θ is
uniform on λ), lens rows u^a = softmax(log u + τ z^a) (deviations
δ = τ z ~ Normal(0, τ) in softmax space), and each lens's stated
Dirichlet(κ_a c p_a) enters as an observation of u^a with weight 1/A — with
τ = 0 the consensus row has exactly the density Dirichlet(mean_a κ_a p_a), so
identical lenses again give the single-lens model. Rows every lens gives as a
point stay fixed (consensus: the mean of the lenses' rows); a point pooled
with uncertain rows enters with concentration :data:`POINT_CONCENTRATION`,
probabilities clipped to [1e-3, 1 − 1e-3] (a zero cannot be pooled on the
logit or softmax scale). The consensus tables and cells send the consensus
messages (:func:`motives.models.evidence.structure_messages`); each lens's
tables and cells its own ``lens_credence``. Timeline and quantity items under
a proposition enter with the mean over lenses of their per-state log densities.

Networks: the cells of an item of several parents are pooled as every other
cell (``jcell_logit`` / ``jcell_z``), the tables of facts of several parents
row by row as above, and the consensus (and each lens's) network is summed out
by the exact engine's elimination plan
(:func:`motives.models.evidence.structure_messages`).
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


def build_pooled(
    case: Case,
    *,
    lenses: list[str] | None = None,
    prior: Any = None,
    reliability: bool = True,
    tau: float = TAU,
) -> BuiltModel:
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

    from motives.models.evidence import reliability_vector, source_reliability
    from motives.models.exclusive import jsonable, nonempty_coords
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
    coords = nonempty_coords(base.coords())
    coords["lens"] = lens_ids
    coords["cell"] = [
        f"{base.items[i]}:{base.hypotheses[k]}" for i, k in zip(rows, cols, strict=True)
    ]
    coords = nonempty_coords(coords)
    other = np.stack([other_loglik_const(i) for i in inps])  # (A, T+Q, K)
    with pm.Model(coords=coords) as model:
        knobs = add_knobs(base)
        tau_d = pm.Data("tau", float(tau))
        lam_c = pt.as_tensor_variable(means.mean(axis=0))
        lam_a = [pt.as_tensor_variable(m) for m in means]
        if free.any():
            lam_c, lam_a = pool_cells(
                means,
                concs,
                tau_d,
                knobs["concentration"],
                names=("pool_alpha", "pool_beta", "consensus_logit", "lens_z", "judgements"),
                dims=("lens", "cell"),
            )
        rho_src = source_reliability(base, reliability=reliability)
        rho = reliability_vector(base, reliability=reliability, rho_src=rho_src)
        logpi = hypothesis_prior(kind, vec)
        N = len(base.items)
        E_d = len(base.direct_items)
        wt = knobs["weight"][:E_d] if base.structured else knobs["weight"]
        top_c: Any = 0.0
        top_a: list[Any] = [0.0] * A
        if base.structured:
            from motives.models.evidence import prop_other_const, structure_messages

            tab_c, tab_a = pool_tables(inps, tau_d, knobs["concentration"])
            cell_c, cell_a = pool_prop_cells(inps, tau_d, knobs["concentration"])
            oth = [[prop_other_const(p) for p in i.propositions] for i in inps]
            oth_c = [np.mean([o[j] for o in oth], axis=0) for j in range(len(base.propositions))]
            jc, ja = (
                pool_joint_cells(inps, tau_d, knobs["concentration"])
                if base.joint
                else (None, [None] * A)
            )
            top_c = structure_messages(
                base,
                tables=tab_c,
                cells=cell_c,
                rho_src=rho_src,
                knobs=knobs,
                other=oth_c,
                jcells=jc,
            ).sum(axis=0)
            top_a = [
                structure_messages(
                    inps[a],
                    tables=tab_a[a],
                    cells=cell_a[a],
                    rho_src=rho_src,
                    knobs=knobs,
                    other=oth[a],
                    jcells=ja[a],
                ).sum(axis=0)
                for a in range(A)
            ]

        def loglik(inp: Any, lam: Any, oth: np.ndarray) -> Any:
            parts = []
            if N:
                parts.append(
                    likelihood_loglik(inp, lam, rho, knobs["log_scale"][:N], knobs["observed"])
                )
            if oth.shape[0]:
                parts.append(pt.as_tensor_variable(oth) + knobs["log_scale"][N:])
            if not parts:
                return pt.zeros((0, len(base.hypotheses)))
            return pt.concatenate(parts, axis=0) if len(parts) > 1 else parts[0]

        joint = logpi + weighted_total(loglik(base, lam_c, other.mean(axis=0)), wt)
        if base.structured:
            joint = joint + top_c
        pm.Potential("marginal", pm.math.logsumexp(joint))
        cred = pm.Deterministic("credence", pt.special.softmax(joint), dims="hypothesis")
        pm.Deterministic("family_credence", pt.dot(cred, base.family_matrix), dims="family")

        def lens_joint(a: int) -> Any:
            j = logpi + weighted_total(loglik(inps[a], lam_a[a], other[a]), wt)
            return j + top_a[a] if base.structured else j

        per_lens = [pt.special.softmax(lens_joint(a)) for a in range(A)]
        pm.Deterministic("lens_credence", pt.stack(per_lens), dims=("lens", "hypothesis"))
    settings = {
        "model": "pooled",
        "lenses": lens_ids,
        "prior": jsonable(prior),
        "reliability": reliability,
        "tau": tau,
    }
    return BuiltModel(kind="pooled", model=model, inputs=inps, settings=settings)


def pool_cells(
    means: np.ndarray,
    concs: np.ndarray,
    tau: Any,
    concentration: Any,
    *,
    names: tuple[str, ...],
    dims: tuple[str, str] | None,
) -> tuple[Any, list[Any]]:
    """Consensus and per-lens probability matrices from the lenses' means and concentrations.

    The means and concentrations are (A, n, m).

    Cells some lens judges with a Beta get a consensus logit θ ~ Logistic(0, 1) and lens values
    σ(θ + τ z^a); the lenses' Betas enter as observations with weight 1/A (Potential ``names[4]``).
    ``names``: the alpha and beta ``pm.Data``, θ, z and the Potential. Other cells: the lenses'
    mean.
    """
    import pymc as pm
    import pytensor.tensor as pt

    A = means.shape[0]
    own_free = np.isfinite(concs)
    free = own_free.any(axis=0)
    rows, cols = np.nonzero(free)
    lam_c = pt.as_tensor_variable(means.mean(axis=0))
    lam_a = [pt.as_tensor_variable(m) for m in means]
    if not free.any():
        return lam_c, lam_a
    d2 = {"dims": dims} if dims else {"shape": (A, len(rows))}
    d1 = {"dims": dims[1]} if dims else {"shape": len(rows)}
    m = np.clip(means[:, rows, cols], 1e-3, 1 - 1e-3)
    k = np.where(own_free[:, rows, cols], concs[:, rows, cols], POINT_CONCENTRATION)
    alpha = pm.Data(names[0], m * k, **({"dims": dims} if dims else {}))
    beta = pm.Data(names[1], (1 - m) * k, **({"dims": dims} if dims else {}))
    theta = pm.Logistic(names[2], 0.0, 1.0, **d1)
    z = pm.Normal(names[3], 0.0, 1.0, **d2)
    cells_a = pt.sigmoid(theta[None, :] + tau * z)
    judged = pm.logp(pm.Beta.dist(alpha=alpha * concentration, beta=beta * concentration), cells_a)
    pm.Potential(names[4], judged.sum() / A)
    lam_c = pt.set_subtensor(lam_c[rows, cols], pt.sigmoid(theta))
    for a in range(A):
        keep = own_free[a, rows, cols]
        lam_a[a] = pt.set_subtensor(
            lam_a[a][rows[keep], cols[keep]], cells_a[a][np.flatnonzero(keep)]
        )
    return lam_c, lam_a


def pool_prop_cells(inps: list[Any], tau: Any, concentration: Any) -> tuple[Any, list[Any]]:
    """Pooled P(E | state) of the items under propositions, stacked (n, S_max).

    The layout is the exclusive model's.
    """
    from motives.models.evidence import structured_cell_arrays

    arrs = [structured_cell_arrays(i) for i in inps]
    return pool_cells(
        np.stack([a[0] for a in arrs]),
        np.stack([a[1] for a in arrs]),
        tau,
        concentration,
        names=("pcell_alpha", "pcell_beta", "pcell_logit", "pcell_z", "pcell_judgements"),
        dims=None,
    )


def pool_joint_cells(inps: list[Any], tau: Any, concentration: Any) -> tuple[Any, list[Any]]:
    """Pooled P(E | parent configuration) of the items of several parents, (n, V_max).

    The layout is the exclusive model's.
    """
    from motives.models.evidence import joint_cell_arrays

    arrs = [joint_cell_arrays(i) for i in inps]
    return pool_cells(
        np.stack([a[0] for a in arrs]),
        np.stack([a[1] for a in arrs]),
        tau,
        concentration,
        names=("jcell_alpha", "jcell_beta", "jcell_logit", "jcell_z", "jcell_judgements"),
        dims=None,
    )


def pool_tables(inps: list[Any], tau: Any, concentration: Any) -> tuple[list[Any], list[list[Any]]]:
    """Consensus and per-lens P(state | parent value) tables of every proposition.

    See the module docstring.
    """
    import pymc as pm
    import pytensor.tensor as pt

    A = len(inps)
    cons: list[Any] = []
    lens: list[list[Any]] = [[] for _ in range(A)]
    for j, p in enumerate(inps[0].propositions):
        T = np.stack([i.propositions[j].table for i in inps])  # (A, V, S)
        K = np.stack([i.propositions[j].table_conc for i in inps])  # (A, V)
        if len(p.states) == 2:
            c, per = pool_cells(
                T[:, :, :1],
                K[:, :, None],
                tau,
                concentration,
                names=(
                    f"table_{p.id}_alpha",
                    f"table_{p.id}_beta",
                    f"table_{p.id}_logit",
                    f"table_{p.id}_z",
                    f"table_{p.id}_judgements",
                ),
                dims=None,
            )
            cons.append(pt.concatenate([c, 1.0 - c], axis=1))
            for a in range(A):
                lens[a].append(pt.concatenate([per[a], 1.0 - per[a]], axis=1))
            continue
        own = np.isfinite(K)
        free = own.any(axis=0)
        Tc = pt.as_tensor_variable(T.mean(axis=0))
        Ta = [pt.as_tensor_variable(t) for t in T]
        if free.any():
            rows = np.flatnonzero(free)
            S = len(p.states)
            probs = np.clip(T[:, rows, :], 1e-3, None)
            probs = probs / probs.sum(axis=-1, keepdims=True)
            k = np.where(own[:, rows], K[:, rows], POINT_CONCENTRATION)
            alpha = pm.Data(f"table_{p.id}_alpha", probs * k[:, :, None])
            u = pm.Dirichlet(f"table_{p.id}_row", a=np.ones((len(rows), S)), shape=(len(rows), S))
            z = pm.Normal(f"table_{p.id}_z", 0.0, 1.0, shape=(A, len(rows), S))
            ua = pt.special.softmax(pt.log(u)[None] + tau * z, axis=-1)  # (A, R, S)
            judged = pm.logp(pm.Dirichlet.dist(a=alpha * concentration), ua)
            pm.Potential(f"table_{p.id}_judgements", judged.sum() / A)
            Tc = pt.set_subtensor(Tc[rows], u)
            for a in range(A):
                keep = np.flatnonzero(own[a, rows])
                Ta[a] = pt.set_subtensor(Ta[a][rows[keep]], ua[a][keep])
        cons.append(Tc)
        for a in range(A):
            lens[a].append(Ta[a])
    return cons, lens
