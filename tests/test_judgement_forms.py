"""Judgement forms practitioners use.

Ratios, decibans, ICD 203 terms, Van Evera's tests, ACH symbols and NA, prior_normalise (issue 13,
item 2).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

import motives as mv
from motives import likelihood as lk
from motives.cli import app
from motives.errors import CaseError


def _case(judgement: dict, hyps: tuple[str, ...] = ("a", "b", "c"), **extra: object) -> mv.Case:
    return mv.Case.model_validate(
        {
            "name": "t",
            "hypotheses": [{"id": h} for h in hyps],
            **extra,
            "evidence": [{"id": "e", "title": "E", "likelihoods": {"default": judgement}}],
        }
    )


def _row(case: mv.Case) -> dict[str, float]:
    t = case.likelihood_table()
    return {h: float(t.loc["e", h]) for h in case.hypothesis_ids}


def test_ratios_are_normalised_so_the_largest_is_one() -> None:
    assert _row(_case({"ratios": {"a": 6, "b": 3, "c": 0}})) == {"a": 1.0, "b": 0.5, "c": 0.0}


def test_decibans_are_ten_log10_of_relative_likelihood() -> None:
    row = _row(_case({"decibans": {"a": 0, "b": -10, "c": 10}}))
    assert row == pytest.approx({"a": 0.1, "b": 0.01, "c": 1.0}, rel=1e-12)


def test_ratios_give_the_same_posterior_as_the_values_they_stand_for() -> None:
    by_values = mv.exact_posterior(_case({"values": {"a": 0.6, "b": 0.3, "c": 0.15}}))["credence"]
    by_ratios = mv.exact_posterior(_case({"ratios": {"a": 4, "b": 2, "c": 1}}))["credence"]
    by_db = mv.exact_posterior(
        _case({"decibans": {"a": 10 * math.log10(4), "b": 10 * math.log10(2), "c": 0}})
    )
    assert by_ratios.to_numpy() == pytest.approx(by_values.to_numpy(), abs=1e-12)
    assert by_db["credence"].to_numpy() == pytest.approx(by_values.to_numpy(), abs=1e-12)


def test_ratios_with_confidence_get_the_beta_concentration_like_values() -> None:
    j = (
        _case({"ratios": {"a": 2, "b": 1, "c": 1}, "confidence": "medium"})
        .item("e")
        .likelihoods["default"]
    )
    assert j.values["b"].mean == 0.5 and j.values["b"].concentration == 20.0
    assert (
        j.values["a"].mean == 1.0 and j.values["a"].concentration is None
    )  # 1 stays a point, as in values


@pytest.mark.parametrize(
    ("judgement", "needle"),
    [
        (
            {"values": {"a": 1, "b": 1, "c": 1}, "ratios": {"a": 1, "b": 1, "c": 1}},
            "exactly one of values, ratios",
        ),
        ({"ratios": {"a": 0, "b": 0, "c": 0}}, "at least one ratio must be positive"),
        ({"ratios": {"a": -1, "b": 1, "c": 1}}, "non-negative"),
        ({"ratios": {"a": True, "b": 1, "c": 1}}, "finite number, got True"),
        ({"decibans": {"a": "3", "b": 0, "c": 0}}, "finite number"),
        ({"ratios": {"a": 1, "b": 2}}, "missing hypothesis 'c'"),
        ({"van_evera": {"test": "hoops", "for": "a"}}, "van_evera test must be one of"),
        ({"van_evera": {"test": "hoop"}}, "needs 'for'"),
        ({"values": {"a": "NA", "b": "NA", "c": "NA"}}, "every cell is NA"),
    ],
)
def test_bad_rows_are_refused(judgement: dict, needle: str) -> None:
    with pytest.raises(ValueError) as info:
        _case(judgement)
    assert needle in str(info.value)


def test_bad_row_in_a_file_is_located(tmp_path: Path) -> None:
    (tmp_path / "case.yaml").write_text("name: t\nhypotheses: [{id: a}, {id: b}]\n")
    (tmp_path / "ev.yaml").write_text(
        "evidence:\n  - id: e\n    title: E\n    likelihoods:\n      default:\n"
        "        values: {a: 0.5, b: 0.5}\n        ratios: {a: 1, b: 2}\n"
    )
    with pytest.raises(CaseError) as info:
        mv.load_case(tmp_path)
    assert "ev.yaml:5" in str(info.value) and "exactly one of" in str(info.value)


def test_icd203_terms_are_betas_fitted_to_their_ranges() -> None:
    from scipy import stats

    for term, (lo, hi) in lk.ICD203_RANGES.items():
        b = lk.parse({"icd203": term})
        assert not b.is_point
        assert stats.beta.ppf([0.05, 0.95], b.alpha, b.beta) == pytest.approx([lo, hi], abs=1e-6)
    assert lk.parse({"icd203": "almost certainly"}) == lk.parse({"icd203": "almost certain"})
    assert lk.parse({"icd203": "probable"}) == lk.parse({"icd203": "likely"})
    with pytest.raises(ValueError, match="Did you mean 'very likely'"):
        lk.parse({"icd203": "very likley"})
    # in a case, the exact engine uses the Beta mean (0.68 for 'likely', not the verbal scale's
    # point 0.70)
    row = _row(
        _case({"values": {"a": {"icd203": "likely"}, "b": "likely", "c": {"icd203": "unlikely"}}})
    )
    assert (
        row["a"] == pytest.approx(0.6807, abs=1e-4)
        and row["b"] == 0.7
        and row["c"] == pytest.approx(0.3193, abs=1e-4)
    )


def test_icd203_cell_in_a_proposition_table() -> None:
    case = mv.Case.model_validate(
        {
            "name": "t",
            "hypotheses": [{"id": "a"}, {"id": "b"}],
            "propositions": [
                {"id": "p", "title": "P", "likelihoods": {"a": {"icd203": "very likely"}, "b": 0.2}}
            ],
            "evidence": [
                {"id": "e", "title": "E", "bears_on": "p", "likelihoods": {"yes": 0.9, "no": 0.1}}
            ],
        }
    )
    assert case.proposition_table("p").loc["a", "yes"] == pytest.approx(0.8843, abs=1e-4)


@pytest.mark.parametrize(
    ("test", "result", "p_for", "p_other"),
    [
        ("hoop", "pass", 0.95, 0.50),
        ("hoop", "fail", 0.05, 0.50),
        ("smoking gun", "pass", 0.50, 0.05),
        ("smoking_gun", "fail", 0.50, 0.95),
        ("doubly decisive", "pass", 0.95, 0.05),
        ("doubly-decisive", "fail", 0.05, 0.95),
        ("straw in the wind", "pass", 0.60, 0.40),
        ("straw_in_the_wind", "fail", 0.40, 0.60),
    ],
)
def test_van_evera_templates(test: str, result: str, p_for: float, p_other: float) -> None:
    row = _row(_case({"van_evera": {"test": test, "for": "b", "result": result}}))
    assert row == pytest.approx({"a": p_other, "b": p_for, "c": p_other}, abs=1e-12)


def test_van_evera_for_several_hypotheses_and_under_a_proposition() -> None:
    row = _row(_case({"van_evera": {"test": "smoking gun", "for": ["a", "c"]}}))
    assert row == pytest.approx({"a": 0.5, "b": 0.05, "c": 0.5})
    case = mv.Case.model_validate(
        {
            "name": "t",
            "hypotheses": [{"id": "a"}, {"id": "b"}],
            "propositions": [
                {
                    "id": "p",
                    "title": "P",
                    "states": ["x", "y", "z"],
                    "likelihoods": {
                        "a": {"x": 0.5, "y": 0.3, "z": 0.2},
                        "b": {"x": 0.2, "y": 0.3, "z": 0.5},
                    },
                }
            ],
            "evidence": [
                {
                    "id": "e",
                    "title": "E",
                    "bears_on": "p",
                    "likelihoods": {"default": {"van_evera": {"test": "hoop", "for": "x"}}},
                }
            ],
        }
    )
    vals = {k: v.mean for k, v in case.item("e").likelihoods["default"].values.items()}
    assert vals == {"x": 0.95, "y": 0.5, "z": 0.5}
    with pytest.raises(Exception, match="unknown hypothesis 'd'"):
        _case({"van_evera": {"test": "hoop", "for": "d"}})


def test_ach_symbols_and_not_applicable() -> None:
    row = _row(_case({"values": {"a": "++", "b": "-", "c": "--"}}))
    assert row == {"a": 0.9, "b": 0.3, "c": 0.1}
    assert _row(_case({"values": {"a": "+", "b": "0", "c": "CC"}})) == {
        "a": 0.7,
        "b": 0.5,
        "c": 0.9,
    }
    # NA: the mean of the row's other cells, so (with a uniform prior) the item leaves that
    # hypothesis's credence be
    case = _case({"values": {"a": "C", "b": "CC", "c": "NA"}})
    assert _row(case)["c"] == pytest.approx(0.8)
    assert mv.exact_posterior(case).loc[("hypothesis", "c"), "credence"] == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="NA .not applicable. stands only in an item's values"):
        lk.parse("NA")


def test_propositions_refuse_ratios_with_the_reason() -> None:
    with pytest.raises(Exception, match="a proposition's table takes values, not ratios"):
        mv.Case.model_validate(
            {
                "name": "t",
                "hypotheses": [{"id": "a"}, {"id": "b"}],
                "propositions": [
                    {
                        "id": "p",
                        "title": "P",
                        "likelihoods": {"default": {"ratios": {"a": 2, "b": 1}}},
                    }
                ],
                "evidence": [
                    {
                        "id": "e",
                        "title": "E",
                        "bears_on": "p",
                        "likelihoods": {"yes": 0.9, "no": 0.1},
                    }
                ],
            }
        )


def test_amendments_take_values_only() -> None:
    with pytest.raises(Exception, match="an amendment adds cells to an existing row"):
        mv.schema.Amendment.model_validate({"id": "e", "likelihoods": {"x": {"ratios": {"c": 1}}}})


def test_prior_normalise(tmp_path: Path) -> None:
    thirds = (
        "hypotheses:\n  - {id: a, prior: 0.333}\n  - {id: b, prior: 0.333}\n  - {id: c, "
        "prior: 0.333}\n"
    )
    (tmp_path / "case.yaml").write_text("name: t\n" + thirds)
    with pytest.raises(
        CaseError, match="they sum to 0.999 .*set prior_normalise: true in case.yaml"
    ):
        mv.load_case(tmp_path)
    (tmp_path / "case.yaml").write_text("name: t\nprior_normalise: true\n" + thirds)
    case = mv.load_case(tmp_path)
    assert case.prior_vector() == pytest.approx([1 / 3] * 3, abs=1e-15)
    res = CliRunner().invoke(app, ["check", str(tmp_path)])
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.output.splitlines() if "priors normalised" in ln]
    assert lines == [
        "priors normalised (prior_normalise: true): they summed to 0.999, each divided by that sum"
    ]
    (tmp_path / "case.yaml").write_text("name: t\nprior_normalise: 'yes'\n" + thirds)
    with pytest.raises(CaseError, match="prior_normalise"):
        mv.load_case(tmp_path)
