"""Model inputs of a case under one lens, and per-evidence-kind log-likelihood builders.

:func:`model_inputs` turns a case into plain numpy arrays (no PyMC). The
``*_loglik`` builders turn those arrays into PyTensor expressions of
log P(E_e | h), shape (items, hypotheses), inside an open ``pm.Model``:

- ``likelihood`` items: λ[e, h] ~ Beta(mean·κ·m, (1 − mean)·κ·m) per cell (m the
  ``concentration`` multiplier, a ``pm.Data``), point cells fixed; an item
  reported by a source s mixes P = ρ_s λ + (1 − ρ_s) b_e, b_e the item's
  ``base_rate`` or the row mean of λ, ρ_s ~ Beta shared by the source's items.
  A per-cell likelihood scale factor (``log_scale``, ``pm.Data``) multiplies λ
  before the mixture, then the row is divided by its largest value if that
  exceeds 1 (the convention of :mod:`motives.sensitivity.perturb`).
- ``timeline`` items: y_i ~ Normal(a_h + b_h t_i, σ) with the item's Normal
  priors on (a_h, b_h), or a step (one level before a break date, another from it on; an uncertain
  break is averaged over its grid). ``timeline="marginal"`` integrates (a_h, b_h) out in closed form
  (y ~ MVN(X m_h, σ²I + X S_h Xᵀ)); ``"explicit"`` samples them. σ is fixed at the item's value, or
  free (``sigma="free"``: σ ~ HalfNormal with the item's σ as its scale).
- ``quantity`` items: log density of the observed value under each
  hypothesis's predictive distribution (a constant).

All functions here import PyMC lazily.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from motives.exact import mvn_marginal, quantity_loglik, timeline_data, timeline_loglik
from motives.schema import Case, LikelihoodItem, QuantityItem, TimelineItem
from motives.schema.structure import HYPOTHESES

Array = NDArray[np.float64]
TimelineMode = Literal["marginal", "explicit"]
SigmaMode = Literal["fixed", "free"]


@dataclass(frozen=True)
class Timeline:
    """One timeline item under one lens: data and per-hypothesis trend priors (arrays of length K).

    ``a_*``/``b_*`` are the linear trends' intercept and slope priors; for a
    hypothesis whose trend is a step they hold its before and after levels.
    ``designs[k]`` is the general form every engine can use: a list of
    alternatives (X, m, sd), X an (n, 2) design matrix, the coefficients
    Normal(m, sd); a linear trend has one alternative X = [1, t], a step one per
    candidate break, X = [1{t < t_b}, 1{t >= t_b}], equally likely.
    """

    id: str
    t: Array
    y: Array
    sigma: float
    a_mean: Array
    a_sd: Array
    b_mean: Array
    b_sd: Array
    designs: tuple[tuple[tuple[Array, Array, Array], ...], ...] = ()
    steps: tuple[bool, ...] = ()

    @property
    def linear(self) -> bool:
        """True when every hypothesis predicts a linear trend."""
        return not any(self.steps)

    def key(self) -> list[Any]:
        """A JSON-able description of the data and trends (for model caching)."""
        return [
            self.t.tolist(),
            self.y.tolist(),
            self.sigma,
            [[[X.tolist(), m.tolist(), sd.tolist()] for X, m, sd in alts] for alts in self.designs],
        ]


def trend_designs(t: Array, trend: Any, origin: float) -> tuple[tuple[Array, Array, Array], ...]:
    """The (X, m, sd) alternatives of one trend record over times ``t`` (years from ``origin``)."""
    step = getattr(trend, "step", None)
    if step is None:
        X = np.stack([np.ones_like(t), t], axis=1)
        return (
            (
                X,
                np.array([trend.intercept.mean, trend.slope.mean]),
                np.array([trend.intercept.sd, trend.slope.sd]),
            ),
        )
    m = np.array([step.before.mean, step.after.mean])
    sd = np.array([step.before.sd, step.after.sd])
    out = []
    for d in step.break_dates:
        after = (t >= d.decimal_year - origin).astype(float)
        out.append((np.stack([1.0 - after, after], axis=1), m, sd))
    return tuple(out)


@dataclass(frozen=True)
class PropInputs:
    """One proposition under one lens for the PyMC models: its table and the items that bear on it.

    Attributes
    ----------
    parents
        Index of each parent proposition in :attr:`ModelInputs.propositions`, -1 for the hypotheses;
        ``()`` for a root fact. ``cards`` the number of values of each parent.
    observed
        Index of the state observed for certain (a hard finding), -1 for none.
    table, table_conc
        P(state | parent value) means (V, S) and each row's concentration (V,), NaN for a point row.
    items, lam_mean, lam_conc, base, source_index
        Likelihood items bearing on it: P(E | state) means and Beta concentrations (n, S), base
        rates (NaN = row mean over the states) and the index of each item's source in
        :attr:`ModelInputs.sources` (-1 for none).
    timelines, quantities, quantity_loglik
        Timeline items (trend priors per state) and quantity items with their log densities (q, S).
    """

    id: str
    parents: tuple[int, ...]
    parent_values: list[str]
    states: list[str]
    table: Array
    table_conc: Array
    items: list[str]
    lam_mean: Array
    lam_conc: Array
    base: Array
    source_index: NDArray[np.intp]
    timelines: list[Timeline]
    quantities: list[str]
    quantity_loglik: Array
    cards: tuple[int, ...] = ()
    observed: int = -1

    @property
    def parent(self) -> int:
        """The one parent (-1 the hypotheses).

        An error for a root fact or several parents (use ``parents``).
        """
        if len(self.parents) != 1:
            raise ValueError(
                f"proposition '{self.id}' has {len(self.parents)} parents; this code reads one "
                "parent per proposition (use .parents)"
            )
        return self.parents[0]

    @property
    def all_items(self) -> list[str]:
        """Likelihood, then timeline, then quantity items bearing on this proposition."""
        return self.items + [t.id for t in self.timelines] + self.quantities

    @property
    def random_rows(self) -> NDArray[np.bool_]:
        """(V,) mask of rows with a Beta (two states) or Dirichlet (more) distribution."""
        return np.isfinite(self.table_conc)

    @property
    def free_cells(self) -> NDArray[np.bool_]:
        """(n, S) mask of item cells with a Beta distribution."""
        return np.isfinite(self.lam_conc)


@dataclass(frozen=True)
class JointInputs:
    """A likelihood item with several parents: P(E | parent configuration), flat in nested order.

    Attributes
    ----------
    parents, cards
        Index of each parent proposition (-1 the hypotheses) and its number of values.
    parent_values
        The flat configuration keys (first parent outermost), the columns of ``lam_mean``.
    lam_mean, lam_conc
        P(E | configuration) means and Beta concentrations (V,), NaN for a point cell.
    base, source_index
        Base rate (NaN: the mean over the configurations) and the index of its source in
        :attr:`ModelInputs.sources` (-1 for none).
    """

    id: str
    parents: tuple[int, ...]
    cards: tuple[int, ...]
    parent_values: list[str]
    lam_mean: Array
    lam_conc: Array
    base: float
    source_index: int


@dataclass(frozen=True)
class ModelInputs:
    """A case under one lens as arrays for the PyMC models.

    Attributes
    ----------
    items
        Ids of the likelihood items (rows of ``lam_mean``).
    lam_mean, lam_conc
        Likelihood means and Beta concentrations, shape (N, K); ``lam_conc`` is
        NaN for point cells (and for means of exactly 0 or 1).
    base
        Base rate per item, NaN where it is the row mean.
    source_index
        Index into ``sources`` of each item's reporting source, -1 for none.
    sources
        (key, mean, concentration) of every source with reliability below 1;
        concentration NaN for a fixed reliability.
    timelines, quantities, quantity_loglik
        Timeline items; quantity item ids and their log densities (Q, K).
    """

    lens: str
    hypotheses: list[str]
    families: list[str]
    family_index: NDArray[np.intp]
    prior: Array
    items: list[str]
    lam_mean: Array
    lam_conc: Array
    base: Array
    source_index: NDArray[np.intp]
    sources: list[tuple[str, float, float]]
    timelines: list[Timeline]
    quantities: list[str]
    quantity_loglik: Array
    fallbacks: list[str] = field(default_factory=list)
    propositions: tuple[PropInputs, ...] = ()
    joint: tuple[JointInputs, ...] = ()

    @property
    def structured(self) -> bool:
        """True when the case has propositions."""
        return bool(self.propositions)

    @property
    def network(self) -> bool:
        """True when a fact has no parent or several, or an item several parents (not a tree)."""
        return bool(self.joint) or any(len(p.parents) != 1 for p in self.propositions)

    @property
    def joint_width(self) -> int:
        """Largest number of parent configurations of an item with several parents (0 if none)."""
        return max((len(j.parent_values) for j in self.joint), default=0)

    def plan(self, *, hypotheses: bool = True) -> Any:
        """The elimination plan of the structure, as the exact engine's.

        See :func:`motives.exact.contract.plan_elimination`.

        Variables: 0 the hypotheses, ``i + 1`` proposition i; factors one per proposition, then one
        per item of several parents. ``hypotheses=False`` plans the same factors with the hypotheses
        left out of every scope (the mixture model, whose tables are mixed over the hypotheses
        first).
        """
        from motives.exact.contract import structure_plan

        return structure_plan(
            len(self.hypotheses), self.propositions, self.joint, hypotheses=hypotheses
        )

    @property
    def direct_items(self) -> list[str]:
        """Items bearing on the hypotheses: likelihood, then timeline, then quantity items."""
        return self.items + [t.id for t in self.timelines] + self.quantities

    @property
    def structured_items(self) -> list[str]:
        """Items bearing on propositions, proposition by proposition, then items of several parents.

        The propositions come parents first.
        """
        return [e for p in self.propositions for e in p.all_items] + [j.id for j in self.joint]

    @property
    def proposition_items(self) -> list[str]:
        """Items under one proposition each (the rows of the ``prop_log_scale`` knob)."""
        return [e for p in self.propositions for e in p.all_items]

    @property
    def all_items(self) -> list[str]:
        """Direct items, then items under propositions (the ``evidence`` dim)."""
        return self.direct_items + self.structured_items

    @property
    def state_width(self) -> int:
        """Largest number of states of a proposition (the padded width of the structured knobs)."""
        return max((len(p.states) for p in self.propositions), default=0)

    @property
    def structured_likelihood_items(self) -> list[tuple[int, int]]:
        """(proposition index, row) of every likelihood item under a proposition, in knob order."""
        return [(i, r) for i, p in enumerate(self.propositions) for r in range(len(p.items))]

    @property
    def free_cells(self) -> NDArray[np.bool_]:
        """(N, K) mask of cells with a Beta distribution (the others are fixed numbers)."""
        return np.isfinite(self.lam_conc)

    @property
    def family_matrix(self) -> Array:
        """(K, F) 0/1 matrix summing hypothesis credences into families."""
        m = np.zeros((len(self.hypotheses), len(self.families)))
        m[np.arange(len(self.hypotheses)), self.family_index] = 1.0
        return m

    def coords(self) -> dict[str, list[str]]:
        """Named coordinates shared by every model."""
        free = np.argwhere(self.free_cells)
        out = {
            "hypothesis": list(self.hypotheses),
            "family": list(self.families),
            "evidence": self.all_items,
            "source": [s[0] for s in self.sources if np.isfinite(s[2])],
            "cell": [f"{self.items[i]}:{self.hypotheses[k]}" for i, k in free],
        }
        if self.structured:
            out["direct"] = self.direct_items
            out["pcell"] = [
                f"{p.items[i]}:{p.states[s]}"
                for p in self.propositions
                for i, s in np.argwhere(p.free_cells)
            ]
            for p in self.propositions:
                rnd = p.random_rows
                if rnd.any():
                    out[f"{p.id}_parent"] = [
                        v for v, r in zip(p.parent_values, rnd, strict=True) if r
                    ]
                    out[f"{p.id}_state"] = list(p.states)
            if self.joint:
                out["jcell"] = [
                    f"{j.id}:{j.parent_values[v]}"
                    for j in self.joint
                    for v in np.flatnonzero(np.isfinite(j.lam_conc))
                ]
        return out

    def structure_part(self, *, pooled: bool = False) -> dict[str, Any]:
        """What the structured part of a model bakes into its graph.

        Used by :func:`~motives.models.sampling.structure_key`.

        The pooled model bakes the point tables and cells in as well (``pooled``).
        """
        out: dict[str, Any] = {
            "propositions": [
                {
                    **({"table": p.table.tolist(), "lam": p.lam_mean.tolist()} if pooled else {}),
                    "id": p.id,
                    "parent": p.parents[0] if len(p.parents) == 1 else list(p.parents),
                    "states": p.states,
                    **({"observed": p.observed} if p.observed >= 0 else {}),
                    "random_rows": p.random_rows.tolist(),
                    "items": p.all_items,
                    "free": p.free_cells.tolist(),
                    "base_given": np.isfinite(p.base).tolist(),
                    "source_index": p.source_index.tolist(),
                    "quantity": p.quantity_loglik.tolist(),
                    "timelines": [
                        [
                            t.t.tolist(),
                            t.y.tolist(),
                            t.sigma,
                            t.a_mean.tolist(),
                            t.a_sd.tolist(),
                            t.b_mean.tolist(),
                            t.b_sd.tolist(),
                        ]
                        for t in p.timelines
                    ],
                }
                for p in self.propositions
            ]
        }
        if self.joint:
            out["joint"] = [
                {
                    **({"lam": j.lam_mean.tolist()} if pooled else {}),
                    "id": j.id,
                    "parents": list(j.parents),
                    "free": np.isfinite(j.lam_conc).tolist(),
                    "base_given": bool(np.isfinite(j.base)),
                    "source_index": j.source_index,
                }
                for j in self.joint
            ]
        return out


def model_inputs(case: Case, lens: str | None = None) -> ModelInputs:
    """Compile a case under one lens into :class:`ModelInputs`.

    Parameters
    ----------
    case
        The case.
    lens
        Whose judgements; default the case's default lens. Items the lens does
        not rate use the default lens (listed in ``fallbacks``).

    Examples
    --------
    >>> import motives as mv
    >>> inp = model_inputs(mv.examples.load("witness"))
    >>> inp.sources, inp.source_index.tolist()
    ([('witness', 0.6, nan)], [0])
    """
    lens = case.resolve_lens(lens)
    H = case.hypothesis_ids
    items, means, concs, base, src_of, timelines, qids, qll = [], [], [], [], [], [], [], []
    direct_src: list[str | None] = []
    for e in case.evidence:
        if e.parents != (HYPOTHESES,):
            if isinstance(e, LikelihoodItem):
                src_of.append(e.reported_by)
            continue
        j, _ = case.judgement(e, lens)
        if isinstance(e, LikelihoodItem):
            items.append(e.id)
            means.append([j.values[h].mean for h in H])
            concs.append(
                [
                    np.nan if j.values[h].concentration is None else j.values[h].concentration
                    for h in H
                ]
            )
            base.append(np.nan if e.base_rate is None else e.base_rate)
            src_of.append(e.reported_by)
            direct_src.append(e.reported_by)
        elif isinstance(e, TimelineItem):
            timelines.append(_timeline(e, j, H))
        elif isinstance(e, QuantityItem):
            qids.append(e.id)
            qll.append([quantity_loglik(e.observed, j.values[h]) for h in H])
    sources: list[tuple[str, float, float]] = []
    for key in dict.fromkeys(s for s in src_of if s is not None):
        src = case.source(key)
        if src is None:
            continue
        rel = src.reliability
        if rel.concentration is None and rel.mean == 1.0:
            continue
        sources.append((key, rel.mean, np.nan if rel.concentration is None else rel.concentration))
    keys = [s[0] for s in sources]
    fams = case.family_ids
    return ModelInputs(
        lens=lens,
        hypotheses=list(H),
        families=fams,
        family_index=np.array([fams.index(h.family_id) for h in case.hypotheses], dtype=np.intp),
        prior=np.array(case.prior_vector(), dtype=float),
        items=items,
        lam_mean=np.array(means, dtype=float).reshape(len(items), len(H)),
        lam_conc=np.array(concs, dtype=float).reshape(len(items), len(H)),
        base=np.array(base, dtype=float),
        source_index=np.array(
            [keys.index(s) if s in keys else -1 for s in direct_src], dtype=np.intp
        ),
        sources=sources,
        timelines=timelines,
        quantities=qids,
        quantity_loglik=np.array(qll, dtype=float).reshape(len(qids), len(H)),
        fallbacks=case.fallbacks(lens),
        propositions=_proposition_inputs(case, lens, keys),
        joint=_joint_inputs(case, lens, keys),
    )


def _timeline(e: TimelineItem, j: Any, keys: list[str]) -> Timeline:
    """A timeline item's data and its trend priors per parent value (hypotheses or states)."""
    t, y = timeline_data(e)
    v = [j.values[k] for k in keys]
    designs = tuple(trend_designs(t, x, e.origin) for x in v)
    return Timeline(
        e.id,
        t,
        y,
        e.sigma,
        np.array([d[0][1][0] for d in designs]),
        np.array([d[0][2][0] for d in designs]),
        np.array([d[0][1][1] for d in designs]),
        np.array([d[0][2][1] for d in designs]),
        designs=designs,
        steps=tuple(getattr(x, "step", None) is not None for x in v),
    )


