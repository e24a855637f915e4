"""The mixture model's shares against the closed form, and the closed form against brute force.

For fixed λ the posterior of w is ∝ Dir(w; a) Π_e Σ_h w_h λ[e, h], whose mean
:func:`motives.exact_mixture.mixture_posterior_mean` computes exactly by
expanding the product and taking Dirichlet moments. The MCMC posterior mean of
``share`` must match it within 4 Monte Carlo standard errors per hypothesis.
"""

from __future__ import annotations

import numpy as np
import pytest

import motives as mv
from motives.exact_mixture import exact_mixture, mixture_posterior_mean
from motives.models.testing import random_case


def test_two_hypotheses_match_quadrature():
    """K = 2: the posterior mean of w_1 by the trapezoid rule on 2·10^5 points, to 1e-8."""
    rng = np.random.default_rng(4)
    L = rng.uniform(0.05, 1.0, (6, 2))
    a = np.array([1.5, 0.7])
    w = np.linspace(0, 1, 200_001)[1:-1]
    f = np.prod(L[:, :1] * w + L[:, 1:] * (1 - w), axis=0) * w ** (a[0] - 1) * (1 - w) ** (a[1] - 1)
    want = np.trapezoid(w * f, w) / np.trapezoid(f, w)
    assert mixture_posterior_mean(L, a)[0] == pytest.approx(want, abs=1e-4)


def test_three_hypotheses_match_importance_sampling():
    """K = 3: self-normalised importance sampling from the Dirichlet prior, within 4 SE.

    The importance sampling uses 4·10^5 draws.
    """
    rng = np.random.default_rng(5)
    L = rng.uniform(0.05, 1.0, (5, 3))
    a = np.array([1.0, 2.0, 0.5])
    w = rng.dirichlet(a, 400_000)
    lik = np.prod(w @ L.T, axis=1)
    p = lik / lik.sum()
    est = p @ w
    se = np.sqrt((p[:, None] ** 2 * (w - est) ** 2).sum(axis=0))
    np.testing.assert_array_less(np.abs(mixture_posterior_mean(L, a) - est), 4 * se)


def test_zero_cells_and_scale_invariance():
    L = np.array([[0.5, 0.0, 0.2], [0.1, 0.9, 0.0]])
    m = mixture_posterior_mean(L, np.ones(3))
    assert m.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(mixture_posterior_mean(L * np.array([[3.0], [0.2]]), np.ones(3)), m)


def test_thirty_items_six_hypotheses_is_feasible():
    rng = np.random.default_rng(6)
    m = mixture_posterior_mean(rng.uniform(0.05, 1.0, (30, 6)), np.ones(6))
    assert m.sum() == pytest.approx(1.0) and np.all(m > 0)


def test_mcmc_shares_match_exact_fixed_lambda():
    """All cells points (λ fixed), prior Dirichlet(2, 1, 1)."""
    case = random_case(8, n_items=6, n_hypotheses=3, n_sources=0, point_fraction=1.0)
    prior = {"dirichlet": [2.0, 1.0, 1.0]}
    res = mv.fit(case, model="mixture", prior=prior, draws=1000, tune=500, chains=2, seed=2)
    want = exact_mixture(case, prior=prior)
    got = res.summary().xs("hypothesis", level="level")
    assert (np.abs(got["credence"].to_numpy() - want) <= 4 * got["mcse"].to_numpy()).all(), (
        got,
        want,
    )
    j = res.summary_dict()
    assert j["model"] == "mixture" and "share" in j["quantity"]
    # the same comparison, made by every fit: exact_check against the closed form
    assert j["exact_check"]["available"] and j["exact_check"]["ok"], j["exact_check"]
    np.testing.assert_allclose(
        [j["exact_check"]["hypotheses"][h]["exact"] for h in case.hypothesis_ids], want
    )
    fam = res.summary().xs("family", level="level")["credence"].sum()
    assert fam == pytest.approx(1.0)


def test_uncertain_source_is_refused_by_closed_form():
    from motives.models.api import exact_reference

    case = random_case(9, n_items=3, n_hypotheses=2, n_sources=1, structure_seed=1)
    assert any(e.reported_by for e in case.evidence)
    with pytest.raises(mv.MotivesError, match="uncertain reliability"):
        exact_mixture(case)
    # so a mixture fit of it says why it has no exact check; the pooled model never has one
    settings = {"model": "mixture", "lens": None, "prior": None, "reliability": True}
    ref = exact_reference(case, settings)
    assert ref["available"] is False and "uncertain reliability" in ref["reason"]
    assert exact_reference(case, {**settings, "model": "pooled"}) == {
        "available": False,
        "reason": "the pooled model has no closed form",
    }
    assert exact_reference(case, {**settings, "model": "exclusive"})["available"] is True
