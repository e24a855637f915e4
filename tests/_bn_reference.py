"""Three independent references for the posterior of a Bayesian-network case (issue 20).

Each takes the case DOCUMENT (the dict read from YAML, e.g.
:func:`motives.testing.random_network_document`), never motives' compiled
arrays, and imports nothing from motives:

- :func:`brute_force_posterior` enumerates every joint state of the hypotheses
  and the unobserved facts (vectorised with numpy, no elimination), and
  integrates each source's reliability ρ ~ Beta(a, b) exactly: given the joint
  state, the source's reports contribute Π_e (b_e + ρ (λ_e − b_e)), a polynomial
  in ρ whose coefficients are expanded and paired with the Beta moments
  E[ρ^k] = Π_{i<k} (a + i) / (a + b + i).
- :func:`pgmpy_posterior` builds a pgmpy ``DiscreteBayesianNetwork`` and asks
  ``VariableElimination``.
- :func:`pyagrum_posterior` builds a pyAgrum ``BayesNet`` and asks ``LazyPropagation``.

In the last two a source of uncertain reliability is a discrete root node over
Gauss–Jacobi nodes of its Beta (probabilities: the quadrature weights; enough
nodes to integrate a polynomial of degree equal to its number of items
exactly), parent of each of its items; an item is a binary node
(``present``/``absent``) with P(present | parents, ρ) = ρ λ + (1 − ρ) b,
observed ``present``; an observed fact is clamped to its state.

The model (the format contract, ``notes/network_format.md``): P(h, E) = π_h
Π_facts P(f | parents) Π_items P(e | parents) summed over the unobserved facts,
with b_e the item's ``base_rate`` or the mean of its cells over its parent
configurations, and a point reliability ρ (a number) used as is. The three share
only :func:`parse` (reading the document) and the item formula ρ λ + (1 − ρ) b.
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Network", "brute_force_posterior", "parse", "pgmpy_posterior", "pyagrum_posterior"]

HYP = "hypotheses"


@dataclass
class Node:
    """A fact or an item.

    Parents in order, and its table as an array (parent axes in order, then states).
    """

    id: str
    parents: list[str]
    table: np.ndarray  # facts: (*parent cards, S); items: (*parent cards,) = P(E | parents)
    states: list[str] | None = None  # facts only
    observed: str | None = None  # facts only
    source: str | None = None  # items only: the reporting source, if its reliability is not 1
    base: float | None = None  # items only: b_e


@dataclass
class Network:
    """A case document read under one lens."""

    hypotheses: list[str]
    prior: np.ndarray
    facts: list[Node]
    items: list[Node]
    sources: dict[
        str, tuple[float, float | None]
    ]  # key -> (mean, concentration or None for a point)

    def values(self, node: str) -> list[str]:
        """The values of a parent: the hypothesis ids or a fact's states."""
        if node == HYP:
            return self.hypotheses
        return next(f.states for f in self.facts if f.id == node)  # type: ignore[return-value]


def _mean(cell: Any) -> float:
    """The mean of a likelihood cell in the forms the generated documents use (and a few more)."""
    if isinstance(cell, bool):
        raise TypeError(f"not a probability: {cell!r}")
    if isinstance(cell, int | float):
        return float(cell)
    if isinstance(cell, dict):
        if "p" in cell:
            return _mean(cell["p"])
        if "mean" in cell:
            return float(cell["mean"])
        if "beta" in cell:
            a, b = cell["beta"]
            return a / (a + b)
    raise NotImplementedError(f"likelihood form not handled by the reference: {cell!r}")


def _values(lk: dict[str, Any], lens: str, default: str) -> Any:
    """The ``values`` of one lens's judgement, or the shorthand table (the default lens)."""
    if lens in lk and isinstance(lk[lens], dict) and "values" in lk[lens]:
        return lk[lens]["values"]
    if "values" in lk and isinstance(lk["values"], dict):
        return lk["values"]
    if any(isinstance(v, dict) and "values" in v for v in lk.values()):
        raise KeyError(f"no judgement for lens '{lens}' in {sorted(lk)}")
    if lens != default:
        raise KeyError(f"a shorthand table is the default lens's, not '{lens}'")
    return lk


def _parents(bears_on: Any) -> list[str]:
    if bears_on is None:
        return [HYP]
    if isinstance(bears_on, str):
        return [bears_on]
    return list(bears_on)


