"""Figures: each returns (Figure, Axes), has the journal widths, saves as PDF and PNG.

Each also survives greyscale.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import xarray as xr  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import motives as mv  # noqa: E402
from _sens_cases import rich_case  # noqa: E402
from motives import plots as P  # noqa: E402
from motives import sensitivity as S  # noqa: E402
from motives.testing import fake_trace  # noqa: E402


@pytest.fixture(scope="module")
def case():
    return rich_case()


@pytest.fixture(scope="module")
def tables(case):
    return S.run_all(case, sobol_samples=64, sweep_points=21)


def _trace(var: str, seed: int = 3) -> xr.Dataset:
    return fake_trace(
        var, ["nat", "reg", "ide", "lea"], seed=seed
    )  # Dirichlet(8, 4, 2, 1) draws, 2 x 100


def _all(case, tables):
    return {
        "credences": P.plot_credences(tables["posterior"]),
        "ledger": P.plot_ledger(tables["weight_of_evidence"], case=case),
        "trajectory": P.plot_trajectory(tables["trajectory"]),
        "prior_sweep": P.plot_prior_sweep(tables["prior_sweep"], mark=0.6),
        "tornado": P.plot_tornado(tables["tornado"]),
        "lenses": P.plot_lenses(tables["lens_comparison"]),
        "cruxes": P.plot_cruxes(tables["cruxes"]),
        "sobol": P.plot_sobol(tables["sobol"]),
        "break_even": P.plot_break_even(tables["break_even"]),
        "information": P.plot_information(tables["item_information"]),
        "timeline": P.plot_timeline(case),
        "density": P.plot_credence_density(_trace("credence")),
        "shares": P.plot_shares(_trace("share")),
    }


def test_every_plot_returns_figure_and_axes_at_a_journal_width(case, tables):
    n_open = len(plt.get_fignums())
    for name, (fig, ax) in _all(case, tables).items():
        assert isinstance(fig, Figure) and isinstance(ax, Axes), name
        assert fig.get_figwidth() in (P.ONE_COLUMN, P.TWO_COLUMN), name
        assert ax.get_xlabel() or ax.get_title(), name
    assert len(plt.get_fignums()) == n_open  # no pyplot state, nothing shown


def test_save_pdf_and_png(case, tables, tmp_path):
    fig, _ = P.plot_ledger(tables["weight_of_evidence"], case=case)
    paths = P.save_figure(fig, tmp_path / "ledger", ["pdf", "png"])
    assert [p.suffix for p in paths] == [".pdf", ".png"]
    assert paths[0].read_bytes()[:5] == b"%PDF-"
    assert paths[1].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    with Image.open(
        paths[1]
    ) as im:  # 300 dpi at two columns: about 2160 px wide (tight bbox trims)
        assert 1800 < im.width < 2300


def test_lines_differ_by_more_than_colour(case, tables):
    """Greyscale-safe.

    Every data line of a multi-line plot has its own (line style, marker) pair.
    """
    for _fig, ax in (
        P.plot_prior_sweep(tables["prior_sweep"], level="hypothesis"),
        P.plot_trajectory(tables["trajectory"], level="hypothesis"),
        P.plot_timeline(case),
        P.plot_credence_density(_trace("credence")),
    ):
        lines = [
            ln
            for ln in ax.get_lines()
            if not ln.get_label().startswith("_")
            and ln.get_label() not in ("Prior = credence", "Observed (coded)")
            and ln.get_linestyle() not in ("None", "")
        ]
        styles = {(ln.get_linestyle(), str(ln._dash_pattern)) for ln in lines}
        assert len(lines) >= 2
        assert len(styles) == len(lines), [ln.get_label() for ln in lines]


def test_bars_differ_by_hatching_or_fill(case, tables):
    _, ax = P.plot_lenses(tables["lens_comparison"])
    looks = {(p.get_hatch(), to_rgb(p.get_facecolor())) for p in ax.patches}
    assert len(looks) == len(case.lens_ids)
    _, ax = P.plot_tornado(tables["tornado"])
    assert {p.get_hatch() for p in ax.patches} == {None, "////"} or len(
        {p.get_hatch() for p in ax.patches}
    ) == 2


def test_style_is_a_context_manager_that_restores_rcparams():
    before = dict(matplotlib.rcParams)
    with P.style():
        assert matplotlib.rcParams["font.size"] == 8
        assert matplotlib.rcParams["pdf.fonttype"] == 42
    assert matplotlib.rcParams["font.size"] == before["font.size"]


def test_width_keyword(tables):
    fig, _ = P.plot_credences(tables["posterior"], width="two")
    assert fig.get_figwidth() == P.TWO_COLUMN
    with pytest.raises(ValueError, match="width must be"):
        P.plot_credences(tables["posterior"], width="three")


def test_credences_draw_intervals_when_given():
    table = mv.exact_posterior(mv.examples.cookie_case())
    table = table.assign(lower=table["credence"] - 0.1, upper=table["credence"] + 0.1)
    _, ax = P.plot_credences(table)
    segs = [ln for ln in ax.get_lines() if len(ln.get_xdata()) == 2 and ln.get_color() == "black"]
    assert len(segs) == 2  # each hypothesis is its own family: the family rows are not repeated
    assert {ln.get_linestyle() for ln in segs} == {"-"}
    assert "90% central interval" in ax.get_xlabel()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["bowl1", "bowl2"]


def test_credences_show_families_when_they_group_hypotheses(tables):
    _, ax = P.plot_credences(tables["posterior"])
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names[-2:] == ["Security (family)", "Non-security (family)"] and len(names) == 6


def test_density_reads_a_datatree_and_refuses_a_missing_variable():
    tree = xr.DataTree.from_dict({"posterior": _trace("credence")})
    fig, ax = P.plot_credence_density(tree)
    assert len([ln for ln in ax.get_lines() if ln.get_label() in {"nat", "reg", "ide", "lea"}]) == 4
    with pytest.raises(ValueError, match="no variable 'share'"):
        P.plot_shares(tree)


def test_ledger_groups_by_issue_area(case, tables):
    _, ax = P.plot_ledger(tables["weight_of_evidence"], case=case, target="security")
    texts = [t.get_text() for t in ax.texts]
    assert "Diplomacy" in texts and "Force & size" in texts
    assert "security" in ax.get_xlabel()
    assert len(ax.get_yticklabels()) == len(case.evidence)


def test_timeline_needs_a_timeline_item():
    with pytest.raises(ValueError, match="no timeline item"):
        P.plot_timeline(mv.examples.cookie_case())


def test_credences_show_hypothesis_labels_when_each_is_its_own_family():
    """The family rows (one per hypothesis, labelled by id) must not hide the hypotheses' labels."""
    case = mv.Case.model_validate(
        {"name": "own", "hypotheses": [{"id": "a", "label": "Alpha"}, {"id": "b"}], "evidence": []}
    )
    _, ax = P.plot_credences(mv.exact_posterior(case))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Alpha", "b"]
    plt.close("all")


