r"""The workflow the CLI and a notebook share.

A spec's case, its analyses, figures, report and fit, written.

Each function here does one command's work and returns what it wrote and found; it prints nothing.
What it has to say while it works (a phase begins, a step is done, a warning) goes to a
:class:`Progress`, which the CLI draws with rich and a notebook may leave silent.

Examples
--------
>>> import shutil, tempfile
>>> from pathlib import Path
>>> import motives as mv
>>> from motives.app import sensitivity_outputs
>>> root = Path(tempfile.mkdtemp())
>>> _ = shutil.copytree(mv.examples.path("witness"), root / "witness")
>>> _ = (root / "w.yaml").write_text(
...     "name: w\ncase: witness\nsensitivity: {sobol_samples: 64, sweep_points: 11}\n"
... )
>>> res = sensitivity_outputs(root / "w.yaml", root / "out", force=False)
>>> (root / "out" / "summary.json").exists(), len(res.tables) > 10
(True, True)
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from motives.app.outputs import OutputFolder
from motives.app.summary import (
    add_groupings,
    case_identity,
    fill_prior,
    if_independent,
    numeric_value,
    power_sensitivity,
    resolve_target,
    target_summary,
)
from motives.errors import MotivesError

__all__ = [
    "LARGE_FIT_CELLS",
    "FitOutputs",
    "Progress",
    "SensitivityOutputs",
    "analysed_case",
    "appendix_outputs",
    "fit_outputs",
    "sensitivity_outputs",
    "spec_case",
    "spec_target",
    "structure_figure",
    "write_report",
]

#: ``motives run`` warns before sampling a model with more uncertain likelihoods than this.
LARGE_FIT_CELLS = 2000


class Progress:
    """What a workflow says while it works; this one says nothing (a notebook, a test).

    The CLI subclasses it.

    ``phase(name, total)`` begins a phase of ``total`` steps (``None``: not known before it ends);
    ``step(description)`` marks one step of the current phase done; ``warn(text)`` is a warning the
    user must see before the work goes on (a fit that may take hours).
    """

    def phase(self, name: str, total: int | None = None) -> None:
        """A phase begins."""

    def step(self, description: str) -> None:
        """One step of the current phase is done."""

    def warn(self, text: str) -> None:
        """A warning to show now."""


@dataclass
class SensitivityOutputs:
    """What ``sensitivity_outputs`` wrote (``out``) and found.

    The summary, the tables and figures, warnings.
    """

    out: Path
    summary: dict[str, Any]
    tables: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: what the refits (``sensitivity.refits``) report, lines to show as they are
    messages: list[str] = field(default_factory=list)


@dataclass
class FitOutputs:
    """What ``fit_outputs`` wrote (``out``, ``files``) and the fit's summary.

    The summary's diagnostics say if the fit failed.
    """

    out: Path
    summary: dict[str, Any]
    files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the MCMC diagnostics passed."""
        return bool(self.summary["diagnostics"].get("ok", True))


def spec_case(spec_file: Path) -> tuple[Any, Any, str]:
    """Load a spec and its case; check the lens and the prior (errors are MotivesError)."""
    from motives.errors import CaseError, Problem
    from motives.exact import prior_from
    from motives.io import load_case
    from motives.spec import load_spec
    from motives.yamlfile import read_yaml

    spec = load_spec(spec_file)
    case = load_case(spec.case_path(spec_file))
    problems: list[
        Problem
    ] = []  # the spec's lens and prior against the case, both reported, in the spec file
    lens: Any = case.default_lens

    def pooled_lenses() -> (
        None
    ):  # every command reads them against the case, not only run (the pooled model)
        seen: set[str] = set()
        for i, name in enumerate(spec.lenses or []):
            if name in seen:
                raise CaseError(
                    [
                        Problem(
                            f"lens '{name}' is listed twice: list each pooled lens once",
                            field=f"lenses.{i}",
                        )
                    ]
                )
            seen.add(name)
            try:
                case.resolve_lens(name)
            except CaseError as exc:
                raise CaseError(
                    [Problem(pr.message, field=f"lenses.{i}") for pr in exc.problems]
                ) from None

    for key, check in (
        ("lens", lambda: case.resolve_lens(spec.lens)),
        ("prior", lambda: prior_from(case, spec.prior)),
        ("lenses", pooled_lenses),
    ):
        try:
            value = check()
        except CaseError as exc:
            lines = read_yaml(Path(spec_file))[1]
            problems += [
                Problem(
                    pr.message,
                    file=str(spec_file),
                    line=lines.get((key,)),
                    field=pr.field if pr.field and pr.field.startswith(key) else key,
                )
                for pr in exc.problems
            ]
        else:
            lens = value if key == "lens" else lens
    if problems:
        raise CaseError(problems)
    return spec, case, lens


