r"""Many independent fits through one executor: in this process, local processes, or a Dask cluster.

A many-fit job (a refit grid, simulation-based calibration, a pool of readers' lenses) is a list
of :class:`FitTask`\\ s. A task holds the case's *content* (JSON-able data), the fit's
:class:`~motives.models.config.FitConfig` record and, optionally, values for the model's
``pm.Data`` knobs (``observed``, ``log_prior``, ``concentration``, ...): never a PyMC model
object, which does not pickle (what sank PyMC's own Dask scheduler). The model is built where
the task runs (:func:`run_task`), so a worker needs only motives installed.

:func:`run_fits` sends the tasks to

- ``"serial"``: this process, one after another;
- ``"processes"`` (the default): a pool of local worker processes (``spawn``), one task at a time
  each;
- a Dask scheduler address (``tcp://HOST:PORT``), or a ``dask.distributed.Client``;
  ``scheduler=None`` reads the address from the environment variable ``MOTIVES_SCHEDULER``
  and falls back to local processes.

Whatever finished first, the results come back in the order of the tasks, as the same
:class:`~motives.models.result.FitResult`\\ s the serial path gives (same seeds, same numbers,
same :attr:`~motives.models.result.FitResult.config_hash`), each also carrying its task's
:attr:`FitTask.key` (trace attr ``motives_task_key``). A task that fails or whose worker dies is
reported by task (:attr:`ManyFits.failures`) and the others are kept. A machine that refuses a write
(a full disk, a file-size or quota limit, a read-only disk, a permission:
:data:`motives.files.MACHINE_ERRNOS`) is
not one task's failure, since every task after it would meet the same disk: it ends the job with one
:class:`OSError` saying what could not be written and where (the worker's compile cache is outside
the command's output, and the message says so). With ``results=FOLDER``
each finished fit is written at once to ``FOLDER/<key>.nc``; running the same job again loads
those files and runs only what is missing, so an interrupted job resumes without redoing
finished tasks.

Each task samples its chains one after another (``cores=1``): the parallelism is across tasks.

Examples
--------
>>> import motives as mv
>>> from motives.models.config import FitConfig
>>> case = mv.examples.load("witness")
>>> tasks = [
...     FitTask.build(case, FitConfig.build(case, draws=20, tune=0, chains=1, seed=s))
...     for s in (1, 2)
... ]
>>> job = run_fits(tasks, scheduler="serial")
>>> job.ok, len(job.results), [r.config_hash for r in job.results] == [t.config_hash for t in tasks]
(True, 2, True)
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from motives.errors import MotivesError
from motives.files import machine_error
from motives.models.config import FitConfig, stable_hash

if TYPE_CHECKING:
    from motives.models.result import FitResult
    from motives.schema import Case

#: Environment variable naming a Dask scheduler (``tcp://HOST:PORT``) for every many-fit job.
SCHEDULER_ENV = "MOTIVES_SCHEDULER"


@dataclass(frozen=True)
class FitTask:
    """One fit to run anywhere: the case's content, the fit's record and knob values.

    Attributes
    ----------
    case
        The case as JSON-able data (:func:`motives.models.config.case_content`).
    config
        The fit's :class:`~motives.models.config.FitConfig` record as data (``as_dict()``).
    data
        Values of ``pm.Data`` knobs set before sampling (name -> nested lists), e.g. ``observed``.
    label
        Free text naming the task in messages (``prior x 0.5``, ``simulation 17``).
    log_densities
        Also store every draw's log prior and log likelihood (the ``log_prior`` and
        ``log_likelihood`` groups power-scaling sensitivity reads). Off by default: a refit grid
        or a calibration run reads only the draws, and computing them compiles one more function
        per fit (their cost is measured in ``benchmarks/bench_many.py``).
    """

    case: dict[str, Any]
    config: dict[str, Any]
    data: dict[str, Any] = field(default_factory=dict)
    label: str = ""
    log_densities: bool = False

    @classmethod
    def build(
        cls,
        case: Case,
        config: FitConfig,
        *,
        data: dict[str, Any] | None = None,
        label: str = "",
        log_densities: bool = False,
    ) -> FitTask:
        """A task fitting ``case`` as ``config`` says, with knob values ``data``.

        Examples
        --------
        >>> import motives as mv
        >>> case = mv.examples.load("witness")
        >>> t = FitTask.build(case, FitConfig.build(case), data={"weight": [0.5]}, label="half")
        >>> t.config_hash == FitConfig.build(case).hash(), len(t.key), t.key == t.config_hash
        (True, 16, False)
        """
        from motives.models.config import case_content

        plain = {k: np.asarray(v, dtype=float).tolist() for k, v in (data or {}).items()}
        return cls(
            case=case_content(case),
            config=config.as_dict(),
            data=plain,
            label=label,
            log_densities=bool(log_densities),
        )

    @property
    def config_hash(self) -> str:
        """The fit's identity (:meth:`FitConfig.hash`).

        Equal for tasks that differ only in ``data``.
        """
        return stable_hash(self.config)

    @property
    def key(self) -> str:
        """The task's identity.

        The fit's record, the knob values and whether log densities are kept: the file name of its
        saved result (a saved fit without log densities is not the result of a task that asks for
        them).
        """
        if not self.data and not self.log_densities:
            return self.config_hash
        ident: dict[str, Any] = {"config": self.config_hash, "data": self.data}
        if self.log_densities:
            ident["log_densities"] = True
        return stable_hash(ident)

    @property
    def name(self) -> str:
        """The label, or the key when there is none."""
        return self.label or self.key


def run_task(task: FitTask) -> FitResult:
    """Build the task's model and sample it (this is what runs on a worker).

    Besides the fit, the trace's attrs say where the task ran (``motives_task_process``,
    ``host:pid``), when it started there (``motives_task_started``, seconds since the epoch), how
    long it took there (``motives_task_seconds``) and the CPU time its process used meanwhile
    (``motives_task_cpu_seconds``): what a many-fit job's overhead is measured against
    (``benchmarks/bench_many.py``).

    A task whose record says ``backend: auto`` is sampled with PyMC's NUTS wherever it runs. (A
    one-off :func:`motives.fit` resolves ``auto`` to nutpie when this process already holds a
    nutpie compilation of the model's structure; for a task that would make the draws depend on
    which process ran it and what that process did before.)

    Examples
    --------
    >>> import motives as mv
    >>> case = mv.examples.load("witness")
    >>> res = run_task(FitTask.build(case, FitConfig.build(case, draws=20, tune=0, chains=1)))
    >>> res.trace.attrs["motives_task_key"] == res.config_hash
    True
    """
    from motives.models.api import fit_from_config
    from motives.schema import Case

    started, t0, cpu0 = time.time(), time.perf_counter(), time.process_time()
    case = Case.model_validate(task.case)
    config = FitConfig.from_stored(task.config)
    try:
        res = fit_from_config(
            case,
            config,
            progressbar=False,
            data=task.data or None,
            cores=1,
            log_densities=task.log_densities,
            auto_backend="pymc",
        )
    except OSError as exc:
        if not machine_error(exc):
            raise
        # a plain OSError (PyTensor appends hints to the one it raises): what the parent unpickles
        raise OSError(exc.errno, exc.strerror or str(exc), exc.filename) from None
    res.trace.attrs["motives_task_started"] = started
    res.trace.attrs["motives_task_seconds"] = time.perf_counter() - t0
    res.trace.attrs["motives_task_cpu_seconds"] = time.process_time() - cpu0
    res.trace.attrs["motives_task_key"] = task.key
    res.trace.attrs["motives_task_data"] = json.dumps(task.data, sort_keys=True)
    res.trace.attrs["motives_task_process"] = (
        f"{socket.gethostname()}:{os.getpid()}"  # where it ran
    )
    if task.label:
        res.trace.attrs["motives_task_label"] = task.label
    return res


@dataclass
class ManyFits:
    """What a many-fit job gave: one entry per task, in the tasks' order.

    Attributes
    ----------
    tasks
        The tasks, as given.
    results
        A :class:`~motives.models.result.FitResult` per task, ``None`` where it failed.
    failures
        Task index -> why it failed (the worker's error, or the worker's death).
    resumed
        Indices of tasks whose result was read from the results folder (not run again).
    where
        Where the tasks ran (``serial``, ``2 local processes``, ``dask tcp://...``).
    seconds
        Wall time of the job.
    """

    tasks: list[FitTask]
    results: list[FitResult | None]
    failures: dict[int, str]
    resumed: list[int]
    where: str
    seconds: float

    @property
    def ok(self) -> bool:
        """Every task gave a result."""
        return not self.failures

    def failure_lines(self) -> list[str]:
        """One line per failed task: its number, label and key, and why.

        Examples
        --------
        >>> ManyFits(
        ...     [FitTask({}, {"a": 1}, label="x")], [None], {0: "boom"}, [], "serial", 0.0
        ... ).failure_lines()
        ['task 1 (x, key 015abd7f5cc57a2d) failed: boom']
        """
        out = []
        for i, why in sorted(self.failures.items()):
            t = self.tasks[i]
            out.append(
                f"task {i + 1} ({t.label + ', ' if t.label else ''}key {t.key}) failed: {why}"
            )
        return out

    def raise_on_failure(self) -> list[FitResult]:
        """The results, or a :class:`MotivesError` naming every failed task."""
        if self.failures:
            raise MotivesError(
                f"{len(self.failures)} of {len(self.tasks)} fits failed "
                f"(the {len(self.tasks) - len(self.failures)} others are kept):\n"
                + "\n".join(self.failure_lines())
            )
        return [r for r in self.results if r is not None]


def run_fits(
    tasks: Sequence[FitTask],
    *,
    scheduler: Any = None,
    workers: int | None = None,
    results: str | Path | None = None,
    on_result: Callable[[int, FitResult | None, str | None], None] | None = None,
) -> ManyFits:
    """Run independent fits; results in task order, failures by task, resumable through a folder.

    Parameters
    ----------
    tasks
        The fits (:class:`FitTask`).
    scheduler
        ``"serial"``, ``"processes"``, a Dask scheduler address ``tcp://HOST:PORT``, or a
        ``dask.distributed.Client``. ``None``: the address in ``MOTIVES_SCHEDULER`` when set,
        else ``"processes"``.
    workers
        Local processes (``"processes"`` only); default the number of CPUs this process may use.
    results
        A folder: each finished fit is saved there as ``<key>.nc`` when it arrives, and fits
        already there are read back instead of run again.
    on_result
        Called in this process as each task ends: ``(index, result or None, error or None)``.

    Returns
    -------
    ManyFits

    Raises
    ------
    OSError
        The machine refused a write (:func:`motives.files.machine_error`: a full disk, a file-size
        limit, a read-only disk) in a task or in the results folder. Nothing more is started;
        results that finished are kept in ``results`` (a rerun resumes from them); the message says
        which task stopped the job and where the write went (PyTensor's compile cache is outside the
        command's output). Its file name is the results file that could not be written, or none.

    Examples
    --------
    >>> import tempfile, motives as mv
    >>> case = mv.examples.load("witness")
    >>> tasks = [
    ...     FitTask.build(case, FitConfig.build(case, draws=20, tune=0, chains=1, seed=s))
    ...     for s in (1, 2)
    ... ]
    >>> folder = tempfile.TemporaryDirectory()
    >>> first = run_fits(tasks, scheduler="serial", results=folder.name)
    >>> again = run_fits(tasks, scheduler="serial", results=folder.name)
    >>> first.resumed, again.resumed
    ([], [0, 1])
    >>> folder.cleanup()
    """
    tasks = list(tasks)
    for i, t in enumerate(tasks):
        if not isinstance(t, FitTask):
            raise MotivesError(f"task {i + 1} is a {type(t).__name__}, not a FitTask")
    t0 = time.perf_counter()
    out: list[FitResult | None] = [None] * len(tasks)
    failures: dict[int, str] = {}
    folder = Path(results) if results is not None else None
    resumed = _resume(tasks, out, folder) if folder is not None else []
    todo = [i for i in range(len(tasks)) if out[i] is None]

    from motives.models.executors import (
        Collector,
        job_stopped,
        run_dask,
        run_processes,
        run_serial,
    )

    done = Collector(tasks, out, failures, folder, on_result)
    if scheduler is None:
        scheduler = os.environ.get(SCHEDULER_ENV) or "processes"
    if scheduler == "serial":
        where = "serial (this process)"
        run_serial(tasks, todo, done)
    elif scheduler == "processes":
        n = max(1, min(workers or _cpu_count(), len(todo) or 1))
        where = f"{n} local process{'es' if n > 1 else ''}"
        if todo:
            run_processes(tasks, todo, n, done)
    else:
        where = run_dask(tasks, todo, scheduler, done)
    if done.stop:  # the first refusal ends the job
        i, exc = done.stop[0]
        kept = sum(r is not None for r in out) if folder is not None else 0
        raise job_stopped(exc, i, tasks, folder, kept)
    return ManyFits(tasks, out, failures, resumed, where, time.perf_counter() - t0)


def _cpu_count() -> int:
    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


def _resume(tasks: list[FitTask], out: list[Any], folder: Path) -> list[int]:
    """Read the results already in ``folder``; return their indices.

    A result is read when its ``<key>.nc`` holds a stored key that matches.
    """
    import xarray as xr

    from motives.models.result import FitResult, local_file_locks

    found = []
    for i, t in enumerate(tasks):
        path = folder / f"{t.key}.nc"
        if not path.is_file():
            continue
        try:
            with local_file_locks(), xr.open_datatree(path, engine="h5netcdf") as tree:
                trace = tree.load()
        except (OSError, ValueError) as exc:
            raise MotivesError(
                f"{path}: cannot read this saved fit ({exc}); delete it to run the task again"
            ) from None
        if trace.attrs.get("motives_task_key") != t.key:
            raise MotivesError(
                f"{path}: the file is not the result of task {i + 1} (stored key "
                f"{trace.attrs.get('motives_task_key')!r}, expected {t.key}); delete it to run "
                "the task again"
            )
        out[i] = FitResult(trace)
        found.append(i)
    return found
