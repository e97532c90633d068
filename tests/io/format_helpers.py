"""One list of every format in the registry, and a way to write a catalogue in each
(dust_extinction style: contract tests are parametrised over ``ALL_FORMATS``; imported by name, as pytest puts this folder on the path)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from astropy.table import Table

from nebuladapt.io.formats import FORMATS

#: Every registered format (a new format is tested as soon as it is registered).
ALL_FORMATS = list(FORMATS.values())
STREAMED_FORMATS = [f for f in ALL_FORMATS if f.streamer]
WRITTEN_FORMATS = [f for f in ALL_FORMATS if f.writer]

#: Line fluxes of the small catalogue: Hbeta = 100 normalisation, observed (Ha/Hb > 2.86).
FLUXES = {
    "HB4861": [100.0, 100.0, 100.0, 100.0],
    "OIII5006": [50.0, 800.0, 150.0, 300.0],
    "HA6562": [320.0, 300.0, 350.0, 400.0],
    "NII6583": [30.0, 50.0, 200.0, 120.0],
    "SII6716": [20.0, 6.0, 90.0, 40.0],
    "SII6730": [15.0, 5.0, 70.0, 30.0],
}


def small_table() -> Table:
    """Four rows in PHANGS columns, with errors and an ID."""
    table = Table({"ID": np.arange(4)})
    for line, values in FLUXES.items():
        table[f"{line}_FLUX"] = np.array(values)
        table[f"{line}_FLUX_ERR"] = np.array(values) * 0.05
    return table


_WAVELENGTHS = {"HB4861": 4861.33, "OIII5006": 5006.84, "HA6562": 6562.80,
                "NII6583": 6583.45, "SII6716": 6716.44, "SII6730": 6730.82}


def write_catalogue(fmt, folder: Path) -> tuple[Path, int]:
    """Write the small catalogue in ``fmt`` (its first extension); return the path and rows."""
    path = Path(folder) / f"cat{fmt.extensions[0]}"
    if fmt.name == "linelist":  # one nebula per file: the first row as a NEAT line list
        lines = ["#Extragalactic HII region", "#from a test"]
        lines += [f"{_WAVELENGTHS[k]:.2f}  {v[0]:.3f}  {v[0] * 0.05:.3f}" for k, v in FLUXES.items()]
        path.write_text("\n".join(lines) + "\n")
        return path, 1
    small_table().write(path, format=fmt.astropy)
    return path, 4