def _proposition_inputs(case: Case, lens: str, source_keys: list[str]) -> tuple[PropInputs, ...]:
    """Every proposition (parents first) with the items that bear on it."""
    order = case.proposition_order()
    out = []
    for pid in order:
        prop = case.proposition(pid)
        j, _ = case.judgement(prop, lens)
        pv = case.parent_values(prop.parents)
        rows = [prop.row(j, v) for v in pv]
        S = prop.states
        its, means, concs, base, src, tls, qids, qll = [], [], [], [], [], [], [], []
        for e in case.evidence:
            if e.parents != (pid,):
                continue
            je, _ = case.judgement(e, lens)
            if isinstance(e, LikelihoodItem):
                its.append(e.id)
                means.append([je.values[s].mean for s in S])
                concs.append(
                    [
                        np.nan if je.values[s].concentration is None else je.values[s].concentration
                        for s in S
                    ]
                )
                base.append(np.nan if e.base_rate is None else e.base_rate)
                src.append(source_keys.index(e.reported_by) if e.reported_by in source_keys else -1)
            elif isinstance(e, TimelineItem):
                tls.append(_timeline(e, je, S))
            elif isinstance(e, QuantityItem):
                qids.append(e.id)
                qll.append([quantity_loglik(e.observed, je.values[s]) for s in S])
        parents = tuple(-1 if b == HYPOTHESES else order.index(b) for b in prop.parents)
        out.append(
            PropInputs(
                id=pid,
                parents=parents,
                cards=tuple(
                    len(case.hypothesis_ids) if q < 0 else len(case.proposition(order[q]).states)
                    for q in parents
                ),
                observed=-1 if prop.observed is None else prop.states.index(prop.observed),
                parent_values=list(pv),
                states=list(S),
                table=np.array([r[0] for r in rows], dtype=float),
                table_conc=np.array([np.nan if r[1] is None else r[1] for r in rows], dtype=float),
                items=its,
                lam_mean=np.array(means, dtype=float).reshape(len(its), len(S)),
                lam_conc=np.array(concs, dtype=float).reshape(len(its), len(S)),
                base=np.array(base, dtype=float),
                source_index=np.array(src, dtype=np.intp),
                timelines=tls,
                quantities=qids,
                quantity_loglik=np.array(qll, dtype=float).reshape(len(qids), len(S)),
            )
        )
    return tuple(out)


