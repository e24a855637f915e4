"""Many fits through one executor (``motives.models.many``).

Serial, local processes, a Dask cluster.

The cluster tests start a ``distributed.LocalCluster`` with two worker processes (one thread each)
and check that SBC and a refit grid give the very numbers of the serial path (same seeds), and
that killing a worker mid-run loses no finished fit, names the failed ones, and that a rerun with
the results folder fits only those. The models are tiny (two items, Beta cells, PyMC's NUTS,
whose compiled pieces PyTensor caches on disk, so a worker's first fit costs seconds).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest

from motives.errors import MotivesError
from motives.models.config import FitConfig
from motives.models.many import FitTask, run_fits
from motives.models.testing import random_case

pytest.importorskip("distributed")


def _case():
    return random_case(11, n_items=2, n_hypotheses=2, n_sources=1)


def _config(case, **kw):
    return FitConfig.build(case, **({"draws": 40, "tune": 40, "chains": 2, "backend": "pymc"} | kw))


def _same(a, b) -> None:
    """Two lists of results are the same fits: same identities, same draws."""
    assert [r.config_hash for r in a] == [r.config_hash for r in b]
    assert [r.trace.attrs["motives_task_key"] for r in a] == [
        r.trace.attrs["motives_task_key"] for r in b
    ]
    for x, y in zip(a, b, strict=True):
        for name in ("credence", "lam_cell"):
            np.testing.assert_array_equal(
                x.trace.posterior[name].values, y.trace.posterior[name].values
            )


@pytest.fixture(scope="module")
def cluster():
    import dask
    from distributed import Client, LocalCluster

    # a task whose worker dies is reported at once (not retried on another worker), and each worker
    # holds one task at a time: what the kill test counts on
    with dask.config.set(
        {
            "distributed.scheduler.allowed-failures": 0,
            "distributed.scheduler.worker-saturation": 1.0,
        }
    ):
        with (
            LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=50,
            ) as lc,
            Client(lc) as client,
        ):
            yield lc, client


def test_task_identity_and_order():
    case = _case()
    cfg = _config(case)
    a = FitTask.build(case, cfg, data={"observed": [1, 0]})
    b = FitTask.build(case, cfg, data={"observed": [1, 1]})
    assert a.config_hash == b.config_hash == cfg.hash() and a.key != b.key
    assert FitTask.build(case, cfg).key == cfg.hash()
    with pytest.raises(MotivesError, match="not a FitTask"):
        run_fits([cfg], scheduler="serial")
    with pytest.raises(MotivesError, match="scheduler must be"):
        run_fits([a], scheduler="nowhere")


def test_failure_is_reported_by_task_and_others_kept(tmp_path: Path):
    case = _case()
    cfg = _config(case)
    good = FitTask.build(case, cfg, label="good")
    bad = FitTask.build(
        case, cfg, data={"observed": [1, 0, 1]}, label="wrong shape"
    )  # 2 items, 3 values
    job = run_fits([good, bad, good], scheduler="serial", results=tmp_path)
    assert not job.ok and sorted(job.failures) == [1]
    assert job.results[0] is not None and job.results[2] is not None and job.results[1] is None
    assert "task 2 (wrong shape" in job.failure_lines()[0] and "shape" in job.failures[1]
    with pytest.raises(MotivesError, match="1 of 3 fits failed"):
        job.raise_on_failure()
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{good.key}.nc"]


def test_task_log_densities_opt_in_timing_attrs_and_their_own_key(tmp_path: Path):
    """A task stores log densities only when asked; such a task has its own key, so no resume mixes them up."""
    case = _case()
    cfg = _config(case)
    plain = FitTask.build(case, cfg, data={"observed": [1, 0]})
    dense = FitTask.build(case, cfg, data={"observed": [1, 0]}, log_densities=True)
    assert plain.key != dense.key and plain.config_hash == dense.config_hash
    assert (
        FitTask.build(case, cfg).key
        == cfg.hash()
        != FitTask.build(case, cfg, log_densities=True).key
    )
    first = run_fits([plain], scheduler="serial", results=tmp_path)
    job = run_fits([plain, dense], scheduler="serial", results=tmp_path)
    assert (
        first.ok and job.ok and job.resumed == [0]
    )  # the saved fit without log densities is not reused
    a, b = job.results
    assert "log_prior" not in a.trace.children and "log_prior" in b.trace.children
    assert "log_likelihood" in b.trace.children
    np.testing.assert_array_equal(
        a.trace.posterior["credence"].values, b.trace.posterior["credence"].values
    )
    for r in (first.results[0], b):
        attrs = r.trace.attrs
        assert attrs["motives_task_seconds"] > 0 and attrs["motives_task_cpu_seconds"] > 0
        assert abs(attrs["motives_task_started"] - time.time()) < 3600


def test_a_result_pickles_without_its_model():
    """A worker's result travels (pickle, cloudpickle) without the PyMC model it built, and keeps its draws."""
    import pickle

    import cloudpickle

    case = _case()
    res = run_fits([FitTask.build(case, _config(case))], scheduler="serial").results[0]
    for dumps, loads in ((pickle.dumps, pickle.loads), (cloudpickle.dumps, cloudpickle.loads)):
        back = loads(dumps(res))
        assert back._built is None and back.config_hash == res.config_hash
        assert back.trace.attrs["motives_task_key"] == res.trace.attrs["motives_task_key"]
        _same([res], [back])