@pytest.mark.parametrize("like", [0.3, 0.5, 0.8, 0.95])
@pytest.mark.parametrize("scale", ["credence", "db"])
def test_prior_sweep_names_its_circle_credence_one_half_and_keeps_it_inside(like, scale):
    # "tie at prior 0.878" read as the reversal point (break-even's tie is with the strongest rival)
    case = mv.Case.model_validate(
        {
            "name": "three",
            "hypotheses": [{"id": "a"}, {"id": "b"}, {"id": "c"}],
            "evidence": [{"id": "e", "title": "E", "likelihoods": {"a": like, "b": 0.6, "c": 0.7}}],
        }
    )
    sweep = S.prior_sweep(case, "a", points=11)
    fig, ax = P.plot_prior_sweep(sweep, scale=scale)
    tie = sweep.attrs["tie_prior"]
    [text] = [t for t in ax.texts]
    assert (
        text.get_text().startswith("credence 1/2 (even odds)\nat prior ")
        and "tie" not in text.get_text()
    )
    assert abs(float(text.get_text().rsplit(" ", 1)[1]) - tie) <= 0.01 * max(tie, 1e-9)
    fig.canvas.draw()
    box, frame = text.get_window_extent(), fig.bbox
    assert frame.x0 <= box.x0 and box.x1 <= frame.x1, (tie, box, frame)
    plt.close(fig)
    cap = P.caption("prior_sweep")
    assert "credence would be 1/2 (even odds" in cap and "ties" not in cap


