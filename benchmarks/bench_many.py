"""A 32-fit refit grid three ways.

Serially in one process, in 2 local processes, on a 2-worker LocalCluster.

The grid is :func:`motives.models.grid.grid_tasks` over 8 prior powers x 4 concentrations of a
small generated case (8 items with Beta cells, 3 hypotheses, 2 sources of uncertain reliability)
fitted with PyMC's NUTS, 2 chains x (300 tune + 400 draws) sampled one after the other, the same
seed everywhere: each fit costs a few seconds, most of it PyTensor compiling the model (every
task builds and compiles its model where it runs; nothing compiled is shipped). The three ways
run the same tasks through :func:`motives.models.many.run_fits` and must give the same draws
(checked: every result's ``credence`` and ``lam_cell`` draws are equal across the ways). The same
grid is also run serially with nutpie, which compiles the model once per process and then only
swaps each task's data.

What is measured, and how (N = 32 tasks, n workers, ``W`` the wall time of a way):

- per-task cost t: the serial run's wall / N, in this process after a warm-up fit of its own (so
  t holds no import and no first compilation); split into PyMC's sampling time (``sampling_time``
  of the trace) and the rest (building the model, compiling it, diagnostics, the exact check);
- start-up s of a parallel way: from the start of the job (for the cluster: from ``LocalCluster()``
  on, so the cluster's own start is in s) to its first result, minus t: starting the workers,
  importing PyMC in them and their first compilation;
- per-task overhead o: what is left, o = (W - s) / ceil(N / n) - t (sending the task, the
  result's trip back, and whatever made a worker's fits slower than the serial ones; it can come
  out negative when the machine's load dropped during the way);
- the same three in CPU seconds, which the other sessions' load on this shared machine does not
  inflate: t_cpu = the serial run's CPU time / N; s_cpu = per worker, the CPU its process used
  outside its tasks (spawning, importing, messages, and for the cluster the scheduler running in
  this process) + its first task's CPU - t_cpu; o_cpu = the mean CPU of a worker's later tasks -
  t_cpu. Each task's CPU is measured where it ran (``motives_task_cpu_seconds``), the workers'
  totals as this process's reaped children (``getrusage``);
- the CPU the way got: CPU seconds used / W (1.0 is one full core);
- the cost of the log densities a task can also store (``FitTask.log_densities``): the same task's
  CPU with and without them, medians of 3.

The prediction for 64 workers: W64 = s + ceil(N / 64) (t + o), with the cluster's s and o and the
serial t, once with the wall figures (64 cores as loaded as these were) and once with the CPU
figures (a free core per worker). Both assume one task per worker process at a time, a
scheduler that is not the bottleneck (Dask's scheduler handles thousands of tasks a second; 32
or 1024 tasks of seconds each are far from that), every worker paying its import and first
compilation at once and no more than here (on a fresh machine without PyTensor's and numba's
disk caches that compilation costs more), and shipping that costs what it cost here (a task and
a result are recorded in bytes); the CPU figure also ignores the waits that use no CPU.
"""

from __future__ import annotations

import dataclasses
import math
import os
import pickle
import resource
import statistics
import sys
import time
import warnings
from pathlib import Path

from _common import BenchResult

NAME = "many"
TITLE = "A 32-fit refit grid: serial, 2 local processes, a 2-worker Dask LocalCluster"


