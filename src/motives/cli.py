"""The ``motives`` command (typer + rich).

Every expected failure (bad input, failed diagnostics) prints one clear
message and exits non-zero; no traceback. Exit codes: 0 done, 2 bad input
or a refused output, 3 failed MCMC diagnostics, 70 an internal error (a bug;
``motives --debug ...`` shows the traceback), 130 interrupted (Ctrl-C),
143 terminated (SIGTERM). An interrupted or failed command publishes nothing.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from motives.conventions import MANY_ROWS, RESOLUTION_NOTE, SHOWN_ROWS, below_resolution, most_credible, parents_text, plural
from motives.errors import MotivesError
from motives.escape import plain, terminal

app = typer.Typer(
    name="motives",
    help="Bayesian evaluation of rival hypotheses.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# long lines (item lists, messages) stay whole when piped; no emoji codes: ":skull:" in user text prints as typed
out = Console(soft_wrap=True, emoji=False)
err = Console(stderr=True, soft_wrap=True, emoji=False)

EXIT_INPUT = 2
EXIT_DIAGNOSTICS = 3
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143

#: ``motives run`` warns before sampling a model with more uncertain likelihoods than this.
LARGE_FIT_CELLS = 2000

#: A file in every output folder motives writes: ``--force`` replaces only folders that hold it.
MARKER = ".motives-output"

_debug = {"on": bool(os.environ.get("MOTIVES_DEBUG"))}

def safe(text: Any) -> str:
    """User text for a Rich markup string: control characters shown, markup escaped (:func:`motives.escape.terminal`)."""
    return terminal(text)


def _fail(exc: Exception) -> None:
    err.print(f"[bold red]error[/]: {plural(len(getattr(exc, 'problems', [1])), 'problem')}", highlight=False)
    for line in str(exc).splitlines():
        err.print(f"  {plain(line)}", highlight=False, markup=False)
    raise typer.Exit(EXIT_INPUT)


class _Terminated(BaseException):
    """SIGTERM or SIGHUP, raised in the main thread so that every ``finally`` (temporary folders) runs."""


def _guarded[F: Callable[..., Any]](fn: F) -> F:
    """Run a command so that no traceback reaches the user.

    A :class:`MotivesError` is bad input (exit 2), and so is an ``OSError`` (a full disk, a file
    removed underfoot: the message names the file); Ctrl-C exits 130 and SIGTERM 143 (with the outputs
    of the interrupted command removed); anything else is a bug in motives: one line, exit 70, and the
    traceback with ``motives --debug``.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        previous = {}
        for sig in (signal.SIGTERM, signal.SIGHUP):
            with contextlib.suppress(ValueError, OSError):  # not the main thread: leave signals alone
                previous[sig] = signal.signal(sig, _raise_terminated)
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except MotivesError as exc:
            _fail(exc)
        except KeyboardInterrupt:
            err.print("interrupted: nothing was written", highlight=False, markup=False)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except _Terminated:
            err.print("terminated: nothing was written", highlight=False, markup=False)
            raise typer.Exit(EXIT_TERMINATED) from None
        except OSError as exc:  # the machine, not motives: a full disk, a file removed underfoot
            where = f"{exc.filename}: " if exc.filename else ""
            _fail(MotivesError(f"{where}{exc.strerror or exc}"))
        except Exception as exc:
            import click

            if isinstance(exc, click.ClickException):
                raise
            if _debug["on"]:
                raise
            err.print(f"internal error (a bug in motives, not in your input): {type(exc).__name__}: "
                      f"{plain(str(exc).splitlines()[0] if str(exc) else '')}. Rerun with 'motives --debug "
                      f"{plain(' '.join(sys.argv[1:]))}' for the traceback, and please report it.",
                      highlight=False, markup=False)
            raise typer.Exit(EXIT_INTERNAL) from None
        finally:
            for sig, handler in previous.items():
                with contextlib.suppress(ValueError, OSError, TypeError):
                    signal.signal(sig, handler)

    return wrapper  # type: ignore[return-value]


def _raise_terminated(signum: int, frame: Any) -> None:
    raise _Terminated(signum)


@app.callback()
def _main(debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of an internal error.")]
          = False) -> None:
    """Bayesian evaluation of rival hypotheses."""
    _debug["on"] = debug or bool(os.environ.get("MOTIVES_DEBUG"))


CaseDir = Annotated[Path, typer.Argument(help="Case folder (or its case.yaml).")]


# --------------------------------------------------------------------------- output folders


def _case_folders(case_path: Path) -> list[Path]:
    """A case folder and the folders it extends (best effort: a broken chain is reported when the case loads)."""
    from motives.io import read_yaml

    folder = case_path.parent if case_path.is_file() else case_path
    found = [folder.resolve()]
    for _ in range(9):
        try:
            data, _lines = read_yaml(found[-1] / "case.yaml")
        except MotivesError:
            break
        ext = data.get("extends")
        if not isinstance(ext, str):
            break
        nxt = (found[-1] / ext).resolve()
        if nxt in found:
            break
        found.append(nxt)
    return found


def _check_out(out_dir: Path, force: bool, *, cases: list[Path] = (), specs: list[Path] = ()) -> Path:  # type: ignore[assignment]
    """Refuse an output folder before any work is done; return it resolved.

    ``--out`` may not be, contain or lie inside a case folder, nor be or contain the spec's folder;
    an existing folder is replaced only with ``force`` and only when motives wrote it (:data:`MARKER`);
    the nearest existing ancestor must be a folder this process may write in.
    """
    out_dir = Path(os.path.abspath(out_dir)).resolve()
    if out_dir.parent == out_dir:
        raise MotivesError(f"--out {out_dir}: cannot write the root folder; name a new folder")
    for kind, folders in (("case", cases), ("spec", specs)):
        for f in folders:
            f = Path(f).resolve()
            if out_dir == f:
                raise MotivesError(f"--out {out_dir} is the {kind} folder; outputs go in a folder of their own")
            if f.is_relative_to(out_dir):
                raise MotivesError(f"--out {out_dir} contains the {kind} folder {f}; outputs go in a folder of "
                                   "their own")
            if kind == "case" and out_dir.is_relative_to(f):
                raise MotivesError(f"--out {out_dir} lies inside the case folder {f}; outputs go outside it")
    if out_dir.exists() or out_dir.is_symlink():
        if not out_dir.is_dir():
            raise MotivesError(f"{out_dir} exists and is not a folder")
        if not force:
            raise MotivesError(f"{out_dir} already exists; pass --force to replace it")
        marker = out_dir / MARKER
        if not (marker.is_file() and not marker.is_symlink()):
            raise MotivesError(f"{out_dir} was not written by motives (it holds no {MARKER} file); --force "
                               "replaces only folders motives wrote. Remove it yourself or choose another --out")
    ancestor = out_dir.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise MotivesError(f"--out {out_dir}: {ancestor} is a file, not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise MotivesError(f"--out {out_dir}: no permission to write in {ancestor}")
    return out_dir


@contextlib.contextmanager
def _lock(path: Path, out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created, removed afterwards); fail at once if another process holds it."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: an exclusive create stands in for the lock
        fcntl = None  # type: ignore[assignment]
    busy = MotivesError(f"another motives command is writing {out_dir} right now (it holds the lock {path}); "
                        "wait for it to finish or choose another --out")
    fd = -1
    for _ in range(10):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | (0 if fcntl else os.O_EXCL), 0o644)
        except FileExistsError:
            raise busy from None
        except OSError as exc:
            raise MotivesError(f"--out {out_dir}: cannot create the lock {path}: {exc.strerror or exc}") from None
        if fcntl is None:
            break
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise busy from None
        try:  # the holder before us may have removed the file after we opened it: lock the one on disk
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
        fd = -1
    if fd < 0:
        raise busy
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)


