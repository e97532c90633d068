"""Tests of the Kopsacheili et al. 2020 decision functions (evaluation/kopsacheili.py)."""

import numpy as np
import pytest

from nebuladapt.evaluation.kopsacheili import (
    KOPSACHEILI20_2D,
    KOPSACHEILI20_3D,
    kopsacheili20_2d,
    kopsacheili20_3d,
)


def test_kopsacheili20_2d_hand_points():
    # SII-NII at the origin ([SII] = [NII] = Halpha, shock-like): f = a00 = 2.763 > 0
    assert kopsacheili20_2d("SII-NII", 0.0, 0.0) == pytest.approx(2.763)
    # SII-NII at x = y = -1 ([SII]/Ha = [NII]/Ha = 0.1, HII-like):
    # -a30 - a21 + a20 - a12 + a11 - a10 - a03 + a02 - a01 + a00
    # = 0.043 - 0.175 - 0.257 - 0.029 - 2.452 - 2.244 + 0.217 + 1.388 - 1.116 + 2.763 = -1.862
    assert kopsacheili20_2d("SII-NII", -1.0, -1.0) == pytest.approx(-1.862)
    # NII-OIII is linear, 0.939 x + y + 0.469: at (-0.5, 0) = -0.0005, just on the HII side
    assert kopsacheili20_2d("NII-OIII", -0.5, 0.0) == pytest.approx(-0.0005)
    # OI-OIII at (log [OI]/Ha, log [OIII]/Hb) = (-0.8, 0.3):
    # -0.23808 - 0.04704 - 0.27648 - 0.076824 + 0.21288 + 0.5608 + 0.001323 - 0.1449
    # + 0.6288 + 2.71 = 3.330479
    assert kopsacheili20_2d("OI-OIII", -0.8, 0.3) == pytest.approx(3.330479, abs=1e-6)
    assert np.isnan(kopsacheili20_2d("SII-NII", np.nan, -1.0))


# The authors' worked example (github.com/mariakop21/Diagnostics, example.ipynb):
# fluxes of two sources and the decision values their notebook prints.
_EXAMPLE = dict(
    ha=np.array([7.1e-15, 6e-15]), oi=np.array([2e-15, 5e-16]),
    oii=np.array([3e-15, 1e-16]), oiii=np.array([2.3e-14, 2e-17]), hb=np.array([3.3e-15, 2e-15]),
    sii=np.array([5e-15, 2e-16]),
)  # fmt: skip


def test_kopsacheili20_matches_authors_example():
    e = _EXAMPLE
    # In that notebook every 2-D lambda reads the coefficients defined last, so only
    # f_SII_OII is evaluated with its own: 2.1246044374357282 and -2.7110792317184185.
    f = kopsacheili20_2d("SII-OII", np.log10(e["sii"] / e["ha"]), np.log10(e["oii"] / e["hb"]))
    assert f == pytest.approx([2.1246044374357282, -2.7110792317184185], rel=1e-9)
    # Likewise f_OI_OII_OIII among the 3-D ones (2.8418538942912916, 1.3826491354561643),
    # computed there with a020 * x * y^2 in place of the a020 * y^2 that we use.
    x, y, z = (np.log10(e["oi"] / e["ha"]), np.log10(e["oii"] / e["hb"]),
               np.log10(e["oiii"] / e["hb"]))  # fmt: skip
    a020 = KOPSACHEILI20_3D["OI-OII-OIII"][1][(0, 2, 0)]
    f3 = kopsacheili20_3d("OI-OII-OIII", x, y, z) - a020 * y**2 + a020 * x * y**2
    assert f3 == pytest.approx([2.8418538942912916, 1.3826491354561643], rel=1e-9)


def test_kopsacheili20_coefficient_tables():
    cubic_2d = {(i, j) for i in range(4) for j in range(4) if i + j <= 3}
    cubic_3d = {(i, j, k) for i in range(4) for j in range(4) for k in range(4) if i + j + k <= 3}
    assert len(KOPSACHEILI20_2D) == 10 and len(KOPSACHEILI20_3D) == 10
    for axes, coefficients in KOPSACHEILI20_2D.values():
        assert set(coefficients) == cubic_2d and len(axes) == 2
    for axes, coefficients in KOPSACHEILI20_3D.values():
        assert set(coefficients) == cubic_3d and len(set(axes)) == 3
    # one spot check per table against the authors' factors files
    assert KOPSACHEILI20_3D["NII-SII-OI"][1][(0, 1, 0)] == -1.822  # a010
    assert KOPSACHEILI20_2D["NII-OI"][1][(1, 0)] == -0.0007  # a10
