"""The exclusive PyMC model against the exact engine, seeds, refits, diagnostics, save/load.

Why the posterior mean of ``credence`` must equal the exact credence: the model's
joint density is p(λ, ρ, π) · Σ_h π_h L_h(λ, ρ), with L_h = Π_e P(E_e | h) and
c_h = π_h L_h / Σ_h' π_h' L_h'. Hence

    E[c_h | E] = ∫ p(λ, ρ, π) π_h L_h / Z = E[π_h] E[L_h] / Σ_h' E[π_h'] E[L_h'],

and E[L_h] = E_ρ Π_e (ρ E[λ_eh] + (1 − ρ) b̄_e) because the cells are independent
and P is linear in each row of λ (b_e is the row mean): exactly what
:func:`motives.exact.exact_posterior` computes (Gauss–Jacobi over a shared ρ,
Dirichlet priors through their mean). The tolerance is 4 Monte Carlo standard
errors of the posterior mean (ArviZ's ``mcse``), per hypothesis.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import motives as mv
from motives.errors import MotivesError
from motives.models.testing import random_case

STRUCTURE = {"n_items": 5, "n_hypotheses": 3, "n_sources": 1, "structure_seed": 100, "zeros": 1}


@pytest.fixture(scope="module")
def models_built():
    from motives.models.exclusive import build_exclusive

    return build_exclusive(random_case(0, **STRUCTURE))


def _check_exact(summary, exact, level="hypothesis"):
    got = summary.xs(level, level="level")
    want = exact.xs(level, level="level")["credence"]
    err = (got["credence"] - want).abs()
    assert (err <= 4 * got["mcse"] + 1e-12).all(), f"\n{got}\nexact:\n{want}"


def test_random_cases_match_exact(models_built):
    """Cases of one structure re-use one compiled model via pm.Data.

    The structure: shared source, zero cell, base rate.

    Three value seeds in one test, so that the model is compiled once even when xdist spreads tests.
    """
    from motives.models.evidence import data_for, model_inputs
    from motives.models.sampling import refit

    for value_seed in (0, 1, 2):
        case = random_case(value_seed, **STRUCTURE)
        inp = model_inputs(case)
        assert inp.sources and (inp.source_index >= 0).any()
        data = data_for(inp)
        data["log_prior"] = np.log(inp.prior)
        trace = refit(models_built, draws=1000, tune=500, chains=2, seed=value_seed, **data)
        res = mv.FitResult(trace)
        _check_exact(res.summary(), mv.exact_posterior(case))
        _check_exact(res.summary(), mv.exact_posterior(case), level="family")
    assert "nutpie" in models_built.compiled  # compiled once, re-used


def test_dirichlet_prior_through_fit():
    """``mv.fit`` with a Dirichlet prior (π random): the exact credence uses its mean."""
    case = random_case(7, n_items=3, n_hypotheses=3, n_sources=1)
    prior = {"dirichlet": {"h0": 2.0, "h1": 1.0, "h2": 4.0}}
    res = mv.fit(case, prior=prior, draws=1000, tune=500, chains=2, seed=3)
    assert "prior" in res.trace.posterior
    _check_exact(res.summary(), mv.exact_posterior(case, prior=prior))


@pytest.mark.slow
def test_real_case_matches_exact(bundled_case):
    """The Russia–Ukraine case under lens hughes.

    Loaded from the repository, whatever the working folder.
    """
    case = bundled_case
    res = mv.fit(case, lens="hughes", draws=1000, tune=1000, chains=2, seed=1)
    _check_exact(res.summary(), mv.exact_posterior(case, lens="hughes"))


def test_seeds_diagnostics_summary_knobs(models_built):
    """On the compiled model of the fixture (one test, so xdist compiles it once more at most)."""
    from motives.models.sampling import sample, set_data

    # the same seed gives identical draws, another seed different ones
    a = sample(models_built, draws=50, tune=50, chains=2, seed=11).posterior["credence"].values
    b = sample(models_built, draws=50, tune=50, chains=2, seed=11).posterior["credence"].values
    c = sample(models_built, draws=50, tune=50, chains=2, seed=12).posterior["credence"].values
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)

    # one tuning step and 10 draws: ESS fails, and every summary says so
    res = mv.FitResult(sample(models_built, draws=10, tune=1, chains=2, seed=1))
    d = res.diagnostics
    assert d["ok"] is False and d["problems"]
    assert d["ess_bulk_min"] < 400
    assert res.summary().attrs["diagnostics"]["ok"] is False
    assert res.summary_dict()["diagnostics"]["ok"] is False
    assert "FAILED" in repr(res)

    # summary shape
    res = mv.FitResult(sample(models_built, draws=100, tune=100, chains=2, seed=1))
    df = res.summary()
    assert list(df.columns) == [
        "credence",
        "lower",
        "upper",
        "mcse",
        "r_hat",
        "ess_bulk",
        "exact",
        "z",
    ]
    assert df.index.names == ["level", "id"]
    assert (df["lower"] <= df["credence"]).all() and (df["credence"] <= df["upper"]).all()
    j = res.summary_dict()
    assert j["interval"] == {"kind": "central", "mass": 0.9}
    assert set(j["hypotheses"]) == {"h0", "h1", "h2"}

    # knobs are checked
    with pytest.raises(MotivesError, match="unknown model input"):
        set_data(models_built, no_such_knob=1.0)
    with pytest.raises(MotivesError, match="shape"):
        set_data(models_built, log_prior=np.zeros(7))


def test_point_case_needs_no_sampler():
    """Every cell a point and the prior fixed: nothing is random.

    The trace repeats the exact answer.
    """
    res = mv.fit(mv.examples.load("dice"), draws=20, chains=2)
    np.testing.assert_allclose(
        res.summary()["credence"].to_numpy(),
        mv.exact_posterior(mv.examples.load("dice"))["credence"].to_numpy(),
        atol=1e-12,
    )
    assert res.diagnostics["ok"]


def test_save_load_and_config_hash(tmp_path):
    spec_file = tmp_path / "cookies.yaml"
    spec_file.write_text(
        f"name: cookies\ncase: {mv.examples.path('cookies')}\nsampler: {{draws: 20, chains: 2}}\n"
    )
    spec = mv.load_spec(spec_file)
    res = mv.models.fit_spec(spec, spec_file)
    path = res.save(tmp_path / "trace.nc")
    back = mv.load_result(path, spec_file)
    assert (
        back.config_hash
        == res.config_hash
        == mv.models.FitConfig.from_spec(spec, mv.examples.load("cookies")).hash()
    )
    assert json.loads(back.trace.attrs["motives_spec"])["name"] == "cookies"
    np.testing.assert_allclose(back.summary()["credence"], res.summary()["credence"])
    changed = spec.model_copy(update={"sampler": spec.sampler.model_copy(update={"seed": 2})})
    with pytest.raises(MotivesError, match="sampler.seed 1 -> 2"):
        mv.load_result(path, changed, case=mv.examples.load("cookies"))
    with pytest.raises(MotivesError, match="no such result"):
        mv.load_result(tmp_path / "missing.nc")


def test_import_models_does_not_import_pymc():
    code = "import sys, motives.models; print('pymc' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
