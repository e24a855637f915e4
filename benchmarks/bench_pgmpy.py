"""Exact engine vs pgmpy.

The real case (its flat copy in tests/data/flat) as a discrete Bayesian network, agreement and
speed.

The network: a hypothesis node H (prior π) and one binary node per likelihood
item, P(E_e = 1 | h) = λ[e, h]; all evidence nodes observed true, query H by
variable elimination. Source reliability is modelled too, as one latent
discrete parent R_s per shared-reliability source whose states are the exact
engine's Gauss–Jacobi nodes ρ_q with prior the quadrature weights:
P(E_e = 1 | h, R_s = q) = ρ_q λ[e, h] + (1 − ρ_q) b_e. Because the quadrature
is exact for the polynomial in ρ, this network has exactly the engine's
posterior — so both "reliability off" and "reliability on" are compared.
Timeline and quantity items have no pgmpy counterpart and are left out of
both sides (``arr.without(arr.other_items)``).
"""

from __future__ import annotations

import logging
import time
import warnings
from typing import Any

import numpy as np
from _common import FLAT_CASE, BenchResult, best_time

NAME = "pgmpy"
TITLE = "Exact engine vs pgmpy (agreement, per-posterior speed)"


def build_network(arr: Any, prior: np.ndarray, *, reliability: bool) -> Any:
    """The case as a pgmpy ``DiscreteBayesianNetwork`` (see the module docstring)."""
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.models import DiscreteBayesianNetwork

    n, k = arr.lam.shape
    edges, cpds = [], [TabularCPD("H", k, np.asarray(prior, dtype=float).reshape(k, 1))]
    group_of: dict[int, tuple[int, np.ndarray]] = {}
    base = np.where(np.isnan(arr.base), arr.lam.mean(axis=1), arr.base)
    if reliability:
        for gi, g in enumerate(arr.groups):
            x, w = g.nodes()
            cpds.append(TabularCPD(f"R{gi}", len(x), w.reshape(-1, 1)))
            for i in g.index:
                group_of[int(i)] = (gi, x)
    for e in range(n):
        if e in group_of:
            gi, x = group_of[e]
            p = x[:, None] * arr.lam[e][None, :] + (1 - x[:, None]) * base[e]  # (Q, K)
            p1 = p.T.reshape(-1)  # columns: H slowest, R fastest
            cpds.append(
                TabularCPD(
                    f"E{e}",
                    2,
                    np.vstack([1 - p1, p1]),
                    evidence=["H", f"R{gi}"],
                    evidence_card=[k, len(x)],
                )
            )
            edges += [("H", f"E{e}"), (f"R{gi}", f"E{e}")]
        else:
            p1 = arr.lam[e]
            cpds.append(
                TabularCPD(f"E{e}", 2, np.vstack([1 - p1, p1]), evidence=["H"], evidence_card=[k])
            )
            edges.append(("H", f"E{e}"))
    net = DiscreteBayesianNetwork(edges)
    net.add_cpds(*cpds)
    return net


def query(net: Any, n: int, ve: Any = None) -> np.ndarray:
    """P(H | every evidence node true) by variable elimination."""
    from pgmpy.inference import VariableElimination

    ve = VariableElimination(net) if ve is None else ve
    q = ve.query(["H"], evidence={f"E{e}": 1 for e in range(n)}, show_progress=False)
    return np.asarray(q.values, dtype=float)


def pgmpy_sweep(net: Any, n: int, priors: np.ndarray) -> np.ndarray:
    """One pgmpy query per scenario: swap the prior CPD, rebuild the inference object, query."""
    from pgmpy.factors.discrete import TabularCPD

    out = np.empty_like(priors)
    for i, p in enumerate(priors):
        net.add_cpds(TabularCPD("H", len(p), p.reshape(-1, 1)))  # replaces H's CPD
        out[i] = query(net, n)
    return out


def pgmpy_lam_sweep(arr: Any, lams: np.ndarray, *, reliability: bool) -> np.ndarray:
    """One pgmpy network (new CPDs) and query per likelihood table."""
    from dataclasses import replace

    out = np.empty((len(lams), lams.shape[-1]))
    for i, lam in enumerate(lams):
        a = replace(arr, lam=lam)
        out[i] = query(build_network(a, a.prior, reliability=reliability), lam.shape[0])
    return out


