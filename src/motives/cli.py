"""The ``motives`` command (typer + rich).

Every expected failure (bad input, failed diagnostics) prints one clear
message and exits non-zero; no traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from motives.errors import MotivesError

app = typer.Typer(
    name="motives",
    help="Bayesian evaluation of rival hypotheses.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)  # long lines (item lists, messages) stay whole when piped
err = Console(stderr=True, soft_wrap=True)

EXIT_INPUT = 2


def _fail(exc: Exception) -> None:
    err.print(f"[bold red]error[/]: {len(getattr(exc, 'problems', [1]))} problem(s)", highlight=False)
    for line in str(exc).splitlines():
        err.print(f"  {line}", highlight=False, markup=False)
    raise typer.Exit(EXIT_INPUT)


CaseDir = Annotated[Path, typer.Argument(help="Case folder (or its case.yaml).")]


@app.command()
def check(case_dir: CaseDir) -> None:
    """Validate a case: counts, non-diagnostic items, zero cells, lens coverage."""
    from motives.io import load_case

    try:
        case = load_case(case_dir)
    except MotivesError as exc:
        _fail(exc)
    out.print(f"[bold]{case.name}[/]: {case.title}", highlight=False)
    out.print(f"{len(case.hypotheses)} hypotheses, {len(case.lens_ids)} lenses, "
              f"{len(case.evidence)} evidence items, {len(case.references or {})} references", highlight=False)
    t = Table(title="Items per issue area and lens (rated by the lens / in all)")
    t.add_column("issue area")
    for lens in case.lens_ids:
        t.add_column(lens, justify="right")
    t.add_column("items", justify="right")
    areas = [a.id for a in case.issue_areas] + sorted(
        {e.issue_area or "(none)" for e in case.evidence} - {a.id for a in case.issue_areas})
    for area in areas:
        items = [e for e in case.evidence if (e.issue_area or "(none)") == area]
        if not items:
            continue
        t.add_row(area, *[str(sum(lens in e.judgements() for e in items)) for lens in case.lens_ids], str(len(items)))
    t.add_row("[bold]all[/]", *[str(sum(lens in e.judgements() for e in case.evidence)) for lens in case.lens_ids],
              str(len(case.evidence)))
    out.print(t)
    kinds: dict[str, int] = {}
    for e in case.evidence:
        kinds[e.kind] = kinds.get(e.kind, 0) + 1
    out.print("kinds: " + ", ".join(f"{k} {n}" for k, n in kinds.items()), highlight=False)
    for lens in case.lens_ids:
        nd = case.non_diagnostic(lens)
        if nd:
            out.print(f"non-diagnostic under {lens} (equal likelihoods, change nothing): {', '.join(nd)}",
                      highlight=False)
        zc = case.zero_cells(lens)
        if zc:
            out.print(f"zero likelihoods under {lens} (rule a hypothesis out): "
                      + ", ".join(f"{i} -> {h}" for i, h in zc), highlight=False)
        fb = case.fallbacks(lens)
        if fb and lens != case.default_lens:
            out.print(f"lens {lens} does not rate {len(fb)} item(s); they use {case.default_lens}: {', '.join(fb)}",
                      highlight=False)
    out.print("[green]ok[/]")


@app.command()
def posterior(
    case_dir: CaseDir,
    lens: Annotated[str | None, typer.Option(help="Lens id (default: the case's default lens).")] = None,
    method: Annotated[str, typer.Option(help="exact (closed form) or mcmc (PyMC exclusive model).")] = "exact",
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    draws: Annotated[int, typer.Option(help="MCMC draws per chain.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed for MCMC.")] = 1,
) -> None:
    """Credence of each hypothesis and family given all the evidence."""
    from motives.io import load_case

    if method not in ("exact", "mcmc"):
        _fail(MotivesError(f"--method must be 'exact' or 'mcmc', got {method!r}"))
    try:
        case = load_case(case_dir)
        lens_id = case.resolve_lens(lens)
        if method == "exact":
            from motives.exact import exact_posterior
            from motives.report import summary_dict

            table = exact_posterior(case, lens_id)
            summary = summary_dict(table, method="exact", lens=lens_id, fallbacks=table.attrs["fallbacks"])
        else:
            from motives.models import fit

            res = fit(case, model="exclusive", lens=lens_id, draws=draws, seed=seed)
            summary = res.summary_dict()
    except MotivesError as exc:
        _fail(exc)
    _print_summary(summary, as_json)
    if not as_json and case.propositions:
        from motives.exact import exact_posterior

        flat = exact_posterior(case, lens_id, structure=False)
        fams = ", ".join(f"{key} {row['credence']:.3g}" for (level, key), row in flat.iterrows() if level == "family")
        out.print(f"If every item were independent (structure=False, exact): {fams}. The structured figures above "
                  "count items that bear on one fact through that fact.", highlight=False)
    if not summary["diagnostics"].get("ok", True):
        raise typer.Exit(3)


def _print_summary(summary: dict[str, Any], as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
        return
    mass = summary["interval"]["mass"]
    t = Table(title=f"Credences ({summary['method']}, lens {summary['lens']}; {mass:.0%} central interval)")
    for c in ("level", "id", "credence", "lower", "upper"):
        t.add_column(c, justify="right" if c in ("credence", "lower", "upper") else "left")
    for level, key in (("hypothesis", "hypotheses"), ("family", "families")):
        for i, v in summary[key].items():
            t.add_row(level, i, f"{v['credence']:.4f}", f"{v['lower']:.4f}", f"{v['upper']:.4f}")
    out.print(t)
    if summary.get("fallbacks"):
        out.print(f"{len(summary['fallbacks'])} item(s) not rated by this lens use the default lens: "
                  + ", ".join(summary["fallbacks"]), highlight=False)
    d = summary["diagnostics"]
    if d.get("r_hat_max") is not None:
        colour = "green" if d.get("ok") else "bold red"
        out.print(f"[{colour}]diagnostics[/]: r_hat max {d['r_hat_max']:.4f}, ESS bulk min {d['ess_bulk_min']:.0f}, "
                  f"divergences {d['divergences']}" + ("" if d.get("ok") else " -- FAILED: " + "; ".join(d.get("problems", []))))


@app.command()
def describe(
    case_dir: CaseDir,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the Markdown here (atomically).")] = None,
) -> None:
    """Write a case as Markdown: hypotheses, Table 1, likelihood table, every item."""
    from motives.casebook import case_markdown
    from motives.io import load_case

    try:
        text = case_markdown(load_case(case_dir))
    except MotivesError as exc:
        _fail(exc)
    if out_file is None:
        sys.stdout.write(text)
        return
    tmp = out_file.with_name(out_file.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out_file)
    out.print(f"wrote {out_file}", highlight=False)


@app.command()
def run(
    spec_file: Annotated[Path, typer.Argument(help="Analysis spec (models/*.yaml).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder (created; must not exist unless --force).")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output folder.")] = False,
    allow_bad: Annotated[bool, typer.Option("--allow-bad-diagnostics",
                                            help="Exit 0 even when the MCMC diagnostics fail.")] = False,
) -> None:
    """Fit an analysis spec by MCMC; write summary.json, summary.csv and trace.nc into --out."""
    import shutil
    import tempfile

    from motives.spec import load_spec

    out_dir = out_dir.resolve()
    if out_dir.exists() and not force:
        _fail(MotivesError(f"{out_dir} already exists; pass --force to replace it"))
    if out_dir.exists() and not out_dir.is_dir():
        _fail(MotivesError(f"{out_dir} exists and is not a folder"))
    try:
        spec = load_spec(spec_file)
        from motives.models import fit_spec

        res = fit_spec(spec, spec_file, progressbar=True)
        summary = res.summary_dict()
        summary["spec"] = {"name": spec.name, "file": str(spec_file), "config_hash": spec.config_hash()}
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
        try:
            (tmp / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
            res.summary().to_csv(tmp / "summary.csv")
            res.save(tmp / "trace.nc")
            if out_dir.exists():
                old = out_dir.with_name(f".{out_dir.name}.old")
                shutil.rmtree(old, ignore_errors=True)
                out_dir.rename(old)
                tmp.rename(out_dir)
                shutil.rmtree(old, ignore_errors=True)
            else:
                tmp.rename(out_dir)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    except MotivesError as exc:
        _fail(exc)
    _print_summary(summary, False)
    out.print(f"wrote {out_dir}/summary.json, summary.csv, trace.nc", highlight=False)
    if not summary["diagnostics"].get("ok", True):
        err.print("[bold red]MCMC DIAGNOSTICS FAILED[/]: " + "; ".join(summary["diagnostics"].get("problems", []))
                  + ". The numbers above are not reliable." + ("" if allow_bad else
                  " Exit code 3 (pass --allow-bad-diagnostics to accept them)."), highlight=False)
        if not allow_bad:
            raise typer.Exit(3)


@app.command()
def schema() -> None:
    """Print the JSON Schema of case.yaml and evidence files."""
    from motives.io import json_schema

    sys.stdout.write(json.dumps(json_schema(), indent=2) + "\n")


# --------------------------------------------------------------------------- sensitivity and report


SpecFile = Annotated[Path, typer.Argument(help="Analysis spec (models/*.yaml).")]
OutDir = Annotated[Path, typer.Option("--out", help="Output folder (created; must not exist unless --force).")]
Force = Annotated[bool, typer.Option("--force", help="Replace an existing output folder.")]


def _spec_case(spec_file: Path) -> tuple[Any, Any, str]:
    """Load a spec and its case; check the lens and the prior (errors are MotivesError)."""
    from motives.exact import prior_from
    from motives.io import load_case
    from motives.spec import load_spec

    spec = load_spec(spec_file)
    case = load_case(spec.case_path(spec_file))
    lens = case.resolve_lens(spec.lens)
    prior_from(case, spec.prior)
    return spec, case, lens


def _check_out(out_dir: Path, force: bool) -> Path:
    out_dir = out_dir.resolve()
    if out_dir.exists() and not out_dir.is_dir():
        _fail(MotivesError(f"{out_dir} exists and is not a folder"))
    if out_dir.exists() and not force:
        _fail(MotivesError(f"{out_dir} already exists; pass --force to replace it"))
    return out_dir


def _publish(tmp: Path, out_dir: Path) -> None:
    """Move a finished temporary folder into place (replacing an old one only once the new one is complete)."""
    import shutil

    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        out_dir.rename(old)
        tmp.rename(out_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(out_dir)


def _sensitivity_outputs(spec_file: Path, out_dir: Path, force: bool, *, report: bool) -> dict[str, Any]:
    """Compute every sensitivity table and figure into a temporary folder, then publish it atomically."""
    import shutil
    import tempfile

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    out_dir = _check_out(out_dir, force)
    try:
        spec, case, lens = _spec_case(spec_file)
    except MotivesError as exc:
        _fail(exc)
    import matplotlib

    matplotlib.use("Agg")
    from motives.plots import save_figure, standard_figures
    from motives.sensitivity.run import TABLES, run_all

    s = spec.sensitivity
    formats = list(dict.fromkeys([*spec.figures, *(["png"] if report else [])]))
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    written: dict[str, Any] = {"tables": [], "figures": []}
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, transient=False) as bar:
            task = bar.add_task("sensitivity tables", total=len(TABLES))
            tables = run_all(case, lens=lens, prior=spec.prior, reliability=spec.reliability,
                             tornado_factor=s.tornado_factor, sweep_points=s.sweep_points,
                             sobol_samples=s.sobol_samples, seed=s.seed,
                             on_step=lambda name: bar.update(task, advance=1, description=f"table {name}"))
            tdir = tmp / ("tables" if report else "")
            tdir.mkdir(exist_ok=True)
            attrs = {}
            for name, df in tables.items():
                if not report:
                    df.to_csv(tdir / f"{name}.csv")
                attrs[name] = {k: v for k, v in df.attrs.items() if isinstance(v, str | int | float | bool | list)}
            if not report:
                (tmp / "attrs.json").write_text(json.dumps(attrs, indent=2, default=str) + "\n")
                written["tables"] = [f"{n}.csv" for n in tables]
            tgt = tables["prior_sweep"].attrs["target"]
            fdir = tmp / "figures"
            fdir.mkdir()
            n_fig = 11 + sum(e.kind == "timeline" for e in case.evidence)
            ftask = bar.add_task("figures", total=n_fig)
            import matplotlib.pyplot as plt

            for name, fig, _ax in standard_figures(case, tables, lens=lens):
                save_figure(fig, fdir / name, formats)
                plt.close(fig)
                written["figures"].append(name)
                bar.update(ftask, advance=1, description=f"figure {name}")
            bar.update(ftask, total=len(written["figures"]), completed=len(written["figures"]))
        from motives.report import summary_dict

        summary = summary_dict(tables["posterior"], method="exact", lens=lens,
                               fallbacks=tables["posterior"].attrs.get("fallbacks"),
                               extra={"spec": {"name": spec.name, "file": str(spec_file),
                                               "config_hash": spec.config_hash()},
                                      "leading_family": tgt})
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        if report:
            _write_report(tmp, case, lens, spec, spec_file, tables, written["figures"])
        _publish(tmp, out_dir)
    except MotivesError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        _fail(exc)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if spec.model != "exclusive":
        err.print(f"note: spec model is {spec.model!r}; the sensitivity analyses use the exact posterior of the "
                  "exclusive model.", highlight=False)
    return {"out": out_dir, "summary": summary, **written}


def _write_report(tmp: Path, case: Any, lens: str, spec: Any, spec_file: Path, tables: dict[str, Any],
                  figures: list[str]) -> None:
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
    (tdir / "tables.tex").write_text(R.standalone_latex(r"\input{evidence}", r"\input{posterior}"))
    (tdir / "evidence.md").write_text(R.evidence_markdown(case, lens, prior=spec.prior))
    (tdir / "posterior.md").write_text(R.posterior_markdown(case, lens, prior=spec.prior))
    info = {"name": spec.name, "file": str(spec_file), "lens": lens, "prior": spec.prior, "model": spec.model,
            "config_hash": spec.config_hash(), "tornado_factor": spec.sensitivity.tornado_factor}
    text = R.report_markdown(case, tables, {f: f"figures/{f}.png" for f in figures}, spec=info)
    (tmp / "report.md").write_text(text)


@app.command()
def sensitivity(spec_file: SpecFile, out_dir: OutDir, force: Force = False) -> None:
    """Every sensitivity analysis of a spec (exact engine): CSV tables and figures (PDF and PNG) into --out."""
    res = _sensitivity_outputs(spec_file, out_dir, force, report=False)
    out.print(f"wrote {len(res['tables'])} tables and {len(res['figures'])} figures "
              f"({', '.join(res['figures'])}) to {res['out']}", highlight=False)


@app.command()
def report(spec_file: SpecFile, out_dir: OutDir, force: Force = False) -> None:
    """A Markdown report of a spec with its figures and tables, plus the LaTeX tables (tables/*.tex)."""
    res = _sensitivity_outputs(spec_file, out_dir, force, report=True)
    out.print(f"wrote {res['out']}/report.md, tables/evidence.tex, tables/posterior.tex and "
              f"{len(res['figures'])} figures", highlight=False)


def main() -> None:
    """Entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
