"""Figures of the catalogue report: probability histograms and probability columns
(reports/catalog_figures.py; the sky map is tested with the report in test_catalog_report.py)."""

import numpy as np
import pytest
from astropy.table import MaskedColumn, Table
from matplotlib.colors import to_hex

from nebuladapt.reports.catalog_figures import class_probability_columns, plot_probability_histograms
from nebuladapt.reports.style import class_colour


def test_probability_histograms_stack_by_predicted_class(tmp_path):
    predicted = np.array(["HII", "HII", "PN", "", "SNR"])
    probabilities = {"HII": [0.9, 0.8, 0.2, np.nan, 0.1], "PN": [0.05, 0.1, 0.7, np.nan, 0.1]}
    fig = plot_probability_histograms(probabilities, predicted, bins=10, path=tmp_path / "h.png")
    assert (tmp_path / "h.png").stat().st_size > 1000
    axes = fig.axes
    assert [ax.get_xlabel() for ax in axes] == ["P(HII)", "P(PN)"]
    # one bar set per predicted class present (HII, PN, SNR), coloured by class; the NaN row is counted
    first = axes[0]
    colours = [c.patches[0].get_facecolor() for c in first.containers]
    assert len(first.containers) == 3
    assert [to_hex(c) for c in colours] == [class_colour(c) for c in ("HII", "PN", "SNR")]
    heights = sum(p.get_height() for c in first.containers for p in c.patches)
    assert heights == pytest.approx(4)  # each finite probability counted once, in its class's set
    assert any("1 without probability" in t.get_text() for t in first.texts)


def test_probability_histograms_refuse_bad_input():
    with pytest.raises(ValueError, match="no probability columns"):
        plot_probability_histograms({}, ["HII"])
    with pytest.raises(ValueError, match="prob_HII has 1 rows, predicted 2"):
        plot_probability_histograms({"HII": [0.5]}, ["HII", "PN"])


def test_class_probability_columns_masked_to_nan():
    table = Table({"prob_HII": MaskedColumn([0.7, 0.2], mask=[False, True]), "prob_SNR": [0.1, 0.3], "x": [1, 2]})
    columns = class_probability_columns(table)
    assert list(columns) == ["HII", "SNR"]
    np.testing.assert_array_equal(columns["HII"], [0.7, np.nan])
