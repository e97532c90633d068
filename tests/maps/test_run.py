"""The command line on MAPS files: fit, predict (+ regions, png), a directory on Dask."""

import numpy as np
import pytest
from astropy.io import fits
from astropy.table import Table
from typer.testing import CliRunner

from nebuladapt.cli import app

runner = CliRunner()


def test_predict_map_with_regions_and_png(synthetic_maps, toy_model_dir, tmp_path):
    out = tmp_path / "classes.fits"
    args = ["predict", str(synthetic_maps["maps"]), "--model", str(toy_model_dir), "--out", str(out),
            "--regions", str(synthetic_maps["mask"]), "--png", str(tmp_path / "q.png")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    n = fits.getdata(synthetic_maps["maps"], "HA6562_FLUX").size
    assert f"spaxels in: {n:,}" in result.output
    regions = Table.read(tmp_path / "classes_regions.fits")
    truth = Table.read(synthetic_maps["truth"], hdu="REGIONS")
    assert regions["region_ID"].tolist() == truth["region_ID"].tolist()
    with fits.open(out) as hdul:
        assert "REGION_CLASS" in hdul
    assert (tmp_path / "q.png").stat().st_size > 0
    again = runner.invoke(app, args)
    assert again.exit_code == 2 and "overwrite" in again.output


def test_bad_mask_and_options_are_one_line_errors(synthetic_maps, toy_model_dir, tmp_path):
    fits.PrimaryHDU(np.zeros((3, 3), np.int32)).writeto(tmp_path / "small.fits")
    result = runner.invoke(app, ["predict", str(synthetic_maps["maps"]), "--model", str(toy_model_dir),
                                 "--out", str(tmp_path / "c.fits"), "--regions", str(tmp_path / "small.fits")])
    assert result.exit_code == 2 and "shape" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "c.fits").exists()
    Table({"HA6562_FLUX": [1.0], "HB4861_FLUX": [0.3]}).write(tmp_path / "cat.csv")
    result = runner.invoke(app, ["predict", str(tmp_path / "cat.csv"), "--model", str(toy_model_dir),
                                 "--out", str(tmp_path / "o.csv"), "--png", str(tmp_path / "x.png")])
    assert result.exit_code == 2 and "MAPS" in result.output


def test_fit_on_a_map_uses_the_snr_cut(synthetic_maps, tmp_path):
    from nebuladapt.maps.run import maps_target_catalog
    from nebuladapt.models.persistence import read_card

    catalog = maps_target_catalog(synthetic_maps["maps"], snr_min=5, max_spaxels=300, seed=1)
    snr = catalog.table["HA6562_FLUX"] / catalog.table["HA6562_FLUX_ERR"]
    assert len(catalog) == 300 and np.all(snr >= 5)
    again = maps_target_catalog(synthetic_maps["maps"], snr_min=5, max_spaxels=300, seed=1)
    assert np.array_equal(catalog.table["spaxel_x"], again.table["spaxel_x"])
    result = runner.invoke(app, ["fit", "--target", str(synthetic_maps["maps"]), "--out", str(tmp_path / "m"),
                                 "--n-steps", "30", "--method", "nn", "--max-spaxels", "500"])
    assert result.exit_code == 0, result.output
    assert read_card(tmp_path / "m")["n_target_rows"] == min(500, int(np.sum(
        fits.getdata(synthetic_maps["maps"], "HA6562_FLUX") / fits.getdata(synthetic_maps["maps"], "HA6562_FLUX_ERR") >= 5)))


def test_directory_of_maps_on_dask_equals_local(synthetic_maps, toy_model_dir, tmp_path):
    distributed = pytest.importorskip("distributed")
    from nebuladapt.maps.synthetic import write_synthetic_maps

    folder = tmp_path / "galaxies"
    folder.mkdir()
    for seed, name in ((7, "ngc0001"), (8, "ngc0002")):
        paths = write_synthetic_maps(tmp_path / name, shape=(40, 50), seed=seed)
        paths["maps"].rename(folder / f"{name}_MAPS.fits")
    local, remote = tmp_path / "local", tmp_path / "dask"
    result = runner.invoke(app, ["predict", str(folder), "--model", str(toy_model_dir), "--out", str(local)])
    assert result.exit_code == 0, result.output
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        result = runner.invoke(app, ["predict", str(folder), "--model", str(toy_model_dir), "--out", str(remote),
                                     "--scheduler", cluster.scheduler_address])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in local.iterdir())
    assert names == sorted(p.name for p in remote.iterdir()) == ["ngc0001_MAPS_classes.fits", "ngc0002_MAPS_classes.fits"]
    for name in names:
        with fits.open(local / name) as a, fits.open(remote / name) as b:
            for ext in ("CLASS", "PROB_HII", "PROB_PN", "PROB_SNR", "FLAG"):
                assert a[ext].data.tobytes() == b[ext].data.tobytes()


def test_predicting_a_map_prints_the_models_warning(synthetic_maps, red_only_model_dir, toy_model_dir, tmp_path):
    """The MAPS path says what the catalogue path says when the model has no [OIII] ratio."""
    warning = "WARNING: no ratio with [OIII]5007"
    red = runner.invoke(app, ["predict", str(synthetic_maps["maps"]), "--model", str(red_only_model_dir),
                              "--out", str(tmp_path / "red.fits")])
    assert red.exit_code == 0, red.output
    assert warning in red.output
    full = runner.invoke(app, ["predict", str(synthetic_maps["maps"]), "--model", str(toy_model_dir),
                               "--out", str(tmp_path / "full.fits")])
    assert full.exit_code == 0, full.output
    assert warning not in full.output
