"""Structured evidence: propositions between hypotheses and items, in the exact engine.

Known answers: brute-force enumeration of the joint distribution (two- and
three-level trees, multi-state propositions, timeline and quantity items under
a proposition, a Beta-reliability source spanning propositions), a worked
textbook-style example by hand, the cap as a property, and flat cases bit-for-bit
as before propositions existed. Tolerance 1e-12: both sides are exact
computations in double precision; differences come only from summation order.
"""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import motives as mv
from _structured_cases import brute_force_posterior, random_structured_case
from motives import exact as X
from motives.errors import CaseError

DATA = Path(__file__).parent / "data"
TOL = 1e-12


# --------------------------------------------------------------------------- known answers


def test_burglary_by_hand() -> None:
    """P(E | h) = Σ_s P(s | h) Π P(E | s) per proposition, written out for the bundled example."""
    case = mv.examples.load("burglary")
    scene = {
        "yes": 0.6 * 0.9 * 0.5,
        "no": 0.05 * 0.3 * 0.1,
    }  # neighbour, phone, fibres (face value)
    motive = {"yes": 0.6 * 0.5, "no": 0.1 * 0.25}
    like = {
        "suspect": (0.8 * scene["yes"] + 0.2 * scene["no"])
        * (0.7 * motive["yes"] + 0.3 * motive["no"]),
        "someone_else": (0.1 * scene["yes"] + 0.9 * scene["no"])
        * (0.2 * motive["yes"] + 0.8 * motive["no"]),
    }
    z = 0.1 * like["suspect"] + 0.9 * like["someone_else"]
    got = mv.exact_posterior(case, reliability=False).loc[("hypothesis", "suspect"), "credence"]
    assert got == pytest.approx(0.1 * like["suspect"] / z, abs=TOL)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("depth", [2, 3])
@pytest.mark.parametrize("reliability", [True, False])
def test_random_trees_equal_brute_force(seed: int, depth: int, reliability: bool) -> None:
    """Two- and three-level trees, a 3-state proposition, a zero cell, a Beta source spanning
    two propositions and a direct item, timeline and quantity items under propositions."""
    case = random_structured_case(seed, depth=depth)
    if depth == 3:
        assert [p.bears_on for p in case.propositions] == ["hypotheses", "p0", "p1"]
    got = X.posterior(X.compile_case(case), reliability=reliability)
    want = brute_force_posterior(case, reliability=reliability)
    np.testing.assert_allclose(got, want, rtol=0, atol=TOL)


def test_multi_state_proposition_closed_form() -> None:
    """One 3-state proposition, one item: P(E | h) = Σ_s P(s | h) P(E | s)."""
    case = mv.Case.model_validate(
        {
            "name": "three",
            "hypotheses": [{"id": "a"}, {"id": "b"}],
            "propositions": [
                {
                    "id": "q",
                    "title": "Q",
                    "states": ["low", "mid", "high"],
                    "likelihoods": {
                        "a": {"low": 0.2, "mid": 0.3, "high": 0.5},
                        "b": {"low": 0.6, "mid": 0.3, "high": 0.1},
                    },
                }
            ],
            "evidence": [
                {
                    "id": "e",
                    "title": "E",
                    "bears_on": "q",
                    "likelihoods": {"low": 0.1, "mid": 0.5, "high": 0.9},
                }
            ],
        }
    )
    la = 0.2 * 0.1 + 0.3 * 0.5 + 0.5 * 0.9
    lb = 0.6 * 0.1 + 0.3 * 0.5 + 0.1 * 0.9
    got = mv.exact_posterior(case)["credence"].iloc[0]
    assert got == pytest.approx(la / (la + lb), abs=TOL)


def test_proposition_with_no_items_changes_nothing() -> None:
    case = random_structured_case(3, kinds=False)
    data = case.model_dump()
    data["propositions"].append(
        {
            "id": "lonely",
            "title": "No item bears on it",
            "likelihoods": {"a": {"values": {"h0": 0.9, "h1": 0.1, "h2": 0.5}}},
        }
    )
    extended = mv.Case.model_validate(data)
    assert extended.unused_propositions() == ["lonely"]
    np.testing.assert_allclose(
        X.posterior(X.compile_case(extended)), X.posterior(X.compile_case(case)), rtol=0, atol=TOL
    )


