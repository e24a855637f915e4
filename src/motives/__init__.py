"""motives: Bayesian evaluation of rival hypotheses.

Names are loaded lazily (PEP 562), so ``import motives`` is cheap and never
imports PyMC; PyMC is imported only when a model is fitted.

Examples
--------
>>> import motives as mv
>>> case = mv.load_case(mv.examples.path("cookies"))
>>> float(mv.exact_posterior(case).loc[("hypothesis", "bowl1"), "credence"])
0.6
"""

# no ``from __future__ import annotations``: it imports a module before the start-up handlers
import _signal  # the builtin (the module ``signal`` imports enum: milliseconds of start-up)
import os as _os
import sys as _sys


def _stop_while_starting(signum: int, frame: object) -> None:
    """Exit 130 (SIGINT) or 143 (SIGTERM) with one line: starting, the program wrote nothing."""
    # straight to file descriptor 2: not through ``sys.stderr``, whose buffer the interrupted code
    # may be in the middle of writing, or which a library may have replaced
    line = ("interrupted" if signum == _signal.SIGINT else "terminated") + ": nothing was written\n"
    try:
        _sys.stderr.flush()  # what the program wrote before, in order
    except Exception:  # noqa: BLE001 - a stream in the middle of a write, or closed
        pass
    _os.write(2, line.encode())
    _os._exit(130 if signum == _signal.SIGINT else 143)


def _starting_as_program() -> bool:
    """True when this import is the ``motives`` program starting, not a library import.

    The console script (``sys.argv[0]`` is the script ``motives``, which is ``__main__``) or
    ``python -m motives``. Checked first thing, before any other import, so that a Ctrl-C from the
    first line of motives' code on exits 130 with one line instead of a traceback of the import.
    """
    argv0 = _sys.argv[0] if _sys.argv else ""
    name = _os.path.basename(argv0).lower()
    if name in ("motives", "motives.exe", "motives-script.py", "motives-script.pyw"):
        main = _sys.modules.get("__main__")
        return getattr(main, "__file__", None) == argv0
    orig = list(getattr(_sys, "orig_argv", []))
    return argv0 == "-m" and any(
        a == "-m" and b in ("motives", "motives.__main__")
        for a, b in zip(orig, orig[1:], strict=False)
    )


def start_signals() -> None:
    """Install the program's start-up handlers for SIGINT and SIGTERM (the guard replaces them).

    A signal then exits 130 (143) with one line, "interrupted: nothing was written". For the
    ``motives`` program (:mod:`motives.__main__`), not for a library import.
    """
    for sig in (_signal.SIGINT, _signal.SIGTERM):
        try:
            _signal.signal(sig, _stop_while_starting)
        except ValueError:  # not the main thread: leave signals alone
            return


if _starting_as_program():
    start_signals()

import importlib  # noqa: E402 - after the start-up handlers, on purpose
from typing import TYPE_CHECKING, Any  # noqa: E402

__version__ = "0.1.0"

_NAMES: dict[str, str] = {
    "load_case": "motives.io",
    "json_schema": "motives.schema_json",
    "exact_posterior": "motives.exact",
    "compile_case": "motives.exact",
    "from_bn": "motives.bn_import",
    "Case": "motives.schema",
    "Hypothesis": "motives.schema",
    "LikelihoodItem": "motives.schema",
    "TimelineItem": "motives.schema",
    "QuantityItem": "motives.schema",
    "Proposition": "motives.schema",
    "pool": "motives.pooling",
    "explain": "motives.report.explain",
    "appendix": "motives.interactive",
    "explore": "motives.interactive.explore",
    "load_spec": "motives.spec",
    "AnalysisSpec": "motives.spec",
    "CaseError": "motives.errors",
    "Problem": "motives.errors",
    "MotivesError": "motives.errors",
    "fit": "motives.models",
    "load_result": "motives.models",
    "FitResult": "motives.models",
    "SensitivityResult": "motives.sensitivity",
    "load_results": "motives.sensitivity",
}
_MODULES = {
    "examples",
    "exact",
    "io",
    "schema",
    "spec",
    "likelihood",
    "errors",
    "models",
    "sensitivity",
    "plots",
    "report",
    "ach",
    "pooling",
}

__all__ = sorted(_NAMES) + ["examples", "__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from motives import examples
    from motives.bn_import import from_bn
    from motives.errors import CaseError, MotivesError, Problem
    from motives.exact import compile_case, exact_posterior
    from motives.interactive import appendix
    from motives.interactive.explore import explore
    from motives.io import load_case
    from motives.models import FitResult, fit, load_result
    from motives.pooling import pool
    from motives.report.explain import explain
    from motives.schema import (
        Case,
        Hypothesis,
        LikelihoodItem,
        Proposition,
        QuantityItem,
        TimelineItem,
    )
    from motives.schema_json import json_schema
    from motives.sensitivity import SensitivityResult, load_results


def __getattr__(name: str) -> Any:
    if name in _NAMES:
        value = getattr(importlib.import_module(_NAMES[name]), name)
        globals()[name] = value
        return value
    if name in _MODULES:
        return importlib.import_module(f"motives.{name}")
    raise AttributeError(f"module 'motives' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | _MODULES)
