"""The rows of :func:`motives.sensitivity.conflict` for a structured case or a network.

In one pass up and one down the elimination.

Leaving one item out and recomputing the posterior for each item (and each proposition) costs one
elimination per row: 1,000 propositions took 156 s. Here the elimination runs once upward and once
downward (:func:`motives.exact.contract.outsides`): every slot (a fact's factor, an item of several
parents, a step's result) gets its value and its *outside* message, the rest of the network summed
over everything but the slot's variables and the hypotheses, per reliability node. Then:

* **Items.** An item below a fact ``f`` enters the network only as a factor m_e(s, g) on ``f``'s
  state, so log P(E_rest | g, h) = log Σ_s A_f(s, g, h) Π_{e' ≠ e} m_e'(s, g) with A_f the fact's
  table times its outside (summed over its parents). The other items' product is a prefix times a
  suffix (log space), so a zero likelihood leaves it exact. An item of several parents is its own
  slot: without it, the contraction is the sum of its outside. The reliability nodes are those of
  the whole source, still exact without one item (the integrand's degree drops).
* **An item alone.** log P(e) = log Σ_h π_h Σ_s P(f = s | h) E_ρ[m_e(s, ρ)], with P(f = s | h) from
  the same passes on the tables without any evidence.
* **Propositions.** The evidence below a proposition alone (the other facts bare: their tables
  without items or observation) and the rest (that evidence bare). Where a slot of the elimination
  holds exactly the factors below the proposition — on a tree of facts, every proposition's — the
  slot's value with the evidence times its outside without (and the other way round) gives both.
  Otherwise (facts of several parents whose descendants the elimination mixes) one contraction each
  (:func:`chosen`), in blocks of at most :data:`BLOCK_CELLS` cells.
* **Direct items** of a source spanning the structure: the others' terms on each node by prefix and
  suffix sums; the other direct items: the flat engine's leave-one-out
  (:func:`motives.sensitivity.conflict.flat_parts`).

The work is two elimination passes and a pass over the items, not one posterior per row.
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

#: Cells (float64) the two passes up and down the elimination may hold at once
#: (:func:`motives.exact.contract.outsides`, all reliability nodes); a network past it gets its
#: rows from contractions with a scenario axis in blocks of :data:`BLOCK_CELLS` instead (slower,
#: bounded).
OUTSIDE_CELLS = 1 << 25


def _cells(arr: CaseArrays, net: StructureParts) -> int:
    """Cells one scenario costs in a contraction.

    Its factors and every step's product table, per node.
    """
    card = arr.plan.card
    per = sum(f.size for f in net.full) + sum(
        int(np.prod([card[u] for u in st.union])) for st in arr.plan.steps
    )
    return max(1, per * len(net.glw))


def _blocks(n: int, arr: CaseArrays, net: StructureParts) -> list[range]:
    step = max(1, BLOCK_CELLS // _cells(arr, net))
    return [range(i, min(n, i + step)) for i in range(0, n, step)]


def joint_with_state(
    arr: CaseArrays, net: StructureParts, slots: list[int], factors: list[Array]
) -> list[Array]:
    """Log P(evidence in ``factors``, slot = cell | g, h) for each slot in ``slots``.

    Each of shape (cells, G, K).

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
    """The axes of slot ``f``'s factor its indicator runs over.

    A fact: its states; an item: every axis.
    """
    P = len(arr.propositions)
    if f < P:
        return (len(arr.propositions[f].states),)
    K = len(arr.hypotheses)
    return tuple(K if q < 0 else len(arr.propositions[q].states) for q in arr.joint[f - P].parents)


def _cells_of(arr: CaseArrays, f: int) -> int:
    return int(np.prod(_own_shape(arr, f)))


