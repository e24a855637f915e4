"""The tabulated Beta and Gamma quantiles of the Sobol analysis against scipy's, and the Sobol
indices computed with them against the indices computed with scipy's quantiles.

Tolerances. A tabulated input is checked at every interval's midpoint to ``TOL`` (1e-8) on the
logit (Beta) or log (Gamma) scale, where a quintic Hermite interpolant errs most; between check
points the error can exceed that a little (the sixth derivative varies over an interval), so the
tests allow 3 x TOL on that scale, plus 4 ulps of x for the rounding of x itself (a quantile within
1e-16 of 1 has no relative precision left in 1 - x, in scipy's value as in ours). Sobol indices: the
inputs move by a relative 3e-8 at most, the output (log-odds in decibans, a sum over items of log
likelihoods) by at most 3e-8 x 4.3 dB per uncertain cell, under 1e-5 dB for the cases here against
an output spread of decibans, so an index (a ratio of mean products of outputs to their variance)
moves by less than 1e-6.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from motives.models.testing import random_case
from motives.sensitivity import global_sensitivity, quantiles
from motives.sensitivity.quantiles import TOL, U_CLIP, quantile_table

EPS = np.finfo(float).eps


def _uniforms(rng: np.random.Generator, rows: int, d: int) -> np.ndarray:
    u = np.clip(rng.random((rows, d)), U_CLIP, 1 - U_CLIP)
    u[0], u[1] = U_CLIP, 1 - U_CLIP  # both ends of the range Sobol uses
    u[2] = 0.5
    return u


@st.composite
def _shapes(draw: Any) -> tuple[np.ndarray, np.ndarray]:
    """Beta shapes from a mean and a concentration, extremes included."""
    n = draw(st.integers(1, 40))
    mean = draw(
        st.lists(
            st.one_of(
                st.floats(1e-6, 1 - 1e-6),
                st.sampled_from([1e-12, 1e-6, 0.001, 0.5, 0.999, 1 - 1e-6, 1 - 1e-12]),
            ),
            min_size=n,
            max_size=n,
        )
    )
    conc = draw(
        st.lists(
            st.one_of(st.floats(1e-2, 1e8), st.sampled_from([0.01, 1.0, 2.0, 30.0, 1e6, 1e12])),
            min_size=n,
            max_size=n,
        )
    )
    m, c = np.array(mean), np.array(conc)
    return m * c, (1 - m) * c


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_shapes(), st.integers(0, 2**32 - 1))
def test_beta_table_matches_scipy(shapes: tuple[np.ndarray, np.ndarray], seed: int) -> None:
    """Every input, tabulated or computed exactly, is scipy's Beta quantile to the stated bound."""
    a, b = shapes
    q = quantile_table(a, b)
    u = _uniforms(np.random.default_rng(seed), 64, len(a))
    got, want = q(u), stats.beta.ppf(u, a, b)
    assert np.isfinite(got).all() and ((got >= 0) & (got <= 1)).all()
    assert np.array_equal(got[:, q.exact], want[:, q.exact])  # computed by scipy itself
    bound = 3 * TOL * want * (1 - want) + 4 * EPS * np.maximum(want, EPS)
    assert (np.abs(got - want) <= bound).all(), np.max(np.abs(got - want) / bound)
    assert q.max_error <= TOL


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(st.floats(1e-2, 1e6), st.sampled_from([0.01, 0.5, 1.0, 3.0, 1e4])),
        min_size=1,
        max_size=20,
    ),
    st.integers(0, 2**32 - 1),
)
def test_gamma_table_matches_scipy(shape: list[float], seed: int) -> None:
    """Gamma(a, 1) inputs (the Dirichlet rows of proposition tables) to the same bound, in log x."""
    a = np.array(shape)
    q = quantile_table(a, np.ones_like(a), np.ones(len(a), dtype=bool))
    u = _uniforms(np.random.default_rng(seed), 64, len(a))
    got, want = q(u), stats.gamma.ppf(u, a)
    assert np.isfinite(got).all() and (got >= 0).all()
    bound = 3 * TOL * want + 4 * EPS * np.maximum(want, np.finfo(float).tiny)
    assert (np.abs(got - want) <= bound).all(), np.max(np.abs(got - want) / bound)


def test_typical_shapes_are_tabulated() -> None:
    """The shapes a case's confidences give (concentrations 2 to 1e4) are tabulated, not
    computed one by one (which is what made a 300 x 200 report slow)."""
    rng = np.random.default_rng(7)
    m, c = rng.uniform(0.02, 0.98, 2000), 10 ** rng.uniform(np.log10(2), 4, 2000)
    q = quantile_table(m * c, (1 - m) * c)
    assert q.exact.mean() < 0.05, q.exact.mean()


def test_a_table_that_cannot_be_tabulated_falls_back_to_scipy() -> None:
    """Quantiles that underflow to 0 (a = 0.001) cannot be tabulated on the logit scale."""
    a, b = np.array([0.001, 2.0]), np.array([5.0, 3.0])
    q = quantile_table(a, b)
    assert q.exact.tolist() == [True, False]
    u = _uniforms(np.random.default_rng(0), 16, 2)
    assert np.array_equal(q(u)[:, 0], stats.beta.ppf(u[:, 0], a[0], b[0]))


