"""The standard set of figures for one analysis.

What ``motives sensitivity`` and ``motives report`` draw.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from motives.conventions import one_per_family

# The plot modules register their standard figures (motives.plots.registry.figure) beside their
# plot functions when imported: every built-in figure is in FIGURES once this module is.
from motives.plots import evidence, sensitivity, structure, value  # noqa: F401
from motives.plots.evidence import plot_timeline
from motives.plots.registry import (
    FIGURES,
    GRID_ROWS,
    STANDARD_TOP,
    FigureContext,
    FigureSpec,
    figure,
    unregister_figure,
)
from motives.schema import Case, TimelineItem
from motives.sensitivity.results import SensitivityResult, unpack

#: Caption of the ledger of a structured case (items grouped by proposition).
LEDGER_STRUCTURED = (
    "Evidence ledger grouped by proposition: for each proposition, the weight of all its evidence "
    "for the leading family against the rest (black bar), the range it can move those odds at most "
    "(grey band from floor to cap, with the share of the cap used; this cap is for the leading "
    "family against the prior-weighted rest, not the "
    "structure figure's cap between any two parent values, which can be larger), and each item's "
    "weight given "
    "the proposition's other items (grey bars; an "
    "open circle: the item alone). Items bearing directly on the hypotheses follow, by issue area. "
    "Decibans; the rest weighted by the prior."
)


def labels_of(case: Case) -> dict[str, str]:
    """Display labels of hypotheses, families, lenses and propositions.

    Hypotheses, families and lenses get their ``short`` label where given; propositions their
    ``short``.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.Case.model_validate(
    ...     {
    ...         "name": "labelled",
    ...         "lenses": [{"id": "a", "name": "Lens A"}],
    ...         "families": [{"id": "security", "label": "Security"}, {"id": "other"}],
    ...         "hypotheses": [
    ...             {"id": "nat", "label": "National security", "family": "security"},
    ...             {"id": "reg", "family": "other"},
    ...         ],
    ...         "evidence": [
    ...             {
    ...                 "id": "talks",
    ...                 "title": "Talks were held",
    ...                 "likelihoods": {"nat": 0.6, "reg": 0.3},
    ...             }
    ...         ],
    ...     }
    ... )
    >>> labels_of(case)  # an id without a label stands for itself
    {'nat': 'National security', 'reg': 'reg', 'security': 'Security', 'other': 'other', 'a': 'Lens
    A'}
    >>> labels_of(mv.examples.load("cookies"))
    {'bowl1': 'bowl1', 'bowl2': 'bowl2', 'default': 'default'}
    """
    out = {h.id: h.short_name for h in case.hypotheses}
    out |= {f.id: f.short or f.label or f.id for f in case.families}
    out |= {ln.id: ln.short or ln.name or ln.id for ln in case.lenses}
    out |= {p.id: p.short for p in case.propositions if p.short}
    return out


def standard_figures(
    case: Case,
    tables: dict[str, SensitivityResult | pd.DataFrame],
    *,
    lens: str | None = None,
    width: str | float | None = None,
) -> Iterator[tuple[str, Figure, Axes]]:
    """Yield (name, Figure, Axes) for every figure the tables support, one at a time.

    Close each after saving.

    ``tables`` is the output of :func:`motives.sensitivity.run_all` (DataFrames), or the same tables
    as
    :class:`~motives.sensitivity.SensitivityResult` (e.g. :func:`motives.sensitivity.load_results`
    of what ``motives sensitivity`` wrote: the same figures). The figures are those of
    :data:`FIGURES` (registered with :func:`figure`, a user's own too) whose tables are present, in
    registration order; timeline items each get a figure ``timeline_<id>``; a structured case (with
    propositions) gets ``structure`` first (:func:`motives.plots.plot_structure`); numeric
    hypotheses (a grid: every hypothesis has a ``value``) get ``value_posterior``, which replaces
    ``credences`` beyond :data:`GRID_ROWS` hypotheses. The item-ranked figures show the strongest
    :data:`STANDARD_TOP` rows. ``width`` (``"one"``, ``"two"``, inches) overrides each figure's own
    choice.

    Examples
    --------
    The cookie problem has one lens (no lens figures) and no uncertain
    judgements (no Sobol figure):

    >>> import matplotlib.pyplot as plt
    >>> import motives as mv
    >>> from motives.sensitivity import run_all
    >>> case = mv.examples.load("cookies")
    >>> tables = run_all(case, sweep_points=11, sobol_samples=64)
    >>> drawn = []
    >>> for name, fig, ax in standard_figures(case, tables):
    ...     drawn.append((name, float(fig.get_figwidth())))
    ...     plt.close(fig)
    >>> drawn
    [('credences', 3.5), ('ledger', 7.2), ('trajectory', 7.2), ('prior_sweep', 3.5),
     ('tornado', 3.5), ('discount', 3.5), ('break_even', 3.5), ('information', 3.5)]
    """
    from motives.sensitivity.registry import load_plugins

    load_plugins()
    missing = [k for k in _NEEDED if k not in tables]
    if missing:
        raise ValueError(
            f"standard_figures needs every table run_all computes (motives sensitivity saves them "
            f"all); missing: {', '.join(missing)}"
        )
    target = unpack(tables["prior_sweep"], "prior_sweep")[
        1
    ].target  # what the analyses were run for
    ctx = FigureContext(case, tables, lens, labels_of(case), target, width)
    for name, spec in FIGURES.items():
        if spec.drawn(ctx):
            fig, ax = spec.draw(ctx)
            yield name, fig, ax
    for it in case.evidence:
        if isinstance(it, TimelineItem):
            fig, ax = plot_timeline(case, it.id, lens=lens, labels=ctx.labels, **ctx.kw)
            yield f"timeline_{it.id}", fig, ax


def caption(name: str, case: Case | None = None) -> str:
    """Caption of a standard figure.

    Examples
    --------
    >>> caption("information")
    'Expected information of each item, as if not yet observed (bits).'
    >>> print(caption("timeline_rhetoric"))
    Timeline item rhetoric: coded observations (open circles) and each hypothesis's predicted trend
    (prior mean line and 90% band of the trend line).
    >>> import motives as mv
    >>> caption(
    ...     "credences", mv.examples.load("cookies")
    ... )  # each bowl its own family: no family rows drawn
    'Credence of each hypothesis (open circles), exact engine.'
    >>> caption("tornado", mv.examples.load("cookies")).startswith(
    ...     "The leading hypothesis's credence"
    ... )
    True
    >>> caption("my_figure")  # not a standard figure: the name itself
    'my_figure'
    """
    text = _caption(name, case)
    if one_per_family(case):  # each family is one hypothesis: the sentence says so
        text = text.replace("leading family", "leading hypothesis").replace(
            "each family", "each hypothesis"
        )
    return text


def _caption(name: str, case: Case | None) -> str:
    if name == "ledger" and case is not None and case.propositions:
        return LEDGER_STRUCTURED
    if name == "credences" and one_per_family(case):
        return (
            "Credence of each hypothesis (open circles), exact engine."  # no family rows are drawn
        )
    if (
        name == "break_even" and case is not None
    ):  # why an item may be unable to tie: only causes the case has
        why = (
            ["its source's reliability caps it"]
            if any(
                s.reliability.concentration is not None or s.reliability.mean < 1
                for s in case.sources
            )
            else []
        )
        why += ["its proposition's cap bounds it"] if case.propositions else []
        if why:
            return FIGURES[name].caption.replace("alone).", f"alone, because {' or '.join(why)}).")
    if name.startswith("timeline_"):
        item = name.removeprefix("timeline_")
        return (
            f"Timeline item {item}: coded observations (open circles) and each hypothesis's "
            "predicted trend (prior mean line and 90% band of the trend line)."
        )
    return FIGURES[name].caption if name in FIGURES else name


#: The built-in figures' tables (what ``run_all`` computes for every case): :func:`standard_figures`
#: needs every one; a figure registered later is drawn when its own tables are there.
_NEEDED = tuple(dict.fromkeys(n for f in FIGURES.values() for n in f.needs))
#: Figure name -> caption of the built-in figures (the report uses :func:`caption`, which knows a
#: user's own too).
CAPTIONS: dict[str, str] = {n: f.caption for n, f in FIGURES.items()}

__all__: list[Any] = [
    "CAPTIONS",
    "FIGURES",
    "GRID_ROWS",
    "STANDARD_TOP",
    "FigureContext",
    "FigureSpec",
    "caption",
    "figure",
    "labels_of",
    "standard_figures",
    "unregister_figure",
]