@contextlib.contextmanager
def _staged(out_dir: Path, force: bool) -> Iterator[Path]:
    """A fresh temporary sibling of ``out_dir`` to write into, renamed into place when the block succeeds.

    The temporary folder is removed on every exit (errors, Ctrl-C, SIGTERM); a second writer to the
    same folder fails at once (a lock); an existing folder is replaced only after the new one is complete.
    """
    parent = out_dir.parent
    created: list[Path] = []
    p = parent
    while not p.exists():
        created.append(p)
        p = p.parent
    try:
        for d in reversed(created):
            d.mkdir()
    except OSError as exc:
        _remove_empty(created)
        raise MotivesError(f"--out {out_dir}: cannot create {parent}: {exc.strerror or exc}") from None
    published = False
    try:
        with _lock(parent / f".{out_dir.name}.lock", out_dir):
            if out_dir.exists() and not force:  # written meanwhile by a command that just finished
                raise MotivesError(f"{out_dir} already exists; pass --force to replace it")
            try:
                tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=parent))
            except OSError as exc:
                raise MotivesError(f"--out {out_dir}: cannot write in {parent}: {exc.strerror or exc}") from None
            try:
                yield tmp
                (tmp / MARKER).write_text(json.dumps({"written_by": "motives", "command": sys.argv[1:2]}) + "\n")
                _publish(tmp, out_dir)
                published = True
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    finally:
        if not published:
            _remove_empty(created)


def _remove_empty(folders: list[Path]) -> None:
    for d in folders:  # deepest first
        with contextlib.suppress(OSError):
            d.rmdir()


def _publish(tmp: Path, out_dir: Path) -> None:
    """Move a finished temporary folder into place (replacing an old one only once the new one is complete)."""
    if not out_dir.exists():
        os.rename(tmp, out_dir)
        return
    hold = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    try:
        os.rename(out_dir, hold / "old")
        try:
            os.rename(tmp, out_dir)
        except OSError:
            os.rename(hold / "old", out_dir)
            raise
    finally:
        shutil.rmtree(hold, ignore_errors=True)


class _OutputFolder:
    """The one way a command publishes an output folder (``run``, ``sensitivity``, ``report``, ``appendix``).

    Created before any work: ``--out`` is checked then (:func:`_check_out`: not a case or spec folder, nor
    inside a case; an existing folder replaced only with ``--force`` and only if motives wrote it). With
    ``spec_file`` the spec's folder and its case's folders (and those it extends) are protected. ``with`` it
    to write: the block gets a temporary sibling folder (:func:`_staged`: locked, the :data:`MARKER` written,
    moved into place only when the block succeeds, removed on any error, Ctrl-C or SIGTERM).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     dest = _OutputFolder(Path(d) / "out", force=False)
    ...     with dest as tmp:
    ...         _ = (tmp / "a.txt").write_text("a")
    ...     sorted(p.name for p in dest.path.iterdir())
    ['.motives-output', 'a.txt']
    """

    def __init__(self, out_dir: Path, force: bool, *, spec_file: Path | None = None,
                 cases: list[Path] | None = None, specs: list[Path] | None = None) -> None:
        cases, specs = list(cases or []), list(specs or [])
        if spec_file is not None:
            from motives.spec import load_spec

            cases += _case_folders(load_spec(spec_file).case_path(spec_file))
            specs.append(Path(spec_file).resolve().parent)
        self.path = _check_out(out_dir, force, cases=cases, specs=specs)
        self.force = force
        self._staged: contextlib.AbstractContextManager[Path] | None = None

    def __enter__(self) -> Path:
        if self._staged is not None:
            raise RuntimeError(f"output folder {self.path} is already being written")
        self._staged = _staged(self.path, self.force)
        return self._staged.__enter__()

    def __exit__(self, *exc: Any) -> bool | None:
        assert self._staged is not None
        return self._staged.__exit__(*exc)


# --------------------------------------------------------------------------- commands


@app.command()
@_guarded
def check(case_dir: CaseDir) -> None:
    """Validate a case: counts, non-diagnostic items, zero cells, lens coverage, files skipped."""
    from motives.io import load_case, skipped_files

    case = load_case(case_dir)
    out.print(f"[bold]{safe(case.name)}[/]" + (f": {safe(case.title)}" if case.title.strip() else ""), highlight=False)
    out.print(f"{plural(len(case.hypotheses), 'hypothesis', 'hypotheses')}, {plural(len(case.lens_ids), 'lens', 'lenses')}, "
              f"{plural(len(case.evidence), 'evidence item')}, {plural(len(case.references or {}), 'reference')}",
              highlight=False)
    t = Table(title="Items per issue area and lens (rated by the lens / in all)")
    t.add_column("issue area")
    for lens in case.lens_ids:
        t.add_column(safe(lens), justify="right")
    t.add_column("items", justify="right")
    areas = [a.id for a in case.issue_areas] + sorted(
        {e.issue_area or "(none)" for e in case.evidence} - {a.id for a in case.issue_areas})
    for area in areas:
        items = [e for e in case.evidence if (e.issue_area or "(none)") == area]
        if not items:
            continue
        t.add_row(safe(area), *[str(sum(lens in e.judgements() for e in items)) for lens in case.lens_ids],
                  str(len(items)))
    t.add_row("[bold]all[/]", *[str(sum(lens in e.judgements() for e in case.evidence)) for lens in case.lens_ids],
              str(len(case.evidence)))
    out.print(t)
    if case.prior_note():
        out.print(case.prior_note(), highlight=False, markup=False)
    for g in case.groupings:
        out.print(plain(f"grouping {g.id}: " + "; ".join(f"{grp.id} ({', '.join(grp.hypotheses)})" for grp in g.groups)),
                  highlight=False, markup=False)
    kinds: dict[str, int] = {}
    for e in case.evidence:
        kinds[e.kind] = kinds.get(e.kind, 0) + 1
    out.print("kinds: " + ", ".join(f"{k} {n}" for k, n in kinds.items()), highlight=False, markup=False)
    props = set(case.proposition_ids)
    if case.structured:
        _print_propositions(case)
    for lens in case.lens_ids:
        nd = case.non_diagnostic(lens)
        nd_props = [i for i in nd if i in props]
        nd_items = [i for i in nd if i not in props]
        if nd_props:
            out.print(plain(f"non-diagnostic propositions under {lens} (equal tables for every parent value: nothing "
                            f"under them can change the odds): {', '.join(nd_props)}"), highlight=False, markup=False)
        if nd_items:
            out.print(plain(f"non-diagnostic under {lens} (equal likelihoods, change nothing): {', '.join(nd_items)}"),
                      highlight=False, markup=False)
        zc = case.zero_cells(lens)
        if zc:
            _print_zero_cells(lens, zc, case)
        _print_default_base_rates(case, lens)
        fb = case.fallbacks(lens)
        if fb and lens != case.default_lens:
            fb_props = [i for i in fb if i in props]
            fb_items = [i for i in fb if i not in props]
            if fb_props:
                out.print(plain(f"lens {lens} does not rate {plural(len(fb_props), 'proposition')}; they use "
                                f"{case.default_lens}'s tables: {', '.join(fb_props)}"), highlight=False, markup=False)
            if fb_items:
                out.print(plain(f"lens {lens} does not rate {plural(len(fb_items), 'item')}; they use {case.default_lens}: "
                                f"{', '.join(fb_items)}"), highlight=False, markup=False)
    from motives.sensitivity.conflict import CONFLICT_THRESHOLD_DB, conflict_flags

    for lens in case.lens_ids:
        try:
            flags = conflict_flags(case, lens=lens)
        except MotivesError:
            flags = []  # a case no posterior exists for is reported by posterior, not here
        if flags:
            err.print("[bold yellow]warning[/]: " + safe(
                f"conflict under {lens}: {', '.join(flags)} {'is' if len(flags) == 1 else 'are'} more than "
                f"{CONFLICT_THRESHOLD_DB:g} dB less probable given the rest of the evidence than a priori (an "
                "encoding error, a deception, or a hypothesis missing from the set?)"), highlight=False)
    unused = case.unused_propositions()
    if unused:
        err.print("[bold yellow]warning[/]: " + safe(f"{plural(len(unused), 'proposition')} no item bears on (directly or "
                                                     f"through another proposition); they change nothing: "
                                                     f"{', '.join(unused)}"), highlight=False)
    for f, why in skipped_files(case_dir):
        out.print(plain(f"skipped {f}: {why}"), highlight=False, markup=False)
    out.print("[green]ok[/]")