def _exact_table(a: Any, b: Any, gamma: Any = None, **_: Any) -> Any:
    """scipy's quantiles for every input (the path before the tables)."""
    gamma = np.zeros(len(a), dtype=bool) if gamma is None else np.asarray(gamma, dtype=bool)
    return lambda u: quantiles._exact(np.asarray(u), np.asarray(a), np.asarray(b), gamma)


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.integers(0, 10_000),
    st.integers(2, 8),
    st.integers(2, 6),
    st.sampled_from(["log_odds", "credence"]),
    st.sampled_from(["item", "cell"]),
    st.booleans(),
)
def test_sobol_indices_equal_those_of_the_path_before(
    seed: int, n_hyp: int, n_items: int, scale: str, by: str, reliability: bool
) -> None:
    """Generated cases: the indices with tabulated quantiles and the additive evaluation equal
    those with scipy's quantiles and a full engine call per draw (the path before) to 1e-6."""
    case = random_case(seed, n_items=n_items, n_hypotheses=n_hyp, n_sources=2, zeros=seed % 2)
    kw: dict[str, Any] = {"n": 256, "n_boot": 0, "scale": scale, "by": by}
    new = global_sensitivity(case, reliability=reliability, **kw)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("motives.sensitivity.sobol_inputs.quantile_table", _exact_table)
        mp.setattr("motives.sensitivity.sobol_inputs.additive_form", lambda *a, **k: None)
        old = global_sensitivity(case, reliability=reliability, **kw)
    assert set(new.index) == set(old.index)  # the order of near-ties may differ
    a = new.loc[old.index, ["S1", "ST"]].to_numpy(dtype=float)
    b = old[["S1", "ST"]].to_numpy(dtype=float)
    assert np.array_equal(np.isnan(a), np.isnan(b))  # a degenerate table (-inf draws) in both
    diff = np.abs(a - b)
    assert diff.size == 0 or np.nanmax(diff, initial=0.0) < 1e-6, diff
    v_new, v_old = new.attrs["variance"], old.attrs["variance"]
    assert np.isclose(v_new, v_old, rtol=1e-6, atol=0.0, equal_nan=True), (v_new, v_old)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.integers(0, 10_000),
    st.integers(2, 6),
    st.integers(1, 7),
    st.sampled_from(["log_odds", "credence"]),
    st.sampled_from(["item", "cell"]),
    st.booleans(),
    st.integers(0, 2),
)
def test_additive_outputs_equal_the_engine_draw_by_draw(
    seed: int, n_hyp: int, n_items: int, scale: str, by: str, reliability: bool, zeros: int
) -> None:
    """f(A), f(B) and every f(A_B^j) from the per-item terms equal the engine's (``func``) on the
    same matrices to 1e-9 relative (the sums are taken in another order); -inf where it is -inf."""
    from motives.sensitivity.sobol_additive import additive_outputs
    from motives.sensitivity.sobol_inputs import plan_sobol

    case = random_case(
        seed, n_items=n_items, n_hypotheses=n_hyp, n_sources=2, zeros=min(zeros, n_items)
    )
    plan = plan_sobol(case, None, None, None, by, scale, reliability)
    if plan.d == 0:
        return
    assert plan.additive is not None and plan.func is not None and plan.ppf is not None
    rng = np.random.default_rng(seed)
    XA, XB = plan.ppf(_uniforms(rng, 37, plan.d)), plan.ppf(_uniforms(rng, 37, plan.d))
    fA, fB, fAB = additive_outputs(plan.additive, XA, XB, plan.groups)
    want = [plan.func(XA), plan.func(XB)]
    for g in plan.groups:
        X = XA.copy()
        X[:, g] = XB[:, g]
        want.append(plan.func(X))
    got, ref = np.vstack([fA, fB, fAB]), np.vstack(want)
    assert np.array_equal(np.isfinite(got), np.isfinite(ref))
    assert np.array_equal(got[~np.isfinite(got)], ref[~np.isfinite(ref)])
    fin = np.isfinite(ref)
    np.testing.assert_allclose(got[fin], ref[fin], rtol=1e-9, atol=1e-9)


def test_a_case_with_propositions_keeps_the_full_evaluation() -> None:
    """The additive form is for cases without propositions; a structured case has none."""
    from motives.sensitivity.sobol_inputs import plan_sobol
    from motives.testing import random_structured_case

    plan = plan_sobol(random_structured_case(3), None, None, None, "item", "log_odds", True)
    assert plan.additive is None and plan.func is not None


def test_more_inputs_than_a_sobol_sequence_holds_are_sampled_at_random_and_said_so() -> None:
    """Over scipy's 21,201 dimensions (two per input) the samples are pseudo-random, and the
    table's warning says so; below, the Sobol sequence, and no such sentence."""
    from scipy.stats import qmc

    from motives.sensitivity.sobol import _sobol_warning, sobol_indices

    d = qmc.Sobol.MAXDIM // 2 + 1
    df = sobol_indices(lambda x: x[:, 0] + x[:, 1], lambda u: u, d, 4, n_boot=0, chunk=4)
    assert df.attrs["sampling"] == "random"
    assert "pseudo-random" in _sobol_warning(df, [], d)
    small = sobol_indices(lambda x: x[:, 0] + x[:, 1], lambda u: u, 2, 4, n_boot=0)
    assert small.attrs["sampling"] == "sobol" and "pseudo-random" not in _sobol_warning(small, [])
