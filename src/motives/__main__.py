"""``motives`` as a program: the console script and ``python -m motives``.

A Ctrl-C (or SIGTERM) while the program is still importing its modules (about a second) would
otherwise print Python's traceback of the import and die of the signal: until the command's guard
(:func:`motives.terminal.guarded`) takes over, it exits 130 (143) with one line, having written
nothing (so does a Ctrl-C during ``--help`` or a usage error, where no guard takes over).

The handlers go in with the first lines of ``motives/__init__.py`` (which the console script and
``python -m motives`` run before this module), before motives imports anything, when the import is
the program starting (``motives._starting_as_program``); :func:`main` installs them again for any
other way in. What comes before the first line of motives is the interpreter's own start-up (its
initialisation, ``site`` and the environment's ``.pth`` files, finding the package: 10-25 ms on a
loaded machine): no code of motives can run there, so a signal then gets Python's default (death by
the signal, or a traceback of ``site``).
"""

from __future__ import annotations


def main() -> None:
    """Run the ``motives`` command, a signal during start-up included.

    The start-up handlers (:func:`motives.start_signals`) stay until the guard of the command
    installs its own (typer reads the commands' signatures after the import, which takes a while
    too).
    """
    import motives

    motives.start_signals()  # already in place when the package's first lines saw the program
    from motives import cli

    cli.main()


if __name__ == "__main__":
    main()
