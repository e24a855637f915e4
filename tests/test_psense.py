"""Power-scaling sensitivity (``motives.models.psense``) against refits at power-scaled priors.

A small case (two hypotheses, three items with Beta cells, one source of uncertain reliability)
is fitted once; arviz-stats' ``psense`` and the importance-weighted direction say how each
credence moves as the judgements' priors are raised to a power α near 1. Refits at α = 0.5 and
α = 2 (every Beta(a, b) → Beta(α(a − 1) + 1, α(b − 1) + 1), through the model's knobs, run by
``motives.models.many``) must move the credence the same way wherever the refits' difference is
clear of Monte Carlo error (more than 4 standard errors); at least one credence must be.
"""

from __future__ import annotations

import numpy as np
import pytest

from motives.errors import MotivesError
from motives.models import fit, load_result
from motives.models.exclusive import build_exclusive
from motives.models.many import FitTask, run_fits
from motives.models.psense import (
    THRESHOLD,
    judgement_sensitivity,
    power_sensitivity,
    scaled_beta_knobs,
    statement,
)
from motives.models.testing import random_case
from motives.schema import Case


def _case() -> Case:
    """Two hypotheses; the items' cells loosely held (concentration 6), so their priors matter."""
    items = []
    for i, (a, b) in enumerate([(0.8, 0.3), (0.35, 0.7), (0.75, 0.4)]):
        item = {
            "id": f"e{i}",
            "title": f"item {i}",
            "likelihoods": {
                "a": {"mean": a, "concentration": 6},
                "b": {"mean": b, "concentration": 6},
            },
        }
        if i < 2:
            item["reported_by"] = "s"
        items.append(item)
    return Case.model_validate(
        {
            "name": "ps",
            "hypotheses": [{"id": "a", "prior": 0.3}, {"id": "b", "prior": 0.7}],
            "sources": [{"key": "s", "reliability": {"mean": 0.8, "concentration": 6}}],
            "evidence": items,
        }
    )


def test_log_densities_on_demand_per_judgement(tmp_path):
    case = random_case(11, n_items=2, n_hypotheses=2, n_sources=1)
    res = fit(case, draws=100, tune=100, chains=2, backend="pymc")
    # a fit does not compute them; asking for psense does, once, and keeps them on the fit
    assert not res.has_log_densities and "log_prior" not in res.trace.children
    identity = (res.config_hash, res.trace.attrs["motives_draws_digest"])
    table = power_sensitivity(res)
    assert (
        res.has_log_densities and "log_likelihood" in res.children
    )  # ArviZ sees them on the FitResult too
    lp = res.trace["log_prior"]["judgements"]
    assert list(lp["judgement"].values) == ["e0", "e1", "reliability of s0"]
    assert (
        np.isfinite(lp.values).all()
        and np.isfinite(res.trace["log_likelihood"]["evidence"].values).all()
    )
    assert list(table.index) == ["h0", "h1"] and (table[["prior", "likelihood"]] >= 0).all().all()
    # two hypotheses: the credences sum to 1, so they move by opposite amounts
    assert table["direction"].sum() == pytest.approx(0.0, abs=1e-12)
    # the fit's identity and its draws' digest do not depend on whether the log densities were
    # computed
    assert (res.config_hash, res.trace.attrs["motives_draws_digest"]) == identity
    loaded = load_result(res.save(tmp_path / "t.nc"), case=case)
    assert loaded.has_log_densities
    assert np.array_equal(loaded.trace["log_prior"]["judgements"].values, lp.values)


def test_log_densities_of_a_loaded_fit_need_its_case(tmp_path):
    case = random_case(11, n_items=2, n_hypotheses=2, n_sources=1)
    res = fit(case, draws=100, tune=100, chains=2, backend="pymc")
    loaded = load_result(res.save(tmp_path / "t.nc"), case=case)
    with pytest.raises(MotivesError, match="pass the case"):
        loaded.add_log_densities()
    with pytest.raises(MotivesError, match="content hash"):
        loaded.add_log_densities(random_case(12, n_items=2, n_hypotheses=2, n_sources=1))
    assert loaded.add_log_densities(case) and not res.has_log_densities
    res.add_log_densities()  # the model kept from the fit and the one rebuilt from the case agree
    for g, v in (("log_prior", "judgements"), ("log_likelihood", "evidence")):
        np.testing.assert_allclose(
            loaded.trace[g][v].values, res.trace[g][v].values, rtol=1e-12, atol=1e-12
        )


def test_log_densities_equal_the_model_at_each_draw():
    """The one vectorised evaluation over all draws equals PyMC's own log densities draw by draw."""
    from pymc.model.transform.conditioning import remove_value_transforms

    case = random_case(5, n_items=3, n_hypotheses=3, n_sources=2)
    res = fit(case, draws=100, tune=100, chains=2, backend="pymc", seed=4)
    res.add_log_densities()
    plain = remove_value_transforms(res._built.model)
    rvs = list(plain.free_RVs)
    f_lp = plain.compile_fn(plain.logp(vars=rvs, jacobian=False), point_fn=True)
    f_ll = plain.compile_fn(plain.replace_rvs_by_values(list(plain.potentials))[0], point_fn=True)
    post = res.trace.posterior
    for c, d in [(0, 0), (1, 57), (0, 99)]:
        point = {plain.rvs_to_values[rv].name: post[rv.name].values[c, d] for rv in rvs}
        assert float(res.trace["log_prior"]["judgements"].values[c, d].sum()) == pytest.approx(
            float(f_lp(point)), rel=1e-10
        )
        assert float(res.trace["log_likelihood"]["evidence"].values[c, d]) == pytest.approx(
            float(f_ll(point)), rel=1e-10
        )


def test_fit_with_nothing_random_has_no_sensitivity(example_case):
    res = fit(example_case("witness"), draws=20, tune=0, chains=1)
    assert "log_prior" not in res.trace.children and power_sensitivity(res).empty


@pytest.mark.slow
def test_psense_direction_agrees_with_refits_at_scaled_priors():
    case = _case()
    kw = {"draws": 1000, "tune": 500, "chains": 4, "backend": "pymc", "seed": 5}
    base = fit(case, **kw)
    assert base.diagnostics["ok"], base.diagnostics["problems"]
    sens = power_sensitivity(base)
    built = build_exclusive(case)
    from motives.models.config import FitConfig

    cfg = FitConfig.build(case, **kw)
    tasks = [
        FitTask.build(case, cfg, data=scaled_beta_knobs(built, a), label=f"alpha {a}")
        for a in (0.5, 2.0)
    ]
    lo, hi = run_fits(tasks, scheduler="serial").raise_on_failure()
    clear = 0
    for h in ("a", "b"):
        m_lo = lo.summary().loc[("hypothesis", h)]
        m_hi = hi.summary().loc[("hypothesis", h)]
        diff = m_hi["credence"] - m_lo["credence"]
        se = float(np.hypot(m_lo["mcse"], m_hi["mcse"]))
        if abs(diff) > 4 * se:
            clear += 1
            assert np.sign(diff) == np.sign(sens.loc[h, "direction"]), (h, diff, sens)
    assert clear >= 1, (
        "no refit moved a credence clear of Monte Carlo error: the case tests nothing"
    )
    judg = judgement_sensitivity(base)
    assert set(judg.index) == {"e0", "e1", "e2", "reliability of s"}
    text = statement(sens, judg, THRESHOLD)
    assert text.startswith("Power-scaling (psense, threshold 0.05): ")
    for j, row in judg.iterrows():  # every judgement the statement names is one above the threshold
        assert (f"{j} (" in text) == bool(row["sensitive"])