def _reliability(rel: Any) -> tuple[float, float | None] | None:
    """(mean, concentration or None), or None for reports taken at face value."""
    if rel is None:
        return None
    if isinstance(rel, dict) and "beta" in rel:
        a, b = rel["beta"]
        return a / (a + b), float(a + b)
    if isinstance(rel, dict) and "concentration" in rel and rel["concentration"] is not None:
        return float(rel["mean"]), float(rel["concentration"])
    m = _mean(rel)
    return None if m == 1.0 else (m, None)


def parse(doc: dict[str, Any], lens: str | None = None) -> Network:
    """Read a case document under ``lens`` (default: its default lens) into arrays."""
    lens_ids = [lens_["id"] for lens_ in doc.get("lenses", [])]
    default = doc.get("default_lens") or (lens_ids[0] if lens_ids else "default")
    lens = lens or default
    H = [h["id"] for h in doc["hypotheses"]]
    given = [h.get("prior") for h in doc["hypotheses"]]
    prior = (
        np.full(len(H), 1.0 / len(H))
        if all(p is None for p in given)
        else np.array(given, dtype=float)
    )
    facts: list[Node] = []
    net = Network(H, prior, facts, [], {})

    def table(values: Any, parents: list[str], cell: Any) -> np.ndarray:
        out = []
        for combo in itertools.product(*[net.values(p) for p in parents]):
            v = values
            for key in combo:
                v = v[key]
            out.append(cell(v))
        cards = [len(net.values(p)) for p in parents]
        return np.array(out, dtype=float).reshape(*cards, *np.shape(out[0]))

    for p in doc.get("propositions", []):
        states = list(p.get("states", ["yes", "no"]))
        parents = [] if p.get("bears_on") == [] else _parents(p.get("bears_on"))

        def row(cell: Any, states: list[str] = states) -> list[float]:
            if isinstance(cell, dict) and set(cell) == set(states):
                return [_mean(cell[s]) for s in states]
            if len(states) != 2:
                raise ValueError(f"a row of {states} must name every state")
            m = _mean(cell)
            return [m, 1.0 - m]

        t = table(_values(p["likelihoods"], lens, default), parents, row)
        if p.get("observed") is not None and p["observed"] not in states:
            raise ValueError(f"{p['id']}: observed state {p['observed']!r} not in {states}")
        facts.append(Node(p["id"], parents, t, states, p.get("observed")))
    for f in facts:
        for q in f.parents:
            if q != HYP and [g.id for g in facts].index(q) >= facts.index(f):
                raise ValueError(f"{f.id}: parent {q} must come before it")
    for s in doc.get("sources", []):
        rel = _reliability(s.get("reliability"))
        if rel is not None:
            net.sources[s["key"]] = rel
    for e in doc.get("evidence", []):
        if e.get("kind", "likelihood") != "likelihood":
            raise NotImplementedError(f"{e['id']}: only likelihood items")
        parents = _parents(e.get("bears_on"))
        t = table(_values(e["likelihoods"], lens, default), parents, _mean)
        src = e.get("reported_by") if e.get("reported_by") in net.sources else None
        base = e.get("base_rate")
        net.items.append(
            Node(
                e["id"],
                parents,
                t,
                source=src,
                base=float(t.mean()) if base is None else float(base),
            )
        )
    return net


# --------------------------------------------------------------------------- brute force


def beta_moments(mean: float, concentration: float, k: int) -> np.ndarray:
    """E[ρ^j] for j = 0..k, ρ ~ Beta(mean · concentration, (1 − mean) · concentration)."""
    a, b = mean * concentration, (1 - mean) * concentration
    out = [1.0]
    for i in range(k):
        out.append(out[-1] * (a + i) / (a + b + i))
    return np.array(out)


