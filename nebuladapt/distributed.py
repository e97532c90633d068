"""Classify partitioned Parquet on a ``dask.distributed`` cluster.

``nebuladapt predict CATALOG --model MODEL_DIR --out OUT.parquet --scheduler ADDRESS``
reads ``CATALOG`` (a Parquet file, a directory of part files or a glob) as a
Dask dataframe and runs, with ``map_partitions``, exactly the per-chunk code of
the local streaming path (:func:`nebuladapt.streaming.classify_arrow`); each
partition is written by the workers as one Parquet part file with the same
writer as the local path. The output is a *directory* ``OUT.parquet`` of part
files ``part.00000.parquet``, ... in input order, built in a temporary sibling
directory and renamed at the end (a failed run leaves nothing).

The model travels to the workers as its two files' bytes (JSON card and
safetensors weights, checksum-verified on load, cached once per worker
process), never as a pickle of torch objects. Workers need the input and the
output folder on a shared filesystem (as usual for Dask).

``ADDRESS`` is a scheduler address (``tcp://host:8786``, or the
``scheduler_address`` of a ``LocalCluster``), or ``local`` for a
``LocalCluster`` on this machine (one single-threaded worker process per core).
Requires the ``dask`` extra: ``pip install "nebuladapt[dask]"``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from nebuladapt.io.atomic import replace_directory, temporary_directory_beside
from nebuladapt.io.sources import ParquetSource
from nebuladapt.io.writers import OutputSpec, ParquetWriter
from nebuladapt.models.inference import compute_threads
from nebuladapt.streaming import (
    DEFAULT_CHUNK_ROWS,
    LineColumns,
    StreamSummary,
    check_model_lines,
    classify_arrow,
)

__all__ = ["ModelPayload", "classify_parquet_distributed", "connect"]

_MODELS: dict = {}
_MODELS_LOCK = threading.Lock()


@dataclass(frozen=True)
class ModelPayload:
    """A saved model as bytes: what is shipped to Dask workers."""

    card: bytes
    weights: bytes
    limit_method: str = ""

    @classmethod
    def from_dir(cls, directory, limit_method: str | None = None) -> "ModelPayload":
        """Read a model directory written by :func:`nebuladapt.models.save_model` (``limit_method``: as
        :func:`~nebuladapt.models.persistence.load_predictor`)."""
        from nebuladapt.models.persistence import CARD_FILE, WEIGHTS_FILE, load_predictor

        directory = Path(directory)
        load_predictor(directory)  # validate here, so that a bad model fails before the cluster
        return cls((directory / CARD_FILE).read_bytes(), (directory / WEIGHTS_FILE).read_bytes(), limit_method or "")

    @property
    def key(self) -> str:
        return hashlib.sha256(self.card + self.weights + self.limit_method.encode()).hexdigest()

    def load(self):
        """The inference object (loaded once per process; checksums verified by ``load_predictor``)."""
        from nebuladapt.models.persistence import CARD_FILE, WEIGHTS_FILE, load_predictor

        with _MODELS_LOCK:
            model = _MODELS.get(self.key)
            if model is None:
                with tempfile.TemporaryDirectory(prefix="nebuladapt-model-") as tmp:
                    (Path(tmp) / CARD_FILE).write_bytes(self.card)
                    (Path(tmp) / WEIGHTS_FILE).write_bytes(self.weights)
                    model = load_predictor(tmp, limit_method=self.limit_method or None)
                _MODELS[self.key] = model
        return model


def _part_name(number: int) -> str:
    return f"part.{number:05d}.parquet"


def _classify_partition(df, payload: ModelPayload, line_columns: LineColumns, spec: OutputSpec,
                        folder: str, partition_info=None):
    """Classify one partition and write it as a part file; return its counts (one row)."""
    import pandas as pd
    import pyarrow as pa

    number = 0 if partition_info is None else int(partition_info["number"])
    table = pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)
    schema = spec.schema
    table = table.cast(schema) if table.schema != schema else table
    counts = StreamSummary()
    if len(table):
        model = payload.load()
        writer = ParquetWriter(Path(folder) / _part_name(number), spec)
        try:
            with compute_threads(1):
                for start in range(0, len(table), DEFAULT_CHUNK_ROWS):  # bounded memory
                    out, predictions = classify_arrow(
                        table.slice(start, DEFAULT_CHUNK_ROWS), model, line_columns
                    )
                    writer.write(out)
                    counts.add(predictions)
            writer.close()
        except BaseException:
            writer.abort()
            raise
    row = {"partition": number, "n_rows": counts.n_rows}
    row.update({f"class:{k}": v for k, v in counts.classes.items()})
    row.update({f"reason:{k}": v for k, v in counts.reasons.items()})
    return pd.DataFrame([row]) if len(table) else _empty_counts()


def _empty_counts():
    import pandas as pd

    return pd.DataFrame({"partition": pd.Series([], dtype="int64"), "n_rows": pd.Series([], dtype="int64")})


def _connect(scheduler: str):
    """A (client, cluster) pair; cluster is None for an existing scheduler."""
    from distributed import Client, LocalCluster

    if scheduler == "local":
        cores = os.cpu_count() or 1
        cluster = LocalCluster(n_workers=cores, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        return Client(cluster), cluster
    try:
        return Client(scheduler, timeout="10s"), None
    except (OSError, TimeoutError, ValueError) as exc:
        raise ValueError(
            f"{scheduler}: cannot reach a Dask scheduler there ({' '.join(str(exc).split())[:160]}); "
            "check the address (tcp://host:8786) or use --scheduler local"
        ) from None


def connect(scheduler: str):
    """A ``(client, cluster)`` pair for a scheduler address or ``local`` (cluster None for an address).

    Raises
    ------
    ValueError
        If no scheduler answers at the address (one line naming it).
    """
    return _connect(scheduler)


def classify_parquet_distributed(
    path,
    model_dir,
    out,
    *,
    scheduler: str,
    overwrite: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
    limit_method: str | None = None,
) -> StreamSummary:
    """Classify partitioned Parquet on a Dask cluster (see the module docstring).

    Parameters
    ----------
    path : str or path-like
        Parquet file, directory of part files, or glob.
    model_dir : str or path-like
        Model directory from ``nebuladapt fit``.
    out : str or path-like
        Output directory (conventionally ``*.parquet``), written atomically.
    scheduler : str
        ``tcp://...`` (any Dask scheduler address) or ``local``.
    overwrite : bool
        Replace an existing ``out``.
    limit_method : str, optional
        How upper limits are used (:mod:`nebuladapt.models.limits`; default its ``METHOD``).
    progress : callable, optional
        ``progress(done, total, "rows")`` as partitions finish.

    Returns
    -------
    StreamSummary
    """
    try:
        import dask.dataframe as dd
        from distributed import as_completed
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ValueError(
            f"--scheduler needs Dask ({exc}); install it with pip install 'nebuladapt[dask]'"
        ) from exc

    out = Path(out)
    if out.exists() and not overwrite:
        raise FileExistsError(f"{out}: exists; pass --overwrite to replace it")
    source = ParquetSource(path, DEFAULT_CHUNK_ROWS)
    from nebuladapt.predict import check_no_prediction_columns

    check_no_prediction_columns(source.schema.names, source.source)
    line_columns = LineColumns.from_template(source.template, source.source, source.schema.names)
    spec = OutputSpec(source.schema.remove_metadata(), source.template, source.input_yaml)
    payload = ModelPayload.from_dir(model_dir, limit_method)
    check_model_lines(payload.load(), source.template, source.source, model_dir)
    client, cluster = _connect(scheduler)
    tmp = temporary_directory_beside(out)
    summary = StreamSummary()
    try:
        ddf = dd.read_parquet(source.files, dtype_backend="pyarrow")
        counts = ddf.map_partitions(
            _classify_partition, payload, line_columns, spec, str(tmp),
            meta=_empty_counts(), enforce_metadata=False,
        )
        futures = client.compute(counts.to_delayed())
        done = 0
        for future in as_completed(futures):
            frame = future.result()
            for _, row in frame.iterrows():
                done += int(row["n_rows"])
                summary.n_rows += int(row["n_rows"])
                for key, value in row.items():
                    if value != value or not value:  # NaN or 0
                        continue
                    if key.startswith("class:"):
                        summary.classes[key[6:]] += int(value)
                    elif key.startswith("reason:"):
                        summary.reasons[key[7:]] += int(value)
            if progress is not None:
                progress(done, source.total, "rows")
        replace_directory(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return summary
