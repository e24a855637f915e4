"""``mv.explore(case)``: the appendix's what-if controls as an ipywidgets widget over the Python engine."""

from __future__ import annotations

from typing import Any

from motives.schema import Case


class Explorer:
    """Sliders for the prior, each item's weight, each source's reliability and each proposition's table.

    Every change recomputes the credences with
    :func:`motives.interactive.edited_posterior` (the same edits as the HTML
    appendix) and redraws the figure. ``edits`` holds the current edit set,
    ``result`` the credences; ``widget`` is what Jupyter displays.

    Examples
    --------
    >>> import motives as mv
    >>> ex = explore(mv.examples.cookie_case(), draw=False)
    >>> ex.weight["vanilla"].value = 0.0
    >>> ex.result["hypotheses"]
    {'bowl1': 0.5, 'bowl2': 0.5}
    """

    def __init__(self, case: Case, lens: str | None = None, *, draw: bool = True) -> None:
        import ipywidgets as W

        self.case = case
        self.draw = draw
        self.edits: dict[str, Any] = {}
        self.result: dict[str, dict[str, float]] = {}
        style = {"description_width": "initial"}
        layout = W.Layout(width="95%")
        self.lens = W.Dropdown(options=[(ln.name or ln.id, ln.id) for ln in case.lenses],
                               value=case.resolve_lens(lens), description="Lens", style=style)
        self.discount = W.FloatSlider(value=1.0, min=0.0, max=1.0, step=0.01, description="Discount on all evidence",
                                      style=style, layout=layout)
        pri = case.prior_vector()
        self.prior = {h.id: W.FloatSlider(value=p, min=0.0, max=1.0, step=0.01, description=f"prior: {h.name}",
                                          style=style, layout=layout) for h, p in zip(case.hypotheses, pri, strict=True)}
        self.weight = {e.id: W.FloatSlider(value=1.0, min=0.0, max=2.0, step=0.05, description=e.title[:60],
                                           style=style, layout=layout) for e in case.evidence}
        self.reliability = {}
        for s in case.sources:
            if any(e.reported_by == s.key for e in case.evidence):
                self.reliability[s.key] = (W.Checkbox(value=False, description=f"set {s.key}", style=style),
                                           W.FloatSlider(value=s.reliability.mean, min=0.0, max=1.0, step=0.01,
                                                         description="reliability", style=style))
        self.table: dict[tuple[str, str], Any] = {}
        for p in case.propositions:
            if len(p.states) != 2:
                continue  # multi-state rows: edit them in the HTML appendix or with case.with_judgement
            # one control per table row, keyed by the row's flat key ("h1.yes"; "*" for a root fact's prior)
            for v, label in zip(case.parent_values(p.parents), case.parent_labels(p.parents), strict=True):
                given = f"P({p.states[0]}) in {p.id} (its prior)" if not p.parents else f"P({p.states[0]} | {label}) in {p.id}"
                self.table[(p.id, v)] = W.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.01, description=given,
                                                      style=style, layout=layout)
        self.out = W.Output()
        self.text = W.HTML()
        self._sync_tables()
        controls = [self.lens, self.discount, *self.prior.values()]
        acc = [W.VBox(list(self.weight.values()))]
        titles = ["Item weights"]
        if self.reliability:
            acc.append(W.VBox([W.HBox([c, s]) for c, s in self.reliability.values()]))
            titles.append("Source reliability")
        if self.table:
            acc.append(W.VBox(list(self.table.values())))
            titles.append("Proposition tables")
        accordion = W.Accordion(children=acc)
        for i, t in enumerate(titles):
            accordion.set_title(i, t)
        self.widget = W.VBox([W.HBox([W.VBox(controls, layout=W.Layout(width="50%")),
                                      W.VBox([self.text, self.out], layout=W.Layout(width="50%"))]), accordion])
        for w in [self.lens, self.discount, *self.prior.values(), *self.weight.values(), *self.table.values(),
                  *[x for pair in self.reliability.values() for x in pair]]:
            w.observe(self._changed, names="value")
        self.lens.observe(lambda _c: self._sync_tables(), names="value")
        self._changed(None)

    def _sync_tables(self) -> None:
        self._syncing = True
        for (pid, v), w in self.table.items():
            w.value = self._row(pid, v)
        self._syncing = False

    def _row(self, pid: str, v: str) -> float:
        """P(first state | the row with flat key ``v``) of a proposition under the current lens."""
        rows = self.case.parent_values(self.case.proposition(pid).parents)
        return float(self.case.proposition_table(pid, self.lens.value).iloc[rows.index(v), 0])

    def current_edits(self) -> dict[str, Any]:
        """The edit set the widgets describe (see :mod:`motives.interactive`)."""
        e: dict[str, Any] = {"lens": self.lens.value, "discount": self.discount.value,
                             "prior": {h: w.value for h, w in self.prior.items()},
                             "weights": {i: w.value for i, w in self.weight.items() if w.value != 1.0},
                             "reliability": {k: s.value for k, (c, s) in self.reliability.items() if c.value}}
        tables: dict[str, dict[str, list[float]]] = {}
        for (pid, v), w in self.table.items():
            base = self._row(pid, v)
            if abs(w.value - base) > 1e-12:
                tables.setdefault(pid, {})[v] = [w.value, 1.0 - w.value]
        e["tables"] = tables
        if sum(e["prior"].values()) <= 0:
            e["prior"] = {}
        return e

    def _changed(self, _change: Any) -> None:
        from motives.interactive import edited_posterior

        if getattr(self, "_syncing", False):
            return
        self.edits = self.current_edits()
        self.result = edited_posterior(self.case, self.edits)
        rows = "".join(f"<tr><td>{_esc(h.name)}</td><td style='text-align:right'>{self.result['hypotheses'][h.id]:.4g}"
                       "</td></tr>" for h in self.case.hypotheses)
        self.text.value = f"<table>{rows}</table>"
        if self.draw:
            self._plot()

    def _plot(self) -> None:
        import matplotlib.pyplot as plt

        self.out.clear_output(wait=True)
        with self.out:
            names = [h.name for h in self.case.hypotheses]
            vals = [self.result["hypotheses"][h.id] for h in self.case.hypotheses]
            fig, ax = plt.subplots(figsize=(3.5, 0.35 * len(names) + 0.8))
            ax.barh(range(len(names)), vals, color="0.25")
            ax.set_yticks(range(len(names)), [n if len(n) <= 30 else n[:29] + "…" for n in names])
            ax.invert_yaxis()
            ax.set_xlim(0, 1)
            ax.set_xlabel("credence")
            fig.tight_layout()
            plt.show()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def _esc(text: str) -> str:
    import html

    return html.escape(text)


def explore(case: Case, lens: str | None = None, *, draw: bool = True) -> Explorer:
    """A what-if widget for Jupyter: change the prior, weights, reliabilities and tables; the credences follow.

    Parameters
    ----------
    case
        The case.
    lens
        The lens to start with.
    draw
        Redraw a credence figure on every change (off for tests and scripts).

    Returns
    -------
    Explorer
        Displayed by Jupyter as the widget; ``.edits`` and ``.result`` hold the state.

    Examples
    --------
    >>> import motives as mv
    >>> ex = explore(mv.examples.load("burglary"), draw=False)
    >>> ex.table[("at_scene", "suspect")].value = 0.1  # being at the scene no longer points to the suspect
    >>> round(ex.result["hypotheses"]["suspect"], 4) < 0.66
    True
    """
    return Explorer(case, lens, draw=draw)
