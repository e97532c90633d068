"""Builder of ``nebuladapt/data/nebulabayes_hii.parquet`` (called by ``build_data.py``).

The MAPPINGS 5.1 HII-region grid that ships inside NebulaBayes 0.9.9 (PyPI, MIT
licence; Thomas et al. 2018, ApJ 856, 89): ``NebulaBayes/grids/NB_HII_grid.fits.gz``,
1,296 models on a 9 x 12 x 12 grid of log U, log P/k and 12 + log O/H, with about
100 line fluxes relative to Hbeta = 1. Only the lines nebuladapt's line registry
knows are kept (matched by name through :func:`nebuladapt.lines.canonical_line_name`).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import zipfile
from pathlib import Path

import numpy as np
from astropy.io import fits
from astropy.table import Table

from databuild.common import fetch_wheel as fetch_pypi_wheel
from databuild.common import sha256_file
from nebuladapt.lines import LINES, canonical_line_name

REQUIREMENT = "NebulaBayes==0.9.9"
WHEEL_GLOB = "NebulaBayes-0.9.9-*.whl"
GRID_PATH = "NebulaBayes/grids/NB_HII_grid.fits.gz"
GRID_NAME = "nebulabayes_hii"
#: FITS parameter column -> shipped column.
PARAMETERS = {"log U": "log_U", "log P/k": "log_P_k", "12 + log O/H": "oxygen_abundance"}
#: Lines every default model must have (finite, > 0): those of the classical ratios.
REQUIRED_LINES = ("HB4861", "OIII5006", "HA6562", "NII6583", "SII6716", "SII6730")

CITATIONS = {
    "NebulaBayes": "Thomas A. D., Dopita M. A., Kewley L. J., et al., 2018, ApJ, 856, 89 "
    "(NebulaBayes; PyPI NebulaBayes 0.9.9, MIT licence)",
    "MAPPINGS": "Sutherland R. S., Dopita M. A., 2017, ApJS, 229, 34 (MAPPINGS V; the grid "
    "was computed with MAPPINGS 5.1, FITS header MPG_VRSN)",
}


def fetch_wheel(dest: Path) -> Path:
    """Download the NebulaBayes 0.9.9 wheel (no dependencies) into ``dest``."""
    return fetch_pypi_wheel(REQUIREMENT, WHEEL_GLOB, dest)


def line_columns(colnames) -> dict[str, str]:
    """FITS column -> canonical line, for the columns the line registry knows."""
    mapping = {}
    for name in colnames:
        if name in PARAMETERS:
            continue
        line = canonical_line_name(name)
        if line in LINES:  # single lines only: the table's summed columns are left out
            if line in mapping.values():
                raise ValueError(f"two NebulaBayes columns map to {line}")
            mapping[name] = line
    return mapping


def build_nebulabayes(wheel: Path) -> Table:
    """The shipped NebulaBayes HII table (one row per model) with provenance in ``meta``."""
    with zipfile.ZipFile(wheel) as archive:
        raw_bytes = archive.read(GRID_PATH)
    with fits.open(io.BytesIO(gzip.decompress(raw_bytes))) as hdus:
        version = str(hdus[1].header.get("MPG_VRSN", "unknown"))
        raw = Table(hdus[1].data)
    mapping = line_columns(raw.colnames)
    n = len(raw)
    hb = np.asarray(raw["Hbeta"], dtype=float)
    if not np.all(hb == 1.0):
        raise RuntimeError("NebulaBayes HII grid: Hbeta is not 1 in every model")
    table = Table()
    table["class"] = np.full(n, "HII")
    table["grid"] = np.full(n, GRID_NAME)
    params = {out: np.asarray(raw[col], dtype=np.float32) for col, out in PARAMETERS.items()}
    table["model_id"] = [
        f"{GRID_NAME}:logU{u:+.2f}:logPk{p:.1f}:OH{z:.3f}"
        for u, p, z in zip(params["log_U"], params["log_P_k"], params["oxygen_abundance"])
    ]
    for name, values in params.items():
        table[name] = values
    for column, line in sorted(mapping.items(), key=lambda item: LINES[item[1]].wavelength):
        values = np.asarray(raw[column], dtype=np.float32)
        table[line] = np.where(np.isfinite(values), values, np.float32(np.nan))
    good = np.ones(n, dtype=bool)
    for line in REQUIRED_LINES:
        good &= np.isfinite(table[line]) & (table[line] > 0)
    table["in_default"] = good
    if len(set(table["model_id"])) != n:
        raise RuntimeError("NebulaBayes model_id is not unique")
    undefined = {line: int((~np.isfinite(table[line])).sum()) for line in mapping.values()}
    table.meta = {
        "title": "nebuladapt grid nebulabayes_hii: MAPPINGS 5.1 HII-region models of NebulaBayes",
        "built_by": "scripts/build_data.py (scripts/build_nebulabayes.py)",
        "name": GRID_NAME,
        "classes": ["HII"],
        "citation": "; ".join(CITATIONS.values()),
        "citations": CITATIONS,
        "licence": "MIT (NebulaBayes)",
        "file": f"{wheel.name} (PyPI, sha256 {sha256_file(wheel)}), {GRID_PATH} "
        f"(sha256 {hashlib.sha256(raw_bytes).hexdigest()})",
        "code": f"MAPPINGS {version}",
        "n_models": n,
        "n_default": int(good.sum()),
        "default": "models whose lines " + ", ".join(REQUIRED_LINES) + " are all finite and "
        f"positive ({int(good.sum())} of {n}); the FITS table leaves [OIII]5007 undefined (NaN) "
        "for 10 low-U, high-metallicity models, which NebulaBayes itself treats as zero flux "
        "(NB1_Process_grids.py) - a zero flux has no log ratio",
        "flux_normalisation": "line fluxes relative to Hbeta = 1 (float32), as in the FITS table; "
        "NaN where the table gives no value",
        "lines": {column: line for column, line in sorted(mapping.items())},
        "undefined_per_line": {k: v for k, v in sorted(undefined.items()) if v},
        "columns": {
            "log_U": "log ionisation parameter at the inner edge ('log U'): -4 to -2 in 0.25 dex",
            "log_P_k": "log gas pressure P/k in K cm^-3 ('log P/k'): 4.2 to 8.6 in 0.4 dex",
            "oxygen_abundance": "gas-phase 12 + log(O/H) ('12 + log O/H'): 7.061 to 9.304, "
            "12 values",
            "in_default": "row belongs to the default labelled source set",
        },
    }
    return table
