"""Sensitivity analysis: known answers, each to a stated tolerance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import motives as mv
from _sens_cases import rich_case, two_hypothesis_case
from motives import sensitivity as S
from motives.exact import compile_case, family_credence, loglik, posterior
from motives.sensitivity._core import DB, scenario_loglik, scenario_posterior

TIGHT = 1e-12  # arithmetic identities
TIE = 1e-9  # break-even and reversal: landing on the tie


@pytest.fixture(scope="module")
def case() -> mv.Case:
    return rich_case()


def _logit_db(p: float) -> float:
    return DB * (np.log(p) - np.log1p(-p))


# ------------------------------------------------------------------ the scenario evaluator


def test_scenario_loglik_is_the_engine(case):
    arr = compile_case(case)
    every = np.ones(
        len(arr.all_items), dtype=bool
    )  # an explicit mask takes the masked path, not the engine's
    np.testing.assert_allclose(
        scenario_loglik(arr, keep=every), loglik(arr), rtol=TIGHT, atol=TIGHT
    )
    np.testing.assert_allclose(
        scenario_loglik(arr, keep=every, reliability=False),
        loglik(arr, reliability=False),
        rtol=TIGHT,
        atol=TIGHT,
    )
    lam = np.stack([arr.lam, arr.lam**0.5])
    np.testing.assert_allclose(
        scenario_loglik(arr, lam=lam, keep=every), loglik(arr, lam), rtol=TIGHT, atol=TIGHT
    )


@pytest.mark.parametrize(
    "drop", [["orders"], ["report1"], ["report2", "rhetoric"], ["report1", "report2"]]
)
def test_keep_mask_equals_dropping_items(case, drop):
    arr = compile_case(case)
    keep = np.array([e not in drop for e in arr.all_items])
    np.testing.assert_allclose(
        scenario_posterior(arr, keep=keep), posterior(arr.without(drop)), rtol=TIGHT
    )


def test_ten_thousand_scenarios_in_one_call(case):
    """>= 10,000 priors x likelihood tables in one vectorised call; agrees with a loop on a few."""
    arr = compile_case(case)
    rng = np.random.default_rng(7)
    S_, N, K = 10_000, len(arr.items), len(arr.hypotheses)
    priors = rng.dirichlet(np.ones(K), size=S_)
    lam = np.clip(arr.lam[None] * rng.uniform(0.5, 1.5, size=(S_, N, K)), 0.0, 1.0)
    post = posterior(arr, priors, lam)
    assert post.shape == (S_, K)
    np.testing.assert_allclose(post.sum(axis=1), 1.0, rtol=TIGHT)
    for s in (0, 17, 4_321, 9_999):
        np.testing.assert_allclose(post[s], posterior(arr, priors[s], lam[s]), rtol=TIGHT)
    sweep = S.prior_sweep(case, "nat", points=10_001)
    assert sweep.index.get_level_values("scenario").nunique() == 10_001


# ------------------------------------------------------------------ prior sweep and reversal


@pytest.mark.parametrize("target", ["nat", "reg", "security", "nonsecurity"])
def test_prior_sweep_is_bayes_rule_in_odds_form(case, target):
    df = S.prior_sweep(case, target, points=41)
    bf = S.bayes_factor(case, target)
    level = "family" if target in ("security", "nonsecurity") else "hypothesis"
    sub = df.xs((level, target), level=("level", "id"))
    p = sub["target_prior"].to_numpy()[1:-1]
    c = sub["credence"].to_numpy()[1:-1]
    np.testing.assert_allclose(c / (1 - c), p / (1 - p) * bf, rtol=1e-10)
    assert sub["credence"].iloc[0] == pytest.approx(0.0, abs=TIGHT)
    assert sub["credence"].iloc[-1] == pytest.approx(1.0, abs=TIGHT)


def test_prior_sweep_keeps_proportions_and_hits_the_case_prior(case):
    df = S.prior_sweep(case, "nonsecurity", grid=[0.6])  # the case's prior of the family
    post = mv.exact_posterior(case)
    np.testing.assert_allclose(df["credence"].to_numpy(), post["credence"].to_numpy(), rtol=TIGHT)


def test_reversal_prior_lands_on_the_tie(case):
    rev = S.reversal_priors(case)
    for level, t in [("family", "nonsecurity"), ("hypothesis", "lea"), ("hypothesis", "nat")]:
        p_star = rev.loc[(level, t), "prior_for_tie"]
        df = S.prior_sweep(case, t, grid=[p_star])
        assert df.loc[(0, level, t), "credence"] == pytest.approx(0.5, abs=TIE)
    # BF in odds form: posterior odds / prior odds
    r = rev.loc[("family", "nonsecurity")]
    assert r["credence"] / (1 - r["credence"]) == pytest.approx(
        r["prior"] / (1 - r["prior"]) * r["bayes_factor"], rel=1e-10
    )


# ------------------------------------------------------------------ weight of evidence


def test_decibans_sum_to_the_log_odds_change_two_hypotheses():
    case = two_hypothesis_case()
    w = S.weight_of_evidence(case).xs(("hypothesis", "h1"), level=("level", "id"))["decibans"]
    post = mv.exact_posterior(case).loc[("hypothesis", "h1")]
    assert w.sum() == pytest.approx(
        _logit_db(post["credence"]) - _logit_db(post["prior"]), abs=1e-9
    )
    assert w["e1"] == pytest.approx(10 * np.log10(0.8 / 0.3), abs=TIGHT)


def test_k_above_two_prior_weighted_sum_is_approximate_but_sequential_sum_is_exact():
    """K > 2: the prior-weighted decibans need not add up.

    The sequential ones (trajectory) always do.
    """
    case = mv.examples.load("dice")
    c = mv.exact_posterior(case).loc[("hypothesis", "d12")]
    total = _logit_db(c["credence"]) - _logit_db(c["prior"])
    w = S.weight_of_evidence(case).xs(("hypothesis", "d12"), level=("level", "id"))["decibans"]
    assert abs(w.sum() - total) > 0.5  # approximate only: d4/d6 are ruled out along the way
    tr = S.trajectory(case).xs(("hypothesis", "d12"), level=("level", "id"))
    assert tr["step_db"].sum() == pytest.approx(total, abs=1e-9)


def test_sequential_decibans_sum_with_sources_and_timeline(case):
    tr = S.trajectory(case)
    post = mv.exact_posterior(case)
    for level, t in [("family", "nonsecurity"), ("hypothesis", "reg")]:
        sub = tr.xs((level, t), level=("level", "id"))
        c = post.loc[(level, t)]
        assert sub["step_db"].sum() == pytest.approx(
            _logit_db(c["credence"]) - _logit_db(c["prior"]), abs=1e-9
        )
        assert sub["credence"].iloc[-1] == pytest.approx(c["credence"], abs=TIGHT)


def test_trajectory_orders_by_date_and_states_undated(case):
    tr = S.trajectory(case).xs(("family", "security"), level=("level", "id"))
    assert tr["evidence"].iloc[0] == "(prior)"
    undated = {"report2", "neutral"}  # rhetoric is dated by its last observation
    assert set(tr["evidence"].iloc[1:3]) == undated and not tr["dated"].iloc[1:3].any()
    years = tr["year"].to_numpy()[3:]
    assert np.all(np.diff(years) >= 0)
    last = S.trajectory(case, undated="last").xs(("family", "security"), level=("level", "id"))
    assert set(last["evidence"].iloc[-2:]) == undated
    drop = S.trajectory(case, undated="drop")
    assert not set(drop["evidence"]) & undated


# ------------------------------------------------------------------ leave-one-out


def test_leave_one_out_of_a_neutral_item_changes_nothing(case):
    loo = S.leave_one_out(case)
    sub = loo.xs("neutral", level="evidence")
    assert np.all(sub["delta"].to_numpy() == 0.0)
    np.testing.assert_allclose(sub["credence_without"], sub["credence"], rtol=0, atol=1e-15)
    assert (loo.xs("orders", level="evidence")["delta"].abs() > 1e-3).any()


def test_leave_one_out_matches_recompiling(case):
    loo = S.leave_one_out(case)
    arr = compile_case(case)
    for e in arr.all_items:
        want = posterior(arr.without([e]))
        got = loo.xs((e, "hypothesis"), level=("evidence", "level"))["credence_without"].to_numpy()
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_leave_one_source_out_drops_all_its_items(case):
    df = S.leave_one_source_out(case)
    assert df.attrs["items"]["wire"] == ["report1", "report2"]
    arr = compile_case(case)
    want = posterior(arr.without(["report1", "report2"]))
    got = df.xs(("wire", "hypothesis"), level=("source", "level"))["credence_without"].to_numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_leave_one_lens_out_with_two_lenses_is_the_other_lens(case):
    df = S.leave_one_lens_out(case)
    without_b = df.xs(("b", "hypothesis"), level=("lens", "level"))["credence"].to_numpy()
    np.testing.assert_allclose(
        without_b, mv.exact_posterior(case, "a").xs("hypothesis")["credence"], rtol=1e-12
    )
    # without a: only b's items count, read through b
    arr_b = compile_case(case, "b")
    rated = [e for e in arr_b.all_items if e not in arr_b.fallbacks]
    want = posterior(arr_b.without([e for e in arr_b.all_items if e not in rated]))
    got = df.xs(("a", "hypothesis"), level=("lens", "level"))["credence"].to_numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert set(df.attrs["left_out"]["a"]) == set(arr_b.fallbacks)


def test_lens_comparison_is_exact_posterior_per_lens(case):
    df = S.lens_comparison(case)
    for lens in case.lens_ids:
        np.testing.assert_allclose(
            df.xs(lens, level="lens")["credence"].to_numpy(),
            mv.exact_posterior(case, lens)["credence"].to_numpy(),
            rtol=TIGHT,
        )
    assert df.loc[("b", "family", "security"), "fallbacks"] == len(
        compile_case(case, "b").fallbacks
    )


def test_cruxes_equal_editing_the_case(case):
    cr = S.cruxes(case)
    assert cr.index.names == ["lens", "evidence"]
    assert "talks" not in cr.index.get_level_values("evidence")  # b does not rate it
    assert "rhetoric" not in cr.index.get_level_values("evidence")
    # swapping 'orders' to lens b == a case whose lens a reads 'orders' as lens b does
    data = case.model_dump(mode="python")
    for it in data["evidence"]:
        if it["id"] == "orders":
            it["likelihoods"]["a"] = it["likelihoods"]["b"]
    edited = mv.Case.model_validate(data)
    c = mv.exact_posterior(edited).loc[("family", cr.attrs["target"]), "credence"]
    assert cr.loc[("b", "orders"), "credence_swapped"] == pytest.approx(c, abs=1e-12)
    c0 = cr.attrs["credence"]
    assert cr.loc[("b", "orders"), "delta_db"] == pytest.approx(
        _logit_db(c) - _logit_db(c0), abs=1e-9
    )
    assert list(cr["delta_db"].abs()) == sorted(cr["delta_db"].abs(), reverse=True)


# ------------------------------------------------------------------ tornado and break-even


def test_tornado_factor_one_is_the_base_and_neutral_item_has_no_bar(case):
    t1 = S.tornado(case, factor=1.0 + 1e-15)
    np.testing.assert_allclose(t1["low"], t1["credence"], atol=1e-12)
    t = S.tornado(case, factor=3.0)
    assert t.loc["neutral", "swing"] == pytest.approx(0.0, abs=1e-15)
    assert t.index[0] != "neutral" and t["swing_db"].is_monotonic_decreasing


def test_tornado_strength_multiplies_decibans(case):
    """At face value, strength factor f multiplies the item's weight of evidence by f.

    With two hypotheses this is exact.
    """
    two = two_hypothesis_case()
    t = S.tornado(two, factor=2.0, target="h1")
    w = S.weight_of_evidence(two).xs(("hypothesis", "h1"), level=("level", "id"))["decibans"]
    post = mv.exact_posterior(two).loc[("hypothesis", "h1"), "credence"]
    for e in ("e1", "e2", "e3"):
        assert _logit_db(t.loc[e, "high"]) - _logit_db(post) == pytest.approx(w[e], abs=1e-9)
        assert _logit_db(t.loc[e, "low"]) - _logit_db(post) == pytest.approx(-w[e] / 2, abs=1e-9)


def test_tornado_ratio_mode_moves_odds_by_the_factor_at_face_value():
    two = two_hypothesis_case()
    t = S.tornado(two, factor=3.0, mode="ratio", target="h1")
    post = mv.exact_posterior(two).loc[("hypothesis", "h1"), "credence"]
    np.testing.assert_allclose(
        _logit_db(t["high"].to_numpy()) - _logit_db(post), 10 * np.log10(3), atol=1e-9
    )


def _apply(case, target_level, target, which, factor):
    arr = compile_case(case)
    pri = np.array(case.prior_vector())
    mask = (
        (arr.family_index == arr.families.index(target))
        if target_level == "family"
        else np.array([h == target for h in arr.hypotheses])
    )
    lam, other = S.scale_rows(arr, mask, np.asarray(which)[None], np.array([factor]))
    post = scenario_posterior(arr, pri, lam=lam, other=other)[0]
    return family_credence(arr, post) if target_level == "family" else post, arr


@pytest.mark.parametrize("target", [None, "reg"])
def test_break_even_factor_lands_on_the_tie(case, target):
    be = S.break_even(case, target=target)
    level, tgt, rival = be.attrs["target_level"], be.attrs["target"], be.attrs["rival"]
    assert be["method"].eq("closed form").any() and be["method"].eq("root").any()
    for e, row in be.iterrows():
        if (
            not row["reachable"] or row["kind"] != "item"
        ):  # reliabilities, base rates, prior: test_truth_judgements
            continue
        arr = compile_case(case)
        which = np.array([x == e for x in arr.all_items])
        c, arr = _apply(case, level, tgt, which, row["factor"])
        ids = arr.families if level == "family" else arr.hypotheses
        assert c[ids.index(tgt)] == pytest.approx(c[ids.index(rival)], abs=TIE), e
        assert row["db_needed"] == pytest.approx(
            row["db_item"] + 10 * np.log10(row["factor"]), abs=1e-9
        )


def test_break_even_unreachable_behind_an_unreliable_source():
    """The witness is right with probability 0.6.

    No judgement can make 'green' lose to 'blue' alone.
    """
    be = S.break_even(mv.examples.load("witness"))
    assert not be.loc["says_blue", "reachable"]


def test_lens_break_even_lands_on_the_tie(case):
    lb = S.lens_break_even(case)
    for lens, row in lb.iterrows():
        arr = compile_case(case, lens)
        which = np.array([e not in arr.fallbacks for e in arr.all_items])
        lam, other = S.scale_rows(
            arr,
            arr.family_index == arr.families.index(lb.attrs["target"]),
            which[None],
            np.array([row["factor"]]),
        )
        c = family_credence(
            arr, scenario_posterior(arr, np.array(case.prior_vector()), lam=lam, other=other)[0]
        )
        assert c[0] == pytest.approx(c[1], abs=TIE), lens


def test_break_even_closed_form_two_hypotheses():
    two = two_hypothesis_case()
    be = S.break_even(two)
    post = mv.exact_posterior(two).xs("hypothesis")["credence"]
    lead, other = post.idxmax(), post.idxmin()
    np.testing.assert_allclose(be["factor"], post[other] / post[lead], rtol=1e-12)


# ------------------------------------------------------------------ Sobol


def test_sobol_estimator_on_ishigami():
    """Saltelli/Jansen with n = 2**13 (40,960 evaluations).

    Every index within 0.03 of the analytic value.
    """
    df = S.sobol_indices(S.ishigami, lambda u: -np.pi + 2 * np.pi * u, 3, 2**13, seed=3, n_boot=50)
    ref = S.ishigami_indices()
    np.testing.assert_allclose(df["S1"], ref["S1"], atol=0.03)
    np.testing.assert_allclose(df["ST"], ref["ST"], atol=0.03)
    assert (df["S1_se"] < 0.03).all()


def test_sobol_estimator_agrees_with_salib():
    salib = pytest.importorskip("SALib")
    from SALib.analyze import sobol as sa
    from SALib.sample import sobol as ss

    del salib
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    X = ss.sample(problem, 2**12, calc_second_order=False, seed=5)
    Si = sa.analyze(problem, S.ishigami(X), calc_second_order=False, seed=5)
    ours = S.sobol_indices(S.ishigami, lambda u: -np.pi + 2 * np.pi * u, 3, 2**12, seed=5, n_boot=0)
    np.testing.assert_allclose(ours["ST"], Si["ST"], atol=0.04)
    np.testing.assert_allclose(ours["S1"], Si["S1"], atol=0.04)


def test_global_sensitivity_single_uncertain_item_explains_everything():
    """Only one cell uncertain: it carries all the variance (S1 = ST = 1 within 0.02)."""
    case = mv.Case.model_validate(
        {
            "name": "one",
            "hypotheses": [{"id": "h1"}, {"id": "h2"}, {"id": "h3"}],
            "evidence": [
                {
                    "id": "a",
                    "title": "a",
                    "likelihoods": {"h1": {"mean": 0.6, "concentration": 10}, "h2": 0.3, "h3": 0.2},
                },
                {"id": "b", "title": "b", "likelihoods": {"h1": 0.5, "h2": 0.7, "h3": 0.4}},
            ],
        }
    )
    df = S.global_sensitivity(case, n=1024, n_boot=0)
    assert list(df.index) == ["a"]
    assert df.loc["a", "S1"] == pytest.approx(1.0, abs=0.02)
    assert df.loc["a", "ST"] == pytest.approx(1.0, abs=0.02)


def test_global_sensitivity_ranks_and_bounds(case):
    df = S.global_sensitivity(case, n=512, n_boot=20)
    assert df.index.name == "input" and set(df["kind"]) == {"item", "source"}
    assert "talks" not in df.index  # point judgements are fixed
    assert ((df["S1"] > -0.05) & (df["ST"] < 1.05)).all()
    assert df["ST"].sum() >= 0.9  # nearly additive: total indices cover the variance
    cells = S.global_sensitivity(case, n=512, n_boot=0, by="cell")
    assert len(cells) == 9


# ------------------------------------------------------------------ value of information


def test_voi_of_a_perfectly_diagnostic_item_is_the_entropy(case):
    K = len(case.hypotheses)
    v = S.value_of_information(
        case,
        {
            "oracle": np.eye(K),
            "useless": {h: 0.4 for h in case.hypothesis_ids},
            "family_oracle": {"nat": 1.0, "reg": 0.0, "ide": 0.0, "lea": 0.0},
        },
    )
    post = mv.exact_posterior(case)
    h = -(post.xs("hypothesis")["credence"] * np.log2(post.xs("hypothesis")["credence"])).sum()
    assert v.loc["oracle", "entropy"] == pytest.approx(h, abs=TIGHT)
    assert v.loc["oracle", "voi"] == pytest.approx(h, abs=TIGHT)
    assert v.loc["oracle", "voi_family"] == pytest.approx(
        v.loc["oracle", "entropy_family"], abs=TIGHT
    )
    assert v.loc["useless", "voi"] == pytest.approx(0.0, abs=TIGHT)
    assert v.loc["family_oracle", "voi_family"] == pytest.approx(
        v.loc["family_oracle", "entropy_family"], abs=TIGHT
    )
    assert 0 < v.loc["family_oracle", "voi"] < h


def test_voi_of_the_prior_with_no_evidence():
    case = mv.Case.model_validate(
        {"name": "empty", "hypotheses": [{"id": "a", "prior": 0.25}, {"id": "b", "prior": 0.75}]}
    )
    v = S.value_of_information(case, {"perfect": np.eye(2)})
    prior_entropy = -(0.25 * np.log2(0.25) + 0.75 * np.log2(0.75))
    assert v.loc["perfect", "voi"] == pytest.approx(prior_entropy, abs=TIGHT)


def test_voi_rejects_bad_candidates(case):
    with pytest.raises(mv.CaseError, match="candidate 'bad'"):
        S.value_of_information(case, {"bad": {"nat": 0.5}})


def test_item_information_of_neutral_item_is_zero(case):
    df = S.item_information(case)
    assert df.loc["neutral", "voi"] == pytest.approx(0.0, abs=TIGHT)
    assert (df["voi"] >= -TIGHT).all() and df.loc["orders", "voi"] > 0.01


# ------------------------------------------------------------------ everything, shapes and names


def test_run_all_names_and_index_names(case):
    seen = []
    out = S.run_all(case, sobol_samples=64, sweep_points=11, on_step=seen.append)
    assert list(out) == seen == list(S.run.TABLES)
    assert out["prior_sweep"].index.names == ["scenario", "level", "id"]
    assert out["weight_of_evidence"].index.names == ["evidence", "level", "id"]
    assert out["leave_one_source_out"].index.names == ["source", "level", "id"]
    assert out["lens_comparison"].index.names == ["lens", "level", "id"]
    assert out["tornado"].index.name == "evidence"
    for df in out.values():
        assert isinstance(df, pd.DataFrame)


def test_unknown_target_is_a_clear_error(case):
    with pytest.raises(mv.CaseError, match="unknown target 'nope'"):
        S.prior_sweep(case, "nope")


def test_log_odds_stay_exact_when_credence_saturates():
    """30 items of 19.5 dB each.

    The credence is 1.0 in floating point, the decibans are still exact (1e-9).
    """
    case = mv.Case.model_validate(
        {
            "name": "strong",
            "hypotheses": [{"id": "a"}, {"id": "b"}],
            "evidence": [
                {"id": f"e{i}", "title": "x", "likelihoods": {"a": 0.9, "b": 0.01}}
                for i in range(30)
            ],
        }
    )
    assert mv.exact_posterior(case).loc[("hypothesis", "a"), "credence"] == 1.0
    one = 10 * np.log10(90)
    loo = S.leave_one_out(case).xs(("e0", "hypothesis", "a"))
    assert loo["delta_db"] == pytest.approx(one, abs=1e-9)
    tr = S.trajectory(case).xs(("hypothesis", "a"), level=("level", "id"))
    np.testing.assert_allclose(tr["step_db"].to_numpy()[1:], one, atol=1e-9)
    t = S.tornado(case, factor=2.0, target="a")
    assert t["log_odds_db"].iloc[0] == pytest.approx(30 * one, abs=1e-8)
    assert t["high_db"].iloc[0] == pytest.approx(31 * one, abs=1e-8)


def test_prior_sweep_in_log_odds_for_a_strong_case():
    """A tie prior near 0 switches the sweep to log-odds spacing; Bayes' rule holds in dB (1e-9)."""
    case = mv.Case.model_validate(
        {
            "name": "strong",
            "hypotheses": [{"id": "a"}, {"id": "b"}, {"id": "c"}],
            "evidence": [
                {"id": f"e{i}", "title": "x", "likelihoods": {"a": 0.9, "b": 0.05, "c": 0.1}}
                for i in range(8)
            ],
        }
    )
    df = S.prior_sweep(case, "a", points=51)
    assert df.attrs["spacing"] == "logit" and df.attrs["tie_prior"] < 1e-6
    sub = df.xs(("hypothesis", "a"), level=("level", "id"))
    p = sub["target_prior"].to_numpy()
    bf_db = 10 * np.log10(S.bayes_factor(case, "a"))
    np.testing.assert_allclose(sub["log_odds_db"] - 10 * np.log10(p / (1 - p)), bf_db, atol=1e-9)
    assert p.min() < df.attrs["tie_prior"] < p.max()
    assert S.prior_sweep(case, "a", spacing="linear").attrs["spacing"] == "linear"


