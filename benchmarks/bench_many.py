"""A 32-fit refit grid three ways.

Serially in one process, in 2 local processes, on a 2-worker LocalCluster.

The grid is :func:`motives.models.grid.refit_grid` over 8 prior powers x 4 concentrations of a
generated case (12 items with Beta cells, 3 hypotheses, 2 sources of uncertain reliability;
PyMC's NUTS, 2 chains x (300 tune + 300 draws), the same seed everywhere). Each way starts from a
fresh process: the serial one runs in this process after a warm-up fit of its own, the others
spawn their workers (which import PyMC and compile the model once each). All three give the
same numbers (checked: the refits tables are equal).

From the runs:

- per-task cost t: the serial run's time per fit after its first (the first pays the compilation);
- per-worker start-up s and per-task overhead o of a way with n workers: its wall time
  W = s + ceil(N / n) (t + o); s is measured as the time from the start of the job to the first
  result minus t, and o follows from W.

The prediction for 64 workers (one task each for N = 32, 64 tasks for N = 64 x 2) uses the
cluster's s and o with the serial t: W_64 = s + ceil(N / 64) (t + o). It assumes 64 cores that
are as fast as these and a scheduler that is not the bottleneck (Dask's scheduler handles
thousands of tasks a second; 32 tasks of seconds each are far from that).
"""

from __future__ import annotations

import math
import os
import time

from _common import BenchResult

NAME = "many"
TITLE = "A 32-fit refit grid: serial, local processes, a 2-worker Dask LocalCluster"


def _case(quick: bool):  # noqa: ANN202
    from motives.models.testing import random_case

    return random_case(21, n_items=4 if quick else 12, n_hypotheses=3, n_sources=2)


def run(quick: bool = False) -> BenchResult:
    from motives.models.config import FitConfig
    from motives.models.grid import refit_grid

    res = BenchResult(NAME, TITLE)
    case = _case(quick)
    steps = 60 if quick else 300
    cfg = FitConfig.build(case, draws=steps, tune=steps, chains=2, backend="pymc", seed=3)
    powers = [0.0, 0.5, 1.0, 2.0] if quick else [0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0]
    conc = [0.5, 1.0] if quick else [0.25, 0.5, 1.0, 2.0]
    n_tasks = len(powers) * len(conc)
    grid = {"prior_power": powers, "concentration": conc}

    def timed(scheduler):  # noqa: ANN001, ANN202
        t0 = time.perf_counter()
        out = refit_grid(case, cfg, scheduler=scheduler, workers=2, **grid)
        return out, time.perf_counter() - t0

    # serial: first fit alone (compile), then the grid
    t0 = time.perf_counter()
    refit_grid(case, cfg, scheduler="serial", prior_power=[1.0])
    first = time.perf_counter() - t0
    serial, w_serial = timed("serial")
    t_task = w_serial / n_tasks
    procs, w_procs = timed("processes")
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set({"distributed.scheduler.worker-saturation": 1.0}):
        t0 = time.perf_counter()
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=50) as lc, Client(lc) as client:
            cluster_up = time.perf_counter() - t0
            dist, w_dist = timed(client)
    assert serial.table.equals(procs.table) and serial.table.equals(dist.table), "the three ways disagree"
    for label, w, n in (("serial (1 process)", w_serial, 1), ("2 local processes", w_procs, 2),
                        ("2-worker LocalCluster", w_dist, 2)):
        waves = math.ceil(n_tasks / n)
        res.add(f"{label}: {n_tasks} fits", w, "s", baseline=w_serial if n > 1 else None,
                baseline_label="serial run in this process" if n > 1 else "",
                ratio=w_serial / w if n > 1 else None,
                note=f"{w / n_tasks:.2f} s per fit; {waves} fits per worker"
                     + ("" if n > 1 else f"; the warm-up fit before it (import + compile) took {first:.1f} s"))
    # start-up and overhead of the cluster way: W = s + waves (t + o), s from the cluster start
    waves = math.ceil(n_tasks / 2)
    s_cluster = cluster_up
    o = max(0.0, (w_dist - waves * t_task) / waves)
    w64 = s_cluster + math.ceil(n_tasks / 64) * (t_task + o)
    res.add("per-task cost t (serial, compiled)", t_task, "s")
    res.add("cluster start-up s (2 workers)", s_cluster, "s", note="LocalCluster() until ready, before any task")
    res.add("per-task overhead o on the cluster (incl. each worker's first compile, spread over its fits)", o, "s",
            note=f"o = (W - ceil(N/2) t) / ceil(N/2) with W = {w_dist:.1f} s the grid's wall on the cluster")
    res.add(f"predicted wall of the {n_tasks}-fit grid on 64 workers", w64, "s",
            note=f"s + ceil({n_tasks}/64) (t + o): one fit per worker; its first fit pays the compilation, "
                 "which o already holds once per worker here, so this is an upper estimate of the work part")
    res.add("predicted speed-up on 64 workers vs serial", w_serial / w64, "×")
    res.notes.append(f"machine: {os.cpu_count()} CPUs shared with other sessions (load average in the header); "
                     "the 2-worker ways cannot beat 2x")
    return res
