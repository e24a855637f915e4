"""The rows of :func:`motives.sensitivity.conflict` for a structured case or a network, in a few vectorised passes.

Leaving one item out and recomputing the posterior for each item (and each proposition) costs one
elimination per row: 1,000 propositions took 156 s. Here every row comes from a handful of
contractions with a leading scenario axis (:func:`motives.exact.contract.contract` runs a plan on
stacked factors):

* **Items.** An item below a fact ``f`` (or an item of several parents, whose own factor is ``f``)
enters
  the network only as a factor m_e(s) on ``f``'s state (on its parents' configuration). So with J(s,
  g, h) = log P(E, f = s | ρ_g, h), the joint of all the evidence and one state of ``f`` on
  reliability node g, the evidence without the item is log P(E_rest | ρ_g, h) = log Σ_s exp(J(s, g,
  h) − log m_e(s, g)). One scenario per (fact, state) gives every J at once (an indicator of the
  state on ``f``'s factor). The reliability nodes are those of the whole source, still exact without
  one item (the integrand's degree drops). Where m_e(s, g) = 0 the subtraction is undefined and that
  item alone is recomputed by leaving it out (rare: a zero likelihood judged for an item).
* **An item alone.** log P(e) = log Σ_h π_h Σ_s P(f = s | h) E_ρ[m_e(s, ρ)], with P(f = s | h) from
the
  same indicator scenarios on the tables without any evidence.
* **Propositions.** The evidence below a proposition, and the rest: one scenario each, the facts
below
  it (or the others) taken bare (their table without their items and observation; a bare subtree
  sums to 1), the items of several parents below it (or the others) left out.

Scenarios go through in blocks so that no block holds more than :data:`BLOCK_CELLS` cells; the work
is (facts' states + propositions) contractions' worth of cells, not one posterior per item.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from motives.exact import (
    CaseArrays,
    StructureParts,
    loglik,
    logsumexp,
    mix_reliability,
    quiet_log,
    structure_parts,
)
from motives.sensitivity._core import Array

#: Cells (scenarios x reliability nodes x factor and message tables) one block of scenarios may
#: hold.
BLOCK_CELLS = 1 << 23


def _cells(arr: CaseArrays, net: StructureParts) -> int:
    """Cells one scenario costs in a contraction: its factors and every step's product table, per node."""
    card = arr.plan.card
    per = sum(f.size for f in net.full) + sum(
        int(np.prod([card[u] for u in st.union])) for st in arr.plan.steps
    )
    return max(1, per * len(net.glw))


