"""Column layout of the shipped source-grid and benchmark tables.

The line names are nebuladapt's own declarations (:data:`nebuladapt.grids.GRID_LINES`,
:data:`nebuladapt.lines.BENCHMARK_LINES`), so the tables and the package that
reads them cannot disagree.
"""

from __future__ import annotations

import numpy as np
from astropy.table import Table

from nebuladapt.grids import GRID_LINES
from nebuladapt.lines import BENCHMARK_LINES

__all__ = ["GRID_LINES", "BENCHMARK_LINES", "grid_table", "add_benchmark_lines", "mask_nonpositive"]


def grid_table(n: int, columns: dict) -> Table:
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


def add_benchmark_lines(table: Table, flux: dict, flux_err: dict) -> None:
    """Append <LINE>_FLUX / <LINE>_FLUX_ERR for every benchmark line (NaN where absent)."""
    n = len(table)
    for line in BENCHMARK_LINES:
        table[f"{line}_FLUX"] = np.asarray(flux.get(line, np.full(n, np.nan)), dtype=float)
        table[f"{line}_FLUX_ERR"] = np.asarray(flux_err.get(line, np.full(n, np.nan)), dtype=float)


def mask_nonpositive(table: Table) -> list[str]:
    """Set non-positive fluxes to NaN (unphysical); return what was masked."""
    masked = []
    for line in BENCHMARK_LINES:
        column = table[f"{line}_FLUX"]
        for row in np.flatnonzero(column <= 0):
            masked.append(f"{table['object_id'][row]} {line}_FLUX = {column[row]:g}")
            column[row] = np.nan
            table[f"{line}_FLUX_ERR"][row] = np.nan
    return masked
