"""P(parent configuration | h) of any node, without evidence.

A contraction of its ancestors' tables only.

Without evidence every fact that is not an ancestor of the node's parents sums out (its table sums
to 1), so the prior-predictive distribution of a configuration of the parents given the hypotheses
is the product of the ancestors' tables times an indicator of that configuration, contracted with
the elimination machinery of
:mod:`motives.exact.contract`. The indicator carries a leading axis, one slot per configuration, so
every
configuration comes out of one contraction; proposition tables may carry leading scenario axes too.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from motives.exact._num import quiet_log
from motives.exact.compile import CaseArrays
from motives.exact.contract import Plan, contract, plan_elimination

Array = NDArray[np.float64]


@functools.lru_cache(maxsize=256)
def _plan(
    card: tuple[int, ...], scopes: tuple[tuple[int, ...], ...], names: tuple[str, ...]
) -> Plan:
    return plan_elimination(list(card), list(scopes), list(names))


def ancestor_indices(arr: CaseArrays, nodes: Sequence[int]) -> list[int]:
    """Proposition indices of ``nodes`` and all their ancestors, sorted.

    An index is -1 for the hypotheses, else a proposition's.

    Examples
    --------
    >>> import motives as mv
    >>> from motives.exact import compile_case
    >>> arr = compile_case(mv.examples.load("burglary"))
    >>> ancestor_indices(arr, [0]), ancestor_indices(arr, [-1])
    ([0], [])
    """
    todo = [q for q in nodes if q >= 0]
    seen: set[int] = set()
    while todo:
        q = todo.pop()
        if q not in seen:
            seen.add(q)
            todo += [r for r in arr.propositions[q].parents if r >= 0]
    return sorted(seen)


def config_marginals(
    arr: CaseArrays, nodes: Sequence[int], tables: Mapping[str, ArrayLike] | None = None
) -> Array:
    """P(configuration of ``nodes`` | h) without evidence, shape (..., K, V).

    V is flat in nested order.

    Parameters
    ----------
    arr
        The compiled case.
    nodes
        Variables in order: -1 the hypotheses, ``i`` proposition ``i`` of
        :attr:`CaseArrays.propositions`
        (as :attr:`PropArrays.parents`); the configurations are flat with the first node outermost,
        as a table's rows.
    tables
        Proposition id -> P(state | parent value), shape (..., V_p, S); leading axes are scenarios.

    Examples
    --------
    The burglary case: P(at the scene | h) is the table itself (its one parent is the hypotheses).

    >>> import motives as mv
    >>> from motives.exact import compile_case
    >>> arr = compile_case(mv.examples.load("burglary"))
    >>> config_marginals(arr, [0]).round(4)
    array([[0.8, 0.2],
           [0.1, 0.9]])
    >>> config_marginals(arr, [-1]).round(4)  # the hypotheses themselves: the identity
    array([[1., 0.],
           [0., 1.]])
    """
    tables = tables or {}
    props = arr.propositions
    K = len(arr.hypotheses)
    nodes = [int(q) for q in nodes]
    cards = [K if q < 0 else len(props[q].states) for q in nodes]
    V = math.prod(cards)
    anc = ancestor_indices(arr, nodes)
    card = (K, *[len(p.states) for p in props])
    scopes: list[tuple[int, ...]] = []
    factors = []
    lead: tuple[int, ...] = ()
    for i in anc:
        pa = props[i]
        T = np.asarray(tables[pa.id], dtype=float) if pa.id in tables else pa.table
        if T.shape[-2:] != pa.table.shape:
            raise ValueError(f"tables['{pa.id}'] must end in shape {pa.table.shape}, got {T.shape}")
        lead = np.broadcast_shapes(lead, T.shape[:-2])
        lt = quiet_log(T).reshape(
            T.shape[:-2] + (1,) + pa.cards + (len(pa.states),)
        )  # (..., 1 (V axis), vars)
        scopes.append((*[q + 1 for q in pa.parents], i + 1))
        factors.append(lt)
    # the indicator: one slot per configuration along its leading axis, over the distinct variables
    # of nodes
    var = [q + 1 for q in nodes]
    uniq = sorted(set(var))
    ind = np.zeros((V,) + tuple(card[u] for u in uniq))
    for v, cfg in enumerate(np.ndindex(*cards)):
        at = dict.fromkeys(uniq, -1)
        ok = True
        for u, x in zip(var, cfg, strict=True):
            if at[u] not in (-1, x):
                ok = False
            at[u] = x
        if ok:
            ind[(v, *[at[u] for u in uniq])] = 1.0
    scopes.append(tuple(uniq))
    factors.append(quiet_log(ind))
    names = ("hypotheses", *[p.id for p in props])
    with arr.refusals_located():  # a refusal names a fact: where it is written
        plan = _plan(card, tuple(scopes), names)
    out = contract(plan, factors)  # (..., V, K)
    with np.errstate(under="ignore"):
        p = np.exp(out)
    p = np.broadcast_to(p, lead + (V, K)) if lead else p
    return np.swapaxes(p, -1, -2)


def implied_tables(
    arr: CaseArrays, tables: Mapping[str, ArrayLike] | None = None
) -> dict[str, Array]:
    """P(state | h) of every proposition without evidence, {id: (..., K, S)}.

    Examples
    --------
    >>> import motives as mv
    >>> from motives.exact import compile_case
    >>> arr = compile_case(mv.examples.load("burglary"))
    >>> implied_tables(arr)["had_motive"].round(4)
    array([[0.7, 0.3],
           [0.2, 0.8]])
    """
    return {pa.id: config_marginals(arr, [i], tables) for i, pa in enumerate(arr.propositions)}
