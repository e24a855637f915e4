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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motives.errors import MotivesError
from motives.files import MACHINE_ERRNOS
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
    """A task stores log densities only when asked.

    Such a task has its own key, so no resume mixes them up.
    """
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
    """A worker's result travels (pickle, cloudpickle) without the PyMC model it built.

    And keeps its draws.
    """
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
    """``backend: auto`` means PyMC's NUTS in a task.

    Even where a one-off fit would pick nutpie's compilation.
    """
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
    """A refit at another prior is checked against the exact answer at that prior.

    A fit of simulated data has none.
    """
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


# ------------------------------------------------------------- the machine refusing a write (issue
# 23)


def _fake_runner(fail_at: int, error: BaseException, ran: list[int], tasks: list[FitTask]):
    """A ``run_task`` giving a fake fit for each task and raising ``error`` at task ``fail_at``."""
    from motives.testing import fake_fit

    case = _case()

    def run(task: FitTask):
        i = tasks.index(task)
        ran.append(i)
        if i == fail_at:
            raise error
        res = fake_fit(case, seed=i, draws=5, chains=2)
        res.trace.attrs["motives_task_key"] = task.key
        return res

    return run


def _tasks(n: int) -> list[FitTask]:
    case = _case()
    cfg = _config(case)
    return [FitTask.build(case, cfg, data={"observed": [i, 0]}, label=f"t{i}") for i in range(n)]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(MACHINE_ERRNOS)),
    st.integers(1, 5),
    st.data(),
    st.booleans(),
)
def test_a_machine_refusal_in_a_task_ends_the_job_and_keeps_what_finished(
    code: int, n: int, data: st.DataObject, with_folder: bool
) -> None:
    """A full disk (or a file-size limit, a read-only disk, a quota, a permission) in task k is not
    task k's failure: no task after it runs, run_fits raises one OSError (same errno, no file name:
    the command names its output) saying which task and what was kept; the k fits before it are in
    the results folder, whole, and a rerun reads them back and runs only the rest."""
    import errno as errno_
    import tempfile

    import motives.models.many as many

    k = data.draw(st.integers(0, n - 1))
    tasks = _tasks(n)
    ran: list[int] = []
    strerror = os.strerror(code)
    with tempfile.TemporaryDirectory() as d, pytest.MonkeyPatch.context() as mp:
        folder = Path(d) / "fits" if with_folder else None
        mp.setattr(many, "run_task", _fake_runner(k, OSError(code, strerror), ran, tasks))
        with pytest.raises(OSError) as err:
            run_fits(tasks, scheduler="serial", results=folder)
        exc = err.value
        assert (exc.errno, exc.filename) == (code, None) and ran == list(range(k + 1))
        text = exc.strerror
        assert text.startswith(strerror) and f"stopped at task {k + 1} of {n} (t{k}," in text
        if folder is not None and k:
            assert f"the {k} finished fit{'s are' if k > 1 else ' is'} kept in {folder}" in text
            assert sorted(p.name for p in folder.iterdir()) == sorted(
                f"{t.key}.nc" for t in tasks[:k]
            )
        else:
            assert "no fit is kept" in text
        if folder is None:
            return
        ran.clear()  # the disk has room again: the rerun fits only what had not finished
        mp.setattr(many, "run_task", _fake_runner(-1, OSError(errno_.EIO, "unused"), ran, tasks))
        job = run_fits(tasks, scheduler="serial", results=folder)
        assert job.ok and job.resumed == list(range(k)) and ran == list(range(k, n))


