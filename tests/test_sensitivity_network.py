"""Sensitivity analyses on networks.

Root facts, facts and items of several parents, observed facts.

Each analysis is checked against editing the case and recomputing with
:func:`motives.exact_posterior`
(or the engine's log-likelihood of the edited case) on generated networks, to 1e-10; the marginals
P(parent configuration | h) against brute-force enumeration.
"""

from __future__ import annotations

import copy
import itertools
import warnings
from typing import Any

import numpy as np
import pytest

import motives as mv
from motives import sensitivity as S
from motives.exact import compile_case, config_marginals, loglik
from motives.sensitivity._core import DB, item_logliks, mixture_ll
from motives.sensitivity._structure import descendants, every_item, subtree_items, subtree_only

TOL = 1e-10  # an analysis against the edited case
TIE = 1e-9  # root finding landing on a tie
SEEDS = [0, 1, 2, 3]


# ------------------------------------------------------------------ a small generator of networks


def _row(rng: np.random.Generator, states: list[str]) -> dict[str, float]:
    p = rng.dirichlet(np.ones(len(states)) * 1.5)
    p = np.round(np.clip(p, 0.02, None) / np.clip(p, 0.02, None).sum(), 3)
    p[-1] = round(1.0 - p[:-1].sum(), 3)
    return {s: float(x) for s, x in zip(states, p, strict=True)}


def _nest(values: list[list[str]], leaf: Any) -> Any:
    return leaf() if not values else {v: _nest(values[1:], leaf) for v in values[0]}


def network_data(
    seed: int, *, lenses: tuple[str, ...] = ("a", "b"), source: bool = True
) -> dict[str, Any]:
    """A small random network as a case dict.

    Fact f0 is a root, f1 has the hypotheses and f0 as parents, later facts one or two random
    parents; the last fact is observed. Items: one on the hypotheses, some on single facts (one
    behind a source of Beta reliability), two of several parents (one behind the source). Lens b
    differs from lens a on some inputs.
    """
    rng = np.random.default_rng(seed)
    H = [f"h{i}" for i in range(3)]
    states: dict[str, list[str]] = {"hypotheses": H}
    props: list[dict[str, Any]] = []
    for i in range(4):
        st = ["yes", "no"] if rng.random() < 0.7 else ["low", "mid", "high"]
        pool = ["hypotheses"] + [p["id"] for p in props]
        if i == 0:
            parents: list[str] = []
        elif i == 1:
            parents = ["hypotheses", "f0"]
        else:
            n = int(rng.integers(1, 3))
            parents = [
                pool[j]
                for j in sorted(rng.choice(len(pool), size=min(n, len(pool)), replace=False))
            ]
        lik = {}
        for k, lens in enumerate(lenses):
            r = np.random.default_rng(seed * 100 + i * 10 + (k if i % 2 else 0))
            lik[lens] = {
                "values": _nest([states[p] for p in parents], lambda r=r, st=st: _row(r, st))
            }
            if i == 2:
                lik[lens]["confidence"] = "medium"
        props.append(
            {
                "id": f"f{i}",
                "title": f"Fact {i}",
                "states": st,
                "bears_on": parents,
                "likelihoods": lik,
            }
        )
        states[f"f{i}"] = st
    props[-1]["observed"] = states["f3"][0]
    items: list[dict[str, Any]] = []

    def item(
        iid: str, parents: list[str], *, src: bool = False, conf: bool = False, differ: bool = False
    ) -> None:
        lik = {}
        for k, lens in enumerate(lenses):
            r = np.random.default_rng(seed * 1000 + len(items) * 10 + (k if differ else 0))
            lik[lens] = {
                "values": _nest(
                    [states[p] for p in parents],
                    lambda r=r: float(np.round(r.uniform(0.05, 0.95), 3)),
                )
            }
            if conf:
                lik[lens]["confidence"] = "low"
        it: dict[str, Any] = {"id": iid, "title": iid, "bears_on": parents, "likelihoods": lik}
        if src and source:
            it["reported_by"] = "src"
        items.append(it)

    item("d0", ["hypotheses"], conf=True)
    item("e0", ["f0"], differ=True)
    item("e1", ["f1"], conf=True, src=True)
    item("e2", ["f2"], differ=True)
    item("e3", ["f1"])
    item("j0", ["hypotheses", "f2"], differ=True, conf=True)
    item("j1", ["f0", "f1"], src=True)
    data: dict[str, Any] = {
        "name": f"net{seed}",
        "hypotheses": [{"id": h} for h in H],
        "propositions": props,
        "evidence": items,
        "lenses": [{"id": x} for x in lenses],
    }
    if source:
        data["sources"] = [{"key": "src", "reliability": {"beta": [4.0, 2.0]}}]
    return data


