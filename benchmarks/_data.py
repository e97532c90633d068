"""Inputs shared by the benchmarks: a fitted model and SYNTHETIC partitioned Parquet catalogues."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

DEFAULT_DATA_DIR = Path(os.environ.get("NEBULADAPT_BENCH_DIR", Path(tempfile.gettempdir()) / "nebuladapt-bench"))
ROWS_PER_FILE = 1_000_000


def bench_model(data_dir: Path = DEFAULT_DATA_DIR) -> Path:
    """A DANN fitted on the shipped benchmark (500 steps), saved once and reused."""
    from nebuladapt.benchmark import benchmark_catalog
    from nebuladapt.dust import deredden_catalog
    from nebuladapt.models import load_model, save_model
    from nebuladapt.models.fitting import fit_on_catalog

    path = Path(data_dir) / "model"
    try:
        load_model(path)
    except Exception:  # missing, or written by another version: fit again
        model = fit_on_catalog(deredden_catalog(benchmark_catalog()), method="dann", n_steps=500, seed=0)
        save_model(model, path, overwrite=True)
    return path


def bench_catalogue(n_rows: int, data_dir: Path = DEFAULT_DATA_DIR) -> Path:
    """A SYNTHETIC catalogue of ``n_rows`` rows as partitioned Parquet, written once and reused."""
    from nebuladapt.synthetic import write_synthetic_parquet

    path = Path(data_dir) / f"synthetic-{n_rows}"
    if not path.is_dir():
        write_synthetic_parquet(path, n_rows, rows_per_file=ROWS_PER_FILE, seed=0)
    return path


def bench_arguments(description: str) -> argparse.Namespace:
    """The options every catalogue benchmark takes: ``--rows``, ``--runs``, ``--data-dir``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    return parser.parse_args()
