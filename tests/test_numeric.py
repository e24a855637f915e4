"""Extreme numbers never give a silent wrong answer (issue 23).

Every numeric field of every likelihood form, reliabilities included, over the extremes of float64,
through loading, the engine and the CLI; one number parser for YAML, ``--prior`` and matrix cells;
Beta quadrature without overflow; check's conflict flags in one vectorised pass equal to one
posterior per item.

The contract for any value: a correct result (finite credences summing to 1; a Beta's mean equal to
a / (a + b) computed in exact rational arithmetic) or a located message with exit 2 — never exit 1
or 70, never a traceback.
"""

from __future__ import annotations

import math
import textwrap
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import motives as mv
from motives import likelihood as lk
from motives.cli import app
from motives.numeric import MAX_CONCENTRATION, beta_moments, beta_nodes, read_number

#: The extremes of float64 the red team used, and ordinary values beside them.
EXTREMES = [
    1e-308,
    5e-324,
    1e308,
    math.inf,
    -math.inf,
    math.nan,
    -0.0,
    0.0,
    1e-300,
    1e300,
    1e12,
    1e13,
]
extreme = (
    st.sampled_from(EXTREMES)
    | st.floats(min_value=1e-6, max_value=1e6)
    | st.floats(allow_nan=True, allow_infinity=True)
)
SLOW = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def yaml_number(x: float) -> str:
    """A float as YAML writes it (``.inf``, ``.nan``), keeping every digit."""
    if math.isnan(x):
        return ".nan"
    if math.isinf(x):
        return ".inf" if x > 0 else "-.inf"
    return repr(x)


def _product_moment(a: float, b: float, d: int) -> float:
    """E[rho^d] of Beta(a, b) as the product Π (a + j) / (a + b + j).

    No Beta function, no overflow.
    """
    j = np.arange(d)
    return float(np.prod((a + j) / (a + b + j)))


# ---------------------------------------------------------------------- Beta moments and quadrature


@given(st.floats(min_value=5e-324, max_value=1e308), st.floats(min_value=5e-324, max_value=1e308))
def test_beta_moments_are_exact_or_refused(a: float, b: float) -> None:
    """{beta: [a, b]}: the mean is a / (a + b) to 1 ulp, or a refusal.

    The mean is checked in rational arithmetic.
    """
    try:
        mean, conc = beta_moments(a, b)
    except ValueError as exc:
        assert "beta [" in str(exc)
        exact_conc = Fraction(a) + Fraction(b)
        exact_mean = Fraction(a) / exact_conc
        assert (
            exact_conc > MAX_CONCENTRATION
            or float(exact_mean) in (0.0, 1.0)
            or exact_mean < 1e-300
            or 1 - exact_mean < 1e-16
        )
        return
    exact = Fraction(a) / (Fraction(a) + Fraction(b))
    assert 0.0 < mean < 1.0 and conc <= MAX_CONCENTRATION
    assert abs(Fraction(mean) - exact) <= 4 * Fraction(math.ulp(float(exact)))


def test_the_red_team_betas() -> None:
    """{beta: [1e308, 1e308]} is refused.

    It was read as mean 0: a hypothesis silently ruled out.
    """
    with pytest.raises(ValueError, match="more than 1e\\+12"):
        lk.parse({"beta": [1e308, 1e308]})
    assert lk.parse({"beta": [1e-300, 1e-300]}).mean == 0.5
    assert lk.parse({"beta": [6e11, 4e11]}).mean == pytest.approx(0.6, rel=1e-15)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=1e-4, max_value=1 - 1e-4),
    st.floats(min_value=1e-300, max_value=MAX_CONCENTRATION),
    st.integers(min_value=1, max_value=60),
)
def test_beta_nodes_integrate_the_engine_integrands(mean: float, conc: float, n: int) -> None:
    """Gauss nodes of any representable Beta.

    Finite, in [0, 1], weights summing to 1, and exact (to 1e-7 relative) for what the engine
    integrates — products of up to 2n - 1 mixtures ρλ + (1 - ρ)b with b ≥ 0.05 — checked against the
    same integral from the moments Π (a + j) / (a + b + j) (binomial expansion).

    The tolerance: scipy's Gauss–Jacobi nodes lose digits for exponents near -1 with many nodes
    (measured worst 1.3e-8 relative on the mean, at mean 0.03, concentration 0.04, 60 nodes); the
    engine prints credences to four significant figures, so 1e-7 leaves a margin without hiding an
    error that
    shows."""
    x, w = beta_nodes(mean, conc, n)
    assert np.isfinite(x).all() and np.isfinite(w).all() and (x >= 0).all() and (x <= 1).all()
    assert w.sum() == pytest.approx(1.0, abs=1e-12) and (w >= 0).all()
    a, b = mean * conc, (1 - mean) * conc
    assert float(w @ x) == pytest.approx(mean, rel=1e-7)
    lam, base = 0.9, 0.3  # integrand (ρ(λ - b) + b)^d = Σ C(d, i) (λ - b)^i b^(d - i) ρ^i
    for d in {d for d in (1, 2, n, 2 * n - 1) if d <= 2 * n - 1}:
        exact = sum(
            math.comb(d, i) * (lam - base) ** i * base ** (d - i) * _product_moment(a, b, i)
            for i in range(d + 1)
        )
        assert float(w @ (x * (lam - base) + base) ** d) == pytest.approx(exact, rel=1e-7)


