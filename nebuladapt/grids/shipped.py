"""The shipped model grids and their registration.

nebuladapt ships compact tables under ``nebuladapt/data/``, built by
``scripts/build_data.py`` from published model grids, and registers each grid by
name (:mod:`nebuladapt.grids.registry`):

* ``3mdb_bond2`` (``HII``, default): 3MdB grid ``BOND_2`` (Cloudy 17; Vale Asari
  et al. 2016, MNRAS 460, 1739; 3MdB: Morisset et al. 2015, RMxAA 51, 103), as
  exported by Rhea et al. (2023, RASTI).
* ``3mdb_pne2021`` (``PN``, default): 3MdB grid ``PNe_2021`` (Delgado-Inglada et
  al. 2014, MNRAS 440, 536; 2015, MNRAS 449, 1797), same export.
* ``allen08_shocks_only`` (``SNR``, default since stop 25): the shock-only (``s``)
  models of the MAPPINGS IIIq shock library of Allen et al. (2008, ApJS 178, 20)
  (registered and adopted: ``benchmarks/results/misreported_errors_result.md``).
* ``allen08_shocks`` (``SNR``): the same library's shock-only (``s``) and
  shock+precursor (``sp``) models (``--grids allen08_shocks``; the default until
  stop 25); precursor-only (``p``) rows are shipped but not used.
* ``nebulabayes_hii`` (``HII``): the MAPPINGS 5.1 HII-region grid of NebulaBayes
  0.9.9 (Thomas et al. 2018, ApJ 856, 89), 1,296 models in log U, log P/k and
  12 + log O/H, with [OI]6300 and [SII]6716, 6731 separately
  (``nebulabayes_hii.parquet``).

The first three share ``source_grids.parquet`` (:func:`load_source_grids`): one row
per model, line fluxes relative to Hbeta = 1 in columns named by canonical line
name (:mod:`nebuladapt.lines`), NaN where a grid lacks the line (the 3MdB export has
only Hbeta, [OIII]5007, Halpha, [NII]6583, [OII]3726 and the [SII]6716+6731 sum).
Full provenance is in each table's ``meta``.

A new shipped grid is a table under ``nebuladapt/data/`` (class, model_id,
in_default and canonical line columns; provenance and ``citation`` in its meta)
plus one :func:`register` line at the end of this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

import numpy as np
from astropy.table import Table

from nebuladapt import CLASSES
from nebuladapt.grids.model import Grid, file_sha256, grid_from_table
from nebuladapt.grids.registry import GridEntry, register
from nebuladapt.lines import canonical_line_name

__all__ = [
    "GRID_CLASSES",
    "GRID_LINES",
    "DEFAULT_FEATURE_LINES",
    "load_source_grids",
    "source_line_fluxes",
    "table_loader",
]

#: Labels of the source grids, in a fixed order.
GRID_CLASSES: tuple[str, ...] = CLASSES

#: Flux columns of the shipped table (relative to Hbeta = 1).
GRID_LINES: tuple[str, ...] = (
    "HB4861", "OIII4958", "OIII5006", "OI6300", "NII6548", "HA6562", "NII6583",
    "SII6716", "SII6730", "SII6716_6730", "OII3726", "OII3729", "HeII4686", "HeI5876",
)  # fmt: skip

#: Lines every default model of every class has (finite, no NaN).
DEFAULT_FEATURE_LINES: tuple[str, ...] = ("HB4861", "OIII5006", "HA6562", "NII6583", "SII6716_6730")

_DATA_FILE = "source_grids.parquet"


def _data_path(name: str):
    return resources.files("nebuladapt") / "data" / name


@lru_cache(maxsize=None)
def _read_data_table(name: str) -> tuple[Table, str]:
    """A shipped table and its SHA-256, read once."""
    with resources.as_file(_data_path(name)) as path:
        return Table.read(path, format="parquet"), file_sha256(path)


def _shipped_table() -> Table:
    """The full shipped table of the three original grids, read once."""
    return _read_data_table(_DATA_FILE)[0]


def _check_classes(classes: Sequence[str] | str | None) -> tuple[str, ...]:
    if classes is None:
        return GRID_CLASSES
    if isinstance(classes, str):
        classes = (classes,)
    unknown = sorted(set(classes) - set(GRID_CLASSES))
    if unknown:
        raise ValueError(f"unknown classes {unknown}; choose from {GRID_CLASSES}")
    return tuple(classes)


def load_source_grids(
    default_only: bool = True, classes: Sequence[str] | str | None = None
) -> Table:
    """Load the shipped labelled model grids.

    Parameters
    ----------
    default_only : bool, optional
        Keep only the models of the shipped grids (``in_default``: BOND_2,
        PNe_2021 and the Allen et al. 2008 shock-only and shock+precursor
        models; default True). False also returns the precursor-only models.
        The set ``nebuladapt fit`` trains on is :func:`~nebuladapt.grids.default_grid_set`
        (its rows here: :func:`~nebuladapt.grids.default_source_rows`).
    classes : str or sequence of str, optional
        Keep only these classes (from :data:`GRID_CLASSES`); default all.

    Returns
    -------
    astropy.table.Table
        One row per model: ``class``, ``grid``, ``model_id``, shock
        parameters (``abundance_series``, ``preshock_density`` [cm^-3],
        ``magnetic_field`` [muG], ``shock_velocity`` [km/s],
        ``shock_component``; empty/NaN for 3MdB), ``in_default``, the line
        fluxes of :data:`GRID_LINES` relative to Hbeta = 1 (float32) and
        ``log_HB4861``. Provenance and citations are in ``meta``.

    Raises
    ------
    ValueError
        If ``classes`` names an unknown class.

    Examples
    --------
    >>> grids = load_source_grids(classes="SNR")
    >>> sorted(set(grids["shock_component"]))
    ['s', 'sp']
    """
    wanted = _check_classes(classes)
    table = _shipped_table()
    keep = np.isin(table["class"], wanted)
    if default_only:
        keep &= np.asarray(table["in_default"], dtype=bool)
    return Table(table[keep], copy=True)


def _canonical_lines(lines: Sequence[str]) -> list[str]:
    names = []
    for line in lines:
        name = canonical_line_name(line)
        if name not in GRID_LINES:
            raise ValueError(f"line {line!r} is not in the source grids; available: {GRID_LINES}")
        names.append(name)
    return names


def source_line_fluxes(
    lines: Sequence[str],
    default_only: bool = True,
    classes: Sequence[str] | str | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Line fluxes, labels and grid names of the labelled source models.

    Parameters
    ----------
    lines : sequence of str
        Line names (canonical or any alias of :mod:`nebuladapt.lines`), e.g.
        ``["HB4861", "OIII5006", "HA6562", "NII6583", "SII6716_6730"]``.
    default_only : bool, optional
        Use only the default labelled source set (default True).
    classes : str or sequence of str, optional
        Keep only these classes; default all of :data:`GRID_CLASSES`.

    Returns
    -------
    fluxes : ndarray of float64, shape (n_models, len(lines))
        Fluxes relative to Hbeta = 1; NaN where a grid lacks a line (only
        the lines of :data:`DEFAULT_FEATURE_LINES` are present in every
        grid).
    labels : ndarray of str, shape (n_models,)
        ``"HII"``, ``"PN"`` or ``"SNR"``.
    grids : ndarray of str, shape (n_models,)
        Grid name of each model (e.g. ``"3MdB:BOND_2"``, ``"Allen08:M_n1_b1"``).

    Raises
    ------
    ValueError
        If a line is not a column of the source grids, or a class is unknown.
    """
    names = _canonical_lines(lines)
    table = load_source_grids(default_only=default_only, classes=classes)
    fluxes = np.column_stack([np.asarray(table[n], dtype=np.float64) for n in names])
    fluxes = fluxes.reshape(len(table), len(names))
    return fluxes, np.asarray(table["class"], dtype=str), np.asarray(table["grid"], dtype=str)


