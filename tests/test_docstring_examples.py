"""Every public function (each one the API reference documents) has a runnable ``Examples`` section.

The examples themselves run as doctests (``--doctest-modules`` in pyproject.toml); this test makes
sure none is missing. The public set is read from docs/api.md and the module pages docs/api/*.md,
so a function added to the reference without an example fails here.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
API = "\n".join(
    p.read_text(encoding="utf-8")
    for p in [ROOT / "docs" / "api.md", *sorted((ROOT / "docs" / "api").glob("*.md"))]
)


def public_functions() -> list[str]:
    names: list[str] = re.findall(r"^\.\. autofunction:: (\S+)", API, flags=re.M)
    for module, members in re.findall(
        r"^\.\. automodule:: (\S+)\n((?:   :[^\n]*\n)*)", API, flags=re.M
    ):
        listed = re.search(r":members: *(.*)", members)
        mod = importlib.import_module(module)
        chosen = (
            [m.strip() for m in listed.group(1).split(",")]
            if listed and listed.group(1).strip()
            else mod.__all__
        )
        names += [f"{module}.{m}" for m in chosen if m]
    return sorted({n for n in names if inspect.isfunction(pkgutil.resolve_name(n))})


FUNCTIONS = public_functions()


def test_the_public_set_is_read() -> None:
    assert (
        len(FUNCTIONS) > 50
        and "motives.load_case" in FUNCTIONS
        and "motives.sensitivity.tornado" in FUNCTIONS
    )


@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_function_has_a_runnable_example(name: str) -> None:
    doc = inspect.getdoc(pkgutil.resolve_name(name)) or ""
    assert re.search(r"^Examples\n-{8}\n", doc, flags=re.M), (
        f"{name}: no 'Examples' section in its docstring"
    )
    assert ">>> " in doc.split("Examples", 1)[1], f"{name}: its 'Examples' section has no >>> line"