ZERO_CELL_LINES = 12


def _print_default_base_rates(case: Any, lens: str) -> None:
    """``check``: base rates of items reported by a source of reliability below 1 that the case leaves out."""
    from motives.exact import compile_case
    from motives.sensitivity.judgements import default_base_rates

    try:
        dflt = default_base_rates(compile_case(case, lens))
    except MotivesError:
        return
    if dflt:
        shown = ", ".join(f"{i} = {v:.6g}" for i, v in list(dflt.items())[:ZERO_CELL_LINES])
        more = f" and {len(dflt) - ZERO_CELL_LINES} more" if len(dflt) > ZERO_CELL_LINES else ""
        out.print(plain(f"base rates defaulted under {lens} (no base_rate given: P(report | source wrong) is the "
                        f"mean of the item's likelihoods; give base_rate where that is not your judgement): "
                        f"{shown}{more}"), highlight=False, markup=False)


def _print_zero_cells(lens: str, cells: list[tuple[str, str]], case: Any = None) -> None:
    """``check``: the zero likelihoods, one line per item (at most ``ZERO_CELL_LINES``, then a count).

    A zero judged for an item that a source of reliability below 1 reports rules nothing out (a wrong
    report still has its base rate): those are listed apart, saying so.
    """
    from motives.exact.compile import _reliability

    soft = {e.id for e in (case.evidence if case is not None else [])
            if getattr(e, "reported_by", None) is not None and _reliability(case, e.reported_by) is not None}
    hard = [(i, h) for i, h in cells if i not in soft]
    loose = [(i, h) for i, h in cells if i in soft]
    if loose:
        items = sorted({i for i, _ in loose})
        out.print(plain(f"zero likelihoods under {lens} of items a source of reliability below 1 reports "
                        f"(nothing is ruled out: a wrong report still has its base rate): "
                        f"{plural(len(loose), 'cell')} in {', '.join(items)}"), highlight=False, markup=False)
    if not hard:
        return
    cells = hard
    by_item: dict[str, list[str]] = {}
    for item, h in cells:
        by_item.setdefault(item, []).append(h)
    out.print(plain(f"zero likelihoods under {lens} (each rules out the hypothesis, or the state of the fact, "
                    f"named): {plural(len(cells), 'cell')} in {plural(len(by_item), 'item')}"),
              highlight=False, markup=False)
    for item, hs in list(by_item.items())[:ZERO_CELL_LINES]:
        shown = ", ".join(hs[:8]) + (f" and {len(hs) - 8} more" if len(hs) > 8 else "")
        out.print(plain(f"  {item} -> {shown}"), highlight=False, markup=False)
    if len(by_item) > ZERO_CELL_LINES:
        rest = len(by_item) - ZERO_CELL_LINES
        out.print(plain(f"  ... and {plural(rest, 'more item')} "
                        "(the likelihood table of `motives describe CASE` shows every cell)"),
                  highlight=False, markup=False)


def _print_propositions(case: Any) -> None:
    """``check``: each proposition (parents first) with its parent, states and the items that bear on it."""
    t = Table(title="Propositions (parents first) and what bears on them")
    for c in ("proposition", "bears on", "states", "items", "bearing on it"):
        t.add_column(c, justify="right" if c == "items" else "left")
    for pid in case.proposition_order():
        p = case.proposition(pid)
        kids, items = case.children(pid)
        t.add_row(pid, parents_text(p.parents), " | ".join(p.states), str(len(items)),
                  ", ".join([*items, *(f"{k} (proposition)" for k in kids)]) or "(nothing)")
    _, direct = case.children()
    if direct:
        t.add_row("(directly on the hypotheses)", "", "", str(len(direct)), ", ".join(direct))
    out.print(t)


@app.command()
@_guarded
def posterior(
    case_dir: CaseDir,
    lens: Annotated[str | None, typer.Option(help="Lens id (default: the case's default lens).")] = None,
    method: Annotated[str, typer.Option(help="exact (closed form) or mcmc (PyMC exclusive model).")] = "exact",
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    draws: Annotated[int, typer.Option(min=1, max=1_000_000, help="MCMC draws per chain.")] = 1000,
    seed: Annotated[int, typer.Option(min=0, help="Random seed for MCMC.")] = 1,
    prior: Annotated[str | None, typer.Option(help=PRIOR_HELP)] = None,
    target: Annotated[str | None, typer.Option(help=TARGET_HELP)] = None,
    show_all: Annotated[bool, typer.Option("--all", help=f"Every row, also when a level has more than {MANY_ROWS} "
                                           f"(by default: the top {SHOWN_ROWS} by credence).")] = False,
) -> None:
    """Credence of each hypothesis, family and group given all the evidence."""
    from motives.io import load_case

    if method not in ("exact", "mcmc"):
        raise MotivesError(f"--method must be 'exact' or 'mcmc', got {method!r}")
    prior_value = parse_prior(prior)
    case = load_case(case_dir)
    lens_id = case.resolve_lens(lens)
    tgt = None if target is None else _resolve_target(case, target, "--target")
    from motives.exact import prior_from

    try:
        prior_vec = prior_from(case, prior_value)
    except MotivesError as exc:
        why = "; ".join(p.message for p in getattr(exc, "problems", [])) or str(exc)
        raise MotivesError(f"--prior {prior!r}: {why}") from None
    draws_kh = None
    if method == "exact":
        from motives.exact import exact_posterior
        from motives.report import summary_dict

        table = exact_posterior(case, lens_id, prior_value)
        summary = summary_dict(table, method="exact", lens=lens_id, fallbacks=table.attrs["fallbacks"])
    else:
        from motives.models import fit

        res = fit(case, model="exclusive", lens=lens_id, prior=prior_value, draws=draws, seed=seed)
        summary = res.summary_dict()
        _fill_prior(summary, case, lens_id, prior_value)
        draws_kh = _credence_draws(res, case) if case.groupings or tgt else None
    if prior is not None:
        summary["prior"] = dict(zip(case.hypothesis_ids, map(float, prior_vec), strict=True))
    if case.structured:
        summary["if_independent"] = _if_independent(case, lens_id, prior_value)
    _add_groupings(summary, case, prior_vec, draws_kh)
    if tgt is not None:
        summary["target"] = _target_summary(case, tgt, summary, prior_vec, draws_kh)
    extra_lines = _posterior_extras(case, lens_id, summary)
    if tgt is not None:
        t = summary["target"]
        from motives.conventions import INTERVAL_MASS

        ci = "" if t["lower"] == t["upper"] else f", {INTERVAL_MASS:.0%} interval [{t['lower']:.4g}, {t['upper']:.4g}]"
        extra_lines.insert(0, plain(f"target {t['level']} {t['name']}: credence {t['credence']:.4g}{ci} (prior "
                                    f"{t['prior']:.4g}); Bayes factor against the rest "
                                    + ("n/a" if t["bayes_factor"] is None else f"{t['bayes_factor']:.4g}")))
    _print_summary(summary, as_json, show_all)
    if not as_json:
        for line in extra_lines:
            out.print(line, highlight=False, markup=False)
    if not summary["diagnostics"].get("ok", True):
        if not as_json:
            _diagnostics_failed(summary, allow_bad=False)
        raise typer.Exit(EXIT_DIAGNOSTICS)