def test_beta_nodes_where_scipy_overflowed() -> None:
    """A reliability interval [0.999999, 0.9999999] gave NaN weights through scipy.

    Its concentration is ~5e6.
    """
    rel = lk.parse({"interval": [0.999999, 0.9999999]})
    x, w = beta_nodes(rel.mean, rel.concentration, 40)
    assert np.isfinite(w).all() and float(w @ x) == pytest.approx(rel.mean, rel=1e-12)
    x, w = beta_nodes(0.5, 2e-300, 5)  # {beta: [1e-300, 1e-300]}: alpha - 1 is -1 in floating point
    assert np.isfinite(w).all() and float(w @ x) == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("lo", "hi"),
    [(0.999999, 0.9999999), (1e-6, 1e-5), (0.5, 0.9), (1e-9, 1 - 1e-9), (0.45, 0.55), (0.01, 0.05)],
)
def test_interval_fit_hits_its_interval(lo: float, hi: float) -> None:
    """The fitted Beta's central 90% is the interval to 1e-6 relative on the odds scale.

    Near 0 or 1 too: an absolute 1e-6 tolerance had silently accepted [0.99999894, 0.99999981] for
    [0.999999, 0.9999999].
    """
    from scipy import stats

    b = lk.fit_interval(lo, hi)
    q = stats.beta.ppf([0.05, 0.95], b.alpha, b.beta)
    c = stats.beta.ppf([0.95, 0.05], b.beta, b.alpha)  # complements, to keep digits near 1
    for got, comp, want in zip(q, c, (lo, hi), strict=True):
        assert got / comp == pytest.approx(want / (1 - want), rel=1e-5)


@settings(max_examples=60, deadline=None)
@given(extreme, extreme)
def test_interval_form_is_right_or_refused(lo: float, hi: float) -> None:
    """{interval: [lo, hi]} over extremes: a Beta with a finite mean inside, or a ValueError."""
    try:
        b = lk.parse({"interval": [lo, hi]})
    except ValueError:
        return
    assert 0 < lo < hi < 1 and lo <= b.mean <= hi and 0 < b.concentration <= MAX_CONCENTRATION


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        extreme.map(lambda x: {"beta": [x, 1.0]}),
        extreme.map(lambda x: {"beta": [2.0, x]}),
        st.tuples(extreme, extreme).map(lambda t: {"beta": list(t)}),
        st.tuples(extreme, extreme).map(lambda t: {"mean": t[0], "concentration": t[1]}),
        st.tuples(extreme, extreme).map(lambda t: {"interval": list(t)}),
        extreme,
        extreme.map(lambda x: {"p": x, "confidence": "low"}),
    )
)
def test_every_form_is_a_belief_the_engine_can_use_or_a_value_error(form: dict) -> None:
    """Any form with any float: a Belief with finite, positive Beta shapes, or a ValueError."""
    try:
        b = lk.parse(form)
    except ValueError:
        return
    assert 0.0 <= b.mean <= 1.0 and math.isfinite(b.mean)
    if b.concentration is not None:
        assert 0 < b.concentration <= MAX_CONCENTRATION
        assert b.alpha > 0 and b.beta > 0 and math.isfinite(b.alpha) and math.isfinite(b.beta)


# --------------------------------------------------------------------------- one number parser


