"""Classical emission-line diagnostics of the literature: BPT curves, SNR and PN criteria.

Each demarcation is its own small function with its reference and equation;
inputs are ``log10`` line ratios, and a curve is NaN outside the domain where
its paper defines it (no silent extrapolation). How these criteria are
combined into a classification is :mod:`nebuladapt.evaluation.baselines`; the
Kopsacheili et al. (2020) SNR/HII polynomials are
:mod:`nebuladapt.evaluation.kopsacheili`.

Ratio names follow :mod:`nebuladapt.features` (``log_OIII5006_HB4861``,
``log_NII6583_HA6562``, ``log_SII6716_6730_HA6562``, ``log_OI6300_HA6562``,
``log_OII3726_3729_HB4861``). [OIII] is 5007 alone, [NII] is 6583 alone,
[SII] is 6716+6731 and [OII] is 3726+3729, as in the papers below.

References
----------
* Baldwin, Phillips & Terlevich 1981, PASP 93, 5 (the BPT diagrams).
* Kewley, Dopita, Sutherland, Heisler & Trevena 2001, ApJ 556, 121, eqs. 5-7.
* Kauffmann et al. 2003, MNRAS 346, 1055, eq. 1.
* Kewley, Groves, Kauffmann & Heckman 2006, MNRAS 372, 961 (Seyfert/LINER lines).
* Mathewson & Clarke 1973, ApJ 180, 725; Blair & Long 2004, ApJS 155, 101
  ([SII]/Halpha > 0.4).
* Ciardullo et al. 2002, ApJ 577, 31 (PN/HII criterion on
  R = [OIII]5007/(Halpha+[NII])).

Notes
-----
The Ciardullo et al. 2002 PN line depends on the [OIII] absolute magnitude,
which needs a distance; without one it is evaluated at the PNLF cutoff. A flat
``R > 1.6`` sometimes quoted was not found in the literature searched and is
not used.
"""

from __future__ import annotations

import numpy as np

from nebuladapt.lines import CASE_B_HA_HB, DOUBLET_RATIOS

__all__ = [
    # ratio names
    "OIII_HB",
    "NII_HA",
    "SII_HA",
    "OI_HA",
    "OII_HB",
    "HA_HB",
    # BPT demarcations
    "kauffmann03_nii",
    "kewley01_nii",
    "kewley01_sii",
    "kewley01_oi",
    "kewley06_sii_seyfert_liner",
    "kewley06_oi_seyfert_liner",
    "KEWLEY06_SII_X_MIN",
    "KEWLEY06_OI_X_MIN",
    # SNR criterion
    "SII_HA_SNR_THRESHOLD",
    "sii_ha_snr",
    "low_sii_snr_share",
    # PN criterion
    "CIARDULLO02_M_STAR",
    "ciardullo02_log_r",
    "ciardullo02_min_log_r",
    "ciardullo02_pn",
]

#: Feature names of the ratios the classical diagnostics use (see :mod:`nebuladapt.features`).
OIII_HB = "log_OIII5006_HB4861"
NII_HA = "log_NII6583_HA6562"
SII_HA = "log_SII6716_6730_HA6562"
OI_HA = "log_OI6300_HA6562"
OII_HB = "log_OII3726_3729_HB4861"
#: Optional Balmer decrement, used only for the Ciardullo R ratio (case B if absent).
HA_HB = "log_HA6562_HB4861"


def _as_float(values) -> np.ndarray:
    return np.asarray(values, dtype=float)


def _hyperbola(x, a: float, x0: float, b: float, x_max: float) -> np.ndarray:
    """``a / (x - x0) + b`` for ``x < x_max``, NaN elsewhere (and where x is NaN)."""
    x = _as_float(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x < x_max, a / (x - x0) + b, np.nan)


# ---------------------------------------------------------------------------
# BPT demarcations: each returns log([OIII]5007/Hbeta) on the curve.
# ---------------------------------------------------------------------------


def kauffmann03_nii(log_nii_ha) -> np.ndarray:
    """Kauffmann et al. 2003 (MNRAS 346, 1055, eq. 1) empirical star-forming line, [NII] BPT.

    ``log([OIII]/Hb) = 0.61 / (log([NII]/Ha) - 0.05) + 1.3``, defined for
    ``log([NII]/Ha) < 0.05`` (NaN beyond its asymptote).
    """
    return _hyperbola(log_nii_ha, 0.61, 0.05, 1.3, 0.05)


