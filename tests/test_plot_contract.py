"""One plot contract (issue 16).

The same keywords with the same defaults on every ``plot_*``, every parameter documented in a
numpy-style Parameters section, ``visuals=`` to switch elements off, and property tests over
``top``, ``width``, ``level`` and ``labels``.
"""

from __future__ import annotations

import inspect
import re
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import xarray as xr  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402

import motives as mv  # noqa: E402
from _sens_cases import rich_case  # noqa: E402
from motives import plots as P  # noqa: E402
from motives import sensitivity as S  # noqa: E402

PLOTS = {name: getattr(P, name) for name in P.__all__ if name.startswith("plot_")}

#: keyword -> its one default
SHARED = {
    "labels": None,
    "ax": None,
    "width": "auto",
    "top": None,
    "level": "family",
    "visuals": None,
}
#: which shared keywords do not apply, and why
NOT_APPLICABLE = {
    "plot_credences": {"level"},  # draws both levels
    "plot_credence_density": {"level"},  # the trace's own dimension
    "plot_shares": {"level"},
    "plot_ledger": {"level"},  # the target picks the level
    "plot_tornado": {"level"},  # one target
    "plot_cruxes": {"level"},
    "plot_sobol": {"level"},
    "plot_break_even": {"level"},
    "plot_information": {"level"},  # both levels, side by side
    "plot_timeline": {"level"},  # hypotheses or a proposition's states
    "plot_structure": {"level", "top"},  # a diagram of the whole case
    "plot_value_posterior": {"level", "top", "labels"},  # one density over values; no ids drawn
}


def documented(fn) -> list[str]:
    """Parameter names of a numpy-style Parameters section (``a``, ``a : type`` or ``a, b``)."""
    doc = inspect.getdoc(fn) or ""
    m = re.search(r"^Parameters\n-+\n(.*?)(?=^\w[^\n]*\n-+\n|\Z)", doc, flags=re.S | re.M)
    assert m, f"{fn.__name__} has no Parameters section"
    names: list[str] = []
    for line in m.group(1).splitlines():
        if line and not line.startswith(" "):
            names += [n.strip() for n in line.split(":")[0].split(",")]
    return names


@pytest.mark.parametrize("name", sorted(PLOTS))
def test_every_plot_has_the_shared_keywords_with_the_shared_defaults(name):
    sig = inspect.signature(PLOTS[name])
    for kw, default in SHARED.items():
        if kw in NOT_APPLICABLE.get(name, set()):
            assert kw not in sig.parameters, f"{name}: {kw} is listed as not applicable but exists"
            continue
        assert kw in sig.parameters, f"{name} lacks {kw}="
        p = sig.parameters[kw]
        assert p.kind is inspect.Parameter.KEYWORD_ONLY, f"{name}: {kw} must be keyword-only"
        assert p.default == default, (
            f"{name}: {kw} defaults to {p.default!r}, the contract says {default!r}"
        )


@pytest.mark.parametrize("name", sorted(PLOTS))
def test_every_parameter_is_documented_and_nothing_else(name):
    fn = PLOTS[name]
    params = list(inspect.signature(fn).parameters)
    docs = documented(fn)
    assert sorted(docs) == sorted(params), (
        f"{name}: undocumented {sorted(set(params) - set(docs))}, "
        f"documented but absent {sorted(set(docs) - set(params))}"
    )
    assert docs == params, f"{name}: document the parameters in signature order"


def test_the_parser_sees_a_missing_parameter():
    def plot_x(table, *, labels=None):
        """X.

        Parameters
        ----------
        table
            T.

        Returns
        -------
        None
        """

    assert documented(plot_x) == ["table"]


# --- visuals
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def case():
    return rich_case()


@pytest.fixture(scope="module")
def tables(case):
    return S.run_all(case, sobol_samples=32, sweep_points=11)


def _trace(var):
    x = np.random.default_rng(0).dirichlet([8, 4, 2, 1], size=(2, 50))
    return xr.Dataset(
        {var: (("chain", "draw", "hypothesis"), x)},
        coords={"hypothesis": ["nat", "reg", "ide", "lea"]},
    )


def calls(case, tables):
    """name -> (function, first arguments) for every plot."""
    from motives.exact import value_table

    grid = mv.Case.model_validate(
        {
            "name": "g",
            "hypotheses": [{"id": f"p{i}", "value": i / 10} for i in range(11)],
            "evidence": [
                {
                    "id": "e",
                    "title": "E",
                    "likelihoods": {f"p{i}": 0.05 + i / 12 for i in range(11)},
                }
            ],
        }
    )
    return {
        "plot_credences": (tables["posterior"],),
        "plot_ledger": (tables["weight_of_evidence"],),
        "plot_trajectory": (tables["trajectory"],),
        "plot_prior_sweep": (tables["prior_sweep"],),
        "plot_tornado": (tables["tornado"],),
        "plot_lenses": (tables["lens_comparison"],),
        "plot_cruxes": (tables["cruxes"],),
        "plot_sobol": (tables["sobol"],),
        "plot_break_even": (tables["break_even"],),
        "plot_information": (tables["item_information"],),
        "plot_discount": (tables["evidence_discount"],),
        "plot_timeline": (case,),
        "plot_credence_density": (_trace("credence"),),
        "plot_shares": (_trace("share"),),
        "plot_structure": (mv.examples.load("burglary"),),
        "plot_value_posterior": (value_table(grid),),
    }


def _elements(fn) -> list[str]:
    """Element names from the docstring's visuals entry (``name`` in double backquotes)."""
    doc = inspect.getdoc(fn) or ""
    block = doc.split("visuals\n", 1)[1].split("\n\n")[0].split("\nReturns")[0]
    return [e for e in re.findall(r"``(\w+)``", block) if e not in ("False", "True")]