def _joint_inputs(case: Case, lens: str, source_keys: list[str]) -> tuple[JointInputs, ...]:
    """Every likelihood item with several parents.

    Each is the counterpart of the exact engine's :class:`~motives.exact.compile.JointItem`.
    """
    order = case.proposition_order()
    out = []
    for e in case.evidence:
        if len(e.parents) < 2 or not isinstance(e, LikelihoodItem):
            continue
        je, _ = case.judgement(e, lens)
        parents = tuple(-1 if b == HYPOTHESES else order.index(b) for b in e.parents)
        pv = case.parent_values(e.parents)
        out.append(
            JointInputs(
                id=e.id,
                parents=parents,
                cards=tuple(
                    len(case.hypothesis_ids) if q < 0 else len(case.proposition(order[q]).states)
                    for q in parents
                ),
                parent_values=list(pv),
                lam_mean=np.array([je.values[v].mean for v in pv], dtype=float),
                lam_conc=np.array(
                    [
                        np.nan if je.values[v].concentration is None else je.values[v].concentration
                        for v in pv
                    ],
                    dtype=float,
                ),
                base=np.nan if e.base_rate is None else float(e.base_rate),
                source_index=source_keys.index(e.reported_by)
                if e.reported_by in source_keys
                else -1,
            )
        )
    return tuple(out)


# --------------------------------------------------------------------------- PyTensor builders

#: Build the items under propositions as whole arrays (:func:`_own_messages_stacked`); False: one
#: proposition at a time (the reference the tests compare it with).
STACKED = True


def beta_cells(inp: ModelInputs, concentration: Any, *, name: str = "lam") -> Any:
    """λ as an (N, K) tensor: Beta random variables on free cells, the means elsewhere.

    ``concentration`` multiplies every cell's Beta concentration (a ``pm.Data`` scalar).
    """
    return beta_matrix(inp.lam_mean, inp.lam_conc, concentration, name=name, dim="cell")


