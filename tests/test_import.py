"""Import hygiene: `import motives` is cheap and never imports PyMC."""

from __future__ import annotations

import subprocess
import sys


def run(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_import_does_not_import_pymc() -> None:
    assert (
        run("import sys, motives; print('pymc' in sys.modules, 'pytensor' in sys.modules)")
        == "False False"
    )


def test_loading_and_exact_posterior_do_not_import_pymc() -> None:
    code = (
        "import sys, motives as mv; c = mv.examples.load('witness'); mv.exact_posterior(c); "
        "print('pymc' in sys.modules)"
    )
    assert run(code) == "False"


def test_public_names_resolve() -> None:
    import motives as mv

    for name in mv.__all__:
        assert getattr(mv, name) is not None, name
