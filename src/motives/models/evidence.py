"""Model inputs of a case under one lens, and per-evidence-kind log-likelihood builders.

:func:`model_inputs` turns a case into plain numpy arrays (no PyMC). The
``*_loglik`` builders turn those arrays into PyTensor expressions of
log P(E_e | h), shape (items, hypotheses), inside an open ``pm.Model``:

- ``likelihood`` items: λ[e, h] ~ Beta(mean·κ·m, (1 − mean)·κ·m) per cell (m the
  ``concentration`` multiplier, a ``pm.Data``), point cells fixed; an item
  reported by a source s mixes P = ρ_s λ + (1 − ρ_s) b_e, b_e the item's
  ``base_rate`` or the row mean of λ, ρ_s ~ Beta shared by the source's items.
  A per-cell likelihood scale factor (``log_scale``, ``pm.Data``) multiplies λ
  before the mixture, then the row is divided by its largest value if that
  exceeds 1 (the convention of :mod:`motives.sensitivity.perturb`).
- ``timeline`` items: y_i ~ Normal(a_h + b_h t_i, σ) with the item's Normal
  priors on (a_h, b_h), or a step (one level before a break date, another
  from it on; an uncertain break is averaged over its grid). ``timeline="marginal"`` integrates (a_h, b_h) out in
  closed form (y ~ MVN(X m_h, σ²I + X S_h Xᵀ)); ``"explicit"`` samples them.
  σ is fixed at the item's value, or free (``sigma="free"``: σ ~ HalfNormal with
  the item's σ as its scale).
- ``quantity`` items: log density of the observed value under each
  hypothesis's predictive distribution (a constant).

All functions here import PyMC lazily.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from motives.exact import _mvn_marginal, quantity_loglik, timeline_data, timeline_loglik
from motives.schema import Case, LikelihoodItem, QuantityItem, TimelineItem

Array = NDArray[np.float64]
TimelineMode = Literal["marginal", "explicit"]
SigmaMode = Literal["fixed", "free"]


@dataclass(frozen=True)
class Timeline:
    """One timeline item under one lens: data and per-hypothesis trend priors (arrays of length K).

    ``a_*``/``b_*`` are the linear trends' intercept and slope priors; for a
    hypothesis whose trend is a step they hold its before and after levels.
    ``designs[k]`` is the general form every engine can use: a list of
    alternatives (X, m, sd), X an (n, 2) design matrix, the coefficients
    Normal(m, sd); a linear trend has one alternative X = [1, t], a step one per
    candidate break, X = [1{t < t_b}, 1{t >= t_b}], equally likely.
    """

    id: str
    t: Array
    y: Array
    sigma: float
    a_mean: Array
    a_sd: Array
    b_mean: Array
    b_sd: Array
    designs: tuple[tuple[tuple[Array, Array, Array], ...], ...] = ()
    steps: tuple[bool, ...] = ()

    @property
    def linear(self) -> bool:
        """True when every hypothesis predicts a linear trend."""
        return not any(self.steps)

    def key(self) -> list[Any]:
        """A JSON-able description of the data and trends (for model caching)."""
        return [self.t.tolist(), self.y.tolist(), self.sigma,
                [[[X.tolist(), m.tolist(), sd.tolist()] for X, m, sd in alts] for alts in self.designs]]


def trend_designs(t: Array, trend: Any, origin: float) -> tuple[tuple[Array, Array, Array], ...]:
    """The (X, m, sd) alternatives of one trend record over times ``t`` (years from ``origin``)."""
    step = getattr(trend, "step", None)
    if step is None:
        X = np.stack([np.ones_like(t), t], axis=1)
        return ((X, np.array([trend.intercept.mean, trend.slope.mean]),
                 np.array([trend.intercept.sd, trend.slope.sd])),)
    m = np.array([step.before.mean, step.after.mean])
    sd = np.array([step.before.sd, step.after.sd])
    out = []
    for d in step.break_dates:
        after = (t >= d.decimal_year - origin).astype(float)
        out.append((np.stack([1.0 - after, after], axis=1), m, sd))
    return tuple(out)


@dataclass(frozen=True)
class ModelInputs:
    """A case under one lens as arrays for the PyMC models.

    Attributes
    ----------
    items
        Ids of the likelihood items (rows of ``lam_mean``).
    lam_mean, lam_conc
        Likelihood means and Beta concentrations, shape (N, K); ``lam_conc`` is
        NaN for point cells (and for means of exactly 0 or 1).
    base
        Base rate per item, NaN where it is the row mean.
    source_index
        Index into ``sources`` of each item's reporting source, -1 for none.
    sources
        (key, mean, concentration) of every source with reliability below 1;
        concentration NaN for a fixed reliability.
    timelines, quantities, quantity_loglik
        Timeline items; quantity item ids and their log densities (Q, K).
    """

    lens: str
    hypotheses: list[str]
    families: list[str]
    family_index: NDArray[np.intp]
    prior: Array
    items: list[str]
    lam_mean: Array
    lam_conc: Array
    base: Array
    source_index: NDArray[np.intp]
    sources: list[tuple[str, float, float]]
    timelines: list[Timeline]
    quantities: list[str]
    quantity_loglik: Array
    fallbacks: list[str] = field(default_factory=list)

    @property
    def all_items(self) -> list[str]:
        """Likelihood items, then timeline, then quantity items (the ``evidence`` dim)."""
        return self.items + [t.id for t in self.timelines] + self.quantities

    @property
    def free_cells(self) -> NDArray[np.bool_]:
        """(N, K) mask of cells with a Beta distribution (the others are fixed numbers)."""
        return np.isfinite(self.lam_conc)

    @property
    def family_matrix(self) -> Array:
        """(K, F) 0/1 matrix summing hypothesis credences into families."""
        m = np.zeros((len(self.hypotheses), len(self.families)))
        m[np.arange(len(self.hypotheses)), self.family_index] = 1.0
        return m

    def coords(self) -> dict[str, list[str]]:
        """Named coordinates shared by every model."""
        free = np.argwhere(self.free_cells)
        return {
            "hypothesis": list(self.hypotheses),
            "family": list(self.families),
            "evidence": self.all_items,
            "source": [s[0] for s in self.sources if np.isfinite(s[2])],
            "cell": [f"{self.items[i]}:{self.hypotheses[k]}" for i, k in free],
        }


def model_inputs(case: Case, lens: str | None = None) -> ModelInputs:
    """Compile a case under one lens into :class:`ModelInputs`.

    Parameters
    ----------
    case
        The case.
    lens
        Whose judgements; default the case's default lens. Items the lens does
        not rate use the default lens (listed in ``fallbacks``).

    Examples
    --------
    >>> import motives as mv
    >>> inp = model_inputs(mv.examples.load("witness"))
    >>> inp.sources, inp.source_index.tolist()
    ([('witness', 0.6, nan)], [0])
    """
    lens = case.resolve_lens(lens)
    H = case.hypothesis_ids
    items, means, concs, base, src_of, timelines, qids, qll = [], [], [], [], [], [], [], []
    block = structure_block(case, lens)
    if block is not None:
        qids.append(STRUCTURE_ROW)
        qll.append(list(block[1]))
    for e in case.evidence:
        if block is not None and e.id in block[0]:
            continue
        j, _ = case.judgement(e, lens)
        if isinstance(e, LikelihoodItem):
            items.append(e.id)
            means.append([j.values[h].mean for h in H])
            concs.append([np.nan if j.values[h].concentration is None else j.values[h].concentration for h in H])
            base.append(np.nan if e.base_rate is None else e.base_rate)
            src_of.append(e.reported_by)
        elif isinstance(e, TimelineItem):
            t, y = timeline_data(e)
            v = [j.values[h] for h in H]
            designs = tuple(trend_designs(t, x, e.origin) for x in v)
            timelines.append(Timeline(
                e.id, t, y, e.sigma,
                np.array([d[0][1][0] for d in designs]), np.array([d[0][2][0] for d in designs]),
                np.array([d[0][1][1] for d in designs]), np.array([d[0][2][1] for d in designs]),
                designs=designs, steps=tuple(getattr(x, "step", None) is not None for x in v),
            ))
        elif isinstance(e, QuantityItem):
            qids.append(e.id)
            qll.append([quantity_loglik(e.observed, j.values[h]) for h in H])
    sources: list[tuple[str, float, float]] = []
    for key in dict.fromkeys(s for s in src_of if s is not None):
        src = case.source(key)
        if src is None:
            continue
        rel = src.reliability
        if rel.concentration is None and rel.mean == 1.0:
            continue
        sources.append((key, rel.mean, np.nan if rel.concentration is None else rel.concentration))
    keys = [s[0] for s in sources]
    fams = case.family_ids
    return ModelInputs(
        lens=lens,
        hypotheses=list(H),
        families=fams,
        family_index=np.array([fams.index(h.family_id) for h in case.hypotheses], dtype=np.intp),
        prior=np.array(case.prior_vector(), dtype=float),
        items=items,
        lam_mean=np.array(means, dtype=float).reshape(len(items), len(H)),
        lam_conc=np.array(concs, dtype=float).reshape(len(items), len(H)),
        base=np.array(base, dtype=float),
        source_index=np.array([keys.index(s) if s in keys else -1 for s in src_of], dtype=np.intp),
        sources=sources,
        timelines=timelines,
        quantities=qids,
        quantity_loglik=np.array(qll, dtype=float).reshape(len(qids), len(H)),
        fallbacks=case.fallbacks(lens),
    )


#: Id of the row that stands for a case's propositions and the items under them (see :func:`structure_block`).
STRUCTURE_ROW = "(propositions)"


def structure_block(case: Case, lens: str) -> tuple[set[str], Array] | None:
    """(ids, log P(E | h)) of the evidence under a case's propositions, or None for a flat case.

    Interim treatment in the PyMC models: the propositions, the items under
    them and the direct items of sources whose reliability is integrated with
    the structure enter as one fixed row, the exact engine's log-likelihood
    with table and item means (reliability integrated exactly). The posterior
    mean credence is then still the exact one; the credence intervals carry the
    Beta uncertainty of the other items only, not that of the proposition
    tables and the items under them.
    """
    if not case.propositions:
        return None
    from motives import exact

    arr = exact.compile_case(case, lens)
    tied = {i for i, s in zip(arr.items, arr.direct_source, strict=False) if s >= 0}
    plain = [i for i in arr.items if i not in tied] + list(arr.other_items)
    ids = set(arr.structured_items) | tied
    return ids, np.asarray(exact.loglik(arr.without(plain)), dtype=float)


# --------------------------------------------------------------------------- PyTensor builders


def beta_cells(inp: ModelInputs, concentration: Any, *, name: str = "lam") -> Any:
    """λ as an (N, K) tensor: Beta random variables on free cells, the means elsewhere.

    ``concentration`` multiplies every cell's Beta concentration (a ``pm.Data`` scalar).
    """
    import pymc as pm
    import pytensor.tensor as pt

    free = inp.free_cells
    lam = pm.Data(f"{name}_fixed", np.where(free, 0.5, inp.lam_mean))
    if not free.any():
        return lam
    m = inp.lam_mean[free]
    k = inp.lam_conc[free]
    alpha = pm.Data(f"{name}_alpha", m * k, dims="cell")
    beta = pm.Data(f"{name}_beta", (1 - m) * k, dims="cell")
    cells = pm.Beta(f"{name}_cell", alpha=alpha * concentration, beta=beta * concentration, dims="cell")
    rows, cols = np.nonzero(free)
    return pt.set_subtensor(lam[rows, cols], cells)


def reliability_vector(inp: ModelInputs, *, reliability: bool) -> Any | None:
    """ρ per likelihood item (1 where no source applies), or None when no item has a source below 1."""
    import pymc as pm
    import pytensor.tensor as pt

    if not reliability or not inp.sources or not np.any(inp.source_index >= 0):
        return None
    rho_fixed = np.array([s[1] for s in inp.sources])
    random = np.array([np.isfinite(s[2]) for s in inp.sources])
    rho_src = pt.as_tensor_variable(rho_fixed)
    if random.any():
        mean = rho_fixed[random]
        conc = np.array([s[2] for s in inp.sources])[random]
        alpha = pm.Data("rho_alpha", mean * conc, dims="source")
        beta = pm.Data("rho_beta", (1 - mean) * conc, dims="source")
        rho = pm.Beta("rho", alpha=alpha, beta=beta, dims="source")
        rho_src = pt.set_subtensor(rho_src[np.flatnonzero(random)], rho)
    idx = np.where(inp.source_index >= 0, inp.source_index, 0)
    has = pt.as_tensor_variable((inp.source_index >= 0).astype(float))
    return has * rho_src[idx] + (1.0 - has)


def likelihood_loglik(inp: ModelInputs, lam: Any, rho: Any | None, log_scale: Any, observed: Any) -> Any:
    """Log P(E_e | h) of likelihood items, shape (N, K).

    ``log_scale`` (N, K) multiplies λ by exp(log_scale) (row capped at 1);
    ``observed`` (N,) is 1 where the item was observed, 0 where its absence was
    (then the term is log(1 − P)).
    """
    import pymc as pm
    import pytensor.tensor as pt

    lam = lam * pt.exp(log_scale)
    top = pt.max(lam, axis=1, keepdims=True)
    lam = lam / pt.maximum(top, 1.0)
    if rho is None:
        p = lam
    else:
        model = pm.modelcontext(None)
        given = (model["base_rate"] if "base_rate" in model.named_vars
                 else pm.Data("base_rate", np.nan_to_num(inp.base, nan=0.5)))
        b = pt.where(np.isnan(inp.base)[:, None], pt.mean(lam, axis=1, keepdims=True), given[:, None])
        p = rho[:, None] * lam + (1.0 - rho[:, None]) * b
    obs = pt.eq(observed, 1)[:, None]
    return pt.switch(obs, safe_log(p), safe_log(1.0 - p))


def safe_log(x: Any) -> Any:
    """Log x with log 0 = -inf and finite gradients (no 0/0) where x = 0.

    The inner switch keeps the branch not taken away from 0, so reverse-mode
    differentiation never divides by it.
    """
    import pytensor.tensor as pt

    pos = pt.gt(x, 0.0)
    return pt.switch(pos, pt.log(pt.switch(pos, x, 1.0)), -np.inf)


def timeline_loglik_terms(inp: ModelInputs, *, mode: TimelineMode = "marginal", sigma: SigmaMode = "fixed") -> Any:
    """Log P(y | h) of each timeline item, shape (T, K) (an empty (0, K) tensor when none)."""
    import pymc as pm
    import pytensor.tensor as pt

    K = len(inp.hypotheses)
    rows = []
    for tl in inp.timelines:
        sig: Any = tl.sigma
        if sigma == "free":
            sig = pm.HalfNormal(f"{tl.id}_sigma", sigma=tl.sigma)
        if mode == "explicit" and not tl.linear:
            ll = _explicit_design_loglik(tl, sig)
        elif mode == "explicit":
            za = pm.Normal(f"{tl.id}_intercept_z", 0.0, 1.0, dims="hypothesis")
            zb = pm.Normal(f"{tl.id}_slope_z", 0.0, 1.0, dims="hypothesis")
            a = pm.Deterministic(f"{tl.id}_intercept", tl.a_mean + tl.a_sd * za, dims="hypothesis")
            b = pm.Deterministic(f"{tl.id}_slope", tl.b_mean + tl.b_sd * zb, dims="hypothesis")
            mu = a[None, :] + b[None, :] * tl.t[:, None]  # (n, K)
            resid = (tl.y[:, None] - mu) / sig
            ll = (-0.5 * resid**2 - pt.log(sig) - 0.5 * np.log(2 * np.pi)).sum(axis=0)
        elif sigma == "fixed":
            ll = pt.as_tensor_variable(_fixed_sigma_loglik(tl))
        elif tl.linear:
            ll = marginal_trend_loglik(tl, sig)
        else:
            ll = marginal_design_loglik(tl, sig)
        rows.append(ll)
    if not rows:
        return pt.zeros((0, K))
    return pt.stack(rows)


def marginal_trend_loglik(tl: Timeline, sigma: Any) -> Any:
    """Log N(y; X m_h, σ²I + X S_h Xᵀ) for every hypothesis, as scalar arithmetic in σ.

    Woodbury and the determinant lemma reduce the n × n algebra to 2 × 2:
    with M = S⁻¹ + σ⁻² XᵀX, r = y − X m and u = Xᵀ r,
    rᵀ C⁻¹ r = rᵀr/σ² − uᵀ M⁻¹ u/σ⁴ and log det C = n log σ² + log det M + log det S.
    (A dense ``MvNormal`` gives the same numbers but compiles far more slowly.)
    """
    import pytensor.tensor as pt

    n = len(tl.t)
    t, y = tl.t, tl.y
    r = y[:, None] - (tl.a_mean[None, :] + tl.b_mean[None, :] * t[:, None])  # (n, K)
    u0, u1 = r.sum(axis=0), (t[:, None] * r).sum(axis=0)
    rr = (r**2).sum(axis=0)
    s2 = sigma**2
    p = 1.0 / tl.a_sd**2 + n / s2
    q = t.sum() / s2
    s = 1.0 / tl.b_sd**2 + (t**2).sum() / s2
    det = p * s - q**2
    quad = rr / s2 - (s * u0**2 - 2 * q * u0 * u1 + p * u1**2) / (det * s2**2)
    logdet = n * pt.log(s2) + pt.log(det) + np.log(tl.a_sd**2 * tl.b_sd**2)
    return -0.5 * (quad + logdet + n * np.log(2 * np.pi))


def _fixed_sigma_loglik(tl: Timeline) -> Array:
    """Closed-form log P(y | h) per hypothesis with σ fixed (linear or step trends)."""
    if tl.linear or not tl.designs:
        return np.array([timeline_loglik(tl.t, tl.y, tl.sigma, tl.a_mean[k], tl.a_sd[k], tl.b_mean[k], tl.b_sd[k])
                         for k in range(len(tl.a_mean))])
    out = []
    for alts in tl.designs:
        lls = np.array([_mvn_marginal(X, tl.y, tl.sigma, m, sd) for X, m, sd in alts])
        top = lls.max()
        out.append(top + np.log(np.mean(np.exp(lls - top))))
    return np.array(out)


def marginal_design_loglik(tl: Timeline, sigma: Any) -> Any:
    """Log P(y | h) per hypothesis for general two-column designs, σ a tensor (e.g. free).

    Each alternative (X, m, sd) gives log N(y; X m, σ²I + X S Xᵀ) by the same
    2 × 2 Woodbury reduction as :func:`marginal_trend_loglik`; a hypothesis with
    several alternatives (a step with an uncertain break) takes their log-mean-exp.
    """
    import pytensor.tensor as pt

    n = len(tl.t)
    s2 = pt.cast(pt.as_tensor_variable(sigma), "float64") ** 2
    out = []
    for alts in tl.designs:
        terms = []
        for X, m, sd in alts:
            r = tl.y - X @ m
            u = X.T @ r
            G = X.T @ X
            p = 1.0 / sd[0] ** 2 + G[0, 0] / s2
            q = G[0, 1] / s2
            s = 1.0 / sd[1] ** 2 + G[1, 1] / s2
            det = p * s - q**2
            quad = (r @ r) / s2 - (s * u[0] ** 2 - 2 * q * u[0] * u[1] + p * u[1] ** 2) / (det * s2**2)
            logdet = n * pt.log(s2) + pt.log(det) + np.log(sd[0] ** 2 * sd[1] ** 2)
            terms.append(-0.5 * (quad + logdet + n * np.log(2 * np.pi)))
        stacked = pt.stack(terms)
        out.append(pt.logsumexp(stacked) - np.log(len(alts)))
    return pt.stack(out)


def _explicit_design_loglik(tl: Timeline, sigma: Any) -> Any:
    """Sample each hypothesis's two trend coefficients; an uncertain break is summed out (log-mean-exp)."""
    import pymc as pm
    import pytensor.tensor as pt

    K = len(tl.designs)
    m = np.array([alts[0][1] for alts in tl.designs])  # (K, 2)
    sd = np.array([alts[0][2] for alts in tl.designs])
    z = pm.Normal(f"{tl.id}_coef_z", 0.0, 1.0, shape=(K, 2))
    coef = pm.Deterministic(f"{tl.id}_coef", m + sd * z)
    out = []
    for k, alts in enumerate(tl.designs):
        terms = []
        for X, _, _ in alts:
            mu = pt.dot(X, coef[k])
            resid = (tl.y - mu) / sigma
            terms.append((-0.5 * resid**2 - pt.log(sigma) - 0.5 * np.log(2 * np.pi)).sum())
        out.append(pt.logsumexp(pt.stack(terms)) - np.log(len(alts)))
    return pt.stack(out)


