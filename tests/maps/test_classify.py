"""Spaxel classification: every spaxel accounted for, the catalogue path per tile, tile-size independence."""

import numpy as np
import pytest

from nebuladapt import CLASSES
from nebuladapt.maps import FLAG_BITS, UNCLASSIFIED_CODE, classify_maps, open_maps
from nebuladapt.maps.classify import flag_bits

BIT = {name: 1 << bit for bit, (name, _, _) in FLAG_BITS.items()}


def test_every_spaxel_is_classified_or_flagged(synthetic_maps, toy_model):
    with open_maps(synthetic_maps["maps"]) as maps:
        result = classify_maps(maps, toy_model, snr_min=5)
        snr = maps.data("HA6562_FLUX")[:] / maps.data("HA6562_FLUX_ERR")[:]
    assert result.class_code.shape == result.flag.shape == maps.shape
    assert sum(result.counts().values()) == maps.n_spaxels
    unclassified = result.class_code == UNCLASSIFIED_CODE
    reason = (result.flag & (BIT["NO_RATIO"] | BIT["BELOW_SNR_MIN"])) != 0
    assert np.array_equal(unclassified, reason)
    assert np.array_equal(np.isnan(result.proba).all(axis=0), unclassified)
    classified = ~unclassified
    assert np.allclose(result.proba[:, classified].sum(axis=0), 1, atol=1e-5)
    assert np.array_equal(result.class_code[classified] - 1, result.proba[:, classified].argmax(axis=0))
    with np.errstate(invalid="ignore"):
        below = ~(snr >= 5)
    assert np.array_equal((result.flag & BIT["BELOW_SNR_MIN"]) != 0, below)
    assert below.any() and classified.any()
    assert set(np.unique(result.class_code)) <= {0, 1, 2, 3}


def test_spaxels_get_what_the_catalogue_path_gives(synthetic_maps, toy_model):
    from nebuladapt.catalogs import read_phangs_table
    from nebuladapt.dust import deredden_catalog
    from nebuladapt.predict import predict_catalog

    with open_maps(synthetic_maps["maps"]) as maps:
        result = classify_maps(maps, toy_model, snr_min=0)
        table = maps.gather(np.arange(maps.n_spaxels))
    expected = predict_catalog(deredden_catalog(read_phangs_table(table)), toy_model)
    assert np.array_equal(result.class_code.reshape(-1), expected.class_index + 1)
    assert np.array_equal(result.proba.reshape(3, -1), expected.proba.T.astype(np.float32), equal_nan=True)
    assert np.array_equal(result.flag.reshape(-1), flag_bits(expected.flag_strings)[expected.flag_index])
    # the corner outside the footprint is NaN in every map: unclassified, flagged missing
    assert result.class_code[0, 0] == UNCLASSIFIED_CODE and result.flag[0, 0] & BIT["MISSING"]


@pytest.mark.parametrize("tile_spaxels,workers", [(80, 1), (777, 3)])
def test_result_does_not_depend_on_tiles_or_workers(synthetic_maps, toy_model, tile_spaxels, workers):
    with open_maps(synthetic_maps["maps"]) as maps:
        reference = classify_maps(maps, toy_model)
        other = classify_maps(maps, toy_model, tile_spaxels=tile_spaxels, workers=workers)
    assert np.array_equal(reference.class_code, other.class_code)
    assert np.array_equal(reference.proba, other.proba, equal_nan=True)
    assert np.array_equal(reference.flag, other.flag)


def test_flag_bits_name_each_kind_and_keep_unknown_ones():
    bits = flag_bits(["", "missing:HB4861;low_snr:OIII5006", "off_grid", "something_new:X",
                      "missing:NII6583;missing:SII6716_6730;oiii_only"])
    assert bits.tolist() == [0, BIT["MISSING"] | BIT["LOW_SNR"], BIT["OFF_GRID"], BIT["OTHER"],
                             BIT["MISSING"] | BIT["OIII_ONLY"]]
    assert len({name for name, _, _ in FLAG_BITS.values()}) == len(FLAG_BITS)
    assert len(CLASSES) == 3


def test_snr_cut_without_halpha_error_is_one_clear_error(tmp_path, synthetic_maps, toy_model):
    from astropy.io import fits

    from nebuladapt.maps import MapsError

    with fits.open(synthetic_maps["maps"]) as hdul:
        fits.HDUList([h for h in hdul if h.name != "HA6562_FLUX_ERR"]).writeto(tmp_path / "m.fits")
    with open_maps(tmp_path / "m.fits") as maps:
        with pytest.raises(MapsError, match="--snr-min 0"):
            classify_maps(maps, toy_model, snr_min=5)
        assert classify_maps(maps, toy_model, snr_min=0).class_code.shape == maps.shape
