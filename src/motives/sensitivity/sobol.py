"""Global sensitivity: Sobol indices of a credence over the elicitation distributions.

Estimator (Saltelli et al. 2010, "Variance based sensitivity analysis of model
output", Comput. Phys. Commun. 181): two independent sample matrices A and B
(n rows, from one scrambled Sobol sequence of dimension 2d) and, for each
input group j, A_B^j = A with group j's columns taken from B. With
V = Var[f] over A and B together,

- first order  S_j  = mean((f(B) - f0) (f(A_B^j) - f(A))) / V, f0 the mean of f,
- total        ST_j = mean((f(A) - f(A_B^j))**2) / (2 V)   (Jansen 1999),

n (G + 2) evaluations for G groups; standard errors by bootstrap over rows.
Inputs are transformed column-wise (inverse CDF) once for A and B; the A_B^j
are assembled from the transformed columns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats
from scipy.stats import qmc

from motives.schema import Case, LikelihoodItem
from motives.sensitivity._core import (
    Array,
    check_finite,
    log_odds_db,
    scenario_logpost,
    scenario_posterior,
    setup,
    target_of,
)


def sobol_indices(
    func: Callable[[Array], Array],
    ppf: Callable[[Array], Array],
    d: int,
    n: int,
    *,
    groups: Sequence[Sequence[int]] | None = None,
    names: Sequence[str] | None = None,
    seed: int = 1,
    n_boot: int = 200,
    chunk: int = 8192,
) -> pd.DataFrame:
    """First-order and total Sobol indices of ``func`` (Saltelli 2010 / Jansen estimators).

    Parameters
    ----------
    func
        Vectorised model: inputs (S, d) -> outputs (S,).
    ppf
        Column-wise inverse CDF: uniforms (S, d) -> inputs (S, d).
    d
        Number of inputs.
    n
        Base sample size (rounded up to a power of 2 for the Sobol sequence).
    groups
        Index lists of the input groups (default: one group per input).
    names
        Group names.
    seed
        Seed of the scrambled Sobol sequence and the bootstrap.
    n_boot
        Bootstrap resamples for the standard errors (0: none).
    chunk
        Rows per call of ``func``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``input``: ``S1``, ``ST``, ``S1_se``, ``ST_se``; ``attrs``
        hold ``n``, ``evaluations`` and ``variance``.

    Examples
    --------
    >>> import numpy as np
    >>> df = sobol_indices(lambda x: x[:, 0] + 2 * x[:, 1], lambda u: u, 2, 1024, n_boot=0)
    >>> df["S1"].round(2).tolist()  # variances 1 : 4
    [0.2, 0.8]
    """
    groups = [[i] for i in range(d)] if groups is None else [list(g) for g in groups]
    names = [f"x{i + 1}" for i in range(len(groups))] if names is None else list(names)
    m = max(int(np.ceil(np.log2(max(n, 2)))), 1)
    u = qmc.Sobol(d=2 * d, scramble=True, seed=seed).random_base2(m)
    u = np.clip(u, 1e-12, 1 - 1e-12)
    XA, XB = ppf(u[:, :d]), ppf(u[:, d:])
    rows = len(XA)

    def run(X: Array) -> Array:
        return np.concatenate(
            [np.asarray(func(X[i : i + chunk]), dtype=float) for i in range(0, len(X), chunk)]
        )

    fA, fB = run(XA), run(XB)
    fAB = np.empty((len(groups), rows))
    for j, g in enumerate(groups):
        X = XA.copy()
        X[:, g] = XB[:, g]
        fAB[j] = run(X)

    def estimate(idx: NDArray[np.intp]) -> tuple[Array, Array]:
        a, b, ab = fA[idx], fB[idx], fAB[:, idx]
        both = np.concatenate([a, b])
        with np.errstate(
            invalid="ignore"
        ):  # an infinite output (a ruled-out rival): NaN, stated as degenerate
            v = np.var(both)
        if not v > 0:
            return np.zeros(len(groups)), np.zeros(len(groups))
        # f(B) centred: same expectation (E[f(A_B) - f(A)] = 0), far less variance when |mean| >>
        # sd.
        return ((b - both.mean()) * (ab - a)).mean(axis=1) / v, 0.5 * ((a - ab) ** 2).mean(
            axis=1
        ) / v

    s1, st = estimate(np.arange(rows))
    df = pd.DataFrame({"S1": s1, "ST": st}, index=pd.Index(names, name="input"))
    if n_boot:
        rng = np.random.default_rng(seed)
        boots = [estimate(rng.integers(0, rows, rows)) for _ in range(n_boot)]
        df["S1_se"] = np.std([b[0] for b in boots], axis=0)
        df["ST_se"] = np.std([b[1] for b in boots], axis=0)
    with np.errstate(invalid="ignore"):
        var = float(np.var(np.concatenate([fA, fB])))
    df.attrs.update({"n": rows, "evaluations": rows * (len(groups) + 2), "variance": var})
    return df


def ishigami(x: Array, a: float = 7.0, b: float = 0.1) -> Array:
    """The Ishigami function on [-pi, pi]^3 (a test function with known Sobol indices).

    f(x) = sin x1 + a sin^2 x2 + b x3^4 sin x1, one row of ``x`` per point.

    Examples
    --------
    >>> import numpy as np
    >>> ishigami(np.array([[0.0, np.pi / 2, 1.0], [np.pi / 2, 0.0, 2.0]])).round(
    ...     6
    ... )  # a = 7; 1 + 0.1 x 16
    array([7. , 2.6])
    """
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> pd.DataFrame:
    """Analytic first-order and total Sobol indices of :func:`ishigami`.

    Examples
    --------
    >>> exact = ishigami_indices()
    >>> exact.round(4)
               S1      ST
    input
    x1     0.3139  0.5576
    x2     0.4424  0.4424
    x3     0.0000  0.2437

    The estimator of :func:`sobol_indices` recovers them (inputs uniform on [-pi, pi]):

    >>> import numpy as np
    >>> est = sobol_indices(ishigami, lambda u: np.pi * (2 * u - 1), 3, 1024, n_boot=0)
    >>> bool((est - exact).abs().to_numpy().max() < 0.01)
    True
    """
    pi = np.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return pd.DataFrame(
        {"S1": [v1 / v, v2 / v, 0.0], "ST": [(v1 + v13) / v, v2 / v, v13 / v]},
        index=pd.Index(["x1", "x2", "x3"], name="input"),
    )


# C901: one block per kind of judgement Sobol samples
def global_sensitivity(  # noqa: C901
    case: Case,
    *,
    lens: str | None = None,
    target: str | None = None,
    prior: Any = None,
    n: int = 1024,
    by: str = "item",
    scale: str = "log_odds",
    seed: int = 1,
    n_boot: int = 100,
    reliability: bool = True,
    _estimate_only: bool = False,
) -> pd.DataFrame:
    """Sobol indices of the target's credence (or its log-odds) over every uncertain judgement.

    The inputs are the likelihood cells judged as Beta distributions (a ``confidence`` or an
    explicit Beta/interval; points stay fixed) and the reliabilities of sources judged as Betas. In
    a structured case they also include the cells of the items under propositions and the rows of
    the propositions' tables judged with a confidence: row v of proposition p is Dirichlet(c_v P(. |
    v)) (a Beta for two states), drawn as normalised Gamma variates (cells judged 0 stay 0; a table
    of several parents has one row per parent configuration, ``<proposition>|<value>.<value>``; a
    root fact's one row is ``<proposition>|*``); the cells of items of several parents are inputs
    like any other item's; with ``by="item"`` all rows of a table form one group named by the
    proposition (``kind`` ``table``), with ``by="cell"`` each row is one input
    ``<proposition>|<parent value>``. The reliability of every source judged as a Beta is an input
    (``kind`` ``source``), whether it reports items on the hypotheses or facts under propositions.
    For each draw the credence is the exact posterior with those values fixed (every reliability
    too: a draw takes each report at the drawn reliability). Timeline and quantity items keep their
    closed-form marginal likelihoods (their uncertainty is already integrated out).

    Parameters
    ----------
    by
        ``"item"``: one input group per item (all its uncertain cells) and
        per source; ``"cell"``: one input per cell.
    scale
        ``"log_odds"`` (default): the output is the target's log-odds against
        the rest (decibans); ``"credence"``: the credence itself. Both answer
        "which judgements does the conclusion depend on", but when the
        credence is near 0 or 1 its variance is all in the last decimals and
        the credence-scale indices are dominated by rare draws; the log-odds
        scale is the scale on which evidence adds.
    n
        Base sample size; ``n * (groups + 2)`` engine evaluations.

    Returns
    -------
    pandas.DataFrame
        As :func:`sobol_indices`, with a ``kind`` column (``item``, ``cell`` or
        ``source``); empty when nothing is uncertain. ``attrs``: ``lens``, ``target``,
        ``target_level``, ``scale``, ``credence`` (of the target), ``n``, ``evaluations``
        and ``variance`` (all 0 when nothing is uncertain).

    Examples
    --------
    Two items, one judged with high confidence (Beta concentration 80), one with low (5): the spread
    of the conclusion comes from the vague one.

    >>> import motives as mv
    >>> case = mv.Case.model_validate(
    ...     {
    ...         "name": "uncertain",
    ...         "hypotheses": [{"id": "h1"}, {"id": "h2"}],
    ...         "evidence": [
    ...             {
    ...                 "id": "firm",
    ...                 "title": "Judged with high confidence",
    ...                 "likelihoods": {
    ...                     "default": {"values": {"h1": 0.8, "h2": 0.4}, "confidence": "high"}
    ...                 },
    ...             },
    ...             {
    ...                 "id": "vague",
    ...                 "title": "Judged with low confidence",
    ...                 "likelihoods": {
    ...                     "default": {"values": {"h1": 0.6, "h2": 0.3}, "confidence": "low"}
    ...                 },
    ...             },
    ...         ],
    ...     }
    ... )
    >>> gs = global_sensitivity(case, target="h1", n=1024, n_boot=0)
    >>> gs.index.tolist(), gs["kind"].tolist()  # sorted by total index
    (['vague', 'firm'], ['item', 'item'])
    >>> gs["ST"].round(1).tolist()
    [1.0, 0.0]
    >>> gs.attrs["evaluations"]  # n x (2 groups + 2)
    4096
    """
    arr, pri = setup(case, lens, prior)
    base = scenario_posterior(arr, pri, reliability=reliability)
    check_finite(base)
    tgt = target_of(arr, target, base)
    if scale not in ("log_odds", "credence"):
        raise ValueError(f"scale must be 'log_odds' or 'credence', got {scale!r}")
    if by not in ("item", "cell"):
        raise ValueError(f"by must be 'item' or 'cell', got {by!r}")
    H = arr.hypotheses
    cells: list[tuple[int, int, float, float]] = []  # (row, hypothesis, alpha, beta)
    for i, e_id in enumerate(arr.items):
        e = case.item(e_id)
        assert isinstance(e, LikelihoodItem)
        j, _ = case.judgement(e, arr.lens)
        for k, h in enumerate(H):
            b = j.values[h].belief
            if not b.is_point and 0 < b.mean < 1:
                cells.append((i, k, b.alpha, b.beta))
    # items under propositions: (proposition, row, state, alpha, beta)
    pcells: list[tuple[int, int, int, float, float]] = []
    for pi, pa in enumerate(arr.propositions):
        states = pa.states
        for r, e_id in enumerate(pa.items):
            j, _ = case.judgement(case.item(e_id), arr.lens)
            for si, st in enumerate(states):
                b = j.values[st].belief
                if not b.is_point and 0 < b.mean < 1:
                    pcells.append((pi, r, si, b.alpha, b.beta))
    # items of several parents: (joint index, configuration, alpha, beta), appended to pcells'
    # columns
    jcells: list[tuple[int, int, float, float]] = []
    for ji, jt in enumerate(arr.joint):
        e = case.item(jt.id)
        j, _ = case.judgement(e, arr.lens)
        for v, key in enumerate(case.parent_values(e.parents)):
            b = j.values[key].belief
            if not b.is_point and 0 < b.mean < 1:
                jcells.append((ji, v, b.alpha, b.beta))
    # proposition table rows judged with a confidence: Dirichlet(c * row) as normalised Gamma(c *
    # p_s) draws
    trows: list[tuple[int, int, np.ndarray]] = []  # (proposition, parent value, states with p > 0)
    for pi, pa in enumerate(arr.propositions):
        for v in range(pa.table.shape[0]):
            c = pa.concentration[v]
            live = np.flatnonzero(pa.table[v] > 0)
            if np.isfinite(c) and len(live) > 1:
                trows.append((pi, v, live))
    srcs = [
        (gi, g) for gi, g in enumerate(arr.groups) if reliability and g.concentration is not None
    ]
    # sources whose items sit under propositions (or that also report direct items beside such
    # items): (index in sources_in_structure, group); their reliability is an input like a direct
    # source's
    ssrcs = [
        (si, g)
        for si, g in enumerate(arr.sources_in_structure)
        if reliability and g.concentration is not None
    ]
    nc, npc = (
        len(cells),
        len(pcells) + len(jcells),
    )  # cells under propositions, then of items of several parents
    nt = sum(len(live) for _, _, live in trows)
    d = nc + npc + nt + len(srcs) + len(ssrcs)
    meta = {
        "lens": arr.lens,
        "target": tgt.id,
        "target_level": tgt.level,
        "scale": scale,
        "credence": float(base[tgt.mask].sum()),
    }
    fixed = [
        f"source:{g.key} ({g.mean:.6g})"
        for g in arr.groups + tuple(arr.sources_in_structure)
        if reliability and g.concentration is None and 0 < g.mean < 1
    ]
    meta["not_inputs"] = fixed
    if d == 0:  # nothing uncertain: no samples drawn, nothing varies
        df = pd.DataFrame(columns=["S1", "ST", "kind"], index=pd.Index([], name="input"))
        df.attrs.update({"n": 0, "evaluations": 0, "variance": 0.0, **meta, "noisy": []})
        df.attrs["warning"] = _sobol_warning(df, fixed)
        return df
    t_alpha = [
        arr.propositions[pi].concentration[v] * arr.propositions[pi].table[v, s]
        for pi, v, live in trows
        for s in live
    ]
    alpha = np.array(
        [c[2] for c in cells]
        + [c[3] for c in pcells]
        + [c[2] for c in jcells]
        + t_alpha
        + [g.mean * (g.concentration or 0.0) for _, g in srcs + ssrcs]
    )  # sampled: given
    beta: np.ndarray = np.array(
        [c[3] for c in cells]
        + [c[4] for c in pcells]
        + [c[3] for c in jcells]
        + [1.0] * nt
        + [(1 - g.mean) * (g.concentration or 0.0) for _, g in srcs + ssrcs]
    )
    is_gamma = np.zeros(d, dtype=bool)
    is_gamma[nc + npc : nc + npc + nt] = True
    rows_i = np.array([c[0] for c in cells], dtype=np.intp)
    cols_k = np.array([c[1] for c in cells], dtype=np.intp)
    t_cols: list[np.ndarray] = []
    off = nc + npc
    for _, _, live in trows:
        t_cols.append(np.arange(off, off + len(live)))
        off += len(live)
    s0 = nc + npc + nt  # first source column
    eval_arr = replace(arr, groups=()) if arr.propositions else arr

    def ppf(u: Array) -> Array:
        out = np.empty_like(u)
        out[:, ~is_gamma] = stats.beta.ppf(u[:, ~is_gamma], alpha[~is_gamma], beta[~is_gamma])
        if nt:
            out[:, is_gamma] = stats.gamma.ppf(u[:, is_gamma], alpha[is_gamma])
        return out

    def func(x: Array) -> Array:
        S = len(x)
        lam = np.repeat(arr.lam[None], S, axis=0)
        lam[:, rows_i, cols_k] = x[:, :nc]
        kw: dict[str, Any] = {}
        if arr.propositions:
            plam = {
                pa.id: np.repeat(pa.lam[None], S, axis=0)
                for pa in arr.propositions
                if len(pa.items)
            }
            for c, (pi, r, si, _, _) in enumerate(pcells):
                plam[arr.propositions[pi].id][:, r, si] = x[:, nc + c]
            jlam = {jt.id: np.repeat(jt.lam[None], S, axis=0) for jt in arr.joint}
            for c, (ji, v, _, _) in enumerate(jcells):
                jlam[arr.joint[ji].id][:, v] = x[:, nc + len(pcells) + c]
            tables = {}
            for (pi, v, live), cols in zip(trows, t_cols, strict=True):
                pa = arr.propositions[pi]
                if pa.id not in tables:
                    tables[pa.id] = np.repeat(pa.table[None], S, axis=0)
                g = np.maximum(x[:, cols], 1e-300)
                tables[pa.id][:, v, :] = 0.0
                tables[pa.id][:, v, live] = g / g.sum(axis=1, keepdims=True)
            kw = {"plam": plam, "tables": tables, "jlam": jlam}
        if reliability:
            rho_by_group = {gi: x[:, s0 + s] for s, (gi, _) in enumerate(srcs)}
            mixed = lam.copy()
            for gi, grp in enumerate(arr.groups):
                rho = rho_by_group.get(gi, np.full(S, grp.mean))[:, None, None]
                bg = np.where(
                    np.isnan(arr.base[grp.index]),
                    lam[:, grp.index].mean(axis=-1),
                    arr.base[grp.index],
                )
                mixed[:, grp.index] = rho * lam[:, grp.index] + (1 - rho) * bg[..., None]
            lam = mixed
            if arr.sources_in_structure and arr.propositions:
                lam = _mix_structure_sources(
                    arr, lam, kw, x[:, s0 + len(srcs) :], [si for si, _ in ssrcs]
                )
        # every source is mixed in above at the draw's reliability (or its fixed one): each draw is
        # evaluated with every reliability fixed, as for the direct sources
        rel = False
        if scale == "log_odds":
            return log_odds_db(
                scenario_logpost(eval_arr, pri, lam=lam, reliability=rel, **kw), tgt.mask
            )
        post = scenario_posterior(eval_arr, pri, lam=lam, reliability=rel, **kw)
        return post[:, tgt.mask].sum(axis=1)

    ids = arr.proposition_ids
    if by == "cell":
        groups = (
            [[i] for i in range(nc + npc)]
            + [list(c) for c in t_cols]
            + [[s0 + s] for s in range(len(srcs) + len(ssrcs))]
        )
        parent_vals = [_configurations(arr, pa.parents) for pa in arr.propositions]
        names = (
            [f"{arr.items[r]}:{H[k]}" for r, k, _, _ in cells]
            + [
                f"{arr.propositions[pi].items[r]}:{arr.propositions[pi].states[si]}"
                for pi, r, si, _, _ in pcells
            ]
            + [
                f"{arr.joint[ji].id}:{_configurations(arr, arr.joint[ji].parents)[v]}"
                for ji, v, _, _ in jcells
            ]
            + [f"{ids[pi]}|{parent_vals[pi][v]}" for pi, v, _ in trows]
            + [f"source:{g.key}" for _, g in srcs + ssrcs]
        )
        kinds = (
            ["cell"] * (nc + npc) + ["table"] * len(trows) + ["source"] * (len(srcs) + len(ssrcs))
        )
    else:
        order = sorted({c[0] for c in cells})
        groups = [[c for c in range(nc) if rows_i[c] == r] for r in order]
        names = [arr.items[r] for r in order]
        porder = sorted({(c[0], c[1]) for c in pcells})
        groups += [
            [nc + c for c, pc in enumerate(pcells) if (pc[0], pc[1]) == key] for key in porder
        ]
        names += [arr.propositions[pi].items[r] for pi, r in porder]
        jorder = sorted({c[0] for c in jcells})
        groups += [
            [nc + len(pcells) + c for c, jc in enumerate(jcells) if jc[0] == ji] for ji in jorder
        ]
        names += [arr.joint[ji].id for ji in jorder]
        torder = sorted({pi for pi, _, _ in trows})
        groups += [
            [
                int(i)
                for (pi, _, _), cols in zip(trows, t_cols, strict=True)
                if pi == q
                for i in cols
            ]
            for q in torder
        ]
        names += [ids[q] for q in torder]
        groups += [[s0 + s] for s in range(len(srcs) + len(ssrcs))]
        names += [f"source:{g.key}" for _, g in srcs + ssrcs]
        kinds = (
            ["item"] * (len(order) + len(porder) + len(jorder))
            + ["table"] * len(torder)
            + ["source"] * (len(srcs) + len(ssrcs))
        )
    from motives.errors import LimitError
    from motives.numeric import sobol_refusal

    n_cells = (
        arr.lam.size
        + sum(p.lam.size + p.table.size for p in arr.propositions)
        + sum(j.lam.size for j in arr.joint)
    )
    chunk = int(
        min(8192, max(16, (1 << 22) // max(n_cells, 1)))
    )  # rows per engine call: bounded memory
    if msg := sobol_refusal(
        d, len(groups), n, chunk * n_cells
    ):  # refused before any sample is drawn
        raise LimitError(msg, field="sensitivity.sobol_samples")
    if _estimate_only:
        return pd.DataFrame()
    df = sobol_indices(
        func, ppf, d, n, groups=groups, names=names, seed=seed, n_boot=n_boot, chunk=chunk
    )
    df["kind"] = kinds
    df = df.sort_values("ST", ascending=False)
    df.attrs.update(meta)
    df.attrs["noisy"] = noisy_inputs(df)
    df.attrs["warning"] = _sobol_warning(df, fixed)
    return df


def _mix_structure_sources(
    arr: Any, lam: Array, kw: dict[str, Any], rho: Array, drawn: list[int]
) -> Array:
    """Mix the items of sources integrated with the structure at fixed reliabilities, one per draw.

    ``rho`` (S, len(drawn)) holds the drawn reliabilities of the sources ``drawn`` (indices in
    ``arr.sources_in_structure``); every other such source keeps its mean (a fixed reliability).
    Each item becomes x P(E | .) + (1 - x) b, its base rate b defaulting to the row mean, as the
    engine mixes it (:func:`motives.exact.likelihood.mix_reliability`), so the draw is then
    evaluated with reliability off. Updates ``kw["plam"]`` and ``kw["jlam"]`` in place; returns the
    mixed direct likelihoods.
    """
    S = len(lam)
    xs = [np.full(S, g.mean) for g in arr.sources_in_structure]
    for c, si in enumerate(drawn):
        xs[si] = rho[:, c]

    def mix(L: Array, b: float, x: Array) -> Array:
        b_ = L.mean(axis=-1) if np.isnan(b) else np.full(L.shape[:-1], b)
        return x[:, None] * L + (1 - x[:, None]) * b_[:, None]

    out = lam.copy()
    for i, s in enumerate(arr.direct_source if len(arr.direct_source) else []):
        if s >= 0:
            out[:, i] = mix(lam[:, i], float(arr.base[i]), xs[s])
    for pa in arr.propositions:
        for j, s in enumerate(pa.source):
            if s >= 0:
                kw["plam"][pa.id][:, j] = mix(kw["plam"][pa.id][:, j], float(pa.base[j]), xs[s])
    for jt in arr.joint:
        if jt.source >= 0:
            kw["jlam"][jt.id] = mix(kw["jlam"][jt.id], float(jt.base), xs[jt.source])
    return out


def _sobol_warning(df: pd.DataFrame, fixed: list[str]) -> str:
    """What a reader of the Sobol table must be told.

    Empty, degenerate, or judgements it leaves out ("" if none).

    Examples
    --------
    >>> import pandas as pd
    >>> empty = pd.DataFrame(columns=["S1", "ST"])
    >>> empty.attrs["variance"] = 0.0
    >>> _sobol_warning(empty, ["source:lab (0.999)"])[:60]
    'The Sobol table is empty: no judgement of this case is given'
    """
    parts = []
    if df.empty:
        parts.append(
            "The Sobol table is empty: no judgement of this case is given as a distribution (a "
            "confidence, a Beta or an interval), so there is no uncertainty to attribute. It does "
            "not mean that the conclusion is robust: the tornado and break-even tables move the "
            "point judgements."
        )
    elif not np.isfinite(df.attrs.get("variance", 0.0)):
        parts.append(
            "The Sobol table is degenerate: the output is infinite in some draws (a hypothesis the "
            "evidence rules out has log-odds of minus infinity), so its indices say nothing."
        )
    elif (
        not df.attrs.get("variance", 0.0) > 0
        or not np.isfinite(df["ST"].to_numpy(dtype=float)).all()
    ):
        parts.append(
            "The Sobol table is degenerate: the output does not vary over the uncertain judgements "
            f"(variance {df.attrs.get('variance', 0.0):.3g}), so its indices say nothing."
        )
    if fixed:
        parts.append(
            "Fixed source reliabilities are not inputs of the Sobol analysis (only distributions "
            "are): "
            f"{', '.join(fixed)}; the tornado and break-even tables move them."
        )
    return " ".join(parts)


def _configurations(arr: Any, parents: tuple[int, ...]) -> list[str]:
    """Labels of a node's parent configurations, flat in nested order.

    Values joined by ``.`` (``*`` for a root).
    """
    import itertools

    vals = [arr.hypotheses if q < 0 else arr.propositions[q].states for q in parents]
    return [".".join(c) for c in itertools.product(*vals)] if vals else ["*"]


#: Largest bootstrap standard error of a Sobol index (on its 0-1 scale) before the table is called
#: imprecise: an index known to about +-0.1 (95%) still ranks the inputs; beyond that the table can
#: mislead.
SE_LIMIT = 0.05


def noisy_inputs(df: pd.DataFrame, alpha: float = 0.05, se_limit: float = SE_LIMIT) -> list[str]:
    """Inputs whose Sobol estimates cannot be trusted at this sample size.

    An input is flagged when a bootstrap standard error of its S1 or ST exceeds ``se_limit``, or
    when its S1 exceeds its ST (which no true index does) by more than ``z`` standard errors, ``z``
    being the one-sided Bonferroni bound for a family-wise false alarm rate ``alpha`` over all
    inputs (about 3.1 for 60 inputs). Without standard errors nothing is judged.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame(
    ...     {
    ...         "S1": [0.72, 0.30, 0.1],
    ...         "ST": [0.59, 0.31, 0.1],
    ...         "S1_se": [0.03, 0.02, 0.09],
    ...         "ST_se": [0.02, 0.02, 0.01],
    ...     },
    ...     index=pd.Index(["a", "b", "c"], name="input"),
    ... )
    >>> noisy_inputs(t)  # a: S1 above ST by 3.6 standard errors; c: S1 known to +-0.18 only
    ['a', 'c']
    """
    if df.empty or "S1_se" not in df or "ST_se" not in df:
        return []
    z = float(stats.norm.ppf(1 - alpha / len(df)))
    se = np.sqrt(df["S1_se"] ** 2 + df["ST_se"] ** 2)
    bad = ((df["S1"] - df["ST"]) > z * se) | (df[["S1_se", "ST_se"]].max(axis=1) > se_limit)
    return [str(i) for i in df.index[bad.to_numpy()]]
