"""Where streamed prediction spends its CPU: read, classify, write, per million rows.

Runs the stages of ``nebuladapt predict`` one after the other in one thread
(:mod:`nebuladapt.io.sources`, :func:`nebuladapt.streaming.classify_arrow`,
:mod:`nebuladapt.io.writers`) on the SYNTHETIC catalogue and reports the median
process CPU time of each stage per million rows. CPU time, not wall time, so
that the figures stay meaningful on a shared machine.

    python benchmarks/bench_stages.py --rows 1000000 --runs 3
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from _data import bench_arguments, bench_catalogue, bench_model
from _machine import machine_info, median, spread


def stages(catalogue: Path, model_dir: Path) -> dict:
    from nebuladapt.io.sources import open_source
    from nebuladapt.io.writers import OutputSpec, ParquetWriter
    from nebuladapt.models import load_model
    from nebuladapt.models.inference import compute_threads
    from nebuladapt.streaming import LineColumns, classify_arrow

    model = load_model(model_dir)
    source = open_source(catalogue, 1 << 17)
    columns = LineColumns.from_template(source.template, source.source, source.schema.names)
    spent = {"read": 0.0, "classify": 0.0, "write": 0.0}
    with tempfile.TemporaryDirectory() as folder, compute_threads(1):
        writer = ParquetWriter(Path(folder) / "out.parquet",
                               OutputSpec(source.schema, source.template, source.input_yaml))
        chunks = iter(source.chunks())
        while True:
            start = time.process_time()
            chunk = next(chunks, None)
            spent["read"] += time.process_time() - start
            if chunk is None:
                break
            start = time.process_time()
            table, _ = classify_arrow(chunk.table, model, columns)
            spent["classify"] += time.process_time() - start
            start = time.process_time()
            writer.write(table)
            spent["write"] += time.process_time() - start
        start = time.process_time()
        writer.close()
        spent["write"] += time.process_time() - start
    scale = 1e6 / source.total
    return {k: v * scale for k, v in spent.items()}


def main() -> None:
    args = bench_arguments(__doc__.splitlines()[0])
    print(machine_info())
    model_dir = bench_model(args.data_dir)
    for n_rows in args.rows:
        catalogue = bench_catalogue(n_rows, args.data_dir)
        runs = [stages(catalogue, model_dir) for _ in range(args.runs)]
        for stage in ("read", "classify", "write"):
            values = [r[stage] for r in runs]
            print(f"{n_rows:>11,} rows  {stage:<8} CPU-s per 1M rows: {spread(values)}")
        total = [sum(r.values()) for r in runs]
        print(f"{n_rows:>11,} rows  total    {median(total):.3f} CPU-s per 1M rows")


if __name__ == "__main__":
    main()