def beta_matrix(mean: Array, conc: Array, concentration: Any, *, name: str, dim: str) -> Any:
    """A matrix of probabilities.

    Beta(mean·κ·c, (1 − mean)·κ·c) where κ is finite, the mean elsewhere.

    ``pm.Data``: ``{name}_fixed`` (the matrix, 0.5 at free cells), ``{name}_alpha`` /
    ``{name}_beta`` (dims ``dim``); the random variable is ``{name}_cell``.
    """
    import pymc as pm
    import pytensor.tensor as pt

    free = np.isfinite(conc)
    lam = pm.Data(f"{name}_fixed", np.where(free, 0.5, mean))
    if not free.any():
        return lam
    m = mean[free]
    k = conc[free]
    alpha = pm.Data(f"{name}_alpha", m * k, dims=dim)
    beta = pm.Data(f"{name}_beta", (1 - m) * k, dims=dim)
    cells = pm.Beta(
        f"{name}_cell", alpha=alpha * concentration, beta=beta * concentration, dims=dim
    )
    rows, cols = np.nonzero(free)
    return pt.set_subtensor(lam[rows, cols], cells)


def source_reliability(inp: ModelInputs, *, reliability: bool) -> Any | None:
    """ρ per source of :attr:`ModelInputs.sources`, or None when no source applies.

    ρ is a Beta where uncertain.
    """
    import pymc as pm
    import pytensor.tensor as pt

    used = (
        np.any(inp.source_index >= 0)
        or any(np.any(p.source_index >= 0) for p in inp.propositions)
        or any(j.source_index >= 0 for j in inp.joint)
    )
    if not reliability or not inp.sources or not used:
        return None
    rho_fixed = np.array([s[1] for s in inp.sources])
    random = np.array([np.isfinite(s[2]) for s in inp.sources])
    rho_src = pt.as_tensor_variable(rho_fixed)
    if random.any():
        mean = rho_fixed[random]
        conc = np.array([s[2] for s in inp.sources])[random]
        alpha = pm.Data("rho_alpha", mean * conc, dims="source")
        beta = pm.Data("rho_beta", (1 - mean) * conc, dims="source")
        rho = pm.Beta("rho", alpha=alpha, beta=beta, dims="source")
        rho_src = pt.set_subtensor(rho_src[np.flatnonzero(random)], rho)
    return rho_src


def reliability_vector(
    inp: ModelInputs, *, reliability: bool, rho_src: Any | None = None
) -> Any | None:
    """ρ per direct likelihood item, or None when no item has a source below 1.

    ρ is 1 where no source applies.

    ``rho_src`` (from :func:`source_reliability`) is created here when not given.
    """
    if rho_src is None:
        rho_src = source_reliability(inp, reliability=reliability)
    if rho_src is None or not np.any(inp.source_index >= 0):
        return None
    return _per_item(rho_src, inp.source_index)


def _per_item(rho_src: Any, source_index: NDArray[np.intp]) -> Any:
    import pytensor.tensor as pt

    idx = np.where(source_index >= 0, source_index, 0)
    has = pt.as_tensor_variable((source_index >= 0).astype(float))
    return has * rho_src[idx] + (1.0 - has)


def likelihood_loglik(
    inp: ModelInputs, lam: Any, rho: Any | None, log_scale: Any, observed: Any
) -> Any:
    """Log P(E_e | h) of likelihood items, shape (N, K).

    ``log_scale`` (N, K) multiplies λ by exp(log_scale) (row capped at 1);
    ``observed`` (N,) is 1 where the item was observed, 0 where its absence was
    (then the term is log(1 − P)).
    """
    import pymc as pm

    given = None
    if rho is not None:
        model = pm.modelcontext(None)
        given = (
            model["base_rate"]
            if "base_rate" in model.named_vars
            else pm.Data("base_rate", np.nan_to_num(inp.base, nan=0.5))
        )
    return mixed_loglik(lam, rho, log_scale, observed, given, np.isnan(inp.base))


def mixed_loglik(
    lam: Any, rho: Any | None, log_scale: Any, observed: Any, given: Any, base_nan: np.ndarray
) -> Any:
    """Log P(E_e | v) with P = ρ λ' + (1 − ρ) b per parent value v, λ' the scaled row (capped at 1).

    ``given`` (n,) are the base rates (a tensor), ``base_nan`` (n,) marks items whose
    base rate is the mean of their row.
    """
    import pytensor.tensor as pt

    lam = lam * pt.exp(log_scale)
    top = pt.max(lam, axis=1, keepdims=True)
    lam = lam / pt.maximum(top, 1.0)
    if rho is None:
        p = lam
    else:
        b = pt.where(base_nan[:, None], pt.mean(lam, axis=1, keepdims=True), given[:, None])
        p = rho[:, None] * lam + (1.0 - rho[:, None]) * b
    obs = pt.eq(observed, 1)[:, None]
    return pt.switch(obs, safe_log(p), safe_log(1.0 - p))


def safe_log(x: Any) -> Any:
    """Log x with log 0 = -inf and finite gradients (no 0/0) where x = 0.

    The inner switch keeps the branch not taken away from 0, so reverse-mode
    differentiation never divides by it.
    """
    import pytensor.tensor as pt

    pos = pt.gt(x, 0.0)
    return pt.switch(pos, pt.log(pt.switch(pos, x, 1.0)), -np.inf)


def safe_logsumexp(x: Any, axis: int) -> Any:
    """Log Σ exp(x) along ``axis``: -inf (with zero gradients) where every term is -inf.

    The shift is kept out of the gradient (the value does not depend on it).
    """
    import pytensor.tensor as pt
    from pytensor.gradient import disconnected_grad

    m = disconnected_grad(pt.max(x, axis=axis, keepdims=True))
    m = pt.switch(pt.isfinite(m), m, 0.0)
    total = pt.exp(x - m).sum(axis=axis)
    pos = pt.gt(total, 0.0)
    return pt.switch(pos, pt.squeeze(m, axis=axis) + pt.log(pt.switch(pos, total, 1.0)), -np.inf)


def timeline_loglik_terms(
    inp: ModelInputs, *, mode: TimelineMode = "marginal", sigma: SigmaMode = "fixed"
) -> Any:
    """Log P(y | h) of each timeline item, shape (T, K) (an empty (0, K) tensor when none)."""
    return _timeline_rows(inp.timelines, len(inp.hypotheses), "hypothesis", mode=mode, sigma=sigma)


def _timeline_rows(
    timelines: list[Timeline], K: int, dim: str | None, *, mode: TimelineMode, sigma: SigmaMode
) -> Any:
    """Log P(y | v) of each timeline item per parent value, (T, K).

    The parent values are the hypotheses (dims ``dim``) or states.
    """
    import pymc as pm
    import pytensor.tensor as pt

    size: dict[str, Any] = {"dims": dim} if dim is not None else {"shape": K}
    rows = []
    for tl in timelines:
        sig: Any = tl.sigma
        if sigma == "free":
            sig = pm.HalfNormal(f"{tl.id}_sigma", sigma=tl.sigma)
        if mode == "explicit" and not tl.linear:
            if dim not in (None, "hypothesis"):
                raise NotImplementedError(
                    "sampled step trends (timeline='explicit') are available for timelines "
                    "that bear on the hypotheses; use the closed form for one under a proposition"
                )
            ll = _explicit_design_loglik(tl, sig)
        elif mode == "explicit":
            za = pm.Normal(f"{tl.id}_intercept_z", 0.0, 1.0, **size)
            zb = pm.Normal(f"{tl.id}_slope_z", 0.0, 1.0, **size)
            a = pm.Deterministic(
                f"{tl.id}_intercept", tl.a_mean + tl.a_sd * za, **({"dims": dim} if dim else {})
            )
            b = pm.Deterministic(
                f"{tl.id}_slope", tl.b_mean + tl.b_sd * zb, **({"dims": dim} if dim else {})
            )
            mu = a[None, :] + b[None, :] * tl.t[:, None]  # (n, K)
            resid = (tl.y[:, None] - mu) / sig
            ll = (-0.5 * resid**2 - pt.log(sig) - 0.5 * np.log(2 * np.pi)).sum(axis=0)
        elif sigma == "fixed":
            ll = pt.as_tensor_variable(_fixed_sigma_loglik(tl))
        elif tl.linear:
            ll = marginal_trend_loglik(tl, sig)
        else:
            ll = marginal_design_loglik(tl, sig)
        rows.append(ll)
    if not rows:
        return pt.zeros((0, K))
    return pt.stack(rows)


