"""Typed sensitivity results: metadata fields match what each analysis sets.

Save/load gives equal tables; trend bands.
"""

from __future__ import annotations

import json
import math
import string
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import motives as mv  # noqa: E402
from _sens_cases import rich_case  # noqa: E402
from _structured_cases import random_structured_case  # noqa: E402
from motives.errors import MotivesError  # noqa: E402
from motives.sensitivity import SensitivityResult, conflict, load_results, run_all, surprise  # noqa: E402
from motives.sensitivity.results import (  # noqa: E402
    KIND_OF,
    META,
    DiscountMeta,
    LensTargetMeta,
    PriorSweepMeta,
    unpack,
)

EXAMPLES = ["burglary", "cookies", "diagnostic_test", "dice", "monty_hall", "two_lenses", "witness"]


def _all_tables(case: mv.Case) -> dict[str, pd.DataFrame]:
    t = run_all(case, sweep_points=7, sobol_samples=16)
    t["conflict"] = conflict(case)
    t["surprise"] = surprise(case, n=200)
    return t


def _cases() -> list[tuple[str, mv.Case]]:
    return (
        [(n, mv.examples.load(n)) for n in EXAMPLES]
        + [("rich", rich_case())]
        + [(f"structured_{s}", random_structured_case(s)) for s in range(3)]
    )


@pytest.fixture(scope="module")
def tables() -> dict[str, dict[str, pd.DataFrame]]:
    return {name: _all_tables(case) for name, case in _cases()}


def test_every_kind_is_typed_and_its_fields_are_exactly_what_the_analysis_sets(tables):
    seen = set()
    for case_name, tabs in tables.items():
        for name, df in tabs.items():
            kind = KIND_OF[name]
            seen.add(kind)
            assert set(df.attrs) == set(META[kind].model_fields), (case_name, name, set(df.attrs))
            r = SensitivityResult.of(name, df)
            assert r.kind == kind and type(r.meta) is META[kind]
            assert r.frame().attrs == r.meta.model_dump()
    assert seen == set(META), f"kinds never produced here: {set(META) - seen}"


def test_save_load_round_trips_every_table_of_every_case(tables, tmp_path):
    for case_name, tabs in tables.items():
        folder = tmp_path / case_name
        folder.mkdir()
        for name, df in tabs.items():
            SensitivityResult.of(name, df).save(folder, name)
        back = load_results(folder)
        assert set(back) == set(tabs)
        for name, df in tabs.items():
            pd.testing.assert_frame_equal(back[name].table, df, check_exact=True)
            assert (
                back[name].meta.model_dump_json()
                == SensitivityResult.of(name, df).meta.model_dump_json()
            )
            assert back[name].frame().attrs.keys() == df.attrs.keys()


# --------------------------------------------------------------------------- generated tables

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
_floats = st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True)


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 6))
    levels = draw(st.lists(st.sampled_from(["int64", "str"]), min_size=1, max_size=3))
    names = draw(
        st.lists(
            st.sampled_from(["scenario", "level", "id", "evidence", None]),
            min_size=len(levels),
            max_size=len(levels),
        )
    )
    arrays = []
    for d in levels:
        if d == "int64":
            arrays.append(
                pd.Index(
                    draw(st.lists(st.integers(-(10**12), 10**12), min_size=n, max_size=n)),
                    dtype="int64",
                )
            )
        else:
            arrays.append(pd.Index(draw(st.lists(_text, min_size=n, max_size=n)), dtype="str"))
    idx = (
        pd.MultiIndex.from_arrays(arrays, names=names)
        if len(arrays) > 1
        else arrays[0].rename(names[0])
    )
    cols = draw(
        st.lists(
            st.text(alphabet=string.ascii_lowercase + "_.0123456789", min_size=1, max_size=8),
            max_size=5,
            unique=True,
        )
    )
    data = {}
    for c in cols:
        kind = draw(st.sampled_from(["float64", "int64", "bool", "str", "str_na"]))
        if kind == "float64":
            data[c] = pd.Series(
                draw(st.lists(_floats, min_size=n, max_size=n)), dtype="float64", index=idx
            )
        elif kind == "int64":
            data[c] = pd.Series(
                draw(st.lists(st.integers(-(2**62), 2**62), min_size=n, max_size=n)),
                dtype="int64",
                index=idx,
            )
        elif kind == "bool":
            data[c] = pd.Series(
                draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool, index=idx
            )
        else:
            vals = draw(
                st.lists(
                    st.one_of(_text, st.none()) if kind == "str_na" else _text,
                    min_size=n,
                    max_size=n,
                )
            )
            data[c] = pd.Series(vals, dtype="str", index=idx)
    return pd.DataFrame(data, index=idx)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    df=frames(),
    meta=st.builds(
        PriorSweepMeta,
        lens=_text,
        target=_text,
        target_level=st.sampled_from(["hypothesis", "family"]),
        spacing=st.sampled_from(["linear", "logit"]),
        case_prior=_floats,
        tie_prior=st.one_of(st.none(), _floats),
    ),
)
def test_generated_tables_and_metadata_round_trip(df, meta, tmp_path_factory):
    """Text with commas, quotes, newlines and "nan"; missing text.

    NaN, -0.0, infinities, subnormals; int levels.
    """
    folder = tmp_path_factory.mktemp("gen")
    r = SensitivityResult("prior_sweep", df, meta)
    r.save(folder, "t")
    back = SensitivityResult.load(folder, "t")
    pd.testing.assert_frame_equal(back.table, df, check_exact=True)
    assert back.meta.model_dump_json() == meta.model_dump_json()
    assert back.equals(r)
    for c in (
        df.columns
    ):  # -0.0 stays -0.0 (assert_frame_equal does not see the sign; a NaN's sign means nothing)
        if df[c].dtype == "float64":
            x, y = back.table[c].to_numpy(), df[c].to_numpy()
            num = ~np.isnan(y)
            assert np.array_equal(np.signbit(x[num]), np.signbit(y[num]))