def kewley01_nii(log_nii_ha) -> np.ndarray:
    """Kewley et al. 2001 (ApJ 556, 121, eq. 5) maximum-starburst line, [NII] BPT.

    ``log([OIII]/Hb) = 0.61 / (log([NII]/Ha) - 0.47) + 1.19``, defined for
    ``log([NII]/Ha) < 0.47`` (NaN beyond, where every point lies above it).
    """
    return _hyperbola(log_nii_ha, 0.61, 0.47, 1.19, 0.47)


def kewley01_sii(log_sii_ha) -> np.ndarray:
    """Kewley et al. 2001 (ApJ 556, 121, eq. 6) maximum-starburst line, [SII] BPT.

    ``log([OIII]/Hb) = 0.72 / (log([SII]/Ha) - 0.32) + 1.30``, defined for
    ``log([SII]/Ha) < 0.32``.
    """
    return _hyperbola(log_sii_ha, 0.72, 0.32, 1.30, 0.32)


def kewley01_oi(log_oi_ha) -> np.ndarray:
    """Kewley et al. 2001 (ApJ 556, 121, eq. 7) maximum-starburst line, [OI] BPT.

    ``log([OIII]/Hb) = 0.73 / (log([OI]/Ha) + 0.59) + 1.33``, defined for
    ``log([OI]/Ha) < -0.59``.
    """
    return _hyperbola(log_oi_ha, 0.73, -0.59, 1.33, -0.59)


def _line_meets_hyperbola(slope, intercept, a, x0, b) -> float:
    """Lower x where ``slope x + intercept = a / (x - x0) + b`` (left of the asymptote)."""
    # (slope x + intercept - b)(x - x0) = a
    roots = np.roots([slope, intercept - b - slope * x0, -(intercept - b) * x0 - a])
    roots = np.sort(roots[np.isreal(roots)].real)
    return float(roots[roots < x0][0])


#: Where the Kewley 2006 [SII] Seyfert/LINER line meets the Kewley 2001 [SII] line (~ -0.315).
KEWLEY06_SII_X_MIN: float = _line_meets_hyperbola(1.89, 0.76, 0.72, 0.32, 1.30)
#: Where the Kewley 2006 [OI] Seyfert/LINER line meets the Kewley 2001 [OI] line (~ -1.127).
KEWLEY06_OI_X_MIN: float = _line_meets_hyperbola(1.18, 1.30, 0.73, -0.59, 1.33)


def kewley06_sii_seyfert_liner(log_sii_ha) -> np.ndarray:
    """Kewley et al. 2006 (MNRAS 372, 961, Sect. 4) Seyfert/LINER line, [SII] BPT.

    ``log([OIII]/Hb) = 1.89 log([SII]/Ha) + 0.76``. It divides the AGN region
    only, so it is defined from its crossing with the Kewley 2001 [SII] line
    (:data:`KEWLEY06_SII_X_MIN`) rightwards; NaN left of it.
    """
    x = _as_float(log_sii_ha)
    return np.where(x >= KEWLEY06_SII_X_MIN, 1.89 * x + 0.76, np.nan)


def kewley06_oi_seyfert_liner(log_oi_ha) -> np.ndarray:
    """Kewley et al. 2006 (MNRAS 372, 961, Sect. 4) Seyfert/LINER line, [OI] BPT.

    ``log([OIII]/Hb) = 1.18 log([OI]/Ha) + 1.30``, defined from its crossing
    with the Kewley 2001 [OI] line (:data:`KEWLEY06_OI_X_MIN`) rightwards.
    """
    x = _as_float(log_oi_ha)
    return np.where(x >= KEWLEY06_OI_X_MIN, 1.18 * x + 1.30, np.nan)


# ---------------------------------------------------------------------------
# SNR criteria
# ---------------------------------------------------------------------------

#: The classical SNR threshold on [SII]6716+6731 / Halpha.
SII_HA_SNR_THRESHOLD: float = 0.4


def sii_ha_snr(log_sii_ha, threshold: float = SII_HA_SNR_THRESHOLD) -> np.ndarray:
    """The classical SNR criterion ``[SII]6716+6731 / Halpha > 0.4``.

    Mathewson & Clarke 1973 (ApJ 180, 725); used throughout extragalactic SNR
    surveys, e.g. Blair & Long 2004 (ApJS 155, 101). False where the ratio is
    missing (see :class:`~nebuladapt.evaluation.baselines.Criterion` for the
    "known" mask).
    """
    with np.errstate(invalid="ignore"):
        return _as_float(log_sii_ha) > np.log10(threshold)


