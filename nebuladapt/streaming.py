"""Streamed classification: chunked readers and incremental, atomic writers.

``nebuladapt predict`` classifies catalogues of any length with flat memory:

* **read** in chunks: Parquet (one file, a directory of part files or a glob;
  pyarrow ``iter_batches``), CSV (pyarrow's streaming CSV reader) and FITS
  (astropy memory map, sliced);
* **classify** each chunk with the same code as the in-memory path: the line
  columns of the chunk go through :func:`nebuladapt.catalogs.read_phangs_table`,
  :func:`nebuladapt.dust.deredden_catalog` and
  :func:`nebuladapt.predict.predict_catalog`; every input column passes through
  untouched (as Arrow data, never converted row by row);
* **write** incrementally to a temporary file beside the output, renamed over
  it at the end (an interrupted run leaves nothing): Parquet (``ParquetWriter``),
  CSV (pyarrow's CSV writer) or FITS (chunks are spilled to a temporary Arrow
  file first, because a FITS table's column widths must be known before its
  first row is written).

Two chunks are classified at a time in threads (NumPy, PyTorch and Arrow
release the GIL), with the network single-threaded, while the main thread reads
and writes; at most ``workers + 1`` chunks are in memory. Output row order is
input row order, and the output does not depend on the chunk size (see
:data:`nebuladapt.predict.FORWARD_BATCH`).

Inputs the streaming readers do not handle (line lists, ratio tables, ECSV/ASCII
text, FITS with array or variable-length columns) raise :class:`StreamingUnsupported`
before anything is written; a CSV whose column types change after its first
block raises it when the change is met, after removing the partial output. The
caller then uses the in-memory path.
"""

from __future__ import annotations

import glob
import os
import re
import tempfile
import threading
import warnings
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from nebuladapt.catalogs import CatalogError
from nebuladapt.predict import PREDICTION_COLUMNS, PredictionSummary, check_no_prediction_columns

__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "StreamingUnsupported",
    "StreamSummary",
    "LineColumns",
    "OutputSpec",
    "parquet_files",
    "classify_arrow",
    "classify_file",
    "torch_threads",
]

#: Rows per chunk (the memory high-water mark scales with it, not with the file).
DEFAULT_CHUNK_ROWS = 1 << 17
#: Rows per Parquet row group: fixed, so that the output bytes do not depend on the chunk size.
PARQUET_ROW_GROUP = 1 << 17
_CSV_BLOCK_BYTES = 1 << 25
_PARQUET_SUFFIXES = (".parquet", ".pq")
_CSV_SUFFIXES = (".csv",)
_FITS_SUFFIXES = (".fits", ".fit", ".fts")


class StreamingUnsupported(Exception):
    """This input cannot be streamed; classify it in memory instead (nothing was written)."""


#: What a streamed run classified (rows, rows per class, rows per flag reason).
StreamSummary = PredictionSummary


_THREADS_LOCK = threading.Lock()
_THREADS_USERS = 0
_THREADS_SAVED = 0


@contextmanager
def torch_threads(n: int = 1):
    """Run PyTorch with ``n`` intra-op threads, restoring the previous setting after.

    Safe to nest and to enter from several threads at once (e.g. Dask worker
    threads): the first entry saves the setting, the last exit restores it.
    Small network calls are fastest single-threaded; parallelism comes from
    classifying several chunks at once.
    """
    global _THREADS_USERS, _THREADS_SAVED
    import torch

    with _THREADS_LOCK:
        if _THREADS_USERS == 0:
            _THREADS_SAVED = torch.get_num_threads()
            torch.set_num_threads(n)
        _THREADS_USERS += 1
    try:
        yield
    finally:
        with _THREADS_LOCK:
            _THREADS_USERS -= 1
            if _THREADS_USERS == 0:
                torch.set_num_threads(_THREADS_SAVED)


