"""The notebooks in notebooks/: the listed ones, committed without outputs.

They are executed top to bottom by the documentation build (``docs/_ext/motives_docs.py``,
with small MCMC settings from ``MOTIVES_DRAWS``, ``MOTIVES_TUNE`` and ``MOTIVES_CHAINS``, in this
interpreter through a kernelspec of its own), which fails on an error in any cell;
``tests/test_docs.py`` checks that every notebook page shows its outputs.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = [
    "01_quickstart",
    "02_russia_ukraine",
    "03_sensitivity",
    "04_your_own_case",
    "05_structured_evidence",
    "06_networks",
]


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
