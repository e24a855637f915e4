"""Issue 22: every report sentence stating a number or direction comes from a claim, and holds.

:func:`motives.report.document.build_report` returns the report with the claims of its sentences
(those of "In words", from :func:`motives.report.explain.explain`, first). A property test over
generated cases (priors that oppose the evidence, near-ties, single items, a hypothesis ruled out,
with and without sources, structured cases and networks) checks every claim against the tables,
recomputed here; then one test per falsehood the report used to print.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import motives as mv
from motives import sensitivity as S
from motives.conventions import number_text
from motives.exact import compile_case, exact_posterior
from motives.report.document import build_report
from motives.sensitivity.judgements import default_base_rates
from motives.testing import random_network_case, random_structured_case
from test_truth_prose import _flat, check_explain_claims


def _db(c: float) -> float:
    with np.errstate(divide="ignore"):
        return float(10 * np.log10(c / (1 - c))) if 0 < c < 1 else (np.inf if c >= 1 else -np.inf)


def check_report_claims(case, tables, rep):
    """Every claim of the report against the tables (and the engine), recomputed here."""
    md = rep.markdown
    words = md.split("## In words")[1].split("\n## ")[0]
    explain_claims = [
        c
        for c in rep.claims
        if c.table not in ("judgements", "conflict", "surprise", "sobol")
        and c.what
        not in ("headline", "value_summary", "structure_effect", "discount_level", *REPORT_ONLY)
    ]
    check_explain_claims(case, explain_claims, words)
    post = exact_posterior(case)
    fam = post.xs("family", level="level")["credence"].astype(float)
    for c in rep.claims:
        if c.what == "headline":
            r = tables["reversal_priors"].loc[(c.detail["level"], c.subject)]
            assert c.value == pytest.approx(float(r["credence"]), abs=1e-12)
            assert c.other == pytest.approx(float(r["bayes_factor"]), rel=1e-9)
            lvl = post.xs(c.detail["level"], level="level")["credence"].astype(float)
            assert c.value == pytest.approx(float(lvl[c.subject]), abs=1e-12)
            if c.detail["leading"]:
                assert c.value == pytest.approx(float(fam.max()), abs=1e-12)
            assert f"credence {c.value:.4g} (Bayes factor against the rest {c.other:.4g}" in md
        elif c.what == "structure_effect":
            flat = (
                exact_posterior(case, structure=False)
                .xs("family", level="level")["credence"]
                .astype(float)
            )
            assert c.value == pytest.approx(_db(float(fam[c.subject])), abs=1e-9)
            assert c.other == pytest.approx(_db(float(flat[c.subject])), abs=1e-9)
            diff = c.other - c.value
            if abs(diff) < 0.05:
                assert "the two agree" in md
            else:
                assert (
                    f"would {'overstate' if diff > 0 else 'understate'} the case for it by "
                    f"{abs(diff):.1f} dB" in md
                )
        elif c.what == "discount_level":
            d = tables["evidence_discount"]
            g = d.attrs["gamma_for"][c.other]
            curve = d.xs((c.detail["level"], c.subject), level=["level", "id"])[
                ["gamma", "credence"]
            ].astype(float)
            curve = curve.sort_values("gamma")
            st_ = c.detail["status"]
            if st_ == "never":
                assert g is None
            else:
                assert c.value == g
                now = float(curve["credence"].iloc[-1])
                kept = (curve.loc[curve["gamma"] >= g, "credence"] >= c.other).all()
                assert st_ == ("not_reached" if now < c.other else "kept" if kept else "not_kept")
        elif c.what == "case_conflict":
            conf = tables.get("conflict")
            if conf is None:
                from motives.sensitivity.conflict import conflict

                conf = conflict(case)
            assert c.value == pytest.approx(
                float(conf.loc[("case", "(all evidence)"), "conflict_db"]), abs=1e-9
            )
            said = (
                "the items fit together"
                if c.value <= 0
                else "the items are less probable together than apart"
            )
            assert said in md
        elif c.what == "conflict":
            assert c.value >= c.other
        elif c.what == "defaulted_base_rate":
            assert c.value == pytest.approx(
                default_base_rates(compile_case(case))[c.subject], rel=1e-12
            )
        elif c.what == "sobol_noisy":
            assert c.subject in tables[c.table or "sobol"].attrs["noisy"]
        elif c.what in REPORT_ONLY:
            REPORT_ONLY[c.what](case, tables, c, md)
        elif c.what == "all_surprising":
            from motives.sensitivity.conflict import surprise

            assert surprise(case).attrs["all_surprising"]
    # nothing trivial is printed
    assert not re.search(r"(\d+(\.\d+)?%) instead of \1\b", md)
    assert "gamma >= 0.00" not in md and "a factor of 1.00 on the odds" not in md


def _check_group_discount(case, tables, c, md):
    """The sentence under a group discount table: its level, group and gamma, against the table."""
    gd = tables[c.table]
    full = float(gd["credence"].iloc[0])
    levels = [float(v) for v in gd.attrs["levels"]]
    reached = [v for v in levels if full >= v]
    assert c.compared_with == gd.attrs["target"] and c.other == (
        min(reached) if reached else min(levels)
    )
    assert (
        c.detail["credence"]
        == full
        == pytest.approx(
            float(
                exact_posterior(case)
                .xs((gd.attrs["target_level"], gd.attrs["target"]), level=("level", "id"))[
                    "credence"
                ]
                .iloc[0]
            ),
            abs=1e-12,
        )
    )
    col = gd[f"gamma_{c.other:g}"].astype(float)
    status = c.detail["status"]
    if status == "not_reached":
        assert (
            not reached
            and col.isna().all()
            and f"{full:.4g} with every item at full weight, under every" in md
        )
        return
    assert c.value == float(col[c.subject]) and c.detail["without"] == float(
        gd.loc[c.subject, "credence_without"]
    )
    if status in ("needed", "none_needed"):  # the group the target needs most at that level
        assert reached and c.value == col.max() and (c.value > 0) == (status == "needed")
    if (
        status == "needed"
    ):  # gamma 0 (the group left out) does not reach the level, or its gamma would be 0
        assert c.detail["without"] < c.other
        assert (
            f"weighed at less than gamma = {number_text(c.value, 2)}, its credence is under "
            f"{c.other:g}" in md
        )
    if status == "none_needed":
        assert (col == 0).all() and (gd["credence_without"].astype(float) >= c.other).all()
    if (
        status == "raised_by"
    ):  # at full weight under the level, discounted at or over it: they pull it down
        assert (
            not reached
            and col.notna().any()
            and c.detail["without"] == gd.loc[col.notna(), "credence_without"].max()
        )
        assert full < c.other


def _check_proposition_voi(case, tables, c, md):
    """The proposition most worth learning: the table's largest value, against the entropy now."""
    pi = tables["proposition_information"]
    assert c.value == pi["voi"].astype(float).max() and c.subject == str(
        pi["voi"].astype(float).idxmax()
    )
    hyp = exact_posterior(case).xs("hypothesis", level="level")["credence"].astype(float).to_numpy()
    hyp = hyp[hyp > 0]
    assert c.other == pytest.approx(
        float(-(hyp * np.log2(hyp)).sum()), abs=1e-9
    )  # H(h | E), recomputed here
    assert (
        -1e-12 <= c.value <= c.other + 1e-9
    )  # learning a state can remove at most the uncertainty there is
    assert f"`{c.subject}`, {number_text(c.value, 3)} of the {number_text(c.other, 3)} bits" in md


