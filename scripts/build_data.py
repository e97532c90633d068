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

astropy stores ``Table.meta`` in the parquet file (``table_meta_yaml``), so no
side-car JSON is written.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
from astropy.table import Table, vstack

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from build_nebulabayes import build_nebulabayes  # noqa: E402
from build_nebulabayes import fetch_wheel as fetch_nebulabayes  # noqa: E402

from nebuladapt.catalogs.linelist import match_wavelengths, read_line_lists  # noqa: E402

OUT_DIR = REPO / "nebuladapt" / "data"
GRIDS_FILE = OUT_DIR / "source_grids.parquet"
BENCHMARK_FILE = OUT_DIR / "benchmark.parquet"
NEBULABAYES_FILE = OUT_DIR / "nebulabayes_hii.parquet"

#: Flux columns of the source-grid table (relative to Hbeta = 1).
GRID_LINES = (
    "HB4861", "OIII4958", "OIII5006", "OI6300", "NII6548", "HA6562", "NII6583",
    "SII6716", "SII6730", "SII6716_6730", "OII3726", "OII3729", "HeII4686", "HeI5876",
)  # fmt: skip
#: Lines of the benchmark table (``<LINE>_FLUX`` and ``<LINE>_FLUX_ERR``).
BENCHMARK_LINES = (
    "HB4861", "OIII4958", "OIII5006", "OI6300", "NII6548", "HA6562", "NII6583",
    "SII6716", "SII6730", "SII6716_6730", "OII3726", "OII3729", "OII3726_3729",
    "HeII4686", "HeI5876",
)  # fmt: skip

ASTROISMLIB = "astroismlib==1.1.0"
SHOCK_DIR = "model_shock/models_shock/"

CITATIONS = {
    "3MdB": "Morisset C., Delgado-Inglada G., Flores-Fajardo N., 2015, RMxAA, 51, 103",
    "BOND": "Vale Asari N., Stasinska G., Morisset C., Cid Fernandes R., 2016, MNRAS, 460, 1739",
    "PNe": "Delgado-Inglada G., Morisset C., Stasinska G., 2014, MNRAS, 440, 536; "
    "Delgado-Inglada G., et al., 2015, MNRAS, 449, 1797",
    "Pamplemousse": "Rhea C. L., Rousseau-Nepton L., Moumen I., et al., 2023, RAS Techniques "
    "and Instruments, 'A Machine Learning Approach to Galactic Emission-Line Region "
    "Classification' (arXiv:2306.11545); export in github.com/sitelle-signals/Pamplemousse "
    "(GPL-3)",
    "Allen08": "Allen M. G., Groves B. A., Dopita M. A., Sutherland R. S., Kewley L. J., 2008, "
    "ApJS, 178, 20",
    "NEAT": "Wesson R., Stock D. J., Scicluna P., 2012, MNRAS, 422, 3516 (NEAT; example line "
    "lists from github.com/rwesson/NEAT, GPL-3)",
    "Ho2019": "Ho I.-T., 2019, MNRAS, 'A machine learning artificial neural network calibration "
    "of the strong-line oxygen abundance' (arXiv:1903.01506); data of its Fig. 10 left panel, "
    "github.com/hoiting/OxygenMLP data.txt",
    "Long2019": "Long K. S., Winkler P. F., Blair W. P., 2019, ApJ, 875, 85",
}


# --------------------------------------------------------------------------------------
# Source grids: 3MdB (HII, PN)
# --------------------------------------------------------------------------------------

#: 3MdB export column -> canonical line (Pamplemousse BPT/Generate-Data.ipynb selects
#: O__3_500684A, N__2_658345A, O__2_372603A, H__1_656281A, H__1_486133A and sums
#: S__2_671644A + S__2_673082A).
THREE_MDB_COLUMNS = {
    "OIII": "OIII5006",
    "SII": "SII6716_6730",
    "NII": "NII6583",
    "OII": "OII3726",
    "Ha": "HA6562",
    "Hb": "HB4861",
}

