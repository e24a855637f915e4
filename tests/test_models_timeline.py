"""Timeline evidence in the exclusive model against the closed form.

With σ fixed, y ~ MVN(X m_h, σ²I + X S_h Xᵀ) is the marginal likelihood
(:func:`motives.exact.timeline_loglik`). The model samples (a_h, b_h) explicitly
(``timeline="explicit"``); with equal priors the posterior mean credence of a
hypothesis is BF / (1 + BF), BF the closed-form Bayes factor, and must match it
within 4 Monte Carlo standard errors. The data are chosen so that the answer
is not decided outright (credence about 0.57), which makes the check sharp.
"""

from __future__ import annotations

import numpy as np
import pytest

import motives as mv
from motives.exact import timeline_data, timeline_loglik
from motives.models.testing import timeline_case


def _bayes_factor_credence(case):
    item = case.evidence[0]
    t, y = timeline_data(item)
    j = item.trends["default"].values
    ll = [
        timeline_loglik(
            t, y, item.sigma, j[h].intercept.mean, j[h].intercept.sd, j[h].slope.mean, j[h].slope.sd
        )
        for h in ("flat", "rising")
    ]
    bf = np.exp(ll[0] - ll[1])
    return bf / (1 + bf)


def test_closed_form_case_is_undecided():
    case = timeline_case()
    c = _bayes_factor_credence(case)
    assert 0.2 < c < 0.8
    assert mv.exact_posterior(case).loc[("hypothesis", "flat"), "credence"] == pytest.approx(c)


def test_explicit_trends_match_bayes_factor():
    from motives.models.exclusive import build_exclusive
    from motives.models.sampling import sample

    case = timeline_case()
    built = build_exclusive(case, timeline="explicit")
    res = mv.FitResult(sample(built, draws=1000, tune=1000, chains=4, seed=5))
    s = res.summary().loc[("hypothesis", "flat")]
    assert abs(s["credence"] - _bayes_factor_credence(case)) <= 4 * s["mcse"], s
    assert "rhetoric_intercept" in res.trace.posterior


def test_marginal_timeline_is_exact_and_needs_no_sampler():
    """The default integrates the trends out.

    Nothing random is left, the credence is the closed form.
    """
    res = mv.fit(timeline_case(), draws=20, chains=1)
    assert res.summary().loc[("hypothesis", "flat"), "credence"] == pytest.approx(
        _bayes_factor_credence(timeline_case()), abs=1e-12
    )


@pytest.mark.parametrize("sigma", [0.5, 0.75, 1.3])
def test_free_sigma_marginal_matches_closed_form(sigma):
    """The 2 x 2 (Woodbury) form used when σ is free equals the dense closed form at any σ.

    To 1e-7 relative: the 2 x 2 form subtracts nearly equal terms.
    """
    import pytensor.tensor as pt

    from motives.models.evidence import marginal_trend_loglik, model_inputs

    tl = model_inputs(timeline_case()).timelines[0]
    got = marginal_trend_loglik(tl, pt.as_tensor_variable(sigma)).eval()
    want = [
        timeline_loglik(tl.t, tl.y, sigma, tl.a_mean[k], tl.a_sd[k], tl.b_mean[k], tl.b_sd[k])
        for k in range(2)
    ]
    np.testing.assert_allclose(got, want, rtol=1e-7)


@pytest.mark.slow
def test_free_sigma_runs_and_moves_little():
    """σ ~ HalfNormal(item σ): a model option.

    The data are consistent with σ, so the answer stays near.
    """
    from motives.models.exclusive import build_exclusive
    from motives.models.sampling import sample

    built = build_exclusive(timeline_case(), sigma="free")
    res = mv.FitResult(sample(built, draws=500, tune=500, chains=2, seed=1))
    assert "rhetoric_sigma" in res.trace.posterior
    assert res.summary().loc[("hypothesis", "flat"), "credence"] == pytest.approx(
        _bayes_factor_credence(timeline_case()), abs=0.15
    )
