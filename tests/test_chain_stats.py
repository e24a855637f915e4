"""motives.models.chain_stats gives arviz-stats' r̂, bulk ESS and MCSE, every column at once.

Reference: arviz-stats itself, column by column, on generated draws. Tolerance: relative 1e-10
(the two differ only in the order of floating-point sums, about 1e-15 relative per operation).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
import xarray as xr

arviz_stats = pytest.importorskip("arviz_stats")

from motives.models.chain_stats import _ranks, element_stats  # noqa: E402

NAMES = ("rhat", "ess", "mcse")


def _ar1(rng: np.random.Generator, shape: tuple[int, int], phi: float) -> np.ndarray:
    """An AR(1) chain per row: autocorrelated (phi > 0) or alternating (phi < 0)."""
    eps = rng.normal(size=shape)
    out = np.empty(shape)
    out[:, 0] = eps[:, 0]
    for t in range(1, shape[1]):
        out[:, t] = phi * out[:, t - 1] + eps[:, t]
    return out


def _columns(rng: np.random.Generator, chains: int, draws: int) -> np.ndarray:
    """Columns of many kinds side by side: (chain, draw, k)."""
    cols = [
        rng.normal(size=(chains, draws)),
        _ar1(rng, (chains, draws), 0.9),
        _ar1(rng, (chains, draws), 0.99),
        _ar1(rng, (chains, draws), -0.7),
        rng.standard_cauchy(size=(chains, draws)),
        rng.integers(0, 3, size=(chains, draws)).astype(float),  # many ties
        rng.beta(0.2, 0.2, size=(chains, draws)),
        rng.normal(size=(chains, draws)) + np.arange(chains)[:, None],  # chains disagree
        np.cumsum(rng.normal(size=(chains, draws)), axis=1),  # a random walk: stuck-ish
        np.where(rng.random((chains, draws)) < 0.999, 0.0, 1.0),  # almost constant
    ]
    return np.stack(cols, axis=-1)


def _reference(fn: Any, x: np.ndarray, **kw: Any) -> np.ndarray:
    out = []
    for j in range(x.shape[-1]):
        da = xr.DataArray(x[..., j], dims=("chain", "draw"))
        out.append(float(fn(da, sample_dims=["chain", "draw"], **kw)))
    return np.array(out)


CASES = [(4, 1000), (4, 1001), (2, 50), (8, 17), (1, 400), (3, 7), (2, 4), (4, 3), (1, 2)]


@pytest.mark.parametrize(("chains", "draws"), CASES)
@pytest.mark.parametrize("seed", [0, 1])
def test_same_numbers_as_arviz_stats(chains: int, draws: int, seed: int) -> None:
    x = _columns(np.random.default_rng(seed * 100 + chains * 7 + draws), chains, draws)
    with np.errstate(all="ignore"), warnings.catch_warnings(action="ignore"):
        want = {
            "rhat": _reference(arviz_stats.rhat, x),
            "ess": _reference(arviz_stats.ess, x, method="bulk"),
            "mcse": _reference(arviz_stats.mcse, x, method="mean"),
        }
    got = dict(zip(NAMES, element_stats(x), strict=True))
    for name in want:
        np.testing.assert_allclose(got[name], want[name], rtol=1e-10, atol=0, err_msg=name)
    # the cases cover computed numbers, not only NaN
    if chains >= 2 and draws >= 4:
        assert np.isfinite(got["rhat"]).sum() >= 8 and np.isfinite(got["ess"]).sum() >= 8


def test_a_nan_column_is_nan_and_leaves_the_others() -> None:
    x = _columns(np.random.default_rng(5), 4, 200)
    x[1, 3, 2] = np.nan
    clean = element_stats(np.delete(x, 2, axis=-1))
    for out, kept in zip(element_stats(x), clean, strict=True):
        assert np.isnan(out[2])
        np.testing.assert_array_equal(np.delete(out, 2), kept)


@pytest.mark.parametrize("draws", [5, 6, 8, 9, 12])
def test_short_chains_where_the_sequence_ends_at_its_bound(draws: int) -> None:
    """Few draws: Geyer's sequence often stops at its length bound, not at a negative pair.

    Hundreds of random columns, so every way it can end is met.
    """
    rng = np.random.default_rng(draws)
    x = np.concatenate(
        [
            np.cumsum(rng.normal(size=(3, draws, 150)), axis=1),
            rng.normal(size=(3, draws, 150)),
            _ar1(rng, (3 * 150, draws), -0.5).reshape(3, 150, draws).transpose(0, 2, 1),
        ],
        axis=-1,
    )
    ours = dict(zip(NAMES, element_stats(x), strict=True))
    with np.errstate(all="ignore"), warnings.catch_warnings(action="ignore"):
        for name, theirs, kw in (
            ("ess", arviz_stats.ess, {"method": "bulk"}),
            ("mcse", arviz_stats.mcse, {"method": "mean"}),
            ("rhat", arviz_stats.rhat, {}),
        ):
            np.testing.assert_allclose(
                ours[name], _reference(theirs, x, **kw), rtol=1e-10, atol=0, err_msg=name
            )


@pytest.mark.parametrize("seed", range(4))
def test_ranks_are_scipys_average_ranks(seed: int) -> None:
    """Ties of every size, at the ends and in the middle; exact equality."""
    from scipy.stats import rankdata

    rng = np.random.default_rng(seed)
    a = np.concatenate(
        [
            rng.normal(size=(301, 3)),
            rng.integers(0, 4, size=(301, 3)).astype(float),
            np.round(rng.normal(size=(301, 3)), 1),
            np.zeros((301, 1)),
            np.repeat(rng.normal(size=(1, 2)), 301, axis=0),
        ],
        axis=1,
    )
    np.testing.assert_array_equal(_ranks(a), rankdata(a, method="average", axis=0))
