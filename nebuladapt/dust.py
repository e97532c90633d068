"""Balmer-decrement dust correction of observed line fluxes.

The colour excess follows from the observed Halpha/Hbeta ratio and its
intrinsic (case-B) value::

    E(B-V) = 2.5 / (k(Hbeta) - k(Halpha)) * log10((Ha/Hb)_obs / (Ha/Hb)_int)

with ``k(lambda) = A(lambda) / E(B-V) = R_V * A(lambda) / A(V)``, and each line
is corrected as ``F_corr = F_obs * 10**(0.4 * E(B-V) * k(lambda))``.

The extinction curve comes from the maintained ``dust_extinction`` package
(Gordon 2024, JOSS 9, 7023). The default is O'Donnell (1994, ApJ 422, 158;
``dust_extinction.parameter_averages.O94``) with R_V = 3.1, the law PHANGS-MUSE
uses (Emsellem et al. 2022, A&A 659, A191; Groves et al. 2023, MNRAS 520,
4902); Cardelli, Clayton & Mathis (1989, ApJ 345, 245; ``CCM89``) is the usual
alternative. A law is only evaluated inside its valid range (``law.x_range``
in 1/micron): a line outside it raises ``ValueError`` rather than being
extrapolated.

Uncertainties are scaled by the same factor as the fluxes; the uncertainty of
E(B-V) itself is not propagated.

Streamed and map classification use :func:`thread_default_law`, the default law
tabulated at the package's lines (:data:`DEFAULT_LAW_K`, checked against
``dust_extinction`` by the tests), so that classifying a catalogue does not
import ``dust_extinction`` and the SciPy it pulls in.
"""

from __future__ import annotations

import threading
import weakref

from dataclasses import replace
from typing import Any

import numpy as np
from astropy import units as u

from nebuladapt.catalogs.linecatalog import LineCatalog
from nebuladapt.lines import CASE_B_HA_HB, wavelength_of

__all__ = [
    "DEFAULT_RV",
    "DEFAULT_LAW_K",
    "TabulatedDefaultLaw",
    "default_law",
    "thread_default_law",
    "extinction_k",
    "balmer_decrement_ebv",
    "deredden_catalog",
]

#: Ratio of total to selective extinction of the default law (Milky Way average).
DEFAULT_RV: float = 3.1
_HA, _HB = "HA6562", "HB4861"


def default_law() -> Any:
    """The default extinction law: O'Donnell (1994) with R_V = 3.1.

    Returns
    -------
    dust_extinction.parameter_averages.O94
    """
    from dust_extinction.parameter_averages import O94

    return O94(Rv=DEFAULT_RV)


#: k(lambda) = A(lambda)/E(B-V) of :func:`default_law` at every line of
#: :mod:`nebuladapt.lines` (summed doublets at their first component), as
#: ``dust_extinction`` 1.x computes it: ``tests/test_dust.py`` recomputes every value.
DEFAULT_LAW_K: dict[str, float] = {
    "OII3726": 4.673165078636491,
    "OII3729": 4.670077515417093,
    "HB4861": 3.662817654196333,
    "OIII4958": 3.5678519928058035,
    "OIII5006": 3.521785812606385,
    "HeI5876": 2.847694567537907,
    "OI6300": 2.6324045439518113,
    "NII6548": 2.5248224142917706,
    "HA6562": 2.5186221670417734,
    "NII6583": 2.509965779164617,
    "SII6716": 2.4546708961741524,
    "SII6730": 2.448718131588296,
    "HeII4686": 3.834395980731198,
    "ArIII7135": 2.278920615994721,
    "SIII9069": 1.466418651307957,
    "SIII9531": 1.3531921459161709,
    "SII6716_6730": 2.4546708961741524,
    "OII3726_3729": 4.673165078636491,
}


class TabulatedDefaultLaw:
    """:func:`default_law` tabulated at the package's lines (:data:`DEFAULT_LAW_K`).

    Gives the same k(lambda) as the law itself, without importing
    ``dust_extinction``; a line outside the table is evaluated by the law.
    """

    Rv = DEFAULT_RV
    law_name = "O94"

    def k(self, line: str) -> float:
        """k(lambda) at a canonical line name."""
        if line in DEFAULT_LAW_K:
            return DEFAULT_LAW_K[line]
        law = getattr(_THREAD_LAWS, "law", None)
        if law is None:
            law = _THREAD_LAWS.law = default_law()
        return extinction_k(line, law)


_THREAD_LAWS = threading.local()
_TABULATED = TabulatedDefaultLaw()


def thread_default_law() -> Any:
    """The default law for the worker threads of streamed and map classification.

    The tabulated :class:`TabulatedDefaultLaw` (it holds no model object, so
    threads can share it); a line outside its table builds :func:`default_law`
    once per thread.
    """
    return _TABULATED


def _resolve_law(law: Any) -> Any:
    """An extinction-law instance from None, a class or an instance."""
    if law is None:
        return default_law()
    if isinstance(law, type):
        return law(Rv=DEFAULT_RV) if "Rv" in getattr(law, "param_names", ()) else law()
    return law


def _law_name(law: Any) -> str:
    rv = getattr(law, "Rv", None)
    rv_value = getattr(rv, "value", rv)
    name = getattr(law, "law_name", None) or type(law).__name__
    return f"{name}(Rv={float(rv_value):g})" if rv_value is not None else name


