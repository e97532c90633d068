"""The tidy in-memory form every catalogue reader returns."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from astropy.table import Table

__all__ = ["LineCatalog"]


@dataclass
class LineCatalog:
    """Line measurements of an observed catalogue, beside its untouched table.

    Attributes
    ----------
    table : astropy.table.Table
        The input table with every input column untouched (the output of
        ``nebuladapt predict`` is this table plus prediction columns).
    flux : dict of str to ndarray
        Canonical line name (see :mod:`nebuladapt.lines`) -> float64 array of
        length ``len(table)``; NaN where the line was not measured. Any common
        normalisation (erg/s/cm^2, Hbeta = 100, Halpha = 300 ...) is allowed:
        only ratios are used downstream.
    flux_err : dict of str to ndarray
        Same keys as (a subset of) ``flux``: 1-sigma uncertainties, NaN where
        unknown.
    dust_corrected : ndarray of bool
        Per row: True when the fluxes are already corrected for dust
        (dereddened), so no Balmer-decrement correction is applied again.
    source : str
        Where the catalogue came from (a path or a description).
    meta : dict
        Anything else the reader learned (format, column mapping ...).
    upper_limits : dict of str to ndarray of bool
        Canonical line name -> per-row True where the input gave only an
        upper limit for the line. Such rows have NaN in ``flux`` and are
        flagged ``upper_limit:<LINE>`` downstream.
    limit_flux : dict of str to ndarray
        Canonical line name -> float64 per row: the value of the upper limit
        (same scale as ``flux``, dereddened with it), NaN where the row gives no
        limit for the line or its value is unknown. ``nebuladapt predict`` uses
        the limits on [OIII]5007, [NII]6583 and [SII]6716+6731
        (:mod:`nebuladapt.models.limits`).
    """

    table: Table
    flux: dict[str, np.ndarray]
    flux_err: dict[str, np.ndarray] = field(default_factory=dict)
    dust_corrected: np.ndarray | None = None
    source: str = ""
    meta: dict = field(default_factory=dict)
    upper_limits: dict[str, np.ndarray] = field(default_factory=dict)
    limit_flux: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.table)
        if self.dust_corrected is None:
            self.dust_corrected = np.zeros(n, dtype=bool)
        self.dust_corrected = np.asarray(self.dust_corrected, dtype=bool)
        self.limit_flux = {name: np.asarray(values, dtype=np.float64) for name, values in self.limit_flux.items()}
        for name, values in (*self.flux.items(), *self.flux_err.items(), *self.limit_flux.items()):
            if len(values) != n:
                raise ValueError(
                    f"{self.source or 'catalogue'}: line {name} has {len(values)} values "
                    f"for {n} rows"
                )
        self.upper_limits = {
            name: np.asarray(values, dtype=bool) for name, values in self.upper_limits.items()
        }
        for name, values in self.upper_limits.items():
            if values.shape != (n,):
                raise ValueError(
                    f"{self.source or 'catalogue'}: upper-limit mask of {name} has shape "
                    f"{values.shape} for {n} rows"
                )
        if len(self.dust_corrected) != n:
            raise ValueError("dust_corrected must have one value per row")

    def __len__(self) -> int:
        return len(self.table)

    @property
    def lines(self) -> list[str]:
        """Canonical names of the lines present (measured in at least the schema)."""
        return list(self.flux)
