"""Networks in the PyMC models: root facts, facts and items of several parents, observed facts.

The models marginalise a network with the exact engine's own elimination plan
(:func:`motives.exact.contract.plan_elimination`), evaluated in PyTensor in log
space (:func:`motives.models.evidence.contract_log`). References:

- a brute force that enumerates every assignment of states to the facts and
  shares no code with the plan (:func:`_brute`): P(E | w) where every node whose
  parents include the hypotheses takes Σ_h w_h P(node | h, other parents). With w
  one-hot at h it is P(E | h) (the exclusive model); with w the shares it is the
  mixture model's likelihood;
- the exact engine (:func:`motives.exact.posterior`), itself checked against the
  brute force here, and the mixture's closed form
  (:func:`motives.exact_mixture.exact_mixture`), checked against importance
  sampling with the brute force.

With point tables and cells the model's credence is a deterministic function,
equal to the exact posterior to 1e-10. With random tables (Beta and Dirichlet
rows where the lens gives a confidence) and Beta cells the posterior mean of the
credence must equal the exact posterior within 4 Monte Carlo standard errors
(the credence is multilinear in the independent rows and cells: each term of
P(E | h) holds one row of every table and one cell of every item).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import motives as mv
from motives.exact import compile_case, posterior
from motives.testing import random_network_case

DRAWS, TUNE = 500, 400
H = ["h0", "h1", "h2"]
F = ["lo", "mid", "hi"]


def network_case(
    seed: int,
    *,
    confidence: bool = False,
    mixable: bool = False,
    reliability: dict | None = None,
    lenses: tuple[str, ...] = ("default",),
    same_lenses: bool = False,
) -> mv.Case:
    """A small random network over three hypotheses.

    Facts: ``r`` a root fact; ``f`` (three states) with parents [hypotheses, r]; ``o`` under f,
    observed ``yes``; ``q`` under the hypotheses. Items: ``e1`` on f, ``e2`` on r, ``j1`` with
    parents [f, r], ``d1`` on the hypotheses, and ``j2`` with parents [hypotheses, q] (``mixable``:
    on q alone, so that every part of the structure hangs from the hypotheses by one node, as the
    mixture's closed form needs). With ``confidence`` every table has confidence medium (Beta and
    Dirichlet rows) and every cell a Beta; with ``reliability`` a source reports e1, j1 and d1.
    """
    rng = np.random.default_rng(seed)

    def two() -> float:
        return float(np.round(rng.uniform(0.1, 0.9), 3))

    def three() -> dict[str, float]:
        p = np.round(rng.dirichlet(np.full(3, 2.0)), 3)
        p[-1] = round(1 - p[:-1].sum(), 3)
        return dict(zip(F, [float(x) for x in p], strict=True))

    def cell() -> float | dict[str, float]:
        m = two()
        return (
            {"mean": m, "concentration": float(np.round(rng.uniform(5, 30), 1))}
            if confidence
            else m
        )

    def lensed(make, table: bool = False) -> dict:
        first = make()
        return {
            lens: {
                "values": first if same_lenses or i == 0 else make(),
                **({"confidence": "medium"} if confidence and table else {}),
            }
            for i, lens in enumerate(lenses)
        }

    def root() -> dict[str, float]:
        x = two()
        return {"yes": x, "no": round(1 - x, 3)}

    props = [
        {"id": "r", "title": "R", "bears_on": [], "likelihoods": lensed(root, True)},
        {
            "id": "f",
            "title": "F",
            "states": F,
            "bears_on": ["hypotheses", "r"],
            "likelihoods": lensed(
                lambda: {h: {s: three() for s in ("yes", "no")} for h in H}, True
            ),
        },
        {
            "id": "o",
            "title": "O",
            "bears_on": "f",
            "observed": "yes",
            "likelihoods": lensed(lambda: {s: two() for s in F}, True),
        },
        {"id": "q", "title": "Q", "likelihoods": lensed(lambda: {h: two() for h in H}, True)},
    ]
    ev = [
        {
            "id": "e1",
            "title": "e1",
            "bears_on": "f",
            "likelihoods": lensed(lambda: {s: cell() for s in F}),
        },
        {
            "id": "e2",
            "title": "e2",
            "bears_on": "r",
            "likelihoods": lensed(lambda: {"yes": cell(), "no": cell()}),
        },
        {
            "id": "j1",
            "title": "j1",
            "bears_on": ["f", "r"],
            "likelihoods": lensed(lambda: {s: {"yes": cell(), "no": cell()} for s in F}),
        },
        {"id": "d1", "title": "d1", "likelihoods": lensed(lambda: {h: cell() for h in H})},
    ]
    if mixable:
        ev.append(
            {
                "id": "j2",
                "title": "j2",
                "bears_on": "q",
                "likelihoods": lensed(lambda: {"yes": cell(), "no": cell()}),
            }
        )
    else:
        ev.append(
            {
                "id": "j2",
                "title": "j2",
                "bears_on": ["hypotheses", "q"],
                "likelihoods": lensed(lambda: {h: {"yes": cell(), "no": cell()} for h in H}),
            }
        )
    d: dict = {
        "name": f"net{seed}",
        "hypotheses": [{"id": h} for h in H],
        "propositions": props,
        "evidence": ev,
    }
    if lenses != ("default",):
        d["lenses"] = [{"id": x} for x in lenses]
        d["default_lens"] = lenses[0]
    if reliability is not None:
        d["sources"] = [{"key": "s", "reliability": reliability}]
        for e in ev:
            if e["id"] in ("e1", "j1", "d1"):
                e["reported_by"] = "s"
    return mv.Case.model_validate(d)


def _brute(
    case: mv.Case, lens: str | None, w: np.ndarray, *, reliability: bool = True
) -> np.ndarray:
    """P(E | w) by enumerating the states of every fact.

    Tables and cells at their means, reliability a point.

    ``w`` (..., K): every node whose parents include the hypotheses takes Σ_h w_h P(node | h, other
    parents).
    """
    w = np.asarray(w, dtype=float)
    rho = {s.key: s.reliability.mean for s in case.sources} if reliability else {}
    props = case.propositions

    def key(parents: tuple[str, ...], sigma: dict[str, str], h: str | None) -> str:
        return (
            "*" if not parents else ".".join(h if b == "hypotheses" else sigma[b] for b in parents)
        )

    def mixed(parents: tuple[str, ...], f, sigma: dict[str, str]):
        if "hypotheses" in parents:
            return sum(
                w[..., k] * f(key(parents, sigma, h)) for k, h in enumerate(case.hypothesis_ids)
            )
        return f(key(parents, sigma, None))

    total = np.zeros(w.shape[:-1])
    for states in itertools.product(*[p.states for p in props]):
        sigma = dict(zip([p.id for p in props], states, strict=True))
        if any(p.observed is not None and sigma[p.id] != p.observed for p in props):
            continue
        term = np.ones(w.shape[:-1])
        for p in props:
            j, _ = case.judgement(p, lens)
            term = term * mixed(
                p.parents,
                lambda v, p=p, j=j, sigma=sigma: p.row(j, v)[0][p.states.index(sigma[p.id])],
                sigma,
            )
        for e in case.evidence:
            je, _ = case.judgement(e, lens)
            vals = {k: v.mean for k, v in je.values.items()}
            r = rho.get(e.reported_by, 1.0)
            b = e.base_rate if e.base_rate is not None else float(np.mean(list(vals.values())))
            term = term * mixed(
                e.parents, lambda v, vals=vals, r=r, b=b: r * vals[v] + (1 - r) * b, sigma
            )
        total = total + term
    return total


def _brute_posterior(case: mv.Case, lens: str | None = None) -> np.ndarray:
    joint = np.array(case.prior_vector()) * _brute(case, lens, np.eye(len(case.hypothesis_ids)))
    return joint / joint.sum()


def _credence_fn(built):
    return built.model.compile_fn(
        built.model["credence"],
        inputs=[],
        on_unused_input="ignore",
        point_fn=False,
        mode="FAST_COMPILE",
    )


def _z(mean, mcse, want) -> np.ndarray:
    z = (np.asarray(mean) - want) / np.asarray(mcse)
    print(f"max |z| = {np.abs(z).max():.2f}")  # shown with pytest -rP
    return z


# ---------------------------------------------------------------------- deterministic: point tables


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_engine_matches_brute_force(seed):
    """The exact engine on these networks against enumeration, to 1e-12.

    The engine is the reference of the sampled tests.
    """
    for rel in (None, {"mean": 0.7}):
        case = network_case(seed, reliability=rel)
        arr = compile_case(case)
        assert arr.network and arr.joint and any(p.observed >= 0 for p in arr.propositions)
        np.testing.assert_allclose(posterior(arr), _brute_posterior(case), atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_point_network_exclusive_equals_exact(seed):
    """Point tables and cells.

    The exclusive model's credence is the exact posterior (and the brute force's), to 1e-10, with a
    fixed-reliability source on and off; nothing is random.
    """
    from motives.models.exclusive import build_exclusive

    case = network_case(seed, reliability={"mean": 0.7})
    arr = compile_case(case)
    for reliability in (True, False):
        built = build_exclusive(case, reliability=reliability)
        assert not built.model.free_RVs and built.inputs.network
        got = _credence_fn(built)()
        np.testing.assert_allclose(got, posterior(arr, reliability=reliability), atol=1e-10)
    np.testing.assert_allclose(
        _credence_fn(build_exclusive(case))(), _brute_posterior(case), atol=1e-10
    )


def test_point_network_pooled_lens_credence_equals_exact():
    """Two lenses with different point tables and cells.

    Each lens's credence is that lens's exact posterior.
    """
    from motives.models.pooled import build_pooled

    case = network_case(3, lenses=("a", "b"))
    built = build_pooled(case)
    assert not built.model.free_RVs
    fn = built.model.compile_fn(
        built.model["lens_credence"],
        inputs=[],
        on_unused_input="ignore",
        point_fn=False,
        mode="FAST_COMPILE",
    )
    got = fn()
    want = np.stack([posterior(compile_case(case, lens)) for lens in ("a", "b")])
    assert np.abs(want[0] - want[1]).max() > 1e-3  # the lenses differ
    np.testing.assert_allclose(got, want, atol=1e-10)


@pytest.mark.parametrize("mixable", [True, False])
def test_point_network_mixture_likelihood_is_brute_force(mixable):
    """The mixture model's evidence term at any w is log P(E | w) of the brute force, to 1e-10.

    Every node the hypotheses bear on mixes them on its own. This holds also where the closed form
    refuses (``mixable=False``).
    """
    import pytensor
    import pytensor.tensor as pt
    from pytensor.graph.replace import graph_replace

    from motives.models.mixture import build_mixture

    case = network_case(4, mixable=mixable, reliability={"mean": 0.6})
    built = build_mixture(case)
    assert [v.name for v in built.model.free_RVs] == ["w"]
    wv = pt.vector("wv")
    pot = graph_replace(built.model["mixture_evidence"], {built.model["w"]: wv}, strict=False)
    fn = pytensor.function([wv], pot, on_unused_input="ignore", mode="FAST_COMPILE")
    rng = np.random.default_rng(0)
    for w in [*np.eye(3), *rng.dirichlet(np.ones(3), 5)]:
        assert fn(w) == pytest.approx(np.log(_brute(case, None, w)), abs=1e-10)


def test_exact_mixture_on_a_network_matches_importance_sampling():
    """The closed form on a network (each part hangs from the hypotheses by one node) against
    self-normalised importance sampling from the Dirichlet prior with the brute-force likelihood,
    within 4 SE."""
    from motives.exact_mixture import exact_mixture

    case = network_case(5, mixable=True, reliability={"mean": 0.8})
    a = np.array([1.0, 2.0, 0.5])
    w = np.random.default_rng(7).dirichlet(a, 200_000)
    lik = _brute(case, None, w)
    p = lik / lik.sum()
    est = p @ w
    se = np.sqrt((p[:, None] ** 2 * (w - est) ** 2).sum(axis=0))
    got = exact_mixture(case, prior={"dirichlet": a.tolist()})
    np.testing.assert_array_less(np.abs(got - est), 4 * se)


def test_exact_mixture_refuses_a_part_hanging_by_two_nodes():
    """q and the item j2 (parents [hypotheses, q]) both have the hypotheses as a parent.

    That is one located message.
    """
    from motives.exact_mixture import exact_mixture

    with pytest.raises(
        mv.CaseError, match=r"fact 'q' and item 'j2' both have the hypotheses as a parent"
    ) as err:
        exact_mixture(network_case(0))
    assert "model='mixture'" in str(err.value)


@pytest.mark.parametrize("seed", [0, 1, 3])
def test_point_generated_networks_equal_exact(seed):
    """Generated networks at face value: exclusive, pooled and mixture match the brute force.

    Generated networks (root facts, facts of up to three parents, items of two, an observed fact,
    zero cells), reports at face value so that nothing is random: the exclusive credence and each
    lens's pooled credence are the exact posterior, and the mixture's evidence term at a random w is
    the brute force's, to 1e-10.
    """
    import pytensor
    import pytensor.tensor as pt
    from pytensor.graph.replace import graph_replace

    from motives.models.exclusive import build_exclusive
    from motives.models.mixture import build_mixture
    from motives.models.pooled import build_pooled

    case = random_network_case(seed, n_facts=5, n_items=5, lenses=("a", "b"))
    arr = compile_case(case, "a")
    assert arr.network and arr.joint
    got = _credence_fn(build_exclusive(case, lens="a", reliability=False))()
    np.testing.assert_allclose(got, posterior(arr, reliability=False), atol=1e-10)
    pooled = build_pooled(case, reliability=False)
    fn = pooled.model.compile_fn(
        pooled.model["lens_credence"],
        inputs=[],
        on_unused_input="ignore",
        point_fn=False,
        mode="FAST_COMPILE",
    )
    want = np.stack([posterior(compile_case(case, lens), reliability=False) for lens in ("a", "b")])
    np.testing.assert_allclose(fn(), want, atol=1e-10)
    mix = build_mixture(case, lens="a", reliability=False)
    wv = pt.vector("wv")
    pot = pytensor.function(
        [wv],
        graph_replace(mix.model["mixture_evidence"], {mix.model["w"]: wv}, strict=False),
        mode="FAST_COMPILE",
    )
    for w in np.random.default_rng(seed).dirichlet(np.ones(len(case.hypothesis_ids)), 3):
        assert pot(w) == pytest.approx(np.log(_brute(case, "a", w, reliability=False)), abs=1e-10)


def test_observed_fact_in_a_tree():
    """A tree with an observed fact rules the other state out, by hand.

    The tree path, not a network: P(E | h) = Σ_f P(f | h) P(e | f) P(o = no | f) = 0.063 (a), 0.068
    (b).
    """
    from motives.models.exclusive import build_exclusive

    case = mv.Case.model_validate(
        {
            "name": "t",
            "hypotheses": [{"id": "a"}, {"id": "b"}],
            "propositions": [
                {"id": "f", "title": "F", "likelihoods": {"a": 0.7, "b": 0.2}},
                {
                    "id": "o",
                    "title": "O",
                    "bears_on": "f",
                    "observed": "no",
                    "likelihoods": {"yes": 0.9, "no": 0.3},
                },
            ],
            "evidence": [
                {"id": "e", "title": "e", "bears_on": "f", "likelihoods": {"yes": 0.6, "no": 0.1}}
            ],
        }
    )
    built = build_exclusive(case)
    assert not built.inputs.network
    np.testing.assert_allclose(_credence_fn(built)(), np.array([0.063, 0.068]) / 0.131, atol=1e-12)


def test_alarm_exclusive_is_pearl():
    """Pearl's burglary alarm (a root fact, a fact of two parents).

    P(burglary | John and Mary call) = 0.2842.
    """
    from motives.models.exclusive import build_exclusive

    case = mv.Case.model_validate(
        {
            "name": "alarm",
            "hypotheses": [{"id": "burglary", "prior": 0.001}, {"id": "none", "prior": 0.999}],
            "propositions": [
                {
                    "id": "quake",
                    "title": "Quake",
                    "bears_on": [],
                    "likelihoods": {"yes": 0.002, "no": 0.998},
                },
                {
                    "id": "alarm",
                    "title": "Alarm",
                    "bears_on": ["hypotheses", "quake"],
                    "likelihoods": {
                        "burglary": {"yes": 0.95, "no": 0.94},
                        "none": {"yes": 0.29, "no": 0.001},
                    },
                },
            ],
            "evidence": [
                {
                    "id": "john",
                    "title": "John calls",
                    "bears_on": "alarm",
                    "likelihoods": {"yes": 0.9, "no": 0.05},
                },
                {
                    "id": "mary",
                    "title": "Mary calls",
                    "bears_on": "alarm",
                    "likelihoods": {"yes": 0.7, "no": 0.01},
                },
            ],
        }
    )
    assert _credence_fn(build_exclusive(case))()[0] == pytest.approx(0.2841718353, abs=1e-9)


# ----------------------------------------------------------------- sampled: random tables and cells


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_exclusive_matches_exact_on_random_networks(seed):
    """Beta and Dirichlet rows, Beta cells, a Beta source: PyMC = exact within 4 MCSE.

    Beta cells also on the items of two parents; the Beta source reports an item under a fact, an
    item of two parents and a direct item.
    """
    from motives.models.exclusive import build_exclusive
    from motives.models.sampling import sample

    case = network_case(seed, confidence=True, reliability={"mean": 0.7, "concentration": 8.0})
    arr = compile_case(case)
    built = build_exclusive(case)
    names = {v.name for v in built.model.free_RVs}
    assert {"jlam_cell", "plam_cell", "rho", "table_f_row", "table_r_p"} <= names, names
    res = mv.FitResult(sample(built, draws=DRAWS, tune=TUNE, chains=2, seed=seed, backend="pymc"))
    s = res.summary().xs("hypothesis", level="level")
    z = _z(s["credence"], s["mcse"], posterior(arr))
    assert np.abs(z).max() <= 4, (z, s, posterior(arr))


@pytest.mark.slow
def test_exclusive_matches_exact_on_a_generated_network():
    """A generated network with zero cells and two Beta sources: PyMC = exact within 4 MCSE.

    The two sources have Beta reliability; one spans several parents.
    """
    from motives.models.exclusive import build_exclusive
    from motives.models.sampling import sample

    case = random_network_case(2, n_facts=5, n_items=6, n_sources=2)
    arr = compile_case(case, "a")
    built = build_exclusive(case, lens="a")
    assert "rho" in {v.name for v in built.model.free_RVs}
    res = mv.FitResult(sample(built, draws=DRAWS, tune=TUNE, chains=2, seed=5, backend="pymc"))
    s = res.summary().xs("hypothesis", level="level")
    z = _z(s["credence"], s["mcse"], posterior(arr))
    assert np.abs(z).max() <= 4, (z, s, posterior(arr))


@pytest.mark.slow
def test_mixture_matches_closed_form_on_a_random_network():
    """Random tables and cells, a fixed-reliability source.

    The shares' posterior mean = exact_mixture, 4 MCSE.
    """
    from motives.exact_mixture import exact_mixture

    case = network_case(6, confidence=True, mixable=True, reliability={"mean": 0.75})
    prior = {"dirichlet": [2.0, 1.0, 1.0]}
    res = mv.fit(
        case, model="mixture", prior=prior, draws=DRAWS, tune=TUNE, chains=2, seed=2, backend="pymc"
    )
    s = res.summary().xs("hypothesis", level="level")
    want = exact_mixture(case, prior=prior)
    z = _z(s["credence"], s["mcse"], want)
    assert np.abs(z).max() <= 4, (z, s, want)


@pytest.mark.slow
def test_pooled_identical_lenses_is_single_lens_on_a_network():
    """Two identical lenses, τ = 0.

    Consensus and each lens's credence are the single-lens exact posterior.
    """
    from motives.models.pooled import build_pooled
    from motives.models.sampling import refit

    case = network_case(7, confidence=True, lenses=("a", "b"), same_lenses=True)
    built = build_pooled(case, tau=0.0)
    names = {v.name for v in built.model.free_RVs}
    assert {"jcell_logit", "pcell_logit"} <= names and any(n.endswith("_row") for n in names), names
    tr = refit(built, draws=DRAWS, tune=TUNE, chains=2, seed=1, backend="pymc")
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
