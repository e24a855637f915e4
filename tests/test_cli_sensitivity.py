"""``motives sensitivity`` and ``motives report``.

Outputs, atomic folders, --force, clear errors.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

import motives as mv  # noqa: E402
from motives.cli import app  # noqa: E402
from motives.report import check_latex  # noqa: E402
from motives.sensitivity.run import TABLES  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LATEX = shutil.which("pdflatex") or shutil.which("lualatex")
runner = CliRunner()

CASE = """\
name: small
title: A small case with two lenses
default_lens: a
hypotheses:
  - {id: sec, label: Security, family: security}
  - {id: reg, label: Regime, family: nonsecurity}
  - {id: ide, label: Ideology, family: nonsecurity}
families: [{id: security, label: Security}, {id: nonsecurity, label: Non-security}]
lenses: [{id: a, name: Reader A}, {id: b, name: Reader B}]
sources:
  - {key: wire, reliability: {mean: 0.7, concentration: 10}}
issue_areas: [{id: talks, title: "Talks & deals"}, {id: force, title: Force}]
"""

ITEMS = """\
issue_area: talks
evidence:
  - id: talks_failed
    title: "Talks failed (50% of the time, says R&D_note)"
    date: 2021-12
    sources: [doc1]
    likelihoods:
      a: {values: {sec: 0.3, reg: 0.7, ide: 0.6}, confidence: medium}
      b: {values: {sec: 0.6, reg: 0.6, ide: 0.5}}
  - id: wire_report
    title: A wire report
    sources: [wire]
    reported_by: wire
    likelihoods:
      a: {values: {sec: 0.2, reg: 0.6, ide: 0.7}}
  - id: statements
    kind: timeline
    title: Statements
    issue_area: force
    origin: 2000
    sigma: 1.0
    observations:
      - {date: 2002, code: 0}
      - {date: 2010, code: 2}
      - {date: 2021, code: 4}
    trends:
      a:
        values:
          sec: {intercept: {mean: 3, sd: 0.5}, slope: {mean: 0, sd: 0.05}}
          reg: {intercept: {mean: 0.5, sd: 0.5}, slope: {mean: 0.15, sd: 0.05}}
          ide: {intercept: {mean: 0.5, sd: 0.5}, slope: {mean: 0.15, sd: 0.05}}
