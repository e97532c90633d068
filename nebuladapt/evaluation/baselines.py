"""Classical line-ratio classification cuts (no training, no adaptation).

Each demarcation is its own small function with its reference and equation;
inputs are ``log10`` line ratios, and a curve is NaN outside the domain where
its paper defines it (no silent extrapolation). Criteria are combined through
named boolean masks (:class:`Criterion`, :func:`nebula_masks`), never magic
integers, in the decision order

1. **SNR** test first;
2. otherwise a **PN** test;
3. otherwise **HII**.

A row gets a label only where every test on its path could be evaluated: a row
whose SNR test needs a missing ratio is unclassified (``""``); a row that fails
the SNR test but whose PN test needs a missing ratio is unclassified too. A
row whose SNR test succeeds is an SNR whatever its other ratios. Missing ratios
are NaN.

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
* Kopsacheili, Zezas & Leonidaki 2020, MNRAS 491, 889 (SVM SNR/HII lines and
  surfaces in 2 and 3 line-ratio dimensions).

Notes
-----
* Kopsacheili et al. 2020 coefficients are transcribed from the authors'
  machine-readable release (github.com/mariakop21/Diagnostics: README,
  ``factors_2d.txt``, ``factors_3d.txt``), not from the paper's tables, which
  were not available here. The releases disagree on one sign, ``a21`` of the
  [OI]-[OIII] line (-0.245 in the later ``factors_2d.txt`` and the example
  notebook, +0.245 in the README); -0.245 is used. On the shipped Allen et al.
  2008 shock grid both signs put 97.6% of the models on the SNR side. The
  paper's single-ratio [OI]/Halpha criterion is not implemented (its threshold
  was not found). The models' ratio ranges, outside which the polynomials are
  extrapolations, are not published with the coefficients and are not enforced.
* The Ciardullo et al. 2002 PN line depends on the [OIII] absolute magnitude,
  which needs a distance; without one it is evaluated at the PNLF cutoff. A
  flat ``R > 1.6`` sometimes quoted was not found in the literature searched
  and is not used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

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
    # SNR criteria
    "SII_HA_SNR_THRESHOLD",
    "sii_ha_snr",
    "KOPSACHEILI20_2D",
    "KOPSACHEILI20_3D",
    "kopsacheili20_2d",
    "kopsacheili20_3d",
    # PN criteria
    "CIARDULLO02_M_STAR",
    "ciardullo02_log_r",
    "ciardullo02_min_log_r",
    "ciardullo02_pn",
    # masks and classification
    "Criterion",
    "above_curve",
    "nebula_masks",
    "masks_to_labels",
    "CLASSICAL_BASELINES",
    "classify_classical",
    "classical_cuts",
]

#: Feature names of the ratios the classical cuts use (see :mod:`nebuladapt.features`).
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
# Named masks
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """Outcome of one classical test on every row, as two named masks.

    Attributes
    ----------
    passed : ndarray of bool
        True where the test holds (always False where it is not ``known``).
    known : ndarray of bool
        True where every ratio the test needs is measured.
    """

    passed: np.ndarray
    known: np.ndarray

    @classmethod
    def from_values(cls, passed, *needed) -> "Criterion":
        """A criterion known where every array in ``needed`` is finite."""
        known = np.ones(np.shape(passed), dtype=bool)
        for values in needed:
            known &= np.isfinite(_as_float(values))
        return cls(np.asarray(passed, dtype=bool) & known, known)

    def otherwise(self, fallback: "Criterion") -> "Criterion":
        """This test where it is known, else ``fallback``."""
        return Criterion(
            np.where(self.known, self.passed, fallback.passed),
            self.known | fallback.known,
        )


def above_curve(y, curve, x, x_max: float) -> Criterion:
    """Rows above a BPT demarcation curve, or right of its asymptote.

    Parameters
    ----------
    y : array-like
        ``log([OIII]/Hb)``.
    curve : array-like
        The curve evaluated at ``x`` (NaN at and right of the asymptote).
    x : array-like
        The abscissa ratio.
    x_max : float
        The curve's asymptote: every measured point with ``x >= x_max`` lies
        on the "above" side.
    """
    y, curve, x = _as_float(y), _as_float(curve), _as_float(x)
    with np.errstate(invalid="ignore"):
        passed = np.where(np.isfinite(curve), y > curve, x >= x_max)
    return Criterion.from_values(passed, y, x)


def nebula_masks(snr: Criterion, pn: Criterion) -> dict[str, np.ndarray]:
    """Named class masks from an SNR test and a PN test (SNR first, then PN, else HII).

    Returns
    -------
    dict
        ``"SNR"``, ``"PN"``, ``"HII"`` and ``"unclassified"``: disjoint boolean
        masks covering every row.
    """
    not_snr = snr.known & ~snr.passed
    masks = {
        "SNR": snr.known & snr.passed,
        "PN": not_snr & pn.known & pn.passed,
        "HII": not_snr & pn.known & ~pn.passed,
    }
    masks["unclassified"] = ~(masks["SNR"] | masks["PN"] | masks["HII"])
    return masks


def masks_to_labels(masks: Mapping[str, np.ndarray]) -> np.ndarray:
    """``"HII"``/``"PN"``/``"SNR"`` labels from :func:`nebula_masks`, ``""`` where unclassified."""
    out = np.full(np.shape(masks["unclassified"]), "", dtype=object)
    for label in ("HII", "PN", "SNR"):
        out[masks[label]] = label
    return out.astype(str)


# ---------------------------------------------------------------------------
# SNR criteria
# ---------------------------------------------------------------------------

#: The classical SNR threshold on [SII]6716+6731 / Halpha.
SII_HA_SNR_THRESHOLD: float = 0.4


def sii_ha_snr(log_sii_ha, threshold: float = SII_HA_SNR_THRESHOLD) -> np.ndarray:
    """The classical SNR criterion ``[SII]6716+6731 / Halpha > 0.4``.

    Mathewson & Clarke 1973 (ApJ 180, 725); used throughout extragalactic SNR
    surveys, e.g. Blair & Long 2004 (ApJS 155, 101). False where the ratio is
    missing (see :class:`Criterion` for the "known" mask).
    """
    with np.errstate(invalid="ignore"):
        return _as_float(log_sii_ha) > np.log10(threshold)


def _k20_2d(a30, a21, a20, a12, a11, a10, a03, a02, a01, a00) -> dict[tuple[int, int], float]:
    return {
        (3, 0): a30, (2, 1): a21, (2, 0): a20, (1, 2): a12, (1, 1): a11,
        (1, 0): a10, (0, 3): a03, (0, 2): a02, (0, 1): a01, (0, 0): a00,
    }  # fmt: skip


#: Kopsacheili et al. 2020 (MNRAS 491, 889) 2-D SNR/HII decision lines:
#: name -> ((x ratio, y ratio), {(i, j): a_ij}), with
#: ``f(x, y) = sum a_ij x**i y**j`` and f > 0 on the SNR (shock) side. Coefficients
#: as the authors publish them in machine-readable form (github.com/mariakop21/Diagnostics,
#: README and ``factors_2d.txt``; the paper gives them in its tables).
KOPSACHEILI20_2D: dict[str, tuple[tuple[str, str], dict[tuple[int, int], float]]] = {
    "SII-NII": ((SII_HA, NII_HA), _k20_2d(
        -0.043, 0.175, -0.257, 0.029, -2.452, 2.244, -0.217, 1.388, 1.116, 2.763)),
    "NII-OIII": ((NII_HA, OIII_HB), _k20_2d(0, 0, 0, 0, 0, 0.939, 0, 0, 1.000, 0.469)),
    "SII-OIII": ((SII_HA, OIII_HB), _k20_2d(
        0.079, 0.148, -1.821, -0.318, -0.781, 4.660, 0.255, -0.479, 4.433, 3.403)),
    # a21 = -0.245 as in the authors' latest factors_2d.txt and example notebook;
    # their README and an older factors_2d.txt print +0.245 (see module notes).
    "OI-OIII": ((OI_HA, OIII_HB), _k20_2d(
        0.465, -0.245, -0.432, 1.067, -0.887, -0.701, 0.049, -1.610, 2.096, 2.710)),
    "NII-OI": ((NII_HA, OI_HA), _k20_2d(
        -2.159, 4.249, -0.874, 0.067, 4.330, -0.0007, 1.162, 1.263, 0.382, 1.285)),
    "OII-OIII": ((OII_HB, OIII_HB), _k20_2d(
        -0.008, 0.416, 1.952, -0.616, -1.133, 4.591, 0.347, 1.344, 3.356, -2.904)),
    "NII-OII": ((NII_HA, OII_HB), _k20_2d(0, 0, 0, 0, 0, 1.262, 0, 0, 1.000, 0.581)),
    "SII-OI": ((SII_HA, OI_HA), _k20_2d(
        0.461, 2.197, -0.089, -1.036, 1.932, -0.449, 1.446, 1.371, 0.145, 1.218)),
    "OI-OII": ((OI_HA, OII_HB), _k20_2d(
        0.701, 4.291, -0.842, 0.124, 3.095, 0.719, 0.432, -1.170, -2.274, 5.017)),
    "SII-OII": ((SII_HA, OII_HB), _k20_2d(
        -0.403, -0.511, -0.575, -0.225, -0.332, 4.283, 1.185, 0.981, -0.283, 2.777)),
}  # fmt: skip

_K20_3D_TERMS = (
    (3, 0, 0), (2, 0, 1), (2, 1, 0), (2, 0, 0), (1, 0, 2), (1, 1, 1), (1, 0, 1),
    (1, 2, 0), (1, 1, 0), (1, 0, 0), (0, 0, 3), (0, 1, 2), (0, 0, 2), (0, 2, 1),
    (0, 1, 1), (0, 0, 1), (0, 3, 0), (0, 2, 0), (0, 1, 0), (0, 0, 0),
)  # fmt: skip


def _k20_3d(*coefficients: float) -> dict[tuple[int, int, int], float]:
    """Coefficients in the authors' order: a300 a201 a210 a200 a102 a111 a101 a120 a110
    a100 a003 a012 a002 a021 a011 a001 a030 a020 a010 a000 (a_ijk multiplies x^i y^j z^k)."""
    return dict(zip(_K20_3D_TERMS, coefficients, strict=True))


#: Kopsacheili et al. 2020 3-D SNR/HII decision surfaces:
#: name -> ((x, y, z ratios), {(i, j, k): a_ijk}), ``f = sum a_ijk x**i y**j z**k``,
#: f > 0 on the SNR side; coefficients from the authors' ``factors_3d.txt``/README.
KOPSACHEILI20_3D: dict[str, tuple[tuple[str, str, str], dict[tuple[int, int, int], float]]] = {
    "NII-SII-OIII": ((NII_HA, SII_HA, OIII_HB), _k20_3d(
        -2.913, -0.638, 1.568, 0.407, -0.866, -2.264, 1.508, 1.753, -6.913, 0.001,
        1.463, -1.325, -2.732, 1.823, -2.697, 4.377, -1.585, 0.770, 1.267, 2.413)),
    "NII-SII-OI": ((NII_HA, SII_HA, OI_HA), _k20_3d(
        0.025, 0.253, 0.250, -0.350, 0.196, 0.379, 0.149, 0.127, -0.795, -1.821,
        0.223, 0.014, -0.804, -0.021, 0.658, 0.214, -0.002, 0.151, -1.822, 2.382)),
    "NII-SII-OII": ((NII_HA, SII_HA, OII_HB), _k20_3d(
        -0.140, -0.388, 0.231, 1.460, 0.067, -0.460, 2.639, 0.283, -2.699, -0.610,
        0.361, 0.141, 0.283, 0.098, -1.050, 1.626, -0.055, -0.038, 2.202, 1.520)),
    "NII-OII-OIII": ((NII_HA, OII_HB, OIII_HB), _k20_3d(
        -1.704, -0.879, 8.080, -1.549, -3.772, -0.877, 0.788, -0.372, 3.313, 7.034,
        3.011, -2.641, -2.798, 1.264, -1.968, 5.176, 0.576, 2.729, -1.199, 3.478)),
    "NII-OI-OII": ((NII_HA, OI_HA, OII_HB), _k20_3d(
        -1.085, -0.268, 3.986, 0.863, 4.071, -2.792, 3.889, 0.609, 6.108, -3.186,
        0.139, -0.459, -0.768, 4.849, 1.608, -1.437, 0.326, -2.053, 1.578, 3.734)),
    "NII-OI-OIII": ((NII_HA, OI_HA, OIII_HB), _k20_3d(
        -1.082, 0.195, 1.873, 0.027, 2.230, -3.680, -0.428, 1.281, 2.433, -1.752,
        1.842, 1.837, -1.213, 0.477, -2.307, 1.400, 0.590, 0.386, -0.862, 0.567)),
    "SII-OI-OII": ((SII_HA, OI_HA, OII_HB), _k20_3d(
        0.042, -1.707, 0.359, -0.172, 0.762, -2.236, 1.342, -0.096, 2.439, -2.305,
        0.266, -0.094, -0.747, 5.000, 2.587, -1.758, 0.826, -1.274, 1.213, 4.108)),
    "SII-OII-OIII": ((SII_HA, OII_HB, OIII_HB), _k20_3d(
        -0.151, -0.501, 0.713, -3.181, -0.304, 1.194, -0.421, -1.869, 2.946, 3.761,
        2.156, -0.354, -3.318, 1.078, 1.088, 4.722, 2.269, 1.467, -3.676, 4.974)),
    "SII-OI-OIII": ((SII_HA, OI_HA, OIII_HB), _k20_3d(
        -0.598, 0.403, -0.896, 0.873, -1.329, -3.664, 1.687, 1.766, 0.285, -1.227,
        1.874, 2.312, -1.495, 1.356, -1.854, 1.197, 0.696, 0.815, -1.357, 0.303)),
    "OI-OII-OIII": ((OI_HA, OII_HB, OIII_HB), _k20_3d(
        0.768, -0.419, 1.134, -0.166, 1.842, -2.650, -0.174, -1.075, 0.932, -0.871,
        0.964, -0.771, -1.476, 0.185, 2.248, 0.824, 0.452, -0.554, -2.228, 3.070)),
}  # fmt: skip


def _polynomial(coefficients: Mapping[tuple[int, ...], float], *axes) -> np.ndarray:
    axes = [_as_float(a) for a in axes]
    total = np.zeros(np.broadcast(*axes).shape)
    for powers, a in coefficients.items():
        term = np.full(total.shape, a, dtype=float)
        for values, p in zip(axes, powers):
            term = term * values**p
        total = total + term
    return total


def kopsacheili20_2d(name: str, x, y) -> np.ndarray:
    """Kopsacheili et al. 2020 (MNRAS 491, 889) 2-D SNR/HII decision function.

    ``f(x, y) = a30 x^3 + a21 x^2 y + a20 x^2 + a12 x y^2 + a11 x y + a10 x
    + a03 y^3 + a02 y^2 + a01 y + a00``: an SVM decision boundary separating
    MAPPINGS III shock models (Allen et al. 2008) from photoionisation
    (starburst) models; **f > 0 on the SNR side**. Coefficients in
    :data:`KOPSACHEILI20_2D`, e.g. ``"SII-NII"``: x = log([SII]/Ha),
    y = log([NII]/Ha); ``"OI-OIII"``: x = log([OI]/Ha), y = log([OIII]/Hb);
    ``"NII-OIII"`` is linear, ``0.939 x + y + 0.469``.

    The polynomials are fits inside the model grids' range; that range is not
    published with the coefficients, so only missing inputs give NaN here.

    Parameters
    ----------
    name : str
        A key of :data:`KOPSACHEILI20_2D`.
    x, y : array-like
        The two log ratios, in the order of the name.
    """
    _, coefficients = KOPSACHEILI20_2D[name]
    return _polynomial(coefficients, x, y)


def kopsacheili20_3d(name: str, x, y, z) -> np.ndarray:
    """Kopsacheili et al. 2020 (MNRAS 491, 889) 3-D SNR/HII decision function.

    ``f(x, y, z) = sum_ijk a_ijk x^i y^j z^k`` over the 20 monomials of a full
    cubic; f > 0 on the SNR side. ``a020`` multiplies ``y^2`` as its name and
    the authors' printed formula say (their example script multiplies it by
    ``x y^2`` instead, a typo that duplicates the ``a120`` monomial).
    Coefficients in :data:`KOPSACHEILI20_3D`; the paper's best diagnostic is
    ``"OI-OII-OIII"``.
    """
    _, coefficients = KOPSACHEILI20_3D[name]
    return _polynomial(coefficients, x, y, z)


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


# ---------------------------------------------------------------------------
# Baselines for the experiment table
# ---------------------------------------------------------------------------


def _sii_snr(f: Mapping[str, np.ndarray]) -> Criterion:
    return Criterion.from_values(sii_ha_snr(f[SII_HA]), f[SII_HA])


def _kopsacheili_snr(name: str, three_d: bool = False) -> Callable[[Mapping], Criterion]:
    if three_d:
        table, func = KOPSACHEILI20_3D, kopsacheili20_3d
    else:
        table, func = KOPSACHEILI20_2D, kopsacheili20_2d
    axes, _ = table[name]

    def test(f: Mapping[str, np.ndarray]) -> Criterion:
        values = [f[a] for a in axes]
        with np.errstate(invalid="ignore"):
            return Criterion.from_values(func(name, *values) > 0, *values)

    return test


def _kewley01_pn(f: Mapping[str, np.ndarray], m_5007: float) -> Criterion:
    """Above the Kewley 2001 [NII] line; where [NII] is missing, the [SII] line (m_5007 unused)."""
    by_nii = above_curve(f[OIII_HB], kewley01_nii(f[NII_HA]), f[NII_HA], 0.47)
    by_sii = above_curve(f[OIII_HB], kewley01_sii(f[SII_HA]), f[SII_HA], 0.32)
    return by_nii.otherwise(by_sii)


def _ciardullo02_pn(f: Mapping[str, np.ndarray], m_5007: float) -> Criterion:
    """Ciardullo R where [NII] is measured; else above the Kewley 2001 [SII] line."""
    log_r = ciardullo02_log_r(f[OIII_HB], f[NII_HA], f.get(HA_HB))
    by_r = Criterion.from_values(ciardullo02_pn(log_r, m_5007), log_r)
    by_sii = above_curve(f[OIII_HB], kewley01_sii(f[SII_HA]), f[SII_HA], 0.32)
    return by_r.otherwise(by_sii)


#: Baseline name -> (SNR test, PN test); see :func:`classify_classical`.
CLASSICAL_BASELINES: dict[str, tuple[Callable, Callable]] = {
    "SII/Ha>0.4 + Kewley01 PN": (_sii_snr, _kewley01_pn),
    "SII/Ha>0.4 + Ciardullo02 R PN": (_sii_snr, _ciardullo02_pn),
    "Kopsacheili20 SII-NII + Kewley01 PN": (_kopsacheili_snr("SII-NII"), _kewley01_pn),
    "Kopsacheili20 OI-OIII + Kewley01 PN": (_kopsacheili_snr("OI-OIII"), _kewley01_pn),
    "Kopsacheili20 NII-SII-OI (3D) + Kewley01 PN": (
        _kopsacheili_snr("NII-SII-OI", three_d=True),
        _kewley01_pn,
    ),
}


def classify_classical(
    features: Mapping[str, np.ndarray],
    baselines=None,
    m_5007: float = CIARDULLO02_M_STAR,
) -> dict[str, np.ndarray]:
    """Named classical baselines, each a label array of ``HII``/``PN``/``SNR``/``""``.

    Decision order for every baseline: its SNR test first; else its PN test;
    else HII (:func:`nebula_masks`). A test needing a missing ratio is unknown
    for that row, so the row is unclassified (``""``) unless an earlier test
    already decided it. Baselines:

    * ``"SII/Ha>0.4 + Kewley01 PN"``: SNR if [SII]/Ha > 0.4
      (:func:`sii_ha_snr`); PN if above the Kewley 2001 [NII] line
      (:func:`kewley01_nii`: ionisation harder than any starburst) or, where
      [NII] is missing, above the Kewley 2001 [SII] line.
    * ``"SII/Ha>0.4 + Ciardullo02 R PN"``: same SNR test; PN if
      ``log R > -0.37 M_5007 - 1.16`` (:func:`ciardullo02_pn`, at ``m_5007``,
      default the PNLF cutoff) where [NII] is measured, else the Kewley 2001
      [SII] line.
    * ``"Kopsacheili20 SII-NII + Kewley01 PN"``, ``"Kopsacheili20 OI-OIII +
      Kewley01 PN"``, ``"Kopsacheili20 NII-SII-OI (3D) + Kewley01 PN"``: SNR if
      the Kopsacheili et al. 2020 decision function is positive
      (:func:`kopsacheili20_2d`, :func:`kopsacheili20_3d`), then the Kewley
      PN test. The [OI] ones classify only rows with [OI]6300.

    Parameters
    ----------
    features : mapping of str to array-like
        Log ratios named as in :mod:`nebuladapt.features` (:data:`OIII_HB`,
        :data:`NII_HA`, :data:`SII_HA`, :data:`OI_HA`, optionally
        :data:`OII_HB` and :data:`HA_HB`); a missing key means the ratio is
        missing for every row. All arrays have the same length.
    baselines : sequence of str, optional
        Names from :data:`CLASSICAL_BASELINES` (default all).
    m_5007 : float
        [OIII] absolute magnitude at which the Ciardullo line is evaluated.

    Returns
    -------
    dict of str to ndarray of str
    """
    lengths = {len(np.atleast_1d(v)) for v in features.values()}
    if len(lengths) != 1:
        raise ValueError(f"feature arrays differ in length: {sorted(lengths)}")
    n = lengths.pop()
    f = {k: np.atleast_1d(_as_float(v)) for k, v in features.items()}
    for key in (OIII_HB, NII_HA, SII_HA, OI_HA, OII_HB):
        f.setdefault(key, np.full(n, np.nan))
    out = {}
    for name in baselines or CLASSICAL_BASELINES:
        snr_test, pn_test = CLASSICAL_BASELINES[name]
        out[name] = masks_to_labels(nebula_masks(snr_test(f), pn_test(f, m_5007)))
    return out


def classical_cuts(log_oiii_hb, log_nii_ha, log_sii_ha) -> np.ndarray:
    """Simple classical classification: SNR, then PN, else HII.

    * SNR where ``[SII]/Halpha > 0.4`` (:func:`sii_ha_snr`);
    * otherwise PN where ``[OIII]/Hbeta`` lies above the Kewley et al. 2001
      maximum-starburst line in the [NII] BPT (:func:`kewley01_nii`), i.e.
      harder ionisation than any star-forming region;
    * otherwise HII.

    A row is left unclassified (``""``) where a ratio needed for its decision is
    missing (NaN). Unlike ``"SII/Ha>0.4 + Kewley01 PN"`` in
    :func:`classify_classical`, there is no [SII]-line fallback for rows
    without [NII].

    Returns
    -------
    ndarray of str
    """
    oiii, nii, sii = _as_float(log_oiii_hb), _as_float(log_nii_ha), _as_float(log_sii_ha)
    snr = Criterion.from_values(sii_ha_snr(sii), sii)
    pn = above_curve(oiii, kewley01_nii(nii), nii, 0.47)
    return masks_to_labels(nebula_masks(snr, pn))
