"""The network references of tests/_bn_reference.py agree with each other and known answers.

See issue 20.

Brute-force enumeration (Beta moments), pgmpy's VariableElimination and
pyAgrum's LazyPropagation (Gauss–Jacobi nodes for the reliabilities) are three
independent computations of P(h | E) from the same case document; they must
agree to 1e-12 on generated networks before any of them is used to judge the
engine.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

import _bn_reference as R
import motives as mv
from motives.testing import random_network_case, random_network_document

pytest.importorskip("pgmpy")
pytest.importorskip("pyagrum")

TOL = 1e-12

#: Shapes of generated networks: the default, a large one (12 facts, two Beta sources, two lenses),
#: a tiny one, many hypotheses with at most two parents per fact.
SHAPES = [
    {},
    {
        "n_facts": 12,
        "n_roots": 2,
        "n_items": 10,
        "n_sources": 2,
        "n_observed": 2,
        "lenses": ("a", "b"),
        "zero_cells": 5,
    },
    {"n_hyp": 2, "n_facts": 3, "n_items": 4},
    {"n_hyp": 5, "n_facts": 9, "max_parents": 2, "n_items": 8, "n_sources": 2},
]
#: (seed, shape) pairs: 210 networks.
CASES = [(seed, k) for k, n in enumerate((100, 20, 50, 40)) for seed in range(n)]
#: Tree-shaped networks (one parent each, no roots or findings) that the schema read before issue
#: 20.
TREE = {
    "max_parents": 1,
    "n_roots": 0,
    "n_observed": 0,
    "max_item_parents": 1,
    "list_single": False,
    "lenses": ("a", "b"),
}


def _diff(a: dict[str, float], b: dict[str, float]) -> float:
    assert list(a) == list(b)
    return max(abs(a[h] - b[h]) for h in a)


def _cells(values: object, depth: int):
    """The cells of a nested table, ``depth`` levels down."""
    if depth == 0:
        yield values
    else:
        for v in values.values():  # type: ignore[attr-defined]
            yield from _cells(v, depth - 1)


@pytest.mark.parametrize(
    "ref",
    [R.brute_force_posterior, R.pgmpy_posterior, R.pyagrum_posterior],
    ids=["brute", "pgmpy", "pyagrum"],
)
def test_pearl_alarm_known_answer(ref) -> None:
    post = ref(R.alarm_document())
    assert abs(post["burglary"] - 0.284171835364393) < TOL
    assert abs(post["burglary"] - R.alarm_answer()) < TOL
    assert abs(sum(post.values()) - 1) < TOL


def test_alarm_with_the_parents_listed_the_other_way_round() -> None:
    """Nesting order: the same table written earthquake-first gives the same answer."""
    doc = R.alarm_document()
    alarm = doc["propositions"][1]
    alarm["bears_on"] = ["earthquake", "hypotheses"]
    t = alarm["likelihoods"]
    alarm["likelihoods"] = {e: {h: t[h][e] for h in t} for e in ("yes", "no")}
    for ref in (R.brute_force_posterior, R.pgmpy_posterior, R.pyagrum_posterior):
        assert abs(ref(doc)["burglary"] - R.alarm_answer()) < TOL


def _student() -> dict:
    """Koller & Friedman's student network.

    The hypotheses are the intelligence, the grade is observed C.
    """
    return {
        "name": "student",
        "hypotheses": [{"id": "low", "prior": 0.7}, {"id": "high", "prior": 0.3}],
        "propositions": [
            {
                "id": "difficulty",
                "title": "Hard course",
                "states": ["easy", "hard"],
                "bears_on": [],
                "likelihoods": {"easy": 0.6, "hard": 0.4},
            },
            {
                "id": "grade",
                "title": "Grade",
                "states": ["a", "b", "c"],
                "bears_on": ["hypotheses", "difficulty"],
                "likelihoods": {
                    "low": {
                        "easy": {"a": 0.3, "b": 0.4, "c": 0.3},
                        "hard": {"a": 0.05, "b": 0.25, "c": 0.7},
                    },
                    "high": {
                        "easy": {"a": 0.9, "b": 0.08, "c": 0.02},
                        "hard": {"a": 0.5, "b": 0.3, "c": 0.2},
                    },
                },
                "observed": "c",
            },
        ],
        "evidence": [],
    }


def test_student_network_known_answer() -> None:
    """Koller & Friedman's student network.

    P(intelligence = high | grade = C) = 0.0789... (their Fig. 3.4 CPDs).
    """
    doc = _student()
    # by hand: P(c | low) = .6 * .3 + .4 * .7 = .46, P(c | high) = .6 * .02 + .4 * .2 = .092
    want = 0.3 * 0.092 / (0.3 * 0.092 + 0.7 * 0.46)
    for ref in (R.brute_force_posterior, R.pgmpy_posterior, R.pyagrum_posterior):
        assert abs(ref(doc)["high"] - want) < TOL
    assert round(want, 4) == 0.0789


def test_a_beta_source_is_integrated_exactly() -> None:
    """One item from a Beta source: P(E | h) = E[ρ] λ_h + (1 − E[ρ]) b, whatever the quadrature."""
    doc = {
        "name": "witness",
        "hypotheses": [{"id": "blue", "prior": 0.15}, {"id": "green", "prior": 0.85}],
        "sources": [{"key": "w", "reliability": {"mean": 0.8, "concentration": 5}}],
        "evidence": [
            {
                "id": "says_blue",
                "title": "Says blue",
                "bears_on": "hypotheses",
                "reported_by": "w",
                "likelihoods": {"blue": 1.0, "green": 0.0},
            }
        ],
    }
    like = np.array([0.8 * 1 + 0.2 * 0.5, 0.8 * 0 + 0.2 * 0.5])
    want = 0.15 * like[0] / (0.15 * like[0] + 0.85 * like[1])
    for ref in (R.brute_force_posterior, R.pgmpy_posterior, R.pyagrum_posterior):
        assert abs(ref(doc)["blue"] - want) < TOL
    # two items of the same source: E[(ρ + (1−ρ)/2)^2] needs the second moment, not E[ρ]^2
    doc["evidence"].append({**doc["evidence"][0], "id": "says_blue_again"})
    m1, m2 = R.beta_moments(0.8, 5, 2)[1:]
    blue = 0.25 + 0.5 * m1 + 0.25 * m2  # ((1 + ρ) / 2)^2
    green = 0.25 - 0.5 * m1 + 0.25 * m2  # ((1 − ρ) / 2)^2
    want = 0.15 * blue / (0.15 * blue + 0.85 * green)
    for ref in (R.brute_force_posterior, R.pgmpy_posterior, R.pyagrum_posterior):
        assert abs(ref(doc)["blue"] - want) < TOL


@pytest.mark.parametrize(("seed", "shape"), CASES)
def test_three_references_agree_on_generated_networks(seed: int, shape: int) -> None:
    doc = random_network_document(seed, **SHAPES[shape])
    for lens in [lens["id"] for lens in doc["lenses"]]:
        brute = R.brute_force_posterior(doc, lens)
        assert abs(sum(brute.values()) - 1) < TOL
        assert _diff(brute, R.pgmpy_posterior(doc, lens)) < TOL, (seed, shape, lens)
        assert _diff(brute, R.pyagrum_posterior(doc, lens)) < TOL, (seed, shape, lens)


@pytest.mark.parametrize("seed", range(40))
def test_the_engine_agrees_on_tree_shaped_networks(seed: int) -> None:
    """Trees (which the engine read before networks).

    The brute force and the engine mean the same model, reliability, base rates and zero cells
    included.
    """
    doc = random_network_document(seed, **TREE)
    case = mv.Case.model_validate(doc)
    for lens in ("a", "b"):
        got = mv.exact_posterior(case, lens).xs("hypothesis", level="level")["credence"]
        assert (
            _diff(
                R.brute_force_posterior(doc, lens), {h: float(got[h]) for h in case.hypothesis_ids}
            )
            < TOL
        )


def _engine(doc: dict, lens: str | None = None) -> dict[str, float]:
    case = mv.Case.model_validate(doc)
    got = mv.exact_posterior(case, lens).xs("hypothesis", level="level")["credence"]
    return {h: float(got[h]) for h in case.hypothesis_ids}


@pytest.mark.parametrize("seed", range(200))
def test_the_engine_matches_the_brute_force_on_generated_networks(seed: int) -> None:
    case = random_network_case(seed)
    got = mv.exact_posterior(case).xs("hypothesis", level="level")["credence"]
    ref = R.brute_force_posterior(random_network_document(seed))
    assert _diff(ref, {h: float(got[h]) for h in case.hypothesis_ids}) < TOL


@pytest.mark.parametrize("shape", [1, 2, 3])
def test_the_engine_matches_the_brute_force_on_other_shapes(shape: int) -> None:
    for seed in range(15):
        doc = random_network_document(seed, **SHAPES[shape])
        for lens in [lens["id"] for lens in doc["lenses"]]:
            assert _diff(R.brute_force_posterior(doc, lens), _engine(doc, lens)) < TOL, (seed, lens)


def test_the_engine_matches_the_brute_force_on_random_shapes() -> None:
    """Every size and switch of the generator drawn at random.

    All facts observed, no items, no sources, ...
    """
    for seed in range(100):
        r = np.random.default_rng(10_000 + seed)
        nf = int(r.integers(1, 13))
        shape = {
            "n_hyp": int(r.integers(2, 6)),
            "n_facts": nf,
            "n_roots": int(r.integers(0, nf)),
            "n_items": int(r.integers(0, 13)),
            "max_parents": int(r.integers(1, 4)),
            "max_item_parents": int(r.integers(1, 3)),
            "max_states": int(r.integers(2, 5)),
            "n_observed": int(r.integers(0, nf + 1)),
            "n_sources": int(r.integers(0, 4)),
            "fixed_source": bool(r.random() < 0.5),
            "zero_cells": int(r.integers(0, 8)),
        }
        doc = random_network_document(seed, **shape)
        assert _diff(R.brute_force_posterior(doc), _engine(doc)) < TOL, (seed, shape)


def test_the_engine_on_the_known_answers() -> None:
    assert abs(_engine(R.alarm_document())["burglary"] - R.alarm_answer()) < TOL
    assert abs(_engine(_student())["high"] - 0.3 * 0.092 / (0.3 * 0.092 + 0.7 * 0.46)) < TOL


def test_the_engine_does_not_underflow() -> None:
    """Every cell of the items taken at face value scaled by 1e-100 (P(E | h) ~ 1e-500).

    The posterior is the same.
    """

    def scale(v: object) -> object:
        return {k: scale(c) for k, c in v.items()} if isinstance(v, dict) else v * 1e-100  # type: ignore[operator]

    for seed in range(40):
        doc = random_network_document(seed, n_items=8)
        ref = R.brute_force_posterior(doc)
        for e in doc["evidence"]:
            if "reported_by" not in e:
                e["likelihoods"]["a"]["values"] = scale(e["likelihoods"]["a"]["values"])
        assert _diff(ref, _engine(doc)) < TOL, seed


def test_generated_networks_have_what_the_issue_asks_for() -> None:
    """Over the generated networks.

    Root facts, 1–3 parents, 2–4 states, items with 1–2 parents, observed facts, Beta sources over
    several parents, zero cells, and evidence possible under some hypothesis.
    """
    seen: dict[str, set] = {"fact_parents": set(), "states": set(), "item_parents": set()}
    counts = dict.fromkeys(
        ("root", "observed", "zero", "ruled_out", "list_single", "dict_two_state"), 0
    )
    for seed, shape in CASES:
        doc = random_network_document(seed, **SHAPES[shape])
        assert doc == random_network_document(seed, **SHAPES[shape])
        net = R.parse(doc)
        ids = [f.id for f in net.facts]
        for f in net.facts:
            seen["fact_parents"].add(len(f.parents))
            seen["states"].add(len(f.states))
            counts["root"] += not f.parents
            counts["observed"] += f.observed is not None
            counts["zero"] += int((f.table == 0).sum())
            assert all(
                p == "hypotheses" or ids.index(p) < ids.index(f.id) for p in f.parents
            )  # a DAG in order
            assert np.allclose(f.table.sum(axis=-1), 1, atol=1e-9) and (f.table >= 0).all()
        for e in net.items:
            seen["item_parents"].add(len(e.parents))
            counts["zero"] += int((e.table == 0).sum())
            assert (e.table > 0).any()
        for s in doc["sources"]:
            if isinstance(s["reliability"], dict):
                mine = [e for e in net.items if e.source == s["key"]]
                assert len(mine) >= 2 and len({tuple(e.parents) for e in mine}) >= 2
        for p in doc["propositions"] + doc["evidence"]:
            counts["list_single"] += isinstance(p["bears_on"], list) and len(p["bears_on"]) == 1
        for p, f in zip(doc["propositions"], net.facts, strict=True):
            cells = list(_cells(p["likelihoods"]["a"]["values"], len(f.parents)))
            counts["dict_two_state"] += (
                len(f.states) == 2 and bool(f.parents) and isinstance(cells[0], dict)
            )
        joint = R.brute_force_joint(doc)
        assert joint.sum() > 0
        counts["ruled_out"] += int((joint == 0).sum())
        assert math.prod(len(f.states) for f in net.facts if f.observed is None) <= 50_000
    assert seen["fact_parents"] == {0, 1, 2, 3}
    assert seen["states"] == {2, 3, 4}
    assert seen["item_parents"] == {1, 2}
    assert min(counts.values()) > 0, counts


def test_references_refuse_what_they_do_not_model() -> None:
    doc = random_network_document(1)
    bad = copy.deepcopy(doc)
    bad["evidence"][0]["kind"] = "timeline"
    with pytest.raises(NotImplementedError):
        R.brute_force_posterior(bad)
    bad = copy.deepcopy(doc)
    bad["propositions"][0]["observed"] = "maybe"
    with pytest.raises(ValueError, match="observed"):
        R.parse(bad)
