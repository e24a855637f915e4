"""Weight of evidence per proposition: what its evidence moves, its cap, and each item's share.

For a target T (a hypothesis or family) against the rest R, weighted by the
prior as the items' weight of evidence is (:func:`motives.sensitivity.weight_of_evidence`),
and a proposition p with implied P(s | h) (its table, through the tables
above it for a deeper p):

- **weight** W_p = 10 log10 P(E_p | T) / P(E_p | R), E_p the evidence in p's
  subtree (the items under p and under the propositions below it), each side
  the prior-weighted mean of P(E_p | h) = sum_s P(s | h) m_p(s) (a source's
  reliability integrated over the subtree's items);
- **cap** C_p = 10 log10 max_s P(s | T) / P(s | R) and **floor**
  F_p = 10 log10 min_s P(s | T) / P(s | R), with P(s | T) = sum_{h in T} pi_h
  P(s | h) / sum_{h in T} pi_h. Since P(E_p | T) = sum_s P(s | T) m_p(s),
  F_p <= W_p <= C_p however many items bear on p: a proposition's evidence
  can never count for more than learning its state would. With two
  hypotheses the cap is the definition of the design (log max_s P(s|h)/P(s|h'));
  with more, the target against the prior-weighted rest is the analysis'
  definition, the same reading of "the rest" as the items' weight of evidence;
- on a network "p's subtree" is the evidence below p: the items bearing on p or on a proposition
  below it (an item of several parents as soon as one of them is; it is listed under the last of its
  parent propositions) and the observations of those propositions; the propositions they need above
  are kept bare. The cap and floor bound W_p when that evidence reaches the hypotheses only through
  p (a *cut*, always so on a tree); otherwise they are NaN. ``config_cap_db``, reported for every p,
  is max over parent configurations v, v' and states s of 10 log10 P(s | v) / P(s | v'): the items
  below a cut p never move the odds between two configurations of p's parents by more;
- **share of the cap** W_p / C_p (or W_p / |F_p| when W_p < 0, a negative share):
  how much of what the proposition could say its evidence says;
- **an item's share inside p**: its weight within p *given p's other
  evidence*, W_p - W_p(without the item) = 10 log10 P(E_e | T, E_p - e) /
  P(E_e | R, E_p - e) (equivalently, its leave-one-out inside the
  proposition), as a share of the cap. Items under one proposition are
  dependent given the hypothesis, so these do not add up to W_p: the last
  of several items that all say "p is true" adds little once p is nearly
  settled. ``alone_db`` is the item's weight on its own, through the chain.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from motives.exact import loglik
from motives.schema import Case
from motives.sensitivity._core import DB, Array, item_logliks, mixture_ll, setup
from motives.sensitivity._structure import (
    descendants,
    every_item,
    implied,
    joint_label,
    node_name,
    subtree_only,
)

LEVEL_ID = ["level", "id"]


def _targets(arr: Any) -> list[tuple[str, str, np.ndarray]]:
    K = len(arr.hypotheses)
    out = [("hypothesis", h, np.arange(K) == k) for k, h in enumerate(arr.hypotheses)]
    return out + [("family", f, arr.family_index == i) for i, f in enumerate(arr.families)]


def _mean_rows(m: Array, weights: Array, mask: np.ndarray) -> Array:
    """Prior-weighted mean of the rows of m (K, S) over the hypotheses in mask."""
    w = np.where(mask, weights, 0.0)
    if w.sum() <= 0:
        w = mask.astype(float)
    return (w / w.sum()) @ m


def proposition_cap(m: Array, weights: Array, mask: np.ndarray) -> tuple[float, float]:
    """(cap, floor) in decibans of a proposition with implied P(s | h) = m (K, S).

    For the target ``mask`` against the rest.

    Examples
    --------
    The burglary case's ``at_scene``: 0.8 / 0.1 if the suspect was there, 0.2 / 0.9 if not.

    >>> import numpy as np
    >>> m = np.array([[0.8, 0.2], [0.1, 0.9]])
    >>> [
    ...     round(x, 4) for x in proposition_cap(m, np.array([0.1, 0.9]), np.array([True, False]))
    ... ]  # 10 log10 8, 10 log10 2/9
    [9.0309, -6.5321]
    """
    if mask.all() or not mask.any():
        return 0.0, 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        r = DB * (np.log(_mean_rows(m, weights, mask)) - np.log(_mean_rows(m, weights, ~mask)))
    r = r[~np.isnan(r)]
    return (float(r.max()), float(r.min())) if r.size else (0.0, 0.0)


def configuration_cap(table: Array) -> float:
    """10 log10 max over v, v' and s of P(s | v) / P(s | v'), in decibans.

    v and v' are parent configurations and s a state.

    What the items below a fact can do to the odds between two configurations of its parents
    (:meth:`motives.Case.proposition_cap_db` on compiled means): 0 for one row (a root fact),
    ``inf`` when a state impossible under one configuration is possible under another.

    Examples
    --------
    >>> import numpy as np
    >>> round(
    ...     configuration_cap(np.array([[0.95, 0.05], [0.29, 0.71], [0.001, 0.999]])), 4
    ... )  # 950 : 1
    29.7772
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        lt = np.log(np.asarray(table, dtype=float))
        r = lt[:, None, :] - lt[None, :, :]  # (V, V, S)
    r = np.where(np.isnan(r), -np.inf, r)  # two zeros: no ratio
    return float(max(0.0, DB * r.max())) if r.size else 0.0


