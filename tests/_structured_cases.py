"""Random structured cases (propositions between hypotheses and items) and a brute-force posterior.

The brute force enumerates the joint distribution: every hypothesis, every
assignment of states to every proposition, and — for a source whose
reliability ρ ~ Beta(α, β) — every pattern z of which of its reports were
reliable (P(report | ·) = ρ λ + (1 − ρ) b is the marginal of z_e ~ Bernoulli(ρ)),
with E[ρ^a (1 − ρ)^b] = B(α + a, β + b) / B(α, β) in closed form. It shares no
code with the engine's messages or its Gauss–Jacobi grid.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

import motives as mv
from motives.exact import quantity_loglik, timeline_data, timeline_loglik
from motives.schema import LikelihoodItem, QuantityItem, TimelineItem


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


def random_structured_case(seed: int, *, n_hyp: int = 3, n_props: int = 3, depth: int = 2, multi_state: bool = True,
                           shared_source: bool = True, zero_cell: bool = True, kinds: bool = True,
                           n_items: int = 7, lenses: tuple[str, ...] = ("a",)) -> mv.Case:
    """A random case: ``n_props`` propositions up to ``depth`` levels, items under them and on the hypotheses.

    With ``shared_source`` a source of Beta reliability reports items under two different propositions
    (and one direct item); ``zero_cell`` puts a 0 in one item row; ``kinds`` adds a timeline and a
    quantity item under a proposition.
    """
    rng = np.random.default_rng(seed)
    H = [f"h{i}" for i in range(n_hyp)]
    props: list[dict[str, Any]] = []
    for i in range(n_props):
        states = ["yes", "no"] if not (multi_state and i == n_props - 1) else ["low", "mid", "high"]
        parent = "hypotheses"
        if i > 0 and depth > 1 and rng.random() < 0.6:
            parent = props[int(rng.integers(0, i))]["id"]
        parent_values = H if parent == "hypotheses" else next(p for p in props if p["id"] == parent)["states"]
        props.append({
            "id": f"p{i}", "title": f"Proposition {i}", "states": states, "bears_on": parent,
            "likelihoods": {lens: {"values": {v: _row(rng, states) for v in parent_values}} for lens in lenses},
        })
    if depth > 2 and n_props >= 3:  # force a chain of three levels: p2 -> p1 -> p0 -> hypotheses
        props[1]["bears_on"], props[2]["bears_on"] = "p0", "p1"
        for k in (1, 2):
            pv = next(p for p in props if p["id"] == props[k]["bears_on"])["states"]
            props[k]["likelihoods"] = {lens: {"values": {v: _row(rng, props[k]["states"]) for v in pv}}
                                       for lens in lenses}
    items: list[dict[str, Any]] = []
    sources = []
    if shared_source:
        sources.append({"key": "src", "reliability": {"beta": [float(rng.uniform(1.5, 6)), float(rng.uniform(1, 3))]}})
    for i in range(n_items):
        target = "hypotheses" if i == 0 else props[i % n_props]["id"]
        keys = H if target == "hypotheses" else next(p for p in props if p["id"] == target)["states"]
        vals = {k: _p(rng) for k in keys}
        if zero_cell and i == 2:
            vals[keys[-1]] = 0.0
        it: dict[str, Any] = {"id": f"e{i}", "title": f"Item {i}", "bears_on": target,
                              "likelihoods": {lens: {"values": dict(vals)} for lens in lenses}}
        if shared_source and i in (0, 1, 2, 3):
            it["reported_by"] = "src"
        items.append(it)
    if kinds:
        p = props[0]
        items.append({"id": "tl", "title": "A timeline", "kind": "timeline", "bears_on": p["id"], "sigma": 1.0,
                      "observations": [{"date": 2000 + k, "code": float(np.round(rng.normal(1, 1), 2))}
                                       for k in range(4)],
                      "origin": 2000,
                      "trends": {lens: {"values": {s: {"intercept": {"mean": float(j), "sd": 1.0},
                                                       "slope": {"mean": 0.1 * j, "sd": 0.2}}
                                                   for j, s in enumerate(p["states"])}} for lens in lenses}})
        items.append({"id": "qty", "title": "A quantity", "kind": "quantity", "bears_on": props[-1]["id"],
                      "observed": 3.0,
                      "predictive": {lens: {"values": {s: {"dist": "normal", "mean": float(j), "sd": 2.0}
                                                       for j, s in enumerate(props[-1]["states"])}}
                                     for lens in lenses}})
    return mv.Case.model_validate({
        "name": "random", "hypotheses": [{"id": h} for h in H],
        "lenses": [{"id": lens} for lens in lenses], "sources": sources, "propositions": props, "evidence": items,
    })


def brute_force_posterior(case: mv.Case, lens: str | None = None, *, reliability: bool = True,
                          prior: np.ndarray | None = None) -> np.ndarray:
    """P(h | E) by enumerating the joint distribution (see the module docstring)."""
    joint = brute_force_joint(case, lens, reliability=reliability, prior=prior)
    return joint / joint.sum()


def brute_force_joint(case: mv.Case, lens: str | None = None, *, reliability: bool = True,
                      prior: np.ndarray | None = None) -> np.ndarray:
    """P(h, E) for each h by enumerating the joint distribution; its sum is P(E)."""
    H = case.hypothesis_ids
    props = case.propositions
    prior = np.array(case.prior_vector()) if prior is None else prior
    tables = {}
    for p in props:
        j, _ = case.judgement(p, lens)
        tables[p.id] = {v: dict(zip(p.states, p.row(j, v)[0], strict=True)) for v in case.parent_values(p.bears_on)}
    beta_items: dict[str, list[str]] = {}
    point: dict[str, float] = {}
    for s in case.sources:
        if s.reliability.concentration is not None:
            beta_items[s.key] = [e.id for e in case.evidence if e.reported_by == s.key and isinstance(e, LikelihoodItem)]
        elif s.reliability.mean != 1.0:
            point[s.key] = s.reliability.mean
    zitems = [i for key in beta_items for i in beta_items[key]] if reliability else []
    post = np.zeros(len(H))
    for k, h in enumerate(H):
        total = 0.0
        for states in itertools.product(*[p.states for p in props]):
            sigma = dict(zip([p.id for p in props], states, strict=True))

            def value(parent: str | None, sigma: dict[str, str] = sigma, h: str = h) -> str:
                return h if parent in (None, "hypotheses") else sigma[parent]

            p_struct = math.prod(tables[p.id][value(p.bears_on)][sigma[p.id]] for p in props)
            if p_struct == 0:
                continue
            for z in itertools.product((0, 1), repeat=len(zitems)):
                zmap = dict(zip(zitems, z, strict=True))
                w = 1.0
                for key, its in beta_items.items():
                    if not reliability:
                        continue
                    rel = next(s for s in case.sources if s.key == key).reliability
                    a, b = rel.mean * rel.concentration, (1 - rel.mean) * rel.concentration
                    ones = sum(zmap[i] for i in its)
                    w *= math.exp(math.lgamma(a + ones) + math.lgamma(b + len(its) - ones) - math.lgamma(a + b + len(its))
                                  - (math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)))
                f = 1.0
                for e in case.evidence:
                    je, _ = case.judgement(e, lens)
                    v = value(e.bears_on)
                    keys = case.parent_values(e.bears_on)
                    if isinstance(e, LikelihoodItem):
                        lam = je.values[v].mean
                        b = e.base_rate if e.base_rate is not None else sum(je.values[x].mean for x in keys) / len(keys)
                        if reliability and e.id in zmap:
                            f *= lam if zmap[e.id] else b
                        elif reliability and e.reported_by in point:
                            f *= point[e.reported_by] * lam + (1 - point[e.reported_by]) * b
                        else:
                            f *= lam
                    elif isinstance(e, TimelineItem):
                        t, y = timeline_data(e)
                        tr = je.values[v]
                        f *= math.exp(timeline_loglik(t, y, e.sigma, tr.intercept.mean, tr.intercept.sd,
                                                      tr.slope.mean, tr.slope.sd))
                    elif isinstance(e, QuantityItem):
                        f *= math.exp(quantity_loglik(e.observed, je.values[v]))
                total += p_struct * w * f
        post[k] = prior[k] * total
    return post
