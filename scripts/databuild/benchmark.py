"""Benchmark: Ho (2019) HII regions, Long et al. (2019) SNRs, and the assembled table."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
from astropy.table import Table, vstack

from .common import CITATIONS
from .neat import build_neat
from .schema import add_benchmark_lines, mask_nonpositive

__all__ = ["LONG2019_COLUMNS", "build_ho2019", "build_long2019", "build_benchmark"]


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
    add_benchmark_lines(out, flux, {})
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
    add_benchmark_lines(out, flux, {})
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


def build_benchmark(shared: Path) -> Table:
    """The labelled real benchmark (one row per object) with provenance in ``meta``."""
    parts = [build_neat(shared), build_ho2019(shared), build_long2019(shared)]
    table = vstack([t for t, _ in parts], metadata_conflicts="silent")
    tilde = table["uncertain_cols_tilde"]
    table["uncertain_cols_tilde"] = [str(v) if v is not np.ma.masked else "" for v in tilde]
    table = Table(table, masked=False)
    if len(np.unique(table["object_id"])) != len(table):
        raise RuntimeError("object_id is not unique")
    masked = mask_nonpositive(table)
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
