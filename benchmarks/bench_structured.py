"""Exact engine vs pgmpy on a structured case the size of the real one.

Agreement and time per posterior in sweeps.

The case (:func:`structured_case`, generated deterministically): 4 hypotheses,
2 lenses, 6 propositions (two of them three-state, two of them under another
proposition), 45 items (8 bearing on the hypotheses directly, 37 under
propositions, one timeline and one quantity item among them), and three
sources of Beta reliability: two whose reports sit under several propositions
and on the hypotheses (the engine integrates them on a 3 × 3 tensor grid
outside the structure), one that reports direct items only.

The network is :func:`motives.bn.network_from_arrays` (what ``motives export``
writes): a hypothesis node, a node per proposition, a binary node per item,
a discrete node per uncertain source over the engine's Gauss–Jacobi points.
pgmpy's ``VariableElimination`` queries P(hypothesis | every item observed).

Sweeps: (a) priors (pgmpy swaps the hypothesis CPD and queries per scenario);
(b) every judgement at once — each direct cell, each proposition table row and
each cell of the items under propositions perturbed × U(0.8, 1.2) (table rows
renormalised): pgmpy gets the scenario's CPDs in the network built once
(:meth:`motives.bn.BayesNet.set_tables`) and queries it — and, as a second
baseline, builds the whole network from scratch per scenario (graph, CPDs,
``check_model``: about twice the time); the exact
engine takes all scenarios in one vectorised call
(``posterior(arr, lam=..., tables=..., plam=...)``).
"""

from __future__ import annotations

import logging
import time
import warnings
from dataclasses import replace
from typing import Any

import numpy as np
from _common import BenchResult, best_time

NAME = "structured"
TITLE = "Structured case (propositions, shared sources): exact engine vs pgmpy"

H = ["national_security", "regime_security", "ideology", "leader_image"]
LENSES = ("hughes", "realist")
#: (id, states, parent) — parents first
PROPS = [
    ("nato_threat_perceived", ["yes", "no"], "hypotheses"),
    ("regime_insecure", ["yes", "no"], "hypotheses"),
    ("imperial_project", ["strong", "weak", "absent"], "hypotheses"),
    ("diplomacy_sincere", ["yes", "no"], "hypotheses"),
    ("military_prepared_early", ["yes", "no"], "imperial_project"),
    ("elite_consulted", ["wide", "narrow", "none"], "regime_insecure"),
]
#: items per proposition (likelihood items); direct items; sources: key -> (beta, items)
N_DIRECT = 8
PER_PROP = [
    7,
    6,
    7,
    6,
    5,
    4,
]  # 35 likelihood items under propositions, + 1 timeline + 1 quantity = 45 items


def structured_case(seed: int = 2022) -> Any:
    """The benchmark's structured case (deterministic in ``seed``)."""
    import motives as mv

    rng = np.random.default_rng(seed)
    states_of = {pid: st for pid, st, _ in PROPS}

    def p() -> float:
        return float(np.round(rng.uniform(0.03, 0.97), 3))

    def row(states: list[str]) -> Any:
        if len(states) == 2:
            return p()
        w = np.round(rng.dirichlet(np.full(len(states), 2.0)), 3)
        w[-1] = round(1 - w[:-1].sum(), 3)
        return {s: float(v) for s, v in zip(states, w, strict=True)}

    props = []
    for pid, states, parent in PROPS:
        pv = H if parent == "hypotheses" else states_of[parent]
        props.append(
            {
                "id": pid,
                "title": pid.replace("_", " "),
                "states": states,
                "bears_on": parent,
                "likelihoods": {lens: {"values": {v: row(states) for v in pv}} for lens in LENSES},
            }
        )
    items: list[dict[str, Any]] = []
    for i in range(N_DIRECT):
        items.append(
            {
                "id": f"direct_{i}",
                "title": f"direct item {i}",
                "likelihoods": {lens: {"values": {h: p() for h in H}} for lens in LENSES},
            }
        )
    for (pid, states, _), n in zip(PROPS, PER_PROP, strict=True):
        for j in range(n):
            items.append(
                {
                    "id": f"{pid}_{j}",
                    "title": f"item {j} on {pid}",
                    "bears_on": pid,
                    "likelihoods": {lens: {"values": {s: p() for s in states}} for lens in LENSES},
                }
            )
    # sources: two spanning propositions and the hypotheses (4 items each: 3 quadrature nodes), one
    # direct only
    reported = {
        "tass_leaks": [
            "direct_0",
            "nato_threat_perceived_0",
            "imperial_project_1",
            "elite_consulted_0",
        ],
        "western_intel": [
            "direct_1",
            "regime_insecure_2",
            "diplomacy_sincere_0",
            "military_prepared_early_3",
        ],
        "exile_press": ["direct_2", "direct_3", "direct_4"],
    }
    for key, ids in reported.items():
        for it in items:
            if it["id"] in ids:
                it["reported_by"] = key
    items.append(
        {
            "id": "rhetoric_timeline",
            "title": "rhetoric over time",
            "kind": "timeline",
            "bears_on": "imperial_project",
            "sigma": 1.0,
            "origin": 2014,
            "observations": [
                {"date": 2014 + k, "code": float(np.round(0.5 + 0.3 * k + rng.normal(0, 0.5), 2))}
                for k in range(8)
            ],
            "trends": {
                lens: {
                    "values": {
                        s: {
                            "intercept": {"mean": 0.5, "sd": 1.0},
                            "slope": {"mean": 0.4 - 0.2 * j, "sd": 0.2},
                        }
                        for j, s in enumerate(states_of["imperial_project"])
                    }
                }
                for lens in LENSES
            },
        }
    )
    items.append(
        {
            "id": "troops_massed",
            "title": "troops massed (thousands)",
            "kind": "quantity",
            "bears_on": "military_prepared_early",
            "observed": 150.0,
            "predictive": {
                lens: {
                    "values": {
                        "yes": {"dist": "normal", "mean": 160.0, "sd": 30.0},
                        "no": {"dist": "normal", "mean": 90.0, "sd": 40.0},
                    }
                }
                for lens in LENSES
            },
        }
    )
    sources = [
        {"key": "tass_leaks", "reliability": {"beta": [4.0, 3.0]}},
        {"key": "western_intel", "reliability": {"beta": [6.0, 2.0]}},
        {"key": "exile_press", "reliability": {"beta": [3.0, 3.0]}},
    ]
    return mv.Case.model_validate(
        {
            "name": "structured_bench",
            "hypotheses": [{"id": h} for h in H],
            "lenses": [{"id": lens} for lens in LENSES],
            "sources": sources,
            "propositions": props,
            "evidence": items,
        }
    )


