"""A Ctrl-C while ``motives`` starts: exit 130 with one line, never a traceback (issue 23).

The program's start-up handlers (``motives._stop_while_starting``) are installed by the first lines
of ``motives/__init__.py`` when the import is the program starting (the console script or ``python
-m motives``), before motives imports anything else, and stay until the command's guard takes over.
Before the first line of motives runs, the interpreter itself is starting (its own initialisation,
``site`` and the ``.pth`` files of the environment, finding the package): no code of motives can run
earlier, so there Python's default applies (a few tens of milliseconds on a loaded machine; see the
note in :mod:`motives.__main__`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import motives as mv

SCRIPT = Path(sys.executable).with_name("motives")

#: Run the console script in a Python that has already started: ``argv[0]`` and ``__main__`` as
#: the console script has them, the first import of motives (the script's own first import) before
#: "ready", then the script itself. Every import is recorded with the SIGINT handler in place when
#: it began.
PROGRAM = """
import signal, sys, runpy
script = sys.argv[1]
sys.argv = [script, *sys.argv[2:]]
sys.modules["__main__"].__file__ = script
seen = []

class Spy:
    def find_spec(self, name, path=None, target=None):
        seen.append((name, getattr(signal.getsignal(signal.SIGINT), "__name__", "")))
        return None

sys.meta_path.insert(0, Spy())
import motives
sys.meta_path.pop(0)
first = [h for n, h in seen if n != "motives"]
print("ready", seen[0][0], len(first), sorted(set(first)), flush=True)
runpy.run_path(script, run_name="__main__")
"""


def _start(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}
    return subprocess.Popen(
        [sys.executable, "-c", PROGRAM, str(SCRIPT), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,  # our SIGINT reaches only this process
    )


def test_the_first_lines_of_motives_install_the_handlers_before_any_import() -> None:
    """Started as the program, every module motives' first import pulls in is imported with the
    start-up handler in place (none before it); the program then runs its command (exit 0)."""
    p = _start("check", str(mv.examples.path("cookies")))
    out, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    ready = out.splitlines()[0].split(" ", 3)
    assert ready[:2] == ["ready", "motives"], ready
    assert int(ready[2]) > 0 and ready[3] == "['_stop_while_starting']", ready


def test_a_library_import_leaves_the_signals_alone() -> None:
    """``import motives`` in someone else's program installs no handler: the handlers are the
    ones the same Python has without it (Python's own, or ``SIG_IGN`` where the parent process
    started it with SIGINT ignored, as a shell does for a background job)."""

    def handlers(imports: str) -> str:
        code = (
            f"import signal{imports}; "
            "print(repr(signal.getsignal(signal.SIGINT)), repr(signal.getsignal(signal.SIGTERM)))"
        )
        return subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
        ).stdout

    without = handlers("")
    assert "_stop_while_starting" not in without
    assert handlers(", motives, motives.cli") == without


@pytest.mark.slow
@settings(max_examples=12, deadline=None)
@given(st.floats(0.0, 0.6), st.sampled_from([signal.SIGINT, signal.SIGTERM]))
def test_a_signal_at_any_moment_of_start_up_is_one_line(delay: float, sig: int) -> None:
    """A signal at a generated delay after the first import of motives (``import motives`` is
    done: from then on to the command's guard is start-up): exit 130 (143 for SIGTERM) and one
    line, or 0 when the command had finished; never a traceback."""
    p = _start("posterior", str(mv.examples.path("burglary")))
    assert p.stdout is not None
    assert p.stdout.readline().startswith("ready")
    time.sleep(delay)
    p.send_signal(sig)
    out, err = p.communicate(timeout=300)
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    word = "interrupted" if sig == signal.SIGINT else "terminated"
    code = 130 if sig == signal.SIGINT else 143
    if p.returncode == 0:  # it had finished: its table was printed whole
        assert "credence" in out, out
        return
    # death by the signal itself: it landed as the interpreter was finishing, after the command
    # (Python puts the default handlers back during finalisation; a shell shows 128 + the signal)
    assert p.returncode in (code, -sig), (p.returncode, err)
    if p.returncode == code:
        assert err.strip().splitlines()[-1] == f"{word}: nothing was written", err