def _check_sobol_largest(case, tables, c, md):
    """The largest total index on the credence and on the log-odds scale, from their tables."""
    sc, sob = tables["sobol_credence"]["ST"].astype(float), tables["sobol"]["ST"].astype(float)
    assert (c.subject, c.value) == (str(sc.idxmax()), sc.max())
    assert (c.compared_with, c.other) == (str(sob.idxmax()), sob.max())
    assert f"`{c.subject}`" in md and f"{c.value:.3f}" in md and f"{c.other:.3f}" in md


#: The report's own claims on the tables of the analyses it reported last (issue 24), each with its
#: check.
REPORT_ONLY = {
    "group_discount": _check_group_discount,
    "proposition_voi": _check_proposition_voi,
    "sobol_largest": _check_sobol_largest,
}


def _report(case):
    tables = S.run_all(case, sobol_samples=16, sweep_points=5)
    return tables, build_report(case, tables, {}, spec={"name": case.name})


flat_cases = st.builds(
    lambda seed, sources, ruled_out, n, oppose, tie: _flat(
        seed, sources=sources, ruled_out=ruled_out, n_items=n, oppose=oppose, near_tie=tie
    ),
    st.integers(0, 10_000),
    st.booleans(),
    st.booleans(),
    st.integers(1, 4),
    st.booleans(),
    st.booleans(),
)
structured_cases = st.builds(
    lambda seed, k: random_structured_case(seed, n_hyp=k, n_props=2, n_items=4),
    st.integers(0, 10_000),
    st.integers(2, 3),
)
network_cases = st.builds(
    lambda seed, k: random_network_case(seed, n_hyp=k, n_facts=3, n_items=3),
    st.integers(0, 10_000),
    st.integers(2, 3),
)


