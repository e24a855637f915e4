"""The network engine's pieces beyond the posterior.

The plan, P(parent configuration | h), findings.
"""

from __future__ import annotations

import numpy as np
import pytest

import motives as mv
from motives.exact import compile_case, loglik
from motives.exact.contract import plan_elimination
from motives.testing import random_network_case


@pytest.mark.parametrize("seed", range(25))
def test_implied_parents_is_the_likelihood_of_a_finding(seed: int) -> None:
    """P(f = s | h) from :meth:`Case.implied_parents` equals the engine's P(E | h) given f = s.

    :meth:`Case.implied_parents` is a forward product of the tables; the engine's P(E | h) is for
    the finding f = s as the only evidence (elimination with an indicator factor): two ways that
    share no code. Tolerance 1e-12 (float rounding).
    """
    case = random_network_case(seed)
    bare = case.without_items([e.id for e in case.evidence])
    data = bare.model_dump(exclude_none=True)
    for i, p in enumerate(bare.propositions):
        m = case.implied_parents((p.id,))
        assert m.shape == (len(case.hypothesis_ids), len(p.states))
        np.testing.assert_allclose(m.sum(axis=1), 1.0, atol=1e-12)
        for s, state in enumerate(p.states):
            props = [dict(q, observed=None) for q in data["propositions"]]
            props[i]["observed"] = state
            one = mv.Case.model_validate(
                {
                    **data,
                    "propositions": props,
                    "evidence": [
                        {
                            "id": "dummy",
                            "title": "non-diagnostic",
                            "likelihoods": dict.fromkeys(case.hypothesis_ids, 1.0),
                        }
                    ],
                }
            )
            like = np.exp(loglik(compile_case(one), reliability=False))
            np.testing.assert_allclose(like, m[:, s], atol=1e-12, rtol=0)


def test_implied_parents_with_the_hypotheses_among_the_parents() -> None:
    """A configuration whose hypothesis is not h has probability 0 given h.

    The rest is the other parents'.
    """
    case = mv.examples.load("alarm")
    m = case.implied_parents(("hypotheses", "earthquake"))
    np.testing.assert_allclose(m, [[0.002, 0.998, 0, 0], [0, 0, 0.002, 0.998]], atol=1e-15)
    m2 = case.implied_parents(("earthquake", "hypotheses"))  # the other nesting order
    np.testing.assert_allclose(m2, [[0.002, 0, 0.998, 0], [0, 0.002, 0, 0.998]], atol=1e-15)


def test_plan_on_a_tree_is_leaves_first_and_on_a_loop_builds_the_joint() -> None:
    """On a chain the plan is message passing (tables never larger than a parent x child).

    On a loop h -> a, h -> b, (a, b) -> c, eliminating c first builds the table over h, a, b.
    """
    chain = plan_elimination([3, 2, 4, 2], [(0, 1), (1, 2), (2, 3)], ["hypotheses", "a", "b", "c"])
    assert [s.var for s in chain.steps] == [3, 2, 1] and chain.largest == 8
    loop = plan_elimination(
        [3, 2, 2, 2], [(0, 1), (0, 2), (1, 2, 3)], ["hypotheses", "a", "b", "c"]
    )
    assert loop.largest == 12  # h x a x b, never h x a x b x c


def test_underflow_is_redone_in_log_space() -> None:
    """Three factors whose maxima sit at different states.

    The scaled product underflows to 0 in probability space; the step is redone in log space and the
    result is the log-sum-exp, not -inf.
    """
    from motives.exact.contract import contract

    p = plan_elimination([1, 2], [(1,), (1,), (1,), (0, 1)], ["hypotheses", "a"])
    big = 400.0
    f = [np.array([0.0, -big]), np.array([-big, 0.0]), np.array([0.0, -big]), np.zeros((1, 2))]
    out = contract(p, f)
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out, np.logaddexp(-big, -2 * big), rtol=1e-12)


def test_observed_fact_outside_its_states_cannot_load() -> None:
    case = mv.examples.load("student")
    data = case.model_dump(exclude_none=True)
    data["propositions"][1]["observed"] = "d"
    with pytest.raises(ValueError, match="unknown state 'd'"):
        mv.Case.model_validate(data)
