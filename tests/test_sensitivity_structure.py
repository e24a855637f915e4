"""Sensitivity analyses on structured cases (propositions).

Known answers and agreement with brute force.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import motives as mv
from _structured_cases import random_structured_case
from motives import sensitivity as S
from motives.exact import compile_case, loglik, posterior
from motives.sensitivity._core import DB, entropy_bits, scenario_posterior
from motives.sensitivity._structure import every_item

TIGHT = 1e-10


def one_prop_case(
    items: list[tuple[float, float]],
    table: tuple[float, float] = (0.8, 0.1),
    prior: tuple[float, float] = (0.5, 0.5),
    direct: list[tuple[float, float]] | None = None,
    confidence: str | None = None,
    table_confidence: str | None = None,
) -> mv.Case:
    """Two hypotheses, one yes/no proposition, items P(E | yes), P(E | no).

    The proposition's ``table`` is P(yes | h1), P(yes | h2).
    """
    tab: dict[str, Any] = {"values": {"h1": table[0], "h2": table[1]}}
    if confidence or table_confidence:
        tab["confidence"] = table_confidence or confidence
    ev = [
        {
            "id": f"e{i}",
            "title": f"item {i}",
            "bears_on": "p",
            "likelihoods": {
                "default": {
                    "values": {"yes": a, "no": b},
                    **({"confidence": confidence} if confidence else {}),
                }
            },
        }
        for i, (a, b) in enumerate(items)
    ]
    ev += [
        {"id": f"d{i}", "title": f"direct {i}", "likelihoods": {"h1": a, "h2": b}}
        for i, (a, b) in enumerate(direct or [])
    ]
    return mv.Case.model_validate(
        {
            "name": "one_prop",
            "hypotheses": [{"id": "h1", "prior": prior[0]}, {"id": "h2", "prior": prior[1]}],
            "propositions": [{"id": "p", "title": "P", "likelihoods": {"default": tab}}],
            "evidence": ev,
        }
    )


@pytest.fixture(scope="module")
def burglary(example_case) -> mv.Case:
    return example_case("burglary")  # tests/conftest.py: loaded once per session


def _wl(df, node: str, tgt: str = "h1", level: str = "hypothesis") -> Any:
    return df.loc[(node, level, tgt)]


# --------------------------------------------------------------- weight of evidence per proposition


def test_one_perfect_item_reaches_the_cap():
    pw = S.proposition_weight(one_prop_case([(1.0, 0.0)]))
    r = _wl(pw, "p")
    assert r["cap_db"] == pytest.approx(DB * np.log(0.8 / 0.1), abs=TIGHT)
    assert r["decibans"] == pytest.approx(r["cap_db"], abs=TIGHT)
    assert r["share_of_cap"] == pytest.approx(1.0, abs=TIGHT)
    # the perfect item against the proposition reaches the floor
    r = _wl(S.proposition_weight(one_prop_case([(0.0, 1.0)])), "p")
    assert (
        r["decibans"]
        == pytest.approx(DB * np.log(0.2 / 0.9), abs=TIGHT)
        == pytest.approx(r["floor_db"])
    )
    assert r["share_of_cap"] == pytest.approx(-1.0, abs=TIGHT)


def test_one_item_alone_equals_its_weight_inside_and_the_flat_reading():
    pw = S.proposition_weight(one_prop_case([(0.6, 0.2)]))
    want = DB * np.log((0.8 * 0.6 + 0.2 * 0.2) / (0.1 * 0.6 + 0.9 * 0.2))
    assert _wl(pw, "p")["decibans"] == pytest.approx(want, abs=TIGHT)
    assert _wl(pw, "e0")["decibans"] == pytest.approx(want, abs=TIGHT)
    assert _wl(pw, "e0")["alone_db"] == pytest.approx(want, abs=TIGHT)
    woe = S.weight_of_evidence(one_prop_case([(0.6, 0.2)]))
    assert woe.loc[("e0", "hypothesis", "h1"), "decibans"] == pytest.approx(want, abs=TIGHT)
    assert woe.loc[("e0", "hypothesis", "h1"), "proposition"] == "p"


def test_items_share_inside_is_the_conditional_weight_given_the_others():
    case = one_prop_case([(0.6, 0.2), (0.9, 0.3)])
    pw = S.proposition_weight(case)
    full = DB * np.log((0.8 * 0.54 + 0.2 * 0.06) / (0.1 * 0.54 + 0.9 * 0.06))
    without_e0 = DB * np.log((0.8 * 0.9 + 0.2 * 0.3) / (0.1 * 0.9 + 0.9 * 0.3))
    assert _wl(pw, "p")["decibans"] == pytest.approx(full, abs=TIGHT)
    assert _wl(pw, "e0")["decibans"] == pytest.approx(full - without_e0, abs=TIGHT)
    # with two hypotheses it is also the change of the posterior log-odds when e0 is left out
    loo = S.leave_one_out(case)
    assert loo.loc[("e0", "hypothesis", "h1"), "delta_db"] == pytest.approx(
        full - without_e0, abs=1e-9
    )


@settings(max_examples=60, deadline=None)
@given(
    a=st.floats(0.01, 1.0),
    b=st.floats(0.0, 1.0),
    n=st.integers(1, 25),
    t1=st.floats(0.01, 0.99),
    t2=st.floats(0.01, 0.99),
    p1=st.floats(0.05, 0.95),
)
def test_copies_of_an_item_never_exceed_the_cap(a, b, n, t1, t2, p1):
    pw = S.proposition_weight(one_prop_case([(a, b)] * n, table=(t1, t2), prior=(p1, 1 - p1)))
    for tgt in ("h1", "h2"):
        r = _wl(pw, "p", tgt)
        assert r["floor_db"] - 1e-9 <= r["decibans"] <= r["cap_db"] + 1e-9
        assert -1 - 1e-9 <= r["share_of_cap"] <= 1 + 1e-9


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_cap_bounds_random_structured_cases(seed):
    case = random_structured_case(seed, n_hyp=3, depth=3)
    pw = S.proposition_weight(case)
    props = pw[pw["kind"] == "proposition"]
    finite = props[np.isfinite(props["decibans"])]
    assert (finite["decibans"] <= finite["cap_db"] + 1e-9).all()
    assert (finite["decibans"] >= finite["floor_db"] - 1e-9).all()


def test_proposition_weight_of_a_flat_case_is_empty():
    assert S.proposition_weight(mv.examples.cookie_case()).empty


# ----------------------------------------------------------- leave-one-out and value of information


def test_leave_one_proposition_out_is_recompiling_without_it(burglary):
    loo = S.leave_one_out(burglary)
    arr = compile_case(burglary)
    for pid in ("at_scene", "had_motive"):
        want = posterior(arr.without([pid]))
        got = loo.xs((pid, "hypothesis"), level=("evidence", "level"))[
            "credence_without"
        ].to_numpy()
        np.testing.assert_allclose(got, want, rtol=TIGHT)
        assert loo.loc[(pid, "hypothesis", "suspect"), "kind"] == "proposition"
    for e in every_item(arr):  # items: each left out, through its proposition and the shared source
        got = loo.xs((e, "hypothesis"), level=("evidence", "level"))["credence_without"].to_numpy()
        np.testing.assert_allclose(got, posterior(arr.without([e])), rtol=TIGHT)


def test_leave_one_source_out_in_a_structured_case(burglary):
    lso = S.leave_one_source_out(burglary)
    arr = compile_case(burglary)
    want = posterior(arr.without(["neighbour_saw_suspect", "dispute_with_owner"]))
    got = lso.xs(("neighbour", "hypothesis"), level=("source", "level"))[
        "credence_without"
    ].to_numpy()
    np.testing.assert_allclose(got, want, rtol=TIGHT)


def test_voi_of_a_permutation_table_is_the_entropy():
    case = one_prop_case([(0.7, 0.4)], table=(1.0, 0.0), direct=[(0.6, 0.3)])
    pi = S.proposition_information(case)
    c = posterior(compile_case(case))
    assert pi.loc["p", "voi"] == pytest.approx(entropy_bits(c), abs=TIGHT)
    assert pi.loc["p", "entropy"] == pytest.approx(entropy_bits(c), abs=TIGHT)


def test_voi_of_a_flat_table_is_zero_and_matches_a_candidate():
    case = one_prop_case([(0.7, 0.4)], table=(0.3, 0.3), direct=[(0.6, 0.3)])
    assert S.proposition_information(case).loc["p", "voi"] == pytest.approx(0.0, abs=TIGHT)
    # with no items under it, learning the proposition is observing a candidate with P(yes | h) its
    # table
    case = one_prop_case([], table=(0.8, 0.1), direct=[(0.6, 0.3)])
    pi = S.proposition_information(case)
    v = S.value_of_information(case, {"p": {"h1": 0.8, "h2": 0.1}})
    assert pi.loc["p", "voi"] == pytest.approx(v.loc["p", "voi"], abs=TIGHT)


def test_item_information_in_a_structured_case_lists_items_then_propositions(burglary):
    info = S.item_information(burglary)
    assert list(info.index) == every_item(compile_case(burglary)) + ["at_scene", "had_motive"]
    assert (info["voi"] >= -1e-12).all()
    # an item under a proposition that is already certain (a perfect item) adds nothing
    info = S.item_information(one_prop_case([(1.0, 0.0), (0.6, 0.2)]))
    assert info.loc["e1", "voi"] == pytest.approx(0.0, abs=1e-12)


# --------------------------------------------------- tornado, break-even, cruxes, Sobol over tables


def test_tornado_over_tables_at_factor_one_is_the_base(burglary):
    t = S.tornado(burglary, factor=1.0)
    np.testing.assert_allclose(t["low"], t["credence"], rtol=TIGHT)
    np.testing.assert_allclose(t["high"], t["credence"], rtol=TIGHT)
    assert set(t.index) == set(every_item(compile_case(burglary))) | {"at_scene", "had_motive"} | {
        "source:neighbour",
        "base_rate:neighbour_saw_suspect",
        "base_rate:dispute_with_owner",
        "prior",
    }
    assert t.loc["at_scene", "input"] == "table"


def test_tornado_ratio_on_a_lone_table_moves_the_odds_by_the_factor():
    """A proposition with a perfect item.

    Its state is known, so scaling the odds of P(yes | h1) by f moves the posterior odds by f x (1 -
    P(yes|h1)) / (1 - P(yes|h1) f ...) -- checked against editing the case.
    """
    case = one_prop_case([(1.0, 0.0)], table=(0.5, 0.2))
    t = S.tornado(case, factor=3.0, mode="ratio", target="h1")
    # scaled table: P(yes | h1) odds 1 -> 3: 0.75
    want = posterior(compile_case(one_prop_case([(1.0, 0.0)], table=(0.75, 0.2))))[0]
    assert t.loc["p", "high"] == pytest.approx(want, abs=TIGHT)


def test_break_even_over_tables_and_items_lands_on_the_tie(burglary):
    be = S.break_even(burglary, target="suspect")
    arr = compile_case(burglary)
    names = every_item(arr) + arr.proposition_ids
    for j, name in enumerate(names):
        if not be.loc[name, "reachable"]:
            continue
        which = np.arange(len(names)) == j
        kw = S.perturb_inputs(
            arr,
            which[None],
            np.array([be.loc[name, "factor"]]),
            mode="ratio",
            mask=np.array([True, False]),
            prior=arr.prior,
        )
        post = scenario_posterior(arr, **kw)[0]
        assert post[0] == pytest.approx(post[1], abs=1e-9), name


def test_break_even_of_an_item_is_capped_by_its_proposition():
    """A direct item against h1 leaves h1 below the tie.

    An item under a proposition whose cap is smaller than what is needed cannot reach the tie,
    however strong.
    """
    case = one_prop_case([(0.6, 0.5)], table=(0.6, 0.4), direct=[(0.05, 0.9)])
    be = S.break_even(case, target="h1")
    assert not be.loc["e0", "reachable"]
    assert be.loc["d0", "reachable"]  # the direct item can


def test_cruxes_swap_tables_and_items_like_editing_the_case():
    data = one_prop_case([(0.6, 0.2)]).model_dump(exclude_none=True)
    data["lenses"] = [{"id": "a"}, {"id": "b"}]
    data["default_lens"] = "a"
    data["propositions"][0]["likelihoods"] = {
        "a": {"values": {"h1": 0.8, "h2": 0.1}},
        "b": {"values": {"h1": 0.5, "h2": 0.4}},
    }
    data["evidence"][0]["likelihoods"] = {
        "a": {"values": {"yes": 0.6, "no": 0.2}},
        "b": {"values": {"yes": 0.9, "no": 0.2}},
    }
    case = mv.Case.model_validate(data)
    cr = S.cruxes(case, target="h1")
    assert set(cr.index.get_level_values("evidence")) == {"p", "e0"}
    edited = {k: v for k, v in data.items()}
    edited["propositions"] = [
        dict(
            data["propositions"][0],
            likelihoods={
                "a": data["propositions"][0]["likelihoods"]["b"],
                "b": data["propositions"][0]["likelihoods"]["b"],
            },
        )
    ]
    want = mv.exact_posterior(mv.Case.model_validate(edited), "a").loc[
        ("hypothesis", "h1"), "credence"
    ]
    assert cr.loc[("b", "p"), "credence_swapped"] == pytest.approx(want, abs=TIGHT)


def test_sobol_over_a_table_alone_explains_everything():
    """Only the table is uncertain (the items are points).

    The first-order index of the table is about 1.
    """
    case = one_prop_case([(0.7, 0.2)], table=(0.7, 0.2), table_confidence="low")
    gs = S.global_sensitivity(case, target="h1", n=512, n_boot=0)
    assert list(gs.index) == ["p"] and gs["kind"].tolist() == ["table"]
    assert gs.loc["p", "S1"] == pytest.approx(1.0, abs=0.03)
    assert gs.loc["p", "ST"] == pytest.approx(1.0, abs=0.03)


def test_sobol_over_tables_and_items_matches_brute_force():
    """Two inputs (the table's two rows, by cell): S1 against a brute-force double-loop estimate."""
    case = one_prop_case([(0.7, 0.2)], table=(0.7, 0.2), confidence="low")
    gs = S.global_sensitivity(case, target="h1", n=4096, n_boot=0, by="cell")
    arr = compile_case(case)
    assert set(gs.index) == {"p|h1", "p|h2", "e0:yes", "e0:no"}
    # brute force: draw each input from its Beta, the output the log-odds; S1_j = Var(E[f | x_j]) /
    # Var f
    rng = np.random.default_rng(3)
    pa = arr.propositions[0]
    c_t, c_i = pa.concentration[0], None
    j, _ = case.judgement(case.item("e0"), "default")
    ab = {
        "yes": (j.values["yes"].belief.alpha, j.values["yes"].belief.beta),
        "no": (j.values["no"].belief.alpha, j.values["no"].belief.beta),
    }
    del c_i

    def draw(n: int) -> dict[str, np.ndarray]:
        return {
            "p|h1": rng.beta(c_t * 0.7, c_t * 0.3, n),
            "p|h2": rng.beta(c_t * 0.2, c_t * 0.8, n),
            "e0:yes": rng.beta(*ab["yes"], n),
            "e0:no": rng.beta(*ab["no"], n),
        }

    def f(x: dict[str, np.ndarray]) -> np.ndarray:
        t = np.stack(
            [np.stack([x["p|h1"], 1 - x["p|h1"]], -1), np.stack([x["p|h2"], 1 - x["p|h2"]], -1)], -2
        )
        lam = np.stack([x["e0:yes"], x["e0:no"]], -1)[:, None, :]
        ll = loglik(arr, np.broadcast_to(arr.lam, (len(t), 0, 2)), tables={"p": t}, plam={"p": lam})
        return DB * (ll[:, 0] - ll[:, 1])

    outer, inner = 400, 400
    var = np.var(f(draw(200_000)))
    for name in ("p|h1", "e0:yes"):
        means = []
        for _ in range(outer):
            x = draw(inner)
            x[name] = np.full(inner, draw(1)[name][0])
            means.append(f(x).mean())
        s1 = np.var(means) / var
        assert gs.loc[name, "S1"] == pytest.approx(s1, abs=0.06), name


# ------------------------------------------------------------------ discounts


def test_group_discount_per_proposition_known_answer():
    """Two hypotheses, one proposition whose item is perfect: its weight is the cap (9.03 dB).

    The discount that keeps h1 at 0.9 solves gamma ... on the engine, checked by evaluating at the
    gamma found.
    """
    case = one_prop_case([(0.9, 0.1)], direct=[(0.8, 0.4)])
    gd = S.group_discount(case, by="proposition", target="h1", levels=[0.8])
    g = gd.loc["p", "gamma_0.8"]
    arr = compile_case(case)
    names = every_item(arr) + arr.proposition_ids
    which = np.array([n == "e0" for n in names])
    kw = S.perturb_inputs(arr, which[None], np.array([g]))
    assert scenario_posterior(arr, **kw)[0, 0] == pytest.approx(0.8, abs=1e-9)
    assert gd.loc["p", "credence_without"] == pytest.approx(
        posterior(arr.without(["e0"]))[0], abs=TIGHT
    )


def test_group_discount_by_issue_area_is_linear_in_log_odds_for_flat_items():
    case = mv.Case.model_validate(
        {
            "name": "areas",
            "hypotheses": [{"id": "h1"}, {"id": "h2"}],
            "issue_areas": [{"id": "x"}, {"id": "y"}],
            "evidence": [
                {"id": "a", "title": "A", "issue_area": "x", "likelihoods": {"h1": 0.9, "h2": 0.1}},
                {"id": "b", "title": "B", "issue_area": "y", "likelihoods": {"h1": 0.8, "h2": 0.4}},
            ],
        }
    )
    gd = S.group_discount(case, by="issue_area", target="h1", levels=[0.9, 0.95, 0.99])
    assert gd.loc["x", "gamma_0.9"] == pytest.approx((np.log(9) - np.log(2)) / np.log(9), abs=1e-9)
    assert np.isnan(gd.loc["x", "gamma_0.99"])  # even the full weight does not reach 0.99


def test_global_discount_in_a_structured_case_spans_prior_to_posterior(burglary):
    d = S.evidence_discount(burglary, "suspect", grid=[0.0, 1.0])
    c = d.xs(("hypothesis", "suspect"), level=("level", "id"))["credence"].to_numpy()
    assert c[0] == pytest.approx(0.1, abs=TIGHT)
    assert c[1] == pytest.approx(
        mv.exact_posterior(burglary).loc[("hypothesis", "suspect"), "credence"], abs=TIGHT
    )
    assert d.attrs["diagnostic_items"] == 5


# ---------------------------------------------------------- every analysis runs on structured cases


def test_trajectory_ends_at_the_posterior(burglary):
    tr = S.trajectory(burglary)
    last = tr.xs("hypothesis", level="level").groupby(level="id")["credence"].last()
    assert last["suspect"] == pytest.approx(
        mv.exact_posterior(burglary).loc[("hypothesis", "suspect"), "credence"]
    )
    assert tr.index.get_level_values("step").max() == 5


@pytest.mark.parametrize("seed", [0, 1])
def test_run_all_on_random_structured_cases(seed):
    case = random_structured_case(seed, lenses=("a", "b"))
    tables = S.run_all(case, sweep_points=5, sobol_samples=32)
    for name in (
        "proposition_weight",
        "proposition_information",
        "discount_by_proposition",
        "discount_by_issue_area",
    ):
        assert name in tables
    assert not tables["proposition_weight"].empty


def test_scenario_keep_matches_without_on_random_cases():
    case = random_structured_case(5)
    arr = compile_case(case)
    items = every_item(arr)
    keep = ~np.eye(len(items), dtype=bool)
    got = scenario_posterior(arr, keep=keep)
    for i, e in enumerate(items):
        np.testing.assert_allclose(got[i], posterior(arr.without([e])), rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------- the ledger grouped by proposition


@pytest.mark.parametrize("width", ["one", "two"])
def test_ledger_grouped_by_proposition_fits_the_journal_width(burglary, width, tmp_path):
    import matplotlib.pyplot as plt
    from PIL import Image

    from motives import plots as P

    fig, ax = P.plot_ledger(
        S.weight_of_evidence(burglary),
        case=burglary,
        propositions=S.proposition_weight(burglary),
        width=width,
    )
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert (
        " ".join(labels[0].split()) == "The suspect was at the scene that night"
    )  # whole, wrapped if narrow
    assert "at_scene: all 3 items" in labels and "had_motive: all 2 items" in labels
    bold = [t.get_text() for t in ax.get_yticklabels() if t.get_fontweight() == "bold"]
    assert len(bold) == 2  # the two propositions' headings
    texts = [t.get_text() for t in ax.texts]
    assert "cap +9.0 dB, 95% used" in texts
    path = P.save_figure(fig, tmp_path / "ledger", ["png"])[0]
    plt.close(fig)
    with Image.open(path) as im:
        w_in = im.size[0] / 300
    assert w_in <= {"one": 3.5, "two": 7.2}[width] + 0.1


def test_standard_figures_draw_the_grouped_ledger(burglary):
    import matplotlib.pyplot as plt

    from motives.plots import standard_figures

    tables = S.run_all(burglary, sweep_points=5, sobol_samples=32)
    for name, fig, ax in standard_figures(burglary, tables):
        if name == "ledger":
            assert "at_scene: all 3 items" in [t.get_text() for t in ax.get_yticklabels()]
        plt.close(fig)


def test_sobol_indices_sum_sanity_on_a_structured_case():
    case = one_prop_case(
        [(0.7, 0.2), (0.6, 0.5)], table=(0.7, 0.2), confidence="medium", direct=[(0.6, 0.4)]
    )
    gs = S.global_sensitivity(case, target="h1", n=2048, n_boot=0)
    assert set(gs["kind"]) == {"item", "table"}
    assert gs["S1"].sum() <= 1 + 0.05
    assert (gs["ST"] >= gs["S1"] - 0.03).all()
    assert gs["ST"].sum() >= 1 - 0.05


def test_leave_one_lens_out_with_two_lenses_is_the_other_lens():
    case = random_structured_case(3, lenses=("a", "b"))
    lolo = S.leave_one_lens_out(case)
    for drop, keep in (("a", "b"), ("b", "a")):
        want = mv.exact_posterior(case, keep).xs("hypothesis")["credence"]
        got = lolo.xs((drop, "hypothesis"), level=("lens", "level"))["credence"].reindex(want.index)
        np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-9)


def test_lens_break_even_lands_on_the_tie_in_a_structured_case():
    case = random_structured_case(4, lenses=("a", "b"))
    lbe = S.lens_break_even(case)
    for lens, r in lbe.iterrows():
        if not r["reachable"]:
            continue
        arr = compile_case(case, lens)
        names = every_item(arr) + arr.proposition_ids
        which = np.array([n not in arr.fallbacks for n in names])
        tgt = lbe.attrs["target"]
        mask = (
            np.array([h == tgt for h in arr.hypotheses])
            if tgt in arr.hypotheses
            else arr.family_index == arr.families.index(tgt)
        )
        kw = S.perturb_inputs(
            arr, which[None], np.array([r["factor"]]), mode="ratio", mask=mask, prior=arr.prior
        )
        post = scenario_posterior(arr, **kw)[0]
        c = post if tgt in arr.hypotheses else np.bincount(arr.family_index, post)
        ids = arr.hypotheses if tgt in arr.hypotheses else arr.families
        assert c[ids.index(tgt)] == pytest.approx(c[ids.index(r["rival"])], abs=1e-8)


@pytest.mark.parametrize("seed", [0, 6])
def test_tornado_and_discount_on_random_cases_with_timelines_under_propositions(seed):
    case = random_structured_case(seed, kinds=True)
    t = S.tornado(case, factor=1.0)
    np.testing.assert_allclose(t["high"], t["credence"], rtol=1e-10)
    arr = compile_case(case)
    assert any(pa.other_items for pa in arr.propositions)
    # strength 0 on an item equals leaving it out; on a table, a flat table (its proposition says
    # nothing)
    names = every_item(arr) + arr.proposition_ids
    which = np.eye(len(names), dtype=bool)
    kw = S.perturb_inputs(arr, which, np.zeros(len(names)))
    post = scenario_posterior(arr, **kw)
    for j, name in enumerate(names):
        if name in arr.proposition_ids:
            pa = arr.propositions[arr.proposition_ids.index(name)]
            flat = np.where(pa.table > 0, 1.0, 0.0)
            want = posterior(arr, tables={name: flat / flat.sum(axis=1, keepdims=True)})
        else:
            want = posterior(arr.without([name]))
            lam_row = None
            for (
                pa
            ) in arr.propositions:  # an item with a zero cell keeps its zero (a logical exclusion)
                if name in pa.items and (pa.lam[pa.items.index(name)] == 0).any():
                    lam_row = True
            if lam_row or (name in arr.items and (arr.lam[arr.items.index(name)] == 0).any()):
                continue
        np.testing.assert_allclose(post[j], want, rtol=1e-9, atol=1e-12)


def test_sobol_draws_a_three_state_row_from_its_dirichlet():
    """A three-state table row judged with a confidence is one Sobol input.

    A Dirichlet, drawn as normalised Gammas.
    """
    case = mv.Case.model_validate(
        {
            "name": "three",
            "hypotheses": [{"id": "h1"}, {"id": "h2"}],
            "propositions": [
                {
                    "id": "p",
                    "title": "P",
                    "states": ["lo", "mid", "hi"],
                    "likelihoods": {
                        "default": {
                            "values": {
                                "h1": {"lo": 0.2, "mid": 0.3, "hi": 0.5},
                                "h2": {"lo": 0.6, "mid": 0.3, "hi": 0.1},
                            },
                            "confidence": "low",
                        }
                    },
                }
            ],
            "evidence": [
                {
                    "id": "e",
                    "title": "E",
                    "bears_on": "p",
                    "likelihoods": {"lo": 0.1, "mid": 0.5, "hi": 0.9},
                }
            ],
        }
    )
    gs = S.global_sensitivity(case, target="h1", n=1024, n_boot=0, by="cell")
    assert set(gs.index) == {"p|h1", "p|h2"} and set(gs["kind"]) == {"table"}
    assert gs["S1"].sum() == pytest.approx(
        1.0, abs=0.1
    )  # two rows, nearly additive on the log-odds scale
