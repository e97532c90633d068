"""Which table column holds which line: flux, error, corrected flux, upper-limit flag.

Two conventions (see :mod:`nebuladapt.catalogs.phangs`): PHANGS-style
``<LINE>_FLUX``/``_FLUX_ERR``/``_FLUX_CORR``/``_FLUX_CORR_ERR``/``_FLUX_UPPER``
columns, or bare line-name columns (``Halpha``, ``OIII5007``, ``Ha``) with
error columns named as :func:`nebuladapt.lines.error_column_line` knows them
(``e_Halpha``, ``Halpha_err``, ``err_Halpha``, ``eHalpha``).
"""

from __future__ import annotations

from astropy.table import Table

from nebuladapt.catalogs.errors import CatalogError
from nebuladapt.lines import bare_line_name, canonical_line_name, error_column_line

__all__ = [
    "DUST_FLAG_COLUMN",
    "has_flux_suffix",
    "line_column_names",
    "map_bare_columns",
    "map_columns",
    "split_flux_column",
]

_SUFFIXES = (
    ("_FLUX_CORR_ERR", "corr_err"),
    ("_FLUX_UPPER", "upper"),
    ("_FLUX_CORR", "corr"),
    ("_FLUX_ERR", "err"),
    ("_FLUX", "flux"),
)
DUST_FLAG_COLUMN = "DUST_CORRECTED"


def split_flux_column(name: str) -> tuple[str, str] | None:
    """``(canonical line, kind)`` for a ``<LINE>_FLUX...`` column, else None."""
    upper = name.upper()
    for suffix, kind in _SUFFIXES:
        if upper.endswith(suffix) and len(name) > len(suffix):
            line = canonical_line_name(name[: -len(suffix)])
            return (line, kind) if line else None
    return None


def has_flux_suffix(name: str) -> bool:
    """True for a name ending in one of the PHANGS quantity suffixes (``_FLUX`` ...)."""
    upper = name.upper()
    return any(upper.endswith(suffix) for suffix, _ in _SUFFIXES)


def map_columns(table: Table, source: str) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Map ``line -> {kind: column}``; second value lists unrecognised _FLUX columns."""
    mapping: dict[str, dict[str, str]] = {}
    unrecognised: list[str] = []
    for name in table.colnames:
        parsed = split_flux_column(name)
        if parsed is None and name.lower().startswith(("e_", "err_")):  # e_HA6562_FLUX
            inner = split_flux_column(name.split("_", 1)[1])
            if inner is not None and inner[1] in ("flux", "corr"):
                parsed = (inner[0], "err" if inner[1] == "flux" else "corr_err")
        if parsed is None:
            if has_flux_suffix(name):
                unrecognised.append(name)
            continue
        line, kind = parsed
        _claim(mapping.setdefault(line, {}), kind, name, source, f"both give {line} ({kind})")
    return mapping, unrecognised


def _claim(claimed: dict[str, str], key: str, name: str, source: str, meaning: str) -> None:
    """Record column ``name`` under ``key``; a second column for the same key is an error."""
    previous = claimed.get(key)
    if previous is not None:
        raise CatalogError(
            f"{source}: columns {previous!r} and {name!r} {meaning}; remove or rename one of them"
        )
    claimed[key] = name


def map_bare_columns(table: Table, source: str) -> dict[str, dict[str, str]]:
    """Map ``line -> {"flux": column, "err": column}`` for bare line-name columns.

    Flux columns by :func:`nebuladapt.lines.bare_line_name`, error columns by
    :func:`nebuladapt.lines.error_column_line` (``e_Halpha``, ``Halpha_err`` ...);
    an error column whose line has no flux column is ignored.

    Raises
    ------
    CatalogError
        When two columns give the same line (or the same line's error).
    """
    fluxes: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name in table.colnames:
        line = bare_line_name(name)
        if line is not None:
            _claim(fluxes, line, name, source, f"both give {line}")
            continue
        line = error_column_line(name)
        if line is not None:
            _claim(errors, line, name, source, f"both look like the error of {line}")
    mapping = {line: {"flux": name} for line, name in fluxes.items()}
    for line, name in errors.items():
        if line in mapping:
            mapping[line]["err"] = name
    return mapping


def line_column_names(table: Table, source: str) -> set[str]:
    """Every column the line reader may read (fluxes, errors, flags, ``DUST_CORRECTED``)."""
    mapping, _ = map_columns(table, source)
    names = {name for kinds in mapping.values() for name in kinds.values()}
    try:
        bare = map_bare_columns(table, source)
    except CatalogError:
        bare = {}
    names |= {name for kinds in bare.values() for name in kinds.values()}
    names |= {c for c in table.colnames if c.upper() == DUST_FLAG_COLUMN}
    return names
