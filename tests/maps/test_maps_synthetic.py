"""SYNTHETIC MAPS generator: deterministic, consistent truth, real WCS."""

import numpy as np

from nebuladapt.maps.synthetic import TRUTH_CLASS_COLUMN, make_synthetic_maps


def test_same_seed_same_maps_and_consistent_truth():
    a, b = make_synthetic_maps((50, 60), seed=1), make_synthetic_maps((50, 60), seed=1)
    assert np.array_equal(a.maps["HA6562_FLUX"].data, b.maps["HA6562_FLUX"].data, equal_nan=True)
    assert not np.array_equal(a.maps["HA6562_FLUX"].data, make_synthetic_maps((50, 60), seed=2).maps["HA6562_FLUX"].data)
    assert a.wcs.wcs.ctype[0] == "RA---TAN" and a.maps["HA6562_FLUX"].header["CTYPE2"] == "DEC--TAN"
    codes = {"HII": 1, "PN": 2, "SNR": 3}
    for row in a.regions:
        inside = a.mask == row["region_ID"]
        assert inside.sum() == row["n_spaxels"] > 0
        assert np.all(a.truth[inside] == codes[row[TRUTH_CLASS_COLUMN]])  # the mask's nebula dominates there
    assert np.isnan(a.maps["HA6562_FLUX"].data[0, 0]) and a.mask[0, 0] == -1
    assert len(a.maps) == 1 + 2 * 7
