"""Perturbing likelihood ratios: tornado and break-even.

(The tornado's default perturbation, scaling an item's weight of evidence, is
described in :func:`tornado`; the ratio scaling below is its ``mode="ratio"``.)

**How a row is scaled.** Scaling item e's likelihood ratio by a factor x in
favour of a target T (a hypothesis or family) multiplies P(E_e | h) by x for
every h in T and leaves the other hypotheses' values alone; if a value then
exceeds 1, the whole row is divided by its largest value. For an item taken at
face value only ratios across hypotheses matter, so the cap changes nothing
and the item's likelihood ratio T : h' is multiplied by exactly x for every
h' outside T (ratios inside T and inside the rest are kept). Behind a source
of uncertain reliability the factor acts on the judged likelihoods before the
mixture rho lam + (1 - rho) b, so the item's effective ratio moves by less
than x (an unreliable source caps what any judgement can do). Timeline and
quantity items get log x added to T's log densities.

**Break-even.** The factor on one item's ratio (or on the ratios of every item
a lens rates) that alone brings the target level with its strongest rival R
(the runner-up hypothesis or family). For items at face value this is closed
form: scaling by x multiplies the posterior odds T : R by x (x**n for n items),
so x = c_R / c_T (or (c_R / c_T)**(1/n)). Where shared-source reliability
enters, the factor is found by root finding on log x; an item whose source
caps its effect may be unable to reach the tie (``reachable`` False).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from motives.conventions import DB_RESOLUTION
from motives.exact import CaseArrays, config_marginals, family_credence, normalise, quiet_log
from motives.schema import Case
from motives.sensitivity._core import (
    DB,
    Array,
    Target,
    check_finite,
    item_logliks,
    log_odds_db,
    mixture_ll,
    scenario_blocks,
    scenario_logpost,
    scenario_posterior,
    setup,
    target_of,
)
from motives.sensitivity._structure import every_item, implied, item_props, table_logliks
from motives.sensitivity.judgements import judgement_inputs, moved, odds_times

#: Root finding gives up beyond factors of exp(+-MAX_LOG_FACTOR) (about 10**43).
MAX_LOG_FACTOR = 100.0


def scale_rows(
    arr: CaseArrays, mask: np.ndarray, which: np.ndarray, factor: Array
) -> tuple[Array, Array]:
    """Scaled likelihoods for many scenarios.

    Parameters
    ----------
    arr
        The compiled case.
    mask
        (K,) the target's hypotheses.
    which
        (S, E) the items scaled in each scenario (E = likelihood then other items).
    factor
        (S,) the factor of each scenario.

    Returns
    -------
    lam, other
        Shapes (S, N, K) and (S, M, K).

    Examples
    --------
    The cookie problem's one item, its ratio bowl 1 : bowl 2 (1.5) scaled by 3 in favour of bowl 1:

    >>> import numpy as np, motives as mv
    >>> from motives.exact import compile_case
    >>> arr = compile_case(mv.examples.cookie_case())
    >>> lam, other = scale_rows(arr, np.array([True, False]), np.array([[True]]), np.array([3.0]))
    >>> lam.round(4)  # 0.75 x 3 exceeds 1, so the row is divided by 2.25
    array([[[1.    , 0.2222]]])
    >>> round(float(lam[0, 0, 0] / lam[0, 0, 1]), 6)  # the ratio, times 3
    4.5
    >>> other.shape  # no timeline or quantity items
    (1, 0, 2)
    """
    N = len(arr.items)
    which = np.asarray(which, dtype=bool)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        logf = np.log(np.asarray(factor, dtype=float))[:, None, None]
        up = which[:, :, None] & mask[None, None, :]
        lam = np.where(up[:, :N], arr.lam[None] * np.exp(logf), arr.lam[None])
        top = lam.max(axis=-1, keepdims=True)
        lam = np.where(top > 1, lam / np.where(top > 1, top, 1.0), lam)
        other = arr.other_loglik[None] + np.where(up[:, N:], logf, 0.0)
    return lam, other


def favoured_states(arr: CaseArrays, mask: np.ndarray, prior: Array) -> dict[str, int]:
    """For each proposition, the state whose implied ratio for the target is largest.

    The ratio P(s | target) : P(s | rest), prior-weighted.
    """
    out = {}
    w_t, w_r = _weights(mask, prior)
    for pid, m in implied(arr).items():
        with np.errstate(divide="ignore", invalid="ignore"):
            r = quiet_log(w_t @ m) - quiet_log(w_r @ m)
        out[pid] = (
            int(np.nanargmax(np.where(np.isnan(r), -np.inf, r)))
            if np.isfinite(r).any() or np.isposinf(r).any()
            else 0
        )
    return out


def _weights(mask: np.ndarray, prior: Array) -> tuple[Array, Array]:
    w_t = np.where(mask, prior, 0.0)
    w_r = np.where(mask, 0.0, prior)
    w_t = w_t / w_t.sum() if w_t.sum() > 0 else mask / mask.sum()
    w_r = w_r / w_r.sum() if w_r.sum() > 0 else (~mask) / max((~mask).sum(), 1)
    return w_t, w_r


def favoured_configuration(
    arr: CaseArrays, parents: tuple[int, ...], mask: np.ndarray, prior: Array
) -> int:
    """The parent configuration whose implied ratio for the target is largest.

    The ratio P(v | target) : P(v | rest), prior-weighted.

    Examples
    --------
    >>> import numpy as np, motives as mv
    >>> from motives.exact import compile_case
    >>> arr = compile_case(mv.examples.load("burglary"))
    >>> favoured_configuration(arr, (0,), np.array([True, False]), arr.prior)  # at the scene: 'yes'
    0
    """
    w_t, w_r = _weights(mask, prior)
    m = config_marginals(arr, parents)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = quiet_log(w_t @ m) - quiet_log(w_r @ m)
    return (
        int(np.nanargmax(np.where(np.isnan(r), -np.inf, r)))
        if (np.isfinite(r) | np.isposinf(r)).any()
        else 0
    )


def _favouring_rows(arr: CaseArrays, pa: Any, mask: np.ndarray, fav: dict[str, int]) -> np.ndarray:
    """Rows of a table whose parent configuration favours the target.

    Each parent a target hypothesis or at its favoured state; a root fact's one row.
    """
    rows = np.ones(1, dtype=bool)
    for q in pa.parents:
        ok = (
            np.asarray(mask, dtype=bool)
            if q < 0
            else np.arange(len(arr.propositions[q].states)) == fav[arr.propositions[q].id]
        )
        rows = (rows[:, None] & ok[None, :]).reshape(-1)
    return rows


def _temper_table(T: Array, g: Array) -> Array:
    """Rows of T raised to the power g and renormalised (zeros stay zero); g (S,) -> (S, V, S_p)."""
    g = np.asarray(g, dtype=float)[:, None, None]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        lt = quiet_log(T)[None]
        P = np.where(
            T[None] > 0,
            np.exp(g * (lt - np.max(np.where(T > 0, lt, -np.inf), axis=-1, keepdims=True))),
            0.0,
        )
    return P / P.sum(axis=-1, keepdims=True)


# C901: one branch per kind of input and mode
def perturb_inputs(  # noqa: C901
    arr: CaseArrays,
    which: np.ndarray,
    factor: Array,
    *,
    mode: str = "strength",
    mask: np.ndarray | None = None,
    prior: Array | None = None,
) -> dict[str, Any]:
    """Scenario keywords of :func:`motives.sensitivity.scenario_loglik` with some inputs perturbed.

    The inputs are the items of :func:`motives.sensitivity._structure.every_item` (items of several
    parents among them, as ``jlam``), then (in a structured case) the propositions' tables.
    ``which`` (S, inputs) says which inputs scenario s perturbs by ``factor[s]``:

    - ``mode="strength"``: an item's weight of evidence times the factor (:func:`temper_rows`; under
    a
      proposition its P(E | state) row raised to the factor); a table's rows raised to the factor
      and renormalised (zeros stay zero): at 0 every row is flat and the proposition says nothing,
      above 1 the rows sharpen towards their modes.
    - ``mode="ratio"``: in favour of the target ``mask`` (with ``prior`` weighting the implied
    ratios): a
      direct item's ratio target : rest times the factor (:func:`scale_rows`); an item under a
      proposition has its likelihood of the proposition's favoured state (largest implied ratio
      P(s | target) : P(s | rest)) times the factor, the row then divided by its largest value if
      that
      exceeds 1 (an item of several parents: its likelihood of the favoured parent configuration,
      :func:`favoured_configuration`); a table has, in the rows of the parent values favouring the
      target (every parent a target hypothesis or at its favoured state; a root fact's one row), the
      odds of the favoured state against every other state times the factor.

    A flat case gives exactly :func:`temper_rows` / :func:`scale_rows` as ``lam`` and ``other``.

    Examples
    --------
    The burglary case: weaken the phone record (an item under ``at_scene``) and the table of
    ``at_scene`` to nothing, in two scenarios.

    >>> import numpy as np, motives as mv
    >>> from motives.exact import compile_case
    >>> from motives.sensitivity._structure import every_item
    >>> arr = compile_case(mv.examples.load("burglary"))
    >>> names = every_item(arr) + arr.proposition_ids
    >>> which = np.array(
    ...     [[n == "phone_near_scene" for n in names], [n == "at_scene" for n in names]]
    ... )
    >>> kw = perturb_inputs(arr, which, np.array([0.0, 0.0]))
    >>> kw["plam"]["at_scene"][0, 1], kw["tables"]["at_scene"][1]
    (array([1., 1.]), array([[0.5, 0.5],
           [0.5, 0.5]]))
    """
    which = np.asarray(which, dtype=bool)
    factor = np.asarray(factor, dtype=float)
    if mode not in ("strength", "ratio"):
        raise ValueError(f"mode must be 'strength' or 'ratio', got {mode!r}")
    if mode != "strength" and mask is None:
        raise ValueError(f"mode={mode!r} needs the target's mask")
    tmask: Any = mask  # given wherever mode is not 'strength' (checked above)
    E0 = len(arr.all_items)
    if mode == "strength":
        lam, other = temper_rows(arr, which[:, :E0], factor)
    else:
        lam, other = scale_rows(arr, tmask, which[:, :E0], factor)
    kw: dict[str, Any] = {"lam": lam, "other": other}
    if not arr.propositions:
        return kw
    pri = arr.prior if prior is None else np.asarray(prior, dtype=float)
    fav: dict[str, int] = favoured_states(arr, tmask, pri) if mode == "ratio" else {}
    imp = implied(arr)
    plam, pother, tables = {}, {}, {}
    j = E0
    n_items = len(every_item(arr))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for pa in arr.propositions:
            n, m = len(pa.items), len(pa.other_items)
            w_l, w_o = which[:, j : j + n], which[:, j + n : j + n + m]
            j += n + m
            g = factor[:, None, None]
            if w_l.any():
                if mode == "strength":
                    ll = quiet_log(pa.lam)[None]
                    new = np.where(np.isfinite(ll), np.exp(g * ll), 0.0)
                else:
                    up = np.arange(len(pa.states)) == fav[pa.id]
                    new = np.where(up[None, None, :], pa.lam[None] * g, pa.lam[None])
                    top = new.max(axis=-1, keepdims=True)
                    new = np.where(top > 1, new / np.where(top > 1, top, 1.0), new)
                plam[pa.id] = np.where(w_l[:, :, None], new, pa.lam[None])
            if w_o.any():
                if mode == "strength":
                    new = g * pa.other_loglik[None]
                else:
                    up = np.arange(len(pa.states)) == fav[pa.id]
                    new = pa.other_loglik[None] + np.where(up[None, None, :], np.log(g), 0.0)
                pother[pa.id] = np.where(w_o[:, :, None], new, pa.other_loglik[None])
        jlam = {}
        for jj, jt in enumerate(arr.joint):
            w_j = which[:, j + jj]
            if not w_j.any():
                continue
            if mode == "strength":
                lj = quiet_log(jt.lam)[None]
                new = np.where(np.isfinite(lj), np.exp(factor[:, None] * lj), 0.0)
            else:
                up = np.arange(len(jt.lam)) == favoured_configuration(arr, jt.parents, tmask, pri)
                new = np.where(up[None, :], jt.lam[None] * factor[:, None], jt.lam[None])
                top = new.max(axis=-1, keepdims=True)
                new = np.where(top > 1, new / np.where(top > 1, top, 1.0), new)
            jlam[jt.id] = np.where(w_j[:, None], new, jt.lam[None])
        for i, pa in enumerate(arr.propositions):
            w_t = which[:, n_items + i]
            if not w_t.any():
                continue
            if mode == "strength":
                new = _temper_table(pa.table, factor)
            else:
                rows = _favouring_rows(arr, pa, tmask, fav)
                up = np.arange(len(pa.states)) == fav[pa.id]
                new = np.where(
                    rows[None, :, None] & up[None, None, :],
                    pa.table[None] * factor[:, None, None],
                    pa.table[None],
                )
                new = new / new.sum(axis=-1, keepdims=True)
            tables[pa.id] = np.where(w_t[:, None, None], new, pa.table[None])
    del imp
    kw.update({"plam": plam, "pother": pother, "tables": tables, "jlam": jlam})
    return kw


def input_names(arr: CaseArrays) -> list[str]:
    """The inputs :func:`perturb_inputs` perturbs: every item, then every proposition's table."""
    return every_item(arr) + arr.proposition_ids


def _credences(arr: CaseArrays, post: Array, level: str) -> Array:
    return family_credence(arr, post) if level == "family" else post


def _rival(arr: CaseArrays, tgt: Target, post: Array) -> tuple[int, int, str]:
    c = _credences(arr, post, tgt.level)
    ids = arr.families if tgt.level == "family" else arr.hypotheses
    t = ids.index(tgt.id)
    others = [i for i in range(len(ids)) if i != t]
    r = max(others, key=lambda i: c[i])
    return t, r, ids[r]


def temper_rows(arr: CaseArrays, which: np.ndarray, gamma: Array) -> tuple[Array, Array]:
    """Likelihoods with the chosen items' weight of evidence times ``gamma``, one per scenario.

    Row e becomes lam_e**gamma (still in [0, 1] for gamma > 0; zeros stay zero);
    timeline and quantity rows get gamma times their log densities. At face
    value every log-ratio of the item, hence every weight of evidence, is
    multiplied by gamma exactly; gamma = 0 leaves the item out.

    Returns
    -------
    lam, other
        Shapes (S, N, K) and (S, M, K).

    Examples
    --------
    The cookie problem's one item (0.75 against 0.5) at twice its weight, then at none:

    >>> import numpy as np, motives as mv
    >>> from motives.exact import compile_case
    >>> arr = compile_case(mv.examples.cookie_case())
    >>> lam, other = temper_rows(arr, np.array([[True], [True]]), np.array([2.0, 0.0]))
    >>> lam[:, 0]  # ratio 1.5**2 = 2.25; ratio 1: the item says nothing
    array([[0.5625, 0.25  ],
           [1.    , 1.    ]])
    """
    N = len(arr.items)
    which = np.asarray(which, dtype=bool)
    g = np.asarray(gamma, dtype=float)[:, None, None]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ll = np.log(arr.lam)[None]
        tempered = np.where(np.isfinite(ll), np.exp(g * ll), 0.0)
    lam = np.where(which[:, :N, None], tempered, arr.lam[None])
    other = np.where(which[:, N:, None], g * arr.other_loglik[None], arr.other_loglik[None])
    return lam, other


def tornado(
    case: Case,
    *,
    factor: float = 3.0,
    mode: str = "strength",
    lens: str | None = None,
    target: str | None = None,
    prior: Any = None,
    reliability: bool = True,
) -> pd.DataFrame:
    """Target credence with each item perturbed down and up by ``factor``, one item at a time.

    Two perturbations, both applied with 1/factor (``low``) and factor (``high``):

    - ``mode="strength"`` (default): the item's weight of evidence is
      multiplied by the factor -- its likelihood ratios raised to that power
      (:func:`temper_rows`). An item that says little moves little, so the
      bars rank the items by how much the conclusion leans on them.
    - ``mode="ratio"``: the item's likelihood ratio target : rest is
      multiplied by the factor (:func:`scale_rows`). For items taken at face
      value this moves the posterior odds by exactly the factor whatever the
      item, so all their bars are equal (only items behind an uncertain source
      differ): that is the arithmetic of Bayes' rule, and the reason the
      break-even factor is the same for every such item.

    All 2E scenarios go through the engine in one call. In a structured case
    the items under propositions and each proposition's table are bars too
    (:func:`perturb_inputs`: a table's rows raised to the factor and
    renormalised, or its favoured state's odds scaled); ``input`` says which.

    The other judgements are bars too (:mod:`motives.sensitivity.judgements`): the reliability of
    each source of uncertain reliability (``source:<key>``, the mean of its Beta or its fixed
    value), the base rate of each item such a source reports (``base_rate:<item>``, the row mean
    when not given) and the target's prior (``prior``), each with its odds multiplied by 1/factor
    and factor. ``kind`` says which kind of judgement a row is (``item``, ``table``, ``source``,
    ``base_rate``, ``prior``) and ``value`` the judged probability of the last three.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``evidence``, sorted by ``swing_db``: ``credence`` (unperturbed),
        ``low``, ``high``, ``swing`` (``|high - low|``); the same on the log-odds
        scale of the target against the rest, in decibans (``log_odds_db``,
        ``low_db``, ``high_db``, ``swing_db``: exact even when a credence is
        within 1e-16 of 0 or 1); ``direction`` (+1 when strengthening the item
        raises the target's credence).

    Examples
    --------
    A weak item (ratio 1.25) and a strong one (ratio 4.5), each weighted by 1/3 and by 3:

    >>> import motives as mv
    >>> case = mv.Case.model_validate(
    ...     {
    ...         "name": "two_items",
    ...         "hypotheses": [{"id": "h1"}, {"id": "h2"}],
    ...         "evidence": [
    ...             {"id": "weak", "title": "Weak", "likelihoods": {"h1": 0.5, "h2": 0.4}},
    ...             {"id": "strong", "title": "Strong", "likelihoods": {"h1": 0.9, "h2": 0.2}},
    ...         ],
    ...     }
    ... )
    >>> t = tornado(case, target="h1")
    >>> t[["low", "high", "swing_db", "kind"]].round(
    ...     4
    ... )  # the strong item first; swing = (3 - 1/3) x its dB
              low    high  swing_db   kind
    evidence
    strong    0.6736  0.9913   17.4190   item
    prior     0.6522  0.9441    9.5424  prior
    weak      0.8290  0.8978    2.5843   item

    (The prior of h1 is a judgement too: its odds times 1/3 and 3 move the posterior odds by exactly
    that.)

    Scaling the ratios instead moves the posterior odds by 1/3 and 3 whatever the item: equal bars
    of 20 log10(3) dB.

    >>> tornado(case, target="h1", mode="ratio")["swing_db"].round(
    ...     4
    ... ).tolist()  # and the prior's odds
    [9.5424, 9.5424, 9.5424]
    """
    arr, pri = setup(case, lens, prior)
    base = scenario_posterior(arr, pri, reliability=reliability)
    check_finite(base)
    tgt = target_of(arr, target, base)
    names = input_names(arr)
    if arr.propositions:  # every input: items under propositions and the tables too
        E = len(names)
        which = np.concatenate([np.eye(E, dtype=bool)] * 2)
        fac = np.concatenate([np.full(E, 1.0 / factor), np.full(E, factor)])
        kw = perturb_inputs(arr, which, fac, mode=mode, mask=tgt.mask, prior=pri)
        post = scenario_posterior(arr, pri, reliability=reliability, **kw)
        c = post[:, tgt.mask].sum(axis=1)
        lo = log_odds_db(scenario_logpost(arr, pri, reliability=reliability, **kw), tgt.mask)
    else:  # flat: item rows, in bounded blocks of scenarios
        E = len(arr.all_items)
        if mode not in ("strength", "ratio"):
            raise ValueError(f"mode must be 'strength' or 'ratio', got {mode!r}")
        fac = np.concatenate([np.full(E, 1.0 / factor), np.full(E, factor)])
        c, lo = np.empty(2 * E), np.empty(2 * E)
        per = 8.0 * 8 * E * len(arr.hypotheses)  # lam, other and temporaries of one scenario
        for sl in scenario_blocks(
            2 * E, per
        ):  # 2E scenarios of E x K each: in blocks, not all at once
            which = np.eye(E, dtype=bool)[np.arange(2 * E)[sl] % E]
            if mode == "strength":
                lam, other = temper_rows(arr, which, fac[sl])
            else:
                lam, other = scale_rows(arr, tgt.mask, which, fac[sl])
            lp = scenario_logpost(arr, pri, lam=lam, other=other, reliability=reliability)
            c[sl] = normalise(lp)[:, tgt.mask].sum(axis=1)
            lo[sl] = log_odds_db(lp, tgt.mask)
    lo0 = float(log_odds_db(scenario_logpost(arr, pri, reliability=reliability), tgt.mask))
    kinds = _input_kinds(arr)[0] if arr.propositions else ["item"] * E
    props = _input_kinds(arr)[1] if arr.propositions else [""] * E
    js = judgement_inputs(arr, pri, tgt.mask, reliability=reliability)
    jc, jl = np.empty(2 * len(js)), np.empty(2 * len(js))
    for n, j in enumerate(
        js
    ):  # reliabilities, base rates, the prior: odds times 1/factor and factor
        for s, x in enumerate((1.0 / factor, factor)):
            a2, p2 = moved(j, x)
            lp = scenario_logpost(a2, p2, reliability=reliability)
            jc[2 * n + s] = float(normalise(lp)[tgt.mask].sum())
            jl[2 * n + s] = float(log_odds_db(lp, tgt.mask))
    df = pd.DataFrame(
        {
            "credence": base[tgt.mask].sum(),
            "low": np.concatenate([c[:E], jc[0::2]]),
            "high": np.concatenate([c[E:], jc[1::2]]),
            "log_odds_db": lo0,
            "low_db": np.concatenate([lo[:E], jl[0::2]]),
            "high_db": np.concatenate([lo[E:], jl[1::2]]),
        },
        index=pd.Index(names + [j.name for j in js], name="evidence"),
    )
    df["swing"] = (df["high"] - df["low"]).abs()
    df["swing_db"] = (df["high_db"] - df["low_db"]).abs()
    # NaN where the log-odds are infinite at both ends (an item cannot move a certainty): no
    # direction; a change below the engine's resolution is no change either (a non-diagnostic item),
    # so also 0
    move = np.nan_to_num(df["high_db"] - df["low_db"], nan=0.0)
    df["direction"] = np.where(np.abs(move) < DB_RESOLUTION, 0, np.sign(move)).astype(int)
    df.insert(df.columns.get_loc("direction"), "kind", kinds + [j.kind for j in js])
    df.insert(df.columns.get_loc("direction"), "value", [np.nan] * E + [j.value for j in js])
    if arr.propositions:
        df["input"], df["proposition"] = df["kind"].tolist(), props + [""] * len(js)
    df = df.sort_values("swing_db", ascending=False, kind="stable")
    df.attrs.update(
        {
            "lens": arr.lens,
            "target": tgt.id,
            "target_level": tgt.level,
            "factor": factor,
            "mode": mode,
        }
    )
    return df


def _input_kinds(arr: CaseArrays) -> tuple[list[str], list[str]]:
    """The kind and proposition of each input of :func:`input_names`.

    ``item`` or ``table``, and its proposition (``""`` if none).
    """
    n_items = len(every_item(arr))
    kinds = ["item"] * n_items + ["table"] * len(arr.propositions)
    return kinds, item_props(arr) + arr.proposition_ids


def _gap(
    arr: CaseArrays,
    pri: Array,
    tgt: Target,
    which: np.ndarray,
    t: int,
    r: int,
    reliability: bool,
    logx: float,
) -> float:
    kw = perturb_inputs(
        arr, which[None], np.array([np.exp(logx)]), mode="ratio", mask=tgt.mask, prior=pri
    )
    post = scenario_posterior(arr, pri, reliability=reliability, **kw)[0]
    c = _credences(arr, post, tgt.level)
    with np.errstate(divide="ignore"):
        return float(np.log(c[t]) - np.log(c[r]))


def _solve(
    arr: CaseArrays,
    pri: Array,
    tgt: Target,
    which: np.ndarray,
    t: int,
    r: int,
    reliability: bool,
    guess: float,
) -> tuple[float, bool]:
    def g(lx: float) -> float:
        return _gap(arr, pri, tgt, which, t, r, reliability, lx)

    lo, hi = min(guess, 0.0) - 1.0, max(guess, 0.0) + 1.0
    with np.errstate(all="ignore"):
        while lo >= -MAX_LOG_FACTOR and hi <= MAX_LOG_FACTOR:
            glo, ghi = g(lo), g(hi)
            if np.isfinite(glo) and np.isfinite(ghi) and glo * ghi <= 0:
                return float(np.exp(brentq(g, lo, hi, xtol=1e-14, rtol=1e-14, maxiter=500))), True
            lo, hi = lo * 2, hi * 2
    return (0.0 if guess < 0 else np.inf), False


def _solve_judgement(
    arr: CaseArrays, pri: Array, tgt: Target, j: Any, t: int, r: int, reliability: bool
) -> tuple[float, bool]:
    """The factor on judgement j's odds that ties the target with its rival.

    Found by root finding on the factor's log.
    """

    def g(lx: float) -> float:
        a2, p2 = moved(j, float(np.exp(lx)))
        c = _credences(a2, scenario_posterior(a2, p2, reliability=reliability), tgt.level)
        with np.errstate(divide="ignore"):
            return float(np.log(c[t]) - np.log(c[r]))

    with np.errstate(all="ignore"):
        g0 = g(0.0)
        for step in (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0):
            for lx in (-step, step):
                gx = g(lx)
                if np.isfinite(g0) and np.isfinite(gx) and g0 * gx <= 0:
                    lo, hi = sorted((0.0, lx))
                    return float(
                        np.exp(brentq(g, lo, hi, xtol=1e-12, rtol=1e-12, maxiter=200))
                    ), True
    return (np.inf if g0 < 0 else 0.0), False


def _grouped(arr: CaseArrays, reliability: bool) -> np.ndarray:
    """Inputs whose break-even needs root finding.

    Items of a source of uncertain reliability; in a structured case also every item under a
    proposition and every table (their effect passes through the proposition and is capped by it).
    """
    E, out = len(arr.all_items), np.zeros(len(input_names(arr)), dtype=bool)
    if reliability:
        for g in arr.groups:
            out[g.index] = True
        if len(arr.direct_source):
            out[: len(arr.items)] |= arr.direct_source >= 0
    out[E:] = True
    return out


def _scaled_db(
    arr: CaseArrays, pri: Array, tgt: Target, j: int, x: float, reliability: bool
) -> float:
    """Weight of evidence of input j once scaled by x (ratio mode).

    Input j is an item under a proposition, or a table.
    """
    from dataclasses import replace

    which = np.arange(len(input_names(arr))) == j
    kw = perturb_inputs(arr, which[None], np.array([x]), mode="ratio", mask=tgt.mask, prior=pri)
    props = tuple(
        replace(
            pa,
            lam=kw["plam"].get(pa.id, pa.lam[None])[0],
            table=kw["tables"].get(pa.id, pa.table[None])[0],
        )
        for pa in arr.propositions
    )
    joint = tuple(replace(jt, lam=kw["jlam"].get(jt.id, jt.lam[None])[0]) for jt in arr.joint)
    scaled = replace(arr, propositions=props, joint=joint)
    n_items = len(every_item(arr))
    if j < n_items:
        ll = item_logliks(scaled)[j]
    else:
        ll = table_logliks(scaled, reliability)[j - n_items]
    with np.errstate(invalid="ignore"):
        return float(DB * (mixture_ll(ll, pri, tgt.mask) - mixture_ll(ll, pri, ~tgt.mask)))


def break_even(
    case: Case,
    *,
    lens: str | None = None,
    target: str | None = None,
    prior: Any = None,
    reliability: bool = True,
) -> pd.DataFrame:
    """For each item, the factor on its ratio that alone ties the target with its strongest rival.

    The factor is on the item's likelihood ratio.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``evidence``: ``factor`` (multiply the item's ratio target :
        rest by this), ``factor_db`` (10 log10 factor), ``db_item`` (the item's
        current weight of evidence for the target, prior-weighted rest),
        ``db_needed`` (``db_item + factor_db``), ``reachable`` and ``method``
        (closed form or root finding); in a structured case ``input`` (``item`` or ``table``) and
        ``proposition``. ``attrs`` name the target and rival.

    In a structured case every item under a proposition and every
    proposition's table is an input too, scaled as in :func:`perturb_inputs`
    (``mode="ratio"``): an item's likelihood of its proposition's favoured
    state, a table's odds of the favoured state in the rows favouring the
    target. Their effect passes through the proposition, so the factor is
    found by root finding, an item may be unable to reach the tie (its
    proposition's cap bounds it), and ``db_item`` / ``db_needed`` are the
    input's own weight (an item alone through the chain, a table as the
    weight of its proposition's evidence) before and after scaling.

    The reliabilities, base rates and the target's prior are rows too (as in :func:`tornado`): the
    factor is on their odds, ``value`` the judged probability and ``value_needed`` the probability
    that ties (NaN when no value in (0, 1) ties: ``reachable`` False); their ``db_item`` and
    ``db_needed`` are NaN. ``kind`` names the kind of each row.

    Examples
    --------
    A positive test (ratio 10) with a base rate of 1%: for the condition to tie with health, the
    test's ratio would have to be 99 (the prior odds against), i.e. 9.9 times what it is.

    >>> import numpy as np, motives as mv
    >>> from motives.exact import compile_case
    >>> case = mv.examples.load("diagnostic_test")
    >>> be = break_even(case, target="condition")
    >>> be.attrs["rival"]
    'healthy'
    >>> be[["factor", "db_item", "db_needed", "reachable"]].round(4)
              factor  db_item  db_needed  reachable
    evidence
    positive     9.9     10.0    19.9564       True
    prior        9.9      NaN        NaN       True
    >>> round(float(be.loc["prior", "value_needed"]), 4)  # the base rate 1% would have to be 9.09%
    0.0909

    Applying the factor lands on the tie:

    >>> arr = compile_case(case)
    >>> lam, other = scale_rows(
    ...     arr, np.array([True, False]), np.array([[True]]), be["factor"].to_numpy()[:1]
    ... )
    >>> scenario_posterior(arr, lam=lam, other=other).round(12)
    array([[0.5, 0.5]])
    """
    arr, pri = setup(case, lens, prior)
    base = scenario_posterior(arr, pri, reliability=reliability)
    check_finite(base)
    tgt = target_of(arr, target, base)
    t, r, rival = _rival(arr, tgt, base)
    c = _credences(arr, base, tgt.level)
    ruled_out = (
        not c[t] > 0
    )  # a zero likelihood rules the target out: scaling any one ratio keeps it at 0
    x0 = np.inf if ruled_out else c[r] / c[t]
    names = input_names(arr)
    E = len(names)
    ll = np.concatenate([item_logliks(arr), table_logliks(arr, reliability)], axis=0)
    with np.errstate(invalid="ignore"):
        db_item = DB * (mixture_ll(ll, pri, tgt.mask) - mixture_ll(ll, pri, ~tgt.mask))
    grouped = _grouped(arr, reliability)
    rows = []
    for j, e in enumerate(names):
        if ruled_out:
            rows.append((e, np.inf, np.inf, db_item[j], np.inf, False, "ruled out"))
            continue
        if grouped[j]:
            with np.errstate(divide="ignore"):  # a rival the evidence rules out: x0 = 0, log -inf
                lx0 = float(np.log(x0))
            x, ok = _solve(arr, pri, tgt, np.arange(E) == j, t, r, reliability, lx0)
            method = "root"
        else:
            x, ok, method = x0, True, "closed form"
        with np.errstate(
            divide="ignore", invalid="ignore"
        ):  # an item that rules out: inf + -inf is NaN
            fdb = DB * np.log(x)
            needed = db_item[j] + fdb
            if (
                j >= len(arr.all_items) and ok
            ):  # through a proposition: the input's own weight once scaled
                needed = _scaled_db(arr, pri, tgt, j, x, reliability)
            rows.append((e, x, fdb, db_item[j], needed, ok, method))
    js = judgement_inputs(arr, pri, tgt.mask, reliability=reliability)
    values, needed_values = [np.nan] * E, [np.nan] * E
    for jd in js:  # reliabilities, base rates, the prior: the factor on their odds that ties
        if ruled_out:
            x, ok, method = np.inf, False, "ruled out"
        elif jd.kind == "prior":  # prior odds times x: posterior odds times x
            x, ok, method = x0, True, "closed form"
        else:
            x, ok = _solve_judgement(arr, pri, tgt, jd, t, r, reliability)
            method = "root"
        with np.errstate(divide="ignore"):
            rows.append(
                (
                    jd.name,
                    x,
                    DB * np.log(x) if ok else (np.inf if x > 1 else -np.inf),
                    np.nan,
                    np.nan,
                    ok,
                    method,
                )
            )
        values.append(jd.value)
        needed_values.append(odds_times(jd.value, x) if ok else np.nan)
    df = pd.DataFrame(
        rows,
        columns=["evidence", "factor", "factor_db", "db_item", "db_needed", "reachable", "method"],
    ).set_index("evidence")
    kinds, props = _input_kinds(arr) if arr.propositions else (["item"] * E, [""] * E)
    df["kind"] = kinds + [j.kind for j in js]
    df["value"], df["value_needed"] = values, needed_values
    if arr.propositions:
        df["input"], df["proposition"] = df["kind"].tolist(), props + [""] * len(js)
    df.attrs.update({"lens": arr.lens, "target": tgt.id, "target_level": tgt.level, "rival": rival})
    return df


def lens_break_even(
    case: Case, *, target: str | None = None, prior: Any = None, reliability: bool = True
) -> pd.DataFrame:
    """For each lens, one factor on its items' ratios that ties the target with its rival.

    The factor is on the ratios of every item the lens rates.

    The target defaults to the leading family under the case's default lens
    and is the same for every lens; the posterior is each lens's own.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``lens``: ``credence`` (target under the lens), ``rival``,
        ``items`` (items the lens rates), ``factor``, ``factor_db``, ``reachable``, ``method``.

    Examples
    --------
    Two lenses that agree on one item and read the other the opposite way. Lens a puts the odds of
    h1 at 4 : 1 over two items, so halving both ratios ties it; under lens b it is already a tie.

    >>> import motives as mv
    >>> case = mv.examples.load("two_lenses")
    >>> lbe = lens_break_even(case, target="h1")
    >>> lbe[["credence", "rival", "items", "factor", "factor_db"]].round(4)
          credence rival  items  factor  factor_db
    lens
    a          0.8    h2      2     0.5    -3.0103
    b          0.5    h2      2     1.0     0.0000
    """
    arr0, pri = setup(case, None, prior)
    tgt0 = target_of(arr0, target, scenario_posterior(arr0, pri, reliability=reliability))
    rows = []
    for lens in case.lens_ids:
        arr, _ = setup(case, lens, prior)
        base = scenario_posterior(arr, pri, reliability=reliability)
        check_finite(base, f"posterior under lens {lens}")
        tgt = target_of(arr, tgt0.id)
        t, r, rival = _rival(arr, tgt, base)
        c = _credences(arr, base, tgt.level)
        which = np.array([e not in arr.fallbacks for e in input_names(arr)])
        n = int(which.sum())
        if n == 0:
            x, ok, method = np.nan, False, "no items"
        elif not c[t] > 0:  # ruled out under this lens: no factor on the ratios brings it back
            x, ok, method = np.inf, False, "ruled out"
        elif (which & _grouped(arr, reliability)).any():
            with np.errstate(divide="ignore"):  # a rival the evidence rules out: log 0 = -inf
                lx0 = float(np.log(c[r] / c[t]) / n)
            x, ok = _solve(arr, pri, tgt, which, t, r, reliability, lx0)
            method = "root"
        else:
            x, ok, method = (c[r] / c[t]) ** (1.0 / n), True, "closed form"
        with np.errstate(divide="ignore", invalid="ignore"):
            fdb = DB * np.log(x)
        rows.append((lens, c[t], rival, n, x, fdb, ok, method))
    df = pd.DataFrame(
        rows,
        columns=[
            "lens",
            "credence",
            "rival",
            "items",
            "factor",
            "factor_db",
            "reachable",
            "method",
        ],
    ).set_index("lens")
    df.attrs.update({"target": tgt0.id, "target_level": tgt0.level})
    return df
