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
out = Console()
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


def main() -> None:
    """Entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
