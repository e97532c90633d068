"""Source grids, HII and PN: 3MdB Cloudy models (BOND_2 and PNe_2021 exports)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from astropy.table import Table, vstack

from .common import CITATIONS
from .schema import grid_table

__all__ = ["THREE_MDB_COLUMNS", "THREE_MDB_GRIDS", "read_3mdb", "build_3mdb"]

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
    return grid_table(n, columns), int((~good).sum())


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
