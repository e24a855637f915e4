"""The marginal of each named grouping of a case (``groupings:`` in ``case.yaml``).

Summary JSON and Markdown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from motives.conventions import INTERVAL_MASS, md_text

if TYPE_CHECKING:
    import numpy as np

    from motives.schema import Case


def grouping_summary(
    case: Case,
    credence: Mapping[str, float],
    prior: Mapping[str, float] | None = None,
    draws: np.ndarray | None = None,
) -> dict[str, dict[str, dict[str, Any]]]:
    """Grouping id -> group id -> ``credence``, ``lower``, ``upper``.

    Also ``prior`` and ``hypotheses``.

    ``draws`` (shape (S, K), hypotheses in case order), when given, gives the
    central interval of each group's summed credence; without them (the exact
    engine) the interval collapses to the credence.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.schema.Case.model_validate(
    ...     {
    ...         **mv.examples.load("dice").model_dump(),
    ...         "groupings": [
    ...             {
    ...                 "id": "size",
    ...                 "groups": [
    ...                     {"id": "small", "hypotheses": ["d4", "d6", "d8"]},
    ...                     {"id": "large", "hypotheses": ["d12", "d20"]},
    ...                 ],
    ...             }
    ...         ],
    ...     }
    ... )
    >>> c = {h: 0.2 for h in case.hypothesis_ids}
    >>> s = grouping_summary(case, c)
    >>> round(s["size"]["small"]["credence"], 6), s["size"]["large"]["hypotheses"]
    (0.6, ['d12', 'd20'])
    """
    import numpy as np

    tail = (1 - INTERVAL_MASS) / 2
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for g in case.groupings:
        rows = {}
        for grp in g.groups:
            c = float(sum(credence[h] for h in grp.hypotheses))
            lo = hi = c
            if draws is not None:
                idx = [case.hypothesis_ids.index(h) for h in grp.hypotheses]
                s = np.asarray(draws)[:, idx].sum(axis=1)
                lo, hi = (float(x) for x in np.quantile(s, [tail, 1 - tail]))
            rows[grp.id] = {
                "credence": c,
                "lower": lo,
                "upper": hi,
                "hypotheses": list(grp.hypotheses),
            }
            if prior is not None:
                rows[grp.id]["prior"] = float(sum(prior[h] for h in grp.hypotheses))
        out[g.id] = rows
    return out


def groupings_markdown(
    case: Case, credence: Mapping[str, float], prior: Mapping[str, float]
) -> str:
    """One Markdown table per grouping.

    Group, label, hypotheses, prior, credence, Bayes factor against the rest.

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.schema.Case.model_validate(
    ...     {
    ...         **mv.examples.load("dice").model_dump(),
    ...         "groupings": [
    ...             {
    ...                 "id": "size",
    ...                 "label": "Size",
    ...                 "groups": [
    ...                     {"id": "small", "hypotheses": ["d4", "d6", "d8"]},
    ...                     {"id": "large", "hypotheses": ["d12", "d20"]},
    ...                 ],
    ...             }
    ...         ],
    ...     }
    ... )
    >>> t = mv.exact_posterior(case).xs("hypothesis", level="level")
    >>> md = groupings_markdown(case, t["credence"].to_dict(), t["prior"].to_dict())
    >>> print(md.splitlines()[0])
    ### Grouping `size`: Size
    >>> print(md.splitlines()[-1])
    | large | large | d12, d20 | 0.4000 | 0.3767 | 0.9067 |
    """
    import pandas as pd

    from motives.report.tables import to_markdown

    summary = grouping_summary(case, credence, prior)
    parts = []
    for g in case.groupings:
        labels = {grp.id: grp.label or grp.id for grp in g.groups}
        rows = []
        for gid, r in summary[g.id].items():
            p, c = r["prior"], r["credence"]
            with_odds = 0 < p < 1 and 0 < c < 1
            rows.append(
                {
                    "group": gid,
                    "label": labels[gid],
                    "hypotheses": ", ".join(r["hypotheses"]),
                    "prior": p,
                    "credence": c,
                    "bayes_factor": (c / (1 - c)) / (p / (1 - p)) if with_odds else float("nan"),
                }
            )
        df = pd.DataFrame(rows).set_index("group")
        head = f"### Grouping `{g.id}`" + (f": {md_text(g.label)}" if g.label else "")
        parts += (
            [head, ""]
            + ([md_text(g.description), ""] if g.description else [])
            + [to_markdown(df, digits=4)]
        )
    return "\n".join(parts)
