"""The report on a classified catalogue: every row counted, aliases read, figures and page written."""

from __future__ import annotations

import re

import matplotlib.collections as mcoll
import numpy as np
import pytest
from astropy.table import Table
from typer.testing import CliRunner

from nebuladapt.cli import app
from nebuladapt.reports.catalog_figures import find_sky_columns, plot_sky_map, sky_coordinates
from nebuladapt.reports.catalog_report import (
    bpt_features,
    load_classified,
    summarise_classified,
    write_catalog_report,
)

N_ROWS = 40  # rows of the conftest's fake classified catalogue


def _scatters(ax):
    return [c for c in ax.collections if isinstance(c, mcoll.PathCollection)]


def test_summary_counts_every_row(classified_csv, make_classified_table):
    catalog = load_classified(classified_csv)
    summary = summarise_classified(catalog.table)
    expected = make_classified_table()
    assert summary.n_rows == N_ROWS
    assert sum(summary.class_counts.values()) == N_ROWS
    assert summary.class_counts["unclassified"] == 3
    for c in ("HII", "PN", "SNR"):
        assert summary.class_counts[c] == int(np.sum(np.asarray(expected["pred_class"]) == c))
    assert summary.n_flagged == 6 and summary.n_off_grid == 2
    assert summary.flag_counts["unclassified:no_usable_ratio"] == 3
    assert summary.flag_counts["missing:OI6300"] == 1
    # probability of the predicted class, NaN where unclassified
    row = 7
    assert summary.probability[row] == pytest.approx(expected[f"prob_{expected['pred_class'][row]}"][row])
    assert np.isnan(summary.probability[:3]).all()


def test_bpt_features_read_literature_names(classified_csv, make_classified_table):
    catalog = load_classified(classified_csv)
    features = bpt_features(catalog)
    expected = make_classified_table()
    assert set(features) == {"log_OIII5006_HB4861", "log_NII6583_HA6562", "log_SII6716_6730_HA6562", "log_OI6300_HA6562"}
    np.testing.assert_allclose(features["log_NII6583_HA6562"][3:], np.log10(expected["NII6584_FLUX"][3:] / 286.0))
    sii = (expected["SII6716_FLUX"] + expected["SII6731_FLUX"]) / 286.0
    np.testing.assert_allclose(features["log_SII6716_6730_HA6562"][3:], np.log10(sii[3:]))
    assert np.isnan(features["log_OIII5006_HB4861"][:3]).all() and np.isnan(features["log_OI6300_HA6562"][3])


def test_sky_map_offsets_and_missing_rows(make_classified_table):
    table = make_classified_table(sky=("cen_ra", "cen_dec"))
    table["cen_ra"][5] = np.nan
    assert find_sky_columns(table.colnames) == ("cen_ra", "cen_dec")
    assert find_sky_columns(["x", "y"]) is None
    coords = sky_coordinates(table, ("cen_ra", "cen_dec"))
    fig = plot_sky_map(coords, table["pred_class"])
    (ax,) = fig.axes
    assert sum(len(s.get_offsets()) for s in _scatters(ax)) == N_ROWS - 1
    assert "1 rows without coordinates" in [t.get_text() for t in ax.texts]
    assert ax.xaxis_inverted()
    table["cen_dec"].unit = "Angstrom"
    with pytest.raises(ValueError, match="not an angle"):
        sky_coordinates(table, ("cen_ra", "cen_dec"))


