"""The evidence: a ledger of decibans per item, and a timeline item with each hypothesis's predicted trend."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from motives.conventions import INTERVAL_MASS
from motives.plots._style import TWO_COLUMN, label_for, new_axes, shorten, style, style_of
from motives.schema import Case, TimelineItem


def _pick_target(woe: pd.DataFrame, target: str | None) -> tuple[str, str]:
    ids = woe.index.get_level_values("id")
    levels = woe.index.get_level_values("level")
    if target is None:
        fam = woe[levels == "family"]
        totals = fam.groupby(level="id")["decibans"].sum()
        return "family", str(totals.idxmax())
    if target in set(ids[levels == "family"]) and target not in set(ids[levels == "hypothesis"]):
        return "family", target
    if target in set(ids):
        return "hypothesis" if target in set(ids[levels == "hypothesis"]) else "family", target
    raise ValueError(f"unknown target {target!r}; ids: {sorted(set(ids))}")


def plot_ledger(woe: pd.DataFrame, *, target: str | None = None, case: Case | None = None,
                labels: dict[str, str] | None = None, use_titles: bool = False, ax: Axes | None = None,
                width: str | float = "two") -> tuple[Figure, Axes]:
    """The evidence ledger: each item's weight of evidence for a target, in decibans, grouped by issue area.

    Parameters
    ----------
    woe
        :func:`motives.sensitivity.weight_of_evidence`.
    target
        Hypothesis or family id; default the family the evidence favours most.
    case
        Gives issue-area titles and their order.
    use_titles
        Label items by their titles (shortened) instead of their ids.

    Returns
    -------
    (Figure, Axes)
        Bars for the target are dark, bars against it white and hatched.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import motives as mv
    >>> from motives.sensitivity import weight_of_evidence
    >>> woe = weight_of_evidence(mv.examples.load("dice"))
    >>> fig, ax = plot_ledger(woe)  # target: the family the evidence favours most, d8
    >>> float(fig.get_figwidth())  # two columns
    7.2
    >>> [t.get_text() for t in ax.get_yticklabels()]  # strongest item first
    ['roll_8', 'roll_6']
    >>> [t.get_text() for t in ax.texts]  # the issue-area heading, then each item's decibans
    ['(no issue area)', '+5.7', '+2.2']
    >>> ax.get_xlabel()
    'Weight of evidence for d8 against the rest (decibans; rest weighted by the prior)'
    >>> plt.close(fig)

    Against the 20-sided die, labelled by the items' titles:

    >>> fig, ax = plot_ledger(woe, target="d20", use_titles=True)
    >>> [t.get_text() for t in ax.get_yticklabels()], [t.get_text() for t in ax.texts][1:]
    (['Rolled an 8', 'Rolled a 6'], ['-0.2', '-2.7'])
    >>> plt.close(fig)
    """
    level, tgt = _pick_target(woe, target)
    d = woe.xs((level, tgt), level=("level", "id")).copy()
    area_order = [a.id for a in case.issue_areas] if case is not None else []
    area_title = {a.id: a.title or a.id for a in case.issue_areas} if case is not None else {}
    d["area"] = d["issue_area"].replace("", "(no issue area)")
    order = area_order + sorted(set(d["area"]) - set(area_order))
    n = len(d) + len(set(d["area"]))
    with style():
        fig, ax = new_axes(ax, width, 0.7 + 0.17 * n)
        y, ticks, names = 0.0, [], []
        finite = d["decibans"][np.isfinite(d["decibans"])]
        lim = max(1.0, float(finite.abs().max()) if len(finite) else 1.0) * 1.15
        for area in order:
            sub = d[d["area"] == area].sort_values("decibans", ascending=False)
            if sub.empty:
                continue
            ax.text(-lim, y, shorten(area_title.get(area, area), 70), fontweight="bold", fontsize=7, va="center")
            y -= 1
            for e, r in sub.iterrows():
                v = float(np.clip(r["decibans"], -lim, lim))
                pos = v >= 0
                ax.barh(y, v, height=0.7, facecolor="0.25" if pos else "white", edgecolor="black",
                        hatch="" if pos else "////", linewidth=0.6)
                text = f"{r['decibans']:+.1f}" if np.isfinite(r["decibans"]) else ("+inf" if pos else "-inf")
                if abs(r["decibans"]) < 0.05:
                    text = "0"
                ax.annotate(text, (v, y), xytext=(3 if pos else -3, 0), textcoords="offset points",
                            ha="left" if pos else "right", va="center", fontsize=6)
                ticks.append(y)
                names.append(shorten(r["title"], 48) if use_titles else str(e))
                y -= 1
        ax.axvline(0, color="black", linewidth=0.6)
        ax.set_yticks(ticks, names)
        ax.set_ylim(y + 0.4, 0.8)
        ax.set_xlim(-lim, lim)
        ax.set_xlabel(f"Weight of evidence for {label_for(labels, tgt)} against the rest "
                      "(decibans; rest weighted by the prior)")
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0)
    return fig, ax


def plot_timeline(case: Case, item: str | None = None, *, lens: str | None = None,
                  labels: dict[str, str] | None = None, ax: Axes | None = None,
                  width: str | float = "two") -> tuple[Figure, Axes]:
    """A timeline item: the coded observations and each hypothesis's predicted trend.

    Each hypothesis predicts y = a + b (t - origin) with Normal priors on a
    and b; the line is the prior mean and the band the central
    :data:`~motives.report.INTERVAL_MASS` interval of the trend line (without
    the observation noise sigma, which the caption states).

    Examples
    --------
    A case with one timeline item: codes 0-2 observed in 2000, 2005 and 2010;
    one hypothesis predicts a rising trend, the other a flat one.

    >>> import matplotlib.pyplot as plt
    >>> import motives as mv
    >>> trend = {"rising": {"intercept": {"mean": 0, "sd": 0.5}, "slope": {"mean": 0.2, "sd": 0.05}},
    ...          "flat": {"intercept": {"mean": 1, "sd": 0.5}, "slope": {"mean": 0, "sd": 0.05}}}
    >>> case = mv.Case.model_validate({
    ...     "name": "trend",
    ...     "hypotheses": [{"id": "rising"}, {"id": "flat"}],
    ...     "evidence": [{"id": "rhetoric", "kind": "timeline", "title": "Statements on the dispute",
    ...                   "origin": 2000, "sigma": 0.8, "scale": {0: "none", 1: "mild", 2: "strong"},
    ...                   "observations": [{"date": "2000", "code": 0}, {"date": "2005", "code": 1},
    ...                                    {"date": "2010", "code": 2}],
    ...                   "trends": {"default": {"values": trend}}}]})
    >>> fig, ax = plot_timeline(case, "rhetoric")
    >>> float(fig.get_figwidth()), ax.get_title()
    (7.2, 'Statements on the dispute')
    >>> [t.get_text() for t in ax.get_yticklabels()]  # the coding scale
    ['0 none', '1 mild', '2 strong']
    >>> ax.get_legend_handles_labels()[1]
    ['rising', 'flat', 'Observed (coded)']
    >>> ax.get_xlabel()
    'Year (bands: 90% interval of each predicted trend; noise sd 0.8)'
    >>> plt.close(fig)
    """
    from scipy.stats import norm

    items = [e for e in case.evidence if isinstance(e, TimelineItem)]
    if not items:
        raise ValueError(f"case {case.name!r} has no timeline item")
    it = items[0] if item is None else case.item(item)
    if not isinstance(it, TimelineItem):
        raise ValueError(f"item {item!r} is a {it.kind} item, not a timeline")
    j, _ = case.judgement(it, lens)
    t_obs = np.array([o.date.decimal_year for o in it.observations])
    y_obs = np.array([o.code for o in it.observations])
    grid = np.linspace(min(t_obs.min(), it.origin), t_obs.max() + 0.5, 200)
    z = norm.ppf(0.5 + INTERVAL_MASS / 2)
    labs = {h.id: h.name for h in case.hypotheses} | (labels or {})
    with style():
        fig, ax = new_axes(ax, width, 2.6)
        groups: dict[str, list[str]] = {}  # parent values with identical trend priors share one line
        parent = it.bears_on if it.bears_on not in (None, "hypotheses") else None
        keys = case.hypothesis_ids if parent is None else list(case.proposition(parent).states)
        for h in keys:
            groups.setdefault(j.values[h].model_dump_json(), []).append(h)
        for k, hs in enumerate(groups.values()):
            tr = j.values[hs[0]]
            st = style_of(k)
            mean, sd = _trend_band(tr, grid, it.origin)
            ax.fill_between(grid, mean - z * sd, mean + z * sd, color=st["color"], alpha=0.10, linewidth=0)
            ax.plot(grid, mean, color=st["color"], linestyle=st["linestyle"], marker=st["marker"], markevery=[-1],
                    label=", ".join(label_for(labs, h) for h in hs))
        ax.plot(t_obs, y_obs, linestyle="", marker="o", markerfacecolor="white", markeredgecolor="black",
                markersize=5, label="Observed (coded)", zorder=5)
        if it.scale:
            ax.set_yticks(sorted(it.scale), [_wrap(f"{c} {it.scale[c]}", 24, 2) for c in sorted(it.scale)])
        ax.set_xlabel(f"Year (bands: {INTERVAL_MASS:.0%} interval of each predicted trend; noise sd {it.sigma:g})")
        ax.set_ylabel("Code")
        ax.set_title(shorten(it.title, 90))
        ax.legend(loc="upper left", ncols=2)
    return fig, ax


__all__ = ["TWO_COLUMN", "plot_ledger", "plot_timeline"]


def _trend_band(tr: object, years: np.ndarray, origin: float) -> tuple[np.ndarray, np.ndarray]:
    """Prior mean and sd of a predicted trend at ``years``: linear, or a step (averaged over an uncertain break)."""
    step = getattr(tr, "step", None)
    if step is None:
        t = years - origin
        return tr.intercept.mean + tr.slope.mean * t, np.sqrt(tr.intercept.sd**2 + (tr.slope.sd * t) ** 2)
    breaks = [d.decimal_year for d in step.break_dates]
    after = np.mean([(years >= b).astype(float) for b in breaks], axis=0)  # P(after the break) per year
    m_b, m_a, s_b, s_a = step.before.mean, step.after.mean, step.before.sd, step.after.sd
    mean = (1 - after) * m_b + after * m_a
    var = (1 - after) * (s_b**2 + m_b**2) + after * (s_a**2 + m_a**2) - mean**2
    return mean, np.sqrt(np.maximum(var, 0.0))


def _wrap(text: str, width: int, lines: int) -> str:
    """Wrap a tick label onto at most ``lines`` lines of ``width`` characters (an ellipsis if cut)."""
    import textwrap

    parts = textwrap.wrap(text, width)
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = shorten(parts[-1] + " \u2026", width)
    return "\n".join(parts)
