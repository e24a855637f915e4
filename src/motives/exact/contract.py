"""Variable elimination planned once per structure: the contraction every network goes through.

A case is a discrete Bayesian network with the hypotheses at its root. :func:`plan_elimination`
picks an order (greedy min-fill) and records, per step, which factors meet and what is summed out;
:func:`contract` runs the plan on log-factors with any leading scenario axes (one ``einsum`` per
step, in
probability space with every factor scaled to a maximum of 1, redone in log space where a product
underflows). On a tree the plan is bottom-up message passing.
"""

from __future__ import annotations

import functools
import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from motives.errors import CaseError, Problem

if TYPE_CHECKING:
    pass

from motives.exact._num import logsumexp, quiet_log

Array = NDArray[np.float64]

#: Largest intermediate table (cells, per scenario and reliability node) the elimination may build.
MAX_TABLE = 1 << 22


@dataclass(frozen=True)
class _Step:
    """Eliminate one variable: multiply the factors in ``inputs`` and sum ``var`` out."""

    var: int
    inputs: tuple[int, ...]  # factor slots
    union: tuple[int, ...]  # variables of the product, ``var`` last
    spec: tuple[
        tuple[int, ...], ...
    ]  # for each input, its variables' positions in ``union`` (einsum subscripts)


@dataclass(frozen=True)
class Plan:
    """Variable elimination for one structure, planned once.

    Which factors meet when each fact is summed out.

    Variables are 0 (the hypotheses, kept) and ``i + 1`` for proposition ``i``. Factor slots are one
    per proposition (its table times what its own items say), one per item of several parents, then
    one per step's result. ``order`` is a greedy min-fill order (on a tree: leaves first, so the
    plan is the bottom-up message passing of a tree). ``largest`` is the biggest product table a
    step builds.
    """

    card: tuple[int, ...]
    scopes: tuple[tuple[int, ...], ...]  # of the initial factors
    steps: tuple[_Step, ...]
    final: tuple[int, ...]  # slots left at the end (scope within the hypotheses)
    final_scopes: tuple[tuple[int, ...], ...]
    largest: int


