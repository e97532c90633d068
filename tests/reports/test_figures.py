"""Report figures on tiny synthetic inputs: structure, PNG output, determinism."""

import matplotlib.collections as mcoll
import numpy as np
import pytest
from matplotlib.figure import Figure

from nebuladapt.features import default_feature_spec
from nebuladapt.models.estimator import NebulaClassifier
from nebuladapt.reports.figures import (
    balanced_subsample,
    plot_confusion_matrix,
    plot_tsne_panels,
    tsne_project,
    tsne_representations,
)
from nebuladapt.reports.style import CLASS_COLOURS, SOURCE_CLASS_COLOURS

CLASSES = ("HII", "PN", "SNR")


def _scatters(ax):
    return [c for c in ax.collections if isinstance(c, mcoll.PathCollection)]


def _png_ok(path):
    assert path.is_file() and path.stat().st_size > 1000
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(0)
    centres = {"HII": (0, 0, 0, 0), "PN": (4, 0, 0, 0), "SNR": (0, 4, 0, 0)}
    src_labels = np.repeat(CLASSES, 40)
    tgt_labels = np.repeat(CLASSES, 8)
    src = np.array([centres[c] for c in src_labels]) + rng.normal(0, 0.5, (120, 4))
    tgt = np.array([centres[c] for c in tgt_labels]) + rng.normal(0.5, 0.5, (24, 4))
    return src, src_labels, tgt, tgt_labels


def test_confusion_matrix_figure_and_png(tmp_path):
    cm = np.array([[8, 1, 1], [0, 5, 0], [0, 0, 0]])
    path = tmp_path / "sub" / "cm.png"
    fig = plot_confusion_matrix(cm, CLASSES, "toy", path=path)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2  # matrix + colour bar
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert len(texts) == 9
    assert texts[0] == "0.80\n(8)" and texts[-1] == "–"  # empty true class
    assert fig.axes[0].get_title() == "toy"
    _png_ok(path)
    counts = plot_confusion_matrix(cm, CLASSES, normalise=False)
    assert [t.get_text() for t in counts.axes[0].texts][:3] == ["8", "1", "1"]
    with pytest.raises(ValueError):
        plot_confusion_matrix(np.ones((2, 3)), CLASSES)


def test_balanced_subsample():
    labels = np.array(["HII"] * 100 + ["PN"] * 10 + ["SNR"] * 50)
    idx = balanced_subsample(labels, 60, np.random.default_rng(0))
    assert len(idx) == 60 and len(set(idx)) == 60
    counts = {c: int((labels[idx] == c).sum()) for c in CLASSES}
    assert counts == {"HII": 25, "PN": 10, "SNR": 25}
    assert len(balanced_subsample(labels, 500, np.random.default_rng(0))) == 160


def test_tsne_deterministic(blobs):
    src, _, tgt, _ = blobs
    a = tsne_project(src, tgt, seed=3, perplexity=10)
    b = tsne_project(src, tgt, seed=3, perplexity=10)
    assert a[0].shape == (120, 2) and a[1].shape == (24, 2)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_tsne_panels(blobs, tmp_path):
    src, src_labels, tgt, tgt_labels = blobs
    panels = [("labelled", src, src_labels, tgt, tgt_labels), ("unlabelled", src, src_labels, tgt, None)]
    path = tmp_path / "tsne.png"
    fig = plot_tsne_panels(panels, seed=0, max_points_per_domain=60, perplexity=10, path=path)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 2
    assert len(_scatters(axes[0])) == 6 and len(_scatters(axes[1])) == 4
    first = _scatters(axes[0])
    assert sum(len(c.get_offsets()) for c in first[:3]) == 60  # source subsampled, class-balanced
    assert sum(len(c.get_offsets()) for c in first[3:]) == 24  # whole target
    np.testing.assert_allclose(first[0].get_facecolor()[0][:3], _rgb(SOURCE_CLASS_COLOURS["HII"]))
    np.testing.assert_allclose(first[3].get_facecolor()[0][:3], _rgb(CLASS_COLOURS["HII"]))
    assert fig.legends
    _png_ok(path)


def _rgb(colour):
    from matplotlib.colors import to_rgb

    return to_rgb(colour)


def test_tsne_representations(toy_domains_small):
    d = toy_domains_small
    spec = default_feature_spec()
    model = NebulaClassifier(method="nn", noise="none", n_steps=5, hidden=(8,), feature_spec=spec)
    model.fit(d["X"], d["y"], sample_domain=d["sample_domain"])
    panels = tsne_representations(
        {"NN": model}, d["X"], d["y"], d["sample_domain"], spec,
        target_labels=d["target_labels"], X_err=d["X_err"], input_noise="matched",
    )
    assert [p[0] for p in panels] == ["raw inputs", "raw inputs, matched noise", "NN embedding"]
    n_src, n_tgt = int((d["sample_domain"] > 0).sum()), int((d["sample_domain"] < 0).sum())
    title, src, src_labels, tgt, tgt_labels = panels[0]
    assert src.shape == (n_src, 2 * len(spec.ratios)) and tgt.shape[0] == n_tgt
    assert set(src_labels) <= set(CLASSES) and np.array_equal(tgt_labels, d["target_labels"])
    assert panels[2][1].shape == (n_src, 8)
    assert not np.array_equal(panels[0][1], panels[1][1])  # noise changed the source inputs
    np.testing.assert_array_equal(panels[0][3], panels[1][3])  # never the target


@pytest.fixture(scope="module")
def toy_domains_small():
    rng = np.random.default_rng(1)
    centres = {"HII": (0.5, 1.0, 0.3, 2.86, 0.3), "PN": (8.0, 1.0, 0.5, 2.86, 0.1), "SNR": (1.5, 1.0, 2.0, 2.86, 2.0)}

    def draw(n, shift):
        labels = np.array(list(centres))[rng.integers(0, 3, n)]
        return np.array([centres[c] for c in labels]) * rng.lognormal(shift, 0.15, (n, 5)), labels

    source, source_labels = draw(90, 0.0)
    target, target_labels = draw(15, 0.1)
    return {
        "X": np.vstack([source, target]),
        "y": np.concatenate([source_labels.astype(object), np.full(15, -1, dtype=object)]),
        "sample_domain": np.r_[np.ones(90, int), -2 * np.ones(15, int)],
        "X_err": np.vstack([np.full_like(source, np.nan), 0.05 * target]),
        "target_labels": target_labels,
    }
