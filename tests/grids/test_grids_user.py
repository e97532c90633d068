"""User grid tables: reading, errors, replacement of the shipped grid, and `fit --grid`."""

from __future__ import annotations

import json

import numpy as np
import pytest
from astropy.table import Table
from typer.testing import CliRunner

import nebuladapt.features as features
from nebuladapt.benchmark import write_unlabelled_benchmark_csv
from nebuladapt.catalogs import read_catalog
from nebuladapt.cli import app
from nebuladapt.features import RATIOS, LineRatio, default_feature_spec
from nebuladapt.grids import GridError, get_grid, read_grid_table, select_grids
from nebuladapt.models import load_model, save_model
from nebuladapt.models.fitting import fit_on_catalog

runner = CliRunner()
#: NebulaBayes FITS names (bare catalogue aliases) of the canonical lines we export.
ALIASES = {"HB4861": "Hbeta", "HA6562": "Halpha", "OIII5006": "OIII5007", "NII6583": "NII6583",
           "SII6716": "SII6716", "SII6730": "SII6731", "OI6300": "OI6300"}  # fmt: skip


@pytest.fixture(scope="module")
def hii_csv(tmp_path_factory):
    """The NebulaBayes HII models as a user CSV, absolute fluxes (Hbeta = 5e-15)."""
    table = get_grid("nebulabayes_hii").load().catalog.table
    out = Table({"class": ["hii"] * len(table)})  # any case
    for line, alias in ALIASES.items():
        out[alias] = np.asarray(table[line], dtype=float) * 5e-15
    path = tmp_path_factory.mktemp("grid") / "nb_hii.csv"
    out.write(path)
    return path


@pytest.fixture(scope="module")
def pn_csv(tmp_path_factory):
    """A toy PN grid WITH [OI] and separate [SII] (PHANGS-style columns; values are made up:
    only which lines it has matters here)."""
    rng = np.random.default_rng(0)
    n = 200
    flux = {"HB4861": np.ones(n), "OIII5006": rng.uniform(3, 15, n), "HA6562": np.full(n, 2.86),
            "NII6583": rng.uniform(0.1, 2, n), "SII6716": rng.uniform(0.02, 0.2, n),
            "SII6730": rng.uniform(0.03, 0.3, n), "OI6300": rng.uniform(0.01, 0.2, n)}  # fmt: skip
    table = Table({"class": ["PN"] * n, **{f"{k}_FLUX": v for k, v in flux.items()}})
    table.meta["citation"] = "toy grid for tests"
    path = tmp_path_factory.mktemp("grid") / "toy_pn.fits"
    table.write(path)
    return path


@pytest.fixture(scope="module")
def target_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("cat") / "benchmark_lines.csv"
    write_unlabelled_benchmark_csv(path)
    return path


def test_read_user_grid_any_alias_any_scale(hii_csv):
    grid = read_grid_table(hii_csv)
    shipped = get_grid("nebulabayes_hii").load()
    assert grid.name == "nb_hii.csv" and grid.classes == ("HII",)
    assert grid.provenance["sha256"] and grid.provenance["citation"].startswith("not given")
    lines = ["OIII5006", "HB4861", "SII6716_6730", "HA6562"]
    user, ref = grid.line_fluxes(lines), shipped.line_fluxes(lines)
    # absolute fluxes: ratios equal the shipped grid's (scale-free)
    np.testing.assert_allclose(user[:, 0] / user[:, 1], ref[:, 0] / ref[:, 1], rtol=1e-6)
    np.testing.assert_allclose(user[:, 2] / user[:, 3], ref[:, 2] / ref[:, 3], rtol=1e-6)


