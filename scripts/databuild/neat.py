"""Benchmark, HII regions and PNe: the NEAT example line lists (one row per object)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from astropy.table import Table

from nebuladapt.catalogs.linelist import read_line_lists

from .common import CITATIONS
from .schema import add_benchmark_lines

__all__ = [
    "NEAT_REFERENCES",
    "NEAT_CLASSES",
    "NEAT_EXCLUDED_CLASSES",
    "NEAT_DUPLICATES",
    "NEAT_HII_HOSTS",
    "build_neat",
]

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
    add_benchmark_lines(out, catalog.flux, catalog.flux_err)
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