THREE_MDB_GRIDS = {
    "HII": {
        "grid": "3MdB:BOND_2",
        "file": "models/3mdb_BOND2_HII_line_fluxes.txt",
        "paper": CITATIONS["BOND"],
        "database": CITATIONS["3MdB"],
        "export": CITATIONS["Pamplemousse"] + ", file BPT/Ratios_HII_fluxes.txt",
        "code": "Cloudy 17 (3MdB table tab_17)",
        "selection": "tab_17 where ref='BOND_2', log U in {-2.5, -3.0} (all geometries) or "
        "log U = -3.5 with geometrical factor fr = 3.0; log(O/H) from -5.4 to -3.0",
    },
    "PN": {
        "grid": "3MdB:PNe_2021",
        "file": "models/3mdb_PNe2021_line_fluxes.txt",
        "paper": CITATIONS["PNe"],
        "database": CITATIONS["3MdB"],
        "export": CITATIONS["Pamplemousse"] + ", file BPT/Ratios_PNe_fluxes.txt",
        "code": "Cloudy 17 (3MdB table tab_17)",
        "selection": "tab_17 where ref='PNe_2021' and com6=1 (a 3MdB selection flag the "
        "export does not document)",
    },
}


def _grid_table(n: int, columns: dict) -> Table:
    """A source-grid table with the full schema; absent flux columns are NaN."""
    table = Table()
    table["class"] = columns["class"]
    table["grid"] = columns["grid"]
    table["model_id"] = columns["model_id"]
    table["abundance_series"] = columns.get("abundance_series", np.full(n, "", dtype="U1"))
    for key in ("preshock_density", "magnetic_field", "shock_velocity"):
        table[key] = np.asarray(columns.get(key, np.full(n, np.nan)), dtype=np.float32)
    table["shock_component"] = columns.get("shock_component", np.full(n, "", dtype="U2"))
    table["in_default"] = np.asarray(columns["in_default"], dtype=bool)
    for line in GRID_LINES:
        table[line] = np.asarray(columns.get(line, np.full(n, np.nan)), dtype=np.float32)
    table["log_HB4861"] = np.asarray(columns["log_HB4861"], dtype=np.float32)
    return table


def read_3mdb(path: Path, cls: str, grid: str) -> tuple[Table, int]:
    """One 3MdB export file as grid rows (fluxes / Hbeta); returns (table, n_dropped)."""
    raw = Table.read(path, format="ascii.basic")
    hb = np.asarray(raw["Hb"], dtype=float)
    ha = np.asarray(raw["Ha"], dtype=float)
    good = np.isfinite(hb) & (hb > 0) & np.isfinite(ha) & (ha > 0)
    raw, hb = raw[good], hb[good]
    n = len(raw)
    columns = {
        "class": np.full(n, cls),
        "grid": np.full(n, grid),
        "model_id": np.array([f"{grid}:{ct}" for ct in raw["Ct"]]),
        "in_default": np.ones(n, dtype=bool),
        "log_HB4861": np.log10(hb),
    }
    for column, line in THREE_MDB_COLUMNS.items():
        columns[line] = np.asarray(raw[column], dtype=float) / hb
    return _grid_table(n, columns), int((~good).sum())


def build_3mdb(shared: Path) -> tuple[Table, dict]:
    """The HII (BOND_2) and PN (PNe_2021) rows and their provenance."""
    tables, provenance = [], {}
    for cls, info in THREE_MDB_GRIDS.items():
        table, n_dropped = read_3mdb(shared / info["file"], cls, info["grid"])
        tables.append(table)
        provenance[info["grid"]] = {
            **info,
            "class": cls,
            "file": f"shared/data/{info['file']}",
            "n_models": len(table),
            "n_dropped_nonpositive_balmer": n_dropped,
            "default": "all models, except those with non-finite or non-positive Hbeta or "
            f"Halpha (dropped from the table: {n_dropped})",
            "lines": "OIII=[OIII]5007 -> OIII5006; SII=[SII]6716+6731 -> SII6716_6730 (sum "
            "only); NII=[NII]6583; OII=[OII]3726 only -> OII3726; Ha; Hb. No [OI], no "
            "separate [SII], no physical parameters in this export.",
            "log_HB4861": "log10 of the model Hbeta luminosity in erg/s",
        }
    return vstack(tables), provenance


# --------------------------------------------------------------------------------------
# Source grids: Allen et al. 2008 shocks (SNR)
# --------------------------------------------------------------------------------------

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
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", ASTROISMLIB, "-d", str(dest)],
        check=True,
    )
    wheels = sorted(dest.glob("astroismlib-1.1.0-*.whl"))
    if not wheels:
        raise FileNotFoundError("pip download did not produce the astroismlib wheel")
    return wheels[0]


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
            tables.append(_grid_table(n, columns))
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
            "file": f"astroismlib 1.1.0 wheel (PyPI, {wheel.name}, sha256 {_sha256(wheel)}), "
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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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