def marginal_trend_loglik(tl: Timeline, sigma: Any) -> Any:
    """Log N(y; X m_h, σ²I + X S_h Xᵀ) for every hypothesis, as scalar arithmetic in σ.

    Woodbury and the determinant lemma reduce the n × n algebra to 2 × 2:
    with M = S⁻¹ + σ⁻² XᵀX, r = y − X m and u = Xᵀ r,
    rᵀ C⁻¹ r = rᵀr/σ² − uᵀ M⁻¹ u/σ⁴ and log det C = n log σ² + log det M + log det S.
    (A dense ``MvNormal`` gives the same numbers but compiles far more slowly.)
    """
    import pytensor.tensor as pt

    n = len(tl.t)
    t, y = tl.t, tl.y
    r = y[:, None] - (tl.a_mean[None, :] + tl.b_mean[None, :] * t[:, None])  # (n, K)
    u0, u1 = r.sum(axis=0), (t[:, None] * r).sum(axis=0)
    rr = (r**2).sum(axis=0)
    s2 = sigma**2
    p = 1.0 / tl.a_sd**2 + n / s2
    q = t.sum() / s2
    s = 1.0 / tl.b_sd**2 + (t**2).sum() / s2
    det = p * s - q**2
    quad = rr / s2 - (s * u0**2 - 2 * q * u0 * u1 + p * u1**2) / (det * s2**2)
    logdet = n * pt.log(s2) + pt.log(det) + np.log(tl.a_sd**2 * tl.b_sd**2)
    return -0.5 * (quad + logdet + n * np.log(2 * np.pi))


def _fixed_sigma_loglik(tl: Timeline) -> Array:
    """Closed-form log P(y | h) per hypothesis with σ fixed (linear or step trends)."""
    if tl.linear or not tl.designs:
        return np.array(
            [
                timeline_loglik(
                    tl.t, tl.y, tl.sigma, tl.a_mean[k], tl.a_sd[k], tl.b_mean[k], tl.b_sd[k]
                )
                for k in range(len(tl.a_mean))
            ]
        )
    out = []
    for alts in tl.designs:
        lls = np.array([mvn_marginal(X, tl.y, tl.sigma, m, sd) for X, m, sd in alts])
        top = lls.max()
        out.append(top + np.log(np.mean(np.exp(lls - top))))
    return np.array(out)


def marginal_design_loglik(tl: Timeline, sigma: Any) -> Any:
    """Log P(y | h) per hypothesis for general two-column designs, σ a tensor (e.g. free).

    Each alternative (X, m, sd) gives log N(y; X m, σ²I + X S Xᵀ) by the same
    2 × 2 Woodbury reduction as :func:`marginal_trend_loglik`; a hypothesis with
    several alternatives (a step with an uncertain break) takes their log-mean-exp.
    """
    import pytensor.tensor as pt

    n = len(tl.t)
    s2 = pt.cast(pt.as_tensor_variable(sigma), "float64") ** 2
    out = []
    for alts in tl.designs:
        terms = []
        for X, m, sd in alts:
            r = tl.y - X @ m
            u = X.T @ r
            G = X.T @ X
            p = 1.0 / sd[0] ** 2 + G[0, 0] / s2
            q = G[0, 1] / s2
            s = 1.0 / sd[1] ** 2 + G[1, 1] / s2
            det = p * s - q**2
            quad = (r @ r) / s2 - (s * u[0] ** 2 - 2 * q * u[0] * u[1] + p * u[1] ** 2) / (
                det * s2**2
            )
            logdet = n * pt.log(s2) + pt.log(det) + np.log(sd[0] ** 2 * sd[1] ** 2)
            terms.append(-0.5 * (quad + logdet + n * np.log(2 * np.pi)))
        stacked = pt.stack(terms)
        out.append(pt.logsumexp(stacked) - np.log(len(alts)))
    return pt.stack(out)


def _explicit_design_loglik(tl: Timeline, sigma: Any) -> Any:
    """Sample each hypothesis's two trend coefficients.

    An uncertain break is summed out (log-mean-exp).
    """
    import pymc as pm
    import pytensor.tensor as pt

    K = len(tl.designs)
    m = np.array([alts[0][1] for alts in tl.designs])  # (K, 2)
    sd = np.array([alts[0][2] for alts in tl.designs])
    z = pm.Normal(f"{tl.id}_coef_z", 0.0, 1.0, shape=(K, 2))
    coef = pm.Deterministic(f"{tl.id}_coef", m + sd * z)
    out = []
    for k, alts in enumerate(tl.designs):
        terms = []
        for X, _, _ in alts:
            mu = pt.dot(X, coef[k])
            resid = (tl.y - mu) / sigma
            terms.append((-0.5 * resid**2 - pt.log(sigma) - 0.5 * np.log(2 * np.pi)).sum())
        out.append(pt.logsumexp(pt.stack(terms)) - np.log(len(alts)))
    return pt.stack(out)


def item_loglik(
    inp: ModelInputs,
    *,
    lam: Any,
    rho: Any | None,
    log_scale: Any,
    observed: Any,
    timeline: TimelineMode = "marginal",
    sigma: SigmaMode = "fixed",
) -> Any:
    """Log P(E_e | h) of every direct item (likelihood, timeline, quantity), shape (E, K).

    ``log_scale`` has shape (E, K): for timeline and quantity items it is added
    to the log density.
    """
    import pytensor.tensor as pt

    N = len(inp.items)
    parts = []
    if N:
        parts.append(likelihood_loglik(inp, lam, rho, log_scale[:N], observed))
    other = []
    if inp.timelines:
        other.append(timeline_loglik_terms(inp, mode=timeline, sigma=sigma))
    if inp.quantities:
        other.append(pt.as_tensor_variable(inp.quantity_loglik))
    if other:
        parts.append(pt.concatenate(other, axis=0) + log_scale[N:])
    if not parts:
        return pt.zeros((0, len(inp.hypotheses)))
    return pt.concatenate(parts, axis=0) if len(parts) > 1 else parts[0]


def other_loglik_const(inp: ModelInputs) -> Array:
    """Closed-form log densities (T + Q, K) of timeline and quantity items.

    Timelines have σ fixed and their trends integrated out.
    """
    K = len(inp.hypotheses)
    rows = [_fixed_sigma_loglik(tl) for tl in inp.timelines]
    out = np.array(rows, dtype=float).reshape(len(rows), K)
    return np.concatenate([out, inp.quantity_loglik], axis=0)


def prop_other_const(p: PropInputs) -> Array:
    """Closed-form log densities (T + Q, S) of timeline and quantity items under a proposition.

    The timelines' σ is fixed.
    """
    S = len(p.states)
    rows = [
        [
            timeline_loglik(
                tl.t, tl.y, tl.sigma, tl.a_mean[k], tl.a_sd[k], tl.b_mean[k], tl.b_sd[k]
            )
            for k in range(S)
        ]
        for tl in p.timelines
    ]
    out = np.array(rows, dtype=float).reshape(len(rows), S)
    return np.concatenate([out, p.quantity_loglik], axis=0)