@given(
    gamma=st.dictionaries(st.floats(0, 1), st.one_of(st.none(), st.floats(0, 10)), max_size=4),
    n=st.integers(0, 50),
)
def test_float_keys_of_gamma_for_survive_json(gamma, n):
    m = DiscountMeta(
        lens="a", target="t", target_level="family", diagnostic_items=n, gamma_for=gamma
    )
    back = DiscountMeta.model_validate_json(m.model_dump_json())
    assert back == m and all(isinstance(k, float) for k in back.gamma_for)


# ------------------------------------------------------------------------- bad files and bad intake


@pytest.fixture
def saved(tmp_path) -> Path:
    r = SensitivityResult.of("tornado", mv.sensitivity.tornado(mv.examples.load("dice")))
    r.save(tmp_path, "tornado")
    return tmp_path


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda p: (p / "tornado.json").unlink(), "no such file"),
        (lambda p: (p / "tornado.csv").unlink(), "no such file"),
        (lambda p: (p / "tornado.json").write_text("{"), "not valid JSON"),
        (lambda p: (p / "tornado.json").write_text("{}"), "not a motives sensitivity result"),
        (lambda p: _edit_json(p, lambda d: d.update(version=99)), "version 99"),
        (lambda p: _edit_json(p, lambda d: d["meta"].pop("factor")), "missing: factor"),
        (lambda p: _edit_json(p, lambda d: d["meta"].update(factor="three")), "factor"),
        (lambda p: _edit_json(p, lambda d: d.update(kind="nonsense")), "unknown kind"),
        (lambda p: _edit_csv(p, lambda t: t.replace("evidence,", "item,", 1)), "header"),
        (lambda p: _edit_csv(p, _last_cell_of_first_row("x")), "not an integer"),
        (
            lambda p: _edit_csv(p, lambda t: t + "extra\n"),
            "line 5: 1 cells",
        ),  # 2 items and the prior
    ],
)
def test_a_missing_or_edited_file_is_one_clear_error(saved, edit, words):
    edit(saved)
    with pytest.raises(MotivesError, match=words) as exc:
        SensitivityResult.load(saved, "tornado")
    assert "tornado" in str(exc.value)


def _edit_json(folder: Path, fn) -> None:
    p = folder / "tornado.json"
    d = json.loads(p.read_text())
    fn(d)
    p.write_text(json.dumps(d))


def _last_cell_of_first_row(value: str):
    def edit(text: str) -> str:
        lines = text.split("\n")
        lines[1] = lines[1].rsplit(",", 1)[0] + "," + value  # the direction column (int64)
        return "\n".join(lines)

    return edit


def _edit_csv(folder: Path, fn) -> None:
    p = folder / "tornado.csv"
    p.write_text(fn(p.read_text()))


