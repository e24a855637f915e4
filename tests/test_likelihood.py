"""Likelihood forms reduce to Beta(mean * k, (1 - mean) * k) or a point."""

from __future__ import annotations

import pytest
from scipy import stats

from motives import likelihood as lk
from motives.schema import LensJudgement, Likelihood, PartialDate


@pytest.mark.parametrize(
    ("form", "confidence", "mean", "k"),
    [
        (0.7, None, 0.7, None),
        (0, None, 0.0, None),
        (1, "high", 1.0, None),  # 0 and 1 stay points: no Beta has them as its mean
        ("likely", None, 0.70, None),
        ("almost certain", "medium", 0.95, 20.0),
        ("Very  Likely", None, 0.85, None),
        ("CC", None, 0.90, None),
        ("II", "low", 0.10, 5.0),
        ({"mean": 0.4, "concentration": 10}, None, 0.4, 10.0),
        ({"beta": [2, 6]}, None, 0.25, 8.0),
        (
            {"p": "unlikely", "confidence": "high"},
            "low",
            0.30,
            80.0,
        ),  # cell confidence beats lens confidence
        ({"p": 0.2}, "medium", 0.2, 20.0),
    ],
)
def test_forms(form, confidence, mean, k) -> None:
    b = lk.parse(form, confidence)
    assert b.mean == pytest.approx(mean, abs=1e-15)
    assert b.concentration == k


def test_interval_fit_reproduces_the_interval() -> None:
    b = lk.fit_interval(0.2, 0.6)
    lo, hi = stats.beta.ppf([0.05, 0.95], b.alpha, b.beta)
    assert lo == pytest.approx(0.2, abs=1e-6)
    assert hi == pytest.approx(0.6, abs=1e-6)


@pytest.mark.parametrize(
    "bad",
    [
        1.5,
        -0.1,
        float("nan"),
        float("inf"),
        True,
        "probable",
        {"interval": [0.5, 0.5]},
        {"beta": [0, 1]},
        {"beta": [1]},
        {"mean": 0.5},
        {"interval": [0, 0.5]},
        [0.5],
        None,
    ],
)
def test_bad_forms_raise_value_error(bad) -> None:
    with pytest.raises(ValueError):
        lk.parse(bad)


def test_lens_confidence_applies_to_points_only() -> None:
    j = LensJudgement.model_validate(
        {"values": {"a": "likely", "b": {"beta": [1, 1]}}, "confidence": "low"}
    )
    assert j.values["a"] == Likelihood(mean=0.7, concentration=5.0)
    assert j.values["b"] == Likelihood(mean=0.5, concentration=2.0)


def test_belief_moments() -> None:
    b = lk.Belief(0.25, 8.0)
    assert (b.alpha, b.beta) == (2.0, 6.0)
    assert b.sd == pytest.approx(stats.beta(2, 6).std(), rel=1e-12)


@pytest.mark.parametrize(
    ("text", "year", "decimal"),
    [
        ("2002", 2002, 2002.5),
        ("2002-01", 2002, 2002 + 15.5 / 365),
        ("2022-02-24", 2022, 2022 + 54.5 / 365),
    ],
)
def test_partial_dates(text: str, year: int, decimal: float) -> None:
    d = PartialDate.model_validate(text)
    assert d.year == year and str(d) == text
    assert d.decimal_year == pytest.approx(decimal, abs=1e-12)


def test_timeline_closed_form_matches_monte_carlo() -> None:
    """Marginal likelihood of the trend model vs brute-force averaging over (a, b) draws.

    The Monte Carlo error is ~1%.
    """
    import numpy as np

    from motives.exact import timeline_loglik

    t = np.array([0.0, 3.0, 6.0, 19.0])
    y = np.array([0.5, 1.0, 2.0, 4.0])
    rng = np.random.default_rng(3)
    a = rng.normal(1.0, 0.7, 400_000)
    b = rng.normal(0.15, 0.05, 400_000)
    resid = y[None, :] - (a[:, None] + b[:, None] * t[None, :])
    dens = np.exp(stats.norm.logpdf(resid, scale=0.8).sum(axis=1))
    closed = timeline_loglik(t, y, 0.8, 1.0, 0.7, 0.15, 0.05)
    assert np.log(dens.mean()) == pytest.approx(closed, abs=0.02)