def test_identical_rows_make_a_proposition_non_diagnostic() -> None:
    case = mv.examples.load("burglary")
    data = case.model_dump()
    data["propositions"][0]["likelihoods"]["default"]["values"] = {
        "suspect": 0.4,
        "someone_else": 0.4,
    }
    flat = mv.Case.model_validate(data)
    assert "at_scene" in flat.non_diagnostic()
    without = X.compile_case(flat).without(["at_scene"])
    # At face value the proposition's reports change nothing ...
    np.testing.assert_allclose(
        X.posterior(X.compile_case(flat), reliability=False),
        X.posterior(without, reliability=False),
        rtol=0,
        atol=TOL,
    )
    # ... but with reliability they still inform the neighbour's reliability, which the motive
    # report shares.
    assert abs(X.posterior(X.compile_case(flat))[0] - X.posterior(without)[0]) > 1e-4


# --------------------------------------------------------------------------- the cap


@settings(max_examples=60, deadline=None)
@given(
    t=st.tuples(st.floats(0.01, 0.99), st.floats(0.01, 0.99)),
    lam=st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)).filter(lambda x: max(x) > 0),
    copies=st.integers(0, 40),
    base=st.lists(st.tuples(st.floats(0.01, 1.0), st.floats(0.01, 1.0)), max_size=3),
)
def test_copies_never_exceed_the_cap(
    t: tuple[float, float], lam: tuple[float, float], copies: int, base: list[tuple[float, float]]
) -> None:
    """However many copies of an item (with other items beside them) bear on p, the log-odds between
    h and h' moved by p's evidence stay within [log min_s, log max_s] of P(s | h) / P(s | h')."""
    items = [
        {
            "id": f"c{i}",
            "title": "copy",
            "bears_on": "p",
            "likelihoods": {"yes": lam[0], "no": lam[1]},
        }
        for i in range(copies)
    ]
    items += [
        {"id": f"o{i}", "title": "other", "bears_on": "p", "likelihoods": {"yes": a, "no": b}}
        for i, (a, b) in enumerate(base)
    ]
    case = mv.Case.model_validate(
        {
            "name": "cap",
            "hypotheses": [{"id": "h"}, {"id": "g"}],
            "propositions": [{"id": "p", "title": "P", "likelihoods": {"h": t[0], "g": t[1]}}],
            "evidence": items,
        }
    )
    ll = X.loglik(X.compile_case(case))
    ratios = [t[0] / t[1], (1 - t[0]) / (1 - t[1])]
    slack = 1e-9
    assert math.log(min(ratios)) - slack <= ll[0] - ll[1] <= math.log(max(ratios)) + slack


def test_many_copies_approach_the_cap() -> None:
    """A perfectly diagnostic item (P(E | no) = 0) reaches the cap exactly.

    Copies of a weak one approach it.
    """

    def odds(items: list[tuple[float, float]]) -> float:
        case = mv.Case.model_validate(
            {
                "name": "cap",
                "hypotheses": [{"id": "h"}, {"id": "g"}],
                "propositions": [{"id": "p", "title": "P", "likelihoods": {"h": 0.8, "g": 0.1}}],
                "evidence": [
                    {
                        "id": f"e{i}",
                        "title": "e",
                        "bears_on": "p",
                        "likelihoods": {"yes": a, "no": b},
                    }
                    for i, (a, b) in enumerate(items)
                ],
            }
        )
        ll = X.loglik(X.compile_case(case))
        return float(ll[0] - ll[1])

    cap = math.log(0.8 / 0.1)
    assert odds([(0.9, 0.0)]) == pytest.approx(cap, abs=TOL)
    assert odds([(0.6, 0.3)] * 60) == pytest.approx(cap, abs=1e-9)
    assert odds([(0.6, 0.3)] * 3) < cap


# --------------------------------------------------------------------------- vectorised scenarios