# no shrinking: each example runs every analysis (seconds); a failure prints its case as drawn
@settings(
    max_examples=14,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(st.one_of(flat_cases, structured_cases, network_cases))
def test_every_claim_of_the_report_holds_against_the_tables(case):
    try:
        tables, rep = _report(case)
    except mv.CaseError:  # the evidence rules out every hypothesis: no report
        return
    assert any(c.what == "headline" for c in rep.claims)
    check_report_claims(case, tables, rep)


NAMED = ["alarm", "student", "witness", "burglary", "dice", "cookies"]


def _named_cases():
    from test_truth_judgements import lab_case
    from test_truth_sobol import structured_lab

    return [mv.examples.load(n) for n in NAMED] + [
        lab_case(),
        structured_lab(),
        _flat(7, sources=True, ruled_out=True, n_items=1, oppose=True, near_tie=False),
    ]


def test_the_named_cases_make_every_kind_of_report_claim_and_each_holds():
    """The test of the report's own claims is not vacuous.

    These cases make every main kind of the report's own claims, and each is checked.
    """
    kinds = set()
    for case in _named_cases():
        tables, rep = _report(case)
        check_report_claims(case, tables, rep)
        kinds |= {c.what for c in rep.claims}
    assert {
        "headline",
        "structure_effect",
        "discount_level",
        "case_conflict",
        "against",
        "defaulted_base_rate",
        "evidence_favours",
        "nearest_flip",
        *REPORT_ONLY,
    } <= kinds, kinds


# -------------------------------------------------------------- falsehoods and silences, one by one


def test_the_report_names_what_speaks_against_the_leader_on_the_student():
    """The student's grade (a C) speaks against high intelligence, the leader.

    The report used to say nothing.
    """
    case = mv.examples.load("student")
    _, rep = _report(case)
    words = rep.markdown.split("## In words")[1].split("\n## ")[0]
    assert (
        "What speaks most against High intelligence: The student's grade (grade = c, -7.0 dB, "
        "favouring "
        "Ordinary intelligence)" in words
    )
    c = next(c for c in rep.claims if c.what == "against")
    assert c.subject == "grade" and c.detail["favours"] == "low"


def test_a_level_the_prior_alone_keeps_is_not_given_as_gamma_0():
    """A prior of 0.95 on the target and weak evidence: 0.9 is kept at every gamma.

    The report used to print '0.9: gamma >= 0.00 (0.0 items)', a scale of 0.00 that says nothing.
    """
    case = mv.Case.model_validate(
        {
            "name": "strong_prior",
            "hypotheses": [{"id": "h1", "prior": 0.95}, {"id": "h2", "prior": 0.05}],
            "evidence": [{"id": "e", "title": "E", "likelihoods": {"h1": 0.6, "h2": 0.5}}],
        }
    )
    _, rep = _report(case)
    assert "gamma >= 0.00" not in rep.markdown
    assert "0.9: at every gamma, even with the evidence weighed at nothing" in rep.markdown
    c = next(c for c in rep.claims if c.what == "discount_level" and c.other == 0.9)
    assert c.value == 0 and c.detail["status"] == "kept"


def test_one_item_is_not_said_to_be_several():
    _, rep = _report(mv.examples.load("student"))
    assert "the heaviest for High intelligence is The SAT score was high" in rep.markdown


def test_the_report_names_the_proposition_the_credence_needs_most():
    """Burglary under an even prior: the sentence names the scene, the proposition 0.9 needs most.

    The suspect has 0.945; to stay at 0.9 it needs the scene's three items weighed at gamma 0.435 or
    more and the motive's two at 0.208 or more.
    """
    case = mv.examples.load("burglary").with_prior({"suspect": 0.5, "someone_else": 0.5})
    tables, rep = _report(case)
    check_report_claims(case, tables, rep)
    c = next(
        c for c in rep.claims if c.what == "group_discount" and c.table == "discount_by_proposition"
    )
    assert (c.subject, c.other, c.detail["status"]) == ("at_scene", 0.9, "needed")
    assert c.value == pytest.approx(0.435, abs=5e-4)
    assert "rests most for credence 0.9 on `at_scene` (3 items)" in rep.markdown