def plan_elimination(
    card: list[int], scopes: list[tuple[int, ...]], names: list[str], max_table: int | None = None
) -> Plan:
    """Plan the elimination of every variable but 0 from factors with these scopes.

    Raises :class:`~motives.errors.CaseError` naming the facts of the largest table when a step
    would build a table of more than ``max_table`` cells (default :data:`MAX_TABLE`); the problem's
    record is the fact summed out (``names[v]``), so a case loaded from files puts its file and line
    on it (:meth:`motives.exact.CaseArrays.refusals_located`).

    Examples
    --------
    A chain h → a → b (cards 2, 3, 2): b goes first, then a.

    >>> p = plan_elimination([2, 3, 2], [(0, 1), (1, 2)], ["hypotheses", "a", "b"])
    >>> [s.var for s in p.steps], p.largest
    ([2, 1], 6)
    """
    limit = MAX_TABLE if max_table is None else max_table
    live: dict[int, tuple[int, ...]] = dict(enumerate(scopes))
    slots_of: dict[int, set[int]] = {}  # variable -> the live factors whose scope holds it
    for s, sc in live.items():
        for u in sc:
            slots_of.setdefault(u, set()).add(s)
    nxt = len(scopes)
    todo = {v for sc in scopes for v in sc if v != 0}
    steps, largest = [], 1

    def near(v: int) -> set[int]:
        return set().union(*[set(live[s]) for s in slots_of[v]]) - {v}

    def cost(v: int) -> tuple[int, int, int]:
        nb = sorted(near(v))
        size = math.prod(card[u] for u in nb)
        # fill-in: pairs of neighbours not yet sharing a factor
        fill = sum(
            1 for i, a in enumerate(nb) for b in nb[i + 1 :] if not slots_of[a] & slots_of[b]
        )
        return (fill, size, v)

    # Greedy min-fill with each variable's cost kept in a heap and recomputed only where an
    # elimination can change it (the eliminated variable's neighbours and theirs): the same order as
    # recomputing every cost at every step, without the cubic work (1,000 facts: 23 s of planning
    # before).
    current = {v: cost(v) for v in todo}
    heap = list(current.values())
    heapq.heapify(heap)
    while todo:
        c = heapq.heappop(heap)
        v = c[2]
        if v not in todo or current[v] != c:
            continue  # a stale entry
        ins = tuple(sorted(slots_of[v]))
        rest = sorted(set().union(*[set(live[s]) for s in ins]) - {v})
        union = (*rest, v)
        size = math.prod(card[u] for u in union)
        if size > limit:
            big = sorted((card[u], names[u]) for u in union)[::-1]
            raise CaseError(
                [
                    Problem(
                        "the network is too entangled to evaluate exactly: summing out "
                        f"'{names[v]}' needs a table over "
                        + ", ".join(f"'{n}' ({c} values)" for c, n in big[:12])
                        + (" ..." if len(big) > 12 else "")
                        + f" = {size:,} cells, more than the limit of {limit:,}. Give these facts "
                        "fewer parents or "
                        "states, or split the argument into parts that share fewer facts",
                        item=names[v],
                        kind="proposition",
                    )
                ]
            )
        largest = max(largest, size)
        spec = tuple(tuple(union.index(u) for u in live[s]) for s in ins)
        steps.append(_Step(var=v, inputs=ins, union=union, spec=spec))
        for s in ins:
            for u in live[s]:
                slots_of[u].discard(s)
            del live[s]
        live[nxt] = tuple(rest)
        for u in rest:
            slots_of[u].add(nxt)
        nxt += 1
        todo.discard(v)
        touched = set(rest).union(*[near(u) for u in rest if u != 0]) & todo
        for u in touched:
            cu = cost(u)
            if cu != current[u]:
                current[u] = cu
                heapq.heappush(heap, cu)
    final = tuple(sorted(live))
    return Plan(
        card=tuple(card),
        scopes=tuple(scopes),
        steps=tuple(steps),
        final=final,
        final_scopes=tuple(live[s] for s in final),
        largest=largest,
    )


def structure_plan(
    n_hypotheses: int,
    propositions: Sequence[Any],
    joint: Sequence[Any] = (),
    *,
    hypotheses: bool = True,
) -> Plan:
    """The plan of a compiled structure.

    One factor per fact (its parents and itself), one per item of several parents.

    ``propositions`` and ``joint`` are any records with ``parents`` (-1 the hypotheses, else a
    proposition's index), and for propositions ``states`` and ``id`` — the exact engine's and the
    models' inputs alike, so both eliminate in one order. ``hypotheses=False`` leaves the hypotheses
    out of every scope (the mixture model, whose tables are mixed over the hypotheses first).

    Examples
    --------
    >>> from types import SimpleNamespace as N
    >>> facts = [
    ...     N(id="quake", parents=(), states=["y", "n"]),
    ...     N(id="alarm", parents=(-1, 0), states=["y", "n"]),
    ... ]
    >>> [s.var for s in structure_plan(2, facts).steps]
    [1, 2]
    """
    card = [n_hypotheses] + [len(p.states) for p in propositions]
    scopes = [(*[q + 1 for q in p.parents], i + 1) for i, p in enumerate(propositions)]
    scopes += [tuple(q + 1 for q in j.parents) for j in joint]
    if not hypotheses:
        scopes = [tuple(v for v in sc if v != 0) for sc in scopes]
    return plan_elimination(card, scopes, ["hypotheses"] + [p.id for p in propositions])


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


