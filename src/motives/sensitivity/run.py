"""Every sensitivity analysis for one case and analysis settings (what ``motives sensitivity`` writes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from motives.schema import Case

#: Table name -> what it holds (the CSV files of ``motives sensitivity``). The target is the spec's ``target``
#: (``--target``), by default the leading family.
TABLES: dict[str, str] = {
    "posterior": "credence of each hypothesis and family (exact engine)",
    "reversal_priors": "Bayes factor of each hypothesis/family against the rest and the prior that ties it",
    "prior_sweep": "credences as the target's prior sweeps [0, 1]",
    "weight_of_evidence": "decibans per item for each hypothesis and family against the rest (prior-weighted)",
    "leave_one_out": "credences with each item left out",
    "leave_one_source_out": "credences with each source's items left out",
    "lens_comparison": "credences under each lens",
    "leave_one_lens_out": "credences of the pooled lenses with one lens left out",
    "cruxes": "change of the target's log-odds when one item's judgement is swapped to another lens",
    "tornado": "the target's credence with each item's likelihood ratio scaled by 1/f and f",
    "evidence_discount": "credences with every item's weight of evidence discounted by a common factor gamma in [0, 1]",
    "break_even": "factor on each item's likelihood ratio that alone ties the target with its rival",
    "lens_break_even": "one factor on all of a lens's ratios that ties the target with its rival",
    "sobol": "Sobol first-order and total indices of the target's log-odds over the elicitation Betas",
    "sobol_credence": "the same indices for the target's credence",
    "item_information": "expected information (bits) of each item, as if not yet observed",
    "trajectory": "credences after each item, items in date order",
}

#: Tables added for a structured case (one with propositions).
STRUCTURED_TABLES: dict[str, str] = {
    "proposition_weight": "weight of evidence of each proposition for each hypothesis and family against the rest, "
                          "its cap and floor, the share of the cap used, and each item's weight inside it",
    "proposition_information": "expected information (bits) of learning each proposition's state",
    "discount_by_proposition": "smallest discount of one proposition's items that keeps the target at "
                               "0.9 / 0.95 / 0.99",
    "discount_by_issue_area": "smallest discount of one issue area's items that keeps the target at "
                              "0.9 / 0.95 / 0.99",
}


def tables_for(case: Case) -> dict[str, str]:
    """The tables :func:`run_all` computes for this case: :data:`TABLES`, plus :data:`STRUCTURED_TABLES` if structured.

    Examples
    --------
    >>> import motives as mv
    >>> list(tables_for(mv.examples.load("burglary")))[-4:]
    ['proposition_weight', 'proposition_information', 'discount_by_proposition', 'discount_by_issue_area']
    >>> tables_for(mv.examples.cookie_case()) == TABLES
    True
    """
    return {**TABLES, **STRUCTURED_TABLES} if case.propositions else dict(TABLES)


def run_all(case: Case, *, lens: str | None = None, prior: Any = None, reliability: bool = True,
            tornado_factor: float = 3.0, sweep_points: int = 101, sobol_samples: int = 1024, seed: int = 1,
            target: str | None = None, on_step: Callable[[str], None] | None = None) -> dict[str, pd.DataFrame]:
    """Compute every table of :func:`tables_for` the case; ``on_step(name)`` is called after each one.

    ``target`` (a hypothesis or family id) is what the target-centred tables (prior sweep, cruxes, tornado,
    break-even, discounts, Sobol indices) analyse; default the leading family. (To analyse a group of a named
    grouping, pass :meth:`motives.Case.regrouped` and the group id.)

    A structured case (with propositions) also gets :data:`STRUCTURED_TABLES`;
    the other tables then read the items under propositions and the tables too.

    Examples
    --------
    >>> import motives as mv
    >>> done = []
    >>> tables = run_all(mv.examples.cookie_case(), sweep_points=11, sobol_samples=64, on_step=done.append)
    >>> list(tables) == list(TABLES) == done
    True
    >>> round(float(tables["posterior"].loc[("hypothesis", "bowl1"), "credence"]), 6)
    0.6
    >>> tables["prior_sweep"].index.get_level_values("scenario").nunique()
    11
    >>> tables["sobol"].empty  # point judgements only: nothing uncertain to attribute
    True

    A structured case:

    >>> tables = run_all(mv.examples.load("burglary"), sweep_points=11, sobol_samples=64)
    >>> pw = tables["proposition_weight"].xs(("family", "suspect"), level=("level", "id"))
    >>> pw.loc["at_scene", ["decibans", "cap_db"]].astype(float).round(2).tolist()
    [8.57, 9.03]
    """
    from motives.exact import exact_posterior
    from motives.sensitivity import (
        break_even,
        cruxes,
        evidence_discount,
        global_sensitivity,
        group_discount,
        item_information,
        leave_one_lens_out,
        leave_one_out,
        leave_one_source_out,
        lens_break_even,
        lens_comparison,
        prior_sweep,
        proposition_information,
        proposition_weight,
        reversal_priors,
        tornado,
        trajectory,
        weight_of_evidence,
    )

    kw: dict[str, Any] = {"prior": prior, "reliability": reliability}
    lkw = {**kw, "lens": lens}
    tkw = {**lkw, "target": target}
    steps: dict[str, Callable[[], pd.DataFrame]] = {
        "posterior": lambda: exact_posterior(case, lens, prior, reliability=reliability),
        "reversal_priors": lambda: reversal_priors(case, **lkw),
        "prior_sweep": lambda: prior_sweep(case, points=sweep_points, **tkw),
        "weight_of_evidence": lambda: weight_of_evidence(case, lens=lens, prior=prior),
        "leave_one_out": lambda: leave_one_out(case, **lkw),
        "leave_one_source_out": lambda: leave_one_source_out(case, **lkw),
        "lens_comparison": lambda: lens_comparison(case, **kw),
        "leave_one_lens_out": lambda: leave_one_lens_out(case, **kw),
        "cruxes": lambda: cruxes(case, **tkw),
        "tornado": lambda: tornado(case, factor=tornado_factor, **tkw),
        "evidence_discount": lambda: evidence_discount(case, **tkw),
        "break_even": lambda: break_even(case, **tkw),
        "lens_break_even": lambda: lens_break_even(case, target=target, **kw),
        "sobol": lambda: global_sensitivity(case, n=sobol_samples, seed=seed, **tkw),
        "sobol_credence": lambda: global_sensitivity(case, n=sobol_samples, seed=seed, scale="credence", **tkw),
        "item_information": lambda: item_information(case, **lkw),
        "trajectory": lambda: trajectory(case, **lkw),
    }
    if case.propositions:
        steps |= {
            "proposition_weight": lambda: proposition_weight(case, **lkw),
            "proposition_information": lambda: proposition_information(case, **lkw),
            "discount_by_proposition": lambda: group_discount(case, "proposition", **tkw),
            "discount_by_issue_area": lambda: group_discount(case, "issue_area", **tkw),
        }
    out = {}
    for name, fn in steps.items():
        out[name] = fn()
        if on_step is not None:
            on_step(name)
    return out
