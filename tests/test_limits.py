"""Bounded work and refusals up front (issue 23, fourth part).

* ``check``'s conflict flags of a structured case or a network come from one pass up and one down
  the elimination (:mod:`motives.sensitivity.conflict_structure`); their numbers equal the
  measure's definition, one leave-one-out posterior per item and per proposition, to 1e-12 on
  generated cases, and the outside messages equal a contraction with a factor replaced.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motives.exact import compiled, prior_from
from motives.sensitivity._core import DB
from motives.sensitivity._structure import descendants, subtree_items
from motives.sensitivity.conflict import OBSERVATIONS, conflict, log_evidence
from motives.testing import random_network_case, random_structured_case

# --------------------------------------------------------------------- conflict of structured cases


def _one_posterior_per_row(
    case: Any, reliability: bool
) -> dict[tuple[str, str], tuple[float, float, float]]:
    """The conflict rows by their definition.

    Each item and each proposition's evidence left out and recomputed.
    """
    arr, pri = compiled(case, None), prior_from(case, None)
    everything = arr.all_items + arr.structured_items
    log_all = log_evidence(arr, pri, set(everything), reliability)
    seen = {pa.id for pa in arr.propositions if pa.observed >= 0}
    out: dict[tuple[str, str], tuple[float, float, float]] = {}
    singles = {e: log_evidence(arr, pri, {e}, reliability, set()) for e in everything}
    if seen:
        singles[OBSERVATIONS] = log_evidence(arr, pri, set(), reliability)
    out[("case", "(all evidence)")] = (
        DB * (sum(singles.values()) - log_all),
        sum(singles.values()),
        math.nan,
    )
    for p in arr.propositions:
        block = set(subtree_items(arr, p.id))
        below = {arr.propositions[i].id for i in descendants(arr, p.id)}
        if not block and not below & seen:
            continue
        alone = log_evidence(arr, pri, block, reliability, below & seen)
        rest = log_evidence(arr, pri, set(everything) - block, reliability, seen - below)
        out[("proposition", p.id)] = (DB * (alone + rest - log_all), alone, log_all - rest)
    for e in everything:
        rest = log_evidence(arr, pri, set(everything) - {e}, reliability)
        out[("item", e)] = (DB * (singles[e] + rest - log_all), singles[e], log_all - rest)
    return out


def _assert_rows_equal(case: Any, reliability: bool) -> None:
    """Every row of the vectorised conflict equals the definition to 1e-8 (log scale) and 1e-8 dB.

    Tolerance: both are sums of the same log terms in another order (logsumexp over states, nodes
    and hypotheses; a subtraction of the item's own term instead of leaving it out), so they agree
    to a few hundred ulps of the largest log term (|log P| < 1e3 here): 1e-8 leaves room and still
    catches any missing or double-counted term (the smallest term here is > 1e-4 in log).
    """
    df = conflict(case, reliability=reliability, threshold_db=1e9)
    want = _one_posterior_per_row(case, reliability)
    assert set(want) == set(df.index) - {("observation", OBSERVATIONS)}
    for key, (db, alone, given_rest) in want.items():
        row = df.loc[key]
        for got, exp in (
            (row["conflict_db"], db),
            (row["log_p_alone"], alone),
            (row["log_p_given_rest"], given_rest),
        ):
            if math.isnan(exp):
                assert math.isnan(got), key
            else:
                assert got == pytest.approx(exp, abs=1e-8, rel=1e-10), key


@settings(max_examples=25, deadline=None)
@given(
    st.integers(0, 10_000),
    st.integers(1, 6),
    st.integers(1, 3),
    st.integers(2, 14),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_structured_conflict_equals_one_posterior_per_row(
    seed: int, n_props: int, depth: int, n_items: int, shared: bool, zero: bool, reliability: bool
) -> None:
    """Propositions in a tree (up to three deep), a source spanning them, zero cells.

    Timeline and quantity items.
    """
    case = random_structured_case(
        seed,
        n_props=n_props,
        depth=depth,
        n_items=n_items,
        shared_source=shared,
        zero_cell=zero,
        n_hyp=2 + seed % 3,
    )
    _assert_rows_equal(case, reliability)


@settings(max_examples=20, deadline=None)
@given(
    st.integers(0, 10_000),
    st.integers(2, 7),
    st.integers(1, 2),
    st.integers(1, 9),
    st.integers(0, 2),
    st.integers(0, 2),
    st.booleans(),
)
def test_network_conflict_equals_one_posterior_per_row(
    seed: int,
    n_facts: int,
    n_roots: int,
    n_items: int,
    n_observed: int,
    n_sources: int,
    reliability: bool,
) -> None:
    """Facts of several parents, root facts, observed facts, items of several parents.

    Sources spanning facts.
    """
    case = random_network_case(
        seed,
        n_facts=n_facts,
        n_roots=min(n_roots, n_facts - 1),
        n_items=n_items,
        n_observed=min(n_observed, n_facts),
        n_sources=n_sources,
        max_states=3,
    )
    _assert_rows_equal(case, reliability)


def test_blocks_of_scenarios_give_the_same_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a block budget so small that every scenario goes alone.

    The rows do not change (blocks are exact).
    """
    import motives.sensitivity.conflict_structure as cs

    case = random_network_case(3, n_facts=6, n_items=9, n_observed=1, n_sources=1)
    whole = conflict(case, threshold_db=1e9)
    monkeypatch.setattr(cs, "BLOCK_CELLS", 1)
    np.testing.assert_allclose(
        conflict(case, threshold_db=1e9)["conflict_db"], whole["conflict_db"], rtol=0, atol=1e-12
    )


def _assert_rows_exact(case: Any, reliability: bool) -> None:
    """The rows equal the definition (one posterior per row) to 1e-12, relative.

    Tolerance: log P(part) and log P(part | rest) are the same sums of log terms taken in another
    order (prefix and suffix sums, messages down the elimination instead of up), so they agree to a
    few ulps of the largest term: 1e-12 of the value is ~4,000 ulps. ``conflict_db`` is a difference
    of such values (near 0 for a part that fits), so it gets the same 1e-12 of log P(E) in absolute
    terms, times 10 dB.
    """
    df = conflict(case, reliability=reliability, threshold_db=1e9)
    want = _one_posterior_per_row(case, reliability)
    log_all = abs(want[("case", "(all evidence)")][1]) + 1.0
    assert set(want) == set(df.index) - {("observation", OBSERVATIONS)}
    for key, (db, alone, given_rest) in want.items():
        row = df.loc[key]
        for got, exp in ((row["log_p_alone"], alone), (row["log_p_given_rest"], given_rest)):
            if math.isnan(exp) or math.isinf(exp):
                assert got == exp or (math.isnan(got) and math.isnan(exp)), key
            else:
                assert got == pytest.approx(exp, rel=1e-12, abs=1e-300), key
        if math.isfinite(db):
            assert row["conflict_db"] == pytest.approx(db, rel=0, abs=DB * 1e-12 * log_all), key


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, 10_000),
    st.integers(1, 9),
    st.integers(1, 3),
    st.integers(2, 20),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_tree_conflict_is_one_pass_and_exact_to_1e_12(
    seed: int, n_props: int, depth: int, n_items: int, shared: bool, zero: bool, reliability: bool
) -> None:
    """A tree of facts: every proposition's row from the up and down passes, none by a scenario.

    Shared and unshared sources, zero cells, timeline and quantity items; the rows equal one
    posterior per row to 1e-12 (relative).
    """
    import motives.sensitivity.conflict_structure as cs

    case = random_structured_case(
        seed,
        n_props=n_props,
        depth=depth,
        n_items=n_items,
        shared_source=shared,
        zero_cell=zero,
        n_hyp=2 + seed % 3,
    )
    calls = []
    real = cs.chosen
    cs.chosen = lambda *a, **k: calls.append(1) or real(*a, **k)  # type: ignore[assignment]
    try:
        _assert_rows_exact(case, reliability)
    finally:
        cs.chosen = real
    assert not calls  # no proposition fell back to a contraction of its own


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, 10_000),
    st.integers(2, 7),
    st.integers(1, 3),
    st.integers(1, 9),
    st.integers(0, 2),
    st.integers(0, 2),
    st.integers(0, 4),
    st.booleans(),
)
def test_network_conflict_is_exact_to_1e_12(
    seed: int,
    n_facts: int,
    max_parents: int,
    n_items: int,
    n_observed: int,
    n_sources: int,
    zero_cells: int,
    reliability: bool,
) -> None:
    """Facts of several parents (and one), items of several parents, observed facts, zeros.

    Sources spanning facts; the rows equal one posterior per row to 1e-12 (relative).
    """
    case = random_network_case(
        seed,
        n_facts=n_facts,
        n_roots=1,
        max_parents=max_parents,
        n_items=n_items,
        n_observed=min(n_observed, n_facts),
        n_sources=n_sources,
        zero_cells=zero_cells,
        max_states=3,
    )
    _assert_rows_exact(case, reliability)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.booleans(), st.booleans())
