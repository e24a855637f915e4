"""Start-up costs in fresh processes: ``import motives``, loading the real case, ``motives check``.

Each is the median wall time of several fresh ``python`` processes; the
baseline is ``python -c pass`` measured in the same run (interpreter start-up).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from _common import CASE, ROOT, BenchResult, median, subprocess_times

NAME = "import"
TITLE = "Import and start-up wall times (fresh processes)"


def run(quick: bool = False) -> BenchResult:
    res = BenchResult(NAME, TITLE)
    runs = 1 if quick else 15
    base = median(subprocess_times("pass", runs=runs))
    imported = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, motives; print(sorted(m for m in ('pymc', 'pytensor', 'scipy', 'pandas', "
            "'pydantic', 'numpy') if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.strip()
    t_imp = median(subprocess_times("import motives", runs=runs))
    res.add(
        "python -c 'import motives'",
        t_imp,
        "s",
        baseline=base,
        baseline_label="python -c pass",
        ratio=t_imp / base,
        target="≤ 0.3 s, pymc not imported",
        ok=t_imp <= 0.3 and "pymc" not in imported,
        note=f"net of interpreter start: {t_imp - base:.3f} s; ratio = time / baseline; heavy "
        "modules "
        f"imported: {imported}",
    )
    t_load = median(
        subprocess_times(f"import motives; motives.load_case({str(CASE)!r})", runs=runs)
    )
    res.add(
        "import motives; motives.load_case('evidence')",
        t_load,
        "s",
        baseline=base,
        baseline_label="python -c pass",
        ratio=t_load / base,
        note=f"net: {t_load - base:.3f} s",
    )
    exe = Path(sys.executable).with_name("motives")
    cmd = (
        [str(exe), "check", str(CASE)]
        if exe.exists()
        else [sys.executable, "-m", "motives.cli", "check", str(CASE)]
    )
    t_check = median(subprocess_times(cmd, runs=runs))
    res.add(
        "motives check evidence",
        t_check,
        "s",
        baseline=base,
        baseline_label="python -c pass",
        ratio=t_check / base,
        note=f"net: {t_check - base:.3f} s; command: {' '.join(Path(c).name for c in cmd)}",
    )
    t_post = median(
        subprocess_times(
            f"import motives as mv; mv.exact_posterior(mv.load_case({str(CASE)!r}), lens='hughes')",
            runs=runs,
        )
    )
    res.add(
        "load_case + exact_posterior (hughes)",
        t_post,
        "s",
        baseline=base,
        baseline_label="python -c pass",
        ratio=t_post / base,
        note=f"net: {t_post - base:.3f} s",
    )
    if not quick:
        t_pymc = median(subprocess_times("import pymc", runs=3))
        res.add(
            "python -c 'import pymc' (for scale)",
            t_pymc,
            "s",
            baseline=base,
            baseline_label="python -c pass",
            ratio=t_pymc / base,
            note="what import motives avoids by importing PyMC lazily",
        )
    res.notes.append(f"medians of {runs} fresh processes (import pymc: 3)")
    return res
