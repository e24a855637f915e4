"""What a fit writes outside a command's output, and the machine refusing it.

Building, compiling and sampling a model write compiled code into PyTensor's compile cache (or
numba's): never into the command's output. When the machine refuses such a write (a full disk, a
file-size limit: :func:`motives.files.machine_error`), the error PyTensor raises names no file, so a
command would blame its own output; :func:`scratch_writes` says where the write went instead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from motives.files import machine_error

__all__ = ["scratch_writes"]


def _drop_machine_record(record: Any) -> bool:
    """A logging filter.

    False for a record that is only the machine's refusal (an OSError as it is).
    """
    return not (isinstance(record.msg, BaseException) and machine_error(record.msg))


@contextlib.contextmanager
def scratch_writes() -> Iterator[None]:
    """Name where a write went that the machine refused while a model was built, compiled, sampled.

    A fit writes nothing of a command's output: what it writes is compiled code, in PyTensor's
    compile cache (or numba's), and PyTensor's error names no file. Such an error
    (:func:`motives.files.machine_error`) is raised again with no file name and a text saying where
    the write went and that it is outside the command's output (a command's output folder then
    names the output it was writing, :func:`motives.app.outputs.OutputFolder`). PyTensor also logs
    the error before raising it: that one record is dropped, since the message says it once;
    every other record of that logger still prints.

    Examples
    --------
    >>> import errno
    >>> try:
    ...     with scratch_writes():
    ...         raise OSError(errno.ENOSPC, "No space left on device", "/cache/x.so")
    ... except OSError as exc:
    ...     print(exc.filename, exc.strerror)
    None No space left on device (writing /cache/x.so, outside this command's output)
    """
    import logging

    log = logging.getLogger("pytensor.link.c.cmodule")
    log.addFilter(_drop_machine_record)
    try:
        yield
    except OSError as exc:
        if not machine_error(exc):
            raise
        raise OSError(exc.errno, f"{exc.strerror or exc} ({_written_where(exc)})") from None
    finally:
        log.removeFilter(_drop_machine_record)


def _written_where(exc: OSError) -> str:
    """Where a fit's refused write went, as a message says it.

    The error itself may name no file.
    """
    import traceback

    if exc.filename:
        return f"writing {exc.filename}, outside this command's output"
    for frame, _ in reversed(list(traceback.walk_tb(exc.__traceback__))):
        where = frame.f_code.co_filename.replace("\\", "/")
        if "/pytensor/" in where:
            import pytensor

            return (
                f"writing PyTensor's compile cache {pytensor.config.compiledir}, outside this "
                "command's output: free space there, or set PYTENSOR_FLAGS=base_compiledir=FOLDER "
                "to a disk with room"
            )
        if "/numba/" in where:
            return (
                "writing numba's compile cache, outside this command's output: free space there, "
                "or set NUMBA_CACHE_DIR to a disk with room"
            )
    return "writing a file of the fit, outside this command's output"
