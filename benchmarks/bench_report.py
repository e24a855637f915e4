"""`motives report` on many hypotheses x items, and the Sobol table against the path before.

Issue 23: ``report`` on 300 hypotheses x 200 items ran past 600 s, nearly all of it the two Sobol
tables: scipy's Beta quantile per sample value (2 x 1,024 x 45,000 values) and one full engine
evaluation per row of every A_B^j matrix (cost items^2 x hypotheses). Measured here:

- one Sobol table (``global_sensitivity``, 1,024 samples, bootstrap on) on
  ``random_case(3, n_items=40, n_hypotheses=60, n_sources=2)`` with the tabulated quantiles and
  the item-by-item evaluation, against the path before in the same run (scipy's quantile for every
  value, the engine on every row of every matrix: the library's own functions, swapped in), and the
  largest difference of their indices;
- the whole ``report`` workflow (``motives.app.workflow.sensitivity_outputs`` with ``report=True``,
  in this process, the default spec: 1,024 Sobol samples, 101 sweep points) on a flat generated
  case of 300 hypotheses x 200 items and on a structured one (300 hypotheses, 20 propositions, 200
  items), phase by phase, wall and CPU seconds.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from _common import BenchResult

NAME = "report"
TITLE = "motives report on 300 hypotheses x 200 items; one Sobol table against the path before"


def _sobol_before_after(res: BenchResult, quick: bool) -> None:
    import pytest

    from motives.models.testing import random_case
    from motives.sensitivity import global_sensitivity, quantiles

    H, n_items, n = (8, 6, 64) if quick else (60, 40, 1024)
    case = random_case(3, n_items=n_items, n_hypotheses=H, n_sources=2)

    def exact(a: Any, b: Any, gamma: Any = None, **_: Any) -> Any:
        g = np.zeros(len(a), dtype=bool) if gamma is None else np.asarray(gamma, dtype=bool)
        return lambda u: quantiles._exact(np.asarray(u), np.asarray(a), np.asarray(b), g)

    t0 = time.process_time()
    new = global_sensitivity(case, n=n)
    t_new = time.process_time() - t0
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("motives.sensitivity.sobol_inputs.quantile_table", exact)
        mp.setattr("motives.sensitivity.sobol_inputs.additive_form", lambda *a, **k: None)
        t0 = time.process_time()
        old = global_sensitivity(case, n=n)
        t_old = time.process_time() - t0
    diff = float((new.loc[old.index, ["S1", "ST"]] - old[["S1", "ST"]]).abs().to_numpy().max())
    res.add(
        f"one Sobol table, {H} hypotheses x {n_items} items, {n:,} samples (CPU s)",
        t_new,
        "s",
        baseline=t_old,
        baseline_label="the path before: scipy's quantile per value, the engine per matrix row",
        ratio=t_old / t_new,
        note=f"largest |difference| of S1 and ST between the two: {diff:.1e}",
    )


def _write(root: Path, case: Any) -> Path:
    data = case.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    evidence = data.pop("evidence")
    (root / "case").mkdir(parents=True)
    (root / "case" / "case.yaml").write_text(json.dumps(data), encoding="utf-8")
    (root / "case" / "evidence.yaml").write_text(
        json.dumps({"evidence": evidence}), encoding="utf-8"
    )
    (root / "spec.yaml").write_text(f"name: bench\ncase: {root / 'case'}\n", encoding="utf-8")
    return root / "spec.yaml"


def _report(res: BenchResult, label: str, case: Any, limit: float | None) -> None:
    os.environ.setdefault("MPLBACKEND", "Agg")
    from motives.app.workflow import Progress, sensitivity_outputs

    class Steps(Progress):
        def __init__(self) -> None:
            self.rows: list[dict[str, Any]] = []
            self.t, self.c = time.perf_counter(), time.process_time()

        def _mark(self, what: str) -> None:
            t, c = time.perf_counter(), time.process_time()
            self.rows.append({"step": what, "wall_s": t - self.t, "cpu_s": c - self.c})
            self.t, self.c = t, c

        def phase(self, name: str, total: int | None = None) -> None:
            self._mark(f"(before {name})")

        def step(self, description: str) -> None:
            self._mark(description)

    with tempfile.TemporaryDirectory() as tmp:
        spec = _write(Path(tmp), case)
        steps = Steps()
        t0, c0 = time.perf_counter(), time.process_time()
        out = sensitivity_outputs(spec, Path(tmp) / "out", False, report=True, progress=steps)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        warning = out.warnings
    res.add(
        f"motives report ({label}), wall",
        wall,
        "s",
        target="" if limit is None else f"< {limit:.0f} s",
        ok=None if limit is None else wall < limit,
        note=f"CPU {cpu:.1f} s; {len(warning)} warning(s)",
    )
    res.tables[f"report {label}: steps over 0.5 s"] = [
        {k: (round(v, 2) if isinstance(v, float) else v) for k, v in r.items()}
        for r in steps.rows
        if r["wall_s"] > 0.5
    ]


def run(quick: bool = False) -> BenchResult:
    from motives.models.testing import random_case
    from motives.testing import random_structured_case

    res = BenchResult(NAME, TITLE)
    _sobol_before_after(res, quick)
    H, n_items = (10, 8) if quick else (300, 200)
    _report(
        res,
        f"flat, {H} hypotheses x {n_items} items",
        random_case(3, n_items=n_items, n_hypotheses=H, n_sources=2),
        None if quick else 600.0,
    )
    _report(
        res,
        f"structured, {H} hypotheses, {max(3, n_items // 10)} propositions, {n_items} items",
        random_structured_case(3, n_hyp=H, n_props=max(3, n_items // 10), n_items=n_items),
        None if quick else 600.0,
    )
    return res


if __name__ == "__main__":
    import sys

    r = run(quick="--quick" in sys.argv)
    for m in r.metrics:
        print(m)
    for name, rows in r.tables.items():
        print(name)
        for row in rows:
            print("  ", row)
