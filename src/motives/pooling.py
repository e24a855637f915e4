"""Pooling analysts' judgements the standard ways.

Linear and logarithmic opinion pools, with weights.

:func:`pool` returns the case with one more lens whose every judgement — item
cells, proposition rows, trend and predictive priors — pools the chosen
lenses' judgements; the pooled lens is then usable everywhere a lens is
(exact engine, models, sensitivity, reports).

What is pooled is each analyst's *distribution* for an uncertain
probability (a Beta; a point is its limit), as in SHELF (O'Hagan et al. 2006,
*Uncertain Judgements*, ch. 9; Oakley and O'Hagan, SHELF 4):

- **linear** (``method="linear"``): the weighted mixture Σ_a w_a f_a
  (Stone 1961). A mixture of Betas is not a Beta; it is represented by the
  Beta with the mixture's mean and variance (moment matching), so analysts
  who disagree produce a wider pooled judgement even when each gave a point.
  Dirichlet rows likewise (mean vector and total variance matched).
- **logarithmic** (``method="log"``): the normalised weighted geometric mean
  Π_a f_a^{w_a} (Genest and Zidek 1986, *Statistical Science* 1:114–148),
  closed form for Betas: Beta(Σ w_a(α_a − 1) + 1, Σ w_a(β_a − 1) + 1), and
  for Dirichlet rows the same per component. Where a judgement is a point (no
  distribution), the logarithmic pool of the probabilities themselves is
  used: p ∝ Π p_a^{w_a}, 1 − p ∝ Π (1 − p_a)^{w_a} (a point; a 0 from any
  analyst with positive weight forces 0 — the pool's known property).
- Normal priors (timeline trends; normal and log-normal predictives, the
  latter on the log scale): linear = moment-matched Normal, logarithmic =
  precision-weighted Normal (exact). Other forms pool only when the lenses
  agree exactly; otherwise a clear error.

Weights: equal (default), given per lens, or ``"calibration"``: Cooke's
classical model (Cooke 1991, *Experts in Uncertainty*) scored on the case's
``seed_questions`` (quantities with known answers and each lens's 5%, 50% and
95% quantiles): weight ∝ calibration × information, see :func:`cooke_weights`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from motives.errors import CaseError, Problem
from motives.schema import Case, Lens, LensJudgement, Likelihood
from motives.schema.structure import PropositionJudgement, StateRow

METHODS = ("linear", "log")

#: Quantile probabilities of a seed-question judgement and the probabilities of the four bins they
#: make.
SEED_QUANTILES = (0.05, 0.5, 0.95)
SEED_BINS = (0.05, 0.45, 0.45, 0.05)


# --------------------------------------------------------------------------- single distributions


def _beta_moments(cell: Likelihood) -> tuple[float, float]:
    m = cell.mean
    var = 0.0 if cell.concentration is None else m * (1 - m) / (cell.concentration + 1)
    return m, var


def pool_beta(
    cells: Sequence[Likelihood], weights: Sequence[float] | np.ndarray, method: str
) -> Likelihood:
    """Pool Beta (or point) judgements of one probability.

    Examples
    --------
    Two analysts, points 0.2 and 0.6, equal weights: the linear pool is their
    mixture (mean 0.4, variance 0.04 → Beta with concentration 5); the log pool
    of the two probabilities is a point.

    >>> a, b = Likelihood(mean=0.2), Likelihood(mean=0.6)
    >>> pool_beta([a, b], [0.5, 0.5], "linear")
    Likelihood(mean=0.4, concentration=5.0)
    >>> round(pool_beta([a, b], [0.5, 0.5], "log").mean, 6)  # sqrt(.12) / (sqrt(.12) + sqrt(.32))
    0.379796
    >>> pool_beta(
    ...     [Likelihood(mean=0.25, concentration=8), Likelihood(mean=0.5, concentration=4)],
    ...     [0.5, 0.5],
    ...     "log",
    ... )  # Beta(2, 6) and Beta(2, 2): Beta(2, 4)
    Likelihood(mean=0.3333333333333333, concentration=6.0)
    """
    w = np.asarray(weights, dtype=float)
    if method == "linear":
        mv = [_beta_moments(c) for c in cells]
        m = float(sum(wi * mi for wi, (mi, _) in zip(w, mv, strict=True)))
        var = float(sum(wi * (vi + mi * mi) for wi, (mi, vi) in zip(w, mv, strict=True))) - m * m
        if var <= 1e-15 * max(m * (1 - m), 1e-300):
            return Likelihood(mean=min(max(m, 0.0), 1.0))
        k = m * (1 - m) / var - 1
        return Likelihood(mean=m, concentration=max(k, 1e-3))
    if method == "log":
        if all(c.concentration is not None for c in cells):
            ks = [float(c.concentration or 0.0) for c in cells]  # all given (checked above)
            a = float(sum(wi * (c.mean * k - 1) for wi, c, k in zip(w, cells, ks, strict=True))) + 1
            b = (
                float(
                    sum(wi * ((1 - c.mean) * k - 1) for wi, c, k in zip(w, cells, ks, strict=True))
                )
                + 1
            )
            return Likelihood(mean=a / (a + b), concentration=a + b)
        p = _geometric([c.mean for c in cells], w)
        q = _geometric([1 - c.mean for c in cells], w)
        return Likelihood(mean=p / (p + q) if p + q > 0 else 0.5)
    raise ValueError(f"method must be one of {METHODS}, got {method!r}")


def _geometric(values: Sequence[float], w: np.ndarray) -> float:
    if any(v == 0 and wi > 0 for v, wi in zip(values, w, strict=True)):
        return 0.0
    return math.exp(sum(wi * math.log(v) for v, wi in zip(values, w, strict=True) if wi > 0))


def pool_row(
    rows: Sequence[tuple[list[float], float | None]],
    weights: Sequence[float] | np.ndarray,
    method: str,
) -> tuple[list[float], float | None]:
    """Pool Dirichlet (or point) rows over the same states: (means, concentration or None).

    Examples
    --------
    >>> pool_row([([0.2, 0.8], None), ([0.6, 0.4], None)], [0.5, 0.5], "linear")
    ([0.4, 0.6], 5.0)
    """
    w = np.asarray(weights, dtype=float)
    M = np.array([r[0] for r in rows], dtype=float)
    if method == "linear":
        m = w @ M
        var_each = np.array(
            [
                mm * (1 - mm) / (k + 1) if k is not None else np.zeros_like(mm)
                for mm, k in zip(M, [r[1] for r in rows], strict=True)
            ]
        )
        var = w @ (var_each + M * M) - m * m
        tot = float(var.sum())
        if tot <= 1e-15:
            return [float(x) for x in m], None
        k = (1 - float((m * m).sum())) / tot - 1
        return [float(x) for x in m], max(k, 1e-3)
    if method == "log":
        if all(r[1] is not None for r in rows):
            alpha = w @ (M * np.array([[r[1]] for r in rows]) - 1) + 1
            return [float(x) for x in alpha / alpha.sum()], float(alpha.sum())
        g = np.array([_geometric(list(M[:, s]), w) for s in range(M.shape[1])])
        if g.sum() == 0:
            raise ValueError(
                "the logarithmic pool of these rows is 0 for every state (each state is ruled out "
                "by some analyst)"
            )
        return [float(x) for x in g / g.sum()], None
    raise ValueError(f"method must be one of {METHODS}, got {method!r}")


def pool_normal(
    params: Sequence[tuple[float, float]], weights: Sequence[float] | np.ndarray, method: str
) -> tuple[float, float]:
    """Pool Normal(mean, sd) judgements: linear = moment-matched mixture, log = precision-weighted.

    Examples
    --------
    >>> pool_normal([(0.0, 1.0), (2.0, 1.0)], [0.5, 0.5], "linear")  # mean 1, variance 1 + 1
    (1.0, 1.4142135623730951)
    >>> pool_normal([(0.0, 1.0), (2.0, 1.0)], [0.5, 0.5], "log")
    (1.0, 1.0)
    """
    w = np.asarray(weights, dtype=float)
    mu = np.array([p[0] for p in params])
    sd = np.array([p[1] for p in params])
    if method == "linear":
        m = float(w @ mu)
        return m, math.sqrt(max(float(w @ (sd**2 + mu**2)) - m * m, 1e-300))
    if method == "log":
        prec = w / sd**2
        return float(prec @ mu / prec.sum()), float(1 / math.sqrt(prec.sum()))
    raise ValueError(f"method must be one of {METHODS}, got {method!r}")


# -------------------------------------------------------------------------- Cooke's classical model


def cooke_weights(
    answers: Sequence[float],
    quantiles: Mapping[str, Sequence[Sequence[float]]],
    *,
    alpha: float = 0.0,
    overshoot: float = 0.1,
) -> Any:
    """Cooke's classical-model scores and weights from seed questions.

    Parameters
    ----------
    answers
        The known answer of each seed question.
    quantiles
        Lens id -> per question its 5%, 50% and 95% quantiles.
    alpha
        Calibration cut-off: lenses whose calibration is below it get weight 0.
    overshoot
        Fraction by which each question's intrinsic range is widened (Cooke's 10%).

    Returns
    -------
    pandas.DataFrame
        Per lens: ``calibration`` (the p-value 1 − F_χ²₃(2N·I(s, p)) of the hits per inter-quantile
        bin), ``information`` (mean relative information against the uniform on the intrinsic
        range), ``weight`` (∝ calibration × information, cut at ``alpha``, normalised).

    Examples
    --------
    One seed (answer 5) and two analysts; the first's median is right and its range narrower:

    >>> df = cooke_weights([5.0], {"a": [[4, 5.5, 7]], "b": [[0, 8, 10]]})
    >>> df["calibration"].round(4).tolist(), df["information"].round(4).tolist()
    ([0.6601, 0.6601], [0.952, 0.219])
    >>> df["weight"].round(4).tolist()
    [0.813, 0.187]
    """
    import pandas as pd
    from scipy.stats import chi2

    ans = np.asarray(answers, dtype=float)
    lenses = list(quantiles)
    Q = {a: np.asarray(quantiles[a], dtype=float) for a in lenses}
    n = len(ans)
    p = np.array(SEED_BINS)
    rows = []
    for q in range(n):
        vals = np.concatenate([Q[a][q] for a in lenses] + [[ans[q]]])
        lo, hi = vals.min(), vals.max()
        span = hi - lo if hi > lo else 1.0
        rows.append((lo - overshoot * span, hi + overshoot * span))
    out = []
    for a in lenses:
        qs = Q[a]
        if qs.shape != (n, 3) or np.any(np.diff(qs, axis=1) <= 0):
            raise ValueError(
                f"lens '{a}': give three increasing quantiles (5%, 50%, 95%) for each of {n} seeds"
            )
        hits = np.array([np.searchsorted(qs[i], ans[i], side="right") for i in range(n)])
        s = np.bincount(hits, minlength=4) / n
        kl = float(sum(si * math.log(si / pi) for si, pi in zip(s, p, strict=True) if si > 0))
        cal = float(1 - chi2.cdf(2 * n * kl, df=3))
        info = []
        for i in range(n):
            lo, hi = rows[i]
            edges = np.concatenate([[lo], qs[i], [hi]])
            widths = np.diff(edges)
            info.append(
                math.log(hi - lo)
                + float(sum(pi * math.log(pi / wi) for pi, wi in zip(p, widths, strict=True)))
            )
        out.append((a, cal, float(np.mean(info))))
    df = pd.DataFrame(out, columns=["lens", "calibration", "information"]).set_index("lens")
    raw = df["calibration"] * df["information"] * (df["calibration"] >= alpha)
    if raw.sum() <= 0:
        raise ValueError("no lens passes the calibration cut-off: lower alpha")
    df["weight"] = raw / raw.sum()
    return df


# --------------------------------------------------------------------------- the case


def _weights(case: Case, lenses: list[str], weights: Any) -> np.ndarray:
    """The lenses' pooling weights as proportions.

    Equal, by calibration on seed questions, a mapping by lens or a list; each refusal located at
    ``weights`` or ``seed_questions``.
    """
    if weights is None:
        return np.full(len(lenses), 1.0 / len(lenses))
    if isinstance(weights, str) and weights == "calibration":
        seeds = case.seed_questions
        if not seeds:
            raise CaseError(
                [
                    Problem(
                        "weights='calibration' needs seed_questions in case.yaml (known answers "
                        "and "
                        "each lens's 5%, 50%, 95% quantiles)",
                        field="seed_questions",
                    )
                ]
            )
        missing = [a for a in lenses if any(a not in s.quantiles for s in seeds)]
        if missing:
            raise CaseError(
                [
                    Problem(
                        f"lens(es) {missing} do not answer every seed question",
                        field="seed_questions",
                    )
                ]
            )
        df = cooke_weights(
            [s.answer for s in seeds], {a: [s.quantiles[a] for s in seeds] for a in lenses}
        )
        return df["weight"].to_numpy()
    if isinstance(weights, Mapping):
        unknown = sorted(set(weights) - set(lenses))
        if unknown:
            raise CaseError(
                [
                    Problem(
                        f"weights for lenses not pooled: {unknown}; pooled: {lenses}",
                        field="weights",
                    )
                ]
            )
        missing = [a for a in lenses if a not in weights]
        if missing:  # a lens left out of the mapping would silently get weight 0
            raise CaseError(
                [
                    Problem(
                        f"weights name some pooled lenses but not {missing}: give every pooled "
                        "lens a "
                        f"weight (0 to leave one out); pooled: {lenses}",
                        field="weights",
                    )
                ]
            )
        raw = [weights[a] for a in lenses]
    else:
        raw = (
            list(weights)
            if isinstance(weights, Sequence) and not isinstance(weights, str)
            else [weights]
        )
    bad = [
        x
        for x in raw
        if isinstance(x, bool)
        or not isinstance(x, int | float)
        or not np.isfinite(float(x))
        or x < 0
        or (isinstance(x, int) and x > 1e300)
    ]
    if len(raw) != len(lenses) or bad or not any(x > 0 for x in raw):
        raise CaseError(
            [
                Problem(
                    f"weights must be {len(lenses)} non-negative finite numbers, not all 0; got "
                    f"{weights!r}"[:300],
                    field="weights",
                )
            ]
        )
    w = np.asarray(raw, dtype=float)
    w = w / w.max()  # scaled first: weights of 1e308 would overflow their sum
    return w / w.sum()


def pool(
    case: Case,
    lenses: Sequence[str] | None = None,
    *,
    method: str = "linear",
    weights: Any = None,
    id: str = "pool",
    name: str | None = None,
) -> Case:
    """The case with one more lens, ``id``, that pools the judgements of ``lenses``.

    Parameters
    ----------
    case
        The case.
    lenses
        Lenses to pool (default: all). A lens that does not rate an item contributes the default
        lens's judgement, as everywhere in motives.
    method
        ``"linear"`` or ``"log"`` (see the module docstring).
    weights
        None (equal), a mapping lens -> weight, a sequence in ``lenses`` order, or ``"calibration"``
        (Cooke's classical model on the case's ``seed_questions``).
    id, name
        Id and display name of the pooled lens.

    Returns
    -------
    Case
        A new case; its ``lenses`` end with the pooled lens, whose description states the pool.

    Examples
    --------
    >>> import motives as mv
    >>> case = pool(mv.examples.load("two_lenses"), method="log")
    >>> case.lens_ids
    ['a', 'b', 'pool']
    >>> mv.exact_posterior(case, lens="pool")["credence"].round(4).tolist()[
    ...     :2
    ... ]  # the disputed item cancels
    [0.6667, 0.3333]
    """
    if method not in METHODS:
        raise CaseError(
            [Problem(f"method must be one of {', '.join(METHODS)}, got {method!r}", field="method")]
        )
    lenses = list(lenses) if lenses is not None else list(case.lens_ids)
    if len(lenses) < 1:
        raise CaseError([Problem("pool at least one lens", field="lenses")])
    for a in lenses:
        case.resolve_lens(a)
    if id in case.lens_ids:
        raise CaseError(
            [Problem(f"lens '{id}' exists already: choose another id for the pool", field="id")]
        )
    w = _weights(case, lenses, weights)
    wl = ", ".join(f"{a} {x:.3g}" for a, x in zip(lenses, w, strict=True))
    desc = f"{method} pool of {wl}" + (
        " (Cooke calibration weights)" if weights == "calibration" else ""
    )
    data = {k: getattr(case, k) for k in type(case).model_fields}
    try:
        data["propositions"] = [
            p.model_copy(
                update={
                    "likelihoods": {**p.likelihoods, id: _pool_table(case, p, lenses, w, method)}
                }
            )
            for p in case.propositions
        ]
        data["evidence"] = [_pool_item(case, e, lenses, w, method, id) for e in case.evidence]
    except ValueError as exc:
        raise CaseError([Problem(str(exc), field="lenses")]) from None
    data["lenses"] = [*case.lenses, Lens(id=id, name=name or f"{method} pool", description=desc)]
    return Case.model_validate(data)


def _pool_table(
    case: Case, prop: Any, lenses: list[str], w: np.ndarray, method: str
) -> PropositionJudgement:
    judged = [case.judgement(prop, a)[0] for a in lenses]
    values: dict[str, Any] = {}
    for v in case.parent_values(prop.parents):
        probs, k = pool_row([prop.row(j, v) for j in judged], w, method)
        values[v] = StateRow(probs=dict(zip(prop.states, probs, strict=True)), concentration=k)
    return PropositionJudgement(values=values, rationale=f"{method} pool of {', '.join(lenses)}")


def _pool_item(case: Case, e: Any, lenses: list[str], w: np.ndarray, method: str, id: str) -> Any:
    judged = [case.judgement(e, a)[0] for a in lenses]
    keys = case.parent_values(e.parents)
    why = f"{method} pool of {', '.join(lenses)}"
    if e.kind == "likelihood":
        new = LensJudgement(
            values={k: pool_beta([j.values[k] for j in judged], w, method) for k in keys},
            rationale=why,
        )
        return e.model_copy(update={"likelihoods": {**e.likelihoods, id: new}})
    if e.kind == "timeline":
        vals = {}
        for k in keys:
            trs = [j.values[k] for j in judged]
            if all(tr == trs[0] for tr in trs):
                vals[k] = trs[0]
                continue
            if not all(hasattr(tr, "intercept") and hasattr(tr, "slope") for tr in trs):
                raise ValueError(f"item '{e.id}': only linear trends pool when the lenses differ")
            parts = {}
            for part in ("intercept", "slope"):
                m, s = pool_normal(
                    [(getattr(tr, part).mean, getattr(tr, part).sd) for tr in trs], w, method
                )
                parts[part] = {"mean": m, "sd": s}
            vals[k] = type(trs[0]).model_validate(parts)
        new = type(judged[0]).model_validate({"values": vals, "rationale": why})
        return e.model_copy(update={"trends": {**e.trends, id: new}})
    vals = {}
    for k in keys:
        ds = [j.values[k] for j in judged]
        if all(d == ds[0] for d in ds):
            vals[k] = ds[0]
        elif all(d.dist == "normal" for d in ds):
            m, s = pool_normal([(d.mean, d.sd) for d in ds], w, method)
            vals[k] = {"dist": "normal", "mean": m, "sd": s}
        elif all(d.dist == "lognormal" for d in ds):
            m, s = pool_normal([(math.log(d.median), d.sigma) for d in ds], w, method)
            vals[k] = {"dist": "lognormal", "median": math.exp(m), "sigma": s}
        else:
            raise ValueError(
                f"item '{e.id}': predictive distributions for '{k}' differ in form across lenses "
                f"({sorted({d.dist for d in ds})}); only normal or log-normal ones pool"
            )
    new = type(judged[0]).model_validate({"values": vals, "rationale": why})
    return e.model_copy(update={"predictive": {**e.predictive, id: new}})