# ----------------------------------------------------------------------- line columns
@dataclass(frozen=True)
class LineColumns:
    """The input columns the line reader needs, with their units (picklable).

    Built once per file from a zero-row template of the input table, so that
    column mapping, unit and format errors surface before anything is read.
    """

    source: str
    columns: tuple[str, ...]
    units: tuple[str | None, ...]
    masks: tuple[str | None, ...] = ()

    @classmethod
    def from_template(cls, template, source: str, schema_names=()) -> "LineColumns":
        """Validate a zero-row astropy table and pick its line columns.

        Raises
        ------
        CatalogError
            No line column, non-numeric line columns, inconsistent units ...
        StreamingUnsupported
            A ratio table (read by :func:`nebuladapt.catalogs.read_ratio_table`).
        """
        from nebuladapt.catalogs import _looks_like_ratio_table
        from nebuladapt.catalogs.phangs import (
            DUST_FLAG_COLUMN,
            _map_bare_columns,
            _map_columns,
            read_phangs_table,
        )

        template.meta["source"] = source
        if _looks_like_ratio_table(template, source):
            raise StreamingUnsupported(f"{source}: a ratio table")
        read_phangs_table(template, allow_empty=True)  # raises CatalogError early
        mapping, _ = _map_columns(template, source)
        names = {name for kinds in mapping.values() for name in kinds.values()}
        try:
            bare = _map_bare_columns(template, source)
        except CatalogError:
            bare = {}
        names |= {name for kinds in bare.values() for name in kinds.values()}
        names |= {c for c in template.colnames if c.upper() == DUST_FLAG_COLUMN}
        columns = tuple(c for c in template.colnames if c in names)
        units = tuple(
            None if template[c].unit is None else template[c].unit.to_string() for c in columns
        )
        masks = tuple(f"{c}.mask" if f"{c}.mask" in schema_names else None for c in columns)
        return cls(source, columns, units, masks)

    def table(self, chunk):
        """The line columns of an Arrow chunk as an astropy Table (as astropy's reader would)."""
        from astropy.table import Column, MaskedColumn, Table

        table = Table(meta={"source": self.source})
        masks = self.masks or (None,) * len(self.columns)
        for name, unit, mask in zip(self.columns, self.units, masks):
            values = np.asarray(chunk.column(name).to_numpy())
            if mask is None:
                table.add_column(Column(values, name=name, unit=unit, copy=False))
            else:  # astropy's Parquet serialisation of a masked column
                flags = np.asarray(chunk.column(mask).to_numpy(), dtype=bool)
                table.add_column(MaskedColumn(values, name=name, unit=unit, mask=flags))
        return table


_LOCAL = threading.local()


def _default_law():
    """The default extinction law, built once per thread (building it costs more than using it)."""
    law = getattr(_LOCAL, "law", None)
    if law is None:
        from nebuladapt.dust import default_law

        law = _LOCAL.law = default_law()
    return law


def _needed_lines(model) -> set[str]:
    """Lines the prediction of ``model`` reads (dereddening the others would be wasted work)."""
    from nebuladapt.lines import DOUBLET_RATIOS, SUMMED_LINES

    lines = set(model.lines_) | {"HA6562", "HB4861"}
    for line in list(lines):
        lines |= set(SUMMED_LINES.get(line, ()))
    lines |= {weak for (strong, weak) in DOUBLET_RATIOS if strong in lines}
    return lines


def classify_arrow(chunk, model, line_columns: LineColumns, lines_table=None):
    """Classify one Arrow chunk: the chunk with the prediction columns appended.

    Parameters
    ----------
    chunk : pyarrow.Table or pyarrow.RecordBatch
        Rows of the input catalogue (every column is passed through).
    model : NebulaClassifier
    line_columns : LineColumns
        From :meth:`LineColumns.from_template` for this input.
    lines_table : astropy.table.Table, optional
        The chunk's line columns, when already read (FITS); else built from
        ``chunk``.

    Returns
    -------
    table : pyarrow.Table
    predictions : Predictions
    """
    import pyarrow as pa

    from nebuladapt.catalogs.phangs import read_phangs_table
    from nebuladapt.dust import deredden_catalog
    from nebuladapt.predict import predict_catalog

    if isinstance(chunk, pa.RecordBatch):
        chunk = pa.Table.from_batches([chunk])
    if lines_table is None:
        lines_table = line_columns.table(chunk)
    catalog = read_phangs_table(lines_table, allow_empty=True)
    keep = _needed_lines(model)
    catalog = replace(
        catalog,
        flux={k: v for k, v in catalog.flux.items() if k in keep},
        flux_err={k: v for k, v in catalog.flux_err.items() if k in keep},
        upper_limits={k: v for k, v in catalog.upper_limits.items() if k in keep},
    )
    predictions = predict_catalog(deredden_catalog(catalog, law=_default_law()), model)
    columns = predictions.arrow_columns(dictionary=True)
    for name in PREDICTION_COLUMNS:
        chunk = chunk.append_column(name, columns[name])
    return chunk, predictions


