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



def _log(x: Array) -> Array:
    with np.errstate(divide="ignore"):
        return np.log(x)



def _logsumexp(a: Array, axis: int) -> Array:
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        return np.squeeze(m, axis=axis) + np.log(np.sum(np.exp(a - m), axis=axis))

