"""Influence of single items, sources and lenses: weight of evidence, leave-one-out, lens cruxes.

Weight of evidence of item e for a target T (a hypothesis or a family)
against the rest, in decibans::

    W_e(T) = 10 log10 P(E_e | T) / P(E_e | not T),
    P(E_e | S) = sum_{h in S} pi_h P(E_e | h) / sum_{h in S} pi_h,

i.e. each side's likelihood is averaged over its hypotheses **weighted by the
prior** pi. Items behind a source of uncertain reliability enter with their
marginal likelihood rho_bar lam + (1 - rho_bar) b (reliability at its mean).

What adds up: with two hypotheses (or a target and a rest that agree on every
item) and independent items, sum_e W_e(T) is exactly the change of T's
log-odds from prior to posterior in decibans. With K > 2 the rest's
likelihoods are re-weighted by the evidence as it comes in, so the sum of the
prior-weighted W_e is only an approximation; the exact, order-dependent
decomposition is the sequential one in :func:`motives.sensitivity.trajectory`
(its ``step_db`` column sums to the total change). Items that share a source
are dependent: their W_e do not add to the joint effect either.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from motives.exact import CaseArrays, compile_case, family_credence, loglik, normalise, quiet_log
from motives.schema import Case
from motives.sensitivity._core import (
    DB,
    Array,
    check_finite,
    item_logliks,
    item_sources,
    log_odds_db,
    mixture_ll,
    scenario_logpost,
    scenario_posterior,
    setup,
    target_of,
)
from motives.sensitivity._structure import (
    every_item,
    input_slots,
    item_props,
    slot_value,
    swap_scenarios,
    table_logliks,
)

LEVEL_ID = ["level", "id"]


def _targets(arr: CaseArrays) -> list[tuple[str, str, np.ndarray]]:
    K = len(arr.hypotheses)
    out = [("hypothesis", h, np.arange(K) == k) for k, h in enumerate(arr.hypotheses)]
    out += [("family", f, arr.family_index == i) for i, f in enumerate(arr.families)]
    return out


def _item_meta(case: Case) -> pd.DataFrame:
    """Kind, issue area, title and date of each item.

    In a structured case also the proposition it bears on.
    """
    rows = {
        e.id: {
            "kind": e.kind,
            "issue_area": e.issue_area or "",
            "title": e.title,
            "date": str(e.date) if e.date else "",
        }
        for e in case.evidence
    }
    if case.propositions:
        for e in case.evidence:
            ps = case.parents_of(e.id)
            rows[e.id]["proposition"] = "" if ps == ("hypotheses",) else "+".join(ps)
    return pd.DataFrame.from_dict(rows, orient="index")


def weight_of_evidence(case: Case, *, lens: str | None = None, prior: Any = None) -> pd.DataFrame:
    """Weight of evidence in decibans of each item for each hypothesis and family against the rest.

    See the module docstring for the definition (the rest is weighted by the prior).

    An item under a proposition counts alone, through the chain of tables:
    P(E_e | h) = sum_s P(s | h) P(E_e | s) (its weight inside its proposition, given the
    proposition's other items, is in :func:`motives.sensitivity.proposition_weight`).

    Returns
    -------
    pandas.DataFrame
        Indexed by (``evidence``, ``level``, ``id``); columns ``decibans``,
        ``kind``, ``issue_area``, ``title``, ``date``; in a structured case
        ``proposition`` (the one the item bears on; ``""`` for the hypotheses; an item of several
        parents has them joined by ``+``).

    Examples
    --------
    >>> import motives as mv
    >>> w = weight_of_evidence(mv.examples.cookie_case())
    >>> round(float(w.loc[("vanilla", "hypothesis", "bowl1"), "decibans"]), 4)  # 10 log10(0.75/0.5)
    1.7609
    """
    arr, pri = setup(case, lens, prior)
    ll = item_logliks(arr)  # (E, K)
    rows = []
    for level, t, mask in _targets(arr):
        if mask.all():
            db = np.zeros(len(ll))
        else:
            with np.errstate(invalid="ignore"):
                db = DB * (mixture_ll(ll, pri, mask) - mixture_ll(ll, pri, ~mask))
        rows += [(e, level, t, d) for e, d in zip(every_item(arr), db, strict=True)]
    df = pd.DataFrame(rows, columns=["evidence", "level", "id", "decibans"]).set_index(
        ["evidence", *LEVEL_ID]
    )
    df = df.join(_item_meta(case), on="evidence")
    df.attrs.update({"lens": arr.lens, "unit": "decibans", "rest_weighted_by": "prior"})
    return df


def _drop_table(
    arr: CaseArrays,
    pri: Array,
    keep: np.ndarray | list[list[str]],
    labels: list[str],
    name: str,
    reliability: bool,
) -> pd.DataFrame:
    """Credences with each row of ``keep`` (S, E) as the items kept, against all items kept.

    In a structured case ``keep`` may instead be a list of id lists (items or propositions) to leave
    out.
    """
    full = scenario_posterior(arr, pri, reliability=reliability)
    check_finite(full)
    lp_full = scenario_logpost(arr, pri, reliability=reliability)
    if isinstance(keep, list):
        K = len(arr.hypotheses)
        lp = np.array(
            [quiet_log(pri) + loglik(arr.without(d), reliability=reliability) for d in keep]
        ).reshape(-1, K)
        post = normalise(lp)
    else:
        lp = scenario_logpost(arr, pri, keep=keep, reliability=reliability)  # (S, K)
        post = scenario_posterior(arr, pri, keep=keep, reliability=reliability)
    cf, pf = family_credence(arr, full), family_credence(arr, post)
    targets = _targets(arr)
    lo_full = {(lv, t): log_odds_db(lp_full, m) for lv, t, m in targets}
    lo = {(lv, t): log_odds_db(lp, m) for lv, t, m in targets}
    rows = []
    for s, lab in enumerate(labels):
        for level, vals, allv, ids in (
            ("hypothesis", post[s], full, arr.hypotheses),
            ("family", pf[s], cf, arr.families),
        ):
            for i, t in enumerate(ids):
                a, b = lo_full[(level, t)], lo[(level, t)][s]
                d = 0.0 if a == b else a - b  # equal infinities: no change
                rows.append((lab, level, t, allv[i], vals[i], allv[i] - vals[i], d))
    df = pd.DataFrame(
        rows, columns=[name, "level", "id", "credence", "credence_without", "delta", "delta_db"]
    )
    return df.set_index([name, *LEVEL_ID])


def leave_one_out(
    case: Case, *, lens: str | None = None, prior: Any = None, reliability: bool = True
) -> pd.DataFrame:
    """Credence of every hypothesis and family with each item left out (one vectorised call).

    In a structured case each proposition is also left out whole, with every
    item under it (and under the propositions below it): rows whose ``kind``
    is ``proposition`` follow the items'.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``evidence``, ``level``, ``id``): ``credence`` (all items),
        ``credence_without`` (this item left out), ``delta`` (their
        difference: what the item adds) and ``delta_db`` (the same as a change of
        log-odds against the rest, in decibans); in a structured case ``kind``
        (``item`` or ``proposition``) and ``proposition`` (the one an item bears
        on, or the proposition itself).

    Examples
    --------
    The dice problem (rolls of 6 and 8): without the 8, the d6 is not ruled out.

    >>> import motives as mv
    >>> loo = leave_one_out(mv.examples.load("dice"))
    >>> loo.xs(("roll_8", "hypothesis"), level=("evidence", "level")).round(4)
         credence  credence_without   delta  delta_db
    id
    d4     0.0000            0.0000  0.0000    0.0000
    d6     0.0000            0.3922 -0.3922      -inf
    d8     0.6233            0.2941  0.3292    5.9885
    d12    0.2770            0.1961  0.0809    1.9614
    d20    0.0997            0.1176 -0.0179   -0.8052

    An item every hypothesis predicts equally well changes nothing when left out.

    >>> case = mv.Case.model_validate(
    ...     {
    ...         "name": "neutral",
    ...         "hypotheses": [{"id": "h1"}, {"id": "h2"}],
    ...         "evidence": [
    ...             {"id": "telling", "title": "Telling", "likelihoods": {"h1": 0.8, "h2": 0.2}},
    ...             {"id": "neutral", "title": "Neutral", "likelihoods": {"h1": 0.5, "h2": 0.5}},
    ...         ],
    ...     }
    ... )
    >>> loo = leave_one_out(case)
    >>> import numpy as np
    >>> bool(
    ...     np.allclose(loo.xs("neutral", level="evidence")[["delta", "delta_db"]], 0.0, atol=1e-12)
    ... )
    True
    >>> round(
    ...     float(loo.loc[("telling", "hypothesis", "h1"), "delta"]), 4
    ... )  # 0.8 against 0.5 without it
    0.3
    """
    arr, pri = setup(case, lens, prior)
    items = every_item(arr)
    if arr.propositions:
        labels = items + arr.proposition_ids
        df = _drop_table(arr, pri, [[x] for x in labels], labels, "evidence", reliability)
        kinds = dict.fromkeys(items, "item") | dict.fromkeys(arr.proposition_ids, "proposition")
        props = dict(zip(items, item_props(arr), strict=True)) | {p: p for p in arr.proposition_ids}
        ev = df.index.get_level_values("evidence")
        df["kind"] = ev.map(kinds)
        df["proposition"] = ev.map(props)
    else:
        E = len(items)
        df = _drop_table(arr, pri, ~np.eye(E, dtype=bool), items, "evidence", reliability)
    df.attrs["lens"] = arr.lens
    return df


def leave_one_source_out(
    case: Case, *, lens: str | None = None, prior: Any = None, reliability: bool = True
) -> pd.DataFrame:
    """Credences with all items resting on one source left out.

    A source is BibTeX ``sources`` or ``reported_by``.

    Returns
    -------
    pandas.DataFrame
        As :func:`leave_one_out`, indexed by (``source``, ``level``, ``id``);
        ``attrs["items"]`` maps each source to the items left out with it.

    Examples
    --------
    The taxicab witness: without the witness's report the credence falls back to the base rate of
    blue cabs.

    >>> import motives as mv
    >>> lso = leave_one_source_out(mv.examples.load("witness"))
    >>> lso.attrs["items"]
    {'witness': ['says_blue']}
    >>> lso.xs(("witness", "hypothesis"), level=("source", "level")).round(4)
           credence  credence_without   delta  delta_db
    id
    blue     0.4138              0.15  0.2638    6.0206
    green    0.5862              0.85 -0.2638   -6.0206
    """
    arr, pri = setup(case, lens, prior)
    by_item = item_sources(case)
    keys = sorted({k for v in by_item.values() for k in v})
    every = every_item(arr)
    items = {k: [e for e in every if k in by_item[e]] for k in keys}
    keep = np.array([[e not in items[k] for e in every] for k in keys], dtype=bool)
    keep = keep.reshape(len(keys), len(every))
    df = _drop_table(arr, pri, keep, keys, "source", reliability)
    df.attrs.update({"lens": arr.lens, "items": items})
    return df


def lens_comparison(case: Case, *, prior: Any = None, reliability: bool = True) -> pd.DataFrame:
    """Credence of every hypothesis and family under each lens.

    Items a lens does not rate use the default lens.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``lens``, ``level``, ``id``): ``prior``, ``credence``,
        ``rated`` (items the lens rates itself) and ``fallbacks`` (items it borrows).

    Examples
    --------
    Two lenses that agree on one item and read the other the opposite way (likelihood ratio 2
    against 1/2):

    >>> import motives as mv
    >>> case = mv.examples.load("two_lenses")
    >>> lc = lens_comparison(case)
    >>> lc.xs("hypothesis", level="level")["credence"].unstack(
    ...     "id"
    ... )  # posterior odds 4 : 1 and 1 : 1
    id     h1   h2
    lens
    a     0.8  0.2
    b     0.5  0.5
    >>> lc.loc[("a", "hypothesis", "h1"), ["rated", "fallbacks"]].tolist()
    [2, 0]
    """
    rows = []
    for lens in case.lens_ids:
        arr, pri = setup(case, lens, prior)
        post = scenario_posterior(arr, pri, reliability=reliability)
        check_finite(post, f"posterior under lens {lens}")
        fp, fc = family_credence(arr, pri), family_credence(arr, post)
        n_fb = len(set(arr.fallbacks) - set(arr.proposition_ids))
        for level, ids, pr, cr in (
            ("hypothesis", arr.hypotheses, pri, post),
            ("family", arr.families, fp, fc),
        ):
            for i, t in enumerate(ids):
                rows.append((lens, level, t, pr[i], cr[i], len(case.evidence) - n_fb, n_fb))
    df = pd.DataFrame(rows, columns=["lens", *LEVEL_ID, "prior", "credence", "rated", "fallbacks"])
    return df.set_index(["lens", *LEVEL_ID])


def _lens_arrays(case: Case) -> tuple[dict[str, CaseArrays], dict[str, np.ndarray]]:
    """Arrays per lens, and for each lens which inputs it rates itself.

    The inputs are every item, then every table.
    """
    arrs = {lens: compile_case(case, lens) for lens in case.lens_ids}
    rated = {
        lens: np.array(
            [e not in a.fallbacks for e in every_item(a) + a.proposition_ids], dtype=bool
        )
        for lens, a in arrs.items()
    }
    return arrs, rated


def _pool_logs(stack: list[Array], wn: Array) -> Array:
    """Linear pool of densities given as logs: log sum_l w_l exp(ll_l), rows with no weight -inf."""
    st = np.stack(stack)  # (L, m, S)
    wo = np.log(np.where(wn[:, :, None] > 0, wn[:, :, None], 1.0))
    other = np.where(wn[:, :, None] > 0, st + wo, -np.inf)
    m = other.max(axis=0)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        return m + np.log(np.exp(other - m).sum(axis=0))


def _pool_structure(
    ref: CaseArrays,
    arrs: dict[str, CaseArrays],
    rated: dict[str, np.ndarray],
    use: list[str],
    wn: Array,
    E: int,
) -> dict[str, Any]:
    """Pooled item means, log densities and tables under the propositions (the lenses in ``use``).

    A table no lens in ``use`` rates is the mean of what those lenses read (each falls back to the
    default lens).
    """
    plam, pother, tables = {}, {}, {}
    j = len(ref.all_items)
    for i, pa in enumerate(ref.propositions):
        n, m = len(pa.items), len(pa.other_items)
        if n:
            pl = (
                sum(
                    wn[k, j : j + n, None] * arrs[ln].propositions[i].lam
                    for k, ln in enumerate(use)
                )
                if use
                else pa.lam
            )
            plam[pa.id] = np.where(wn[:, j : j + n].sum(axis=0)[:, None] > 0, pl, 1.0)
        if m:
            po = (
                _pool_logs(
                    [arrs[ln].propositions[i].other_loglik for ln in use], wn[:, j + n : j + n + m]
                )
                if use
                else np.zeros_like(pa.other_loglik)
            )  # no lens left: nothing read, the item drops out
            pother[pa.id] = np.where(wn[:, j + n : j + n + m].sum(axis=0)[:, None] > 0, po, 0.0)
        j += n + m
        if use:
            tw = np.array([float(rated[ln][E + i]) for ln in use])
            tw = tw / tw.sum() if tw.sum() > 0 else np.full(len(use), 1.0 / len(use))
            tables[pa.id] = sum(tw[k] * arrs[ln].propositions[i].table for k, ln in enumerate(use))
    jlam = {}
    for jj, jt in enumerate(
        ref.joint
    ):  # items of several parents come after the items under propositions
        c = j + jj
        pl = sum(wn[k, c] * arrs[ln].joint[jj].lam for k, ln in enumerate(use)) if use else jt.lam
        jlam[jt.id] = pl if wn[:, c].sum() > 0 else np.ones_like(jt.lam)
    return {"plam": plam, "pother": pother, "tables": tables, "jlam": jlam}


def leave_one_lens_out(case: Case, *, prior: Any = None, reliability: bool = True) -> pd.DataFrame:
    """Credences of the panel of lenses with one lens left out.

    The panel reads each item through the lenses that rate it, pooling their
    judgements linearly (the mean of their likelihoods; for timeline and
    quantity items the mean of their densities). Leaving lens L out drops
    L's judgements; an item no remaining lens rates is left out (listed in
    ``attrs["left_out"]``). With two lenses, leaving one out is the case read
    through the other lens alone; row ``(none)`` is the full panel.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``lens``, ``level``, ``id``), ``lens`` being the lens left
        out: ``credence``, ``items`` (items still counted).

    Examples
    --------
    Two lenses that agree on one item and read the other the opposite way; the panel
    pools the disputed item to 0.45 under both hypotheses (it then says nothing).

    >>> import motives as mv
    >>> case = mv.examples.load("two_lenses")
    >>> lolo = leave_one_lens_out(case)
    >>> lolo.xs("hypothesis", level="level")["credence"].unstack("id").round(4)
    id          h1      h2
    lens
    (none)  0.6667  0.3333
    a       0.5000  0.5000
    b       0.8000  0.2000

    With two lenses, leaving one out reads the case through the other alone:

    >>> import numpy as np
    >>> without_b = lolo.xs("b", level="lens")["credence"]
    >>> bool(
    ...     np.allclose(
    ...         without_b, mv.exact_posterior(case, "a")["credence"].reindex(without_b.index)
    ...     )
    ... )
    True
    """
    arrs, rated = _lens_arrays(case)
    ref = arrs[case.default_lens]
    pri = setup(case, None, prior)[1]
    N, M = len(ref.items), len(ref.other_items)
    E = len(every_item(ref))
    rows, left_out = [], {}
    for drop in ["(none)", *case.lens_ids]:
        use = [ln for ln in case.lens_ids if ln != drop]
        w = np.array([rated[ln][:E] for ln in use], dtype=float).reshape(len(use), E)  # (L, E)
        n = w.sum(axis=0)
        keep = n > 0
        wn = np.divide(w, n, out=np.zeros_like(w), where=n > 0)
        lam = sum(wn[i, :N, None] * arrs[ln].lam for i, ln in enumerate(use)) if use else ref.lam
        lam = np.where(keep[:N, None], lam, 1.0)
        if ref.other_items:
            other = _pool_logs([arrs[ln].other_loglik for ln in use], wn[:, N : N + M])
            other = np.where(keep[N : N + M, None], other, 0.0)
        else:
            other = ref.other_loglik
        kw: dict[str, Any] = {}
        if ref.propositions:
            kw = _pool_structure(ref, arrs, rated, use, wn, E)
        post = scenario_posterior(
            ref, pri, lam=lam, other=other, keep=keep, reliability=reliability, **kw
        )
        check_finite(post, f"posterior without lens {drop}")
        left_out[drop] = [e for e, k in zip(every_item(ref), keep, strict=True) if not k]
        fc = family_credence(ref, post)
        for level, ids, cr in (("hypothesis", ref.hypotheses, post), ("family", ref.families, fc)):
            rows += [(drop, level, t, cr[i], int(keep.sum())) for i, t in enumerate(ids)]
    df = pd.DataFrame(rows, columns=["lens", *LEVEL_ID, "credence", "items"]).set_index(
        ["lens", *LEVEL_ID]
    )
    df.attrs["left_out"] = left_out
    return df


def cruxes(
    case: Case,
    *,
    lens: str | None = None,
    target: str | None = None,
    prior: Any = None,
    reliability: bool = True,
) -> pd.DataFrame:
    """Items whose judgement, swapped from the analysis lens to another lens, moves the result most.

    For each other lens B and each item B rates itself, the item's judgement
    under the analysis lens A is replaced by B's, all other items staying as
    A reads them; ``delta_db`` is the resulting change of the target's
    log-odds against the rest, in decibans (one vectorised call per lens).
    In a structured case the items under propositions and the propositions'
    tables are swapped too (a table's row is its proposition's id; its
    ``db_analysis`` / ``db_lens`` are the weight of the proposition's evidence
    alone, with A's and with B's judgements).

    Returns
    -------
    pandas.DataFrame
        Indexed by (``lens``, ``evidence``), sorted by ``|delta_db|``:
        ``db_analysis`` and ``db_lens`` (the item's weight of evidence for the
        target under A and under B), ``disagreement`` (their difference),
        ``credence_swapped`` and ``delta_db``.

    Examples
    --------
    Two lenses that agree on one item and read the other the opposite way. Only the disputed item is
    a crux: taking lens b's reading of it turns h1's +3 dB into -3 dB, a tie.

    >>> import motives as mv
    >>> case = mv.examples.load("two_lenses")
    >>> cr = cruxes(case, target="h1")
    >>> cr.round(4)
                   db_analysis  db_lens  disagreement  credence_swapped  delta_db
    lens evidence
    b    disputed       3.0103  -3.0103       -6.0206               0.5   -6.0206
    >>> cr.attrs["credence"]  # h1 under lens a, before the swap
    0.8
    """
    arrs, rated = _lens_arrays(case)
    a_id = case.resolve_lens(lens)
    A, pri = setup(case, a_id, prior)
    base = scenario_posterior(A, pri, reliability=reliability)
    check_finite(base)
    tgt = target_of(A, target, base)
    c0 = base[tgt.mask].sum()
    lo0 = log_odds_db(scenario_logpost(A, pri, reliability=reliability), tgt.mask)
    names = every_item(A) + A.proposition_ids
    slots = input_slots(A)

    def input_db(X: CaseArrays) -> Array:
        ll = np.concatenate([item_logliks(X), table_logliks(X, reliability)], axis=0)
        with np.errstate(invalid="ignore"):
            return DB * (mixture_ll(ll, pri, tgt.mask) - mixture_ll(ll, pri, ~tgt.mask))

    dbA = input_db(A)
    rows = []
    for b_id, B in arrs.items():
        if b_id == a_id:
            continue
        items = [
            j
            for j in range(len(names))
            if rated[b_id][j]
            and not np.array_equal(slot_value(A, slots[j]), slot_value(B, slots[j]))
        ]
        if not items:
            continue
        kw = swap_scenarios(A, [(slots[j], slot_value(B, slots[j])) for j in items])
        post = scenario_posterior(A, pri, reliability=reliability, **kw)
        c = post[:, tgt.mask].sum(axis=1)
        lo = log_odds_db(scenario_logpost(A, pri, reliability=reliability, **kw), tgt.mask)
        dbB = input_db(B)
        with np.errstate(invalid="ignore"):
            delta = lo - lo0
        for s, j in enumerate(items):
            rows.append((b_id, names[j], dbA[j], dbB[j], dbB[j] - dbA[j], c[s], delta[s]))
    df = pd.DataFrame(
        rows,
        columns=[
            "lens",
            "evidence",
            "db_analysis",
            "db_lens",
            "disagreement",
            "credence_swapped",
            "delta_db",
        ],
    )
    df = df.reindex(df["delta_db"].abs().sort_values(ascending=False).index).set_index(
        ["lens", "evidence"]
    )
    df.attrs.update(
        {"lens": a_id, "target": tgt.id, "target_level": tgt.level, "credence": float(c0)}
    )
    return df
