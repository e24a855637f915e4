"""Structured cases in the scenario machinery.

Every item (direct or under a proposition) and every table.

A flat case's items are ``arr.all_items`` (likelihood items, then timeline
and quantity items). A structured case adds, proposition by proposition
(parents first), the likelihood items and then the timeline/quantity items
bearing on each: :func:`every_item`. The analyses that perturb "inputs"
(tornado, break-even, cruxes) also perturb each proposition's table
P(state | parent value): the inputs are :func:`every_item` followed by
:attr:`CaseArrays.proposition_ids`.

Items of several parents (``arr.joint``) come after the items under propositions.
"Below a proposition" means below it in the network (:func:`descendants`).

Scenarios reach the engine through :func:`motives.exact.loglik`'s ``plam=``
(item means under a proposition), ``jlam=`` (items of several parents) and
``tables=`` (proposition tables), which
broadcast over leading scenario axes. What the engine cannot take per
scenario -- leaving an item out (``keep``) and the log densities of timeline
and quantity items under a proposition (``pother``) -- is evaluated one
scenario at a time on :meth:`CaseArrays.without` / replaced arrays (exact,
just slower).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from motives.exact import CaseArrays, config_marginals, loglik, logsumexp, quiet_log

Array = np.ndarray


def every_item(arr: CaseArrays) -> list[str]:
    """Every item of the case.

    ``arr.all_items``, then the items under each proposition (parents first).

    Examples
    --------
    >>> import motives as mv
    >>> from motives.exact import compile_case
    >>> every_item(compile_case(mv.examples.load("burglary")))[:4]
    ['neighbour_saw_suspect', 'phone_near_scene', 'fibres_match', 'dispute_with_owner']
    """
    return arr.all_items + arr.structured_items


def node_name(arr: CaseArrays, q: int) -> str:
    """The id of variable ``q`` of a parents tuple.

    ``hypotheses`` for -1, else the proposition's id.
    """
    return "hypotheses" if q < 0 else arr.propositions[q].id


def joint_label(arr: CaseArrays, parents: tuple[int, ...]) -> str:
    """The parents of an item of several parents as one label, ids joined by ``+`` (``f0+f1``)."""
    return "+".join(node_name(arr, q) for q in parents)


def item_props(arr: CaseArrays) -> list[str]:
    """For each item of :func:`every_item`, the proposition it bears on (``""`` for the hypotheses).

    An item of several parents gets its parents joined by ``+`` (:func:`joint_label`).
    """
    return (
        [""] * len(arr.all_items)
        + [p.id for p in arr.propositions for _ in p.items + p.other_items]
        + [joint_label(arr, j.parents) for j in arr.joint]
    )


def implied(arr: CaseArrays, tables: Mapping[str, Array] | None = None) -> dict[str, Array]:
    """P(state | h) of every proposition without evidence, {id: (K, S)}.

    Through the chain of table means on a tree; on a network a contraction of the ancestors' tables
    (:func:`motives.exact.config_marginals`).
    """
    tables = tables or {}
    if arr.network:
        return {pa.id: config_marginals(arr, [i], tables) for i, pa in enumerate(arr.propositions)}
    out: list[Array] = []
    for pa in arr.propositions:
        T = np.asarray(tables.get(pa.id, pa.table), dtype=float)
        out.append(T if pa.parent < 0 else out[pa.parent] @ T)
    return {pa.id: m for pa, m in zip(arr.propositions, out, strict=True)}


def _effective(lam: Array, base: float, g: Any) -> Array:
    b = lam.mean() if np.isnan(base) else base
    return g.mean * lam + (1 - g.mean) * b


def structured_item_logliks(arr: CaseArrays) -> Array:
    """Log P(E_e | h) of each item under a proposition alone, through the chain, (n, K).

    The reliability is taken at its mean.

    An item alone sees its parents' prior-predictive distribution given h: P(E_e | h) =
    sum over its parents' configurations v of P(v | h) P(E_e | v); the observations of facts are
    other evidence and do not enter.
    """
    imp = implied(arr)
    rows = []
    for pa in arr.propositions:
        m = imp[pa.id]  # (K, S)
        lam = pa.lam.copy()
        for j in range(len(pa.items)):
            if pa.source[j] >= 0:
                lam[j] = _effective(pa.lam[j], pa.base[j], arr.sources_in_structure[pa.source[j]])
        rows += [quiet_log(m @ lam[j]) for j in range(len(pa.items))]
        rows += [
            logsumexp(quiet_log(m) + pa.other_loglik[j][None, :], axis=-1)
            for j in range(len(pa.other_items))
        ]
    for jt in arr.joint:
        lam = (
            jt.lam
            if jt.source < 0
            else _effective(jt.lam, jt.base, arr.sources_in_structure[jt.source])
        )
        rows.append(quiet_log(config_marginals(arr, jt.parents) @ lam))
    K = len(arr.hypotheses)
    return np.array(rows, dtype=float).reshape(len(rows), K)


def direct_logliks_structured(arr: CaseArrays) -> Array:
    """Log P(E_e | h) of the direct items of a structured case with an integrated source.

    Their source is integrated with the structure.
    """
    out = []
    for i in range(len(arr.items)):
        s = arr.direct_source[i] if len(arr.direct_source) else -1
        if s >= 0:
            g = arr.sources_in_structure[s]
            b = arr.lam[i].mean() if np.isnan(arr.base[i]) else arr.base[i]
            out.append(g.mean * arr.lam[i] + (1 - g.mean) * b)
        else:
            out.append(arr.lam[i])
    return np.array(out, dtype=float).reshape(arr.lam.shape)


def _lead(x: Any, core: int) -> tuple[int, ...]:
    return () if x is None else np.shape(x)[: max(np.ndim(x) - core, 0)]


def _at(x: Any, shape: tuple[int, ...], idx: tuple[int, ...], core: int) -> Array:
    x = np.asarray(x, dtype=float) if not isinstance(x, np.ndarray) or x.dtype != bool else x
    return np.broadcast_to(x, shape + x.shape[x.ndim - core :])[idx]


def structured_loglik(
    arr: CaseArrays,
    *,
    lam: ArrayLike | None = None,
    keep: ArrayLike | None = None,
    other: ArrayLike | None = None,
    reliability: bool = True,
    tables: Mapping[str, ArrayLike] | None = None,
    plam: Mapping[str, ArrayLike] | None = None,
    pother: Mapping[str, ArrayLike] | None = None,
    jlam: Mapping[str, ArrayLike] | None = None,
) -> Array:
    """Log-likelihood per hypothesis (..., K) of a structured case for many scenarios.

    ``keep`` (..., E) masks :func:`every_item`; ``other`` (..., M, K) replaces the
    direct timeline/quantity log densities, ``pother`` {id: (..., m, S)} those under a
    proposition; ``lam``, ``tables``, ``plam``, ``jlam`` as :func:`motives.exact.loglik`.
    """
    tables = dict(tables or {})
    plam = dict(plam or {})
    pother = dict(pother or {})
    jlam = dict(jlam or {})
    K = len(arr.hypotheses)
    if keep is None and not pother:
        a = arr if other is None else replace(arr, other_loglik=np.zeros_like(arr.other_loglik))
        out = loglik(a, lam, reliability=reliability, tables=tables, plam=plam, jlam=jlam)
        if other is not None:
            out = out + np.asarray(other, dtype=float).sum(axis=-2)
        return out
    items = every_item(arr)
    keep_a = np.ones(len(items), dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
    if keep_a.shape[-1] != len(items):
        raise ValueError(f"keep must end in {len(items)} items, got shape {keep_a.shape}")
    shape = np.broadcast_shapes(
        _lead(lam, 2),
        _lead(other, 2),
        keep_a.shape[:-1],
        *[_lead(v, 2) for v in tables.values()],
        *[_lead(v, 2) for v in plam.values()],
        *[_lead(v, 2) for v in pother.values()],
        *[_lead(v, 1) for v in jlam.values()],
    )
    out = np.empty(shape + (K,))
    N = len(arr.items)
    for idx in np.ndindex(*shape):
        k = np.broadcast_to(keep_a, shape + keep_a.shape[-1:])[idx]
        drop = [e for e, kk in zip(items, k, strict=True) if not kk]
        props = tuple(
            replace(pa, other_loglik=_at(pother[pa.id], shape, idx, 2)) if pa.id in pother else pa
            for pa in arr.propositions
        )
        a = replace(arr, propositions=props)
        lam_s = arr.lam if lam is None else _at(lam, shape, idx, 2)
        oth_s = arr.other_loglik if other is None else _at(other, shape, idx, 2)
        tab_s = {p: _at(v, shape, idx, 2) for p, v in tables.items()}
        plam_s = {p: _at(v, shape, idx, 2) for p, v in plam.items()}
        jlam_s = {j: _at(v, shape, idx, 1) for j, v in jlam.items()}
        if drop:
            ds = set(drop)
            kd = [i for i, e in enumerate(arr.items) if e not in ds]
            ko = [i for i, e in enumerate(arr.other_items) if e not in ds]
            plam_s = {
                p: v[
                    [
                        j
                        for j, e in enumerate(arr.propositions[arr.proposition_ids.index(p)].items)
                        if e not in ds
                    ]
                ]
                for p, v in plam_s.items()
            }
            jlam_s = {j: v for j, v in jlam_s.items() if j not in ds}
            lam_s, oth_s = lam_s[kd], oth_s[ko]
            a = a.without(drop)
        a = replace(a, other_loglik=np.zeros((0, K)), other_items=[])
        assert lam_s.shape[0] == len(a.items) <= N
        out[idx] = loglik(
            a, lam_s, reliability=reliability, tables=tab_s, plam=plam_s, jlam=jlam_s
        ) + oth_s.sum(axis=0)
    return out


def descendants(arr: CaseArrays, pid: str) -> set[int]:
    """Indices of proposition ``pid`` and every proposition below it.

    Below it: a child of it, a child of a child, and so on.

    Examples
    --------
    >>> import motives as mv
    >>> from motives.exact import compile_case
    >>> sorted(descendants(compile_case(mv.examples.load("burglary")), "at_scene"))
    [0]
    """
    idx = arr.proposition_ids.index(pid)
    sub = {idx}
    for i, pa in enumerate(arr.propositions):  # parents come first
        if i > idx and set(pa.parents) & sub:
            sub.add(i)
    return sub


def subtree_items(arr: CaseArrays, pid: str) -> list[str]:
    """Items below proposition ``pid``, in :func:`every_item` order.

    An item is below ``pid`` when it bears on it or on a proposition below it (an item of several
    parents as soon as one of them is).
    """
    sub = descendants(arr, pid)
    out = [
        e for i, pa in enumerate(arr.propositions) if i in sub for e in pa.items + pa.other_items
    ]
    return out + [j.id for j in arr.joint if set(j.parents) & sub]


def subtree_only(arr: CaseArrays, pid: str) -> CaseArrays:
    """The arrays with only the evidence below proposition ``pid`` (what its evidence says alone).

    Kept: the items below ``pid`` (:func:`subtree_items`) and the observations of ``pid`` and the
    propositions below it; every proposition those need (the ones below ``pid`` and the ancestors of
    everything kept, bare: their own items left out, an observation above forgotten). Everything
    else is left out (a proposition with no evidence below it sums out).
    """
    from motives.exact import ancestor_indices

    sub = descendants(arr, pid)
    keep_items = set(subtree_items(arr, pid))
    nodes = set(sub) | {q for j in arr.joint if j.id in keep_items for q in j.parents if q >= 0}
    need = set(ancestor_indices(arr, sorted(nodes)))
    drop = [e for e in every_item(arr) if e not in keep_items]
    drop += [pa.id for i, pa in enumerate(arr.propositions) if i not in need]
    gone_ids = {pa.id for i, pa in enumerate(arr.propositions) if i not in need}
    out = arr.without(drop)
    props = tuple(
        replace(pa, observed=-1)
        if pa.observed >= 0 and arr.proposition_ids.index(pa.id) not in sub
        else pa
        for pa in out.propositions
    )
    assert not gone_ids & {pa.id for pa in props}
    return replace(out, propositions=props)


def table_logliks(arr: CaseArrays, reliability: bool = True) -> Array:
    """Log P(evidence in proposition p's subtree | h) for each proposition (P, K).

    What p's evidence says alone.
    """
    K = len(arr.hypotheses)
    rows = [loglik(subtree_only(arr, pid), reliability=reliability) for pid in arr.proposition_ids]
    return np.array(rows, dtype=float).reshape(len(rows), K)


def input_slots(arr: CaseArrays) -> list[tuple[str, int, int]]:
    """Where each input (every item, then every table) lives: (array, proposition index, row).

    The array is ``lam`` / ``other`` (direct items, proposition index -1), ``plam`` / ``pother``
    (items under proposition i), ``jlam`` (item j of several parents, proposition index -1) or
    ``table`` (row -1).
    """
    out = [("lam", -1, i) for i in range(len(arr.items))] + [
        ("other", -1, i) for i in range(len(arr.other_items))
    ]
    for i, pa in enumerate(arr.propositions):
        out += [("plam", i, j) for j in range(len(pa.items))] + [
            ("pother", i, j) for j in range(len(pa.other_items))
        ]
    out += [("jlam", -1, j) for j in range(len(arr.joint))]
    return out + [("table", i, -1) for i in range(len(arr.propositions))]


def slot_value(arr: CaseArrays, slot: tuple[str, int, int]) -> Array:
    """The judged value of one input (a row of likelihoods or log densities, or a whole table)."""
    kind, p, j = slot
    if kind == "lam":
        return arr.lam[j]
    if kind == "other":
        return arr.other_loglik[j]
    if kind == "jlam":
        return arr.joint[j].lam
    pa = arr.propositions[p]
    return {
        "plam": lambda: pa.lam[j],
        "pother": lambda: pa.other_loglik[j],
        "table": lambda: pa.table,
    }[kind]()


def swap_scenarios(
    arr: CaseArrays, swaps: list[tuple[tuple[str, int, int], Array]]
) -> dict[str, Any]:
    """Scenario keywords, one scenario per (slot, value).

    That input set to the value, the rest as judged.
    """
    S = len(swaps)
    lam = np.repeat(arr.lam[None], S, axis=0)
    other = np.repeat(arr.other_loglik[None], S, axis=0)
    kw: dict[str, Any] = {"lam": lam, "other": other}
    if not arr.propositions:
        for s, ((kind, _, j), v) in enumerate(swaps):
            (lam if kind == "lam" else other)[s, j] = v
        return kw
    plam: dict[str, Array] = {}
    pother: dict[str, Array] = {}
    tables: dict[str, Array] = {}
    jlam: dict[str, Array] = {}
    for s, ((kind, p, j), v) in enumerate(swaps):
        if kind in ("lam", "other"):
            (lam if kind == "lam" else other)[s, j] = v
            continue
        if kind == "jlam":
            jt = arr.joint[j]
            if jt.id not in jlam:
                jlam[jt.id] = np.repeat(jt.lam[None], S, axis=0)
            jlam[jt.id][s] = v
            continue
        pa = arr.propositions[p]
        store, base = {
            "plam": (plam, pa.lam),
            "pother": (pother, pa.other_loglik),
            "table": (tables, pa.table),
        }[kind]
        if pa.id not in store:
            store[pa.id] = np.repeat(base[None], S, axis=0)
        if kind == "table":
            store[pa.id][s] = v
        else:
            store[pa.id][s, j] = v
    kw.update({"plam": plam, "pother": pother, "tables": tables, "jlam": jlam})
    return kw
