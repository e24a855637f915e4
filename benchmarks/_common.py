"""Shared helpers for the benchmarks: timing, machine description, result records."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "evidence"
#: The flat (pre-proposition) copy of the bundled case, kept in the tests: the benchmarks that
#: compare the flat engine against an older engine or against a flat Bayesian network (pgmpy)
#: measure on it.
FLAT_CASE = ROOT / "tests" / "data" / "flat" / "evidence"
SPEC = ROOT / "models" / "baseline.yaml"


@dataclass
class Metric:
    """One measured figure, with its same-run baseline and its target.

    ``ratio`` is baseline / value for times (how many times faster) and
    value / baseline for rates; ``ok`` is None where there is no target.
    """

    name: str
    value: float | None
    unit: str
    baseline: float | None = None
    baseline_label: str = ""
    ratio: float | None = None
    target: str = ""
    ok: bool | None = None
    note: str = ""


@dataclass
class BenchResult:
    """Everything one benchmark measured."""

    name: str
    title: str
    metrics: list[Metric] = field(default_factory=list)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    load_before: str = ""
    load_after: str = ""
    seconds: float = 0.0
    error: str | None = None

    def add(self, *args: Any, **kw: Any) -> Metric:
        m = Metric(*args, **kw)
        self.metrics.append(m)
        return m

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def loadavg() -> str:
    """The 1/5/15-minute load averages (``/proc/loadavg``), or '' where there is none."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return ""


def best_time(
    fn: Callable[[], Any], *, repeat: int = 5, number: int = 1, min_seconds: float = 0.0
) -> float:
    """Best wall time of ``fn`` in seconds, per call.

    The min over ``repeat`` rounds of ``number`` calls.

    With ``min_seconds``, ``number`` grows until one round lasts that long.
    """
    fn()  # warm-up: imports, caches
    if min_seconds:
        while True:
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            if time.perf_counter() - t0 >= min_seconds or number >= 1 << 20:
                break
            number *= 2
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t0) / number)
    return best


def subprocess_times(
    code: str | list[str], *, runs: int, env: dict[str, str] | None = None
) -> list[float]:
    """Wall times of fresh processes: ``python -c code`` or a command line (list)."""
    cmd = [sys.executable, "-c", code] if isinstance(code, str) else code
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=ROOT)
        out.append(time.perf_counter() - t0)
    return out


def median(xs: list[float]) -> float:
    return float(statistics.median(xs))


def machine() -> dict[str, Any]:
    """nproc, CPU model, Python and library versions."""
    info: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        lscpu = subprocess.run(
            ["lscpu"], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        info["lscpu"] = [line.strip() for line in lscpu[:12]]
        info["cpu"] = next(
            (line.split(":", 1)[1].strip() for line in lscpu if line.startswith("Model name")), ""
        )
    except (OSError, subprocess.CalledProcessError):
        info["cpu"] = platform.processor()
    try:
        info["mem_total_gb"] = round(
            os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1
        )
    except (ValueError, OSError):
        pass
    from importlib.metadata import PackageNotFoundError, version

    for pkg in ("numpy", "scipy", "pymc", "pytensor", "nutpie", "numba", "pgmpy", "motives"):
        try:
            info[pkg] = version(pkg)
        except PackageNotFoundError:
            info[pkg] = None
    return info


def fmt(x: float | None, unit: str = "") -> str:
    """A number for the table: 3 significant digits, engineering-friendly."""
    if x is None:
        return "—"
    if isinstance(x, bool):
        return str(x)
    if x == 0:
        return "0"
    a = abs(x)
    if a >= 1e6 or a < 1e-3:
        s = f"{x:.3g}"
    elif a >= 100:
        s = f"{x:,.0f}"
    else:
        s = f"{x:.3g}"
    return f"{s} {unit}".strip()


def fit_exponent(ns: list[float], ts: list[float]) -> float | None:
    """Slope of log t against log n (t ∝ n^slope) by least squares.

    None with fewer than two points.
    """
    import numpy as np

    pts = [(n, t) for n, t in zip(ns, ts, strict=True) if t and t > 0]
    if len(pts) < 2:
        return None
    x, y = np.log([p[0] for p in pts]), np.log([p[1] for p in pts])
    return float(np.polyfit(x, y, 1)[0])


def synthetic_case(
    n_items: int, n_hyp: int, *, seed: int = 0, every: int = 3, group: int = 5
) -> Any:
    """A random case.

    ``n_items`` likelihood items × ``n_hyp`` hypotheses, each cell Beta(mean, κ = 20).

    Every ``every``-th item is reported by a source of uncertain reliability
    (Beta(0.8, 15)), ``group`` items per source, so the number of
    shared-reliability groups grows with the case and their size does not.
    """
    import numpy as np

    import motives as mv

    rng = np.random.default_rng(seed)
    hyps = [f"h{i}" for i in range(n_hyp)]
    sources: list[dict[str, Any]] = []
    evidence = []
    for e in range(n_items):
        means = rng.uniform(0.05, 0.95, n_hyp).round(4)
        item: dict[str, Any] = {
            "id": f"e{e}",
            "title": f"item {e}",
            "likelihoods": {
                h: {"mean": float(m), "concentration": 20} for h, m in zip(hyps, means, strict=True)
            },
        }
        if e % every == 0:
            key = f"s{(e // every) // group}"
            item["reported_by"] = key
            if not sources or sources[-1]["key"] != key:
                sources.append({"key": key, "reliability": {"mean": 0.8, "concentration": 15}})
        evidence.append(item)
    return mv.Case.model_validate(
        {
            "name": f"synthetic_{n_items}x{n_hyp}",
            "hypotheses": [{"id": h} for h in hyps],
            "sources": sources,
            "evidence": evidence,
        }
    )


def worker(job: dict[str, Any], *, timeout: float = 900) -> dict[str, Any]:
    """Run ``_mcmc_worker.py`` with a job in a fresh process.

    Its JSON answer, plus the process wall time.
    """
    import json

    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "_mcmc_worker.py"), json.dumps(job)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"MCMC worker failed on {job}: {proc.stderr.strip().splitlines()[-1:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["process_wall"] = wall
    return out


def has_models() -> bool:
    """Whether ``motives.models`` (the PyMC models) exists yet."""
    import importlib.util

    return importlib.util.find_spec("motives.models") is not None