def chosen(arr: CaseArrays, net: StructureParts, masks: Array) -> Array:
    """Log P(evidence of the slots ``masks`` keeps | g, h).

    One scenario per row of ``masks`` (S, slots), (S, G, K).

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


class _ByOutsides:
    """What the rows need, from one pass up and one down (with and without the evidence)."""

    def __init__(self, arr: CaseArrays, net: StructureParts) -> None:
        from motives.exact.contract import outsides

        self.arr, self.net = arr, net
        self.full = outsides(arr.plan, net.full)  # with the evidence: (G, ...)
        self.bare = outsides(arr.plan, net.bare)  # the tables alone: (1, ...)
        self.total = self.full.total  # (G, K)
        self.slot_of = {lv: s for s, lv in enumerate(self.full.leaves)}

    def _sum(self, terms: list[tuple[Array, tuple[int, ...]]], out: tuple[int, ...]) -> Array:
        from motives.exact.contract import log_product_sum

        return log_product_sum(terms, out, self.arr.plan.card)

    def fact(self, f: int) -> tuple[Array, Array]:
        """Fact ``f``'s table times its outside: with the evidence (G, K, S), without (1, K, S)."""
        sc, osc, T = self.full.scope[f], self.full.oscope[f], self.net.bare[f]
        return (
            self._sum([(T, sc), (self.full.outside[f], osc)], (0, f + 1)),
            self._sum([(T, sc), (self.bare.outside[f], osc)], (0, f + 1)),
        )

    def joint(self, f: int, avg: Array) -> tuple[Array, Array]:
        """An item of several parents: the rest without it (G, K), and P(its evidence | h) (K,).

        ``avg``: its term averaged over the reliability nodes, flat over its parents' cells.
        """
        sc, osc = self.full.scope[f], self.full.oscope[f]
        cards = tuple(self.arr.plan.card[u] for u in sc)
        alone = self._sum([(self.bare.outside[f], osc), (avg.reshape((1, *cards)), sc)], (0,))
        return self._sum([(self.full.outside[f], osc)], (0,)), alone[0]

    def propositions(self, masks: list[Array]) -> tuple[Array, Array]:
        """Per mask: its slots' evidence alone (n, G, K) and the rest without it (n, G, K).

        From the slot of the elimination whose factors are exactly the mask's, where there is one
        (on a tree of facts, always); one contraction each otherwise.
        """
        G, K = self.total.shape[0], self.total.shape[1]
        alone = np.empty((len(masks), G, K))
        rest = np.empty((len(masks), G, K))
        unmatched = []
        for n, m in enumerate(masks):
            r = self.slot_of.get(frozenset(map(int, np.flatnonzero(m))))
            if r is None:
                unmatched.append(n)
                continue
            sc, osc = self.full.scope[r], self.full.oscope[r]
            alone[n] = self._sum([(self.full.value[r], sc), (self.bare.outside[r], osc)], (0,))
            rest[n] = self._sum([(self.bare.value[r], sc), (self.full.outside[r], osc)], (0,))
        if unmatched:
            mk = np.array([masks[n] for n in unmatched])
            alone[unmatched] = chosen(self.arr, self.net, mk)
            rest[unmatched] = chosen(self.arr, self.net, ~mk)
        return alone, rest


class _ByScenarios:
    """The same from contractions with a scenario axis, in blocks.

    For a network too large for the passes (:data:`OUTSIDE_CELLS`).
    """

    def __init__(self, arr: CaseArrays, net: StructureParts) -> None:
        self.arr, self.net = arr, net
        n_slots = len(net.full)
        self.total = chosen(arr, net, np.ones((1, n_slots), dtype=bool))[0]  # (G, K)

    def fact(self, f: int) -> tuple[Array, Array]:
        """As :meth:`_ByOutsides.fact`: one scenario per state, fact ``f`` bare."""
        bare_f = [*self.net.full[:f], self.net.bare[f], *self.net.full[f + 1 :]]
        outer = joint_with_state(self.arr, self.net, [f], bare_f)[0]  # (S, G, K)
        prior = joint_with_state(self.arr, self.net, [f], self.net.bare)[0]  # (S, 1, K)
        return np.moveaxis(outer, 0, -1), np.moveaxis(prior, 0, -1)

    def joint(self, f: int, avg: Array) -> tuple[Array, Array]:
        """As :meth:`_ByOutsides.joint`: the contraction without the item, and its cells' prior."""
        m = np.ones((1, len(self.net.full)), dtype=bool)
        m[0, f] = False  # an item of several parents left out contributes nothing
        prior = joint_with_state(self.arr, self.net, [f], self.net.bare)[0][:, 0, :]  # (V, K)
        return chosen(self.arr, self.net, m)[0], logsumexp(prior + avg[:, None], axis=0)

    def propositions(self, masks: list[Array]) -> tuple[Array, Array]:
        """As :meth:`_ByOutsides.propositions`, every mask by its own contraction."""
        G, K = self.total.shape
        if not masks:
            return np.empty((0, G, K)), np.empty((0, G, K))
        mk = np.array(masks, dtype=bool)
        return chosen(self.arr, self.net, mk), chosen(self.arr, self.net, np.logical_not(mk))


def outside_cells(arr: CaseArrays, G: int) -> int:
    """Cells the passes of :func:`motives.exact.contract.outsides` hold, at most, for ``G`` nodes.

    Per step, its table over its variables with the hypotheses, once per input and twice more (the
    prefix and suffix sums, the outside), per node; summed over the steps (the values are kept).
    """
    card = arr.plan.card
    total = 0
    for st in arr.plan.steps:
        ext = set(st.union) | {0}
        total += G * int(np.prod([card[u] for u in ext])) * (2 * len(st.inputs) + 3)
    return total


def _item_terms(
    arr: CaseArrays, net: StructureParts, reliability: bool
) -> list[tuple[str, int, Array]]:
    """Per item below a fact (or of several parents).

    Its id, its slot and log m_e(cell, g), shape (cells, G).
    """
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


def _ex_sums(terms: Array) -> Array:
    """Per term along axis 0, the sum of the others: exclusive prefix plus suffix sums.

    No subtraction, so a term of -inf (a zero likelihood) leaves the others' sum defined and exact.
    """
    z = np.zeros((1, *terms.shape[1:]))
    pre = np.concatenate([z, np.cumsum(terms[:-1], axis=0)]) if len(terms) > 1 else z
    suf = np.concatenate([np.cumsum(terms[:0:-1], axis=0)[::-1], z]) if len(terms) > 1 else z
    return pre + suf