# --------------------------------------------------------------------------- propositions


def proposition_tables(inp: ModelInputs, concentration: Any) -> list[Any]:
    """P(state | parent value) of every proposition as a (V, S) tensor.

    ``pm.Data`` knobs per proposition p: ``table_{p}`` (V, S) the means, and where some
    rows are uncertain ``table_conc_{p}`` (V,) their concentrations (times the
    ``concentration`` knob). A random two-state row is P(first state) ~ Beta(m κ c, (1 − m) κ c);
    a random multi-state row ~ Dirichlet(κ c · means) over the states of positive mean (a
    Dirichlet over every state with the others masked out and renormalised, which by the
    Dirichlet's aggregation property is exactly that); point rows are the means. A mean of
    exactly 0 or 1 stays fixed.
    """
    import pymc as pm
    import pytensor.tensor as pt

    out = []
    for p in inp.propositions:
        T = pm.Data(f"table_{p.id}", p.table)
        rnd = p.random_rows
        if not rnd.any():
            out.append(T)
            continue
        rows = np.flatnonzero(rnd)
        k = pm.Data(f"table_conc_{p.id}", np.where(rnd, p.table_conc, 1.0))[rows] * concentration
        M = T[rows]
        if len(p.states) == 2:
            m = M[:, 0]
            ok = pt.and_(pt.gt(m, 0.0), pt.lt(m, 1.0))
            x = pm.Beta(
                f"table_{p.id}_p",
                alpha=pt.switch(ok, m * k, 1.0),
                beta=pt.switch(ok, (1 - m) * k, 1.0),
                dims=f"{p.id}_parent",
            )
            first = pt.switch(ok, x, m)
            R = pt.stack([first, 1.0 - first], axis=1)
        else:
            pos = pt.gt(M, 0.0)
            x = pm.Dirichlet(
                f"table_{p.id}_row",
                a=pt.switch(pos, M * k[:, None], 1.0),
                dims=(f"{p.id}_parent", f"{p.id}_state"),
            )
            xm = pt.switch(pos, x, 0.0)
            R = xm / xm.sum(axis=1, keepdims=True)
        out.append(pt.set_subtensor(T[rows], R))
    return out


def proposition_cells(inp: ModelInputs, concentration: Any) -> Any:
    """P(E | state) of the likelihood items under propositions, stacked (n, S_max) (padding unused).

    ``pm.Data`` ``plam_fixed`` / ``plam_alpha`` / ``plam_beta``, random variable ``plam_cell`` (dims
    ``pcell``).
    """
    mean, conc = structured_cell_arrays(inp)
    return beta_matrix(mean, conc, concentration, name="plam", dim="pcell")


def structured_cell_arrays(inp: ModelInputs) -> tuple[Array, Array]:
    """Means and concentrations (n, S_max) of the likelihood items under propositions.

    The padding is the point 0.5.
    """
    W = inp.state_width
    mean = np.full((0, W), 0.5)
    conc = np.full((0, W), np.nan)
    for p in inp.propositions:
        m = np.full((len(p.items), W), 0.5)
        c = np.full((len(p.items), W), np.nan)
        m[:, : len(p.states)] = p.lam_mean
        c[:, : len(p.states)] = p.lam_conc
        mean, conc = np.concatenate([mean, m]), np.concatenate([conc, c])
    return mean, conc


def structure_messages(
    inp: ModelInputs,
    *,
    tables: list[Any],
    cells: Any,
    rho_src: Any | None,
    knobs: dict[str, Any],
    timeline: TimelineMode = "marginal",
    sigma: SigmaMode = "fixed",
    other: list[Array] | None = None,
    jcells: Any = None,
) -> Any:
    """Log messages the propositions bearing on the hypotheses send them, shape (P_top, K).

    Bottom-up, as the exact engine: an item sends log P(E_e | s) (times its weight), a
    proposition p sends up m_p(v) = logsumexp_s(log T_p[v, s] + Σ_children m_c(s)). Items
    reported by a source mix ρ λ + (1 − ρ) b per state (b the base rate or the row mean over
    the states). ``other`` replaces the timeline/quantity terms of each proposition by given
    constants (the pooled model's mean over lenses).

    A network (a root fact, a fact or an item of several parents, see :attr:`ModelInputs.network`)
    has no messages per top-level proposition: it is contracted whole by the exact engine's
    elimination plan (:func:`network_loglik`) and the result, log P(everything under the
    propositions | h), comes back as one row, shape (1, K). ``jcells`` are the cells of the items of
    several parents (:func:`joint_cells`).
    """
    import pytensor.tensor as pt

    props = inp.propositions
    own = _own_messages(
        inp, cells=cells, rho_src=rho_src, knobs=knobs, timeline=timeline, sigma=sigma, other=other
    )
    if inp.network:
        factors = network_factors(
            inp, tables=tables, own=own, jcells=jcells, rho_src=rho_src, knobs=knobs
        )
        return (contract_log(inp.plan(), factors) + pt.zeros(len(inp.hypotheses)))[None, :]
    msg: list[Any] = [pt.zeros(len(p.states)) for p in props]
    top = []
    for i in range(len(props) - 1, -1, -1):
        p = props[i]
        if own[i] is not None:
            msg[i] = msg[i] + own[i]
        up = safe_logsumexp(safe_log(tables[i]) + msg[i][None, :], axis=1)  # (V,)
        if p.parent < 0:
            top.append(up)
        else:
            msg[p.parent] = msg[p.parent] + up
    return pt.stack(top[::-1])


def network_mixture_loglik(
    inp: ModelInputs,
    *,
    logw: Any,
    tables: list[Any],
    cells: Any,
    jcells: Any,
    rho_src: Any | None,
    knobs: dict[str, Any],
    timeline: TimelineMode = "marginal",
    sigma: SigmaMode = "fixed",
) -> Any:
    """Log P(everything under the propositions | w) of a network in the mixture model, a scalar.

    Every factor that holds the hypotheses (a fact or an item of which they are a parent) has them
    replaced by the w-weighted mixture, P(x | other parents, w) = Σ_h w_h P(x | h, other parents)
    (:func:`mix_hypotheses`); the factors, free of the hypotheses, are then contracted by the
    elimination plan planned without them (:meth:`ModelInputs.plan` with ``hypotheses=False``). See
    :mod:`motives.models.mixture`.
    """
    own = _own_messages(
        inp, cells=cells, rho_src=rho_src, knobs=knobs, timeline=timeline, sigma=sigma, other=None
    )
    factors = network_factors(
        inp, tables=tables, own=own, jcells=jcells, rho_src=rho_src, knobs=knobs
    )
    mixed = mix_hypotheses(factors, inp.plan().scopes, logw)
    return contract_log(inp.plan(hypotheses=False), mixed)


