"""Propositions in the PyMC models.

The exclusive model against the exact engine, table knobs, mixture, pooled.

Why the exclusive model's posterior mean credence must equal the exact engine's
(:func:`motives.exact.posterior`): with the hypothesis and the states summed
out, E[c_h | E] = E[π_h] E[L_h] / Σ_h' E[π_h'] E[L_h'], and L_h = Σ over state
assignments of Π_p P(s_p | parent) Π_e P(E_e | s) is linear in each table row
and each item cell (each appears once in every term), which are independent:
E[L_h] is L_h at the means with ρ integrated — what the engine computes on its
Gauss–Jacobi grid. The tolerance is 4 Monte Carlo standard errors per hypothesis.

The sampling tests use PyMC's NUTS (``backend="pymc"``): numba's compilation of
a structured model (nutpie) costs minutes, PyTensor's C compilation seconds.
"""

from __future__ import annotations

import numpy as np
import pytest

import motives as mv
from _structured_cases import random_structured_case
from motives.exact import compile_case, posterior

DRAWS, TUNE = 1000, 500


def _fixed_reliability(case: mv.Case, mean: float = 0.7) -> mv.Case:
    """The same case with every source's reliability a point.

    Then nothing under the structure is random.
    """
    src = [
        s.model_copy(update={"reliability": type(s.reliability).model_validate({"mean": mean})})
        for s in case.sources
    ]
    return case.model_copy(update={"sources": src})


def _uncertain(
    case: mv.Case, seed: int, *, table_zero: bool = True, same_lenses: bool = False
) -> mv.Case:
    """The case with uncertain tables and cells.

    Tables of confidence medium; two-state rows a random concentration.

    About 70% of item cells strictly inside (0, 1) become Betas. With ``table_zero`` the first row
    of the last proposition (multi-state) gets a 0 (the masked Dirichlet). ``same_lenses``: every
    lens gets the first lens's judgements.
    """
    rng = np.random.default_rng(seed + 500)
    d = case.model_dump(exclude_none=True)
    for i, p in enumerate(d["propositions"]):
        for j in p["likelihoods"].values():
            vals = {}
            for v, cell in j["values"].items():
                if "probs" in cell:
                    probs = dict(cell["probs"])
                    if (
                        table_zero
                        and i == len(d["propositions"]) - 1
                        and v == next(iter(j["values"]))
                    ):
                        s0, s1 = list(probs)[:2]
                        probs[s1], probs[s0] = round(probs[s1] + probs[s0], 3), 0.0
                    vals[v] = probs
                else:
                    vals[v] = {
                        "mean": cell["mean"],
                        "concentration": float(np.round(rng.uniform(5, 30), 1)),
                    }
            j["values"] = vals
            j["confidence"] = "medium"
    for e in d["evidence"]:
        if e.get("kind", "likelihood") != "likelihood":
            continue
        for j in e["likelihoods"].values():
            for k, cell in j["values"].items():
                if 0 < cell["mean"] < 1 and rng.random() < 0.7:
                    j["values"][k] = {
                        "mean": cell["mean"],
                        "concentration": float(np.round(rng.uniform(5, 30), 1)),
                    }
    if same_lenses:
        for node in d["propositions"] + d["evidence"]:
            key = next(k for k in ("likelihoods", "trends", "predictive") if k in node)
            first = next(iter(node[key].values()))
            node[key] = {lens: first for lens in node[key]}
    return mv.Case.model_validate(d)


def _z(credence: np.ndarray, mcse: np.ndarray, want: np.ndarray) -> np.ndarray:
    z = (np.asarray(credence) - want) / np.asarray(mcse)
    print(f"max |z| = {np.abs(z).max():.2f}")  # shown with pytest -rP
    return z


# -------------------------------------------------------------------- deterministic: nothing random