# --------------------------------------------------------------------------------------
# Benchmark: NEAT line lists, Ho 2019, Long et al. 2019
# --------------------------------------------------------------------------------------

#: Header reference (substring) -> (citation, fluxes already dereddened?). Bresolin+05 and
#: Esteban+09 give dereddened intensities (their Halpha/Hbeta is 2.57-3.06, e.g. 286 for
#: ngc1232_02; Esteban+09 VizieR J/ApJ/700/654 tab234: "Dereddened line intensity
#: ratios"); the others are observed fluxes (Halpha/Hbeta 2.59-11.7, e.g. M17 1170).
NEAT_REFERENCES = {
    "Bresolin et al., 2005": ("Bresolin F., et al., 2005, A&A, 441, 981", True),
    "Esteban et al. 2009": ("Esteban C., et al., 2009, ApJ, 700, 654", True),
    "Tsamis et al., 2003, MNRAS, 338": ("Tsamis Y. G., et al., 2003, MNRAS, 338, 687", False),
    "Tsamis et al., 2003, MNRAS, 345": ("Tsamis Y. G., et al., 2003, MNRAS, 345, 186", False),
    "Wesson et al., 2005": ("Wesson R., et al., 2005, MNRAS, 362, 424", False),
    "Wesson & Liu, 2004": ("Wesson R., Liu X.-W., 2004, MNRAS, 351, 1026", False),
    # The NEAT header says "MNRAS, 41, 181": the paper is MNRAS 415, 181.
    "Fang & Liu, 2011": ("Fang X., Liu X.-W., 2011, MNRAS, 415, 181", False),
}

NEAT_CLASSES = {
    "Extragalactic HII region": "HII",
    "Galactic HII region": "HII",
    "LMC HII region": "HII",
    "SMC HII region": "HII",
    "Galactic planetary nebula": "PN",
}
NEAT_EXCLUDED_CLASSES = ("LMC WR nebula", "Galactic WR nebula")

#: Objects with several files: object_id -> (file kept, reason). The others are dropped.
NEAT_DUPLICATES = {
    "ngc6543": (
        "ngc6543_3cols.dat",
        "2cols/3cols/4cols are the same Wesson & Liu (2004) list in three formats; 3cols "
        "has rest wavelengths and uncertainties (2cols has no uncertainties, 4cols omits "
        "some lines). [OIII]5007 is absent from all three.",
    ),
    "ngc7009": (
        "ngc7009_all.dat",
        "'all' is the full Fang & Liu (2011) list; 'cels' is a reduced list that lacks "
        "Halpha, [NII]6583/6548 and [OII]3729. Hbeta = 100 at 4861.33 in 'all': the 0.082 "
        "entry is a separate weak line at 4861.27, not Hbeta.",
    ),
    "ngc3576": (
        "ngc3576_aat.dat",
        "two Tsamis et al. (2003) spectra of NGC 3576; the ESO list covers only 4009-4959 A "
        "(no Halpha, [NII], [SII]); the AAT list covers 3530-7136 A.",
    ),
}

#: Host galaxy of each NEAT HII region (Bresolin+05 files are named after theirs).
NEAT_HII_HOSTS = {
    "30doradus": "LMC",  # 30 Doradus is in the LMC (the NEAT header says 'Galactic').
    "lmc_n11b": "LMC",
    "smc_n66": "SMC",
    "m17": "Milky Way",
    "ngc3576": "Milky Way",
    # Esteban+09 (VizieR J/ApJ/700/654: M31, M33, M101, NGC 2366, NGC 2403 among others)
    "h1013": "M101",
    "k932": "M31",
    "ngc5447": "M101",
    "ngc5461": "M101",
    "ngc595": "M33",
    "ngc604": "M33",
    "ngc2363": "NGC 2366",
    "vs24": "NGC 2403",
    "vs38": "NGC 2403",
    "vs44": "NGC 2403",
}
_BRESOLIN_FILE = re.compile(r"^ngc(\d{4})_\d\d$")


