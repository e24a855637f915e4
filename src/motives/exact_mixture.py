"""Closed-form posterior mean of the mixture model's shares for fixed likelihoods.

With w ~ Dirichlet(a) and P(E | w) = Π_e Σ_h w_h L[e, h], the product of N
linear forms is a polynomial Σ_k c_k Π_h w_h^{k_h} over exponent vectors k with
|k| = N, and Dirichlet moments are closed form:

    E[Π_h w_h^{k_h}] = Γ(A) / Γ(A + N) · Π_h Γ(a_h + k_h) / Γ(a_h),   A = Σ_h a_h,
    E[w_j | E] = Σ_k c_k M_k (a_j + k_j) / ((A + N) Σ_k c_k M_k).

The polynomial is expanded item by item on a sparse set of exponent vectors
(encoded as integers, duplicates merged), coefficients rescaled each step and
combined in log space. The number of terms is at most C(N + K − 1, K − 1):
about 3·10^5 for 30 items and 6 hypotheses.

Because E over independent Beta cells of Π_e Σ_h w_h λ[e, h] is Π_e Σ_h w_h E[λ[e, h]],
the answer with Beta likelihoods is the answer at their means; items behind a
source of *uncertain* reliability share ρ and are not covered (fixed ρ is).

In a case with propositions each proposition bearing on the hypotheses is drawn
from the mixture, P(s | w) = Σ_h w_h P(s | h) (see :mod:`motives.models.mixture`),
so it contributes one linear factor Σ_h w_h m_p(h), m_p(h) the probability of
everything under it given h (the exact engine's message, tables and cells at
their means): the likelihood is still a product of linear forms in w.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from motives.errors import CaseError, Problem
from motives.schema import Case

Array = NDArray[np.float64]

MAX_TERMS = 5_000_000


def mixture_posterior_mean(L: ArrayLike, a: ArrayLike) -> Array:
    """Posterior mean of w given rows L[e, :] of P(E_e | h) and Dirichlet concentration a.

    Parameters
    ----------
    L
        (N, K) non-negative likelihoods (each row may be rescaled freely: only
        ratios within a row matter).
    a
        (K,) positive Dirichlet concentrations.

    Returns
    -------
    numpy.ndarray
        (K,) posterior mean of the shares.

    Examples
    --------
    One item with likelihoods (1, 0) and a uniform Dirichlet(1, 1): the
    posterior of w_1 is Beta(2, 1), mean 2/3.

    >>> mixture_posterior_mean([[1.0, 0.0]], [1.0, 1.0]).round(6)
    array([0.666667, 0.333333])
    """
    from scipy.special import gammaln

    L = np.asarray(L, dtype=float)
    a = np.asarray(a, dtype=float)
    if L.ndim != 2 or a.shape != (L.shape[1],):
        raise ValueError(f"L must be (N, K) and a (K,), got {L.shape} and {a.shape}")
    if np.any(a <= 0) or np.any(~np.isfinite(a)):
        raise ValueError("Dirichlet concentrations must be positive")
    if np.any(L < 0) or np.any(~np.isfinite(L)):
        raise ValueError("likelihoods must be finite and non-negative")
    N, K = L.shape
    if N == 0:
        return a / a.sum()
    top = L.max(axis=1, keepdims=True)
    if np.any(top == 0):
        raise ValueError("a row of zero likelihoods: the evidence is impossible under every mixture")
    L = L / top
    radix = N + 1
    unit = radix ** np.arange(K - 1, -1, -1, dtype=np.int64)  # exponent vector -> integer key
    keys = np.zeros(1, dtype=np.int64)
    coef = np.ones(1)
    log_scale = 0.0
    for e in range(N):
        nz = np.flatnonzero(L[e] > 0)
        cand_keys = (keys[None, :] + unit[nz][:, None]).ravel()
        cand_coef = (coef[None, :] * L[e, nz][:, None]).ravel()
        keys, inv = np.unique(cand_keys, return_inverse=True)
        coef = np.bincount(inv, weights=cand_coef, minlength=len(keys))
        m = coef.max()
        coef = coef / m
        log_scale += np.log(m)
        if len(keys) > MAX_TERMS:
            raise ValueError(f"the expansion has more than {MAX_TERMS} terms; too many items or hypotheses")
    k = (keys[:, None] // unit[None, :]) % radix  # (S, K) exponents
    with np.errstate(divide="ignore"):
        logc = np.log(coef)
    logm = (gammaln(a + k) - gammaln(a)).sum(axis=1)  # Γ(A)/Γ(A+N) is common to every term
    lw = logc + logm
    lw = lw - lw[np.isfinite(lw)].max()
    wts = np.exp(lw)
    num = (wts[:, None] * (a[None, :] + k)).sum(axis=0)
    return num / ((a.sum() + N) * wts.sum())


def dirichlet_concentration(case: Case, prior: Any) -> Array:
    """Dirichlet concentration of the mixture shares from any accepted prior form.

    ``{dirichlet: ...}`` gives it directly; a fixed prior p (None, ``"uniform"``,
    a mapping or a list) gives a = K·p: mean p, total concentration K (all
    ones for a uniform prior).
    """
    from motives.exact import prior_from

    H = case.hypothesis_ids
    if isinstance(prior, dict) and set(prior) == {"dirichlet"}:
        prior_from(case, prior)  # validates
        a = prior["dirichlet"]
        return np.array([a[h] for h in H] if isinstance(a, dict) else a, dtype=float)
    vec = prior_from(case, prior)
    if np.any(vec <= 0):
        raise CaseError([Problem("the mixture model needs every prior share positive (a Dirichlet concentration "
                                 f"K * prior); got {vec.tolist()}. Give prior: {{dirichlet: ...}} instead",
                                 field="prior")])
    return len(vec) * vec


def exact_mixture(case: Case, lens: str | None = None, prior: Any = None, *, reliability: bool = True) -> Array:
    """Posterior mean of the mixture model's shares of a case (likelihoods at their means).

    Parameters
    ----------
    case, lens, prior, reliability
        As for :func:`motives.models.fit` with ``model="mixture"``.

    Raises
    ------
    CaseError
        When an item is reported by a source of uncertain reliability (shared ρ
        makes the items dependent; fit the PyMC model instead).
    """
    from motives.exact import compile_case, loglik

    arr = compile_case(case, lens)
    lam = arr.lam.copy()
    if reliability:
        for g in arr.groups + arr.sources_in_structure:
            if g.concentration is not None:
                raise CaseError([Problem(f"items reported by '{g.key}' share an uncertain reliability; the closed "
                                         "form covers fixed reliabilities only", field="sources")])
        mixes = [(g.index, g.mean) for g in arr.groups]
        ds = arr.direct_source
        mixes += [(np.flatnonzero(ds == c), g.mean) for c, g in enumerate(arr.sources_in_structure)] if len(ds) else []
        for idx, x in mixes:
            row_mean = arr.lam[idx].mean(axis=1)
            b = np.where(np.isnan(arr.base[idx]), row_mean, arr.base[idx])
            lam[idx] = x * arr.lam[idx] + (1 - x) * b[:, None]
    other = arr.other_loglik
    if len(other):
        other = np.exp(other - other.max(axis=1, keepdims=True))
        lam = np.concatenate([lam, other], axis=0)
    if arr.structured:  # one row per proposition bearing on the hypotheses: m_p(h)
        tops = [p.id for p in arr.propositions if p.parent < 0]
        rows = []
        for q in tops:
            sub = arr.without([t for t in tops if t != q] + arr.items + arr.other_items)
            ll = loglik(sub, reliability=reliability)
            rows.append(np.exp(ll - ll.max()))
        lam = np.concatenate([lam, np.array(rows)], axis=0)
    return mixture_posterior_mean(lam, dirichlet_concentration(case, prior))
