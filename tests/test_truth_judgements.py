"""Issue 22: every judgement is an input of the sensitivity analyses.

The judgements: reliabilities, base rates, the prior.

The lab case: one lab reports a DNA match twice; its reliability is judged 0.999 with a Beta of
concentration 50, a random-match probability of 1e-6, and a prior of 1/1000 that the suspect is the
source. The conclusion rests on the lab's reliability; tornado, break-even and Sobol must show it.
"""

from __future__ import annotations

import numpy as np
import pytest

import motives as mv
from motives import sensitivity as S
from motives.exact import compile_case, exact_posterior
from motives.sensitivity.judgements import default_base_rates, judgement_table


def lab_case(reliability=None, base_rate=None, prior=0.001):
    rel = {"mean": 0.999, "concentration": 50} if reliability is None else reliability
    items = [
        {
            "id": f"match_{i}",
            "title": f"The lab reports a match ({i})",
            "reported_by": "lab",
            "likelihoods": {"source": 1.0, "not_source": 1e-6},
        }
        for i in (1, 2)
    ]
    if base_rate is not None:
        for e in items:
            e["base_rate"] = base_rate
    return mv.Case.model_validate(
        {
            "name": "lab",
            "hypotheses": [
                {"id": "source", "prior": prior},
                {"id": "not_source", "prior": 1 - prior},
            ],
            "sources": [{"key": "lab", "reliability": rel}],
            "evidence": items,
        }
    )


def credence(case, prior=None):
    return float(exact_posterior(case, prior=prior).loc[("hypothesis", "source"), "credence"])


def test_the_reliability_is_the_largest_bar_of_the_tornado():
    t = S.tornado(lab_case(), target="source")
    assert t.index[0] == "source:lab"
    assert t.loc["source:lab", "kind"] == "source" and t.loc[
        "source:lab", "value"
    ] == pytest.approx(0.999)
    # the bar is the case with the reliability's odds times 1/3 and 3, the Beta's concentration kept
    for col, x in (("low", 1 / 3), ("high", 3.0)):
        v = 0.999 * x / (0.999 * x + 0.001)
        want = credence(lab_case({"mean": v, "concentration": 50}))
        assert t.loc["source:lab", col] == pytest.approx(want, abs=1e-9)
    assert set(t["kind"]) == {"item", "source", "base_rate", "prior"}


def test_the_reliability_is_the_nearest_flip_of_break_even_and_lands_on_the_tie():
    be = S.break_even(lab_case(), target="source")
    reach = be[be["reachable"].astype(bool)]
    assert reach["factor_db"].abs().idxmin() == "source:lab"
    v = float(be.loc["source:lab", "value_needed"])
    assert 0.9 < v < 0.999
    assert credence(lab_case({"mean": v, "concentration": 50})) == pytest.approx(0.5, abs=1e-8)
    # the prior: closed form, and the tie when the prior is moved by hand
    p = float(be.loc["prior", "value_needed"])
    assert credence(lab_case(prior=p)) == pytest.approx(0.5, abs=1e-8)


def test_a_base_rate_that_can_tie_lands_on_the_tie():
    """Base rates 0.1, a reliability of 0.9, a prior of 1/1000: raising one base rate alone ties."""
    case = lab_case({"mean": 0.9, "concentration": 200}, base_rate=0.1, prior=0.001)
    be = S.break_even(case, target="source")
    row = be.loc["base_rate:match_1"]
    assert row["kind"] == "base_rate" and row["value"] == pytest.approx(0.1)
    assert bool(row["reachable"])
    data = case.model_dump(exclude_none=True)
    data["evidence"][0]["base_rate"] = float(row["value_needed"])
    assert credence(mv.Case.model_validate(data)) == pytest.approx(0.5, abs=1e-8)


def test_sobol_names_the_reliability():
    gs = S.global_sensitivity(lab_case(), target="source", n=256, n_boot=0)
    assert gs.index[0] == "source:lab" and gs.loc["source:lab", "kind"] == "source"
    assert gs.loc["source:lab", "ST"] > 0.9


def test_an_empty_sobol_table_says_why():
    """A fixed reliability is no distribution.

    The table is empty, and says so, naming what it leaves out.
    """
    gs = S.global_sensitivity(lab_case(0.999), target="source", n=64)
    assert gs.empty
    assert "empty" in gs.attrs["warning"] and "source:lab (0.999)" in gs.attrs["warning"]
    assert "source:lab (0.999)" in gs.attrs["not_inputs"]
    # and the tornado still moves it
    t = S.tornado(lab_case(0.999), target="source")
    assert t.loc["source:lab", "swing_db"] > 1.0


def test_a_defaulted_base_rate_is_stated_with_its_value():
    arr = compile_case(lab_case())
    assert default_base_rates(arr) == pytest.approx({"match_1": 0.5000005, "match_2": 0.5000005})
    jt = judgement_table(lab_case(), target="source")
    assert bool(jt.loc["base_rate:match_1", "defaulted"])
    assert default_base_rates(compile_case(lab_case(base_rate=1e-4))) == {}


def test_without_reliability_sources_and_base_rates_are_no_inputs():
    t = S.tornado(lab_case(), target="source", reliability=False)
    assert set(t["kind"]) == {"item", "prior"}


def test_a_case_without_sources_has_the_prior_as_its_only_other_judgement():
    t = S.tornado(mv.examples.load("alarm"))
    assert set(t.loc[t["kind"] != "item", "kind"]) <= {"table", "prior"}
    assert "prior" in t.index
    assert np.isfinite(t.loc["prior", "swing_db"])
