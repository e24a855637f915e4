"""What reaches the terminal from ``motives``.

The guard, user text made safe, a summary's table, progress bars.

The CLI layer's second module (beside :mod:`motives.cli`, which parses): the guard (:func:`guarded`)
turns every failure into one message and an exit code; the text, tables and bars go to stdout
(results) and stderr (progress, notes, warnings).

Exit codes: 0 done, 2 bad input or a refused output, 3 failed MCMC diagnostics, 70 an internal error
(a bug; ``motives --debug ...`` shows the traceback), 130 interrupted (Ctrl-C), 143 terminated
(SIGTERM, SIGHUP). An interrupted or failed command publishes nothing and leaves no temporary file.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from motives import escape as _escape
from motives import stopping
from motives.app.workflow import Progress
from motives.conventions import RESOLUTION_NOTE, below_resolution, most_credible, plural
from motives.errors import MotivesError
from motives.files import forget_published, published

__all__ = [
    "EXIT_DIAGNOSTICS",
    "EXIT_INPUT",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_TERMINATED",
    "Bar",
    "debug",
    "diagnostics_failed",
    "err",
    "fail",
    "guarded",
    "out",
    "plain",
    "plain_warnings",
    "print_json",
    "print_summary",
    "safe",
    "say",
]

# long lines (item lists, messages) stay whole when piped; no emoji codes: ":skull:" in user text
# prints as typed
out = Console(soft_wrap=True, emoji=False)
err = Console(stderr=True, soft_wrap=True, emoji=False)


def plain(text: Any) -> str:
    r"""User text made safe for a terminal: control characters shown (:func:`motives.escape.plain`).

    Examples
    --------
    >>> plain("red\x1b[31m")
    'red\\x1b[31m'
    """
    return _escape.plain(text)


def safe(text: Any) -> str:
    """User text for a Rich markup string.

    Control characters shown, markup escaped (:func:`motives.escape.terminal`).
    """
    return _escape.terminal(text)


def say(text: Any, *, to_err: bool = False) -> None:
    """Print one line of plain text (no markup, no highlighting), control characters shown."""
    (err if to_err else out).print(plain(text), highlight=False, markup=False)


def print_json(obj: Any) -> None:
    """Print a result as JSON on stdout (numbers as they are, paths as text)."""
    sys.stdout.write(json.dumps(obj, indent=2, default=str) + "\n")


class Bar(Progress):
    """The CLI's :class:`motives.app.Progress`.

    One rich line per phase on stderr, with its count and time.

    A phase of known size shows ``done/total``. One whose size is known only at its end (the
    figures) shows the steps done so far, and ``n/n`` once it has ended; a phase that is one
    indivisible piece of work (building a model, sampling: the sampler draws its own bar) shows no
    count, only its time. An interrupted phase keeps the count it reached.
    """

    def __init__(self) -> None:
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[count]}"),
            TimeElapsedColumn(),
            console=err,
            transient=False,
        )
        self.task: Any = None
        self.name = ""
        self.total: int | None = None
        self.done = 0

    def __enter__(self) -> Bar:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if exc[0] is None:
            self._close()
        self.bar.__exit__(*exc)

    def _count(self, ended: bool = False) -> str:
        if self.total is not None:
            return f"{self.done}/{self.total}"
        if self.done == 0:
            return ""
        return f"{self.done}/{self.done}" if ended else str(self.done)

    def _close(self) -> None:
        """The phase has ended: an open-ended one is complete at what it did."""
        if self.task is None:
            return
        size = self.total if self.total is not None else max(self.done, 1)
        self.bar.update(
            self.task,
            total=size,
            completed=size if self.total is None else self.done,
            description=self.name,
            count=self._count(ended=True),
        )

    def phase(self, name: str, total: int | None = None) -> None:
        """A phase begins: the one before it has ended."""
        self._close()
        self.name, self.total, self.done = name, total, 0
        self.task = self.bar.add_task(name, total=total, count=self._count())

    def step(self, description: str) -> None:
        """One step of the current phase is done."""
        self.done += 1
        self.bar.update(
            self.task, advance=1, description=f"{self.name}: {description}", count=self._count()
        )

    def warn(self, text: str) -> None:
        """A warning, printed above the bars at once."""
        self.bar.console.print(f"warning: {plain(text)}", highlight=False, markup=False)


def print_check(res: Any) -> None:
    """Print what ``motives check`` found as tables and lines.

    The finding is a :class:`motives.app.check.CaseCheck`.
    """
    case = res.case
    out.print(
        f"[bold]{safe(case.name)}[/]" + (f": {safe(case.title)}" if case.title.strip() else ""),
        highlight=False,
    )
    c = res.counts
    out.print(
        f"{plural(c['hypotheses'], 'hypothesis', 'hypotheses')}, "
        f"{plural(c['lenses'], 'lens', 'lenses')}, "
        f"{plural(c['evidence items'], 'evidence item')}, {plural(c['references'], 'reference')}",
        highlight=False,
    )
    t = Table(title="Items per issue area and lens (rated by the lens / in all)")
    t.add_column("issue area")
    for lens in case.lens_ids:
        t.add_column(safe(lens), justify="right")
    t.add_column("items", justify="right")
    for row in res.areas:
        area = "[bold]all[/]" if row is res.areas[-1] else safe(row["area"])
        t.add_row(area, *[str(n) for n in row["rated"].values()], str(row["items"]))
    out.print(t)
    for line in res.head:
        say(line)
    if res.propositions:
        t = Table(title="Propositions (parents first) and what bears on them")
        for col in res.propositions[0]:
            t.add_column(col, justify="right" if col == "items" else "left")
        for row in res.propositions:
            t.add_row(*(safe(v) for v in row.values()))
        out.print(t)
    for line in res.notes:
        say(line)
    out.print("[green]ok[/]")


def print_summary(summary: dict[str, Any], as_json: bool, show_all: bool = False) -> None:
    """Print a posterior's summary as a table and the notes under it (or as JSON)."""
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
        return
    mass = summary["interval"]["mass"]
    ind = summary.get("if_independent")
    interval = (
        summary.get("method") != "exact"
    )  # the exact method has no interval: no columns that repeat credence
    levels = [("hypothesis", "hypotheses")]
    if (
        0 < len(summary.get("families") or {}) < len(summary["hypotheses"])
    ):  # only families that group hypotheses
        levels.append(("family", "families"))
    cols = ["prior", "credence", *(["lower", "upper"] if interval else [])]
    t = Table(
        title=safe(
            f"Credences ({summary['method']}, lens {summary['lens']}"
            + (f"; {mass:.0%} central interval)" if interval else ")")
        )
    )
    for c in ("level", "id", *cols, *(["if independent"] if ind else [])):
        t.add_column(c, justify="left" if c in ("level", "id") else "right")
    left_out = []
    for level, key in levels:
        rows = list(summary[key].items())
        keep = set(most_credible({i: v["credence"] for i, v in rows}))
        if len(keep) < len(rows) and not show_all:  # the most credible rows, in case order
            rest = [v["credence"] for i, v in rows if i not in keep]
            left_out.append(
                f"{len(rest)} {key} with lower credence not shown (together {_num(sum(rest))})"
            )
            rows = [(i, v) for i, v in rows if i in keep]
        for i, v in rows:
            t.add_row(
                level,
                safe(i),
                *(_num(v.get(k)) for k in cols),
                *([_num(ind[key][i])] if ind else []),
            )
    for g, groups in (summary.get("groupings") or {}).items():
        for i, v in groups.items():
            t.add_row(
                safe(f"grouping {g}"),
                safe(i),
                *(_num(v.get(k)) for k in cols),
                *([""] if ind else []),
            )
    out.print(t)
    if left_out:
        out.print(
            plain("; ".join(left_out) + ". --all shows every row; --json gives every number."),
            highlight=False,
            markup=False,
        )
    out.print(RESOLUTION_NOTE, highlight=False, markup=False)
    if ind:
        out.print(
            "The credences use the propositions (items under one proposition share a cause). 'if "
            "independent' "
            "is what multiplying every item as if independent given the hypothesis would give: the "
            "difference is how much that assumption would over- or understate the evidence.",
            highlight=False,
        )
    if summary.get("fallbacks"):
        out.print(
            plain(
                f"{plural(len(summary['fallbacks']), 'item')} not rated by this lens use the "
                "default lens: " + ", ".join(summary["fallbacks"])
            ),
            highlight=False,
            markup=False,
        )
    d = summary["diagnostics"]
    if summary.get("method") == "mcmc":
        colour = "green" if d.get("ok") else "bold red"
        parts = [
            f"{d.get('chains', '?')} chains x {d.get('draws', '?')} draws",
            f"r_hat max {_num(d.get('r_hat_max'))}",
            f"ESS bulk min {_num(d.get('ess_bulk_min'), 0)}",
            f"divergences {d.get('divergences')}",
        ]
        out.print(
            f"[{colour}]diagnostics[/]: "
            + ", ".join(parts)
            + ("" if d.get("ok") else " -- FAILED"),
            highlight=False,
        )
        ec = summary.get("exact_check") or {}
        if ec.get("available"):
            zs = [
                abs(v["z"])
                for key in ("hypotheses", "families")
                for v in ec.get(key, {}).values()
                if v.get("z") is not None
            ]
            worst = (
                "not a number"
                if len(zs) < sum(len(ec.get(k, {})) for k in ("hypotheses", "families"))
                else f"{max(zs, default=0.0):.1f}"
            )
            colour = "green" if ec.get("ok") else "bold red"
            out.print(
                f"[{colour}]exact check[/]: posterior means vs the exact engine, max |z| {worst} "
                f"(limit {ec.get('z_max', 4):g} MCSE)" + ("" if ec.get("ok") else " -- FAILED"),
                highlight=False,
            )
        elif ec:
            out.print(
                plain(f"exact check: not available ({ec.get('reason')})"),
                highlight=False,
                markup=False,
            )


