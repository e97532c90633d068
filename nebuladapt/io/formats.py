"""The format registry: one table from file extension to reader, streamer and writer.

Every part of nebuladapt that needs to know "what is this file" asks here:
:func:`nebuladapt.catalogs.read_catalog` (in-memory reading),
:mod:`nebuladapt.streaming` (chunked reading and writing),
:func:`nebuladapt.output.write_table` (result tables) and the CLI's
``--format`` option. Adding a format is one :class:`Format` line below plus
the classes it names.

A directory (or a glob) is read as a dataset of Parquet part files.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "FORMATS",
    "Format",
    "format_named",
    "input_format",
    "output_format",
]


@dataclass(frozen=True)
class Format:
    """One file format.

    Attributes
    ----------
    name : str
        The name users pass as ``--format`` / ``format=``.
    extensions : tuple of str
        Lower-case file-name endings (``.fits.gz`` included where it applies).
    astropy : str or None
        The :meth:`astropy.table.Table.read`/``write`` format, or None for
        formats read by nebuladapt's own parser (line lists).
    streamer : str or None
        ``"module:Class"`` of the chunked reader (:mod:`nebuladapt.io.sources`),
        or None when the format is only read in memory.
    writer : str or None
        ``"module:Class"`` of the incremental writer, or None when
        nebuladapt does not write the format.
    """

    name: str
    extensions: tuple[str, ...]
    astropy: str | None
    streamer: str | None = None
    writer: str | None = None

    def streamer_class(self):
        """The chunked reader class (imported on first use), or None."""
        return _load(self.streamer)

    def writer_class(self):
        """The incremental writer class (imported on first use), or None."""
        return _load(self.writer)


def _load(target: str | None):
    if target is None:
        return None
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


_SOURCES = "nebuladapt.io.sources"
_WRITERS = "nebuladapt.io.writers"

#: Every format, by name (the one declaration).
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("parquet", (".parquet", ".pq"), "parquet",
               f"{_SOURCES}:ParquetSource", f"{_WRITERS}:ParquetWriter"),
        Format("csv", (".csv",), "ascii.csv", f"{_SOURCES}:CsvSource", f"{_WRITERS}:CsvWriter"),
        Format("fits", (".fits", ".fit", ".fts", ".fits.gz", ".fit.gz"), "fits",
               f"{_SOURCES}:FitsSource", "nebuladapt.io.fits_writer:FitsWriter"),
        Format("ecsv", (".ecsv",), "ascii.ecsv"),
        Format("ascii", (".txt", ".tsv"), "ascii"),
        Format("linelist", (".dat",), None),
    )
}


def format_named(name: str) -> Format:
    """The format called ``name``.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the known ones).
    """
    try:
        return FORMATS[name]
    except KeyError:
        raise ValueError(
            f"unknown format {name!r}; use one of {', '.join(FORMATS)}"
        ) from None


def _by_extension(path) -> Format | None:
    name = Path(path).name.lower()
    matches = [
        (len(ext), fmt) for fmt in FORMATS.values() for ext in fmt.extensions if name.endswith(ext)
    ]
    return max(matches, key=lambda m: m[0])[1] if matches else None


def input_format(path: str | os.PathLike, name: str | None = None) -> Format | None:
    """The format of an input path: ``name`` if given, a directory or glob -> Parquet,
    else by extension (None when the extension does not tell)."""
    if name is not None:
        return format_named(name)
    text = str(path)
    if Path(text).is_dir() or (not Path(text).exists() and any(c in text for c in "*?[")):
        return FORMATS["parquet"]
    return _by_extension(path)


def output_format(path: str | os.PathLike, name: str | None = None) -> Format:
    """The format nebuladapt writes to ``path`` (by ``name`` or extension).

    Raises
    ------
    ValueError
        When the format is unknown or nebuladapt does not write it.
    """
    fmt = format_named(name) if name is not None else _by_extension(path)
    writable = sorted(ext for f in FORMATS.values() if f.writer for ext in f.extensions
                      if not ext.endswith(".gz") and ext != ".fts" and ext != ".pq")
    if fmt is None or fmt.writer is None or (name is None and str(path).lower().endswith(".gz")):
        suffix = Path(path).suffix.lower()
        raise ValueError(
            f"{path}: unknown output extension {suffix!r}; use one of {', '.join(writable)}"
        )
    return fmt
