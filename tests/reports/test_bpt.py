"""BPT planes: the experiment's figure and the classified catalogue's, with the baselines' curves."""

import matplotlib.collections as mcoll
import numpy as np
import pytest
from matplotlib.colors import to_rgb

from nebuladapt.evaluation import diagnostics
from nebuladapt.reports.bpt import plot_bpt, plot_catalog_bpt


def _scatters(ax):
    return [c for c in ax.collections if isinstance(c, mcoll.PathCollection)]


def _rgb(colour):
    return to_rgb(colour)


def _png_ok(path):
    assert path.is_file() and path.stat().st_size > 1000
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _bpt_features(n=30, with_oi=True, seed=0):
    rng = np.random.default_rng(seed)
    features = {
        "log_OIII5006_HB4861": rng.uniform(-1, 1, n),
        "log_NII6583_HA6562": rng.uniform(-1.5, 0, n),
        "log_SII6716_6730_HA6562": rng.uniform(-1.2, 0, n),
    }
    if with_oi:
        features["log_OI6300_HA6562"] = rng.uniform(-2.5, -0.5, n)
    features["log_NII6583_HA6562"][0] = np.nan  # a row without [NII]
    return features


def test_bpt_three_panels(tmp_path):
    features = _bpt_features()
    predicted = np.array((["HII", "PN", "SNR"] * 10)[:29] + [""])
    true = np.array(["HII", "PN", "SNR"] * 10)
    path = tmp_path / "bpt.png"
    fig = plot_bpt(features, predicted, true, title="toy", path=path)
    assert len(fig.axes) == 3
    nii, sii, oi = fig.axes
    # one collection per (predicted, true) pair present; points without the ratio are left out
    assert sum(len(c.get_offsets()) for c in _scatters(nii)) == 29
    assert sum(len(c.get_offsets()) for c in _scatters(sii)) == 30
    # pairs present: (HII, HII), (PN, PN), (SNR, SNR) and unclassified (true SNR)
    assert len(_scatters(sii)) == 4
    assert _scatters(sii)[-1].get_facecolor()[0][:3] == pytest.approx(_rgb("#8c8c8c"))
    assert [line.get_label() for line in nii.get_lines()] == ["Kewley+01", "Kauffmann+03"]
    assert len(sii.get_lines()) == 2  # Kewley+01 and [SII]/Halpha = 0.4
    np.testing.assert_allclose(sii.get_lines()[1].get_xdata(), np.log10(0.4))
    assert len(oi.get_lines()) == 1
    x, y = nii.get_lines()[1].get_data()
    np.testing.assert_allclose(y[np.isfinite(y)], diagnostics.kauffmann03_nii(x[np.isfinite(y)]))
    assert nii.get_xlabel() == "log([NII]6583/Hα)" and nii.get_ylabel() == "log([OIII]5007/Hβ)"
    _png_ok(path)


def test_bpt_two_panels_without_truth():
    features = _bpt_features(with_oi=False)
    fig = plot_bpt(features, np.array(["HII"] * 30))
    assert len(fig.axes) == 2
    assert len(_scatters(fig.axes[0])) == 1
    with pytest.raises(ValueError):
        plot_bpt({"log_NII6583_HA6562": np.zeros(3)}, np.array(["HII"] * 3))
    with pytest.raises(ValueError):
        plot_bpt(features, np.array(["HII"] * 5))


def test_catalog_bpt_marks_flags_and_off_grid():
    n = 12
    rng = np.random.default_rng(1)
    features = {"log_OIII5006_HB4861": rng.uniform(-1, 1, n), "log_NII6583_HA6562": rng.uniform(-1.5, 0, n)}
    features["log_NII6583_HA6562"][0] = np.nan
    predicted = np.array(["HII"] * 5 + ["SNR"] * 5 + ["", ""])
    probability = np.r_[np.linspace(0.4, 1.0, 10), np.nan, np.nan]
    flagged = np.zeros(n, bool)
    flagged[[1, 2, 3]] = True
    off_grid = np.zeros(n, bool)
    off_grid[[2, 3]] = True
    fig = plot_catalog_bpt(features, predicted, probability, flagged, off_grid)
    (ax,) = fig.axes
    scatters = _scatters(ax)
    # HII (4 drawn: row 0 lacks the ratio), SNR (5), unclassified (2), off-grid crosses (2)
    assert [len(s.get_offsets()) for s in scatters] == [4, 5, 2, 2]
    hii = scatters[0]
    edges = hii.get_edgecolors()
    assert sum(np.allclose(e, (0, 0, 0, 1)) for e in edges) == 3  # flagged rows have black edges
    faces = hii.get_facecolors()
    assert faces[0][:3].sum() > faces[-1][:3].sum()  # sorted by probability: palest first
    assert [line.get_label() for line in ax.get_lines()] == ["Kewley+01", "Kauffmann+03"]
    assert "1 without this ratio" in [t.get_text() for t in ax.texts]
    with pytest.raises(ValueError):
        plot_catalog_bpt(features, predicted[:3], probability, flagged, off_grid)


def test_catalog_bpt_subsamples_huge_catalogues():
    n = 500
    features = {"log_OIII5006_HB4861": np.zeros(n), "log_SII6716_6730_HA6562": np.full(n, -0.5)}
    fig = plot_catalog_bpt(features, np.array(["HII"] * n), np.ones(n), np.zeros(n, bool), np.zeros(n, bool), max_points=100)
    assert sum(len(s.get_offsets()) for s in _scatters(fig.axes[0])) == 100
    assert "100 of 500 rows" in fig._suptitle.get_text()


def test_catalog_red_plane_without_oiii(tmp_path):
    """Without [OIII]: one panel, [NII]/Halpha against [SII]/Halpha, with the [SII]/Halpha = 0.4 line."""
    n = 20
    rng = np.random.default_rng(2)
    features = {"log_NII6583_HA6562": rng.uniform(-1.5, 0, n), "log_SII6716_6730_HA6562": rng.uniform(-1.2, 0.2, n)}
    features["log_SII6716_6730_HA6562"][:3] = np.nan
    predicted = np.array(["HII"] * 10 + ["SNR"] * 10)
    path = tmp_path / "red.png"
    fig = plot_catalog_bpt(features, predicted, np.full(n, 0.9), np.zeros(n, bool), np.zeros(n, bool),
                           path=path, y_feature="log_NII6583_HA6562")
    (ax,) = fig.axes
    assert ax.get_xlabel() == "log([SII]6716+6731/Hα)" and ax.get_ylabel() == "log([NII]6583/Hα)"
    assert sum(len(c.get_offsets()) for c in _scatters(ax)) == n - 3
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_xdata(), np.log10(0.4))
    _png_ok(path)
    with pytest.raises(ValueError, match="features needs"):  # the BPT planes still need [OIII]/Hbeta
        plot_catalog_bpt(features, predicted, np.full(n, 0.9), np.zeros(n, bool), np.zeros(n, bool))
    with pytest.raises(ValueError, match="y_feature"):
        plot_catalog_bpt(features, predicted, np.full(n, 0.9), np.zeros(n, bool), np.zeros(n, bool),
                         y_feature="log_SII6716_6730_HA6562")