def test_task_draws_do_not_depend_on_what_the_process_compiled_before(
    monkeypatch: pytest.MonkeyPatch,
):
    """``backend: auto`` means PyMC's NUTS in a task, even where a one-off fit would pick nutpie's compilation."""
    import motives.models.sampling as sampling

    case = _case()
    task = FitTask.build(case, _config(case, backend="auto"))
    before = run_fits([task], scheduler="serial").results[0]
    # a process that already holds a nutpie compilation of this structure: motives.fit would use
    # nutpie
    monkeypatch.setattr(sampling, "auto_backend_for_fit", lambda built: "nutpie")
    after = run_fits([task], scheduler="serial").results[0]
    assert before.trace.attrs["sampler"] == after.trace.attrs["sampler"] == "pymc"
    _same([before], [after])


def test_local_processes_equal_serial():
    case = _case()
    tasks = [FitTask.build(case, _config(case, seed=s)) for s in (1, 2, 3)]
    serial = run_fits(tasks, scheduler="serial")
    procs = run_fits(tasks, scheduler="processes", workers=2)
    assert serial.ok and procs.ok and procs.where == "2 local processes"
    _same(serial.results, procs.results)


@pytest.mark.slow
def test_cluster_sbc_and_refit_grid_equal_serial(cluster):
    from motives.models.grid import refit_grid
    from motives.models.sbc import sbc

    _, client = cluster
    case = _case()
    cfg = _config(case)
    kw = {"simulations": 4, "keep": 20, "bins": 4}
    local = sbc(case, cfg, scheduler="serial", **kw)
    dist = sbc(case, cfg, scheduler=client, **kw)
    assert dist.job.where.startswith("dask tcp://") and dist.job.ok
    assert local.ranks.equals(dist.ranks) and local.tests.equals(dist.tests)
    _same(local.job.results, dist.job.results)
    grid = {"prior_power": [0.0, 1.0, 2.0], "concentration": [0.5, 1.0]}
    g_local = refit_grid(case, cfg, scheduler="serial", **grid)
    g_dist = refit_grid(
        case, cfg, scheduler=client.scheduler.address, **grid
    )  # by address, as --scheduler
    assert g_local.table.equals(g_dist.table) and len(g_dist.table) == 12
    _same(g_local.job.results, g_dist.job.results)


