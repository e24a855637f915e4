"""The pooled model: identical lenses give the single-lens answer.

With τ = 0 every λ^a equals the consensus λ and the 1/A-weighted lens
judgements multiply to exactly the single lens's Beta density, so the
consensus and per-lens credences equal the exact single-lens credence: checked
within 4 Monte Carlo standard errors. With the default τ = 0.3 the lens
deviations loosen each judgement's grip on the consensus (an O(τ²) widening of
each cell on the logit scale), so the answer moves slightly: checked within
0.02 absolute (about 0.005 on this case at τ = 0.3; 0.03 at τ = 1).
"""

from __future__ import annotations

import numpy as np
import pytest

import motives as mv
from motives.models.testing import random_case


@pytest.fixture(scope="module")
def models_pooled():
    from motives.models.pooled import build_pooled

    case = random_case(
        4, n_items=4, n_hypotheses=3, n_sources=1, lenses=("a", "b"), identical_lenses=True
    )
    return case, build_pooled(case)


def _result(trace):
    trace.attrs["motives_model"] = "pooled"
    return mv.FitResult(trace)


def test_identical_lenses_tau_zero_is_single_lens(models_pooled):
    from motives.models.sampling import refit

    case, built = models_pooled
    want = mv.exact_posterior(case, lens="a").xs("hypothesis", level="level")["credence"].to_numpy()
    s = _result(refit(built, tau=0.0, draws=1000, tune=500, chains=2, seed=1)).summary()
    for lens in (None, "a", "b"):
        got = (
            s.xs("hypothesis", level="level")
            if lens is None
            else s.xs("lens", level="level").loc[[f"{lens}/{h}" for h in case.hypothesis_ids]]
        )
        assert (np.abs(got["credence"].to_numpy() - want) <= 4 * got["mcse"].to_numpy()).all(), (
            lens,
            got,
            want,
        )


def test_identical_lenses_default_tau_is_close(models_pooled):
    from motives.models.pooled import TAU
    from motives.models.sampling import refit

    case, built = models_pooled
    want = mv.exact_posterior(case, lens="a").xs("hypothesis", level="level")["credence"].to_numpy()
    res = _result(refit(built, tau=TAU, draws=1000, tune=500, chains=2, seed=2))
    s = res.summary()
    np.testing.assert_allclose(s.xs("hypothesis", level="level")["credence"], want, atol=0.02)
    np.testing.assert_allclose(s.xs("lens", level="level")["credence"], np.tile(want, 2), atol=0.02)
    j = res.summary_dict()
    assert set(j["lenses"]) == {f"{a}/{h}" for a in "ab" for h in case.hypothesis_ids}
