"""Output folders and files.

Checked before any work, written into a temporary sibling, published whole.

Every command that writes goes through here: :class:`OutputFolder` for a folder (``run``,
``sensitivity``, ``report``, ``appendix``, ``add-lens``), :func:`check_out_file` and
:func:`motives.files.write_atomic` for one file (``describe``, ``export``, ``export-matrix``).
An output is never half-written: an error, Ctrl-C or SIGTERM (raised as an exception by the CLI's
guard) removes the temporary folder, and nothing is published. What is published has the
permissions the umask gives (:func:`motives.files.follow_umask`), not ``mkdtemp``'s 0700.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from motives.errors import MotivesError
from motives.files import swap_folder, temporary_folder

__all__ = [
    "MARKER",
    "OutputFolder",
    "case_folders",
    "check_out",
    "check_out_file",
    "lock",
    "publish",
]

#: A file in every output folder motives writes: ``--force`` replaces only folders that hold it.
MARKER = ".motives-output"


def case_folders(case_path: Path) -> list[Path]:
    """A case folder and the folders it extends (best effort).

    A broken chain is reported when the case loads.

    Examples
    --------
    >>> import motives as mv
    >>> [p.name for p in case_folders(mv.examples.path("burglary"))]  # doctest: +SKIP
    ['burglary']
    """
    from motives.yamlfile import read_yaml

    folder = case_path.parent if case_path.is_file() else case_path
    found = [folder.resolve()]
    for _ in range(9):
        try:
            data, _lines = read_yaml(found[-1] / "case.yaml")
        except MotivesError:
            break
        ext = data.get("extends")
        if not isinstance(ext, str):
            break
        nxt = (found[-1] / ext).resolve()
        if nxt in found:
            break
        found.append(nxt)
    return found


def check_out(
    out_dir: Path, force: bool, *, cases: Sequence[Path] = (), specs: Sequence[Path] = ()
) -> Path:
    """Refuse an output folder before any work is done; return it resolved.

    ``--out`` may not be, contain or lie inside a case folder, nor be or contain the spec's folder;
    an existing folder is replaced only with ``force`` and only when motives wrote it
    (:data:`MARKER`); the nearest existing ancestor must be a folder this process may write in.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> check_out(d / "new", force=False) == (d / "new").resolve()
    True
    >>> try:
    ...     check_out(d, force=True)
    ... except MotivesError as exc:
    ...     print(str(exc).split(" (")[0].endswith("was not written by motives"))
    True
    """
    out_dir = Path(os.path.abspath(out_dir)).resolve()
    if out_dir.parent == out_dir:
        raise MotivesError(f"--out {out_dir}: cannot write the root folder; name a new folder")
    for kind, folders in (("case", cases), ("spec", specs)):
        for f in folders:
            f = Path(f).resolve()
            if out_dir == f:
                raise MotivesError(
                    f"--out {out_dir} is the {kind} folder; outputs go in a folder of their own"
                )
            if f.is_relative_to(out_dir):
                raise MotivesError(
                    f"--out {out_dir} contains the {kind} folder {f}; outputs go in a folder of "
                    "their own"
                )
            if kind == "case" and out_dir.is_relative_to(f):
                raise MotivesError(
                    f"--out {out_dir} lies inside the case folder {f}; outputs go outside it"
                )
    if out_dir.exists() or out_dir.is_symlink():
        if not out_dir.is_dir():
            raise MotivesError(f"{out_dir} exists and is not a folder")
        if not force:
            raise MotivesError(f"{out_dir} already exists; pass --force to replace it")
        marker = out_dir / MARKER
        if not (marker.is_file() and not marker.is_symlink()):
            raise MotivesError(
                f"{out_dir} was not written by motives (it holds no {MARKER} file); --force "
                "replaces only folders motives wrote. Remove it yourself or choose another --out"
            )
    ancestor = out_dir.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise MotivesError(f"--out {out_dir}: {ancestor} is a file, not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise MotivesError(f"--out {out_dir}: no permission to write in {ancestor}")
    return out_dir


def check_out_file(out_file: Path, force: bool, cases: Sequence[Path]) -> Path:
    """A file to write: its folder must exist.

    It may not be a folder, a case's input file, or exist without force.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> check_out_file(d / "case.md", False, []).name
    'case.md'
    """
    target = Path(os.path.abspath(out_file))
    if target.is_dir() or str(out_file).endswith(("/", os.sep)):
        raise MotivesError(
            f"--out {out_file} is a folder; name a file, e.g. {Path(out_file) / 'case.md'}"
        )
    parent = target.parent.resolve()
    if not parent.is_dir():
        raise MotivesError(f"--out {out_file}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise MotivesError(f"--out {out_file}: no permission to write in {parent}")
    target = parent / target.name
    if any(parent == c.resolve() for c in cases) and target.suffix.lower() in (
        ".yaml",
        ".yml",
        ".bib",
    ):
        raise MotivesError(
            f"--out {target} would overwrite (or add) an input file of the case; choose a .md file"
        )
    if target.exists() or target.is_symlink():
        if not target.is_file():
            raise MotivesError(f"--out {target} exists and is not a regular file")
        if not force:
            raise MotivesError(f"{target} already exists; pass --force to replace it")
    return target


@contextlib.contextmanager
def lock(path: Path, out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created, removed afterwards).

    Fail at once if another process holds it.

    ``filelock`` takes the lock (``flock``, soft locks where ``flock`` is missing). One thing it
    does not do: remove its file on release (a native lock keeps its path), which would leave a
    hidden ``.out.lock`` beside every output. So the file is unlinked here while the lock is still
    held; a process that opened it before the unlink finds, once it gets the ``flock``, an unlinked
    file, which ``filelock`` refuses to count as acquired (its ``st_nlink == 0`` check).

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> with lock(d / ".x.lock", d / "x"):
    ...     (d / ".x.lock").exists()
    True
    >>> (d / ".x.lock").exists()
    False
    """
    import filelock

    busy = MotivesError(
        f"another motives command is writing {out_dir} right now (it holds the lock {path}); "
        "wait for it to finish or choose another --out"
    )
    held = filelock.FileLock(path, blocking=False, thread_local=False)
    try:
        held.acquire()
    except filelock.Timeout:
        raise busy from None
    except OSError as exc:
        raise MotivesError(
            f"--out {out_dir}: cannot create the lock {path}: {exc.strerror or exc}"
        ) from None
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        held.release(force=True)


