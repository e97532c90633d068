"""Kopsacheili, Zezas & Leonidaki (2020) SNR/HII decision lines and surfaces.

Kopsacheili, Zezas & Leonidaki 2020 (MNRAS 491, 889) separate MAPPINGS III
shock models (Allen et al. 2008) from photoionisation (starburst) models with
support-vector machines in 2 and 3 line-ratio dimensions; each boundary is a
cubic polynomial of ``log10`` ratios, **positive on the SNR (shock) side**.
Ratio names are those of :mod:`nebuladapt.evaluation.diagnostics`.

Notes
-----
The coefficients are transcribed from the authors' machine-readable release
(github.com/mariakop21/Diagnostics: README, ``factors_2d.txt``,
``factors_3d.txt``), not from the paper's tables, which were not available
here. The releases disagree on one sign, ``a21`` of the [OI]-[OIII] line
(-0.245 in the later ``factors_2d.txt`` and the example notebook, +0.245 in
the README); -0.245 is used. On the shipped Allen et al. 2008 shock grid both
signs put 97.6% of the models on the SNR side. The paper's single-ratio
[OI]/Halpha criterion is not implemented (its threshold was not found). The
models' ratio ranges, outside which the polynomials are extrapolations, are not
published with the coefficients and are not enforced.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from nebuladapt.evaluation.diagnostics import NII_HA, OI_HA, OII_HB, OIII_HB, SII_HA

__all__ = [
    "KOPSACHEILI20_2D",
    "KOPSACHEILI20_3D",
    "kopsacheili20_2d",
    "kopsacheili20_3d",
]


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
    axes = [np.asarray(a, dtype=float) for a in axes]
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