def spec_target(spec: Any, case: Any, spec_file: Path, target: str | None) -> Any:
    """The target of ``--target`` or else the spec's ``target:``, checked against the case.

    None stands for the leading family.
    """
    if target is not None:
        return resolve_target(case, target, "--target")
    if spec.target is None:
        return None
    from motives.errors import CaseError, Problem
    from motives.yamlfile import read_yaml

    try:
        return case.resolve_target(spec.target)
    except CaseError as exc:
        line = read_yaml(Path(spec_file))[1].get(("target",))
        raise CaseError(
            [
                Problem(p.message, file=str(spec_file), line=line, field="target")
                for p in exc.problems
            ]
        ) from None


def analysed_case(case: Any, tgt: Any) -> Any:
    """The case the analyses run on.

    For a group target, the case with that grouping's groups as families.
    """
    if tgt is None or tgt.level != "group":
        return case
    if tgt.id in case.hypothesis_ids:
        raise MotivesError(
            f"target {tgt.name}: group '{tgt.id}' of grouping '{tgt.grouping}' has the id of a "
            "hypothesis; as a target a group needs an id of its own (rename it in case.yaml)"
        )
    return case.regrouped(tgt.grouping)


def sensitivity_outputs(
    spec_file: Path,
    out_dir: Path,
    force: bool,
    *,
    report: bool = False,
    target: str | None = None,
    progress: Progress | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    fit: Path | None = None,
) -> SensitivityOutputs:
    """Every sensitivity table and figure of a spec, published atomically.

    With ``report``, the report too.

    What ``motives sensitivity`` and ``motives report`` do but the printing; see the module's
    example. A spec with ``sensitivity.refits`` also refits the MCMC model over that grid
    (``refits.csv``, not with ``report``), in local processes (``workers``) or on the Dask cluster
    ``scheduler`` names (:func:`motives.models.grid.write_refits`). ``fit`` (a ``motives run``
    folder or its ``trace.nc``) adds that fit's power-scaling sensitivity to the report.
    """
    progress = progress or Progress()
    dest = OutputFolder(out_dir, force, spec_file=spec_file)
    spec, case, lens = spec_case(spec_file)
    tgt = spec_target(spec, case, spec_file, target)
    acase = analysed_case(case, tgt)
    s = spec.sensitivity
    with located_limits(
        spec_file
    ):  # the Sobol samples' memory, estimated before anything is computed
        from motives.sensitivity import global_sensitivity

        global_sensitivity(
            acase,
            lens=lens,
            prior=spec.prior,
            reliability=spec.reliability,
            n=s.sobol_samples,
            target=None if tgt is None else tgt.id,
            _estimate_only=True,
        )
    formats = list(dict.fromkeys([*spec.figures, *(["png"] if report else [])]))
    res = SensitivityOutputs(out=dest.path, summary={})
    with dest as tmp:
        tables, results = _tables(acase, lens, spec, tgt, progress)
        if (
            not report
        ):  # each table as <name>.csv, its meaning (target, spacing, ...) as <name>.json
            for name, r in results.items():
                r.save(tmp, name)
            res.tables = [f"{n}.csv" for n in results]
        else:
            (tmp / "tables").mkdir()
        res.figures = _figures(acase, results, lens, tmp / "figures", formats, progress)
        progress.phase("summary" + (" and report" if report else ""), 2 if report else 1)
        res.summary = _sensitivity_summary(case, acase, lens, spec, spec_file, tables, results, tgt)
        if s.refits is not None and not report:  # the spec asks for full refits: a many-fit job
            from motives.models.grid import write_refits

            res.messages = write_refits(
                spec, spec_file, case, tmp, scheduler=scheduler, workers=workers
            )
            res.tables.append("refits.csv")
        (tmp / "summary.json").write_text(json.dumps(res.summary, indent=2) + "\n")
        progress.step("summary.json")
        if report:
            write_report(
                tmp,
                case,
                lens,
                spec,
                spec_file,
                tables,
                res.figures,
                tgt=tgt,
                analysed=acase,
                fit=fit,
            )
            progress.step("report.md")
    noisy = tables["sobol"].attrs.get("noisy") or []
    if noisy:
        res.warnings.append(
            f"Sobol indices too noisy to trust at sobol_samples {s.sobol_samples}: for "
            f"{', '.join(noisy[:5])}"
            + (f" and {len(noisy) - 5} more" if len(noisy) > 5 else "")
            + " the "
            "bootstrap standard error exceeds 0.05, or the first-order index exceeds the total "
            "index beyond its "
            "sampling error (no true index does); raise sensitivity.sobol_samples in the spec"
        )
    if spec.model != "exclusive":
        res.notes.append(
            f"spec model is {spec.model!r}; the sensitivity analyses use the exact posterior of "
            "the exclusive model."
        )
    return res


