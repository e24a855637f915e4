"""Conflict, surprise, the explanation text and opinion pools: known answers.

Tolerances: closed forms and brute force are exact computations (1e-12);
moment checks against numerical integration use quad's accuracy (1e-8).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate, stats

import motives as mv
from _structured_cases import brute_force_joint, random_structured_case
from motives import sensitivity as S
from motives.pooling import cooke_weights, pool, pool_beta, pool_normal, pool_row
from motives.report.explain import explain
from motives.schema import Likelihood


def _case(
    items: dict[str, tuple[float, float]],
    lenses: dict[str, dict[str, tuple[float, float]]] | None = None,
) -> mv.Case:
    ev = []
    for i, (a, b) in items.items():
        lk: dict = {"h": a, "g": b}
        if lenses:
            lk = {
                ln: {"values": {"h": v[i][0], "g": v[i][1]} if i in v else {"h": a, "g": b}}
                for ln, v in lenses.items()
            }
        ev.append({"id": i, "title": f"Item {i}", "likelihoods": lk})
    data = {"name": "k", "hypotheses": [{"id": "h"}, {"id": "g"}], "evidence": ev}
    if lenses:
        data["lenses"] = [{"id": ln} for ln in lenses]
    return mv.Case.model_validate(data)


# --------------------------------------------------------------------------- conflict


def test_conflict_by_hand() -> None:
    """Two items pointing opposite ways, uniform prior: P(e1) = P(e2) = 0.5, P(e1, e2) = 0.09."""
    df = S.conflict(_case({"a": (0.9, 0.1), "b": (0.1, 0.9)}))
    want = 10 * math.log10(0.25 / 0.09)
    assert df.loc[("case", "(all evidence)"), "conflict_db"] == pytest.approx(want, abs=1e-12)
    assert df.loc[("item", "a"), "conflict_db"] == pytest.approx(
        want, abs=1e-12
    )  # 0.5 / P(e1 | e2) = 0.5 / 0.18
    assert bool(df.loc[("case", "(all evidence)"), "flag"])
    agree = S.conflict(_case({"a": (0.9, 0.1), "b": (0.9, 0.1)}))
    assert agree.loc[("case", "(all evidence)"), "conflict_db"] == pytest.approx(
        10 * math.log10(0.25 / 0.41), abs=1e-12
    )
    assert not agree["flag"].any()


def test_one_item_contradicting_all_others_is_flagged_and_a_consistent_case_is_not() -> None:
    items = {f"e{i}": (0.8, 0.3) for i in range(6)}
    assert S.conflict_flags(_case(items)) == []
    assert S.conflict_flags(_case(items | {"liar": (0.02, 0.9)})) == ["liar"]


@pytest.mark.parametrize("seed", range(3))
def test_structured_conflict_equals_brute_force(seed: int) -> None:
    case = random_structured_case(seed, kinds=False)
    df = S.conflict(case, threshold_db=1e9)

    def log_ev(keep: set[str]) -> float:
        data = case.model_dump()
        data["evidence"] = [e for e in data["evidence"] if e["id"] in keep]
        return math.log(brute_force_joint(mv.Case.model_validate(data)).sum())

    ids = {e.id for e in case.evidence}
    full = log_ev(ids)
    for e in sorted(ids):
        want = 10 / math.log(10) * (log_ev({e}) + log_ev(ids - {e}) - full)
        assert df.loc[("item", e), "conflict_db"] == pytest.approx(want, abs=1e-9)
    singles = sum(log_ev({e}) for e in ids)
    assert df.loc[("case", "(all evidence)"), "conflict_db"] == pytest.approx(
        10 / math.log(10) * (singles - full), abs=1e-9
    )


def test_surprise_flags_evidence_no_hypothesis_expects() -> None:
    odd = _case({f"e{i}": (0.1, 0.05) for i in range(10)})
    df = S.surprise(odd, n=2000)
    assert df["surprising"].all() and df.attrs["all_surprising"]
    fits = _case({f"e{i}": (0.9, 0.5) for i in range(10)})
    df = S.surprise(fits, n=2000)
    assert not df.loc["h", "surprising"] and not df.attrs["all_surprising"]
    assert df.loc["h", "loglik"] == pytest.approx(10 * math.log(0.9))


# --------------------------------------------------------------------------- explanation


def test_explanation_names_the_items_that_carry_the_verdict() -> None:
    case = _case(
        {"big": (0.9, 0.1), "small1": (0.6, 0.5), "small2": (0.55, 0.5), "against": (0.3, 0.5)}
    )
    ex = explain(case)
    assert ex.facts["leader"] == "h"
    assert ex.facts["carriers"][0] == "big"
    assert ex.facts["strongest_against"] == ["against"]
    credence = float(mv.exact_posterior(case).loc[("hypothesis", "h"), "credence"])
    assert ex.facts["leader_credence"] == credence
    assert f"{100 * credence:.1f}%" in ex.markdown
    assert ex.facts["single_item_flips"] == ["big"]
    assert "Leaving out big alone would change the leader" in ex.markdown
    # change the case: the text follows
    other = _case(
        {"big": (0.1, 0.9), "small1": (0.6, 0.5), "small2": (0.55, 0.5), "against": (0.3, 0.5)}
    )
    ex2 = explain(other)
    assert ex2.facts["leader"] == "g" and ex2.facts["carriers"][0] == "big"
    assert ex2.markdown != ex.markdown


def test_explanation_reports_lens_cruxes_and_conflicts() -> None:
    items = {"x": (0.8, 0.2), "y": (0.7, 0.3), "z": (0.6, 0.4)}
    case = _case(items, lenses={"a": {}, "b": {"x": (0.05, 0.9)}})
    ex = explain(case, lens="a")
    assert ex.facts["lens_leaders"] == {"a": "h", "b": "g"}
    assert ex.facts["cruxes"][0] == "x"
    assert "disagrees" in ex.markdown and "x" in ex.markdown
    liar = _case({f"e{i}": (0.8, 0.3) for i in range(6)} | {"liar": (0.02, 0.9)})
    ex = explain(liar)
    assert ex.facts["conflicts"] == ["liar"] and "Conflict check: liar" in ex.markdown
    assert "\\%" in ex.latex and "%" in ex.markdown


def test_explanation_of_a_structured_case_gives_the_independent_figure() -> None:
    case = mv.examples.load("burglary")
    ex = explain(case)
    flat = mv.exact_posterior(case, structure=False).loc[("hypothesis", "suspect"), "credence"]
    assert ex.facts["independent_credence"] == pytest.approx(float(flat), abs=1e-15)
    assert f"{100 * flat:.1f}%" in ex.markdown


# --------------------------------------------------------------------------- pools


def _beta_pdf(c: Likelihood):  # noqa: ANN202
    a, b = c.mean * c.concentration, (1 - c.mean) * c.concentration
    return stats.beta(a, b).pdf


def test_linear_pool_matches_the_mixture_moments() -> None:
    cells = [Likelihood(mean=0.25, concentration=8), Likelihood(mean=0.5, concentration=4)]
    w = [0.3, 0.7]
    mix = lambda x: sum(wi * _beta_pdf(c)(x) for wi, c in zip(w, cells, strict=True))  # noqa: E731
    m = integrate.quad(lambda x: x * mix(x), 0, 1, epsabs=1e-13)[0]
    v = integrate.quad(lambda x: x * x * mix(x), 0, 1, epsabs=1e-13)[0] - m * m
    got = pool_beta(cells, w, "linear")
    assert got.mean == pytest.approx(m, abs=1e-8)
    assert got.mean * (1 - got.mean) / (got.concentration + 1) == pytest.approx(v, abs=1e-8)


def test_log_pool_of_betas_is_the_normalised_product() -> None:
    cells = [Likelihood(mean=0.25, concentration=8), Likelihood(mean=0.6, concentration=10)]
    w = [0.4, 0.6]
    prod = lambda x: _beta_pdf(cells[0])(x) ** w[0] * _beta_pdf(cells[1])(x) ** w[1]  # noqa: E731
    z = integrate.quad(prod, 0, 1, epsabs=1e-13)[0]
    m = integrate.quad(lambda x: x * prod(x), 0, 1, epsabs=1e-13)[0] / z
    got = pool_beta(cells, w, "log")
    assert got.mean == pytest.approx(m, abs=1e-8)
    a = 0.4 * (2 - 1) + 0.6 * (6 - 1) + 1
    b = 0.4 * (6 - 1) + 0.6 * (4 - 1) + 1
    assert got.concentration == pytest.approx(a + b, abs=1e-12)


def test_log_pool_of_points_and_rows() -> None:
    got = pool_beta([Likelihood(mean=0.9), Likelihood(mean=0.5)], [0.5, 0.5], "log")
    p, q = math.sqrt(0.45), math.sqrt(0.05)
    assert got.mean == pytest.approx(p / (p + q), abs=1e-12) and got.concentration is None
    assert pool_beta([Likelihood(mean=0.0), Likelihood(mean=0.5)], [0.5, 0.5], "log").mean == 0.0
    probs, k = pool_row([([0.2, 0.3, 0.5], None), ([0.5, 0.3, 0.2], None)], [0.5, 0.5], "log")
    g = np.sqrt(np.array([0.1, 0.09, 0.1]))
    np.testing.assert_allclose(probs, g / g.sum(), rtol=0, atol=1e-12)
    probs, k = pool_row([([0.2, 0.3, 0.5], 10.0), ([0.5, 0.3, 0.2], 10.0)], [0.5, 0.5], "log")
    alpha = 0.5 * (np.array([2, 3, 5]) - 1) + 0.5 * (np.array([5, 3, 2]) - 1) + 1
    np.testing.assert_allclose(probs, alpha / alpha.sum(), rtol=0, atol=1e-12)
    assert k == pytest.approx(alpha.sum())
    probs, k = pool_row([([0.2, 0.8], None), ([0.6, 0.4], None)], [0.5, 0.5], "linear")
    assert probs == pytest.approx([0.4, 0.6]) and k == pytest.approx(0.4 * 0.6 / 0.04 - 1)


def test_normal_pools() -> None:
    m, s = pool_normal([(1.0, 2.0), (3.0, 1.0)], [0.25, 0.75], "linear")
    assert m == pytest.approx(2.5) and s**2 == pytest.approx(0.25 * 5 + 0.75 * 10 - 6.25)
    m, s = pool_normal([(1.0, 2.0), (3.0, 1.0)], [0.25, 0.75], "log")
    prec = 0.25 / 4 + 0.75
    assert m == pytest.approx((0.25 / 4 * 1 + 0.75 * 3) / prec) and s == pytest.approx(prec**-0.5)


def test_pooled_lens_is_a_lens_everywhere() -> None:
    case = mv.examples.load("two_lenses")
    pooled = pool(case, method="linear", weights={"a": 3, "b": 1})
    assert pooled.lens_ids == ["a", "b", "pool"]
    assert "linear pool of a 0.75, b 0.25" in pooled.lenses[-1].description
    dis = pooled.item("disputed").likelihoods["pool"].values
    assert dis["h1"].mean == pytest.approx(0.75 * 0.6 + 0.25 * 0.3)
    assert dis["h2"].mean == pytest.approx(0.75 * 0.3 + 0.25 * 0.6)
    lr = (0.8 / 0.4) * (dis["h1"].mean / dis["h2"].mean)
    got = mv.exact_posterior(pooled, lens="pool").loc[("hypothesis", "h1"), "credence"]
    assert got == pytest.approx(lr / (1 + lr), abs=1e-12)
    S.weight_of_evidence(pooled, lens="pool")  # usable by the analyses


def test_pool_of_a_structured_case_pools_the_tables() -> None:
    case = random_structured_case(1, lenses=("a", "b"))
    pooled = pool(case, method="log")
    for p in case.propositions:
        ta, tb = (
            case.proposition_table(p.id, "a").to_numpy(),
            case.proposition_table(p.id, "b").to_numpy(),
        )
        g = np.sqrt(ta * tb)
        np.testing.assert_allclose(
            pooled.proposition_table(p.id, "pool").to_numpy(),
            g / g.sum(axis=1, keepdims=True),
            rtol=0,
            atol=1e-12,
        )


def test_calibration_weights_from_seed_questions() -> None:
    df = cooke_weights([5.0], {"a": [[4, 5.5, 7]], "b": [[0, 8, 10]]})
    # by hand: both answers fall in the 5-50% bin: s = (0, 1, 0, 0), 2N I(s, p) = 2 ln(1 / 0.45)
    cal = 1 - stats.chi2.cdf(2 * math.log(1 / 0.45), df=3)
    assert df.loc["a", "calibration"] == pytest.approx(cal, abs=1e-12)
    # intrinsic range [0, 10] widened by 10%: [-1, 11]; a's bins have widths 5, 1.5, 1.5, 4
    info_a = math.log(12) + sum(
        p * math.log(p / wd)
        for p, wd in zip((0.05, 0.45, 0.45, 0.05), (5, 1.5, 1.5, 4), strict=True)
    )
    assert df.loc["a", "information"] == pytest.approx(info_a, abs=1e-12)
    case = mv.examples.load("two_lenses").model_dump()
    case["seed_questions"] = [
        {"id": "q1", "answer": 5.0, "quantiles": {"a": [4, 5.5, 7], "b": [0, 8, 10]}}
    ]
    pooled = pool(mv.Case.model_validate(case), weights="calibration")
    assert "Cooke" in pooled.lenses[-1].description and "a 0.813" in pooled.lenses[-1].description


def test_pool_errors_are_clear() -> None:
    case = mv.examples.load("two_lenses")
    with pytest.raises(mv.CaseError, match="method must be one of linear, log"):
        pool(case, method="median")
    with pytest.raises(mv.CaseError, match="needs seed_questions"):
        pool(case, weights="calibration")
    with pytest.raises(mv.CaseError, match="exists already"):
        pool(case, id="a")
    with pytest.raises(mv.CaseError, match="non-negative"):
        pool(case, weights=[1, -1])


def test_check_and_report_show_conflict(tmp_path: Path) -> None:
    import subprocess
    import sys

    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "case.yaml").write_text("name: c\nhypotheses: [{id: h}, {id: g}]\n", encoding="utf-8")
    items = "".join(
        f"  - {{id: e{i}, title: agrees, likelihoods: {{h: 0.8, g: 0.3}}}}\n" for i in range(6)
    )
    items += "  - {id: liar, title: contradicts, likelihoods: {h: 0.02, g: 0.9}}\n"
    (folder / "ev.yaml").write_text("evidence:\n" + items, encoding="utf-8")
    res = subprocess.run(
        [sys.executable, "-m", "motives.cli", "check", str(folder)], capture_output=True, text=True
    )
    assert res.returncode == 0 and "conflict under default: liar is more than 6 dB" in " ".join(
        res.stderr.split()
    )
    case = mv.load_case(folder)
    from motives.report.document import report_markdown

    md = report_markdown(case, S.run_all(case, sobol_samples=64), {}, spec={"name": "c"})
    assert "## Conflict" in md and "`liar` (+" in md and "## In words" in md


def test_explanation_names_the_leader_within_the_leading_family() -> None:
    """Family b leads (0.6) though the single most credible hypothesis, a1, is in family a."""
    case = mv.Case.model_validate(
        {
            "name": "f",
            "hypotheses": [
                {"id": "a1", "family": "a", "prior": 0.4},
                {"id": "b1", "family": "b", "prior": 0.3},
                {"id": "b2", "family": "b", "prior": 0.3},
            ],
            "evidence": [
                {"id": "e", "title": "E", "likelihoods": {"a1": 0.5, "b1": 0.5, "b2": 0.5}}
            ],
        }
    )
    ex = explain(case)
    assert ex.facts["leading_family"] == "b" and ex.facts["leader"] in ("b1", "b2")
    assert "share the lead" in ex.markdown and "outside it: a1 (40.0%)" in ex.markdown
