"""``motives`` as a program: the console script and ``python -m motives``.

A Ctrl-C (or SIGTERM) while the program is still importing its modules (about a second) would
otherwise print Python's traceback of the import and die of the signal: until the command's guard
(:func:`motives.terminal.guarded`) takes over, it exits 130 (143) with one line, having written
nothing (so does a Ctrl-C during ``--help`` or a usage error, where no guard takes over).
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any


def _starting(signum: int, frame: Any) -> None:
    sys.stderr.write(
        ("interrupted" if signum == signal.SIGINT else "terminated") + ": nothing was written\n"
    )
    sys.stderr.flush()
    os._exit(130 if signum == signal.SIGINT else 143)


def main() -> None:
    """Run the ``motives`` command, a signal during start-up included.

    The start-up handlers stay until the guard of the command installs its own (typer reads the
    commands' signatures after the import, which takes a while too).
    """
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _starting)
    from motives import cli

    cli.main()


if __name__ == "__main__":
    main()
