"""The ``pm.Data`` knobs every model shares, and the hypothesis prior.

Knobs (all ``pm.Data``, so a refit re-uses the compiled model):

``concentration``
    scalar multiplier of every likelihood cell's Beta concentration (default 1);
``log_scale``
    (evidence, hypothesis) log factors on the likelihoods (default 0): λ[e, h]
    is multiplied by exp(log_scale) before the source mixture, the row divided
    by its largest value if that exceeds 1; timeline and quantity items get it
    added to their log densities;
``weight``
    (evidence,) exponent on each item's likelihood (default 1; 0 leaves the item out);
``observed``
    (likelihood items,) 1 where the item was observed (default), 0 where it
    was not (the term becomes log(1 − P)): used by simulation-based calibration;
``log_prior``
    (hypothesis,) log of a fixed prior, or ``prior_concentration`` for a Dirichlet prior.

In a case with propositions, ``log_scale`` and ``observed`` cover the items
that bear on the hypotheses (``log_scale`` has dims ``direct``, hypothesis),
``weight`` covers every item (direct items first, then the items under each
proposition, parents first), and the items under propositions have
``prop_log_scale`` (items, largest number of states; a log factor on
P(E | state)) and ``prop_observed``; items of several parents (listed last in
``weight``) have ``joint_log_scale`` (items, largest number of parent
configurations) and ``joint_observed``. Each proposition p has ``table_{p}`` (its
table's means, parent values x states) and, when some rows are uncertain,
``table_conc_{p}`` (each row's concentration; ``concentration`` multiplies it
too); ``plam_fixed`` / ``plam_alpha`` / ``plam_beta`` hold the items' cells
(:func:`motives.models.evidence.data_for` computes them all from a case).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from motives.errors import CaseError, Problem
from motives.exact import prior_from
from motives.models.evidence import ModelInputs
from motives.schema import Case

PriorKind = Literal["fixed", "dirichlet"]


def parse_prior(case: Case, prior: Any) -> tuple[PriorKind, np.ndarray]:
    """("fixed", probabilities) or ("dirichlet", concentrations) from any accepted prior form."""
    H = case.hypothesis_ids
    if isinstance(prior, dict) and set(prior) == {"dirichlet"}:
        prior_from(case, prior)  # validates
        a = prior["dirichlet"]
        return "dirichlet", np.array([a[h] for h in H] if isinstance(a, dict) else a, dtype=float)
    return "fixed", prior_from(case, prior)


def add_knobs(inp: ModelInputs) -> dict[str, Any]:
    """Create the shared ``pm.Data`` knobs inside the open model."""
    import pymc as pm

    E, K, N = len(inp.all_items), len(inp.hypotheses), len(inp.items)
    if not inp.structured:
        return {
            "concentration": pm.Data("concentration", 1.0),
            "log_scale": pm.Data("log_scale", np.zeros((E, K)), dims=("evidence", "hypothesis")),
            "weight": pm.Data("weight", np.ones(E), dims="evidence"),
            "observed": pm.Data("observed", np.ones(N)),
        }
    E_d, W = len(inp.direct_items), inp.state_width
    n_s = sum(len(p.items) for p in inp.propositions)
    out = {
        "concentration": pm.Data("concentration", 1.0),
        "log_scale": pm.Data(
            "log_scale", np.zeros((E_d, K)), dims=("direct", "hypothesis") if E_d else None
        ),
        "weight": pm.Data("weight", np.ones(E), dims="evidence" if E else None),
        "observed": pm.Data("observed", np.ones(N)),
        "prop_log_scale": pm.Data("prop_log_scale", np.zeros((len(inp.proposition_items), W))),
        "prop_observed": pm.Data("prop_observed", np.ones(n_s)),
    }
    if inp.joint:
        out["joint_log_scale"] = pm.Data(
            "joint_log_scale", np.zeros((len(inp.joint), inp.joint_width))
        )
        out["joint_observed"] = pm.Data("joint_observed", np.ones(len(inp.joint)))
    return out


def hypothesis_prior(kind: PriorKind, vec: np.ndarray) -> Any:
    """Log π as a tensor: a ``pm.Data`` (fixed) or the log of a Dirichlet random variable."""
    import pymc as pm
    import pytensor.tensor as pt

    if kind == "dirichlet":
        conc = pm.Data("prior_concentration", vec, dims="hypothesis")
        pi = pm.Dirichlet("prior", a=conc, dims="hypothesis")
        return pt.log(pi)
    with np.errstate(divide="ignore"):
        return pm.Data("log_prior", np.log(vec), dims="hypothesis")


def weighted_total(ll: Any, weight: Any) -> Any:
    """Σ_e w_e ll[e, h] with 0 · (−inf) taken as 0 (an item left out cannot rule anything out)."""
    import pytensor.tensor as pt

    w = weight[:, None]
    return pt.switch(pt.eq(w, 0.0), 0.0, w * ll).sum(axis=0)


def check_posterior_exists(joint_values: np.ndarray) -> None:
    """Raise when every hypothesis has log weight −inf (the evidence rules out all of them)."""
    if not np.any(np.isfinite(joint_values)):
        raise CaseError(
            [
                Problem(
                    "the evidence rules out every hypothesis (each has a likelihood of 0 somewhere "
                    "or a prior of 0): no posterior exists",
                    field="likelihoods",
                )
            ]
        )