@pytest.mark.parametrize(
    "text",
    [
        "1e-400",
        "-1e-400",
        "1e400",
        "-1e999",
        "nan",
        "NaN",
        "inf",
        "-Infinity",
        ".inf",
        ".nan",
        "0x10",
        "1,5",
        "",
    ],
)
def test_read_number_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="where"):
        read_number(text, "where")


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_read_number_reads_every_finite_float_back(x: float) -> None:
    assert read_number(repr(x)) == x and read_number(x) == x


CASE = """\
name: tiny
hypotheses:
  - {id: a, prior: 0.5}
  - {id: b, prior: 0.5}
"""


def _case(tmp: Path, items: str, case: str = CASE) -> Path:
    d = tmp / "case"
    d.mkdir(parents=True, exist_ok=True)
    (d / "case.yaml").write_text(textwrap.dedent(case), encoding="utf-8")
    (d / "evidence.yaml").write_text(textwrap.dedent(items), encoding="utf-8")
    return d


ITEM = """\
evidence:
  - id: e1
    title: an item
    likelihoods: {{a: {a}, b: {b}}}
"""


@pytest.mark.parametrize("prior", ["a=1e-400,b=1", "a=1e400,b=0", "a=nan,b=1", "a=inf,b=0"])
def test_cli_prior_uses_the_same_parser(tmp_path: Path, prior: str) -> None:
    """--prior a=1e-400 was read as 0 where YAML refused the same literal.

    Now both refuse it, exit 2.
    """
    folder = _case(tmp_path, ITEM.format(a=0.7, b=0.3))
    result = CliRunner().invoke(app, ["posterior", str(folder), "--prior", prior])
    assert result.exit_code == 2, result.output
    assert "--prior" in result.output and "Traceback" not in result.output
    assert "number" in result.output


@pytest.mark.parametrize(
    ("cell", "needle"),
    [
        ("1e-400", "too small"),
        ("1e400", "too large"),
        ("beta(1e308, 1e308)", "more than 1e+12"),
        ("beta(1e-400, 1)", "too small"),
    ],
)
def test_matrix_cells_use_the_same_parser(tmp_path: Path, cell: str, needle: str) -> None:
    """A matrix cell that underflows, overflows or gives an unusable Beta.

    It is refused with its location (file, line, column).
    """
    matrix = tmp_path / "m.csv"
    matrix.write_text(f'id,title,a,b\ne1,first,"{cell}",0.5\n', encoding="utf-8")
    result = CliRunner().invoke(
        app, ["import-matrix", str(matrix), "--out", str(tmp_path / "out")], terminal_width=300
    )
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert needle in text and "m.csv:2" in text and "'a'" in text, text
    assert not (tmp_path / "out").exists()


def test_matrix_prior_row_uses_the_same_parser(tmp_path: Path) -> None:
    matrix = tmp_path / "m.csv"
    matrix.write_text("id,title,a,b\n#prior,,1e-400,1\ne1,first,0.7,0.5\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["import-matrix", str(matrix), "--out", str(tmp_path / "out")], terminal_width=300
    )
    assert result.exit_code == 2, result.output
    assert "too small" in " ".join(result.output.split())


# ---------------------------------------------------------------------- through loading and the CLI

RELIABLE = """\
name: tiny
hypotheses:
  - {{id: a, prior: 0.5}}
  - {{id: b, prior: 0.5}}
sources:
  - key: s
    reliability: {rel}
"""

REPORTS = """\
evidence:
  - id: e1
    title: first
    reported_by: s
    base_rate: 0.5
    likelihoods: {a: 0.9, b: 0.2}
  - id: e2
    title: second
    reported_by: s
    base_rate: 0.5
    likelihoods: {a: 0.8, b: 0.3}
  - id: e3
    title: third
    reported_by: s
    base_rate: 0.5
    likelihoods: {a: 0.7, b: 0.4}
"""

forms = st.one_of(
    st.tuples(extreme, extreme).map(
        lambda t: f"{{beta: [{yaml_number(t[0])}, {yaml_number(t[1])}]}}"
    ),
    st.tuples(extreme, extreme).map(
        lambda t: f"{{mean: {yaml_number(t[0])}, concentration: {yaml_number(t[1])}}}"
    ),
    st.tuples(extreme, extreme).map(
        lambda t: f"{{interval: [{yaml_number(t[0])}, {yaml_number(t[1])}]}}"
    ),
    extreme.map(yaml_number),
    st.sampled_from(
        [
            "{interval: [0.999999, 0.9999999]}",
            "{mean: 0.5, concentration: 1e12}",
            "{beta: [1e-300, 1e-300]}",
            "{beta: [1e308, 1e308]}",
            "1e-400",
            "{beta: [1e400, 1]}",
            f"{{mean: 0.5, concentration: {10**400}}}",
            f"{{beta: [2, -{10**400}]}}",
            str(10**400),
            "{interval: [5e-324, 1e-300]}",
            "{p: 5e-324, confidence: low}",
            "-0.0",
        ]
    ),
)