def _num(x: Any, digits: int = 4) -> str:
    return "n/a" if x is None else f"{0.0 if below_resolution(x) else x:.{digits}f}"


def diagnostics_failed(summary: dict[str, Any], *, allow_bad: bool) -> None:
    """Say on stderr that the MCMC diagnostics failed, and why."""
    err.print(
        "[bold red]MCMC DIAGNOSTICS FAILED[/]: "
        + safe("; ".join(summary["diagnostics"].get("problems", [])))
        + ". The numbers above are not reliable."
        + ("" if allow_bad else " Exit code 3 (pass --allow-bad-diagnostics to accept them)."),
        highlight=False,
    )


def plain_warnings() -> None:
    """The command's warnings.

    A failed fit's none (the CLI states its problems, exit 3), any other as one line.

    A warning motives did not turn into a message of its own (numpy's "overflow encountered", a
    library's deprecation) would print with its file, line and source line: text for a developer,
    not a reader. It is still said, once per place as Python's filters decide, as ``warning:
    <message>`` on stderr.
    """
    import warnings

    from motives.errors import FailedFitWarning

    warnings.simplefilter("ignore", FailedFitWarning)

    python_way = warnings.showwarning

    def show(
        message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None
    ) -> None:
        if debug["on"]:  # motives --debug: where it came from, as Python says it
            python_way(message, category, filename, lineno, file, line)
            return
        err.print(
            plain(
                f"warning: {str(message).splitlines()[0] if str(message) else category.__name__}"
            ),
            highlight=False,
            markup=False,
        )

    warnings.showwarning = show


