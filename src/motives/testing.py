"""Seeded cases and fake fits for tests, documentation and benchmarks.

Every factory is deterministic: the same arguments (and seed) give the same
case, so a failing test can be rerun and a benchmark measures the same work
each time. Nothing here samples: :func:`fake_fit` and :func:`fake_trace` make
draws directly, for code that only reads a fit (plots, reports, saving).

The module sits above every layer (see ARCHITECTURE.md): it may import any
of them, and no module of the library imports it.

Examples
--------
>>> import motives as mv
>>> from motives import testing
>>> case = testing.random_structured_case(5)
>>> case == testing.random_structured_case(5), case == testing.random_structured_case(6)
(True, False)
>>> float(mv.exact_posterior(case).xs("hypothesis", level="level")["credence"].sum())
1.0
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from motives.models.testing import random_case, timeline_case
from motives.schema import Case

if TYPE_CHECKING:
    import xarray as xr

    from motives.models.result import FitResult

__all__ = ["H4", "fake_fit", "fake_trace", "random_case", "random_structured_case", "rich_case", "timeline_case",
           "two_hypothesis_case"]

#: The hypotheses of :func:`rich_case` (and the default of :func:`fake_trace`).
H4 = ["nat", "reg", "ide", "lea"]


# --------------------------------------------------------------------------- fixed synthetic cases


def rich_case(**overrides: Any) -> Case:
    """Four hypotheses in two families, two lenses, a shared unreliable source, a timeline and a quantity item.

    A small case with every kind of item, for the sensitivity, plot, report and CLI tests.

    Parameters
    ----------
    overrides
        Top-level fields of the case document to replace (``prior``, ``evidence``, ...).

    Examples
    --------
    >>> case = rich_case()
    >>> case.hypothesis_ids, case.family_ids, case.default_lens
    (['nat', 'reg', 'ide', 'lea'], ['security', 'nonsecurity'], 'a')
    >>> [e.kind for e in case.evidence][-2:]
    ['quantity', 'timeline']
    >>> rich_case(name="other").name
    'other'
    """
    data: dict[str, Any] = {
        "name": "synthetic",
        "title": "A synthetic case with every kind of item",
        "default_lens": "a",
        "hypotheses": [
            {"id": "nat", "label": "National security", "family": "security", "prior": 0.4},
            {"id": "reg", "label": "Regime security", "family": "nonsecurity", "prior": 0.2},
            {"id": "ide", "label": "Ideology", "family": "nonsecurity", "prior": 0.2},
            {"id": "lea", "label": "Leader image", "family": "nonsecurity", "prior": 0.2},
        ],
        "families": [{"id": "security", "label": "Security"}, {"id": "nonsecurity", "label": "Non-security"}],
        "lenses": [{"id": "a", "name": "Lens A"}, {"id": "b", "name": "Lens B"}],
        "sources": [{"key": "wire", "reliability": {"mean": 0.7, "concentration": 10}}],
        "issue_areas": [{"id": "diplomacy", "title": "Diplomacy"}, {"id": "force", "title": "Force & size"}],
        "references": {"doc1": {"title": "One"}, "wire": {"title": "Wire report"}, "doc_2": {"title": "Two"}},
        "evidence": [
            {"id": "orders", "title": "Orders to seize the capital", "date": "2022-02-24", "issue_area": "force",
             "sources": ["doc1"], "footnotes": [175], "quote": "liquidate the executive & more",
             "likelihoods": {
                 "a": {"values": {"nat": 0.3, "reg": 0.85, "ide": 0.85, "lea": 0.8}, "confidence": "medium"},
                 "b": {"values": {"nat": 0.6, "reg": 0.7, "ide": 0.7, "lea": 0.7}, "confidence": "low"}}},
            {"id": "talks", "title": "Talks held in good faith?", "date": "2021-12", "issue_area": "diplomacy",
             "sources": ["doc_2"],
             "likelihoods": {"a": {"values": {"nat": 0.6, "reg": 0.3, "ide": 0.35, "lea": 0.3}}}},
            {"id": "report1", "title": "Wire report one", "date": "2022-01-10", "issue_area": "diplomacy",
             "sources": ["wire"], "reported_by": "wire",
             "likelihoods": {"a": {"values": {"nat": 0.2, "reg": 0.6, "ide": 0.6, "lea": 0.7}},
                             "b": {"values": {"nat": 0.5, "reg": 0.5, "ide": 0.5, "lea": 0.6}}}},
            {"id": "report2", "title": "Wire report two", "issue_area": "diplomacy",
             "sources": ["wire"], "reported_by": "wire", "base_rate": 0.3,
             "likelihoods": {"a": {"values": {"nat": 0.4, "reg": 0.7, "ide": 0.5, "lea": 0.6},
                                   "confidence": "high"}}},
            {"id": "neutral", "title": "Opposes NATO membership", "issue_area": "diplomacy", "sources": ["doc1"],
             "likelihoods": {"a": {"values": {"nat": 0.9, "reg": 0.9, "ide": 0.9, "lea": 0.9}}}},
            {"id": "force_size", "kind": "quantity", "title": "Size of the force", "observed": 190000,
             "issue_area": "force", "date": "2022-02",
             "predictive": {"a": {"values": {
                 "nat": {"dist": "lognormal", "median": 150000, "sigma": 0.4},
                 "reg": {"dist": "normal", "mean": 200000, "sd": 50000},
                 "ide": {"dist": "normal", "mean": 220000, "sd": 60000},
                 "lea": {"dist": "normal", "mean": 200000, "sd": 60000}}},
                 "b": {"values": {
                     "nat": {"dist": "lognormal", "median": 190000, "sigma": 0.4},
                     "reg": {"dist": "normal", "mean": 200000, "sd": 50000},
                     "ide": {"dist": "normal", "mean": 220000, "sd": 60000},
                     "lea": {"dist": "normal", "mean": 200000, "sd": 60000}}}}},
            {"id": "rhetoric", "kind": "timeline", "title": "Statements on NATO", "origin": 2002, "sigma": 1.2,
             "issue_area": "diplomacy", "sources": ["doc1"],
             "scale": {0: "none", 1: "mild", 2: "objection", 3: "strong", 4: "red line"},
             "observations": [{"date": "2002-05", "code": 0}, {"date": "2004", "code": 1},
                              {"date": "2008-04", "code": 3}, {"date": "2014", "code": 3},
                              {"date": "2021-12", "code": 4}],
             "trends": {"a": {"values": {
                 "nat": {"intercept": {"mean": 1.5, "sd": 1.0}, "slope": {"mean": 0.08, "sd": 0.06}},
                 "reg": {"intercept": {"mean": 1.0, "sd": 0.5}, "slope": {"mean": 0.12, "sd": 0.04}},
                 "ide": {"intercept": {"mean": 1.0, "sd": 0.5}, "slope": {"mean": 0.12, "sd": 0.04}},
                 "lea": {"intercept": {"mean": 0.8, "sd": 0.5}, "slope": {"mean": 0.14, "sd": 0.04}}}}}},
        ],
    }
    data.update(overrides)
    return Case.model_validate(data)


def two_hypothesis_case() -> Case:
    """Two hypotheses, three independent items taken at face value.

    Examples
    --------
    >>> import motives as mv
    >>> case = two_hypothesis_case()
    >>> case.hypothesis_ids, len(case.evidence)
    (['h1', 'h2'], 3)
    >>> round(float(mv.exact_posterior(case).loc[("hypothesis", "h1"), "credence"]), 4)  # 0.3*.288 / (...+0.7*.03)
    0.8045
    """
    return Case.model_validate({
        "name": "two",
        "hypotheses": [{"id": "h1", "prior": 0.3}, {"id": "h2", "prior": 0.7}],
        "evidence": [
            {"id": "e1", "title": "one", "likelihoods": {"h1": 0.8, "h2": 0.3}},
            {"id": "e2", "title": "two", "likelihoods": {"h1": 0.4, "h2": 0.5}},
            {"id": "e3", "title": "three", "likelihoods": {"h1": 0.9, "h2": 0.2}},
        ],
    })


# --------------------------------------------------------------------------- random structured cases


def _p(rng: np.random.Generator, lo: float = 0.02, hi: float = 0.98) -> float:
    return float(np.round(rng.uniform(lo, hi), 3))


def _row(rng: np.random.Generator, states: list[str]) -> Any:
    if len(states) == 2:
        return _p(rng)
    w = rng.dirichlet(np.ones(len(states)) * 2)
    w = np.round(w, 3)
    w[-1] = round(1 - w[:-1].sum(), 3)
    if w[-1] < 0:
        w = np.full(len(states), round(1 / len(states), 3))
        w[-1] = round(1 - w[:-1].sum(), 3)
    return {s: float(v) for s, v in zip(states, w, strict=True)}


def random_structured_case(seed: int, *, n_hyp: int = 3, n_props: int = 3, depth: int = 2, multi_state: bool = True,
                           shared_source: bool = True, zero_cell: bool = True, kinds: bool = True,
                           n_items: int = 7, lenses: tuple[str, ...] = ("a",)) -> Case:
    """A random case: ``n_props`` propositions up to ``depth`` levels, items under them and on the hypotheses.

    Parameters
    ----------
    seed
        Seed of everything random (the tree of propositions and every value).
    n_hyp, n_props, n_items
        Sizes; item ``e0`` bears on the hypotheses, item ``e{i}`` on proposition ``p{i % n_props}``.
    depth
        Up to 2: a proposition may bear on an earlier one; above 2 (with three propositions or more)
        ``p2`` → ``p1`` → ``p0`` → hypotheses is forced.
    multi_state
        Give the last proposition three states (``low``, ``mid``, ``high``).
    shared_source
        A source of Beta reliability reports items under two different propositions (and one direct item).
    zero_cell
        Put a 0 in one item row.
    kinds
        Add a timeline and a quantity item under a proposition.
    lenses
        Lens ids; every lens gets the same values.

    Examples
    --------
    >>> case = random_structured_case(3, depth=3)
    >>> [(p.id, p.bears_on) for p in case.propositions]
    [('p0', 'hypotheses'), ('p1', 'p0'), ('p2', 'p1')]
    >>> [e.kind for e in case.evidence][-2:], case == random_structured_case(3, depth=3)
    (['timeline', 'quantity'], True)
    """
    rng = np.random.default_rng(seed)
    H = [f"h{i}" for i in range(n_hyp)]
    props: list[dict[str, Any]] = []
    for i in range(n_props):
        states = ["yes", "no"] if not (multi_state and i == n_props - 1) else ["low", "mid", "high"]
        parent = "hypotheses"
        if i > 0 and depth > 1 and rng.random() < 0.6:
            parent = props[int(rng.integers(0, i))]["id"]
        parent_values = H if parent == "hypotheses" else next(p for p in props if p["id"] == parent)["states"]
        props.append({
            "id": f"p{i}", "title": f"Proposition {i}", "states": states, "bears_on": parent,
            "likelihoods": {lens: {"values": {v: _row(rng, states) for v in parent_values}} for lens in lenses},
        })
    if depth > 2 and n_props >= 3:  # force a chain of three levels: p2 -> p1 -> p0 -> hypotheses
        props[1]["bears_on"], props[2]["bears_on"] = "p0", "p1"
        for k in (1, 2):
            pv = next(p for p in props if p["id"] == props[k]["bears_on"])["states"]
            props[k]["likelihoods"] = {lens: {"values": {v: _row(rng, props[k]["states"]) for v in pv}}
                                       for lens in lenses}
    items: list[dict[str, Any]] = []
    sources = []
    if shared_source:
        sources.append({"key": "src", "reliability": {"beta": [float(rng.uniform(1.5, 6)), float(rng.uniform(1, 3))]}})
    for i in range(n_items):
        target = "hypotheses" if i == 0 else props[i % n_props]["id"]
        keys = H if target == "hypotheses" else next(p for p in props if p["id"] == target)["states"]
        vals = {k: _p(rng) for k in keys}
        if zero_cell and i == 2:
            vals[keys[-1]] = 0.0
        it: dict[str, Any] = {"id": f"e{i}", "title": f"Item {i}", "bears_on": target,
                              "likelihoods": {lens: {"values": dict(vals)} for lens in lenses}}
        if shared_source and i in (0, 1, 2, 3):
            it["reported_by"] = "src"
        items.append(it)
    if kinds:
        p = props[0]
        items.append({"id": "tl", "title": "A timeline", "kind": "timeline", "bears_on": p["id"], "sigma": 1.0,
                      "observations": [{"date": 2000 + k, "code": float(np.round(rng.normal(1, 1), 2))}
                                       for k in range(4)],
                      "origin": 2000,
                      "trends": {lens: {"values": {s: {"intercept": {"mean": float(j), "sd": 1.0},
                                                       "slope": {"mean": 0.1 * j, "sd": 0.2}}
                                                   for j, s in enumerate(p["states"])}} for lens in lenses}})
        items.append({"id": "qty", "title": "A quantity", "kind": "quantity", "bears_on": props[-1]["id"],
                      "observed": 3.0,
                      "predictive": {lens: {"values": {s: {"dist": "normal", "mean": float(j), "sd": 2.0}
                                                       for j, s in enumerate(props[-1]["states"])}}
                                     for lens in lenses}})
    return Case.model_validate({
        "name": "random", "hypotheses": [{"id": h} for h in H],
        "lenses": [{"id": lens} for lens in lenses], "sources": sources, "propositions": props, "evidence": items,
    })


# --------------------------------------------------------------------------- fake draws and fits


def fake_trace(var: str = "credence", hypotheses: Sequence[str] = tuple(H4), *, seed: int = 3, chains: int = 2,
               draws: int = 100, alpha: Sequence[float] | None = None) -> xr.Dataset:
    """Independent Dirichlet draws shaped like a posterior group: ``var`` over (chain, draw, hypothesis).

    For figures that draw a posterior (:func:`motives.plots.plot_credence_density`,
    :func:`motives.plots.plot_shares`) without fitting anything.

    Parameters
    ----------
    var
        Name of the variable (``credence``, ``share``).
    hypotheses
        Coordinates of the ``hypothesis`` axis.
    seed
        Seed of the draws.
    chains, draws
        Shape.
    alpha
        Dirichlet concentrations, one per hypothesis; default 8, 4, 2, 1, ... (halving).

    Examples
    --------
    >>> ds = fake_trace("share", seed=1)
    >>> dict(ds["share"].sizes)
    {'chain': 2, 'draw': 100, 'hypothesis': 4}
    >>> bool(abs(ds["share"].sum("hypothesis") - 1).max() < 1e-12), ds.equals(fake_trace("share", seed=1))
    (True, True)
    """
    import xarray as xr

    hyps = list(hypotheses)
    a = np.asarray(alpha if alpha is not None else [8.0 / 2**k for k in range(len(hyps))], dtype=float)
    x = np.random.default_rng(seed).dirichlet(a, size=(chains, draws))
    return xr.Dataset({var: (("chain", "draw", "hypothesis"), x)}, coords={"hypothesis": hyps})


def fake_fit(case: Case, *, lens: str | None = None, seed: int = 0, draws: int = 500, chains: int = 2,
             concentration: float = 400.0) -> FitResult:
    """A :class:`~motives.models.FitResult` of the exclusive model made without PyMC.

    The credences are independent Dirichlet draws whose mean is the exact
    posterior (concentration ``concentration`` × credence; a hypothesis of
    credence 0 stays 0), with the attributes :func:`motives.models.fit` writes,
    so summaries, diagnostics, saving and :func:`motives.load_result` work on it.
    It is not MCMC: use it for code that reads a fit (reports, plots, files),
    never to test a model or the sampler. Its trace says so
    (``trace.attrs["sampler"]``).

    Parameters
    ----------
    case
        The case; its exact posterior is the mean of the draws.
    lens
        Whose judgements (default: the case's default lens).
    seed
        Seed of the draws: the same seed gives the same trace.
    draws, chains
        Shape of the posterior.
    concentration
        Dirichlet concentration: larger is narrower.

    Examples
    --------
    >>> res = fake_fit(two_hypothesis_case(), seed=1)
    >>> res.model, res.lens, res.diagnostics["ok"]
    ('exclusive', 'default', True)
    >>> s = res.summary()
    >>> bool(abs(s.loc[("hypothesis", "h1"), "credence"] - s.loc[("hypothesis", "h1"), "exact"]) < 0.01)
    True
    >>> from motives.models.result import check_trace
    >>> check_trace(res.trace), res.trace.attrs["sampler"].split(":")[0]
    ([], 'fake')
    >>> bool((res.trace.posterior["credence"] == fake_fit(two_hypothesis_case(), seed=1)
    ...       .trace.posterior["credence"]).all())
    True
    """
    import xarray as xr

    from motives.exact import exact_posterior
    from motives.models.api import case_hash, exact_reference
    from motives.models.result import FitResult

    settings: dict[str, Any] = {
        "case": case.name, "case_hash": case_hash(case), "model": "exclusive", "lens": lens, "prior": None,
        "lenses": None, "reliability": True, "draws": draws, "tune": 0, "chains": chains, "seed": seed,
        "backend": "fake", "target_accept": None}
    table = exact_posterior(case, lens=lens)
    p = table.xs("hypothesis", level="level")["credence"].reindex(case.hypothesis_ids).to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    x = np.zeros((chains, draws, len(p)))
    pos = p > 0
    x[..., pos] = rng.dirichlet(concentration * p[pos], size=(chains, draws))
    fams = case.family_ids
    member = np.zeros((len(p), len(fams)))
    member[np.arange(len(p)), [fams.index(h.family_id) for h in case.hypotheses]] = 1.0
    coords = {"chain": np.arange(chains), "draw": np.arange(draws), "hypothesis": case.hypothesis_ids,
              "family": fams}
    post = xr.Dataset({"credence": (("chain", "draw", "hypothesis"), x),
                       "family_credence": (("chain", "draw", "family"), x @ member)}, coords=coords)
    stats = xr.Dataset({"diverging": (("chain", "draw"), np.zeros((chains, draws), dtype=bool))},
                       coords={"chain": coords["chain"], "draw": coords["draw"]})
    trace = xr.DataTree.from_dict({"posterior": post, "sample_stats": stats})
    config = json.dumps(settings, sort_keys=True, default=str)
    trace.attrs.update({
        "sampler": "fake: independent Dirichlet draws around the exact posterior (motives.testing.fake_fit), not MCMC",
        "motives_deterministics": json.dumps(["credence", "family_credence"]),
        "motives_exact": json.dumps(exact_reference(case, settings)),
        "motives_model": "exclusive",
        "motives_lens": str(table.attrs.get("lens") or lens or case.default_lens),
        "motives_config": config,
        "motives_config_hash": hashlib.sha256(config.encode()).hexdigest()[:16],
        "motives_fallbacks": json.dumps(sorted(table.attrs.get("fallbacks", []))),
    })
    return FitResult(trace)
