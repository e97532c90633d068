"""SYNTHETIC catalogues for benchmarks and tests only — not observations.

:func:`make_synthetic_catalog` draws any number of PHANGS-style rows
(``region_ID`` and ``<LINE>_FLUX``/``<LINE>_FLUX_ERR`` for
:data:`~nebuladapt.lines.SYNTHETIC_LINES`) from the shipped model grids
(:func:`nebuladapt.grids.source_line_fluxes`), with a simple, stated recipe
for what a survey would add:

* class mix :data:`SYNTHETIC_CLASS_FRACTIONS`; a random grid model per row;
* intrinsic Halpha flux lognormal, ``log10 F = N(4.0, 0.6)`` in units of
  1e-20 erg/s/cm^2 (the PHANGS-MUSE range);
* lines a grid lacks: the [SII] doublet sum split with ``6716/6731 ~ U(0.6,
  1.4)``; [OI]6300 as ``Halpha * 10**N(-1.6, 0.3)``;
* dust: ``E(B-V) ~ Exponential(0.25)`` with the package's default law
  (:func:`nebuladapt.dust.extinction_k`), so the Balmer decrement is real;
* noise: ``err = sqrt(s_bg**2 + F)`` (background plus photon noise) with a
  per-row background ``s_bg = 30 * LogNormal(0, 0.3)``; observed flux =
  reddened flux + N(0, err);
* non-detections: a line measured at S/N < 1 is reported as NaN flux (its
  error kept) with probability one half.

:func:`write_synthetic_parquet` writes such rows as partitioned Parquet (a
directory of ``synthetic-NNNNN.parquet`` files), one file at a time, so memory
stays flat for tens of millions of rows. Every name here says *synthetic*: these
tables exist to measure speed and memory, never to validate science.
"""

from __future__ import annotations

import shutil
from functools import lru_cache
from pathlib import Path

import numpy as np

from nebuladapt.io.atomic import replace_directory, temporary_directory_beside
from nebuladapt.lines import SYNTHETIC_LINES

__all__ = [
    "SYNTHETIC_CLASS_FRACTIONS",
    "SYNTHETIC_LABEL_COLUMN",
    "SYNTHETIC_GRID_LINES",
    "complete_grid_lines",
    "synthetic_columns",
    "make_synthetic_catalog",
    "write_synthetic_parquet",
]

#: Fraction of rows drawn from each class's grid.
SYNTHETIC_CLASS_FRACTIONS: dict[str, float] = {"HII": 0.8, "PN": 0.1, "SNR": 0.1}
#: Name of the optional true-class column (``with_labels=True``).
SYNTHETIC_LABEL_COLUMN = "synthetic_true_class"

#: Grid columns the synthetic recipes draw: the lines of
#: :data:`~nebuladapt.lines.SYNTHETIC_LINES` and the [SII] doublet sum, which stands in
#: where a grid lacks the single [SII] lines.
SYNTHETIC_GRID_LINES: tuple[str, ...] = (
    "HB4861", "OIII5006", "HA6562", "NII6583", "SII6716_6730", "SII6716", "SII6730", "OI6300",
)  # fmt: skip