@pytest.mark.parametrize(
    "error",
    [
        FileNotFoundError(2, "No such file or directory", "/gone"),
        OSError(5, "Input/output error"),
        ValueError("a bad knob"),
    ],
    ids=["ENOENT", "EIO", "ValueError"],
)
def test_any_other_error_is_the_task_s_failure_and_the_job_goes_on(
    monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    """Only the machine refusing a write ends the job; a missing file, an I/O error or a bug is one
    task's failure, reported by task, and the others run."""
    import motives.models.many as many

    tasks = _tasks(3)
    ran: list[int] = []
    monkeypatch.setattr(many, "run_task", _fake_runner(1, error, ran, tasks))
    job = run_fits(tasks, scheduler="serial")
    assert ran == [0, 1, 2] and sorted(job.failures) == [1]
    assert type(error).__name__ in job.failures[1]


@pytest.mark.parametrize("code", sorted(MACHINE_ERRNOS))
def test_a_results_folder_the_disk_refuses_names_the_file_and_leaves_no_part(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, code: int
) -> None:
    """Saving a finished fit into the results folder fails half-way: no ``.part`` file stays, the
    error names the file the user's folder was to hold, and nothing after it runs."""
    import motives.models.many as many
    from motives.models.result import FitResult

    tasks = _tasks(3)
    ran: list[int] = []
    monkeypatch.setattr(many, "run_task", _fake_runner(-1, ValueError(), ran, tasks))
    real = FitResult.save
    calls = []

    def save(self, path, *a, **kw):
        calls.append(path)
        if len(calls) == 2:  # the second fit: half a file, then the disk is full
            Path(path).write_bytes(b"half")
            raise OSError(code, os.strerror(code))
        return real(self, path, *a, **kw)

    monkeypatch.setattr(FitResult, "save", save)
    folder = tmp_path / "fits"
    with pytest.raises(OSError) as err:
        run_fits(tasks, scheduler="serial", results=folder)
    assert err.value.errno == code and err.value.filename == str(folder / f"{tasks[1].key}.nc")
    assert "stopped at task 2 of 3" in err.value.strerror
    assert "the 1 finished fit is kept" in err.value.strerror
    assert ran == [0, 1]
    assert sorted(p.name for p in folder.iterdir()) == [f"{tasks[0].key}.nc"]


def test_a_compile_cache_the_disk_refuses_is_named_as_outside_the_output(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A refused write inside PyTensor (its compile cache: the error names no file) says where it
    went and that it is outside the command's output; PyTensor's own log record of it is dropped,
    its other records are not."""
    import errno as errno_
    import logging

    import pytensor

    from motives.models.scratch import scratch_writes

    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(str(record.msg))

    log = logging.getLogger("pytensor.link.c.cmodule")
    handler = Keep()
    log.addHandler(handler)
    try:
        code = compile("raise OSError(errno_.EFBIG, 'File too large')", "/x/pytensor/c.py", "exec")
        with pytest.raises(OSError) as err, scratch_writes():
            log.error(OSError(errno_.EFBIG, "File too large"))
            log.error("another record")
            exec(code, {"errno_": errno_})
    finally:
        log.removeHandler(handler)
    assert records == ["another record"]
    assert err.value.filename is None and err.value.errno == errno_.EFBIG
    assert err.value.strerror == (
        f"File too large (writing PyTensor's compile cache {pytensor.config.compiledir}, outside "
        "this command's output: free space there, or set PYTENSOR_FLAGS=base_compiledir=FOLDER to "
        "a disk with room)"
    )
    with pytest.raises(ValueError, match="not the machine"), scratch_writes():
        raise ValueError("not the machine")


def test_a_calibration_with_no_finished_fit_says_so_and_no_p_value(tmp_path: Path) -> None:
    """Every fit failed: no ranks, so no sentence about uniformity (a chi-square of no ranks has p =
    NaN: 'ranks not uniform' would be false), and sbc.json says no test passed."""
    import json

    import pandas as pd

    from motives.models.many import ManyFits
    from motives.models.sbc import SBCResult, write_sbc

    tasks = _tasks(2)
    job = ManyFits(tasks, [None, None], {0: "boom", 1: "boom"}, [], "serial (this process)", 1.0)
    tests = pd.DataFrame(
        {"chi2": [np.nan], "p": [np.nan], "ok": [False], "counts": [[0, 0]]},
        index=pd.Index(["h"], name="quantity"),
    )
    ranks = pd.DataFrame({"h": pd.Series([], dtype=int)})
    lines = write_sbc(SBCResult(ranks, tests, job, keep=10, bins=2), tmp_path)
    assert lines[0].startswith("0 of 2 simulations fitted")
    assert lines[-1] == "no simulation finished: there are no ranks to test"
    assert not any("uniform" in line for line in lines)
    doc = json.loads((tmp_path / "sbc.json").read_text())
    assert doc["finished"] == 0 and doc["ok"] is False
