"""The ``motives`` command (typer + rich): it parses, prints and maps errors to exit codes.

Nothing more: the work is done by the application layer (:mod:`motives.app`), which a notebook calls
too. Every command is registered with :func:`command`, which puts it behind the guard
(:func:`motives.terminal.guarded`): a command cannot be registered without it
(``tests/test_cli_conventions.py`` checks every one). Every expected failure (bad input, failed
diagnostics) prints one clear message and exits non-zero, never a traceback; the exit codes are
listed in :mod:`motives.terminal`.
"""

from __future__ import annotations

import enum
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from motives.app.check import ZERO_CELL_LINES
from motives.app.outputs import MARKER
from motives.app.summary import PRIOR_HELP, TARGET_HELP, parse_prior
from motives.conventions import MANY_ROWS, SHOWN_ROWS, plural
from motives.terminal import (
    EXIT_DIAGNOSTICS,
    Bar,
    debug,
    diagnostics_failed,
    err,
    guarded,
    out,
    plain,
    plain_warnings,
    print_check,
    print_json,
    print_summary,
    safe,
    say,
)

__all__ = [
    "MANY_ROWS",
    "MARKER",
    "SHOWN_ROWS",
    "ZERO_CELL_LINES",
    "app",
    "command",
    "main",
    "parse_prior",
    "plain",
    "safe",
]

app = typer.Typer(
    name="motives",
    help="Bayesian evaluation of rival hypotheses.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, PowerShell)
    pretty_exceptions_enable=False,
)


def command[F: Callable[..., Any]](name: str | None = None) -> Callable[[F], F]:
    """Register a ``motives`` command behind the guard: the only way commands are registered.

    Examples
    --------
    >>> @command("hello-doc")
    ... def _hello() -> None:
    ...     '''Say hello.'''
    >>> [c.callback.motives_guarded for c in app.registered_commands if c.name == "hello-doc"]
    [True]
    >>> app.registered_commands[:] = [c for c in app.registered_commands if c.name != "hello-doc"]
    """

    def register(fn: F) -> F:
        wrapped = guarded(fn)
        app.command(name)(wrapped)
        return wrapped

    return register


def _version(value: bool) -> None:
    if value:
        import motives

        out.print(f"motives {motives.__version__}", highlight=False, markup=False)
        raise typer.Exit()


@app.callback()
def _main(
    debug_on: Annotated[
        bool, typer.Option("--debug", help="Show the traceback of an internal error.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help="Print the version of motives and exit.",
        ),
    ] = False,
) -> None:
    """Bayesian evaluation of rival hypotheses."""
    debug["on"] = debug_on or bool(os.environ.get("MOTIVES_DEBUG"))


# --------------------------------------------------------------------------- options


class Method(enum.StrEnum):
    """``posterior --method``."""

    exact = "exact"
    mcmc = "mcmc"


class NetFormat(enum.StrEnum):
    """``export --format``."""

    bif = "bif"
    xmlbif = "xmlbif"
    net = "net"


class Cells(enum.StrEnum):
    """``export-matrix --cells``."""

    ratings = "ratings"
    numbers = "numbers"


class SchemaPart(enum.StrEnum):
    """``schema WHAT``."""

    all = "all"
    case = "case"
    evidence = "evidence"
    spec = "spec"


CaseDir = Annotated[Path, typer.Argument(help="Case folder (or its case.yaml).")]
SpecFile = Annotated[Path, typer.Argument(help="Analysis spec (models/*.yaml).")]
OutDir = Annotated[
    Path, typer.Option("--out", help="Output folder (created; must not exist unless --force).")
]
Force = Annotated[bool, typer.Option("--force", help="Replace an output motives wrote before.")]
Target = Annotated[
    str | None, typer.Option("--target", help=TARGET_HELP + " Overrides the spec's target.")
]
Scheduler = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        envvar="MOTIVES_SCHEDULER",
        help="Where the fits run: 'processes' (local, the default), 'serial', or a Dask scheduler "
        "tcp://HOST:PORT.",
    ),
]
Workers = Annotated[
    int | None, typer.Option("--workers", min=1, help="Local processes (default: one per CPU).")
]
Psense = Annotated[
    bool,
    typer.Option(
        "--psense", help="Compute the power-scaling sensitivity (log densities of every draw)."
    ),
]
Json = Annotated[
    bool, typer.Option("--json", help="Print the result as JSON (on stdout; notes stay on stderr).")
]
Lens = Annotated[str | None, typer.Option(help="Lens id (default: the case's default lens).")]