def _text_type(dictionary: bool):
    """Arrow type of ``pred_class`` and ``flag`` (dictionary: as :func:`classify_arrow` makes them)."""
    import pyarrow as pa

    return pa.dictionary(pa.int32(), pa.string()) if dictionary else pa.string()


def output_schema(schema, dictionary: bool = False):
    """Input Arrow schema plus the prediction columns (metadata dropped).

    ``dictionary=True``: ``pred_class`` and ``flag`` dictionary-encoded, as
    :func:`classify_arrow` returns them (Parquet stores them as strings).
    """
    import pyarrow as pa

    fields = list(schema) + [
        pa.field("pred_class", _text_type(dictionary)),
        *(pa.field(f"prob_{c}", pa.float64()) for c in ("HII", "PN", "SNR")),
        pa.field("flag", _text_type(dictionary)),
    ]
    return pa.schema(fields)


# ----------------------------------------------------------------------------- sources
def _natural_key(path: str):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path)]


def parquet_files(path) -> list[str]:
    """Parquet files of a file, a directory (recursively) or a glob, in natural order.

    Hidden and ``_``-prefixed files (``_metadata``, ``.part.tmp``) are skipped.

    Raises
    ------
    CatalogError
        If nothing matches.
    """
    text = str(path)
    if Path(text).is_file():  # an existing name is never a pattern, even with [ ] in it
        return [text]
    if Path(text).is_dir():
        files = [
            str(p) for p in Path(text).rglob("*")
            if p.is_file() and p.suffix.lower() in _PARQUET_SUFFIXES
        ]
    elif any(ch in text for ch in "*?["):
        files = glob.glob(text, recursive=True)
    else:
        raise CatalogError(f"{text}: file not found; check the path")
    files = [f for f in files if not Path(f).name.startswith((".", "_"))]
    if not files:
        raise CatalogError(
            f"{text}: no .parquet files found; pass a Parquet file, a directory of them or a glob"
        )
    return sorted(files, key=_natural_key)


@dataclass
class _Chunk:
    table: object  # pyarrow.Table
    progress: int
    lines: object = None  # astropy Table of the line columns, when already read


class _ParquetSource:
    def __init__(self, path, chunk_rows: int):
        import pyarrow.parquet as pq

        self.files = parquet_files(path)
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
        return _arrow_template(self.schema)

    def chunks(self) -> Iterator[_Chunk]:
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
                        yield _Chunk(table, done)
            except pa.ArrowException as exc:
                raise CatalogError(
                    f"{name}: cannot be read as parquet ({' '.join(str(exc).split())[:200]}); "
                    "the file may be corrupt or truncated - re-export it"
                ) from exc


def _arrow_template(schema):
    """A zero-row astropy Table with the NumPy dtypes of an Arrow schema."""
    from astropy.table import Table

    empty = schema.empty_table()
    return Table({name: empty.column(name).to_numpy() for name in schema.names})


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


