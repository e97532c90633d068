"""Maps: speed and peak memory of classifying a SYNTHETIC 4,000 x 4,000 MAPS file.

The MAPS file (7 lines and their errors, float32; ``nebuladapt.maps.synthetic``) and
the model (DANN on the shipped benchmark, 500 steps) are written once under
``--data-dir`` and reused. Per run, in a fresh process each:

* ``classify``: :func:`nebuladapt.maps.classify_maps` alone (read by row blocks,
  classify tile by tile), wall time, spaxels/s and CPU seconds per million spaxels
  (what the throughput on an otherwise idle machine follows from), with the default Halpha
  S/N cut (5) and with ``snr_min=0`` (every spaxel through the network);
* ``command``: the whole ``nebuladapt predict MAPS.fits --out CLASSES.fits`` (start-up,
  classification, writing the FITS file) with its peak RSS
  (``getrusage(RUSAGE_CHILDREN).ru_maxrss`` of a one-shot runner).

    nice -n 10 python benchmarks/bench_maps.py --size 4000 --runs 3
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from _data import DEFAULT_DATA_DIR, bench_model
from _machine import machine_info, median, spread

_CLASSIFY = """
import json, resource, sys, time
from nebuladapt.maps import classify_maps, open_maps
from nebuladapt.models import load_model
model = load_model(sys.argv[2])
with open_maps(sys.argv[1]) as maps:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    result = classify_maps(maps, model, snr_min=float(sys.argv[3]))
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
print(json.dumps({"seconds": elapsed, "cpu": cpu, "spaxels": maps.n_spaxels, "counts": result.counts()}))
"""

_RUNNER = """
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, capture_output=True)
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def bench_maps_file(size: int, data_dir: Path) -> Path:
    """The SYNTHETIC ``size`` x ``size`` MAPS file, written once."""
    from nebuladapt.maps.synthetic import write_synthetic_maps

    folder = Path(data_dir) / f"maps-{size}"
    if not (folder / "maps.fits").is_file():
        start = time.perf_counter()
        write_synthetic_maps(folder, shape=(size, size), seed=0, overwrite=True)
        print(f"wrote the SYNTHETIC {size}x{size} MAPS file in {time.perf_counter() - start:.0f} s")
    return folder / "maps.fits"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args()
    print(machine_info())
    model_dir = bench_model(args.data_dir)
    maps = bench_maps_file(args.size, args.data_dir)
    print(f"input: {maps} ({maps.stat().st_size / 2**30:.2f} GiB, 7 lines + errors, float32)")
    for snr_min in (5.0, 0.0):
        runs = []
        for _ in range(args.runs):
            out = subprocess.run([sys.executable, "-c", _CLASSIFY, str(maps), str(model_dir), str(snr_min)],
                                 check=True, capture_output=True, text=True)
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        seconds = [r["seconds"] for r in runs]
        cpu = [r["cpu"] / r["spaxels"] * 1e6 for r in runs]
        rate = runs[0]["spaxels"] / median(seconds)
        print(f"classify_maps, snr_min={snr_min:g}: wall {spread(seconds)} s -> {rate / 1e6:.2f}M spaxels/s; "
              f"CPU {spread(cpu)} s per million spaxels (2 idle cores: {2 / median(cpu):.2f}M spaxels/s); "
              f"classes {runs[0]['counts']}")
    out = args.data_dir / "classes.fits"
    walls, peaks = [], []
    for _ in range(args.runs):
        command = [sys.executable, "-m", "nebuladapt.cli", "predict", str(maps), "--model", str(model_dir),
                   "--out", str(out), "--overwrite"]
        result = subprocess.run([sys.executable, "-c", _RUNNER, *command], check=True, capture_output=True, text=True)
        wall, rss = result.stdout.split()
        walls.append(float(wall))
        peaks.append(int(rss) / 1024)
    print(f"nebuladapt predict MAPS.fits --out CLASSES.fits: wall {spread(walls)} s, "
          f"peak RSS {spread(peaks)} MiB ({median(peaks) / 1024:.2f} GiB)")
    out.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
