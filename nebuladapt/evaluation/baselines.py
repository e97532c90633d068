"""Classical line-ratio classification cuts (no training, no adaptation).

Each demarcation is its own small function with its reference; inputs are
``log10`` ratios. :func:`classical_cuts` combines them into the simple
baseline nebuladapt is compared with.
"""

from __future__ import annotations

import numpy as np

__all__ = ["kewley01_nii", "kewley01_sii", "sii_ha_snr", "classical_cuts"]


def kewley01_nii(log_nii_ha: np.ndarray) -> np.ndarray:
    """Kewley et al. 2001 (ApJ 556, 121) maximum-starburst line in the [NII] BPT.

    ``log([OIII]/Hb) = 0.61 / (log([NII]/Ha) - 0.47) + 1.19``, defined for
    ``log([NII]/Ha) < 0.47`` (NaN beyond, where every point lies above it).
    """
    x = np.asarray(log_nii_ha, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x < 0.47, 0.61 / (x - 0.47) + 1.19, np.nan)


def kewley01_sii(log_sii_ha: np.ndarray) -> np.ndarray:
    """Kewley et al. 2001 (ApJ 556, 121) maximum-starburst line in the [SII] BPT.

    ``log([OIII]/Hb) = 0.72 / (log([SII]/Ha) - 0.32) + 1.30``, defined for
    ``log([SII]/Ha) < 0.32``.
    """
    x = np.asarray(log_sii_ha, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x < 0.32, 0.72 / (x - 0.32) + 1.30, np.nan)


def sii_ha_snr(log_sii_ha: np.ndarray, threshold: float = 0.4) -> np.ndarray:
    """The classical SNR criterion ``[SII]6716+6731 / Halpha > 0.4``.

    Mathewson & Clarke 1973 (ApJ 180, 725); Blair & Long 2004 (ApJS 155, 101).
    """
    return np.asarray(log_sii_ha, dtype=float) > np.log10(threshold)


def _above(y: np.ndarray, curve: np.ndarray, x: np.ndarray, x_max: float) -> np.ndarray:
    """Above a demarcation curve, or right of its asymptote."""
    return np.where(np.isfinite(curve), y > curve, x >= x_max)


def classical_cuts(log_oiii_hb, log_nii_ha, log_sii_ha) -> np.ndarray:
    """Simple classical classification: SNR, then PN, else HII.

    * SNR where ``[SII]/Halpha > 0.4`` (:func:`sii_ha_snr`);
    * otherwise PN where ``[OIII]/Hbeta`` lies above the Kewley et al. 2001
      maximum-starburst line in the [NII] BPT (:func:`kewley01_nii`), i.e.
      harder ionisation than any star-forming region;
    * otherwise HII.

    A row is left unclassified (``""``) where a ratio needed for its decision is
    missing (NaN).

    Returns
    -------
    ndarray of str
    """
    oiii = np.asarray(log_oiii_hb, dtype=float)
    nii = np.asarray(log_nii_ha, dtype=float)
    sii = np.asarray(log_sii_ha, dtype=float)
    out = np.full(oiii.shape, "", dtype=object)
    snr = sii_ha_snr(sii)
    pn = _above(oiii, kewley01_nii(nii), nii, 0.47) & np.isfinite(oiii) & np.isfinite(nii)
    known = np.isfinite(sii) & np.isfinite(oiii) & np.isfinite(nii)
    out[known] = "HII"
    out[known & pn] = "PN"
    out[np.isfinite(sii) & snr] = "SNR"
    return out.astype(str)