# --------------------------------------------------------------------------- a case


@command()
def check(case_dir: CaseDir, as_json: Json = False) -> None:
    """Validate a case: counts, non-diagnostic items, zero cells, lens coverage, files skipped."""
    from motives.app.check import case_check

    res = case_check(case_dir)
    for line in res.warnings:
        err.print("[bold yellow]warning[/]: " + safe(line), highlight=False)
    if as_json:
        print_json(res.as_json())
        return
    print_check(res)


@command()
def posterior(
    case_dir: CaseDir,
    lens: Lens = None,
    method: Annotated[
        Method, typer.Option(help="exact (closed form) or mcmc (PyMC exclusive model).")
    ] = Method.exact,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    draws: Annotated[int, typer.Option(min=1, max=1_000_000, help="MCMC draws per chain.")] = 1000,
    seed: Annotated[int, typer.Option(min=0, help="Random seed for MCMC.")] = 1,
    prior: Annotated[str | None, typer.Option(help=PRIOR_HELP)] = None,
    target: Annotated[str | None, typer.Option(help=TARGET_HELP)] = None,
    show_all: Annotated[
        bool,
        typer.Option(
            "--all",
            help=f"Every row, also when a level has more than {MANY_ROWS} "
            f"(by default: the top {SHOWN_ROWS} by credence).",
        ),
    ] = False,
) -> None:
    """Credence of each hypothesis, family and group given all the evidence."""
    from motives.app.summary import posterior_summary
    from motives.io import load_case

    parse_prior(prior)  # a malformed --prior is refused before the case is read
    summary, lines = posterior_summary(
        load_case(case_dir),
        lens,
        method=method.value,
        prior=prior,
        target=target,
        draws=draws,
        seed=seed,
    )
    print_summary(summary, as_json, show_all)
    if not as_json:
        for line in lines:
            say(line)
    if not summary["diagnostics"].get("ok", True):
        if not as_json:
            diagnostics_failed(summary, allow_bad=False)
        raise typer.Exit(EXIT_DIAGNOSTICS)


@command()
def describe(
    case_dir: CaseDir,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the Markdown here (atomically).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print {case, markdown} (or, with --out, {wrote}) as JSON."),
    ] = False,
) -> None:
    """Write a case as Markdown: hypotheses, Table 1, likelihood table, every item."""
    from motives.app.outputs import case_folders, check_out_file
    from motives.casebook import case_markdown
    from motives.files import write_atomic
    from motives.io import load_case

    target = (
        None if out_file is None else check_out_file(out_file, force, case_folders(Path(case_dir)))
    )
    case = load_case(case_dir)
    text = case_markdown(case)
    if target is None:
        if as_json:
            print_json({"case": case.name, "markdown": text})
        else:
            sys.stdout.write(text)
        return
    write_atomic(target, text)
    print_json({"wrote": str(target)}) if as_json else say(f"wrote {target}")


@command()
def export(
    case_dir: CaseDir,
    out_file: Annotated[
        Path,
        typer.Option("--out", help="File to write (atomically; not replaced without --force)."),
    ],
    fmt: Annotated[
        NetFormat | None,
        typer.Option(
            "--format",
            help="bif, xmlbif or net (Hugin NET, also read by GeNIe "
            "and Netica); default from the extension of --out.",
        ),
    ] = None,
    lens: Lens = None,
    reliability: Annotated[
        bool,
        typer.Option(
            help="Model uncertain sources as reliability nodes "
            "(--no-reliability: take every report at face value)."
        ),
    ] = True,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    as_json: Json = False,
) -> None:
    """Write a case under one lens as a Bayesian network file (BIF, XMLBIF, Hugin NET).

    For GeNIe, Hugin, Netica, pgmpy. All items 'observed' give the exact posterior on 'hypothesis'.
    """
    from motives.app.networks import export_network

    wrote, lines = export_network(
        case_dir,
        out_file,
        None if fmt is None else fmt.value,
        lens,
        reliability=reliability,
        force=force,
    )
    print_json(wrote) if as_json else say("\n".join(lines))