def extinction_k(line: str, law: Any = None) -> float:
    """Extinction coefficient k(lambda) = A(lambda)/E(B-V) at a line.

    Parameters
    ----------
    line : str
        Canonical line name (:mod:`nebuladapt.lines`); summed doublets use the
        wavelength of their first component.
    law : dust_extinction model instance or class, optional
        Default :func:`default_law` (O94, R_V = 3.1).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If the line lies outside the law's valid wavelength range.

    Examples
    --------
    >>> round(extinction_k("HB4861") - extinction_k("HA6562"), 2)
    1.14
    """
    if isinstance(law, TabulatedDefaultLaw):
        return law.k(line)
    law = _resolve_law(law)
    wavelength = wavelength_of(line) * u.AA
    x = (1.0 / wavelength.to(u.micron)).value
    x_min, x_max = law.x_range
    if not x_min <= x <= x_max:
        raise ValueError(
            f"line {line} ({wavelength:.1f}, x = {x:.3f}/micron) is outside the valid range "
            f"[{x_min}, {x_max}]/micron of {_law_name(law)}; choose a law covering it "
            "(e.g. O94 or CCM89) or drop the line"
        )
    rv = getattr(law, "Rv", DEFAULT_RV)
    rv = float(getattr(rv, "value", rv))
    return float(rv * law(wavelength))


def balmer_decrement_ebv(
    ha: Any, hb: Any, intrinsic: float = CASE_B_HA_HB, law: Any = None
) -> np.ndarray:
    """Colour excess E(B-V) from the Balmer decrement.

    Parameters
    ----------
    ha, hb : array_like
        Observed Halpha and Hbeta fluxes (any common normalisation).
    intrinsic : float, optional
        Intrinsic Halpha/Hbeta, default case B 2.86 (T = 10^4 K).
    law : dust_extinction model instance or class, optional
        Default O'Donnell (1994) with R_V = 3.1.

    Returns
    -------
    ndarray of float64
        E(B-V) in magnitudes, clipped at 0 where the decrement is below the
        intrinsic value; NaN where either flux is not finite or not positive.

    Examples
    --------
    >>> balmer_decrement_ebv([2.86, 1.0], [1.0, 0.0]).tolist()
    [0.0, nan]
    """
    ha = np.asarray(ha, dtype=np.float64)
    hb = np.asarray(hb, dtype=np.float64)
    dk = _cached_k(_HB, law) - _cached_k(_HA, law)
    ok = np.isfinite(ha) & np.isfinite(hb) & (ha > 0) & (hb > 0)
    ebv = np.full(np.broadcast(ha, hb).shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = 2.5 / dk * np.log10(ha / hb / intrinsic)
    ebv[ok] = np.clip(np.broadcast_to(raw, ebv.shape)[ok], 0.0, None)
    return ebv


def deredden_catalog(catalog: LineCatalog, law: Any = None) -> LineCatalog:
    """Correct a catalogue's line fluxes for dust with the Balmer decrement.

    Rows are corrected when Halpha and Hbeta are both finite and positive and
    the row is not already ``dust_corrected``; those rows become
    ``dust_corrected=True``. Other rows are returned unchanged.

    Parameters
    ----------
    catalog : LineCatalog
        Input catalogue; it is not modified.
    law : dust_extinction model instance or class, optional
        Default O'Donnell (1994) with R_V = 3.1 (as PHANGS-MUSE).

    Returns
    -------
    LineCatalog
        A new catalogue (same rows and table columns) with corrected ``flux``
        and ``flux_err``. ``meta['ebv']`` holds the per-row E(B-V) applied (NaN
        where not applied), ``meta['extinction_law']`` the law used.

    Raises
    ------
    ValueError
        If a line of the catalogue lies outside the law's valid range.
    """
    law = _resolve_law(law)
    n = len(catalog)
    ebv = np.full(n, np.nan)
    if _HA in catalog.flux and _HB in catalog.flux:
        ebv = balmer_decrement_ebv(catalog.flux[_HA], catalog.flux[_HB], law=law)
        ebv[catalog.dust_corrected] = np.nan
    apply = np.isfinite(ebv)
    lines = list(dict.fromkeys([*catalog.flux, *catalog.flux_err, *catalog.limit_flux]))
    factors = _correction_factors(lines, ebv, apply, law)
    flux = {line: values * factors[line] for line, values in catalog.flux.items()}
    flux_err = {line: values * factors[line] for line, values in catalog.flux_err.items()}
    limit_flux = {line: values * factors[line] for line, values in catalog.limit_flux.items()}
    meta = dict(catalog.meta)
    meta.update(
        ebv=ebv,
        extinction_law=_law_name(law),
        intrinsic_ha_hb=CASE_B_HA_HB,
        n_dereddened=int(apply.sum()),
    )
    return replace(
        catalog,
        table=catalog.table.copy(copy_data=False),
        flux=flux,
        flux_err=flux_err,
        limit_flux=limit_flux,
        dust_corrected=catalog.dust_corrected | apply,
        meta=meta,
    )


def _correction_factors(lines, ebv: np.ndarray, apply: np.ndarray, law: Any) -> dict:
    """Per-line, per-row multiplicative corrections 10**(0.4 E k), 1 where not applied.

    Computed as ``exp(0.4 ln(10) k E)`` from one masked E(B-V) array (the
    streaming path calls this for every chunk: a power per line was its
    largest dust cost).
    """
    if not apply.any():
        ones = np.ones_like(ebv)
        return {line: ones for line in lines}
    scaled = np.where(apply, ebv, 0.0) * (0.4 * np.log(10.0))
    return {line: np.exp(scaled * _cached_k(line, law)) for line in lines}


_K_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _cached_k(line: str, law: Any) -> float:
    """:func:`extinction_k`, remembered per law instance (it costs ~1 ms a call)."""
    try:
        known = _K_CACHE.setdefault(law, {})
    except TypeError:  # a law that cannot be weakly referenced
        return extinction_k(line, law)
    if line not in known:
        known[line] = extinction_k(line, law)
    return known[line]