def item_loglik(inp: ModelInputs, *, lam: Any, rho: Any | None, log_scale: Any, observed: Any,
                timeline: TimelineMode = "marginal", sigma: SigmaMode = "fixed") -> Any:
    """Log P(E_e | h) of every item (likelihood, timeline, quantity), shape (E, K).

    ``log_scale`` has shape (E, K): for timeline and quantity items it is added
    to the log density.
    """
    import pytensor.tensor as pt

    N = len(inp.items)
    parts = []
    if N:
        parts.append(likelihood_loglik(inp, lam, rho, log_scale[:N], observed))
    other = []
    if inp.timelines:
        other.append(timeline_loglik_terms(inp, mode=timeline, sigma=sigma))
    if inp.quantities:
        other.append(pt.as_tensor_variable(inp.quantity_loglik))
    if other:
        parts.append(pt.concatenate(other, axis=0) + log_scale[N:])
    return pt.concatenate(parts, axis=0) if len(parts) > 1 else parts[0]


def other_loglik_const(inp: ModelInputs) -> Array:
    """Closed-form log densities (T + Q, K) of timeline (σ fixed, trends integrated out) and quantity items."""
    K = len(inp.hypotheses)
    rows = [_fixed_sigma_loglik(tl) for tl in inp.timelines]
    out = np.array(rows, dtype=float).reshape(len(rows), K)
    return np.concatenate([out, inp.quantity_loglik], axis=0)


def data_for(inp: ModelInputs) -> dict[str, np.ndarray]:
    """Values of the case-derived ``pm.Data`` inputs for these inputs.

    Two cases with the same structure (same items, hypotheses, point cells,
    sources and base-rate items) compile to the same model; ``set_data(built,
    **data_for(model_inputs(other_case)))`` turns one into the other without
    recompiling.
    """
    free = inp.free_cells
    out = {"lam_fixed": np.where(free, 0.5, inp.lam_mean),
           "lam_alpha": inp.lam_mean[free] * inp.lam_conc[free],
           "lam_beta": (1 - inp.lam_mean[free]) * inp.lam_conc[free],
           "base_rate": np.nan_to_num(inp.base, nan=0.5)}
    random = np.array([np.isfinite(s[2]) for s in inp.sources], dtype=bool)
    if random.any():
        mean = np.array([s[1] for s in inp.sources])[random]
        conc = np.array([s[2] for s in inp.sources])[random]
        out["rho_alpha"], out["rho_beta"] = mean * conc, (1 - mean) * conc
    return out
