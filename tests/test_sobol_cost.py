"""The Sobol analysis's cost, known before sampling, is the cost the run then has.

:func:`motives.sensitivity.sobol_cost` is what ``motives sensitivity`` checks before computing any
table; :func:`motives.sensitivity.global_sensitivity` (and the registered ``sobol`` tables) compute
the same record and run with it. Checked on generated cases (flat, structured, networks; both
groupings, with and without reliabilities) by recording the arguments the sampler is called with.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import motives.sensitivity.sobol as sobol
from motives.errors import LimitError
from motives.models.testing import random_case
from motives.sensitivity import SobolCost, global_sensitivity, sobol_cost
from motives.sensitivity.registry import ANALYSES, Settings
from motives.testing import random_network_case, random_structured_case


def _case(kind: str, seed: int) -> Any:
    if kind == "flat":
        return random_case(seed, n_items=4, n_hypotheses=3, point_fraction=0.3)
    if kind == "structured":
        return random_structured_case(seed)
    return random_network_case(seed, n_facts=3, n_items=3)


def _run_recorded(monkeypatch: pytest.MonkeyPatch, call: Any) -> tuple[Any, list[dict[str, Any]]]:
    """Run ``call()`` and record what the sampler was asked for (inputs, n, groups, chunk)."""
    calls: list[dict[str, Any]] = []
    real = sobol.sobol_indices

    def spy(func: Any, ppf: Any, d: int, n: int, **kw: Any) -> Any:
        calls.append({"d": d, "n": n, "groups": len(kw["groups"]), "chunk": kw["chunk"]})
        return real(func, ppf, d, n, **kw)

    with monkeypatch.context() as m:
        m.setattr(sobol, "sobol_indices", spy)
        return call(), calls


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(["flat", "structured", "network"]),
    seed=st.integers(0, 10_000),
    n=st.integers(16, 300),
    by=st.sampled_from(["item", "cell"]),
    reliability=st.booleans(),
)
def test_the_estimate_is_what_the_run_uses(
    monkeypatch: pytest.MonkeyPatch, kind: str, seed: int, n: int, by: str, reliability: bool
) -> None:
    case = _case(kind, seed)
    cost = sobol_cost(case, Settings(sobol_samples=n, reliability=reliability), by=by)
    df, calls = _run_recorded(
        monkeypatch,
        lambda: global_sensitivity(case, n=n, by=by, reliability=reliability, n_boot=0),
    )
    assert (df.attrs["n"], df.attrs["evaluations"], len(df)) == (
        cost.rows,
        cost.evaluations,
        cost.groups,
    )
    assert cost.refusal is None
    if cost.inputs == 0:  # nothing uncertain: the sampler is not called
        assert calls == [] and df.empty and cost.rows == 0
        return
    assert calls == [{"d": cost.inputs, "n": n, "groups": cost.groups, "chunk": cost.chunk}]
    assert cost.rows >= n and cost.rows & (cost.rows - 1) == 0  # a power of 2 (the sequence)
    assert cost.evaluations == cost.rows * (cost.groups + 2)
    assert cost.bytes > 0


@pytest.mark.parametrize("name", ["sobol", "sobol_credence"])
def test_the_registered_tables_run_at_the_estimated_cost(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """The settings the workflow checks are the settings the registered analyses run with."""
    case = random_structured_case(5)
    s = Settings(sobol_samples=40, target=None)
    cost = sobol_cost(case, s)
    df, calls = _run_recorded(monkeypatch, lambda: ANALYSES[name].compute(case, s))
    assert cost.inputs > 0, "the generated case should have uncertain judgements"
    assert calls == [{"d": cost.inputs, "n": 40, "groups": cost.groups, "chunk": cost.chunk}]
    assert (df.attrs["n"], df.attrs["evaluations"]) == (cost.rows, cost.evaluations)


def test_a_refused_run_is_refused_alike_and_never_sampled(monkeypatch: pytest.MonkeyPatch) -> None:
    case = random_case(3, n_items=40, n_hypotheses=4, point_fraction=0.0)
    cost = sobol_cost(case, Settings(sobol_samples=1_000_000))
    assert cost.refusal is not None and "give sobol_samples at most" in cost.refusal
    with pytest.raises(LimitError) as estimated:
        cost.check()
    assert estimated.value.field == "sensitivity.sobol_samples"

    def never(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("sampled although refused")

    monkeypatch.setattr(sobol, "sobol_indices", never)
    with pytest.raises(LimitError) as ran:
        global_sensitivity(case, n=1_000_000)
    assert str(ran.value) == str(estimated.value)


def test_nothing_uncertain_costs_nothing() -> None:
    import motives as mv

    cost = sobol_cost(mv.examples.cookie_case())
    assert isinstance(cost, SobolCost)
    assert (cost.inputs, cost.groups, cost.rows, cost.evaluations, cost.bytes) == (0, 0, 0, 0, 0.0)
    cost.check()  # no refusal: returns
