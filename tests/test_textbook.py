"""Textbook problems reproduced exactly by the closed-form engine.

Tolerance 1e-12: float rounding only.
"""

from __future__ import annotations

import pytest

import motives as mv

TOL = 1e-12


def credence(name: str) -> dict[str, float]:
    df = mv.exact_posterior(mv.examples.load(name))
    return df.xs("hypothesis", level="level")["credence"].to_dict()


def test_cookie_problem() -> None:
    # P(bowl1 | vanilla) = 0.5 * 0.75 / (0.5 * 0.75 + 0.5 * 0.5) = 0.6
    c = credence("cookies")
    assert c["bowl1"] == pytest.approx(0.6, abs=TOL)
    assert c["bowl2"] == pytest.approx(0.4, abs=TOL)


def test_dice_problem() -> None:
    # Rolls 6 and 8 with dice of 4, 6, 8, 12, 20 sides, uniform prior:
    # P(d) ∝ (1/d)^2 for d >= 8: 1/64, 1/144, 1/400.
    z = 1 / 64 + 1 / 144 + 1 / 400
    c = credence("dice")
    assert c["d4"] == 0.0 and c["d6"] == 0.0
    assert c["d8"] == pytest.approx((1 / 64) / z, abs=TOL)
    assert c["d12"] == pytest.approx((1 / 144) / z, abs=TOL)
    assert c["d20"] == pytest.approx((1 / 400) / z, abs=TOL)


def test_monty_hall_zero_likelihood() -> None:
    c = credence("monty_hall")
    assert c["door_a"] == pytest.approx(1 / 3, abs=TOL)
    assert c["door_b"] == 0.0  # ruled out by a zero likelihood
    assert c["door_c"] == pytest.approx(2 / 3, abs=TOL)


def test_diagnostic_test_with_base_rate() -> None:
    # 0.01 * 0.9 / (0.01 * 0.9 + 0.99 * 0.09) = 0.009 / 0.0981
    c = credence("diagnostic_test")
    assert c["condition"] == pytest.approx(0.009 / 0.0981, abs=TOL)


def test_witness_of_known_reliability() -> None:
    # Taxicab problem: 0.15 * 0.8 / (0.15 * 0.8 + 0.85 * 0.2) = 12/29
    c = credence("witness")
    assert c["blue"] == pytest.approx(12 / 29, abs=TOL)


def test_witness_with_uncertain_reliability_is_exact() -> None:
    """Reliability rho ~ Beta(a, b).

    P(says blue | h) = E[rho] * lam + (1 - E[rho]) * b for one item, so the answer depends only on
    E[rho]; with two reports it depends on E[rho^2] too.
    """
    case = mv.examples.load("witness")
    a, b = 3.0, 2.0  # mean 0.6
    src = case.sources[0].model_copy(
        update={"reliability": mv.schema.Likelihood(mean=0.6, concentration=a + b)}
    )
    one = case.model_copy(update={"sources": [src]})
    assert mv.exact_posterior(one).loc[("hypothesis", "blue"), "credence"] == pytest.approx(
        12 / 29, abs=TOL
    )
    # Two reports by the same witness: E[(0.5 + 0.5 rho)^2] vs E[(0.5 - 0.5 rho)^2] with Beta
    # moments.
    item = case.evidence[0]
    two = case.model_copy(
        update={
            "sources": [src],
            "evidence": [item, item.model_copy(update={"id": "says_blue_again"})],
        }
    )
    two = mv.schema.Case.model_validate(two.model_dump())
    m1 = a / (a + b)
    m2 = a * (a + 1) / ((a + b) * (a + b + 1))
    p_blue = 0.25 * (1 + 2 * m1 + m2)
    p_green = 0.25 * (1 - 2 * m1 + m2)
    expected = 0.15 * p_blue / (0.15 * p_blue + 0.85 * p_green)
    assert mv.exact_posterior(two).loc[("hypothesis", "blue"), "credence"] == pytest.approx(
        expected, abs=TOL
    )


def test_dirichlet_prior_uses_its_mean() -> None:
    case = mv.examples.load("cookies")
    df = mv.exact_posterior(case, prior={"dirichlet": {"bowl1": 1.0, "bowl2": 3.0}})
    # prior mean (0.25, 0.75): 0.25 * 0.75 / (0.25 * 0.75 + 0.75 * 0.5)
    assert df.loc[("hypothesis", "bowl1"), "credence"] == pytest.approx(0.1875 / 0.5625, abs=TOL)


def test_pearl_alarm_network() -> None:
    """Pearl (1988): P(burglary | John and Mary call) = 0.284171835..., by hand enumeration.

    The enumeration is over the earthquake and the alarm (it shares nothing with the engine).
    """
    pe, pb = 0.002, 0.001
    alarm = {(True, True): 0.95, (True, False): 0.94, (False, True): 0.29, (False, False): 0.001}

    def joint(b: bool) -> float:
        tot = 0.0
        for e in (True, False):
            for a in (True, False):
                pa = alarm[(b, e)] if a else 1 - alarm[(b, e)]
                tot += (pe if e else 1 - pe) * pa * (0.9 if a else 0.05) * (0.7 if a else 0.01)
        return (pb if b else 1 - pb) * tot

    want = joint(True) / (joint(True) + joint(False))
    assert want == pytest.approx(0.284171835, abs=1e-9)
    assert credence("alarm")["burglary"] == pytest.approx(want, abs=TOL)


def test_koller_friedman_student_explaining_away() -> None:
    """Koller & Friedman (2009, ch. 3): a hard course explains the C away.

    P(high intelligence | grade C) = 0.0789, and with a high SAT 0.5783. The grade is a hard finding
    on a fact with two parents (intelligence and the course's difficulty, a root fact).
    """
    case = mv.examples.load("student")
    p_c = {"high": 0.6 * 0.02 + 0.4 * 0.2, "low": 0.6 * 0.3 + 0.4 * 0.7}
    grade_only = case.without_items(["sat_high"])
    c1 = mv.exact_posterior(grade_only).loc[("hypothesis", "high"), "credence"]
    assert c1 == pytest.approx(0.3 * p_c["high"] / (0.3 * p_c["high"] + 0.7 * p_c["low"]), abs=TOL)
    assert round(c1, 4) == 0.0789
    c2 = credence("student")["high"]
    num = 0.3 * p_c["high"] * 0.8
    assert c2 == pytest.approx(num / (num + 0.7 * p_c["low"] * 0.05), abs=TOL)
    assert round(c2, 4) == 0.5783
