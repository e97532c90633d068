"""Figures of the experiment report.

* :func:`plot_confusion_matrix`: confusion matrix (row-normalised by default)
  of predicted against true classes, with a column for unclassified rows.
* :func:`plot_tsne_panels` and :func:`tsne_representations`: t-SNE maps of the
  source (model grids) and target (observed catalogue) rows, coloured by class,
  one panel per representation (raw inputs, NN and DANN embeddings, with and
  without noise), as Fig. 7 of Belfiore et al. 2025 (A&A 694, A212).
* BPT diagrams live in :mod:`nebuladapt.reports.bpt` (:func:`plot_bpt` is
  re-exported here).

Every function builds a :class:`matplotlib.figure.Figure` directly (no pyplot
state, so they work headless and inside other applications), returns it, and
writes it as PNG where ``path`` is given.

Target labels are only ever used here to *colour* points: drawing a figure
is evaluation, never training or model selection.
"""

from __future__ import annotations

from os import PathLike

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from nebuladapt.reports.bpt import plot_bpt
from nebuladapt.reports.style import (
    UNCLASSIFIED_COLOUR,
    class_colour,
    class_order,
    save_png,
    two_row_legend,
)

# The colours, markers and labels are declared, documented and exported by
# :mod:`nebuladapt.reports.style`.
__all__ = [
    "UNCLASSIFIED_LABEL",
    "plot_confusion_matrix",
    "confusion_counts",
    "balanced_subsample",
    "tsne_project",
    "plot_tsne_panels",
    "tsne_representations",
    "plot_bpt",
]

# --------------------------------------------------------------------------- confusion matrix


#: Column label of the rows a method left without a class.
UNCLASSIFIED_LABEL = "unclassified"


