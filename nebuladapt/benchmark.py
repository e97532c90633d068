"""The real labelled benchmark: observed nebulae of known class.

nebuladapt ships ``nebuladapt/data/benchmark.parquet``, built by
``scripts/build_data.py`` from three published sources:

* ``neat``: NEAT example line lists (Wesson et al. 2012, MNRAS 422, 3516) of
  HII regions (Bresolin et al. 2005; Esteban et al. 2009; Tsamis et al. 2003)
  and Galactic PNe (Wesson et al. 2005; Wesson & Liu 2004; Tsamis et al. 2003;
  Fang & Liu 2011); one row per object, no Wolf-Rayet nebulae.
* ``ho2019``: M101 HII regions compiled by Ho (2019), dereddened ratios to
  Hbeta (no Halpha).
* ``long2019``: NGC 6946 SNRs of Long, Winkler & Blair (2019, ApJ 875, 85),
  observed, relative to Halpha = 300.

Use it for evaluation only: never train on its labels, and never choose
hyperparameters by them unless the result is reported as "oracle". Each source
keeps its own flux normalisation (only ratios matter); ``DUST_CORRECTED`` says
whether the source already dereddened its fluxes. Provenance is in ``meta``.

Repeated measurements: the Ho (2019) rows compile M101 regions from several
surveys, and some regions were measured by more than one. The shipped table has
no galactocentric radius (r/R25), so :func:`benchmark_groups` groups rows whose
four log ratios to Hbeta ([OIII]5007, [NII]6583, [SII]6716+6731, [OII]3727)
all agree within :data:`GROUP_TOLERANCE_DEX` (single linkage); every other row
is its own object. :func:`load_benchmark` exposes the result as ``group_id``,
for bootstraps and counts by object rather than by row.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from os import PathLike

import numpy as np
from astropy.table import Table

from nebuladapt.catalogs.linecatalog import LineCatalog
from nebuladapt.lines import BENCHMARK_LINES

__all__ = [
    "LABEL_COLUMNS",
    "GROUP_TOLERANCE_DEX",
    "benchmark_groups",
    "load_benchmark",
    "benchmark_catalog",
    "write_unlabelled_benchmark_csv",
]

#: Columns that carry the label or point to it (left out of the unlabelled CSV).
LABEL_COLUMNS: tuple[str, ...] = ("class", "host", "reference", "catalogue", "source_file", "group_id")

#: Largest difference (dex) of every Ho (2019) log ratio for two rows to count as
#: one region measured twice (single linkage). Rows of one region from different
#: surveys differ by up to ~0.1 dex in their ratios; a wider group only makes a
#: grouped bootstrap more conservative, a narrower one would count repeats twice.
GROUP_TOLERANCE_DEX = 0.1
#: Lines whose log ratio to Hbeta identifies a repeated Ho (2019) measurement.
_GROUP_LINES = ("OIII5006", "NII6583", "SII6716_6730", "OII3726_3729")

_DATA_FILE = "benchmark.parquet"


@lru_cache(maxsize=1)
def _shipped_table() -> Table:
    with resources.as_file(resources.files("nebuladapt") / "data" / _DATA_FILE) as path:
        return Table.read(path, format="parquet")


def benchmark_groups(table: Table, tolerance_dex: float = GROUP_TOLERANCE_DEX) -> np.ndarray:
    """One object id per benchmark row, merging repeated Ho (2019) measurements.

    Parameters
    ----------
    table : astropy.table.Table
        The benchmark table (columns ``object_id``, ``catalogue`` and
        ``<LINE>_FLUX``).
    tolerance_dex : float
        Rows of the ``ho2019`` catalogue whose log ratios to Hbeta of
        [OIII]5007, [NII]6583, [SII]6716+6731 and [OII]3727 all differ by at
        most this much are linked; groups are the connected components.

    Returns
    -------
    ndarray of str
        ``object_id`` for rows of other catalogues; ``ho2019_gNN`` for Ho rows
        (NN numbered in order of first row), shared by linked rows.
    """
    from scipy.cluster.hierarchy import fcluster, linkage

    groups = np.asarray(table["object_id"]).astype(str).astype(object)
    ho = np.flatnonzero(np.asarray(table["catalogue"]).astype(str) == "ho2019")
    if len(ho) > 1:
        hb = np.asarray(table["HB4861_FLUX"], dtype=float)[ho]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios = np.column_stack(
                [np.log10(np.asarray(table[f"{line}_FLUX"], dtype=float)[ho] / hb) for line in _GROUP_LINES]
            )
        ratios = np.where(np.isfinite(ratios), ratios, 0.0)
        cluster = fcluster(linkage(ratios, "single", metric="chebyshev"), tolerance_dex, "distance")
        first = {c: i for i, c in reversed(list(enumerate(cluster)))}
        order = {c: k for k, c in enumerate(sorted(first, key=first.get))}
        groups[ho] = [f"ho2019_g{order[c]:02d}" for c in cluster]
    return groups.astype(str)


def load_benchmark() -> Table:
    """Load the shipped labelled benchmark.

    Returns
    -------
    astropy.table.Table
        One row per object: ``object_id``, ``class`` (HII/PN/SNR, the label),
        ``host``, ``reference``, ``catalogue`` (neat/ho2019/long2019),
        ``source_file``, ``DUST_CORRECTED``, ``uncertain_cols_tilde`` (Long+19
        only) and ``<LINE>_FLUX``/``<LINE>_FLUX_ERR`` (float64, NaN where
        absent) for :data:`~nebuladapt.lines.BENCHMARK_LINES`, and ``group_id``: the object a
        row measures (:func:`benchmark_groups`; repeated Ho 2019 measurements
        share one). Provenance is in ``meta``.
    """
    table = Table(_shipped_table(), copy=True)
    if "group_id" not in table.colnames:
        table["group_id"] = benchmark_groups(table)
    return table


def benchmark_catalog() -> LineCatalog:
    """The benchmark as a :class:`~nebuladapt.catalogs.LineCatalog`.

    Returns
    -------
    LineCatalog
        ``table`` is :func:`load_benchmark` (labels included, for evaluation);
        ``flux``/``flux_err`` map each line of :data:`~nebuladapt.lines.BENCHMARK_LINES` to its
        column; ``dust_corrected`` is ``DUST_CORRECTED``.
    """
    table = load_benchmark()
    return LineCatalog(
        table=table,
        flux={n: np.asarray(table[f"{n}_FLUX"], dtype=float) for n in BENCHMARK_LINES},
        flux_err={n: np.asarray(table[f"{n}_FLUX_ERR"], dtype=float) for n in BENCHMARK_LINES},
        dust_corrected=np.asarray(table["DUST_CORRECTED"], dtype=bool),
        source="nebuladapt benchmark (nebuladapt/data/benchmark.parquet)",
        meta=dict(table.meta),
    )


def write_unlabelled_benchmark_csv(path: str | PathLike, include_dust_flag: bool = True) -> Table:
    """Write the benchmark's line measurements, without labels, as CSV.

    Parameters
    ----------
    path : str or path-like
        Output CSV file (overwritten).
    include_dust_flag : bool, optional
        Also write ``DUST_CORRECTED`` (not a label; readers need it to avoid
        dereddening twice). Default True.

    Returns
    -------
    astropy.table.Table
        The table written: ``object_id``, optionally ``DUST_CORRECTED``, and
        every ``<LINE>_FLUX``/``<LINE>_FLUX_ERR`` column (NaN written as an
        empty field). No ``class``, ``host``, ``reference`` or ``catalogue``.
    """
    table = load_benchmark()
    columns = ["object_id", *(["DUST_CORRECTED"] if include_dust_flag else [])]
    columns += [f"{n}_FLUX{s}" for n in BENCHMARK_LINES for s in ("", "_ERR")]
    out = Table(table[columns], copy=True, masked=True)
    out.meta = {}
    for name in columns[1:]:
        if out[name].dtype.kind == "f":
            out[name].mask = np.isnan(out[name].data)
    out.write(path, format="ascii.csv", overwrite=True)
    return out
