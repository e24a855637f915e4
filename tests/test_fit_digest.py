"""A tampered fit is refused: the draws' digest recorded at the fit is checked on every load.

A saved fit whose draws were edited (two hypotheses' draws swapped, one draw changed, chains
reordered, hypothesis labels swapped) is refused by :func:`motives.models.load_result` naming the
variable, and ``motives summary`` exits 2 with that message; an untouched fit saved and read back
passes (no false alarm).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import motives as mv
from motives.cli import app
from motives.errors import MotivesError
from motives.models.config import draws_digest
from motives.models.result import check_trace
from motives.models.testing import random_case
from motives.testing import fake_fit, two_hypothesis_case

runner = CliRunner()


def _load(path: Path) -> xr.DataTree:
    with xr.open_datatree(path, engine="h5netcdf") as dt:
        return dt.load()


def _swap_hypotheses(t: xr.DataTree, i: int = 0, j: int = 1) -> None:
    x = t.posterior["credence"].values
    x[..., [i, j]] = x[..., [j, i]]


def _relabel(t: xr.DataTree) -> None:
    ids = list(t.posterior["hypothesis"].values)
    ids[0], ids[1] = ids[1], ids[0]
    t["posterior"] = t.posterior.to_dataset().assign_coords(hypothesis=ids)


def _nudge(
    t: xr.DataTree,
) -> None:  # one draw moved, still summing to 1 (check_trace's other rules pass)
    x = t.posterior["credence"].values
    d = 0.5 * min(x[0, 0, 0], 1 - x[0, 0, 1])
    x[0, 0, 0] -= d
    x[0, 0, 1] += d


def _swap_chains(t: xr.DataTree) -> None:
    x = t.posterior["credence"].values
    x[[0, 1]] = x[[1, 0]]


TAMPER: dict[str, Callable[[xr.DataTree], None]] = {
    "swap": _swap_hypotheses,
    "relabel": _relabel,
    "nudge": _nudge,
    "chains": _swap_chains,
}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(0, 10_000),
    n_hyp=st.integers(2, 6),
    draws=st.integers(100, 300),
    how=st.sampled_from(sorted(TAMPER)),
)
def test_a_saved_fit_round_trips_and_any_edit_of_its_draws_is_named(
    tmp_path: Path, seed: int, n_hyp: int, draws: int, how: str
) -> None:
    case = random_case(seed, n_items=3, n_hypotheses=n_hyp)
    res = fake_fit(case, seed=seed, draws=draws, chains=2)
    path = res.save(tmp_path / f"fit-{seed}-{how}.nc")
    back = _load(path)
    assert check_trace(back) == []  # saving and reading back keeps the digest
    assert draws_digest(back) == json.loads(res.trace.attrs["motives_draws_digest"])
    TAMPER[how](back)
    if how == "chains" and np.array_equal(
        back.posterior["credence"].values, res.trace.posterior["credence"].values
    ):
        return  # (two identical chains: nothing was changed)
    edited = mv.FitResult(back).save(tmp_path / f"edited-{seed}-{how}.nc")
    with pytest.raises(
        MotivesError, match=r"posterior/credence' differ from those recorded"
    ) as info:
        mv.load_result(edited)
    assert str(edited) in str(info.value)


def test_a_fit_without_a_digest_is_refused(tmp_path: Path) -> None:
    res = fake_fit(two_hypothesis_case(), seed=3)
    del res.trace.attrs["motives_draws_digest"]
    path = res.save(tmp_path / "old.nc")
    with pytest.raises(MotivesError, match="motives_draws_digest is missing"):
        mv.load_result(path)


def test_cli_summary_refuses_a_fit_with_swapped_draws(tmp_path: Path) -> None:
    case_dir = tmp_path / "witness"
    shutil.copytree(mv.examples.path("witness"), case_dir)
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "name: witness\ncase: witness\nsampler: {draws: 100, tune: 50, chains: 2, backend: pymc}\n"
    )
    out = tmp_path / "res"
    r = runner.invoke(app, ["run", str(spec), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert (
        runner.invoke(app, ["summary", str(spec), str(out)]).exit_code == 0
    )  # untouched: accepted
    trace = out / "trace.nc"
    t = _load(trace)
    _swap_hypotheses(t)
    mv.FitResult(t).save(tmp_path / "swapped.nc")
    shutil.move(tmp_path / "swapped.nc", trace)
    r = runner.invoke(app, ["summary", str(spec), str(out)])
    assert r.exit_code == 2, r.output
    assert (
        str(trace) in r.output
        and "'posterior/credence'" in r.output
        and "Traceback" not in r.output
    )
