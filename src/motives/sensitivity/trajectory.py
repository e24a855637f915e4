"""Credence trajectory: belief as of each date, items taken in date order."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from motives.exact import family_credence, normalise
from motives.schema import Case, TimelineItem
from motives.sensitivity._core import check_finite, log_odds_db, scenario_logpost, setup
from motives.sensitivity._structure import every_item

#: The ``evidence`` of the step at which the observations of facts come in (they are undated).
OBSERVED = "(observed facts)"


def item_date(item: Any) -> Any:
    """An item's date; a timeline item without one is dated by its last observation."""
    if item.date is not None:
        return item.date
    if isinstance(item, TimelineItem):
        return max(item.observations, key=lambda o: o.date.decimal_year).date
    return None


def trajectory(
    case: Case,
    *,
    lens: str | None = None,
    prior: Any = None,
    reliability: bool = True,
    undated: str = "first",
) -> pd.DataFrame:
    """Credence of every hypothesis and family after each item, items in date order.

    Step 0 is the prior. Items are ordered by date (a partial date counts as
    the middle of its year or month; ties keep the case's order). Undated
    items come first (``undated="first"``: background known before any dated
    item), last, or are dropped (``"drop"``); the ``dated`` column says which
    they are. All steps go through the engine in one call.

    ``step_db`` is the change of each hypothesis's or family's log-odds against
    the rest at that step, in decibans: the sequential weight of evidence. It
    depends on the order, and its sum over the steps is exactly the total
    change from prior to posterior, for any number of hypotheses. In a
    structured case the items under propositions come in with the rest, each
    read through its proposition given the items already in (so an item
    whose proposition is nearly settled moves little). The observations of
    facts (``observed:``) are undated evidence and come in together as one
    step, :data:`OBSERVED`, ahead of the undated items.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``step``, ``level``, ``id``): ``evidence``, ``date``,
        ``year`` (decimal, NaN when undated), ``dated``, ``credence``,
        ``log_odds_db`` (against the rest, decibans) and ``step_db``.
    """
    if undated not in ("first", "last", "drop"):
        raise ValueError(f"undated must be 'first', 'last' or 'drop', got {undated!r}")
    arr, pri = setup(case, lens, prior)
    dates = {e.id: item_date(e) for e in case.evidence}
    items = every_item(arr)
    dated = sorted((e for e in items if dates[e] is not None), key=lambda e: dates[e].decimal_year)
    und = [e for e in items if dates[e] is None]
    observed = [pa.id for pa in arr.propositions if pa.observed >= 0]
    if (
        observed
    ):  # the observations of facts are undated evidence: one step, before the undated items
        und = [OBSERVED] + und
    order = {"first": und + dated, "last": dated + und, "drop": dated}[undated]
    pos = {e: i for i, e in enumerate(items)}
    S = len(order) + 1
    keep = np.zeros((S, len(items)), dtype=bool)
    seen = np.zeros(S, dtype=bool)
    for s, e in enumerate(order, start=1):
        if e == OBSERVED:
            seen[s:] = True
        else:
            keep[s:, pos[e]] = True
    lp = np.empty((S, len(arr.hypotheses)))
    blind = replace(arr, propositions=tuple(replace(pa, observed=-1) for pa in arr.propositions))
    for a, picked in ((arr, seen), (blind, ~seen)):
        if picked.any():
            lp[picked] = scenario_logpost(
                a, pri, keep=keep[picked], reliability=reliability
            )  # (S, K)
    post = normalise(lp)
    check_finite(post)
    fam = family_credence(arr, post)
    levels = []
    K = len(arr.hypotheses)
    for level, ids, c in (("hypothesis", arr.hypotheses, post), ("family", arr.families, fam)):
        masks = (
            [np.arange(K) == i for i in range(K)]
            if level == "hypothesis"
            else [arr.family_index == i for i in range(len(ids))]
        )
        lo = np.stack([log_odds_db(lp, m) for m in masks], axis=1)  # (S, ids)
        with np.errstate(invalid="ignore"):
            step = np.vstack([np.zeros((1, c.shape[1])), np.diff(lo, axis=0)])
        same = np.vstack([np.ones((1, lo.shape[1]), dtype=bool), lo[1:] == lo[:-1]])
        step = np.where(same, 0.0, step)  # -inf to -inf: no change
        levels.append((level, ids, c, step, lo))
    rows: list[tuple[Any, ...]] = []
    for s in range(S):
        e = "(prior)" if s == 0 else order[s - 1]
        d = None if s == 0 else dates.get(e)
        for level, ids, c, step, lo in levels:
            for i, t in enumerate(ids):
                rows.append(
                    (
                        s,
                        level,
                        t,
                        e,
                        str(d) if d else "",
                        d.decimal_year if d else np.nan,
                        d is not None,
                        c[s, i],
                        lo[s, i],
                        step[s, i],
                    )
                )
    df = pd.DataFrame(
        rows,
        columns=[
            "step",
            "level",
            "id",
            "evidence",
            "date",
            "year",
            "dated",
            "credence",
            "log_odds_db",
            "step_db",
        ],
    ).set_index(["step", "level", "id"])
    df.attrs.update({"lens": arr.lens, "undated": undated, "undated_items": und})
    return df