# ------------------------------------------------------------------------------ registry
def _provenance(meta: dict, file: str, sha256: str, citation: str) -> dict:
    return {"source": f"nebuladapt/data/{file}", "sha256": sha256, "citation": citation,
            "provenance": meta}  # fmt: skip


def _source_grid(name: str, grid_key: str, prefix: str, component: str | None = None) -> Grid:
    """One grid of ``source_grids.parquet``: its default rows whose ``grid`` column starts with ``prefix``
    (with ``component``, only those of that ``shock_component``)."""
    table, sha256 = _read_data_table(_DATA_FILE)
    rows = np.char.startswith(np.asarray(table["grid"], dtype=str), prefix)
    rows &= np.asarray(table["in_default"], dtype=bool)
    if component is not None:
        rows &= np.asarray(table["shock_component"], dtype=str) == component
    meta = table.meta["grids"][grid_key]
    citation = "; ".join(meta[k] for k in ("paper", "database", "export") if k in meta)
    return grid_from_table(
        name, table[rows], _provenance(meta, _DATA_FILE, sha256, citation), _DATA_FILE
    )


def table_loader(file: str):
    """Loader of a grid shipped as its own table ``nebuladapt/data/<file>``.

    The table holds ``class``, ``in_default`` and canonical line columns; its
    ``meta`` holds the provenance, with the citation under ``citation``.
    """

    def load() -> Grid:
        table, sha256 = _read_data_table(file)
        rows = table[np.asarray(table["in_default"], dtype=bool)]
        provenance = _provenance(table.meta, file, sha256, table.meta["citation"])
        return grid_from_table(table.meta["name"], rows, provenance, file)

    return load


def _bond2() -> Grid:
    return _source_grid("3mdb_bond2", "3MdB:BOND_2", "3MdB:BOND_2")


def _pne2021() -> Grid:
    return _source_grid("3mdb_pne2021", "3MdB:PNe_2021", "3MdB:PNe_2021")


def _allen08() -> Grid:
    return _source_grid("allen08_shocks", "Allen08", "Allen08:")


def _allen08_shock_only() -> Grid:
    return _source_grid("allen08_shocks_only", "Allen08", "Allen08:", component="s")


register(GridEntry("3mdb_bond2", ("HII",), _bond2, default=True))
register(GridEntry("3mdb_pne2021", ("PN",), _pne2021, default=True))
register(GridEntry("allen08_shocks_only", ("SNR",), _allen08_shock_only, default=True))
register(GridEntry("allen08_shocks", ("SNR",), _allen08))
register(GridEntry("nebulabayes_hii", ("HII",), table_loader("nebulabayes_hii.parquet")))