@pytest.mark.parametrize("grouped", [False, True])
def test_omitted_notes_call_single_hypothesis_families_hypotheses(grouped):
    # "8 of 200 families shown" on a grid whose every family is one hypothesis
    n = 12
    case = mv.Case.model_validate(
        {
            "name": "grid",
            "hypotheses": [
                {"id": f"p{i}", **({"family": f"f{i // 2}"} if grouped else {})} for i in range(n)
            ],
            "evidence": [
                {
                    "id": "e",
                    "title": "E",
                    "date": "2020-01-01",
                    "likelihoods": {f"p{i}": (i + 1) / (n + 1) for i in range(n)},
                }
            ],
        }
    )
    word = "families" if grouped else "hypotheses"
    total = n // 2 if grouped else n
    tgt = "f5" if grouped else "p11"
    for fig, ax in (
        P.plot_prior_sweep(S.prior_sweep(case, tgt, points=5), top=3),
        P.plot_trajectory(S.trajectory(case), top=3),
        P.plot_discount(S.evidence_discount(case, target=tgt, points=5), top=3),
    ):
        assert ax.get_title(loc="right").startswith(f"3 of {total} {word} shown"), ax.get_title(
            loc="right"
        )
        plt.close(fig)


@pytest.mark.parametrize("families", ["none", "own_ids", "grouped", "single_named"])
def test_credences_caption_mentions_families_only_when_they_are_drawn(families):
    # the report's caption spoke of "family (filled squares)" over a figure without family rows
    from matplotlib.colors import to_rgba

    fam = {
        "none": lambda i: {},
        "own_ids": lambda i: {"family": f"h{i}"},
        "grouped": lambda i: {"family": f"f{i // 2}"},
        "single_named": lambda i: {"family": f"f{i}"},
    }[families]
    case = mv.Case.model_validate(
        {
            "name": "c",
            "hypotheses": [{"id": f"h{i}", **fam(i)} for i in range(4)],
            "evidence": [
                {"id": "e", "title": "E", "likelihoods": {f"h{i}": (i + 1) / 5 for i in range(4)}}
            ],
        }
    )
    fig, ax = P.plot_credences(mv.exact_posterior(case))
    filled = any(to_rgba(ln.get_markerfacecolor()) == to_rgba("black") for ln in ax.get_lines())
    plt.close(fig)
    assert (
        filled
        == ("filled squares" in P.caption("credences", case))
        == ("family" in P.caption("credences", case))
    )


def test_plots_take_a_fit_and_refuse_an_empty_table_clearly():
    """plot_credence_density takes the FitResult itself.

    An empty table is one clear error, not a numpy one.
    """
    import matplotlib.pyplot as plt

    import motives as mv
    from motives import sensitivity as S
    from motives.plots import plot_credence_density, plot_ledger, plot_tornado
    from motives.testing import fake_fit

    fit = fake_fit(mv.examples.load("dice"), seed=1)
    fig, ax = plot_credence_density(fit)
    assert len(ax.get_yticklabels()) or ax.lines
    plt.close(fig)
    empty = mv.Case.model_validate(
        {"name": "e", "hypotheses": [{"id": "a"}, {"id": "b"}], "evidence": []}
    )
    # a case without items still has its prior as a judgement: the empty tornado is the table
    # without rows
    for fn, table in (
        (plot_tornado, S.tornado(empty).iloc[:0]),
        (plot_ledger, S.weight_of_evidence(empty)),
    ):
        with pytest.raises(ValueError, match="nothing to draw"):
            fn(table)