def test_table_and_item_sweeps_equal_one_at_a_time() -> None:
    case = random_structured_case(11, depth=3)
    arr = X.compile_case(case)
    rng = np.random.default_rng(0)
    p0 = arr.propositions[0]
    tables = rng.dirichlet(np.ones(p0.table.shape[1]), size=(5, p0.table.shape[0]))
    plam = np.clip(
        arr.propositions[1].lam * rng.uniform(0.5, 1.5, size=(5, *arr.propositions[1].lam.shape)),
        0,
        1,
    )
    batch = X.posterior(arr, tables={"p0": tables}, plam={"p1": plam})
    for k in range(5):
        one = X.posterior(arr, tables={"p0": tables[k]}, plam={"p1": plam[k]})
        np.testing.assert_allclose(batch[k], one, rtol=0, atol=TOL)
        data = case.model_dump()
        data["propositions"][0]["likelihoods"]["a"]["values"] = {
            v: {s: float(x) for s, x in zip(p0.states, tables[k][i], strict=True)}
            for i, v in enumerate(case.hypothesis_ids)
        }
        for j, item in enumerate(arr.propositions[1].items):
            e = next(e for e in data["evidence"] if e["id"] == item)
            e["likelihoods"]["a"]["values"] = {
                s: float(x) for s, x in zip(arr.propositions[1].states, plam[k][j], strict=True)
            }
        np.testing.assert_allclose(
            one, brute_force_posterior(mv.Case.model_validate(data)), rtol=0, atol=1e-9
        )


def test_without_equals_a_case_without_the_node() -> None:
    case = random_structured_case(4, depth=3, kinds=False)
    arr = X.compile_case(case)
    for drop in (["e2"], ["p1"], ["p0"], ["e0", "e3"]):
        data = case.model_dump()
        gone = set(drop)
        for p in data["propositions"]:  # parents come first
            if p["id"] in gone or p["bears_on"] in gone:
                gone.add(p["id"])
        data["propositions"] = [p for p in data["propositions"] if p["id"] not in gone]
        data["evidence"] = [
            e for e in data["evidence"] if e["id"] not in gone and e["bears_on"] not in gone
        ]
        smaller = mv.Case.model_validate(data)
        np.testing.assert_allclose(
            X.posterior(arr.without(drop)), brute_force_posterior(smaller), rtol=0, atol=TOL
        )


def test_grid_is_bounded_with_a_clear_error() -> None:
    sources = [{"key": f"s{i}", "reliability": {"beta": [3, 2]}} for i in range(4)]
    items = [
        {
            "id": f"e{i}_{k}",
            "title": "e",
            "bears_on": "p",
            "reported_by": f"s{i}",
            "likelihoods": {"yes": 0.7, "no": 0.2},
        }
        for i in range(4)
        for k in range(16)
    ]
    case = mv.Case.model_validate(
        {
            "name": "grid",
            "hypotheses": [{"id": "h"}, {"id": "g"}],
            "sources": sources,
            "propositions": [{"id": "p", "title": "P", "likelihoods": {"h": 0.7, "g": 0.2}}],
            "evidence": items,
        }
    )
    with pytest.raises(CaseError, match=r"tensor grid of 6,561 nodes.*limit of 4,096"):
        mv.exact_posterior(case)
    credence = mv.exact_posterior(case, reliability=False)["credence"]
    assert credence.iloc[:2].sum() == pytest.approx(1.0)


# --------------------------------------------------------------------------- independence figure


def test_independent_case_multiplies_the_implied_likelihoods() -> None:
    case = mv.examples.load("burglary")
    flat = X.independent_case(case)
    assert not flat.propositions
    lt = case.likelihood_table(stat="mean")
    like = lt[["suspect", "someone_else"]].prod(axis=0).to_numpy()
    want = np.array([0.1, 0.9]) * like / (np.array([0.1, 0.9]) * like).sum()
    got = (
        mv.exact_posterior(case, structure=False, reliability=False)["credence"].iloc[:2].to_numpy()
    )
    np.testing.assert_allclose(got, want, rtol=0, atol=TOL)
    structured = mv.exact_posterior(case, reliability=False)["credence"].iloc[0]
    assert structured < got[0]  # five correlated reports counted as independent overstate the case


def test_flat_case_is_its_own_independent_case() -> None:
    case = mv.examples.load("two_lenses")
    assert X.independent_case(case) is case


# --------------------------------------------------------------------------- flat cases unchanged