def _cell_count(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def plot_confusion_matrix(
    cm,
    classes,
    title: str = "",
    normalise: bool = True,
    path: str | PathLike | None = None,
    predicted_classes=None,
    count_label: str = "number of nebulae",
) -> Figure:
    """Confusion matrix of true (rows) against predicted (columns) classes.

    With ``normalise`` each row is divided by its sum, so that, when the
    columns include every outcome (the classes and ``"unclassified"``), the
    diagonal holds the per-class recall exactly as the result tables count it
    (unclassified rows are wrong). Each cell shows the fraction and, below it,
    the count.

    Parameters
    ----------
    cm : array-like, shape (n_true, n_predicted)
        Counts, rows = true class, columns = predicted outcome (e.g.
        :func:`confusion_counts`). Counts may be non-integer (e.g. a mean over
        seeds); they are then shown with one decimal.
    classes : sequence of str
        True classes, in the order of ``cm``'s rows.
    title : str, optional
        Axis title.
    normalise : bool, optional
        Show row fractions (default) instead of counts. A class with no true
        rows shows "–".
    path : str or path-like, optional
        Write the figure there as PNG.
    predicted_classes : sequence of str, optional
        Column labels (default ``classes``; a square matrix).
    count_label : str, optional
        What the counts are (colour-bar label when not normalised).

    Returns
    -------
    matplotlib.figure.Figure
        One image axis plus its colour bar.
    """
    counts = np.asarray(cm, dtype=float)
    classes = [str(c) for c in classes]
    columns = classes if predicted_classes is None else [str(c) for c in predicted_classes]
    if counts.ndim != 2 or counts.shape != (len(classes), len(columns)):
        raise ValueError(f"cm must have shape ({len(classes)}, {len(columns)}), got {counts.shape}")
    if normalise:
        totals = counts.sum(axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.where(totals > 0, counts / np.where(totals > 0, totals, 1), np.nan)
        vmax = 1.0
    else:
        values = counts
        vmax = max(float(np.nanmax(values)) if values.size else 1.0, 1.0)
    fig = Figure(figsize=(2.6 + 1.0 * len(columns), 1.2 + 1.0 * len(classes)), layout="constrained")
    ax = fig.add_subplot()
    image = ax.imshow(np.nan_to_num(values, nan=0.0), cmap="Blues", vmin=0.0, vmax=vmax)
    for i in range(len(classes)):
        for j in range(len(columns)):
            value = values[i, j]
            if not np.isfinite(value):
                ax.text(j, i, "–", ha="center", va="center", fontsize=11)
                continue
            text = f"{value:.2f}\n({_cell_count(counts[i, j])})" if normalise else _cell_count(counts[i, j])
            colour = "white" if value > 0.6 * vmax else "black"
            ax.text(j, i, text, ha="center", va="center", fontsize=11, color=colour)
    ax.set_xticks(range(len(columns)), columns)
    ax.set_yticks(range(len(classes)), classes)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    bar = fig.colorbar(image, ax=ax)
    bar.set_label("fraction of true class" if normalise else count_label)
    if title:
        ax.set_title(title)
    save_png(fig, path)
    return fig


def confusion_counts(y_true, y_pred, classes) -> np.ndarray:
    """Counts of true class (rows) against predicted class plus an ``unclassified`` column.

    Parameters
    ----------
    y_true, y_pred : array-like of str
        True and predicted classes; a prediction that is none of ``classes``
        (e.g. ``""``) counts as unclassified.
    classes : sequence of str
        Class names.

    Returns
    -------
    ndarray of int, shape (len(classes), len(classes) + 1)
        Every row of ``y_true`` whose class is in ``classes`` is counted once,
        so each row's sum is the number of nebulae of that true class.
    """
    y_true = np.asarray(y_true).astype(str)
    y_pred = np.asarray(y_pred).astype(str)
    classes = [str(c) for c in classes]
    out = np.zeros((len(classes), len(classes) + 1), dtype=int)
    for i, true in enumerate(classes):
        rows = y_true == true
        for j, pred in enumerate(classes):
            out[i, j] = int(np.sum(rows & (y_pred == pred)))
        out[i, -1] = int(rows.sum()) - int(out[i, :-1].sum())
    return out


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


def _tsne_legend(source_classes, target_classes, target_labelled: bool) -> tuple[list, int]:
    top = [
        Line2D([], [], ls="", marker="o", ms=5, color=class_colour(c, source=True), label=f"{c} source (models)")
        for c in source_classes
    ]
    if target_labelled:
        bottom = [
            Line2D([], [], ls="", marker="o", ms=7, mfc=class_colour(c), mec="k", mew=0.6, label=f"{c} target (observed)")
            for c in target_classes
        ]
    else:
        bottom = [
            Line2D([], [], ls="", marker="o", ms=7, mfc=UNCLASSIFIED_COLOUR, mec="k", mew=0.6, label="target (observed)")
        ]
    return two_row_legend(top, bottom)


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
        for c in class_order(sub_labels):
            rows = sub_labels == c
            ax.scatter(*src_2d[rows].T, s=5, color=class_colour(c, source=True), alpha=0.7, lw=0, rasterized=True)
            source_classes.append(c)
        if sub_target is None:
            target_labelled = False
            ax.scatter(*tgt_2d.T, s=22, color=UNCLASSIFIED_COLOUR, edgecolors="k", linewidths=0.5)
        else:
            for c in class_order(sub_target):
                rows = sub_target == c
                ax.scatter(*tgt_2d[rows].T, s=22, color=class_colour(c), edgecolors="k", linewidths=0.5)
                target_classes.append(c)
        ax.set_title(title)
        ax.set_xlabel("t-SNE 1")
        ax.set_ylabel("t-SNE 2")
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    handles, ncol = _tsne_legend(
        class_order(source_classes), class_order(target_classes), target_labelled and bool(target_classes)
    )
    fig.legend(handles=handles, loc="outside lower center", ncol=ncol, frameon=False)
    save_png(fig, path)
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