def _check_outcome(folder: Path) -> None:
    """Exit 0 with finite credences summing to 1, or exit 2 with a located message.

    Never exit 1 or 70.
    """
    result = CliRunner().invoke(app, ["posterior", str(folder)], terminal_width=300)
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert ".yaml" in result.output, result.output
        return
    assert "nan" not in result.output.lower()
    assert "rules out every" not in result.output
    post = mv.exact_posterior(mv.load_case(folder))
    cred = post.xs("hypothesis", level="level")["credence"].to_numpy()
    assert np.isfinite(cred).all() and cred.sum() == pytest.approx(1.0)


@SLOW
@given(forms)
def test_reliability_forms_through_the_cli(
    tmp_path_factory: pytest.TempPathFactory, form: str
) -> None:
    """Every reliability form with extreme numbers: a correct posterior or a located refusal."""
    tmp = tmp_path_factory.mktemp("rel")
    _check_outcome(_case(tmp, REPORTS, RELIABLE.format(rel=form)))


@SLOW
@given(forms, forms)
def test_item_forms_through_the_cli(
    tmp_path_factory: pytest.TempPathFactory, fa: str, fb: str
) -> None:
    """Every likelihood form in an item's cells with extreme numbers.

    A correct posterior or a located refusal.
    """
    tmp = tmp_path_factory.mktemp("item")
    _check_outcome(_case(tmp, ITEM.format(a=fa, b=fb)))


def test_red_team_reliabilities_give_finite_posteriors(tmp_path: Path) -> None:
    """Concentration 1e12 and the interval [0.999999, 0.9999999] gave NaN weights.

    It also said 'the evidence rules out every hypothesis'; now the posterior equals the one with
    the reliability's mean as a point (to the spread such a Beta has: sd < 1e-3, so within 1e-3).
    """
    for rel in ("{mean: 0.7, concentration: 1e12}", "{interval: [0.999999, 0.9999999]}"):
        case = mv.load_case(_case(tmp_path, REPORTS, RELIABLE.format(rel=rel)))
        mean = case.source("s").reliability.mean
        point = case.with_reliability("s", mean)
        got = mv.exact_posterior(case).xs("hypothesis", level="level")["credence"]
        want = mv.exact_posterior(point).xs("hypothesis", level="level")["credence"]
        assert np.allclose(got, want, atol=1e-3), (rel, got, want)


def test_state_row_concentration_is_bounded() -> None:
    from pydantic import ValidationError

    from motives.schema.structure import StateRow

    with pytest.raises(ValidationError, match="less than or equal to 1000000000000"):
        StateRow(probs={"x": 0.5, "y": 0.5}, concentration=1e308)


# ----------------------------------------------------------------------- conflict flags in one pass


@settings(max_examples=30, deadline=None)
@given(
    st.integers(0, 10_000),
    st.integers(2, 9),
    st.integers(2, 4),
    st.integers(0, 3),
    st.integers(0, 2),
    st.booleans(),
)
def test_vectorised_conflict_equals_one_posterior_per_item(
    seed: int, n_items: int, k: int, n_sources: int, zeros: int, reliability: bool
) -> None:
    """The one-pass conflict of a case without propositions equals leaving each item out.

    Leaving each item out and recomputing is the measure's definition. Tolerance 1e-9 dB: only the
    order of additions differs.
    """
    from motives.exact import compiled, prior_from
    from motives.sensitivity._core import DB
    from motives.sensitivity.conflict import conflict, log_evidence
    from motives.testing import random_case

    case = random_case(seed, n_items=n_items, n_hypotheses=k, n_sources=n_sources, zeros=zeros)
    df = conflict(case, reliability=reliability)
    arr, pri = compiled(case, None), prior_from(case, None)
    everything = set(arr.all_items)
    log_all = log_evidence(arr, pri, everything, reliability)
    for e in arr.all_items:
        alone = log_evidence(arr, pri, {e}, reliability, set())
        rest = log_evidence(arr, pri, everything - {e}, reliability)
        row = df.loc[("item", e)]
        assert row["log_p_alone"] == pytest.approx(alone, abs=1e-9)
        want = DB * (alone + rest - log_all)
        if math.isnan(want):
            assert math.isnan(row["conflict_db"])
        else:
            assert row["conflict_db"] == pytest.approx(want, abs=1e-9)


