"""One MCMC measurement in a fresh process (so each starts as a user's ``motives run`` would).

Usage: ``python benchmarks/_mcmc_worker.py '<json job>'``; prints one JSON line.
Jobs:

``{"job": "fit", "sampler": "nutpie" | "pymc-nuts", "case": "evidence" | [n, k], ...}``
    build the exclusive model, compile, sample; phase times, diagnostics,
    and the largest |posterior mean credence − exact credence|.
``{"job": "refit", ...}``
    fit once (nutpie), then a second fit with new priors and likelihood scale
    factors through the compiled model (``sampling.refit``) and the same second
    fit from a fresh build (new model, new compilation).
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

T = time.perf_counter


def cpu() -> float:
    """CPU seconds (user + system) of this process, its threads and its finished children."""
    import resource

    me, ch = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + ch.ru_utime + ch.ru_stime


def load(job: dict[str, Any]) -> Any:
    from _common import CASE, synthetic_case

    import motives as mv

    if job.get("case", "evidence") == "evidence":
        return mv.load_case(CASE)
    n, k = job["case"]
    return synthetic_case(int(n), int(k))


def diagnostics(trace: Any) -> dict[str, Any]:
    from motives.models.result import compute_diagnostics

    d = compute_diagnostics(trace)
    stats = trace.sample_stats
    steps = None
    for name in ("n_steps", "tree_size"):
        if name in stats:
            steps = int(np.asarray(stats[name]).sum())
            break
    return {
        "ess_bulk_min": d["ess_bulk_min"],
        "r_hat_max": d["r_hat_max"],
        "divergences": d["divergences"],
        "grad_evals": steps,
    }


def exact_gap(
    case: Any, trace: Any, lens: str | None, prior: Any = None, log_scale: Any = None
) -> float:
    from motives import exact

    arr = exact.compile_case(case, lens)
    pri = exact.prior_from(case, prior)
    if log_scale is not None:
        return float("nan")
    ex = exact.posterior(arr, pri)
    mc = trace.posterior["credence"].mean(dim=("chain", "draw")).values
    return float(np.abs(mc - ex).max())


def job_fit(job: dict[str, Any]) -> dict[str, Any]:
    t0 = T()
    import pymc  # noqa: F401  (timed: the import is part of a fit's cost)

    from motives.models.exclusive import build_exclusive
    from motives.models.sampling import sample

    if job["sampler"] == "nutpie":
        import nutpie
    t_import = T() - t0
    case = load(job)
    lens = job.get("lens")
    draws, tune, chains, seed = job["draws"], job["tune"], job["chains"], job.get("seed", 1)
    t1, c1 = T(), cpu()
    built = build_exclusive(case, lens=lens, prior=job.get("prior"))
    t_build = T() - t1
    out: dict[str, Any] = {"import": t_import, "build": t_build}
    if job["sampler"] == "nutpie":
        t2, c2 = T(), cpu()
        built.compiled["nutpie"] = nutpie.compile_pymc_model(built.model)
        out["compile"], out["compile_cpu"] = T() - t2, cpu() - c2
        t3, c3 = T(), cpu()
        trace = sample(built, draws=draws, tune=tune, chains=chains, seed=seed, backend="nutpie")
        out["sample"], out["sample_cpu"] = T() - t3, cpu() - c3
    else:  # PyMC's own NUTS: motives' backend "pymc" (pm.sample(nuts_sampler="pymc"))
        t2 = T()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            trace = sample(built, draws=draws, tune=tune, chains=chains, seed=seed, backend="pymc")
        out["compile+sample"] = T() - t2
        out["sample"] = float(trace.sample_stats.attrs.get("sampling_time", float("nan")))
        out["compile"] = out["compile+sample"] - out["sample"]
    out["fit"], out["fit_cpu"] = T() - t1, cpu() - c1
    t4 = T()
    out.update(diagnostics(trace))
    out["diagnostics_time"] = T() - t4
    out["n_params"] = int(
        sum(np.prod(v.shape.eval()) if v.ndim else 1 for v in built.model.free_RVs)
    )
    out["max_abs_credence_minus_exact"] = exact_gap(case, trace, lens, job.get("prior"))
    return out


def job_refit(job: dict[str, Any]) -> dict[str, Any]:
    t0 = T()
    import nutpie  # noqa: F401  (timed: the import is part of the cost)

    from motives.models.exclusive import build_exclusive
    from motives.models.sampling import refit, sample, set_data

    t_import = T() - t0
    from motives.models import sampling

    case = load(job)
    lens = job.get("lens")
    kw = {
        "draws": job["draws"],
        "tune": job["tune"],
        "chains": job["chains"],
        "seed": 1,
        "backend": "nutpie",
    }
    t1 = T()
    built = build_exclusive(case, lens=lens)
    sample(built, **kw)  # compiles with nutpie, kept in the process-wide cache (sampling._COMPILED)
    t_first = T() - t1
    k = len(built.inputs.hypotheses)
    new_prior = np.full(k, 1.0 / k)
    rng = np.random.default_rng(3)
    log_scale = np.zeros_like(built.data_values()["log_scale"])
    log_scale[: min(5, len(log_scale))] = rng.normal(0, 0.5, size=(min(5, len(log_scale)), k))
    t2 = T()
    tr_refit = refit(built, log_prior=np.log(new_prior), log_scale=log_scale, **kw)
    t_refit = T() - t2
    # motives.fit-style second fit in the same process: a new build of the same structure finds the
    # compilation in the process-wide cache (sampling._COMPILED) and skips numba
    t_cached = None
    if hasattr(sampling, "_COMPILED"):
        t4 = T()
        again = build_exclusive(case, lens=lens, prior=new_prior.tolist())
        set_data(again, log_scale=log_scale)
        sample(again, **kw)
        t_cached = T() - t4
        sampling._COMPILED.clear()  # the fresh build below must compile
    import tempfile

    from motives.models import nutpie_cache

    t3 = T()
    with tempfile.TemporaryDirectory() as empty:
        # and not be served from motives' disk cache either (since the cache's key became cheap,
        # a served build costs about what a refit does); numba may still find its machine code
        kept, nutpie_cache.cache_dir = (
            nutpie_cache.cache_dir,
            lambda: Path(empty),
        )
        try:
            fresh = build_exclusive(case, lens=lens, prior=new_prior.tolist())
            set_data(fresh, log_scale=log_scale)
            tr_fresh = sample(fresh, **kw)
        finally:
            nutpie_cache.cache_dir = kept
    t_fresh = T() - t3
    a = tr_refit.posterior["credence"].mean(dim=("chain", "draw")).values
    b = tr_fresh.posterior["credence"].mean(dim=("chain", "draw")).values
    return {
        "import": t_import,
        "first_fit": t_first,
        "refit": t_refit,
        "fresh": t_fresh,
        "cached_build": t_cached,
        "max_abs_refit_minus_fresh": float(np.abs(a - b).max()),
        "ess_refit": diagnostics(tr_refit)["ess_bulk_min"],
    }


def main() -> None:
    job = json.loads(sys.argv[1])
    out = {"job_fit": job_fit, "job_refit": job_refit}["job_" + job["job"]](job)
    print(json.dumps(out, default=float))


if __name__ == "__main__":
    main()
