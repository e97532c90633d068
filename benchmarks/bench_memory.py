"""Peak memory: resident set size of ``nebuladapt predict`` on 1M and 10M SYNTHETIC rows.

Each run starts the command in a fresh process and reads its peak RSS
(``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` of a one-shot child runner, so that
every run is measured on its own). Peak RSS should not grow with the number of rows.

    python benchmarks/bench_memory.py --rows 1000000 10000000 --runs 3
"""

from __future__ import annotations

import subprocess
import sys

from _data import bench_arguments, bench_catalogue, bench_model
from _machine import machine_info, median, spread

_RUNNER = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, capture_output=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def peak_rss_mib(command: list[str]) -> float:
    """Peak RSS (MiB) of ``command`` run in a fresh process."""
    out = subprocess.run([sys.executable, "-c", _RUNNER, *command], check=True, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024  # ru_maxrss is in KiB on Linux


def main() -> None:
    args = bench_arguments(__doc__.split("\n")[0])
    print(machine_info())
    model_dir = bench_model(args.data_dir)
    out = args.data_dir / "out.parquet"
    imports = "import nebuladapt.cli, nebuladapt.streaming, nebuladapt.models.persistence, pyarrow.parquet"
    baseline = [peak_rss_mib([sys.executable, "-c", imports])
                for _ in range(args.runs)]
    print(f"interpreter + libraries imported, no data: {spread(baseline)} MiB")
    for n_rows in args.rows:
        catalogue = bench_catalogue(n_rows, args.data_dir)
        command = [sys.executable, "-m", "nebuladapt.cli", "predict", str(catalogue), "--model", str(model_dir),
                   "--out", str(out), "--overwrite"]
        peaks = [peak_rss_mib(command) for _ in range(args.runs)]
        print(f"nebuladapt predict, {n_rows:,} rows (Parquet -> Parquet): peak RSS {spread(peaks)} MiB "
              f"({median(peaks) / 1024:.2f} GiB)")
    out.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