# ------------------------------------------------------------------ evidence discount


def test_discount_is_linear_in_log_odds_and_spans_prior_to_posterior():
    """Two hypotheses, point likelihoods, no sources.

    log-odds(gamma) = prior log-odds + gamma * total decibans.
    """
    case = two_hypothesis_case()
    post = mv.exact_posterior(case).loc[("hypothesis", "h1")]
    d = S.evidence_discount(case, "h1", reliability=False, grid=[0.0, 0.25, 0.5, 1.0])
    h1 = d.xs(("hypothesis", "h1"), level=("level", "id"))
    total = _logit_db(post["credence"]) - _logit_db(post["prior"])
    want = _logit_db(post["prior"]) + np.array([0.0, 0.25, 0.5, 1.0]) * total
    np.testing.assert_allclose(h1["log_odds_db"], want, atol=1e-9)
    assert h1["credence"].iloc[0] == pytest.approx(post["prior"], abs=TIGHT)


def test_discount_at_one_is_the_engine_and_gamma_for_is_the_first_crossing(case):
    d = S.evidence_discount(case, points=51)
    tgt = d.attrs["target"]
    full = d.xs((50, "family", tgt), level=("scenario", "level", "id"))["credence"].iloc[0]
    assert full == pytest.approx(
        mv.exact_posterior(case).loc[("family", tgt), "credence"], abs=TIGHT
    )
    cred = d.xs(("family", tgt), level=("level", "id"))
    for level, g in d.attrs["gamma_for"].items():
        reached = cred[cred["credence"] >= level]
        if g is None:
            assert reached.empty
        else:
            assert reached["gamma"].min() == pytest.approx(g) and g > 0
    assert d.attrs["diagnostic_items"] == sum(
        1 for i in case.evidence if i.id not in case.non_diagnostic()
    )


def test_discount_rejects_bad_grids(case):
    with pytest.raises(ValueError, match=">= 0"):
        S.evidence_discount(case, grid=[-0.5, 1.0])
    with pytest.raises(ValueError, match="at least 2"):
        S.evidence_discount(case, points=1)