class _CsvSource:
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
        from nebuladapt.catalogs.phangs import _split_flux_column

        self.float_columns = {n: pa.float64() for n in names if _split_flux_column(n)}
        self.convert = pcsv.ConvertOptions(
            column_types=self.float_columns, null_values=[""], strings_can_be_null=True
        )
        try:
            reader = self._open(None)
            self.schema = reader.schema
            reader.close()
        except (pa.ArrowInvalid, OSError) as exc:
            raise StreamingUnsupported(f"{path}: {exc}") from exc
        self.template = _arrow_template(self.schema)

    def _open(self, handle):
        import pyarrow.csv as pcsv

        return pcsv.open_csv(
            handle if handle is not None else self.path,
            read_options=pcsv.ReadOptions(block_size=_CSV_BLOCK_BYTES),
            convert_options=self.convert,
        )

    def chunks(self) -> Iterator[_Chunk]:
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
                yield _Chunk(pa.Table.from_batches([batch]), handle.count)
        finally:
            handle.close()


class _FitsSource:
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
        self.schema = _table_to_arrow(self.template).schema  # array columns: unsupported

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
            if start > 0:
                warnings.simplefilter("ignore")
            hdu = fits.BinTableHDU(data=self.data[start:stop], header=self.header)
            return Table.read(hdu, mask_invalid=False)

    def chunks(self) -> Iterator[_Chunk]:
        try:
            for start in range(0, self.total, self.chunk_rows):
                stop = min(self.total, start + self.chunk_rows)
                table = self._read(start, stop)
                yield _Chunk(_table_to_arrow(table), stop, lines=table)
        finally:
            self.close()

    def close(self):
        self.hdul.close()


def _table_to_arrow(table):
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


def _open_source(path, chunk_rows: int):
    """The streaming reader for a path, by extension (or a directory/glob of Parquet)."""
    text = str(path).lower()
    pattern = not Path(path).exists() and any(ch in str(path) for ch in "*?[")
    if Path(path).is_dir() or pattern or text.endswith(_PARQUET_SUFFIXES):
        return _ParquetSource(path, chunk_rows)
    if text.endswith(_CSV_SUFFIXES):
        return _CsvSource(path, chunk_rows)
    if text.endswith(_FITS_SUFFIXES):
        return _FitsSource(path, chunk_rows)
    raise StreamingUnsupported(f"{path}: not a Parquet, CSV or FITS file")


# ----------------------------------------------------------------------------- writers
class _AtomicPath:
    """A temporary file beside ``path``, renamed over it on commit, removed on abort."""

    def __init__(self, path: Path, overwrite: bool):
        if path.exists() and not overwrite:
            raise FileExistsError(f"{path}: exists; pass --overwrite to replace it")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
        os.close(fd)
        self.path, self.tmp = path, Path(tmp)

    def commit(self) -> None:
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self.tmp.unlink(missing_ok=True)


_PLAIN_TYPES = ("int", "uint", "float", "double", "halffloat", "bool", "string", "large_string")


