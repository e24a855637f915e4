"""The figure registry keeps its figures in their explicit order, whichever module registers first.

The built-in figures are registered beside their plot functions (``motives.plots.sensitivity``,
``motives.plots.evidence``, ...), each with an ``order``; :data:`motives.plots.registry.FIGURES`
is sorted by it (ties and figures without an order keep registration order, after the ordered
ones), which is the order of :func:`motives.plots.standard_figures` and of the report.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from motives.plots import standard_figures  # noqa: F401  (registers the built-in figures)
from motives.plots.registry import FIGURES, figure, unregister_figure

#: The report's order of the built-in figures before the registrations moved beside their plot
#: functions (plots/figures.py's ``_register_builtins``): the move must not change it.
BUILTIN_ORDER = [
    "structure",
    "credences",
    "ledger",
    "trajectory",
    "prior_sweep",
    "tornado",
    "discount",
    "lenses",
    "lenses_family",
    "cruxes",
    "sobol",
    "break_even",
    "information",
    "value_posterior",
]


def test_the_builtin_figures_keep_the_report_order() -> None:
    assert list(FIGURES) == BUILTIN_ORDER
    orders = [FIGURES[n].order for n in BUILTIN_ORDER]
    assert orders == sorted(orders) and len(set(orders)) == len(orders)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-5, 200)), min_size=1, max_size=6))
def test_registered_figures_are_sorted_by_order_then_registration(
    orders: list[int | None],
) -> None:
    names = [f"demo_{i}" for i in range(len(orders))]
    before = list(FIGURES)
    try:
        for name, order in zip(names, orders, strict=True):
            figure(name, caption=name, order=order)(lambda ctx: None)
        # the expected order: every figure's (order, registration index), built-ins first
        key = {n: (FIGURES[n].order, i) for i, n in enumerate(before)}
        key |= {
            n: (float("inf") if o is None else o, len(before) + i)
            for i, (n, o) in enumerate(zip(names, orders, strict=True))
        }
        assert list(FIGURES) == sorted(key, key=lambda n: key[n])
    finally:
        for name in names:
            if name in FIGURES:
                unregister_figure(name)
    assert list(FIGURES) == before