def is_cut(arr: Any, pid: str) -> bool:
    """True when the evidence below ``pid`` reaches the rest of the case only through ``pid``.

    Every proposition below it and every item below it has all its parents among ``pid`` and the
    propositions below it. Then P(E_p | h) = sum_s P(s | h) m_p(s), and the cap and floor bound p's
    weight; on a tree every proposition is a cut.

    Examples
    --------
    >>> import motives as mv
    >>> from motives.exact import compile_case
    >>> arr = compile_case(mv.examples.load("burglary"))
    >>> [is_cut(arr, p) for p in arr.proposition_ids]
    [True, True]
    """
    sub = descendants(arr, pid)
    me = arr.proposition_ids.index(pid)
    if any(not set(arr.propositions[i].parents) <= sub for i in sub if i != me):
        return False
    return all(set(jt.parents) <= sub for jt in arr.joint if set(jt.parents) & sub)


def _share(db: float, cap: float, floor: float) -> float:
    if np.isinf(db) and np.isinf(cap if db > 0 else floor):
        return np.nan  # an infinite weight against an unbounded cap: no share (inf / inf)
    if db >= 0:
        return db / cap if cap > 0 else (0.0 if db == 0 else np.nan)
    return db / -floor if floor < 0 else np.nan


def proposition_weight(
    case: Case, *, lens: str | None = None, prior: Any = None, reliability: bool = True
) -> pd.DataFrame:
    """Each proposition's weight of evidence, its cap and the share used.

    Also each item's share inside its proposition.

    See the module docstring for the definitions. Rows, per target (every
    hypothesis and family against the rest), come proposition by proposition
    (parents first): the proposition, then the items bearing on it directly.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``node``, ``level``, ``id``), ``node`` a proposition or an item id. Columns:
        ``kind`` (``proposition`` or ``item``), ``proposition`` (the proposition itself, or the one
        the item bears on), ``parent``, ``decibans`` (a proposition: W_p; an item: its weight inside
        p given p's other evidence), ``alone_db`` (the node's weight on its own), ``cap_db``,
        ``floor_db`` (the proposition's), ``share_of_cap``, ``items`` (items below the proposition;
        1 for an item), ``title``, ``config_cap_db`` (the most the items below the proposition can
        move the odds between two configurations of its parents,
        :func:`configuration_cap`) and ``cut`` (whether the evidence below the proposition reaches
        the hypotheses only through it, :func:`is_cut`). Where it does not (a proposition below it
        has another parent, or an item below it has), its weight is not bounded by its table alone:
        ``cap_db``, ``floor_db`` and ``share_of_cap`` are NaN. Empty for a case without
        propositions.

    Examples
    --------
    The burglary case: being at the scene can count at most 10 log10 (0.8 / 0.1) = 9.03 dB for the
    suspect; the three scene reports together use 95% of it. Each alone would say 3.4 to 4.9 dB, but
    given the other two each adds under 1.6 dB: they all say the same thing.

    >>> import motives as mv
    >>> pw = proposition_weight(mv.examples.load("burglary"))
    >>> t = pw.xs(("hypothesis", "suspect"), level=("level", "id"))
    >>> t.loc[
    ...     ["at_scene", "neighbour_saw_suspect", "phone_near_scene", "fibres_match"],
    ...     ["decibans", "alone_db", "cap_db", "share_of_cap"],
    ... ].round(2)
                           decibans  alone_db  cap_db  share_of_cap
    node
    at_scene                   8.57      8.57    9.03          0.95
    neighbour_saw_suspect      1.51      4.87    9.03          0.17
    phone_near_scene           0.79      3.36    9.03          0.09
    fibres_match               1.45      4.77    9.03          0.16
    """
    arr, pri = setup(case, lens, prior)
    cols = [
        "kind",
        "proposition",
        "parent",
        "decibans",
        "alone_db",
        "cap_db",
        "floor_db",
        "share_of_cap",
        "items",
        "title",
        "config_cap_db",
        "cut",
    ]
    if not arr.propositions:
        return pd.DataFrame(
            columns=cols, index=pd.MultiIndex.from_tuples([], names=["node", *LEVEL_ID])
        )
    titles = {e.id: e.title for e in case.evidence} | {p.id: p.title for p in case.propositions}
    alone = dict(zip(every_item(arr), item_logliks(arr), strict=True))
    imp = implied(arr)
    ids = arr.proposition_ids
    last_parent = {jt.id: max(q for q in jt.parents if q >= 0) for jt in arr.joint}
    cuts = {pid: is_cut(arr, pid) for pid in ids}
    config_caps = {pa.id: configuration_cap(pa.table) for pa in arr.propositions}
    nodes: list[
        tuple[Any, ...]
    ] = []  # (node, kind, prop, parent, ll_node (K,), ll_alone (K,), n_items)
    for i, pa in enumerate(arr.propositions):
        sub = subtree_only(arr, pa.id)
        ll_p = loglik(sub, reliability=reliability)
        n_sub = len(every_item(sub))
        parent = (
            node_name(arr, pa.parents[0]) if len(pa.parents) == 1 else joint_label(arr, pa.parents)
        )
        nodes.append((pa.id, "proposition", pa.id, parent, ll_p, None, n_sub))
        for e in pa.items + pa.other_items + [jt.id for jt in arr.joint if last_parent[jt.id] == i]:
            ll_wo = loglik(sub.without([e]), reliability=reliability)
            nodes.append((e, "item", pa.id, pa.id, ll_p, ll_wo, 1))
    rows = []
    for level, t, mask in _targets(arr):
        caps = {
            pid: proposition_cap(imp[pid], pri, mask) if cuts[pid] else (np.nan, np.nan)
            for pid in ids
        }
        for node, kind, pid, parent, ll_p, ll_wo, n in nodes:
            if mask.all():
                db = a_db = 0.0
            else:
                with np.errstate(invalid="ignore"):
                    w_p = DB * float(mixture_ll(ll_p, pri, mask) - mixture_ll(ll_p, pri, ~mask))
                    if kind == "proposition":
                        db = a_db = w_p
                    else:
                        w_wo = DB * float(
                            mixture_ll(ll_wo, pri, mask) - mixture_ll(ll_wo, pri, ~mask)
                        )
                        db = 0.0 if w_p == w_wo else w_p - w_wo
                        la = alone[node]
                        a_db = DB * float(mixture_ll(la, pri, mask) - mixture_ll(la, pri, ~mask))
            cap, floor = caps[pid]
            share = _share(db, cap, floor) if cuts[pid] else np.nan
            rows.append(
                (
                    node,
                    level,
                    t,
                    kind,
                    pid,
                    parent,
                    db,
                    a_db,
                    cap,
                    floor,
                    share,
                    n,
                    titles.get(node, node),
                    config_caps[pid],
                    cuts[pid],
                )
            )
    df = pd.DataFrame(rows, columns=["node", *LEVEL_ID, *cols]).set_index(["node", *LEVEL_ID])
    df.attrs.update({"lens": arr.lens, "unit": "decibans", "rest_weighted_by": "prior"})
    return df
