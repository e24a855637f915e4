"""Closed-form posterior over exclusive hypotheses, in log space, vectorised over scenarios.

With likelihood cells independent, P(h | E) ∝ E[π_h] Π_e E[P(E_e | h)]. Items
reported by a source of uncertain reliability ρ ~ Beta mix as
ρ λ + (1 − ρ) b; the items of one source share ρ, so their joint term is
E_ρ[Π_e (ρ λ_eh + (1 − ρ) b_e)], a polynomial in ρ of degree n that
Gauss–Jacobi quadrature with ⌊n/2⌋ + 1 nodes integrates exactly.
Timeline items (σ fixed) and quantity items contribute closed-form log
marginal likelihoods.

Structured cases (propositions between the hypotheses and the items) are
evaluated by bottom-up messages in log space: an item sends m_e(s) = P(E_e | s)
to its proposition, a proposition p with parent value v sends
m_p(v) = Σ_s P(s | v) Π_c m_c(s), and P(E | h) is the product of what the
hypotheses' children send. A source of uncertain reliability whose items sit
under propositions couples them; its ρ is integrated outside the whole product
on a Gauss–Jacobi grid (exact: P(E | h) is a polynomial in ρ of degree equal to
the source's item count), a tensor grid when there are several such sources,
bounded by :data:`MAX_GRID`.

Every array function takes a leading ``scenario`` axis (any number of leading
axes, in fact), so one call evaluates many priors, likelihood tables or
proposition tables.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from motives.conventions import INTERVAL_MASS
from motives.errors import CaseError, Problem
from motives.schema import Case, LikelihoodItem, QuantityItem, TimelineItem

if TYPE_CHECKING:
    import pandas as pd

from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]


@dataclass(frozen=True)
class SourceGroup:
    """Items that share one uncertain source reliability ρ ~ Beta(alpha, beta) (or a point)."""

    key: str
    index: NDArray[np.intp]
    mean: float
    concentration: float | None

    def nodes(self) -> tuple[Array, Array]:
        """Quadrature nodes in [0, 1] and weights summing to 1, exact for this group's degree."""
        x, w = _jacobi_nodes(self.mean, self.concentration, len(self.index) // 2 + 1)
        return x.copy(), w.copy()


@functools.lru_cache(maxsize=1024)
def _jacobi_nodes(mean: float, concentration: float | None, n: int) -> tuple[Array, Array]:
    """Gauss–Jacobi nodes on [0, 1] for ρ ~ Beta(mean, concentration), n nodes (cached: hot in sweeps)."""
    if concentration is None:
        x, w = np.array([mean]), np.array([1.0])
    else:
        from scipy.special import roots_jacobi

        a, b = mean * concentration, (1 - mean) * concentration
        r, w = roots_jacobi(n, b - 1, a - 1)  # weight (1-x)^(b-1) (1+x)^(a-1); rho = (1+x)/2
        x, w = (1 + r) / 2, w / w.sum()
    x.flags.writeable = False
    w.flags.writeable = False
    return x, w


@dataclass(frozen=True)
class _Bucket:
    """Reliability groups with the same number Q ≥ 2 of quadrature nodes, laid out for one pass."""

    item: NDArray[np.intp]  # their items, group by group (n_b,)
    start: NDArray[np.intp]  # offset of each group in ``item`` (G_b,)
    x: Array  # node per (slot, item) (Q, n_b)
    logw: Array  # log weight per (slot, group) (Q, G_b)


@dataclass(frozen=True)
class _GroupPlan:
    """How :func:`loglik` evaluates a case's items with source reliability mixed in.

    Groups with a single node (a fixed reliability, or one item) factorise: each of their
    items is an ordinary item with P = x λ + (1 − x) b. They are stored after the free
    items in ``simple`` with their node in ``simple_x`` (NaN for free items).
    """

    simple: NDArray[np.intp]  # free items, then items of single-node groups
    n_free: int
    simple_x: Array  # node of each single-node item (n_simple - n_free,)
    buckets: tuple[_Bucket, ...]


@dataclass(frozen=True)
class PropArrays:
    """One proposition under one lens, compiled: its table and the items that bear on it.

    Attributes
    ----------
    id, states
        The proposition and its states (the columns of ``table`` and ``lam``).
    parent
        Index of the parent proposition in :attr:`CaseArrays.propositions`, or -1 for the hypotheses.
    table
        P(state | parent value) means, shape (V, S): V hypotheses or parent states.
    concentration
        Dirichlet concentration of each row, shape (V,); NaN for a point.
    items, lam, base
        Likelihood items bearing on it, P(E | state) means (n, S), base rates (n,) (NaN = row mean).
    source
        For each item, the index of its source in :attr:`CaseArrays.sources_in_structure`, or -1.
    other_items, other_loglik
        Timeline and quantity items bearing on it, log P(E | state) (m, S).
    """

    id: str
    parents: tuple[int, ...]
    states: list[str]
    table: Array
    concentration: Array
    items: list[str]
    lam: Array
    base: Array
    source: NDArray[np.intp]
    other_items: list[str]
    other_loglik: Array
    observed: int = -1
    cards: tuple[int, ...] = ()

    @property
    def parent(self) -> int:
        """The one parent (-1 the hypotheses, else a proposition index); an error for a root or several parents."""
        if len(self.parents) != 1:
            raise ValueError(f"proposition '{self.id}' has {len(self.parents)} parents; this analysis reads one "
                             "parent per proposition (use .parents)")
        return self.parents[0]


@dataclass(frozen=True)
class CaseArrays:
    """A case under one lens, compiled to arrays for the exact engine.

    Attributes
    ----------
    hypotheses, families
        Ids along the ``hypothesis`` and ``family`` axes.
    family_index
        For each hypothesis, the index of its family.
    items
        Ids of the ``likelihood`` items, the rows of ``lam``.
    lam
        Likelihood means, shape (N, K).
    base
        Base rate b_e per item, NaN where it is the row mean.
    groups
        Source reliability groups.
    other_items, other_loglik
        Timeline and quantity items and their log marginal likelihoods, shape (M, K).
    prior
        The case's prior, shape (K,).
    """

    lens: str
    hypotheses: list[str]
    families: list[str]
    family_index: NDArray[np.intp]
    items: list[str]
    lam: Array
    base: Array
    groups: tuple[SourceGroup, ...]
    other_items: list[str]
    other_loglik: Array
    prior: Array
    fallbacks: list[str] = field(default_factory=list)
    propositions: tuple[PropArrays, ...] = ()
    sources_in_structure: tuple[SourceGroup, ...] = ()
    direct_source: NDArray[np.intp] = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    joint: tuple[JointItem, ...] = ()

    @property
    def structured(self) -> bool:
        """True when the case has propositions."""
        return bool(self.propositions)

    @property
    def network(self) -> bool:
        """True when some fact has no parent or several, or some item several parents (not a tree)."""
        return bool(self.joint) or any(len(p.parents) != 1 for p in self.propositions)

    @functools.cached_property
    def plan(self) -> Plan:
        """The elimination plan of this structure (see :func:`plan_elimination`)."""
        card = [len(self.hypotheses)] + [len(p.states) for p in self.propositions]
        scopes = [(*[q + 1 for q in p.parents], i + 1) for i, p in enumerate(self.propositions)]
        scopes += [tuple(q + 1 for q in j.parents) for j in self.joint]
        names = ["hypotheses"] + [p.id for p in self.propositions]
        return plan_elimination(card, scopes, names)

    @property
    def proposition_ids(self) -> list[str]:
        """Proposition ids, parents before children."""
        return [p.id for p in self.propositions]

    @property
    def structured_items(self) -> list[str]:
        """Items that bear on propositions: per proposition its likelihood then other items; then joint items."""
        return [e for p in self.propositions for e in p.items + p.other_items] + [j.id for j in self.joint]

    @functools.cached_property
    def _group_plan(self) -> _GroupPlan:
        grouped = np.zeros(self.lam.shape[0], dtype=bool)
        if len(self.direct_source):  # direct items of sources integrated with the structure: not here
            grouped[self.direct_source >= 0] = True
        single, single_x, by_q = [], [], {}
        for g in self.groups:
            grouped[g.index] = True
            x, w = _jacobi_nodes(g.mean, g.concentration, len(g.index) // 2 + 1)
            if len(x) == 1:
                single.extend(int(i) for i in g.index)
                single_x.extend([float(x[0])] * len(g.index))
            else:
                by_q.setdefault(len(x), []).append((g, x, w))
        buckets = []
        for _q, gs in sorted(by_q.items()):
            buckets.append(_Bucket(
                item=np.concatenate([g.index for g, _, _ in gs]).astype(np.intp),
                start=np.cumsum([0] + [len(g.index) for g, _, _ in gs[:-1]]).astype(np.intp),
                x=np.concatenate([np.repeat(x[:, None], len(g.index), axis=1) for g, x, _ in gs], axis=1),
                logw=np.stack([_log(w) for _, _, w in gs], axis=1),
            ))
        free = np.flatnonzero(~grouped)
        return _GroupPlan(simple=np.concatenate([free, np.array(single, dtype=np.intp)]).astype(np.intp),
                          n_free=len(free), simple_x=np.array(single_x, dtype=float), buckets=tuple(buckets))

    @property
    def all_items(self) -> list[str]:
        """Likelihood items, then timeline/quantity items."""
        return self.items + self.other_items

    def without(self, drop: list[str]) -> CaseArrays:
        """The same arrays with some items (or propositions, with everything under them) left out."""
        if self.propositions:
            return _without_structured(self, set(drop))
        keep = [i for i, e in enumerate(self.items) if e not in drop]
        remap = {old: new for new, old in enumerate(keep)}
        groups = tuple(
            replace(g, index=np.array([remap[i] for i in g.index if i in remap], dtype=np.intp))
            for g in self.groups
        )
        okeep = [i for i, e in enumerate(self.other_items) if e not in drop]
        return replace(
            self,
            items=[self.items[i] for i in keep],
            lam=self.lam[keep],
            base=self.base[keep],
            groups=tuple(g for g in groups if len(g.index)),
            other_items=[self.other_items[i] for i in okeep],
            other_loglik=self.other_loglik[okeep],
        )


def _without_structured(arr: CaseArrays, drop: set[str]) -> CaseArrays:
    """:meth:`CaseArrays.without` for a structured case: a dropped proposition takes its subtree with it."""
    gone: set[int] = set()
    for i, pa in enumerate(arr.propositions):  # parents come first
        if pa.id in drop or set(pa.parents) & gone:
            gone.add(i)
    keep_p = [i for i in range(len(arr.propositions)) if i not in gone]
    remap = {old: new for new, old in enumerate(keep_p)}
    remap[-1] = -1
    props = []
    for i in keep_p:
        pa = arr.propositions[i]
        ki = [j for j, e in enumerate(pa.items) if e not in drop]
        ko = [j for j, e in enumerate(pa.other_items) if e not in drop]
        props.append(replace(pa, parents=tuple(remap[q] for q in pa.parents), items=[pa.items[j] for j in ki],
                             lam=pa.lam[ki],
                             base=pa.base[ki], source=pa.source[ki], other_items=[pa.other_items[j] for j in ko],
                             other_loglik=pa.other_loglik[ko]))
    flat = replace(arr, propositions=(), direct_source=np.zeros(0, dtype=np.intp)).without(sorted(drop))
    keep_d = [i for i, e in enumerate(arr.items) if e not in drop]
    joint = tuple(replace(j, parents=tuple(remap[q] for q in j.parents)) for j in arr.joint
                  if j.id not in drop and not set(j.parents) & gone)
    return replace(flat, propositions=tuple(props), sources_in_structure=arr.sources_in_structure,
                   direct_source=arr.direct_source[keep_d], joint=joint)


def timeline_loglik(t: ArrayLike, y: ArrayLike, sigma: float, a_mean: float, a_sd: float,
                    b_mean: float, b_sd: float) -> float:
    """Log marginal likelihood of y ~ Normal(a + b t, sigma) with a, b independent Normals.

    y ~ MVN(X m, sigma^2 I + X S X^T), X = [1, t], S = diag(a_sd^2, b_sd^2).

    Examples
    --------
    >>> round(timeline_loglik([0.0], [1.0], 1.0, 1.0, 1e-9, 0.0, 1e-9), 6)  # = log N(1; 1, 1)
    -0.918939
    """
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    X = np.stack([np.ones_like(t), t], axis=1)
    S = np.diag([a_sd**2, b_sd**2])
    cov = sigma**2 * np.eye(len(t)) + X @ S @ X.T
    r = y - X @ np.array([a_mean, b_mean])
    L = np.linalg.cholesky(cov)
    z = np.linalg.solve(L, r)
    return float(-0.5 * z @ z - np.log(np.diag(L)).sum() - 0.5 * len(t) * math.log(2 * math.pi))


def _mvn_marginal(X: Array, y: Array, sigma: float, m: Array, sd: Array) -> float:
    """Log N(y; X m, sigma^2 I + X diag(sd^2) X^T) by Cholesky."""
    cov = sigma**2 * np.eye(len(y)) + (X * sd**2) @ X.T
    L = np.linalg.cholesky(cov)
    z = np.linalg.solve(L, y - X @ m)
    return float(-0.5 * z @ z - np.log(np.diag(L)).sum() - 0.5 * len(y) * math.log(2 * math.pi))


def step_loglik(t: ArrayLike, y: ArrayLike, sigma: float, before_mean: float, before_sd: float,
                after_mean: float, after_sd: float, breaks: ArrayLike) -> float:
    """Log marginal likelihood of a step trend: y_i ~ Normal(mu_before or mu_after, sigma).

    The level is ``mu_before`` for t_i < t_b and ``mu_after`` for t_i >= t_b,
    with mu_before ~ Normal(before_mean, before_sd) and mu_after ~
    Normal(after_mean, after_sd) independent. For one break t_b,
    y ~ MVN(X m, sigma^2 I + X S X^T) with X = [1{t < t_b}, 1{t >= t_b}]
    and S = diag(before_sd^2, after_sd^2). With several candidate breaks
    (``breaks``, in the units of ``t``) the break is uniform over them and the
    result is the log of the mean of their likelihoods (log-mean-exp).

    Examples
    --------
    >>> round(step_loglik([0.0], [1.0], 1.0, 1.0, 1e-9, 5.0, 1e-9, [0.5]), 6)  # before the break: log N(1; 1, 1)
    -0.918939
    >>> a = step_loglik([0.0, 1.0], [0.0, 2.0], 1.0, 0.0, 1.0, 2.0, 1.0, [0.5])
    >>> b = step_loglik([0.0, 1.0], [0.0, 2.0], 1.0, 0.0, 1.0, 2.0, 1.0, [5.0])
    >>> float(round(step_loglik([0.0, 1.0], [0.0, 2.0], 1.0, 0.0, 1.0, 2.0, 1.0, [0.5, 5.0]) - np.logaddexp(a, b), 9))
    -0.693147181
    """
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    bs = np.atleast_1d(np.asarray(breaks, dtype=float))
    if bs.size == 0:
        raise ValueError("a step trend needs at least one break")
    m = np.array([before_mean, after_mean])
    sd = np.array([before_sd, after_sd])
    lls = []
    for tb in bs:
        after = (t >= tb).astype(float)
        X = np.stack([1.0 - after, after], axis=1)
        lls.append(_mvn_marginal(X, y, sigma, m, sd))
    arr = np.array(lls)
    top = arr.max()
    return float(top + np.log(np.mean(np.exp(arr - top))))


def trend_loglik(t: ArrayLike, y: ArrayLike, sigma: float, trend: Any, *, origin: float = 0.0) -> float:
    """Log marginal likelihood of timeline data under one trend record, sigma fixed.

    ``trend`` is a linear :class:`~motives.schema.TrendPrior` (``{intercept, slope}``,
    :func:`timeline_loglik`) or a :class:`~motives.schema.StepTrend` (``{step: {before,
    after, at}}``, :func:`step_loglik`). ``t`` is in years from ``origin`` (the
    timeline item's ``origin``, as :func:`timeline_data` gives it); a step's break
    dates are converted with the same origin, so pass it whenever a step may occur.

    Examples
    --------
    >>> from motives.schema import TrendPrior, StepTrend
    >>> lin = TrendPrior.model_validate({"intercept": {"mean": 1.0, "sd": 1e-9}, "slope": {"mean": 0.0, "sd": 1e-9}})
    >>> round(trend_loglik([0.0], [1.0], 1.0, lin), 6)
    -0.918939
    >>> st = StepTrend.model_validate({"step": {"before": {"mean": 1.0, "sd": 1e-9},
    ...                                         "after": {"mean": 3.0, "sd": 1e-9}, "at": "2008"}})
    >>> round(trend_loglik([2.0], [1.0], 1.0, st, origin=2002.0), 6)  # 2004 is before mid-2008
    -0.918939
    """
    step = getattr(trend, "step", None)
    if step is not None:
        breaks = [d.decimal_year - origin for d in step.break_dates]
        return step_loglik(t, y, sigma, step.before.mean, step.before.sd, step.after.mean, step.after.sd, breaks)
    return timeline_loglik(t, y, sigma, trend.intercept.mean, trend.intercept.sd, trend.slope.mean, trend.slope.sd)


def quantity_loglik(x: float, dist: Any) -> float:
    """Log density of the observed ``x`` under a predictive distribution record.

    Examples
    --------
    >>> from motives.schema import NormalPredictive, UniformPredictive
    >>> round(quantity_loglik(1.0, NormalPredictive(dist="normal", mean=1.0, sd=1.0)), 6)  # log N(1; 1, 1)
    -0.918939
    >>> round(quantity_loglik(0.5, UniformPredictive(dist="uniform", lower=0.0, upper=2.0)), 6)  # log(1/2)
    -0.693147
    >>> quantity_loglik(3.0, UniformPredictive(dist="uniform", lower=0.0, upper=2.0))
    -inf
    """
    if dist.dist == "normal":
        return -0.5 * ((x - dist.mean) / dist.sd) ** 2 - math.log(dist.sd) - 0.5 * math.log(2 * math.pi)
    if dist.dist == "lognormal":
        if x <= 0:
            return -math.inf
        z = (math.log(x) - math.log(dist.median)) / dist.sigma
        return -0.5 * z * z - math.log(dist.sigma * x) - 0.5 * math.log(2 * math.pi)
    if dist.dist == "uniform":
        return -math.log(dist.upper - dist.lower) if dist.lower <= x <= dist.upper else -math.inf
    raise ValueError(f"unknown predictive distribution {dist.dist!r}")


def timeline_data(item: TimelineItem) -> tuple[Array, Array]:
    """(t, y) of a timeline item: years from its origin and codes."""
    t = np.array([o.date.decimal_year - item.origin for o in item.observations])
    y = np.array([o.code for o in item.observations])
    return t, y


def _other_loglik(e: Any, j: Any, keys: list[str]) -> list[float]:
    if isinstance(e, TimelineItem):
        t, y = timeline_data(e)
        return [trend_loglik(t, y, e.sigma, j.values[k], origin=e.origin) for k in keys]
    return [quantity_loglik(e.observed, j.values[k]) for k in keys]


def _reliability(case: Case, key: str | None) -> tuple[float, float | None] | None:
    """(mean, concentration) of a source's reliability, or None when its reports are taken at face value."""
    src = case.source(key) if key is not None else None
    rel = src.reliability if src is not None else None
    if rel is None or (rel.concentration is None and rel.mean == 1.0):
        return None
    return rel.mean, rel.concentration


def compile_case(case: Case, lens: str | None = None) -> CaseArrays:
    """Compile a case under a lens into :class:`CaseArrays`.

    Examples
    --------
    >>> import motives as mv
    >>> arr = compile_case(mv.examples.cookie_case())
    >>> arr.lam
    array([[0.75, 0.5 ]])
    >>> arr = compile_case(mv.examples.load("burglary"))
    >>> arr.proposition_ids, arr.propositions[0].items
    (['at_scene', 'had_motive'], ['neighbour_saw_suspect', 'phone_near_scene', 'fibres_match'])
    """
    lens = case.resolve_lens(lens)
    H = case.hypothesis_ids
    items, rows, base, other, other_ll, by_source = [], [], [], [], [], {}
    structured_sources = {e.reported_by for e in case.evidence
                          if e.parents != ("hypotheses",) and isinstance(e, LikelihoodItem)
                          and _reliability(case, e.reported_by) is not None}
    direct_source: list[int] = []
    in_structure: list[str] = sorted(structured_sources, key=lambda k: [s.key for s in case.sources].index(k))
    for e in case.evidence:
        if e.parents != ("hypotheses",):
            continue
        j, _ = case.judgement(e, lens)
        if isinstance(e, LikelihoodItem):
            if e.reported_by is not None:
                by_source.setdefault(e.reported_by, []).append(len(items))
            direct_source.append(in_structure.index(e.reported_by) if e.reported_by in structured_sources else -1)
            items.append(e.id)
            rows.append([j.values[h].mean for h in H])
            base.append(np.nan if e.base_rate is None else e.base_rate)
        elif isinstance(e, TimelineItem | QuantityItem):
            other.append(e.id)
            other_ll.append(_other_loglik(e, j, H))
    groups = []
    for key, idx in by_source.items():
        rel = _reliability(case, key)
        if rel is None or key in structured_sources:
            continue
        groups.append(SourceGroup(key, np.array(idx, dtype=np.intp), rel[0], rel[1]))
    fams = case.family_ids
    arr = CaseArrays(
        lens=lens,
        hypotheses=H,
        families=fams,
        family_index=np.array([fams.index(h.family_id) for h in case.hypotheses], dtype=np.intp),
        items=items,
        lam=np.array(rows, dtype=float).reshape(len(items), len(H)),
        base=np.array(base, dtype=float),
        groups=tuple(groups),
        other_items=other,
        other_loglik=np.array(other_ll, dtype=float).reshape(len(other), len(H)),
        prior=np.array(case.prior_vector()),
        fallbacks=case.fallbacks(lens),
    )
    if not case.propositions:
        return arr
    return _compile_structure(case, arr, lens, in_structure, np.array(direct_source, dtype=np.intp))


def _compile_structure(case: Case, arr: CaseArrays, lens: str, in_structure: list[str],
                       direct_source: NDArray[np.intp]) -> CaseArrays:
    order = case.proposition_order()
    props = []
    for pid in order:
        prop = case.proposition(pid)
        j, _ = case.judgement(prop, lens)
        pv = case.parent_values(prop.parents)
        rows = [prop.row(j, v) for v in pv]
        its, lam, base, src, oth, oll = [], [], [], [], [], []
        for e in case.evidence:
            if e.parents != (pid,):
                continue
            je, _ = case.judgement(e, lens)
            if isinstance(e, LikelihoodItem):
                its.append(e.id)
                lam.append([je.values[st].mean for st in prop.states])
                base.append(np.nan if e.base_rate is None else e.base_rate)
                src.append(in_structure.index(e.reported_by) if e.reported_by in in_structure else -1)
            else:
                oth.append(e.id)
                oll.append(_other_loglik(e, je, prop.states))
        S = len(prop.states)
        parents = tuple(-1 if b == "hypotheses" else order.index(b) for b in prop.parents)
        props.append(PropArrays(
            id=pid,
            parents=parents,
            cards=tuple(len(arr.hypotheses) if q < 0 else len(case.proposition(order[q]).states) for q in parents),
            observed=-1 if prop.observed is None else prop.states.index(prop.observed),
            states=list(prop.states),
            table=np.array([r[0] for r in rows], dtype=float),
            concentration=np.array([np.nan if r[1] is None else r[1] for r in rows], dtype=float),
            items=its,
            lam=np.array(lam, dtype=float).reshape(len(its), S),
            base=np.array(base, dtype=float),
            source=np.array(src, dtype=np.intp),
            other_items=oth,
            other_loglik=np.array(oll, dtype=float).reshape(len(oth), S),
        ))
    sources = []
    for key in in_structure:
        mean, conc = _reliability(case, key)  # type: ignore[misc]
        n = sum(1 for e in case.evidence if e.reported_by == key and isinstance(e, LikelihoodItem))
        sources.append(SourceGroup(key, np.arange(n, dtype=np.intp), mean, conc))
    joint = []
    for e in case.evidence:
        if len(e.parents) > 1 and isinstance(e, LikelihoodItem):
            je, _ = case.judgement(e, lens)
            joint.append(JointItem(
                id=e.id, parents=tuple(-1 if b == "hypotheses" else order.index(b) for b in e.parents),
                lam=np.array([je.values[v].mean for v in case.parent_values(e.parents)], dtype=float),
                base=np.nan if e.base_rate is None else float(e.base_rate),
                source=in_structure.index(e.reported_by) if e.reported_by in in_structure else -1))
    return replace(arr, propositions=tuple(props), sources_in_structure=tuple(sources), direct_source=direct_source,
                   joint=tuple(joint))


#: Largest tensor grid of reliability nodes the exact engine integrates over (sources spanning propositions).
MAX_GRID = 4096


def _grid(arr: CaseArrays) -> tuple[Array, Array]:
    """Reliability nodes (G, C) and log weights (G,) of the sources integrated outside the structure."""
    xs, lw = np.ones((1, 0)), np.zeros(1)
    size = 1
    for g in arr.sources_in_structure:
        size *= len(g.index) // 2 + 1
    if size > MAX_GRID:
        keys = ", ".join(f"'{g.key}' ({len(g.index)} items)" for g in arr.sources_in_structure)
        raise CaseError([Problem(
            f"sources of uncertain reliability whose items sit under propositions ({keys}) need a tensor grid "
            f"of {size:,} nodes to integrate exactly, more than the limit of {MAX_GRID:,}. Fix a reliability "
            "(a number instead of a distribution), split a source, or take reports at face value "
            "(reliability off)", field="sources")])
    for g in arr.sources_in_structure:
        x, w = _jacobi_nodes(g.mean, g.concentration, len(g.index) // 2 + 1)
        xs = np.concatenate([np.repeat(xs, len(x), axis=0), np.tile(x, len(xs))[:, None]], axis=1)
        lw = (lw[:, None] + _log(w)[None, :]).reshape(-1)
    return xs, lw


def _log(x: Array) -> Array:
    with np.errstate(divide="ignore"):
        return np.log(x)


def item_loglik(arr: CaseArrays, lam: ArrayLike | None = None) -> Array:
    """Per-item log P(E_e | h) ignoring reliability, shape (..., N + M, K)."""
    lam = arr.lam if lam is None else np.asarray(lam, dtype=float)
    other = np.broadcast_to(arr.other_loglik, lam.shape[:-2] + arr.other_loglik.shape)
    return np.concatenate([_log(lam), other], axis=-2)


def loglik(arr: CaseArrays, lam: ArrayLike | None = None, *, reliability: bool = True,
           tables: Mapping[str, ArrayLike] | None = None, plam: Mapping[str, ArrayLike] | None = None) -> Array:
    """Total log-likelihood of all evidence per hypothesis, shape (..., K).

    Parameters
    ----------
    arr
        The compiled case.
    lam
        Likelihood means, shape (..., N, K); default the case's own. Leading
        axes are scenarios.
    reliability
        Mix in source reliability (the default) or take every report at face value.
    tables
        Proposition id -> P(state | parent value), shape (..., V, S); default each proposition's own.
    plam
        Proposition id -> P(E | state) of the likelihood items bearing on it, shape (..., n, S).

    Examples
    --------
    The taxicab witness (reliability 0.6, a coin toss otherwise) says "blue":
    P(says blue | blue) = 0.8, P(says blue | green) = 0.2.

    >>> import numpy as np, motives as mv
    >>> arr = compile_case(mv.examples.load("witness"))
    >>> arr.hypotheses
    ['blue', 'green']
    >>> np.exp(loglik(arr)).round(4)
    array([0.8, 0.2])
    >>> np.exp(loglik(arr, reliability=False))  # taken at face value
    array([1., 0.])
    >>> np.exp(loglik(arr, lam=[[[0.9, 0.1]], [[1.0, 0.0]]])).round(4)  # two scenarios
    array([[0.74, 0.26],
           [0.8 , 0.2 ]])
    """
    lam = arr.lam if lam is None else np.asarray(lam, dtype=float)
    if lam.shape[-2:] != arr.lam.shape:
        raise ValueError(f"lam must end in shape {arr.lam.shape}, got {lam.shape}")
    n, k = lam.shape[-2:]
    if arr.propositions or len(arr.sources_in_structure):
        return _loglik(arr, lam, reliability) + _structure_loglik(arr, lam, reliability, tables or {}, plam or {})
    if tables or plam:
        raise ValueError("tables and plam need a case with propositions")
    if lam.ndim > 2 and lam.size > 2 * _CHUNK:
        # Many scenarios: evaluate them in blocks of about _CHUNK cells, so the temporaries stay in
        # cache and their memory stays bounded (each scenario is computed exactly as alone).
        flat = lam.reshape((-1, n, k))
        step = max(1, _CHUNK // (n * k))
        out = np.empty((flat.shape[0], k))
        for i in range(0, flat.shape[0], step):
            out[i:i + step] = _loglik(arr, flat[i:i + step], reliability)
        return out.reshape(lam.shape[:-2] + (k,))
    return _loglik(arr, lam, reliability)


#: Cells of λ per block when :func:`loglik` evaluates many scenarios (512 kB of float64: fits in L2).
_CHUNK = 1 << 16


def _loglik(arr: CaseArrays, lam: Array, reliability: bool) -> Array:
    n, k = lam.shape[-2:]
    if not (reliability and (arr.groups or (arr.direct_source >= 0).any())):
        return _sum_items(_log(lam)) + arr.other_loglik.sum(axis=0)
    # Items of single-node groups are ordinary items with P = x λ + (1 − x) b; groups with Q ≥ 2 nodes
    # are evaluated together per Q: mix[..., q, j, k] = x[q, j] λ[j, k] + (1 − x[q, j]) b[j], log, summed
    # within each group (reduceat: -inf safe), plus log w[q, g], then logsumexp over q.
    plan = arr._group_plan
    total = np.zeros(lam.shape[:-2] + (k,))
    if len(plan.simple):
        ls = lam if len(plan.simple) == n and not len(plan.simple_x) else np.take(lam, plan.simple, axis=-2)
        if len(plan.simple_x):  # ls is a fresh copy here: mix in place
            mixed = ls[..., plan.n_free:, :]
            mixed[...] = _mix(mixed, arr.base[plan.simple[plan.n_free:]], plan.simple_x[:, None], k)
        total = total + _sum_items(_log(ls))
    for bk in plan.buckets:
        lg = np.take(lam, bk.item, axis=-2)  # (..., n_b, K)
        mix = _mix(lg[..., None, :, :], arr.base[bk.item], bk.x[:, :, None], k)  # (..., Q, n_b, K)
        terms = np.add.reduceat(_log(mix), bk.start, axis=-2) + bk.logw[:, :, None]  # (..., Q, G_b, K)
        total = total + _sum_items(_logsumexp(terms, axis=-3))
    return total + arr.other_loglik.sum(axis=0)


def _structure_loglik(arr: CaseArrays, lam: Array, reliability: bool, tables: Mapping[str, ArrayLike],
                      plam: Mapping[str, ArrayLike]) -> Array:
    """Log P(everything under the propositions | h), plus direct items of sources integrated with them.

    Messages go bottom-up with a grid axis G (reliability nodes of the sources whose items sit under
    propositions; G = 1 without such sources); the grid is integrated last, outside the whole product.
    """
    unknown = sorted(set(tables) - set(arr.proposition_ids)) + sorted(set(plam) - set(arr.proposition_ids))
    if unknown:
        raise ValueError(f"unknown proposition(s) {unknown}; propositions: {arr.proposition_ids}")
    gx, glw = _grid(arr) if reliability and arr.sources_in_structure else (np.ones((1, 0)), np.zeros(1))
    props = arr.propositions
    factors: list[Any] = []
    for pa in props:
        msg: Any = pa.other_loglik.sum(axis=0)[None, :]  # log message into each state, (..., G, S)
        L = np.asarray(plam[pa.id], dtype=float) if pa.id in plam else pa.lam
        if L.shape[-2:] != pa.lam.shape:
            raise ValueError(f"plam['{pa.id}'] must end in shape {pa.lam.shape}, got {L.shape}")
        if len(pa.items):
            src = pa.source >= 0
            if reliability and src.any():
                # only the source's items vary along the grid axis: the others are summed once, without it
                if not src.all():
                    msg = msg + _sum_items(_log(L[..., ~src, :]))[..., None, :]
                idx = np.flatnonzero(src)
                m = _mix(L[..., None, idx, :], pa.base[idx], gx[:, pa.source[idx]][:, :, None], L.shape[-1])
                msg = msg + _sum_items(_log(m))  # (..., G, S)
            else:
                msg = msg + _sum_items(_log(L))[..., None, :]
        if pa.observed >= 0:
            msg = msg + _log(np.arange(len(pa.states)) == pa.observed)
        T = np.asarray(tables[pa.id], dtype=float) if pa.id in tables else pa.table
        if T.shape[-2:] != pa.table.shape:
            raise ValueError(f"tables['{pa.id}'] must end in shape {pa.table.shape}, got {T.shape}")
        lt = _log(T).reshape(T.shape[:-2] + (1,) + pa.cards + (len(pa.states),))  # (..., 1, parents..., S)
        msg = np.asarray(msg)
        factors.append(lt + msg.reshape(msg.shape[:-1] + (1,) * len(pa.cards) + msg.shape[-1:]))
    for jt in arr.joint:
        cards = tuple(len(arr.hypotheses) if q < 0 else len(props[q].states) for q in jt.parents)
        if reliability and jt.source >= 0:
            m = _mix(jt.lam[None, None, :], np.array([jt.base]), gx[:, [jt.source]][:, :, None], len(jt.lam))
            lf = _log(m[:, 0, :])  # (G, V)
        else:
            lf = _log(jt.lam)[None, :]
        factors.append(lf.reshape(lf.shape[:1] + cards))
    top: Any = contract(arr.plan, factors)  # (..., G, K)
    ds = arr.direct_source
    if reliability and len(ds) and (ds >= 0).any():
        idx = np.flatnonzero(ds >= 0)
        ld = np.take(lam, idx, axis=-2)
        m = _mix(ld[..., None, :, :], arr.base[idx], gx[:, ds[idx]][:, :, None], lam.shape[-1])
        top = top + _sum_items(_log(m))
    return _logsumexp(top + glw[:, None], axis=-2)


# --------------------------------------------------------------------------- the network: one contraction plan


#: Largest intermediate table (cells, per scenario and reliability node) the elimination may build.
MAX_TABLE = 1 << 22


@dataclass(frozen=True)
class JointItem:
    """A likelihood item with several parents: P(E | parent configuration), flat in nested order."""

    id: str
    parents: tuple[int, ...]  # variables: 0 the hypotheses, i + 1 proposition i
    lam: Array  # (V,)
    base: float  # NaN: the row mean
    source: int  # index in CaseArrays.sources_in_structure, or -1


@dataclass(frozen=True)
class _Step:
    """Eliminate one variable: multiply the factors in ``inputs`` and sum ``var`` out."""

    var: int
    inputs: tuple[int, ...]  # factor slots
    union: tuple[int, ...]  # variables of the product, ``var`` last
    spec: tuple[tuple[int, ...], ...]  # for each input, its variables' positions in ``union`` (einsum subscripts)


@dataclass(frozen=True)
class Plan:
    """Variable elimination for one structure, planned once: which factors meet when each fact is summed out.

    Variables are 0 (the hypotheses, kept) and ``i + 1`` for proposition ``i``. Factor slots are one per
    proposition (its table times what its own items say), one per item of several parents, then one per
    step's result. ``order`` is a greedy min-fill order (on a tree: leaves first, so the plan is the
    bottom-up message passing of a tree). ``largest`` is the biggest product table a step builds.
    """

    card: tuple[int, ...]
    scopes: tuple[tuple[int, ...], ...]  # of the initial factors
    steps: tuple[_Step, ...]
    final: tuple[int, ...]  # slots left at the end (scope within the hypotheses)
    final_scopes: tuple[tuple[int, ...], ...]
    largest: int


def plan_elimination(card: list[int], scopes: list[tuple[int, ...]], names: list[str],
                     max_table: int | None = None) -> Plan:
    """Plan the elimination of every variable but 0 from factors with these scopes.

    Raises :class:`~motives.errors.CaseError` naming the facts of the largest table when a step would build
    a table of more than ``max_table`` cells (default :data:`MAX_TABLE`).

    Examples
    --------
    A chain h → a → b (cards 2, 3, 2): b goes first, then a.

    >>> p = plan_elimination([2, 3, 2], [(0, 1), (1, 2)], ["hypotheses", "a", "b"])
    >>> [s.var for s in p.steps], p.largest
    ([2, 1], 6)
    """
    limit = MAX_TABLE if max_table is None else max_table
    live: dict[int, tuple[int, ...]] = dict(enumerate(scopes))
    nxt = len(scopes)
    todo = {v for sc in scopes for v in sc if v != 0}
    steps, largest = [], 1
    while todo:
        def cost(v: int) -> tuple[int, int, int]:
            near = set().union(*[set(sc) for sc in live.values() if v in sc]) - {v}
            size = math.prod(card[u] for u in near)
            # fill-in: pairs of neighbours not yet sharing a factor
            fill = sum(1 for a in near for b in near if a < b
                       and not any(a in sc and b in sc for sc in live.values()))
            return (fill, size, v)

        v = min(todo, key=cost)
        ins = tuple(s for s, sc in live.items() if v in sc)
        rest = sorted(set().union(*[set(live[s]) for s in ins]) - {v})
        union = (*rest, v)
        size = math.prod(card[u] for u in union)
        if size > limit:
            big = sorted((card[u], names[u]) for u in union)[::-1]
            raise CaseError([Problem(
                f"the network is too entangled to evaluate exactly: summing out '{names[v]}' needs a table over "
                + ", ".join(f"'{n}' ({c} values)" for c, n in big[:12]) + (" ..." if len(big) > 12 else "")
                + f" = {size:,} cells, more than the limit of {limit:,}. Give these facts fewer parents or "
                "states, or split the argument into parts that share fewer facts", field="propositions")])
        largest = max(largest, size)
        spec = tuple(tuple(union.index(u) for u in live[s]) for s in ins)
        steps.append(_Step(var=v, inputs=ins, union=union, spec=spec))
        for s in ins:
            del live[s]
        live[nxt] = tuple(rest)
        nxt += 1
        todo.discard(v)
    final = tuple(sorted(live))
    return Plan(card=tuple(card), scopes=tuple(scopes), steps=tuple(steps), final=final,
                final_scopes=tuple(live[s] for s in final), largest=largest)


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


@functools.lru_cache(maxsize=4096)
def _subscripts(spec: tuple[tuple[int, ...], ...], n: int) -> str:
    """Einsum subscripts with a leading ellipsis (scenarios, reliability nodes): inputs -> union minus last."""
    return ",".join("..." + "".join(_LETTERS[i] for i in sc) for sc in spec) + "->..." + _LETTERS[:n - 1]


def contract(plan: Plan, factors: list[Array]) -> Array:
    """Run a plan on log-factors (batch axes first, then one axis per variable of the scope).

    Each step works in probability space with every input scaled to a maximum of 1 (its log scale carried
    beside it), one ``einsum`` per step; where a step's result has a 0 that the supports of its inputs do not
    explain (underflow of a product of very small numbers), the step is redone in log space. Returns log of
    the product of what is left, over the hypotheses (batch axes, then K; constant over K if the hypotheses
    never enter).

    Examples
    --------
    >>> import numpy as np
    >>> p = plan_elimination([2, 2], [(0, 1), (1,)], ["hypotheses", "a"])
    >>> T = np.log([[0.9, 0.1], [0.2, 0.8]])       # P(a | h)
    >>> m = np.log([0.5, 0.01])                     # P(E | a)
    >>> np.exp(contract(p, [T, m])).round(4)        # Σ_a P(a | h) P(E | a)
    array([0.451, 0.108])
    """
    K = plan.card[0]
    probs: list[Any] = []
    scales: list[Any] = []
    for f, sc in zip(factors, plan.scopes, strict=True):
        p, s = _scaled(f, len(sc))
        probs.append(p)
        scales.append(s)
    for st in plan.steps:
        ps = [probs[i] for i in st.inputs]
        n = len(st.union)
        out = np.einsum(_subscripts(st.spec, n), *ps)
        scale = functools.reduce(np.add, [scales[i] for i in st.inputs])
        if not out.all():
            support = np.einsum(_subscripts(st.spec, n), *[(p > 0).astype(float) for p in ps])
            if ((out == 0) & (support > 0)).any():  # underflow: this step again, in log space
                logs = [_log(p) + s.reshape(s.shape + (1,) * (p.ndim - s.ndim)) for p, s in zip(ps, [
                    scales[i] for i in st.inputs], strict=True)]
                lo = _log_step(logs, st.spec, n)
                p, s = _scaled(lo, n - 1)
                probs.append(p)
                scales.append(s)
                continue
        p, s = _scaled_prob(out, n - 1)
        probs.append(p)
        scales.append(s + scale)
    total: Any = 0.0
    for slot, sc in zip(plan.final, plan.final_scopes, strict=True):
        s = scales[slot]
        lp = _log(probs[slot]) + s.reshape(s.shape + (1,) * len(sc))
        total = total + (lp if sc else lp[..., None])
    return np.broadcast_to(total, np.shape(total)[:-1] + (K,)) if np.ndim(total) else np.zeros(K) + total


def _scaled(logf: Array, nvars: int) -> tuple[Array, Array]:
    """exp(f − m) and m, m the maximum over the last ``nvars`` axes (0 where every entry is −inf)."""
    logf = np.asarray(logf, dtype=float)
    if nvars == 0:
        m = np.where(np.isfinite(logf), logf, 0.0)
        with np.errstate(invalid="ignore"):
            return np.exp(logf - m), m
    m = logf.max(axis=tuple(range(-nvars, 0)))
    m = np.where(np.isfinite(m), m, 0.0)
    return np.exp(logf - m.reshape(m.shape + (1,) * nvars)), m


def _scaled_prob(p: Array, nvars: int) -> tuple[Array, Array]:
    """Divide by the maximum over the last ``nvars`` axes, returned as a log too (a maximum of 0 stays)."""
    if nvars == 0:
        m = np.where(p > 0, p, 1.0)
        return p / m, _log(m)
    m = p.max(axis=tuple(range(-nvars, 0)))
    m = np.where(m > 0, m, 1.0)
    return p / m.reshape(m.shape + (1,) * nvars), _log(m)


def _log_step(logs: list[Array], spec: tuple[tuple[int, ...], ...], n: int) -> Array:
    """One elimination step in log space: broadcast sum over the union, log-sum-exp over its last axis."""
    total: Any = 0.0
    for lf, sc in zip(logs, spec, strict=True):
        nb = lf.ndim - len(sc)
        order = [int(o) for o in np.argsort(sc)]
        lf = np.transpose(lf, list(range(nb)) + [nb + o for o in order])
        full = [1] * n
        for k, o in enumerate(order):
            full[sc[o]] = lf.shape[nb + k]
        total = total + lf.reshape(list(lf.shape[:nb]) + full)
    return _logsumexp(total, axis=-1)


def _log_message(T: Array, msg: Array) -> Array:
    """A proposition's message to its parent: log Σ_s T[..., v, s] exp(msg[..., g, s]), shape (..., G, V).

    The log-sum-exp over the (short) state axis as one batched matrix product in probability space,
    after taking out each row's maximum (exact where ``T`` has zeros or ``msg`` has -inf).
    """
    m = functools.reduce(np.maximum, [msg[..., s] for s in range(1, msg.shape[-1])], msg[..., 0])
    m = np.where(np.isfinite(m), m, 0.0)
    p = np.matmul(np.exp(msg - m[..., None]), np.swapaxes(T, -1, -2))
    return _log(p) + m[..., None]


def _mix(lg: Array, base: Array, x: Array, k: int) -> Array:
    """X λ + (1 − x) b with b the base rate, or the row mean of λ where the base rate is NaN."""
    b = base[:, None]
    if np.isnan(base).any():
        b = np.where(np.isnan(b), _sum_last(lg)[..., None] / k, b)
    return x * lg + (1 - x) * b


def _sum_items(a: Array) -> Array:
    """Sum over the item axis (-2) of (..., N, K).

    A BLAS product, ~10x faster than ``sum(axis=-2)`` for small K, and exact for -inf entries
    (1 · −inf = −inf; no +inf can occur in log-probabilities).
    """
    if a.ndim == 2:
        return a.sum(axis=0)
    return np.matmul(np.ones(a.shape[-2]), a)


def _sum_last(a: Array) -> Array:
    """Sum over a short last axis (a matrix–vector product; ``sum(axis=-1)`` is slow for small K)."""
    return a @ np.ones(a.shape[-1])


def _logsumexp(a: Array, axis: int) -> Array:
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        return np.squeeze(m, axis=axis) + np.log(np.sum(np.exp(a - m), axis=axis))


def normalise(log_weights: Array) -> Array:
    """Softmax over the last axis, in log space; rows that are all -inf give NaN."""
    lse = _logsumexp(log_weights, axis=-1)[..., None]
    with np.errstate(invalid="ignore"):
        return np.exp(log_weights - lse)


def posterior(arr: CaseArrays, prior: ArrayLike | None = None, lam: ArrayLike | None = None,
              *, reliability: bool = True, tables: Mapping[str, ArrayLike] | None = None,
              plam: Mapping[str, ArrayLike] | None = None) -> Array:
    """Posterior credences, shape (..., K); leading axes of ``prior`` and ``lam`` broadcast.

    Examples
    --------
    >>> import motives as mv
    >>> arr = compile_case(mv.examples.cookie_case())
    >>> posterior(arr)
    array([0.6, 0.4])
    >>> posterior(arr, prior=[[0.5, 0.5], [0.2, 0.8]]).round(4)
    array([[0.6   , 0.4   ],
           [0.2727, 0.7273]])
    """
    prior = arr.prior if prior is None else np.asarray(prior, dtype=float)
    if prior.shape[-1] != len(arr.hypotheses):
        raise ValueError(f"prior must end in {len(arr.hypotheses)} hypotheses, got shape {prior.shape}")
    return normalise(_log(prior) + loglik(arr, lam, reliability=reliability, tables=tables, plam=plam))


def family_credence(arr: CaseArrays, credence: ArrayLike) -> Array:
    """Sum hypothesis credences (..., K) into family credences (..., F).

    Examples
    --------
    The dice problem with the dice grouped into two families:

    >>> import motives as mv
    >>> data = mv.examples.load("dice").model_dump(exclude_none=True)
    >>> for h in data["hypotheses"]:
    ...     h["family"] = "small" if h["id"] in ("d4", "d6", "d8") else "large"
    >>> arr = compile_case(mv.Case.model_validate(data))
    >>> arr.families
    ['small', 'large']
    >>> family_credence(arr, posterior(arr)).round(4)
    array([0.6233, 0.3767])
    >>> family_credence(arr, [[0.2, 0.2, 0.2, 0.2, 0.2]])  # leading axes are kept
    array([[0.6, 0.4]])
    """
    c = np.asarray(credence, dtype=float)
    out = np.zeros(c.shape[:-1] + (len(arr.families),))
    for k, f in enumerate(arr.family_index):
        out[..., f] += c[..., k]
    return out


def _naming(what: str, unknown: list[str], missing: list[str]) -> str:
    """``prior must name every hypothesis exactly: unknown 'x'; missing 'a', 'b'`` (only the parts that apply)."""
    parts = [f"{k} {', '.join(repr(i) for i in v)}" for k, v in (("unknown", unknown), ("missing", missing)) if v]
    return f"{what} must name every hypothesis exactly: " + "; ".join(parts)


def prior_from(case: Case, prior: Any) -> Array:
    """Turn a prior given in any accepted form into a vector over the case's hypotheses.

    Accepted: None (the case's), ``"uniform"``, a mapping id -> probability,
    a sequence in hypothesis order, or ``{"dirichlet": [...]}`` / ``{"dirichlet": {id: a}}``
    (its mean is used: the exact posterior depends on a Dirichlet prior only through its mean).

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("diagnostic_test")
    >>> prior_from(case, None)
    array([0.01, 0.99])
    >>> prior_from(case, "uniform")
    array([0.5, 0.5])
    >>> prior_from(case, {"healthy": 0.8, "condition": 0.2})  # in hypothesis order
    array([0.2, 0.8])
    >>> prior_from(case, {"dirichlet": {"condition": 1, "healthy": 3}})
    array([0.25, 0.75])
    >>> prior_from(case, [0.2, 0.2])
    Traceback (most recent call last):
        ...
    motives.errors.CaseError: field 'prior': prior must sum to 1, sums to 0.4
    """
    H = case.hypothesis_ids
    if prior is None:
        return np.array(case.prior_vector())
    if isinstance(prior, str):
        if prior == "uniform":
            return np.full(len(H), 1.0 / len(H))
        raise CaseError([Problem(f"prior must be 'uniform', a mapping or a list, got {prior!r}", field="prior")])
    if isinstance(prior, dict) and set(prior) == {"dirichlet"}:
        a = prior["dirichlet"]
        if isinstance(a, dict):
            unknown, missing = sorted(set(a) - set(H)), sorted(set(H) - set(a))
            if unknown or missing:
                raise CaseError([Problem(_naming("dirichlet", unknown, missing), field="prior.dirichlet")])
        vec = np.array([a[h] for h in H] if isinstance(a, dict) else a, dtype=float)
        if vec.shape != (len(H),) or np.any(~np.isfinite(vec)) or np.any(vec <= 0):
            raise CaseError([Problem(f"dirichlet needs {len(H)} positive concentrations, got {a!r}", field="prior")])
        return vec / vec.sum()
    if isinstance(prior, dict):
        unknown = sorted(set(prior) - set(H))
        missing = sorted(set(H) - set(prior))
        if unknown or missing:
            raise CaseError([Problem(_naming("prior", unknown, missing), field="prior")])
        vec = np.array([prior[h] for h in H], dtype=float)
    else:
        vec = np.asarray(prior, dtype=float)
    if vec.shape[-1:] != (len(H),) or np.any(~np.isfinite(vec)) or np.any(vec < 0) or np.any(vec > 1):
        raise CaseError([Problem(f"prior must be {len(H)} probabilities in [0, 1], got {prior!r}", field="prior")])
    if np.any(np.abs(vec.sum(axis=-1) - 1) > 1e-6):
        raise CaseError([Problem(f"prior must sum to 1, sums to {vec.sum(axis=-1)}", field="prior")])
    return vec


def independent_case(case: Case) -> Case:
    """The same evidence with the structure removed: every item bears on the hypotheses, independently.

    Each item under a proposition gets, per lens, what it implies alone,
    P(E | h) = Σ_s P(s | h) P(E | s) (through every proposition above it;
    table means). Timeline and quantity items become likelihood items with
    their implied marginal likelihoods scaled so the largest is 1 (only ratios
    matter). This is the naive-Bayes reading the structure exists to correct;
    set beside the structured posterior it shows how much the structure
    matters. A flat case is returned unchanged.

    Examples
    --------
    >>> import motives as mv
    >>> flat = independent_case(mv.examples.load("burglary"))
    >>> flat.propositions, flat.item("fibres_match").likelihoods["default"].values["suspect"].mean
    ([], 0.42)
    """
    if not case.propositions:
        return case
    items = []
    for e in case.evidence:
        if e.bears_on in (None, "hypotheses"):
            items.append(e)
            continue
        states = case.proposition(e.bears_on).states
        judged = {}
        for lens in case.lens_ids:
            j, _ = case.judgement(e, lens)
            m = case.implied_matrix(e.bears_on, lens)
            if isinstance(e, LikelihoodItem):
                vals = m @ np.array([j.values[st].mean for st in states])
            else:
                ll = np.array(_other_loglik(e, j, states))
                with np.errstate(divide="ignore"):
                    vals = np.exp(_logsumexp(np.log(m) + ll[None, :], axis=-1) - ll.max())
                vals = vals / vals.max()
            judged[lens] = {"values": {h: float(min(max(v, 0.0), 1.0)) for h, v in zip(case.hypothesis_ids, vals,
                                                                                        strict=True)},
                            "rationale": f"implied through {' > '.join(case.path_to_hypotheses(e.id))}"}
        data = e.model_dump(exclude={"kind", "likelihoods", "trends", "predictive", "bears_on", "observations",
                                     "origin", "sigma", "scale", "observed", "unit"}, exclude_none=True)
        items.append(LikelihoodItem.model_validate({**data, "kind": "likelihood", "likelihoods": judged}))
    data = {k: getattr(case, k) for k in type(case).model_fields if k not in ("propositions", "evidence")}
    return Case.model_validate({**data, "evidence": items})


def exact_posterior(case: Case, lens: str | None = None, prior: Any = None, *,
                    reliability: bool = True, structure: bool = True) -> pd.DataFrame:
    """Exact credence of each hypothesis and family.

    Parameters
    ----------
    case
        The case.
    lens
        Whose likelihoods; default the case's default lens. Items the lens does
        not rate use the default lens's judgement (listed in ``df.attrs["fallbacks"]``).
    prior
        None (the case's), "uniform", a mapping, a list, or ``{"dirichlet": ...}``.
    reliability
        Whether to mix in source reliability.
    structure
        Use the propositions (the default). ``False`` gives the posterior as
        if every item bore on the hypotheses independently
        (:func:`independent_case`): the naive-Bayes figure, to set beside the
        structured one.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``level``, ``id``), level ``hypothesis`` or ``family``;
        columns ``label``, ``prior`` and ``credence``.

    Examples
    --------
    >>> import motives as mv
    >>> mv.exact_posterior(mv.examples.cookie_case())["credence"]
    level       id
    hypothesis  bowl1    0.6
                bowl2    0.4
    family      bowl1    0.6
                bowl2    0.4
    Name: credence, dtype: float64

    A case with propositions, with the structure and as if every item were independent:

    >>> burglary = mv.examples.load("burglary")
    >>> [round(float(mv.exact_posterior(burglary, structure=s).loc[("hypothesis", "suspect"), "credence"]), 3)
    ...  for s in (True, False)]
    [0.658, 0.858]
    """
    if not structure:
        case = independent_case(case)
    arr = compiled(case, lens)
    pri = prior_from(case, prior)
    post = posterior(arr, pri, reliability=reliability)
    if not np.all(np.isfinite(post)):
        raise CaseError([Problem("the evidence rules out every hypothesis (each has a likelihood of 0 somewhere "
                                 "or a prior of 0): no posterior exists", field="likelihoods")])
    index, labels, columns = _frame_parts(case, arr)
    df = _frame([labels.copy(), np.concatenate([pri, family_credence(arr, pri)]),
                 np.concatenate([post, family_credence(arr, post)])], columns, index)
    df.attrs.update({"method": "exact", "lens": arr.lens, "fallbacks": list(arr.fallbacks)})
    return df


def _frame(arrays: list[Any], columns: Any, index: Any) -> pd.DataFrame:
    """A DataFrame from whole columns, not copied (pass arrays the result may own).

    pandas' own column constructor is 4-9x faster than a dict, which re-checks
    every column; the public constructor serves where a pandas version lacks it.
    """
    import pandas as pd

    try:
        return pd.DataFrame._from_arrays(arrays, columns=columns, index=index, verify_integrity=False)
    except (AttributeError, TypeError):  # pragma: no cover - other pandas versions
        return pd.DataFrame(dict(zip(columns, arrays, strict=True)), index=index)


# One entry per live case object: its compiled arrays per lens and the index of its posterior tables.
# A Case is frozen, so what it compiles to cannot change while it lives; entries go with the case.
_CACHE: dict[int, tuple[Any, dict[Any, Any]]] = {}


def _cache_of(case: Case) -> dict[Any, Any]:
    import weakref

    key = id(case)
    entry = _CACHE.get(key)
    if entry is None or entry[0]() is not case:
        entry = (weakref.ref(case, lambda _ref, key=key: _CACHE.pop(key, None)), {})
        _CACHE[key] = entry
    return entry[1]


def compiled(case: Case, lens: str | None = None) -> CaseArrays:
    """:func:`compile_case`, cached for the lifetime of the (immutable) case object.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.cookie_case()
    >>> compiled(case) is compiled(case, "default")
    True
    """
    lens = case.resolve_lens(lens)
    cache = _cache_of(case)
    arr = cache.get(("arrays", lens))
    if arr is None:
        arr = cache[("arrays", lens)] = compile_case(case, lens)
    return arr


def _frame_parts(case: Case, arr: CaseArrays) -> tuple[Any, Any, Any]:
    """The (level, id) index, the labels and the columns of a posterior table (cached per case)."""
    import pandas as pd

    cache = _cache_of(case)
    parts = cache.get(("frame", tuple(arr.hypotheses), tuple(arr.families)))
    if parts is None:
        labels = {h.id: h.name for h in case.hypotheses}
        flabels = {f.id: f.label or f.id for f in case.families}
        index = pd.MultiIndex.from_arrays(
            [["hypothesis"] * len(arr.hypotheses) + ["family"] * len(arr.families), arr.hypotheses + arr.families],
            names=["level", "id"])
        names = pd.array([labels[h] for h in arr.hypotheses] + [flabels.get(f, f) for f in arr.families],
                         dtype="str")
        columns = pd.Index(["label", "prior", "credence"])
        parts = cache[("frame", tuple(arr.hypotheses), tuple(arr.families))] = (index, names, columns)
    return parts


# --------------------------------------------------------------------------- numeric hypotheses


def value_table(case: Case, lens: str | None = None, prior: Any = None, *, credence: Any = None,
                reliability: bool = True) -> pd.DataFrame:
    """Posterior over the hypotheses' ``value``: one row per hypothesis, in order of value.

    Parameters
    ----------
    case
        A case whose hypotheses all carry a ``value`` (a grid of a parameter).
    lens, prior, reliability
        As in :func:`exact_posterior` (used when ``credence`` is not given).
    credence
        Credences to use instead (a mapping or Series hypothesis id -> credence,
        e.g. an MCMC fit's posterior means, or an :func:`exact_posterior` table).

    Returns
    -------
    pandas.DataFrame
        Indexed by hypothesis id; columns ``value``, ``credence`` and ``cdf``
        (the credence of this value or a smaller one).

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("dice")
    >>> case = case.model_copy(update={"hypotheses": [h.model_copy(update={"value": float(h.id[1:])})
    ...                                               for h in case.hypotheses]})
    >>> t = value_table(case)
    >>> t.index.tolist(), t["value"].tolist()
    (['d4', 'd6', 'd8', 'd12', 'd20'], [4.0, 6.0, 8.0, 12.0, 20.0])
    >>> t["cdf"].round(3).tolist()
    [0.0, 0.0, 0.623, 0.9, 1.0]
    """
    import pandas as pd

    ids = case.hypothesis_ids
    missing = [h.id for h in case.hypotheses if h.value is None]
    if missing:
        raise CaseError([Problem(f"hypotheses without a value: {', '.join(missing[:5])}"
                                 + (" ..." if len(missing) > 5 else "")
                                 + "; a value summary needs every hypothesis to carry one", field="value")])
    if credence is None:
        credence = exact_posterior(case, lens, prior, reliability=reliability)
    if isinstance(credence, pd.DataFrame):
        credence = credence.xs("hypothesis", level="level")["credence"]
    c = np.array([float(credence[h]) for h in ids])
    v = np.array([float(h.value) for h in case.hypotheses])  # type: ignore[arg-type]
    order = np.argsort(v, kind="stable")
    c = c[order] / c.sum()
    df = pd.DataFrame({"value": v[order], "credence": c, "cdf": np.minimum(np.cumsum(c), 1.0)},
                      index=pd.Index([ids[i] for i in order], name="id"))
    return df


def value_summary(case: Case, lens: str | None = None, prior: Any = None, *, credence: Any = None,
                  mass: float = INTERVAL_MASS, reliability: bool = True) -> dict[str, float]:
    """Posterior mean, median and central credible interval of the hypotheses' ``value``.

    The posterior is discrete (one mass per hypothesis): the median is the
    smallest value whose cumulative credence reaches 1/2, and the interval runs
    from the smallest value whose cumulative credence reaches (1 - mass)/2 to
    the smallest whose cumulative credence reaches (1 + mass)/2 (so it holds at
    least ``mass`` of the credence). Arguments as in :func:`value_table`.

    Returns
    -------
    dict
        ``mean``, ``median``, ``lower``, ``upper``, ``mass``.

    Examples
    --------
    The locomotive problem (Mosteller 1965; Downey, *Think Bayes*): a railway
    numbers its locomotives 1..N; we see number 60. With N uniform on 1..1000
    (Downey gives the mean 333 and the 90% interval (69, 869)),

    >>> import motives as mv
    >>> N = range(1, 1001)
    >>> case = mv.Case.model_validate({
    ...     "name": "locomotive",
    ...     "hypotheses": [{"id": f"n{n}", "value": n} for n in N],
    ...     "evidence": [{"id": "saw_60", "title": "Locomotive number 60",
    ...                   "likelihoods": {f"n{n}": (1 / n if n >= 60 else 0) for n in N}}]})
    >>> s = value_summary(case)
    >>> round(s["mean"], 2), s["median"], (s["lower"], s["upper"])
    (333.42, 244.0, (69.0, 869.0))
    """
    t = value_table(case, lens, prior, credence=credence, reliability=reliability)
    v, c, cdf = t["value"].to_numpy(), t["credence"].to_numpy(), t["cdf"].to_numpy()

    def quantile(q: float) -> float:
        return float(v[min(int(np.searchsorted(cdf, q - 1e-12, side="left")), len(v) - 1)])

    tail = (1.0 - mass) / 2.0
    return {"mean": float(np.dot(v, c)), "median": quantile(0.5), "lower": quantile(tail),
            "upper": quantile(1.0 - tail), "mass": float(mass)}


def trend_bands(case: Case, item: str | None = None, lens: str | None = None, *, years: ArrayLike | None = None,
                points: int = 200, mass: float = INTERVAL_MASS) -> pd.DataFrame:
    """Each predicted trend of a timeline item over the years: prior mean, sd and central ``mass`` band.

    A linear trend y = a + b (t - origin), a ~ N(m_a, s_a), b ~ N(m_b, s_b)
    independent, is Normal at each year: mean m_a + m_b t, variance
    s_a^2 + s_b^2 t^2, band mean -/+ z sd (z the Normal quantile). A step trend whose break is one of
    several dates (uniform) is at each year a mixture of N(before) and
    N(after), weighted by the share of break dates at or before that year; its
    band holds the mixture's quantiles (1 -/+ mass)/2, found by bisection of its
    CDF (exact to 1e-10 of the code scale). The band is of the trend line, not
    of one observation (without the noise ``sigma``).

    Hypotheses (or, for an item under a proposition, the proposition's states)
    whose trend records are identical share one trend.

    Parameters
    ----------
    item
        Id of a timeline item; default the case's first.
    lens
        Whose trend priors; default the case's default lens (an item the lens does not rate uses it too).
    years
        Decimal years to evaluate; default ``points`` from the earlier of the
        item's origin and first observation to half a year past the last.
    mass
        Mass of the central band.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``trend`` (0, 1, ...; first-appearance order) and ``point``;
        columns ``ids`` (the hypotheses or states sharing the trend, joined by
        commas), ``year``, ``mean``, ``sd``, ``lower``, ``upper``. ``attrs``:
        ``item``, ``lens``, ``mass``, ``sigma``, ``origin``.

    Examples
    --------
    One hypothesis predicts a rise from 0 by 0.2 a year, the other a flat line at 1:

    >>> import motives as mv
    >>> trend = {"rising": {"intercept": {"mean": 0, "sd": 0.5}, "slope": {"mean": 0.2, "sd": 0.05}},
    ...          "flat": {"intercept": {"mean": 1, "sd": 0.5}, "slope": {"mean": 0, "sd": 0.05}}}
    >>> case = mv.Case.model_validate({
    ...     "name": "trend", "hypotheses": [{"id": "rising"}, {"id": "flat"}],
    ...     "evidence": [{"id": "rhetoric", "kind": "timeline", "title": "Statements", "origin": 2000,
    ...                   "sigma": 0.8, "observations": [{"date": "2000", "code": 0}, {"date": "2010", "code": 2}],
    ...                   "trends": {"default": {"values": trend}}}]})
    >>> b = trend_bands(case, "rhetoric", years=[2000, 2010])
    >>> b[["ids", "year", "mean", "sd"]].round(3)
                    ids    year  mean     sd
    trend point
    0     0      rising  2000.0   0.0  0.500
          1      rising  2010.0   2.0  0.707
    1     0        flat  2000.0   1.0  0.500
          1        flat  2010.0   1.0  0.707
    >>> float((b["upper"] - b["mean"]).round(3).iloc[0])  # 1.645 sd: the 90% band
    0.822
    """
    import pandas as pd
    from scipy.stats import norm

    items = [e for e in case.evidence if isinstance(e, TimelineItem)]
    if not items:
        raise ValueError(f"case {case.name!r} has no timeline item")
    it = items[0] if item is None else case.item(item)
    if not isinstance(it, TimelineItem):
        raise ValueError(f"item {item!r} is a {it.kind} item, not a timeline")
    if not 0 < mass < 1:
        raise ValueError(f"mass must lie strictly between 0 and 1, got {mass!r}")
    lens_id = case.resolve_lens(lens)
    j, _ = case.judgement(it, lens_id)
    if years is None:
        t_obs = np.array([o.date.decimal_year for o in it.observations])
        grid = np.linspace(min(t_obs.min(), it.origin), t_obs.max() + 0.5, points)
    else:
        grid = np.atleast_1d(np.asarray(years, dtype=float))
    parent = it.bears_on if it.bears_on not in (None, "hypotheses") else None
    keys = case.hypothesis_ids if parent is None else list(case.proposition(parent).states)
    groups: dict[str, list[str]] = {}
    for h in keys:
        groups.setdefault(j.values[h].model_dump_json(), []).append(h)
    q = np.array([(1 - mass) / 2, (1 + mass) / 2])
    frames = []
    for k, hs in enumerate(groups.values()):
        w, m, s = _trend_mixture(j.values[hs[0]], grid, it.origin)
        mean = (w * m).sum(axis=0)
        sd = np.sqrt(np.maximum((w * (s**2 + m**2)).sum(axis=0) - mean**2, 0.0))
        lo, hi = (_mixture_quantile(w, m, s, p, norm) for p in q)
        frames.append(pd.DataFrame({"ids": ",".join(hs), "year": grid, "mean": mean, "sd": sd, "lower": lo,
                                    "upper": hi},
                                   index=pd.MultiIndex.from_arrays([np.full(len(grid), k), np.arange(len(grid))],
                                                                   names=["trend", "point"])))
    df = pd.concat(frames)
    df.attrs.update({"item": it.id, "lens": lens_id, "mass": float(mass), "sigma": float(it.sigma),
                     "origin": float(it.origin)})
    return df


def _trend_mixture(tr: Any, years: Array, origin: float) -> tuple[Array, Array, Array]:
    """(weights, means, sds), each (components, years): the trend line at ``years`` as a mixture of Normals."""
    step = getattr(tr, "step", None)
    if step is None:
        t = years - origin
        return (np.ones((1, len(years))), (tr.intercept.mean + tr.slope.mean * t)[None],
                np.sqrt(tr.intercept.sd**2 + (tr.slope.sd * t) ** 2)[None])
    breaks = [d.decimal_year for d in step.break_dates]
    after = np.mean([(years >= b).astype(float) for b in breaks], axis=0)  # share of breaks at or before each year
    ones = np.ones_like(years)
    return (np.stack([1 - after, after]), np.stack([step.before.mean * ones, step.after.mean * ones]),
            np.stack([step.before.sd * ones, step.after.sd * ones]))


def _mixture_quantile(w: Array, m: Array, s: Array, p: float, norm: Any) -> Array:
    """The ``p`` quantile of sum_k w_k N(m_k, s_k) at each column, by bisection of the CDF (s_k = 0: a point mass)."""
    if len(w) == 1:  # one Normal: closed form
        return m[0] + norm.ppf(p) * s[0]

    def cdf(x: Array) -> Array:
        with np.errstate(divide="ignore", invalid="ignore"):
            c = np.where(s > 0, norm.cdf((x - m) / np.where(s > 0, s, 1.0)), (x >= m).astype(float))
        return (w * c).sum(axis=0)

    live = w > 0
    lo = np.where(live, m - 40 * s, np.inf).min(axis=0) - 1.0
    hi = np.where(live, m + 40 * s, -np.inf).max(axis=0) + 1.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        below = cdf(mid) < p
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
        if np.all(hi - lo <= 1e-10 * np.maximum(1.0, np.abs(hi))):
            break
    return hi