def _neat_reference(header_reference: str) -> tuple[str, bool]:
    for key, value in NEAT_REFERENCES.items():
        if key in header_reference:
            return value
    raise ValueError(f"unknown NEAT reference {header_reference!r}")


def _neat_host(object_id: str, cls: str) -> str:
    if cls == "PN":
        return "Milky Way"
    if object_id in NEAT_HII_HOSTS:
        return NEAT_HII_HOSTS[object_id]
    match = _BRESOLIN_FILE.match(object_id)
    if match is None:
        raise ValueError(f"no host known for {object_id}")
    return f"NGC {match[1]}"


def _neat_selection(files: list[Path]) -> tuple[list[Path], dict, list[str]]:
    """Files kept (one per object, no WR nebulae), object ids, and the excluded files."""
    kept_names = {keep for keep, _ in NEAT_DUPLICATES.values()}
    object_of = {keep: obj for obj, (keep, _) in NEAT_DUPLICATES.items()}
    kept, ids, dropped = [], {}, []
    for path in files:
        header = path.read_text().splitlines()[0].lstrip("#").strip()
        stem_object = path.stem.split("_")[0]
        if header in NEAT_EXCLUDED_CLASSES:
            dropped.append(f"{path.name}: Wolf-Rayet nebula")
        elif stem_object in NEAT_DUPLICATES and path.name not in kept_names:
            dropped.append(f"{path.name}: duplicate of {NEAT_DUPLICATES[stem_object][0]}")
        else:
            kept.append(path)
            ids[path.name] = object_of.get(path.name, path.stem)
    return kept, ids, dropped


def _duplicate_checks(folder: Path) -> dict:
    """Compare each dropped duplicate with the kept file on their common lines."""
    checks = {}
    for obj, (keep, _) in NEAT_DUPLICATES.items():
        others = sorted(p for p in folder.glob(f"{obj}_*.dat") if p.name != keep)
        both = read_line_lists([folder / keep, *others])
        for row, other in enumerate(others, start=1):
            common = [n for n in both.flux if np.isfinite(both.flux[n][[0, row]]).all()]
            differ = [n for n in common if both.flux[n][0] != both.flux[n][row]]
            missing = [n for n in both.flux if np.isfinite(both.flux[n][0])
                       and not np.isfinite(both.flux[n][row])]  # fmt: skip
            checks[other.name] = {
                "kept": keep,
                "common_lines_equal": len(common) - len(differ),
                "common_lines_differ": differ,
                "lines_missing_vs_kept": missing,
            }
    return checks


def build_neat(shared: Path) -> tuple[Table, dict]:
    """NEAT HII regions and PNe (one row per object) and their provenance."""
    folder = shared / "observed" / "neat_examples"
    kept, ids, dropped = _neat_selection(sorted(folder.glob("*.dat")))
    catalog = read_line_lists(kept)
    table = catalog.table
    classes = [NEAT_CLASSES[h] for h in table["header_class"]]
    refs = [_neat_reference(h) for h in table["header_reference"]]
    hb = catalog.flux["HB4861"]
    if not np.all(hb == 100.0):
        raise RuntimeError(f"NEAT Hbeta != 100 in {list(table['file'][hb != 100.0])}")
    out = Table()
    out["object_id"] = [ids[f] for f in table["file"]]
    out["class"] = classes
    out["host"] = [_neat_host(o, c) for o, c in zip(out["object_id"], classes)]
    out["reference"] = [r for r, _ in refs]
    out["catalogue"] = "neat"
    out["source_file"] = [f"neat_examples/{f}" for f in table["file"]]
    out["DUST_CORRECTED"] = [d for _, d in refs]
    _add_lines(out, catalog.flux, catalog.flux_err)
    ha = catalog.flux.get("HA6562")
    provenance = {
        "reference": CITATIONS["NEAT"],
        "files": "shared/data/observed/neat_examples/*.dat",
        "n_files_read": len(kept),
        "n_objects": len(out),
        "excluded_files": dropped,
        "duplicates": {k: {"kept": v[0], "why": v[1]} for k, v in NEAT_DUPLICATES.items()},
        "duplicate_checks": _duplicate_checks(folder),
        "reader": "nebuladapt.catalogs.linelist.read_line_lists (tolerance 1.5 A; a 3727 A "
        "entry is the [OII] blend -> OII3726_3729)",
        "normalisation": "Hbeta = 100 (checked for every file)",
        "dust_corrected": "True for Bresolin+05 and Esteban+09 (dereddened intensities), "
        "False for Tsamis+03, Wesson+05, Wesson & Liu 04, Fang & Liu 11 (observed fluxes)",
        "halpha_per_file": {f: float(h) for f, h in zip(table["file"], ha)},
        "notes": [
            "30doradus.dat header says 'Galactic HII region'; 30 Dor is in the LMC.",
            "ngc2022.dat (Tsamis+03b PN) has Halpha = 300.0 exactly; flagged observed "
            "like the other Tsamis lists.",
            "ngc5236_13.dat has no Halpha.",
            "ngc6543 has no [OIII]5007 entry (OIII4958 only).",
        ],
    }
    return out, provenance