"""

BIB = """\
@misc{doc1, title = {One}}
@misc{wire, title = {Wire}}
"""


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp_path = tmp_path_factory.mktemp("small")
    case = tmp_path / "case"
    case.mkdir()
    (case / "case.yaml").write_text(CASE)
    (case / "items.yaml").write_text(ITEMS)
    (case / "references.bib").write_text(BIB)
    s = tmp_path / "spec.yaml"
    s.write_text(
        textwrap.dedent("""\
        name: small
        case: case
        lens: a
        prior: uniform
        sensitivity: {sobol_samples: 64, sweep_points: 21}
        figures: [pdf, png]
    """)
    )
    return s


def _figures(folder: Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for p in (folder / "figures").iterdir():
        out.setdefault(p.stem, set()).add(p.suffix)
    return out


@pytest.fixture(scope="module")
def sens(spec: Path) -> Path:
    out = spec.parent / "sens"
    res = runner.invoke(app, ["sensitivity", str(spec), "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out


@pytest.fixture(scope="module")
def rep(spec: Path) -> Path:
    out = spec.parent / "rep"
    res = runner.invoke(app, ["report", str(spec), "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out


def test_sensitivity_writes_every_table_and_figure(sens):
    out = sens
    assert {p.stem for p in out.glob("*.csv")} == set(TABLES)
    figs = _figures(out)
    assert {
        "credences",
        "ledger",
        "trajectory",
        "prior_sweep",
        "tornado",
        "lenses",
        "cruxes",
        "sobol",
        "break_even",
        "information",
        "timeline_statements",
    } <= set(figs)
    assert all(v == {".pdf", ".png"} for v in figs.values())
    tor = pd.read_csv(out / "tornado.csv", index_col="evidence")
    assert set(tor[tor["kind"] == "item"].index) == {"talks_failed", "wire_report", "statements"}
    # and every other judgement: the wire's reliability, the base rate of its report, the prior
    assert set(tor[tor["kind"] != "item"].index) == {
        "source:wire",
        "base_rate:wire_report",
        "prior",
    }
    summary = json.loads((out / "summary.json").read_text())
    assert summary["method"] == "exact" and summary["lens"] == "a"
    assert summary["spec"]["name"] == "small" and summary["leading_family"] in (
        "security",
        "nonsecurity",
    )
    from motives.models.config import (
        case_hash,
    )  # what the outputs were computed from: the case content, the version

    case = mv.load_case(mv.load_spec(out.parent / "spec.yaml").case_path(out.parent / "spec.yaml"))
    assert (
        summary["spec"]["case_hash"] == case_hash(case)
        and summary["spec"]["motives_version"] == mv.__version__
    )
    side = json.loads((out / "tornado.json").read_text())
    assert side["kind"] == "tornado" and side["meta"]["factor"] == 3.0 and side["meta"]["target"]
    assert {p.stem for p in out.glob("*.json")} == set(TABLES) | {"summary"}
    assert not list(out.parent.glob(".sens.*")), "temporary folder left behind"


def test_existing_output_needs_force(rep, spec):
    out = rep
    (out / "old.txt").write_text("old")
    res = runner.invoke(app, ["report", str(spec), "--out", str(out)])
    assert res.exit_code == 2
    assert "already exists; pass --force" in res.output
    assert (out / "old.txt").exists()
    res = runner.invoke(app, ["report", str(spec), "--out", str(out), "--force"])
    assert res.exit_code == 0, res.output
    assert not (out / "old.txt").exists() and (out / "report.md").exists()
    assert not list(out.parent.glob(".rep.*")), "temporary or old folder left behind"


def test_bad_input_is_one_clear_message(spec, tmp_path):
    bad = spec.parent / "bad.yaml"
    bad.write_text("name: bad\ncase: case\nlens: nobody\n")
    res = runner.invoke(app, ["sensitivity", str(bad), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "unknown lens 'nobody'" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "o").exists()
    res = runner.invoke(
        app, ["report", str(tmp_path / "missing.yaml"), "--out", str(tmp_path / "o")]
    )
    assert res.exit_code == 2 and "Traceback" not in res.output
    bad.write_text("name: bad\ncase: case\nprior: {sec: 0.9, reg: 0.9, ide: 0.9}\n")
    res = runner.invoke(app, ["report", str(bad), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "prior must sum to 1" in res.output


def test_report_writes_markdown_and_latex(rep):
    out = rep
    md = (out / "report.md").read_text()
    for section in (
        "## Posterior",
        "## Evidence",
        "## Prior",
        "## Lenses",
        "## Global sensitivity",
        "## Trajectory",
    ):
        assert section in md
    assert (
        f"case content {json.loads((out / 'summary.json').read_text())['spec']['case_hash']}, "
        "motives " in md
    )
    for link in [ln.split("](")[1].rstrip(")") for ln in md.splitlines() if ln.startswith("![")]:
        assert (out / link).exists(), link
    for name in ("evidence.tex", "posterior.tex"):
        text = (out / "tables" / name).read_text()
        assert check_latex(text) == [], text
    ev = (out / "tables" / "evidence.tex").read_text()
    assert r"\cite{doc1}" in ev and r"50\% of the time, says R\&D\_note" in ev


@pytest.mark.skipif(LATEX is None, reason="no LaTeX engine (pdflatex or lualatex) installed")
def test_report_latex_compiles(rep, tmp_path):
    shutil.copytree(rep / "tables", tmp_path / "tables")
    run = subprocess.run(
        [LATEX, "-interaction=nonstopmode", "-halt-on-error", "tables.tex"],
        cwd=tmp_path / "tables",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:]


def test_baseline_spec_end_to_end(tmp_path):
    """The shipped spec on the Russia-Ukraine case: every CSV, every figure as PDF and PNG."""
    spec = ROOT / "models" / "baseline.yaml"
    if not (ROOT / "evidence" / "case.yaml").exists():
        pytest.skip("the evidence case is not there")
    out = tmp_path / "sens"
    res = runner.invoke(app, ["sensitivity", str(spec), "--out", str(out)])
    assert res.exit_code == 0, res.output
    from motives.io import load_case
    from motives.sensitivity.run import tables_for

    assert {p.stem for p in out.glob("*.csv")} == set(tables_for(load_case(ROOT / "evidence")))
    figs = _figures(out)
    assert len(figs) >= 11 and all(v == {".pdf", ".png"} for v in figs.values())


# ------------------------------------------------------------ saved results redraw the same figures

#: Table -> the figures drawn from it (standard figures by name, or an extra plot function of the
#: table alone).
FIGURE_TABLES: dict[str, list[str]] = {
    "posterior": ["credences"],
    "weight_of_evidence": ["ledger"],
    "proposition_weight": ["ledger"],
    "trajectory": ["trajectory"],
    "prior_sweep": ["prior_sweep"],
    "tornado": ["tornado"],
    "evidence_discount": ["discount"],
    "lens_comparison": ["lenses", "lenses_family"],
    "cruxes": ["cruxes"],
    "sobol": ["sobol"],
    "sobol_credence": ["plot_sobol"],
    "break_even": ["break_even"],
    "item_information": ["information"],
}
#: Tables no figure draws: a loaded one must still equal the computed one (table and metadata).
TABLE_ONLY = {
    "reversal_priors",
    "leave_one_out",
    "leave_one_source_out",
    "leave_one_lens_out",
    "lens_break_even",
    "proposition_information",
    "discount_by_proposition",
    "discount_by_issue_area",
}


def _pixels(fig) -> np.ndarray:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def _png(fig, path: Path, formats: list[str]) -> np.ndarray:
    from motives.plots import save_figure

    save_figure(fig, path, formats)  # as the CLI saved it (the formats in the spec's order)
    return plt.imread(path.with_suffix(".png"))


@pytest.fixture(scope="module")
def structured_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import motives as mv

    tmp = tmp_path_factory.mktemp("structured")
    shutil.copytree(mv.examples.path("burglary"), tmp / "case")
    s = tmp / "spec.yaml"
    s.write_text(
        "name: burglary\ncase: case\nsensitivity: {sobol_samples: 32, sweep_points: 11}\nfigures: "
        "[png]\n"
    )
    return s


@pytest.mark.parametrize("which", ["small", "structured"])
def test_saved_results_redraw_the_same_figures(which, spec, sens, structured_spec, tmp_path):
    """motives sensitivity -> load each saved result -> draw each figure == the computed one.

    Tolerance: none. The loaded tables equal the computed ones exactly (assert_frame_equal,
    check_exact), their metadata compare equal, and each figure's Agg canvas (RGBA array) and its
    saved PNG equal the CLI's pixel for pixel. Every table the CLI saved is either drawn
    (FIGURE_TABLES) or listed in TABLE_ONLY.
    """
    from motives.io import load_case
    from motives.plots import plot_sobol, standard_figures
    from motives.sensitivity import SensitivityResult, load_results, run_all
    from motives.sensitivity.run import tables_for
    from motives.spec import load_spec

    if which == "small":
        spec_file, out = spec, sens
    else:
        spec_file, out = structured_spec, structured_spec.parent / "sens"
        res = runner.invoke(app, ["sensitivity", str(spec_file), "--out", str(out)])
        assert res.exit_code == 0, res.output
    sp = load_spec(spec_file)
    case = load_case(sp.case_path(spec_file))
    lens = case.resolve_lens(sp.lens)
    s = sp.sensitivity
    tables = run_all(
        case,
        lens=lens,
        prior=sp.prior,
        reliability=sp.reliability,
        tornado_factor=s.tornado_factor,
        sweep_points=s.sweep_points,
        sobol_samples=s.sobol_samples,
        seed=s.seed,
    )
    computed = {n: SensitivityResult.of(n, t) for n, t in tables.items()}
    loaded = load_results(out)
    assert set(loaded) == set(tables_for(case)) == set(computed)
    assert set(loaded) <= set(FIGURE_TABLES) | TABLE_ONLY, (
        "classify the new table in FIGURE_TABLES or TABLE_ONLY"
    )
    for name, r in loaded.items():
        pd.testing.assert_frame_equal(r.table, computed[name].table, check_exact=True)
        assert r.meta.model_dump_json() == computed[name].meta.model_dump_json(), name  # NaN == NaN
        assert r.equals(computed[name])
    drawn: set[str] = set()
    pairs = zip(
        standard_figures(case, loaded, lens=lens),
        standard_figures(case, computed, lens=lens),
        standard_figures(case, tables, lens=lens),
        strict=True,
    )
    again = standard_figures(
        case, load_results(out), lens=lens
    )  # fresh figures for the PNG comparison
    for (name, f_load, _), (name2, f_comp, _), (name3, f_df, _) in pairs:
        assert name == name2 == name3
        a = _pixels(f_load)
        assert np.array_equal(a, _pixels(f_comp)), name
        assert np.array_equal(a, _pixels(f_df)), name
        written = out / "figures" / f"{name}.png"
        assert written.exists(), name
        name4, f_png, _ = next(again)
        assert name4 == name
        formats = list(dict.fromkeys([*sp.figures, "png"]))
        assert np.array_equal(_png(f_png, tmp_path / name, formats), plt.imread(written)), name
        plt.close(f_png)
        drawn.add(name)
        for f in (f_load, f_comp, f_df):
            plt.close(f)
    assert drawn == {p.stem for p in (out / "figures").glob("*.png")}
    figs_of_tables = {
        f for n in loaded for f in FIGURE_TABLES.get(n, []) if not f.startswith("plot_")
    }
    assert (
        figs_of_tables - {"lenses", "lenses_family", "cruxes", "sobol", "tornado", "break_even"}
        <= drawn
    )
    if (
        "sobol_credence" in loaded and not loaded["sobol_credence"].table.empty
    ):  # no standard figure: draw it
        f1, _ = plot_sobol(loaded["sobol_credence"])
        f2, _ = plot_sobol(computed["sobol_credence"])
        assert np.array_equal(_pixels(f1), _pixels(f2))
        assert "credence of" in f1.axes[0].get_xlabel()
        plt.close(f1)
        plt.close(f2)


def test_a_table_without_its_metadata_is_a_clear_error(sens):
    """A CSV read back with pandas alone has no metadata.

    The figure says what is missing instead of guessing.
    """
    from motives.plots import plot_discount, plot_prior_sweep, plot_tornado

    for name, fn in (
        ("prior_sweep", plot_prior_sweep),
        ("tornado", plot_tornado),
        ("evidence_discount", plot_discount),
    ):
        bare = pd.read_csv(sens / f"{name}.csv", index_col=[0] if name == "tornado" else [0, 1, 2])
        with pytest.raises(
            ValueError, match=r"needs .*target.* in its metadata \(missing: .*SensitivityResult"
        ):
            fn(bare)
