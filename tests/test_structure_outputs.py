"""Structured cases (propositions) in figures, tables, reports, notebook HTML and CLI outputs."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

import motives as mv  # noqa: E402
from _structured_cases import random_structured_case  # noqa: E402
from motives import plots as P  # noqa: E402
from motives import report as R  # noqa: E402
from motives.cli import app  # noqa: E402
from motives.exact import exact_posterior  # noqa: E402

LATEX = shutil.which("pdflatex") or shutil.which("lualatex")
runner = CliRunner()


@pytest.fixture(scope="module")
def burglary(example_case) -> mv.Case:
    return example_case("burglary")  # tests/conftest.py: loaded once per session


def special_case(p1_b: float = 0.3) -> mv.Case:
    """A structured case whose user text has every character a markup treats specially.

    The characters LaTeX, Markdown, HTML and mathtext treat specially.
    """
    nasty = r"50% of R&D_costs ~ $5 {sic} #1 ^ | <b>*x*</b> [a](b) `c` \ end"
    return mv.Case.model_validate(
        {
            "name": "special",
            "lenses": [{"id": "me"}, {"id": "you"}],
            "hypotheses": [
                {"id": "a", "label": "A & co", "prior": 0.5},
                {"id": "b", "label": "B_2", "prior": 0.5},
            ],
            "propositions": [
                {
                    "id": "p1",
                    "title": "Fact " + nasty,
                    "quote": "quoted " + nasty,
                    "footnotes": [3, 4],
                    "description": "about " + nasty,
                    "likelihoods": {
                        "me": {
                            "values": {"a": 0.8, "b": p1_b},
                            "confidence": "medium",
                            "rationale": nasty,
                        },
                        "you": {"values": {"a": 0.6, "b": 0.4}, "rationale": "theirs " + nasty},
                    },
                },
                {
                    "id": "p2",
                    "title": "Three states " + nasty,
                    "bears_on": "p1",
                    "states": ["hi", "mid", "lo"],
                    "likelihoods": {
                        "me": {
                            "values": {
                                "yes": {"hi": 0.5, "mid": 0.3, "lo": 0.2},
                                "no": {"hi": 0.2, "mid": 0.3, "lo": 0.5},
                            }
                        }
                    },
                },
            ],
            "evidence": [
                {
                    "id": "e1",
                    "title": "Item " + nasty,
                    "bears_on": "p1",
                    "likelihoods": {"yes": 0.7, "no": 0.2},
                },
                {
                    "id": "e2",
                    "title": "Another",
                    "bears_on": "p2",
                    "likelihoods": {"hi": 0.6, "mid": 0.3, "lo": 0.1},
                },
                {"id": "e3", "title": "Direct", "likelihoods": {"a": 0.6, "b": 0.5}},
            ],
        }
    )


# ---------------------------------------------------------------------------- the structure diagram


def _boxes(ax):
    return [p for p in ax.patches if isinstance(p, FancyBboxPatch)]


def _check_layout(fig, ax, width):
    assert float(fig.get_figwidth()) == width
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    r = canvas.get_renderer()
    W = fig.get_figwidth() * fig.dpi
    for t in ax.texts:  # nothing runs off the right edge
        bb = t.get_window_extent(r)
        assert bb.x1 <= W + 1, (t.get_text(), bb.x1, W)
    boxes = [b.get_window_extent(r) for b in _boxes(ax)]
    for i, a in enumerate(boxes):  # boxes never overlap
        for b in boxes[i + 1 :]:
            assert (
                not a.overlaps(b)
                or a.x1 <= b.x0 + 1
                or b.x1 <= a.x0 + 1
                or a.y1 <= b.y0 + 1
                or b.y1 <= a.y0 + 1
            )
    for line in ax.lines:  # greyscale
        c = to_rgb(line.get_color())
        assert max(c) - min(c) < 1e-9


def test_structure_small_case_one_column(burglary, tmp_path):
    fig, ax = P.plot_structure(burglary)
    _check_layout(fig, ax, 3.5)
    assert len(_boxes(ax)) == 3  # the hypotheses and two propositions
    texts = [t.get_text() for t in ax.texts]
    assert "cap 9.0 dB" in texts and "cap 5.4 dB" in texts
    assert (
        sum(
            t.startswith(
                (
                    "A neighbour",
                    "The suspect's phone",
                    "Fibres",
                    "The suspect had a dispute",
                    "The suspect was in debt",
                )
            )
            for t in texts
        )
        == 5
    )
    paths = P.save_figure(fig, tmp_path / "structure")
    assert [p.suffix for p in paths] == [".pdf", ".png"] and all(
        p.stat().st_size > 1000 for p in paths
    )
    plt.close(fig)


def test_structure_case_of_our_size_two_columns():
    case = random_structured_case(3, n_hyp=4, n_props=8, depth=3, n_items=45)
    fig, ax = P.plot_structure(case)
    _check_layout(fig, ax, 7.2)
    assert len(_boxes(ax)) == 1 + 8
    assert fig.get_figheight() < 9.5  # fits a page
    plt.close(fig)


def test_structure_edges_follow_the_caps(burglary):
    fig, ax = P.plot_structure(burglary)
    widths = sorted(ln.get_linewidth() for ln in ax.lines if ln.get_color() == "black")
    assert (
        widths[-1] > widths[-2] > 0.6
    )  # at_scene's cap (9.0 dB) is wider than had_motive's (5.4 dB)
    plt.close(fig)
    assert P.proposition_cap_db(burglary, "at_scene") == pytest.approx(10 * np.log10(8))


def test_structure_non_diagnostic_proposition_is_dashed_and_text_is_mathtext_safe():
    flat = special_case(p1_b=0.8)
    assert "p1" in flat.non_diagnostic("me")
    fig, ax = P.plot_structure(flat, "me", width="two")
    FigureCanvasAgg(fig).draw()  # mathtext would fail on unescaped dollar signs
    assert any(
        isinstance(ln.get_linestyle(), str) and ln.get_linestyle() == "--" for ln in ax.lines
    )
    plt.close(fig)


def test_standard_figures_draw_the_structure_first(burglary, sensitivity_tables):
    tables = sensitivity_tables(burglary, sobol_samples=64, sweep_points=11)
    names = []
    for name, fig, _ax in P.standard_figures(burglary, tables):
        names.append(name)
        plt.close(fig)
    assert names[0] == "structure"
    assert "structure" in P.figures.CAPTIONS


# ----------------------------------------------------------------------------- tables and reports


def test_evidence_table_of_a_structured_case(burglary):
    t = R.evidence_table(burglary)
    assert list(t.columns)[:4] == ["title", "kind", "proposition", "given_state"]
    assert set(t["proposition"]) == {"at_scene", "had_motive"}
    implied = burglary.likelihood_table()
    assert np.allclose(
        t[["suspect", "someone_else"]].to_numpy(float), implied[["suspect", "someone_else"]]
    )
    flat = R.evidence_table(mv.examples.load("cookies"))
    assert "proposition" not in flat.columns  # flat cases keep their columns
    md = R.evidence_markdown(burglary)
    assert "| proposition | given_state |" in md and "do not add up" in md


def test_propositions_markdown_escapes_user_text():
    md = R.propositions_markdown(special_case(), "me")
    assert "### `p1`" in md and "### `p2`" in md
    assert "<b>" not in md and "&lt;b&gt;" in md
    assert r"\*x\*" in md and r"\[a\](b)" in md and r"\|" in md
    assert "Bears on proposition `p1`" in md and "states hi, mid, lo" in md
    assert "- **me** (confidence medium):" in md and "- **you**:" in md
    assert "| you | a | 0.60 | 0.40 |" in md  # every lens that rates it
    assert "footnotes 3, 4" in md and "> quoted" in md


def test_proposition_latex_is_escaped_and_well_formed():
    case = special_case()
    for pid in case.proposition_order():
        for lens in ("me", "you"):
            tex = R.proposition_latex(case, pid, lens)
            assert R.check_latex(tex) == [], tex
    tex = R.proposition_latex(case, "p1", "me")
    assert r"50\% of R\&D\_costs \textasciitilde{} \$5 \{sic\}" in tex
    assert r"$\kappa$" in tex  # medium confidence: a concentration column
    assert "Lens you does not rate it" in R.proposition_latex(case, "p2", "you")
    ev = R.evidence_latex(case, "me")
    assert R.check_latex(ev) == [] and "Proposition" in ev


@pytest.mark.skipif(LATEX is None, reason="no LaTeX engine (pdflatex or lualatex) installed")
def test_structured_latex_compiles(burglary, tmp_path):
    case = special_case()
    doc = R.standalone_latex(
        R.evidence_latex(case, "me"),
        R.propositions_latex(case, "me"),
        R.propositions_latex(burglary),
        R.evidence_latex(burglary),
    )
    (tmp_path / "t.tex").write_text(doc)
    run = subprocess.run(
        [LATEX, "-interaction=nonstopmode", "-halt-on-error", "t.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    assert "Undefined control sequence" not in run.stdout


def test_report_markdown_puts_the_structured_posterior_first(burglary, sensitivity_tables):
    tables = sensitivity_tables(burglary, sobol_samples=64, sweep_points=11)
    md = R.report_markdown(
        burglary, tables, {"structure": "figures/structure.png"}, spec={"name": "b"}
    )
    heads = [ln for ln in md.splitlines() if ln.startswith("## ")]
    assert heads[:4] == ["## In words", "## Posterior", "## Structure", "## Evidence"]
    s = exact_posterior(burglary)["credence"]["hypothesis", "suspect"]
    i = exact_posterior(burglary, structure=False)["credence"]["hypothesis", "suspect"]
    assert md.index("| credence |") < md.index("if_independent")
    # each family is one hypothesis here: the family rows, which would repeat these, are left out
    assert f"| hypothesis | suspect | The suspect did it | 0.100 | {s:.3f} | {i:.3f} |" in md
    assert "| family |" not in md
    assert "would overstate the case for it by 5.0 dB" in md
    assert "](figures/structure.png)" in md and "### `had_motive`" in md
    flat = mv.examples.load("cookies")
    assert "if_independent" not in R.report_markdown(flat, mv.sensitivity.run_all(flat), {})


def test_casebook_and_html():
    case = special_case()
    from motives.casebook import case_markdown

    md = case_markdown(case)
    assert "## Propositions" in md and "Items under proposition `p2`: P(E | state) per lens." in md
    h = case.proposition("p1")._repr_html_()
    assert (
        h.startswith("<div><strong>p1</strong> (proposition)")
        and "&lt;b&gt;" in h
        and "<b>" not in h
    )
    assert "(confidence medium)" in h
    c = case._repr_html_()
    assert "2 propositions (parents first)" in c and "<td>p2</td>" in c
    i = R.item_html(case.item("e2"), case)
    assert "bears on proposition p2" in i and "P(E | state)" in i


# ----------------------------------------------------------------------------- the CLI


@pytest.fixture(scope="module")
def burglary_dir(copy_case) -> Path:
    return copy_case("burglary")


def test_posterior_prints_the_independent_figure_beside(burglary_dir):
    r = runner.invoke(app, ["posterior", str(burglary_dir)], terminal_width=200)
    assert r.exit_code == 0, r.output
    assert "if independent" in r.output and "0.8577" in r.output and "0.6578" in r.output
    j = runner.invoke(app, ["posterior", str(burglary_dir), "--json"])
    d = json.loads(j.output)
    assert list(d)[:7] == [
        "method",
        "lens",
        "interval",
        "hypotheses",
        "families",
        "diagnostics",
        "fallbacks",
    ]
    assert d["hypotheses"]["suspect"]["credence"] == pytest.approx(0.657793, abs=1e-6)
    assert d["if_independent"]["families"]["suspect"] == pytest.approx(0.857680, abs=1e-6)
    flat = runner.invoke(app, ["posterior", str(mv.examples.path("cookies")), "--json"])
    assert "if_independent" not in json.loads(flat.output)


def test_check_lists_propositions(burglary_dir):
    r = runner.invoke(app, ["check", str(burglary_dir)], terminal_width=200)
    assert r.exit_code == 0, r.output
    assert "Propositions (parents first)" in r.output
    assert all(i in r.output for i in ("neighbour_saw_suspect", "fibres_match", "suspect_in_debt"))
    assert "warning" not in r.output


def test_report_writes_structure_figure_and_proposition_tables(burglary_dir, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        f"name: b\ncase: {burglary_dir}\nsensitivity: {{sobol_samples: 64, sweep_points: 11}}\n"
    )
    out = tmp_path / "rep"
    r = runner.invoke(app, ["report", str(spec), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert (out / "figures" / "structure.png").exists() and (
        out / "figures" / "structure.pdf"
    ).exists()
    assert (out / "tables" / "propositions.tex").exists() and r"\input{propositions}" in (
        out / "tables" / "tables.tex"
    ).read_text()
    md = (out / "report.md").read_text()
    assert "](figures/structure.png)" in md and "if_independent" in md
    s = json.loads((out / "summary.json").read_text())
    assert "if_independent" in s and s["hypotheses"]["suspect"]["credence"] == pytest.approx(
        0.657793, abs=1e-6
    )
    if LATEX:
        run = subprocess.run(
            [LATEX, "-interaction=nonstopmode", "-halt-on-error", "tables.tex"],
            cwd=out / "tables",
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stdout[-2000:]


def test_run_writes_the_structure_figure(burglary_dir, tmp_path, mock_sample):
    """The files ``motives run`` writes for a structured case.

    The model is built; its draws are mock_sample's.
    """
    try:
        mv.fit(mv.load_case(burglary_dir), draws=20, tune=20, chains=1, seed=1)
    except Exception as exc:  # noqa: BLE001 - the models branch brings propositions to PyMC
        pytest.skip(
            f"the PyMC models do not take propositions in this checkout ({type(exc).__name__}: "
            f"{exc})"
        )
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"name: b\ncase: {burglary_dir}\nsampler: {{draws: 50, tune: 50, chains: 2}}\n")
    out = tmp_path / "run"
    r = runner.invoke(app, ["run", str(spec), "--out", str(out), "--allow-bad-diagnostics"])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (out / "figures").iterdir()) == ["structure.pdf", "structure.png"]


def test_check_names_non_diagnostic_propositions(tmp_path):
    d = tmp_path / "nd"
    d.mkdir()
    (d / "case.yaml").write_text(
        "name: nd\nhypotheses:\n  - {id: a, prior: 0.5}\n  - {id: b, prior: 0.5}\n"
        "lenses:\n  - {id: me}\n  - {id: you}\n"
    )
    (d / "x.yaml").write_text(
        "propositions:\n  - id: p1\n    title: flat\n    likelihoods:\n      me: {values: {a: 0.5, "
        "b: 0.5}}\nevidence:\n  - id: e1\n    title: under it\n    bears_on: p1\n    likelihoods: "
        "{me: {values: {yes: 0.9, no: 0.1}}}\n"
    )
    r = runner.invoke(app, ["check", str(d)])
    assert r.exit_code == 0, r.output
    assert "non-diagnostic propositions under me" in r.output and "p1" in r.output
    assert "lens you does not rate 1 proposition; they use me's tables: p1" in r.output