def _string_lengths(table, lengths: dict) -> None:
    """Update the longest string (in characters) of each string column."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for name, column in zip(table.column_names, table.columns):
        if pa.types.is_dictionary(column.type):  # the distinct values are enough
            chunks = [c.dictionary for c in column.chunks if len(c)]
            longest = max((pc.max(pc.utf8_length(d)).as_py() or 0 for d in chunks if len(d)), default=0)
            lengths[name] = max(lengths.get(name, 0), longest)
        elif pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            longest = pc.max(pc.utf8_length(column)).as_py() if len(column) else None
            lengths[name] = max(lengths.get(name, 0), longest or 0)


def _canonical_dictionaries(table):
    """Dictionary columns re-encoded with one sorted dictionary of the values used.

    So that a row group's bytes depend on its rows only, not on how the rows
    were cut into chunks (each chunk comes with its own dictionary).
    """
    import pyarrow as pa

    for index, field in enumerate(table.schema):
        if not pa.types.is_dictionary(field.type):
            continue
        chunks = [c for c in table.column(index).chunks if len(c)]
        used = []
        for chunk in chunks:
            words = chunk.dictionary.to_pylist()
            counts = np.bincount(chunk.indices.to_numpy(zero_copy_only=False), minlength=len(words))
            used.append((words, chunk.indices.to_numpy(zero_copy_only=False), counts))
        vocabulary = sorted({w for words, _, counts in used for w, c in zip(words, counts) if c})
        position = {w: i for i, w in enumerate(vocabulary)}
        codes = [np.array([position.get(w, -1) for w in words], dtype=np.int32)[indices]
                 for words, indices, _ in used]
        indices = np.concatenate(codes) if codes else np.zeros(0, dtype=np.int32)
        column = pa.DictionaryArray.from_arrays(pa.array(indices), pa.array(vocabulary, pa.string()))
        table = table.set_column(index, field, column)
    return table


@dataclass
class OutputSpec:
    """What a writer needs to know about the input: Arrow schema, astropy template, header."""

    schema: object  # pyarrow.Schema of the input columns
    template: object = None  # zero-row astropy Table (units, meta), or None
    input_yaml: str | None = None  # astropy's Parquet header of the input, if any

    @property
    def masked(self) -> list[str]:
        """Columns astropy serialised as ``X`` and ``X.mask`` (Parquet written by astropy)."""
        names = set(self.schema.names)
        template = self.template.colnames if self.template is not None else ()
        return [n for n in template if f"{n}.mask" in names]


def _prediction_columns():
    from astropy.table import Column

    columns = [Column(np.zeros(0, dtype="U3"), name="pred_class")]
    columns += [Column(np.zeros(0), name=f"prob_{cls}") for cls in ("HII", "PN", "SNR")]
    return columns + [Column(np.zeros(0, dtype="U1"), name="flag")]


def _output_yaml(spec: OutputSpec) -> str | None:
    """astropy's ``table_meta_yaml`` for the output (units, meta, masked columns), or None.

    Extends the input's own header when it has one (so that astropy rebuilds
    its masked and mixin columns), else describes the template's columns.
    """
    from astropy.table import Column
    from astropy.table.meta import get_header_from_yaml, get_yaml_from_header, get_yaml_from_table

    try:
        if spec.input_yaml:
            header = get_header_from_yaml(spec.input_yaml.splitlines())
            described = [d["name"] for d in header["datatype"]]
            if described != list(spec.schema.names) or any("subtype" in d for d in header["datatype"]):
                return None
            columns = [
                Column(np.zeros(0, dtype="U1" if d["datatype"] == "string" else d["datatype"]),
                       name=d["name"], unit=d.get("unit"), description=d.get("description"),
                       format=d.get("format"), meta=d.get("meta"))
                for d in header["datatype"]
            ]
            header = {k: v for k, v in header.items() if k != "datatype"}
            header["cols"] = columns + _prediction_columns()
            return "\n".join(get_yaml_from_header(header))
        if spec.template is None or spec.template.colnames != list(spec.schema.names):
            return None
        out = spec.template.copy(copy_data=False)
        out.add_columns(_prediction_columns())
        return "\n".join(get_yaml_from_table(out))
    except Exception:  # exotic metadata: write the data without astropy's header
        return None


def _fold_masks(table, masked: list[str]):
    """Turn astropy's ``X`` + ``X.mask`` column pairs into one column with nulls."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for name in masked:
        column, mask = table.column(name), table.column(f"{name}.mask")
        folded = pc.if_else(pc.fill_null(mask, False), pa.scalar(None, column.type), column)
        table = table.set_column(table.schema.get_field_index(name), name, folded)
        table = table.drop_columns([f"{name}.mask"])
    return table


def _folded_schema(spec: OutputSpec):
    import pyarrow as pa

    drop = {f"{n}.mask" for n in spec.masked}
    return pa.schema([f for f in spec.schema if f.name not in drop])


