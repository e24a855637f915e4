"""The inputs of the Sobol analysis, laid out before anything is sampled, and what a run costs.

:func:`plan_sobol` reads every uncertain judgement of a case (likelihood cells judged as Betas, the
cells of items under propositions and of items of several parents, rows of proposition tables judged
with a confidence, reliabilities judged as Betas) into the inputs, their groups and distributions
and the function of them that :func:`motives.sensitivity.global_sensitivity` samples;
:func:`sobol_cost` is what that run costs (rows, evaluations, memory), checked before any table is
computed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from motives.errors import LimitError
from motives.numeric import sobol_bytes, sobol_refusal
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
from motives.sensitivity.quantiles import quantile_table
from motives.sensitivity.registry import Settings
from motives.sensitivity.sobol_additive import Additive, additive_form

__all__ = ["SobolCost", "SobolPlan", "plan_sobol", "sobol_cost", "sobol_rows"]


@dataclass(frozen=True)
class SobolCost:
    """What a Sobol run costs, known before any sample is drawn (:func:`sobol_cost`).

    :func:`global_sensitivity` computes this record and runs with it: the same rows, groups and rows
    per engine call, refused with the same message.

    Attributes
    ----------
    inputs
        Uncertain inputs (columns of the samples); 0 when nothing is uncertain.
    groups
        Input groups: the rows of the table.
    rows
        Base sample rows: ``n`` rounded up to a power of 2 (0 when nothing is uncertain).
    evaluations
        Engine evaluations, ``rows * (groups + 2)``.
    chunk
        Sample rows per engine call (bounds the memory of one call).
    bytes
        Memory the run needs (:func:`motives.numeric.sobol_bytes`); 0 when nothing is uncertain.
    refusal
        Why the run is refused (over the memory limit, with what sample size fits), or None.
    """

    inputs: int
    groups: int
    rows: int
    evaluations: int
    chunk: int
    bytes: float
    refusal: str | None

    def check(self) -> None:
        """Raise the refusal, if any, as a :class:`motives.errors.LimitError` on ``sobol_samples``.

        Examples
        --------
        >>> SobolCost(0, 0, 0, 0, 16, 0.0, None).check()  # nothing refused: returns None
        """
        if self.refusal:
            raise LimitError(self.refusal, field="sensitivity.sobol_samples")


def sobol_cost(case: Case, settings: Settings | None = None, *, by: str = "item") -> SobolCost:
    """What the Sobol analysis of ``case`` under ``settings`` costs, before anything is sampled.

    The registered ``sobol`` and ``sobol_credence`` tables (and :func:`global_sensitivity` with the
    same lens, target, prior, reliability and ``n = settings.sobol_samples``) run with exactly this
    cost; a run over the memory limit has its :attr:`SobolCost.refusal`, which
    :meth:`SobolCost.check` raises. The application layer checks it before computing any table.

    Parameters
    ----------
    case
        The case.
    settings
        The analysis settings (lens, prior, reliability, target, ``sobol_samples``); default
        :class:`motives.sensitivity.registry.Settings`'s.
    by
        ``"item"`` or ``"cell"``, as in :func:`global_sensitivity`.

    Returns
    -------
    SobolCost
        Inputs, groups, rows, evaluations, rows per engine call, bytes and the refusal.

    Examples
    --------
    >>> import motives as mv
    >>> from motives.sensitivity.registry import Settings
    >>> case = mv.examples.load("burglary")  # one uncertain judgement
    >>> cost = sobol_cost(case, Settings(sobol_samples=100))
    >>> cost.inputs, cost.groups, cost.rows, cost.evaluations, cost.refusal  # 128 x (1 + 2)
    (1, 1, 128, 384, None)
    >>> from motives.sensitivity import global_sensitivity
    >>> gs = global_sensitivity(case, n=100, n_boot=0)
    >>> (gs.attrs["n"], gs.attrs["evaluations"], len(gs)) == (
    ...     cost.rows,
    ...     cost.evaluations,
    ...     cost.groups,
    ... )
    True
    >>> sobol_cost(case, Settings(sobol_samples=10**9)).refusal is not None  # beyond the memory
    True
    """
    s = settings if settings is not None else Settings()
    plan = plan_sobol(case, s.lens, s.target, s.prior, by, "log_odds", s.reliability)
    return plan.cost(s.sobol_samples)


def sobol_rows(n: int) -> int:
    """Rows of the Sobol sequence for a base sample size ``n``: a power of 2, at least 2."""
    return int(2 ** max(int(np.ceil(np.log2(max(n, 2)))), 1))


@dataclass(frozen=True)
class SobolPlan:
    """A Sobol analysis of one case laid out: its inputs, groups and the functions it samples.

    Made by :func:`plan_sobol`; :func:`motives.sensitivity.global_sensitivity` samples it.
    """

    meta: dict[str, Any]
    fixed: list[str]
    d: int
    groups: list[list[int]]
    names: list[str]
    kinds: list[str]
    n_cells: int
    ppf: Callable[[Array], Array] | None
    func: Callable[[Array], Array] | None
    additive: Additive | None = None

    def cost(self, n: int) -> SobolCost:
        """What ``n`` base samples cost (the run's rows, evaluations, chunk, memory, refusal)."""
        chunk = int(min(8192, max(16, (1 << 22) // max(self.n_cells, 1))))  # bounded memory
        if self.d == 0:
            return SobolCost(0, 0, 0, 0, chunk, 0.0, None)
        g = len(self.groups)
        rows = sobol_rows(n)
        return SobolCost(
            inputs=self.d,
            groups=g,
            rows=rows,
            evaluations=rows * (g + 2),
            chunk=chunk,
            bytes=sobol_bytes(self.d, g, n, chunk * self.n_cells),
            refusal=sobol_refusal(self.d, g, n, chunk * self.n_cells),
        )


# C901: one block per kind of judgement Sobol samples
def plan_sobol(  # noqa: C901
    case: Case,
    lens: str | None,
    target: str | None,
    prior: Any,
    by: str,
    scale: str,
    reliability: bool,
) -> SobolPlan:
    """Lay out the Sobol analysis of ``case``.

    Its inputs, their groups and distributions, the output.

    See :func:`global_sensitivity` for the inputs and the scales.
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
    n_cells = (
        arr.lam.size
        + sum(p.lam.size + p.table.size for p in arr.propositions)
        + sum(j.lam.size for j in arr.joint)
    )
    if d == 0:  # nothing uncertain: nothing to sample
        return SobolPlan(meta, fixed, 0, [], [], [], n_cells, None, None)
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

    # every input's quantile function tabulated once (relative error at most quantiles.TOL in x and
    # 1 - x, checked per input; an input that fails the check is computed with scipy), when first
    # sampled: sobol_cost lays the plan out without sampling
    table: list[Any] = []

    def ppf(u: Array) -> Array:
        if not table:
            table.append(quantile_table(alpha, beta, is_gamma))
        return table[0](u)

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
    additive = (
        None
        if arr.propositions or arr.joint or len(arr.sources_in_structure)
        else additive_form(arr, pri, tgt.mask, scale, reliability, rows_i, cols_k, srcs, s0, groups)
    )
    return SobolPlan(meta, fixed, d, groups, names, kinds, n_cells, ppf, func, additive)


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


def _configurations(arr: Any, parents: tuple[int, ...]) -> list[str]:
    """Labels of a node's parent configurations, flat in nested order.

    Values joined by ``.`` (``*`` for a root).
    """
    import itertools

    vals = [arr.hypotheses if q < 0 else arr.propositions[q].states for q in parents]
    return [".".join(c) for c in itertools.product(*vals)] if vals else ["*"]
