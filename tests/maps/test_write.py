"""CLASSES.fits: WCS round trip, named codes and bits, provenance; quick-look PNG."""

import numpy as np
from astropy.io import fits
from astropy.wcs import WCS

from nebuladapt.maps import CLASS_CODES, FLAG_BITS, predict_map_file, quicklook_png


def test_wcs_round_trip_codes_bits_and_provenance(synthetic_maps, toy_model, toy_model_dir, tmp_path):
    out = tmp_path / "classes.fits"
    predict_map_file(synthetic_maps["maps"], toy_model, out, model_dir=toy_model_dir)
    with fits.open(synthetic_maps["maps"]) as maps_hdul, fits.open(out) as hdul:
        wcs_in = WCS(maps_hdul["HA6562_FLUX"].header)
        assert [h.name for h in hdul[1:]] == ["CLASS", "PROB_HII", "PROB_PN", "PROB_SNR", "FLAG"]
        ny, nx = maps_hdul["HA6562_FLUX"].data.shape
        pixels = np.array([[0, 0], [nx - 1, ny - 1], [17.3, 41.9]])
        for hdu in hdul[1:]:
            assert hdu.data.shape == (ny, nx)
            wcs_out = WCS(hdu.header)
            assert wcs_out.wcs.compare(wcs_in.wcs)
            assert np.allclose(wcs_out.all_pix2world(pixels, 0), wcs_in.all_pix2world(pixels, 0), rtol=0, atol=1e-12)
            assert hdu.header["ND_WSHA"] == (toy_model_dir / "model.json").read_text().split('"weights_sha256": "')[1][:64]
        assert hdul["CLASS"].data.dtype.kind == "i" and hdul["PROB_PN"].data.dtype == np.dtype(">f4")
        assert {hdul["CLASS"].header[f"CODE{k}"] for k in CLASS_CODES} == set(CLASS_CODES.values())
        assert [hdul["FLAG"].header[f"BIT{b}"] for b in FLAG_BITS] == [n for n, _, _ in FLAG_BITS.values()]
        assert hdul[0].header["ND_INPUT"] == str(synthetic_maps["maps"])


def test_quicklook_png(synthetic_maps, toy_model, tmp_path):
    out = tmp_path / "classes.fits"
    predict_map_file(synthetic_maps["maps"], toy_model, out, regions=synthetic_maps["mask"])
    png = quicklook_png(out, tmp_path / "q.png", max_pixels=40)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert quicklook_png(out, tmp_path / "r.png", extension="REGION_CLASS").stat().st_size > 10_000