def brute_force_joint(doc: dict[str, Any], lens: str | None = None) -> np.ndarray:
    """P(h, E) for each hypothesis by enumerating every joint state; its sum is P(E)."""
    net = parse(doc, lens)
    hidden = [f for f in net.facts if f.observed is None]
    cards = [len(net.hypotheses)] + [len(f.states) for f in hidden]  # type: ignore[arg-type]
    grid = np.indices(cards).reshape(len(cards), -1)  # every joint state, one column each
    index = {HYP: grid[0], **{f.id: grid[1 + k] for k, f in enumerate(hidden)}}
    for f in net.facts:
        if f.observed is not None:
            index[f.id] = np.full(grid.shape[1], f.states.index(f.observed))  # type: ignore[union-attr]

    def at(node: Node, *extra: np.ndarray) -> np.ndarray:
        return node.table[tuple(index[p] for p in node.parents) + extra]

    w = net.prior[grid[0]].copy()
    for f in net.facts:
        w *= at(f, index[f.id])
    by_source: dict[str, list[Node]] = {}
    for e in net.items:
        mean, conc = net.sources.get(e.source, (1.0, None)) if e.source else (1.0, None)
        if conc is None:  # face value, or a point reliability
            w *= mean * at(e) + (1 - mean) * e.base  # type: ignore[operator]
        else:
            by_source.setdefault(e.source, []).append(e)  # type: ignore[arg-type]
    for key, its in by_source.items():
        poly = np.zeros((len(its) + 1, grid.shape[1]))  # coefficients of ρ^0..ρ^n, per joint state
        poly[0] = 1.0
        for n, e in enumerate(its, start=1):
            d = at(e) - e.base  # b + ρ d
            poly[1 : n + 1] = poly[1 : n + 1] * e.base + poly[:n] * d
            poly[0] = poly[0] * e.base
        w *= beta_moments(*net.sources[key], len(its)) @ poly  # type: ignore[arg-type]
    return np.bincount(grid[0], weights=w, minlength=len(net.hypotheses))


def brute_force_posterior(doc: dict[str, Any], lens: str | None = None) -> dict[str, float]:
    """P(h | E) by enumeration: hypothesis id -> credence."""
    joint = brute_force_joint(doc, lens)
    return dict(zip(parse(doc, lens).hypotheses, (joint / joint.sum()).tolist(), strict=True))


# --------------------------------------------------------------------------- library networks


