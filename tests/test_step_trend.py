"""The step trend of the timeline kind.

Closed form against numerical integration, the grid, PyMC's version.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import motives as mv
from motives.exact import step_loglik, timeline_loglik, trend_loglik
from motives.schema import StepTrend, TimelineItem, TrendPrior

T = np.array([0.5, 2.5, 3.5, 5.1, 6.0, 19.9, 20.0, 20.1])
Y = np.array([0.0, 1.0, 1.0, 3.0, 3.0, 4.0, 3.0, 4.0])


def _brute(
    t: np.ndarray,
    y: np.ndarray,
    sigma: float,
    bm: float,
    bsd: float,
    am: float,
    asd: float,
    tb: float,
) -> float:
    """log ∫∫ Π_i N(y_i; level(t_i), σ) N(μ_b; bm, bsd) N(μ_a; am, asd) dμ_b dμ_a on a fine grid."""

    def axis(m: float, s: float) -> np.ndarray:
        return np.linspace(m - 9 * s, m + 9 * s, 1201)

    gb, ga = axis(bm, bsd), axis(am, asd)
    before = t < tb

    def part(grid: np.ndarray, m: float, s: float, yy: np.ndarray) -> float:
        ll = (-0.5 * ((yy[None, :] - grid[:, None]) / sigma) ** 2).sum(axis=1) - len(yy) * math.log(
            sigma * math.sqrt(2 * math.pi)
        )
        ll += -0.5 * ((grid - m) / s) ** 2 - math.log(s * math.sqrt(2 * math.pi))
        top = ll.max()
        return float(top + math.log(np.trapezoid(np.exp(ll - top), grid)))

    return part(gb, bm, bsd, y[before]) + part(ga, am, asd, y[~before])


@pytest.mark.parametrize("sigma", [0.75, 1.25, 2.0])
@pytest.mark.parametrize("tb", [3.0, 6.25, 19.95])
def test_step_closed_form_matches_numerical_integration(sigma: float, tb: float) -> None:
    want = _brute(T, Y, sigma, 1.0, 0.75, 3.5, 0.5, tb)
    got = step_loglik(T, Y, sigma, 1.0, 0.75, 3.5, 0.5, [tb])
    assert got == pytest.approx(want, abs=1e-8)


def test_uncertain_break_is_the_mean_of_the_grid_likelihoods() -> None:
    grid = [2.0, 3.0, 6.25, 12.0]
    each = [step_loglik(T, Y, 1.25, 1.0, 0.75, 3.5, 0.5, [g]) for g in grid]
    want = math.log(np.mean(np.exp(each)))
    assert step_loglik(T, Y, 1.25, 1.0, 0.75, 3.5, 0.5, grid) == pytest.approx(want, abs=1e-12)
    brute = math.log(np.mean([math.exp(_brute(T, Y, 1.25, 1.0, 0.75, 3.5, 0.5, g)) for g in grid]))
    assert step_loglik(T, Y, 1.25, 1.0, 0.75, 3.5, 0.5, grid) == pytest.approx(brute, abs=1e-8)


def test_a_break_outside_the_data_is_one_level() -> None:
    """All observations before the break.

    The after level drops out, and the step is a flat linear trend.
    """
    flat = timeline_loglik(T, Y, 1.25, 1.0, 0.75, 0.0, 1e-12)
    assert step_loglik(T, Y, 1.25, 1.0, 0.75, 3.5, 0.5, [99.0]) == pytest.approx(flat, abs=1e-9)


def test_dispatcher_reads_records_and_converts_break_dates_with_the_origin() -> None:
    lin = TrendPrior.model_validate(
        {"intercept": {"mean": 0.5, "sd": 0.75}, "slope": {"mean": 0.15, "sd": 0.06}}
    )
    assert trend_loglik(T, Y, 1.25, lin) == timeline_loglik(T, Y, 1.25, 0.5, 0.75, 0.15, 0.06)
    st = StepTrend.model_validate(
        {
            "step": {
                "before": {"mean": 1.0, "sd": 0.75},
                "after": {"mean": 3.5, "sd": 0.5},
                "at": "2008-04",
            }
        }
    )
    tb = st.step.at.decimal_year - 2002.0
    assert trend_loglik(T, Y, 1.25, st, origin=2002.0) == step_loglik(
        T, Y, 1.25, 1.0, 0.75, 3.5, 0.5, [tb]
    )
    grid = StepTrend.model_validate(
        {
            "step": {
                "before": {"mean": 1.0, "sd": 0.75},
                "after": {"mean": 3.5, "sd": 0.5},
                "at": {"grid": ["2004", "2008-04-03"]},
            }
        }
    )
    assert [str(d) for d in grid.step.break_dates] == ["2004", "2008-04-03"]
    tbs = [d.decimal_year - 2002.0 for d in grid.step.break_dates]
    assert trend_loglik(T, Y, 1.25, grid, origin=2002.0) == step_loglik(
        T, Y, 1.25, 1.0, 0.75, 3.5, 0.5, tbs
    )


def test_step_schema_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        StepTrend.model_validate(
            {
                "step": {
                    "before": {"mean": 1.0, "sd": 0.75},
                    "after": {"mean": 3.5, "sd": 0.5},
                    "at": {"grid": []},
                }
            }
        )
    with pytest.raises(ValueError):
        StepTrend.model_validate(
            {
                "step": {
                    "before": {"mean": 1.0, "sd": 0.0},
                    "after": {"mean": 3.5, "sd": 0.5},
                    "at": "2008",
                }
            }
        )


def _step_item() -> TimelineItem:
    obs = [{"date": str(2002 + int(t)), "code": float(y)} for t, y in zip(T, Y, strict=True)]
    return TimelineItem.model_validate(
        {
            "id": "tl",
            "title": "t",
            "kind": "timeline",
            "origin": 2002,
            "sigma": 1.25,
            "observations": obs,
            "trends": {
                "a": {
                    "values": {
                        "h1": {
                            "intercept": {"mean": 3.0, "sd": 0.75},
                            "slope": {"mean": 0.0, "sd": 0.03},
                        },
                        "h2": {
                            "step": {
                                "before": {"mean": 1.0, "sd": 0.75},
                                "after": {"mean": 3.5, "sd": 0.5},
                                "at": {"grid": ["2004-03-29", "2008-04-03"]},
                            }
                        },
                    }
                }
            },
        }
    )


def test_pymc_marginal_design_matches_the_exact_step() -> None:
    """The PyTensor Woodbury form at σ = the item's σ equals the closed form.

    The Woodbury form is used when σ is free.
    """
    pytest.importorskip("pymc")
    from motives.exact import timeline_data
    from motives.models.evidence import (
        Timeline,
        _fixed_sigma_loglik,
        marginal_design_loglik,
        trend_designs,
    )

    item = _step_item()
    t, y = timeline_data(item)
    vals = item.trends["a"].values
    designs = tuple(trend_designs(t, vals[h], item.origin) for h in ["h1", "h2"])
    tl = Timeline(
        "tl",
        t,
        y,
        item.sigma,
        np.zeros(2),
        np.ones(2),
        np.zeros(2),
        np.ones(2),
        designs=designs,
        steps=(False, True),
    )
    want = [trend_loglik(t, y, item.sigma, vals[h], origin=item.origin) for h in ["h1", "h2"]]
    assert _fixed_sigma_loglik(tl) == pytest.approx(want, abs=1e-10)
    got = marginal_design_loglik(tl, item.sigma).eval()
    assert got == pytest.approx(want, abs=1e-9)


def _two_hypothesis_step_case() -> mv.Case:
    rng = np.random.default_rng(3)
    years = np.sort(rng.uniform(2002, 2022, 10))
    y = np.where(years < 2008.3, 1.9, 2.4) + rng.normal(0, 0.75, 10)
    obs = [{"date": int(yr), "code": float(np.round(v, 3))} for yr, v in zip(years, y, strict=True)]
    return mv.Case.model_validate(
        {
            "name": "step_test",
            "hypotheses": [{"id": "flat"}, {"id": "step"}],
            "evidence": [
                {
                    "id": "rhetoric",
                    "kind": "timeline",
                    "title": "coded statements",
                    "origin": 2002,
                    "sigma": 0.75,
                    "observations": obs,
                    "trends": {
                        "default": {
                            "values": {
                                "flat": {
                                    "intercept": {"mean": 2.2, "sd": 0.5},
                                    "slope": {"mean": 0.0, "sd": 0.03},
                                },
                                "step": {
                                    "step": {
                                        "before": {"mean": 1.0, "sd": 0.75},
                                        "after": {"mean": 3.0, "sd": 0.75},
                                        "at": {"grid": ["2004-03-29", "2008-04-03", "2014-02"]},
                                    }
                                },
                            }
                        }
                    },
                }
            ],
        }
    )


def _closed_form_credence(case: mv.Case) -> float:
    from motives.exact import timeline_data

    item = case.evidence[0]
    t, y = timeline_data(item)
    j = item.trends["default"].values
    ll = [trend_loglik(t, y, item.sigma, j[h], origin=item.origin) for h in ("flat", "step")]
    return float(1 / (1 + np.exp(ll[1] - ll[0])))


def test_exact_engine_and_marginal_model_use_the_step() -> None:
    pytest.importorskip("pymc")
    case = _two_hypothesis_step_case()
    c = _closed_form_credence(case)
    assert 0.05 < c < 0.95
    assert mv.exact_posterior(case).loc[("hypothesis", "flat"), "credence"] == pytest.approx(
        c, abs=1e-12
    )
    res = mv.fit(case, draws=20, chains=1)
    assert res.summary().loc[("hypothesis", "flat"), "credence"] == pytest.approx(c, abs=1e-12)


@pytest.mark.slow
def test_explicit_step_levels_match_the_closed_form() -> None:
    """Sampling the two levels gives the closed-form credence.

    The break is summed out over its grid.
    """
    from motives.models.exclusive import build_exclusive
    from motives.models.sampling import sample

    case = _two_hypothesis_step_case()
    built = build_exclusive(case, timeline="explicit")
    res = mv.FitResult(sample(built, draws=1000, tune=1000, chains=4, seed=5))
    s = res.summary().loc[("hypothesis", "flat")]
    assert abs(s["credence"] - _closed_form_credence(case)) <= 4 * s["mcse"], s
