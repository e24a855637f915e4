"""A brute-force posterior of structured cases, and (re-exported) the random structured cases.

:func:`random_structured_case` lives in :mod:`motives.testing`; it is imported
here so the old import path keeps working. The brute force is a reference for
the tests only.

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

import numpy as np

import motives as mv
from motives.exact import quantity_loglik, timeline_data, timeline_loglik
from motives.schema import LikelihoodItem, QuantityItem, TimelineItem
from motives.testing import random_structured_case

__all__ = ["brute_force_joint", "brute_force_posterior", "random_structured_case"]


def brute_force_posterior(
    case: mv.Case,
    lens: str | None = None,
    *,
    reliability: bool = True,
    prior: np.ndarray | None = None,
) -> np.ndarray:
    """P(h | E) by enumerating the joint distribution (see the module docstring)."""
    joint = brute_force_joint(case, lens, reliability=reliability, prior=prior)
    return joint / joint.sum()


def brute_force_joint(
    case: mv.Case,
    lens: str | None = None,
    *,
    reliability: bool = True,
    prior: np.ndarray | None = None,
) -> np.ndarray:
    """P(h, E) for each h by enumerating the joint distribution; its sum is P(E)."""
    H = case.hypothesis_ids
    props = case.propositions
    prior = np.array(case.prior_vector()) if prior is None else prior
    tables = {}
    for p in props:
        j, _ = case.judgement(p, lens)
        tables[p.id] = {
            v: dict(zip(p.states, p.row(j, v)[0], strict=True))
            for v in case.parent_values(p.bears_on)
        }
    beta_items: dict[str, list[str]] = {}
    point: dict[str, float] = {}
    for s in case.sources:
        if s.reliability.concentration is not None:
            beta_items[s.key] = [
                e.id
                for e in case.evidence
                if e.reported_by == s.key and isinstance(e, LikelihoodItem)
            ]
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
                    w *= math.exp(
                        math.lgamma(a + ones)
                        + math.lgamma(b + len(its) - ones)
                        - math.lgamma(a + b + len(its))
                        - (math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b))
                    )
                f = 1.0
                for e in case.evidence:
                    je, _ = case.judgement(e, lens)
                    v = value(e.bears_on)
                    keys = case.parent_values(e.bears_on)
                    if isinstance(e, LikelihoodItem):
                        lam = je.values[v].mean
                        b = (
                            e.base_rate
                            if e.base_rate is not None
                            else sum(je.values[x].mean for x in keys) / len(keys)
                        )
                        if reliability and e.id in zmap:
                            f *= lam if zmap[e.id] else b
                        elif reliability and e.reported_by in point:
                            f *= point[e.reported_by] * lam + (1 - point[e.reported_by]) * b
                        else:
                            f *= lam
                    elif isinstance(e, TimelineItem):
                        t, y = timeline_data(e)
                        tr = je.values[v]
                        f *= math.exp(
                            timeline_loglik(
                                t,
                                y,
                                e.sigma,
                                tr.intercept.mean,
                                tr.intercept.sd,
                                tr.slope.mean,
                                tr.slope.sd,
                            )
                        )
                    elif isinstance(e, QuantityItem):
                        f *= math.exp(quantity_loglik(e.observed, je.values[v]))
                total += p_struct * w * f
        post[k] = prior[k] * total
    return post
