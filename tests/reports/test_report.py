"""The experiment report on a fake results set: plain names, every row in the confusion matrices."""

from __future__ import annotations

import re

import numpy as np
import pytest

from nebuladapt.reports.report import display_name, format_mean_std, write_figures, write_report


@pytest.fixture(scope="module")
def written(tmp_path_factory, make_fake_experiment_result):
    result = make_fake_experiment_result()
    out = tmp_path_factory.mktemp("experiment")
    figures = write_figures(result, out)
    paths = write_report(result, out, figures)
    return result, out, figures, paths


def test_format_mean_std():
    assert format_mean_std((0.5, 0.01), 3) == "0.500 ± 0.010"
    assert format_mean_std((0.5, 0.0), 1) == "0.500"
    assert format_mean_std((float("nan"), 0.0), 2) == "–"
    assert display_name("selected by soft_neighborhood_density", "label-free selected") == "label-free selected"
    assert display_name("DANN / matched noise", "paper matrix") == "DANN / matched noise"


def test_no_internal_names_and_no_fake_spread(written):
    result, out, figures, paths = written
    page = paths["html"].read_text()
    text = paths["markdown"].read_text()
    assert "soft_neighborhood_density" not in " ".join(figures) + page + text
    assert "label-free selected" in page
    row = next(line for line in text.splitlines() if line.startswith("| paper matrix | DANN / matched noise"))
    assert "±" not in row  # one seed: the value alone
    row = next(line for line in text.splitlines() if line.startswith("| label-free selected | label-free selected"))
    assert "±" in row
    for name in re.findall(r"<img src='([^']+)'", page):
        assert (out / name).is_file()


def test_confusion_matrix_counts_unclassified_rows(written):
    from matplotlib.image import imread

    result, out, figures, _ = written
    caption = next(c for c in figures if c.startswith("Confusion matrix: label-free selected"))
    assert "mean over 2 seeds" in caption
    assert imread(out / figures[caption]).shape[1] > 500
    from nebuladapt.reports.figures import confusion_counts, plot_confusion_matrix

    truth = result["data"].target_labels
    group = [r for r in result["records"] if r["family"] == "label-free selected"]
    cm = np.mean([confusion_counts(truth, r["predicted"], ("HII", "PN", "SNR")) for r in group], axis=0)
    assert cm.sum(axis=1) == pytest.approx([np.sum(truth == c) for c in ("HII", "PN", "SNR")])
    fig = plot_confusion_matrix(cm, ("HII", "PN", "SNR"), predicted_classes=("HII", "PN", "SNR", "unclassified"))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert len(texts) == 12
    for i, c in enumerate(("HII", "PN", "SNR")):
        recall = np.mean([r["recall"][c] for r in group])
        assert texts[4 * i + i].split("\n")[0] == f"{recall:.2f}"  # diagonal = recall of the table
    assert any(float(t.split("\n")[0]) > 0 for t in texts[3::4])  # unclassified column is filled
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()][-1] == "unclassified"


def test_bpt_figure_says_seed_and_dereddening(written):
    _, _, figures, _ = written
    caption = next(c for c in figures if c.startswith("BPT planes"))
    assert "seed 0" in caption and "dereddened" in caption
