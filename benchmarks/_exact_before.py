"""The exact engine's ``loglik`` as it was before the benchmarks' optimisation (commit c0364d8).

Kept only as a same-run baseline for ``bench_sweep``: it recomputes the
Gauss–Jacobi nodes on every call, loops over reliability groups, and sums
over the item axis with ``ndarray.sum`` (slow for a short last axis).
"""

from __future__ import annotations

import numpy as np
from scipy.special import roots_jacobi

from motives.exact import CaseArrays, normalise


def _log(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(x)


def _logsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        return np.squeeze(m, axis=axis) + np.log(np.sum(np.exp(a - m), axis=axis))


def _nodes(g) -> tuple[np.ndarray, np.ndarray]:
    if g.concentration is None:
        return np.array([g.mean]), np.array([1.0])
    a, b = g.mean * g.concentration, (1 - g.mean) * g.concentration
    x, w = roots_jacobi(len(g.index) // 2 + 1, b - 1, a - 1)
    return (1 + x) / 2, w / w.sum()


def loglik(
    arr: CaseArrays, lam: np.ndarray | None = None, *, reliability: bool = True
) -> np.ndarray:
    lam = arr.lam if lam is None else np.asarray(lam, dtype=float)
    grouped = np.zeros(lam.shape[-2], dtype=bool)
    total = np.zeros(lam.shape[:-2] + lam.shape[-1:])
    if reliability and arr.groups:
        row_mean = lam.mean(axis=-1)
        base = np.where(np.isnan(arr.base), row_mean, arr.base)
        for g in arr.groups:
            grouped[g.index] = True
            x, w = _nodes(g)
            lg = lam[..., g.index, :]
            bg = base[..., g.index][..., None]
            mix = (
                x[:, None, None] * lg[..., None, :, :]
                + (1 - x[:, None, None]) * bg[..., None, :, :]
            )
            terms = _log(mix).sum(axis=-2) + _log(w)[:, None]
            total = total + _logsumexp(terms, axis=-2)
    total = total + _log(lam[..., ~grouped, :]).sum(axis=-2)
    return total + arr.other_loglik.sum(axis=0)


def posterior(
    arr: CaseArrays,
    prior: np.ndarray | None = None,
    lam: np.ndarray | None = None,
    *,
    reliability: bool = True,
) -> np.ndarray:
    prior = arr.prior if prior is None else np.asarray(prior, dtype=float)
    return normalise(_log(prior) + loglik(arr, lam, reliability=reliability))
