"""Every notebook in notebooks/ runs top to bottom without an error, quickly.

Each notebook reads its MCMC settings from ``MOTIVES_DRAWS``, ``MOTIVES_TUNE``
and ``MOTIVES_CHAINS``; the tests set small values. The kernel is this
interpreter (``sys.executable``, with ipykernel from the test extra), through a
kernelspec written for the test on ``JUPYTER_PATH``, so a user's own
``python3`` kernelspec cannot send the notebooks to another environment.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ["01_quickstart", "02_russia_ukraine", "03_sensitivity", "04_your_own_case", "05_structured_evidence"]
#: Wall-clock limit per notebook (seconds); the five together take well under 5 minutes on 2 idle cores.
LIMIT = 300
SMALL = {"MOTIVES_DRAWS": "200", "MOTIVES_TUNE": "200", "MOTIVES_CHAINS": "2"}


KERNEL = "motives-test"


@pytest.fixture
def kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A kernelspec that runs ipykernel in this interpreter, found first on JUPYTER_PATH."""
    spec = tmp_path / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "motives tests", "language": "python",
    }), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return KERNEL


def load(name: str) -> nbformat.NotebookNode:
    path = ROOT / "notebooks" / f"{name}.ipynb"
    assert path.is_file(), f"missing notebook {path}"
    return nbformat.read(path, as_version=4)


def test_the_listed_notebooks_and_no_others() -> None:
    assert sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb")) == NOTEBOOKS


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_without_outputs(name: str) -> None:
    nb = load(name)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"{name} cell {i} has outputs"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs(name: str, kernel: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in SMALL.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel uses its inline backend, as for a user
    nb = load(name)
    client = NotebookClient(nb, kernel_name=kernel, timeout=LIMIT, allow_errors=False,
                            resources={"metadata": {"path": str(ROOT / "notebooks")}})
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError on the first failing cell
    elapsed = time.perf_counter() - start
    assert elapsed < LIMIT, f"{name} took {elapsed:.0f} s (limit {LIMIT} s)"
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{name} cell {i}: {out.get('ename')}: {out.get('evalue')}"
            if out.output_type == "stream" and out.name == "stderr":
                assert "Traceback" not in out.text, f"{name} cell {i} printed a traceback:\n{out.text}"