def _artists(ax) -> int:
    fig = ax.figure
    return (
        len(ax.lines)
        + len(ax.patches)
        + len(ax.texts)
        + len(ax.collections)
        + len(fig.legends)
        + (ax.get_legend() is not None)
        + len(ax.child_axes)
        + bool(ax.get_title(loc="right"))
    )


def test_every_plot_is_covered(case, tables):
    assert set(calls(case, tables)) == set(PLOTS)


@pytest.mark.parametrize("name", sorted(PLOTS))
def test_visuals_switch_elements_off_and_refuse_unknown_ones(name, case, tables):
    fn, args = PLOTS[name], calls(case, tables)[name]
    elements = _elements(fn)
    assert elements, f"{name}: the visuals entry names no element"
    with pytest.raises(ValueError, match="unknown element 'no_such_thing'"):
        fn(*args, visuals={"no_such_thing": False})
    fig, ax = fn(*args, top=2) if "top" in inspect.signature(fn).parameters else fn(*args)
    full = _artists(ax)
    plt.close(fig)
    kw = {"top": 2} if "top" in inspect.signature(fn).parameters else {}
    fig, ax = fn(*args, visuals=dict.fromkeys(elements, False), **kw)
    assert _artists(ax) < full, f"{name}: switching every element off drew as much"
    plt.close(fig)
    fig, ax = fn(*args, visuals=dict.fromkeys(elements, {}), **kw)  # an empty dict: the defaults
    assert _artists(ax) == full, name
    plt.close(fig)


def test_a_dict_adjusts_an_element(tables):
    fig, ax = P.plot_tornado(
        tables["tornado"], visuals={"ref_line": {"color": "red", "linewidth": 2}}
    )
    assert any(ln.get_color() == "red" and ln.get_linewidth() == 2 for ln in ax.lines)
    plt.close(fig)


# --- property tests over the shared arguments
# ------------------------------------------------------------------

LEVELED = [n for n in sorted(PLOTS) if "level" not in NOT_APPLICABLE.get(n, set())]
TOPPED = [n for n in sorted(PLOTS) if "top" not in NOT_APPLICABLE.get(n, set())]
# Latin (to Latin Extended-B): the figure font (DejaVu Sans) has every glyph; it lacks some of other
# scripts.
label_text = st.text(
    alphabet=st.characters(
        min_codepoint=32,
        max_codepoint=0x24F,
        exclude_categories=("Cs", "Cc", "Cf", "Mn", "Co", "Cn"),
    ),
    min_size=1,
    max_size=120,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.sampled_from(TOPPED),
    top=st.one_of(st.none(), st.integers(1, 30)),
    width=st.sampled_from(["auto", "one", "two", 3.5, 7.2]),
    level=st.sampled_from(["family", "hypothesis"]),
    words=st.lists(label_text, min_size=1, max_size=12),
)
def test_any_shared_arguments_keep_the_contract(case, tables, name, top, width, level, words):
    fn, args = PLOTS[name], calls(case, tables)[name]
    ids = [
        "nat",
        "reg",
        "ide",
        "lea",
        "security",
        "nonsecurity",
        "a",
        "b",
        "orders",
        "talks",
        "report1",
        "neutral",
    ]
    labels = dict(zip(ids, words, strict=False))
    kw = {"top": top, "width": width, "labels": labels}
    if name in LEVELED:
        kw["level"] = level
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig, ax = fn(*args, **kw)
        FigureCanvasAgg(
            fig
        ).draw()  # constrained layout runs here: no "axes sizes collapsed" warning
    assert fig.get_figwidth() == (P.width_of(width) if width != "auto" else fig.get_figwidth())
    assert fig.get_figwidth() in (P.ONE_COLUMN, P.TWO_COLUMN)
    assert fig.get_figheight() <= 9.0
    n_rows = len([t for t in ax.get_yticklabels() if t.get_text()])
    if top is not None and name in (
        "plot_tornado",
        "plot_sobol",
        "plot_break_even",
        "plot_information",
        "plot_cruxes",
        "plot_shares",
    ):
        assert n_rows <= top
    plt.close(fig)


@pytest.mark.parametrize("bad", [0, -1, 2.5, "3", True])
def test_top_must_be_a_positive_whole_number(tables, bad):
    with pytest.raises(ValueError, match="top must be"):
        P.plot_tornado(tables["tornado"], top=bad)


def test_level_must_be_family_or_hypothesis(tables):
    with pytest.raises(ValueError, match="level must be"):
        P.plot_trajectory(tables["trajectory"], level="families")


@pytest.mark.parametrize("given_ax", [False, True])
@pytest.mark.parametrize("name", sorted(PLOTS))
def test_legends_never_cover_the_axes(name, given_ax, case, tables):
    """On a new figure the legend sits above the axes; on a given axes, to its right."""
    fn, args = PLOTS[name], calls(case, tables)[name]
    if given_ax and name == "plot_structure":
        return  # draws on its own figure size, no legend
    kw = {}
    if given_ax:
        host = matplotlib.figure.Figure(figsize=(7.2, 4), layout="constrained")
        kw["ax"] = host.add_subplot()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig, ax = fn(*args, **kw)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
    r = canvas.get_renderer()
    box = ax.get_window_extent(r)
    for leg in [*fig.legends, ax.get_legend()]:
        if leg is not None:
            lb = leg.get_window_extent(r)
            assert not lb.overlaps(box), f"{name}: legend {lb} over the axes {box}"
    plt.close(fig)