class _ParquetWriter:
    def __init__(self, path: Path, spec: OutputSpec):
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.schema = output_schema(spec.schema, dictionary=True)
        plain = all(
            any(str(f.type).startswith(t) for t in _PLAIN_TYPES) for f in self.schema
            if not pa.types.is_dictionary(f.type)
        )
        # Without the stored Arrow schema, metadata added at close (string lengths) is
        # what readers see; keep the Arrow schema only when it carries exotic types.
        self.store_schema = not plain
        self.lengths: dict[str, int] = {}
        self.buffer: list = []
        self.buffered = 0
        self.yaml = _output_yaml(spec)
        # Dictionary pages only for strings (trying them on measured floats costs 3x the
        # write time and makes files larger); floats uncompressed (noise does not compress;
        # snappy saves < 10% of the bytes for a third of the write time), the rest snappy.
        strings = [f.name for f in self.schema if pa.types.is_string(f.type)
                   or pa.types.is_large_string(f.type) or pa.types.is_dictionary(f.type)]
        compression = {
            f.name: "none" if pa.types.is_floating(f.type) else "snappy" for f in self.schema
        }
        self.writer = pq.ParquetWriter(
            str(path), self.schema, compression=compression, use_dictionary=strings,
            store_schema=self.store_schema,
        )
        self.pa = pa

    def write(self, table) -> None:
        _string_lengths(table, self.lengths)
        self.buffer.append(table.cast(self.schema) if table.schema != self.schema else table)
        self.buffered += table.num_rows
        if self.buffered >= PARQUET_ROW_GROUP:
            self._flush(final=False)

    def _flush(self, final: bool) -> None:
        """Write whole row groups of :data:`PARQUET_ROW_GROUP` rows (the rest too if final)."""
        table = self.pa.concat_tables(self.buffer)
        n_full = table.num_rows // PARQUET_ROW_GROUP * PARQUET_ROW_GROUP
        stop = table.num_rows if final else n_full
        for start in range(0, stop, PARQUET_ROW_GROUP):
            group = _canonical_dictionaries(table.slice(start, min(PARQUET_ROW_GROUP, stop - start)))
            self.writer.write_table(group, row_group_size=PARQUET_ROW_GROUP)
        rest = table.slice(stop)
        self.buffer = [rest] if rest.num_rows else []
        self.buffered = rest.num_rows

    def close(self) -> None:
        if self.buffer:
            self._flush(final=True)
        if not self.store_schema:
            metadata = {f"table::len::{k}": str(max(v, 1)) for k, v in self.lengths.items()}
            if self.yaml:
                metadata["table_meta_yaml"] = self.yaml
            self.writer.add_key_value_metadata(metadata)
        self.writer.close()

    def abort(self) -> None:
        self.writer.close()


class _CsvWriter:
    def __init__(self, path: Path, spec: OutputSpec):
        import pyarrow.csv as pcsv

        import pyarrow as pa

        self.masked = spec.masked
        self.schema = output_schema(_folded_schema(spec))
        text_schema = pa.schema(
            [pa.field(f.name, pa.string()) if pa.types.is_boolean(f.type) else f for f in self.schema]
        )
        self.writer = pcsv.CSVWriter(
            str(path), text_schema, write_options=pcsv.WriteOptions(quoting_style="needed")
        )

    def write(self, table) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        table = _fold_masks(table, self.masked)
        table = table.cast(self.schema) if table.schema != self.schema else table
        for index, field in enumerate(table.schema):
            if pa.types.is_boolean(field.type):  # True/False, as astropy and Python write them
                text = pc.if_else(table.column(index), "True", "False")
                table = table.set_column(index, field.name, text)
        self.writer.write_table(table)

    def close(self) -> None:
        self.writer.close()

    def abort(self) -> None:
        self.writer.close()


class _FitsWriter:
    """Spill chunks to an Arrow IPC file, then write the FITS table in a second pass."""

    def __init__(self, path: Path, spec: OutputSpec):
        import pyarrow as pa

        self.path = path
        self.masked = spec.masked
        self.schema = output_schema(_folded_schema(spec))
        self.template = spec.template
        fd, spill = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".arrow")
        os.close(fd)
        self.spill = Path(spill)
        self.sink = pa.OSFile(str(self.spill), "wb")
        self.writer = pa.ipc.new_file(self.sink, self.schema)
        self.lengths: dict[str, int] = {}
        self.nulls: set[str] = set()
        self.n_rows = 0

    def write(self, table) -> None:
        table = _fold_masks(table, self.masked)
        table = table.cast(self.schema) if table.schema != self.schema else table
        _string_lengths(table, self.lengths)
        for name, column in zip(table.column_names, table.columns):
            if column.null_count:
                self.nulls.add(name)
        self.n_rows += table.num_rows
        self.writer.write_table(table)

    def close(self) -> None:
        import pyarrow as pa

        self.writer.close()
        self.sink.close()
        try:
            with pa.memory_map(str(self.spill)) as source:
                reader = pa.ipc.open_file(source)
                with open(self.path, "wb") as out:
                    _write_fits(out, reader, self.n_rows, self.lengths, self.nulls, self.template)
        finally:
            self.spill.unlink(missing_ok=True)

    def abort(self) -> None:
        try:
            self.writer.close()
            self.sink.close()
        finally:
            self.spill.unlink(missing_ok=True)


