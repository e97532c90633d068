"""Chunked readers of catalogue files (Parquet, CSV, FITS) for streamed classification.

Each source opens a file (or a directory/glob of Parquet parts), exposes the
Arrow ``schema``, a zero-row astropy ``template`` (units, meta), the ``total``
work in ``unit`` ("rows" or "bytes") and yields :class:`Chunk` objects. Which
source reads which extension is declared once, in :mod:`nebuladapt.io.formats`.
An input they cannot stream raises :class:`StreamingUnsupported` before anything
is written.
"""

from __future__ import annotations

import glob
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from nebuladapt.catalogs.errors import CatalogError
from nebuladapt.catalogs.tables import UNPARSED_UNIT_WARNING
from nebuladapt.io.formats import FORMATS, input_format

__all__ = [
    "CSV_BLOCK_BYTES",
    "Chunk",
    "CsvSource",
    "FitsSource",
    "ParquetSource",
    "StreamingUnsupported",
    "arrow_template",
    "arrow_values",
    "numpy_to_arrow",
    "strings_to_arrow",
    "open_source",
    "parquet_files",
    "table_to_arrow",
]

#: Bytes per CSV block (a CSV chunk).
CSV_BLOCK_BYTES = 1 << 25
#: Columns whose presence marks a file as nebuladapt's own output.
PREDICTION_MARKER = "pred_class"


class StreamingUnsupported(Exception):
    """This input cannot be streamed; classify it in memory instead (nothing was written)."""


def _natural_key(path: str):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path)]


def parquet_files(path, skipped: list | None = None) -> list[str]:
    """Parquet files of a file, a directory (recursively) or a glob, in natural order.

    Hidden and ``_``-prefixed files (``_metadata``, temporary files) are skipped,
    and so are files of a directory or glob that hold a ``pred_class`` column:
    nebuladapt's own earlier outputs are never read back as inputs.

    Parameters
    ----------
    path : str or path-like
    skipped : list, optional
        Receives the paths of the earlier outputs skipped (for a message).

    Raises
    ------
    CatalogError
        If nothing matches.
    """
    text = str(path)
    if Path(text).is_file():  # an existing name is never a pattern, even with [ ] in it
        return [text]
    if Path(text).is_dir():
        extensions = FORMATS["parquet"].extensions
        files = [
            str(p) for p in Path(text).rglob("*")
            if p.is_file() and p.name.lower().endswith(extensions)
        ]
    elif any(ch in text for ch in "*?["):
        files = glob.glob(text, recursive=True)
    else:
        raise CatalogError(f"{text}: file not found; check the path")
    files = [f for f in files if not Path(f).name.startswith((".", "_"))]
    outputs = [f for f in files if _is_prediction_output(f)]
    if skipped is not None:
        skipped.extend(outputs)
    files = [f for f in files if f not in outputs]
    if not files:
        also = f" (skipped {len(outputs)} earlier nebuladapt output(s))" if outputs else ""
        raise CatalogError(
            f"{text}: no .parquet catalogue files found{also}; pass a Parquet file, a "
            "directory of them or a glob"
        )
    return sorted(files, key=_natural_key)


def _is_prediction_output(path: str) -> bool:
    """True for a Parquet file that carries nebuladapt's prediction columns."""
    import pyarrow.parquet as pq

    try:
        return PREDICTION_MARKER in pq.read_schema(path).names
    except Exception:  # damaged files are reported by the reader, not here
        return False


@dataclass
class Chunk:
    """Rows read: an Arrow table, the work done so far, and the line columns if already read."""

    table: object  # pyarrow.Table
    progress: int
    lines: object = None  # astropy Table of the line columns, when already read


class ParquetSource:
    """Parquet: one file, a directory of part files or a glob (``iter_batches``)."""

    def __init__(self, path, chunk_rows: int):
        import pyarrow.parquet as pq

        self.skipped: list[str] = []
        self.files = parquet_files(path, self.skipped)
        self.source = str(path)
        self.chunk_rows = chunk_rows
        try:
            metas = [pq.read_metadata(f) for f in self.files]
            schemas = [pq.read_schema(f) for f in self.files]
        except Exception as exc:  # pyarrow raises many types for damaged files
            raise StreamingUnsupported(f"{path}: {exc}") from exc
        self.schema = schemas[0]
        for name, schema in zip(self.files, schemas):
            if schema.remove_metadata() != self.schema.remove_metadata():
                raise CatalogError(
                    f"{name}: its columns differ from those of {self.files[0]}; give every "
                    "part file of the catalogue the same columns and types"
                )
        self.total = sum(m.num_rows for m in metas)
        self.unit = "rows"
        self.template = self._template()
        metadata = self.schema.metadata or {}
        self.input_yaml = metadata.get(b"table_meta_yaml", b"").decode("utf-8", "replace") or None

    def _template(self):
        from astropy.table import Table

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                template = Table.read(self.files[0], format="parquet", schema_only=True)
            if set(template.colnames) <= set(self.schema.names):  # masked columns: X, X.mask
                return template
        except Exception:  # astropy cannot represent every Arrow type; fall back
            pass
        return arrow_template(self.schema)

    def chunks(self) -> Iterator[Chunk]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        done = 0
        for name in self.files:
            try:
                handle = pq.ParquetFile(name)
                for group in range(handle.num_row_groups):  # one at a time: bounded read-ahead
                    batches = handle.iter_batches(
                        batch_size=self.chunk_rows, row_groups=[group], use_threads=True
                    )
                    for batch in batches:
                        done += batch.num_rows
                        table = pa.Table.from_batches([batch]).replace_schema_metadata(None)
                        yield Chunk(table, done)
            except pa.ArrowException as exc:
                raise CatalogError(
                    f"{name}: cannot be read as parquet ({' '.join(str(exc).split())[:200]}); "
                    "the file may be corrupt or truncated - re-export it"
                ) from exc