@contextlib.contextmanager
def located_limits(spec_file: Path) -> Iterator[None]:
    """Turn a :class:`motives.errors.LimitError` raised inside into a located message: the spec, line and field.

    Examples
    --------
    >>> from motives.errors import CaseError, LimitError
    >>> try:
    ...     with located_limits(Path("spec.yaml")):
    ...         raise LimitError("too many", field="sampler.draws")
    ... except CaseError as err:
    ...     print(err.problems[0].field, err.problems[0].file)
    sampler.draws spec.yaml
    """
    from motives.errors import CaseError, LimitError, Problem
    from motives.yamlfile import read_yaml

    try:
        yield
    except LimitError as exc:
        path = tuple(exc.field.split("."))
        try:
            lines = read_yaml(Path(spec_file))[1]
        except (OSError, MotivesError):
            lines = {}
        line = lines.get(path) or lines.get(
            path[:1]
        )  # the key itself, else its section (a default value)
        where = (
            ""
            if path in lines
            else f" (not set in the spec: the default; set {exc.field} to change it)"
        )
        raise CaseError(
            [Problem(str(exc) + where, file=str(spec_file), line=line, field=exc.field)]
        ) from None


def _tables(
    acase: Any, lens: str, spec: Any, tgt: Any, progress: Progress
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every sensitivity table, one progress step each.

    The total is the number of tables ``run_all`` computes.
    """
    from motives.sensitivity.results import SensitivityResult
    from motives.sensitivity.run import run_all, tables_for

    s = spec.sensitivity
    progress.phase("sensitivity tables", len(tables_for(acase)))
    tables = run_all(
        acase,
        lens=lens,
        prior=spec.prior,
        reliability=spec.reliability,
        tornado_factor=s.tornado_factor,
        sweep_points=s.sweep_points,
        sobol_samples=s.sobol_samples,
        seed=s.seed,
        target=None if tgt is None else tgt.id,
        on_step=lambda name: progress.step(f"table {name}"),
    )
    return tables, {name: SensitivityResult.of(name, df) for name, df in tables.items()}


def _figures(
    acase: Any,
    results: dict[str, Any],
    lens: str,
    fdir: Path,
    formats: list[str],
    progress: Progress,
) -> list[str]:
    """Draw and save the standard figures.

    Their number is known only once drawn (no total is guessed).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from motives.plots import save_figure, standard_figures

    fdir.mkdir()
    progress.phase("figures", None)
    names = []
    for name, fig, _ax in standard_figures(acase, results, lens=lens):
        save_figure(fig, fdir / name, formats)
        plt.close(fig)
        names.append(name)
        progress.step(f"figure {name}")
    return names


def _sensitivity_summary(
    case: Any,
    acase: Any,
    lens: str,
    spec: Any,
    spec_file: Path,
    tables: dict[str, Any],
    results: dict[str, Any],
    tgt: Any,
) -> dict[str, Any]:
    """``summary.json`` of ``motives sensitivity`` and ``report``.

    The exact posterior and what the case adds.
    """
    from motives.exact import exact_posterior, prior_from
    from motives.report import summary_dict

    post = (
        tables["posterior"]
        if acase is case
        else exact_posterior(case, lens, spec.prior, reliability=spec.reliability)
    )
    summary = summary_dict(
        post,
        method="exact",
        lens=lens,
        fallbacks=results["posterior"].meta.fallbacks,
        extra={
            "spec": {"name": spec.name, "file": str(spec_file), **case_identity(case)},
            "leading_family": results["prior_sweep"].meta.target,
        },
    )
    if case.structured:
        summary["if_independent"] = if_independent(case, lens, spec.prior, spec.reliability)
    prior_vec = prior_from(case, spec.prior)
    add_groupings(summary, case, prior_vec)
    numeric_value(case, lens, summary)
    if tgt is not None:
        del summary["leading_family"]
        summary["target"] = target_summary(case, tgt, summary, prior_vec)
    return summary


def fit_outputs(
    spec_file: Path,
    out_dir: Path,
    force: bool,
    *,
    progress: Progress | None = None,
    progressbar: bool = False,
    psense: bool = False,
) -> FitOutputs:
    """Fit a spec by MCMC and write ``summary.json``, ``summary.csv`` and ``trace.nc``.

    It writes the structure figure too.

    ``psense`` adds the fit's power-scaling sensitivity to the summary, and its log densities (the
    ``log_prior`` and ``log_likelihood`` groups it is computed from) to ``trace.nc``.

    What ``motives run`` does but the printing. Every phase is announced to ``progress`` (loading,
    building, compiling and sampling, the exact check, saving); ``progressbar`` shows the sampler's
    own bar. A fit whose diagnostics fail is written all the same (``FitOutputs.ok`` says so).
    """
    from motives.spec import load_spec

    progress = progress or Progress()
    spec = load_spec(spec_file)
    case_path = spec.case_path(spec_file)
    dest = OutputFolder(out_dir, force, spec_file=spec_file)
    with dest as tmp:
        from motives.io import load_case
        from motives.models import fit_spec

        progress.phase("loading the case", None)
        case = load_case(case_path)
        spec_target(
            spec, case, spec_file, None
        )  # a target the case does not have is an error here too
        cells = sum(
            1
            for e in case.evidence
            for j in e.judgements().values()
            for v in (getattr(j, "values", None) or {}).values()
            if getattr(v, "concentration", None)
        )
        if cells > LARGE_FIT_CELLS:
            progress.warn(
                f"this case has {cells} uncertain likelihoods (Beta cells), each a parameter to "
                f"sample; {spec.sampler.chains} chains x {spec.sampler.tune + spec.sampler.draws} "
                "steps of a model this size can take hours. The exact engine (motives posterior, "
                "motives sensitivity) answers in seconds; Ctrl-C stops the fit and writes nothing."
            )
        with located_limits(
            spec_file
        ):  # draws x chains whose trace would not fit: refused before sampling
            res = fit_spec(
                spec,
                spec_file,
                progressbar=progressbar,
                case=case,
                on_phase=lambda text: progress.phase(text, None),
            )
        progress.phase("saving", 3 + case.structured)
        summary = res.summary_dict()
        if spec.model == "exclusive":
            fill_prior(summary, case, summary["lens"], spec.prior)
        summary["spec"] = {
            "name": spec.name,
            "file": str(spec_file),
            "config_hash": res.config_hash,
            "case_hash": res.config["case_hash"],
            "motives_version": res.config["motives_version"],
        }
        if psense:
            progress.phase("power-scaling sensitivity (the log densities of every draw)", None)
        summary["power_sensitivity"] = power_sensitivity(res, case, compute=psense)
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        progress.step("summary.json")
        res.summary().to_csv(tmp / "summary.csv")
        progress.step("summary.csv")
        res.save(tmp / "trace.nc")
        progress.step("trace.nc")
        files = ["summary.json", "summary.csv", "trace.nc"]
        if (
            case.structured
        ):  # the structure diagram (the sensitivity and report commands draw the rest)
            structure_figure(case, summary.get("lens"), tmp / "figures", spec.figures)
            progress.step("figures/structure")
            files.append("figures/structure.*")
    return FitOutputs(out=dest.path, summary=summary, files=files)


def appendix_outputs(spec_file: Path, out_dir: Path, force: bool) -> Path:
    """Write a spec's interactive appendix (``index.html``) into ``out_dir``, atomically.

    Return the page.

    The page opens on the spec's lens, prior and target, as the report's numbers do.
    """
    from motives.interactive import appendix as write_appendix

    dest = OutputFolder(out_dir, force, spec_file=spec_file)
    spec, case, lens = spec_case(spec_file)
    tgt = spec_target(
        spec, case, spec_file, None
    )  # the spec's target (located if the case lacks it)
    if spec.prior is not None:
        from motives.exact import prior_from

        case = case.with_prior([float(x) for x in prior_from(case, spec.prior)], normalise=True)
    with dest as tmp:
        write_appendix(
            case, tmp, lens=lens, spec_name=Path(spec_file).name, target=tgt.name if tgt else None
        )
    return dest.path / "index.html"


def write_report(
    tmp: Path,
    case: Any,
    lens: str,
    spec: Any,
    spec_file: Path,
    tables: dict[str, Any],
    figures: list[str],
    *,
    tgt: Any = None,
    analysed: Any = None,
    fit: Path | None = None,
) -> None:
    """Write ``report.md`` and the tables (Markdown and checked LaTeX) of a spec into ``tmp``.

    ``fit`` (a ``motives run`` folder or its ``trace.nc``): the fit's power-scaling sensitivity as a
    section.
    """
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
                raise RuntimeError(
                    f"generated LaTeX table of proposition {pid} is malformed: "
                    + "; ".join(problems)
                )
        (tdir / "propositions.tex").write_text(R.propositions_latex(case, lens))
        (tdir / "propositions.md").write_text(R.propositions_markdown(case, lens, heading="##"))
        inputs.append(r"\input{propositions}")
    (tdir / "tables.tex").write_text(R.standalone_latex(*inputs))
    (tdir / "evidence.md").write_text(R.evidence_markdown(case, lens, prior=spec.prior))
    (tdir / "posterior.md").write_text(R.posterior_markdown(case, lens, prior=spec.prior))
    info = {
        "name": spec.name,
        "file": str(spec_file),
        "lens": lens,
        "prior": spec.prior,
        "model": spec.model,
        **case_identity(case),
        "tornado_factor": spec.sensitivity.tornado_factor,
        "reliability": spec.reliability,
    }
    if tgt is not None:
        info |= {"target": tgt.name, "grouping": tgt.grouping}
    text = R.report_markdown(
        case,
        tables,
        {f: f"figures/{f}.png" for f in figures},
        spec=info,
        analysed=None if analysed is case else analysed,
    )
    if (
        fit is not None
    ):  # the fit's power-scaling sensitivity (motives.models.psense), as its own section
        from motives.models import load_result
        from motives.models.psense import report_section

        trace = fit / "trace.nc" if fit.is_dir() else fit
        text = (
            text.rstrip("\n")
            + "\n\n"
            + report_section(
                power_sensitivity(load_result(trace, spec_file), case), source=str(trace)
            )
        )
    (tmp / "report.md").write_text(text)


def structure_figure(case: Any, lens: str | None, fdir: Path, formats: Sequence[str]) -> None:
    """Write the structure diagram of a structured case as figures/structure.<fmt>."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from motives.plots import plot_structure, save_figure

    fdir.mkdir(exist_ok=True)
    fig, _ = plot_structure(case, lens)
    save_figure(fig, fdir / "structure", formats)
    plt.close(fig)
