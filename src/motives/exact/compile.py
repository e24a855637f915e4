"""A case under one lens compiled to arrays (:class:`CaseArrays`), and the per-case cache of them.

The arrays hold the direct items, the propositions with their tables and items, the items of several
parents and the sources of uncertain reliability.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from motives.schema import Case, LikelihoodItem, QuantityItem, TimelineItem

if TYPE_CHECKING:
    pass

from motives.exact._num import quiet_log
from motives.exact.contract import Plan, structure_plan
from motives.exact.kinds import other_kind_loglik

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
        x, w = jacobi_nodes(self.mean, self.concentration, len(self.index) // 2 + 1)
        return x.copy(), w.copy()


@functools.lru_cache(maxsize=1024)
def jacobi_nodes(mean: float, concentration: float | None, n: int) -> tuple[Array, Array]:
    """``n`` Gauss–Jacobi nodes for ρ ~ Beta(mean, concentration), cached: hot in sweeps."""
    if concentration is None:
        x, w = np.array([mean]), np.array([1.0])
    else:
        from motives.numeric import beta_nodes

        x, w = beta_nodes(mean, concentration, n)
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
    parents
        For each parent in order, the index of the parent proposition in
        :attr:`CaseArrays.propositions`, or
        -1 for the hypotheses; empty for a root fact. (:attr:`parent` is the one parent of a tree's
        node.)
    cards
        The number of values of each parent.
    observed
        The index of the observed state, or -1.
    table
        P(state | parent configuration) means, shape (V, S): V the parent configurations, nested in
        order (the first parent's value outermost); one row for a root fact.
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
        """The one parent (-1 the hypotheses, else a proposition index).

        An error for a root or several parents.
        """
        if len(self.parents) != 1:
            raise ValueError(
                f"proposition '{self.id}' has {len(self.parents)} parents; this analysis reads one "
                "parent per proposition (use .parents)"
            )
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
    #: Puts the file and line of the record each names on problems (the case's, when it was loaded
    #: from files: :func:`motives.located.where_defined`); copied by ``dataclasses.replace``, so a
    #: refusal the engine raises later (the reliability grid, the elimination plan) of a case's
    #: arrays or of a part of them is located too.
    where: Callable[[list[Any]], list[Any]] | None = field(default=None, repr=False, compare=False)
    #: What the engine derives from these (immutable) arrays alone, kept for the next call: the
    #: reliability grid and the log-factors of the case's own tables
    #: (``likelihood._structure_loglik``). Not copied by ``dataclasses.replace``: other numbers
    #: start an empty memo.
    _memo: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def structured(self) -> bool:
        """True when the case has propositions."""
        return bool(self.propositions)

    @property
    def network(self) -> bool:
        """True when a fact has no parent or several, or an item several parents (not a tree)."""
        return bool(self.joint) or any(len(p.parents) != 1 for p in self.propositions)

    @functools.cached_property
    def plan(self) -> Plan:
        """The structure's elimination plan (:func:`motives.exact.contract.structure_plan`)."""
        with self.refusals_located():
            return structure_plan(len(self.hypotheses), self.propositions, self.joint)

    @contextlib.contextmanager
    def refusals_located(self) -> Iterator[None]:
        """Raise a :class:`~motives.errors.CaseError` escaping the block with its problems located.

        By ``where`` (unchanged without it).
        """
        from motives.errors import CaseError

        try:
            yield
        except CaseError as exc:
            located = self.where(exc.problems) if self.where is not None else exc.problems
            if located == exc.problems:
                raise
            raise CaseError(located) from None

    @property
    def proposition_ids(self) -> list[str]:
        """Proposition ids, parents before children."""
        return [p.id for p in self.propositions]

    @property
    def structured_items(self) -> list[str]:
        """Items that bear on propositions, then joint items.

        Per proposition: its likelihood items, then its other items.
        """
        return [e for p in self.propositions for e in p.items + p.other_items] + [
            j.id for j in self.joint
        ]

    @functools.cached_property
    def _group_plan(self) -> _GroupPlan:
        grouped = np.zeros(self.lam.shape[0], dtype=bool)
        if len(
            self.direct_source
        ):  # direct items of sources integrated with the structure: not here
            grouped[self.direct_source >= 0] = True
        single: list[Any] = []
        single_x: list[Any] = []
        by_q: dict[Any, Any] = {}
        for g in self.groups:
            grouped[g.index] = True
            x, w = jacobi_nodes(g.mean, g.concentration, len(g.index) // 2 + 1)
            if len(x) == 1:
                single.extend(int(i) for i in g.index)
                single_x.extend([float(x[0])] * len(g.index))
            else:
                by_q.setdefault(len(x), []).append((g, x, w))
        buckets = []
        for _q, gs in sorted(by_q.items()):
            buckets.append(
                _Bucket(
                    item=np.concatenate([g.index for g, _, _ in gs]).astype(np.intp),
                    start=np.cumsum([0] + [len(g.index) for g, _, _ in gs[:-1]]).astype(np.intp),
                    x=np.concatenate(
                        [np.repeat(x[:, None], len(g.index), axis=1) for g, x, _ in gs], axis=1
                    ),
                    logw=np.stack([quiet_log(w) for _, _, w in gs], axis=1),
                )
            )
        free = np.flatnonzero(~grouped)
        return _GroupPlan(
            simple=np.concatenate([free, np.array(single, dtype=np.intp)]).astype(np.intp),
            n_free=len(free),
            simple_x=np.array(single_x, dtype=float),
            buckets=tuple(buckets),
        )

    @property
    def all_items(self) -> list[str]:
        """Likelihood items, then timeline/quantity items."""
        return self.items + self.other_items

    def without(self, drop: list[str]) -> CaseArrays:
        """The same arrays with some items left out, or propositions with everything under them."""
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
    """:meth:`CaseArrays.without` for a structured case: a dropped proposition takes its subtree."""
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
        props.append(
            replace(
                pa,
                parents=tuple(remap[q] for q in pa.parents),
                items=[pa.items[j] for j in ki],
                lam=pa.lam[ki],
                base=pa.base[ki],
                source=pa.source[ki],
                other_items=[pa.other_items[j] for j in ko],
                other_loglik=pa.other_loglik[ko],
            )
        )
    flat = replace(arr, propositions=(), direct_source=np.zeros(0, dtype=np.intp)).without(
        sorted(drop)
    )
    keep_d = [i for i, e in enumerate(arr.items) if e not in drop]
    joint = tuple(
        replace(j, parents=tuple(remap[q] for q in j.parents))
        for j in arr.joint
        if j.id not in drop and not set(j.parents) & gone
    )
    return replace(
        flat,
        propositions=tuple(props),
        sources_in_structure=arr.sources_in_structure,
        direct_source=arr.direct_source[keep_d],
        joint=joint,
    )


def reliability_of(case: Case, key: str | None) -> tuple[float, float | None] | None:
    """(mean, concentration) of a source's reliability, None for reports taken at face value."""
    src = case.source(key) if key is not None else None
    rel = src.reliability if src is not None else None
    if rel is None or (rel.concentration is None and rel.mean == 1.0):
        return None
    return rel.mean, rel.concentration


def _check_nodes(key: str, n_items: int, concentration: float | None, n_hyp: int = 1) -> None:
    """Refuse a source whose exact integration would exceed the stated node or memory bounds.

    The refusal is a located problem.
    """
    from motives.errors import CaseError, Problem
    from motives.numeric import source_refusal

    msg = source_refusal(n_items, concentration, n_hyp)
    if msg:
        raise CaseError([Problem(msg, item=key, kind="source", field="reliability")])


def compile_case(case: Case, lens: str | None = None) -> CaseArrays:
    """Compile a case under a lens into :class:`CaseArrays`.

    A refusal of one of its records (a source past the node limit, an item whose likelihood
    overflows) names the file and line of the record when the case was loaded from files
    (:func:`motives.located.refusals_located`).

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
    from motives.located import locator, refusals_located

    with refusals_located(case):
        arr = _compile(case, lens)
    where = locator(case)
    return arr if where is None else replace(arr, where=where)


def _compile(case: Case, lens: str | None) -> CaseArrays:
    """:func:`compile_case`'s work."""
    lens = case.resolve_lens(lens)
    H = case.hypothesis_ids
    items: list[str] = []
    rows: list[Any] = []
    base: list[Any] = []
    other: list[Any] = []
    other_ll: list[Any] = []
    by_source: dict[str, list[int]] = {}
    structured_sources: set[str] = {
        e.reported_by
        for e in case.evidence
        if e.parents != ("hypotheses",)
        and isinstance(e, LikelihoodItem)
        and e.reported_by is not None
        and reliability_of(case, e.reported_by) is not None
    }
    direct_source: list[int] = []
    in_structure: list[str] = sorted(
        structured_sources, key=lambda k: [s.key for s in case.sources].index(k)
    )
    for e in case.evidence:
        if e.parents != ("hypotheses",):
            continue
        j, _ = case.judgement(e, lens)
        if isinstance(e, LikelihoodItem):
            if e.reported_by is not None:
                by_source.setdefault(e.reported_by, []).append(len(items))
            direct_source.append(
                in_structure.index(e.reported_by) if e.reported_by in structured_sources else -1
            )
            items.append(e.id)
            rows.append([j.values[h].mean for h in H])
            base.append(np.nan if e.base_rate is None else e.base_rate)
        elif isinstance(e, TimelineItem | QuantityItem):
            other.append(e.id)
            other_ll.append(other_kind_loglik(e, j, H))
    groups = []
    for key, idx in by_source.items():
        rel = reliability_of(case, key)
        if rel is None or key in structured_sources:
            continue
        _check_nodes(key, len(idx), rel[1], len(H))
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


def _compile_structure(
    case: Case, arr: CaseArrays, lens: str, in_structure: list[str], direct_source: NDArray[np.intp]
) -> CaseArrays:
    """Add the propositions, their in-structure sources and the joint items to ``arr``."""
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
                src.append(
                    in_structure.index(e.reported_by) if e.reported_by in in_structure else -1
                )
            else:
                oth.append(e.id)
                oll.append(other_kind_loglik(e, je, prop.states))
        S = len(prop.states)
        parents = tuple(-1 if b == "hypotheses" else order.index(b) for b in prop.parents)
        props.append(
            PropArrays(
                id=pid,
                parents=parents,
                cards=tuple(
                    len(arr.hypotheses) if q < 0 else len(case.proposition(order[q]).states)
                    for q in parents
                ),
                observed=-1 if prop.observed is None else prop.states.index(prop.observed),
                states=list(prop.states),
                table=np.array([r[0] for r in rows], dtype=float),
                concentration=np.array(
                    [np.nan if r[1] is None else r[1] for r in rows], dtype=float
                ),
                items=its,
                lam=np.array(lam, dtype=float).reshape(len(its), S),
                base=np.array(base, dtype=float),
                source=np.array(src, dtype=np.intp),
                other_items=oth,
                other_loglik=np.array(oll, dtype=float).reshape(len(oth), S),
            )
        )
    sources = []
    for key in in_structure:
        mean, conc = reliability_of(case, key)  # type: ignore[misc]
        n = sum(1 for e in case.evidence if e.reported_by == key and isinstance(e, LikelihoodItem))
        sources.append(SourceGroup(key, np.arange(n, dtype=np.intp), mean, conc))
    joint = []
    for e in case.evidence:
        if len(e.parents) > 1 and isinstance(e, LikelihoodItem):
            je, _ = case.judgement(e, lens)
            joint.append(
                JointItem(
                    id=e.id,
                    parents=tuple(-1 if b == "hypotheses" else order.index(b) for b in e.parents),
                    lam=np.array(
                        [je.values[v].mean for v in case.parent_values(e.parents)], dtype=float
                    ),
                    base=np.nan if e.base_rate is None else float(e.base_rate),
                    source=in_structure.index(e.reported_by)
                    if e.reported_by in in_structure
                    else -1,
                )
            )
    return replace(
        arr,
        propositions=tuple(props),
        sources_in_structure=tuple(sources),
        direct_source=direct_source,
        joint=tuple(joint),
    )


@dataclass(frozen=True)
class JointItem:
    """A likelihood item with several parents: P(E | parent configuration), flat in nested order."""

    id: str
    parents: tuple[int, ...]  # variables: 0 the hypotheses, i + 1 proposition i
    lam: Array  # (V,)
    base: float  # NaN: the row mean
    source: int  # index in CaseArrays.sources_in_structure, or -1


# One entry per live case object: its compiled arrays per lens and the index of its posterior
# tables. A Case is frozen, so what it compiles to cannot change while it lives; entries go with the
# case.
_CACHE: dict[int, tuple[Any, dict[Any, Any]]] = {}


def cache_of(case: Case) -> dict[Any, Any]:
    """The memo of results kept for ``case`` while the case object lives.

    It is dropped when the case is collected.
    """
    import weakref

    key = id(case)
    entry: Any = _CACHE.get(key)
    if entry is None or entry[0]() is not case:

        def forget(_ref: Any, key: int = key) -> None:
            _CACHE.pop(key, None)

        entry = (weakref.ref(case, forget), {})
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
    cache = cache_of(case)
    arr = cache.get(("arrays", lens))
    if arr is None:
        arr = cache[("arrays", lens)] = compile_case(case, lens)
    return arr