def arrow_values(column) -> np.ndarray:
    """The values of an Arrow array or chunked array as NumPy, without importing pandas.

    The same values and dtype as ``ChunkedArray.to_numpy()``: nulls become NaN
    in float columns. Float columns, and integer columns without nulls, are
    read straight from the Arrow buffers
    (a read-only view when there are no nulls): pyarrow's own ``to_numpy`` and
    ``pyarrow.compute`` import pandas on their way, ~0.3 s of
    ``nebuladapt predict``'s start-up. Other types go through ``to_numpy``.
    """
    import pyarrow as pa

    if isinstance(column, pa.ChunkedArray):
        column = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    floating = pa.types.is_floating(column.type)
    if not (floating or (pa.types.is_integer(column.type) and not column.null_count)):
        return column.to_numpy(zero_copy_only=False)
    dtype = np.dtype(column.type.to_pandas_dtype())
    n, offset = len(column), column.offset
    validity, data = column.buffers()[:2]
    if n == 0 or data is None:
        return np.zeros(n, dtype=dtype)
    values = np.frombuffer(data, dtype=dtype, count=n, offset=offset * dtype.itemsize)
    if column.null_count:
        bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
        values = np.where(bits[offset : offset + n].astype(bool), values, np.nan).astype(dtype)
    return values


def numpy_to_arrow(values: np.ndarray):
    """A 1-D numeric NumPy array (no nulls) as an Arrow array, without importing pandas.

    ``pyarrow.array`` asks pandas about its input (importing it) on its way.
    """
    import pyarrow as pa

    values = np.ascontiguousarray(values)
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values),
                                 [None, pa.py_buffer(values)])


def strings_to_arrow(words):
    """A sequence of str as an Arrow ``string`` array (no nulls), without importing pandas."""
    import pyarrow as pa

    encoded = [str(word).encode("utf-8") for word in words]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    return pa.Array.from_buffers(pa.string(), len(encoded),
                                 [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))])


def arrow_template(schema):
    """A zero-row astropy Table with the NumPy dtypes of an Arrow schema."""
    from astropy.table import Table

    empty = schema.empty_table()
    return Table({name: arrow_values(empty.column(name)) for name in schema.names})


class _CountingFile:
    """A binary file that counts the bytes read (for a CSV progress bar)."""

    def __init__(self, path):
        self.handle = open(path, "rb")
        self.count = 0
        self.closed = False

    def read(self, size=-1):
        data = self.handle.read(size)
        self.count += len(data)
        return data

    def readable(self):
        return True

    def seekable(self):
        return False

    def close(self):
        self.closed = True
        self.handle.close()


class CsvSource:
    """CSV: pyarrow's streaming reader, 32 MB blocks; progress in bytes."""

    def __init__(self, path, chunk_rows: int):
        import pyarrow as pa
        import pyarrow.csv as pcsv

        self.path = Path(path)
        self.source = str(path)
        if not self.path.is_file():
            raise CatalogError(f"{path}: file not found; check the path")
        self.total = self.path.stat().st_size
        self.unit = "bytes"
        try:
            reader = pcsv.open_csv(self.path, read_options=pcsv.ReadOptions(block_size=1 << 16))
            names = reader.schema.names
            reader.close()
        except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
            raise StreamingUnsupported(f"{path}: {exc}") from exc
        from nebuladapt.catalogs.columns import split_flux_column

        self.float_columns = {n: pa.float64() for n in names if split_flux_column(n)}
        self.convert = pcsv.ConvertOptions(
            column_types=self.float_columns, null_values=[""], strings_can_be_null=True
        )
        try:
            reader = self._open(None)
            self.schema = reader.schema
            reader.close()
        except (pa.ArrowInvalid, OSError) as exc:
            raise StreamingUnsupported(f"{path}: {exc}") from exc
        self.template = arrow_template(self.schema)

    def _open(self, handle):
        import pyarrow.csv as pcsv

        return pcsv.open_csv(
            handle if handle is not None else self.path,
            read_options=pcsv.ReadOptions(block_size=CSV_BLOCK_BYTES),
            convert_options=self.convert,
        )

    def chunks(self) -> Iterator[Chunk]:
        import pyarrow as pa

        handle = _CountingFile(self.path)
        try:
            reader = self._open(handle)
            if reader.schema != self.schema:
                raise StreamingUnsupported(f"{self.path}: column types changed")
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    break
                except pa.ArrowInvalid as exc:  # a later block disagrees with the inferred types
                    raise StreamingUnsupported(f"{self.path}: {exc}") from exc
                yield Chunk(pa.Table.from_batches([batch]), handle.count)
        finally:
            handle.close()