def test_past_the_passes_budget_the_rows_come_from_scenarios_the_same(
    seed: int, network: bool, reliability: bool
) -> None:
    """With :data:`OUTSIDE_CELLS` at 0 every row comes from contractions with a scenario axis
    (bounded blocks), and still equals one posterior per row to 1e-12."""
    import motives.sensitivity.conflict_structure as cs

    case = (
        random_network_case(seed, n_facts=5, n_items=8, n_observed=1, n_sources=2, max_states=3)
        if network
        else random_structured_case(seed, n_props=4, depth=2, n_items=12, n_hyp=3)
    )
    real = cs.OUTSIDE_CELLS
    cs.OUTSIDE_CELLS = 0
    try:
        assert cs.outside_cells(compiled(case, None), 1) > 0
        _assert_rows_exact(case, reliability)
    finally:
        cs.OUTSIDE_CELLS = real


@st.composite
def _plans(draw: Any) -> tuple[Any, list[np.ndarray]]:
    """A random elimination plan and log-factors (a batch axis of 1 or 3, some zeros)."""
    from motives.exact.contract import plan_elimination

    n_vars = draw(st.integers(1, 5))
    card = [draw(st.integers(1, 3)) for _ in range(n_vars)]
    scopes = [
        tuple(draw(st.permutations(range(n_vars)))[: draw(st.integers(0, min(3, n_vars)))])
        for _ in range(draw(st.integers(1, 6)))
    ]
    scopes.append(tuple(range(1, n_vars)))  # every variable in some factor
    plan = plan_elimination(card, scopes, [f"v{i}" for i in range(n_vars)])
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    batch = draw(st.sampled_from([1, 3]))
    factors = []
    for sc in scopes:
        f = np.log(rng.uniform(0.01, 1.0, (rng.choice([1, batch]), *[card[u] for u in sc])))
        f[rng.random(f.shape) < draw(st.sampled_from([0.0, 0.2]))] = -np.inf
        factors.append(f)
    return plan, factors