def test_unpack_accepts_a_result_or_an_attributed_frame_and_refuses_the_rest():
    tor = mv.sensitivity.tornado(mv.examples.load("dice"))
    r = SensitivityResult.of("tornado", tor)
    assert unpack(r, "tornado")[1] == unpack(tor, "tornado")[1]
    with pytest.raises(ValueError, match="expected a tornado result, got a break_even result"):
        unpack(
            SensitivityResult.of("break_even", mv.sensitivity.break_even(mv.examples.load("dice"))),
            "tornado",
        )
    with pytest.raises(TypeError, match="SensitivityResult or a DataFrame"):
        unpack(tor.to_dict(), "tornado")
    mine = tor.copy()
    mine.attrs = {**tor.attrs, "note": "my own"}  # a key of the user's own: left aside
    assert unpack(mine, "tornado")[1] == r.meta
    wrong = tor.copy()
    wrong.attrs = {**tor.attrs, "factor": "three"}
    with pytest.raises(ValueError, match="factor: Input should be a valid number"):
        unpack(wrong, "tornado")
    with pytest.raises(TypeError, match="needs meta of type TornadoMeta"):
        SensitivityResult(
            "tornado", tor, LensTargetMeta(lens="a", target="d8", target_level="family")
        )


@pytest.mark.parametrize(
    "name", ["prior_sweep", "tornado", "cruxes", "sobol", "break_even", "evidence_discount"]
)
def test_every_plot_that_needs_metadata_refuses_a_bare_frame(name):
    from motives import plots as P

    case = mv.examples.load("two_lenses")
    df = run_all(case, sweep_points=5, sobol_samples=16)[name].copy()
    fn = {
        "prior_sweep": P.plot_prior_sweep,
        "tornado": P.plot_tornado,
        "cruxes": P.plot_cruxes,
        "sobol": P.plot_sobol,
        "break_even": P.plot_break_even,
        "evidence_discount": P.plot_discount,
    }[name]
    df.attrs = {}
    with pytest.raises(ValueError, match="in its metadata"):
        fn(df)


# --------------------------------------------------------------------------- trend bands


def _timeline_case(trends: dict) -> mv.Case:
    return mv.Case.model_validate(
        {
            "name": "trend",
            "hypotheses": [{"id": h} for h in trends],
            "evidence": [
                {
                    "id": "tl",
                    "kind": "timeline",
                    "title": "T",
                    "origin": 2000,
                    "sigma": 0.5,
                    "observations": [{"date": "2001", "code": 0}, {"date": "2012", "code": 2}],
                    "trends": {"default": {"values": trends}},
                }
            ],
        }
    )


@given(
    a=st.floats(-5, 5),
    sa=st.floats(0.01, 3),
    b=st.floats(-1, 1),
    sb=st.floats(1e-3, 0.5),
    year=st.floats(1995, 2030),
)
@settings(max_examples=60, deadline=None)
def test_linear_band_is_the_normal_interval_in_closed_form(a, sa, b, sb, year):
    from scipy.stats import norm

    case = _timeline_case(
        {
            "h": {"intercept": {"mean": a, "sd": sa}, "slope": {"mean": b, "sd": sb}},
            "g": {"intercept": {"mean": 0, "sd": 1}, "slope": {"mean": 0, "sd": 0.1}},
        }
    )
    bands = trend_rows(case, [year], "h")
    t = year - 2000
    sd = math.sqrt(sa**2 + (sb * t) ** 2)
    assert bands["mean"] == pytest.approx(a + b * t, abs=1e-12)
    assert bands["sd"] == pytest.approx(sd, rel=1e-12)
    z = norm.ppf(0.95)
    assert bands["lower"] == pytest.approx(a + b * t - z * sd, rel=1e-12, abs=1e-12)
    assert bands["upper"] == pytest.approx(a + b * t + z * sd, rel=1e-12, abs=1e-12)


def trend_rows(case: mv.Case, years: list[float], h: str) -> pd.Series:
    from motives.exact import trend_bands

    b = trend_bands(case, "tl", years=years)
    return b[b["ids"].str.split(",").map(lambda ids: h in ids)].iloc[0]


