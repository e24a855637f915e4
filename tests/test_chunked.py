"""Chunked exact sweeps give the in-memory numbers, on generated cases.

The sweeps of ``motives.exact.chunked``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motives.errors import MotivesError
from motives.exact import compile_case, posterior
from motives.exact.chunked import chunked_posterior, sweep_dataarray
from motives.models.testing import random_case

da = pytest.importorskip("dask.array")


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_items=st.integers(1, 6),
    k=st.integers(2, 4),
    n_sources=st.integers(0, 2),
    s=st.integers(1, 60),
    chunk=st.integers(1, 25),
    reliability=st.booleans(),
)
def test_chunked_equals_in_memory(seed, n_items, k, n_sources, s, chunk, reliability):
    arr = compile_case(random_case(seed, n_items=n_items, n_hypotheses=k, n_sources=n_sources))
    rng = np.random.default_rng(seed)
    lam = rng.uniform(0.01, 0.99, size=(s, len(arr.items), k))
    prior = rng.dirichlet(np.ones(k), size=s)
    want = posterior(arr, prior, lam, reliability=reliability)
    got = chunked_posterior(
        arr,
        da.from_array(prior, chunks=(chunk, k)),
        da.from_array(lam, chunks=(chunk, 1, k)),
        reliability=reliability,
    )
    np.testing.assert_array_equal(
        got.compute(), want
    )  # same engine, same inputs per scenario: bit for bit
    np.testing.assert_array_equal(
        chunked_posterior(
            arr, lam=da.from_array(lam, chunks=(chunk, -1, -1)), reliability=reliability
        ).compute(),
        posterior(arr, lam=lam, reliability=reliability),
    )
    np.testing.assert_array_equal(
        chunked_posterior(
            arr, da.from_array(prior, chunks=(chunk, k)), reliability=reliability
        ).compute(),
        posterior(arr, prior, reliability=reliability),
    )


def test_xarray_chunking_and_bad_input():
    import xarray as xr

    arr = compile_case(random_case(3, n_items=3, n_hypotheses=3, n_sources=1))
    lam = xr.DataArray(
        np.random.default_rng(0).uniform(0.05, 0.95, size=(90, 3, 3)),
        dims=("scenario", "evidence", "hypothesis"),
    )
    lazy = sweep_dataarray(arr, lam.chunk({"scenario": 20}))
    assert lazy.chunks is not None and lazy.chunks[0] == (20, 20, 20, 20, 10)
    np.testing.assert_array_equal(lazy.values, sweep_dataarray(arr, lam).values)
    np.testing.assert_array_equal(lazy.values, posterior(arr, lam=lam.values))
    with pytest.raises(MotivesError, match="dims scenario, evidence, hypothesis"):
        sweep_dataarray(arr, lam.rename({"evidence": "item"}))
    with pytest.raises(MotivesError, match="needs scenarios"):
        chunked_posterior(arr)
    with pytest.raises(MotivesError, match="different numbers of scenarios"):
        chunked_posterior(arr, np.full((5, 3), 1 / 3), np.full((6, 3, 3), 0.5))
