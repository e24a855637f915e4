"""The report's work that grew with hypotheses x items, computed at once, against its definition."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import motives as mv
from motives import sensitivity as S
from motives.models.testing import random_case
from motives.report.explain import explain


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.integers(0, 10_000), st.integers(2, 9), st.integers(1, 8), st.integers(0, 2))
def test_single_item_flips_are_the_items_whose_removal_puts_a_rival_ahead(
    seed: int, n_hyp: int, n_items: int, zeros: int
) -> None:
    """Every item without which some rival's credence passes the leader's, and no other: the
    definition evaluated item by item and rival by rival (as the report once did) on generated
    cases, zero cells included."""
    case = random_case(seed, n_items=n_items, n_hypotheses=n_hyp, zeros=min(zeros, n_items))
    ex = explain(case)
    post = mv.exact_posterior(case)
    level = "family"  # random cases: one family per hypothesis, the default target level
    cred = post.xs(level, level="level")["credence"].astype(float)
    leader = ex.facts["leader"]
    others = [h for h in cred.index if h != leader]
    loo = S.leave_one_out(case)
    want = []
    if others and cred[leader] >= max(cred[o] for o in others):
        for item in loo.index.get_level_values("evidence").unique():
            without = loo.xs((item, level), level=["evidence", "level"])["credence_without"]
            without = without.astype(float)
            if np.isnan(without[leader]):
                continue
            if without[leader] < max(float(without[o]) for o in others):
                want.append(item)
    assert ex.facts["single_item_flips"] == want