@pytest.mark.parametrize("seed", range(4))
def test_step_band_holds_the_mass_by_brute_force(seed):
    """Sample break date and levels.

    The band's ends are the sample's 5% and 95% quantiles, the mean its mean.
    """
    from motives.exact import trend_bands

    rng = np.random.default_rng(seed)
    dates = sorted(
        rng.choice(np.arange(2002, 2012), size=int(rng.integers(1, 4)), replace=False).tolist()
    )
    mb, ma = rng.normal(0, 2, 2)
    sb, sa = rng.uniform(0.05, 1.0, 2)
    case = _timeline_case(
        {
            "s": {
                "step": {
                    "before": {"mean": float(mb), "sd": float(sb)},
                    "after": {"mean": float(ma), "sd": float(sa)},
                    "at": {"grid": [str(d) for d in dates]},
                }
            },
            "f": {"intercept": {"mean": 0, "sd": 1}, "slope": {"mean": 0, "sd": 0.1}},
        }
    )
    step = case.evidence[0].trends["default"].values["s"].step
    cut = [d.decimal_year for d in step.break_dates]
    years = np.linspace(2000, 2013, 27)
    b = trend_bands(case, "tl", years=years)
    b = b[b["ids"] == "s"]
    n = 400_000
    k = rng.integers(0, len(cut), n)
    before, after = rng.normal(mb, sb, n), rng.normal(ma, sa, n)
    for (_, row), y in zip(b.iterrows(), years, strict=True):
        draws = np.where(y >= np.asarray(cut)[k], after, before)
        se = max(float(draws.std()), 1e-3)
        assert row["mean"] == pytest.approx(draws.mean(), abs=0.02 * se + 1e-9)
        assert row["sd"] == pytest.approx(draws.std(), rel=0.02, abs=1e-3)
        assert row["lower"] == pytest.approx(np.quantile(draws, 0.05), abs=0.03 * se + 0.01)
        assert row["upper"] == pytest.approx(np.quantile(draws, 0.95), abs=0.03 * se + 0.01)
        inside = np.mean((draws >= row["lower"]) & (draws <= row["upper"]))
        assert inside == pytest.approx(0.90, abs=0.005)


def test_identical_trends_share_one_band_and_the_plot_draws_exactly_the_bands():
    from motives.exact import trend_bands
    from motives.plots import plot_timeline

    same = {"intercept": {"mean": 1, "sd": 0.5}, "slope": {"mean": 0.1, "sd": 0.05}}
    case = _timeline_case(
        {
            "h1": same,
            "h2": {"intercept": {"mean": 0, "sd": 0.2}, "slope": {"mean": 0, "sd": 0.01}},
            "h3": same,
        }
    )
    bands = trend_bands(case)
    assert list(dict.fromkeys(bands["ids"])) == ["h1,h3", "h2"]
    fig, ax = plot_timeline(case)
    lines = [ln for ln in ax.get_lines() if ln.get_label() in ("h1, h3", "h2")]
    assert [ln.get_label() for ln in lines] == ["h1, h3", "h2"]
    for k, ln in enumerate(lines):
        b = bands.xs(k, level="trend")
        assert np.array_equal(ln.get_xdata(), b["year"].to_numpy())
        assert np.array_equal(ln.get_ydata(), b["mean"].to_numpy())
        verts = ax.collections[k].get_paths()[0].vertices
        assert np.allclose(verts[:, 1].min(), b["lower"].min()) and np.allclose(
            verts[:, 1].max(), b["upper"].max()
        )
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_trend_bands_refuse_what_is_not_a_timeline():
    from motives.exact import trend_bands

    with pytest.raises(ValueError, match="no timeline item"):
        trend_bands(mv.examples.load("cookies"))
    case = _timeline_case(
        {
            "h": {"intercept": {"mean": 0, "sd": 1}, "slope": {"mean": 0, "sd": 0.1}},
            "g": {"intercept": {"mean": 1, "sd": 1}, "slope": {"mean": 0, "sd": 0.1}},
        }
    )
    with pytest.raises(ValueError, match="mass must lie strictly between 0 and 1"):
        trend_bands(case, mass=1.0)


@given(mu=st.floats(-5, 5), sd=st.floats(1e-3, 3), k=st.integers(1, 3))
@settings(max_examples=40, deadline=None)
def test_bisection_of_a_step_with_equal_levels_finds_the_normal_quantiles(mu, sd, k):
    """A step whose two levels have one distribution is a single Normal.

    The mixture's bisection must find mu -/+ z sd.
    """
    from scipy.stats import norm

    from motives.exact import trend_bands

    level = {"mean": mu, "sd": sd}
    case = _timeline_case(
        {
            "s": {
                "step": {
                    "before": level,
                    "after": level,
                    "at": {"grid": [str(2003 + 3 * i) for i in range(k)]},
                }
            },
            "f": {"intercept": {"mean": 0, "sd": 1}, "slope": {"mean": 0, "sd": 0.1}},
        }
    )
    b = trend_bands(case, years=np.linspace(2000, 2013, 14))
    b = b[b["ids"] == "s"]
    z = norm.ppf(0.95)
    assert np.allclose(b["lower"], mu - z * sd, rtol=0, atol=1e-8 * max(1.0, abs(mu) + sd))
    assert np.allclose(b["upper"], mu + z * sd, rtol=0, atol=1e-8 * max(1.0, abs(mu) + sd))
    assert np.allclose(b["sd"], sd, rtol=1e-9)