# -------------------------------------------------------------- internal errors -> located messages


@settings(max_examples=20, deadline=None)
@given(
    st.sampled_from([1e300, 1e-300, 1e-20, 1e-8, 1e154, 5e-324, 1e308]) | st.floats(1e-320, 1e308)
)
def test_timeline_sigma_is_a_result_or_a_located_refusal(sigma: float) -> None:
    """Timeline sigma of 1e300 or 1e-300 escaped as OverflowError or LinAlgError (exit 70)."""
    from motives.testing import timeline_case

    data = timeline_case().model_dump(mode="json")
    item = next(e for e in data["evidence"] if e.get("kind") == "timeline")
    item["sigma"] = sigma
    case = mv.Case.model_validate(data)
    try:
        post = mv.exact_posterior(case)
    except mv.CaseError as exc:
        assert exc.problems[0].item == item["id"] and exc.problems[0].field == "sigma", str(exc)
        return
    cred = post.xs("hypothesis", level="level")["credence"].to_numpy()
    assert np.isfinite(cred).all() and cred.sum() == pytest.approx(1.0)


def _one_family_case() -> mv.Case:
    return mv.Case.model_validate(
        {
            "name": "fam",
            "hypotheses": [
                {"id": "a", "prior": 0.5, "family": "f"},
                {"id": "b", "prior": 0.5, "family": "f"},
            ],
            "evidence": [
                {"id": "e1", "title": "first", "likelihoods": {"a": 0.7, "b": 0.3}},
                {"id": "e2", "title": "second", "likelihoods": {"a": 0.4, "b": 0.6}},
            ],
        }
    )


def test_one_family_holding_every_hypothesis() -> None:
    """The default target of a case with one family is the leading hypothesis.

    The family holds every hypothesis (credence 1 always). A named target holding every hypothesis
    is refused (sensitivity and report crashed with 'max() iterable argument is empty').
    """
    from motives.exact import compiled
    from motives.report.explain import explain
    from motives.sensitivity._core import scenario_posterior, setup, target_of

    case = _one_family_case()
    arr, pri = setup(case, None, None)
    cred = scenario_posterior(arr, pri)
    tgt = target_of(arr, None, cred)
    assert tgt.level == "hypothesis" and tgt.id == arr.hypotheses[int(np.argmax(cred))]
    with pytest.raises(mv.CaseError, match="holds every hypothesis"):
        target_of(compiled(case, None), "f")
    words = explain(case)
    assert "leads" in words.markdown and "family" not in words.markdown.split(".")[0]


def test_pool_weights_refuse_silent_choices() -> None:
    """Weights naming some lenses gave the rest weight 0; weights of 1e308 overflowed their sum."""
    from motives.pooling import pool

    case = mv.examples.load("two_lenses")
    with pytest.raises(mv.CaseError, match="not \\['b'\\]"):
        pool(case, weights={"a": 1.0})
    big = pool(case, weights={"a": 1e308, "b": 1e308})
    even = pool(case, weights={"a": 1.0, "b": 1.0})
    assert np.allclose(
        mv.exact_posterior(big, lens="pool")["credence"],
        mv.exact_posterior(even, lens="pool")["credence"],
    )
    for w in ([math.nan, 1.0], [True, 1.0], [0.0, 0.0], [-1.0, 2.0], [math.inf, 1.0]):
        with pytest.raises(mv.CaseError, match="non-negative finite"):
            pool(case, weights=w)


