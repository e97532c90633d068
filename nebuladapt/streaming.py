"""Streamed classification: read in chunks, classify, write incrementally and atomically.

``nebuladapt predict`` classifies catalogues of any length with flat memory:

* **read** in chunks with the format's streaming reader
  (:mod:`nebuladapt.io.sources`: Parquet files, directories and globs; CSV; FITS);
* **classify** each chunk with the same code as the in-memory path: the line
  columns of the chunk go through :func:`nebuladapt.catalogs.read_phangs_table`,
  :func:`nebuladapt.dust.deredden_catalog` and
  :func:`nebuladapt.predict.predict_catalog`; every input column passes through
  untouched (as Arrow data, never converted row by row);
* **write** incrementally (:mod:`nebuladapt.io.writers`) to the temporary file
  of an :class:`~nebuladapt.io.atomic.AtomicPath`, renamed over the output at the
  end (an interrupted run leaves nothing).

Two chunks are classified at a time in threads (NumPy and Arrow release the
GIL), with BLAS single-threaded
(:func:`~nebuladapt.models.inference.compute_threads`), while the main thread
reads and writes; at most ``workers + 1`` chunks are in memory. Output row order is
input row order, and the output does not depend on the chunk size (see
:data:`nebuladapt.predict.FORWARD_BATCH`).

Inputs the streaming readers do not handle (line lists, ratio tables, ECSV/ASCII
text, FITS with array or variable-length columns) raise :class:`StreamingUnsupported`
before anything is written; a CSV whose column types change after its first
block raises it when the change is met, after removing the partial output. The
caller then uses the in-memory path.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import numpy as np

from nebuladapt.catalogs import CatalogError
from nebuladapt.io.atomic import AtomicPath
from nebuladapt.io.formats import output_format
from nebuladapt.io.sources import StreamingUnsupported, arrow_values, open_source, parquet_files
from nebuladapt.io.writers import OutputSpec, output_schema
from nebuladapt.lines import input_lines_for
from nebuladapt.models.inference import compute_threads
from nebuladapt.predict import PREDICTION_COLUMNS, PredictionSummary, check_no_prediction_columns

__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "StreamingUnsupported",
    "StreamSummary",
    "LineColumns",
    "OutputSpec",
    "check_model_lines",
    "output_schema",
    "parquet_files",
    "classify_arrow",
    "classify_file",
]

#: Rows per chunk (the memory high-water mark scales with it, not with the file).
DEFAULT_CHUNK_ROWS = 1 << 17

#: What a streamed run classified (rows, rows per class, rows per flag reason).
StreamSummary = PredictionSummary



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
        from nebuladapt.catalogs import looks_like_ratio_table, read_phangs_table
        from nebuladapt.catalogs.columns import line_column_names

        template = template.copy(copy_data=False)  # the caller's template (the writer's) unchanged
        template.meta["source"] = source
        if looks_like_ratio_table(template, source):
            raise StreamingUnsupported(f"{source}: a ratio table")
        read_phangs_table(template, allow_empty=True)  # raises CatalogError early
        names = line_column_names(template, source)
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
            values = arrow_values(chunk.column(name))
            if mask is None:
                table.add_column(Column(values, name=name, unit=unit, copy=False))
            else:  # astropy's Parquet serialisation of a masked column
                flags = np.asarray(arrow_values(chunk.column(mask)), dtype=bool)
                table.add_column(MaskedColumn(values, name=name, unit=unit, mask=flags))
        return table


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

    from nebuladapt.catalogs import read_phangs_table
    from nebuladapt.dust import deredden_catalog, thread_default_law
    from nebuladapt.predict import predict_catalog

    if isinstance(chunk, pa.RecordBatch):
        chunk = pa.Table.from_batches([chunk])
    if lines_table is None:
        lines_table = line_columns.table(chunk)
    catalog = read_phangs_table(lines_table, allow_empty=True)
    keep = input_lines_for(model.lines_)
    catalog = replace(
        catalog,
        flux={k: v for k, v in catalog.flux.items() if k in keep},
        flux_err={k: v for k, v in catalog.flux_err.items() if k in keep},
        upper_limits={k: v for k, v in catalog.upper_limits.items() if k in keep},
        limit_flux={k: v for k, v in catalog.limit_flux.items() if k in keep},
    )
    predictions = predict_catalog(deredden_catalog(catalog, law=thread_default_law()), model)
    columns = predictions.arrow_columns(dictionary=True)
    for name in PREDICTION_COLUMNS:
        chunk = chunk.append_column(name, columns[name])
    return chunk, predictions


# ------------------------------------------------------------------------------- driver
def check_model_lines(model, lines_table, source: str, model_dir=None):
    """Refuse a catalogue whose columns give none of the model's ratios, or whose
    fluxes are in the wrong units (:func:`nebuladapt.catalogs.check_flux_units`).

    Read from the first chunk's line columns, so that the chunk's own errors
    (non-numeric values, bad flags) are reported first.

    Returns
    -------
    LineUsage
        The lines the model uses, ignores and misses (:mod:`nebuladapt.catalogs.usage`).
    """
    from nebuladapt.catalogs import check_flux_units, read_phangs_table
    from nebuladapt.catalogs.usage import check_catalog_lines, line_usage

    catalog = read_phangs_table(lines_table, allow_empty=True)
    catalog.source = source
    check_flux_units(catalog)
    check_catalog_lines(model, catalog, model_dir)
    return line_usage(catalog, model.spec_, judge_values=False)


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
    format: str | None = None,
    out_format: str | None = None,
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
    format, out_format : str, optional
        Input and output format names (:data:`nebuladapt.io.formats.FORMATS`)
        when the extension does not tell.

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
    from nebuladapt.catalogs.tables import check_not_empty

    out = Path(out)
    writer_class = output_format(out, out_format).writer_class()
    if out.exists() and not overwrite:
        raise FileExistsError(f"{out}: exists; pass --overwrite to replace it")
    source = open_source(path, chunk_rows, format)
    check_no_prediction_columns(source.schema.names, source.source)
    line_columns = LineColumns.from_template(source.template, source.source, source.schema.names)
    if source.unit == "rows" and source.total == 0:
        check_not_empty(source.template[:0], source.source)
    target = AtomicPath(out, overwrite)
    summary = StreamSummary()
    summary.line_usage = None
    summary.swept = target.swept
    summary.skipped = list(getattr(source, "skipped", ()))
    writer = None
    try:
        spec = OutputSpec(source.schema, source.template, getattr(source, "input_yaml", None))
        writer = writer_class(target.tmp, spec)
        with compute_threads(1), ThreadPoolExecutor(max(1, workers)) as pool:
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
                    summary.line_usage = check_model_lines(model, lines, source.source, model_dir)
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
            check_not_empty(source.template[:0], source.source)
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