def _own_messages(
    inp: ModelInputs,
    *,
    cells: Any,
    rho_src: Any | None,
    knobs: dict[str, Any],
    timeline: TimelineMode,
    sigma: SigmaMode,
    other: list[Array] | None,
) -> list[Any]:
    """What each proposition's own items and its observed state say of it, log (S,) or None.

    The items are weighted.
    """
    import pymc as pm
    import pytensor.tensor as pt

    props = inp.propositions
    weight = knobs["weight"]
    ls_all = knobs["prop_log_scale"]
    obs_all = knobs["prop_observed"]
    model = pm.modelcontext(None)
    given = None
    if rho_src is not None:
        base_all = np.concatenate([p.base for p in props])
        given = (
            model["prop_base_rate"]
            if "prop_base_rate" in model.named_vars
            else pm.Data("prop_base_rate", np.nan_to_num(base_all, nan=0.5))
        )
    if (
        STACKED
        and other is None
        and ((timeline == "marginal" and sigma == "fixed") or not any(p.timelines for p in props))
    ):
        return _own_messages_stacked(inp, cells=cells, rho_src=rho_src, knobs=knobs, given=given)
    row = 0  # offset into the structured likelihood items
    ev = len(inp.direct_items)  # offset into the evidence axis
    ls_row = 0  # offset into prop_log_scale
    out: list[Any] = []
    for p in props:
        S, n = len(p.states), len(p.items)
        r0, e0, l0 = row, ev, ls_row
        row += n
        ev += len(p.all_items)
        ls_row += len(p.all_items)
        terms = []
        if n:
            rho = None
            if rho_src is not None and np.any(p.source_index >= 0):
                rho = _per_item(rho_src, p.source_index)
            lam = cells[r0 : r0 + n, :S]
            terms.append(
                mixed_loglik(
                    lam,
                    rho,
                    ls_all[l0 : l0 + n, :S],
                    obs_all[r0 : r0 + n],
                    None if given is None else given[r0 : r0 + n],
                    np.isnan(p.base),
                )
            )
        m_other = len(p.timelines) + len(p.quantities)
        if m_other:
            if other is not None:
                oth: Any = pt.as_tensor_variable(other[len(out)])
            elif p.timelines:
                oth = _timeline_rows(p.timelines, S, None, mode=timeline, sigma=sigma)
                if p.quantities:
                    oth = pt.concatenate([oth, pt.as_tensor_variable(p.quantity_loglik)], axis=0)
            else:
                oth = pt.as_tensor_variable(p.quantity_loglik)
            terms.append(oth + ls_all[l0 + n : l0 + n + m_other, :S])
        msg: Any = None
        if terms:
            ll = pt.concatenate(terms, axis=0) if len(terms) > 1 else terms[0]
            w = weight[e0 : e0 + n + m_other][:, None]
            msg = pt.switch(pt.eq(w, 0.0), 0.0, w * ll).sum(axis=0)
        if p.observed >= 0:  # a hard finding: every other state is ruled out
            seen = np.where(np.arange(S) == p.observed, 0.0, -np.inf)
            msg = seen if msg is None else msg + seen
        out.append(msg)
    return out


def _own_messages_stacked(
    inp: ModelInputs, *, cells: Any, rho_src: Any | None, knobs: dict[str, Any], given: Any
) -> list[Any]:
    """:func:`_own_messages` as a few whole-array operations: every proposition's items at once.

    The same numbers as one :func:`mixed_loglik` per proposition (the per-proposition form, kept for
    the pooled model's replaced terms and for free timeline σ): the items' cells are the padded (n,
    S_max) matrix, padding masked out of the row maximum, the row mean and the sum; timeline (σ
    fixed) and quantity items are constants; each proposition's message is the weighted sum of its
    items' rows, gathered into a (P, items, S_max) array. A graph a fraction of the size of a loop
    over propositions, which is most of what PyTensor spends compiling a structured model.
    """
    import pytensor.tensor as pt

    props = inp.propositions
    W = inp.state_width
    n_lik = sum(len(p.items) for p in props)
    states = np.concatenate([np.full(len(p.items), len(p.states)) for p in props]).astype(int)
    valid = np.arange(W)[None, :] < states[:, None]  # (n, W): the item's proposition has this state
    # rows of prop_log_scale / the evidence axis of each item, in the knobs' order (per proposition:
    # likelihood items, then timeline, then quantity items)
    lik_rows: list[int] = []
    oth_rows: list[int] = []
    oth_vals: list[Any] = []
    gather: list[Any] = []
    row = 0
    for p in props:
        S, n = len(p.states), len(p.items)
        lik_rows += range(row, row + n)
        oth = np.concatenate(
            [
                np.array([_fixed_sigma_loglik(t) for t in p.timelines]).reshape(-1, S),
                p.quantity_loglik,
            ],
            axis=0,
        )
        for r in range(len(oth)):
            oth_rows.append(row + n + r)
            oth_vals.append(np.pad(oth[r], (0, W - S)))
        gather.append(list(range(row, row + len(p.all_items))))
        row += len(p.all_items)
    n_all = row
    terms = []  # log P(E | state) of every item, in knob order once permuted
    order = []
    if n_lik:
        lam = pt.switch(valid, cells[:, :W], 0.0) * pt.exp(
            knobs["prop_log_scale"][np.array(lik_rows)]
        )
        top = pt.max(lam, axis=1, keepdims=True)
        lam = lam / pt.maximum(top, 1.0)
        p_e = lam
        src = np.concatenate([p.source_index for p in props]).astype(np.intp)
        if rho_src is not None and np.any(src >= 0):
            rho = _per_item(rho_src, src)[:, None]
            base_nan = np.isnan(np.concatenate([p.base for p in props]))
            mean = lam.sum(axis=1, keepdims=True) / states[:, None]
            b = pt.where(base_nan[:, None], mean, given[:, None])
            p_e = rho * lam + (1.0 - rho) * b
        obs = pt.eq(knobs["prop_observed"], 1)[:, None]
        ll = pt.switch(obs, safe_log(p_e), safe_log(1.0 - p_e))
        terms.append(pt.switch(valid, ll, 0.0))
        order += lik_rows
    if oth_rows:
        ls = knobs["prop_log_scale"][np.array(oth_rows)]
        terms.append(np.array(oth_vals) + ls)
        order += oth_rows
    # each proposition's items as knob rows, padded with a last row of zeros (weight 0)
    width = max((len(g) for g in gather), default=0)
    knob = np.full((len(props), max(width, 1)), n_all, dtype=np.intp)
    for i, g in enumerate(gather):
        knob[i, : len(g)] = g
    to_stacked = np.empty(n_all + 1, dtype=np.intp)  # knob row -> row of ``stacked``
    to_stacked[np.array(order, dtype=np.intp)] = np.arange(n_all)
    to_stacked[n_all] = n_all
    stacked = pt.concatenate([*terms, pt.zeros((1, W))], axis=0)
    ev0 = len(inp.direct_items)
    wk = pt.concatenate([knobs["weight"][ev0 : ev0 + n_all], pt.zeros(1)])[knob][
        :, :, None
    ]  # (P, items, 1)
    index = to_stacked[knob]
    llk = stacked[index]  # (P, items, W)
    msg = pt.switch(pt.eq(wk, 0.0), 0.0, wk * llk).sum(axis=1)  # (P, W)
    seen = np.zeros((len(props), W))
    for i, p in enumerate(props):
        if p.observed >= 0:  # a hard finding: every other state is ruled out
            seen[i, : len(p.states)] = np.where(
                np.arange(len(p.states)) == p.observed, 0.0, -np.inf
            )
    if np.any(seen):
        msg = msg + seen
    return [msg[i, : len(p.states)] for i, p in enumerate(props)]


def joint_cells(inp: ModelInputs, concentration: Any, *, name: str = "jlam") -> Any:
    """P(E | parent configuration) of the items of several parents, stacked (n, V_max).

    The padding is unused.

    ``pm.Data`` ``jlam_fixed`` / ``jlam_alpha`` / ``jlam_beta``, random variable ``jlam_cell`` (dims
    ``jcell``): a cell the lens gives a confidence for is Beta, as every likelihood cell.
    """
    mean, conc = joint_cell_arrays(inp)
    return beta_matrix(mean, conc, concentration, name=name, dim="jcell")