@pytest.mark.parametrize(("seed", "depth"), [(0, 2), (1, 3), (2, 2), (3, 3)])
def test_point_structure_equals_exact(seed, depth):
    """Point tables and cells, fixed reliabilities.

    The model's credence is the exact engine's, to 1e-12.

    Random structured cases: a multi-state proposition, a shared source spanning propositions, a
    zero cell, a timeline and a quantity item under propositions; with reliability on and off.
    """
    from motives.models.exclusive import build_exclusive
    from motives.models.sampling import sample

    case = _fixed_reliability(random_structured_case(seed, depth=depth))
    arr = compile_case(case, "a")
    assert arr.structured and any(p.other_items for p in arr.propositions)
    for reliability in (True, False):
        built = build_exclusive(case, lens="a", reliability=reliability)
        assert not built.model.free_RVs
        got = sample(built, draws=2, chains=1).posterior["credence"].values[0, 0]
        np.testing.assert_allclose(got, posterior(arr, reliability=reliability), atol=1e-12)


def test_table_knobs_change_the_answer_without_rebuilding():
    """``table_{p}`` (means) is a ``pm.Data`` knob.

    One compiled function gives the exact answer for new tables.

    The same compiled function (nutpie's ``with_data`` and PyMC re-use compiled graphs the same way)
    is called before and after ``set_data``; the structure key does not change, so the process-wide
    compile cache serves the changed case.
    """
    from motives.models.evidence import data_for, model_inputs
    from motives.models.exclusive import build_exclusive
    from motives.models.sampling import set_data, structure_key

    case = _fixed_reliability(random_structured_case(5, depth=3))
    built = build_exclusive(case, lens="a")
    fn = built.model.compile_fn(
        built.model["credence"],
        inputs=[],
        on_unused_input="ignore",
        point_fn=False,
        mode="FAST_COMPILE",
    )
    arr = compile_case(case, "a")
    np.testing.assert_allclose(fn(), posterior(arr), atol=1e-12)
    rng = np.random.default_rng(1)
    tables = {
        p.id: rng.dirichlet(np.ones(len(p.states)), size=len(p.table)) for p in arr.propositions
    }
    key = structure_key(built)
    set_data(built, **{f"table_{pid}": t for pid, t in tables.items()})
    assert structure_key(built) == key
    got = fn()
    np.testing.assert_allclose(got, posterior(arr, tables=tables), atol=1e-12)
    assert np.abs(got - posterior(arr)).max() > 1e-3  # the tables mattered
    # data_for gives every structured knob of a case, in the shapes the model has
    data = data_for(model_inputs(case, "a"))
    assert {f"table_{p}" for p in tables} <= set(data) and "plam_fixed" in data
    set_data(built, **data)
    np.testing.assert_allclose(fn(), posterior(arr), atol=1e-12)


def test_flat_case_model_is_unchanged():
    """A case without propositions builds the same variables and knobs as before.

    That is, as before propositions existed.
    """
    from motives.models.exclusive import build_exclusive
    from motives.models.testing import random_case

    built = build_exclusive(
        random_case(0, n_items=5, n_hypotheses=3, n_sources=1, structure_seed=100, zeros=1)
    )
    assert [v.name for v in built.model.free_RVs] == ["lam_cell", "rho"]
    assert sorted(v.name for v in built.model.data_vars) == sorted(
        [
            "concentration",
            "log_scale",
            "weight",
            "observed",
            "lam_fixed",
            "lam_alpha",
            "lam_beta",
            "rho_alpha",
            "rho_beta",
            "base_rate",
            "log_prior",
        ]
    )


# ------------------------------------------------------------------------- exclusive model, sampled


@pytest.mark.parametrize(("seed", "depth"), [(0, 2), (1, 3)])
def test_exclusive_matches_exact_on_random_structured_cases(seed, depth):
    """Random tables, Beta cells, a Beta source, timeline and quantity items under propositions.

    Random tables (Beta and masked Dirichlet rows, one with a zero), Beta cells, a Beta source
    spanning two propositions and a direct item, a zero cell, timeline and quantity items under
    propositions.
    """
    from motives.models.exclusive import build_exclusive
    from motives.models.sampling import sample

    case = _uncertain(random_structured_case(seed, depth=depth), seed)
    arr = compile_case(case, "a")
    src = arr.sources_in_structure[0].key
    spanned = {
        p.id for p in arr.propositions for e, s in zip(p.items, p.source, strict=True) if s >= 0
    }
    assert len(spanned) >= 2 and src == "src"
    built = build_exclusive(case, lens="a")
    names = {v.name for v in built.model.free_RVs}
    assert {"rho", "plam_cell"} <= names and any(n.endswith("_row") for n in names)
    res = mv.FitResult(sample(built, draws=DRAWS, tune=TUNE, chains=2, seed=seed, backend="pymc"))
    s = res.summary().xs("hypothesis", level="level")
    z = _z(s["credence"], s["mcse"], posterior(arr))
    assert np.abs(z).max() <= 4, (z, s, posterior(arr))