def run(quick: bool = False) -> BenchResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pgmpy's own FutureWarnings on import
        import pgmpy.inference  # noqa: F401
    logging.getLogger("pgmpy").setLevel(logging.ERROR)

    import motives as mv
    from motives import exact

    res = BenchResult(NAME, TITLE)
    case = mv.load_case(FLAT_CASE)
    s_exact = 200 if quick else 100_000
    s_pgmpy = 3 if quick else 100
    s_pgmpy_lam = 1 if quick else 30
    rng = np.random.default_rng(7)
    worst: dict[str, float] = {}
    timings: dict[str, dict[str, float]] = {}
    for lens in ("hughes", "realist"):
        arr = exact.compile_case(case, lens)
        arr = arr.without(arr.other_items)
        n, k = arr.lam.shape
        priors = rng.dirichlet(np.ones(k), size=s_pgmpy)
        for rel in (False, True):
            net = build_network(arr, arr.prior, reliability=rel)
            from pgmpy.inference import VariableElimination

            ve = VariableElimination(net)
            d_single = float(
                np.abs(query(net, n, ve) - exact.posterior(arr, reliability=rel)).max()
            )
            t0 = time.perf_counter()
            swept = pgmpy_sweep(net, n, priors)
            t_pg_sweep = (time.perf_counter() - t0) / s_pgmpy
            d_sweep = float(
                np.abs(swept - exact.posterior(arr, prior=priors, reliability=rel)).max()
            )
            key = f"{lens}, reliability {'on' if rel else 'off'}"
            worst[key] = max(d_single, d_sweep)
            # likelihood sweep: every cell perturbed (the network must be rebuilt per scenario)
            lams = np.clip(
                arr.lam * rng.uniform(0.8, 1.2, size=(s_pgmpy_lam,) + arr.lam.shape), 0.0, 1.0
            )
            t0 = time.perf_counter()
            swept = pgmpy_lam_sweep(arr, lams, reliability=rel)
            t_pg_lam = (time.perf_counter() - t0) / s_pgmpy_lam
            d_lam = float(np.abs(swept - exact.posterior(arr, lam=lams, reliability=rel)).max())
            worst[key] = max(worst[key], d_lam)
            if lens == "hughes":
                net = build_network(arr, arr.prior, reliability=rel)
                ve = VariableElimination(net)
                big = rng.dirichlet(np.ones(k), size=s_exact)
                big_lam = np.clip(
                    arr.lam * rng.uniform(0.8, 1.2, size=(s_exact // 5,) + arr.lam.shape), 0.0, 1.0
                )
                timings[key] = {
                    "pgmpy_query": best_time(
                        lambda net=net, ve=ve, n=n: query(net, n, ve), repeat=3 if quick else 7
                    ),
                    "exact_single": best_time(
                        lambda arr=arr, rel=rel: exact.posterior(arr, reliability=rel),
                        repeat=5,
                        min_seconds=0.02 if quick else 0.2,
                    ),
                    "pgmpy_sweep": t_pg_sweep,
                    "exact_sweep": best_time(
                        lambda arr=arr, big=big, rel=rel: exact.posterior(
                            arr, prior=big, reliability=rel
                        ),
                        repeat=3 if quick else 5,
                    )
                    / s_exact,
                    "pgmpy_lam": t_pg_lam,
                    "exact_lam": best_time(
                        lambda arr=arr, bl=big_lam, rel=rel: exact.posterior(
                            arr, lam=bl, reliability=rel
                        ),
                        repeat=3 if quick else 5,
                    )
                    / len(big_lam),
                }
    agree = max(worst.values())
    res.add(
        "max |Δ credence| vs pgmpy (2 lenses × reliability off/on; single, prior-sweep and "
        "likelihood-sweep queries)",
        agree,
        "",
        target="≤ 1e-12",
        ok=agree <= 1e-12,
        note="; ".join(f"{k}: {v:.1e}" for k, v in worst.items()),
    )
    for key, t in timings.items():
        r1 = t["pgmpy_query"] / t["exact_single"]
        res.add(
            f"one posterior, one query ({key})",
            t["exact_single"] * 1e6,
            "µs",
            baseline=t["pgmpy_query"] * 1e6,
            baseline_label="pgmpy VE query (network built)",
            ratio=r1,
            note="ratio = pgmpy time / exact time",
        )
        r2 = t["pgmpy_sweep"] / t["exact_sweep"]
        res.add(
            f"per posterior in a sweep of priors ({key})",
            t["exact_sweep"] * 1e6,
            "µs",
            baseline=t["pgmpy_sweep"] * 1e6,
            baseline_label=f"pgmpy, one query per scenario ({s_pgmpy})",
            ratio=r2,
            target="≥ 1000× faster",
            ok=r2 >= 1000,
            note=f"exact: one vectorised call over S = {s_exact:,} priors (the likelihood is "
            "computed once)",
        )
        r3 = t["pgmpy_lam"] / t["exact_lam"]
        res.add(
            f"per posterior in a sweep of likelihood tables ({key})",
            t["exact_lam"] * 1e6,
            "µs",
            baseline=t["pgmpy_lam"] * 1e6,
            baseline_label=f"pgmpy, network rebuilt + one query per scenario ({s_pgmpy_lam})",
            ratio=r3,
            target="≥ 1000× faster",
            ok=r3 >= 1000,
            note=f"exact: one vectorised call over S = {s_exact // 5:,} tables λ × U(0.8, 1.2) "
            "per cell",
        )
    arr = exact.compile_case(case, "hughes").without(exact.compile_case(case, "hughes").other_items)
    res.notes.append(
        f"case: {len(arr.items)} likelihood items × {len(arr.hypotheses)} hypotheses, "
        f"{len(arr.groups)} shared-reliability sources as latent nodes with "
        f"{sum(len(g.nodes()[0]) for g in arr.groups)} states in all"
    )
    return res
