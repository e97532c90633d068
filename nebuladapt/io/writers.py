"""Incremental writers of classified chunks: Parquet and CSV (FITS: :mod:`nebuladapt.io.fits_writer`).

A writer is built with the temporary path of an :class:`~nebuladapt.io.atomic.AtomicPath`
and an :class:`OutputSpec`, receives Arrow tables (input columns plus the
prediction columns) in input order with :meth:`write`, and finishes with
``close`` (or ``abort`` on failure). Output bytes do not depend on the chunk
size. Which writer serves which extension is declared in :mod:`nebuladapt.io.formats`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nebuladapt.predict import PREDICTION_COLUMNS

__all__ = [
    "PARQUET_ROW_GROUP",
    "CsvWriter",
    "OutputSpec",
    "ParquetWriter",
    "fold_masks",
    "folded_schema",
    "output_schema",
    "string_lengths",
]

#: Rows per Parquet row group: fixed, so that the output bytes do not depend on the chunk size.
PARQUET_ROW_GROUP = 1 << 17


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



_PLAIN_TYPES = ("int", "uint", "float", "double", "halffloat", "bool", "string", "large_string")


def string_lengths(table, lengths: dict) -> None:
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

    from nebuladapt.io.sources import arrow_values, numpy_to_arrow, strings_to_arrow

    for index, field in enumerate(table.schema):
        if not pa.types.is_dictionary(field.type):
            continue
        chunks = [c for c in table.column(index).chunks if len(c)]
        used = []
        for chunk in chunks:
            words = chunk.dictionary.to_pylist()
            indices = arrow_values(chunk.indices)
            used.append((words, indices, np.bincount(indices, minlength=len(words))))
        vocabulary = sorted({w for words, _, counts in used for w, c in zip(words, counts) if c})
        position = {w: i for i, w in enumerate(vocabulary)}
        codes = [np.array([position.get(w, -1) for w in words], dtype=np.int32)[indices]
                 for words, indices, _ in used]
        indices = np.concatenate(codes) if codes else np.zeros(0, dtype=np.int32)
        column = pa.DictionaryArray.from_arrays(numpy_to_arrow(indices), strings_to_arrow(vocabulary))
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


def _describes_anything(template) -> bool:
    """True when a template has table meta, or a column with a unit, description, format or meta."""
    if template.meta:
        return True
    return any(
        getattr(template[name], attr, None)
        for name in template.colnames
        for attr in ("unit", "description", "format", "meta")
    ) or any(getattr(template[name], "mask", None) is not None for name in template.colnames)


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
        if not _describes_anything(spec.template):
            return None  # plain columns: astropy reads them as well without (and its YAML
            # writer imports astropy.coordinates: ~1 s of start-up per run)
        out = spec.template.copy(copy_data=False)
        out.add_columns(_prediction_columns())
        return "\n".join(get_yaml_from_table(out))
    except Exception:  # exotic metadata: write the data without astropy's header
        return None


def fold_masks(table, masked: list[str]):
    """Turn astropy's ``X`` + ``X.mask`` column pairs into one column with nulls."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for name in masked:
        column, mask = table.column(name), table.column(f"{name}.mask")
        folded = pc.if_else(pc.fill_null(mask, False), pa.scalar(None, column.type), column)
        table = table.set_column(table.schema.get_field_index(name), name, folded)
        table = table.drop_columns([f"{name}.mask"])
    return table


def folded_schema(spec: OutputSpec):
    import pyarrow as pa

    drop = {f"{n}.mask" for n in spec.masked}
    return pa.schema([f for f in spec.schema if f.name not in drop])


class ParquetWriter:
    """Parquet: fixed row groups, dictionary-encoded strings, astropy's header kept."""

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
        # Column statistics only for the prediction columns (for readers that filter on
        # them): computing them for every passed-through column costs ~40% of the write.
        self.writer = pq.ParquetWriter(
            str(path), self.schema, compression=compression, use_dictionary=strings,
            store_schema=self.store_schema, write_statistics=list(PREDICTION_COLUMNS),
        )
        self.pa = pa

    def write(self, table) -> None:
        string_lengths(table, self.lengths)
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


class CsvWriter:
    """CSV: pyarrow's writer; masked values empty, booleans as True/False."""

    def __init__(self, path: Path, spec: OutputSpec):
        import pyarrow.csv as pcsv

        import pyarrow as pa

        self.masked = spec.masked
        self.schema = output_schema(folded_schema(spec))
        text_schema = pa.schema(
            [pa.field(f.name, pa.string()) if pa.types.is_boolean(f.type) else f for f in self.schema]
        )
        self.writer = pcsv.CSVWriter(
            str(path), text_schema, write_options=pcsv.WriteOptions(quoting_style="needed")
        )

    def write(self, table) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        table = fold_masks(table, self.masked)
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