# --------------------------------------------------------------------------- the guard


EXIT_INPUT = 2
EXIT_DIAGNOSTICS = 3
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143

#: ``--debug`` (or ``MOTIVES_DEBUG``): an internal error shows its traceback.
debug = {"on": bool(os.environ.get("MOTIVES_DEBUG"))}


def fail(exc: Exception) -> None:
    """Print a bad-input error (each problem on its own line) and exit 2."""
    err.print(
        f"[bold red]error[/]: {plural(len(getattr(exc, 'problems', [1])), 'problem')}",
        highlight=False,
    )
    for line in str(exc).splitlines():
        err.print(f"  {plain(line)}", highlight=False, markup=False)
    raise typer.Exit(EXIT_INPUT)


def _what_was_written() -> str:
    """What a command stopped by a signal leaves behind.

    Nothing, or the outputs already in place, each whole.
    """
    done = published()
    if not done:
        return "nothing was written"
    return (
        f"{', '.join(done)} had been written, whole, when the signal came; the command stopped "
        "there"
    )


def guarded[F: Callable[..., Any]](fn: F) -> F:
    """Run a command so that no traceback reaches the user.

    A :class:`MotivesError` is bad input (exit 2), and so is an ``OSError`` (a full disk, a
    read-only disk, a file removed underfoot: the message names the file); Ctrl-C exits 130 and
    SIGTERM or SIGHUP 143 (raised as exceptions, so every ``finally`` removes its temporary files
    before the exit); anything else is a bug in motives: one line, exit 70, and the traceback with
    ``motives --debug``.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        forget_published()
        stopping.SIGNALLED.clear()
        previous: dict[signal.Signals, Any] = {}
        for sig, handler in stopping.HANDLERS:  # Ctrl-C: from start-up's (motives.__main__)
            with contextlib.suppress(ValueError, OSError):  # not the main thread: leave them
                previous[sig] = signal.signal(sig, handler)
        unraisable = sys.unraisablehook
        if previous:  # a signal raised inside a weakref callback or __del__ is sent again
            sys.unraisablehook = stopping.unraisable_hook(unraisable)
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except MotivesError as exc:
            fail(exc)
        except KeyboardInterrupt:
            say(f"interrupted: {_what_was_written()}", to_err=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except stopping.Terminated:
            say(f"terminated: {_what_was_written()}", to_err=True)
            raise typer.Exit(EXIT_TERMINATED) from None
        except OSError as exc:  # the machine, not motives: a full disk, a file removed underfoot
            from motives.files import published_name

            where = (
                f"{published_name(exc.filename)}: " if exc.filename else ""
            )  # never a temporary file, gone by now
            fail(MotivesError(f"{where}{exc.strerror or exc}"))
        except Exception as exc:
            import click

            if isinstance(exc, click.ClickException):
                raise
            if stopping.SIGNALLED:  # a signal's exception, wrapped by a library on its way here
                stopped = stopping.stopped_by_interrupt()
                say(
                    f"{'interrupted' if stopped else 'terminated'}: {_what_was_written()}",
                    to_err=True,
                )
                raise typer.Exit(EXIT_INTERRUPTED if stopped else EXIT_TERMINATED) from None
            if debug["on"]:
                raise
            say(
                f"internal error (a bug in motives, not in your input): {type(exc).__name__}: "
                f"{str(exc).splitlines()[0] if str(exc) else ''}. Rerun with 'motives --debug "
                f"{' '.join(sys.argv[1:])}' for the traceback, and please report it.",
                to_err=True,
            )
            raise typer.Exit(EXIT_INTERNAL) from None
        finally:
            sys.unraisablehook = unraisable
            for sig, handler in previous.items():
                with contextlib.suppress(ValueError, OSError, TypeError):
                    signal.signal(sig, handler)

    wrapper.motives_guarded = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]