def complete_grid_lines(models: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Fluxes of :data:`~nebuladapt.lines.SYNTHETIC_LINES` from grid models, lines a grid lacks filled.

    Parameters
    ----------
    models : ndarray, shape (n, len(SYNTHETIC_GRID_LINES))
        Grid fluxes in :data:`SYNTHETIC_GRID_LINES` order, NaN where the grid lacks a line.
    rng : numpy.random.Generator
        Draws, in this order, the [SII] split ``6716/6731 ~ U(0.6, 1.4)`` (used where
        only the sum is given) and ``[OI]6300 / Halpha = 10**N(-1.6, 0.3)`` (used where
        [OI] is missing).

    Returns
    -------
    ndarray, shape (n, len(SYNTHETIC_LINES))
        In the normalisation of ``models``.
    """
    hb, oiii, ha, nii, sii_sum, sii_a, sii_b, oi = np.asarray(models).T
    n = len(hb)
    split = rng.uniform(0.6, 1.4, n)  # [SII]6716/6731
    sii_a = np.where(np.isfinite(sii_a), sii_a, sii_sum * split / (1.0 + split))
    sii_b = np.where(np.isfinite(sii_b), sii_b, sii_sum / (1.0 + split))
    oi = np.where(np.isfinite(oi), oi, ha * 10.0 ** rng.normal(-1.6, 0.3, n))
    return np.column_stack([hb, oiii, ha, nii, sii_a, sii_b, oi])


@lru_cache(maxsize=1)
def _grid_models() -> dict[str, np.ndarray]:
    """Grid line fluxes (relative to Hbeta) per class, columns :data:`SYNTHETIC_GRID_LINES`."""
    from nebuladapt.grids import source_line_fluxes

    return {
        cls: source_line_fluxes(SYNTHETIC_GRID_LINES, classes=cls)[0] for cls in SYNTHETIC_CLASS_FRACTIONS
    }


@lru_cache(maxsize=1)
def _extinction() -> np.ndarray:
    from nebuladapt.dust import extinction_k

    return np.array([extinction_k(line) for line in SYNTHETIC_LINES])


def synthetic_columns(
    n_rows: int, seed: int = 0, *, start_id: int = 0, with_labels: bool = False
) -> dict[str, np.ndarray]:
    """SYNTHETIC PHANGS-style columns as NumPy arrays (recipe in the module docstring).

    Parameters
    ----------
    n_rows : int
    seed : int
        Seed of the random generator (same seed, same rows).
    start_id : int
        First ``region_ID``.
    with_labels : bool
        Add :data:`SYNTHETIC_LABEL_COLUMN` with each row's grid class.

    Returns
    -------
    dict of str to ndarray
        ``region_ID`` (int64), then ``<LINE>_FLUX`` and ``<LINE>_FLUX_ERR``
        (float64) per line of :data:`~nebuladapt.lines.SYNTHETIC_LINES`.
    """
    if n_rows < 0:
        raise ValueError(f"n_rows must be >= 0, got {n_rows}")
    rng = np.random.default_rng(seed)
    classes = list(SYNTHETIC_CLASS_FRACTIONS)
    fractions = np.array([SYNTHETIC_CLASS_FRACTIONS[c] for c in classes])
    label = rng.choice(len(classes), size=n_rows, p=fractions / fractions.sum())
    grids = _grid_models()
    model = np.empty((n_rows, len(SYNTHETIC_GRID_LINES)))
    for k, cls in enumerate(classes):
        rows = np.flatnonzero(label == k)
        grid = grids[cls]
        model[rows] = grid[rng.integers(0, len(grid), len(rows))]
    relative = complete_grid_lines(model, rng)  # Hbeta = 1
    ha = relative[:, SYNTHETIC_LINES.index("HA6562")]
    ha_flux = 10.0 ** rng.normal(4.0, 0.6, n_rows)
    intrinsic = relative * (ha_flux / ha)[:, None]
    ebv = rng.exponential(0.25, n_rows)
    reddened = intrinsic * 10.0 ** (-0.4 * ebv[:, None] * _extinction()[None, :])
    background = 30.0 * rng.lognormal(0.0, 0.3, n_rows)
    err = np.sqrt(background[:, None] ** 2 + reddened)
    observed = reddened + err * rng.standard_normal(reddened.shape)
    undetected = (observed < err) & (rng.random(observed.shape) < 0.5)
    observed[undetected] = np.nan
    columns: dict[str, np.ndarray] = {
        "region_ID": np.arange(start_id, start_id + n_rows, dtype=np.int64)
    }
    for j, line in enumerate(SYNTHETIC_LINES):
        columns[f"{line}_FLUX"] = np.ascontiguousarray(observed[:, j])
        columns[f"{line}_FLUX_ERR"] = np.ascontiguousarray(err[:, j])
    if with_labels:
        columns[SYNTHETIC_LABEL_COLUMN] = np.array(classes)[label]
    return columns


def make_synthetic_catalog(n_rows: int, seed: int = 0, *, with_labels: bool = False):
    """A SYNTHETIC PHANGS-style catalogue as an astropy Table (benchmarks and tests only).

    Parameters
    ----------
    n_rows : int
    seed : int
    with_labels : bool
        Add the grid class of each row as :data:`SYNTHETIC_LABEL_COLUMN`.

    Returns
    -------
    astropy.table.Table
        ``meta['comments']`` says it is synthetic.

    Examples
    --------
    >>> table = make_synthetic_catalog(5, seed=1)
    >>> table.colnames[:3], len(table)
    (['region_ID', 'HB4861_FLUX', 'HB4861_FLUX_ERR'], 5)
    """
    from astropy.table import Table

    table = Table(synthetic_columns(n_rows, seed, with_labels=with_labels))
    table.meta["comments"] = ["SYNTHETIC nebulae drawn from nebuladapt's model grids (benchmarks only)"]
    return table


def write_synthetic_parquet(
    path,
    n_rows: int,
    rows_per_file: int = 1_000_000,
    seed: int = 0,
    *,
    with_labels: bool = False,
    overwrite: bool = False,
) -> Path:
    """Write a SYNTHETIC catalogue as partitioned Parquet (benchmarks and tests only).

    Parameters
    ----------
    path : str or path-like
        Directory to create; it holds ``synthetic-00000.parquet``, ... with
        ``rows_per_file`` rows each (the last may be shorter).
    n_rows, rows_per_file, seed : int
        File ``i`` is drawn with seed ``(seed, i)``.
    with_labels : bool
        Add :data:`SYNTHETIC_LABEL_COLUMN`.
    overwrite : bool
        Replace an existing directory.

    Returns
    -------
    Path
        The directory (written to a temporary sibling and renamed at the end).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    if rows_per_file <= 0:
        raise ValueError(f"rows_per_file must be > 0, got {rows_per_file}")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path}: exists; pass overwrite=True to replace it")
    tmp = temporary_directory_beside(path)
    try:
        n_files = max(1, -(-n_rows // rows_per_file))
        for i in range(n_files):
            rows = min(rows_per_file, n_rows - i * rows_per_file)
            columns = synthetic_columns(
                rows, seed=[seed, i], start_id=i * rows_per_file, with_labels=with_labels
            )
            table = pa.table(columns).replace_schema_metadata(
                {"nebuladapt_synthetic": "SYNTHETIC catalogue for benchmarks only"}
            )
            pq.write_table(table, tmp / f"synthetic-{i:05d}.parquet", row_group_size=1 << 17)
        replace_directory(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path