def build_ho2019(shared: Path) -> tuple[Table, dict]:
    """Ho (2019) M101 HII regions: dereddened ratios to Hbeta."""
    path = shared / "observed" / "ho2019_hii_regions_ratios.txt"
    text = path.read_text().splitlines()
    rows = [ln.split(None, 5) for ln in text if ln.strip() and not ln.startswith("#")]
    n = len(rows)
    values = np.array([[float(v) for v in row[:5]] for row in rows])
    sources = [row[5].strip() for row in rows]
    out = Table()
    out["object_id"] = [f"ho2019_{i + 1:03d}" for i in range(n)]
    out["class"] = np.full(n, "HII")
    out["host"] = np.full(n, "M101")
    out["reference"] = [f"Ho 2019 compilation; lines from {s}" for s in sources]
    out["catalogue"] = "ho2019"
    out["source_file"] = "ho2019_hii_regions_ratios.txt"
    out["DUST_CORRECTED"] = np.ones(n, dtype=bool)
    flux = {
        "HB4861": np.ones(n),
        "OII3726_3729": values[:, 1],
        "OIII5006": values[:, 2],
        "NII6583": values[:, 3],
        "SII6716_6730": values[:, 4],
    }
    _add_lines(out, flux, {})
    provenance = {
        "reference": CITATIONS["Ho2019"],
        "file": "shared/data/observed/ho2019_hii_regions_ratios.txt",
        "n_objects": n,
        "sources": dict(Counter(sources)),
        "host": "M101: every source of the file (CHAOS III = Croxall et al. 2016, Kennicutt & "
        "Garnett 1996, Li et al. 2013, Hu et al. 2018, van Zee et al. 1998) observed M101 "
        "HII regions, plotted against r/R25 in Ho (2019) Fig. 10 left",
        "columns": "OII/Hbeta ([OII]3726+3729, per OxygenMLP README) -> OII3726_3729; "
        "OIII/Hbeta ([OIII]5007) -> OIII5006; NII/Hbeta ([NII]6584) -> NII6583; SII/Hbeta "
        "([SII]6717+6731) -> SII6716_6730; HB4861 = 1. No Halpha (not invented here).",
        "dust_corrected": True,
        "notes": ["The data README lists 'Kennicutt+03'; the file itself says 'Kennicutt et "
                  "al. (1996)' (24 rows)."],
    }
    return out, provenance


LONG2019_COLUMNS = {
    "Hbeta": "HB4861",
    "OIII5007": "OIII5006",
    "OI6300": "OI6300",
    "Halpha": "HA6562",
    "NII6583": "NII6583",
    "SII6716": "SII6716",
    "SII6731": "SII6730",
}


def _filled(column) -> np.ndarray:
    """Float array with masked (blank) entries as NaN."""
    data = np.ma.asarray(column).astype(float)
    return np.ma.filled(data, np.nan)


