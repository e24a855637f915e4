"""The size contract of every figure, over generated cases (issue 13).

Every figure is 3.5 in (one column) or 7.2 in (two columns) wide and at most
a page (9 in) tall, *as saved* by :func:`motives.plots.save_figure` (the
writer of ``motives sensitivity`` and ``motives report``): the PDF's page and
the PNG's pixels (at 300 dpi) are read back. Labels of 1-120 characters,
2-1,000 hypotheses and 1-300 items must neither raise a matplotlib warning
(e.g. "constrained_layout not applied") nor change the size.
"""

from __future__ import annotations

import re
import textwrap
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import yaml  # noqa: E402
from PIL import Image  # noqa: E402

import motives as mv  # noqa: E402
from _plot_cases import case_data, gen_case  # noqa: E402
from motives import plots as P  # noqa: E402
from motives import sensitivity as S  # noqa: E402
from motives.plots._style import MAX_HEIGHT  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error")

WIDTHS = (P.ONE_COLUMN, P.TWO_COLUMN)


def saved_size(path: Path) -> tuple[float, float]:
    """Width and height in inches of a saved PDF (its MediaBox) or PNG (pixels at 300 dpi)."""
    if path.suffix == ".pdf":
        box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", path.read_bytes())
        assert box, path
        return float(box.group(1)) / 72, float(box.group(2)) / 72
    with Image.open(path) as im:
        return im.width / 300, im.height / 300


def check_saved(fig, stem: Path, formats=("pdf", "png")) -> tuple[float, float]:
    """Save as the CLI does.

    The saved size equals the figure size, a journal width, at most a page tall.
    """
    w, h = (float(x) for x in fig.get_size_inches())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = P.save_figure(fig, stem, formats)
    for p in paths:
        sw, sh = saved_size(p)
        assert abs(sw - w) < 0.01 and abs(sh - h) < 0.01, (p.name, (sw, sh), (w, h))
    assert w in WIDTHS, (stem.name, w)
    assert 0.5 < h <= MAX_HEIGHT + 1e-9, (stem.name, h)
    return w, h


CASES = {  # (seed, hypotheses, items, label length, options)
    "one_char_labels": (0, 2, 1, 1, {}),
    "sentence_labels": (1, 6, 8, 120, {"lenses": 2, "families": 2}),
    "many_items": (2, 12, 300, 80, {"confidence": False}),
    "sixty_hypotheses": (3, 60, 12, 40, {"lenses": 2, "families": 3}),
    "three_hundred_hypotheses": (4, 300, 3, 100, {"value": True, "confidence": False}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_standard_figures_keep_their_size(name, tmp_path):
    seed, n_hyp, n_items, label_len, kw = CASES[name]
    case = gen_case(seed, n_hyp, n_items, label_len, **kw)
    tables = S.run_all(case, sweep_points=5, sobol_samples=16)
    drawn = []
    for fig_name, fig, _ax in P.standard_figures(case, tables):
        check_saved(
            fig, tmp_path / fig_name, ("pdf", "png") if fig_name == "credences" else ("pdf",)
        )
        plt.close(fig)
        drawn.append(fig_name)
    assert {"ledger", "trajectory", "prior_sweep"} <= set(drawn)
    if kw.get("value"):  # a grid of hundreds of values: one density, not hundreds of rows
        assert "value_posterior" in drawn and "credences" not in drawn
    else:
        assert "credences" in drawn


def test_a_thousand_hypotheses_show_the_top_rows_and_say_how_many_are_left_out(tmp_path):
    case = gen_case(5, 1000, 2, 60, value=True, confidence=False)
    post = mv.exact_posterior(case)
    fig, ax = P.plot_credences(post)
    w, h = check_saved(fig, tmp_path / "credences")
    shown = len(ax.get_yticklabels())
    assert 10 < shown < 1000 and h > 8  # a page of rows, not 1,000
    assert f"{shown} of 1000 rows shown; {1000 - shown} left out" in ax.get_title(
        loc="right"
    ).replace("\n", " ")
    plt.close(fig)
    from motives.exact import value_table

    fig, ax = P.plot_value_posterior(value_table(case, credence=post))
    assert check_saved(fig, tmp_path / "value") == (
        P.ONE_COLUMN,
        2.4,
    )  # a density, whatever the grid
    plt.close(fig)
    fig, ax = P.plot_trajectory(S.trajectory(case), level="hypothesis")
    check_saved(fig, tmp_path / "trajectory", ("pdf",))
    assert len(ax.get_legend_handles_labels()[1]) == 8  # the distinct line styles
    assert ax.get_title(loc="right").replace("\n", " ").startswith("8 of 1000 hypotheses shown")
    plt.close(fig)


def test_the_cli_writes_figures_of_the_contract_sizes(tmp_path):
    """``motives sensitivity`` on a case with sentence-long labels.

    Every saved figure keeps the contract.
    """
    from typer.testing import CliRunner

    from motives.cli import app

    data = case_data(7, 5, 6, 110, lenses=2, families=2)
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "case.yaml").write_text(
        yaml.safe_dump({k: v for k, v in data.items() if k != "evidence"})
    )
    (folder / "items.yaml").write_text(yaml.safe_dump({"evidence": data["evidence"]}))
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        textwrap.dedent("""\
        name: long_labels
        case: case
        prior: uniform
        sensitivity: {sobol_samples: 16, sweep_points: 5}
        figures: [pdf, png]
    """)
    )
    res = CliRunner().invoke(app, ["sensitivity", str(spec), "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert "constrained_layout" not in res.output
    pdfs = sorted((tmp_path / "out" / "figures").glob("*.pdf"))
    assert len(pdfs) >= 8
    for p in pdfs:
        w, h = saved_size(p)
        assert min(abs(w - x) for x in WIDTHS) < 0.01 and h <= MAX_HEIGHT + 0.01, (p.name, w, h)
        pw, ph = saved_size(p.with_suffix(".png"))
        assert abs(pw - w) < 0.01 and abs(ph - h) < 0.01, p.name


@pytest.mark.parametrize(("n_items", "n_hyp", "label_len"), [(7, 3, 5), (200, 60, 120)])
def test_the_structure_diagram_stays_within_a_page(tmp_path, n_items, n_hyp, label_len):
    from _structured_cases import random_structured_case

    case = random_structured_case(1, n_items=n_items, n_props=8, n_hyp=n_hyp)
    hyps = [
        h.model_copy(
            update={
                "label": (f"hypothesis {i} " + "with a long sentence for its label " * 4)[
                    :label_len
                ]
            }
        )
        for i, h in enumerate(case.hypotheses)
    ]
    case = case.model_copy(update={"hypotheses": hyps})
    fig, ax = P.plot_structure(case)
    check_saved(fig, tmp_path / "structure")
    texts = [t.get_text() for t in ax.texts]
    if n_items > 100:  # too many for a page: each group's first items, the rest counted
        assert any(re.fullmatch(r"\u2026 and \d+ more items?", t) for t in texts)
        assert "\u2026 and 30 more" in texts  # 60 hypotheses: the box lists 30
    plt.close(fig)
