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
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from os import PathLike

import numpy as np
from astropy.table import Table

from nebuladapt.catalogs.linecatalog import LineCatalog

__all__ = [
    "BENCHMARK_LINES",
    "LABEL_COLUMNS",
    "load_benchmark",
    "benchmark_catalog",
    "write_unlabelled_benchmark_csv",
]

#: Lines of the benchmark table (columns ``<LINE>_FLUX`` and ``<LINE>_FLUX_ERR``).
BENCHMARK_LINES: tuple[str, ...] = (
    "HB4861", "OIII4958", "OIII5006", "OI6300", "NII6548", "HA6562", "NII6583",
    "SII6716", "SII6730", "SII6716_6730", "OII3726", "OII3729", "OII3726_3729",
    "HeII4686", "HeI5876",
)  # fmt: skip

#: Columns that carry the label or point to it (left out of the unlabelled CSV).
LABEL_COLUMNS: tuple[str, ...] = ("class", "host", "reference", "catalogue", "source_file")

_DATA_FILE = "benchmark.parquet"


@lru_cache(maxsize=1)
def _shipped_table() -> Table:
    with resources.as_file(resources.files("nebuladapt") / "data" / _DATA_FILE) as path:
        return Table.read(path, format="parquet")


def load_benchmark() -> Table:
    """Load the shipped labelled benchmark.

    Returns
    -------
    astropy.table.Table
        One row per object: ``object_id``, ``class`` (HII/PN/SNR, the label),
        ``host``, ``reference``, ``catalogue`` (neat/ho2019/long2019),
        ``source_file``, ``DUST_CORRECTED``, ``uncertain_cols_tilde`` (Long+19
        only) and ``<LINE>_FLUX``/``<LINE>_FLUX_ERR`` (float64, NaN where
        absent) for :data:`BENCHMARK_LINES`. Provenance is in ``meta``.
    """
    return Table(_shipped_table(), copy=True)


def benchmark_catalog() -> LineCatalog:
    """The benchmark as a :class:`~nebuladapt.catalogs.LineCatalog`.

    Returns
    -------
    LineCatalog
        ``table`` is :func:`load_benchmark` (labels included, for evaluation);
        ``flux``/``flux_err`` map each line of :data:`BENCHMARK_LINES` to its
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
