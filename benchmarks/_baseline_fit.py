"""Time the baseline spec's fit in this (fresh) process.

``python benchmarks/_baseline_fit.py [SPEC]``; one JSON line.

Wall = load the case + ``fit_spec`` (build, compile, sample) + diagnostics, after ``import motives``
and PyMC (imported first and timed apart, as in ``bench_mcmc``). A fit no longer computes the log
densities power-scaling sensitivity reads; ``log_densities`` is the time of asking for them
afterwards (``res.add_log_densities()``, what ``motives run --psense`` adds), reported apart and not
in ``fit``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Fit the spec once and print the timings, min bulk ESS and the exact check."""
    t0 = time.perf_counter()
    import pymc  # noqa: F401

    import motives as mv
    from motives.models import fit_spec

    t_import = time.perf_counter() - t0
    spec_file = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "models" / "baseline.yaml"
    t1 = time.perf_counter()
    spec = mv.load_spec(spec_file)
    res = fit_spec(spec, spec_file)
    d = res.diagnostics
    wall = time.perf_counter() - t1
    load = os.getloadavg()[0]
    t2 = time.perf_counter()
    res.add_log_densities()
    t_ld = time.perf_counter() - t2
    print(
        json.dumps(
            {
                "fit": wall,
                "import": t_import,
                "log_densities": t_ld,
                "load": load,
                "ess_bulk_min": d["ess_bulk_min"],
                "r_hat_max": d["r_hat_max"],
                "divergences": d["divergences"],
                "exact_check_ok": d["exact_check_ok"],
                "ok": d["ok"],
                "sampler": res.trace.attrs.get("sampler"),
            }
        )
    )


if __name__ == "__main__":
    main()