def _fill_prior(summary: dict[str, Any], case: Any, lens: str, prior: Any = None) -> None:
    """Put the prior of each hypothesis and family into an MCMC summary (its table has credences only)."""
    from motives.exact import exact_posterior

    for (level, i), p in exact_posterior(case, lens, prior)["prior"].items():
        entry = summary["hypotheses" if level == "hypothesis" else "families"].get(str(i))
        if entry is not None:
            entry["prior"] = float(p)


PRIOR_HELP = ("Prior instead of the case's: 'uniform', or every hypothesis as id=probability separated by commas "
              "(e.g. h1=0.7,h2=0.3; the probabilities sum to 1).")
TARGET_HELP = ("What to report on: a hypothesis id, a family id, or a group of a grouping (group, or grouping.group); "
               "default the leading family.")


def parse_prior(text: str | None) -> Any:
    """The value of ``--prior``: None, ``"uniform"``, or ``{id: probability}`` from ``id=p,id=p``.

    The ids and the sum are checked against the case later (:func:`motives.exact.prior_from`).

    Examples
    --------
    >>> parse_prior("uniform"), parse_prior(None)
    ('uniform', None)
    >>> parse_prior("bowl1=0.25, bowl2=0.75")
    {'bowl1': 0.25, 'bowl2': 0.75}
    >>> try:
    ...     parse_prior("bowl1:0.25")
    ... except MotivesError as err:
    ...     print(str(err).split(";")[0])
    --prior 'bowl1:0.25': 'bowl1:0.25' is not id=probability
    """
    if text is None:
        return None
    raw = text.strip()
    if raw == "uniform":
        return "uniform"
    form = "write 'uniform' or every hypothesis as id=probability separated by commas, e.g. h1=0.7,h2=0.3"
    out: dict[str, float] = {}
    for part in raw.split(","):
        key, eq, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not eq or not key:
            raise MotivesError(f"--prior {text!r}: {part.strip()!r} is not id=probability; {form}")
        if key in out:
            raise MotivesError(f"--prior {text!r}: '{key}' is given twice; {form}")
        try:
            p = float(value)
        except ValueError:
            raise MotivesError(f"--prior {text!r}: '{key}={value}': {value!r} is not a number; {form}") from None
        if not (0.0 <= p <= 1.0):
            raise MotivesError(f"--prior {text!r}: '{key}={value}': a probability is a number in [0, 1]")
        out[key] = p
    return out


def _resolve_target(case: Any, target: str, where: str) -> Any:
    """A target checked against the case; the message names the option or spec key it came from."""
    from motives.errors import CaseError, Problem

    try:
        return case.resolve_target(target)
    except CaseError as exc:
        raise CaseError([Problem(f"{where}: {p.message}") for p in exc.problems]) from None


def _credence_draws(res: Any, case: Any) -> Any:
    """Posterior draws of the hypothesis credences (S, K) of an exclusive fit, hypotheses in case order."""
    da = res.trace.posterior["credence"]
    other = [d for d in da.dims if d not in ("chain", "draw")]
    return da.stack(sample=("chain", "draw")).transpose("sample", *other).sel(
        {other[0]: case.hypothesis_ids}).values


def _add_groupings(summary: dict[str, Any], case: Any, prior_vec: Any, draws: Any = None) -> None:
    """Each named grouping's marginal into ``summary["groupings"]`` (nothing for a case without groupings)."""
    if not case.groupings:
        return
    from motives.report.groupings import grouping_summary

    credence = {h: v["credence"] for h, v in summary["hypotheses"].items()}
    prior = dict(zip(case.hypothesis_ids, map(float, prior_vec), strict=True))
    summary["groupings"] = grouping_summary(case, credence, prior, draws)


def _target_summary(case: Any, tgt: Any, summary: dict[str, Any], prior_vec: Any,
                    draws: Any = None) -> dict[str, Any]:
    """The target's credence (with the central interval of its summed draws after MCMC), prior and Bayes factor."""
    import numpy as np

    from motives.conventions import INTERVAL_MASS

    idx = [case.hypothesis_ids.index(h) for h in tgt.hypotheses]
    c = float(sum(summary["hypotheses"][h]["credence"] for h in tgt.hypotheses))
    lo = hi = c
    if draws is not None:
        tail = (1 - INTERVAL_MASS) / 2
        lo, hi = (float(x) for x in np.quantile(np.asarray(draws)[:, idx].sum(axis=1), [tail, 1 - tail]))
    p = float(sum(prior_vec[i] for i in idx))
    bf = (c / (1 - c)) / (p / (1 - p)) if 0 < c < 1 and 0 < p < 1 else None
    return {"id": tgt.id, "name": tgt.name, "level": tgt.level, "grouping": tgt.grouping,
            "hypotheses": list(tgt.hypotheses), "credence": c, "lower": lo, "upper": hi, "prior": p,
            "bayes_factor": bf}


def _if_independent(case: Any, lens: str, prior: Any = None, reliability: bool = True) -> dict[str, Any]:
    """The exact posterior as if every item bore on the hypotheses independently (for a structured case)."""
    from motives.exact import exact_posterior

    t = exact_posterior(case, lens, prior, reliability=reliability, structure=False)
    return {"note": "exact posterior as if every item bore on the hypotheses independently (structure=False): "
                    "the naive-Bayes figure the propositions correct; not the result",
            "hypotheses": {str(i): float(c) for i, c in t.xs("hypothesis", level="level")["credence"].items()},
            "families": {str(i): float(c) for i, c in t.xs("family", level="level")["credence"].items()}}


def _posterior_extras(case: Any, lens: str, summary: dict[str, Any]) -> list[str]:
    """Heuer's ACH inconsistency score and, for numeric hypotheses, the value's summary (into ``summary`` too).

    A numeric grid (every hypothesis has a value) gets no ACH score: its hypotheses are points of one parameter,
    not rival explanations, and counting the items each is inconsistent with means nothing there.
    """
    from motives.ach import inconsistency, inconsistency_line
    from motives.schema import LikelihoodItem

    lines = []
    v = _value(case, lens, summary)
    if v is None and any(isinstance(e, LikelihoodItem) for e in case.evidence):
        scores = inconsistency(case, lens)
        summary["ach_inconsistency"] = {h: int(v) for h, v in scores["score"].items()}
        lines.append(inconsistency_line(scores))
    if v is not None:
        lines.append(f"value: mean {v['mean']:.6g}, median {v['median']:.6g}, {v['mass']:.0%} credible interval "
                     f"[{v['lower']:.6g}, {v['upper']:.6g}]")
    return lines


def _value(case: Any, lens: str, summary: dict[str, Any]) -> dict[str, float] | None:
    """The value's mean, median and interval for numeric hypotheses (into ``summary["value"]`` too); else None."""
    if not all(h.value is not None for h in case.hypotheses):
        return None
    from motives.exact import value_summary

    summary["value"] = value_summary(case, lens, credence={h: v["credence"] for h, v in summary["hypotheses"].items()})
    return summary["value"]


