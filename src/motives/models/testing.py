"""Seeded random cases for tests and benchmarks of the models (no PyMC needed).

Examples
--------
>>> case = random_case(3, n_items=4, n_hypotheses=3)
>>> [h.id for h in case.hypotheses]
['h0', 'h1', 'h2']
"""

from __future__ import annotations

from typing import Any

import numpy as np

from motives.schema import Case


def random_case(
    seed: int,
    *,
    n_items: int = 4,
    n_hypotheses: int = 3,
    n_sources: int = 1,
    point_fraction: float = 0.25,
    structure_seed: int | None = None,
    lenses: tuple[str, ...] = ("default",),
    identical_lenses: bool = False,
    zeros: int = 0,
) -> Case:
    """A random likelihood-only case.

    Parameters
    ----------
    seed
        Seed of the values (means, concentrations, reliabilities, prior).
    n_items, n_hypotheses, n_sources
        Sizes; each source reports about half the items in turn.
    point_fraction
        Share of cells that are points rather than Betas.
    structure_seed
        Seed of the structure (which cells are points, which items a source
        reports, which have a base rate). Cases with the same structure seed
        and sizes compile to the same model, so one compiled model serves them
        all through ``pm.Data``. Default: ``seed``.
    lenses
        Lens ids; every lens gets its own random values.
    identical_lenses
        Give every lens the first lens's values.
    zeros
        Number of cells (first hypothesis of the first items) set to the point 0.

    Examples
    --------
    >>> case = random_case(3, n_items=5, lenses=("a", "b"), zeros=1)
    >>> case.hypothesis_ids, case.lens_ids, len(case.evidence)
    (['h0', 'h1', 'h2'], ['a', 'b'], 5)
    >>> (
    ...     case == random_case(3, n_items=5, lenses=("a", "b"), zeros=1),
    ...     case == random_case(4, n_items=5),
    ... )
    (True, False)
    >>> case.evidence[0].judgements()["a"].values["h0"].mean  # the zero cell
    0.0
    """
    srng = np.random.default_rng(structure_seed if structure_seed is not None else seed)
    vrng = np.random.default_rng(10_000 + seed)
    H = [f"h{k}" for k in range(n_hypotheses)]
    point = srng.random((n_items, n_hypotheses)) < point_fraction
    reporter = [
        int(srng.integers(n_sources)) if n_sources and srng.random() < 0.6 else None
        for _ in range(n_items)
    ]
    has_base = srng.random(n_items) < 0.3
    prior = vrng.dirichlet(np.full(n_hypotheses, 3.0))
    sources = [
        {
            "key": f"s{j}",
            "reliability": {
                "mean": float(vrng.uniform(0.4, 0.9)),
                "concentration": float(vrng.uniform(4, 20)),
            },
        }
        for j in range(n_sources)
    ]
    items: list[dict[str, Any]] = []
    for i in range(n_items):
        judgements: dict[str, Any] = {}
        for lens in lenses:
            if identical_lenses and judgements:
                judgements[lens] = next(iter(judgements.values()))
                continue
            vals: dict[str, Any] = {}
            for k, h in enumerate(H):
                m = float(np.round(vrng.uniform(0.1, 0.9), 3))
                vals[h] = (
                    m
                    if point[i, k]
                    else {"mean": m, "concentration": float(np.round(vrng.uniform(3, 30), 2))}
                )
                if k == 0 and i < zeros:
                    vals[h] = 0.0
            judgements[lens] = {"values": vals}
        item: dict[str, Any] = {"id": f"e{i}", "title": f"item {i}", "likelihoods": judgements}
        if reporter[i] is not None:
            item["reported_by"] = f"s{reporter[i]}"
        if has_base[
            i
        ]:  # drawn for every item (the seeded stream stays as it was), kept where a source reports
            rate = float(np.round(vrng.uniform(0.2, 0.8), 3))
            if reporter[i] is not None:
                item["base_rate"] = rate
        items.append(item)
    return Case.model_validate(
        {
            "name": f"random_{seed}",
            "hypotheses": [
                {"id": h, "prior": float(p)} for h, p in zip(H, prior / prior.sum(), strict=True)
            ],
            "lenses": [{"id": x} for x in lenses],
            "sources": sources,
            "evidence": items,
        }
    )


def timeline_case(*, seed: int = 2, n_obs: int = 12, sigma: float = 0.75) -> Case:
    """Two hypotheses predicting different trends, and coded observations drawn between them.

    ``flat``: high and flat (intercept 2.5, slope 0); ``rising``: low early and
    rising (intercept 1, slope 0.15 a year). The data follow a compromise so
    the posterior is not decided outright.

    Examples
    --------
    >>> case = timeline_case(n_obs=5)
    >>> case.hypothesis_ids, case.evidence[0].kind, len(case.evidence[0].observations)
    (['flat', 'rising'], 'timeline', 5)
    >>> case == timeline_case(n_obs=5)
    True
    """
    rng = np.random.default_rng(seed)
    years = np.sort(rng.uniform(2002, 2022, n_obs))
    t = years - 2002
    y = 2.0 + 0.04 * t + rng.normal(0, sigma, n_obs)
    obs = [{"date": int(yr), "code": float(np.round(v, 3))} for yr, v in zip(years, y, strict=True)]
    return Case.model_validate(
        {
            "name": "timeline_test",
            "hypotheses": [{"id": "flat"}, {"id": "rising"}],
            "evidence": [
                {
                    "id": "rhetoric",
                    "kind": "timeline",
                    "title": "coded statements",
                    "origin": 2002,
                    "sigma": sigma,
                    "observations": obs,
                    "trends": {
                        "default": {
                            "values": {
                                "flat": {
                                    "intercept": {"mean": 2.5, "sd": 0.5},
                                    "slope": {"mean": 0.0, "sd": 0.03},
                                },
                                "rising": {
                                    "intercept": {"mean": 1.0, "sd": 0.5},
                                    "slope": {"mean": 0.15, "sd": 0.04},
                                },
                            }
                        }
                    },
                }
            ],
        }
    )