def test_write_report_page_and_figures(classified_csv, tmp_path, make_toy_model):
    from nebuladapt.models import save_model

    model_dir = save_model(make_toy_model(5), tmp_path / "model")
    out = tmp_path / "report"
    written = write_catalog_report(classified_csv, out, model_dir)
    page = written["html"].read_text()
    for name in ("bpt", "probabilities", "sky"):
        assert written[name].is_file() and written[name].read_bytes()[:4] == b"\x89PNG"
    sources = re.findall(r"<img src='([^']+)'", page)
    assert sorted(sources) == ["bpt.png", "probabilities.png", "sky.png"]
    assert "http" not in page and "<script" not in page and "<link rel='stylesheet'" not in page
    assert "<td>unclassified</td><td class='num'>3</td>" in page
    assert f"<td>all rows</td><td class='num'>{N_ROWS}</td>" in page
    assert "OIII5006, HB4861, NII6583, HA6562, SII6716_6730" in page  # the card's lines
    assert "WARNING" not in page  # the toy model has an [OIII] ratio
    for flag in ("off_grid", "oiii_only", "unclassified:"):  # the flags that name no line are explained
        assert f"<code>{flag}" in page
    with pytest.raises(FileExistsError):
        write_catalog_report(classified_csv, out)
    written = write_catalog_report(classified_csv, out, overwrite=True)
    assert "No model card" in written["html"].read_text()


def test_report_of_a_catalogue_without_oiii(tmp_path, make_classified_table, red_only_model_dir):
    """No [OIII]: the red plane replaces the BPT planes, and the model's warning heads the page."""
    table = make_classified_table()
    table.remove_column("OIII5007_FLUX")
    path = tmp_path / "red.csv"
    table.write(path, format="ascii.csv")
    written = write_catalog_report(path, tmp_path / "report", red_only_model_dir)
    page = written["html"].read_text()
    assert "bpt" not in written and written["red_plane"].read_bytes()[:4] == b"\x89PNG"
    assert "<img src='red_plane.png'" in page and "[SII]/Hα &gt; 0.4" in page
    warning = page.find("WARNING: no ratio with [OIII]5007")
    assert 0 < warning < page.find("<h2>Counts</h2>")
    assert "<code>nebuladapt report</code>" in page and "`" not in page[warning:page.find("<h2>Counts</h2>")]


def test_report_reads_fits_and_parquet_directories(tmp_path, make_classified_table):
    table = make_classified_table(sky=None)
    table.write(tmp_path / "c.fits")
    written = write_catalog_report(tmp_path / "c.fits", tmp_path / "r1")
    assert "sky" not in written and "unclassified" in written["html"].read_text()
    parts = tmp_path / "parts.parquet"
    parts.mkdir()
    table[:20].write(parts / "part-0.parquet")
    table[20:].write(parts / "part-1.parquet")
    assert summarise_classified(load_classified(parts).table).class_counts["unclassified"] == 3


def test_report_refuses_an_unclassified_catalogue(tmp_path, make_classified_table):
    table = make_classified_table()
    table.remove_columns(["pred_class", "flag"])
    table.write(tmp_path / "raw.csv")
    with pytest.raises(ValueError, match="no pred_class"):
        write_catalog_report(tmp_path / "raw.csv", tmp_path / "r")


def test_cli_report_and_predict_report(classified_csv, tmp_path, make_toy_model, make_classified_table):
    from nebuladapt.models import save_model

    runner = CliRunner()
    out = tmp_path / "r"
    result = runner.invoke(app, ["report", str(classified_csv), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "report.html").is_file()
    again = runner.invoke(app, ["report", str(classified_csv), "--out", str(out)])
    assert again.exit_code == 2 and "--overwrite" in again.output
    model_dir = save_model(make_toy_model(5), tmp_path / "model")
    raw = make_classified_table()
    raw.remove_columns(["pred_class", "prob_HII", "prob_PN", "prob_SNR", "flag"])
    raw.write(tmp_path / "raw.csv")
    result = runner.invoke(app, ["predict", str(tmp_path / "raw.csv"), "--model", str(model_dir),
                                 "--out", str(tmp_path / "pred.csv"), "--report", str(tmp_path / "pr")])  # fmt: skip
    assert result.exit_code == 0, result.output
    page = (tmp_path / "pr" / "report.html").read_text()
    assert f"<td>all rows</td><td class='num'>{N_ROWS}</td>" in page and "Model card from model directory" in page
    predicted = Table.read(tmp_path / "pred.csv")
    assert len(predicted) == N_ROWS
