"""Streamed FITS output: chunks spilled to an Arrow IPC file, then one binary table.

A FITS table's column widths must be known before its first row is written,
so chunks go to a temporary Arrow file beside the output first (string widths
and null columns recorded on the way) and are copied into the FITS table in a
second pass.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nebuladapt.io.atomic import temporary_beside
from nebuladapt.io.writers import OutputSpec, fold_masks, folded_schema, output_schema, string_lengths

__all__ = ["FitsWriter"]


class FitsWriter:
    """Spill chunks to an Arrow IPC file, then write the FITS table in a second pass."""

    def __init__(self, path: Path, spec: OutputSpec):
        import pyarrow as pa

        self.path = path
        self.masked = spec.masked
        self.schema = output_schema(folded_schema(spec))
        self.template = spec.template
        self.spill = temporary_beside(path, suffix=".arrow")
        self.sink = pa.OSFile(str(self.spill), "wb")
        self.writer = pa.ipc.new_file(self.sink, self.schema)
        self.lengths: dict[str, int] = {}
        self.nulls: set[str] = set()
        self.n_rows = 0

    def write(self, table) -> None:
        table = fold_masks(table, self.masked)
        table = table.cast(self.schema) if table.schema != self.schema else table
        string_lengths(table, self.lengths)
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