def test_flat_cases_bit_for_bit_as_before_propositions() -> None:
    """tests/data/flat_reference.json holds SHA-256 digests of exact-engine and sensitivity outputs
    computed by the engine before propositions existed (commit b7d8f6f); every one must match."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_flat_reference", DATA / "make_flat_reference.py"
    )
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    want = json.loads((DATA / "flat_reference.json").read_text(encoding="utf-8"))
    got = mod.outputs()
    assert set(got) == set(want)
    differ = [k for k in want if got[k] != want[k]]
    assert differ == []


# --------------------------------------------------------------------------- loading


def test_yaml_12_states_and_numbers(tmp_path: Path) -> None:
    """Bare yes/no/on/off are strings (the default states), 5e-9 is a number."""
    (tmp_path / "case.yaml").write_text(
        textwrap.dedent("""\
        name: yn
        hypotheses: [{id: h}, {id: g}]
        propositions:
          - id: p
            title: P
            likelihoods: {h: 5e-1, g: 1e-3}
          - id: q
            title: Q
            states: [on, off]
            likelihoods: {h: 0.5, g: 0.5}
    """),
        encoding="utf-8",
    )
    (tmp_path / "ev.yaml").write_text(
        textwrap.dedent("""\
        evidence:
          - id: e
            title: E
            bears_on: p
            likelihoods: {yes: 0.9, no: 5e-9}
          - id: f
            title: F
            bears_on: q
            likelihoods: {on: 0.9, off: 0.1}
    """),
        encoding="utf-8",
    )
    case = mv.load_case(tmp_path)
    assert case.proposition("q").states == ["on", "off"]
    assert case.item("e").likelihoods["default"].values["no"].mean == 5e-9
    assert case.proposition_table("p").loc["g", "yes"] == 1e-3


def test_extended_case_amends_a_proposition(tmp_path: Path) -> None:
    """A child case that adds a hypothesis adds its rows to the parent's propositions.

    The rows are added with amend:.
    """
    parent = tmp_path / "parent"
    child = tmp_path / "child"
    parent.mkdir()
    child.mkdir()
    src = mv.examples.path("burglary")
    for f in src.iterdir():
        (parent / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    (child / "case.yaml").write_text(
        textwrap.dedent("""\
        name: burglary_plus
        extends: ../parent
        hypotheses:
          - {id: suspect, prior: 0.1}
          - {id: someone_else, prior: 0.8}
          - {id: staged, prior: 0.1}
    """),
        encoding="utf-8",
    )
    (child / "amend.yaml").write_text(
        textwrap.dedent("""\
        amend:
          - id: at_scene
            likelihoods: {default: {values: {staged: 0.5}}}
          - id: had_motive
            likelihoods: {default: {values: {staged: 0.9}}}
    """),
        encoding="utf-8",
    )
    case = mv.load_case(child)
    assert case.proposition_table("at_scene").loc["staged", "yes"] == 0.5
    np.testing.assert_allclose(
        X.posterior(X.compile_case(case)), brute_force_posterior(case), rtol=0, atol=TOL
    )
    (child / "amend.yaml").write_text(
        "amend:\n  - id: at_scene\n    likelihoods: {default: {values: {suspect: 0.5}}}\n",
        encoding="utf-8",
    )
    with pytest.raises(CaseError, match="amendments only add hypotheses"):
        mv.load_case(child)


def test_lens_falls_back_for_a_proposition_and_says_so() -> None:
    case = random_structured_case(2, lenses=("a", "b"))
    data = case.model_dump()
    del data["propositions"][0]["likelihoods"]["b"]
    case = mv.Case.model_validate(data)
    assert "p0" in case.fallbacks("b")
    df = mv.exact_posterior(case, lens="b")
    assert "p0" in df.attrs["fallbacks"]
    np.testing.assert_allclose(
        X.compile_case(case, "b").propositions[0].table,
        X.compile_case(case, "a").propositions[0].table,
    )


# ------------------------------------------------------------------------- the public call's caches


def test_public_call_caches_are_safe() -> None:
    """exact_posterior caches the compiled arrays and the table's index per case object: edits to a
    returned table never reach the next one, and a changed copy of the case is compiled afresh."""
    case = mv.examples.load("burglary")
    first = mv.exact_posterior(case)
    first.loc[("hypothesis", "suspect"), "label"] = "edited"
    first.iloc[0, 2] = 5.0
    again = mv.exact_posterior(case)
    assert again.loc[("hypothesis", "suspect"), "label"] == "The suspect did it"
    assert again.iloc[0, 2] < 1
    assert X.compiled(case) is X.compiled(case)
    data = case.model_dump()
    data["propositions"][0]["likelihoods"]["default"]["values"]["suspect"] = 0.5
    changed = mv.Case.model_validate(data)
    assert mv.exact_posterior(changed).iloc[0, 2] != pytest.approx(again.iloc[0, 2])
    np.testing.assert_allclose(
        mv.exact_posterior(changed)["credence"].iloc[:2],
        brute_force_posterior(changed),
        rtol=0,
        atol=TOL,
    )
