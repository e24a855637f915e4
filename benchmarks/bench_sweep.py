"""Sweep throughput of the exact engine on the real case as a flat case (lens hughes).

Its flat copy is in tests/data/flat.

(a) prior sweeps: S Dirichlet(1) priors, one call ``posterior(arr, prior=(S, K))``;
(b) full likelihood perturbations: every cell of λ drawn from Beta(mean·κ, (1−mean)·κ),
    κ = 20, one call ``posterior(arr, lam=(S, N, K))``;
each with and without shared-source reliability. Drawing the scenarios is not
timed (it is the caller's cost, and the same for any engine); the baseline is
a Python loop of single ``posterior`` calls over the same scenarios (first
``n_loop`` of them), i.e. what a user without the vectorised API would write.
"""

from __future__ import annotations

import _exact_before
import numpy as np
from _common import FLAT_CASE, BenchResult, best_time

NAME = "sweep"
TITLE = "Exact-engine sweep throughput (scenarios/s)"
TARGET = 1e5


def beta_draws(lam: np.ndarray, s: int, kappa: float, rng: np.random.Generator) -> np.ndarray:
    """S likelihood tables, each cell Beta with the table's mean and concentration κ.

    0/1 cells are kept.
    """
    m = np.clip(lam, 1e-9, 1 - 1e-9)
    out = rng.beta(m * kappa, (1 - m) * kappa, size=(s,) + lam.shape)
    return np.where((lam == 0) | (lam == 1), lam, out)


def run(quick: bool = False) -> BenchResult:
    import motives as mv
    from motives import exact

    res = BenchResult(NAME, TITLE)
    arr = exact.compile_case(mv.load_case(FLAT_CASE), "hughes")
    n, k = arr.lam.shape
    rng = np.random.default_rng(11)
    sizes = {"prior": 1_000 if quick else 100_000, "lam": 200 if quick else 20_000}
    n_loop = 20 if quick else 300
    scen = {
        "prior": rng.dirichlet(np.ones(k), size=sizes["prior"]),
        "lam": beta_draws(arr.lam, sizes["lam"], 20.0, rng),
    }
    for kind, label in (
        ("prior", "(a) prior sweep"),
        ("lam", "(b) likelihood perturbation (S, N, K)"),
    ):
        x = scen[kind]
        s = len(x)
        for rel in (True, False):

            def vec(x: np.ndarray = x, rel: bool = rel, kind: str = kind) -> np.ndarray:
                return exact.posterior(arr, **{kind: x}, reliability=rel)

            def loop(x: np.ndarray = x[:n_loop], rel: bool = rel, kind: str = kind) -> None:
                for xi in x:
                    exact.posterior(arr, **{kind: xi}, reliability=rel)

            def before(x: np.ndarray = x, rel: bool = rel, kind: str = kind) -> np.ndarray:
                return _exact_before.posterior(arr, **{kind: x}, reliability=rel)

            t = best_time(vec, repeat=3 if quick else 7)
            t_loop = best_time(loop, repeat=1 if quick else 3) / n_loop
            t_before = best_time(before, repeat=1 if quick else 3)
            rate = s / t
            post = vec()
            assert np.all(np.isfinite(post)) and np.allclose(post.sum(axis=-1), 1.0)
            assert np.allclose(post, before(), rtol=0, atol=1e-12)
            res.add(
                f"{label}, reliability {'on' if rel else 'off'}",
                rate,
                "scen/s",
                baseline=1 / t_loop,
                baseline_label=f"Python loop of single posterior() calls ({n_loop} scenarios)",
                ratio=rate * t_loop,
                target="≥ 1e5 scen/s",
                ok=rate >= TARGET,
                note=f"S = {s:,} in one call: {t * 1e3:.1f} ms",
            )
            res.add(
                f"{label}, reliability {'on' if rel else 'off'}: vs the engine before optimisation",
                rate,
                "scen/s",
                baseline=s / t_before,
                baseline_label="exact.loglik as of c0364d8 (benchmarks/"
                "_exact_before.py), same call",
                ratio=t_before / t,
                note="the same results to 1e-12 (checked)",
            )
    res.notes.append(
        f"real case (its flat copy, tests/data/flat/evidence), lens hughes: N = {n} likelihood "
        f"items + {len(arr.other_items)} timeline/quantity items, K = {k}; {len(arr.groups)} "
        f"shared-reliability sources (largest has {max(len(g.index) for g in arr.groups)} items)"
    )
    res.notes.append(
        "single-threaded numpy: one core does the work; the 2nd core is free for a 2nd sweep"
    )
    return res
