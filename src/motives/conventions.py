"""Conventions every output shares: the interval mass, number formatting, the summary JSON.

The lowest layer of the outputs: models, plots and report all import it, and it imports
nothing of motives at run time but :mod:`motives.escape`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from motives.escape import markdown

if TYPE_CHECKING:
    import pandas as pd

#: Mass of every central credible interval this library reports.
INTERVAL_MASS = 0.90

#: Smallest magnitude a printed probability (or other quantity of order 1: a credence, a change of
#: credence, a Sobol index, bits) is told apart from 0. The engine works in float64 (machine epsilon
#: 2.2e-16) and sums log-likelihoods with log-sum-exp; each operation adds at most one epsilon of
#: relative error, so a value of order 1 that should be 0 (a change no item makes, 1 minus a
#: credence that is 1) comes out within a few hundred epsilon of 0 (~1e-14) even over thousands of
#: terms. 1e-12 keeps two orders of margin above that and lies far below any digit a table shows.
PROB_RESOLUTION = 1e-12

#: Smallest magnitude a printed weight of evidence or log-odds (decibans) is told apart from 0.
#: Log-odds are sums of up to a few thousand log-probabilities of magnitude up to ~700 nats (the
#: float64 range), each with error epsilon relative to itself: 1e3 x 700 x 2.2e-16 x 10 / ln 10 ~
#: 7e-10 dB, so 1e-9 dB.
DB_RESOLUTION = 1e-9

#: One sentence stating the resolution, for a footnote of every printed table (Markdown report,
#: LaTeX).
RESOLUTION_NOTE = (
    f"Values smaller in magnitude than the engine's resolution ({PROB_RESOLUTION:g} for "
    "probabilities, "
    f"{DB_RESOLUTION:g} dB for weights of evidence and log-odds) are printed as 0."
).replace("e-0", "e-")


#: More rows than this at one level of a credence table (hypotheses, families): the terminal table
#: and the report show the ``SHOWN_ROWS`` most credible and say how many are left out (``posterior
#: --all``: every row).
MANY_ROWS = 40
SHOWN_ROWS = 20


def most_credible(credence: Any) -> list[Any]:
    """The ids a credence table shows, in their own order.

    Every id, or the ``SHOWN_ROWS`` most credible when there are more than ``MANY_ROWS``.
    ``credence`` maps id -> credence (a dict or a pandas Series).

    Examples
    --------
    >>> most_credible({"a": 0.2, "b": 0.8})
    ['a', 'b']
    >>> grid = {f"p{i}": i for i in range(50)}
    >>> shown = most_credible(grid)
    >>> len(shown), shown[0], shown[-1]
    (20, 'p30', 'p49')
    """
    items = list(credence.items())
    if len(items) <= MANY_ROWS:
        return [i for i, _ in items]
    keep = {i for i, _ in sorted(items, key=lambda r: -float(r[1]))[:SHOWN_ROWS]}
    return [i for i, _ in items if i in keep]


def below_resolution(x: Any, *, db: bool = False) -> bool:
    """Whether ``x`` is nonzero but smaller in magnitude than the engine's resolution.

    Such a number is printed as 0.

    Examples
    --------
    >>> below_resolution(4.8e-16, db=True), below_resolution(2e-9, db=True), below_resolution(0.0)
    (True, False, False)
    >>> below_resolution(3e-13), below_resolution(3e-11)
    (True, False)
    """
    if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
        return False
    return 0 < abs(x) < (DB_RESOLUTION if db else PROB_RESOLUTION)


def is_db_column(name: Any) -> bool:
    """Whether a table column holds decibans.

    It does when its name is ``decibans`` or ``dB``, or has ``db`` as a ``_`` part.

    Examples
    --------
    >>> [is_db_column(c) for c in ("decibans", "swing_db", "db_item", "credence", "dbx")]
    [True, True, True, False, False]
    """
    parts = str(name).lower().split("_")
    return "db" in parts or "decibans" in parts


def plural(n: int, word: str, many: str | None = None) -> str:
    """``n`` and ``word``, in the plural unless ``n`` is 1 (``many`` for an irregular plural).

    Examples
    --------
    >>> (
    ...     plural(1, "lens"),
    ...     plural(2, "lens", "lenses"),
    ...     plural(0, "evidence item"),
    ...     plural(1, "hypothesis"),
    ... )
    ('1 lens', '2 lenses', '0 evidence items', '1 hypothesis')
    """
    return f"{n} {word if n == 1 else (many or word + 's')}"


def _num(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def number_text(x: Any, digits: int = 2, *, db: bool = False) -> str:
    """A number as table text: ``digits`` decimals, tiny nonzero values in two significant digits.

    Values below the engine's resolution (:data:`PROB_RESOLUTION`, :data:`DB_RESOLUTION` when
    ``db``) print as 0.
    """
    if below_resolution(x, db=db):
        x = 0.0
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return str(x)
    if isinstance(x, float):
        if math.isnan(x):
            return ""
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        if 0 < abs(x) < 0.5 * 10.0**-digits:
            return f"{x:.2g}"  # 2.8e-10, not 0.00
        out = f"{x:.{digits}f}"
        return out.lstrip("-") if float(out) == 0 else out  # no "-0.00"
    if isinstance(x, list | tuple):
        return ", ".join(str(v) for v in x)
    return str(x)


def families_group(table: pd.DataFrame) -> bool:
    """Whether a credence table's families group hypotheses (some family holds two or more).

    ``table`` is indexed by (level, id); when every hypothesis is its own family the family rows
    repeat the hypothesis rows, and tables leave them out.

    Examples
    --------
    >>> import motives as mv
    >>> families_group(mv.exact_posterior(mv.examples.load("cookies")))
    False
    """
    levels = table.index.get_level_values("level")
    return 0 < int((levels == "family").sum()) < int((levels == "hypothesis").sum())


def one_per_family(case: Any) -> bool:
    """Whether every family of ``case`` (a :class:`motives.Case`, or ``None``) is one hypothesis.

    Then "family" in a sentence or caption would name a hypothesis: reports and captions say
    "hypothesis".

    Examples
    --------
    >>> import motives as mv
    >>> one_per_family(mv.examples.load("cookies"))  # each bowl its own family
    True
    >>> from types import SimpleNamespace  # two families over three hypotheses
    >>> one_per_family(
    ...     SimpleNamespace(family_ids=["security", "other"], hypotheses=["a", "b", "c"])
    ... )
    False
    """
    return case is not None and len(case.family_ids) == len(case.hypotheses)


md_text = markdown  # the Markdown escaper (:func:`motives.escape.markdown`), under its older name


def summary_dict(
    table: pd.DataFrame,
    *,
    method: str,
    lens: str,
    diagnostics: dict[str, Any] | None = None,
    fallbacks: list[str] | None = None,
    extra: dict[str, Any] | None = None,
    prior: dict[str, float] | None = None,
) -> dict[str, Any]:
    """The summary JSON (DESIGN.md shape) from a credence table.

    ``table`` is indexed by (level, id) with a ``credence`` column, a ``prior``
    column (the exact posterior has one) and, for MCMC, ``lower`` and
    ``upper``; where those are absent they equal the credence. ``prior`` maps
    ids to priors for a table without a ``prior`` column (an MCMC summary).

    The JSON keeps its shape whatever the case (``families`` even when every
    hypothesis is its own family, ``lower``/``upper`` even for the exact
    method) so programs can read it without branching, and keeps the raw
    float64 values (a program can compare them with a tolerance of its own,
    and they agree with the Python results); ``resolution`` states below
    what magnitude the printed tables show them as 0.

    Examples
    --------
    >>> import motives as mv
    >>> d = summary_dict(
    ...     mv.exact_posterior(mv.examples.load("cookies")), method="exact", lens="default"
    ... )
    >>> sorted(d)
    ['diagnostics', 'fallbacks', 'families', 'hypotheses', 'interval', 'lens', 'method',
    'resolution']
    >>> {h: round(v["credence"], 4) for h, v in d["hypotheses"].items()}
    {'bowl1': 0.6, 'bowl2': 0.4}
    >>> d["hypotheses"]["bowl1"]["prior"]
    0.5
    >>> d["hypotheses"]["bowl1"]["lower"] == d["hypotheses"]["bowl1"][
    ...     "credence"
    ... ]  # exact: no interval
    True
    >>> d["interval"], d["resolution"]["probability"], d["resolution"]["decibans"]
    ({'kind': 'central', 'mass': 0.9}, 1e-12, 1e-09)
    """
    out: dict[str, Any] = {
        "method": method,
        "lens": lens,
        "interval": {"kind": "central", "mass": INTERVAL_MASS},
    }
    priors = dict(prior or {})
    for level, key in (("hypothesis", "hypotheses"), ("family", "families")):
        sub = table.xs(level, level="level")
        out[key] = {
            str(i): {
                "prior": _num(r["prior"]) if "prior" in r.index else _num(priors.get(str(i))),
                "credence": _num(r["credence"]),
                "lower": _num(r.get("lower", r["credence"])),
                "upper": _num(r.get("upper", r["credence"])),
            }
            for i, r in sub.iterrows()
        }
    diag = {"r_hat_max": None, "ess_bulk_min": None, "divergences": None, "ok": True}
    diag.update(diagnostics or {})
    out["diagnostics"] = diag
    out["fallbacks"] = list(fallbacks or [])
    out["resolution"] = {
        "probability": PROB_RESOLUTION,
        "decibans": DB_RESOLUTION,
        "note": "values are raw float64; printed tables show magnitudes below these as 0",
    }
    if extra:
        out.update(extra)
    return out


def parents_text(parents: Any) -> str:
    """A node's parents in words.

    For example 'hypotheses', 'alarm', 'hypotheses and earthquake' or 'nothing (a root fact)'.

    Examples
    --------
    >>> (
    ...     parents_text(("hypotheses", "earthquake")),
    ...     parents_text(()),
    ...     parents_text("alarm"),
    ...     parents_text(None),
    ... )
    ('hypotheses and earthquake', 'nothing (a root fact)', 'alarm', 'hypotheses')
    """
    if parents is None:
        return "hypotheses"
    ps = (parents,) if isinstance(parents, str) else tuple(parents)
    if not ps:
        return "nothing (a root fact)"
    return ps[0] if len(ps) == 1 else ", ".join(ps[:-1]) + " and " + ps[-1]