def low_sii_snr_share(log_sii_ha, classes) -> dict:
    """How many rows the classical criterion calls not SNR, and the share of them ``classes`` calls SNR.

    The rows with a finite ``[SII]6716+6731 / Halpha <= 0.4`` (:func:`sii_ha_snr` false, ratio known).
    A classifier that calls many of them SNR disagrees with the criterion most SNR surveys select by;
    on the task suite this picked out fits that merged HII regions into the SNR class
    (``benchmarks/results/sii_alarm_result.md``). It cannot see HII regions lost to another class,
    or rows without [SII].

    Parameters
    ----------
    log_sii_ha : array-like of float, shape (n,)
        ``log10([SII]6716+6731 / Halpha)``, NaN where unknown.
    classes : array-like of str, shape (n,)
        The class given to each row.

    Returns
    -------
    dict
        ``rows``: how many rows have a known ratio <= 0.4; ``share``: the share of them given
        ``"SNR"``, rounded to 4 decimals (None when ``rows`` is 0).
    """
    x = _as_float(log_sii_ha)
    below = np.isfinite(x) & ~sii_ha_snr(x)
    rows = int(below.sum())
    share = round(float(np.mean(np.asarray(classes)[below] == "SNR")), 4) if rows else None
    return {"rows": rows, "share": share}


# ---------------------------------------------------------------------------
# PN criteria
# ---------------------------------------------------------------------------

#: [OIII]5007 absolute magnitude of the PNLF bright-end cutoff, Ciardullo et al. 2002.
CIARDULLO02_M_STAR: float = -4.47

_NII_DOUBLET_FACTOR = 1.0 + 1.0 / DOUBLET_RATIOS[("NII6583", "NII6548")]


def ciardullo02_log_r(log_oiii_hb, log_nii_ha, log_ha_hb=None, include_nii6548: bool = True):
    """``log R`` with ``R = [OIII]5007 / (Halpha + [NII])``, Ciardullo et al. 2002 (ApJ 577, 31).

    R is defined on narrow-band photometry whose Halpha filter also passes the
    [NII] 6548, 6583 doublet, so by default [NII] = [NII]6583 x (1 + 1/3.05)
    (:data:`~nebuladapt.lines.DOUBLET_RATIOS`). From the BPT ratios,
    ``R = ([OIII]/Hb) / ((Ha/Hb) (1 + [NII]/Ha))``; ``log_ha_hb`` defaults to
    case B (Ha/Hb = 2.86, dereddened fluxes). NaN where a ratio is missing.
    """
    oiii_hb, nii_ha = _as_float(log_oiii_hb), _as_float(log_nii_ha)
    if log_ha_hb is None:
        log_ha_hb = np.log10(CASE_B_HA_HB)
    factor = _NII_DOUBLET_FACTOR if include_nii6548 else 1.0
    return oiii_hb - _as_float(log_ha_hb) - np.log10(1.0 + factor * 10.0**nii_ha)


def ciardullo02_min_log_r(m_5007=CIARDULLO02_M_STAR) -> np.ndarray:
    """Lowest ``log R`` of a PN of [OIII] absolute magnitude ``M_5007``: ``-0.37 M_5007 - 1.16``.

    Ciardullo et al. 2002 (ApJ 577, 31): PNe lie above, HII regions below this
    line in the (M_5007, log R) plane; adopted in this form by Kreckel et al.
    2017 (ApJ 834, 174) and Scheuermann et al. 2022 (MNRAS 511, 6087). At the
    PNLF cutoff M* = -4.47 it gives ``log R > 0.494`` (R > 3.1). NaN where
    ``M_5007`` is not finite.
    """
    m = _as_float(m_5007)
    return np.where(np.isfinite(m), -0.37 * m - 1.16, np.nan)


def ciardullo02_pn(log_r, m_5007=CIARDULLO02_M_STAR) -> np.ndarray:
    """PN by the Ciardullo et al. 2002 criterion: ``log R > -0.37 M_5007 - 1.16``.

    Without a distance (hence no ``M_5007``) the line is evaluated at the PNLF
    cutoff :data:`CIARDULLO02_M_STAR`, the published value for the brightest
    PNe, which is the strictest form of the criterion. False where ``log R``
    is missing.
    """
    with np.errstate(invalid="ignore"):
        return _as_float(log_r) > ciardullo02_min_log_r(m_5007)