def case_of(data: dict[str, Any]) -> mv.Case:
    return mv.Case.model_validate(data)


def _leaves(node: Any, depth: int) -> list[Any]:
    return [node] if depth == 0 else [x for v in node.values() for x in _leaves(v, depth - 1)]


def _set_leaves(node: Any, depth: int, new: list[Any]) -> Any:
    it = iter(new)

    def go(n: Any, d: int) -> Any:
        return next(it) if d == 0 else {k: go(v, d - 1) for k, v in n.items()}

    return go(node, depth)


def _find(data: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(x for x in data["propositions"] + data["evidence"] if x["id"] == node_id)


def edit_values(data: dict[str, Any], node_id: str, fn: Any, lens: str = "a") -> dict[str, Any]:
    """A copy of the case with the node's leaves mapped by ``fn``.

    The leaves are item likelihoods, or table rows as arrays.
    """
    out = copy.deepcopy(data)
    x = _find(out, node_id)
    depth = len(x["bears_on"])
    vals = x["likelihoods"][lens]["values"]
    leaves = _leaves(vals, depth)
    if isinstance(leaves[0], dict):  # a table: rows as arrays in state order
        st = x["states"]
        rows = fn(np.array([[r[s] for s in st] for r in leaves]))
        new = [{s: float(v) for s, v in zip(st, r, strict=True)} for r in rows]
    else:
        new = [float(v) for v in fn(np.array(leaves, dtype=float))]
    x["likelihoods"][lens]["values"] = _set_leaves(vals, depth, new)
    x["likelihoods"][lens].pop("confidence", None)
    return out


def drop_nodes(
    data: dict[str, Any], ids: set[str], *, unobserve: set[str] = frozenset()
) -> dict[str, Any]:
    """A copy without these items and facts, some facts no longer observed.

    A fact takes everything below it.
    """
    out = copy.deepcopy(data)
    gone = {p["id"] for p in out["propositions"] if p["id"] in ids}
    changed = True
    while changed:
        changed = False
        for p in out["propositions"]:
            if p["id"] not in gone and set(p["bears_on"]) & gone:
                gone.add(p["id"])
                changed = True
    out["propositions"] = [p for p in out["propositions"] if p["id"] not in gone]
    for p in out["propositions"]:
        if p["id"] in unobserve:
            p.pop("observed", None)
    out["evidence"] = [
        e for e in out["evidence"] if e["id"] not in ids and not set(e["bears_on"]) & gone
    ]
    return out


def credence(case: mv.Case, lens: str | None = None) -> np.ndarray:
    return mv.exact_posterior(case, lens).xs("hypothesis", level="level")["credence"].to_numpy()


@pytest.fixture(params=SEEDS, scope="module")
def net(request: Any) -> tuple[dict[str, Any], mv.Case]:
    data = network_data(request.param)
    return data, case_of(data)


# ------------------------------------------------------------------ the engine: marginals and jlam


def _brute_marginals(case: mv.Case, nodes: list[str]) -> np.ndarray:
    """P(configuration of nodes | h) by enumerating every fact's state."""
    arr = compile_case(case)
    props = arr.propositions
    K = len(arr.hypotheses)
    cards = [len(p.states) for p in props]
    V = int(
        np.prod([K if n == "hypotheses" else cards[arr.proposition_ids.index(n)] for n in nodes])
    )
    out = np.zeros((K, V))
    for k in range(K):
        for st in itertools.product(*[range(c) for c in cards]):
            p = 1.0
            for i, pa in enumerate(props):
                v = 0
                for q in pa.parents:
                    v = v * (K if q < 0 else cards[q]) + (k if q < 0 else st[q])
                p *= pa.table[v, st[i]]
            v = 0
            for n in nodes:
                q = -1 if n == "hypotheses" else arr.proposition_ids.index(n)
                v = v * (K if q < 0 else cards[q]) + (k if q < 0 else st[q])
            out[k, v] += p
    return out


def test_config_marginals_are_brute_force(net):
    _, case = net
    arr = compile_case(case)
    names = ["hypotheses", *arr.proposition_ids]
    for nodes in [[p] for p in arr.proposition_ids] + [
        list(c) for c in itertools.combinations(names, 2)
    ]:
        q = [-1 if n == "hypotheses" else arr.proposition_ids.index(n) for n in nodes]
        np.testing.assert_allclose(
            config_marginals(arr, q), _brute_marginals(case, nodes), rtol=0, atol=1e-13
        )


def test_jlam_is_editing_the_item(net):
    data, case = net
    arr = compile_case(case)
    for jt in arr.joint:
        new = np.round(jt.lam**1.7, 6)
        edited = compile_case(case_of(edit_values(data, jt.id, lambda x, n=new: n)))
        two = np.stack([jt.lam, new])  # two scenarios in one call
        got = loglik(arr, jlam={jt.id: two})
        np.testing.assert_allclose(got[0], loglik(arr), rtol=0, atol=TOL)
        np.testing.assert_allclose(got[1], loglik(edited), rtol=0, atol=TOL)
        np.testing.assert_allclose(
            loglik(arr, jlam={jt.id: two}, reliability=False)[1],
            loglik(edited, reliability=False),
            rtol=0,
            atol=TOL,
        )


# ------------------------------------------------------------------ what is below a fact


def test_below_a_fact_is_its_descendants(net):
    data, case = net
    arr = compile_case(case)
    for pid in arr.proposition_ids:
        want = {e["id"] for e in data["evidence"] if pid in case.ancestors(e["id"])}
        assert set(subtree_items(arr, pid)) == want
        assert set(S.discount_groups(case)[pid]) == want


def _only(
    data: dict[str, Any], case: mv.Case, keep_items: set[str], keep_observed: set[str]
) -> dict[str, Any]:
    items = {e["id"] for e in data["evidence"]} - keep_items
    obs = {p["id"] for p in data["propositions"] if "observed" in p} - keep_observed
    return drop_nodes(data, items, unobserve=obs)


def test_subtree_only_is_the_edited_case(net):
    data, case = net
    arr = compile_case(case)
    for pid in arr.proposition_ids:
        below = {pid} | {p for p in arr.proposition_ids if pid in case.ancestors(p)}
        edited = compile_case(case_of(_only(data, case, set(subtree_items(arr, pid)), below)))
        for rel in (True, False):
            np.testing.assert_allclose(
                loglik(subtree_only(arr, pid), reliability=rel),
                loglik(edited, reliability=rel),
                rtol=0,
                atol=TOL,
            )


def test_items_alone_are_the_edited_case(net):
    data, case = net
    arr = compile_case(case)
    ll = item_logliks(arr)
    for e, row in zip(every_item(arr), ll, strict=True):
        alone = compile_case(case_of(_only(data, case, {e}, set())))
        np.testing.assert_allclose(
            row, loglik(alone), rtol=0, atol=TOL
        )  # one item: ρ at its mean is exact


# -------------------------------------------------------------- leave-one-out, weight per fact, cap


def test_leave_one_out_is_the_edited_case(net):
    data, case = net
    loo = S.leave_one_out(case)
    for node in loo.index.get_level_values("evidence").unique():
        want = credence(case_of(drop_nodes(data, {node})))
        got = loo.xs((node, "hypothesis"), level=("evidence", "level"))[
            "credence_without"
        ].to_numpy()
        np.testing.assert_allclose(got, want, rtol=0, atol=TOL)


def _w(ll: np.ndarray, pri: np.ndarray, mask: np.ndarray) -> float:
    return DB * float(mixture_ll(ll, pri, mask) - mixture_ll(ll, pri, ~mask))


def test_weight_per_fact_is_the_edited_case(net):
    data, case = net
    arr = compile_case(case)
    pri = arr.prior
    pw = S.proposition_weight(case)
    for pid in arr.proposition_ids:
        below = {pid} | {p for p in arr.proposition_ids if pid in case.ancestors(p)}
        items = set(subtree_items(arr, pid))
        ll_p = loglik(compile_case(case_of(_only(data, case, items, below))))
        rows = pw.xs(("hypothesis",), level=("level",))
        for k, h in enumerate(arr.hypotheses):
            mask = np.arange(3) == k
            r = pw.loc[(pid, "hypothesis", h)]
            assert r["decibans"] == pytest.approx(_w(ll_p, pri, mask), abs=TOL)
            assert r["config_cap_db"] == pytest.approx(case.proposition_cap_db(pid, "a"), abs=TOL)
            if r["cut"]:
                assert r["floor_db"] - 1e-9 <= r["decibans"] <= r["cap_db"] + 1e-9
                assert r["cap_db"] <= r["config_cap_db"] + 1e-9
            else:
                assert np.isnan(r["cap_db"]) and np.isnan(r["share_of_cap"])
        item_rows = rows[(rows["kind"] == "item") & (rows["proposition"] == pid)]
        for e in item_rows.index.get_level_values("node").unique():
            ll_wo = loglik(compile_case(case_of(_only(data, case, items - {e}, below))))
            for k, h in enumerate(arr.hypotheses):
                mask = np.arange(3) == k
                assert pw.loc[(e, "hypothesis", h), "decibans"] == pytest.approx(
                    _w(ll_p, pri, mask) - _w(ll_wo, pri, mask), abs=TOL
                )
    listed = set(pw.index.get_level_values("node"))
    assert (
        set(every_item(arr)) - set(arr.all_items) <= listed
    )  # items of several parents are listed too


def _below_given_parents(arr: Any, pid: str) -> np.ndarray:
    """P(evidence below a cut fact | its parents' configuration), by enumeration.

    By enumerating the facts below it, at face value.
    """
    i0 = arr.proposition_ids.index(pid)
    pa0 = arr.propositions[i0]
    sub = sorted(descendants(arr, pid))
    cards = [len(arr.propositions[i].states) for i in sub]
    out = np.zeros(len(pa0.table))
    for v in range(len(pa0.table)):
        for st in itertools.product(*[range(c) for c in cards]):
            s = dict(zip(sub, st, strict=True))
            p = pa0.table[v, s[i0]]
            for i in sub:
                pa = arr.propositions[i]
                if i != i0:
                    row = 0
                    for q in pa.parents:
                        row = row * len(arr.propositions[q].states) + s[q]
                    p *= pa.table[row, s[i]]
                if pa.observed >= 0:
                    p *= float(s[i] == pa.observed)
                p *= np.prod(pa.lam[:, s[i]]) * np.exp(pa.other_loglik[:, s[i]].sum())
            for jt in arr.joint:
                if set(jt.parents) & set(sub):
                    row = 0
                    for q in jt.parents:
                        row = row * len(arr.propositions[q].states) + s[q]
                    p *= jt.lam[row]
            out[v] += p
    return out


def test_the_items_below_a_fact_never_pass_its_configuration_cap():
    """Below a cut fact, the odds between two parent configurations move by at most the cap."""
    from motives.sensitivity.propositions import configuration_cap, is_cut

    checked = 0
    for seed in range(12):
        data = network_data(seed, source=False)
        for x in data["evidence"]:  # sharpen every item so the bound is tested near where it binds
            x["likelihoods"]["a"]["values"] = _set_leaves(
                x["likelihoods"]["a"]["values"],
                len(x["bears_on"]),
                [
                    float(v) ** 3
                    for v in _leaves(x["likelihoods"]["a"]["values"], len(x["bears_on"]))
                ],
            )
        arr = compile_case(case_of(data), "a")
        for pa in arr.propositions:
            if not is_cut(arr, pa.id):
                continue
            m = _below_given_parents(arr, pa.id)
            if (m <= 0).any():
                continue
            moved = DB * (np.log(m).max() - np.log(m).min())
            assert moved <= configuration_cap(pa.table) + 1e-9
            checked += 1
    assert checked >= 10


# ------------------------------------------------------------------ value of information


def test_value_of_learning_a_fact_is_the_edited_case(net):
    data, case = net
    c = credence(case)
    ll = loglik(compile_case(case))
    pi = S.proposition_information(case)

    def ent(p: np.ndarray) -> float:
        p = p[p > 0]
        return float(-(p * np.log2(p)).sum())

    for p in data["propositions"]:
        after, p_s = [], []
        for s in p["states"]:
            ed = copy.deepcopy(data)
            _find(ed, p["id"])["observed"] = s
            if "observed" in p and p["observed"] != s:
                p_s.append(0.0)
                after.append(0.0)
                continue
            e_case = case_of(ed)
            ps_h = np.exp(loglik(compile_case(e_case)) - ll)  # P(s | h, E)
            p_s.append(float(ps_h @ c))
            after.append(ent(credence(e_case)) if p_s[-1] > 0 else 0.0)
        voi = ent(c) - float(np.dot(p_s, after))
        assert pi.loc[p["id"], "voi"] == pytest.approx(voi, abs=TOL)


def test_item_information_is_the_edited_case(net):
    data, case = net
    ii = S.item_information(case)
    ll = loglik(compile_case(case))
    for e in [x["id"] for x in data["evidence"]]:
        wo = case_of(drop_nodes(data, {e}))
        belief = credence(wo)
        p_yes = np.clip(np.exp(ll - loglik(compile_case(wo))), 0, 1)
        L = np.stack([p_yes, 1 - p_yes])
        joint = L * belief
        p_o = joint.sum(axis=1)
        post = joint / p_o[:, None]

        def ent(p: np.ndarray) -> float:
            p = p[p > 0]
            return float(-(p * np.log2(p)).sum())

        voi = ent(belief) - sum(p_o[o] * ent(post[o]) for o in range(2))
        assert ii.loc[e, "voi"] == pytest.approx(voi, abs=TOL)


# ------------------------------------------------------------------ tornado, break-even, cruxes


def test_tornado_is_the_edited_case(net):
    data, case = net
    t = S.tornado(case, target="h0", factor=2.0)
    for name, r in t.iterrows():
        if r["kind"] not in (
            "item",
            "table",
        ):  # reliabilities, base rates, prior: tests/test_truth_judgements.py
            continue
        for col, g in (("low", 0.5), ("high", 2.0)):
            if r["input"] == "table":

                def fn(T: np.ndarray, g: float = g) -> np.ndarray:
                    P = np.where(T > 0, T**g, 0.0)
                    return P / P.sum(axis=1, keepdims=True)
            else:

                def fn(x: np.ndarray, g: float = g) -> np.ndarray:
                    return x**g

            want = credence(case_of(edit_values(data, str(name), fn)), "a")[0]
            assert r[col] == pytest.approx(want, abs=TOL), (name, col)


def test_break_even_lands_on_the_tie(net):
    _, case = net
    be = S.break_even(case, target="h0")
    arr = compile_case(case)
    from motives.sensitivity._core import scenario_posterior
    from motives.sensitivity.perturb import input_names, perturb_inputs

    names = input_names(arr)
    mask = np.arange(3) == 0
    rival = arr.hypotheses.index(be.attrs["rival"])
    for name, r in be.iterrows():
        if not r["reachable"] or r["kind"] not in (
            "item",
            "table",
        ):  # the others: tests/test_truth_judgements.py
            continue
        which = np.array([[n == name for n in names]])
        kw = perturb_inputs(
            arr, which, np.array([r["factor"]]), mode="ratio", mask=mask, prior=arr.prior
        )
        post = scenario_posterior(arr, arr.prior, **kw)[0]
        assert post[0] == pytest.approx(post[rival], rel=TIE, abs=TIE), name


def test_ratio_perturbation_is_the_edited_case(net):
    """The ratio mode's scenario of a table or an item of several parents has those values.

    The scenario is the case with those values.
    """
    data, case = net
    arr = compile_case(case)
    from motives.sensitivity._core import scenario_posterior
    from motives.sensitivity.perturb import input_names, perturb_inputs

    names = input_names(arr)
    mask = np.arange(3) == 0
    for name in [j.id for j in arr.joint] + arr.proposition_ids:
        which = np.array([[n == name for n in names]])
        kw = perturb_inputs(arr, which, np.array([2.5]), mode="ratio", mask=mask, prior=arr.prior)
        new = kw["jlam"][name][0] if name in kw["jlam"] else kw["tables"][name][0]
        want = credence(case_of(edit_values(data, name, lambda x, n=new: n)), "a")
        np.testing.assert_allclose(
            scenario_posterior(arr, arr.prior, **kw)[0], want, rtol=0, atol=TOL
        )


def test_cruxes_are_the_edited_case(net):
    data, case = net
    cr = S.cruxes(case, lens="a", target="h0")
    assert len(cr)
    for (lens, name), r in cr.iterrows():
        x = _find(data, name)
        ed = copy.deepcopy(data)
        _find(ed, name)["likelihoods"]["a"] = copy.deepcopy(x["likelihoods"][lens])
        want = credence(case_of(ed), "a")[0]
        assert r["credence_swapped"] == pytest.approx(want, abs=TOL), name


# ----------------------------------------------------------- discounts, trajectory, conflict, prior


def test_discounts_are_the_edited_case(net):
    data, case = net
    g = 0.4
    d = S.evidence_discount(case, "h0", grid=[g])
    ed = data
    for x in data["evidence"]:
        ed = edit_values(ed, x["id"], lambda v: v**g)
    want = credence(case_of(ed), "a")
    got = d.xs("hypothesis", level="level")["credence"].to_numpy()
    np.testing.assert_allclose(got, want, rtol=0, atol=TOL)
    gd = S.group_discount(case, target="h0", levels=[0.5], points=3)
    for grp, members in S.discount_groups(case).items():
        if not members:
            continue
        want = credence(case_of(drop_nodes(data, set(members))), "a")[0]
        assert gd.loc[grp, "credence_without"] == pytest.approx(want, abs=TOL)


def test_trajectory_is_the_edited_case(net):
    data, case = net
    tr = S.trajectory(case)
    steps = tr.xs("hypothesis", level="level")
    order = [
        steps.loc[(s, "h0"), "evidence"]
        for s in range(1, steps.index.get_level_values("step").max() + 1)
    ]
    all_items = {x["id"] for x in data["evidence"]}
    for s in range(len(order) + 1):
        seen = set(order[:s])
        obs = {p["id"] for p in data["propositions"] if "observed" in p}
        ed = drop_nodes(
            data, all_items - seen, unobserve=set() if "(observed facts)" in seen else obs
        )
        got = steps.xs(s, level="step")["credence"].to_numpy()
        np.testing.assert_allclose(got, credence(case_of(ed)), rtol=0, atol=TOL)


def test_conflict_is_the_edited_case(net):
    data, case = net
    from motives.sensitivity.conflict import conflict

    df = conflict(case)
    pri = compile_case(case).prior

    def log_ev(d: dict[str, Any]) -> float:
        return float(np.log(np.exp(loglik(compile_case(case_of(d)))) @ pri))

    everything = {x["id"] for x in data["evidence"]}
    log_all = log_ev(data)
    for e in everything:
        alone = log_ev(drop_nodes(data, everything - {e}, unobserve={"f3"}))
        rest = log_ev(drop_nodes(data, {e}))
        assert df.loc[("item", e), "log_p_alone"] == pytest.approx(alone, abs=TOL)
        assert df.loc[("item", e), "log_p_given_rest"] == pytest.approx(log_all - rest, abs=TOL)
    obs_alone = log_ev(drop_nodes(data, everything))
    obs_rest = log_ev(drop_nodes(data, set(), unobserve={"f3"}))
    assert df.loc[("observation", "(observed facts)"), "log_p_alone"] == pytest.approx(
        obs_alone, abs=TOL
    )
    assert df.loc[("observation", "(observed facts)"), "log_p_given_rest"] == pytest.approx(
        log_all - obs_rest, abs=TOL
    )
    arr = compile_case(case)
    for pid in df.xs("proposition", level="kind").index:
        below = {pid} | {p for p in arr.proposition_ids if pid in case.ancestors(p)}
        block = set(subtree_items(arr, pid))
        alone = log_ev(_only(data, case, block, below))
        rest = log_ev(_only(data, case, everything - block, {"f3"} - below))
        assert df.loc[("proposition", pid), "log_p_alone"] == pytest.approx(alone, abs=TOL)
        assert df.loc[("proposition", pid), "log_p_given_rest"] == pytest.approx(
            log_all - rest, abs=TOL
        )


def test_prior_sweep_is_the_edited_case(net):
    data, case = net
    sw = S.prior_sweep(case, "h0", points=5)
    rows = sw.xs(("hypothesis", "h0"), level=("level", "id"))
    for _, r in rows.iterrows():
        p = float(r["target_prior"])
        if not 0 < p < 1:
            continue
        ed = copy.deepcopy(data)
        rest = (1 - p) / 2
        for h in ed["hypotheses"]:
            h["prior"] = p if h["id"] == "h0" else rest
        assert r["credence"] == pytest.approx(credence(case_of(ed))[0], abs=TOL)


# ------------------------------------------------------------------ Sobol and everything at once


def test_sobol_covers_items_of_several_parents_and_root_tables(net):
    _, case = net
    gs = S.global_sensitivity(case, target="h0", n=64, n_boot=0, by="cell")
    assert any(n.startswith("j0:") for n in gs.index)
    gi = S.global_sensitivity(case, target="h0", n=64, n_boot=0)
    assert {"j0", "f2"} <= set(gi.index)
    assert gi.attrs["credence"] == pytest.approx(credence(case)[0], abs=TOL)


def test_run_all_on_a_network_with_warnings_as_errors(net):
    _, case = net
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = S.run_all(case, sobol_samples=64, sweep_points=11)
    assert set(out) == set(S.run.tables_for(case))


# -------------------------------------------------------------- the library's generator of networks


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_network_cases(seed):
    """The analyses on ``motives.testing.random_network_case``'s networks.

    Leave-one-out of every item and fact is the edited case, the value of learning a fact sums to
    the engine's, and every analysis runs with warnings as errors.
    """
    from motives.testing import random_network_case

    case = random_network_case(seed)
    loo = S.leave_one_out(case)
    for node in loo.index.get_level_values("evidence").unique():
        if node in case.proposition_ids:
            gone = {node} | {p for p in case.proposition_ids if node in case.ancestors(p)}
            edited = case.model_copy(
                update={
                    "propositions": [p for p in case.propositions if p.id not in gone],
                    "evidence": [e for e in case.evidence if not set(e.parents) & gone],
                }
            )
        else:
            edited = case.model_copy(
                update={"evidence": [e for e in case.evidence if e.id != node]}
            )
        want = mv.exact_posterior(edited).xs("hypothesis", level="level")["credence"]
        got = loo.xs((node, "hypothesis"), level=("evidence", "level"))["credence_without"]
        np.testing.assert_allclose(
            got.to_numpy(), want.reindex(got.index).to_numpy(), rtol=0, atol=TOL
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = S.run_all(case, sobol_samples=64, sweep_points=11)
    assert set(out) == set(S.run.tables_for(case))
    assert all(
        len(df) for name, df in out.items() if name not in ("cruxes", "sobol", "sobol_credence")
    )