@settings(max_examples=60, deadline=None)
@given(_plans())
def test_outside_messages_replace_any_factor_exactly(planned: tuple[Any, list[np.ndarray]]) -> None:
    """Σ exp(t + outside[s]) is the contraction with factor ``s`` replaced by t, for every slot.

    Against :func:`contract` run again with the factor replaced (-inf where both are -inf); and
    value + outside sums to the contraction for the steps' results too. The values are logs, so
    the tolerance has an absolute 1e-12 (a relative 1e-12 of the sum itself): a relative one
    alone on a log near 0 asks for more than the sum's precision (a log of -2.8e-4 off by 4.4e-16
    failed it).
    """
    from motives.exact.contract import contract, log_product_sum, outsides

    plan, factors = planned
    o = outsides(plan, factors)
    got, want = np.broadcast_arrays(o.total, contract(plan, factors))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    rng = np.random.default_rng(0)
    for s in range(len(factors)):
        t = np.log(rng.uniform(0.01, 1.0, factors[s].shape))
        swapped = [*factors[:s], t, *factors[s + 1 :]]
        want = contract(plan, swapped)
        got = log_product_sum([(t, o.scope[s]), (o.outside[s], o.oscope[s])], (0,), plan.card)
        want = np.broadcast_to(want, got.shape)
        finite = np.isfinite(want)
        assert (np.isneginf(got) == ~finite).all()
        np.testing.assert_allclose(got[finite], want[finite], rtol=1e-12, atol=1e-12)
    for s in range(len(o.value)):
        got = log_product_sum(
            [(o.value[s], o.scope[s]), (o.outside[s], o.oscope[s])], (0,), plan.card
        )
        want = np.broadcast_to(o.total, got.shape)
        finite = np.isfinite(want)
        assert (np.isneginf(got) == ~finite).all()
        np.testing.assert_allclose(got[finite], want[finite], rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------- the elimination plan without cubic work


def _min_fill_by_recomputing(
    card: list[int], scopes: list[tuple[int, ...]]
) -> list[tuple[Any, ...]]:
    """Greedy min-fill as first written.

    Every variable's cost recomputed from every live factor at every step.
    """
    live = dict(enumerate(scopes))
    nxt = len(scopes)
    todo = {v for sc in scopes for v in sc if v != 0}
    steps = []
    while todo:

        def cost(v: int) -> tuple[int, int, int]:
            near = set().union(*[set(sc) for sc in live.values() if v in sc]) - {v}
            fill = sum(
                1
                for a in near
                for b in near
                if a < b and not any(a in sc and b in sc for sc in live.values())
            )
            return (fill, math.prod(card[u] for u in near), v)

        v = min(todo, key=cost)
        ins = tuple(s for s, sc in live.items() if v in sc)
        rest = sorted(set().union(*[set(live[s]) for s in ins]) - {v})
        union = (*rest, v)
        steps.append((v, ins, union, tuple(tuple(union.index(u) for u in live[s]) for s in ins)))
        for s in ins:
            del live[s]
        live[nxt] = tuple(rest)
        nxt += 1
        todo.discard(v)
    return steps


@st.composite
def _structures(draw: Any) -> tuple[list[int], list[tuple[int, ...]]]:
    """A hypotheses variable 0, facts with 1-3 earlier parents.

    And a few extra factors over any variables.
    """
    n = draw(st.integers(2, 18))
    card = [draw(st.integers(2, 4)) for _ in range(n)]
    scopes = [
        (*draw(st.lists(st.integers(0, i - 1), min_size=1, max_size=min(i, 3), unique=True)), i)
        for i in range(1, n)
    ]
    scopes += draw(
        st.lists(
            st.lists(st.integers(0, n - 1), min_size=1, max_size=3, unique=True).map(tuple),
            max_size=4,
        )
    )
    return card, scopes


@settings(max_examples=100, deadline=None)
@given(_structures())
def test_incremental_min_fill_is_the_plan_recomputed_every_step(
    structure: tuple[list[int], list[tuple[int, ...]]],
) -> None:
    """The planner keeps costs in a heap and updates only the neighbourhood of what it eliminates.

    Before, 1,000 facts took 23 s to plan. The plan is step for step the one of recomputing every
    cost at every step.
    """
    from motives.exact.contract import plan_elimination

    card, scopes = structure
    plan = plan_elimination(card, scopes, [f"v{i}" for i in range(len(card))], max_table=1 << 60)
    assert [(s.var, s.inputs, s.union, s.spec) for s in plan.steps] == _min_fill_by_recomputing(
        card, scopes
    )


# ------------------------------------------------------------------ the limits, stated in one place


def test_the_formats_page_states_every_limit_the_code_uses() -> None:
    """docs/formats.md "Limits".

    Each row names a constant and its value; both must be what the code holds.
    """
    import importlib
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "formats.md").read_text(
        encoding="utf-8"
    )
    section = text[text.index("\n## Limits") :]
    rows = re.findall(r"^\| `(motives\.[\w.]+)` \| ([\d,]+)", section, flags=re.M)
    assert len(rows) >= 12
    for dotted, value in rows:
        module, name = dotted.rsplit(".", 1)
        assert getattr(importlib.import_module(module), name) == int(value.replace(",", "")), dotted


