"""Writing result tables: format by extension, atomically, never clobbering."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from astropy.table import Table

__all__ = ["OUTPUT_FORMATS", "output_format", "write_table"]

#: File extension -> astropy writer format.
OUTPUT_FORMATS = {".csv": "ascii.csv", ".fits": "fits", ".fit": "fits", ".parquet": "parquet"}


def output_format(path) -> str:
    """The astropy format for an output path, by its extension.

    Raises
    ------
    ValueError
        For an extension other than .csv, .fits/.fit or .parquet.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in OUTPUT_FORMATS:
        raise ValueError(
            f"{path}: unknown output extension {suffix!r}; use one of "
            f"{', '.join(sorted(OUTPUT_FORMATS))}"
        )
    return OUTPUT_FORMATS[suffix]


def write_table(table: Table, path, overwrite: bool = False) -> Path:
    """Write ``table`` to ``path`` via a temporary file and an atomic rename.

    An interrupted or failed write leaves no partial output, and an existing
    file is replaced only with ``overwrite=True``.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.
    """
    path = Path(path)
    fmt = output_format(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path}: exists; pass --overwrite to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(fd)
    try:
        table.write(tmp, format=fmt, overwrite=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