@pytest.mark.slow
def test_saving_a_fit_with_a_client_open_takes_no_cluster_lock(
    cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """With a Client open, xarray would take a cluster-wide lock for each netCDF write.

    Such a lock can be forgotten by the scheduler when a worker dies ("Semaphore or Lock ... not
    known", which once failed a job in CI). A fit's file is written and read under this process's
    own locks.
    """
    import distributed

    from motives.models.result import load_result

    case = _case()
    res = run_fits([FitTask.build(case, _config(case))], scheduler="serial").results[0]

    def refuse(*a, **k):
        raise AssertionError("a cluster lock was taken for a local file")

    monkeypatch.setattr(distributed.Lock, "acquire", refuse)
    back = load_result(res.save(tmp_path / "fit.nc"))
    np.testing.assert_array_equal(
        back.trace.posterior["credence"].values, res.trace.posterior["credence"].values
    )


@pytest.mark.slow
def test_cluster_worker_killed_mid_run_loses_no_finished_task(cluster, tmp_path: Path):
    lc, client = cluster
    case = _case()
    tasks = [FitTask.build(case, _config(case, seed=s, draws=300, tune=300)) for s in range(8)]
    pids = client.run(os.getpid)  # worker address -> pid (processes this test started)
    killed: list[int] = []

    def kill_the_other(i, res, error):
        if killed or res is None:
            return
        done_pid = int(res.trace.attrs["motives_task_process"].rsplit(":", 1)[1])
        other = next(p for p in pids.values() if p != done_pid)  # the worker busy with another task
        os.kill(other, signal.SIGKILL)
        killed.append(other)

    job = run_fits(tasks, scheduler=client, results=tmp_path, on_result=kill_the_other)
    assert killed
    finished = [i for i, r in enumerate(job.results) if r is not None]
    assert job.failures and set(finished) | set(job.failures) == set(range(len(tasks)))
    assert all("worker died" in job.failures[i] for i in job.failures), job.failures
    for line, i in zip(job.failure_lines(), sorted(job.failures), strict=True):
        assert line.startswith(f"task {i + 1} ") and tasks[i].key in line
    assert sorted(p.stem for p in tmp_path.glob("*.nc")) == sorted(tasks[i].key for i in finished)
    again = run_fits(
        tasks, scheduler=client, results=tmp_path
    )  # on the worker left (and the restarted one, if up)
    assert again.ok and sorted(again.resumed) == finished  # only the failed ones were fitted again
    _same([r for r in again.results], run_fits(tasks, scheduler="serial").results)


def test_a_task_is_checked_against_the_closed_form_of_what_it_fitted():
    """A refit at another prior is checked against the exact answer at that prior; a fit of simulated data has none."""
    import json

    from motives.exact import exact_posterior
    from motives.models.grid import grid_tasks

    case = random_case(11, n_items=3, n_hypotheses=3, n_sources=1)
    cfg = _config(case, draws=20, tune=10, chains=1)
    tasks, _ = grid_tasks(case, cfg, prior_power=[0.0, 1.0], concentration=[1.0, 2.0])
    simulated = FitTask.build(case, cfg, data={"observed": [0, 1, 0]})
    job = run_fits([*tasks, simulated], scheduler="serial")
    assert job.ok
    refs = [json.loads(r.trace.attrs["motives_exact"]) for r in job.results]

    def exact(prior):
        table = exact_posterior(case, lens=cfg.lens, prior=prior, reliability=cfg.reliability)
        return table.xs("hypothesis", level="level")["credence"].to_dict()

    for ref, want in (
        (refs[0], exact("uniform")),
        (refs[2], exact(None)),
    ):  # prior^0 and prior^1, concentration 1
        assert ref["available"] and ref["hypothesis"].keys() == want.keys()
        np.testing.assert_allclose(
            list(ref["hypothesis"].values()), list(want.values()), rtol=1e-12
        )
    assert exact("uniform") != exact(None)  # the check above tells the two priors apart
    for ref, knobs in (
        (refs[1], "concentration, log_prior"),
        (refs[3], "concentration"),
        (refs[4], "observed"),
    ):
        assert not ref["available"] and f"sets the model's {knobs} to values other" in ref["reason"]