def perturb(
    arr: Any, s: int, rng: np.random.Generator
) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """S scenarios, each cell and table row scaled by a draw of U(0.8, 1.2).

    Every direct cell, table row and item cell under propositions × U(0.8, 1.2) (rows renormalised).
    """
    lam = np.clip(arr.lam * rng.uniform(0.8, 1.2, size=(s,) + arr.lam.shape), 0.0, 1.0)
    tables, plam = {}, {}
    for pa in arr.propositions:
        t = pa.table * rng.uniform(0.8, 1.2, size=(s,) + pa.table.shape)
        tables[pa.id] = t / t.sum(axis=-1, keepdims=True)
        plam[pa.id] = np.clip(pa.lam * rng.uniform(0.8, 1.2, size=(s,) + pa.lam.shape), 0.0, 1.0)
    return lam, tables, plam


def scenario(
    arr: Any, i: int, lam: np.ndarray, tables: dict[str, np.ndarray], plam: dict[str, np.ndarray]
) -> Any:
    """The compiled case of scenario i (what pgmpy's network is built from)."""
    props = tuple(
        replace(pa, table=tables[pa.id][i], lam=plam[pa.id][i]) for pa in arr.propositions
    )
    return replace(arr, lam=lam[i], propositions=props)


def run(quick: bool = False) -> BenchResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgmpy.inference  # noqa: F401
    logging.getLogger("pgmpy").setLevel(logging.ERROR)
    from pgmpy.factors.discrete import TabularCPD

    from motives import bn, exact

    res = BenchResult(NAME, TITLE)
    case = structured_case()
    s_exact = 500 if quick else 100_000
    s_exact_tab = 200 if quick else 20_000
    s_pg = 3 if quick else 100
    s_pg_tab = 2 if quick else 30
    rng = np.random.default_rng(11)
    worst: dict[str, float] = {}
    timings: dict[str, dict[str, float]] = {}
    for lens in LENSES:
        arr = exact.compile_case(case, lens)
        k = len(arr.hypotheses)
        for rel in (False, True):
            key = f"{lens}, reliability {'on' if rel else 'off'}"
            net = bn.network_from_arrays(arr, reliability=rel)
            d = [float(np.abs(net.posterior() - exact.posterior(arr, reliability=rel)).max())]
            # (a) prior sweep: pgmpy swaps the prior CPD and queries per scenario
            priors = rng.dirichlet(np.ones(k), size=s_pg)
            hs = net.model.get_cpds(net.query).state_names[net.query]
            out = np.empty_like(priors)
            t0 = time.perf_counter()
            for i, pr in enumerate(priors):
                net.model.add_cpds(
                    TabularCPD(net.query, k, pr.reshape(k, 1), state_names={net.query: hs})
                )
                out[i] = net.posterior()
            t_pg_prior = (time.perf_counter() - t0) / s_pg
            d.append(float(np.abs(out - exact.posterior(arr, prior=priors, reliability=rel)).max()))
            # (b) every judgement perturbed: pgmpy gets the scenario's tables (the graph is kept)
            # and queries
            lam, tables, plam = perturb(arr, s_pg_tab, rng)
            out = np.empty((s_pg_tab, k))
            net = bn.network_from_arrays(arr, reliability=rel)
            t0 = time.perf_counter()
            for i in range(s_pg_tab):
                net.set_tables(scenario(arr, i, lam, tables, plam))
                out[i] = net.posterior()
            t_pg_tab = (time.perf_counter() - t0) / s_pg_tab
            want = exact.posterior(arr, lam=lam, tables=tables, plam=plam, reliability=rel)
            d.append(float(np.abs(out - want).max()))
            # the same with the network rebuilt from scratch per scenario (graph, CPDs, pgmpy's
            # check_model)
            t0 = time.perf_counter()
            for i in range(s_pg_tab):
                out[i] = bn.network_from_arrays(
                    scenario(arr, i, lam, tables, plam), reliability=rel
                ).posterior()
            t_pg_rebuild = (time.perf_counter() - t0) / s_pg_tab
            d.append(float(np.abs(out - want).max()))
            worst[key] = max(d)
            if lens == LENSES[0]:
                net = bn.network_from_arrays(arr, reliability=rel)
                big = rng.dirichlet(np.ones(k), size=s_exact)
                blam, btab, bplam = perturb(arr, s_exact_tab, rng)
                timings[key] = {
                    "pg_single": best_time(
                        lambda net=net: net.posterior(), repeat=3 if quick else 7
                    ),
                    "exact_single": best_time(
                        lambda arr=arr, rel=rel: exact.posterior(arr, reliability=rel),
                        repeat=5,
                        min_seconds=0.02 if quick else 0.2,
                    ),
                    "pg_prior": t_pg_prior,
                    "exact_prior": best_time(
                        lambda arr=arr, big=big, rel=rel: exact.posterior(
                            arr, prior=big, reliability=rel
                        ),
                        repeat=3 if quick else 5,
                    )
                    / s_exact,
                    "pg_tab": t_pg_tab,
                    "pg_rebuild": t_pg_rebuild,
                    "exact_tab": best_time(
                        lambda arr=arr, a=blam, t=btab, p=bplam, rel=rel: exact.posterior(
                            arr, lam=a, tables=t, plam=p, reliability=rel
                        ),
                        repeat=3 if quick else 5,
                    )
                    / s_exact_tab,
                }
    agree = max(worst.values())
    res.add(
        "max |Δ credence| vs pgmpy (2 lenses × reliability off/on; single, prior-sweep and "
        "judgement-sweep queries)",
        agree,
        "",
        target="≤ 1e-12",
        ok=agree <= 1e-12,
        note="; ".join(f"{k}: {v:.1e}" for k, v in worst.items()),
    )
    for key, t in timings.items():
        res.add(
            f"one posterior, one query ({key})",
            t["exact_single"] * 1e6,
            "µs",
            baseline=t["pg_single"] * 1e6,
            baseline_label="pgmpy VE query (network built)",
            ratio=t["pg_single"] / t["exact_single"],
            note="ratio = pgmpy time / exact time",
        )
        r = t["pg_prior"] / t["exact_prior"]
        res.add(
            f"per posterior in a sweep of priors ({key})",
            t["exact_prior"] * 1e6,
            "µs",
            baseline=t["pg_prior"] * 1e6,
            baseline_label=f"pgmpy, prior CPD swapped + one query per scenario ({s_pg})",
            ratio=r,
            target="≥ 1000× faster",
            ok=r >= 1000,
            note=f"exact: one vectorised call over S = {s_exact:,} priors",
        )
        r = t["pg_tab"] / t["exact_tab"]
        res.add(
            f"per posterior in a sweep of every judgement ({key})",
            t["exact_tab"] * 1e6,
            "µs",
            baseline=t["pg_tab"] * 1e6,
            baseline_label=f"pgmpy, CPDs rebuilt (graph kept) + one query per scenario "
            f"({s_pg_tab})",
            ratio=r,
            target="≥ 1000× faster",
            ok=r >= 1000,
            note=f"exact: one vectorised call over S = {s_exact_tab:,} scenarios of direct cells, "
            "proposition tables and item cells × U(0.8, 1.2)",
        )
        r = t["pg_rebuild"] / t["exact_tab"]
        res.add(
            f"per posterior in a sweep of every judgement, pgmpy rebuilding the network ({key})",
            t["exact_tab"] * 1e6,
            "µs",
            baseline=t["pg_rebuild"] * 1e6,
            baseline_label="pgmpy, network built from scratch + one query per scenario "
            f"({s_pg_tab})",
            ratio=r,
            target="≥ 1000× faster",
            ok=r >= 1000,
            note="the same exact timing as the row above",
        )
    arr = exact.compile_case(case, LENSES[0])
    net = bn.network_from_arrays(arr)
    res.notes.append(
        f"case: {len(arr.hypotheses)} hypotheses, {len(LENSES)} lenses, {len(arr.propositions)} "
        "propositions, "
        f"{len(arr.all_items) + len(arr.structured_items)} items ({len(arr.all_items)} direct), "
        f"{len(arr.sources_in_structure)} sources spanning propositions (grid of "
        f"{len(exact.reliability_grid(arr)[1])} nodes) "
        f"and {len(arr.groups)} reporting direct items only; network: {len(net.model.nodes())} "
        "nodes, "
        f"{len(net.model.edges())} edges"
    )
    return res
