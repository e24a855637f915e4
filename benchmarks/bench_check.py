"""``motives check`` against ``motives posterior`` on the same 5,000-item case (fresh processes).

Flat and structured.

``check`` flags items at odds with the rest (data conflict: one leave-one-out term per item and per
proposition). It used to compute one exact posterior per item (2,000 items: 115 s; 1,000
propositions: 156 s); the flags now come from one vectorised pass for a flat case and from one pass
up and one down the elimination for a structured one (``motives.sensitivity.conflict_structure``).
Target: ``check`` within 3x of ``posterior`` on the same case. The cases are generated
deterministically:

* flat: 4 hypotheses, 5,000 likelihood items, three sources of Beta reliability reporting 400 items
  each (so the leave-one-out runs on Gauss-Jacobi nodes too), the rest at face value;
* structured: ``motives.testing.random_structured_case(5, n_props=100, n_items=5000, n_hyp=4)`` (100
  propositions up to two levels deep, one of three states, a timeline and a quantity item, a zero
  cell) with one Beta-reliability source reporting 60 items under many propositions (a grid of 31
  nodes).

Also, in one process: the conflict flags alone against the first exact posterior on the
1,000-proposition reproducer of the red team (``random_structured_case(5, n_props=1000,
n_items=3000, n_hyp=4)``).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import BenchResult, median, subprocess_times

NAME = "check"
TITLE = (
    "motives check vs motives posterior on 5,000-item cases, flat and structured (fresh processes)"
)


def write_case(folder: Path, n_items: int, seed: int = 5) -> Path:
    """A flat case of ``n_items`` items over 4 hypotheses; three sources report 400 items each."""
    rng = np.random.default_rng(seed)
    hyp = ["h0", "h1", "h2", "h3"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "case.yaml").write_text(
        "name: bench\nhypotheses:\n"
        + "".join(f"  - {{id: {h}, prior: 0.25}}\n" for h in hyp)
        + "sources:\n"
        + "".join(
            f"  - key: s{i}\n    reliability: {{mean: 0.7, concentration: 12}}\n" for i in range(3)
        ),
        encoding="utf-8",
    )
    lines = ["evidence:"]
    for i in range(n_items):
        vals = ", ".join(
            f"{h}: {v:.3f}" for h, v in zip(hyp, rng.uniform(0.05, 0.95, 4), strict=True)
        )
        src = f"\n    reported_by: s{i // 400}\n    base_rate: 0.5" if i < 1200 else ""
        lines.append(f"  - id: e{i}\n    title: item {i}{src}\n    likelihoods: {{{vals}}}")
    (folder / "evidence.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def structured_case(n_items: int, n_props: int, seed: int = 5):  # noqa: ANN201 - a motives.Case
    """The structured bench case.

    Generated propositions and items, one source reporting 60 items.
    """
    import motives as mv
    from motives.testing import random_structured_case

    data = random_structured_case(seed, n_props=n_props, n_items=n_items, n_hyp=4).model_dump(
        mode="json", exclude_none=True, exclude_defaults=True
    )
    for e in data["evidence"][:60]:
        if e.get("kind", "likelihood") == "likelihood":
            e["reported_by"] = "src"
    return mv.Case.model_validate(data)


def write_structured_case(folder: Path, n_items: int, n_props: int = 100, seed: int = 5) -> Path:
    """:func:`structured_case` as a case folder (JSON is YAML)."""
    data = structured_case(n_items, n_props, seed).model_dump(
        mode="json", exclude_none=True, exclude_defaults=True
    )
    folder.mkdir(parents=True, exist_ok=True)
    evidence = data.pop("evidence")
    (folder / "case.yaml").write_text(json.dumps(data, indent=1), encoding="utf-8")
    (folder / "evidence.yaml").write_text(
        json.dumps({"evidence": evidence}, indent=1), encoding="utf-8"
    )
    return folder


def run(quick: bool = False) -> BenchResult:
    res = BenchResult(NAME, TITLE)
    n = 200 if quick else 5000
    runs = 1 if quick else 3
    exe = Path(sys.executable).with_name("motives")
    with tempfile.TemporaryDirectory() as tmp:
        for label, case in (
            ("flat", write_case(Path(tmp) / "flat", n)),
            (
                "structured",
                write_structured_case(Path(tmp) / "structured", n, n_props=10 if quick else 100),
            ),
        ):
            t_post = median(subprocess_times([str(exe), "posterior", str(case)], runs=runs))
            t_check = median(subprocess_times([str(exe), "check", str(case)], runs=runs))
            ratio = t_check / t_post
            res.add(
                f"motives check ({label}, {n:,} items)",
                t_check,
                "s",
                baseline=t_post,
                baseline_label=f"motives posterior ({label}, {n:,} items)",
                ratio=ratio,
                target="≤ 3x posterior",
                ok=ratio <= 3.0,
                note=f"medians of {runs} fresh processes each",
            )
    # in one process: the red team's 1,000 propositions (156 s for the flags before), flags vs first
    # posterior
    import motives as mv
    from motives.sensitivity.conflict import conflict_flags

    n_props, n_items = (20, 60) if quick else (1000, 3000)
    case = structured_case(n_items, n_props)
    t0 = time.perf_counter()
    mv.exact_posterior(case)
    t_post = time.perf_counter() - t0
    t0 = time.perf_counter()
    conflict_flags(case)
    t_flags = time.perf_counter() - t0
    res.add(
        f"conflict flags ({n_props:,} propositions, {n_items:,} items, one process)",
        t_flags,
        "s",
        baseline=t_post,
        baseline_label="first exact posterior (compile + plan + contract)",
        ratio=t_flags / t_post,
        target="" if quick else "≤ 3x posterior",
        ok=None if quick else t_flags / t_post <= 3.0,
        note="one run each; the posterior includes compiling the case and planning the elimination",
    )
    return res
