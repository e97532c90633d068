"""The command line on catalogues as astronomers have them (issue 10's list).

Each case gives a correct result or one clear line and exit 2.
"""

import warnings

import numpy as np
import pytest
from astropy.io import fits
from astropy.table import Table
from typer.testing import CliRunner

from nebuladapt.cli import app
from nebuladapt.models import save_model
from nebuladapt.synthetic import make_synthetic_catalog

runner = CliRunner()
LINES = ("HB4861", "OIII5006", "HA6562", "NII6583", "SII6716", "SII6730", "OI6300")


@pytest.fixture(scope="module")
def model_dir(make_toy_model, tmp_path_factory):
    return save_model(make_toy_model(100), tmp_path_factory.mktemp("model") / "m")


@pytest.fixture(scope="module")
def base():
    table = make_synthetic_catalog(300, seed=3)
    return table[[c for c in table.colnames if c == "region_ID" or c.split("_")[0] in LINES]]


def _fluxes(base, transform):
    return Table({line: transform(np.asarray(base[f"{line}_FLUX"], float)) for line in LINES})


def _one_line_error(result, *needles):
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    for needle in needles:
        assert needle in lines[0], lines[0]


def _fit(path, out, *extra):
    return runner.invoke(app, ["fit", "--target", str(path), "--out", str(out), "--n-steps", "20",
                               *extra])


def _predict(path, model_dir, out, *extra):
    return runner.invoke(app, ["predict", str(path), "--model", str(model_dir), "--out", str(out),
                               *extra])


@pytest.mark.parametrize("case, needles", [
    ("log20", ("Halpha/Hbeta", "below 2", "look like log10 fluxes")),
    ("logcgs", ("every line flux is zero or negative", "log10")),
    ("negative", ("every line flux is zero or negative",)),
])
def test_unit_mistakes_are_refused_by_fit_and_predict(case, needles, base, model_dir, tmp_path):
    transform = {"log20": np.log10, "logcgs": lambda v: np.log10(v * 1e-20),
                 "negative": lambda v: -np.abs(v)}[case]
    with np.errstate(all="ignore"):
        table = _fluxes(base, transform)
    path = tmp_path / f"{case}.csv"
    table.write(path)
    _one_line_error(_fit(path, tmp_path / "m"), str(path), *needles)
    _one_line_error(_predict(path, model_dir, tmp_path / "p.csv"), str(path), *needles)
    assert not (tmp_path / "m").exists() and not (tmp_path / "p.csv").exists()


def test_balmer_decrement_below_case_b_everywhere_is_refused(base, model_dir, tmp_path):
    table = base.copy()
    table["HA6562_FLUX"], table["HB4861_FLUX"] = base["HB4861_FLUX"], base["HA6562_FLUX"]
    path = tmp_path / "swapped.parquet"
    table.write(path)
    _one_line_error(_predict(path, model_dir, tmp_path / "p.parquet"), "HA6562_FLUX, HB4861_FLUX",
                    "swapped")


def test_vizier_errors_and_short_names_are_used(base, tmp_path):
    table = Table({"Ha": base["HA6562_FLUX"], "e_Ha": base["HA6562_FLUX_ERR"],
                   "Hb": base["HB4861_FLUX"], "Hb_err": base["HB4861_FLUX_ERR"],
                   "OIII": base["OIII5006_FLUX"], "NII": base["NII6583_FLUX"],
                   "SII": base["SII6716_FLUX"] + base["SII6730_FLUX"], "OI6300": base["OI6300_FLUX"]})
    path = tmp_path / "vizier.csv"
    table.write(path)
    result = _fit(path, tmp_path / "m")
    assert result.exit_code == 0, result.output
    assert ("lines used: [OIII]5007, Hbeta, [NII]6583, Halpha, [SII]6716+6731; ignored: [OI]6300 "
            "(not a feature of this model); noise=matched (errors found for 2 of 5 lines)") in result.output


def test_no_usable_row_is_refused_by_fit(tmp_path):
    n = 12
    table = Table({f"{line}_FLUX": np.full(n, np.nan) for line in LINES[:6]})
    for i in range(n):
        table[f"{LINES[i % 6]}_FLUX"][i] = 10.0 + i  # one line per row: no ratio anywhere
    path = tmp_path / "nousable.csv"
    table.write(path)
    _one_line_error(_fit(path, tmp_path / "m"), "none of its 12 rows gives a usable line ratio")


def test_a_directory_of_parquet_parts_to_fit_and_predict(base, model_dir, tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    for i in range(3):
        base[i * 100:(i + 1) * 100].write(folder / f"part-{i}.parquet")
    result = _fit(folder, tmp_path / "m")
    assert result.exit_code == 0, result.output
    assert "on 300" in result.output or "of 300 target rows" in result.output
    out = folder / "pred.parquet"  # into the same folder: the next run must not read it back
    for _ in range(2):
        result = _predict(folder, model_dir, out, "--overwrite")
        assert result.exit_code == 0, result.output
        assert "rows in: 300;" in result.output
    assert f"skipped {out}: an earlier nebuladapt output" in result.output
    result = _fit(folder, tmp_path / "m2")  # fit skips it too
    assert result.exit_code == 0 and "of 300 target rows" in result.output, result.output


def test_fits_with_a_1e20_tunit_reads_without_warnings(base, model_dir, tmp_path):
    path = tmp_path / "units.fits"
    base.write(path)
    with fits.open(path, mode="update") as hdul:
        header = hdul[1].header
        for key in [k for k in header if k.startswith("TTYPE") and "_FLUX" in header[k]]:
            header["TUNIT" + key[5:]] = "1e-20 erg/s/cm2"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = _predict(path, model_dir, tmp_path / "p.parquet")
        fitted = _fit(path, tmp_path / "m")
    assert result.exit_code == 0 and fitted.exit_code == 0, result.output + fitted.output
    assert [str(w.message) for w in caught if "did not parse" in str(w.message)] == []
    assert "Warning" not in result.output + fitted.output


def test_format_option_for_an_unknown_extension(base, model_dir, tmp_path):
    path = tmp_path / "catalogue.data"
    base.write(path, format="ascii.csv")
    _one_line_error(_predict(path, model_dir, tmp_path / "p.csv"), "cannot tell", "--format")
    result = _predict(path, model_dir, tmp_path / "p.csv", "--format", "csv")
    assert result.exit_code == 0, result.output
    result = _predict(path, model_dir, tmp_path / "p.out", "--format", "csv", "--out-format", "fits")
    assert result.exit_code == 0, result.output
    assert fits.getheader(tmp_path / "p.out", 1)["NAXIS2"] == 300