@pytest.mark.parametrize(
    ("rows", "needle"),
    [
        ("#prior,,0.5,0.5\n#PRIOR,,0.4,0.6\n", "a second #prior row"),
        ("#prior,,0.5,0.5\n #prior ,,0.4,0.6\n", "a second #prior row"),
        ("e1,other,0.5,0.5\n", "is the id of the row on line 2 too"),
    ],
)
def test_matrix_ambiguities_are_refused(tmp_path: Path, rows: str, needle: str) -> None:
    """Two #prior rows, or two rows with one written id, were resolved silently.

    The #prior rows in any case or spacing.
    """
    matrix = tmp_path / "m.csv"
    matrix.write_text("id,title,a,b\ne1,first,0.7,0.5\n" + rows, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["import-matrix", str(matrix), "--out", str(tmp_path / "out")], terminal_width=300
    )
    assert result.exit_code == 2, result.output
    assert needle in " ".join(result.output.split()) and "m.csv:" in result.output


def test_quote_over_forty_words_and_base_rate_without_source_are_refused(tmp_path: Path) -> None:
    """A 300-word quote passed although docs/formats.md allows 40 words.

    base_rate without reported_by was ignored. Both now give a located message (file, line, item,
    field) and exit 2.
    """
    long_quote = " ".join(["word"] * 41)
    for extra, needle in (
        (f"\n    quote: {long_quote}", "at most 40"),
        ("\n    base_rate: 0.3", "reported_by"),
    ):
        folder = _case(
            tmp_path / needle.replace(" ", "_"),
            f"evidence:\n  - id: e1\n    title: an item{extra}\n    likelihoods: {{a: 0.7, b: "
            "0.3}\n",
        )
        result = CliRunner().invoke(app, ["check", str(folder)], terminal_width=300)
        assert result.exit_code == 2, result.output
        text = " ".join(result.output.split())
        assert needle in text and "evidence.yaml:" in text and "'e1'" in text, text
    ok = _case(
        tmp_path / "ok",
        f"evidence:\n  - id: e1\n    title: x\n    quote: {' '.join(['w'] * 40)}\n"
        "    likelihoods: {a: 0.7, b: 0.3}\n",
    )
    assert CliRunner().invoke(app, ["check", str(ok)]).exit_code == 0


def test_lenses_in_a_spec_of_another_model_are_refused() -> None:
    from pydantic import ValidationError

    from motives.spec import AnalysisSpec

    for model in ("exclusive", "mixture"):
        with pytest.raises(ValidationError, match="pooled model only"):
            AnalysisSpec.model_validate({"name": "s", "case": "c", "model": model, "lenses": ["a"]})
    assert AnalysisSpec.model_validate(
        {"name": "s", "case": "c", "model": "pooled", "lenses": ["a"]}
    ).lenses == ["a"]


@pytest.mark.parametrize(
    ("name", "fmt", "code"),
    [
        ("w.bif", "net", 2),
        ("w.net", "bif", 2),
        ("w.xml", "net", 2),
        ("w.net", "net", 0),
        ("w.txt", "net", 0),
    ],
)
def test_export_file_name_and_format_agree(tmp_path: Path, name: str, fmt: str, code: int) -> None:
    """A .bif file name with --format net wrote NET text under a BIF name."""
    from motives.examples import path as example_path

    result = CliRunner().invoke(
        app,
        ["export", str(example_path("witness")), "--out", str(tmp_path / name), "--format", fmt],
    )
    assert result.exit_code == code, result.output
    assert (tmp_path / name).exists() == (code == 0)


