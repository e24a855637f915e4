"""How much memory a fit's draws will take, counted from the model before the sampler runs.

``motives run`` refuses draws x chains whose trace would exceed the memory limit
(:data:`motives.numeric.MAX_WORK_BYTES`) with one message naming ``sampler.draws`` and what would
fit, before anything is compiled or sampled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from motives.models.sampling import BuiltModel

#: Sampler statistics a backend keeps per draw (step size, tree depth, energy, divergences, ...): an
#: upper count.
_STATS_PER_DRAW = 16


def trace_bytes(built: BuiltModel, *, draws: int, chains: int, log_densities: bool = True) -> float:
    """About how much memory the draws of a fit take, in bytes, before the sampler allocates them.

    Per draw: every free parameter (its size as the posterior keeps it, from the model's dims),
    every deterministic (the credences), the sampler's statistics, and with ``log_densities`` one
    log density per parameter again; 8 bytes each, times draws times chains. A count from the
    model, not a measurement.

    Examples
    --------
    >>> import motives as mv
    >>> from motives.models.api import build
    >>> b = build(mv.examples.cookie_case())
    >>> trace_bytes(b, draws=1_000_000, chains=64) > 4 * 2**30
    True
    """
    params = _free_size(built.model)
    determ = 0
    for d in built.model.deterministics:
        shape = d.type.shape
        determ += (
            int(np.prod([1 if n is None else n for n in shape])) if None not in shape else params
        )
    per_draw = params + determ + _STATS_PER_DRAW + (params if log_densities else 0)
    return 8.0 * per_draw * draws * chains


def _free_size(model: Any) -> int:
    """How many numbers the free parameters hold.

    Read from their dims' lengths (no compilation); where a parameter has no dims, from the
    model's initial point (which compiles a function: about 0.4 s of a baseline fit's 10).
    """
    total = 0
    for rv in model.free_RVs:
        dims = model.named_vars_to_dims.get(rv.name) or ()
        if len(dims) != rv.type.ndim:
            return sum(int(np.size(v)) for v in model.initial_point().values())
        size = 1
        for d in dims:
            length = model.dim_lengths[d]
            size *= int(length.get_value() if hasattr(length, "get_value") else length.data)
        total += size
    return total


def check_trace_memory(
    built: BuiltModel, *, draws: int, chains: int, log_densities: bool = True
) -> None:
    """Refuse draws x chains whose trace would exceed the memory limit.

    The refusal is a :class:`motives.errors.LimitError`.
    """
    from motives.errors import LimitError
    from motives.numeric import MAX_WORK_BYTES, memory_refusal

    need = trace_bytes(built, draws=draws, chains=chains, log_densities=log_densities)
    per = need / (draws * chains)
    most = int(MAX_WORK_BYTES // (per * chains))
    msg = memory_refusal(
        need,
        f"{draws:,} draws x {chains} chains of a model of {per / 8:,.0f} numbers per draw",
        f"give sampler.draws at most {most:,} with {chains} chains"
        if most >= 1
        else "fewer chains",
    )
    if msg:
        raise LimitError(msg, field="sampler.draws")