def test_burglary_matches_exact():
    case = mv.examples.load("burglary")
    res = mv.fit(case, draws=DRAWS, tune=TUNE, chains=2, seed=3, backend="pymc")
    s = res.summary()
    want = mv.exact_posterior(case)["credence"]
    z = _z(s["credence"], s["mcse"], want.loc[s.index].to_numpy())
    assert np.abs(z).max() <= 4, (s, want)


# --------------------------------------------------------------------------- mixture model


def _mixture_case(*, reliability: float | None = 0.8) -> mv.Case:
    """Three hypotheses; a three-state proposition with a two-state one under it.

    Items under both and direct.
    """
    return mv.Case.model_validate(
        {
            "name": "mix",
            "hypotheses": [{"id": "h0"}, {"id": "h1"}, {"id": "h2"}],
            "sources": [{"key": "s", "reliability": {"mean": reliability}}] if reliability else [],
            "propositions": [
                {
                    "id": "p",
                    "title": "P",
                    "states": ["low", "mid", "high"],
                    "likelihoods": {
                        "h0": {"low": 0.7, "mid": 0.2, "high": 0.1},
                        "h1": {"low": 0.1, "mid": 0.3, "high": 0.6},
                        "h2": {"low": 0.3, "mid": 0.4, "high": 0.3},
                    },
                },
                {
                    "id": "q",
                    "title": "Q",
                    "bears_on": "p",
                    "likelihoods": {"low": 0.2, "mid": 0.5, "high": 0.9},
                },
            ],
            "evidence": [
                {
                    "id": "a1",
                    "title": "a1",
                    "bears_on": "p",
                    "likelihoods": {"low": 0.8, "mid": 0.4, "high": 0.1},
                    **({"reported_by": "s"} if reliability else {}),
                },
                {
                    "id": "a2",
                    "title": "a2",
                    "bears_on": "p",
                    "likelihoods": {"low": 0.6, "mid": 0.5, "high": 0.2},
                },
                {
                    "id": "b1",
                    "title": "b1",
                    "bears_on": "q",
                    "likelihoods": {"yes": 0.7, "no": 0.2},
                },
                {"id": "d1", "title": "d1", "likelihoods": {"h0": 0.3, "h1": 0.8, "h2": 0.5}},
                {
                    "id": "d2",
                    "title": "d2",
                    "likelihoods": {"h0": 0.6, "h1": 0.2, "h2": 0.5},
                    **({"reported_by": "s"} if reliability else {}),
                },
            ],
        }
    )


def _mixture_likelihood(case: mv.Case, w: np.ndarray) -> np.ndarray:
    """P(E | w) by enumeration.

    Here p ~ Σ_h w_h P(p | h), q | p, items given their parent (rho fixed).
    """
    H = case.hypothesis_ids
    rho = case.sources[0].reliability.mean if case.sources else 1.0
    jp, jq = case.judgement(case.proposition("p"))[0], case.judgement(case.proposition("q"))[0]
    P = np.array([[jp.values[h].probs[s] for s in ("low", "mid", "high")] for h in H])
    q = {s: jq.values[s].mean for s in ("low", "mid", "high")}

    def lik(e, key):
        vals = case.judgement(case.item(e))[0].values
        r = rho if case.item(e).reported_by else 1.0
        return r * vals[key].mean + (1 - r) * np.mean([v.mean for v in vals.values()])

    total = 1.0
    for e in ("d1", "d2"):
        total = total * (w @ np.array([lik(e, h) for h in H]))
    ps = w @ P  # (n, 3): P(state | w)
    m = np.zeros(w.shape[:-1])
    for k, s in enumerate(("low", "mid", "high")):
        mq = q[s] * lik("b1", "yes") + (1 - q[s]) * lik("b1", "no")
        m = m + ps[..., k] * lik("a1", s) * lik("a2", s) * mq
    return total * m