@functools.lru_cache(maxsize=4096)
def _subscripts(spec: tuple[tuple[int, ...], ...], n: int) -> str:
    """Einsum subscripts with a leading ellipsis (scenarios, reliability nodes).

    Inputs -> their union minus the last.
    """
    return (
        ",".join("..." + "".join(_LETTERS[i] for i in sc) for sc in spec)
        + "->..."
        + _LETTERS[: n - 1]
    )


def contract(
    plan: Plan, factors: list[Array], scaled: tuple[list[Any], list[Any]] | None = None
) -> Array:
    """Run a plan on log-factors (batch axes first, then one axis per variable of the scope).

    Each step works in probability space with every input scaled to a maximum of 1 (its log scale
    carried beside it), one ``einsum`` per step; where a step's result has a 0 that the supports of
    its inputs do not explain (underflow of a product of very small numbers), the step is redone in
    log space. Returns log of the product of what is left, over the hypotheses (batch axes, then K;
    constant over K if the hypotheses never enter).

    Examples
    --------
    >>> import numpy as np
    >>> p = plan_elimination([2, 2], [(0, 1), (1,)], ["hypotheses", "a"])
    >>> T = np.log([[0.9, 0.1], [0.2, 0.8]])  # P(a | h)
    >>> m = np.log([0.5, 0.01])  # P(E | a)
    >>> np.exp(contract(p, [T, m])).round(4)  # Σ_a P(a | h) P(E | a)
    array([0.451, 0.108])
    """
    K = plan.card[0]
    probs, scales = scale_factors(plan, factors) if scaled is None else scaled
    probs, scales = list(probs), list(scales)
    for st in plan.steps:
        ps = [probs[i] for i in st.inputs]
        n = len(st.union)
        out = np.einsum(_subscripts(st.spec, n), *ps)
        scale = functools.reduce(np.add, [scales[i] for i in st.inputs])
        if not out.all():
            support = np.einsum(_subscripts(st.spec, n), *[(p > 0).astype(float) for p in ps])
            if ((out == 0) & (support > 0)).any():  # underflow: this step again, in log space
                logs = [
                    quiet_log(p) + s.reshape(s.shape + (1,) * (p.ndim - s.ndim))
                    for p, s in zip(ps, [scales[i] for i in st.inputs], strict=True)
                ]
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
        lp = quiet_log(probs[slot]) + s.reshape(s.shape + (1,) * len(sc))
        total = total + (lp if sc else lp[..., None])
    return (
        np.broadcast_to(total, np.shape(total)[:-1] + (K,))
        if np.ndim(total)
        else np.zeros(K) + total
    )


def scale_factors(plan: Plan, factors: list[Array]) -> tuple[list[Any], list[Any]]:
    """The factors as :func:`contract` starts from them.

    Probabilities scaled to a maximum of 1, and the log scales.

    ``contract(plan, factors, scaled=scale_factors(plan, factors))`` is ``contract(plan, factors)``;
    the engine keeps this for a case's own tables, so a repeated single query starts from it.

    Examples
    --------
    >>> import numpy as np
    >>> p = plan_elimination([2, 2], [(0, 1), (1,)], ["hypotheses", "a"])
    >>> probs, scales = scale_factors(p, [np.log([[0.9, 0.1], [0.2, 0.8]]), np.log([0.5, 0.01])])
    >>> probs[1], np.exp(scales[1]).round(4)
    (array([1.  , 0.02]), np.float64(0.5))
    """
    probs: list[Any] = []
    scales: list[Any] = []
    for f, sc in zip(factors, plan.scopes, strict=True):
        p, s = _scaled(f, len(sc))
        probs.append(p)
        scales.append(s)
    return probs, scales


def _scaled(logf: Array, nvars: int) -> tuple[Array, Array]:
    """exp(f − m) and m, m the maximum over the last ``nvars`` axes.

    m is 0 where every entry is −inf.
    """
    logf = np.asarray(logf, dtype=float)
    if nvars == 0:
        m = np.where(np.isfinite(logf), logf, 0.0)
        with np.errstate(invalid="ignore"):
            return np.exp(logf - m), m
    m = logf.max(axis=tuple(range(-nvars, 0)))
    m = np.where(np.isfinite(m), m, 0.0)
    return np.exp(logf - m.reshape(m.shape + (1,) * nvars)), m


