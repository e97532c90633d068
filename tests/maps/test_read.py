"""MAPS reader: line aliases, memory maps, one shape and one WCS."""

import numpy as np
import pytest
from astropy.io import fits

from nebuladapt.maps import MapsError, is_maps_file, open_maps


def _write(path, names, shape=(4, 5), header=None):
    hdus = [fits.PrimaryHDU()]
    for name in names:
        hdus.append(fits.ImageHDU(np.ones(shape, np.float32), header=header, name=name))
    fits.HDUList(hdus).writeto(path)
    return path


def test_aliases_and_other_extensions(tmp_path):
    path = _write(tmp_path / "m.fits", ["Halpha_FLUX", "HALPHA_FLUX_ERR", "OIII5007_FLUX", "HA6562_VEL"])
    assert is_maps_file(path)
    with open_maps(path) as maps:
        assert maps.columns == {"HALPHA_FLUX": "HA6562", "HALPHA_FLUX_ERR": "HA6562", "OIII5007_FLUX": "OIII5006"}
        assert maps.shape == (4, 5) and maps.n_spaxels == 20
        assert maps.data("HALPHA_FLUX")[1:3].shape == (2, 5)  # rows read on demand
        table = maps.tile(1, 3)
        assert len(table) == 10 and table.colnames == list(maps.columns)


def test_catalogue_tables_are_not_maps(tmp_path):
    from astropy.table import Table

    Table({"HA6562_FLUX": [1.0]}).write(tmp_path / "cat.fits")
    assert not is_maps_file(tmp_path / "cat.fits")
    (tmp_path / "junk.fits").write_bytes(b"not fits")
    assert not is_maps_file(tmp_path / "junk.fits")


def test_shapes_and_wcs_must_agree(tmp_path, synthetic_maps):
    hdus = [fits.PrimaryHDU(), fits.ImageHDU(np.ones((4, 5)), name="HA6562_FLUX"),
            fits.ImageHDU(np.ones((4, 6)), name="HB4861_FLUX")]
    fits.HDUList(hdus).writeto(tmp_path / "shape.fits")
    with pytest.raises(MapsError, match="one shape"):
        open_maps(tmp_path / "shape.fits")
    with fits.open(synthetic_maps["maps"]) as hdul:
        hdul["HB4861_FLUX"].header["CRVAL1"] += 0.01
        hdul.writeto(tmp_path / "wcs.fits")
    with pytest.raises(MapsError, match="one WCS"):
        open_maps(tmp_path / "wcs.fits")
    _write(tmp_path / "none.fits", ["HA6562_VEL"])
    with pytest.raises(MapsError, match="no line map"):
        open_maps(tmp_path / "none.fits")


def test_row_blocks_read_from_many_threads_are_right(synthetic_maps):
    """One file handle is shared by the tile threads: concurrent reads must not interleave."""
    from concurrent.futures import ThreadPoolExecutor

    with open_maps(synthetic_maps["maps"]) as maps:
        names = list(maps.columns)
        expected = {(n, a): maps.read(n, a, a + 7) for n in names for a in range(0, 84, 7)}
        keys = list(expected) * 20
        with ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(maps.read, name, start, start + 7) for name, start in keys]
            wrong = sum(not np.array_equal(f.result(), expected[k], equal_nan=True) for k, f in zip(keys, futures))
    assert wrong == 0