@command()
def schema(
    what: Annotated[
        SchemaPart,
        typer.Argument(
            help="case (case.yaml), evidence (an evidence file) or spec (an "
            "analysis spec): a schema a validator or an editor can use; "
            "all: the three side by side."
        ),
    ] = SchemaPart.all,
) -> None:
    """Print the JSON Schema of case.yaml, evidence files and specs, every key described."""
    from motives.schema_json import json_schema

    print_json(json_schema(what.value))


# --------------------------------------------------------------------------- fits


@command()
def run(
    spec_file: SpecFile,
    out_dir: OutDir,
    force: Force = False,
    allow_bad: Annotated[
        bool,
        typer.Option("--allow-bad-diagnostics", help="Exit 0 even when the MCMC diagnostics fail."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    psense: Psense = False,
) -> None:
    """Fit an analysis spec by MCMC; write summary.json, summary.csv and trace.nc into --out."""
    from motives.app.workflow import fit_outputs

    with Bar() as bar:
        res = fit_outputs(spec_file, out_dir, force, progress=bar, progressbar=True, psense=psense)
    if as_json:
        print_json({**res.summary, "wrote": [str(res.out / f) for f in res.files]})
    else:
        print_summary(res.summary, False)
        say(res.summary["power_sensitivity"]["statement"])
        say(f"wrote {res.out}/{', '.join(res.files)}")
    if not res.ok:
        diagnostics_failed(res.summary, allow_bad=allow_bad)
        if not allow_bad:
            raise typer.Exit(EXIT_DIAGNOSTICS)


@command("summary")
def summary_cmd(
    spec_file: SpecFile,
    fit_dir: Annotated[
        Path, typer.Argument(help="Output folder of 'motives run' (or its trace.nc).")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    psense: Psense = False,
) -> None:
    """Summarise a saved fit, once checked to be the fit of the spec and its case as they are now.

    Refused (exit 2, saying what changed and the command that refits) when an evidence file,
    the spec's fit settings or the motives version changed since 'motives run'.
    """
    from motives.app.summary import saved_fit_summary

    summary = saved_fit_summary(spec_file, fit_dir, psense=psense)
    print_summary(summary, as_json)
    if not as_json:
        say(summary["power_sensitivity"]["statement"])
    if not summary["diagnostics"].get("ok", True):
        if not as_json:
            diagnostics_failed(summary, allow_bad=False)
        raise typer.Exit(EXIT_DIAGNOSTICS)


# -------------------------------------------------------------------- sensitivity, report, appendix


def _sensitivity(
    spec_file: Path,
    out_dir: Path,
    force: bool,
    report: bool,
    target: str | None,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    fit: Path | None = None,
) -> Any:
    """The sensitivity workflow with its progress on stderr, then its warnings and notes.

    One function, for the registry of analyses to loop over.
    """
    from motives.app.workflow import sensitivity_outputs

    with Bar() as bar:
        res = sensitivity_outputs(
            spec_file,
            out_dir,
            force,
            report=report,
            target=target,
            progress=bar,
            scheduler=scheduler,
            workers=workers,
            fit=fit,
        )
    for line in res.messages:
        say(line, to_err=True)
    for line in res.warnings:
        err.print("[bold yellow]warning[/]: " + safe(line), highlight=False)
    for line in res.notes:
        say(f"note: {line}", to_err=True)
    return res


@command()
def sensitivity(
    spec_file: SpecFile,
    out_dir: OutDir,
    force: Force = False,
    target: Target = None,
    scheduler: Scheduler = None,
    workers: Workers = None,
    as_json: Json = False,
) -> None:
    """Every sensitivity analysis of a spec (exact engine): tables (CSV, meaning as JSON), figures.

    With ``sensitivity.refits`` also MCMC refits over that grid (refits.csv), in local processes or
    on --scheduler.
    """
    res = _sensitivity(
        spec_file, out_dir, force, False, target, scheduler=scheduler, workers=workers
    )
    if as_json:
        print_json(
            {
                "out": str(res.out),
                "tables": res.tables,
                "figures": res.figures,
                "summary": res.summary,
            }
        )
        return
    say(
        f"wrote {len(res.tables)} tables and {len(res.figures)} figures "
        f"({', '.join(res.figures)}) to {res.out}"
    )


@command()
def report(
    spec_file: SpecFile,
    out_dir: OutDir,
    force: Force = False,
    target: Target = None,
    fit: Annotated[
        Path | None,
        typer.Option(
            "--fit",
            help="Output folder of 'motives run' (or its trace.nc): "
            "add the fit's power-scaling sensitivity.",
        ),
    ] = None,
    as_json: Json = False,
) -> None:
    """A Markdown report of a spec with its figures and tables, plus LaTeX tables (tables/*.tex)."""
    res = _sensitivity(spec_file, out_dir, force, True, target, fit=fit)
    extra = (
        ", tables/propositions.tex" if (res.out / "tables" / "propositions.tex").exists() else ""
    )
    if as_json:
        print_json(
            {
                "out": str(res.out),
                "report": str(res.out / "report.md"),
                "figures": res.figures,
                "tables": sorted(p.name for p in (res.out / "tables").iterdir()),
                "summary": res.summary,
            }
        )
        return
    say(
        f"wrote {res.out}/report.md, tables/evidence.tex, tables/posterior.tex{extra} and "
        f"{plural(len(res.figures), 'figure')}"
    )


@command("sbc")
def sbc_cmd(
    spec_file: SpecFile,
    out_dir: OutDir,
    force: Force = False,
    simulations: Annotated[
        int, typer.Option("--simulations", min=1, help="Simulated data sets (one fit each).")
    ] = 100,
    keep: Annotated[
        int, typer.Option("--keep", min=1, help="Posterior draws each rank is taken among.")
    ] = 100,
    bins: Annotated[
        int, typer.Option("--bins", min=2, help="Bins of the chi-square test of uniform ranks.")
    ] = 10,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the simulations.")] = 2026,
    scheduler: Scheduler = None,
    workers: Workers = None,
    fits: Annotated[
        Path | None,
        typer.Option(
            "--fits",
            help="Keep each fit here as it finishes; a rerun with the "
            "same folder fits only what is missing.",
        ),
    ] = None,
    as_json: Json = False,
) -> None:
    """Simulation-based calibration of a spec's exclusive model (ranks.csv, tests.csv, sbc.json)."""
    from motives.app.jobs import sbc_outputs

    folder, result, lines = sbc_outputs(
        spec_file,
        out_dir,
        force,
        simulations=simulations,
        keep=keep,
        bins=bins,
        seed=seed,
        scheduler=scheduler,
        workers=workers,
        fits=fits,
    )
    files = ["ranks.csv", "tests.csv", "sbc.json"]
    if as_json:
        print_json(
            {"wrote": [str(folder / f) for f in files], "ok": bool(result.ok), "lines": lines}
        )
    else:
        for line in lines:
            say(line)
        say(f"wrote {folder}/{', '.join(files)}")
    if not result.ok:
        raise typer.Exit(EXIT_DIAGNOSTICS)


@command()
def appendix(
    spec_file: SpecFile, out_dir: OutDir, force: Force = False, as_json: Json = False
) -> None:
    """Write the appendix: one self-contained HTML page where a reader changes the judgements."""
    from motives.app.workflow import appendix_outputs

    page = appendix_outputs(spec_file, out_dir, force)
    size = page.stat().st_size
    if as_json:
        print_json({"wrote": str(page), "bytes": size})
        return
    say(f"wrote {page} ({size / 1024:.0f} KiB): open it in a browser")


# ---------------------------------------------------------------- ACH matrices, networks, lenses in


@command("import-matrix")
def import_matrix_cmd(
    matrix: Annotated[
        Path, typer.Argument(help="ACH matrix: .csv or .xlsx (rows items, columns hypotheses).")
    ],
    out_dir: Annotated[
        Path, typer.Option("--out", help="Case folder to write (must not exist unless --force).")
    ],
    lens: Annotated[str, typer.Option(help="Lens id the ratings belong to.")] = "default",
    name: Annotated[
        str | None, typer.Option(help="Case name (default: from the file name).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a folder import-matrix wrote before.")
    ] = False,
    as_json: Json = False,
) -> None:
    """Turn an ACH matrix into a case folder (case.yaml and evidence.yaml) that check accepts."""
    from motives.ach import import_matrix
    from motives.io import load_case

    folder = import_matrix(matrix, out_dir, lens=lens, name=name, force=force)
    case = load_case(folder)
    if as_json:
        print_json(
            {
                "wrote": [str(folder / "case.yaml"), str(folder / "evidence.yaml")],
                "hypotheses": len(case.hypotheses),
                "items": len(case.evidence),
            }
        )
        return
    say(
        f"wrote {folder}/case.yaml and evidence.yaml: "
        f"{plural(len(case.hypotheses), 'hypothesis', 'hypotheses')}, "
        f"{plural(len(case.evidence), 'item')}"
    )


@command("export-matrix")
def export_matrix_cmd(
    case_dir: CaseDir,
    out_file: Annotated[Path, typer.Option("--out", help="Matrix file to write: .csv or .xlsx.")],
    lens: Lens = None,
    cells: Annotated[
        Cells, typer.Option(help="ratings (ACH letters where a cell is on the scale) or numbers.")
    ] = Cells.ratings,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    as_json: Json = False,
) -> None:
    """Write a case's likelihoods under a lens as an ACH matrix (rows items, columns hypotheses)."""
    from motives.ach import export_matrix
    from motives.app.outputs import case_folders, check_out_file
    from motives.io import load_case

    target = check_out_file(out_file, force, case_folders(Path(case_dir)))
    case = load_case(case_dir)
    notes = export_matrix(case, target, case.resolve_lens(lens), cells=cells.value)
    for note in notes:
        say(f"note: {note}", to_err=True)
    print_json({"wrote": str(target), "notes": notes}) if as_json else say(f"wrote {out_file}")


@command("import-bn")
def import_bn_cmd(
    network_file: Annotated[
        Path,
        typer.Argument(
            help="Network file: .bif, .xml (XMLBIF), .net (Hugin); .dsl, .uai "
            "and the others pyAgrum reads."
        ),
    ],
    hypothesis: Annotated[
        str, typer.Option("--hypothesis", help="The root node whose states are the hypotheses.")
    ],
    out_dir: Annotated[
        Path, typer.Option("--out", help="Case folder to write (must not exist unless --force).")
    ],
    evidence: Annotated[
        str | None, typer.Option("--evidence", help="Observed nodes: NODE=STATE[,NODE=STATE...].")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a folder import-bn wrote before.")
    ] = False,
    as_json: Json = False,
) -> None:
    """Turn a Bayesian network into a case: hypotheses from one node, items from observed ones."""
    from motives.app.networks import import_network

    wrote, lines, notes = import_network(network_file, hypothesis, out_dir, evidence, force=force)
    for note in notes:
        say(f"note: {note}", to_err=True)
    print_json(wrote) if as_json else say("\n".join(lines))


@command("add-lens")
def add_lens_cmd(
    case_dir: CaseDir,
    lens_file: Annotated[
        Path,
        typer.Argument(
            help="A reader's lens file (YAML), from the interactive appendix's "
            "'Download my judgements'."
        ),
    ],
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Case folder to write, extending CASE with the new "
            "lens (default: beside CASE, named CASE_LENSID).",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a folder motives wrote before.")
    ] = False,
    as_json: Json = False,
) -> None:
    """Add a reader's lens file to a case: a new case folder that extends CASE with that lens."""
    from motives.app.jobs import add_lens_outputs
    from motives.lensfile import case_judgement_lines, not_applied_lines

    folder, files, case, lf = add_lens_outputs(case_dir, lens_file, out_dir, force)
    for line in not_applied_lines(lf):
        say(f"note: {line}", to_err=True)
    if as_json:
        print_json(
            {
                "wrote": [str(folder / f) for f in files],
                "case": case.name,
                "lens": lf.lens.id,
                "changed": len(lf.changed),
                "based_on": lf.based_on,
            }
        )
        return
    say(
        f"wrote {folder}/ ({', '.join(files)}): case '{case.name}' with lens '{lf.lens.id}'"
        f"{f' ({lf.lens.name})' if lf.lens.name else ''}: {plural(len(lf.changed), 'judgement')} "
        "changed, the rest "
        f"as lens '{lf.based_on}'. Pool the lenses: mv.pool(mv.load_case('{folder}'))"
    )
    for line in case_judgement_lines(case, lf):
        say(line)


def main() -> None:
    """Entry point: a failed fit is stated by the CLI (exit 3).

    Other warnings as one line (``plain_warnings``).
    """
    plain_warnings()
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
