"""Writing result tables: format from the registry, atomically, never clobbering."""

from __future__ import annotations

from pathlib import Path

from astropy.table import Table

from nebuladapt.io.atomic import AtomicPath
from nebuladapt.io import formats

__all__ = ["output_format", "write_table"]


def output_format(path, format: str | None = None) -> str:
    """The astropy format for an output path (:func:`nebuladapt.io.formats.output_format`).

    Raises
    ------
    ValueError
        For a format nebuladapt does not write (the message lists those it does).
    """
    return formats.output_format(path, format).astropy


def write_table(table: Table, path, overwrite: bool = False, format: str | None = None) -> Path:
    """Write ``table`` to ``path`` through :class:`~nebuladapt.io.atomic.AtomicPath`.

    An interrupted or failed write leaves no partial output, the file gets the
    user's umask, and an existing file is replaced only with ``overwrite=True``.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.
    """
    fmt = output_format(path, format)
    target = AtomicPath(path, overwrite)
    try:
        table.write(target.tmp, format=fmt, overwrite=True)
    except BaseException:
        target.abort()
        raise
    return target.commit()