def _blocks(n: int, arr: CaseArrays, net: StructureParts) -> list[range]:
    step = max(1, BLOCK_CELLS // _cells(arr, net))
    return [range(i, min(n, i + step)) for i in range(0, n, step)]


def _own_cells(f: Array) -> int:
    """Cells of a slot's own indicator: its state (a fact) or its parents' configuration (an item of several)."""
    return int(np.prod(f.shape[1:]))


def joint_with_state(
    arr: CaseArrays, net: StructureParts, slots: list[int], factors: list[Array]
) -> list[Array]:
    """Log P(evidence in ``factors``, slot = cell | g, h) for each slot in ``slots``: (cells, G, K) each.

    A proposition's cells are its states (the last axis of its factor); an item of several parents'
    cells are its parents' configurations, flat in nested order.
    """
    from motives.exact.contract import contract

    rows = [(f, c) for f in slots for c in range(_cells_of(arr, f))]
    out = np.empty((len(rows), len(net.glw), len(arr.hypotheses)))
    for blk in _blocks(len(rows), arr, net):
        stacked: list[Array] = list(factors)
        mine: dict[int, list[int]] = {}
        for r in blk:
            mine.setdefault(rows[r][0], []).append(r)
        for f, rs in mine.items():
            shape = factors[f].shape
            ind = np.full((len(blk), *_own_shape(arr, f)), 0.0)
            own = ind.reshape(len(blk), -1)
            pos = [r - blk.start for r in rs]
            own[pos, :] = -np.inf
            own[pos, [rows[r][1] for r in rs]] = 0.0
            ind = own.reshape(
                (len(blk), 1)
                + (1,) * (len(shape) - 1 - len(_own_shape(arr, f)))
                + _own_shape(arr, f)
            )
            stacked[f] = factors[f][None] + ind
        out[blk.start : blk.stop] = contract(arr.plan, stacked)
    res, at = [], 0
    for f in slots:
        n = _cells_of(arr, f)
        res.append(out[at : at + n])
        at += n
    return res


def _own_shape(arr: CaseArrays, f: int) -> tuple[int, ...]:
    """The axes of slot ``f``'s factor its indicator runs over (a fact: its states; an item: every axis)."""
    P = len(arr.propositions)
    if f < P:
        return (len(arr.propositions[f].states),)
    K = len(arr.hypotheses)
    return tuple(K if q < 0 else len(arr.propositions[q].states) for q in arr.joint[f - P].parents)


def _cells_of(arr: CaseArrays, f: int) -> int:
    return int(np.prod(_own_shape(arr, f)))


def chosen(arr: CaseArrays, net: StructureParts, masks: Array) -> Array:
    """Log P(evidence of the slots ``masks`` keeps | g, h): one scenario per row of ``masks`` (S, slots), (S, G, K).

    A slot kept contributes its factor with its evidence, a slot left out its table alone (a fact)
    or nothing (an item of several parents).
    """
    from motives.exact.contract import contract

    out = np.empty((len(masks), len(net.glw), len(arr.hypotheses)))
    for blk in _blocks(len(masks), arr, net):
        m = masks[blk.start : blk.stop]
        stacked = []
        for f, (full, bare) in enumerate(zip(net.full, net.bare, strict=True)):
            keep = m[:, f].reshape((-1,) + (1,) * full.ndim)
            stacked.append(np.where(keep, full[None], bare[None]))
        out[blk.start : blk.stop] = contract(arr.plan, stacked)
    return out


def _item_terms(
    arr: CaseArrays, net: StructureParts, reliability: bool
) -> list[tuple[str, int, Array]]:
    """Per item below a fact (or of several parents): its id, its slot and log m_e(cell, g), shape (cells, G)."""
    out: list[tuple[str, int, Array]] = []
    G = len(net.glw)
    for f, pa in enumerate(arr.propositions):
        S = len(pa.states)
        for j, e in enumerate(pa.items):
            src = pa.source[j]
            if reliability and src >= 0:
                m = mix_reliability(
                    pa.lam[j][None, None, :], pa.base[[j]], net.gx[:, [src]][:, :, None], S
                )[:, 0, :]  # (G, S)
                out.append((e, f, quiet_log(m).T))
            else:
                out.append((e, f, np.repeat(quiet_log(pa.lam[j])[:, None], G, axis=1)))
        for j, e in enumerate(pa.other_items):
            out.append((e, f, np.repeat(pa.other_loglik[j][:, None], G, axis=1)))
    P = len(arr.propositions)
    for i, jt in enumerate(arr.joint):
        V = len(jt.lam)
        if reliability and jt.source >= 0:
            m = mix_reliability(
                jt.lam[None, None, :], np.array([jt.base]), net.gx[:, [jt.source]][:, :, None], V
            )[:, 0, :]
            out.append((jt.id, P + i, quiet_log(m).T))
        else:
            out.append((jt.id, P + i, np.repeat(quiet_log(jt.lam)[:, None], G, axis=1)))
    return out


def structured_rows(arr: CaseArrays, pri: Array, reliability: bool) -> list[tuple[Any, ...]]:  # noqa: C901 - one pass per kind of row, in the order conflict reports them
    """The rows of :func:`motives.sensitivity.conflict` for a case with propositions (or sources spanning them).

    Rows as ``conflict`` builds them: (kind, id, conflict_db, log P(part), log P(part | rest));
    kinds ``case``, ``proposition``, ``item``, ``observation``.
    """
    from motives.sensitivity._core import DB
    from motives.sensitivity.conflict import OBSERVATIONS, flat_parts, log_evidence

    net = structure_parts(arr, reliability)
    logp = quiet_log(pri)
    K = len(arr.hypotheses)
    n_slots = len(net.full)
    top = chosen(arr, net, np.ones((1, n_slots), dtype=bool))[0] + net.direct  # (G, K)
    struct = logsumexp(top + net.glw[:, None], axis=0)  # (K,)
    log_all = float(logsumexp(logp + struct + net.flat, axis=-1))
    everything = arr.all_items + arr.structured_items
    singles: dict[str, float] = {}
    given_rest: dict[str, float] = {}  # log P(E_rest) per item

    # direct items of no source spanning the structure: the flat engine's leave-one-out, plus the
    # structure
    flat_arr = _flat_view(arr, reliability)
    if flat_arr.all_items:
        own, rest_adj, total = flat_parts(flat_arr, reliability)
        with np.errstate(invalid="ignore"):
            rest_h = struct + total[None, :] + rest_adj
        bad = ~np.isfinite(rest_h) & ~np.isneginf(rest_h)
        s = logsumexp(logp + own, axis=-1)
        for i, e in enumerate(flat_arr.all_items):
            singles[e] = float(s[i])
            if bad[i].any():
                given_rest[e] = float(
                    logsumexp(logp + loglik(arr.without([e]), reliability=reliability), axis=-1)
                )
            else:
                given_rest[e] = float(logsumexp(logp + rest_h[i], axis=-1))
    # direct items of a source spanning the structure: their term on each node comes out of
    # ``direct``
    ds = arr.direct_source
    if reliability and len(ds) and (ds >= 0).any():
        for i in map(int, np.flatnonzero(ds >= 0)):
            e = arr.items[i]
            lm = quiet_log(
                mix_reliability(
                    arr.lam[[i]][None, :, :], arr.base[[i]], net.gx[:, [ds[i]]][:, :, None], K
                )[:, 0, :]
            )
            singles[e] = float(logsumexp(logp + logsumexp(lm + net.glw[:, None], axis=0), axis=-1))
            if np.isneginf(lm).any():
                given_rest[e] = float(
                    logsumexp(logp + loglik(arr.without([e]), reliability=reliability), axis=-1)
                )
            else:
                rest = logsumexp(top - lm + net.glw[:, None], axis=0) + net.flat
                given_rest[e] = float(logsumexp(logp + rest, axis=-1))
    # items below a fact and items of several parents: the joint with their slot's state, less their
    # own term
    terms = _item_terms(arr, net, reliability)
    slots = sorted({f for _, f, _ in terms})
    if slots:
        joint = dict(
            zip(slots, joint_with_state(arr, net, slots, net.full), strict=True)
        )  # (cells, G, K)
        prior_of = dict(
            zip(slots, joint_with_state(arr, net, slots, net.bare), strict=True)
        )  # (cells, 1, K)
        for e, f, lm in terms:
            # alone: P(cell | h) times the item's term averaged over the reliability nodes
            avg = logsumexp(lm + net.glw[None, :], axis=1)  # (cells,)
            singles[e] = float(
                logsumexp(logp + logsumexp(prior_of[f][:, 0, :] + avg[:, None], axis=0), axis=-1)
            )
            if np.isneginf(lm).any():
                given_rest[e] = float(
                    logsumexp(logp + loglik(arr.without([e]), reliability=reliability), axis=-1)
                )
                continue
            rest_gh = logsumexp(joint[f] - lm[:, :, None], axis=0) + net.direct  # (G, K)
            rest = logsumexp(rest_gh + net.glw[:, None], axis=0) + net.flat
            given_rest[e] = float(logsumexp(logp + rest, axis=-1))
    seen = {pa.id for pa in arr.propositions if pa.observed >= 0}
    if seen:  # the observations of facts, together, are one more finding
        singles[OBSERVATIONS] = log_evidence(arr, pri, set(), reliability)
    rows: list[tuple[Any, ...]] = [
        (
            "case",
            "(all evidence)",
            DB * (sum(singles.values()) - log_all),
            sum(singles.values()),
            np.nan,
        )
    ]
    # propositions: their evidence alone and the rest, one scenario each
    props, masks = [], []
    P = len(arr.propositions)
    for i, below in enumerate(_all_descendants(arr)):
        m = np.zeros(n_slots, dtype=bool)
        m[sorted(below)] = True
        for j, jt in enumerate(arr.joint):
            m[P + j] = bool(set(jt.parents) & below)
        has_items = m[P:].any() or any(
            arr.propositions[q].items or arr.propositions[q].other_items for q in below
        )
        if not has_items and not any(arr.propositions[q].observed >= 0 for q in below):
            continue
        props.append((i, arr.propositions[i].id))
        masks.append(m)
    if props:
        mk = np.array(masks)
        alone_gh = chosen(arr, net, mk)  # (n, G, K): the evidence below alone (nothing direct)
        rest_gh = chosen(arr, net, ~mk) + net.direct[None]  # the rest, with the direct items
        alone = logsumexp(logp + logsumexp(alone_gh + net.glw[None, :, None], axis=1), axis=-1)
        rest = logsumexp(
            logp + logsumexp(rest_gh + net.glw[None, :, None], axis=1) + net.flat, axis=-1
        )
        for (_, pid), a, r in zip(props, alone, rest, strict=True):
            rows.append(("proposition", pid, DB * (a + r - log_all), float(a), log_all - float(r)))
    with np.errstate(invalid="ignore"):
        for e in everything:
            rows.append(
                (
                    "item",
                    e,
                    DB * (singles[e] + given_rest[e] - log_all),
                    singles[e],
                    log_all - given_rest[e],
                )
            )
    if seen:
        rest_o = log_evidence(arr, pri, set(everything), reliability, set())
        rows.append(
            (
                "observation",
                OBSERVATIONS,
                DB * (singles[OBSERVATIONS] + rest_o - log_all),
                singles[OBSERVATIONS],
                log_all - rest_o,
            )
        )
    return rows


def _all_descendants(arr: CaseArrays) -> list[set[int]]:
    """For each proposition, its index and those of every proposition below it (one pass, children first)."""
    below = [{i} for i in range(len(arr.propositions))]
    for i in range(
        len(arr.propositions) - 1, -1, -1
    ):  # parents come first, so children are done before them
        for q in arr.propositions[i].parents:
            if q >= 0:
                below[q] |= below[i]
    return below


def _flat_view(arr: CaseArrays, reliability: bool) -> CaseArrays:
    """The direct items of no source spanning the structure (all of them at face value), as a flat case."""
    from dataclasses import replace

    ds = arr.direct_source
    drop = [arr.items[i] for i in np.flatnonzero(ds >= 0)] if reliability and len(ds) else []
    flat = replace(
        arr,
        propositions=(),
        sources_in_structure=(),
        direct_source=np.zeros(0, dtype=np.intp),
        joint=(),
    )
    return flat.without(drop) if drop else flat