def build_long2019(shared: Path) -> tuple[Table, dict]:
    """NGC 6946 SNRs of Long, Winkler & Blair (2019): observed, Halpha = 300."""
    path = shared / "observed" / "ngc6946_snr_long2019_visible.csv"
    raw = Table.read(path, format="ascii.csv")
    n = len(raw)
    out = Table()
    out["object_id"] = [str(o) for o in raw["object_id"]]
    out["class"] = np.full(n, "SNR")
    out["host"] = [g.replace("NGC", "NGC ") for g in raw["galaxy"]]
    out["reference"] = np.full(n, CITATIONS["Long2019"] + " (Table 4)")
    out["catalogue"] = "long2019"
    out["source_file"] = "ngc6946_snr_long2019_visible.csv"
    out["DUST_CORRECTED"] = np.zeros(n, dtype=bool)
    flux = {line: _filled(raw[col]) for col, line in LONG2019_COLUMNS.items()}
    _add_lines(out, flux, {})
    tilde = raw["uncertain_cols_tilde"]
    out["uncertain_cols_tilde"] = [str(v) if v is not np.ma.masked else "" for v in tilde]
    provenance = {
        "reference": CITATIONS["Long2019"] + ", Table 4 (transcribed from the authors' LaTeX, "
        "github kslong/NGC6946_spectra)",
        "file": "shared/data/observed/ngc6946_snr_long2019_visible.csv",
        "n_objects": n,
        "normalisation": "observed (not dereddened), relative to Halpha = 300; blank = not "
        "measured -> NaN",
        "columns": "only the stronger line of each doublet: [OIII]5007 -> OIII5006, [OI]6300, "
        "[NII]6584 -> NII6583; [SII]6717 -> SII6716, [SII]6731 -> SII6730",
        "uncertain_cols_tilde": "source column names the authors marked '~' (more uncertain)",
        "label_caveat": "'confirmed' SNR means [SII]/Halpha > 0.4, so the label is partly "
        "defined by that classical criterion",
    }
    return out, provenance


def _add_lines(table: Table, flux: dict, flux_err: dict) -> None:
    """Append <LINE>_FLUX / <LINE>_FLUX_ERR for every benchmark line (NaN where absent)."""
    n = len(table)
    for line in BENCHMARK_LINES:
        table[f"{line}_FLUX"] = np.asarray(flux.get(line, np.full(n, np.nan)), dtype=float)
        table[f"{line}_FLUX_ERR"] = np.asarray(flux_err.get(line, np.full(n, np.nan)), dtype=float)


def _mask_nonpositive(table: Table) -> list[str]:
    """Set non-positive fluxes to NaN (unphysical); return what was masked."""
    masked = []
    for line in BENCHMARK_LINES:
        column = table[f"{line}_FLUX"]
        for row in np.flatnonzero(column <= 0):
            masked.append(f"{table['object_id'][row]} {line}_FLUX = {column[row]:g}")
            column[row] = np.nan
            table[f"{line}_FLUX_ERR"][row] = np.nan
    return masked


def build_benchmark(shared: Path) -> Table:
    """The labelled real benchmark (one row per object) with provenance in ``meta``."""
    parts = [build_neat(shared), build_ho2019(shared), build_long2019(shared)]
    table = vstack([t for t, _ in parts], metadata_conflicts="silent")
    tilde = table["uncertain_cols_tilde"]
    table["uncertain_cols_tilde"] = [str(v) if v is not np.ma.masked else "" for v in tilde]
    table = Table(table, masked=False)
    if len(np.unique(table["object_id"])) != len(table):
        raise RuntimeError("object_id is not unique")
    masked = _mask_nonpositive(table)
    table.meta = {
        "title": "nebuladapt benchmark: real nebulae with known class (evaluation only)",
        "built_by": "scripts/build_data.py",
        "usage": "Never train on these labels or tune hyperparameters by them unless the "
        "result is reported as 'oracle'; the unlabelled line fluxes may serve as target "
        "domain.",
        "normalisation": "each source's own: NEAT Hbeta = 100, Ho 2019 Hbeta = 1, Long+19 "
        "Halpha = 300; only ratios are meaningful",
        "columns": {
            "object_id": "unique id (NEAT file stem or object name, ho2019_NNN, L19-NNN)",
            "class": "HII / PN / SNR",
            "host": "host galaxy, or Milky Way / LMC / SMC",
            "reference": "source of the line measurements",
            "catalogue": "neat / ho2019 / long2019",
            "source_file": "input file under shared/data/observed",
            "DUST_CORRECTED": "fluxes already dereddened by the source",
            "uncertain_cols_tilde": "Long+19 only: source columns marked '~'",
            "<LINE>_FLUX, <LINE>_FLUX_ERR": "flux and 1-sigma error (NaN where absent)",
        },
        "masked_nonpositive_fluxes": masked,
        "catalogues": {"neat": parts[0][1], "ho2019": parts[1][1], "long2019": parts[2][1]},
    }
    return table


# --------------------------------------------------------------------------------------


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
