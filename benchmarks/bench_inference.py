"""Inference speed: end-to-end rows/s from Parquet, and the network against a matmul bound.

* end to end: ``nebuladapt predict DIR --model MODEL --out OUT.parquet`` on SYNTHETIC
  partitioned Parquet of 1M and 10M rows. Timed twice: the streamed classification the
  command runs (:func:`nebuladapt.streaming.classify_file`: read, classify, write), and
  the whole command in a fresh process (adds interpreter and library start-up), with
  its CPU time; start-up alone is the whole command on 1,000 rows (peak RSS:
  ``bench_memory.py``, whose runner does not inflate it with this process's pages);
* I/O floor: what the command's main thread does with no classification at all: read
  the chunks (:mod:`nebuladapt.io.sources`), append prediction columns computed once for
  the first chunk, write them (:class:`nebuladapt.io.writers.ParquetWriter`), one thread.
  ``classify_file`` reads and writes in its main thread, one chunk after the other, so
  start-up plus this floor bounds the whole command from below whatever the classification
  costs;
* forward pass: the network alone (:func:`nebuladapt.models.inference.forward_logits`, padded
  blocks of :data:`~nebuladapt.models.inference.FORWARD_BATCH` rows, one BLAS thread) on 1M
  rows of features, next to a bare NumPy bound: the three float32 matrix products of the same
  layer sizes (8x64, 64x64, 64x3) on the same blocks, whole, one BLAS thread, preallocated
  outputs, no bias, activation or encoding (faster, but not row-exact: see
  :mod:`nebuladapt.models.inference`).

    python benchmarks/bench_inference.py --rows 1000000 10000000 --runs 3
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from _data import bench_arguments, bench_catalogue, bench_model
from _machine import machine_info, median, spread


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _command(catalogue: Path, model_dir: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "nebuladapt.cli", "predict", str(catalogue), "--model",
            str(model_dir), "--out", str(out), "--overwrite"]


def whole_command(catalogue: Path, model_dir: Path, out: Path, runs: int) -> dict:
    """Wall and CPU time of the command in fresh processes."""
    walls, cpus = [], []
    for _ in range(runs):
        cpu, start = _children_cpu(), time.perf_counter()
        subprocess.run(_command(catalogue, model_dir, out), check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
        cpus.append(_children_cpu() - cpu)
    out.unlink(missing_ok=True)
    return {"wall": walls, "cpu": cpus}


def start_up(catalogue: Path, model_dir: Path, folder: Path, runs: int) -> dict:
    """The whole command on the first 1,000 rows of ``catalogue``: start-up and model loading."""
    import pyarrow.parquet as pq

    from nebuladapt.io.sources import parquet_files

    small = folder / "first-1000.parquet"
    pq.write_table(pq.ParquetFile(parquet_files(catalogue)[0]).read_row_group(0).slice(0, 1000), small)
    try:
        return whole_command(small, model_dir, folder / "first-1000-out.parquet", runs)
    finally:
        small.unlink(missing_ok=True)


def end_to_end(catalogue: Path, model_dir: Path, out: Path, runs: int) -> dict:
    from nebuladapt.models.persistence import load_predictor
    from nebuladapt.streaming import classify_file

    model = load_predictor(model_dir)
    walls, cpus = [], []
    n = 0
    for _ in range(runs):
        cpu, start = _cpu(), time.perf_counter()
        n = classify_file(catalogue, model, out, overwrite=True).n_rows
        walls.append(time.perf_counter() - start)
        cpus.append(_cpu() - cpu)
    out.unlink(missing_ok=True)
    return {"rows": n, "wall": walls, "cpu": cpus, "cli": whole_command(catalogue, model_dir, out, runs)}


def io_floor(catalogue: Path, model_dir: Path, out: Path, runs: int) -> dict:
    """Read and write as the command does, without classifying: wall and CPU time, one thread."""
    from nebuladapt.io.sources import open_source
    from nebuladapt.io.writers import OutputSpec, ParquetWriter
    from nebuladapt.models.persistence import load_predictor
    from nebuladapt.predict import PREDICTION_COLUMNS
    from nebuladapt.streaming import DEFAULT_CHUNK_ROWS, LineColumns, classify_arrow

    model = load_predictor(model_dir)
    walls, cpus = [], []
    for _ in range(runs):
        source = open_source(catalogue, DEFAULT_CHUNK_ROWS)
        columns = LineColumns.from_template(source.template, source.source, source.schema.names)
        first = next(iter(source.chunks())).table
        predicted, _ = classify_arrow(first, model, columns)  # computed once, reused
        cpu, start = _cpu(), time.perf_counter()
        writer = ParquetWriter(out, OutputSpec(source.schema, source.template, source.input_yaml))
        for chunk in source.chunks():
            table = chunk.table
            for name in PREDICTION_COLUMNS:
                table = table.append_column(name, predicted.column(name).slice(0, table.num_rows))
            writer.write(table)
        writer.close()
        walls.append(time.perf_counter() - start)
        cpus.append(_cpu() - cpu)
    out.unlink(missing_ok=True)
    return {"wall": walls, "cpu": cpus}


def forward_pass(model_dir: Path, n_rows: int, runs: int) -> dict:
    from threadpoolctl import threadpool_limits

    from nebuladapt.features import log_ratios
    from nebuladapt.models.inference import FORWARD_BATCH, forward_logits
    from nebuladapt.models.persistence import load_predictor
    from nebuladapt.synthetic import synthetic_columns

    model = load_predictor(model_dir)
    columns = synthetic_columns(n_rows, seed=1)
    flux = np.column_stack([columns[f"{line}_FLUX"] for line in ("OIII5006", "HB4861", "NII6583", "HA6562")]
                           + [columns["SII6716_FLUX"] + columns["SII6730_FLUX"]])
    features = log_ratios(flux, model.spec_)
    sizes = [2 * features.shape[1], *(w.shape[0] for w, _ in model.layers)]
    rng = np.random.default_rng(0)
    weights = [rng.normal(size=(a, b)).astype(np.float32) for a, b in zip(sizes[:-1], sizes[1:])]
    x = rng.normal(size=(n_rows, sizes[0])).astype(np.float32)
    outs = [np.empty((FORWARD_BATCH, b), dtype=np.float32) for b in sizes[1:]]
    forward, bound = [], []
    with threadpool_limits(1):
        for _ in range(runs):
            start = time.perf_counter()
            forward_logits(model.layers, model.mean, model.scale, features, model.temperature_)
            forward.append(time.perf_counter() - start)
        for _ in range(runs):
            start = time.perf_counter()
            for i in range(0, n_rows - FORWARD_BATCH + 1, FORWARD_BATCH):
                h = x[i : i + FORWARD_BATCH]
                for w, o in zip(weights, outs):
                    np.matmul(h, w, out=o)
                    h = o
            bound.append(time.perf_counter() - start)
    macs = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    return {"rows": n_rows, "forward": forward, "bound": bound, "sizes": sizes, "macs": macs}


def main() -> None:
    args = bench_arguments(__doc__.split("\n")[0])
    print(machine_info())
    model_dir = bench_model(args.data_dir)
    first = start_up(bench_catalogue(min(args.rows), args.data_dir), model_dir, args.data_dir, args.runs)
    print(f"start-up (whole command on 1,000 rows): {spread(first['wall'])} s wall, "
          f"CPU {median(first['cpu']):.2f} s")
    for n_rows in args.rows:
        catalogue = bench_catalogue(n_rows, args.data_dir)
        result = end_to_end(catalogue, model_dir, args.data_dir / "out.parquet", args.runs)
        rows = result["rows"]
        rates = [rows / w for w in result["wall"]]
        print(f"end to end, {rows:,} rows, partitioned Parquet -> Parquet:")
        print(f"  streamed classification: {spread(result['wall'])} s -> {median(rates):,.0f} rows/s "
              f"(CPU {median(result['cpu']):.2f} s = {median(result['cpu']) / median(result['wall']):.2f} cores)")
        cli = result["cli"]
        print(f"  whole command (fresh process): {spread(cli['wall'])} s -> "
              f"{rows / median(cli['wall']):,.0f} rows/s (CPU {median(cli['cpu']):.2f} s)")
        floor = io_floor(catalogue, model_dir, args.data_dir / "floor.parquet", args.runs)
        bound = median(first["wall"]) + median(floor["wall"])
        print(f"  I/O floor (read + write, no classification, one thread): {spread(floor['wall'])} s "
              f"(CPU {median(floor['cpu']):.2f} s); start-up + floor = {bound:.2f} s -> at most "
              f"{rows / bound:,.0f} rows/s for the whole command")
    result = forward_pass(model_dir, 1_000_000, args.runs)
    n = result["rows"]
    print(f"forward pass, {n:,} rows, layers {result['sizes']} ({result['macs']} multiply-adds/row), 1 thread:")
    print("  network (encode, 3 layers as row-exact float32 products + bias + ReLU, temperature): "
          f"{spread(result['forward'])} s -> "
          f"{n / median(result['forward']):,.0f} rows/s")
    print(f"  bare NumPy matmul bound (same blocks, whole products, no bias/ReLU): {spread(result['bound'])} s -> "
          f"{n / median(result['bound']):,.0f} rows/s "
          f"({2 * result['macs'] * n / median(result['bound']) / 1e9:.1f} GFLOP/s)")
    print(f"  network at {median(result['bound']) / median(result['forward']):.0%} of the bound")


if __name__ == "__main__":
    main()
