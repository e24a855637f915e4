"""Scale: cost as the case grows, for the exact engine and the MCMC model.

Synthetic cases: N items × K hypotheses, every third item reported by a
source of uncertain reliability, five items per source (so the number of
shared-reliability groups grows with N, their size does not). The exact
engine is timed on arrays built directly (``CaseArrays``; validating a
10,000-item case through the schema takes seconds and is not the engine's
cost) for one posterior, a 1,000-scenario prior sweep and a 1,000-scenario
likelihood sweep (λ of shape (1000, N, K)). A worst case for reliability —
one source reporting every item, so Gauss–Jacobi needs ⌊N/2⌋ + 1 nodes and
the cost grows as N² — is timed too. Growth is summarised by the exponent b
of t ∝ N^b (least squares on log–log, over N ≥ 100 where fixed overheads
no longer dominate).

MCMC: the exclusive model of synthetic cases (nutpie, 2 chains, 200 tuning +
200 draws), each in a fresh process, up to where a fit no longer fits the
time budget.
"""

from __future__ import annotations

import time

import numpy as np
from _common import BenchResult, best_time, fit_exponent, worker

NAME = "scale"
TITLE = "Scale: cost as items grow (exact engine and MCMC)"


def synthetic_arrays(n: int, k: int, *, seed: int = 0, one_source: bool = False):
    """``CaseArrays`` of a synthetic case without going through the schema.

    The synthetic case is the one the module docstring describes.
    """
    from motives.exact import CaseArrays, SourceGroup

    rng = np.random.default_rng(seed)
    lam = rng.uniform(0.05, 0.95, (n, k)).round(4)
    if one_source:
        groups = (SourceGroup("s0", np.arange(n, dtype=np.intp), 0.8, 15.0),)
    else:
        reported = np.arange(0, n, 3)
        groups = tuple(
            SourceGroup(f"s{j}", reported[i : i + 5].astype(np.intp), 0.8, 15.0)
            for j, i in enumerate(range(0, len(reported), 5))
        )
    hyps = [f"h{i}" for i in range(k)]
    return CaseArrays(
        lens="synthetic",
        hypotheses=hyps,
        families=hyps,
        family_index=np.arange(k),
        items=[f"e{i}" for i in range(n)],
        lam=lam,
        base=np.full(n, np.nan),
        groups=groups,
        other_items=[],
        other_loglik=np.zeros((0, k)),
        prior=np.full(k, 1.0 / k),
    )


