"""The executors of a many-fit job and what they do as a task ends.

The job is :func:`motives.models.many.run_fits`'s.

Serial (this process), local processes (``spawn``), a Dask cluster: each runs
:func:`motives.models.many.run_task` for the tasks still to do and hands every outcome to one
:class:`Collector`, which keeps a result (saved to the results folder at once), notes a failure by
task, and notes the machine refusing a write (:func:`motives.files.machine_error`), which ends the
job (:func:`job_stopped`): nothing more is started, what finished is kept.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from motives.errors import MotivesError
from motives.files import machine_error
from motives.models import many

if TYPE_CHECKING:
    from motives.models.many import FitTask
    from motives.models.result import FitResult

__all__ = [
    "Collector",
    "job_stopped",
    "run_dask",
    "run_processes",
    "run_serial",
    "save_result",
    "failure_text",
]


class Collector:
    """What happens in this process as a task ends.

    A result is kept (and saved to the results folder), a failure noted by task; the machine
    refusing a write, in the task or in saving its result, is noted in :attr:`stop`, which ends the
    job.
    """

    def __init__(
        self,
        tasks: list[FitTask],
        out: list[FitResult | None],
        failures: dict[int, str],
        folder: Path | None,
        on_result: Callable[[int, FitResult | None, str | None], None] | None,
    ) -> None:
        self.tasks, self.out, self.failures = tasks, out, failures
        self.folder, self.on_result = folder, on_result
        self.stop: list[tuple[int, OSError]] = []

    def __call__(self, i: int, res: FitResult | None, error: BaseException | str | None) -> None:
        """Task ``i`` ended with ``res``, or with ``error`` (an exception or why, as text)."""
        if isinstance(error, OSError) and machine_error(error):
            self.stop.append((i, error))
            return
        if isinstance(error, BaseException):
            error = failure_text(error)
        if res is not None:
            if self.folder is not None:
                try:
                    save_result(res, self.folder, self.tasks[i].key)
                except OSError as exc:
                    if not machine_error(exc):
                        raise
                    self.stop.append((i, exc))
                    return
            self.out[i] = res
        else:
            self.failures[i] = error or "failed"
        if self.on_result is not None:
            self.on_result(i, res, error)


def run_serial(tasks: list[FitTask], todo: list[int], done: Collector) -> None:
    """Run the tasks ``todo`` in this process, in turn, until the machine stops the job."""
    for i in todo:
        if done.stop:
            return
        try:
            res = many.run_task(tasks[i])
        except Exception as exc:  # noqa: BLE001  (a failed task is reported by task; the others go on)
            done(i, None, exc)
        else:
            done(i, res, None)


def job_stopped(
    exc: OSError, i: int, tasks: list[FitTask], folder: Path | None, n_done: int
) -> OSError:
    """The error ending a job whose task ``i`` met the machine refusing a write.

    It keeps ``errno`` and the file name (a results file, which the user asked for, or none: the
    command's output is then named by its guard), and says what was kept for a resume.
    """
    t = tasks[i]
    kept = (
        f"the {n_done} finished fit{'s are' if n_done != 1 else ' is'} kept in {folder}: the same "
        "command fits only the rest"
        if folder is not None and n_done
        else "no fit is kept"
        + (
            ""
            if folder is not None
            else " (a results folder, --fits FOLDER on the command line, keeps each fit as it "
            "finishes, for a resume)"
        )
    )
    return OSError(
        exc.errno,
        f"{exc.strerror or exc}; the job stopped at task {i + 1} of {len(tasks)} "
        f"({t.label + ', ' if t.label else ''}key {t.key}), since every task writes to the same "
        f"disk; {kept}",
        exc.filename,
    )


def failure_text(exc: BaseException) -> str:
    """A task's failure in one line: the exception's type and its message's first line."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


def save_result(res: FitResult, folder: Path, key: str) -> None:
    """Write one result whole, so a killed job leaves no half file.

    It is written under a temporary name, then renamed.
    """
    folder.mkdir(parents=True, exist_ok=True)
    tmp, path = folder / f".{key}.{os.getpid()}.part", folder / f"{key}.nc"
    try:
        res.save(tmp)
        os.replace(tmp, path)
    except OSError as exc:  # a full disk: no half file left, and the message names the file wanted
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None
    finally:
        tmp.unlink(missing_ok=True)


def run_processes(
    tasks: list[FitTask],
    todo: list[int],
    n: int,
    done: Collector,
) -> None:
    """Run the tasks ``todo`` in ``n`` local worker processes (``spawn``), a task at a time each."""
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    # spawn, not fork: a forked copy of a process that already runs PyTensor/numba threads can hang.
    with ProcessPoolExecutor(max_workers=n, mp_context=mp.get_context("spawn")) as pool:
        pending = {pool.submit(many.run_task, tasks[i]): i for i in todo}
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                i = pending.pop(fut)
                try:
                    res = fut.result()
                except BrokenProcessPool:
                    done(
                        i,
                        None,
                        "a worker process died (killed, or out of memory) before the task finished",
                    )
                except Exception as exc:  # noqa: BLE001
                    done(i, None, exc)
                else:
                    done(i, res, None)
            if done.stop:  # the machine refused a write: start nothing more, keep what finishes
                for fut in [f for f in pending if f.cancel()]:
                    pending.pop(fut)


def run_dask(
    tasks: list[FitTask],
    todo: list[int],
    scheduler: Any,
    done: Collector,
) -> str:
    """Run the tasks ``todo`` on a Dask cluster (an address or a ``Client``).

    Return where they ran.
    """
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise MotivesError(
            "a Dask scheduler was named but dask.distributed is not installed "
            "(pip install 'motives[dask]')"
        ) from None
    if isinstance(scheduler, Client):
        client, own = scheduler, False
    elif isinstance(scheduler, str) and scheduler.startswith(
        ("tcp://", "tls://", "inproc://", "ucx://")
    ):
        try:
            client, own = Client(scheduler, timeout="30s"), True
        except OSError as exc:
            raise MotivesError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    else:
        raise MotivesError(
            f"scheduler must be 'serial', 'processes', a Dask address tcp://HOST:PORT or a "
            f"dask.distributed.Client, got {scheduler!r}"
        )
    where = f"dask {client.scheduler.address}"
    try:
        if not todo:
            return where
        futures = {
            client.submit(
                many.run_task, tasks[i], key=f"motives-fit-{tasks[i].key}-{i}", pure=False
            ): i
            for i in todo
        }
        for fut in as_completed(list(futures)):
            i = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:  # noqa: BLE001  (the task failed, or its worker died)
                text = failure_text(exc)
                if type(exc).__name__ == "KilledWorker":
                    text = f"its worker died while running it ({text})"
                done(i, None, exc if machine_error(exc) else text)
            else:
                done(i, res, None)
            fut.release()
            if done.stop:  # the machine refused a write: the rest would meet the same disk
                client.cancel([f for f in futures if not f.done()])
                break
    finally:
        if own:
            client.close()
    return where