def _remove_empty(folders: list[Path]) -> None:
    for d in folders:  # deepest first
        with contextlib.suppress(OSError):
            d.rmdir()


def publish(tmp: Path, out_dir: Path) -> None:
    """Move a finished temporary folder into place.

    An old one is replaced only once the new one is complete.

    Its permissions become the umask's first (a ``mkdtemp`` folder is 0700):
    :func:`motives.files.swap_folder`.
    """
    swap_folder(tmp, out_dir)


@contextlib.contextmanager
def _staged(out_dir: Path, force: bool) -> Iterator[Path]:
    """A fresh temporary sibling of ``out_dir`` to write into.

    It is renamed into place when the block succeeds.

    The temporary folder is removed on every exit (errors, Ctrl-C, SIGTERM); a second writer to the
    same folder fails at once (a lock); an existing folder is replaced only after the new one is
    complete.
    """
    parent = out_dir.parent
    created: list[Path] = []
    p = parent
    while not p.exists():
        created.append(p)
        p = p.parent
    try:
        for d in reversed(created):
            d.mkdir()
    except OSError as exc:
        _remove_empty(created)
        raise MotivesError(
            f"--out {out_dir}: cannot create {parent}: {exc.strerror or exc}"
        ) from None
    published = False
    try:
        with lock(parent / f".{out_dir.name}.lock", out_dir):
            if out_dir.exists() and not force:  # written meanwhile by a command that just finished
                raise MotivesError(f"{out_dir} already exists; pass --force to replace it")
            try:
                tmp = temporary_folder(parent, out_dir.name)
            except OSError as exc:
                raise MotivesError(
                    f"--out {out_dir}: cannot write in {parent}: {exc.strerror or exc}"
                ) from None
            try:
                yield tmp
                (tmp / MARKER).write_text(
                    json.dumps({"written_by": "motives", "command": sys.argv[1:2]}) + "\n"
                )
                publish(tmp, out_dir)
                published = True
            except OSError as exc:
                if (
                    exc.filename is None
                ):  # a write that failed (a full disk) names no file: name the output
                    raise OSError(exc.errno, exc.strerror, str(out_dir)) from None
                raise
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    finally:
        if not published:
            _remove_empty(created)


class OutputFolder:
    """The one way a command publishes an output folder.

    Used by ``run``, ``sensitivity``, ``report`` and ``appendix``.

    Created before any work: ``--out`` is checked then (:func:`check_out`: not a case or spec
    folder, nor inside a case; an existing folder replaced only with ``--force`` and only if motives
    wrote it). With ``spec_file`` the spec's folder and its case's folders (and those it extends)
    are protected. ``with`` it to write: the block gets a temporary sibling folder (locked, the
    :data:`MARKER` written, moved into place with the umask's permissions only when the block
    succeeds, removed on any error, Ctrl-C or SIGTERM).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     dest = OutputFolder(Path(d) / "out", force=False)
    ...     with dest as tmp:
    ...         _ = (tmp / "a.txt").write_text("a")
    ...     sorted(p.name for p in dest.path.iterdir())
    ['.motives-output', 'a.txt']
    """

    def __init__(
        self,
        out_dir: Path,
        force: bool,
        *,
        spec_file: Path | None = None,
        cases: Sequence[Path] | None = None,
        specs: Sequence[Path] | None = None,
    ) -> None:
        cases, specs = list(cases or []), list(specs or [])
        if spec_file is not None:
            from motives.spec import load_spec

            cases += case_folders(load_spec(spec_file).case_path(spec_file))
            specs.append(Path(spec_file).resolve().parent)
        self.path = check_out(out_dir, force, cases=cases, specs=specs)
        self.force = force
        self._staged: contextlib.AbstractContextManager[Path] | None = None

    def __enter__(self) -> Path:
        if self._staged is not None:
            raise RuntimeError(f"output folder {self.path} is already being written")
        self._staged = _staged(self.path, self.force)
        return self._staged.__enter__()

    def __exit__(self, *exc: Any) -> bool | None:
        assert self._staged is not None
        return self._staged.__exit__(*exc)
