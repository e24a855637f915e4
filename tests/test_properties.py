"""Laws of Bayesian updating, checked by property-based tests on random cases."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import motives as mv
from motives import exact

probs = st.floats(min_value=0.01, max_value=1.0, allow_nan=False)


@st.composite
def cases(draw: st.DrawFn, min_items: int = 1) -> mv.Case:
    k = draw(st.integers(2, 5))
    n = draw(st.integers(min_items, 6))
    raw_prior = draw(st.lists(st.floats(0.05, 1.0), min_size=k, max_size=k))
    prior = [p / sum(raw_prior) for p in raw_prior]
    prior[-1] = 1.0 - sum(prior[:-1])
    hyps = [{"id": f"h{i}", "prior": prior[i]} for i in range(k)]
    items = [
        {
            "id": f"e{j}",
            "title": f"item {j}",
            "likelihoods": {f"h{i}": draw(probs) for i in range(k)},
        }
        for j in range(n)
    ]
    return mv.Case.model_validate({"name": "random", "hypotheses": hyps, "evidence": items})


def credences(case: mv.Case) -> np.ndarray:
    return exact.posterior(exact.compile_case(case))


def with_items(case: mv.Case, items: list) -> mv.Case:
    return case.model_copy(update={"evidence": items})


@settings(max_examples=60, deadline=None)
@given(cases())
def test_posterior_sums_to_one(case: mv.Case) -> None:
    c = credences(case)
    assert np.all(c >= 0)
    assert abs(c.sum() - 1) < 1e-12


@settings(max_examples=60, deadline=None)
@given(cases(min_items=2), st.randoms(use_true_random=False))
def test_invariant_to_evidence_order(case: mv.Case, rnd) -> None:
    items = list(case.evidence)
    rnd.shuffle(items)
    np.testing.assert_allclose(credences(with_items(case, items)), credences(case), atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(cases(), st.floats(0.01, 1.0))
def test_equal_likelihoods_change_nothing(case: mv.Case, p: float) -> None:
    flat = mv.LikelihoodItem.model_validate(
        {
            "id": "flat",
            "title": "non-diagnostic",
            "likelihoods": {h: p for h in case.hypothesis_ids},
        }
    )
    more = mv.Case.model_validate(
        {**case.model_dump(), "evidence": [*case.model_dump()["evidence"], flat.model_dump()]}
    )
    assert "flat" in more.non_diagnostic()
    np.testing.assert_allclose(credences(more), credences(case), atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(cases(min_items=2))
def test_batch_update_equals_sequential(case: mv.Case) -> None:
    """Updating on all items at once equals updating item by item, each posterior the next prior."""
    arr = exact.compile_case(case)
    post = arr.prior
    for j in range(len(arr.items)):
        one = arr.without([e for i, e in enumerate(arr.items) if i != j])
        post = exact.posterior(one, prior=post)
    np.testing.assert_allclose(post, exact.posterior(arr), atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(cases(), st.floats(0.05, 1.0), st.integers(0, 5))
def test_scaling_a_row_changes_nothing(case: mv.Case, c: float, j: int) -> None:
    arr = exact.compile_case(case)
    j = j % len(arr.items)
    lam = arr.lam.copy()
    lam[j] *= c
    np.testing.assert_allclose(exact.posterior(arr, lam=lam), exact.posterior(arr), atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(cases(min_items=2), st.integers(1, 40))
def test_scenario_axis_matches_one_by_one(case: mv.Case, s: int) -> None:
    """A leading scenario axis evaluates each scenario exactly as a separate call would."""
    arr = exact.compile_case(case)
    rng = np.random.default_rng(s)
    priors = rng.dirichlet(np.ones(len(arr.hypotheses)), size=s)
    lams = rng.uniform(0.01, 1, size=(s,) + arr.lam.shape)
    batch = exact.posterior(arr, prior=priors, lam=lams)
    loop = np.stack([exact.posterior(arr, prior=priors[i], lam=lams[i]) for i in range(s)])
    np.testing.assert_allclose(batch, loop, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(cases(min_items=2), st.floats(0.05, 0.95), st.floats(2.0, 50.0))
def test_shared_source_quadrature_matches_beta_moments(case: mv.Case, m: float, k: float) -> None:
    """Shared reliability: quadrature equals the polynomial in rho with Beta raw moments.

    E_rho[prod_e (rho lam_e + (1-rho) b_e)] by quadrature equals the polynomial expanded in rho with
    Beta raw moments E[rho^j] = prod_{i<j} (a+i)/(a+b+i).
    """
    data = case.model_dump()
    data["sources"] = [{"key": "src", "reliability": {"mean": m, "concentration": k}}]
    for it in data["evidence"]:
        it["reported_by"] = "src"
    shared = mv.Case.model_validate(data)
    arr = exact.compile_case(shared)
    a, b = m * k, (1 - m) * k
    n = len(arr.items)
    moments = [np.prod([(a + i) / (a + b + i) for i in range(j)]) for j in range(n + 1)]
    base = arr.lam.mean(axis=1)
    expected = []
    for h in range(len(arr.hypotheses)):
        poly = np.array([1.0])  # coefficients in rho, low to high
        for e in range(n):
            poly = np.convolve(poly, [base[e], arr.lam[e, h] - base[e]])
        expected.append(sum(c * moments[j] for j, c in enumerate(poly)))
    post = arr.prior * np.array(expected)
    np.testing.assert_allclose(exact.posterior(arr), post / post.sum(), rtol=1e-10, atol=1e-12)
