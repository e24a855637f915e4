"""Files and folders written the way the user's umask says, atomically.

``tempfile.mkdtemp`` and ``tempfile.mkstemp`` create 0700 folders and 0600 files whatever the
umask: right for a secret, wrong for an output a collaborator or a web server reads. Every output
motives writes through a temporary name is given, once complete, the permissions an ordinary
``mkdir`` or ``open`` would have given it (0777 or 0666 less the umask).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path

__all__ = [
    "FILE_MODE",
    "FOLDER_MODE",
    "follow_umask",
    "swap_folder",
    "temporary_folder",
    "umask",
    "write_atomic",
]

#: What ``mkdir`` asks for before the umask takes its bits away.
FOLDER_MODE = 0o777
#: What ``open(..., "w")`` asks for before the umask takes its bits away.
FILE_MODE = 0o666


def umask() -> int:
    """The process's umask, read without changing it where the system allows.

    It is read from ``/proc/self/status``.

    Elsewhere it is read by setting and restoring it at once (the only portable way before Python
    3.13's ``os.umask`` reader; a thread creating a file in between would use 0o077, stricter, never
    looser).

    Examples
    --------
    >>> old = os.umask(0o027)
    >>> oct(umask())
    '0o27'
    >>> _ = os.umask(old)
    """
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    old = os.umask(0o077)
    os.umask(old)
    return old


def follow_umask(path: str | os.PathLike[str]) -> None:
    """Give a file or folder the permissions the umask gives new ones.

    For a folder, everything in it too.

    A symbolic link is left alone (its target is not ours to change).

    Examples
    --------
    >>> old = os.umask(0o022)
    >>> d = temporary_folder(Path(tempfile.gettempdir()), "x")
    >>> oct(d.stat().st_mode & 0o777)
    '0o700'
    >>> follow_umask(d)
    >>> oct(d.stat().st_mode & 0o777)
    '0o755'
    >>> d.rmdir()
    >>> _ = os.umask(old)
    """
    mask = umask()
    p = Path(path)
    todo = [p]
    while todo:
        q = todo.pop()
        if q.is_symlink():
            continue
        if q.is_dir():
            os.chmod(q, FOLDER_MODE & ~mask)
            todo.extend(q.iterdir())
        else:
            # a file keeps its execute bits only if it had them (none of ours has)
            exe = q.stat().st_mode & 0o111
            os.chmod(q, (FILE_MODE | exe) & ~mask)


def temporary_folder(parent: Path, name: str, kind: str = "tmp") -> Path:
    """A new hidden folder ``parent/.name.kind-XXXX`` (0700 until :func:`follow_umask` opens it up).

    Examples
    --------
    >>> d = temporary_folder(Path(tempfile.gettempdir()), "out")
    >>> d.name.startswith(".out.tmp-")
    True
    >>> d.rmdir()
    """
    return Path(tempfile.mkdtemp(prefix=f".{name}.{kind}-", dir=parent))


_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?:(?:tmp|old)-[A-Za-z0-9_]{8}|[A-Za-z0-9_]{8}\.tmp)$")


def published_name(path: str | os.PathLike[str]) -> str:
    """The path a temporary sibling stands for (what a message names: the temporary one is gone by then).

    Temporary siblings are named by :func:`temporary_folder` (``.NAME.tmp-XXXXXXXX``,
    ``.NAME.old-XXXXXXXX``) and :func:`write_atomic` (``.NAME.XXXXXXXX.tmp``); a path inside one is
    mapped too. Any other path is returned as it is.

    Examples
    --------
    >>> (
    ...     published_name("/data/.out.tmp-k2j4h5g6/report.md"),
    ...     published_name("/data/.m.csv.ab12cd34.tmp"),
    ... )
    ('/data/out/report.md', '/data/m.csv')
    >>> published_name("/data/.hidden/x")
    '/data/.hidden/x'
    """
    parts = list(Path(path).parts)
    for i, part in enumerate(parts):
        m = _TEMPORARY.match(part)
        if m:
            parts[i] = m.group("name")
    return str(Path(*parts)) if parts else str(path)


_PUBLISHED: list[str] = []


def note_published(path: str | os.PathLike[str]) -> None:
    """Record that ``path`` now stands whole where the user asked for it (a temporary sibling is not).

    A command's guard (:func:`motives.terminal.guarded`) reads the record when a signal stops the
    command, so that its message says what had been written rather than "nothing was written".
    """
    if published_name(path) == str(path):
        _PUBLISHED.append(str(path))


def published() -> list[str]:
    """The paths recorded by :func:`note_published` since :func:`forget_published`, in order.

    Examples
    --------
    >>> forget_published()
    >>> note_published("/data/out")
    >>> note_published("/data/.out.tmp-k2j4h5g6/a.txt")
    >>> published()
    ['/data/out']
    >>> forget_published()
    """
    return list(_PUBLISHED)


def forget_published() -> None:
    """Start a new record (a command's guard does, before the command runs)."""
    _PUBLISHED.clear()


def swap_folder(tmp: Path, out: Path) -> Path:
    """Put the finished folder ``tmp`` in place of ``out``, with the umask's permissions; ``out``.

    An existing ``out`` is moved aside first (into a hidden sibling ``.out.old-XXXX``) and removed
    only once ``tmp`` is in its place; if that rename fails, the old folder is put back, so ``out``
    is always either the old folder or the new one, whole. Both folders are siblings, so each move
    is one ``rename``.

    Examples
    --------
    >>> parent = Path(tempfile.mkdtemp())
    >>> out = parent / "out"
    >>> for text in ("old", "new"):
    ...     tmp = temporary_folder(parent, "out")
    ...     _ = (tmp / "a.txt").write_text(text)
    ...     _ = swap_folder(tmp, out)
    >>> (out / "a.txt").read_text(), sorted(p.name for p in parent.iterdir())
    ('new', ['out'])
    """
    follow_umask(tmp)  # mkdtemp's folder is 0700: give it what the umask gives a new folder
    if not out.exists():
        os.rename(tmp, out)
        note_published(out)
        return out
    hold = temporary_folder(out.parent, out.name, "old")
    try:
        os.rename(out, hold / "old")
        try:
            os.rename(tmp, out)
        except OSError:
            os.rename(hold / "old", out)
            raise
        note_published(out)
    finally:
        shutil.rmtree(hold, ignore_errors=True)
    return out


def write_atomic(target: Path, data: str | bytes, *, encoding: str = "utf-8") -> Path:
    """Write ``target`` whole or not at all, with the umask's permissions.

    A temporary sibling is renamed over it.

    The temporary file is removed on every exit, a signal raised as an exception included.

    Examples
    --------
    >>> p = Path(tempfile.mkdtemp()) / "a.txt"
    >>> write_atomic(p, "hello").read_text()
    'hello'
    """
    target = Path(target)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode(encoding) if isinstance(data, str) else data)
        os.chmod(name, FILE_MODE & ~umask())
        os.replace(name, target)
        note_published(target)
    except (
        OSError
    ) as exc:  # a write that failed (a full disk) names no file: name the target, not the sibling
        raise OSError(exc.errno, exc.strerror, str(target)) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)
    return target