def _scaled_prob(p: Array, nvars: int) -> tuple[Array, Array]:
    """Divide by the maximum over the last ``nvars`` axes, returned as a log too.

    Where the maximum is 0 the entries stay as they are.
    """
    if nvars == 0:
        m = np.where(p > 0, p, 1.0)
        return p / m, np.log(m)  # m > 0: no warning to silence
    m = p.max(axis=tuple(range(-nvars, 0)))
    m = np.where(m > 0, m, 1.0)
    return p / m.reshape(m.shape + (1,) * nvars), np.log(m)


def _log_step(logs: list[Array], spec: tuple[tuple[int, ...], ...], n: int) -> Array:
    """One elimination step in log space.

    Broadcast sum over the union, log-sum-exp over its last axis.
    """
    total: Any = 0.0
    for lf, sc in zip(logs, spec, strict=True):
        nb = lf.ndim - len(sc)
        order = [int(o) for o in np.argsort(sc)]
        lf = np.transpose(lf, list(range(nb)) + [nb + o for o in order])
        full = [1] * n
        for k, o in enumerate(order):
            full[sc[o]] = lf.shape[nb + k]
        total = total + lf.reshape(list(lf.shape[:nb]) + full)
    return logsumexp(total, axis=-1)


@dataclass(frozen=True)
class Outsides:
    """Every slot's value and its outside message, from one upward and one downward pass.

    ``value[s]``: log of slot ``s``'s table (an initial factor, or a step's result), shape (batch,
    scope...); ``outside[s]``: log of everything else summed over every variable but slot ``s``'s
    and the hypotheses, shape (batch, oscope...) with ``oscope[s]`` its scope with the hypotheses
    (variable 0) added, sorted. So log Σ exp(value[s] + outside[s]), summed over every variable but
    the hypotheses, is the contraction for every slot, and replacing slot ``s``'s table by another
    t gives log Σ exp(t + outside[s]): the contraction with one factor (or, for a step's result,
    every initial factor below it, ``leaves[s]``) changed, at no further elimination. ``total``:
    the contraction, (batch, K).
    """

    value: list[Array]
    outside: list[Array]
    scope: list[tuple[int, ...]]
    oscope: list[tuple[int, ...]]
    leaves: list[frozenset[int]]
    total: Array


def log_product_sum(
    terms: Sequence[tuple[Array, tuple[int, ...]]], out: tuple[int, ...], card: Sequence[int]
) -> Array:
    """Log Σ over every variable not in ``out`` of Π exp(terms), shape (batch, out...).

    Each term is (log-table with one leading batch axis, its variables); a variable of ``out`` no
    term holds is broadcast to its cardinality. In log space (a broadcast sum, then log-sum-exp
    over the summed axes), so a product of tiny numbers does not underflow and a zero stays exact.
    """
    union = sorted(set(out).union(*[set(sc) for _, sc in terms]))
    pos = {u: i for i, u in enumerate(union)}
    total: Any = 0.0
    for lf, sc in terms:
        order = sorted(range(len(sc)), key=lambda k: pos[sc[k]])
        lf = np.transpose(lf, [0] + [1 + k for k in order])
        full = [1] * len(union)
        for k in order:
            full[pos[sc[k]]] = lf.shape[1 + order.index(k)]
        total = total + lf.reshape([lf.shape[0], *full])
    total = np.asarray(total, dtype=float)
    if total.ndim == 0:
        total = total.reshape((1,) * (1 + len(union)))
    gone = tuple(1 + pos[u] for u in union if u not in out)
    if gone:
        total = logsumexp(total, axis=gone)  # type: ignore[arg-type]  # scipy accepts a tuple
    kept = [u for u in union if u in out]
    total = np.transpose(total, [0] + [1 + kept.index(u) for u in out])
    return np.broadcast_to(total, (total.shape[0], *[card[u] for u in out]))