def test_matrix_size_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stated limits on matrices, refused with the file named and exit 2.

    Limits on rows, cells, cell length and bytes; a cell over csv's field limit gave a raw
    traceback.
    """
    import motives.ach as ach

    runner = CliRunner()

    def run(text: str) -> str:
        matrix = tmp_path / "m.csv"
        matrix.write_text(text, encoding="utf-8")
        result = runner.invoke(
            app, ["import-matrix", str(matrix), "--out", str(tmp_path / "out")], terminal_width=300
        )
        assert result.exit_code == 2, result.output
        assert not (tmp_path / "out").exists()
        return " ".join(result.output.split())

    assert "characters" in run("id,title,a,b\ne1," + "x" * 140_000 + ",0.5,0.5\n")
    monkeypatch.setattr(ach, "MAX_MATRIX_ROWS", 3)
    assert "more than 3 rows" in run(
        "id,title,a,b\n" + "".join(f"e{i},t,0.5,0.5\n" for i in range(5))
    )
    monkeypatch.setattr(ach, "MAX_MATRIX_ROWS", 10_000)
    monkeypatch.setattr(ach, "MAX_MATRIX_CELLS", 10)
    assert "more than 10 cells" in run(
        "id,title,a,b\n" + "".join(f"e{i},t,0.5,0.5\n" for i in range(5))
    )
    monkeypatch.setattr(ach, "MAX_MATRIX_CELLS", 1_000_000)
    monkeypatch.setattr(ach, "MAX_MATRIX_BYTES", 100)
    assert "m.csv" in run("id,title,a,b\n" + "".join(f"e{i},t,0.5,0.5\n" for i in range(20)))


def test_quadrature_nodes_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """A source of thousands of items built thousands of nodes x items x hypotheses, unbounded."""
    import motives.numeric as numeric
    from motives.exact import compile_case

    monkeypatch.setattr(numeric, "MAX_NODES", 4)
    items = [
        {
            "id": f"e{i}",
            "title": "t",
            "reported_by": "s",
            "base_rate": 0.5,
            "likelihoods": {"a": 0.6, "b": 0.4},
        }
        for i in range(8)
    ]
    data = {
        "name": "x",
        "hypotheses": [{"id": "a"}, {"id": "b"}],
        "evidence": items,
        "sources": [{"key": "s", "reliability": {"mean": 0.7, "concentration": 10}}],
    }
    with pytest.raises(mv.CaseError, match="more than the limit of 4") as info:
        compile_case(mv.Case.model_validate(data))
    assert info.value.problems[0].item == "s" and info.value.problems[0].field == "reliability"
    data["evidence"] = items[:7]  # 7 items: 4 nodes, within the bound
    compile_case(mv.Case.model_validate(data))


def test_a_target_naming_a_hypothesis_and_a_group_is_refused() -> None:
    """A bare id naming a hypothesis and a group silently picked the hypothesis."""
    case = mv.Case.model_validate(
        {
            "name": "x",
            "hypotheses": [{"id": "a"}, {"id": "b"}, {"id": "c"}],
            "groupings": [
                {
                    "id": "g",
                    "groups": [
                        {"id": "a", "hypotheses": ["a", "b"]},
                        {"id": "z", "hypotheses": ["c"]},
                    ],
                }
            ],
            "evidence": [{"id": "e", "title": "t", "likelihoods": {"a": 0.5, "b": 0.4, "c": 0.3}}],
        }
    )
    with pytest.raises(mv.CaseError, match="names both the hypothesis 'a' and the group 'g.a'"):
        case.resolve_target("a")
    assert (
        case.resolve_target("g.a").level == "group"
        and case.resolve_target("b").level == "hypothesis"
    )


def test_tiny_unequal_likelihoods_are_not_called_equal() -> None:
    """check said 'equal likelihoods, change nothing' of {a: 1e-300, b: 5e-324}.

    The two differ by a ratio of 2e23.
    """
    case = mv.Case.model_validate(
        {
            "name": "x",
            "hypotheses": [{"id": "a"}, {"id": "b"}],
            "evidence": [
                {"id": "e1", "title": "t", "likelihoods": {"a": 1e-300, "b": 5e-324}},
                {"id": "e2", "title": "t", "likelihoods": {"a": 1e-300, "b": 1e-300}},
            ],
        }
    )
    assert case.non_diagnostic() == ["e2"]


@pytest.mark.parametrize("value", [10**400, -(10**400), 10**301])
def test_huge_integers_are_located(tmp_path: Path, value: int) -> None:
    """'int too large to convert to float' escaped without file, line or field."""
    for form in (str(value), f"{{mean: 0.5, concentration: {value}}}", f"{{beta: [{value}, 2]}}"):
        folder = _case(tmp_path / str(abs(hash(form))), ITEM.format(a=form, b=0.5))
        result = CliRunner().invoke(app, ["check", str(folder)], terminal_width=300)
        assert result.exit_code == 2, result.output
        text = " ".join(result.output.split())
        assert (
            "evidence.yaml:4" in text and "likelihoods.a" in text and "int too large" not in text
        ), text


def test_an_interval_whose_only_beta_is_piled_at_0_and_1_is_refused() -> None:
    """[1e-300, 0.03125]: the one Beta with that 90% interval has its mean (0.037) above it.

    Found by the property test above; refused with the reason rather than used.
    """
    with pytest.raises(ValueError, match="piled at both 0 and 1.*mean 0.0366 lies outside"):
        lk.parse({"interval": [1e-300, 0.03125]})
    b = lk.parse({"interval": [1e-3, 0.5]})  # an ordinary wide interval is still a Beta inside it
    assert 1e-3 <= b.mean <= 0.5