def test_user_grid_replaces_shipped_class_and_grows_spec(hii_csv, pn_csv):
    grids = select_grids(files=[hii_csv])
    assert [(c, g.name) for c, g in grids.parts] == [
        ("HII", "nb_hii.csv"), ("PN", "3mdb_pne2021"), ("SNR", "allen08_shocks_only")]  # fmt: skip
    assert grids.feature_spec() == default_feature_spec()  # 3MdB PN: no [OI], no separate [SII]
    grown = select_grids(files=[hii_csv, pn_csv])
    assert [g.name for _, g in grown.parts] == ["nb_hii.csv", "toy_pn.fits", "allen08_shocks_only"]
    # every grid in use now has [OI] and both [SII] lines: the declared extras enter
    assert grown.feature_spec().ratios == RATIOS
    assert grown.card()[1]["citation"] == "toy grid for tests"


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"Hbeta": [1.0], "Halpha": [2.9]}, "no 'class' column"),
        ({"class": ["AGN"], "Hbeta": [1.0], "OIII5007": [3.0]}, "unknown class names \\['AGN'\\]"),
        ({"class": [""], "Hbeta": [1.0], "OIII5007": [3.0]}, "empty in 1 rows"),
        ({"class": ["HII"], "Halpha": [2.9], "NII6583": [0.3]}, "no Hbeta column"),
        ({"class": ["HII"], "Hbeta": [1.0], "HeI5876": [0.1]}, "no usable line ratio"),
        ({"class": ["HII"], "Hbeta": [1.0], "OIII5007": [-1.0]}, "no usable line ratio"),
        ({"class": ["HII"], "temperature": [1e4]}, "no emission-line column"),
    ],
)
def test_bad_user_grids_are_one_line_errors(tmp_path, columns, message):
    path = tmp_path / "bad.csv"
    Table(columns).write(path)
    with pytest.raises(GridError, match=message) as info:
        read_grid_table(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(GridError, match="not found"):
        read_grid_table(tmp_path / "nope.csv")


def test_fit_uses_a_new_declared_ratio_and_records_the_grids(monkeypatch, target_csv, tmp_path):
    catalog = read_catalog(target_csv)
    monkeypatch.setattr(features, "RATIOS", features.RATIOS + (LineRatio("OII3726", "HB4861"),))
    model = fit_on_catalog(catalog, seed=0, n_steps=5, hidden=(8,))
    assert model.spec_.names[-1] == "log_OII3726_HB4861"
    assert model.predict_proba(np.ones((1, len(model.spec_.lines)))).shape == (1, 3)
    save_model(model, tmp_path / "m")
    card = json.loads((tmp_path / "m" / "model.json").read_text())
    assert [g["name"] for g in card["grids"]] == ["3mdb_bond2", "3mdb_pne2021", "allen08_shocks_only"]
    assert load_model(tmp_path / "m").source_grids_ == card["grids"]
    # a card written before the grids were recorded still loads
    del card["grids"]
    (tmp_path / "m" / "model.json").write_text(json.dumps(card))
    assert load_model(tmp_path / "m").source_grids_ is None


def test_cli_fit_with_user_grids(target_csv, hii_csv, pn_csv, tmp_path):
    out = tmp_path / "m"
    args = ["fit", "--target", str(target_csv), "--out", str(out), "--n-steps", "5",
            "--grid", str(hii_csv), "--grid", str(pn_csv)]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    card = json.loads((out / "model.json").read_text())
    assert [g["name"] for g in card["grids"]] == ["nb_hii.csv", "toy_pn.fits", "allen08_shocks_only"]
    assert card["grids"][0]["n_models"] == {"HII": 1286}
    assert card["grids"][0]["sha256"] == read_grid_table(hii_csv).provenance["sha256"]
    assert card["feature_names"] == [r.name for r in RATIOS]
    pred = tmp_path / "p.csv"
    result = runner.invoke(app, ["predict", str(target_csv), "--model", str(out), "--out", str(pred)])
    assert result.exit_code == 0, result.output
    assert len(Table.read(pred)) == len(Table.read(target_csv))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--grids", "nope"], "unknown grid 'nope'"),
        (["--grid", "missing.csv"], "grid file not found"),
    ],
)
def test_cli_grid_errors_exit_2(target_csv, tmp_path, extra, message):
    result = runner.invoke(app, ["fit", "--target", str(target_csv), "--out", str(tmp_path / "m"), *extra])
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "m").exists()


def test_ratio_table_grid_in_parquet(tmp_path):
    """Ratio columns (OIII5007/Hbeta ...) read by the catalogue machinery, here as Parquet."""
    shipped = get_grid("nebulabayes_hii").load()
    flux = shipped.line_fluxes(["OIII5006", "NII6583", "SII6716_6730", "HA6562"])
    table = Table({"Class": ["SNR"] * len(flux), "OIII5007/Hbeta": flux[:, 0],
                   "NII6583/Halpha": flux[:, 1] / flux[:, 3], "Halpha/Hbeta": flux[:, 3],
                   "SII6716+6731/Halpha": flux[:, 2] / flux[:, 3]})  # fmt: skip
    path = tmp_path / "ratios.parquet"
    table.write(path)
    grid = read_grid_table(path)
    assert grid.classes == ("SNR",)
    assert grid.provided_lines() >= {"HB4861", "OIII5006", "HA6562", "NII6583", "SII6716_6730"}
    spec = select_grids(files=[path]).feature_spec()
    assert spec == default_feature_spec()
