"""What-if API.

New cases with one judgement, prior, reliability or item changed, each validated again (issue 13,
item 8).
"""

from __future__ import annotations

import numpy as np
import pytest

import motives as mv
from motives.errors import CaseError
from motives.exact import compiled, posterior


def _credence(case: mv.Case, **kw: object) -> np.ndarray:
    return mv.exact_posterior(case, **kw).xs("hypothesis", level="level")["credence"].to_numpy()


def _by_dump(case: mv.Case, edit: object) -> mv.Case:
    """The long way the what-if helpers replace: dump, edit, validate."""
    data = case.model_dump()
    edit(data)
    return mv.Case.model_validate(data)


def test_with_judgement_changes_one_cell_and_keeps_the_rest() -> None:
    case = mv.examples.load("two_lenses")
    item = case.evidence[0]
    lens = case.lens_ids[1]
    h0 = case.hypothesis_ids[0]
    new = case.with_judgement(item.id, lens, {h0: 0.123})
    old_j, _ = case.judgement(item, lens)
    new_j = new.item(item.id).likelihoods[lens]
    assert new_j.values[h0].mean == 0.123
    assert all(new_j.values[h] == old_j.values[h] for h in case.hypothesis_ids[1:])
    assert (
        case.item(item.id).likelihoods[lens].values[h0].mean != 0.123
    )  # the original is untouched

    def edit(d: dict) -> None:
        d["evidence"][0]["likelihoods"][lens]["values"][h0] = (
            {"mean": 0.123, "concentration": None}
            if new_j.values[h0].concentration is None
            else {"mean": 0.123, "concentration": new_j.values[h0].concentration}
        )

    assert _credence(new, lens=lens) == pytest.approx(
        _credence(_by_dump(case, edit), lens=lens), abs=1e-15
    )


def test_with_judgement_on_a_proposition_and_in_other_forms() -> None:
    case = mv.examples.load("burglary")
    new = case.with_judgement("at_scene", values={"suspect": 0.6})
    assert new.proposition_table("at_scene").loc["suspect", "yes"] == 0.6

    def edit(d: dict) -> None:
        p = next(p for p in d["propositions"] if p["id"] == "at_scene")
        p["likelihoods"][case.default_lens]["values"]["suspect"] = 0.6

    assert _credence(new) == pytest.approx(_credence(_by_dump(case, edit)), abs=1e-15)
    flat = mv.examples.cookie_case()
    assert flat.with_judgement("vanilla", decibans={"bowl1": 0, "bowl2": -3}).likelihood_table()[
        "bowl2"
    ].iloc[0] == pytest.approx(10**-0.3)
    with pytest.raises(CaseError, match="unknown hypothesis 'bowl3'"):
        flat.with_judgement("vanilla", values={"bowl3": 0.5})
    with pytest.raises(
        CaseError, match="field 'likelihoods.default.values.bowl1': likelihood must be a number in"
    ):
        flat.with_judgement("vanilla", values={"bowl1": 1.5})
    with pytest.raises(TypeError, match="exactly one of"):
        flat.with_judgement("vanilla", values={"bowl1": 0.5}, ratios={"bowl1": 1, "bowl2": 1})
    with pytest.raises(KeyError, match="unknown item 'vanila'"):
        flat.with_judgement("vanila", values={"bowl1": 0.5})


def test_with_prior_matches_the_prior_argument() -> None:
    case = mv.examples.load("dice")
    p = {h: w for h, w in zip(case.hypothesis_ids, [0.1, 0.2, 0.3, 0.2, 0.2], strict=True)}
    assert _credence(case.with_prior(p)) == pytest.approx(_credence(case, prior=p), abs=1e-15)
    thirds = mv.examples.load("monty_hall")
    k = len(thirds.hypothesis_ids)
    new = thirds.with_prior([0.333] * k, normalise=True)
    assert new.prior_vector() == pytest.approx([1 / k] * k, abs=1e-15)
    with pytest.raises(CaseError, match="priors must sum to 1"):
        case.with_prior([0.3] * 5)


def test_with_reliability_matches_the_long_way() -> None:
    case = mv.examples.load("burglary")
    new = case.with_reliability("neighbour", {"mean": 0.4, "concentration": 10})

    def edit(d: dict) -> None:
        d["sources"][0]["reliability"] = {"mean": 0.4, "concentration": 10}

    assert _credence(new) == pytest.approx(_credence(_by_dump(case, edit)), abs=1e-15)
    assert not np.allclose(_credence(new), _credence(case))
    with pytest.raises(KeyError, match="unknown source 'neighbor'"):
        case.with_reliability("neighbor", 0.5)


def test_without_items_matches_the_engine_dropping_them() -> None:
    case = mv.examples.load("burglary")
    for ids in (["fibres_match"], ["had_motive"], ["at_scene", "suspect_in_debt"]):
        arr = compiled(case, None).without(ids)
        assert _credence(case.without_items(ids)) == pytest.approx(
            posterior(arr, arr.prior), abs=1e-14
        )
    given = mv.Case.model_validate(
        {
            "name": "g",
            "hypotheses": [{"id": "a"}, {"id": "b"}],
            "evidence": [
                {"id": "x", "title": "X", "likelihoods": {"a": 0.5, "b": 0.2}},
                {"id": "y", "title": "Y", "given": ["x"], "likelihoods": {"a": 0.5, "b": 0.4}},
            ],
        }
    )
    with pytest.raises(CaseError, match="unknown item 'x'"):
        given.without_items(["x"])
    assert given.without_items(["x", "y"]).evidence == []


def test_with_item_adds_or_replaces_and_validates() -> None:
    case = mv.examples.cookie_case()
    more = case.with_item(
        {
            "id": "chocolate",
            "title": "A chocolate cookie",
            "likelihoods": {"bowl1": 0.25, "bowl2": 0.5},
        }
    )
    assert [e.id for e in more.evidence] == ["vanilla", "chocolate"]
    assert _credence(more)[0] == pytest.approx(
        3 / 7
    )  # vanilla then chocolate: 0.75*0.25 vs 0.5*0.5
    again = more.with_item(more.item("chocolate").model_copy(update={"title": "Choc"}))
    assert [e.title for e in again.evidence][1] == "Choc" and len(again.evidence) == 2
    with pytest.raises(CaseError, match="missing hypothesis 'bowl2'"):
        case.with_item({"id": "bad", "title": "Bad", "likelihoods": {"bowl1": 0.5}})