class FitsSource:
    """FITS: the first table HDU with rows, memory-mapped and sliced."""

    def __init__(self, path, chunk_rows: int, hdu=None):
        from astropy.io import fits

        self.path = Path(path)
        self.source = str(path)
        self.chunk_rows = chunk_rows
        self.unit = "rows"
        if not self.path.is_file():
            raise CatalogError(f"{path}: file not found; check the path")
        try:
            self.hdul = fits.open(self.path, memmap=True, lazy_load_hdus=True)
            self.index = self._table_hdu() if hdu is None else hdu
            table_hdu = self.hdul[self.index]
            self.header = table_hdu.header
            self.total = int(self.header["NAXIS2"])
            self.data = table_hdu.data
        except StreamingUnsupported:
            raise
        except Exception as exc:  # damaged files: the in-memory reader words the error
            raise StreamingUnsupported(f"{path}: {exc}") from exc
        for column in table_hdu.columns:
            if "P" in str(column.format) or "Q" in str(column.format):
                raise StreamingUnsupported(f"{path}: variable-length column {column.name}")
        self.template = self._read(0, 0)
        self.schema = table_to_arrow(self.template).schema  # array columns: unsupported

    def _table_hdu(self) -> int:
        from astropy.io import fits

        for index, hdu in enumerate(self.hdul):
            if isinstance(hdu, (fits.BinTableHDU, fits.TableHDU)) and hdu.header.get("NAXIS2", 0) > 0:
                return index
        raise StreamingUnsupported(f"{self.path}: no table HDU with rows")

    def _read(self, start: int, stop: int):
        from astropy.io import fits
        from astropy.table import Table

        with warnings.catch_warnings():
            # FITS units astropy's FITS parser does not know ("1e-20 erg/s/cm2") are parsed
            # again by the line reader (nebuladapt.catalogs.units.unit_of): no warning.
            warnings.filterwarnings("ignore", message=UNPARSED_UNIT_WARNING)
            if start > 0:
                warnings.simplefilter("ignore")
            hdu = fits.BinTableHDU(data=self.data[start:stop], header=self.header)
            return Table.read(hdu, mask_invalid=False)

    def chunks(self) -> Iterator[Chunk]:
        try:
            for start in range(0, self.total, self.chunk_rows):
                stop = min(self.total, start + self.chunk_rows)
                table = self._read(start, stop)
                yield Chunk(table_to_arrow(table), stop, lines=table)
        finally:
            self.close()

    def close(self):
        self.hdul.close()


def table_to_arrow(table):
    """An astropy Table of one-dimensional columns as a pyarrow Table (units dropped)."""
    import pyarrow as pa

    arrays, names = [], []
    for name in table.colnames:
        column = table[name]
        data = np.asarray(getattr(column, "data", column))
        data = np.ma.getdata(data)
        mask = np.ma.getmaskarray(column) if hasattr(column, "mask") else None
        if data.ndim != 1:
            raise StreamingUnsupported(f"column {name} has shape {data.shape}")
        if data.dtype.kind == "S":
            array = pa.array(data, type=pa.binary()).cast(pa.string())
        elif data.dtype.kind == "U":
            array = pa.array(data, type=pa.string())
        else:
            if data.dtype.byteorder not in ("=", "|"):
                data = data.astype(data.dtype.newbyteorder("="))
            array = pa.array(data, mask=mask if mask is not None and mask.any() else None)
        arrays.append(array)
        names.append(name)
    return pa.Table.from_arrays(arrays, names=names)


def open_source(path, chunk_rows: int, format: str | None = None):
    """The streaming reader for a path (:func:`nebuladapt.io.formats.input_format`).

    Raises
    ------
    StreamingUnsupported
        When the format has no streaming reader (read it in memory).
    """
    fmt = input_format(path, format)
    source = fmt.streamer_class() if fmt is not None else None
    if source is None:
        raise StreamingUnsupported(f"{path}: not a Parquet, CSV or FITS file")
    return source(path, chunk_rows)
