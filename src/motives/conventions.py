"""Conventions every output shares: the interval mass, number formatting, the summary JSON.

The lowest layer of the outputs: models, plots and report all import it, and it imports
nothing of motives at run time.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: Mass of every central credible interval this library reports.
INTERVAL_MASS = 0.90


def _num(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _fmt(x: Any, digits: int = 2) -> str:
    if isinstance(x, bool):
        return "yes" if x else ""
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

_MD_SPECIAL = {"\\": "\\\\", "`": "\\`", "*": "\\*", "[": "\\[", "]": "\\]", "|": "\\|", "~": "\\~",
               "$": "\\$", "&": "&amp;", "<": "&lt;", ">": "&gt;"}


def md_text(text: Any) -> str:
    r"""User text as inline Markdown that renders as typed: no HTML, links, emphasis, code, math or new blocks.

    HTML's ``& < >`` become entities, Markdown's active characters are backslash-escaped
    (``_`` only where it could open emphasis, so ``door_a`` stays as it is), a leading
    ``#``, ``>``, ``-``, ``+``, ``=`` or list number cannot start a block, and line breaks
    become spaces (a table cell or heading stays one line); control characters (ANSI escapes,
    bidi overrides) become U+FFFD.

    Examples
    --------
    >>> md_text("<script>alert(1)</script>")
    '&lt;script&gt;alert(1)&lt;/script&gt;'
    >>> print(md_text("# Heading [link](http://x) *em* a|b door_a _x_"))
    \# Heading \[link\](http://x) \*em\* a\|b door_a \_x\_
    """
    import re

    s = " ".join(str(text).split("\n")).replace("\r", " ")
    s = re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", "\ufffd", s)  # no terminal escapes
    s = "".join(_MD_SPECIAL.get(c, c) for c in s)
    s = re.sub(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])", r"\_", s)
    s = re.sub(r"^(\s*)([#+=-]|\d+[.)])", lambda m: m.group(1) + "\\" + m.group(2) if not m.group(2)[0].isdigit()
               else m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], s)
    return s


def summary_dict(table: pd.DataFrame, *, method: str, lens: str, diagnostics: dict[str, Any] | None = None,
                 fallbacks: list[str] | None = None, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The summary JSON (DESIGN.md shape) from a credence table.

    ``table`` is indexed by (level, id) with a ``credence`` column and, for
    MCMC, ``lower`` and ``upper``; where those are absent they equal the credence.

    Examples
    --------
    >>> import motives as mv
    >>> d = summary_dict(mv.exact_posterior(mv.examples.load("cookies")), method="exact", lens="default")
    >>> sorted(d)
    ['diagnostics', 'fallbacks', 'families', 'hypotheses', 'interval', 'lens', 'method']
    >>> {h: round(v["credence"], 4) for h, v in d["hypotheses"].items()}
    {'bowl1': 0.6, 'bowl2': 0.4}
    >>> d["hypotheses"]["bowl1"]["lower"] == d["hypotheses"]["bowl1"]["credence"]  # exact: no interval
    True
    >>> d["interval"]
    {'kind': 'central', 'mass': 0.9}
    """
    out: dict[str, Any] = {"method": method, "lens": lens,
                           "interval": {"kind": "central", "mass": INTERVAL_MASS}}
    for level, key in (("hypothesis", "hypotheses"), ("family", "families")):
        sub = table.xs(level, level="level")
        out[key] = {
            str(i): {
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
    if extra:
        out.update(extra)
    return out
