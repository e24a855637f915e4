"""Issue 22's figure fixes, checked on the figures themselves.

The prior-sweep label off the curves, the trajectory's data area, the information figure's two
quantities named apart, even axis-label lines.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import motives as mv  # noqa: E402
from motives import plots as P  # noqa: E402
from motives import sensitivity as S  # noqa: E402
from motives import testing  # noqa: E402
from motives.plots._style import text_width  # noqa: E402


def _lines_under(ax, text) -> int:
    """How many lines of the axes cross the text's box (matplotlib's own path-box intersection)."""
    ax.figure.draw_without_rendering()
    box = text.get_window_extent()
    n = 0
    for ln in ax.lines:
        path = ln.get_transform().transform_path(ln.get_path())
        if len(path.vertices) > 1 and path.intersects_bbox(box, filled=False):
            n += 1
    return n


@pytest.mark.parametrize("name", ["witness", "cookies", "dice", "burglary", "alarm"])
def test_prior_sweep_label_is_off_the_curves(name: str) -> None:
    """On the examples no line runs under the credence-1/2 label.

    The witness's ran under it before.
    """
    case = mv.examples.load(name)
    fig, ax = P.plot_prior_sweep(S.prior_sweep(case, points=41))
    texts = [t for t in ax.texts if t.get_text().startswith("credence 1/2")]
    for t in texts:
        assert _lines_under(ax, t) == 0, (name, t.get_text())
        frame = ax.get_window_extent()
        box = t.get_window_extent()
        assert (
            frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
        )
    plt.close(fig)


@settings(max_examples=15, deadline=None)
@given(
    like=st.floats(0.02, 0.98),
    other=st.floats(0.02, 0.98),
    scale=st.sampled_from(["credence", "db"]),
)
def test_prior_sweep_label_is_legible_on_generated_cases(
    like: float, other: float, scale: str
) -> None:
    """Inside the axes, and either clear of every line or on a white box.

    The white box hides what runs under it.
    """
    case = mv.Case.model_validate(
        {
            "name": "two",
            "hypotheses": [{"id": "a"}, {"id": "b"}, {"id": "c"}],
            "evidence": [
                {"id": "e", "title": "E", "likelihoods": {"a": like, "b": other, "c": 0.5}}
            ],
        }
    )
    fig, ax = P.plot_prior_sweep(S.prior_sweep(case, "a", points=21), scale=scale)
    for t in ax.texts:
        under = _lines_under(ax, t)
        box = t.get_bbox_patch()
        assert under == 0 or (box is not None and box.get_facecolor()[:3] == (1.0, 1.0, 1.0)), (
            like,
            other,
        )
        frame, tb = ax.get_window_extent(), t.get_window_extent()
        assert frame.x0 - 1 <= tb.x0 and tb.x1 <= frame.x1 + 1, (like, other, tb, frame)
    plt.close(fig)


@pytest.mark.parametrize(
    "case",
    [mv.examples.load("burglary"), testing.rich_case(), testing.random_case(3)],
    ids=["burglary", "rich", "random"],
)
def test_trajectory_is_mostly_data(case: mv.Case) -> None:
    """The axes take at least 55% of the figure's height.

    Burglary's took 26% before: labels and white.
    """
    fig, ax = P.plot_trajectory(S.trajectory(case))
    fig.draw_without_rendering()  # the constrained layout places the axes
    share = ax.bbox.height / fig.bbox.height
    assert share >= 0.55, share
    labels = [t.get_window_extent() for t in ax.get_xticklabels() if t.get_text()]
    for a, b in zip(
        labels, labels[1:], strict=False
    ):  # level or rotated, the tick labels never overlap
        assert a.x1 <= b.x0 + 0.5, (a, b)
    plt.close(fig)


def test_information_names_its_two_quantities_apart() -> None:
    """Two quantities (about the hypothesis, about the family).

    Two legend names and both in the axis label; families that are the hypotheses: one bar and one
    quantity.
    """
    fig, ax = P.plot_information(S.item_information(testing.rich_case()))
    names = ax.get_legend_handles_labels()[1] or [t.get_text() for t in fig.legends[0].get_texts()]
    assert names == ["which hypothesis", "which family"]
    label = ax.get_xlabel().replace("\n", " ")
    assert "which hypothesis" in label and "which family" in label and "(bits)" in label
    plt.close(fig)
    case = mv.examples.load("burglary")  # each family one hypothesis
    info = S.item_information(case)
    assert np.allclose(info["voi"], info["voi_family"])
    fig, ax = P.plot_information(info)
    assert not fig.legends and len(ax.patches) == len(info)
    assert "entropy of the hypotheses" in ax.get_xlabel().replace("\n", " ")
    plt.close(fig)


@pytest.mark.parametrize("name", ["witness", "alarm", "rich"])
def test_tornado_label_wraps_in_even_lines(name: str) -> None:
    """One column: the parenthesis under "Credence of ..." is wrapped in lines of even width.

    "x 1/3" is kept together (before: a long line, then "odds x 1/3 and x 3)" on its own).
    """
    case = testing.rich_case() if name == "rich" else mv.examples.load(name)
    fig, ax = P.plot_tornado(S.tornado(case), width="one", labels=P.labels_of(case))
    first, *rest = ax.get_xlabel().split("\n")
    assert first.startswith("Credence of") and rest[0].startswith("(each item's")
    widths = [text_width(ln, 8.0) for ln in rest]
    assert max(widths) <= 1.6 * min(widths), rest
    assert not any(ln.rstrip().endswith(" x") for ln in rest), rest
    plt.close(fig)


@pytest.mark.parametrize("width", ["one", "two"])
def test_sobol_label_is_two_lines(width: str) -> None:
    """The Sobol label keeps its two lines when they fit the figure.

    The quantity, then what it is over.
    """
    case = testing.rich_case()
    fig, ax = P.plot_sobol(S.global_sensitivity(case, n=32), width=width, labels=P.labels_of(case))
    assert ax.get_xlabel().split("\n") == [
        "Share of the variance of the log-odds of Non-security",
        "(over the elicited Beta distributions)",
    ]
    plt.close(fig)