def structured_rows(arr: CaseArrays, pri: Array, reliability: bool) -> list[tuple[Any, ...]]:  # noqa: C901 - one pass per kind of row, in the order conflict reports them
    """The rows of :func:`motives.sensitivity.conflict` for a case with propositions.

    Or with sources spanning them.

    Rows as ``conflict`` builds them: (kind, id, conflict_db, log P(part), log P(part | rest));
    kinds ``case``, ``proposition``, ``item``, ``observation``.
    """
    from motives.sensitivity._core import DB
    from motives.sensitivity.conflict import OBSERVATIONS, flat_parts, log_evidence

    net = structure_parts(arr, reliability)
    logp = quiet_log(pri)
    K = len(arr.hypotheses)
    P = len(arr.propositions)
    n_slots = len(net.full)
    G = len(net.glw)
    by = _ByOutsides(arr, net) if outside_cells(arr, G) <= OUTSIDE_CELLS else _ByScenarios(arr, net)
    top = by.total + net.direct  # (G, K)
    struct = logsumexp(top + net.glw[:, None], axis=0)  # (K,)
    log_all = float(logsumexp(logp + struct + net.flat, axis=-1))
    everything = arr.all_items + arr.structured_items
    singles: dict[str, float] = {}
    given_rest: dict[str, float] = {}  # log P(E_rest) per item

    def given(rest_gh: Array) -> float:
        """Log P(E_rest) from log P(E_rest | g, h), (G, K)."""
        return float(logsumexp(logp + logsumexp(rest_gh + net.glw[:, None], axis=0) + net.flat, -1))

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
    # direct items of a source spanning the structure: the others' terms on each node, by prefix
    # and suffix sums (a zero term stays exact)
    ds = arr.direct_source
    if reliability and len(ds) and (ds >= 0).any():
        idx = np.flatnonzero(ds >= 0)
        lm = quiet_log(
            mix_reliability(
                arr.lam[idx][None, :, :], arr.base[idx], net.gx[:, ds[idx]][:, :, None], K
            )
        ).transpose(1, 0, 2)  # (n, G, K)
        others = _ex_sums(lm)
        for j, i in enumerate(map(int, idx)):
            e = arr.items[i]
            singles[e] = float(logsumexp(logp + logsumexp(lm[j] + net.glw[:, None], axis=0), -1))
            given_rest[e] = given(by.total + others[j])
    # items below a fact: the fact's table times its outside (everything else, with the evidence),
    # times the other items' terms on its state; items of several parents: their slot's outside
    terms = _item_terms(arr, net, reliability)
    by_slot: dict[int, list[tuple[str, Array]]] = {}
    for e, f, lm_e in terms:
        by_slot.setdefault(f, []).append((e, lm_e))
    for f, its in by_slot.items():
        if f < P:
            pa = arr.propositions[f]
            outer, prior = by.fact(f)  # (G or 1, K, S), (1, K, S)
            obs = (
                quiet_log((np.arange(len(pa.states)) == pa.observed).astype(float))
                if pa.observed >= 0
                else np.zeros(len(pa.states))
            )
            lms = np.stack([lm_e for _, lm_e in its])  # (n, S, G)
            others = _ex_sums(lms) + obs[None, :, None]
            for (e, lm_e), oth in zip(its, others, strict=True):
                avg = logsumexp(lm_e + net.glw[None, :], axis=1)  # (S,)
                singles[e] = float(
                    logsumexp(logp + logsumexp(prior[0] + avg[None, :], axis=1), axis=-1)
                )
                rest_gh = logsumexp(outer + oth.T[:, None, :], axis=2)  # (G, K)
                given_rest[e] = given(np.broadcast_to(rest_gh, (G, K)) + net.direct)
        else:
            (e, lm_e) = its[0]
            rest_gh, alone = by.joint(f, logsumexp(lm_e + net.glw[None, :], axis=1))
            singles[e] = float(logsumexp(logp + alone, axis=-1))
            given_rest[e] = given(np.broadcast_to(rest_gh, (G, K)) + net.direct)
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
    # propositions: the evidence below one alone (the rest bare) and the rest (that evidence bare).
    # Where the elimination's tree holds a slot whose factors are exactly those below the
    # proposition (on a tree of facts, every one), that slot's value and outside give both at once;
    # otherwise (facts of several parents) one scenario each
    props, masks = [], []
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
    alone_gh, rest_gh = by.propositions(masks)
    if props:
        rest_gh = rest_gh + net.direct[None]  # the rest, with the direct items
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
    """Each proposition's index and those of every proposition below it.

    One pass, children first.
    """
    below = [{i} for i in range(len(arr.propositions))]
    for i in range(
        len(arr.propositions) - 1, -1, -1
    ):  # parents come first, so children are done before them
        for q in arr.propositions[i].parents:
            if q >= 0:
                below[q] |= below[i]
    return below


def _flat_view(arr: CaseArrays, reliability: bool) -> CaseArrays:
    """The direct items of no source spanning the structure (all of them at face value).

    As a flat case.
    """
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
