import numpy as np
import pytest

from nebuladapt.evaluation.baselines import classical_cuts, kewley01_nii, kewley01_sii, sii_ha_snr


def test_kewley01_published_points():
    # Kewley et al. 2001 eq. 5 at log([NII]/Ha) = -0.5: 0.61 / (-0.97) + 1.19 = 0.5611
    assert kewley01_nii(-0.5) == pytest.approx(0.61 / -0.97 + 1.19)
    assert kewley01_nii(0.0) == pytest.approx(-0.10787, abs=1e-4)
    assert np.isnan(kewley01_nii(0.5))
    # eq. 6 at log([SII]/Ha) = -0.4
    assert kewley01_sii(-0.4) == pytest.approx(0.72 / -0.72 + 1.30)


def test_sii_criterion():
    assert sii_ha_snr(np.log10(0.41)) and not sii_ha_snr(np.log10(0.39))


def test_classical_cuts():
    oiii = np.array([-0.5, 1.2, 0.3, 0.0, np.nan])
    nii = np.array([-0.8, -1.0, -0.3, -0.5, -0.5])
    sii = np.array([-0.8, -1.2, -0.1, np.nan, -0.2])
    assert list(classical_cuts(oiii, nii, sii)) == ["HII", "PN", "SNR", "", "SNR"]
