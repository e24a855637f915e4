"""Every ```python block of the docs' Markdown pages runs as written.

The notebooks are executed elsewhere.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import matplotlib
import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCKS = [
    (page.name, i, code)
    for page in sorted((ROOT / "docs").glob("*.md"))
    for i, code in enumerate(
        re.findall(r"^```python\n(.*?)^```", page.read_text(encoding="utf-8"), re.S | re.M)
    )
]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A folder with the bundled case as `evidence` and the sensitivity run's `results/sens`."""
    import motives as mv
    from motives.sensitivity import SensitivityResult
    from motives.sensitivity.run import run_all

    d = tmp_path_factory.mktemp("snippets")
    (d / "evidence").symlink_to(ROOT / "evidence", target_is_directory=True)
    case = mv.load_case(ROOT / "evidence")
    for name, table in run_all(case, sweep_points=5, sobol_samples=16).items():
        SensitivityResult.of(name, table).save(d / "results" / "sens", name)
    return d


@pytest.mark.parametrize(("page", "i", "code"), BLOCKS, ids=[f"{p}-{i}" for p, i, _ in BLOCKS])
def test_docs_python_block_runs(workdir, page, i, code):
    if "pgmpy" in code:
        pytest.importorskip("pgmpy")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    old = Path.cwd()
    os.chdir(workdir)
    try:  # pages that use `case` without loading it mean the bundled case
        env: dict = {"__name__": "__docs__"}
        exec("import motives as mv\ncase = mv.load_case('evidence')\n", env)
        exec(compile(code, f"docs/{page} block {i}", "exec"), env)
    finally:
        os.chdir(old)
        plt.close("all")