def _print_summary(summary: dict[str, Any], as_json: bool, show_all: bool = False) -> None:
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
        return
    mass = summary["interval"]["mass"]
    ind = summary.get("if_independent")
    interval = summary.get("method") != "exact"  # the exact method has no interval: no columns that repeat credence
    levels = [("hypothesis", "hypotheses")]
    if 0 < len(summary.get("families") or {}) < len(summary["hypotheses"]):  # only families that group hypotheses
        levels.append(("family", "families"))
    cols = ["prior", "credence", *(["lower", "upper"] if interval else [])]
    t = Table(title=safe(f"Credences ({summary['method']}, lens {summary['lens']}"
                         + (f"; {mass:.0%} central interval)" if interval else ")")))
    for c in ("level", "id", *cols, *(["if independent"] if ind else [])):
        t.add_column(c, justify="left" if c in ("level", "id") else "right")
    left_out = []
    for level, key in levels:
        rows = list(summary[key].items())
        keep = set(most_credible({i: v["credence"] for i, v in rows}))
        if len(keep) < len(rows) and not show_all:  # the most credible rows, in case order
            rest = [v["credence"] for i, v in rows if i not in keep]
            left_out.append(f"{len(rest)} {key} with lower credence not shown (together {_num(sum(rest))})")
            rows = [(i, v) for i, v in rows if i in keep]
        for i, v in rows:
            t.add_row(level, safe(i), *(_num(v.get(k)) for k in cols), *([_num(ind[key][i])] if ind else []))
    for g, groups in (summary.get("groupings") or {}).items():
        for i, v in groups.items():
            t.add_row(safe(f"grouping {g}"), safe(i), *(_num(v.get(k)) for k in cols), *([""] if ind else []))
    out.print(t)
    if left_out:
        out.print(plain("; ".join(left_out) + ". --all shows every row; --json gives every number."),
                  highlight=False, markup=False)
    out.print(RESOLUTION_NOTE, highlight=False, markup=False)
    if ind:
        out.print("The credences use the propositions (items under one proposition share a cause). 'if independent' "
                  "is what multiplying every item as if independent given the hypothesis would give: the "
                  "difference is how much that assumption would over- or understate the evidence.", highlight=False)
    if summary.get("fallbacks"):
        out.print(plain(f"{plural(len(summary['fallbacks']), 'item')} not rated by this lens use the default lens: "
                        + ", ".join(summary["fallbacks"])), highlight=False, markup=False)
    d = summary["diagnostics"]
    if summary.get("method") == "mcmc":
        colour = "green" if d.get("ok") else "bold red"
        parts = [f"{d.get('chains', '?')} chains x {d.get('draws', '?')} draws",
                 f"r_hat max {_num(d.get('r_hat_max'))}", f"ESS bulk min {_num(d.get('ess_bulk_min'), 0)}",
                 f"divergences {d.get('divergences')}"]
        out.print(f"[{colour}]diagnostics[/]: " + ", ".join(parts) + ("" if d.get("ok") else " -- FAILED"),
                  highlight=False)
        ec = summary.get("exact_check") or {}
        if ec.get("available"):
            zs = [abs(v["z"]) for key in ("hypotheses", "families") for v in ec.get(key, {}).values()
                  if v.get("z") is not None]
            worst = "not a number" if len(zs) < sum(len(ec.get(k, {})) for k in ("hypotheses", "families")) \
                else f"{max(zs, default=0.0):.1f}"
            colour = "green" if ec.get("ok") else "bold red"
            out.print(f"[{colour}]exact check[/]: posterior means vs the exact engine, max |z| {worst} "
                      f"(limit {ec.get('z_max', 4):g} MCSE)" + ("" if ec.get("ok") else " -- FAILED"), highlight=False)
        elif ec:
            out.print(plain(f"exact check: not available ({ec.get('reason')})"), highlight=False, markup=False)


def _num(x: Any, digits: int = 4) -> str:
    return "n/a" if x is None else f"{0.0 if below_resolution(x) else x:.{digits}f}"


def _diagnostics_failed(summary: dict[str, Any], *, allow_bad: bool) -> None:
    err.print("[bold red]MCMC DIAGNOSTICS FAILED[/]: " + safe("; ".join(summary["diagnostics"].get("problems", [])))
              + ". The numbers above are not reliable." + ("" if allow_bad else
              " Exit code 3 (pass --allow-bad-diagnostics to accept them)."), highlight=False)


