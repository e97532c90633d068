"""Region photometry from a nebula mask, region classes painted back."""

import numpy as np
import pytest
from astropy.io import fits
from astropy.table import Table

from nebuladapt.maps import MapsError, classify_regions, open_maps, paint_regions, region_photometry
from nebuladapt.maps.regions import read_region_mask


def test_sums_and_quadrature_errors_match_a_direct_computation(synthetic_maps):
    mask = fits.getdata(synthetic_maps["mask"])
    with open_maps(synthetic_maps["maps"]) as maps:
        table = region_photometry(maps, read_region_mask(synthetic_maps["mask"], maps), tile_spaxels=500)
        ha, err = maps.data("HA6562_FLUX")[:], maps.data("HA6562_FLUX_ERR")[:]
    ids = np.unique(mask[mask >= 0])
    assert table["region_ID"].tolist() == ids.tolist()
    for row in table:
        inside = mask == row["region_ID"]
        assert row["n_spaxels"] == inside.sum()
        good = inside & np.isfinite(ha)
        assert row["HA6562_FLUX"] == pytest.approx(ha[good].astype(float).sum(), rel=1e-9)
        assert row["HA6562_FLUX_ERR"] == pytest.approx(np.sqrt((err[good].astype(float) ** 2).sum()), rel=1e-9)
    assert str(table["HA6562_FLUX"].unit) == str(maps.units["HA6562_FLUX"])


def test_region_photometry_agrees_with_the_catalogue_within_the_errors(tmp_path):
    """Map photometry and the synthetic catalogue measure the same light with independent noise."""
    from nebuladapt.maps.synthetic import write_synthetic_maps

    paths = write_synthetic_maps(tmp_path, shape=(300, 300), seed=5)
    truth = Table.read(paths["truth"], hdu="REGIONS")
    with open_maps(paths["maps"]) as maps:
        table = region_photometry(maps, read_region_mask(paths["mask"], maps))
    assert len(table) > 80
    assert table["region_ID"].tolist() == truth["region_ID"].tolist()
    for line in ("HA6562", "NII6583", "SII6716"):
        z = (table[f"{line}_FLUX"] - truth[f"{line}_FLUX"]) / np.hypot(table[f"{line}_FLUX_ERR"], truth[f"{line}_FLUX_ERR"])
        assert 0.8 < np.std(z) < 1.25, line
        assert abs(np.mean(z)) < 0.3, line


def test_classes_painted_by_region_and_nan_background(synthetic_maps, toy_model, tmp_path):
    mask = fits.getdata(synthetic_maps["mask"]).astype(np.float32)
    mask[mask < 0] = np.nan  # PHANGS masks may use NaN as background
    fits.PrimaryHDU(mask, header=fits.getheader(synthetic_maps["mask"])).writeto(tmp_path / "nan.fits")
    with open_maps(synthetic_maps["maps"]) as maps:
        regions = classify_regions(maps, read_region_mask(tmp_path / "nan.fits", maps), toy_model)
    painted = paint_regions(mask, regions, tile_spaxels=333)
    assert {"region_ID", "n_spaxels", "pred_class", "prob_PN", "flag"} <= set(regions.colnames)
    codes = {"": 0, "HII": 1, "PN": 2, "SNR": 3}
    for row in regions:
        inside = mask == row["region_ID"]
        assert np.all(painted[inside] == codes[str(row["pred_class"])])
    assert np.all(painted[~np.isfinite(mask)] == 0)


def test_mask_must_fit_the_maps(synthetic_maps, tmp_path):
    fits.PrimaryHDU(np.zeros((5, 5), np.int32)).writeto(tmp_path / "small.fits")
    fits.PrimaryHDU(np.full((90, 80), 0.5, np.float32)).writeto(tmp_path / "frac.fits")
    with open_maps(synthetic_maps["maps"]) as maps:
        with pytest.raises(MapsError, match="shape"):
            read_region_mask(tmp_path / "small.fits", maps)
        with pytest.raises(MapsError, match="integers"):
            read_region_mask(tmp_path / "frac.fits", maps)
