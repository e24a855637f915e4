"""Every sensitivity analysis for one case and analysis settings.

What ``motives sensitivity`` writes.

The built-in analyses are registered here (:func:`motives.sensitivity.registry.analysis`), each
under the name of its table, in the order :func:`run_all` computes them; an analysis of one's own
registers itself the same way (see :mod:`motives.sensitivity.registry`) and :func:`run_all` computes
it too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from motives.schema import Case
from motives.sensitivity import results as R
from motives.sensitivity.registry import ANALYSES, Settings, analysis, load_plugins


def _builtin(
    name: str,
    meta: type[R.Meta],
    description: str,
    fn: Callable[[Case, Settings], pd.DataFrame],
    *,
    kind: str | None = None,
    structured: bool = False,
) -> None:
    analysis(name, meta=meta, description=description, kind=kind, structured=structured)(fn)


def _register_builtins() -> None:  # noqa: PLR0915  (one line per analysis: the list of built-ins)
    """Register the built-in analyses, one ``_builtin`` call each with its meta, description and kind."""
    import motives.sensitivity as S
    from motives.exact import exact_posterior

    _builtin(
        "posterior",
        R.PosteriorMeta,
        "credence of each hypothesis and family (exact engine)",
        lambda c, s: exact_posterior(c, s.lens, s.prior, reliability=s.reliability),
        kind="exact_posterior",
    )
    _builtin(
        "reversal_priors",
        R.LensMeta,
        "Bayes factor of each hypothesis/family against the rest and the prior that ties it",
        lambda c, s: S.reversal_priors(c, **s.lensed),
    )
    _builtin(
        "prior_sweep",
        R.PriorSweepMeta,
        "credences as the target's prior sweeps [0, 1]",
        lambda c, s: S.prior_sweep(c, points=s.sweep_points, **s.targeted),
    )
    _builtin(
        "weight_of_evidence",
        R.WeightMeta,
        "decibans per item for each hypothesis and family against the rest (prior-weighted)",
        lambda c, s: S.weight_of_evidence(c, lens=s.lens, prior=s.prior),
    )
    _builtin(
        "leave_one_out",
        R.LensMeta,
        "credences with each item left out",
        lambda c, s: S.leave_one_out(c, **s.lensed),
    )
    _builtin(
        "leave_one_source_out",
        R.SourceOutMeta,
        "credences with each source's items left out",
        lambda c, s: S.leave_one_source_out(c, **s.lensed),
    )
    _builtin(
        "lens_comparison",
        R.NoMeta,
        "credences under each lens",
        lambda c, s: S.lens_comparison(c, **s.common),
    )
    _builtin(
        "leave_one_lens_out",
        R.LensOutMeta,
        "credences of the pooled lenses with one lens left out",
        lambda c, s: S.leave_one_lens_out(c, **s.common),
    )
    _builtin(
        "cruxes",
        R.CruxesMeta,
        "change of the target's log-odds when one item's judgement is swapped to another lens",
        lambda c, s: S.cruxes(c, **s.targeted),
    )
    _builtin(
        "tornado",
        R.TornadoMeta,
        "the target's credence with each item's likelihood ratio scaled by 1/f and f",
        lambda c, s: S.tornado(c, factor=s.tornado_factor, **s.targeted),
    )
    _builtin(
        "evidence_discount",
        R.DiscountMeta,
        "credences with every item's weight of evidence discounted by a common factor gamma in "
        "[0, 1]",
        lambda c, s: S.evidence_discount(c, **s.targeted),
    )
    _builtin(
        "break_even",
        R.BreakEvenMeta,
        "factor on each item's likelihood ratio that alone ties the target with its rival",
        lambda c, s: S.break_even(c, **s.targeted),
    )
    _builtin(
        "lens_break_even",
        R.TargetMeta,
        "one factor on all of a lens's ratios that ties the target with its rival",
        lambda c, s: S.lens_break_even(c, target=s.target, **s.common),
    )
    _builtin(
        "sobol",
        R.SobolMeta,
        "Sobol first-order and total indices of the target's log-odds over the elicitation Betas",
        lambda c, s: S.global_sensitivity(c, n=s.sobol_samples, seed=s.seed, **s.targeted),
        kind="global_sensitivity",
    )
    _builtin(
        "sobol_credence",
        R.SobolMeta,
        "the same indices for the target's credence",
        lambda c, s: S.global_sensitivity(
            c, n=s.sobol_samples, seed=s.seed, scale="credence", **s.targeted
        ),
        kind="global_sensitivity",
    )
    _builtin(
        "item_information",
        R.NoMeta,
        "expected information (bits) of each item, as if not yet observed",
        lambda c, s: S.item_information(c, **s.lensed),
    )
    _builtin(
        "trajectory",
        R.TrajectoryMeta,
        "credences after each item, items in date order",
        lambda c, s: S.trajectory(c, **s.lensed),
    )
    _builtin(
        "proposition_weight",
        R.WeightMeta,
        "weight of evidence of each proposition for each hypothesis and family against the rest, "
        "its cap and floor, the share of the cap used, and each item's weight inside it",
        lambda c, s: S.proposition_weight(c, **s.lensed),
        structured=True,
    )
    _builtin(
        "proposition_information",
        R.NoMeta,
        "expected information (bits) of learning each proposition's state",
        lambda c, s: S.proposition_information(c, **s.lensed),
        structured=True,
    )
    _builtin(
        "discount_by_proposition",
        R.GroupDiscountMeta,
        "smallest discount of one proposition's items that keeps the target at 0.9 / 0.95 / 0.99",
        lambda c, s: S.group_discount(c, "proposition", **s.targeted),
        kind="group_discount",
        structured=True,
    )
    _builtin(
        "discount_by_issue_area",
        R.GroupDiscountMeta,
        "smallest discount of one issue area's items that keeps the target at 0.9 / 0.95 / 0.99",
        lambda c, s: S.group_discount(c, "issue_area", **s.targeted),
        kind="group_discount",
        structured=True,
    )


if "posterior" not in ANALYSES:
    _register_builtins()

#: Table name -> what it holds, of the built-in analyses every case gets (the CSV files of
#: ``motives sensitivity``). The target is the spec's ``target`` (``--target``), by default the
#: leading family.
TABLES: dict[str, str] = {n: a.description for n, a in ANALYSES.items() if not a.structured}
#: Tables added for a structured case (one with propositions).
STRUCTURED_TABLES: dict[str, str] = {n: a.description for n, a in ANALYSES.items() if a.structured}


def tables_for(case: Case) -> dict[str, str]:
    """The tables :func:`run_all` computes for this case.

    Every registered analysis that applies to it.

    The built-in ones are :data:`TABLES`, plus :data:`STRUCTURED_TABLES` if the case is structured;
    then every analysis registered outside the package
    (:func:`~motives.sensitivity.registry.load_plugins`).

    Examples
    --------
    >>> import motives as mv
    >>> list(tables_for(mv.examples.load("burglary")))[-4:]
    ['proposition_weight', 'proposition_information', 'discount_by_proposition',
    'discount_by_issue_area']
    >>> tables_for(mv.examples.cookie_case()) == TABLES
    True
    """
    load_plugins()
    return {n: a.description for n, a in ANALYSES.items() if a.applies(case)}


def run_all(
    case: Case,
    *,
    lens: str | None = None,
    prior: Any = None,
    reliability: bool = True,
    tornado_factor: float = 3.0,
    sweep_points: int = 101,
    sobol_samples: int = 1024,
    seed: int = 1,
    target: str | None = None,
    on_step: Callable[[str], None] | None = None,
) -> dict[str, pd.DataFrame]:
    """Compute every table of :func:`tables_for` the case.

    ``on_step(name)`` is called after each one.

    ``target`` (a hypothesis or family id) is what the target-centred tables (prior sweep, cruxes,
    tornado, break-even, discounts, Sobol indices) analyse; default the leading family. (To analyse
    a group of a named grouping, pass :meth:`motives.Case.regrouped` and the group id.)

    A structured case (with propositions) also gets :data:`STRUCTURED_TABLES`; the other tables then
    read the items under propositions and the tables too. Every analysis registered outside the
    package (:mod:`motives.sensitivity.registry`) follows, in registration order.

    Examples
    --------
    >>> import motives as mv
    >>> done = []
    >>> tables = run_all(
    ...     mv.examples.cookie_case(), sweep_points=11, sobol_samples=64, on_step=done.append
    ... )
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
    settings = Settings(
        lens=lens,
        prior=prior,
        reliability=reliability,
        target=target,
        tornado_factor=tornado_factor,
        sweep_points=sweep_points,
        sobol_samples=sobol_samples,
        seed=seed,
    )
    out = {}
    for name in tables_for(case):
        out[name] = ANALYSES[name].compute(case, settings)
        if on_step is not None:
            on_step(name)
    return out