def _leave_one_out(terms: list[Array]) -> list[Array]:
    """Per term, the sum of the others (log space), by prefix and suffix sums.

    No subtraction: a term of -inf (a zero) leaves the others' sum defined.
    """
    n = len(terms)
    pre: list[Any] = [0.0] * (n + 1)
    suf: list[Any] = [0.0] * (n + 1)
    for i in range(n):
        pre[i + 1] = pre[i] + terms[i]
        suf[n - 1 - i] = suf[n - i] + terms[n - 1 - i]
    return [pre[i] + suf[i + 1] for i in range(n)]


def outsides(plan: Plan, factors: list[Array]) -> Outsides:
    """Run a plan upward, then downward: every slot's value and outside message (log space).

    ``factors``: log-factors with one leading batch axis (1 or a number of reliability nodes), then
    one axis per variable of the slot's scope, as for :func:`contract`. One pass up and one down
    cost a few contractions' worth of cells, however many slots are asked about: this is the
    leave-one-out of every factor (and of every subtree of the elimination) at once, the outside
    (or backward) messages of sum-product message passing. Hand-written because no library here
    runs message passing on log-factors with a batch axis and a variable that is never summed.

    Examples
    --------
    A chain h → a with evidence m on a: a's outside is P(a | h), and Σ_a m(a) outside(a) is the
    contraction.

    >>> import numpy as np
    >>> p = plan_elimination([2, 2], [(0, 1), (1,)], ["hypotheses", "a"])
    >>> T = np.log([[[0.9, 0.1], [0.2, 0.8]]])
    >>> m = np.log([[0.5, 0.01]])
    >>> o = outsides(p, [T, m])
    >>> np.exp(o.outside[1]).round(4)  # (batch, h, a)
    array([[[0.9, 0.1],
            [0.2, 0.8]]])
    >>> np.exp(o.total).round(4)
    array([[0.451, 0.108]])
    """
    card = plan.card
    K = card[0]
    value: list[Array] = [np.asarray(f, dtype=float) for f in factors]
    scope: list[tuple[int, ...]] = [tuple(sc) for sc in plan.scopes]
    leaves: list[frozenset[int]] = [frozenset([s]) for s in range(len(factors))]
    for st in plan.steps:
        terms = [(value[i], scope[i]) for i in st.inputs]
        value.append(log_product_sum(terms, st.union[:-1], card))
        scope.append(tuple(st.union[:-1]))
        leaves.append(frozenset().union(*[leaves[i] for i in st.inputs]))
    oscope = [tuple(sorted(set(sc) | {0})) for sc in scope]
    outside: list[Any] = [None] * len(value)
    finals = [
        log_product_sum([(value[s], scope[s])], (0,), card) for s in plan.final
    ]  # each (batch, K)
    total = functools.reduce(np.add, finals, np.zeros((1, K)))
    for s, rest in zip(plan.final, _leave_one_out(finals), strict=True):
        outside[s] = log_product_sum([(np.asarray(rest + np.zeros((1, K))), (0,))], oscope[s], card)
    for k in range(len(plan.steps) - 1, -1, -1):
        st = plan.steps[k]
        r = len(factors) + k
        ins = list(st.inputs)
        ext = tuple(sorted(set(st.union) | {0}))
        # each input on the step's union (with the hypotheses), so the others' sum is a prefix and
        # a suffix
        on_union = [log_product_sum([(value[i], scope[i])], ext, card) for i in ins]
        w = log_product_sum([(outside[r], oscope[r])], ext, card)
        for i, others in zip(ins, _leave_one_out(on_union), strict=True):
            outside[i] = log_product_sum([(w + others, ext)], oscope[i], card)
    return Outsides(value, outside, scope, oscope, leaves, total)
