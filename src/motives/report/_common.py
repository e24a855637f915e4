"""Conventions shared by the report modules: the interval mass and number formatting."""

from __future__ import annotations

import math
from typing import Any

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