def joint_cell_arrays(inp: ModelInputs) -> tuple[Array, Array]:
    """Means and concentrations (n, V_max) of the items of several parents (padding: point 0.5)."""
    V = inp.joint_width
    mean = np.full((len(inp.joint), V), 0.5)
    conc = np.full((len(inp.joint), V), np.nan)
    for r, j in enumerate(inp.joint):
        mean[r, : len(j.lam_mean)] = j.lam_mean
        conc[r, : len(j.lam_mean)] = j.lam_conc
    return mean, conc


def network_factors(
    inp: ModelInputs,
    *,
    tables: list[Any],
    own: list[Any],
    jcells: Any,
    rho_src: Any | None,
    knobs: dict[str, Any],
) -> list[Any]:
    """The log-factors of the structure in the order of :meth:`ModelInputs.plan`'s scopes.

    Proposition i: log P(s_i | parents) + what its own items and its observed state say of s_i, laid
    out (parent values ..., S); an item of several parents: its weighted log P(E | parents), laid
    out (parent values ...). The same factors the exact engine builds
    (:func:`motives.exact.likelihood.loglik`).
    """
    import pymc as pm
    import pytensor.tensor as pt

    out = []
    for p, T, m in zip(inp.propositions, tables, own, strict=True):
        lt = safe_log(T).reshape((*p.cards, len(p.states)))
        out.append(lt if m is None else lt + m)
    if not inp.joint:
        return out
    given = None
    if rho_src is not None:
        model = pm.modelcontext(None)
        given = (
            model["joint_base_rate"]
            if "joint_base_rate" in model.named_vars
            else pm.Data("joint_base_rate", np.nan_to_num([j.base for j in inp.joint], nan=0.5))
        )
    ev = len(inp.direct_items) + len(inp.proposition_items)
    for r, j in enumerate(inp.joint):
        V = len(j.parent_values)
        rho = None
        if rho_src is not None and j.source_index >= 0:
            rho = _per_item(rho_src, np.array([j.source_index], dtype=np.intp))
        ll = mixed_loglik(
            jcells[r : r + 1, :V],
            rho,
            knobs["joint_log_scale"][r : r + 1, :V],
            knobs["joint_observed"][r : r + 1],
            None if given is None else given[r : r + 1],
            np.array([np.isnan(j.base)]),
        )[0]
        w = knobs["weight"][ev + r]
        out.append(pt.switch(pt.eq(w, 0.0), 0.0, w * ll).reshape(j.cards))
    return out


def contract_log(plan: Any, factors: list[Any]) -> Any:
    """Run an elimination plan on PyTensor log-factors.

    See :func:`motives.exact.contract.plan_elimination` for the plan.

    The PyTensor twin of the exact engine's log-space step (``_log_step`` in
    :mod:`motives.exact.contract`):
    for each step the input log-factors are laid out on the step's union of variables (broadcast),
    added, and the last variable summed out by a log-sum-exp; what is left at the end is added.
    Returns a tensor over the kept variable 0 (the hypotheses), or a scalar when no factor left
    holds it.

    Examples
    --------
    A chain h → a with an item on a: Σ_a P(a | h) P(E | a).

    >>> import numpy as np
    >>> from motives.exact.contract import plan_elimination
    >>> plan = plan_elimination([2, 2], [(0, 1), (1,)], ["hypotheses", "a"])
    >>> T, m = np.log([[0.9, 0.1], [0.2, 0.8]]), np.log([0.5, 0.01])
    >>> np.exp(contract_log(plan, [T, m]).eval()).round(4)
    array([0.451, 0.108])
    """
    import pytensor.tensor as pt

    slots: list[Any] = [pt.as_tensor_variable(f) for f in factors]
    for st in plan.steps:
        n = len(st.union)
        total: Any = 0.0
        for i, sc in zip(st.inputs, st.spec, strict=True):
            total = total + slots[i].dimshuffle([sc.index(k) if k in sc else "x" for k in range(n)])
        slots.append(safe_logsumexp(total, axis=n - 1))
    out: Any = 0.0
    for slot in plan.final:
        out = out + slots[slot]
    return pt.as_tensor_variable(out)


def mix_hypotheses(factors: list[Any], scopes: Any, logw: Any) -> list[Any]:
    """Replace the hypotheses' axis of every factor by its w-weighted mixture.

    Log Σ_h w_h exp(f[..., h, ...]).

    ``scopes`` are the factors' variables (0 the hypotheses); a factor without the hypotheses is
    unchanged.
    """
    out = []
    for f, sc in zip(factors, scopes, strict=True):
        if 0 not in sc:
            out.append(f)
            continue
        a = sc.index(0)
        out.append(
            safe_logsumexp(
                f + logw.dimshuffle([0 if k == a else "x" for k in range(len(sc))]), axis=a
            )
        )
    return out


def data_for(inp: ModelInputs) -> dict[str, np.ndarray]:
    """Values of the case-derived ``pm.Data`` inputs for these inputs.

    Two cases with the same structure (same items, hypotheses, point cells,
    sources and base-rate items; for propositions the same states, parents and
    uncertain rows) compile to the same model; ``set_data(built,
    **data_for(model_inputs(other_case)))`` turns one into the other without
    recompiling. Proposition tables are ``table_{id}`` (means) and ``table_conc_{id}``.
    """
    free = inp.free_cells
    out = {
        "lam_fixed": np.where(free, 0.5, inp.lam_mean),
        "lam_alpha": inp.lam_mean[free] * inp.lam_conc[free],
        "lam_beta": (1 - inp.lam_mean[free]) * inp.lam_conc[free],
        "base_rate": np.nan_to_num(inp.base, nan=0.5),
    }
    if not free.any():  # no Beta cells: the model has no such inputs
        del out["lam_alpha"], out["lam_beta"]
    random = np.array([np.isfinite(s[2]) for s in inp.sources], dtype=bool)
    if random.any():
        mean = np.array([s[1] for s in inp.sources])[random]
        conc = np.array([s[2] for s in inp.sources])[random]
        out["rho_alpha"], out["rho_beta"] = mean * conc, (1 - mean) * conc
    if inp.structured:
        m, c = structured_cell_arrays(inp)
        pfree = np.isfinite(c)
        out.update(
            {
                "plam_fixed": np.where(pfree, 0.5, m),
                "prop_base_rate": np.nan_to_num(
                    np.concatenate([p.base for p in inp.propositions]), nan=0.5
                ),
            }
        )
        if pfree.any():
            out.update({"plam_alpha": m[pfree] * c[pfree], "plam_beta": (1 - m[pfree]) * c[pfree]})
        for p in inp.propositions:
            out[f"table_{p.id}"] = p.table
            if p.random_rows.any():
                out[f"table_conc_{p.id}"] = np.where(p.random_rows, p.table_conc, 1.0)
        if inp.joint:
            m, c = joint_cell_arrays(inp)
            jfree = np.isfinite(c)
            out.update(
                {
                    "jlam_fixed": np.where(jfree, 0.5, m),
                    "joint_base_rate": np.nan_to_num([j.base for j in inp.joint], nan=0.5),
                }
            )
            if jfree.any():
                out.update(
                    {"jlam_alpha": m[jfree] * c[jfree], "jlam_beta": (1 - m[jfree]) * c[jfree]}
                )
    return out