@app.command()
@_guarded
def describe(
    case_dir: CaseDir,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the Markdown here (atomically).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write a case as Markdown: hypotheses, Table 1, likelihood table, every item."""
    from motives.casebook import case_markdown
    from motives.io import load_case

    target = None if out_file is None else _check_out_file(out_file, force, _case_folders(Path(case_dir)))
    text = case_markdown(load_case(case_dir))
    if target is None:
        sys.stdout.write(text)
        return
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.tmp-", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(name, target)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)
    out.print(plain(f"wrote {target}"), highlight=False, markup=False)


def _check_out_file(out_file: Path, force: bool, cases: list[Path]) -> Path:
    """A file to write: its folder must exist; it may not be a folder, a case's input file, or exist without force."""
    target = Path(os.path.abspath(out_file))
    if target.is_dir() or str(out_file).endswith(("/", os.sep)):
        raise MotivesError(f"--out {out_file} is a folder; name a file, e.g. {Path(out_file) / 'case.md'}")
    parent = target.parent.resolve()
    if not parent.is_dir():
        raise MotivesError(f"--out {out_file}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise MotivesError(f"--out {out_file}: no permission to write in {parent}")
    target = parent / target.name
    if any(parent == c.resolve() for c in cases) and target.suffix.lower() in (".yaml", ".yml", ".bib"):
        raise MotivesError(f"--out {target} would overwrite (or add) an input file of the case; choose a .md file")
    if target.exists() or target.is_symlink():
        if not target.is_file():
            raise MotivesError(f"--out {target} exists and is not a regular file")
        if not force:
            raise MotivesError(f"{target} already exists; pass --force to replace it")
    return target


@app.command()
@_guarded
def export(
    case_dir: CaseDir,
    out_file: Annotated[Path, typer.Option("--out", help="File to write (atomically; not replaced without --force).")],
    fmt: Annotated[str | None, typer.Option("--format", help="bif, xmlbif or net (Hugin NET, also read by GeNIe "
                                            "and Netica); default from the extension of --out.")] = None,
    lens: Annotated[str | None, typer.Option(help="Lens id (default: the case's default lens).")] = None,
    reliability: Annotated[bool, typer.Option(help="Model uncertain sources as reliability nodes "
                                              "(--no-reliability: take every report at face value).")] = True,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write a case under one lens as a Bayesian network file (BIF, XMLBIF, Hugin NET) for GeNIe, Hugin, Netica, pgmpy.

    Setting every item node to 'observed' gives the exact posterior on the node 'hypothesis'.
    """
    from motives import bn
    from motives.io import load_case

    if fmt is not None and fmt not in ("bif", "xmlbif", "net"):
        raise MotivesError(f"--format must be bif, xmlbif or net, got {fmt!r}")
    fmt = fmt or bn._format_of(out_file)
    target = _check_out_file(out_file, force, _case_folders(Path(case_dir)))
    case = load_case(case_dir)
    net = bn.network(case, lens, reliability=reliability)
    bn.write(net, target, fmt, force=force)
    model = net.model
    say = lambda text: out.print(plain(text), highlight=False, markup=False)  # noqa: E731
    say(f"wrote {target} ({fmt}, lens {net.lens}): {plural(len(model.nodes()), 'node')}, {plural(len(model.edges()), 'edge')}")
    facts = {n: st for n, st in net.evidence.items() if st != "observed"}  # observed facts: their state
    found = "; ".join(f"{n} to '{st}'" for n, st in facts.items())
    say(f"evidence: set the {plural(len(net.evidence) - len(facts), 'item node')} to 'observed'"
        + (f" and the observed {plural(len(facts), 'fact')}: {found}" if facts else "") + f"; query node '{net.query}'")
    if net.reliability:
        say("reliability nodes (states are quadrature points rho, probabilities their weights): "
            + ", ".join(net.reliability))
    if net.log_scale:
        say("timeline/quantity items as binary nodes, P(observed | parent) = marginal likelihood rescaled so "
            "the largest is 1 (the posterior is unchanged): " + ", ".join(net.log_scale))
    renamed = {k: v for k, v in net.names.items()
               if k != "hypotheses" and v != (f"reliability_{k[7:]}" if k.startswith("source:") else k)}
    if renamed:
        say("renamed to valid identifiers: " + ", ".join(f"{k} -> {v}" for k, v in renamed.items()))


@app.command()
@_guarded
def run(
    spec_file: Annotated[Path, typer.Argument(help="Analysis spec (models/*.yaml).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder (created; must not exist unless --force).")],
    force: Annotated[bool, typer.Option("--force", help="Replace an output folder motives wrote before.")] = False,
    allow_bad: Annotated[bool, typer.Option("--allow-bad-diagnostics",
                                            help="Exit 0 even when the MCMC diagnostics fail.")] = False,
) -> None:
    """Fit an analysis spec by MCMC; write summary.json, summary.csv and trace.nc into --out."""
    from motives.spec import load_spec

    spec = load_spec(spec_file)
    case_path = spec.case_path(spec_file)
    dest = _OutputFolder(out_dir, force, spec_file=spec_file)
    out_dir = dest.path
    with dest as tmp:
        from motives.io import load_case
        from motives.models import fit_spec

        case = load_case(case_path)
        _spec_target(spec, case, spec_file, None)  # a target the case does not have is an error here too
        cells = sum(1 for e in case.evidence for j in e.judgements().values()
                    for v in (getattr(j, "values", None) or {}).values() if getattr(v, "concentration", None))
        if cells > LARGE_FIT_CELLS:
            err.print(plain(f"warning: this case has {cells} uncertain likelihoods (Beta cells), each a parameter "
                            f"to sample; {spec.sampler.chains} chains x {spec.sampler.tune + spec.sampler.draws} "
                            "steps of a model this size can take hours. The exact engine (motives posterior, "
                            "motives sensitivity) answers in seconds; Ctrl-C stops the fit and writes nothing."),
                      highlight=False, markup=False)
        res = fit_spec(spec, spec_file, progressbar=True, case=case)
        summary = res.summary_dict()
        if spec.model == "exclusive":
            _fill_prior(summary, case, summary["lens"], spec.prior)
        summary["spec"] = {"name": spec.name, "file": str(spec_file), "config_hash": res.config_hash,
                           "case_hash": res.config["case_hash"], "motives_version": res.config["motives_version"]}
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        res.summary().to_csv(tmp / "summary.csv")
        res.save(tmp / "trace.nc")
        if case.structured:  # the structure diagram (the sensitivity and report commands draw the rest)
            _structure_figure(case, summary.get("lens"), tmp / "figures", spec.figures)
    _print_summary(summary, False)
    out.print(plain(f"wrote {out_dir}/summary.json, summary.csv, trace.nc"
                    + (", figures/structure.*" if (out_dir / "figures").exists() else "")), highlight=False,
              markup=False)
    if not summary["diagnostics"].get("ok", True):
        _diagnostics_failed(summary, allow_bad=allow_bad)
        if not allow_bad:
            raise typer.Exit(EXIT_DIAGNOSTICS)


@app.command("summary")
@_guarded
def summary_cmd(
    spec_file: Annotated[Path, typer.Argument(help="Analysis spec (models/*.yaml).")],
    fit_dir: Annotated[Path, typer.Argument(help="Output folder of 'motives run' (or its trace.nc).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Summarise a saved fit of a spec, once it is checked to be the fit of the spec and its case as they are now.

    Refused (exit 2, saying what changed and the command that refits) when an evidence file,
    the spec's fit settings or the motives version changed since 'motives run'.
    """
    from motives.io import load_case
    from motives.models import load_result
    from motives.spec import load_spec

    trace = fit_dir / "trace.nc" if fit_dir.is_dir() else fit_dir
    res = load_result(trace, spec_file)
    spec = load_spec(spec_file)
    summary = res.summary_dict()
    if spec.model == "exclusive":  # as 'run' wrote it
        _fill_prior(summary, load_case(spec.case_path(spec_file)), summary["lens"], spec.prior)
    summary["spec"] = {"name": spec.name, "file": str(spec_file), "config_hash": res.config_hash,
                       "case_hash": res.config["case_hash"], "motives_version": res.config["motives_version"]}
    _print_summary(summary, as_json)
    if not summary["diagnostics"].get("ok", True):
        if not as_json:
            _diagnostics_failed(summary, allow_bad=False)
        raise typer.Exit(EXIT_DIAGNOSTICS)


def _structure_figure(case: Any, lens: str | None, fdir: Path, formats: list[str]) -> None:
    """Write the structure diagram of a structured case as figures/structure.<fmt>."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from motives.plots import plot_structure, save_figure

    fdir.mkdir(exist_ok=True)
    fig, _ = plot_structure(case, lens)
    save_figure(fig, fdir / "structure", formats)
    plt.close(fig)


@app.command()
@_guarded
def schema(what: Annotated[str, typer.Argument(help="case (case.yaml), evidence (an evidence file) or spec (an "
                                                  "analysis spec): a schema a validator or an editor can use; all: "
                                                  "the three side by side.")] = "all") -> None:
    """Print the JSON Schema of case.yaml, evidence files and analysis specs (every key, type, default, description)."""
    from motives.schema_json import json_schema

    if what not in ("all", "case", "evidence", "spec"):
        raise MotivesError(f"schema: unknown part {what!r}; give all, case, evidence or spec")
    sys.stdout.write(json.dumps(json_schema(what), indent=2) + "\n")


# --------------------------------------------------------------------------- ACH matrices


@app.command("import-matrix")
def import_matrix_cmd(
    matrix: Annotated[Path, typer.Argument(help="ACH matrix: .csv or .xlsx (rows items, columns hypotheses).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Case folder to write (must not exist unless --force).")],
    lens: Annotated[str, typer.Option(help="Lens id the ratings belong to.")] = "default",
    name: Annotated[str | None, typer.Option(help="Case name (default: from the file name).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace a folder import-matrix wrote before.")] = False,
) -> None:
    """Turn an ACH matrix into a case folder (case.yaml and evidence.yaml) that check accepts."""
    from motives.ach import import_matrix
    from motives.io import load_case

    try:
        folder = import_matrix(matrix, out_dir, lens=lens, name=name, force=force)
        case = load_case(folder)
    except MotivesError as exc:
        _fail(exc)
    out.print(plain(f"wrote {folder}/case.yaml and evidence.yaml: {plural(len(case.hypotheses), 'hypothesis', 'hypotheses')}, "
              f"{plural(len(case.evidence), 'item')}"), highlight=False, markup=False)


@app.command("export-matrix")
def export_matrix_cmd(
    case_dir: CaseDir,
    out_file: Annotated[Path, typer.Option("--out", help="Matrix file to write: .csv or .xlsx.")],
    lens: Annotated[str | None, typer.Option(help="Lens id (default: the case's default lens).")] = None,
    cells: Annotated[str, typer.Option(help="ratings (ACH letters where a cell is on the scale) or numbers.")]
    = "ratings",
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write a case's likelihoods under one lens as an ACH matrix (rows items, columns hypotheses)."""
    from motives.ach import export_matrix
    from motives.io import load_case

    if cells not in ("ratings", "numbers"):
        _fail(MotivesError(f"--cells must be 'ratings' or 'numbers', got {cells!r}"))
    try:
        target = _check_out_file(out_file, force, _case_folders(Path(case_dir)))
        case = load_case(case_dir)
        notes = export_matrix(case, target, case.resolve_lens(lens), cells=cells)
    except MotivesError as exc:
        _fail(exc)
    for note in notes:
        err.print(plain(f"note: {note}"), highlight=False, markup=False)
    out.print(plain(f"wrote {out_file}"), highlight=False, markup=False)


# --------------------------------------------------------------------------- Bayesian networks in


@app.command("import-bn")
@_guarded
def import_bn_cmd(
    network_file: Annotated[Path, typer.Argument(help="Network file: .bif, .xml (XMLBIF), .net (Hugin); .dsl, .uai "
                                                      "and the others pyAgrum reads.")],
    hypothesis: Annotated[str, typer.Option("--hypothesis", help="The root node whose states are the hypotheses.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Case folder to write (must not exist unless --force).")],
    evidence: Annotated[str | None, typer.Option("--evidence", help="Observed nodes: NODE=STATE[,NODE=STATE...].")]
    = None,
    force: Annotated[bool, typer.Option("--force", help="Replace a folder import-bn wrote before.")] = False,
) -> None:
    """Turn a Bayesian network into a case folder (hypotheses from one node, items from the observed ones)."""
    from motives.bn_import import read_bn, write_case

    imp = read_bn(network_file, hypothesis, evidence)
    folder = write_case(imp, out_dir, force=force)
    props = imp.data.get("propositions", [])
    roots = sum(1 for p in props if p["bears_on"] == [])
    observed = sum(1 for p in props if "observed" in p)
    files = " and ".join(sorted(p.name for p in folder.iterdir() if p.suffix == ".yaml"))
    out.print(plain(f"wrote {folder}/ ({files}) from {imp.source}, read by {imp.reader}: "
                    f"{plural(len(imp.data['hypotheses']), 'hypothesis', 'hypotheses')} (the states of "
                    f"{imp.hypothesis}), {plural(len(props), 'proposition')} ({roots} root, {observed} observed), "
                    f"{plural(len(imp.data.get('evidence', [])), 'item')}"), highlight=False, markup=False)
    renames = imp.renames()
    if renames:
        out.print("names made ids (network name -> id):", highlight=False, markup=False)
        for line in renames:
            out.print(f"  {plain(line)}", highlight=False, markup=False)
    for note in imp.notes:
        err.print(f"note: {plain(note)}", highlight=False, markup=False)


@app.command("add-lens")
@_guarded
def add_lens_cmd(
    case_dir: CaseDir,
    lens_file: Annotated[Path, typer.Argument(help="A reader's lens file (YAML), from the interactive appendix's "
                                                   "'Download my judgements'.")],
    out_dir: Annotated[Path | None, typer.Option("--out", help="Case folder to write, extending CASE with the new "
                                                               "lens (default: beside CASE, named CASE_LENSID).")]
    = None,
    force: Annotated[bool, typer.Option("--force", help="Replace a folder motives wrote before.")] = False,
) -> None:
    """Add a reader's lens file to a case: write a case folder that extends CASE with the reader's lens."""
    import yaml

    from motives.io import load_case
    from motives.lensfile import add_lens, case_judgement_lines, lens_case_files, not_applied_lines, read_lens_file

    case = load_case(case_dir)
    lf = read_lens_file(lens_file, case)
    expected = add_lens(case, lf)  # the case with the lens, as the written folder must load
    folder = (case_dir.parent if case_dir.is_file() else case_dir).resolve()
    dest = _OutputFolder(out_dir or folder.parent / f"{folder.name}_{lf.lens.id}", force,
                         cases=_case_folders(case_dir))
    files = lens_case_files(case, lf, os.path.relpath(folder, dest.path))
    with dest as tmp:
        for name, data in files.items():
            (tmp / name).write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        written = load_case(tmp)  # a sibling of --out: the relative 'extends' resolves the same
        lens = lf.lens.id
        if any(written.judgement(e, lens)[0] != expected.judgement(e, lens)[0] for e in written.evidence) or any(
                p.likelihoods[lens] != expected.proposition(p.id).likelihoods[lens] for p in written.propositions) or (
                written.prior_vector() != expected.prior_vector()) or any(
                written.source(s.key) != s for s in expected.sources):
            raise RuntimeError("the written lens does not read back as the lens file's judgements (tables, prior "
                           "and reliabilities)")
    n = len(lf.changed)
    out.print(plain(f"wrote {dest.path}/ ({', '.join(files)}): case '{case.name}' with lens '{lf.lens.id}'"
                    f"{f' ({lf.lens.name})' if lf.lens.name else ''}: {plural(n, 'judgement')} changed, the rest "
                    f"as lens '{lf.based_on}'. Pool the lenses: mv.pool(mv.load_case('{dest.path}'))"),
              highlight=False, markup=False)
    for line in case_judgement_lines(case, lf):
        out.print(plain(line), highlight=False, markup=False)
    for line in not_applied_lines(lf):
        err.print(f"note: {plain(line)}", highlight=False, markup=False)


# --------------------------------------------------------------------------- sensitivity and report


SpecFile = Annotated[Path, typer.Argument(help="Analysis spec (models/*.yaml).")]
OutDir = Annotated[Path, typer.Option("--out", help="Output folder (created; must not exist unless --force).")]
Force = Annotated[bool, typer.Option("--force", help="Replace an output folder motives wrote before.")]
Target = Annotated[str | None, typer.Option("--target", help=TARGET_HELP + " Overrides the spec's target.")]


def _spec_case(spec_file: Path) -> tuple[Any, Any, str]:
    """Load a spec and its case; check the lens and the prior (errors are MotivesError)."""
    from motives.errors import CaseError, Problem
    from motives.exact import prior_from
    from motives.io import load_case, read_yaml
    from motives.spec import load_spec

    spec = load_spec(spec_file)
    case = load_case(spec.case_path(spec_file))
    problems: list[Problem] = []  # the spec's lens and prior against the case, both reported, in the spec file
    lens = case.default_lens
    for key, check in (("lens", lambda: case.resolve_lens(spec.lens)), ("prior", lambda: prior_from(case, spec.prior))):
        try:
            value = check()
        except CaseError as exc:
            lines = read_yaml(Path(spec_file))[1]
            problems += [Problem(pr.message, file=str(spec_file), line=lines.get((key,)),
                                 field=pr.field if pr.field and pr.field.startswith(key) else key)
                         for pr in exc.problems]
        else:
            lens = value if key == "lens" else lens
    if problems:
        raise CaseError(problems)
    return spec, case, lens


def _spec_target(spec: Any, case: Any, spec_file: Path, target: str | None) -> Any:
    """The target of ``--target`` or else the spec's ``target:`` (None: the leading family), checked against the case."""
    if target is not None:
        return _resolve_target(case, target, "--target")
    if spec.target is None:
        return None
    from motives.errors import CaseError, Problem
    from motives.io import read_yaml

    try:
        return case.resolve_target(spec.target)
    except CaseError as exc:
        line = read_yaml(Path(spec_file))[1].get(("target",))
        raise CaseError([Problem(p.message, file=str(spec_file), line=line, field="target")
                         for p in exc.problems]) from None


def _analysed_case(case: Any, tgt: Any) -> Any:
    """The case the analyses run on: for a group target, the case with that grouping's groups as families."""
    if tgt is None or tgt.level != "group":
        return case
    if tgt.id in case.hypothesis_ids:
        raise MotivesError(f"target {tgt.name}: group '{tgt.id}' of grouping '{tgt.grouping}' has the id of a "
                           "hypothesis; as a target a group needs an id of its own (rename it in case.yaml)")
    return case.regrouped(tgt.grouping)


def _sensitivity_outputs(spec_file: Path, out_dir: Path, force: bool, *, report: bool,
                         target: str | None = None) -> dict[str, Any]:
    """Compute every sensitivity table and figure into a temporary folder, then publish it atomically."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    dest = _OutputFolder(out_dir, force, spec_file=spec_file)
    out_dir = dest.path
    spec, case, lens = _spec_case(spec_file)
    tgt = _spec_target(spec, case, spec_file, target)
    acase = _analysed_case(case, tgt)
    import matplotlib

    matplotlib.use("Agg")
    from motives.plots import save_figure, standard_figures
    from motives.sensitivity.results import SensitivityResult
    from motives.sensitivity.run import run_all, tables_for

    s = spec.sensitivity
    formats = list(dict.fromkeys([*spec.figures, *(["png"] if report else [])]))
    written: dict[str, Any] = {"tables": [], "figures": []}
    with dest as tmp:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, transient=False) as bar:
            task = bar.add_task("sensitivity tables", total=len(tables_for(acase)))
            tables = run_all(acase, lens=lens, prior=spec.prior, reliability=spec.reliability,
                             tornado_factor=s.tornado_factor, sweep_points=s.sweep_points,
                             sobol_samples=s.sobol_samples, seed=s.seed, target=None if tgt is None else tgt.id,
                             on_step=lambda name: bar.update(task, advance=1, description=f"table {name}"))
            if report:
                (tmp / "tables").mkdir()
            results = {name: SensitivityResult.of(name, df) for name, df in tables.items()}
            if not report:  # each table as <name>.csv, its meaning (target, spacing, ...) as <name>.json
                for name, r in results.items():
                    r.save(tmp, name)
                written["tables"] = [f"{n}.csv" for n in results]
            tgt_id = results["prior_sweep"].meta.target
            fdir = tmp / "figures"
            fdir.mkdir()
            n_fig = 11 + sum(e.kind == "timeline" for e in case.evidence)
            ftask = bar.add_task("figures", total=n_fig)
            import matplotlib.pyplot as plt

            for name, fig, _ax in standard_figures(acase, results, lens=lens):
                save_figure(fig, fdir / name, formats)
                plt.close(fig)
                written["figures"].append(name)
                bar.update(ftask, advance=1, description=f"figure {name}")
            bar.update(ftask, total=len(written["figures"]), completed=len(written["figures"]))
        from motives.exact import exact_posterior, prior_from
        from motives.report import summary_dict

        post = tables["posterior"] if acase is case else exact_posterior(case, lens, spec.prior,
                                                                         reliability=spec.reliability)
        summary = summary_dict(post, method="exact", lens=lens,
                               fallbacks=results["posterior"].meta.fallbacks,
                               extra={"spec": {"name": spec.name, "file": str(spec_file),
                                               **_case_identity(case)},
                                      "leading_family": tgt_id})
        if case.structured:
            summary["if_independent"] = _if_independent(case, lens, spec.prior, spec.reliability)
        prior_vec = prior_from(case, spec.prior)
        _add_groupings(summary, case, prior_vec)
        _value(case, lens, summary)
        if tgt is not None:
            del summary["leading_family"]
            summary["target"] = _target_summary(case, tgt, summary, prior_vec)
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        if report:
            _write_report(tmp, case, lens, spec, spec_file, tables, written["figures"], tgt=tgt, analysed=acase)
    noisy = tables["sobol"].attrs.get("noisy") or []
    if noisy:
        err.print("[bold yellow]warning[/]: " + safe(
            f"Sobol indices too noisy to trust at sobol_samples {s.sobol_samples}: for {', '.join(noisy[:5])}"
            + (f" and {len(noisy) - 5} more" if len(noisy) > 5 else "") + " the "
            "bootstrap standard error exceeds 0.05, or the first-order index exceeds the total index beyond its "
            "sampling error (no true index does); "
            "raise sensitivity.sobol_samples in the spec"), highlight=False)
    if spec.model != "exclusive":
        err.print(plain(f"note: spec model is {spec.model!r}; the sensitivity analyses use the exact posterior of "
                        "the exclusive model."), highlight=False, markup=False)
    return {"out": out_dir, "summary": summary, **written}


def _case_identity(case: Any) -> dict[str, str]:
    """What an exact-engine output was computed from: the case content's hash and the motives version."""
    import motives
    from motives.models.config import case_hash

    return {"case_hash": case_hash(case), "motives_version": motives.__version__}


def _write_report(tmp: Path, case: Any, lens: str, spec: Any, spec_file: Path, tables: dict[str, Any],
                  figures: list[str], *, tgt: Any = None, analysed: Any = None) -> None:
    from motives import report as R

    tdir = tmp / "tables"
    ev_tex = R.evidence_latex(case, lens, prior=spec.prior)
    po_tex = R.posterior_latex(case, lens, prior=spec.prior)
    for text in (ev_tex, po_tex):
        problems = R.check_latex(text)
        if problems:  # a bug, not bad input: say so plainly
            raise RuntimeError("generated LaTeX table is malformed: " + "; ".join(problems))
    (tdir / "evidence.tex").write_text(ev_tex)
    (tdir / "posterior.tex").write_text(po_tex)
    inputs = [r"\input{evidence}", r"\input{posterior}"]
    if case.structured:
        for pid in case.proposition_order():
            problems = R.check_latex(R.proposition_latex(case, pid, lens))
            if problems:
                raise RuntimeError(f"generated LaTeX table of proposition {pid} is malformed: " + "; ".join(problems))
        (tdir / "propositions.tex").write_text(R.propositions_latex(case, lens))
        (tdir / "propositions.md").write_text(R.propositions_markdown(case, lens, heading="##"))
        inputs.append(r"\input{propositions}")
    (tdir / "tables.tex").write_text(R.standalone_latex(*inputs))
    (tdir / "evidence.md").write_text(R.evidence_markdown(case, lens, prior=spec.prior))
    (tdir / "posterior.md").write_text(R.posterior_markdown(case, lens, prior=spec.prior))
    info = {"name": spec.name, "file": str(spec_file), "lens": lens, "prior": spec.prior, "model": spec.model,
            **_case_identity(case), "tornado_factor": spec.sensitivity.tornado_factor,
            "reliability": spec.reliability}
    if tgt is not None:
        info |= {"target": tgt.name, "grouping": tgt.grouping}
    text = R.report_markdown(case, tables, {f: f"figures/{f}.png" for f in figures}, spec=info,
                             analysed=None if analysed is case else analysed)
    (tmp / "report.md").write_text(text)


@app.command()
@_guarded
def sensitivity(spec_file: SpecFile, out_dir: OutDir, force: Force = False, target: Target = None) -> None:
    """Every sensitivity analysis of a spec (exact engine): tables (CSV, their meaning as JSON) and figures into --out."""
    res = _sensitivity_outputs(spec_file, out_dir, force, report=False, target=target)
    out.print(plain(f"wrote {len(res['tables'])} tables and {len(res['figures'])} figures "
                    f"({', '.join(res['figures'])}) to {res['out']}"), highlight=False, markup=False)


@app.command()
@_guarded
def appendix(spec_file: SpecFile, out_dir: OutDir, force: Force = False) -> None:
    """Write the interactive appendix: one self-contained HTML page where a reader changes the judgements."""
    from motives.interactive import appendix as write_appendix

    dest = _OutputFolder(out_dir, force, spec_file=spec_file)
    spec, case, lens = _spec_case(spec_file)
    tgt = _spec_target(spec, case, spec_file, None)  # the spec's target (located if the case lacks it)
    if spec.prior is not None:  # the page opens on the spec's prior, as the report's numbers do
        from motives.exact import prior_from

        case = case.with_prior([float(x) for x in prior_from(case, spec.prior)], normalise=True)
    with dest as tmp:
        size = write_appendix(case, tmp, lens=lens, spec_name=Path(spec_file).name,
                              target=tgt.name if tgt else None).stat().st_size
    out.print(plain(f"wrote {dest.path / 'index.html'} ({size / 1024:.0f} KiB): open it in a browser"),
              highlight=False, markup=False)


@app.command()
@_guarded
def report(spec_file: SpecFile, out_dir: OutDir, force: Force = False, target: Target = None) -> None:
    """A Markdown report of a spec with its figures and tables, plus the LaTeX tables (tables/*.tex)."""
    res = _sensitivity_outputs(spec_file, out_dir, force, report=True, target=target)
    extra = ", tables/propositions.tex" if (res["out"] / "tables" / "propositions.tex").exists() else ""
    out.print(plain(f"wrote {res['out']}/report.md, tables/evidence.tex, tables/posterior.tex{extra} and "
                    f"{plural(len(res['figures']), 'figure')}"), highlight=False, markup=False)


def main() -> None:
    """Entry point."""
    import warnings

    from motives.errors import FailedFitWarning

    # the CLI states a failed fit itself (its problems, exit status 3): no second, Python-style warning line
    warnings.simplefilter("ignore", FailedFitWarning)
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