def test_mixture_closed_form_with_a_proposition_matches_importance_sampling():
    """exact_mixture against enumeration of the states.

    It has one factor Σ_h w_h m_p(h) per top-level proposition.
    """
    from motives.exact_mixture import exact_mixture

    case = _mixture_case()
    a = np.array([1.0, 2.0, 0.5])
    rng = np.random.default_rng(7)
    w = rng.dirichlet(a, 400_000)
    lik = _mixture_likelihood(case, w)
    p = lik / lik.sum()
    est = p @ w
    se = np.sqrt((p[:, None] ** 2 * (w - est) ** 2).sum(axis=0))
    got = exact_mixture(case, prior={"dirichlet": a.tolist()})
    np.testing.assert_array_less(np.abs(got - est), 4 * se)


def test_mixture_mcmc_matches_closed_form_with_a_proposition():
    from motives.exact_mixture import exact_mixture

    case = _mixture_case()
    prior = {"dirichlet": [2.0, 1.0, 1.0]}
    res = mv.fit(
        case, model="mixture", prior=prior, draws=DRAWS, tune=TUNE, chains=2, seed=2, backend="pymc"
    )
    s = res.summary().xs("hypothesis", level="level")
    z = _z(s["credence"], s["mcse"], exact_mixture(case, prior=prior))
    assert np.abs(z).max() <= 4, (s, exact_mixture(case, prior=prior))


def test_mixture_closed_form_refuses_uncertain_source_under_a_proposition():
    from motives.exact_mixture import exact_mixture

    case = random_structured_case(0)
    with pytest.raises(mv.MotivesError, match="uncertain reliability"):
        exact_mixture(case, lens="a")
    assert exact_mixture(case, lens="a", reliability=False).sum() == pytest.approx(1.0)


# --------------------------------------------------------------------------- pooled model


def test_pooled_identical_lenses_is_single_lens():
    """Two identical lenses, τ = 0.

    Consensus and each lens's credence are the single-lens exact credence.

    Random two-state and three-state tables (Dirichlet rows pooled in softmax space), Beta cells
    under propositions, a Beta source spanning propositions.
    """
    from motives.models.pooled import build_pooled
    from motives.models.sampling import refit

    case = _uncertain(
        random_structured_case(
            4, n_hyp=2, n_props=2, n_items=4, kinds=False, zero_cell=False, lenses=("a", "b")
        ),
        4,
        table_zero=False,
        same_lenses=True,
    )
    built = build_pooled(case, tau=0.0)
    names = {v.name for v in built.model.free_RVs}
    assert "pcell_logit" in names and any(n.endswith("_row") for n in names)
    tr = refit(built, draws=500, tune=300, chains=2, seed=1, backend="pymc")
    tr.attrs["motives_model"] = "pooled"
    s = mv.FitResult(tr).summary()
    want = posterior(compile_case(case, "a"))
    zs = [
        _z(
            s.xs("hypothesis", level="level")["credence"],
            s.xs("hypothesis", level="level")["mcse"],
            want,
        )
    ]
    for lens in ("a", "b"):
        got = s.xs("lens", level="level").loc[[f"{lens}/{h}" for h in case.hypothesis_ids]]
        zs.append(_z(got["credence"], got["mcse"], want))
    assert np.abs(np.concatenate(zs)).max() <= 4, (zs, s, want)


def test_timeline_under_a_proposition_explicit_and_free_sigma_build():
    """``timeline="explicit"`` samples a trend per state, ``sigma="free"`` a σ.

    The graph builds (not sampled here).
    """
    from motives.models.exclusive import build_exclusive

    case = _fixed_reliability(random_structured_case(0))
    n_states = len(case.proposition(case.item("tl").bears_on).states)
    for kw, var in (({"timeline": "explicit"}, "tl_intercept_z"), ({"sigma": "free"}, "tl_sigma")):
        built = build_exclusive(case, lens="a", **kw)
        assert var in built.model.named_vars
        if kw.get("timeline") == "explicit":
            assert built.model[var].type.shape == (n_states,)
