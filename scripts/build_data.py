#!/usr/bin/env python
"""Build the compact data tables that nebuladapt ships (``nebuladapt/data/``).

Run from anywhere::

    python scripts/build_data.py [--shared PATH] [--wheel astroismlib-1.1.0-py3-none-any.whl]

Inputs are the project's ``shared/data`` folder (default ``<repo>/../shared/data``,
described in its README.md) and the MAPPINGS IIIq shock library of Allen et al.
(2008), which this script downloads itself from PyPI (``astroismlib`` 1.1.0,
~82 MB wheel; ``--wheel`` reuses a local copy). Outputs:

``nebuladapt/data/source_grids.parquet``
    One row per model (HII and PN: 3MdB Cloudy grids; SNR: Allen+08 shocks),
    line fluxes relative to Hbeta = 1 (float32), provenance in the table meta.
``nebuladapt/data/nebulabayes_hii.parquet``
    The MAPPINGS 5.1 HII grid of NebulaBayes 0.9.9 (PyPI, downloaded like astroismlib;
    ``--nebulabayes-wheel`` reuses a local copy), built by ``build_nebulabayes.py``.
``nebuladapt/data/benchmark.parquet``
    The real labelled benchmark (NEAT line lists, Ho 2019, Long+19), fluxes in
    each source's own normalisation (float64), provenance in the table meta.

The builders of each source live in the ``databuild`` package next to this script.
astropy stores ``Table.meta`` in the parquet file (``table_meta_yaml``), so no
side-car JSON is written.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
from astropy.table import Table, vstack

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from build_nebulabayes import build_nebulabayes  # noqa: E402
from build_nebulabayes import fetch_wheel as fetch_nebulabayes  # noqa: E402
from databuild.benchmark import build_benchmark  # noqa: E402
from databuild.common import CITATIONS  # noqa: E402
from databuild.shocks import build_allen08, fetch_astroismlib  # noqa: E402
from databuild.threemdb import build_3mdb  # noqa: E402

OUT_DIR = REPO / "nebuladapt" / "data"
GRIDS_FILE = OUT_DIR / "source_grids.parquet"
BENCHMARK_FILE = OUT_DIR / "benchmark.parquet"
NEBULABAYES_FILE = OUT_DIR / "nebulabayes_hii.parquet"


def build_source_grids(shared: Path, wheel: Path) -> Table:
    """The full source-grid table (HII, PN, SNR) with provenance in ``meta``."""
    mdb, mdb_prov = build_3mdb(shared)
    shocks, shock_prov = build_allen08(wheel)
    table = vstack([mdb, shocks])
    if len(np.unique(table["model_id"])) != len(table):
        raise RuntimeError("model_id is not unique")
    table.meta = {
        "title": "nebuladapt source grids: labelled photoionisation and shock models",
        "built_by": "scripts/build_data.py",
        "flux_normalisation": "line fluxes relative to Hbeta = 1 (float32); NaN where the "
        "grid lacks the line",
        "classes": {"HII": "3MdB:BOND_2", "PN": "3MdB:PNe_2021", "SNR": "Allen08:*"},
        "columns": {
            "class": "HII / PN / SNR",
            "grid": "grid name (3MdB:<ref> or Allen08:<parameter set>)",
            "model_id": "unique model identifier",
            "abundance_series": "Allen08 abundance series letter (empty for 3MdB)",
            "preshock_density": "Allen08 pre-shock density, cm^-3 (NaN for 3MdB)",
            "magnetic_field": "Allen08 pre-shock magnetic field, muG (NaN for 3MdB)",
            "shock_velocity": "Allen08 shock velocity, km/s (NaN for 3MdB)",
            "shock_component": "Allen08 s (shock) / p (precursor) / sp (both); empty for 3MdB",
            "in_default": "row belongs to the default labelled source set",
            "log_HB4861": "log10 absolute Hbeta: erg/s luminosity for 3MdB, erg cm^-2 s^-1 "
            "surface flux for Allen08 (not comparable between grids)",
        },
        "grids": {**mdb_prov, **shock_prov},
        "citations": {k: CITATIONS[k] for k in ("3MdB", "BOND", "PNe", "Pamplemousse", "Allen08")},
    }
    return table


def _write(table: Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    table.write(path, format="parquet", overwrite=True)
    print(f"wrote {path.relative_to(REPO)} ({path.stat().st_size / 1e6:.2f} MB, {len(table)} rows)")


def _print_counts(grids: Table, benchmark: Table) -> None:
    print("\nsource grids (rows / in default):")
    for cls in ("HII", "PN", "SNR"):
        rows = grids[grids["class"] == cls]
        print(f"  {cls:4s} {len(rows):6d} / {int(rows['in_default'].sum()):6d}")
    snr = grids[grids["class"] == "SNR"]
    for comp in ("s", "p", "sp"):
        print(f"  SNR component {comp:2s}: {int((snr['shock_component'] == comp).sum())}")
    print("\nbenchmark (class x catalogue):")
    for key, count in sorted(Counter(zip(benchmark["class"], benchmark["catalogue"])).items()):
        print(f"  {key[0]:4s} {key[1]:9s} {count:4d}")
    print(f"  total {len(benchmark)}")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: build and write both shipped tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data",
                        help="the shared/data folder (default: <repo>/../shared/data)")
    parser.add_argument("--wheel", type=Path, default=None,
                        help="a local astroismlib-1.1.0 wheel (default: pip download it)")
    parser.add_argument("--nebulabayes-wheel", type=Path, default=None,
                        help="a local NebulaBayes-0.9.9 wheel (default: pip download it)")
    args = parser.parse_args(argv)
    shared = args.shared.resolve()
    if not (shared / "README.md").is_file():
        parser.error(f"no shared data at {shared}")
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch_astroismlib(Path(tmp))
        grids = build_source_grids(shared, wheel)
        nebulabayes = build_nebulabayes(args.nebulabayes_wheel or fetch_nebulabayes(Path(tmp)))
    benchmark = build_benchmark(shared)
    _write(grids, GRIDS_FILE)
    _write(nebulabayes, NEBULABAYES_FILE)
    _write(benchmark, BENCHMARK_FILE)
    _print_counts(grids, benchmark)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
