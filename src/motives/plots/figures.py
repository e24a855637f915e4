"""The standard set of figures for one analysis.

What ``motives sensitivity`` and ``motives report`` draw.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from motives.conventions import one_per_family
from motives.plots.credence import plot_credences
from motives.plots.evidence import plot_ledger, plot_timeline
from motives.plots.sensitivity import (
    plot_break_even,
    plot_cruxes,
    plot_discount,
    plot_information,
    plot_lenses,
    plot_prior_sweep,
    plot_sobol,
    plot_tornado,
    plot_trajectory,
)
from motives.plots.structure import plot_structure
from motives.schema import Case, TimelineItem
from motives.sensitivity.results import SensitivityResult, table_of, unpack

_CAPTIONS: dict[str, str] = {
    "credences": "Credence of each hypothesis (open circles) and family (filled squares), exact "
    "engine.",
    "ledger": "Evidence ledger: each item's weight of evidence for the leading family against the "
    "rest, in decibans, grouped by issue area (the rest weighted by the prior).",
    "trajectory": "Credence of each family as the items come in, in date order (undated items "
    "first, shaded); "
    "when the credences end within 0.01 of 0 or 1, their log-odds against the rest in decibans.",
    "prior_sweep": "Posterior credence against the prior of the leading family (the rest of the "
    "prior kept in proportion); the open circle marks the prior at which its credence would be 1/2 "
    "(even odds against all the rest together, not a tie with its strongest rival), the vertical "
    "line the prior used. When that prior is within 0.02 of 0 or 1: posterior against prior "
    "log-odds in decibans, a line the Bayes factor above the diagonal.",
    "tornado": "The leading family's credence (log-odds in decibans when the credence is within "
    "0.01 of 0 or 1) "
    "with each item's weight of evidence scaled by 1/f and f, one item at a time, and each other "
    "judgement (a source's reliability, a base rate, the prior) with its odds scaled by 1/f and f.",
    "discount": "Evidence discount: credence of each family when every item's weight of evidence "
    "is multiplied by a "
    "common factor (bottom axis), i.e. as if the diagnostic items were worth that many independent "
    "ones (top axis); the independence the engine assumes is the right-hand end.",
    "lenses": "Credence of each hypothesis under each lens (items a lens does not rate use the "
    "default lens).",
    "lenses_family": "Credence of each family under each lens.",
    "cruxes": "Cruxes: change of the leading family's log-odds when one item is read through "
    "another lens.",
    "sobol": "Sobol indices of the leading family's log-odds over the elicited Beta distributions "
    "(first order and total, with bootstrap standard errors).",
    "break_even": "Break-even: each item's weight of evidence now and the weight that alone would "
    "tie the leading "
    "family with its rival (dotted: cannot reach the tie alone). The other judgements "
    "(reliabilities, base rates, the prior) are not weights: their break-even is in the table.",
    "information": "Expected information of each item, as if not yet observed (bits).",
    "structure": "Structure of the case: the hypotheses (left), the propositions that bear on "
    "them or on another "
    "proposition, and the items that bear on each (right). A proposition's cap is the most it can "
    "move the odds between two values of its parent, however many items bear on it (decibans, "
    "under the analysis lens; \u221e when a state is impossible under one value); the wider the "
    "edge into it, the larger its cap (dashed: cap 0). This is the cap between any two parent "
    "values, not the "
    "ledger's "
    "cap, which is for the leading family against the rest weighted by the prior and is never "
    "larger.",
    "value_posterior": "Posterior density over the hypotheses' values (each credence spread over "
    "its grid cell), "
    "with the mean (dashed), the median (dotted) and the 90% credible interval (shaded).",
}


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


#: Rows of the item-ranked sensitivity figures in the standard set (tornado, cruxes, Sobol,
#: break-even, information): the strongest twenty; each figure says how many it leaves out. The
#: functions' own default (``top=None``) is a page of rows.
STANDARD_TOP = 20
#: A case whose hypotheses are a numeric grid (every hypothesis has a ``value``) with more
#: hypotheses than this gets the value posterior (a density) instead of the credences figure (one
#: row per hypothesis).
GRID_ROWS = 40


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


@dataclass(frozen=True)
class FigureContext:
    """What a registered figure draws from.

    The case, the tables of :func:`motives.sensitivity.run_all`, labels.

    ``width`` is passed to the plot function when given (``"one"``, ``"two"``, inches); ``None``
    keeps the function's own default (``"auto"``).
    """

    case: Case
    tables: dict[str, SensitivityResult | pd.DataFrame]
    lens: str | None
    labels: dict[str, str]
    target: str
    width: str | float | None = None
    top: int = STANDARD_TOP

    @property
    def kw(self) -> dict[str, Any]:
        """``{"width": width}`` when a width was given, else nothing."""
        return {} if self.width is None else {"width": self.width}

    def frame(self, name: str) -> pd.DataFrame:
        """The table ``name`` as a DataFrame with its metadata in ``attrs``.

        From a result or a DataFrame.
        """
        t = self.tables[name]
        return t.frame() if isinstance(t, SensitivityResult) else t

    def empty(self, name: str) -> bool:
        """Whether the table ``name`` is missing or empty."""
        return name not in self.tables or table_of(self.tables[name]).empty


@dataclass(frozen=True)
class FigureSpec:
    """One registered figure: its name (the file name), caption, the analyses it draws and how."""

    name: str
    caption: str
    needs: tuple[str, ...]
    draw: Callable[[FigureContext], tuple[Figure, Axes]] = field(repr=False)
    when: Callable[[FigureContext], bool] | None = field(default=None, repr=False)
    target: bool = False

    def drawn(self, ctx: FigureContext) -> bool:
        """Whether :func:`standard_figures` draws it for these tables."""
        return all(n in ctx.tables for n in self.needs) and (
            self.when is None or bool(self.when(ctx))
        )


#: Figure name -> figure, in the order :func:`standard_figures` draws them.
FIGURES: dict[str, FigureSpec] = {}


def figure(
    name: str,
    *,
    caption: str,
    needs: tuple[str, ...] = (),
    when: Callable[[FigureContext], bool] | None = None,
    target: bool = False,
) -> Callable[
    [Callable[[FigureContext], tuple[Figure, Axes]]], Callable[[FigureContext], tuple[Figure, Axes]]
]:
    """Register ``draw(ctx) -> (Figure, Axes)`` as the standard figure ``name``.

    A decorator; returns ``draw``.

    Parameters
    ----------
    name
        The figure's name (``figures/<name>.png``); unique.
    caption
        Its caption in the report.
    needs
        The analyses (table names of :mod:`motives.sensitivity.registry`) it draws; it is drawn when
        all are present.
    when
        Drawn only when this is true of the :class:`FigureContext` (e.g. the table is not empty).
    target
        It is about the tables' target (the report says "the target" for "the leading family").

    Examples
    --------
    >>> try:
    ...     figure("tornado", caption="again")(lambda ctx: None)
    ... except ValueError as exc:
    ...     print(exc)
    a figure named 'tornado' is registered already (unregister_figure it first to replace it)
    """

    def register(
        fn: Callable[[FigureContext], tuple[Figure, Axes]],
    ) -> Callable[[FigureContext], tuple[Figure, Axes]]:
        if name in FIGURES:
            raise ValueError(
                f"a figure named {name!r} is registered already (unregister_figure it first to "
                "replace it)"
            )
        FIGURES[name] = FigureSpec(name, caption, tuple(needs), fn, when, target)
        return fn

    return register


def unregister_figure(name: str) -> None:
    """Remove the figure ``name`` from :data:`FIGURES`."""
    del FIGURES[name]


def _numeric(case: Case) -> bool:
    return bool(case.hypotheses) and all(h.value is not None for h in case.hypotheses)


def _lenses(ctx: FigureContext) -> bool:
    return len(ctx.case.lens_ids) >= 2


def _lenses_families(ctx: FigureContext) -> bool:
    """The lens figure of families, when families group hypotheses (else it would repeat the hypotheses')."""
    return _lenses(ctx) and not one_per_family(ctx.case)


def _register_builtins() -> None:  # noqa: PLR0915  (one registration per figure: the list of built-ins)
    """Register the standard figures, one ``reg`` call each, in the order the report shows them."""
    C = _CAPTIONS

    def reg(
        name: str,
        needs: tuple[str, ...],
        draw: Callable[[FigureContext], tuple[Figure, Axes]],
        when: Callable[[FigureContext], bool] | None = None,
        target: bool = False,
    ) -> None:
        figure(name, caption=C[name], needs=needs, when=when, target=target)(draw)

    reg(
        "structure",
        (),
        lambda x: plot_structure(x.case, x.lens, labels=x.labels, **x.kw),
        when=lambda x: bool(x.case.structured),
    )
    reg(
        "credences",
        ("posterior",),
        lambda x: plot_credences(x.tables["posterior"], labels=x.labels, **x.kw),
        when=lambda x: not (_numeric(x.case) and len(x.case.hypotheses) > GRID_ROWS),
    )
    reg(
        "ledger",
        ("weight_of_evidence",),
        lambda x: plot_ledger(
            x.tables["weight_of_evidence"],
            target=x.target,
            case=x.case,
            labels=x.labels,
            propositions=x.tables.get("proposition_weight"),
            **x.kw,
        ),
        when=lambda x: not x.empty("weight_of_evidence"),
        target=True,
    )
    reg(
        "trajectory",
        ("trajectory",),
        lambda x: plot_trajectory(x.tables["trajectory"], labels=x.labels, **x.kw),
    )
    reg(
        "prior_sweep",
        ("prior_sweep",),
        lambda x: plot_prior_sweep(x.tables["prior_sweep"], labels=x.labels, **x.kw),
        target=True,
    )
    reg(
        "tornado",
        ("tornado",),
        lambda x: plot_tornado(x.tables["tornado"], labels=x.labels, top=x.top, **x.kw),
        when=lambda x: not x.empty("tornado"),
        target=True,
    )
    reg(
        "discount",
        ("evidence_discount",),
        lambda x: plot_discount(x.tables["evidence_discount"], labels=x.labels, **x.kw),
        target=True,
    )
    reg(
        "lenses",
        ("lens_comparison",),
        lambda x: plot_lenses(
            x.tables["lens_comparison"], level="hypothesis", labels=x.labels, **x.kw
        ),
        when=_lenses,
    )
    reg(
        "lenses_family",
        ("lens_comparison",),
        lambda x: plot_lenses(x.tables["lens_comparison"], level="family", labels=x.labels, **x.kw),
        when=_lenses_families,
    )
    reg(
        "cruxes",
        ("cruxes",),
        lambda x: plot_cruxes(x.tables["cruxes"], labels=x.labels, top=x.top, **x.kw),
        when=_lenses,
        target=True,
    )
    reg(
        "sobol",
        ("sobol",),
        lambda x: plot_sobol(x.tables["sobol"], labels=x.labels, top=x.top, **x.kw),
        when=lambda x: not x.empty("sobol"),
        target=True,
    )
    reg(
        "break_even",
        ("break_even",),
        lambda x: plot_break_even(x.tables["break_even"], labels=x.labels, top=x.top, **x.kw),
        when=lambda x: not x.empty("break_even"),
        target=True,
    )
    reg(
        "information",
        ("item_information",),
        lambda x: plot_information(
            x.tables["item_information"], labels=x.labels, top=x.top, **x.kw
        ),
        when=lambda x: not x.empty("item_information"),
    )
    reg("value_posterior", ("posterior",), _value_posterior, when=lambda x: _numeric(x.case))


def _value_posterior(ctx: FigureContext) -> tuple[Figure, Axes]:
    from motives.exact import value_table
    from motives.plots.value import plot_value_posterior

    return plot_value_posterior(
        value_table(ctx.case, credence=table_of(ctx.tables["posterior"])), **ctx.kw
    )


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


_register_builtins()
#: The built-in figures' tables (what ``run_all`` computes for every case): :func:`standard_figures`
#: needs every one; a figure registered later is drawn when its own tables are there.
_NEEDED = tuple(dict.fromkeys(n for f in FIGURES.values() for n in f.needs))
#: Figure name -> caption of the built-in figures (the report uses :func:`caption`, which knows a
#: user's own too).
CAPTIONS: dict[str, str] = {n: f.caption for n, f in FIGURES.items()}

__all__: list[Any] = [
    "CAPTIONS",
    "FIGURES",
    "FigureContext",
    "FigureSpec",
    "caption",
    "figure",
    "labels_of",
    "standard_figures",
    "unregister_figure",
]