# ------------------------------------------------------------- refusals up front, before allocating


def _case_folder(folder: Any, case: Any) -> Any:
    """A case as a folder (JSON is YAML): ``case.yaml`` and ``evidence.yaml``."""
    import json

    data = case.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    folder.mkdir(parents=True, exist_ok=True)
    evidence = data.pop("evidence")
    (folder / "case.yaml").write_text(json.dumps(data), encoding="utf-8")
    (folder / "evidence.yaml").write_text(json.dumps({"evidence": evidence}), encoding="utf-8")
    return folder


def _must_not_run(*_args: Any, **_kwargs: Any) -> Any:
    raise AssertionError("the refusal came after the allocation it should have prevented")


def test_sobol_samples_past_the_memory_limit_are_refused_before_sampling(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The spec's own maximum (1,000,000 samples) of a case with many uncertain inputs.

    A located refusal,
    exit 2, no output folder, and the sampler never called."""
    from typer.testing import CliRunner

    import motives.sensitivity.sobol as sobol
    from motives.cli import app
    from motives.models.testing import random_case

    case_dir = _case_folder(
        tmp_path / "case", random_case(3, n_items=40, n_hypotheses=4, point_fraction=0.0)
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        f"name: big\ncase: {case_dir}\nsensitivity:\n  sobol_samples: 1000000\n", encoding="utf-8"
    )
    monkeypatch.setattr(sobol, "sobol_indices", _must_not_run)
    res = CliRunner().invoke(app, ["sensitivity", str(spec), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2, res.output
    text = " ".join(res.output.split())
    assert f"{spec}:4: field 'sensitivity.sobol_samples'" in text
    assert re.search(
        r"need about [\d.]+ GB of memory, more than the limit of 4\.0 GB: give sobol_samples at "
        r"most [\d,]+ for this case",
        text,
    ), text
    assert not (tmp_path / "out").exists()
    most = int(re.search(r"at most ([\d,]+)", text).group(1).replace(",", ""))
    assert 16 <= most < 1_000_000


def test_draws_times_chains_past_the_memory_limit_are_refused_before_sampling(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """10^6 draws x 64 chains (the spec's maxima).

    Refused with the estimate once the model is built, before the
    sampler allocates anything; fewer draws as the message says would fit are not refused."""
    from typer.testing import CliRunner

    import motives.models.sampling as sampling
    import motives.models.trace_memory as trace_memory
    from motives.cli import app

    spec = tmp_path / "spec.yaml"
    import motives as mv

    spec.write_text(
        f"name: big\ncase: {mv.examples.path('witness')}\nsampler:\n  draws: 1000000\n  chains: "
        "64\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(sampling, "sample", _must_not_run)
    res = CliRunner().invoke(app, ["run", str(spec), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2, res.output
    text = " ".join(res.output.split())
    assert f"{spec}:4: field 'sampler.draws'" in text and "more than the limit of 4.0 GB" in text, (
        text
    )
    assert not (tmp_path / "out").exists()
    most = int(re.search(r"draws at most ([\d,]+) with 64 chains", text).group(1).replace(",", ""))
    from motives.models.api import build

    built = build(mv.examples.load("witness"))
    trace_memory.check_trace_memory(built, draws=most, chains=64)  # what the message offers fits
    with pytest.raises(mv.MotivesError):
        trace_memory.check_trace_memory(built, draws=most + 1, chains=64)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 200_000), st.integers(2, 300), st.booleans())
def test_a_source_is_refused_exactly_when_its_nodes_exceed_a_limit(
    n_items: int, k: int, fixed: bool
) -> None:
    """A source of uncertain reliability reporting n items: refused exactly past either limit.

    It needs n // 2 + 1 nodes and about 32 x nodes x items x hypotheses bytes: refused (a located
    problem naming the source and field) exactly past either limit, and the most items the message
    offers fit.
    """
    import motives as mv
    from motives.exact.compile import _check_nodes
    from motives.numeric import MAX_NODES, MAX_WORK_BYTES

    q = n_items // 2 + 1
    over = not fixed and (q > MAX_NODES or 32.0 * q * n_items * k > MAX_WORK_BYTES)
    if not over:
        _check_nodes("s", n_items, None if fixed else 10.0, k)
        return
    with pytest.raises(mv.CaseError) as err:
        _check_nodes("s", n_items, 10.0, k)
    p = err.value.problems[0]
    assert (p.item, p.field) == ("s", "reliability")
    most = re.search(r"at most (?:about )?([\d,]+) items", p.message)
    assert most, p.message
    m = int(most.group(1).replace(",", ""))
    _check_nodes("s", m, 10.0, k)  # the number offered is accepted


def test_a_source_of_five_thousand_items_is_refused_at_compile_without_its_nodes() -> None:
    """The red team's reproducer, scaled.

    One source reporting 5,000 direct items (2,501 nodes) is refused when the
    case is compiled (its nodes are never built)."""
    import motives as mv
    from motives.exact import compile_case

    items = [
        {"id": f"e{i}", "title": "x", "reported_by": "s", "likelihoods": {"a": 0.6, "b": 0.4}}
        for i in range(5000)
    ]
    case = mv.Case.model_validate(
        {
            "name": "c",
            "hypotheses": [{"id": "a"}, {"id": "b"}],
            "evidence": items,
            "sources": [{"key": "s", "reliability": {"mean": 0.7, "concentration": 10}}],
        }
    )
    with pytest.raises(mv.CaseError, match="2,501 quadrature nodes, more than the limit of 2,048"):
        compile_case(case)


# ------------------------------------------------------------------------ report on many hypotheses


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 12), st.integers(1, 12), st.integers(0, 2))
def test_surprise_of_a_flat_case_reads_one_column_per_hypothesis(
    seed: int, k: int, n_items: int, zeros: int
) -> None:
    """The flat path gives the table of the general path.

    The flat path takes only hypothesis k's column of the simulated log-likelihoods, O(n x items)
    per hypothesis, not O(n x items x K) (300 hypotheses took minutes); the general path evaluates
    every column of every simulated case. The same random draws; equal to 1e-9 (sums in another
    order).
    """
    from motives.exact import loglik
    from motives.models.testing import random_case
    from motives.sensitivity.conflict import _simulate, surprise

    case = random_case(seed, n_items=n_items, n_hypotheses=k, zeros=zeros)
    got = surprise(case, n=300, seed=seed)
    arr = compiled(case, None)
    rng = np.random.default_rng(seed)
    obs = loglik(arr, reliability=False) - arr.other_loglik.sum(axis=0)
    for j, h in enumerate(arr.hypotheses):
        lam, _, _ = _simulate(arr, j, 300, rng)
        ll = loglik(arr, lam, reliability=False)[:, j] - arr.other_loglik.sum(axis=0)[j]
        assert got.loc[h, "tail"] == float(np.mean(ll <= obs[j] + 1e-12))
        with np.errstate(invalid="ignore"):
            np.testing.assert_allclose(
                got.loc[h, ["sim_mean", "sim_sd"]].to_numpy(dtype=float),
                [ll.mean(), ll.std()],
                rtol=1e-9,
                atol=1e-9,
            )


# ---------------------------------------------------------------------- no RuntimeWarning on stderr

#: Probabilities at the edges of float64 (and ordinary ones): what a likelihood cell may hold.
_EDGE_P = [0.0, -0.0, 1.0, 1e-308, 5e-324, 1e-300, 1e-16, 0.5, 1 - 1e-16, 0.999999]


@st.composite
def _extreme_case(draw: Any) -> dict[str, Any]:
    """A case of 3 hypotheses whose judgements sit at the extremes of float64.

    Its priors, cells, Beta forms and reliabilities sit at the extremes of float64.
    """
    p = st.sampled_from(_EDGE_P)
    form = p | st.sampled_from(
        [
            {"mean": 0.5, "concentration": 1e-300},
            {"mean": 0.999999, "concentration": 1e12},
            {"mean": 1e-6, "concentration": 1e12},
            {"beta": [1e-300, 1e-300]},
            {"beta": [1.0, 1e6]},
            {"beta": [1e6, 1.0]},
            {"interval": [0.999999, 0.9999999]},
            {"interval": [1e-12, 1e-11]},
        ]
    )
    hyps = ["a", "b", "c"]
    tiny = draw(st.sampled_from([0.0, 5e-324, 1e-300, 1e-10, 1 / 3]))
    priors = [tiny, (1 - tiny) / 2, (1 - tiny) / 2]
    items = []
    for i in range(draw(st.integers(2, 5))):
        vals = {h: draw(form) for h in hyps}
        if all(isinstance(v, float) and v == 0 for v in vals.values()):
            vals["a"] = (
                0.5  # an item impossible under every hypothesis is refused; not the point here
            )
        it = {"id": f"e{i}", "title": f"item {i}", "likelihoods": vals}
        if draw(st.booleans()):
            it["reported_by"] = "s"
        items.append(it)
    rel = draw(
        st.sampled_from(
            [
                {"mean": 0.999999, "concentration": 1e12},
                {"beta": [1e-300, 1e-300]},
                {"interval": [0.999999, 0.9999999]},
                0.9,
            ]
        )
    )
    return {
        "case": {
            "name": "extreme",
            "hypotheses": [{"id": h, "prior": q} for h, q in zip(hyps, priors, strict=True)],
            "sources": [{"key": "s", "reliability": rel}],
        },
        "evidence": {"evidence": items},
    }


@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
@given(_extreme_case())
def test_commands_print_no_runtime_warning_on_extreme_cases(
    tmp_path_factory: Any, doc: dict[str, Any]
) -> None:
    """Check, posterior and report on a case at the extremes of float64.

    Every sensitivity table, Sobol included, and every figure: exit 0, or 2 with a located message;
    never a numpy, scipy or matplotlib warning with its source line on stderr (the cause fixed, not
    silenced: the test runs the real command).
    """
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    tmp = tmp_path_factory.mktemp("extreme")
    (tmp / "case").mkdir()
    (tmp / "case" / "case.yaml").write_text(json.dumps(doc["case"]), encoding="utf-8")
    (tmp / "case" / "evidence.yaml").write_text(json.dumps(doc["evidence"]), encoding="utf-8")
    (tmp / "spec.yaml").write_text(
        f"name: x\ncase: {tmp / 'case'}\nsensitivity:\n  sobol_samples: 64\n", encoding="utf-8"
    )
    exe = str(Path(sys.executable).with_name("motives"))
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONWARNINGS": "default"}
    for args in (
        ["check", str(tmp / "case")],
        ["posterior", str(tmp / "case")],
        ["report", str(tmp / "spec.yaml"), "--out", str(tmp / "out")],
    ):
        proc = subprocess.run([exe, *args], capture_output=True, text=True, env=env, timeout=600)
        assert proc.returncode in (0, 2), (args, proc.returncode, proc.stderr[-2000:])
        if proc.returncode == 2:
            assert "error:" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr[-2000:]
            break
        assert "Warning" not in proc.stderr, (args, doc, proc.stderr[-3000:])


# ------------------------------------------------- a source's items counted before they are checked


def _write_source_case(
    root: Any,
    n_direct: int,
    n_structured: int,
    concentration: float | None,
    in_case_yaml: bool,
    files: int,
) -> Any:
    """A case folder: one source ``s`` reporting ``n_direct`` items on the hypotheses and
    ``n_structured`` under a proposition, its items spread over ``files`` evidence files; ``s``
    declared in case.yaml or in the first evidence file, with a Beta reliability or a fixed one."""
    import yaml

    root.mkdir(parents=True, exist_ok=True)
    rel = {"mean": 0.7} | ({"concentration": concentration} if concentration else {})
    source = {"key": "s", "reliability": rel}
    case: dict[str, Any] = {
        "name": "sized",
        "hypotheses": [{"id": "a"}, {"id": "b"}, {"id": "c"}],
        "propositions": [{"id": "p", "title": "p", "likelihoods": {"a": 0.7, "b": 0.4, "c": 0.2}}],
    }
    if in_case_yaml:
        case["sources"] = [source]
    (root / "case.yaml").write_text(yaml.safe_dump(case, sort_keys=False), encoding="utf-8")
    items = [
        {
            "id": f"d{i}",
            "title": "x",
            "reported_by": "s",
            "likelihoods": {"a": 0.6, "b": 0.4, "c": 0.5},
        }
        for i in range(n_direct)
    ] + [
        {
            "id": f"u{i}",
            "title": "x",
            "bears_on": "p",
            "reported_by": "s",
            "likelihoods": {"yes": 0.6, "no": 0.3},
        }
        for i in range(n_structured)
    ]
    for f in range(files):
        part: dict[str, Any] = {"evidence": items[f::files]}
        if f == 0 and not in_case_yaml:
            part["sources"] = [source]
        (root / f"ev{f}.yaml").write_text(yaml.safe_dump(part, sort_keys=False), encoding="utf-8")
    return root


@pytest.mark.parametrize("in_case_yaml", [True, False], ids=["case.yaml", "evidence file"])
def test_a_source_past_the_limit_is_refused_before_any_item_is_validated(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, in_case_yaml: bool
) -> None:
    """The red team's reproducer, scaled to 5,000 items (20,000 took minutes to load before the
    engine refused them): ``check`` refuses the case from the counts in the parsed YAML, before a
    single evidence file is validated (the validator fails if reached), with one located message:
    the file and line where the source's reliability is declared, the source, the field, how many
    items, the limit and what would fit; exit 2."""
    from typer.testing import CliRunner

    import motives.io as io
    from motives.cli import app

    folder = _write_source_case(tmp_path / "case", 5000, 0, 10.0, in_case_yaml, files=2)
    real = io._salvage

    def salvage(model: Any, *a: Any, **kw: Any) -> Any:
        assert model is not io.EvidenceFile, "an evidence file was validated before the refusal"
        return real(model, *a, **kw)

    monkeypatch.setattr(io, "_salvage", salvage)
    res = CliRunner().invoke(app, ["check", str(folder)], terminal_width=400)
    text = " ".join(res.output.split())
    assert res.exit_code == 2, res.output
    declared = folder / ("case.yaml" if in_case_yaml else "ev0.yaml")
    line = next(
        i + 1
        for i, t in enumerate(declared.read_text().splitlines())
        if t.strip().startswith("reliability")
    )
    assert f"{declared}:{line}: source 's', field 'reliability': reports 5,000 items" in text, text
    assert "2,501 quadrature nodes, more than the limit of 2,048" in text, text
    assert (
        "a source may report at most 4,095 items with a Beta reliability and 3 hypotheses" in text
    )
    assert f"counted in {folder / 'ev0.yaml'}, {folder / 'ev1.yaml'} before the items" in text
    assert text.count("error:") == 1 and "Traceback" not in res.output


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.integers(0, 12),
    st.integers(0, 2),
    st.sampled_from([None, 0.5, 10.0, 1e6]),
    st.booleans(),
    st.integers(1, 3),
)
def test_the_early_count_refuses_exactly_what_the_engine_would(
    tmp_path_factory: pytest.TempPathFactory,
    n_direct: int,
    n_structured: int,
    concentration: float | None,
    in_case_yaml: bool,
    files: int,
) -> None:
    """With the node limit lowered to 4 (a source may report at most 7 items): a generated case is
    refused while loading exactly when, loaded without that check, the engine refuses it when it
    compiles the case (the same rule, :func:`motives.numeric.source_refusal`), with the same
    sentence; items under a proposition and fixed reliabilities are not counted against it."""
    import motives as mv
    import motives.io as io
    import motives.numeric as numeric
    from motives.exact import compile_case

    folder = _write_source_case(
        tmp_path_factory.mktemp("c") / "case",
        n_direct,
        n_structured,
        concentration,
        in_case_yaml,
        files,
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(numeric, "MAX_NODES", 4)
        try:
            mv.load_case(folder)
            early = None
        except mv.CaseError as exc:
            early = exc.problems
        mp.setattr(io.SourceSizes, "refuse", lambda self, n_hyp: None)
        case = mv.load_case(folder)
        try:
            compile_case(case)
            late = None
        except mv.CaseError as exc:
            late = exc.problems
    assert (early is None) == (late is None), (early, late)
    if early is not None and late is not None:
        assert len(early) == len(late) == 1
        assert (early[0].item, early[0].kind, early[0].field) == ("s", "source", "reliability")
        assert early[0].message.startswith(late[0].message) and early[0].file and early[0].line


# ---------------------------------------------------------- the engine's refusals name file and
# line


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.sampled_from([("origin", "1e308"), ("sigma", "1e300"), ("sigma", "1.0e+301")]),
    st.integers(0, 4),
    st.integers(1, 3),
    st.integers(0, 2),
)
def test_an_engine_refusal_of_an_item_names_its_file_and_line(
    tmp_path_factory: pytest.TempPathFactory,
    culprit: tuple[str, str],
    before: int,
    files: int,
    where: int,
) -> None:
    """A timeline item whose likelihood overflows passes loading (each number is a float) and is
    refused by the exact engine when it compiles the case: the message names the evidence file and
    the line of the field at fault (generated: items before it, several files, the item in any of
    them), as loading's own problems do; exit 2. The loaded case still equals the same records
    built in memory (the locations are kept beside it, not on it), and a case built in memory is
    refused without a file."""
    from typer.testing import CliRunner

    import motives as mv
    from motives.cli import app

    field, value = culprit
    root = tmp_path_factory.mktemp("loc") / "case"
    root.mkdir()
    (root / "case.yaml").write_text(
        "name: t\nhypotheses:\n  - id: a\n  - id: b\n", encoding="utf-8"
    )
    plain = [
        f"  - {{id: e{i}, title: x, likelihoods: {{a: 0.6, b: 0.4}}}}\n" for i in range(before)
    ]
    where = where % files
    for f in range(files):
        body = "evidence:\n" + "".join(plain[f::files])
        if f == where:
            item = TIMELINE_ITEM.replace(f"{field}: X", f"{field}: {value}")
            body += item.replace("origin: X", "origin: 2002").replace("sigma: X", "sigma: 0.75")
        elif not plain[f::files]:
            body = "evidence: []\n"
        (root / f"ev{f}.yaml").write_text(body, encoding="utf-8")
    text = (root / f"ev{where}.yaml").read_text().splitlines()
    line = next(i + 1 for i, t in enumerate(text) if t.strip().startswith(f"{field}: {value}"))
    res = CliRunner().invoke(app, ["posterior", str(root)], terminal_width=400)
    flat = " ".join(res.output.split())
    assert res.exit_code == 2, res.output
    assert (
        f"{root / f'ev{where}.yaml'}:{line}: item 'tl', field '{field}': its likelihood overflows"
        in (flat)
    ), flat
    case = mv.load_case(root)
    built = mv.Case.model_validate(case.model_dump())
    assert built == case
    with pytest.raises(mv.CaseError) as err:
        mv.exact_posterior(built)
    assert err.value.problems[0].file is None and err.value.problems[0].item == "tl"


TIMELINE_ITEM = """\
  - id: tl
    kind: timeline
    title: x
    origin: X
    sigma: X
    observations:
      - {date: 2003-01-01, code: 1}
      - {date: 2005-06-01, code: 2}
    trends:
      default:
        values:
          a: {intercept: {mean: 0, sd: 0.5}, slope: {mean: 0, sd: 0.1}}
          b: {intercept: {mean: 1, sd: 0.5}, slope: {mean: 0.1, sd: 0.1}}