def jacobi_nodes(mean: float, concentration: float, n_items: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss–Jacobi nodes on [0, 1] and weights (summing to 1) for ρ ~ Beta.

    Exact up to degree ``n_items``.
    """
    from scipy.special import roots_jacobi

    a, b = mean * concentration, (1 - mean) * concentration
    n = max(2, n_items // 2 + 1)  # 2n - 1 >= n_items
    x, w = roots_jacobi(
        n, b - 1, a - 1
    )  # weight (1 - x)^(b-1) (1 + x)^(a-1) on [-1, 1]; ρ = (1 + x) / 2
    return (1 + x) / 2, w / w.sum()


ITEM = ("present", "absent")


def _cpds(
    net: Network,
) -> tuple[dict[str, list[str]], list[tuple[str, list[str], np.ndarray]], dict[str, str]]:
    """States of every node; (node, parents, table (*parent cards, S)) of every node; the evidence.

    The same network for both libraries: the hypotheses, the facts, a node ``rho__<key>`` per source
    of uncertain reliability (states the Gauss–Jacobi nodes), one binary node per item.
    """
    states: dict[str, list[str]] = {HYP: list(net.hypotheses)}
    cpds: list[tuple[str, list[str], np.ndarray]] = [(HYP, [], np.asarray(net.prior, dtype=float))]
    evidence: dict[str, str] = {}
    for f in net.facts:
        states[f.id] = list(f.states)  # type: ignore[arg-type]
        cpds.append((f.id, f.parents, f.table))
        if f.observed is not None:
            evidence[f.id] = f.observed
    rho: dict[str, np.ndarray] = {}
    for key, (mean, conc) in net.sources.items():
        n = sum(1 for e in net.items if e.source == key)
        if conc is None or n == 0:
            continue
        x, w = jacobi_nodes(mean, conc, n)
        name = f"rho__{key}"
        states[name] = [f"q{i}" for i in range(len(x))]
        cpds.append((name, [], w))
        rho[key] = x
    for e in net.items:
        states[e.id] = list(ITEM)
        lam = e.table
        if e.source in rho:
            x = rho[e.source]  # type: ignore[index]
            p = x * lam[..., None] + (1 - x) * e.base  # (*parent cards, Q)
            parents = [*e.parents, f"rho__{e.source}"]
        else:
            mean = net.sources[e.source][0] if e.source else 1.0
            p = mean * lam + (1 - mean) * e.base
            parents = list(e.parents)
        cpds.append((e.id, parents, np.stack([p, 1 - p], axis=-1)))
        evidence[e.id] = ITEM[0]
    if len(states) != len(cpds):
        raise ValueError("node names collide")
    return states, cpds, evidence


def pgmpy_posterior(doc: dict[str, Any], lens: str | None = None) -> dict[str, float]:
    """P(h | E) from pgmpy's ``VariableElimination`` on the network built from the document."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgmpy.factors.discrete import TabularCPD
        from pgmpy.inference import VariableElimination
        from pgmpy.models import DiscreteBayesianNetwork

        net = parse(doc, lens)
        states, cpds, evidence = _cpds(net)
        model = DiscreteBayesianNetwork([(p, node) for node, parents, _ in cpds for p in parents])
        model.add_nodes_from(states)
        for node, parents, t in cpds:
            S = t.shape[-1]
            # pgmpy: rows are the node's states, columns the parent configurations with the last
            # parent fastest
            values = t.reshape(-1, S).T
            model.add_cpds(
                TabularCPD(
                    node,
                    S,
                    values,
                    evidence=parents or None,
                    evidence_card=[len(states[p]) for p in parents] or None,
                    state_names={q: states[q] for q in [node, *parents]},
                )
            )
        q = VariableElimination(model).query([HYP], evidence=evidence, show_progress=False)
    p = np.asarray(
        q.values, dtype=float
    )  # (VariableElimination runs model.check_model(): the CPDs sum to 1)
    return {h: float(v) for h, v in zip(q.state_names[HYP], p / p.sum(), strict=True)}


def pyagrum_posterior(doc: dict[str, Any], lens: str | None = None) -> dict[str, float]:
    """P(h | E) from pyAgrum's ``LazyPropagation`` on the network built from the document."""
    import pyagrum as gum

    net = parse(doc, lens)
    states, cpds, evidence = _cpds(net)
    bn = gum.BayesNet(doc.get("name", "case"))
    for node in states:
        bn.add(gum.LabelizedVariable(node, node, states[node]))
    for node, parents, _ in cpds:
        for p in parents:
            bn.addArc(p, node)
    for node, parents, t in cpds:
        cpt = bn.cpt(node)
        for combo in itertools.product(*[range(len(states[p])) for p in parents]):
            cpt[{p: states[p][i] for p, i in zip(parents, combo, strict=True)}] = t[combo].tolist()
    ie = gum.LazyPropagation(bn)
    ie.setEvidence(evidence)
    ie.makeInference()
    post = ie.posterior(HYP)
    p = np.array([post[{HYP: h}] for h in net.hypotheses], dtype=float)
    return {h: float(v) for h, v in zip(net.hypotheses, p / p.sum(), strict=True)}


def alarm_document() -> dict[str, Any]:
    """Pearl's burglary alarm in the network format.

    P(burglary | John and Mary call) = 0.284171835...
    """
    return {
        "name": "alarm",
        "hypotheses": [{"id": "burglary", "prior": 0.001}, {"id": "no_burglary", "prior": 0.999}],
        "propositions": [
            {
                "id": "earthquake",
                "title": "An earthquake happened",
                "bears_on": [],
                "likelihoods": {"yes": 0.002, "no": 0.998},
            },
            {
                "id": "alarm",
                "title": "The alarm rang",
                "bears_on": ["hypotheses", "earthquake"],
                "likelihoods": {
                    "burglary": {"yes": 0.95, "no": 0.94},
                    "no_burglary": {"yes": 0.29, "no": 0.001},
                },
            },
        ],
        "evidence": [
            {
                "id": "john_calls",
                "title": "John calls",
                "bears_on": "alarm",
                "likelihoods": {"yes": 0.9, "no": 0.05},
            },
            {
                "id": "mary_calls",
                "title": "Mary calls",
                "bears_on": "alarm",
                "likelihoods": {"yes": 0.7, "no": 0.01},
            },
        ],
    }


def alarm_answer() -> float:
    """P(burglary | John and Mary call) for :func:`alarm_document`, written out by hand."""

    def calls(a: bool) -> float:
        return (0.9 if a else 0.05) * (0.7 if a else 0.01)

    def joint(b: bool) -> float:
        pb = 0.001 if b else 0.999
        total = 0.0
        for e in (True, False):
            pe = 0.002 if e else 0.998
            pa = {
                (True, True): 0.95,
                (True, False): 0.94,
                (False, True): 0.29,
                (False, False): 0.001,
            }[(b, e)]
            total += pe * (pa * calls(True) + (1 - pa) * calls(False))
        return pb * total

    return joint(True) / (joint(True) + joint(False))


assert math.isclose(alarm_answer(), 0.284171835, abs_tol=1e-9)
