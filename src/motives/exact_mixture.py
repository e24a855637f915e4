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

In a network every node the hypotheses bear on mixes them on its own,
P(x | other parents, w) = Σ_h w_h P(x | h, other parents). A group of facts
joined by tables or items (the hypotheses aside) that hangs from the
hypotheses by one node gives one linear factor Σ_h w_h P(group | h), the exact
engine's contraction of that group; a group that hangs by several nodes
couples them (a sum of products of linear forms) and is refused with one
message — the PyMC mixture model covers it.
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

    lik = np.asarray(L, dtype=float)
    conc = np.asarray(a, dtype=float)
    if lik.ndim != 2 or conc.shape != (lik.shape[1],):
        raise ValueError(f"L must be (N, K) and a (K,), got {lik.shape} and {conc.shape}")
    if np.any(conc <= 0) or np.any(~np.isfinite(conc)):
        raise ValueError("Dirichlet concentrations must be positive")
    if np.any(lik < 0) or np.any(~np.isfinite(lik)):
        raise ValueError("likelihoods must be finite and non-negative")
    N, K = lik.shape
    if N == 0:
        return conc / conc.sum()
    top = lik.max(axis=1, keepdims=True)
    if np.any(top == 0):
        raise ValueError(
            "a row of zero likelihoods: the evidence is impossible under every mixture"
        )
    lik = lik / top
    radix = N + 1
    unit = radix ** np.arange(K - 1, -1, -1, dtype=np.int64)  # exponent vector -> integer key
    keys = np.zeros(1, dtype=np.int64)
    coef = np.ones(1)
    log_scale = 0.0
    for e in range(N):
        nz = np.flatnonzero(lik[e] > 0)
        cand_keys = (keys[None, :] + unit[nz][:, None]).ravel()
        cand_coef = (coef[None, :] * lik[e, nz][:, None]).ravel()
        keys, inv = np.unique(cand_keys, return_inverse=True)
        coef = np.bincount(inv, weights=cand_coef, minlength=len(keys))
        m = coef.max()
        coef = coef / m
        log_scale += np.log(m)
        if len(keys) > MAX_TERMS:
            raise ValueError(
                f"the expansion has more than {MAX_TERMS} terms; too many items or hypotheses"
            )
    k = (keys[:, None] // unit[None, :]) % radix  # (S, K) exponents
    with np.errstate(divide="ignore"):
        logc = np.log(coef)
    logm = (gammaln(conc + k) - gammaln(conc)).sum(axis=1)  # Γ(A)/Γ(A+N) is common to every term
    lw = logc + logm
    lw = lw - lw[np.isfinite(lw)].max()
    wts = np.exp(lw)
    num = (wts[:, None] * (conc[None, :] + k)).sum(axis=0)
    return num / ((conc.sum() + N) * wts.sum())


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
        raise CaseError(
            [
                Problem(
                    "the mixture model needs every prior share positive (a Dirichlet concentration "
                    f"K * prior); got {vec.tolist()}. Give prior: {{dirichlet: ...}} instead",
                    field="prior",
                )
            ]
        )
    return len(vec) * vec


def exact_mixture(
    case: Case, lens: str | None = None, prior: Any = None, *, reliability: bool = True
) -> Array:
    """Posterior mean of the mixture model's shares of a case (likelihoods at their means).

    Parameters
    ----------
    case, lens, prior, reliability
        As for :func:`motives.models.fit` with ``model="mixture"``.

    Raises
    ------
    CaseError
        When an item is reported by a source of uncertain reliability (shared ρ
        makes the items dependent; fit the PyMC model instead), or when a group
        of connected facts hangs from the hypotheses by more than one node.

    Examples
    --------
    Pearl's alarm as a mixture: the earthquake (a root fact) and the alarm (whose parents are the
    hypotheses and the earthquake) hang from the hypotheses by the alarm alone.

    >>> import motives as mv
    >>> case = mv.Case.model_validate(
    ...     {
    ...         "name": "alarm",
    ...         "hypotheses": [{"id": "burglary"}, {"id": "none"}],
    ...         "propositions": [
    ...             {
    ...                 "id": "quake",
    ...                 "title": "Quake",
    ...                 "bears_on": [],
    ...                 "likelihoods": {"yes": 0.002, "no": 0.998},
    ...             },
    ...             {
    ...                 "id": "alarm",
    ...                 "title": "Alarm",
    ...                 "bears_on": ["hypotheses", "quake"],
    ...                 "likelihoods": {
    ...                     "burglary": {"yes": 0.95, "no": 0.94},
    ...                     "none": {"yes": 0.29, "no": 0.001},
    ...                 },
    ...             },
    ...         ],
    ...         "evidence": [
    ...             {
    ...                 "id": "john",
    ...                 "title": "John calls",
    ...                 "bears_on": "alarm",
    ...                 "likelihoods": {"yes": 0.9, "no": 0.05},
    ...             }
    ...         ],
    ...     }
    ... )
    >>> exact_mixture(case).round(4)
    array([0.6477, 0.3523])
    """
    from motives.exact import compile_case
    from motives.located import refusals_located

    arr = compile_case(case, lens)
    with refusals_located(case):  # a refusal names a source, fact or item: where it is written
        lam = _mixture_rows(arr, reliability)
    return mixture_posterior_mean(lam, dirichlet_concentration(case, prior))


def _mixture_rows(arr: Any, reliability: bool) -> Array:
    """The rows (items, then one per part of the structure) whose linear forms the mixture mixes.

    Refuses a source of uncertain reliability and a part hanging from the hypotheses by several
    nodes (:func:`_parts`), naming each record.
    """
    from motives.exact import loglik

    lam = arr.lam.copy()
    if reliability:
        uncertain = [g for g in arr.groups + arr.sources_in_structure if g.concentration]
        if uncertain:  # one problem per source, each where the source is declared
            raise CaseError(
                [
                    Problem(
                        "the items this source reports share an uncertain reliability; the "
                        "closed form of the mixture model covers fixed reliabilities only "
                        "(give a number, or fit the PyMC mixture model)",
                        item=g.key,
                        kind="source",
                        field="reliability",
                    )
                    for g in uncertain
                ]
            )
        mixes = [(g.index, g.mean) for g in arr.groups]
        ds = arr.direct_source
        mixes += (
            [(np.flatnonzero(ds == c), g.mean) for c, g in enumerate(arr.sources_in_structure)]
            if len(ds)
            else []
        )
        for idx, x in mixes:
            row_mean = arr.lam[idx].mean(axis=1)
            b = np.where(np.isnan(arr.base[idx]), row_mean, arr.base[idx])
            lam[idx] = x * arr.lam[idx] + (1 - x) * b[:, None]
    other = arr.other_loglik
    if len(other):
        other = np.exp(other - other.max(axis=1, keepdims=True))
        lam = np.concatenate([lam, other], axis=0)
    if (
        arr.structured
    ):  # one row per part of the structure (one node bearing on the hypotheses): m_p(h)
        rows = []
        for props in _parts(arr):
            drop = [p.id for i, p in enumerate(arr.propositions) if i not in props]
            sub = arr.without(drop + arr.items + arr.other_items)
            ll = loglik(sub, reliability=reliability)
            rows.append(np.exp(ll - ll.max()))
        lam = np.concatenate([lam, np.array(rows).reshape(len(rows), lam.shape[1])], axis=0)
    return lam


def _parts(arr: Any) -> list[set[int]]:
    """The parts of a structure that the hypotheses bear on, in case order.

    Each part is a set of proposition indices.

    Facts joined by a table or an item of several parents (the hypotheses aside) form one part. In
    the mixture model every node the hypotheses bear on mixes them on its own
    (:mod:`motives.models.mixture`), so a part with one such node gives one linear form Σ_h w_h
    P(part | h); a part with none is constant in w (left out); a part with several is a sum of
    products of linear forms, which the closed form does not cover (refused).
    """
    n = len(arr.propositions)
    root = list(range(n))

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    def join(nodes: list[int]) -> None:
        for q in nodes[1:]:
            root[find(q)] = find(nodes[0])

    for i, p in enumerate(arr.propositions):
        join([i, *[q for q in p.parents if q >= 0]])
    for j in arr.joint:
        join([q for q in j.parents if q >= 0])
    bearers: dict[int, list[str]] = {}
    bearer_ids: dict[int, list[tuple[str, str]]] = {}  # (kind, id) of each
    for i, p in enumerate(arr.propositions):
        if -1 in p.parents:
            bearers.setdefault(find(i), []).append(f"fact '{p.id}'")
            bearer_ids.setdefault(find(i), []).append(("proposition", p.id))
    for j in arr.joint:
        if -1 in j.parents:
            r = find(next(q for q in j.parents if q >= 0))
            bearers.setdefault(r, []).append(f"item '{j.id}'")
            bearer_ids.setdefault(r, []).append(("item", j.id))
    parts = []
    for r in sorted(bearers, key=lambda r: min(i for i in range(n) if find(i) == r)):
        if len(bearers[r]) > 1:
            names = [arr.propositions[i].id for i in range(n) if find(i) == r]
            # one problem per node the hypotheses bear on, each where that record is written
            raise CaseError(
                [
                    Problem(
                        "the closed form of the mixture model covers structures in which each "
                        "group of connected facts hangs from the hypotheses by one node; here "
                        + " and ".join(bearers[r])
                        + " both have the hypotheses as a parent and are joined through the facts "
                        + ", ".join(f"'{x}'" for x in names)
                        + ", so the likelihood is no longer a product of linear forms in the "
                        "shares. Fit the PyMC mixture model (mv.fit(case, model='mixture')) "
                        "instead",
                        item=rec,
                        kind=kind,
                        field="bears_on",
                    )
                    for kind, rec in bearer_ids[r]
                ]
            )
        parts.append({i for i in range(n) if find(i) == r})
    return parts