"""


@pytest.mark.parametrize("in_case_yaml", [True, False], ids=["case.yaml", "evidence file"])
def test_a_refusal_of_a_source_names_where_it_is_declared(
    tmp_path: Any, in_case_yaml: bool
) -> None:
    """A problem the engine raises about a source (kind 'source', its field) is located at the
    source's declaration, in case.yaml or in the evidence file that declares it; an item's problem
    at the item; a setting's (no record named) is left as it is (a prior may come from the command
    line)."""
    import motives as mv
    from motives.errors import Problem
    from motives.located import where_defined

    folder = _write_source_case(tmp_path / "case", 3, 0, 10.0, in_case_yaml, files=2)
    case = mv.load_case(folder)
    declared = folder / ("case.yaml" if in_case_yaml else "ev0.yaml")
    lines = declared.read_text().splitlines()
    rel = next(i + 1 for i, t in enumerate(lines) if t.strip().startswith("reliability"))
    src, item, setting = where_defined(
        case,
        [
            Problem("too many", item="s", kind="source", field="reliability"),
            Problem("overflows", item="d1", field="likelihoods"),
            Problem("must sum to 1", field="prior"),
        ],
    )
    assert (src.file, src.line, src.kind) == (str(declared), rel, "source")
    assert item.file == str(folder / "ev1.yaml") and item.line is not None
    assert setting == Problem("must sum to 1", field="prior")


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("model", ["exclusive", "mixture", "pooled"])
def test_the_trace_count_reads_the_free_parameters_sizes_from_their_dims(
    seed: int, model: str
) -> None:
    """What the memory refusal counts per draw is what the model's free parameters hold.

    Reference: PyMC's own shapes of the free parameters (``eval_rv_shapes``, which compiles);
    generated network and tree cases, every model kind.
    """
    import motives as mv
    from motives.models import trace_memory
    from motives.models.api import build

    built_any = False
    for case in (random_network_case(seed), random_structured_case(seed)):
        try:
            built = build(case, model=model)
        except mv.MotivesError:
            continue  # a model this case cannot have (pooled with one lens)
        built_any = True
        m = built.model
        shapes = m.eval_rv_shapes()
        want = sum(int(np.prod(shapes[rv.name])) for rv in m.free_RVs)
        assert trace_memory._free_size(m) == want
    assert built_any


def test_the_trace_count_falls_back_to_the_initial_point_without_dims() -> None:
    import pymc as pm

    from motives.models import trace_memory

    with pm.Model(coords={"k": range(3)}) as m:
        pm.Normal("a", dims="k")
        pm.Dirichlet("b", a=np.ones(4))  # no dims: its size comes from the initial point
    # the initial point holds b's value variable (3 numbers for a simplex of 4)
    assert trace_memory._free_size(m) == 3 + 3
