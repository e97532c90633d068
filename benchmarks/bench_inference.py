"""Inference speed: end-to-end rows/s from Parquet, and the network against a matmul bound.

* end to end: ``nebuladapt predict DIR --model MODEL --out OUT.parquet`` on SYNTHETIC
  partitioned Parquet of 1M and 10M rows. Timed twice: the streamed classification the
  command runs (:func:`nebuladapt.streaming.classify_file`: read, classify, write), and
  the whole command in a fresh process (adds interpreter and library start-up);
* forward pass: the network alone (:func:`nebuladapt.models.inference.forward_logits`, padded
  blocks of 4096 rows, one thread) on 1M rows of features, next to a bare NumPy bound:
  the three float32 matrix products of the same layer sizes (6x64, 64x64, 64x3) on the
  same blocks, one BLAS thread, preallocated outputs, no bias, activation or encoding.

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


def end_to_end(catalogue: Path, model_dir: Path, out: Path, runs: int) -> dict:
    from nebuladapt.models import load_model
    from nebuladapt.streaming import classify_file

    model = load_model(model_dir)
    walls, cpus, cli = [], [], []
    n = 0
    for _ in range(runs):
        cpu, start = _cpu(), time.perf_counter()
        n = classify_file(catalogue, model, out, overwrite=True).n_rows
        walls.append(time.perf_counter() - start)
        cpus.append(_cpu() - cpu)
    command = [sys.executable, "-m", "nebuladapt.cli", "predict", str(catalogue), "--model", str(model_dir),
               "--out", str(out), "--overwrite"]
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        cli.append(time.perf_counter() - start)
    out.unlink(missing_ok=True)
    return {"rows": n, "wall": walls, "cpu": cpus, "cli": cli}


def forward_pass(model_dir: Path, n_rows: int, runs: int) -> dict:
    import torch
    from threadpoolctl import threadpool_limits

    from nebuladapt.features import log_ratios
    from nebuladapt.models import load_model
    from nebuladapt.models.inference import FORWARD_BATCH, forward_logits
    from nebuladapt.synthetic import synthetic_columns

    model = load_model(model_dir)
    columns = synthetic_columns(n_rows, seed=1)
    flux = np.column_stack([columns[f"{line}_FLUX"] for line in ("OIII5006", "HB4861", "NII6583", "HA6562")]
                           + [columns["SII6716_FLUX"] + columns["SII6730_FLUX"]])
    features = log_ratios(flux, model.spec_)
    sizes = [2 * features.shape[1], *model.hidden, len(model.classes_)]
    rng = np.random.default_rng(0)
    weights = [rng.normal(size=(a, b)).astype(np.float32) for a, b in zip(sizes[:-1], sizes[1:])]
    x = rng.normal(size=(n_rows, sizes[0])).astype(np.float32)
    outs = [np.empty((FORWARD_BATCH, b), dtype=np.float32) for b in sizes[1:]]
    forward, bound = [], []
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for _ in range(runs):
            start = time.perf_counter()
            forward_logits(model.network_, model.scaler_, features, model.temperature_)
            forward.append(time.perf_counter() - start)
        with threadpool_limits(1):
            for _ in range(runs):
                start = time.perf_counter()
                for i in range(0, n_rows - FORWARD_BATCH + 1, FORWARD_BATCH):
                    h = x[i : i + FORWARD_BATCH]
                    for w, o in zip(weights, outs):
                        np.matmul(h, w, out=o)
                        h = o
                bound.append(time.perf_counter() - start)
    finally:
        torch.set_num_threads(threads)
    macs = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    return {"rows": n_rows, "forward": forward, "bound": bound, "sizes": sizes, "macs": macs}


def main() -> None:
    args = bench_arguments(__doc__.split("\n")[0])
    print(machine_info())
    model_dir = bench_model(args.data_dir)
    for n_rows in args.rows:
        catalogue = bench_catalogue(n_rows, args.data_dir)
        result = end_to_end(catalogue, model_dir, args.data_dir / "out.parquet", args.runs)
        rows = result["rows"]
        rates = [rows / w for w in result["wall"]]
        print(f"end to end, {rows:,} rows, partitioned Parquet -> Parquet:")
        print(f"  streamed classification: {spread(result['wall'])} s -> {median(rates):,.0f} rows/s "
              f"(CPU {median(result['cpu']):.2f} s = {median(result['cpu']) / median(result['wall']):.2f} cores)")
        print(f"  whole command (fresh process): {spread(result['cli'])} s -> "
              f"{rows / median(result['cli']):,.0f} rows/s")
    result = forward_pass(model_dir, 1_000_000, args.runs)
    n = result["rows"]
    print(f"forward pass, {n:,} rows, layers {result['sizes']} ({result['macs']} multiply-adds/row), 1 thread:")
    print(f"  network (encode + 3 linear + ReLU + temperature): {spread(result['forward'])} s -> "
          f"{n / median(result['forward']):,.0f} rows/s")
    print(f"  bare NumPy matmul bound (same blocks, no bias/ReLU): {spread(result['bound'])} s -> "
          f"{n / median(result['bound']):,.0f} rows/s "
          f"({2 * result['macs'] * n / median(result['bound']) / 1e9:.1f} GFLOP/s)")
    print(f"  network at {median(result['bound']) / median(result['forward']):.0%} of the bound")


if __name__ == "__main__":
    main()
