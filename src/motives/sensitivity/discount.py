"""Evidence discount: how far the conclusion rests on treating the items as independent.

The exact engine multiplies the items' likelihoods, as if each were
conditionally independent given the hypothesis. Observations that stem from
one underlying decision are rarely quite that, and many mildly diagnostic
items multiplied together can give a near-certain answer. A common discount
``gamma`` in [0, 1] on every item's weight of evidence (each row of
likelihoods raised to ``gamma``, timeline and quantity log densities times
``gamma``; a zero likelihood stays a zero, a logical exclusion) asks what the evidence implies if it
is worth only ``gamma`` times
as much -- as if the N diagnostic items were worth ``gamma * N`` independent
ones. At face value every log-odds is then linear in ``gamma``.

In a structured case the items under propositions are discounted the same
way (their P(E | state) rows raised to ``gamma``) while the propositions'
tables stay as judged, so no proposition can count for more than its cap at
any ``gamma``. :func:`group_discount` discounts one proposition's or one
issue area's items at a time.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.optimize import brentq

from motives.schema import Case
from motives.sensitivity._core import (
    check_finite,
    scenario_levels,
    scenario_logpost,
    scenario_posterior,
    setup,
    target_of,
)
from motives.sensitivity._structure import every_item
from motives.sensitivity.perturb import perturb_inputs


def evidence_discount(
    case: Case,
    target: str | None = None,
    *,
    lens: str | None = None,
    prior: Any = None,
    points: int = 101,
    grid: ArrayLike | None = None,
    levels: ArrayLike = (0.9, 0.95, 0.99),
    reliability: bool = True,
) -> pd.DataFrame:
    """Credences with every item's weight of evidence discounted by a common factor ``gamma``.

    Parameters
    ----------
    case
        The case.
    target
        Hypothesis or family whose credence the ``attrs`` summarise; default the leading family.
    lens, prior, reliability
        As :func:`motives.exact_posterior`.
    points
        Number of ``gamma`` values, evenly spaced in [0, 1] (ignored when ``grid`` is given).
    grid
        Explicit ``gamma`` values (each >= 0).
    levels
        Credences of the target for which ``attrs["gamma_for"]`` gives the smallest
        discount factor that still reaches them.

    Returns
    -------
    pandas.DataFrame
        Long form, indexed by (``scenario``, ``level``, ``id``); columns ``target``,
        ``gamma``, ``effective_items`` (``gamma`` times the number of diagnostic
        items), ``credence`` and ``log_odds_db`` (each id against the rest, in
        decibans). ``attrs``: ``lens``, ``target``, ``diagnostic_items`` and
        ``gamma_for`` -- {level: smallest gamma on the grid at which the target's
        credence reaches that level, or None if it never does}.

    Examples
    --------
    The dice problem (a 6, then an 8). A zero likelihood is a logical exclusion, not a weight, so
    it is not discounted: at gamma = 0 the d4 and d6 stay ruled out and the d8 has 1/3; at 1, the
    posterior.

    >>> import motives as mv
    >>> d = evidence_discount(mv.examples.load("dice"), "d8", grid=[0.0, 0.5, 1.0])
    >>> d.xs(("hypothesis", "d8"), level=("level", "id"))[["gamma", "credence"]].round(4)
              gamma  credence
    scenario
    0           0.0    0.3333
    1           0.5    0.4839
    2           1.0    0.6233

    For two hypotheses and point likelihoods the log-odds is linear in gamma: the cookie
    problem's +1.76 dB at full weight is +0.88 dB at half weight.

    >>> d = evidence_discount(mv.examples.cookie_case(), "bowl1", grid=[0.5, 1.0])
    >>> d.xs(("hypothesis", "bowl1"), level=("level", "id"))["log_odds_db"].round(2).tolist()
    [0.88, 1.76]
    >>> d.attrs["diagnostic_items"], d.attrs["gamma_for"][0.9]
    (1, None)
    """
    arr, pri = setup(case, lens, prior)
    if grid is not None:
        g = np.asarray(grid, dtype=float)
        if g.ndim != 1 or g.size == 0 or not np.all(np.isfinite(g)) or np.any(g < 0):
            raise ValueError(
                "grid must be a non-empty list of finite numbers >= 0, got "
                f"{np.asarray(grid).tolist()}"
            )
    else:
        if points < 2:
            raise ValueError(f"points must be at least 2, got {points}")
        g = np.linspace(0.0, 1.0, points)
    base = scenario_posterior(arr, pri, reliability=reliability)
    tgt = target_of(arr, target, base)
    E = len(every_item(arr))
    which = np.zeros((len(g), E + len(arr.propositions)), dtype=bool)
    which[:, :E] = True  # every item, not the tables
    kw = perturb_inputs(arr, which, g)
    post = scenario_posterior(arr, pri, reliability=reliability, **kw)  # (G, K): one call
    lp = scenario_logpost(arr, pri, reliability=reliability, **kw)
    idx, cred, lo_db = scenario_levels(arr, post, lp)
    rows = len(idx) // len(g)
    n_diag = _diagnostic_items(arr)
    df = pd.DataFrame(
        {
            "target": tgt.id,
            "gamma": np.repeat(g, rows),
            "effective_items": np.repeat(g * n_diag, rows),
            "credence": cred,
            "log_odds_db": lo_db,
        },
        index=idx,
    )
    t_cred = post[:, tgt.mask].sum(axis=1)
    order = np.argsort(g)
    gamma_for = {}
    for level in np.atleast_1d(np.asarray(levels, dtype=float)):
        hit = order[t_cred[order] >= level]
        gamma_for[float(level)] = float(g[hit[0]]) if hit.size else None
    df.attrs.update(
        {
            "lens": arr.lens,
            "target": tgt.id,
            "target_level": tgt.level,
            "diagnostic_items": n_diag,
            "gamma_for": gamma_for,
        }
    )
    return df


def _diagnostic_items(arr: Any) -> int:
    """Items whose likelihoods (or log densities) differ across hypotheses.

    Or, under a proposition, across its states.
    """
    n = 0
    parts = [(arr.lam, arr.other_loglik)] + [(pa.lam, pa.other_loglik) for pa in arr.propositions]
    parts += [(jt.lam[None], np.zeros((0, len(jt.lam)))) for jt in arr.joint]
    for lam, other in parts:
        with np.errstate(divide="ignore", invalid="ignore"):
            rows = np.concatenate([np.log(lam), other], axis=0)
        if len(rows) == 0:
            continue
        spread = np.nanmax(rows, axis=1) - np.nanmin(rows, axis=1)
        n += int(np.sum((spread > 1e-12) | ~np.isfinite(spread)))
    return n


def discount_groups(case: Case, by: str = "proposition") -> dict[str, list[str]]:
    """Items per group of :func:`group_discount`.

    ``by="proposition"``: every item below a proposition (bearing on it or on a proposition below
    it, through any of its parents); ``by="issue_area"``: the items of each issue area (an item
    without one takes that of the nearest proposition above it that has one, nearest first and, at
    one distance, the first listed parent first; ``(none)`` collects the rest).

    Examples
    --------
    >>> import motives as mv
    >>> discount_groups(mv.examples.load("burglary"))["had_motive"]
    ['dispute_with_owner', 'suspect_in_debt']
    """
    if by == "proposition":
        out: dict[str, list[str]] = {p: [] for p in case.proposition_ids}
        for e in case.evidence:
            for p in case.ancestors(
                e.id
            ):  # every proposition above the item, through any of its parents
                out[p].append(e.id)
        return out
    if by == "issue_area":
        out = {a.id: [] for a in case.issue_areas}
        for e in case.evidence:
            area = e.issue_area
            frontier = [q for q in case.parents_of(e.id) if q != "hypotheses"]
            seen: set[str] = set()
            while (
                area is None and frontier
            ):  # nearest first: parents, then theirs (first listed first)
                nxt = []
                for q in frontier:
                    if q in seen:
                        continue
                    seen.add(q)
                    prop = case.proposition(q)
                    if area is None and prop.issue_area is not None:
                        area = prop.issue_area
                    nxt += [r for r in case.parents_of(q) if r != "hypotheses"]
                frontier = nxt
            out.setdefault(area or "(none)", []).append(e.id)
        return {k: v for k, v in out.items() if v}
    raise ValueError(f"by must be 'proposition' or 'issue_area', got {by!r}")


def group_discount(
    case: Case,
    by: str = "proposition",
    target: str | None = None,
    *,
    lens: str | None = None,
    prior: Any = None,
    levels: ArrayLike = (0.9, 0.95, 0.99),
    points: int = 101,
    reliability: bool = True,
) -> pd.DataFrame:
    """Evidence discount of one group of items at a time.

    The items of one proposition, or of one issue area.

    The weights of evidence of the group's items (their log-likelihood
    contributions: each likelihood row raised to ``gamma``, timeline and
    quantity log densities times ``gamma``; zeros stay zeros) are multiplied by
    ``gamma`` while every other item keeps its full weight and the tables stay
    as judged. For each group and level, the smallest ``gamma`` in [0, 1] at
    which the target's credence is still at least the level (found on a grid of
    ``points`` values, then refined by root finding between the grid points):
    how far the conclusion would survive discounting that group's evidence.

    Parameters
    ----------
    by
        ``"proposition"`` (the items in each proposition's subtree) or
        ``"issue_area"`` (see :func:`discount_groups`).
    target
        Hypothesis or family; default the leading family.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``group``: ``items`` (how many), ``credence`` (at gamma = 1),
        ``credence_without`` (gamma = 0: the group left out) and one column
        ``gamma_<level>`` per level (NaN where even gamma = 1 does not reach it).

    Examples
    --------
    Two items for h1, in two issue areas; at face value the log-odds is linear in gamma, so the
    gamma that keeps h1 at 0.9 solves 10 log10 9 = prior + gamma x group + rest (decibans).

    >>> import motives as mv
    >>> case = mv.Case.model_validate(
    ...     {
    ...         "name": "areas",
    ...         "hypotheses": [{"id": "h1"}, {"id": "h2"}],
    ...         "issue_areas": [{"id": "x"}, {"id": "y"}],
    ...         "evidence": [
    ...             {
    ...                 "id": "a",
    ...                 "title": "A",
    ...                 "issue_area": "x",
    ...                 "likelihoods": {"h1": 0.9, "h2": 0.1},
    ...             },
    ...             {
    ...                 "id": "b",
    ...                 "title": "B",
    ...                 "issue_area": "y",
    ...                 "likelihoods": {"h1": 0.8, "h2": 0.4},
    ...             },
    ...         ],
    ...     }
    ... )
    >>> gd = group_discount(case, by="issue_area", target="h1", levels=[0.9])
    >>> gd.round(4)
           items  credence  credence_without  gamma_0.9
    group
    x          1    0.9474            0.6667     0.6845
    y          1    0.9474            0.9000     0.0000
    """
    arr, pri = setup(case, lens, prior)
    base = scenario_posterior(arr, pri, reliability=reliability)
    check_finite(base)
    tgt = target_of(arr, target, base)
    items = every_item(arr)
    n_in = len(items) + len(arr.propositions)
    g = np.linspace(0.0, 1.0, max(points, 2))
    lv = [float(x) for x in np.atleast_1d(np.asarray(levels, dtype=float))]

    def credence(which: np.ndarray, gam: np.ndarray) -> np.ndarray:
        kw = perturb_inputs(arr, np.repeat(which[None], len(gam), axis=0), gam)
        return scenario_posterior(arr, pri, reliability=reliability, **kw)[:, tgt.mask].sum(axis=1)

    rows = []
    for name, members in discount_groups(case, by).items():
        which = np.zeros(n_in, dtype=bool)
        which[[items.index(e) for e in members if e in items]] = True
        c = credence(which, g)
        row: dict[str, Any] = {
            "group": name,
            "items": int(which.sum()),
            "credence": c[-1],
            "credence_without": c[0],
        }
        for level in lv:
            hit = np.flatnonzero(c >= level)
            if not hit.size:
                gam = np.nan
            elif hit[0] == 0:
                gam = 0.0
            else:
                a, b = g[hit[0] - 1], g[hit[0]]
                gam = float(
                    brentq(
                        lambda x, w=which, t=level: float(credence(w, np.array([x]))[0]) - t,
                        a,
                        b,
                        xtol=1e-13,
                    )
                )
            row[f"gamma_{level:g}"] = gam
        rows.append(row)
    df = (
        pd.DataFrame(rows).set_index("group")
        if rows
        else pd.DataFrame(
            columns=["items", "credence", "credence_without", *[f"gamma_{x:g}" for x in lv]],
            index=pd.Index([], name="group"),
        )
    )
    df.attrs.update(
        {"lens": arr.lens, "target": tgt.id, "target_level": tgt.level, "by": by, "levels": lv}
    )
    return df