def _cpu(who: int) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def _say(text: str) -> None:
    print(f"  [many {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def run(quick: bool = False) -> BenchResult:
    import numpy as np

    from motives.errors import FailedFitWarning
    from motives.models.config import FitConfig
    from motives.models.grid import grid_tasks
    from motives.models.many import run_fits, run_task
    from motives.models.testing import random_case

    warnings.simplefilter(
        "ignore", FailedFitWarning
    )  # counted below (fits failing their diagnostics)
    res = BenchResult(NAME, TITLE)
    case = random_case(21, n_items=4 if quick else 8, n_hypotheses=3, n_sources=2)
    tune, draws = (60, 60) if quick else (300, 400)
    cfg = FitConfig.build(case, draws=draws, tune=tune, chains=2, backend="pymc", seed=3)
    powers = [0.0, 1.0, 2.0, 3.0] if quick else [0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0]
    conc = [0.5, 1.0] if quick else [0.25, 0.5, 1.0, 2.0]
    tasks, _ = grid_tasks(case, cfg, prior_power=powers, concentration=conc)
    n_tasks = len(tasks)

    def job(scheduler, *, t_start=None):  # noqa: ANN001, ANN202
        """Run the grid; its results, wall time and the time of its first result (from t_start)."""
        t0 = time.perf_counter() if t_start is None else t_start
        arrived: list[float] = []

        def on_result(i, r, err):  # noqa: ANN001, ANN202
            arrived.append(time.perf_counter() - t0)
            if len(arrived) % 8 == 0 or len(arrived) == n_tasks:
                _say(f"{len(arrived)}/{n_tasks} fits ({arrived[-1]:.0f} s)")

        out = run_fits(tasks, scheduler=scheduler, workers=2, on_result=on_result)
        wall = time.perf_counter() - t0
        if not out.ok:
            raise RuntimeError("; ".join(out.failure_lines()))
        return out, wall, min(arrived)

    _say(f"warm-up fit ({len(case.evidence)} items, {cfg.chains} x ({tune} + {draws}))")
    t0 = time.perf_counter()
    warm = run_task(tasks[0])
    first = time.perf_counter() - t0
    ld_with, ld_without = [], []  # CPU seconds of the same task without and with its log densities
    with_ld = dataclasses.replace(tasks[0], log_densities=True)
    for _ in range(3):
        ld_without.append(run_task(tasks[0]).trace.attrs["motives_task_cpu_seconds"])
        ld_with.append(run_task(with_ld).trace.attrs["motives_task_cpu_seconds"])

    _say("serial")
    cpu0 = _cpu(resource.RUSAGE_SELF)
    serial, w_serial, _ = job("serial")
    cpu_serial = _cpu(resource.RUSAGE_SELF) - cpu0
    t_task = w_serial / n_tasks
    sampling = [float(r.trace.posterior.attrs.get("sampling_time", np.nan)) for r in serial.results]
    t_sampling = float(np.nanmean(sampling))

    # the same grid with nutpie, serially: nutpie compiles a model structure once per process
    # (numba) and then only sets each task's data (motives.models.sampling), so its later fits skip
    # the compilation
    _say("serial, backend nutpie")
    cfg_np = FitConfig.build(case, draws=draws, tune=tune, chains=2, backend="nutpie", seed=3)
    tasks_np, _ = grid_tasks(case, cfg_np, prior_power=powers, concentration=conc)
    np_first = run_task(tasks_np[0]).trace.attrs
    cpu0, t0 = _cpu(resource.RUSAGE_SELF), time.perf_counter()
    job_np = run_fits(tasks_np, scheduler="serial")
    w_np, cpu_np = time.perf_counter() - t0, _cpu(resource.RUSAGE_SELF) - cpu0
    passed_np = sum(bool(r.diagnostics["ok"]) for r in job_np.results if r is not None)

    _say("2 local processes")
    cpu0 = _cpu(resource.RUSAGE_CHILDREN)
    procs, w_procs, first_procs = job("processes")
    cpu_procs = _cpu(resource.RUSAGE_CHILDREN) - cpu0

    import dask
    from distributed import Client, LocalCluster

    _say("2-worker LocalCluster")
    cpu0, self0 = _cpu(resource.RUSAGE_CHILDREN), _cpu(resource.RUSAGE_SELF)
    with dask.config.set({"distributed.scheduler.worker-saturation": 1.0}):
        t_start = time.perf_counter()
        with (
            LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=50,
            ) as lc,
            Client(lc) as client,
        ):
            cluster_up = time.perf_counter() - t_start
            dist, w_dist, first_dist = job(client, t_start=t_start)
    cpu_dist = _cpu(resource.RUSAGE_CHILDREN) - cpu0
    cpu_dist_self = (
        _cpu(resource.RUSAGE_SELF) - self0
    )  # the client, and the scheduler (it runs in this process)

    for other in (procs, dist):  # the same fits: same identities, same draws, in the same order
        for x, y in zip(serial.results, other.results, strict=True):
            assert x.trace.attrs["motives_task_key"] == y.trace.attrs["motives_task_key"]
            for name in ("credence", "lam_cell", "rho"):
                if name in x.trace.posterior:
                    np.testing.assert_array_equal(
                        x.trace.posterior[name].values, y.trace.posterior[name].values
                    )
    passed = sum(bool(r.diagnostics["ok"]) for r in serial.results)

    t_cpu = cpu_serial / n_tasks
    res.add(
        f"serial (1 process): {n_tasks} fits",
        w_serial,
        "s",
        note=f"{t_task:.2f} s per fit after a warm-up fit (import + first compilation: "
        f"{first:.1f} s); CPU used / wall = {cpu_serial / w_serial:.2f}",
    )
    res.add(
        "per-task cost t (serial, after warm-up)",
        t_task,
        "s",
        note=f"of which PyMC's sampling {t_sampling:.2f} s (mean sampling_time); the rest "
        f"({t_task - t_sampling:.2f} s)"
        " builds and compiles the model and checks the fit",
    )
    res.add(
        "per-task cost in CPU seconds, t_cpu (serial)",
        t_cpu,
        "s",
        note="CPU time of the serial run / N",
    )
    res.add(
        f"serial with nutpie: {n_tasks} fits",
        w_np,
        "s",
        baseline=w_serial,
        baseline_label="the serial run with PyMC's NUTS",
        ratio=w_serial / w_np,
        note=f"{w_np / n_tasks:.2f} s ({cpu_np / n_tasks:.2f} CPU s) per fit after its first fit, "
        "which "
        f"compiled the model with numba: {np_first['motives_task_seconds']:.1f} s "
        f"({np_first['motives_task_cpu_seconds']:.1f} CPU s); other draws than PyMC's (another "
        "sampler)",
    )
    predicted = {}
    for label, w, n, first_at, cpu, job_ in (
        ("2 local processes", w_procs, 2, first_procs, cpu_procs, procs),
        ("2-worker LocalCluster", w_dist, 2, first_dist, cpu_dist + cpu_dist_self, dist),
    ):
        waves = math.ceil(n_tasks / n)
        s = first_at - t_task
        o = (w - s) / waves - t_task
        # the same in CPU seconds: what a dedicated core per worker would turn into wall time
        task_cpu = [float(r.trace.attrs["motives_task_cpu_seconds"]) for r in job_.results]
        by_worker: dict[str, list[float]] = {}
        for r, c in zip(job_.results, task_cpu, strict=True):
            by_worker.setdefault(r.trace.attrs["motives_task_process"], []).append(
                (float(r.trace.attrs["motives_task_started"]), c)
            )
        firsts = [min(v)[1] for v in by_worker.values()]
        rest = [c for v in by_worker.values() for _, c in sorted(v)[1:]]
        outside = (cpu - sum(task_cpu)) / len(
            by_worker
        )  # per worker: start-up, messages, the scheduler
        s_cpu = outside + statistics.mean(firsts) - t_cpu
        o_cpu = statistics.mean(rest) - t_cpu
        predicted[label] = (s, o, s_cpu, o_cpu)
        res.add(
            f"{label}: {n_tasks} fits",
            w,
            "s",
            baseline=w_serial,
            baseline_label="the serial run above",
            ratio=w_serial / w,
            note=f"speed-up {w_serial / w:.2f}, efficiency {w_serial / w / n:.0%} of {n} workers; "
            f"{len(by_worker)} worker processes ran the fits, {waves} waves; CPU used / wall = "
            f"{cpu / w:.2f}" + ("; W counts from LocalCluster() on" if job_ is dist else ""),
        )
        res.add(
            f"{label}: start-up s",
            s,
            "s",
            note=f"first result after {first_at:.1f} s, minus t"
            + (f" (the cluster itself was up after {cluster_up:.1f} s)" if job_ is dist else ""),
        )
        res.add(f"{label}: per-task overhead o", o, "s", note=f"(W - s) / {waves} - t")
        res.add(
            f"{label}: start-up in CPU seconds, s_cpu",
            s_cpu,
            "s",
            note=f"per worker: CPU outside the tasks {outside:.2f} s (spawning, importing, messages"
            + (", the scheduler" if job_ is dist else "")
            + f") + its first task's CPU "
            f"{statistics.mean(firsts):.2f} s - t_cpu",
        )
        res.add(
            f"{label}: per-task overhead in CPU seconds, o_cpu",
            o_cpu,
            "s",
            note="mean CPU of a worker's later tasks - t_cpu",
        )
    res.add(
        "the same task storing its log densities (CPU s)",
        statistics.median(ld_with),
        "s",
        baseline=statistics.median(ld_without),
        baseline_label="the task without them (CPU s, medians of 3)",
        ratio=statistics.median(ld_without) / statistics.median(ld_with),
    )
    s, o, s_cpu, o_cpu = predicted["2-worker LocalCluster"]
    for n_fit in (n_tasks, 1024):
        waves = math.ceil(n_fit / 64)
        w64 = s + waves * (t_task + o)
        res.add(
            f"predicted wall of {n_fit} such fits on 64 cluster workers, as loaded as here",
            w64,
            "s",
            baseline=n_fit * t_task,
            baseline_label=f"{n_fit} x t serially",
            ratio=n_fit * t_task / w64,
            note=f"W64 = s + ceil({n_fit}/64) (t + o) = {s:.1f} + {waves} x ({t_task:.2f} + "
            f"{o:.2f}), "
            "with the cluster's s and o",
        )
        w64c = s_cpu + waves * (t_cpu + o_cpu)
        res.add(
            f"predicted wall of {n_fit} such fits on 64 cluster workers, a free core each",
            w64c,
            "s",
            baseline=n_fit * t_cpu,
            baseline_label=f"{n_fit} x t_cpu serially on a free core",
            ratio=n_fit * t_cpu / w64c,
            note=f"the same formula in CPU seconds: {s_cpu:.1f} + {waves} x ({t_cpu:.2f} + "
            f"{o_cpu:.2f}); "
            "ignores the waits that use no CPU (the cluster's start, messages' latency)",
        )
    res.tables["fits"] = [
        {
            "fits passing their diagnostics (PyMC's NUTS / nutpie)": f"{passed} / {passed_np} of {n_tasks}",
            "task sent (pickled)": f"{len(pickle.dumps(tasks[0])) / 1e3:.0f} kB",
            "result returned (pickled)": f"{len(pickle.dumps(warm)) / 1e3:.0f} kB",
        }
    ]
    res.notes.append(
        f"machine: {os.cpu_count()} CPUs shared with other sessions (load average in the header): "
        "the 2-worker ways cannot beat 2x, and get less where other work takes the cores"
    )
    try:
        autogroup = Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1"
    except OSError:
        autogroup = False
    if autogroup:
        res.notes.append(
            "Linux's scheduler shares CPU time between sessions (sched_autogroup_enabled = 1), not "
            "between processes: this benchmark's worker processes share its session's part of the "
            "machine, so while other sessions are busy two workers get no more CPU than one "
            "process "
            "(compare 'CPU used / wall' of the ways); the CPU-second figures are the ones the load "
            "does not distort"
        )
    return res