def _chunk_to_astropy(table, lengths: dict, nulls: set, template):
    """An Arrow chunk as an astropy Table with fixed string widths and units."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from astropy.table import Column, MaskedColumn, Table

    out = Table()
    for name, column in zip(table.column_names, table.columns):
        column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        unit = template[name].unit if template is not None and name in template.colnames else None
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            width = max(lengths.get(name, 1), 1)
            values = column.fill_null("").to_numpy(zero_copy_only=False).astype(f"U{width}")
            out[name] = Column(values, unit=unit)
        elif pa.types.is_floating(column.type):
            out[name] = Column(column.fill_null(np.nan).to_numpy(zero_copy_only=False), unit=unit)
        elif name in nulls:
            mask = column.is_null().to_numpy(zero_copy_only=False)
            filled = column.fill_null(pc.min(column) if column.null_count < len(column) else 0)
            data = filled.to_numpy(zero_copy_only=False)
            out[name] = MaskedColumn(data, mask=mask, unit=unit)
        else:
            out[name] = Column(column.to_numpy(zero_copy_only=False), unit=unit)
    if template is not None:
        out.meta.update(template.meta)
    return out


def _layout(header) -> list:
    """The keywords that fix a FITS table's row layout."""
    return [header.get("NAXIS1")] + [
        (k, header[k]) for k in header if k.startswith(("TFORM", "TTYPE", "TNULL", "TSCAL", "TZERO"))
    ]


def _write_fits(handle, reader, n_rows: int, lengths: dict, nulls: set, template) -> None:
    """Write a primary HDU and one binary table of ``n_rows`` rows from IPC batches."""
    import io

    from astropy.io import fits

    handle.write(fits.PrimaryHDU().header.tostring().encode("ascii"))
    header = None
    written = 0
    batches = (reader.get_batch(i) for i in range(reader.num_record_batches))
    for batch in batches:
        import pyarrow as pa

        table = _chunk_to_astropy(pa.Table.from_batches([batch]), lengths, nulls, template)
        buffer = io.BytesIO()
        fits.table_to_hdu(table).writeto(buffer)
        if header is None:
            with fits.open(io.BytesIO(buffer.getvalue())) as written_hdus:
                header = written_hdus[1].header.copy()
            layout = _layout(header)
            row_bytes = header["NAXIS1"]
            header["NAXIS2"] = n_rows
            handle.write(header.tostring().encode("ascii"))
        else:
            with fits.open(io.BytesIO(buffer.getvalue())) as written_hdus:
                if _layout(written_hdus[1].header) != layout:  # pragma: no cover - a bug
                    raise RuntimeError("FITS row layout changed between chunks")
        raw = buffer.getvalue()
        size = row_bytes * len(table)
        start = len(raw) - (size + (-size) % 2880)  # the data block ends the file
        handle.write(raw[start : start + size])
        written += len(table)
    if header is None:  # no rows: still a valid (empty) table
        empty = fits.table_to_hdu(_chunk_to_astropy(reader.schema.empty_table(), lengths, nulls,
                                                    template))
        handle.write(empty.header.tostring().encode("ascii"))
    padding = (-(written * (row_bytes if header is not None else 0))) % 2880
    handle.write(b"\0" * padding)


def _writer_for(path: Path):
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return _ParquetWriter
    if suffix == ".csv":
        return _CsvWriter
    if suffix in (".fits", ".fit"):
        return _FitsWriter
    raise ValueError(
        f"{path}: unknown output extension {suffix!r}; use one of .csv, .fit, .fits, .parquet"
    )


