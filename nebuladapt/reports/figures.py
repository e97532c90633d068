"""Figures of the experiment report.

* :func:`plot_confusion_matrix`: confusion matrix (row-normalised by default)
  of predicted against true classes.
* :func:`plot_tsne_panels` and :func:`tsne_representations`: t-SNE maps of the
  source (model grids) and target (observed catalogue) rows, coloured by class,
  one panel per representation (raw inputs, NN and DANN embeddings, with and
  without noise), as Fig. 7 of Belfiore et al. 2025 (A&A 694, A212).
* :func:`plot_bpt`: BPT diagrams with points coloured by predicted class and
  the classical demarcation lines of :mod:`nebuladapt.evaluation.baselines`.

Every function builds a :class:`matplotlib.figure.Figure` directly (no pyplot
state, so they work headless and inside other applications), returns it, and
writes it as PNG where ``path`` is given.

Target labels are only ever used here to *colour* points: drawing a figure
is evaluation, never training or model selection.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from nebuladapt import CLASSES
from nebuladapt.evaluation.baselines import (
    NII_HA,
    OI_HA,
    OIII_HB,
    SII_HA,
    SII_HA_SNR_THRESHOLD,
    kauffmann03_nii,
    kewley01_nii,
    kewley01_oi,
    kewley01_sii,
)

__all__ = [
    "CLASS_COLOURS",
    "SOURCE_CLASS_COLOURS",
    "UNCLASSIFIED_COLOUR",
    "CLASS_MARKERS",
    "FEATURE_LABELS",
    "plot_confusion_matrix",
    "balanced_subsample",
    "tsne_project",
    "plot_tsne_panels",
    "tsne_representations",
    "plot_bpt",
]

#: Colour of each class (target / observed points, predictions), as in Belfiore et al. 2025, Fig. 7.
CLASS_COLOURS: dict[str, str] = {"HII": "#1f4e9c", "PN": "#b2182b", "SNR": "#1b7837"}
#: Light colour of each class for source (model grid) points.
SOURCE_CLASS_COLOURS: dict[str, str] = {"HII": "#8fb8e8", "PN": "#f4a6a6", "SNR": "#9fd89a"}
#: Colour of rows without a class (unclassified or unlabelled).
UNCLASSIFIED_COLOUR = "#8c8c8c"
#: Marker of each *true* class in :func:`plot_bpt`.
CLASS_MARKERS: dict[str, str] = {"HII": "o", "PN": "s", "SNR": "^"}
#: Axis label of each log-ratio feature (names from :class:`nebuladapt.features.LineRatio`).
FEATURE_LABELS: dict[str, str] = {
    "log_OIII5006_HB4861": "log([OIII]5007/Hβ)",
    "log_NII6583_HA6562": "log([NII]6583/Hα)",
    "log_SII6716_6730_HA6562": "log([SII]6716+6731/Hα)",
    "log_OI6300_HA6562": "log([OI]6300/Hα)",
    "log_SII6716_SII6730": "log([SII]6716/6731)",
}
_Y_FEATURE = OIII_HB
_KEWLEY01 = {"color": "k", "ls": "-"}
#: BPT panels: x feature, default axis box, demarcation curves (function, label, style).
_BPT_PANELS = (
    (
        NII_HA,
        (-2.0, 0.8),
        (
            (kewley01_nii, "Kewley+01", _KEWLEY01),
            (kauffmann03_nii, "Kauffmann+03", {"color": "k", "ls": "--"}),
        ),
    ),
    (SII_HA, (-1.6, 0.6), ((kewley01_sii, "Kewley+01", _KEWLEY01),)),
    (OI_HA, (-2.6, 0.2), ((kewley01_oi, "Kewley+01", _KEWLEY01),)),
)
_Y_BOX = (-1.5, 1.6)


def _save(fig: Figure, path: str | PathLike | None, dpi: int = 150) -> None:
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=dpi, format="png")


def _class_colour(label: str, source: bool = False) -> str:
    table = SOURCE_CLASS_COLOURS if source else CLASS_COLOURS
    return table.get(str(label), UNCLASSIFIED_COLOUR)


def _class_order(labels) -> list[str]:
    """Known classes first (in :data:`nebuladapt.CLASSES` order), then any other label."""
    present = list(dict.fromkeys(np.asarray(labels).astype(str).tolist()))
    return [c for c in CLASSES if c in present] + sorted(c for c in present if c not in CLASSES)


# --------------------------------------------------------------------------- confusion matrix


def plot_confusion_matrix(
    cm,
    classes,
    title: str = "",
    normalise: bool = True,
    path: str | PathLike | None = None,
) -> Figure:
    """Confusion matrix of true (rows) against predicted (columns) classes.

    Drawn with :class:`sklearn.metrics.ConfusionMatrixDisplay`. With
    ``normalise`` each row is divided by its sum, so the diagonal holds the
    per-class recall, and each cell shows the fraction and, below it, the count.

    Parameters
    ----------
    cm : array-like of int, shape (n_classes, n_classes)
        Counts, rows = true class, columns = predicted class, e.g.
        ``sklearn.metrics.confusion_matrix(y_true, y_pred, labels=classes)`` or
        ``classification_scores(...)["confusion_matrix"]``. Such a matrix
        leaves out rows predicted as none of ``classes`` (unclassified), so
        its normalised rows are fractions of the *classified* nebulae of each
        true class.
    classes : sequence of str
        Class names in the order of ``cm``'s rows and columns.
    title : str, optional
    normalise : bool, optional
        Show row fractions (default) instead of counts. A class with no true
        rows shows "–".
    path : str or path-like, optional
        Write the figure there as PNG.

    Returns
    -------
    matplotlib.figure.Figure
        One image axis plus its colour bar.
    """
    from sklearn.metrics import ConfusionMatrixDisplay

    counts = np.asarray(cm)
    classes = [str(c) for c in classes]
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or counts.shape[0] != len(classes):
        raise ValueError(f"cm must be square with {len(classes)} rows, got shape {counts.shape}")
    if normalise:
        totals = counts.sum(axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.where(totals > 0, counts / np.where(totals > 0, totals, 1), np.nan)
        im_kw = {"vmin": 0.0, "vmax": 1.0}
    else:
        values = counts.astype(float)
        im_kw = {"vmin": 0.0}
    side = 1.2 + 1.0 * len(classes)
    fig = Figure(figsize=(side + 1.2, side), layout="constrained")
    ax = fig.add_subplot()
    display = ConfusionMatrixDisplay(values, display_labels=classes)
    display.plot(ax=ax, cmap="Blues", colorbar=True, im_kw=im_kw, include_values=True)
    dark = 0.6 * (1.0 if normalise else max(float(np.nanmax(values)), 1.0))
    for i in range(len(classes)):
        for j in range(len(classes)):
            text = display.text_[i, j]
            value = values[i, j]
            if not np.isfinite(value):
                text.set_text("–")
                text.set_color("k")
                continue
            text.set_text(f"{value:.2f}\n({counts[i, j]:d})" if normalise else f"{counts[i, j]:d}")
            text.set_color("white" if value > dark else "black")
            text.set_fontsize(11)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    display.im_.colorbar.set_label("fraction of true class" if normalise else "number of nebulae")
    if title:
        ax.set_title(title)
    _save(fig, path)
    return fig


# --------------------------------------------------------------------------- t-SNE


def balanced_subsample(labels, n_max: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of at most ``n_max`` rows, as equal as possible across classes.

    Each class gets ``n_max // n_classes`` rows (all of them if it has fewer);
    the places a small class leaves free go to the other classes.

    Parameters
    ----------
    labels : array-like, shape (n,)
    n_max : int
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of int
        Sorted row indices.
    """
    labels = np.asarray(labels).astype(str)
    if len(labels) <= n_max:
        return np.arange(len(labels))
    groups = [np.flatnonzero(labels == c) for c in np.unique(labels)]
    quota = {i: 0 for i in range(len(groups))}
    remaining = n_max
    open_groups = list(range(len(groups)))
    while remaining > 0 and open_groups:
        share = max(remaining // len(open_groups), 1)
        for i in list(open_groups):
            take = min(share, len(groups[i]) - quota[i], remaining)
            quota[i] += take
            remaining -= take
            if quota[i] == len(groups[i]):
                open_groups.remove(i)
            if remaining == 0:
                break
    chosen = [rng.choice(groups[i], size=quota[i], replace=False) for i in quota if quota[i]]
    return np.sort(np.concatenate(chosen))


def tsne_project(
    source_embedding, target_embedding, seed: int = 0, perplexity: float = 30.0, n_threads: int | None = 1
):
    """Joint 2-D t-SNE projection of source and target rows.

    Both domains are projected together (one t-SNE), so their relative
    positions are meaningful within a panel (not across panels).

    Parameters
    ----------
    source_embedding : array-like, shape (n_source, d)
    target_embedding : array-like, shape (n_target, d)
    seed : int
        ``random_state`` of :class:`sklearn.manifold.TSNE`: the same inputs and
        seed give the same projection.
    perplexity : float
        Lowered automatically below the number of rows.
    n_threads : int or None
        OpenMP threads of the Barnes-Hut gradient (``None``: scikit-learn's
        default, all cores). One thread is the default because on a busy
        two-core machine two threads were 3-4 times *slower* (waiting at
        OpenMP barriers) than one; the result does not depend on it.

    Returns
    -------
    source_2d, target_2d : ndarray, shapes (n_source, 2), (n_target, 2)
    """
    from sklearn.manifold import TSNE
    from threadpoolctl import threadpool_limits

    source = np.asarray(source_embedding, dtype=np.float64)
    target = np.asarray(target_embedding, dtype=np.float64).reshape(-1, source.shape[1])
    both = np.vstack([source, target])
    if not np.all(np.isfinite(both)):
        raise ValueError("embeddings must be finite (encode missing features first)")
    perplexity = min(perplexity, max((len(both) - 1) / 3.0, 1.0))
    tsne = TSNE(
        n_components=2,
        perplexity=perplexity,
        init="pca",
        learning_rate="auto",
        random_state=seed,
    )
    with threadpool_limits(limits=n_threads, user_api="openmp"):
        projected = tsne.fit_transform(both)
    return projected[: len(source)], projected[len(source) :]


def _blank_handle() -> Line2D:
    return Line2D([], [], ls="", marker="", label=" ")


def _two_row_legend(top: list, bottom: list) -> tuple[list, int]:
    """Handles ordered for a column-major legend: ``top`` on row 1, ``bottom`` on row 2."""
    ncol = max(len(top), len(bottom), 1)
    top = top + [_blank_handle() for _ in range(ncol - len(top))]
    bottom = bottom + [_blank_handle() for _ in range(ncol - len(bottom))]
    return [h for pair in zip(top, bottom) for h in pair], ncol


def _tsne_legend(source_classes, target_classes, target_labelled: bool) -> tuple[list, int]:
    top = [
        Line2D([], [], ls="", marker="o", ms=5, color=_class_colour(c, source=True), label=f"{c} source (models)")
        for c in source_classes
    ]
    if target_labelled:
        bottom = [
            Line2D([], [], ls="", marker="o", ms=7, mfc=_class_colour(c), mec="k", mew=0.6, label=f"{c} target (observed)")
            for c in target_classes
        ]
    else:
        bottom = [
            Line2D([], [], ls="", marker="o", ms=7, mfc=UNCLASSIFIED_COLOUR, mec="k", mew=0.6, label="target (observed)")
        ]
    return _two_row_legend(top, bottom)


def plot_tsne_panels(
    panels,
    seed: int = 0,
    max_points_per_domain: int = 1500,
    perplexity: float = 30.0,
    ncols: int | None = None,
    n_threads: int | None = 1,
    n_jobs: int | None = 1,
    path: str | PathLike | None = None,
) -> Figure:
    """t-SNE maps of source and target rows, coloured by class, one panel per representation.

    As Fig. 7 of Belfiore et al. (2025, A&A 694, A212): source (model grid)
    rows are small faint dots in light class colours, target (observed) rows
    larger dark markers with a black edge. Each panel is its own t-SNE
    (:func:`tsne_project`), so axes have no physical meaning and are not
    comparable between panels; what matters is whether target points fall
    among source points of their own class.

    For speed each domain is subsampled to at most ``max_points_per_domain``
    rows (:func:`balanced_subsample`, seeded by ``seed``): the source
    class-balanced (1500 rows = 500 per class by default), the target
    class-balanced where its labels are given, else at random. With ~1750
    points a panel costs about 7 s of one CPU core; ``n_jobs=2`` projects two
    panels at a time on two cores. The same rows are drawn in every panel
    when the panels share their labels.

    Parameters
    ----------
    panels : list of tuple
        ``(title, source_embedding, source_labels, target_embedding,
        target_labels_or_None)`` per panel; embeddings are arrays of shape
        (n_rows, d), labels arrays of str. Target labels serve only to colour
        the points (evaluation).
    seed : int
        Seed of the subsampling and of t-SNE.
    max_points_per_domain : int
        Subsample size per domain and panel.
    perplexity : float
        t-SNE perplexity.
    ncols : int, optional
        Panels per row (default: all in one row up to 3).
    n_threads : int or None
        OpenMP threads per t-SNE (see :func:`tsne_project`).
    n_jobs : int or None
        Panels projected in parallel (``joblib`` processes); the result does
        not depend on it.
    path : str or path-like, optional
        Write the figure there as PNG.

    Returns
    -------
    matplotlib.figure.Figure
        One axis per panel, each holding one scatter collection per source
        class and one per target class (one in all if the target is
        unlabelled); a shared legend below.
    """
    from joblib import Parallel, delayed

    panels = list(panels)
    if not panels:
        raise ValueError("no panels to draw")
    prepared = []
    for title, source, source_labels, target, target_labels in panels:
        source_labels = np.asarray(source_labels).astype(str)
        target = np.asarray(target)
        rng = np.random.default_rng(seed)
        keep_s = balanced_subsample(source_labels, max_points_per_domain, rng)
        if target_labels is None:
            keep_t = balanced_subsample(np.zeros(len(target), dtype=str), max_points_per_domain, rng)
            sub_target = None
        else:
            target_labels = np.asarray(target_labels).astype(str)
            keep_t = balanced_subsample(target_labels, max_points_per_domain, rng)
            sub_target = target_labels[keep_t]
        prepared.append((title, np.asarray(source)[keep_s], source_labels[keep_s], target[keep_t], sub_target))
    projections = Parallel(n_jobs=n_jobs)(
        delayed(tsne_project)(source, target, seed=seed, perplexity=perplexity, n_threads=n_threads)
        for _, source, _, target, _ in prepared
    )

    ncols = ncols or min(len(panels), 3)
    nrows = int(np.ceil(len(panels) / ncols))
    fig = Figure(figsize=(4.2 * ncols, 4.0 * nrows + 0.8), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    source_classes: list[str] = []
    target_classes: list[str] = []
    target_labelled = True
    for ax, (title, _, sub_labels, _, sub_target), (src_2d, tgt_2d) in zip(axes, prepared, projections):
        for c in _class_order(sub_labels):
            rows = sub_labels == c
            ax.scatter(*src_2d[rows].T, s=5, color=_class_colour(c, source=True), alpha=0.7, lw=0, rasterized=True)
            source_classes.append(c)
        if sub_target is None:
            target_labelled = False
            ax.scatter(*tgt_2d.T, s=22, color=UNCLASSIFIED_COLOUR, edgecolors="k", linewidths=0.5)
        else:
            for c in _class_order(sub_target):
                rows = sub_target == c
                ax.scatter(*tgt_2d[rows].T, s=22, color=_class_colour(c), edgecolors="k", linewidths=0.5)
                target_classes.append(c)
        ax.set_title(title)
        ax.set_xlabel("t-SNE 1")
        ax.set_ylabel("t-SNE 2")
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    handles, ncol = _tsne_legend(
        _class_order(source_classes), _class_order(target_classes), target_labelled and bool(target_classes)
    )
    fig.legend(handles=handles, loc="outside lower center", ncol=ncol, frameon=False)
    _save(fig, path)
    return fig


def tsne_representations(
    models: dict,
    X,
    y,
    sample_domain,
    spec=None,
    *,
    target_labels=None,
    X_err=None,
    input_noise: str | None = None,
    noise_level: float = 0.1,
    seed: int = 0,
) -> list[tuple]:
    """Panels for :func:`plot_tsne_panels`: raw inputs and each model's embedding.

    Parameters
    ----------
    models : dict of str to NebulaClassifier
        Fitted models by panel title (e.g. ``{"NN": nn, "DANN": dann,
        "DANN, matched noise": dann_noisy}``); each gives its feature-extractor
        embedding (:meth:`~nebuladapt.models.estimator.NebulaClassifier.transform`).
    X, y, sample_domain, X_err
        As returned by :func:`nebuladapt.models.fitting.domain_arrays`: line
        fluxes in ``spec.lines`` order, source labels (``-1`` on target rows),
        domain (> 0 source, < 0 target) and flux errors.
    spec : FeatureSpec, optional
        Features of the raw-input panel; default the first model's spec.
    target_labels : array-like of str, optional
        True classes of the target rows (in order), only to colour them.
    input_noise : {"fixed", "matched"}, optional
        Also add a panel of the raw inputs with this noise injected into the
        source fluxes (:func:`nebuladapt.noise.inject_noise`, seeded by
        ``seed``; ``matched`` needs ``X_err``), i.e. what the network sees when
        trained with noise.
    noise_level : float
        Fractional noise of ``fixed`` (and fallback of ``matched``).
    seed : int

    Returns
    -------
    list of tuple
        ``(title, source_embedding, source_labels, target_embedding,
        target_labels_or_None)``: first ``"raw inputs"`` (the network input
        encoding ``[standardised log ratios, missing mask]``, scaled with the
        source statistics), then the noisy inputs if asked, then one per model.
    """
    import torch

    from nebuladapt.features import log_ratios
    from nebuladapt.models.training import Scaler, encode

    X = np.asarray(X, dtype=np.float64)
    is_source = np.asarray(sample_domain) > 0
    if not is_source.any() or is_source.all():
        raise ValueError("need both source (sample_domain > 0) and target (< 0) rows")
    if spec is None:
        if not models:
            raise ValueError("give spec or at least one model")
        spec = next(iter(models.values())).spec_
    for name, model in models.items():
        if list(model.lines_) != list(spec.lines):
            raise ValueError(f"model {name!r} expects lines {model.lines_}, X has {spec.lines}")
    source_labels = np.asarray(y, dtype=object)[is_source].astype(str)
    if target_labels is not None:
        target_labels = np.asarray(target_labels).astype(str)
        if len(target_labels) != int((~is_source).sum()):
            raise ValueError(f"target_labels has {len(target_labels)} rows, X has {(~is_source).sum()} target rows")
    source_flux, target_flux = X[is_source], X[~is_source]
    source_features = log_ratios(source_flux, spec)
    scaler = Scaler.fit(source_features)

    def inputs(flux: np.ndarray) -> np.ndarray:
        return encode(torch.from_numpy(log_ratios(flux, spec)), scaler).numpy()

    target_inputs = inputs(target_flux)
    panels = [("raw inputs", inputs(source_flux), source_labels, target_inputs, target_labels)]
    if input_noise is not None:
        from nebuladapt.noise import inject_noise, target_fractional_errors

        fractional = None
        if input_noise == "matched":
            if X_err is None:
                raise ValueError("input_noise='matched' needs X_err (target flux errors)")
            frac = target_fractional_errors(target_flux, np.asarray(X_err, dtype=np.float64)[~is_source])
            fractional = torch.from_numpy(frac[np.isfinite(frac).any(axis=1)])
        generator = torch.Generator().manual_seed(seed)
        noisy = inject_noise(torch.from_numpy(source_flux), input_noise, noise_level, generator, fractional)
        panels.append(
            (f"raw inputs, {input_noise} noise", inputs(noisy.numpy()), source_labels, target_inputs, target_labels)
        )
    for name, model in models.items():
        panels.append(
            (f"{name} embedding", model.transform(source_flux), source_labels, model.transform(target_flux), target_labels)
        )
    return panels


# --------------------------------------------------------------------------- BPT


def _bpt_limits(values: np.ndarray, box: tuple[float, float]) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    lo, hi = box
    if len(finite):
        lo, hi = min(lo, float(finite.min())), max(hi, float(finite.max()))
    pad = 0.04 * (hi - lo)
    return lo - pad, hi + pad


def plot_bpt(
    features: dict,
    predicted,
    true=None,
    title: str = "",
    path: str | PathLike | None = None,
) -> Figure:
    """BPT diagrams coloured by predicted class, with the classical demarcation lines.

    Panels: [OIII]5007/Hbeta against [NII]6583/Halpha, [SII]6716+6731/Halpha
    and, where given, [OI]6300/Halpha. Points are coloured by predicted class
    (grey: unclassified); where ``true`` is given the marker shape shows the
    true class (circle HII, square PN, triangle SNR). Lines, from
    :mod:`nebuladapt.evaluation.baselines`: Kewley et al. 2001 maximum starburst
    (all panels) and Kauffmann et al. 2003 ([NII]); the vertical
    ``[SII]/Halpha = 0.4`` SNR criterion ([SII] panel). Each curve is drawn
    only where its paper defines it (the functions return NaN elsewhere).

    Parameters
    ----------
    features : dict of str to array-like
        ``log10`` ratios by feature name (:class:`nebuladapt.features.LineRatio`
        names): ``log_OIII5006_HB4861`` and at least one of
        ``log_NII6583_HA6562``, ``log_SII6716_6730_HA6562``,
        ``log_OI6300_HA6562``; NaN where missing (such rows are left out of
        that panel).
    predicted : array-like of str
        Predicted class per row (``""`` for unclassified).
    true : array-like of str, optional
        True class per row (evaluation only: sets the marker shape).
    title : str, optional
    path : str or path-like, optional
        Write the figure there as PNG.

    Returns
    -------
    matplotlib.figure.Figure
        One axis per panel; one scatter collection per (predicted, true)
        class pair present, one line per demarcation drawn.
    """
    if _Y_FEATURE not in features:
        raise ValueError(f"features needs {_Y_FEATURE!r}")
    y_all = np.asarray(features[_Y_FEATURE], dtype=float)
    predicted = np.asarray(predicted).astype(str)
    if len(predicted) != len(y_all):
        raise ValueError(f"predicted has {len(predicted)} rows, features {len(y_all)}")
    if true is not None:
        true = np.asarray(true).astype(str)
        if len(true) != len(y_all):
            raise ValueError(f"true has {len(true)} rows, features {len(y_all)}")
    panels = [p for p in _BPT_PANELS if p[0] in features]
    if not panels:
        raise ValueError("features needs at least one of " + ", ".join(p[0] for p in _BPT_PANELS))
    fig = Figure(figsize=(4.3 * len(panels), 4.6), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False, sharey=True).ravel()
    ylim = _bpt_limits(y_all, _Y_BOX)
    pred_classes = _class_order(predicted)
    true_classes = _class_order(true) if true is not None else []
    for ax, (x_name, x_box, curves) in zip(axes, panels):
        x_all = np.asarray(features[x_name], dtype=float)
        good = np.isfinite(x_all) & np.isfinite(y_all)
        for p in pred_classes:
            colour = _class_colour(p) if p else UNCLASSIFIED_COLOUR
            for t in true_classes or [None]:
                rows = good & (predicted == p) & (true == t if t is not None else True)
                if not rows.any():
                    continue
                ax.scatter(
                    x_all[rows],
                    y_all[rows],
                    s=26,
                    marker=CLASS_MARKERS.get(t, "o") if t is not None else "o",
                    color=colour,
                    edgecolors="k",
                    linewidths=0.4,
                    alpha=0.85,
                    zorder=3,
                )
        xlim = _bpt_limits(x_all[good], x_box)
        grid = np.linspace(*xlim, 600)
        for func, label, style in curves:
            with np.errstate(all="ignore"):
                curve = np.asarray(func(grid), dtype=float)
            curve = np.where((curve > ylim[0] - 1) & (curve < ylim[1] + 1), curve, np.nan)
            ax.plot(grid, curve, lw=1.3, zorder=2, label=label, **style)
        if x_name == SII_HA:
            ax.axvline(
                np.log10(SII_HA_SNR_THRESHOLD), lw=1.3, zorder=2, color="0.3", ls=":",
                label=f"[SII]/Hα = {SII_HA_SNR_THRESHOLD}",
            )
        if ax.get_lines():
            ax.legend(loc="lower left", fontsize=8, frameon=True, framealpha=0.85)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_xlabel(FEATURE_LABELS.get(x_name, x_name))
        ax.label_outer()
        n_out = int((~good).sum())
        if n_out:
            ax.text(
                0.98, 0.98, f"{n_out} without this ratio", transform=ax.transAxes,
                fontsize=8, color="0.3", ha="right", va="top",
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.5},
            )
    axes[0].set_ylabel(FEATURE_LABELS[_Y_FEATURE])
    axes[0].tick_params(labelleft=True)
    predicted_handles = [
        Line2D([], [], ls="", marker="o", ms=7, mfc=_class_colour(p) if p else UNCLASSIFIED_COLOUR, mec="k", mew=0.4,
               label=f"predicted {p}" if p else "unclassified")
        for p in pred_classes
    ]
    true_handles = [
        Line2D([], [], ls="", marker=CLASS_MARKERS.get(t, "o"), ms=7, mfc="none", mec="k", label=f"true {t}")
        for t in true_classes
    ]
    handles, ncol = _two_row_legend(predicted_handles, true_handles) if true_handles else (predicted_handles, len(predicted_handles))
    fig.legend(handles=handles, loc="outside lower center", ncol=ncol, frameon=False)
    if title:
        fig.suptitle(title)
    _save(fig, path)
    return fig
