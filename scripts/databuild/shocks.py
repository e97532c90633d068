"""Source grids, SNR: the Allen et al. (2008) MAPPINGS IIIq shock library.

The library ships in the ``astroismlib`` 1.1.0 wheel on PyPI
(``model_shock/models_shock/*_lines.txt``, one file per abundance series,
pre-shock density, magnetic field and component; one column per shock velocity).
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
from astropy.table import Table, vstack

from nebuladapt.catalogs.linelist import match_wavelengths

from .common import CITATIONS, fetch_wheel, sha256_file
from .schema import GRID_LINES, grid_table

__all__ = [
    "ASTROISMLIB",
    "SHOCK_DIR",
    "SHOCK_SERIES",
    "SHOCK_COMPONENTS",
    "DEFAULT_SHOCK_COMPONENTS",
    "parse_shock_filename",
    "read_shock_file",
    "fetch_astroismlib",
    "build_allen08",
]

ASTROISMLIB = "astroismlib==1.1.0"
SHOCK_DIR = "model_shock/models_shock/"

SHOCK_FILE_PATTERN = re.compile(
    r"^(?P<series>[A-Z])_n(?P<density>[0-9_]+)_b(?P<field>[0-9_]+|e)_(?P<component>sp|s|p)"
    r"_lines\.txt$"
)

#: Abundance series of the library (astroismlib model_shock/__init__.py; Allen+08 sect. 2).
SHOCK_SERIES = {
    "M": "solar, n = 1 cm^-3",
    "R": "2x solar, n = 1 cm^-3",
    "J": "Dopita et al. (2005) solar, n = 1 cm^-3",
    "P": "SMC, n = 1 cm^-3",
    "Q": "LMC, n = 1 cm^-3",
    "T": "solar, n = 0.01 cm^-3",
    "U": "solar, n = 0.1 cm^-3",
    "V": "solar, n = 10 cm^-3",
    "L": "solar, n = 100 cm^-3",
    "S": "solar, n = 1000 cm^-3",
}
SHOCK_COMPONENTS = {
    "s": "shock only (header 'SHOCK')",
    "p": "precursor only (header 'PRECURSOR'): photoionised gas ahead of the shock",
    "sp": "shock + precursor (header 'SHOCK+ ... PRECURSOR')",
}
DEFAULT_SHOCK_COMPONENTS = ("s", "sp")
#: Equipartition magnetic parameter B/n^(1/2) in muG cm^(3/2) (Allen+08; astroismlib maps
#: 'be' to 3.23 muG at n = 1 and 32.3 muG at n = 100).
EQUIPARTITION_B_OVER_SQRT_N = 3.23
#: Field of the 'b0' files: astroismlib's table of field values lists 0.0001 muG for them
#: (the smallest field of the Allen+08 library, B/n^(1/2) = 1e-4).
B0_FIELD = 1e-4


def _underscore_number(token: str) -> float:
    """'0_5' -> 0.5, '12_65' -> 12.65, '10' -> 10.0 (file-name decimals)."""
    return float(token.replace("_", ".", 1))


def parse_shock_filename(name: str) -> dict:
    """Parameters of one library file from its name, e.g. ``M_n1_b0_5_sp_lines.txt``."""
    match = SHOCK_FILE_PATTERN.match(name)
    if match is None:
        raise ValueError(f"unexpected shock file name {name!r}")
    density = _underscore_number(match["density"])
    field = match["field"]
    if field == "e":
        b_muG = EQUIPARTITION_B_OVER_SQRT_N * np.sqrt(density)
    elif field == "0":
        b_muG = B0_FIELD
    else:
        b_muG = _underscore_number(field)
    return {
        "series": match["series"],
        "density": density,
        "field_token": f"b{field}",
        "magnetic_field": float(b_muG),
        "component": match["component"],
        "set": f"{match['series']}_n{match['density']}_b{field}",
    }


def read_shock_file(text: str, tolerance: float = 1.5) -> tuple[np.ndarray, dict, np.ndarray]:
    """(velocities, {line: values}, log Hbeta) from one ``*_lines.txt`` file."""
    lines = text.splitlines()
    header = [ln for ln in lines if ln.startswith("#")]
    velocities = np.array([float(v) for v in header[-1].lstrip("#").split()[4:]])
    wavelengths, values, log_hb = [], [], None
    for line in lines:
        if line.startswith("#") or not line.strip():
            continue
        tokens = line.split()
        data = np.array([float(v) for v in tokens[4:]])
        if len(data) != len(velocities):
            raise ValueError(f"row {tokens[:4]} has {len(data)} values for {len(velocities)}")
        if tokens[0] == "log(Hb)":
            log_hb = data
            continue
        wavelengths.append(float(tokens[3]))
        values.append(data)
    if log_hb is None:
        raise ValueError("no log(Hb) row")
    matches = match_wavelengths(wavelengths, tolerance)
    fluxes = {line: values[index] for line, index in matches.items() if line in GRID_LINES}
    return velocities, fluxes, log_hb


def fetch_astroismlib(dest: Path) -> Path:
    """Download the astroismlib 1.1.0 wheel (no dependencies) into ``dest``."""
    return fetch_wheel(ASTROISMLIB, "astroismlib-1.1.0-*.whl", dest)


def _shock_columns(name: str, text: str) -> dict:
    """Grid columns for the rows of one shock file (one row per velocity)."""
    params = parse_shock_filename(name)
    velocities, fluxes, log_hb = read_shock_file(text)
    n = len(velocities)
    grid = f"Allen08:{params['set']}"
    columns = {
        "class": np.full(n, "SNR"),
        "grid": np.full(n, grid),
        "model_id": np.array([f"{grid}:{params['component']}:v{v:g}" for v in velocities]),
        "abundance_series": np.full(n, params["series"]),
        "preshock_density": np.full(n, params["density"]),
        "magnetic_field": np.full(n, params["magnetic_field"]),
        "shock_velocity": velocities,
        "shock_component": np.full(n, params["component"]),
        "in_default": np.full(n, params["component"] in DEFAULT_SHOCK_COMPONENTS),
        "log_HB4861": log_hb,
        **fluxes,
    }
    columns["SII6716_6730"] = fluxes["SII6716"] + fluxes["SII6730"]
    return columns


def build_allen08(wheel: Path) -> tuple[Table, dict]:
    """All shock-library rows (s, p, sp) and their provenance."""
    tables, sets, components = [], set(), Counter()
    with zipfile.ZipFile(wheel) as archive:
        names = sorted(
            n for n in archive.namelist() if n.startswith(SHOCK_DIR) and n.endswith("_lines.txt")
        )
        for path in names:
            name = path.rsplit("/", 1)[-1]
            columns = _shock_columns(name, archive.read(path).decode())
            n = len(columns["model_id"])
            tables.append(grid_table(n, columns))
            params = parse_shock_filename(name)
            sets.add(params["set"])
            components[params["component"]] += n
    table = vstack(tables)
    n_default = int(table["in_default"].sum())
    provenance = {
        "Allen08": {
            "class": "SNR",
            "paper": CITATIONS["Allen08"],
            "code": "MAPPINGS IIIq",
            "file": f"astroismlib 1.1.0 wheel (PyPI, {wheel.name}, sha256 {sha256_file(wheel)}), "
            f"{SHOCK_DIR}*_lines.txt; no licence stated in the wheel",
            "grid_names": "Allen08:<series>_n<density>_b<field> (one per parameter set)",
            "n_files": len(names),
            "n_parameter_sets": len(sets),
            "n_models": len(table),
            "n_models_per_component": dict(components),
            "n_default": n_default,
            "selection": "all files, all velocities (100-1000 km/s; a few sets start at "
            "125 or 300 km/s or stop below 1000 km/s); one row per (file, velocity)",
            "default": "shock-only 's' and shock+precursor 'sp' components of all "
            f"{len(sets)} (abundance, density, field) sets, all velocities. Precursor-only "
            "'p' rows are shipped but not in the default SNR class: they are photoionised "
            "gas ahead of the shock, not shocked gas.",
            "components": SHOCK_COMPONENTS,
            "abundance_series": SHOCK_SERIES,
            "magnetic_field": "muG, from the file name: b0_5 = 0.5, b0_001 = 0.001, b1_0 = "
            f"1.0; b0 = {B0_FIELD} (astroismlib's value for these files); be = equipartition, "
            f"B = {EQUIPARTITION_B_OVER_SQRT_N} sqrt(n) muG (3.23 at n = 1, 32.3 at n = 100)",
            "lines": "matched by wavelength (tolerance 1.5 A, closest row wins); fluxes "
            "relative to Hbeta = 1 as in the files; SII6716_6730 = SII6716 + SII6730",
            "log_HB4861": "the files' log(Hb) row: log10 Hbeta surface flux in erg cm^-2 s^-1",
        }
    }
    return table, provenance
