"""Units of line-flux columns: read, checked and converted to one unit.

Where columns carry astropy units (FITS ``TUNIT``, ECSV, Parquet written by
astropy), all line-flux columns must have units convertible into one another
(e.g. ``erg / (s cm2)`` and ``1e-20 erg / (s cm2)``, or ``W / m2``); they are
converted to the unit of the first one. Logarithmic units are refused.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
from astropy import units as u
from astropy.table import Table

from nebuladapt.catalogs.errors import CatalogError

__all__ = ["harmonise_units", "is_logarithmic", "unit_of"]


def unit_of(table: Table, name: str) -> u.UnitBase | None:
    """A column's astropy unit; None when it has none or is dimensionless."""
    unit = getattr(table[name], "unit", None)
    if unit is None:
        return None
    if not isinstance(unit, (u.UnitBase, u.FunctionUnitBase)):
        unit = u.Unit(str(unit), parse_strict="silent")
    if isinstance(unit, u.UnrecognizedUnit):
        # The FITS unit parser is strict ("1e-20 erg/s/cm2" fails); try the generic one.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            unit = u.Unit(unit.name, format="generic", parse_strict="silent")
    if unit == u.dimensionless_unscaled:
        return None
    return unit


_LOG_UNIT_NAME = re.compile(r"^\s*(log|lg|dex|mag)\b", re.IGNORECASE)


def is_logarithmic(unit) -> bool:
    """True for dex, mag and their function units (e.g. ``dex(erg / (s cm2))``),
    and for unparsed units spelled ``log(...)``, ``dex(...)``."""
    if isinstance(unit, u.UnrecognizedUnit):
        return bool(_LOG_UNIT_NAME.match(unit.name))
    return isinstance(unit, u.FunctionUnitBase) or type(unit).__module__.startswith(
        "astropy.units.function"
    )


def _conversion(
    unit: u.UnitBase, to: u.UnitBase, name: str, to_name: str, source: str, what: str
) -> float:
    """Factor from ``unit`` to ``to``; CatalogError naming both columns if impossible."""
    if unit == to:
        return 1.0
    try:
        return float(unit.to(to))
    except (u.UnitsError, ValueError, TypeError):
        raise CatalogError(
            f"{source}: column {name!r} is in {unit.to_string()!r} but {what} {to_name!r} is "
            f"in {to.to_string()!r}, which cannot be converted into each other; give them "
            "compatible units (e.g. all erg / (s cm2))"
        ) from None


def harmonise_units(
    table: Table,
    used: dict[str, str],
    err_used: dict[str, str],
    flux: dict[str, np.ndarray],
    flux_err: dict[str, np.ndarray],
    source: str,
) -> str | None:
    """Convert flux and error arrays in place to one unit; return the unit (or None)."""
    units = {line: unit_of(table, column) for line, column in used.items()}
    for line, unit in units.items():
        if is_logarithmic(unit):
            raise CatalogError(
                f"{source}: column {used[line]!r} is in {unit.to_string()!r}, a logarithmic "
                "unit; give linear line fluxes (e.g. erg / (s cm2))"
            )
    with_unit = [line for line, unit in units.items() if unit is not None]
    if not with_unit:
        return None
    without = [line for line, unit in units.items() if unit is None]
    if without:
        raise CatalogError(
            f"{source}: column {used[without[0]]!r} has no unit but column "
            f"{used[with_unit[0]]!r} is in {units[with_unit[0]].to_string()!r}; give every "
            "line-flux column the same unit (or none)"
        )
    reference = with_unit[0]
    target = units[reference]
    for line in used:
        factor = _conversion(
            units[line], target, used[line], used[reference], source, "column"
        )
        flux[line] = flux[line] * factor
        if line in err_used:
            err_unit = unit_of(table, err_used[line])
            err_factor = 1.0
            if err_unit is not None:
                err_factor = _conversion(
                    err_unit, units[line], err_used[line], used[line], source,
                    "its flux column",
                )
            flux_err[line] = flux_err[line] * err_factor * factor
    return target.to_string()
