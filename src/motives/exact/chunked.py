"""Exact sweeps larger than memory.

:func:`motives.exact.posterior` over chunks of scenarios (dask arrays, xarray).

A likelihood sweep holds λ of scenarios × items × hypotheses; at 8 bytes a number, 10,000
scenarios of 10,000 items and 20 hypotheses are 16 GB. :func:`chunked_posterior` takes λ (and the
prior) as dask arrays chunked along the scenarios and evaluates the engine one chunk at a time
(``dask.array.map_blocks``), so only a chunk's inputs and temporaries are in memory at once; the
numbers are those of the in-memory call, scenario by scenario (each scenario's posterior depends on
its own inputs only). :func:`sweep_dataarray` does the same for an ``xarray.DataArray`` with dims
``(scenario, evidence, hypothesis)`` (xarray's chunking: ``.chunk({"scenario": n})``).

Nothing is computed until ``.compute()`` (or a Dask scheduler runs it): a cluster's workers can
evaluate the chunks, as with any dask array.

Examples
--------
>>> import numpy as np, dask.array as da, motives as mv
>>> from motives.exact import compile_case, posterior
>>> arr = compile_case(mv.examples.load("witness"))
>>> lam = np.random.default_rng(1).uniform(0.05, 0.95, size=(1000, 1, 2))
>>> lazy = chunked_posterior(arr, lam=da.from_array(lam, chunks=(250, 1, 2)))
>>> lazy.chunks[0], bool(np.array_equal(lazy.compute(), posterior(arr, lam=lam)))
((250, 250, 250, 250), True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from motives.errors import MotivesError

if TYPE_CHECKING:
    import xarray as xr

    from motives.exact.compile import CaseArrays


def chunked_posterior(
    arr: CaseArrays, prior: Any = None, lam: Any = None, *, reliability: bool = True
) -> Any:
    """The exact posterior over scenarios, chunk by chunk: a dask array (S, K).

    Parameters
    ----------
    arr
        :func:`motives.exact.compile_case` output.
    prior
        None (the case's), a (K,) vector, or an (S, K) array (numpy or dask).
    lam
        None (the case's), or an (S, N, K) array of likelihoods (numpy or dask, chunked along S
        only).
    reliability
        As in :func:`motives.exact.posterior`.

    Returns
    -------
    dask.array.Array
        (S, K) credences, chunked as the scenarios of the inputs.
    """
    import dask.array as da

    from motives.exact import posterior

    K = len(arr.hypotheses)
    p = (
        None
        if prior is None
        else (prior if isinstance(prior, da.Array) else da.asarray(np.asarray(prior, float)))
    )
    lm = (
        None
        if lam is None
        else (lam if isinstance(lam, da.Array) else da.asarray(np.asarray(lam, float)))
    )
    if lm is not None and lm.ndim != 3:
        raise MotivesError(
            f"lam must be (scenarios, items, hypotheses), got {lm.ndim} dimension(s)"
        )
    if lm is not None and len(lm.chunks[1]) + len(lm.chunks[2]) != 2:
        lm = lm.rechunk({1: -1, 2: -1})  # every item and hypothesis of a scenario in one chunk
    scen = [x for x in (p if p is not None and p.ndim == 2 else None, lm) if x is not None]
    if not scen:
        raise MotivesError("a chunked sweep needs scenarios: an (S, K) prior or an (S, N, K) lam")
    S = scen[0].shape[0]
    if any(x.shape[0] != S for x in scen):
        raise MotivesError(
            f"prior and lam have different numbers of scenarios: {[x.shape[0] for x in scen]}"
        )
    chunks = scen[0].chunks[0]
    if p is not None and p.ndim == 2:
        p = p.rechunk({0: chunks, 1: -1})
    if lm is not None:
        lm = lm.rechunk({0: chunks})

    if (
        p is not None and p.ndim == 2 and lm is not None
    ):  # both per scenario: blocks aligned as (S, 1, K), (S, N, K)
        return da.map_blocks(
            lambda pb, lb: posterior(arr, pb[:, 0, :], lb, reliability=reliability),
            p[:, None, :],
            lm,
            dtype=float,
            chunks=(chunks, (K,)),
            drop_axis=2,
        )
    if lm is not None:
        fixed = None if p is None else np.asarray(p.compute(), dtype=float)
        return da.map_blocks(
            lambda lb: posterior(arr, fixed, lb, reliability=reliability),
            lm,
            dtype=float,
            chunks=(chunks, (K,)),
            drop_axis=2,
        )
    return da.map_blocks(
        lambda pb: posterior(arr, pb, reliability=reliability),
        p,
        dtype=float,
        chunks=(chunks, (K,)),
    )


def sweep_dataarray(
    arr: CaseArrays, lam: xr.DataArray, *, prior: Any = None, reliability: bool = True
) -> xr.DataArray:
    """The exact posterior of every scenario of ``lam``.

    ``lam`` has dims ``scenario``, ``evidence`` and ``hypothesis``.

    Chunked along ``scenario`` (``lam.chunk({"scenario": n})``), the result is lazy and chunked the
    same way; in memory, it is computed at once. Either way the numbers are those of
    :func:`motives.exact.posterior`.

    Examples
    --------
    >>> import numpy as np, xarray as xr, motives as mv
    >>> from motives.exact import compile_case, posterior
    >>> arr = compile_case(mv.examples.load("witness"))
    >>> lam = xr.DataArray(
    ...     np.random.default_rng(2).uniform(0.05, 0.95, size=(400, 1, 2)),
    ...     dims=("scenario", "evidence", "hypothesis"),
    ... )
    >>> out = sweep_dataarray(arr, lam.chunk({"scenario": 100}))
    >>> out.dims, out.chunks[0], bool(np.array_equal(out.values, posterior(arr, lam=lam.values)))
    (('scenario', 'hypothesis'), (100, 100, 100, 100), True)
    """
    import xarray as xr

    from motives.exact import posterior

    if set(lam.dims) != {"scenario", "evidence", "hypothesis"}:
        raise MotivesError(
            "lam must have dims scenario, evidence, hypothesis; got "
            f"{', '.join(map(str, lam.dims))}"
        )
    lam = lam.transpose("scenario", "evidence", "hypothesis")
    fixed = None if prior is None else np.asarray(prior, dtype=float)
    if lam.chunks is not None:
        lam = lam.chunk({"evidence": -1, "hypothesis": -1})
    return xr.apply_ufunc(
        lambda x: posterior(arr, fixed, x, reliability=reliability),
        lam,
        input_core_dims=[["evidence", "hypothesis"]],
        output_core_dims=[["hypothesis"]],
        exclude_dims={"hypothesis"},
        dask="parallelized",
        output_dtypes=[float],
        dask_gufunc_kwargs={"output_sizes": {"hypothesis": len(arr.hypotheses)}},
    )
