"""Whole-catalogue checks for unit mistakes, made before anything is classified.

Per-row problems (a missing line, a negative flux, a bad error) are flagged per
row downstream. Some mistakes, though, affect every row at once and would
silently give a wrong answer for all of them: fluxes given as log10 values
(negative in cgs, or a few units in 1e-20 erg/s/cm2), or a Balmer decrement
below case B almost everywhere. :func:`check_flux_units` refuses such a
catalogue with one line naming the file, the columns and the fix.
"""

from __future__ import annotations

import numpy as np

from nebuladapt.catalogs.errors import CatalogError
from nebuladapt.lines import CASE_B_HA_HB, LINES

__all__ = ["BALMER_FLOOR", "MIN_BALMER_ROWS", "check_flux_units", "count_usable_rows"]

#: Halpha/Hbeta below this (case B is 2.86; dust only raises it) is physically implausible.
BALMER_FLOOR = 2.0
#: Share of the rows with both Balmer lines that must fall below the floor to refuse the file.
BALMER_SHARE = 0.9
#: Fewest rows with both Balmer lines for the decrement test (fewer: per-row flags only).
MIN_BALMER_ROWS = 5
#: Linear fluxes in any usual unit span many decades; log10 fluxes lie in this range.
_LOG_RANGE = (-30.0, 12.0)


def _column_list(catalog, lines) -> str:
    columns = catalog.meta.get("columns", {}) if isinstance(catalog.meta, dict) else {}
    return ", ".join(str(columns.get(line, LINES[line].label if line in LINES else line))
                     for line in lines)


def check_flux_units(catalog) -> None:
    """Refuse a catalogue whose fluxes are evidently in the wrong units.

    Two tests on the whole catalogue (rows are never dropped):

    * every finite flux is zero or negative: log10 fluxes in cgs units (about
      -17 to -12), or a sign error;
    * Halpha/Hbeta below :data:`BALMER_FLOOR` in at least 90 % of the (at least
      :data:`MIN_BALMER_ROWS`) rows that have both, on rows not yet
      dust-corrected: log10 fluxes (log Ha / log Hb is about 1.1), or swapped
      or mislabelled Balmer columns. Case B is 2.86 and dust only raises it.

    Parameters
    ----------
    catalog : LineCatalog

    Raises
    ------
    CatalogError
        One line naming the file, the columns and the fix.
    """
    source = catalog.source or "catalogue"
    finite = [v[np.isfinite(v)] for v in catalog.flux.values()]
    values = np.concatenate(finite) if finite else np.zeros(0)
    if values.size and not (values > 0).any():
        raise CatalogError(
            f"{source}: every line flux is zero or negative (columns "
            f"{_column_list(catalog, catalog.flux)}; values from {values.min():.3g} to "
            f"{values.max():.3g}); these look like log10 fluxes (or have the wrong sign) - give "
            "linear, positive fluxes (10**value), in any unit"
        )
    ha, hb = catalog.flux.get("HA6562"), catalog.flux.get("HB4861")
    if ha is None or hb is None:
        return
    observed = ~np.asarray(catalog.dust_corrected, dtype=bool)
    both = observed & np.isfinite(ha) & np.isfinite(hb) & (ha > 0) & (hb > 0)
    n_both = int(both.sum())
    if n_both < MIN_BALMER_ROWS:
        return
    low = int((ha[both] / hb[both] < BALMER_FLOOR).sum())
    if low < BALMER_SHARE * n_both:
        return
    columns = _column_list(catalog, ("HA6562", "HB4861"))
    lo, hi = float(values.min()), float(values.max())
    if _LOG_RANGE[0] <= lo and hi <= _LOG_RANGE[1] and hi - lo < 12:
        cause = (f"every flux lies between {lo:.3g} and {hi:.3g}: these look like log10 "
                 "fluxes - give linear fluxes (10**value), in any unit")
    else:
        cause = ("check that the Halpha and Hbeta columns are not swapped and are in the same "
                 "unit")
    raise CatalogError(
        f"{source}: Halpha/Hbeta ({columns}) is below {BALMER_FLOOR:g} in {low:,} of {n_both:,} "
        f"rows (case B is {CASE_B_HA_HB}, and dust only raises it); {cause}"
    )


def count_usable_rows(catalog, spec) -> int:
    """Rows of a catalogue that give at least one of a feature spec's ratios.

    A ratio is usable where both of its lines are finite and positive (after
    the rules of :func:`nebuladapt.features.catalog_line_matrix`: summed and
    inferred doublet lines, case-B Balmer lines of corrected rows).

    Parameters
    ----------
    catalog : LineCatalog
    spec : FeatureSpec

    Returns
    -------
    int
    """
    from nebuladapt.features import catalog_line_arrays, log_ratios, usable_rows

    return int(usable_rows(log_ratios(catalog_line_arrays(catalog, list(spec.lines))[0], spec)).sum())
