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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from motives.errors import CaseError, Problem

if TYPE_CHECKING:
    pass

from motives.exact._num import logsumexp, quiet_log
from motives.exact.compile import (
    CaseArrays,
    jacobi_nodes,
)
from motives.exact.contract import (
    contract,
    scale_factors,
)

Array = NDArray[np.float64]

#: Largest tensor grid of reliability nodes the exact engine integrates over (sources spanning
#: propositions).
MAX_GRID = 4096


def reliability_grid(arr: CaseArrays) -> tuple[Array, Array]:
    """Reliability nodes (G, C) and log weights (G,) of sources integrated outside the structure."""
    got = arr._memo.get("grid")
    if got is None:
        got = arr._memo["grid"] = _make_grid(arr)
    return got


def _make_grid(arr: CaseArrays) -> tuple[Array, Array]:
    xs, lw = np.ones((1, 0)), np.zeros(1)
    size = 1
    for g in arr.sources_in_structure:
        size *= len(g.index) // 2 + 1
    if size > MAX_GRID:
        srcs = arr.sources_in_structure
        nodes = [len(g.index) // 2 + 1 for g in srcs]
        # one problem per source, each located where the source is declared (its reliability)
        with arr.refusals_located():
            raise CaseError(
                [
                    Problem(
                        f"reports {len(g.index):,} items under propositions ({n:,} reliability "
                        f"nodes){_with_others(g, srcs, nodes)}: the sources of uncertain "
                        "reliability whose items sit under propositions need a tensor grid of "
                        f"{size:,} nodes to integrate exactly, more than the limit of "
                        f"{MAX_GRID:,}. Fix a reliability (a number instead of a distribution), "
                        "split a source, or take reports at face value (reliability off)",
                        item=g.key,
                        kind="source",
                        field="reliability",
                    )
                    for g, n in zip(srcs, nodes, strict=True)
                ]
            )
    for g in arr.sources_in_structure:
        x, w = jacobi_nodes(g.mean, g.concentration, len(g.index) // 2 + 1)
        xs = np.concatenate([np.repeat(xs, len(x), axis=0), np.tile(x, len(xs))[:, None]], axis=1)
        lw = (lw[:, None] + quiet_log(w)[None, :]).reshape(-1)
    xs.flags.writeable = False
    lw.flags.writeable = False
    return xs, lw


def _with_others(g: Any, srcs: tuple[Any, ...], nodes: list[int]) -> str:
    """The other sources of a grid with their nodes (after ', with '), or nothing."""
    others = [f"'{o.key}' ({m:,} nodes)" for o, m in zip(srcs, nodes, strict=True) if o is not g]
    return (", with " + ", ".join(others)) if others else ""


def item_loglik(arr: CaseArrays, lam: ArrayLike | None = None) -> Array:
    """Per-item log P(E_e | h) ignoring reliability, shape (..., N + M, K)."""
    lam = arr.lam if lam is None else np.asarray(lam, dtype=float)
    other = np.broadcast_to(arr.other_loglik, lam.shape[:-2] + arr.other_loglik.shape)
    return np.concatenate([quiet_log(lam), other], axis=-2)


def loglik(
    arr: CaseArrays,
    lam: ArrayLike | None = None,
    *,
    reliability: bool = True,
    tables: Mapping[str, ArrayLike] | None = None,
    plam: Mapping[str, ArrayLike] | None = None,
    jlam: Mapping[str, ArrayLike] | None = None,
) -> Array:
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
        Proposition id -> P(state | parent value), shape (..., V, S); default each proposition's
        own.
    plam
        Proposition id -> P(E | state) of the likelihood items bearing on it, shape (..., n, S).
    jlam
        Item id -> P(E | parent configuration) of an item with several parents
        (:attr:`CaseArrays.joint`),
        shape (..., V), configurations flat in nested order.

    Examples
    --------
    The taxicab witness (reliability 0.6, a coin toss otherwise) says "blue":
    P(says blue | blue) = 0.8, P(says blue | green) = 0.2.

    >>> import numpy as np, motives as mv
    >>> from motives.exact import compile_case
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
        return _loglik(arr, lam, reliability) + _structure_loglik(
            arr, lam, reliability, tables or {}, plam or {}, jlam or {}
        )
    if tables or plam or jlam:
        raise ValueError("tables, plam and jlam need a case with propositions")
    if lam.ndim > 2 and lam.size > 2 * _CHUNK:
        # Many scenarios: evaluate them in blocks of about _CHUNK cells, so the temporaries stay in
        # cache and their memory stays bounded (each scenario is computed exactly as alone).
        flat = lam.reshape((-1, n, k))
        step = max(1, _CHUNK // (n * k))
        out = np.empty((flat.shape[0], k))
        for i in range(0, flat.shape[0], step):
            out[i : i + step] = _loglik(arr, flat[i : i + step], reliability)
        return out.reshape(lam.shape[:-2] + (k,))
    return _loglik(arr, lam, reliability)


#: Cells of λ per block when :func:`loglik` evaluates many scenarios (512 kB of float64: fits in
#: L2).
_CHUNK = 1 << 16


def _loglik(arr: CaseArrays, lam: Array, reliability: bool) -> Array:
    n, k = lam.shape[-2:]
    if not (reliability and (arr.groups or (arr.direct_source >= 0).any())):
        return _sum_items(quiet_log(lam)) + arr.other_loglik.sum(axis=0)
    # Items of single-node groups are ordinary items with P = x λ + (1 − x) b; groups with Q ≥ 2
    # nodes are evaluated together per Q: mix[..., q, j, k] = x[q, j] λ[j, k] + (1 − x[q, j]) b[j],
    # log, summed within each group (reduceat: -inf safe), plus log w[q, g], then logsumexp over q.
    plan = arr._group_plan
    total = np.zeros(lam.shape[:-2] + (k,))
    if len(plan.simple):
        ls = (
            lam
            if len(plan.simple) == n and not len(plan.simple_x)
            else np.take(lam, plan.simple, axis=-2)
        )
        if len(plan.simple_x):  # ls is a fresh copy here: mix in place
            mixed = ls[..., plan.n_free :, :]
            mixed[...] = mix_reliability(
                mixed, arr.base[plan.simple[plan.n_free :]], plan.simple_x[:, None], k
            )
        total = total + _sum_items(quiet_log(ls))
    for bk in plan.buckets:
        lg = np.take(lam, bk.item, axis=-2)  # (..., n_b, K)
        mix = mix_reliability(
            lg[..., None, :, :], arr.base[bk.item], bk.x[:, :, None], k
        )  # (..., Q, n_b, K)
        terms = (
            np.add.reduceat(quiet_log(mix), bk.start, axis=-2) + bk.logw[:, :, None]
        )  # (..., Q, G_b, K)
        total = total + _sum_items(logsumexp(terms, axis=-3))
    return total + arr.other_loglik.sum(axis=0)


def _structure_loglik(
    arr: CaseArrays,
    lam: Array,
    reliability: bool,
    tables: Mapping[str, ArrayLike],
    plam: Mapping[str, ArrayLike],
    jlam: Mapping[str, ArrayLike] | None = None,
) -> Array:
    """Log P(everything under the propositions | h).

    It includes the direct items of sources integrated with them.

    Messages go bottom-up with a grid axis G (reliability nodes of the sources whose items sit under
    propositions; G = 1 without such sources); the grid is integrated last, outside the whole
    product.
    """
    unknown = sorted(set(tables) - set(arr.proposition_ids)) + sorted(
        set(plam) - set(arr.proposition_ids)
    )
    if unknown:
        raise ValueError(f"unknown proposition(s) {unknown}; propositions: {arr.proposition_ids}")
    jlam = jlam or {}
    bad = sorted(set(jlam) - {j.id for j in arr.joint})
    if bad:
        raise ValueError(
            f"unknown item(s) of several parents {bad}; they are: {[j.id for j in arr.joint]}"
        )
    gx, glw = (
        reliability_grid(arr)
        if reliability and arr.sources_in_structure
        else (np.ones((1, 0)), np.zeros(1))
    )
    if (
        not tables and not plam and not jlam
    ):  # the case's own tables: their (scaled) log-factors are kept with the arrays
        scaled = arr._memo.get(("factors", reliability))
        if scaled is None:
            scaled = scale_factors(arr.plan, _factors(arr, reliability, tables, plam, jlam, gx))
            for a in scaled[0] + scaled[1]:
                if isinstance(a, np.ndarray):
                    a.flags.writeable = False
            arr._memo[("factors", reliability)] = scaled
        top: Any = contract(arr.plan, [], scaled=scaled)  # (..., G, K)
    else:
        top = contract(arr.plan, _factors(arr, reliability, tables, plam, jlam, gx))
    ds = arr.direct_source
    if reliability and len(ds) and (ds >= 0).any():
        direct = arr._memo.get(("direct", reliability)) if lam is arr.lam else None
        if direct is None:
            idx = np.flatnonzero(ds >= 0)
            ld = np.take(lam, idx, axis=-2)
            m = mix_reliability(
                ld[..., None, :, :], arr.base[idx], gx[:, ds[idx]][:, :, None], lam.shape[-1]
            )
            direct = _sum_items(quiet_log(m))
            if lam is arr.lam:
                direct.flags.writeable = False
                arr._memo[("direct", reliability)] = direct
        top = top + direct
    return logsumexp(top + glw[:, None], axis=-2)


def _factors(
    arr: CaseArrays,
    reliability: bool,
    tables: Mapping[str, ArrayLike],
    plam: Mapping[str, ArrayLike],
    jlam: Mapping[str, ArrayLike],
    gx: Array,
) -> list[Any]:
    """The log-factors of the elimination.

    Per fact its table times what its own items say, per joint item.
    """
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
                # only the source's items vary along the grid axis: the others are summed once,
                # without it
                if not src.all():
                    msg = msg + _sum_items(quiet_log(L[..., ~src, :]))[..., None, :]
                idx = np.flatnonzero(src)
                m = mix_reliability(
                    L[..., None, idx, :],
                    pa.base[idx],
                    gx[:, pa.source[idx]][:, :, None],
                    L.shape[-1],
                )
                msg = msg + _sum_items(quiet_log(m))  # (..., G, S)
            else:
                msg = msg + _sum_items(quiet_log(L))[..., None, :]
        if pa.observed >= 0:
            msg = msg + quiet_log(np.arange(len(pa.states)) == pa.observed)
        T = np.asarray(tables[pa.id], dtype=float) if pa.id in tables else pa.table
        if T.shape[-2:] != pa.table.shape:
            raise ValueError(f"tables['{pa.id}'] must end in shape {pa.table.shape}, got {T.shape}")
        lt = quiet_log(T).reshape(
            T.shape[:-2] + (1,) + pa.cards + (len(pa.states),)
        )  # (..., 1, parents..., S)
        msg = np.asarray(msg)
        factors.append(lt + msg.reshape(msg.shape[:-1] + (1,) * len(pa.cards) + msg.shape[-1:]))
    for jt in arr.joint:
        cards = tuple(len(arr.hypotheses) if q < 0 else len(props[q].states) for q in jt.parents)
        J = np.asarray(jlam[jt.id], dtype=float) if jt.id in jlam else jt.lam
        if J.shape[-1:] != jt.lam.shape:
            raise ValueError(f"jlam['{jt.id}'] must end in shape {jt.lam.shape}, got {J.shape}")
        if reliability and jt.source >= 0:
            m = mix_reliability(
                J[..., None, None, :],
                np.array([jt.base]),
                gx[:, [jt.source]][:, :, None],
                len(jt.lam),
            )
            lf = quiet_log(m[..., 0, :])  # (..., G, V)
        else:
            lf = quiet_log(J)[..., None, :]  # (..., 1, V)
        factors.append(lf.reshape(lf.shape[:-1] + cards))
    return factors


@dataclass(frozen=True)
class StructureParts:
    """A structured case's log-factors and what is added outside them.

    Per reliability node (one call).

    ``full``: per factor slot (propositions, then items of several parents) the log-factor with its
    evidence, shape (G or 1, scope...); ``bare``: the same slots without evidence (a fact's table
    alone, 0 for an item of several parents), shape (1, scope...); ``gx``, ``glw``: reliability
    nodes (G, C) and log weights (G,) of the sources whose items sit under propositions; ``direct``:
    log P(direct items of those sources | g, h), (G, K) (0 without); ``flat``: log P(the other
    direct items | h), (K,). Contracting ``full`` with
    :func:`motives.exact.contract.contract`, adding ``direct``, then log-sum-exp over the nodes with
    ``glw``,
    plus ``flat``, is :func:`loglik`.
    """

    full: list[Array]
    bare: list[Array]
    gx: Array
    glw: Array
    direct: Array
    flat: Array


def structure_parts(arr: CaseArrays, reliability: bool = True) -> StructureParts:
    """The parts :func:`loglik` combines for a structured case.

    For analyses that vary factors one at a time.

    Examples
    --------
    >>> import motives as mv
    >>> from motives.exact import compile_case
    >>> from motives.exact.contract import contract
    >>> arr = compile_case(mv.examples.load("burglary"))
    >>> parts = structure_parts(arr)
    >>> top = contract(arr.plan, parts.full) + parts.direct
    >>> total = logsumexp(top + parts.glw[:, None], axis=0) + parts.flat
    >>> bool(np.allclose(total, loglik(arr)))
    True
    """
    K = len(arr.hypotheses)
    gx, glw = (
        reliability_grid(arr)
        if reliability and arr.sources_in_structure
        else (np.ones((1, 0)), np.zeros(1))
    )
    full = [np.asarray(f, dtype=float) for f in _factors(arr, reliability, {}, {}, {}, gx)]
    bare: list[Array] = [
        quiet_log(pa.table).reshape((1, *pa.cards, len(pa.states))) for pa in arr.propositions
    ]
    bare += [
        np.zeros((1, *[K if q < 0 else len(arr.propositions[q].states) for q in jt.parents]))
        for jt in arr.joint
    ]
    direct = np.zeros((len(glw), K))
    ds = arr.direct_source
    if reliability and len(ds) and (ds >= 0).any():
        idx = np.flatnonzero(ds >= 0)
        direct = _sum_items(
            quiet_log(
                mix_reliability(
                    arr.lam[idx][None, :, :], arr.base[idx], gx[:, ds[idx]][:, :, None], K
                )
            )
        )
    return StructureParts(full, bare, gx, glw, direct, _loglik(arr, arr.lam, reliability))


def _log_message(T: Array, msg: Array) -> Array:
    """A proposition's message to its parent.

    Log Σ_s T[..., v, s] exp(msg[..., g, s]), shape (..., G, V).

    The log-sum-exp over the (short) state axis as one batched matrix product in probability space,
    after taking out each row's maximum (exact where ``T`` has zeros or ``msg`` has -inf).
    """
    m = functools.reduce(np.maximum, [msg[..., s] for s in range(1, msg.shape[-1])], msg[..., 0])
    m = np.where(np.isfinite(m), m, 0.0)
    p = np.matmul(np.exp(msg - m[..., None]), np.swapaxes(T, -1, -2))
    return quiet_log(p) + m[..., None]


def mix_reliability(lg: Array, base: Array, x: Array, k: int) -> Array:
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
    """Sum over a short last axis by a matrix–vector product.

    ``sum(axis=-1)`` is slow for small K.
    """
    return a @ np.ones(a.shape[-1])


def normalise(log_weights: Array) -> Array:
    """Softmax over the last axis; rows that are all -inf give NaN.

    Where the largest log weight is within +-1024, ``exp(w - logsumexp(w))`` (relative error at most
    the spacing of floats at 1024, 2.3e-13, below the engine's resolution; the form the flat cases'
    reference digests were computed with, so they stay bit for bit). Beyond it the largest weight is
    subtracted and the exponentials divided by their sum: there the log of the sum is rounded to the
    spacing of floats (1.0 at -5e15, from a predictive sd of 1e-308), and equal weights would come
    out as e^-1 each instead of 1/2.

    Examples
    --------
    >>> normalise(np.array([-5e15, -5e15])).tolist()
    [0.5, 0.5]
    >>> normalise(np.log(np.array([[0.2, 0.6], [1.0, 3.0]]))).round(12).tolist()
    [[0.25, 0.75], [0.25, 0.75]]
    """
    lw = np.asarray(log_weights, dtype=float)
    m = np.max(lw, axis=-1, keepdims=True)
    lse = logsumexp(lw, axis=-1)[..., None]
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        out = np.exp(lw - lse)
        far = np.isfinite(m) & (np.abs(m) > 1024.0)
        if np.any(far):
            w = np.exp(lw - np.where(np.isfinite(m), m, np.nan))
            out = np.where(far, w / np.sum(w, axis=-1, keepdims=True), out)
    return out


def posterior(
    arr: CaseArrays,
    prior: ArrayLike | None = None,
    lam: ArrayLike | None = None,
    *,
    reliability: bool = True,
    tables: Mapping[str, ArrayLike] | None = None,
    plam: Mapping[str, ArrayLike] | None = None,
    jlam: Mapping[str, ArrayLike] | None = None,
) -> Array:
    """Posterior credences, shape (..., K); leading axes of ``prior`` and ``lam`` broadcast.

    Examples
    --------
    >>> from motives.exact import compile_case
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
        raise ValueError(
            f"prior must end in {len(arr.hypotheses)} hypotheses, got shape {prior.shape}"
        )
    return normalise(
        quiet_log(prior)
        + loglik(arr, lam, reliability=reliability, tables=tables, plam=plam, jlam=jlam)
    )


def family_credence(arr: CaseArrays, credence: ArrayLike) -> Array:
    """Sum hypothesis credences (..., K) into family credences (..., F).

    Examples
    --------
    The dice problem with the dice grouped into two families:

    >>> import motives as mv
    >>> from motives.exact import compile_case
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
