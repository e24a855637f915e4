"""A fit is a DataTree ArviZ 1.x takes as it is, and a failed fit is loud wherever it is shown.

One small real fit (a seeded random case with Beta judgements and a source, 2 chains of 200 draws)
serves the ArviZ checks. The failure checks use its trace with one transition marked divergent, as a
sampler that hit a divergence writes it (a fit that fails its diagnostics for a stated reason,
without a second compile).
"""

from __future__ import annotations

import copy
import pickle
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import motives as mv
from motives.errors import FailedFitWarning
from motives.models.result import LEVELS, arviz_groups


@pytest.fixture(scope="module")
def real_fit() -> mv.FitResult:
    from motives.models.testing import random_case

    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore", FailedFitWarning
        )  # whether it passes is not what these tests check
        return mv.fit(random_case(1), draws=200, tune=200, chains=2, seed=3)


def _diverged(res: mv.FitResult) -> Any:
    import xarray as xr

    trace = res.trace.copy(deep=True)
    stats = trace["sample_stats"].to_dataset()
    div = stats["diverging"].values.copy()
    div[0, 5] = True
    stats["diverging"] = stats["diverging"].copy(data=div)
    trace["sample_stats"] = xr.DataTree(stats)
    # a fit made to fail on purpose, as a sampler would have made it: its draws' digest is made anew
    # (an edited file keeps the old digest and is refused on load, tests/test_fit_digest.py)
    import json

    from motives.models.config import draws_digest

    trace.attrs["motives_draws_digest"] = json.dumps(draws_digest(trace), sort_keys=True)
    return trace


@pytest.fixture(scope="module")
def failed_fit(real_fit: mv.FitResult) -> mv.FitResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FailedFitWarning)
        res = mv.FitResult(_diverged(real_fit))
    assert not res.diagnostics["ok"]
    return res


def _reported(res: mv.FitResult) -> list[str]:
    return [var for _level, var in LEVELS[res.model] if var in res.trace.posterior]


def test_az_summary_takes_the_fit(real_fit: mv.FitResult) -> None:
    import arviz as az

    table = az.summary(real_fit, round_to="none")
    ours = real_fit.summary()
    for h in real_fit.trace.posterior["credence"]["hypothesis"].values:
        # the same draws: ArviZ's mean is the summary's credence to rounding
        assert float(table.loc[f"credence[{h}]", "mean"]) == pytest.approx(
            float(ours.loc[("hypothesis", str(h)), "credence"]), abs=1e-12
        )
    # only the reported quantities, one row per element
    n = sum(
        int(
            np.prod(
                [
                    real_fit.posterior[v].sizes[d]
                    for d in real_fit.posterior[v].dims
                    if d not in ("chain", "draw")
                ]
            )
        )
        for v in _reported(real_fit)
    )
    assert len(table) == n


def test_plots_draw_the_credences_by_default(real_fit: mv.FitResult, tmp_path: Any) -> None:
    import arviz_plots as azp
    import matplotlib.pyplot as plt

    azp.plot_dist(real_fit, backend="matplotlib")
    n_cells = sum(
        int(
            np.prod(
                [
                    real_fit.posterior[v].sizes[d]
                    for d in real_fit.posterior[v].dims
                    if d not in ("chain", "draw")
                ]
            )
        )
        for v in _reported(real_fit)
    )
    fig = plt.gcf()
    drawn = [ax for ax in fig.axes if ax.has_data()]
    assert (
        len(drawn) == n_cells
    )  # one panel per credence and family credence, not one per latent cell
    titles = " ".join(ax.get_title() for ax in drawn)
    assert "credence" in titles and "lam" not in titles
    fig.savefig(Path(tmp_path) / "plot_dist.png")
    plt.close("all")
    azp.plot_forest(real_fit, backend="matplotlib")
    fig = plt.gcf()
    labels = " ".join(t.get_text() for ax in fig.axes for t in ax.get_yticklabels() + ax.texts)
    for h in real_fit.posterior["credence"]["hypothesis"].values:
        assert str(h) in labels
    assert "lam" not in labels
    fig.savefig(Path(tmp_path) / "plot_forest.png")
    plt.close("all")


def test_the_full_trace_is_kept(real_fit: mv.FitResult) -> None:
    groups = arviz_groups(real_fit.trace)
    assert set(real_fit.children) == set(groups) - {"/"}
    assert set(real_fit.posterior.data_vars) == set(_reported(real_fit))
    assert set(real_fit.trace.posterior.data_vars) > set(
        real_fit.posterior.data_vars
    )  # latent cells stay in .trace
    assert "sample_stats" in real_fit.children
    np.testing.assert_array_equal(
        real_fit.posterior["credence"].values, real_fit.trace.posterior["credence"].values
    )


def test_copies_and_pickles_keep_the_fit(real_fit: mv.FitResult) -> None:
    for other in (
        pickle.loads(pickle.dumps(real_fit)),
        copy.deepcopy(real_fit),
        copy.copy(real_fit),
    ):
        assert isinstance(other, mv.FitResult)
        assert other.model == real_fit.model and other.config_hash == real_fit.config_hash
        assert other.summary()["credence"].equals(real_fit.summary()["credence"])


def test_a_failed_fit_warns_when_made_and_loaded(real_fit: mv.FitResult, tmp_path: Any) -> None:
    with pytest.warns(FailedFitWarning, match="diagnostics FAILED") as rec:
        res = mv.FitResult(_diverged(real_fit))
    assert "1 divergent transition" in str(rec[0].message)
    path = res.save(tmp_path / "trace.nc")
    with pytest.warns(FailedFitWarning, match="divergent"):
        mv.load_result(path)


def test_a_failed_fit_is_loud_in_every_display(failed_fit: mv.FitResult) -> None:
    assert "FAILED" in repr(failed_fit) and "FAILED" in str(failed_fit)
    page = failed_fit._repr_html_()
    assert "Diagnostics FAILED" in page
    for problem in failed_fit.diagnostics["problems"]:
        assert problem.split(" (")[0].replace("<", "&lt;").replace(">", "&gt;") in page
    with pytest.warns(FailedFitWarning, match="summarised"):
        table = failed_fit.summary()
    assert table.attrs["diagnostics"]["ok"] is False


def test_a_clean_fit_is_quiet() -> None:
    from motives.testing import fake_fit

    res = fake_fit(mv.examples.load("cookies"))
    assert res.diagnostics["ok"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", FailedFitWarning)
        res.summary()
        assert "Diagnostics ok" in res._repr_html_() and "FAILED" not in res._repr_html_()
        assert "diagnostics ok" in repr(res)
