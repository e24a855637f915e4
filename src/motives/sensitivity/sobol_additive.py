"""The Sobol analysis of a case without propositions, evaluated item by item.

With every reliability fixed per draw (as the Sobol analysis evaluates each draw), the log
posterior of a case without propositions is the log prior plus a sum over items of each item's log
likelihoods (mixed with its source's reliability). A sample matrix A_B^j differs from A only in
group j's inputs, which change the terms of a few items (one item, or a source's items), so its
outputs follow from A's sum with those terms replaced: the cost of the ``groups + 2`` evaluations
per row is then linear in the items instead of quadratic (a 300 x 200 case: about 200 times less).
:func:`additive_form` lays the terms out from the compiled case, :func:`additive_outputs` computes
f(A), f(B) and every f(A_B^j) with them; tests/test_sobol_quantiles.py checks them against the full
evaluation draw by draw.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from motives.exact import normalise, quiet_log
from motives.sensitivity._core import Array, log_odds_db

__all__ = ["Additive", "additive_form", "additive_outputs"]


@dataclass(frozen=True)
class Additive:
    """The output of a case without propositions as a function of a sum of per-item log terms.

    With every reliability fixed per draw, the log posterior is ``const + sum_i t_i`` (``t_i`` the
    log of item i's likelihoods, mixed with its source's reliability), so the output of a draw in
    which one group's inputs changed is found from the sum already known by replacing the terms of
    the items that group ``touched`` (:func:`motives.sensitivity.sobol.sobol_indices` does this for
    the A_B^j matrices): each engine evaluation costs the touched items, not all.

    Attributes
    ----------
    touched
        Per input group, the items whose terms its inputs change (a source: all its items).
    n_items
        Items of the case.
    terms
        ``terms(get, items, S)``: the (S, len(items), K) log terms of ``items``, ``get(cols)``
        giving the (S, len(cols)) values of those input columns in the draws.
    const
        Log prior plus the log-likelihood of the timeline and quantity items, (K,).
    out
        The output from unnormalised log posteriors (S, K) -> (S,).
    """

    touched: list[np.ndarray]
    n_items: int
    terms: Callable[[Callable[[np.ndarray], Array], np.ndarray, int], Array]
    const: Array
    out: Callable[[Array], Array]


def additive_form(
    arr: Any,
    pri: Any,
    mask: np.ndarray,
    scale: str,
    reliability: bool,
    rows_i: np.ndarray,
    cols_k: np.ndarray,
    srcs: list[tuple[int, Any]],
    s0: int,
    groups: list[list[int]],
) -> Additive:
    """The :class:`Additive` form of a case without propositions.

    ``func`` in :func:`motives.sensitivity.sobol_inputs.plan_sobol` is the full evaluation it
    must equal.

    Each item's likelihoods are its cells (drawn or fixed), mixed as ``func`` mixes them: x P(E |
    .) + (1 - x) b with x its source's drawn or fixed reliability and b its base rate (default the
    row mean); the same operations, so the same terms.
    """
    n_items = len(arr.items)
    nc = len(rows_i)
    item_group = np.full(n_items, -1)
    for gi, grp in enumerate(arr.groups):
        item_group[grp.index] = gi
    group_col = {gi: s0 + s for s, (gi, _) in enumerate(srcs)}
    col_source = {c: gi for gi, c in group_col.items()}
    order = np.argsort(rows_i, kind="stable")
    starts = np.searchsorted(rows_i[order], np.arange(n_items + 1))
    cells_of = [order[starts[i] : starts[i + 1]] for i in range(n_items)]
    mix = reliability and bool(arr.groups)

    def terms(get: Callable[[np.ndarray], Array], items: np.ndarray, S: int) -> Array:
        lam = np.repeat(arr.lam[items][None], S, axis=0)
        cs = [cells_of[i] for i in items]
        cc = np.concatenate(cs) if cs else np.zeros(0, dtype=np.intp)
        if len(cc):
            pos = np.repeat(np.arange(len(items)), [len(c) for c in cs])
            lam[:, pos, cols_k[cc]] = get(cc)
        if mix:
            g = item_group[items]
            m = g >= 0
            if m.any():
                rho = np.empty((S, len(items)))
                for gi in np.unique(g[m]):
                    sel = g == gi
                    rho[:, sel] = (
                        get(np.array([group_col[gi]]))
                        if gi in group_col
                        else np.full((S, 1), arr.groups[gi].mean)
                    )
                base = arr.base[items]
                bg = np.where(np.isnan(base), lam.mean(axis=-1), base)
                r = rho[:, m, None]
                lam[:, m] = r * lam[:, m] + (1 - r) * bg[:, m, None]
        return quiet_log(lam)

    touched = []
    for g in groups:
        items = {int(rows_i[c]) for c in g if c < nc}
        for c in g:
            if c in col_source:
                items.update(int(i) for i in arr.groups[col_source[c]].index)
        touched.append(np.array(sorted(items), dtype=np.intp))
    p = arr.prior if pri is None else np.asarray(pri, dtype=float)
    const = quiet_log(p) + arr.other_loglik.sum(axis=0)

    def out(lp: Array) -> Array:
        if scale == "log_odds":
            return log_odds_db(lp, mask)
        return normalise(lp)[:, mask].sum(axis=1)

    return Additive(touched, n_items, terms, const, out)


def additive_outputs(
    add: Additive, XA: Array, XB: Array, groups: Sequence[Sequence[int]]
) -> tuple[Array, Array, Array]:
    """f(A), f(B) and every f(A_B^j) of an :class:`Additive` model, block by block of rows.

    A's log posterior is kept as a finite sum and a count of -inf terms (an item impossible under a
    hypothesis), so replacing a term never subtracts infinities.
    """
    rows, K = len(XA), len(add.const)
    step = max(1, (1 << 21) // max(1, add.n_items * K))  # rows per block: ~16 MB of terms
    every = np.arange(add.n_items)
    fA, fB = np.empty(rows), np.empty(rows)
    fAB = np.empty((len(groups), rows))

    def split(t: Array) -> tuple[Array, NDArray[np.bool_]]:
        inf = np.isneginf(t)
        return np.where(inf, 0.0, t), inf

    def logpost(finite: Array, n_inf: NDArray[np.integer[Any]]) -> Array:
        return add.const + np.where(n_inf > 0, -np.inf, finite)

    def columns(x: Array) -> Callable[[NDArray[np.intp]], Array]:
        return lambda c: x[:, c]

    def mixed(a: Array, b: Array, from_b: NDArray[np.bool_]) -> Callable[[NDArray[np.intp]], Array]:
        return lambda c: np.where(from_b[c], b[:, c], a[:, c])

    for r in range(0, rows, step):
        xa, xb = XA[r : r + step], XB[r : r + step]
        S = len(xa)
        ta, inf_a = split(add.terms(columns(xa), every, S))
        fin_a, ninf_a = ta.sum(axis=1), inf_a.sum(axis=1)
        fA[r : r + step] = add.out(logpost(fin_a, ninf_a))
        tb, inf_b = split(add.terms(columns(xb), every, S))
        fB[r : r + step] = add.out(logpost(tb.sum(axis=1), inf_b.sum(axis=1)))
        for j, g in enumerate(groups):
            from_b = np.zeros(XA.shape[1], dtype=bool)
            from_b[list(g)] = True
            items = add.touched[j]
            t, inf = split(add.terms(mixed(xa, xb, from_b), items, S))
            fin = fin_a - ta[:, items].sum(axis=1) + t.sum(axis=1)
            n_inf = ninf_a - inf_a[:, items].sum(axis=1) + inf.sum(axis=1)
            fAB[j, r : r + step] = add.out(logpost(fin, n_inf))
    return fA, fB, fAB
