"""MCMC: the baseline spec's fit (exclusive model, 4 chains, default draws), nutpie vs PyMC's NUTS.

Each sampler runs in a fresh process: build the model, compile it, sample
(``fit`` wall = build + compile + sample; the import of PyMC/nutpie is timed
apart, as is the whole process). On disk, PyTensor's and numba's caches are
warm (they persist between runs; the first run after an install is slower).
Min bulk ESS is over every varying posterior quantity (cells, reliabilities,
credences). "PyMC's NUTS" is motives' ``backend="pymc"``, i.e.
``pm.sample(nuts_sampler="pymc")`` (plain ``pm.sample`` would pick nutpie when
it is installed); it is also what ``backend="auto"`` gives a one-off
``motives.fit`` / ``motives run`` since commit 1c6c453.
"""

from __future__ import annotations

from _common import SPEC, BenchResult, worker

NAME = "mcmc"
TITLE = "MCMC fit of the baseline spec: nutpie vs PyMC's NUTS"


def run(quick: bool = False) -> BenchResult:
    import motives as mv

    res = BenchResult(NAME, TITLE)
    spec = mv.load_spec(SPEC)
    s = spec.sampler
    if quick:
        job = {"job": "fit", "case": [6, 2], "draws": 100, "tune": 100, "chains": 2}
        samplers = ["nutpie", "pymc-nuts"]
    else:
        job = {
            "job": "fit",
            "case": "evidence",
            "lens": spec.lens,
            "prior": spec.prior,
            "draws": s.draws,
            "tune": s.tune,
            "chains": s.chains,
            "seed": s.seed,
        }
        samplers = ["nutpie", "pymc-nuts"]
    out = {smp: worker({**job, "sampler": smp}) for smp in samplers}
    ref = out["nutpie"]
    for smp, o in out.items():
        ess_s = o["ess_bulk_min"] / o["fit"] if o["ess_bulk_min"] else None
        res.add(
            f"{smp}: fit wall (build + compile + sample)",
            o["fit"],
            "s",
            baseline=None if smp == "nutpie" else ref["fit"],
            baseline_label="" if smp == "nutpie" else "nutpie fit in this run",
            ratio=None if smp == "nutpie" else o["fit"] / ref["fit"],
            target="≤ 10 s, min ESS ≥ 1000",
            ok=None if quick else (o["fit"] <= 10 and (o["ess_bulk_min"] or 0) >= 1000),
            note=f"import {o['import']:.1f} s, build {o['build']:.2f} s, compile "
            f"{o['compile']:.1f} s, "
            f"sample {o['sample']:.1f} s; CPU time of the fit {o['fit_cpu']:.1f} s"
            + (
                f" (compile {o['compile_cpu']:.1f}, sample {o['sample_cpu']:.1f})"
                if "compile_cpu" in o
                else ""
            )
            + f"; process wall {o['process_wall']:.1f} s; "
            f"{o['n_params']} parameters, {o['grad_evals']} gradient evaluations",
        )
        res.add(
            f"{smp}: min bulk ESS",
            o["ess_bulk_min"],
            "",
            note=f"r̂ max {o['r_hat_max']:.4f}, divergences {o['divergences']}",
        )
        res.add(
            f"{smp}: min bulk ESS per second of fit wall",
            ess_s,
            "/s",
            note=f"per second of sampling alone: {o['ess_bulk_min'] / o['sample']:.0f}/s"
            if o["sample"]
            else "",
        )
        res.add(
            f"{smp}: max |mean credence − exact credence|",
            o["max_abs_credence_minus_exact"],
            "",
            note="built-in correctness check: the posterior mean of the credence is the exact "
            "credence",
        )
    res.tables["phases (s)"] = [
        {
            "sampler": k,
            **{
                p: round(v[p], 2)
                for p in ("import", "build", "compile", "sample", "fit", "fit_cpu", "process_wall")
                if p in v
            },
        }
        for k, v in out.items()
    ]
    return res