def mem_total() -> float:
    import os

    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def run(quick: bool = False) -> BenchResult:
    from motives import exact

    res = BenchResult(NAME, TITLE)
    ns = [10, 100] if quick else [10, 100, 1_000, 10_000]
    ks = [4, 20]
    s = 50 if quick else 1_000
    rng = np.random.default_rng(5)
    rows = []
    for k in ks:
        for n in ns:
            arr = synthetic_arrays(n, k)
            priors = rng.dirichlet(np.ones(k), size=s)
            lam_bytes = s * n * k * 8
            t_single = best_time(
                lambda arr=arr: exact.posterior(arr), repeat=5, min_seconds=0.01 if quick else 0.1
            )
            t_prior = best_time(
                lambda arr=arr, p=priors: exact.posterior(arr, prior=p),
                repeat=3,
                min_seconds=0.01 if quick else 0.1,
            )
            lam = np.clip(arr.lam * rng.uniform(0.8, 1.2, size=(s, n, k)), 0.0, 1.0)
            t_lam = best_time(lambda arr=arr, lam=lam: exact.posterior(arr, lam=lam), repeat=3)
            t_lam_norel = best_time(
                lambda arr=arr, lam=lam: exact.posterior(arr, lam=lam, reliability=False), repeat=3
            )
            del lam
            post = exact.posterior(arr)
            assert np.all(np.isfinite(post)) and abs(post.sum() - 1) < 1e-9
            rows.append(
                {
                    "N": n,
                    "K": k,
                    "single_ms": t_single * 1e3,
                    f"prior_sweep_{s}_ms": t_prior * 1e3,
                    f"lam_sweep_{s}_ms": t_lam * 1e3,
                    f"lam_sweep_{s}_norel_ms": t_lam_norel * 1e3,
                    "lam_sweep_scen_per_s": s / t_lam,
                    "lam_input_MB": lam_bytes / 2**20,
                }
            )
    res.tables["exact engine (reliability on unless 'norel')"] = rows
    big = [r for r in rows if r["N"] >= 100]
    if len({r["N"] for r in big}) < 2:  # --quick: too few sizes above the overheads; use them all
        big = rows
    for k in ks:
        sel = [r for r in big if r["K"] == k]
        for col, label in (
            ("single_ms", "one posterior"),
            (f"prior_sweep_{s}_ms", f"{s}-prior sweep"),
            (f"lam_sweep_{s}_ms", f"{s}-scenario likelihood sweep"),
        ):
            b = fit_exponent([r["N"] for r in sel], [r[col] for r in sel])
            largest = max(sel, key=lambda r: r["N"])
            res.add(
                f"exact, K = {k}: {label}, growth exponent b (t ∝ N^b, N ≥ 100)",
                b,
                "",
                note=f"at N = {largest['N']:,}: {largest[col]:.3g} ms",
            )
    # Worst case for reliability: one source reports every item.
    worst = []
    for n in [10, 100] if quick else [10, 100, 1_000, 2_000]:
        arr = synthetic_arrays(n, 4, one_source=True)
        t = best_time(
            lambda arr=arr: exact.posterior(arr), repeat=3, min_seconds=0.01 if quick else 0.05
        )
        worst.append({"N": n, "K": 4, "nodes": n // 2 + 1, "single_ms": t * 1e3})
    res.tables["exact engine, worst case: one source reports all N items"] = worst
    wb = [r for r in worst if r["N"] >= 100] if len(worst) > 2 else worst
    b = fit_exponent([r["N"] for r in wb], [r["single_ms"] for r in wb])
    res.add(
        "exact, one source for all items: one posterior, growth exponent b",
        b,
        "",
        note="quadrature needs ⌊N/2⌋+1 nodes, each evaluating all N items: O(N²) work per scenario",
    )
    ram = mem_total()
    res.notes.append(
        "memory: a likelihood sweep holds λ of S×N×K×8 bytes (1,000 × 10,000 × 20 = 1.6 GB); the "
        "engine's own "
        "temporaries are bounded by evaluating 2^16 cells at a time (× ≤ Q quadrature nodes for "
        "grouped items). "
        f"With {ram / 2**30:.0f} GB RAM, S×N×K must stay below ~{ram / 2 / 8:.1e} cells (half the "
        "RAM): e.g. "
        f"N = 10,000, K = 20 allows S ≈ {ram / 2 / 8 / 2e5:,.0f} scenarios per call; a prior "
        "sweep needs only S×K."
    )
    # MCMC
    if quick:
        res.notes.append(
            "MCMC scaling skipped in --quick (the mcmc benchmark's smoke run covers the same "
            "worker)"
        )
        return res
    mrows: list[dict] = []
    budget, t0 = 420.0, time.perf_counter()
    for n, k in [(10, 4), (100, 4), (1_000, 4), (100, 20), (10_000, 4)]:
        spent = time.perf_counter() - t0
        prev = [r for r in mrows if r["K"] == k]
        if (
            prev
        ):  # predict: compile as before, sampling ∝ N^1.25 (gradient ∝ N, tree depth grows slowly)
            p = prev[-1]
            guess = p["compile_s"] + p["sample_s"] * (n / p["N"]) ** 1.25
            if guess > budget - spent:
                res.notes.append(
                    f"MCMC stopped before N = {n:,}, K = {k}: predicted {guess:.0f} s "
                    f"> remaining budget {budget - spent:.0f} s"
                )
                continue
        try:
            o = worker(
                {
                    "job": "fit",
                    "sampler": "nutpie",
                    "case": [n, k],
                    "draws": 200,
                    "tune": 200,
                    "chains": 2,
                },
                timeout=max(60.0, budget - spent),
            )
        except Exception as exc:  # noqa: BLE001 - a timeout or a crash is a result here
            res.notes.append(f"MCMC at N = {n:,}, K = {k} did not finish: {exc}")
            break
        mrows.append(
            {
                "N": n,
                "K": k,
                "params": o["n_params"],
                "compile_s": o["compile"],
                "sample_s": o["sample"],
                "grad_evals": o["grad_evals"],
                "ms_per_grad_eval": o["sample"] / max(1, o["grad_evals"]) * 2 * 1e3,
                "ess_bulk_min": o["ess_bulk_min"],
                "r_hat_max": o["r_hat_max"],
            }
        )
    res.tables["MCMC (nutpie, 2 chains, 200 + 200 draws)"] = mrows
    sel = [r for r in mrows if r["K"] == 4]
    if len(sel) >= 2:
        res.add(
            "MCMC, K = 4: time per gradient evaluation, growth exponent b",
            fit_exponent([r["N"] for r in sel], [r["ms_per_grad_eval"] for r in sel]),
            "",
            note="; ".join(f"N={r['N']:,}: {r['ms_per_grad_eval']:.3f} ms" for r in sel),
        )
        res.add(
            "MCMC, K = 4: sampling wall, growth exponent b",
            fit_exponent([r["N"] for r in sel], [r["sample_s"] for r in sel]),
            "",
            note="; ".join(
                f"N={r['N']:,}: compile {r['compile_s']:.0f} s + sample {r['sample_s']:.1f} s"
                for r in sel
            ),
        )
    return res
