"""The one atomic writer: a temporary file beside the target, renamed over it at the end.

Every file nebuladapt writes (result tables, streamed outputs, model files)
goes through :class:`AtomicPath` or :func:`atomic_write_bytes`, so that

* an interrupted or failed write leaves no partial output (the temporary file
  is removed; the rename is atomic on one file system);
* the result has the mode any other tool would give it (``0666 & ~umask``),
  not the ``0600`` of :func:`tempfile.mkstemp`;
* a temporary file left by a run killed with SIGKILL can be found safely: its
  name is ``.<name>.nebuladapt-<pid>-<random><suffix>``, and the next write of
  the same target removes those whose process no longer runs
  (:func:`sweep_stale`) and names them.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

__all__ = [
    "TEMP_MARKER",
    "AtomicPath",
    "atomic_write_bytes",
    "replace_directory",
    "sweep_stale",
    "temporary_beside",
    "temporary_directory_beside",
    "umask",
]

#: Part of every temporary file name nebuladapt creates (``.<name>.nebuladapt-<pid>-...``).
TEMP_MARKER = "nebuladapt"


def umask() -> int:
    """The process umask (read without changing it for longer than one call)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def sweep_stale(path: str | os.PathLike) -> list[Path]:
    """Remove temporary files of ``path`` left by nebuladapt runs that no longer run.

    Only names written by :func:`temporary_beside` for this very target
    (``.<name>.nebuladapt-<pid>-*``) whose process ``<pid>`` is gone are
    removed; anything else is left alone.

    Parameters
    ----------
    path : str or path-like
        The target file.

    Returns
    -------
    list of Path
        The files removed (for a message).
    """
    path = Path(path)
    pattern = re.compile(rf"^\.{re.escape(path.name)}\.{TEMP_MARKER}-(\d+)-")
    removed = []
    try:
        siblings = list(path.parent.iterdir())
    except OSError:
        return removed
    for sibling in siblings:
        match = pattern.match(sibling.name)
        if match and int(match.group(1)) != os.getpid() and not _pid_alive(int(match.group(1))):
            try:
                if sibling.is_dir():
                    shutil.rmtree(sibling)
                else:
                    sibling.unlink()
            except OSError:
                continue
            removed.append(sibling)
    return removed


def temporary_beside(path: str | os.PathLike, suffix: str | None = None) -> Path:
    """Create an empty, recognisable temporary file in the folder of ``path``.

    The file has mode ``0666 & ~umask``. The caller removes or renames it.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.{TEMP_MARKER}-{os.getpid()}-",
        suffix=path.suffix if suffix is None else suffix,
    )
    try:
        os.fchmod(fd, 0o666 & ~umask())
    finally:
        os.close(fd)
    return Path(tmp)


def temporary_directory_beside(path: str | os.PathLike) -> Path:
    """Create an empty, recognisable staging directory in the folder of ``path``
    (mode ``0777 & ~umask``), for :func:`replace_directory`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale(path)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.{TEMP_MARKER}-{os.getpid()}-"))
    tmp.chmod(0o777 & ~umask())
    return tmp


def replace_directory(staging: str | os.PathLike, directory: str | os.PathLike) -> Path:
    """Rename ``staging`` to ``directory``, replacing an existing one only at the end.

    If the final rename fails, the old directory is put back.
    """
    staging, directory = Path(staging), Path(directory)
    if not directory.exists():
        os.rename(staging, directory)
        return directory
    old = temporary_directory_beside(directory)
    os.rmdir(old)
    os.rename(directory, old)
    try:
        os.rename(staging, directory)
    except BaseException:
        os.rename(old, directory)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return directory


class AtomicPath:
    """A temporary file beside ``path``, renamed over it on :meth:`commit`.

    Parameters
    ----------
    path : str or path-like
        The file to write.
    overwrite : bool, optional
        Replace an existing ``path`` (default False: FileExistsError).

    Attributes
    ----------
    tmp : Path
        Where to write.
    swept : list of Path
        Stale temporary files of earlier, killed runs removed on creation.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
    >>> with AtomicPath(out) as tmp:
    ...     _ = tmp.write_text("done")
    >>> out.read_text()
    'done'
    """

    def __init__(self, path: str | os.PathLike, overwrite: bool = False):
        path = Path(path)
        if path.exists() and not overwrite:
            raise FileExistsError(f"{path}: exists; pass --overwrite to replace it")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.swept = sweep_stale(path)
        self.path, self.tmp = path, temporary_beside(path)

    def commit(self) -> Path:
        """Rename the temporary file over the target; return the target."""
        os.replace(self.tmp, self.path)
        return self.path

    def abort(self) -> None:
        """Remove the temporary file (the target is untouched)."""
        self.tmp.unlink(missing_ok=True)

    def __enter__(self) -> Path:
        return self.tmp

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.commit()
        else:
            self.abort()


def atomic_write_bytes(path: str | os.PathLike, data: bytes, *, sync: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically (replacing an existing file).

    Parameters
    ----------
    path : str or path-like
    data : bytes
    sync : bool, optional
        ``fsync`` the data before the rename.

    Returns
    -------
    Path
    """
    target = AtomicPath(path, overwrite=True)
    try:
        with open(target.tmp, "wb") as handle:
            handle.write(data)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        return target.commit()
    except BaseException:
        target.abort()
        raise