# ------------------------------------------------------------------------------- driver
def check_not_empty(template, source: str) -> None:
    """CatalogError (as the in-memory readers raise it) for a table without rows."""
    from nebuladapt.catalogs.phangs import check_not_empty as check

    check(template[:0], source)


def _check_model_lines(model, lines_table, source: str, model_dir) -> None:
    """Refuse a catalogue whose columns give none of the model's ratios.

    Read from the first chunk's line columns, so that the chunk's own errors
    (non-numeric values, bad flags) are reported first.
    """
    from nebuladapt.catalogs.phangs import read_phangs_table
    from nebuladapt.models.persistence import check_catalog_lines

    catalog = read_phangs_table(lines_table, allow_empty=True)
    catalog.source = source
    check_catalog_lines(model, catalog, model_dir)


def classify_file(
    path,
    model,
    out,
    *,
    overwrite: bool = False,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    workers: int = 2,
    progress: Callable[[int, int, str], None] | None = None,
    model_dir=None,
) -> StreamSummary:
    """Classify a catalogue file chunk by chunk, writing ``out`` incrementally.

    Parameters
    ----------
    path : str or path-like
        Parquet file, directory of Parquet files or glob; CSV; or FITS.
    model : NebulaClassifier
    out : str or path-like
        ``.parquet``, ``.csv`` or ``.fits``; written to a temporary file in the
        same folder and renamed at the end.
    overwrite : bool
        Replace an existing ``out``.
    chunk_rows : int
        Rows per chunk (Parquet, FITS; CSV chunks are 32 MB blocks).
    workers : int
        Chunks classified at the same time (threads).
    progress : callable, optional
        ``progress(done, total, unit)`` after each chunk is written (``unit``
        is ``"rows"``, or ``"bytes"`` for CSV).
    model_dir : str or path-like, optional
        Where the model came from, for messages.

    Returns
    -------
    StreamSummary

    Raises
    ------
    StreamingUnsupported
        Before writing anything, or after removing the partial output: use
        the in-memory path.
    CatalogError, ValueError, FileExistsError
        Bad input or output (nothing is left behind).
    """
    out = Path(out)
    writer_class = _writer_for(out)
    if out.exists() and not overwrite:
        raise FileExistsError(f"{out}: exists; pass --overwrite to replace it")
    source = _open_source(path, chunk_rows)
    check_no_prediction_columns(source.schema.names, source.source)
    line_columns = LineColumns.from_template(source.template, source.source, source.schema.names)
    if source.unit == "rows" and source.total == 0:
        check_not_empty(source.template, source.source)
    target = _AtomicPath(out, overwrite)
    summary = StreamSummary()
    writer = None
    try:
        spec = OutputSpec(source.schema, source.template, getattr(source, "input_yaml", None))
        writer = writer_class(target.tmp, spec)
        with torch_threads(1), ThreadPoolExecutor(max(1, workers)) as pool:
            pending: deque = deque()

            def drain_one() -> None:
                future, done = pending.popleft()
                table, predictions = future.result()
                writer.write(table)
                summary.add(predictions)
                if progress is not None:
                    progress(done, source.total, source.unit)

            checked = False
            for chunk in source.chunks():
                lines = chunk.lines
                if not checked:  # after the first chunk's own errors, before any work
                    lines = lines if lines is not None else line_columns.table(chunk.table)
                    _check_model_lines(model, lines, source.source, model_dir)
                    checked = True
                pending.append(
                    (pool.submit(classify_arrow, chunk.table, model, line_columns, lines),
                     chunk.progress)
                )
                while len(pending) > max(1, workers):
                    drain_one()
            while pending:
                drain_one()
        if summary.n_rows == 0:  # e.g. a CSV header without rows
            check_not_empty(source.template, source.source)
        writer.close()
        writer = None
        target.commit()
    except BaseException:
        if writer is not None:
            try:
                writer.abort()
            except Exception:  # the original error matters, not the cleanup's
                pass
        target.abort()
        raise
    return summary
