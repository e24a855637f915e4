"""Seeded cases and fake fits for tests, documentation and benchmarks.

Every factory is deterministic: the same arguments (and seed) give the same
case, so a failing test can be rerun and a benchmark measures the same work
each time. Nothing here samples: :func:`fake_fit` and :func:`fake_trace` make
draws directly, for code that only reads a fit (plots, reports, saving).

The module sits above every layer (see ARCHITECTURE.md): it may import any
of them, and no module of the library imports it.

Examples
--------
>>> import motives as mv
>>> from motives import testing
>>> case = testing.random_structured_case(5)
>>> case == testing.random_structured_case(5), case == testing.random_structured_case(6)
(True, False)
>>> float(mv.exact_posterior(case).xs("hypothesis", level="level")["credence"].sum())
1.0
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from motives.models.testing import random_case, timeline_case
from motives.schema import Case

if TYPE_CHECKING:
    import xarray as xr

    from motives.models.result import FitResult

__all__ = [
    "CHECKS",
    "CONTRACT_CASES",
    "H4",
    "analysis_checks",
    "check_analysis",
    "contract_case",
    "fake_fit",
    "fake_trace",
    "random_case",
    "random_network_case",
    "random_network_document",
    "random_structured_case",
    "rich_case",
    "timeline_case",
    "two_hypothesis_case",
]

#: The hypotheses of :func:`rich_case` (and the default of :func:`fake_trace`).
H4 = ["nat", "reg", "ide", "lea"]


# --------------------------------------------------------------------------- fixed synthetic cases


def rich_case(**overrides: Any) -> Case:
    """Four hypotheses in two families, two lenses, a shared unreliable source.

    It also has a timeline and a quantity item.

    A small case with every kind of item, for the sensitivity, plot, report and CLI tests.

    Parameters
    ----------
    overrides
        Top-level fields of the case document to replace (``prior``, ``evidence``, ...).

    Examples
    --------
    >>> case = rich_case()
    >>> case.hypothesis_ids, case.family_ids, case.default_lens
    (['nat', 'reg', 'ide', 'lea'], ['security', 'nonsecurity'], 'a')
    >>> [e.kind for e in case.evidence][-2:]
    ['quantity', 'timeline']
    >>> rich_case(name="other").name
    'other'
    """
    data: dict[str, Any] = {
        "name": "synthetic",
        "title": "A synthetic case with every kind of item",
        "default_lens": "a",
        "hypotheses": [
            {"id": "nat", "label": "National security", "family": "security", "prior": 0.4},
            {"id": "reg", "label": "Regime security", "family": "nonsecurity", "prior": 0.2},
            {"id": "ide", "label": "Ideology", "family": "nonsecurity", "prior": 0.2},
            {"id": "lea", "label": "Leader image", "family": "nonsecurity", "prior": 0.2},
        ],
        "families": [
            {"id": "security", "label": "Security"},
            {"id": "nonsecurity", "label": "Non-security"},
        ],
        "lenses": [{"id": "a", "name": "Lens A"}, {"id": "b", "name": "Lens B"}],
        "sources": [{"key": "wire", "reliability": {"mean": 0.7, "concentration": 10}}],
        "issue_areas": [
            {"id": "diplomacy", "title": "Diplomacy"},
            {"id": "force", "title": "Force & size"},
        ],
        "references": {
            "doc1": {"title": "One"},
            "wire": {"title": "Wire report"},
            "doc_2": {"title": "Two"},
        },
        "evidence": [
            {
                "id": "orders",
                "title": "Orders to seize the capital",
                "date": "2022-02-24",
                "issue_area": "force",
                "sources": ["doc1"],
                "footnotes": [175],
                "quote": "liquidate the executive & more",
                "likelihoods": {
                    "a": {
                        "values": {"nat": 0.3, "reg": 0.85, "ide": 0.85, "lea": 0.8},
                        "confidence": "medium",
                    },
                    "b": {
                        "values": {"nat": 0.6, "reg": 0.7, "ide": 0.7, "lea": 0.7},
                        "confidence": "low",
                    },
                },
            },
            {
                "id": "talks",
                "title": "Talks held in good faith?",
                "date": "2021-12",
                "issue_area": "diplomacy",
                "sources": ["doc_2"],
                "likelihoods": {"a": {"values": {"nat": 0.6, "reg": 0.3, "ide": 0.35, "lea": 0.3}}},
            },
            {
                "id": "report1",
                "title": "Wire report one",
                "date": "2022-01-10",
                "issue_area": "diplomacy",
                "sources": ["wire"],
                "reported_by": "wire",
                "likelihoods": {
                    "a": {"values": {"nat": 0.2, "reg": 0.6, "ide": 0.6, "lea": 0.7}},
                    "b": {"values": {"nat": 0.5, "reg": 0.5, "ide": 0.5, "lea": 0.6}},
                },
            },
            {
                "id": "report2",
                "title": "Wire report two",
                "issue_area": "diplomacy",
                "sources": ["wire"],
                "reported_by": "wire",
                "base_rate": 0.3,
                "likelihoods": {
                    "a": {
                        "values": {"nat": 0.4, "reg": 0.7, "ide": 0.5, "lea": 0.6},
                        "confidence": "high",
                    }
                },
            },
            {
                "id": "neutral",
                "title": "Opposes NATO membership",
                "issue_area": "diplomacy",
                "sources": ["doc1"],
                "likelihoods": {"a": {"values": {"nat": 0.9, "reg": 0.9, "ide": 0.9, "lea": 0.9}}},
            },
            {
                "id": "force_size",
                "kind": "quantity",
                "title": "Size of the force",
                "observed": 190000,
                "issue_area": "force",
                "date": "2022-02",
                "predictive": {
                    "a": {
                        "values": {
                            "nat": {"dist": "lognormal", "median": 150000, "sigma": 0.4},
                            "reg": {"dist": "normal", "mean": 200000, "sd": 50000},
                            "ide": {"dist": "normal", "mean": 220000, "sd": 60000},
                            "lea": {"dist": "normal", "mean": 200000, "sd": 60000},
                        }
                    },
                    "b": {
                        "values": {
                            "nat": {"dist": "lognormal", "median": 190000, "sigma": 0.4},
                            "reg": {"dist": "normal", "mean": 200000, "sd": 50000},
                            "ide": {"dist": "normal", "mean": 220000, "sd": 60000},
                            "lea": {"dist": "normal", "mean": 200000, "sd": 60000},
                        }
                    },
                },
            },
            {
                "id": "rhetoric",
                "kind": "timeline",
                "title": "Statements on NATO",
                "origin": 2002,
                "sigma": 1.2,
                "issue_area": "diplomacy",
                "sources": ["doc1"],
                "scale": {0: "none", 1: "mild", 2: "objection", 3: "strong", 4: "red line"},
                "observations": [
                    {"date": "2002-05", "code": 0},
                    {"date": "2004", "code": 1},
                    {"date": "2008-04", "code": 3},
                    {"date": "2014", "code": 3},
                    {"date": "2021-12", "code": 4},
                ],
                "trends": {
                    "a": {
                        "values": {
                            "nat": {
                                "intercept": {"mean": 1.5, "sd": 1.0},
                                "slope": {"mean": 0.08, "sd": 0.06},
                            },
                            "reg": {
                                "intercept": {"mean": 1.0, "sd": 0.5},
                                "slope": {"mean": 0.12, "sd": 0.04},
                            },
                            "ide": {
                                "intercept": {"mean": 1.0, "sd": 0.5},
                                "slope": {"mean": 0.12, "sd": 0.04},
                            },
                            "lea": {
                                "intercept": {"mean": 0.8, "sd": 0.5},
                                "slope": {"mean": 0.14, "sd": 0.04},
                            },
                        }
                    }
                },
            },
        ],
    }
    data.update(overrides)
    return Case.model_validate(data)


def two_hypothesis_case() -> Case:
    """Two hypotheses, three independent items taken at face value.

    Examples
    --------
    >>> import motives as mv
    >>> case = two_hypothesis_case()
    >>> case.hypothesis_ids, len(case.evidence)
    (['h1', 'h2'], 3)
    >>> round(
    ...     float(mv.exact_posterior(case).loc[("hypothesis", "h1"), "credence"]), 4
    ... )  # 0.3*.288 / (...+0.7*.03)
    0.8045
    """
    return Case.model_validate(
        {
            "name": "two",
            "hypotheses": [{"id": "h1", "prior": 0.3}, {"id": "h2", "prior": 0.7}],
            "evidence": [
                {"id": "e1", "title": "one", "likelihoods": {"h1": 0.8, "h2": 0.3}},
                {"id": "e2", "title": "two", "likelihoods": {"h1": 0.4, "h2": 0.5}},
                {"id": "e3", "title": "three", "likelihoods": {"h1": 0.9, "h2": 0.2}},
            ],
        }
    )


# -------------------------------------------------------------------------- random structured cases


def _p(rng: np.random.Generator, lo: float = 0.02, hi: float = 0.98) -> float:
    return float(np.round(rng.uniform(lo, hi), 3))


def _row(rng: np.random.Generator, states: list[str]) -> Any:
    if len(states) == 2:
        return _p(rng)
    w = rng.dirichlet(np.ones(len(states)) * 2)
    w = np.round(w, 3)
    w[-1] = round(1 - w[:-1].sum(), 3)
    if w[-1] < 0:
        w = np.full(len(states), round(1 / len(states), 3))
        w[-1] = round(1 - w[:-1].sum(), 3)
    return {s: float(v) for s, v in zip(states, w, strict=True)}


def random_structured_case(
    seed: int,
    *,
    n_hyp: int = 3,
    n_props: int = 3,
    depth: int = 2,
    multi_state: bool = True,
    shared_source: bool = True,
    zero_cell: bool = True,
    kinds: bool = True,
    n_items: int = 7,
    lenses: tuple[str, ...] = ("a",),
) -> Case:
    """A random case.

    ``n_props`` propositions up to ``depth`` levels, items under them and on the hypotheses.

    Parameters
    ----------
    seed
        Seed of everything random (the tree of propositions and every value).
    n_hyp, n_props, n_items
        Sizes; item ``e0`` bears on the hypotheses, item ``e{i}`` on proposition ``p{i % n_props}``.
    depth
        Up to 2: a proposition may bear on an earlier one; above 2 (with three propositions or more)
        ``p2`` → ``p1`` → ``p0`` → hypotheses is forced.
    multi_state
        Give the last proposition three states (``low``, ``mid``, ``high``).
    shared_source
        A source of Beta reliability reports items under two different propositions (and one direct
        item).
    zero_cell
        Put a 0 in one item row.
    kinds
        Add a timeline and a quantity item under a proposition.
    lenses
        Lens ids; every lens gets the same values.

    Examples
    --------
    >>> case = random_structured_case(3, depth=3)
    >>> [(p.id, p.bears_on) for p in case.propositions]
    [('p0', 'hypotheses'), ('p1', 'p0'), ('p2', 'p1')]
    >>> [e.kind for e in case.evidence][-2:], case == random_structured_case(3, depth=3)
    (['timeline', 'quantity'], True)
    """
    rng = np.random.default_rng(seed)
    H = [f"h{i}" for i in range(n_hyp)]
    props: list[dict[str, Any]] = []
    for i in range(n_props):
        states = ["yes", "no"] if not (multi_state and i == n_props - 1) else ["low", "mid", "high"]
        parent = "hypotheses"
        if i > 0 and depth > 1 and rng.random() < 0.6:
            parent = props[int(rng.integers(0, i))]["id"]
        parent_values = (
            H if parent == "hypotheses" else next(p for p in props if p["id"] == parent)["states"]
        )
        props.append(
            {
                "id": f"p{i}",
                "title": f"Proposition {i}",
                "states": states,
                "bears_on": parent,
                "likelihoods": {
                    lens: {"values": {v: _row(rng, states) for v in parent_values}}
                    for lens in lenses
                },
            }
        )
    if depth > 2 and n_props >= 3:  # force a chain of three levels: p2 -> p1 -> p0 -> hypotheses
        props[1]["bears_on"], props[2]["bears_on"] = "p0", "p1"
        for k in (1, 2):
            pv = next(p for p in props if p["id"] == props[k]["bears_on"])["states"]
            props[k]["likelihoods"] = {
                lens: {"values": {v: _row(rng, props[k]["states"]) for v in pv}} for lens in lenses
            }
    items: list[dict[str, Any]] = []
    sources = []
    if shared_source:
        sources.append(
            {
                "key": "src",
                "reliability": {"beta": [float(rng.uniform(1.5, 6)), float(rng.uniform(1, 3))]},
            }
        )
    for i in range(n_items):
        target = "hypotheses" if i == 0 else props[i % n_props]["id"]
        keys = (
            H if target == "hypotheses" else next(p for p in props if p["id"] == target)["states"]
        )
        vals = {k: _p(rng) for k in keys}
        if zero_cell and i == 2:
            vals[keys[-1]] = 0.0
        it: dict[str, Any] = {
            "id": f"e{i}",
            "title": f"Item {i}",
            "bears_on": target,
            "likelihoods": {lens: {"values": dict(vals)} for lens in lenses},
        }
        if shared_source and i in (0, 1, 2, 3):
            it["reported_by"] = "src"
        items.append(it)
    if kinds:
        p = props[0]
        items.append(
            {
                "id": "tl",
                "title": "A timeline",
                "kind": "timeline",
                "bears_on": p["id"],
                "sigma": 1.0,
                "observations": [
                    {"date": 2000 + k, "code": float(np.round(rng.normal(1, 1), 2))}
                    for k in range(4)
                ],
                "origin": 2000,
                "trends": {
                    lens: {
                        "values": {
                            s: {
                                "intercept": {"mean": float(j), "sd": 1.0},
                                "slope": {"mean": 0.1 * j, "sd": 0.2},
                            }
                            for j, s in enumerate(p["states"])
                        }
                    }
                    for lens in lenses
                },
            }
        )
        items.append(
            {
                "id": "qty",
                "title": "A quantity",
                "kind": "quantity",
                "bears_on": props[-1]["id"],
                "observed": 3.0,
                "predictive": {
                    lens: {
                        "values": {
                            s: {"dist": "normal", "mean": float(j), "sd": 2.0}
                            for j, s in enumerate(props[-1]["states"])
                        }
                    }
                    for lens in lenses
                },
            }
        )
    return Case.model_validate(
        {
            "name": "random",
            "hypotheses": [{"id": h} for h in H],
            "lenses": [{"id": lens} for lens in lenses],
            "sources": sources,
            "propositions": props,
            "evidence": items,
        }
    )


# --------------------------------------------------------------------------- random networks


#: State names of a generated fact, by number of states.
_NET_STATES = {2: ["yes", "no"], 3: ["low", "mid", "high"], 4: ["s1", "s2", "s3", "s4"]}


def _net_row(rng: np.random.Generator, n: int) -> list[float]:
    """A row of ``n`` probabilities, each at least 0.019, with three decimals, summing to 1."""
    w = 0.02 + (1 - 0.02 * n) * rng.dirichlet(np.full(n, 2.0))
    row = [round(float(v), 3) for v in w[:-1]]
    return [*row, round(1 - sum(row), 3)]


def _nest(parents: list[list[str]], cells: dict[tuple[str, ...], Any]) -> Any:
    """Flat cells keyed by parent-value tuples -> nested dicts, first parent outermost.

    A root gives its one row.
    """
    if not parents:
        return cells[()]
    return {
        v: _nest(parents[1:], {k[1:]: c for k, c in cells.items() if k[0] == v}) for v in parents[0]
    }


# C901: a generator of random networks, one branch per node kind
def random_network_document(  # noqa: C901
    seed: int,
    *,
    n_hyp: int = 3,
    n_facts: int = 6,
    n_roots: int = 1,
    n_items: int = 7,
    max_parents: int = 3,
    max_item_parents: int = 2,
    max_states: int = 4,
    n_observed: int = 1,
    n_sources: int = 1,
    fixed_source: bool = True,
    zero_cells: int = 3,
    lenses: tuple[str, ...] = ("a",),
    list_single: bool = True,
    max_joint: int = 50_000,
) -> dict[str, Any]:
    """The document of a random case whose structure is a Bayesian network.

    A dict, as read from YAML.

    Facts ``f0``, ``f1``, ... come in an order in which every parent precedes its children.
    ``n_roots`` of them are root facts (``bears_on: []``, one row: their prior); each other fact has
    1 to ``max_parents`` parents drawn from the hypotheses and the earlier facts, in a random order
    (so its table is nested in that order). The first fact that has parents bears on the hypotheses,
    and at least one fact has two parents when ``max_parents`` allows it, so the network is a DAG
    with undirected loops, not a tree. A fact has 2 to ``max_states`` states; ``n_observed`` facts
    carry ``observed: STATE``, and while the unobserved facts' joint state space would exceed
    ``max_joint`` the largest of them loses states, so brute-force enumeration stays fast.

    Items ``e0``, ``e1``, ... are likelihood items with 1 to ``max_item_parents`` parents (the
    hypotheses and/or any facts, observed ones included), tables nested like the facts'. Each of the
    ``n_sources`` sources ``src0``, ... has an uncertain reliability (``{mean, concentration}``)
    and reports two or more items bearing on different parents (about one in three of them with a
    ``base_rate``); with ``fixed_source`` a source ``fixed`` of point reliability reports one more.

    ``zero_cells`` cells are set to exactly 0 (a state of a fact's row, or an item's P(E |
    parents)), never a whole row, and never on a chosen *witness* configuration: one hypothesis and
    one state per fact (the observed state for an observed fact) under which every table cell and
    every item is positive, so the evidence is possible under at least that hypothesis.

    Two-state rows are written as P(first state) (sometimes as ``{state: p}``), more states as
    ``{state: p}``; one parent as a string (with ``list_single``, sometimes a one-element list).
    Every lens in ``lenses`` gets its own values (the zero cells in the same places); the first is
    the default lens. Numbers have three decimals.

    Parameters
    ----------
    seed
        Seed of everything random: the same arguments give the same document.
    n_hyp, n_facts, n_roots, n_items
        Sizes (``n_roots`` ≤ ``n_facts``; ``n_facts - n_roots`` ≥ 1 unless ``n_facts`` is 0).
    max_parents, max_item_parents
        Most parents of a fact (1 gives a tree below the hypotheses and the roots) and of an item.
    max_states
        Most states of a fact (2 to 4).
    n_observed
        Facts with a hard finding.
    n_sources, fixed_source
        Sources of Beta reliability; a source of point reliability 0.8.
    zero_cells
        Cells set to 0.
    lenses
        Lens ids.
    list_single
        Allow ``bears_on: [parent]`` for one parent (else always the string).
    max_joint
        Largest product of the unobserved facts' numbers of states.

    Returns
    -------
    dict
        The case document; :func:`random_network_case` validates it.

    See Also
    --------
    random_network_case : the same, as a :class:`motives.Case`.
    random_structured_case : a tree of propositions, with timeline and quantity items.

    Examples
    --------
    >>> doc = random_network_document(4)
    >>> doc == random_network_document(4), doc == random_network_document(5)
    (True, False)
    >>> [(f["id"], f["bears_on"]) for f in doc["propositions"]][:4]
    [('f0', 'hypotheses'), ('f1', ['f0', 'hypotheses']), ('f2', ['f1', 'hypotheses', 'f0']), ('f3',
    [])]
    >>> f2 = doc["propositions"][2]
    >>> (
    ...     f2["states"],
    ...     f2["likelihoods"]["a"]["values"]["yes"]["h0"]["s2"],
    ... )  # P(f2 | f1 = yes, h0, f0 = s2)
    (['low', 'mid', 'high'], {'low': 0.54, 'mid': 0.163, 'high': 0.297})
    >>> doc["propositions"][3]["likelihoods"]  # a root fact: one row
    {'a': {'values': {'s1': 0.513, 's2': 0.116, 's3': 0.246, 's4': 0.125}}}
    >>> [(f["id"], f["observed"]) for f in doc["propositions"] if "observed" in f]
    [('f0', 's2')]
    >>> [(e["id"], e["bears_on"]) for e in doc["evidence"] if e.get("reported_by") == "src0"]
    [('e3', ['hypotheses', 'f2']), ('e4', ['hypotheses', 'f4']), ('e6', 'f2')]
    >>> doc["sources"]
    [{'key': 'src0', 'reliability': {'mean': 0.933, 'concentration': 17.9}}, {'key': 'fixed',
    'reliability': 0.8}]
    """
    rng = np.random.default_rng(seed)
    H = [f"h{i}" for i in range(n_hyp)]
    w = np.round(0.1 / n_hyp + 0.9 * rng.dirichlet(np.full(n_hyp, 2.0)), 3)
    priors = [float(v) for v in w[:-1]] + [round(1 - float(w[:-1].sum()), 3)]
    n_roots = min(n_roots, n_facts)
    roots = set(rng.choice(n_facts, n_roots, replace=False).tolist()) if n_roots else set()
    if n_facts and len(roots) == n_facts:
        raise ValueError("every fact is a root: give n_roots < n_facts")
    facts = [f"f{i}" for i in range(n_facts)]
    # --- structure
    parents: dict[str, list[str]] = {}
    hyp_used = False
    for i, f in enumerate(facts):
        if i in roots:
            parents[f] = []
            continue
        cand = ["hypotheses", *facts[:i]]
        k = int(rng.integers(1, min(max_parents, len(cand)) + 1))
        pick = [cand[j] for j in rng.choice(len(cand), k, replace=False)]
        if not hyp_used and "hypotheses" not in pick:
            pick[int(rng.integers(0, k))] = "hypotheses"
        hyp_used = True
        parents[f] = pick
    multi = [f for f in facts if len(parents[f]) >= 2]
    if max_parents >= 2 and not multi:  # the last fact that can have two parents gets a second one
        for f in reversed(facts):
            cand = ["hypotheses", *facts[: facts.index(f)]]
            if parents[f] and len(cand) >= 2:
                extra = [c for c in cand if c not in parents[f]]
                parents[f].insert(int(rng.integers(0, 2)), extra[int(rng.integers(0, len(extra)))])
                break
    states = {
        f: _NET_STATES[
            2 if max_states <= 2 or rng.random() < 0.55 else int(rng.integers(3, max_states + 1))
        ]
        for f in facts
    }
    obs_ids = [
        facts[j]
        for j in sorted(rng.choice(n_facts, min(n_observed, n_facts), replace=False).tolist())
    ]
    observed = {f: states[f][int(rng.integers(0, len(states[f])))] for f in obs_ids}
    while math.prod(len(states[f]) for f in facts if f not in observed) > max_joint:
        big = max(
            (f for f in facts if f not in observed), key=lambda f: (len(states[f]), facts.index(f))
        )
        states[big] = _NET_STATES[len(states[big]) - 1]
        if len(states[big]) == 2 and all(len(states[f]) == 2 for f in facts if f not in observed):
            break
    values = {"hypotheses": H, **states}
    # --- the witness configuration: every cell on it stays positive
    witness = {"hypotheses": H[int(rng.integers(0, n_hyp))]}
    for f in facts:
        witness[f] = observed.get(f, states[f][int(rng.integers(0, len(states[f])))])
    # --- items and their sources
    items: list[dict[str, Any]] = []
    nodes = ["hypotheses", *facts]
    for i in range(n_items):
        k = int(rng.integers(1, min(max_item_parents, len(nodes)) + 1))
        items.append(
            {"id": f"e{i}", "parents": [nodes[j] for j in rng.choice(len(nodes), k, replace=False)]}
        )
    order = rng.permutation(n_items).tolist()
    sources: list[dict[str, Any]] = []
    for s in range(n_sources):
        mine = [items[j] for j in order[3 * s : 3 * s + 3]]
        if len(mine) < 2:
            break
        for it in mine:
            it["reported_by"] = f"src{s}"
            if rng.random() < 0.35:
                it["base_rate"] = _p(rng, 0.05, 0.6)
        if len({tuple(it["parents"]) for it in mine}) == 1:  # span at least two parents
            it = mine[-1]
            it["parents"] = [next(n for n in nodes[1:] + nodes[:1] if [n] != it["parents"])]
        sources.append(
            {
                "key": f"src{s}",
                "reliability": {
                    "mean": _p(rng, 0.5, 0.95),
                    "concentration": float(np.round(rng.uniform(2, 20), 1)),
                },
            }
        )
    if fixed_source and len(order) > 3 * len(sources):
        items[order[3 * len(sources)]]["reported_by"] = "fixed"
        sources.append({"key": "fixed", "reliability": 0.8})

    # --- tables: flat, {parent-value tuple: row} per lens
    def configs(ps: list[str]) -> list[tuple[str, ...]]:
        return list(itertools.product(*[values[p] for p in ps]))

    fact_rows = {
        lens: {f: {c: _net_row(rng, len(states[f])) for c in configs(parents[f])} for f in facts}
        for lens in lenses
    }
    item_cells = {
        lens: {it["id"]: {c: _p(rng) for c in configs(it["parents"])} for it in items}
        for lens in lenses
    }
    zeros: list[tuple[str, tuple[str, ...], int]] = []
    for _ in range(50 * zero_cells):
        if len(zeros) >= zero_cells or not (facts or items):
            break
        j = int(rng.integers(0, len(facts) + len(items)))
        node, ps = (
            (facts[j], parents[facts[j]])
            if j < len(facts)
            else (items[j - len(facts)]["id"], items[j - len(facts)]["parents"])
        )
        cs = configs(ps)
        c = cs[int(rng.integers(0, len(cs)))]
        on_witness = all(witness[p] == v for p, v in zip(ps, c, strict=True))
        if j < len(facts):
            s = int(rng.integers(0, len(states[node])))
            if (on_witness and states[node][s] == witness[node]) or any(
                z[:2] == (node, c) for z in zeros
            ):
                continue
        else:
            s = 0
            if on_witness or any(z[:2] == (node, c) for z in zeros):
                continue
        zeros.append((node, c, s))
    for lens in lenses:
        for node, c, s in zeros:
            if node in fact_rows[lens]:
                row = fact_rows[lens][node][c]
                rest = [v for t, v in enumerate(row) if t != s]
                scaled = [round(v / sum(rest), 3) for v in rest[:-1]]
                scaled.append(round(1.0 - sum(scaled), 3))
                it_ = iter(scaled)
                fact_rows[lens][node][c] = [0.0 if t == s else next(it_) for t in range(len(row))]
            else:
                item_cells[lens][node][c] = 0.0

    # --- the document
    def bears(ps: list[str]) -> Any:
        if len(ps) == 1 and not (list_single and rng.random() < 0.25):
            return ps[0]
        return list(ps)

    props = []
    for f in facts:
        as_dict = not parents[f] or len(states[f]) > 2 or rng.random() < 0.2
        tables = {}
        for lens in lenses:
            rows = fact_rows[lens][f]
            cells = {
                c: (dict(zip(states[f], r, strict=True)) if as_dict else r[0])
                for c, r in rows.items()
            }
            tables[lens] = {"values": _nest([values[p] for p in parents[f]], cells)}
        prop: dict[str, Any] = {
            "id": f,
            "title": f"Fact {f[1:]}",
            "states": list(states[f]),
            "bears_on": bears(parents[f]),
            "likelihoods": tables,
        }
        if f in observed:
            prop["observed"] = observed[f]
        props.append(prop)
    evidence = []
    for it in items:
        e: dict[str, Any] = {
            "id": it["id"],
            "title": f"Item {it['id'][1:]}",
            "bears_on": bears(it["parents"]),
            "likelihoods": {
                lens: {
                    "values": _nest([values[p] for p in it["parents"]], item_cells[lens][it["id"]])
                }
                for lens in lenses
            },
        }
        for key in ("reported_by", "base_rate"):
            if key in it:
                e[key] = it[key]
        evidence.append(e)
    return {
        "name": f"network_{seed}",
        "title": f"A random network (seed {seed})",
        "default_lens": lenses[0],
        "hypotheses": [{"id": h, "prior": p} for h, p in zip(H, priors, strict=True)],
        "lenses": [{"id": lens} for lens in lenses],
        "sources": sources,
        "propositions": props,
        "evidence": evidence,
    }


def random_network_case(seed: int, **kwargs: Any) -> Case:
    """:func:`random_network_document` validated as a :class:`motives.Case` (same arguments).

    Parameters
    ----------
    seed
        Seed of everything random.
    kwargs
        Sizes and switches of :func:`random_network_document`.

    Examples
    --------
    >>> import motives as mv
    >>> case = random_network_case(7, n_facts=4, n_items=3, lenses=("a", "b"))
    >>> [(p.id, p.parents) for p in case.propositions]
    [('f0', ('hypotheses',)), ('f1', ('hypotheses',)), ('f2', ('f0', 'f1', 'hypotheses')), ('f3',
    ())]
    >>> post = mv.exact_posterior(case, "b").xs("hypothesis", level="level")["credence"]
    >>> post.round(4).to_dict()
    {'h0': 0.2223, 'h1': 0.4869, 'h2': 0.2908}
    >>> case == random_network_case(7, n_facts=4, n_items=3, lenses=("a", "b"))
    True
    """
    return Case.model_validate(random_network_document(seed, **kwargs))


# --------------------------------------------------------------------------- fake draws and fits


def fake_trace(
    var: str = "credence",
    hypotheses: Sequence[str] = tuple(H4),
    *,
    seed: int = 3,
    chains: int = 2,
    draws: int = 100,
    alpha: Sequence[float] | None = None,
) -> xr.Dataset:
    """Independent Dirichlet draws shaped like a posterior group.

    ``var`` over (chain, draw, hypothesis).

    For figures that draw a posterior (:func:`motives.plots.plot_credence_density`,
    :func:`motives.plots.plot_shares`) without fitting anything.

    Parameters
    ----------
    var
        Name of the variable (``credence``, ``share``).
    hypotheses
        Coordinates of the ``hypothesis`` axis.
    seed
        Seed of the draws.
    chains, draws
        Shape.
    alpha
        Dirichlet concentrations, one per hypothesis; default 8, 4, 2, 1, ... (halving).

    Examples
    --------
    >>> ds = fake_trace("share", seed=1)
    >>> dict(ds["share"].sizes)
    {'chain': 2, 'draw': 100, 'hypothesis': 4}
    >>> (
    ...     bool(abs(ds["share"].sum("hypothesis") - 1).max() < 1e-12),
    ...     ds.equals(fake_trace("share", seed=1)),
    ... )
    (True, True)
    """
    import xarray as xr

    hyps = list(hypotheses)
    a = np.asarray(
        alpha if alpha is not None else [8.0 / 2**k for k in range(len(hyps))], dtype=float
    )
    x = np.random.default_rng(seed).dirichlet(a, size=(chains, draws))
    return xr.Dataset({var: (("chain", "draw", "hypothesis"), x)}, coords={"hypothesis": hyps})


def fake_fit(
    case: Case,
    *,
    lens: str | None = None,
    seed: int = 0,
    draws: int = 500,
    chains: int = 2,
    concentration: float = 400.0,
) -> FitResult:
    """A :class:`~motives.models.FitResult` of the exclusive model made without PyMC.

    The credences are independent Dirichlet draws whose mean is the exact
    posterior (concentration ``concentration`` × credence; a hypothesis of
    credence 0 stays 0), with the attributes :func:`motives.models.fit` writes,
    so summaries, diagnostics, saving and :func:`motives.load_result` work on it.
    It is not MCMC: use it for code that reads a fit (reports, plots, files),
    never to test a model or the sampler. Its trace says so
    (``trace.attrs["sampler"]``).

    Parameters
    ----------
    case
        The case; its exact posterior is the mean of the draws.
    lens
        Whose judgements (default: the case's default lens).
    seed
        Seed of the draws: the same seed gives the same trace.
    draws, chains
        Shape of the posterior.
    concentration
        Dirichlet concentration: larger is narrower.

    Examples
    --------
    >>> res = fake_fit(two_hypothesis_case(), seed=1)
    >>> res.model, res.lens, res.diagnostics["ok"]
    ('exclusive', 'default', True)
    >>> s = res.summary()
    >>> bool(
    ...     abs(s.loc[("hypothesis", "h1"), "credence"] - s.loc[("hypothesis", "h1"), "exact"])
    ...     < 0.01
    ... )
    True
    >>> from motives.models.result import check_trace
    >>> check_trace(res.trace), res.trace.attrs["sampler"].split(":")[0]
    ([], 'fake')
    >>> bool(
    ...     (
    ...         res.trace.posterior["credence"]
    ...         == fake_fit(two_hypothesis_case(), seed=1).trace.posterior["credence"]
    ...     ).all()
    ... )
    True
    """
    import xarray as xr

    from motives.exact import exact_posterior
    from motives.models.api import case_hash, exact_reference
    from motives.models.config import draws_digest
    from motives.models.result import FitResult

    settings: dict[str, Any] = {
        "case": case.name,
        "case_hash": case_hash(case),
        "model": "exclusive",
        "lens": lens,
        "prior": None,
        "lenses": None,
        "reliability": True,
        "draws": draws,
        "tune": 0,
        "chains": chains,
        "seed": seed,
        "backend": "fake",
        "target_accept": None,
    }
    table = exact_posterior(case, lens=lens)
    p = (
        table.xs("hypothesis", level="level")["credence"]
        .reindex(case.hypothesis_ids)
        .to_numpy(dtype=float)
    )
    rng = np.random.default_rng(seed)
    x = np.zeros((chains, draws, len(p)))
    pos = p > 0
    x[..., pos] = rng.dirichlet(concentration * p[pos], size=(chains, draws))
    fams = case.family_ids
    member = np.zeros((len(p), len(fams)))
    member[np.arange(len(p)), [fams.index(h.family_id) for h in case.hypotheses]] = 1.0
    coords = {
        "chain": np.arange(chains),
        "draw": np.arange(draws),
        "hypothesis": case.hypothesis_ids,
        "family": fams,
    }
    post = xr.Dataset(
        {
            "credence": (("chain", "draw", "hypothesis"), x),
            "family_credence": (("chain", "draw", "family"), x @ member),
        },
        coords=coords,
    )
    stats = xr.Dataset(
        {"diverging": (("chain", "draw"), np.zeros((chains, draws), dtype=bool))},
        coords={"chain": coords["chain"], "draw": coords["draw"]},
    )
    trace = xr.DataTree.from_dict({"posterior": post, "sample_stats": stats})
    config = json.dumps(settings, sort_keys=True, default=str)
    trace.attrs.update(
        {
            "sampler": "fake: independent Dirichlet draws around the exact posterior "
            "(motives.testing.fake_fit), not MCMC",
            "motives_deterministics": json.dumps(["credence", "family_credence"]),
            "motives_exact": json.dumps(exact_reference(case, settings)),
            "motives_model": "exclusive",
            "motives_lens": str(table.attrs.get("lens") or lens or case.default_lens),
            "motives_config": config,
            "motives_config_hash": hashlib.sha256(config.encode()).hexdigest()[:16],
            "motives_fallbacks": json.dumps(sorted(table.attrs.get("fallbacks", []))),
        }
    )
    trace.attrs["motives_draws_digest"] = json.dumps(draws_digest(trace), sort_keys=True)
    return FitResult(trace)


# --------------------------------------------------------------------------- the analyses' contract

#: The cases every registered analysis is checked on (:func:`contract_case`): flat (every kind of
#: item, two lenses, an unreliable source), structured (propositions) and a network (facts with
#: several parents).
CONTRACT_CASES = ("flat", "structured", "network")
#: The checks of :func:`check_analysis`.
CHECKS = ("typed", "saved", "figure", "report", "target")


def contract_case(kind: str) -> Case:
    """The case of :data:`CONTRACT_CASES` named ``kind``.

    One of :func:`rich_case`, a seeded structured case, ``alarm``.

    Examples
    --------
    >>> [contract_case(k).structured for k in CONTRACT_CASES]
    [False, True, True]
    """
    from motives import examples

    cases = {
        "flat": rich_case,
        "structured": lambda: random_structured_case(3),
        "network": lambda: examples.load("alarm"),
    }
    if kind not in cases:
        raise ValueError(f"unknown contract case {kind!r}; known: {', '.join(CONTRACT_CASES)}")
    return cases[kind]()


def analysis_checks() -> list[tuple[str, str]]:
    """``(analysis, case kind)`` for every registered analysis and every contract case.

    The parameters of a test.

    In the style of scikit-learn's ``parametrize_with_checks``: a test parametrised over this list
    and calling :func:`check_analysis` covers every analysis registered when it is collected, a
    user's own too.

    Examples
    --------
    >>> ("tornado", "network") in analysis_checks()
    True
    """
    import motives.sensitivity.run  # noqa: F401  (the built-in analyses)
    from motives.sensitivity.registry import ANALYSES, load_plugins

    load_plugins()
    return [(name, kind) for name in ANALYSES for kind in CONTRACT_CASES]


_CONTRACT_SETTINGS: dict[str, Any] = {"sweep_points": 11, "sobol_samples": 32, "seed": 1}
_TABLES: dict[tuple[str, str | None, tuple[str, ...]], dict[str, Any]] = {}
_REPORTS: dict[tuple[str, tuple[str, ...], tuple[str, ...]], dict[str, list[str]]] = {}


def _tables(case: Case, target: str | None = None) -> dict[str, Any]:
    """``run_all`` of a contract case, computed once per process.

    The figures and report read it.
    """
    from motives.sensitivity import run_all
    from motives.sensitivity.registry import ANALYSES

    key = (hashlib.sha256(case.model_dump_json().encode()).hexdigest(), target, tuple(ANALYSES))
    if key not in _TABLES:
        _TABLES[key] = run_all(case, target=target, **_CONTRACT_SETTINGS)
    return _TABLES[key]


def check_analysis(name: str, case: Case, checks: Sequence[str] = CHECKS) -> dict[str, str]:
    """Check one registered analysis on one case.

    What each check found (``"ok"`` or why it does not apply).

    - ``typed``: it returns a DataFrame whose ``attrs`` validate as its registered metadata class.
    - ``saved``: :meth:`~motives.sensitivity.SensitivityResult.save` then ``load`` gives an equal
    result.
    - ``figure``: every registered figure that draws it, drawn at one and two columns with warnings
    as
      errors, has the width asked for.
    - ``report``: a registered report section reports it and appears in the report (unless it does
    not
      apply to this case, e.g. the lenses section of a case with one lens).
    - ``target``: a target-centred analysis run for a family other than the leading one is about
    that family.

    A failure raises ``AssertionError`` naming the analysis, the case and the check.

    Examples
    --------
    >>> found = check_analysis("evidence_discount", contract_case("flat"))
    >>> found["typed"], found["saved"], found["figure"], found["target"]
    ('ok', 'ok', 'ok (discount)', 'ok')
    """
    import tempfile
    import warnings

    import matplotlib.pyplot as plt
    import pandas as pd

    from motives.exact import exact_posterior
    from motives.plots.figures import FIGURES, FigureContext, labels_of
    from motives.report.document import SECTIONS, report_sections
    from motives.sensitivity.registry import ANALYSES, Settings, load_plugins
    from motives.sensitivity.results import SensitivityResult

    # every module of motives.sensitivity and every plugin: each registers its analyses
    load_plugins()
    unknown = sorted(set(checks) - set(CHECKS))
    if unknown:
        raise ValueError(f"unknown checks {unknown}; known: {', '.join(CHECKS)}")
    a = ANALYSES[name]
    where = f"analysis {name!r} on case {case.name!r}"
    if not a.applies(case):
        return dict.fromkeys(checks, "n/a (structured cases only)")
    found: dict[str, str] = {}
    df = a.compute(case, Settings(**_CONTRACT_SETTINGS))
    assert isinstance(df, pd.DataFrame), f"{where}: returned {type(df).__name__}, not a DataFrame"
    r = SensitivityResult.of(name, df)
    if "typed" in checks:
        assert type(r.meta) is a.meta, (
            f"{where}: metadata {type(r.meta).__name__}, registered {a.meta.__name__}"
        )
        found["typed"] = "ok"
    if "saved" in checks:
        with tempfile.TemporaryDirectory() as d:
            r.save(d, name)
            back = SensitivityResult.load(d, name)
        assert back.equals(r), f"{where}: the saved and loaded result differs from the computed one"
        found["saved"] = "ok"
    tables = _tables(case)
    if "figure" in checks:
        drawn = []
        target = str(
            getattr(SensitivityResult.of("prior_sweep", tables["prior_sweep"]).meta, "target", "")
        )
        for fname, spec in FIGURES.items():
            if name not in spec.needs:
                continue
            for width, inches in (("one", 3.5), ("two", 7.2)):
                ctx = FigureContext(case, tables, case.default_lens, labels_of(case), target, width)
                if not spec.drawn(ctx):
                    continue
                with warnings.catch_warnings():
                    warnings.simplefilter("error")
                    fig, _ax = spec.draw(ctx)
                try:
                    got = float(fig.get_figwidth())
                finally:
                    plt.close(fig)
                assert abs(got - inches) < 1e-9, (
                    f"{where}: figure {fname} at width {width!r} is {got} in wide"
                )
                drawn.append(fname)
        found["figure"] = (
            f"ok ({', '.join(dict.fromkeys(drawn))})" if drawn else "n/a (no figure drawn)"
        )
    if "report" in checks:
        users = [s for s in SECTIONS.values() if name in s.reports]
        assert users, (
            f"{where}: no report section reports it (register one with motives.report.section)"
        )
        key = (
            hashlib.sha256(case.model_dump_json().encode()).hexdigest(),
            tuple(SECTIONS),
            tuple(tables),
        )
        if key not in _REPORTS:
            _REPORTS[key] = report_sections(case, tables, {})
        parts = _REPORTS[key]
        shown = [s.name for s in users if s.name in parts]
        applies = [s.name for s in users if s.when is None and set(s.uses) <= set(tables)]
        assert shown or not applies, (
            f"{where}: report sections {applies} report it but are not in the report"
        )
        found["report"] = f"ok ({', '.join(shown)})" if shown else "n/a (its sections do not apply)"
    if "target" in checks:
        if not a.targeted:
            found["target"] = "n/a (not about a target)"
        else:
            fam = exact_posterior(case).xs("family", level="level")["credence"]
            other = str(fam.drop(fam.idxmax()).idxmax()) if len(fam) > 1 else str(fam.idxmax())
            got = a.compute(case, Settings(target=other, **_CONTRACT_SETTINGS))
            meta = SensitivityResult.of(name, got).meta
            level = (
                "hypothesis" if other in case.hypothesis_ids else "family"
            )  # a family of one is its hypothesis
            assert (meta.target, meta.target_level) == (other, level), (  # type: ignore[attr-defined]
                f"{where}: run for target {other!r} ({level}) it is about "
                f"{meta.target!r} ({meta.target_level})"  # type: ignore[attr-defined]
            )
            found["target"] = "ok"
    return found
