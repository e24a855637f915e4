"""``motives check`` against ``motives posterior`` on the same 5,000-item case (fresh processes).

``check`` flags items at odds with the rest (data conflict: one leave-one-out term per item). It used to
compute one exact posterior per item (2,000 items: 115 s); the flags now come from one vectorised pass, and the
target is ``check`` within 3x of ``posterior`` on the same case. The case is generated deterministically:
4 hypotheses, 5,000 likelihood items, three sources of Beta reliability reporting 400 items each (so the
leave-one-out runs on Gauss-Jacobi nodes too), the rest at face value.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
from _common import BenchResult, median, subprocess_times

NAME = "check"
TITLE = "motives check vs motives posterior on a 5,000-item case (fresh processes)"


def write_case(folder: Path, n_items: int, seed: int = 5) -> Path:
    """A flat case of ``n_items`` items over 4 hypotheses; three sources report 400 items each."""
    rng = np.random.default_rng(seed)
    hyp = ["h0", "h1", "h2", "h3"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "case.yaml").write_text(
        "name: bench\nhypotheses:\n" + "".join(f"  - {{id: {h}, prior: 0.25}}\n" for h in hyp)
        + "sources:\n" + "".join(f"  - key: s{i}\n    reliability: {{mean: 0.7, concentration: 12}}\n"
                                 for i in range(3)), encoding="utf-8")
    lines = ["evidence:"]
    for i in range(n_items):
        vals = ", ".join(f"{h}: {v:.3f}" for h, v in zip(hyp, rng.uniform(0.05, 0.95, 4), strict=True))
        src = f"\n    reported_by: s{i // 400}\n    base_rate: 0.5" if i < 1200 else ""
        lines.append(f"  - id: e{i}\n    title: item {i}{src}\n    likelihoods: {{{vals}}}")
    (folder / "evidence.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def run(quick: bool = False) -> BenchResult:
    res = BenchResult(NAME, TITLE)
    n = 200 if quick else 5000
    runs = 1 if quick else 3
    exe = Path(sys.executable).with_name("motives")
    with tempfile.TemporaryDirectory() as tmp:
        case = write_case(Path(tmp) / "case", n)
        t_post = median(subprocess_times([str(exe), "posterior", str(case)], runs=runs))
        t_check = median(subprocess_times([str(exe), "check", str(case)], runs=runs))
    ratio = t_check / t_post
    res.add(f"motives check ({n:,} items)", t_check, "s", baseline=t_post,
            baseline_label=f"motives posterior ({n:,} items)", ratio=ratio, target="≤ 3x posterior",
            ok=ratio <= 3.0, note=f"medians of {runs} fresh processes each")
    return res
