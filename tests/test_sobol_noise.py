"""Sobol tables say when they are too noisy to trust (a sample size too small for the inputs)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from motives.io import load_case
from motives.sensitivity import global_sensitivity
from motives.sensitivity.sobol import SE_LIMIT, ishigami, noisy_inputs, sobol_indices

ROOT = Path(__file__).resolve().parents[1]


def _ishigami(n: int, seed: int) -> pd.DataFrame:
    return sobol_indices(ishigami, lambda u: -np.pi + 2 * np.pi * u, 3, n, seed=seed, n_boot=100)


def test_ishigami_flagged_at_tiny_n_and_clean_at_large_n():
    """Ishigami (closed-form indices S1 = 0.314, 0.442, 0): 16 samples are noise, 8,192 are not."""
    for seed in (1, 2, 3):
        assert noisy_inputs(_ishigami(16, seed))
        big = _ishigami(8192, seed)
        assert noisy_inputs(big) == []
        assert np.allclose(big["S1"], [0.314, 0.442, 0.0], atol=0.03)


def test_the_bundled_case_warns_at_small_n_only():
    case = load_case(ROOT / "evidence")
    small = global_sensitivity(case, lens="hughes", n=16)
    assert small.attrs["noisy"] and set(small.attrs["noisy"]) <= set(small.index)
    for name in small.attrs["noisy"]:  # each flagged input is imprecise or has S1 above ST
        r = small.loc[name]
        assert max(r["S1_se"], r["ST_se"]) > SE_LIMIT or r["S1"] > r["ST"]
    assert (
        global_sensitivity(case, lens="hughes", n=1024).attrs["noisy"] == []
    )  # the spec default: no warning


def test_the_report_says_so():
    import motives as mv
    from motives.report.document import report_markdown

    case = load_case(ROOT / "evidence")
    tables = mv.sensitivity.run_all(case, lens="hughes", sweep_points=5, sobol_samples=16)
    assert tables["sobol"].attrs["noisy"]
    md = report_markdown(case, tables, {}, spec={"name": "t"})
    assert "too noisy to trust" in md and "sensitivity.sobol_samples" in md
