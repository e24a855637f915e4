"""The mixture model: motives need not be exclusive; the posterior is over explanatory shares.

    w ~ Dirichlet(a),   P(E_e | w) = Σ_h w_h P(E_e | h),

with P(E_e | h) the same per-item likelihood as the exclusive model (Beta λ,
source reliability, timeline and quantity densities). ``share`` (by
hypothesis) is w; ``family_share`` sums it by family. The concentration a is
the spec's ``{dirichlet: ...}`` prior, or for a fixed prior p, a = K·p (mean
p, total concentration K; all ones for a uniform prior).

For λ fixed (or Beta but independent cells, and no uncertain source) the
posterior mean of w is closed form: :func:`motives.exact_mixture.mixture_posterior_mean`.

Propositions. A proposition that bears on the hypotheses is drawn from the
mixture: P(s | w) = Σ_h w_h P(s | h), and everything under it (items,
deeper propositions) follows from its state as in the exclusive model, so

    P(E_p | w) = Σ_s P(s | w) m_p(s) = Σ_h w_h m_p(h),

one mixture factor per top-level proposition, m_p(h) the message the
exclusive model's proposition sends (tables and cells random as there). Why
this and not a mixture per item (each item's implied P(E | h) mixed on its
own): a proposition is one fact, and the mixture model says which motive
accounts for each independent unit of evidence; mixing per item would make
the items under one proposition independent given w — the naive count the
structure exists to correct — and lose the cap (a proposition's items can
never count for more than the proposition). With tables and cells fixed the
likelihood is still a product of linear forms in w (one per direct item and
per top-level proposition), so the closed form covers it
(:func:`motives.exact_mixture.exact_mixture`).

Networks. The same rule, stated for any node: wherever the hypotheses are a
parent — of a fact, of an item, alone or beside other facts — they are
replaced by the w-weighted mixture over hypotheses,

    P(x | other parents, w) = Σ_h w_h P(x | h, other parents),

and everything else is the network as it stands (root facts, facts of
several parents, observed facts), summed out by the exact engine's elimination
plan (:func:`motives.models.evidence.network_mixture_loglik`). Why: the
mixture model's unit is a node the hypotheses bear on directly; each such
node's motive is drawn from w on its own (a hypothesis node of its own,
h_x ~ Categorical(w), summed out), while the other parents are facts of the
world, shared by every node that has them as a parent — an earthquake that
might set off the alarm does so whichever motive the alarm's burglary
belongs to. On a tree this is exactly the rule above (a top-level
proposition's factor Σ_h w_h P(s | h) times what lies under it is
Σ_h w_h m_p(h)), and a direct item is the special case of an item whose
only parent is the hypotheses. Two nodes the hypotheses bear on that share a
fact below or beside them no longer give a product of linear forms in w
(the fact couples them), so the closed form checks a network only when each
part of it hangs from the hypotheses by one node (see
:func:`motives.exact_mixture.exact_mixture`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from motives.exact_mixture import dirichlet_concentration
from motives.models.evidence import SigmaMode, TimelineMode, item_loglik, model_inputs
from motives.models.knobs import add_knobs
from motives.schema import Case

if TYPE_CHECKING:
    from motives.models.sampling import BuiltModel


def build_mixture(
    case: Case,
    *,
    lens: str | None = None,
    prior: Any = None,
    reliability: bool = True,
    timeline: TimelineMode = "marginal",
    sigma: SigmaMode = "fixed",
) -> BuiltModel:
    """Build the mixture model of a case under one lens (no sampling).

    Parameters
    ----------
    case, lens, prior, reliability, timeline, sigma
        As for :func:`motives.models.exclusive.build_exclusive`; the prior sets
        the Dirichlet concentration of the shares.

    Returns
    -------
    BuiltModel
        Deterministics ``share`` (hypothesis) and ``family_share`` (family);
        ``pm.Data`` knob ``share_concentration`` besides the shared knobs.
    """
    import pymc as pm
    import pytensor.tensor as pt

    from motives.models.evidence import (
        beta_cells,
        network_mixture_loglik,
        reliability_vector,
        source_reliability,
    )
    from motives.models.exclusive import (
        jsonable,
        nonempty_coords,
        structure_inputs,
        structured_loglik,
    )
    from motives.models.sampling import BuiltModel

    inp = model_inputs(case, lens)
    a = dirichlet_concentration(case, prior)
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
        conc = pm.Data("share_concentration", a, dims="hypothesis")
        w = pm.Dirichlet("w", a=conc, dims="hypothesis")
        per_item = pm.math.logsumexp(
            pt.log(w)[None, :] + ll, axis=1
        ).ravel()  # log Σ_h w_h P(E_e | h)
        wt = knobs["weight"]
        if not inp.structured:
            pm.Potential("mixture_evidence", pt.switch(pt.eq(wt, 0.0), 0.0, wt * per_item).sum())
        elif inp.network:
            wt = wt[: len(inp.direct_items)]
            tables, cells, jcells = structure_inputs(inp, knobs)
            struct = network_mixture_loglik(
                inp,
                logw=pt.log(w),
                tables=tables,
                cells=cells,
                jcells=jcells,
                rho_src=rho_src,
                knobs=knobs,
                timeline=timeline,
                sigma=sigma,
            )
            pm.Potential(
                "mixture_evidence", pt.switch(pt.eq(wt, 0.0), 0.0, wt * per_item).sum() + struct
            )
        else:
            wt = wt[: len(inp.direct_items)]
            tops = structured_loglik(
                inp, knobs, rho_src, timeline=timeline, sigma=sigma
            )  # (P_top, K)
            per_prop = pm.math.logsumexp(
                pt.log(w)[None, :] + tops, axis=1
            ).ravel()  # log Σ_h w_h m_p(h)
            pm.Potential(
                "mixture_evidence",
                pt.switch(pt.eq(wt, 0.0), 0.0, wt * per_item).sum() + per_prop.sum(),
            )
        share = pm.Deterministic("share", w, dims="hypothesis")
        pm.Deterministic("family_share", pt.dot(share, inp.family_matrix), dims="family")
    settings = {
        "model": "mixture",
        "lens": inp.lens,
        "prior": jsonable(prior),
        "reliability": reliability,
        "timeline": timeline,
        "sigma": sigma,
    }
    return BuiltModel(kind="mixture", model=model, inputs=inp, settings=settings)
