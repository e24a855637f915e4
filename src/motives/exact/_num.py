"""Log-space helpers shared by the engine.

A log that is -inf at 0 without a warning, log-sum-exp.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    pass

Array = NDArray[np.float64]


def quiet_log(x: Array) -> Array:
    """The natural log, -inf at 0 without numpy's divide-by-zero warning.

    A likelihood of 0 is a fact here.
    """
    with np.errstate(divide="ignore"):
        return np.log(x)


def logsumexp(a: Array, axis: int) -> Array:
    """Log Σ exp(a) along ``axis``, shifted by the maximum.

    A slice of -inf only gives -inf, without a warning.
    """
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        return np.squeeze(m, axis=axis) + np.log(np.sum(np.exp(a - m), axis=axis))
