"""BPT diagrams: points on the classical line-ratio planes, with the demarcation curves.

* :func:`plot_bpt`: the experiment's figure, coloured by predicted class,
  marker shape by true class (evaluation only).
* :func:`plot_catalog_bpt`: a classified catalogue (no labels): colour by
  predicted class, shade by the class probability, flagged and off-grid rows
  marked.

Panels: [OIII]5007/Hbeta against [NII]6583/Halpha, [SII]6716+6731/Halpha and
[OI]6300/Halpha, each where the ratio is given; for a catalogue without
[OIII], :func:`plot_catalog_bpt` also draws the red plane, [NII]6583/Halpha
against [SII]6716+6731/Halpha (:data:`RED_PLANE`). The curves are the functions
of :mod:`nebuladapt.evaluation.diagnostics` (Kewley et al. 2001 maximum
starburst in every panel, Kauffmann et al. 2003 in the [NII] panel) and the
``[SII]/Halpha = 0.4`` SNR criterion, each drawn only where its paper defines it.
"""

from __future__ import annotations

from os import PathLike

import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from nebuladapt.evaluation.diagnostics import (
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
from nebuladapt.reports.style import (
    CLASS_MARKERS,
    FEATURE_LABELS,
    UNCLASSIFIED_COLOUR,
    class_colour,
    class_order,
    save_png,
    two_row_legend,
)

__all__ = ["BPT_PANELS", "BPT_Y_FEATURE", "RED_PLANE", "bpt_limits", "draw_demarcations", "plot_bpt", "plot_catalog_bpt"]

#: Feature on the y axis of every panel.
BPT_Y_FEATURE = OIII_HB
_KEWLEY01 = {"color": "k", "ls": "-"}
#: BPT panels: x feature, default axis box, demarcation curves (function, label, style).
BPT_PANELS = (
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
_X_BOX = {name: box for name, box, _ in BPT_PANELS}
#: The red plane, for catalogues without [OIII]: y feature, its axis box, and its one panel (as in
#: :data:`BPT_PANELS`, whose axis boxes it reuses; no curve, the ``[SII]/Halpha = 0.4`` line is drawn
#: on every [SII] panel).
RED_PLANE = (NII_HA, _X_BOX[NII_HA], ((SII_HA, _X_BOX[SII_HA], ()),))
#: y feature -> (its axis box, its panels).
_PLANES = {BPT_Y_FEATURE: (_Y_BOX, BPT_PANELS), RED_PLANE[0]: RED_PLANE[1:]}


def bpt_limits(values, box: tuple[float, float]) -> tuple[float, float]:
    """Axis limits covering ``box`` and every finite value, with a 4% margin.

    Parameters
    ----------
    values : array-like of float
        Values to show (NaN ignored).
    box : tuple of float
        The range always shown.

    Returns
    -------
    tuple of float
        ``(low, high)``.
    """
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    lo, hi = box
    if len(finite):
        lo, hi = min(lo, float(finite.min())), max(hi, float(finite.max()))
    pad = 0.04 * (hi - lo)
    return lo - pad, hi + pad


def draw_demarcations(ax, x_name: str, curves, xlim, ylim) -> None:
    """Draw a panel's demarcation curves (and the [SII]/Halpha = 0.4 line on the [SII] panel).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The panel.
    x_name : str
        Feature on the x axis.
    curves : sequence of tuple
        ``(function, label, style)`` as in :data:`BPT_PANELS`.
    xlim, ylim : tuple of float
        Axis limits (curves are cut one dex beyond ``ylim``).
    """
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
        )  # fmt: skip


def _panels(features: dict, y_feature: str = BPT_Y_FEATURE):
    if y_feature not in _PLANES:
        raise ValueError(f"y_feature must be one of {sorted(_PLANES)}, not {y_feature!r}")
    if y_feature not in features:
        raise ValueError(f"features needs {y_feature!r}")
    candidates = _PLANES[y_feature][1]
    panels = [p for p in candidates if p[0] in features]
    if not panels:
        raise ValueError("features needs at least one of " + ", ".join(p[0] for p in candidates))
    return panels


def _finish_panel(ax, panel, x_all, good, ylim) -> None:
    x_name, box, curves = panel
    xlim = bpt_limits(x_all[good], box)
    draw_demarcations(ax, x_name, curves, xlim, ylim)
    if ax.get_lines():
        ax.legend(loc="lower left", fontsize=8, frameon=True, framealpha=0.85)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel(FEATURE_LABELS.get(x_name, x_name))
    ax.label_outer()
    n_out = int((~good).sum())
    if n_out:
        ax.text(
            0.98, 0.98, f"{n_out:,} without this ratio", transform=ax.transAxes,
            fontsize=8, color="0.3", ha="right", va="top",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.5},
        )  # fmt: skip


def plot_bpt(
    features: dict,
    predicted,
    true=None,
    title: str = "",
    path: str | PathLike | None = None,
) -> Figure:
    """BPT diagrams coloured by predicted class, with the classical demarcation lines.

    Points are coloured by predicted class (grey: unclassified); where
    ``true`` is given the marker shape shows the true class (circle HII,
    square PN, triangle SNR).

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
        Figure title (say which model, which seed and whether the ratios are
        dereddened).
    path : str or path-like, optional
        Write the figure there as PNG.

    Returns
    -------
    matplotlib.figure.Figure
        One axis per panel; one scatter collection per (predicted, true)
        class pair present, one line per demarcation drawn.
    """
    panels = _panels(features)
    y_all = np.asarray(features[BPT_Y_FEATURE], dtype=float)
    predicted = np.asarray(predicted).astype(str)
    if len(predicted) != len(y_all):
        raise ValueError(f"predicted has {len(predicted)} rows, features {len(y_all)}")
    if true is not None:
        true = np.asarray(true).astype(str)
        if len(true) != len(y_all):
            raise ValueError(f"true has {len(true)} rows, features {len(y_all)}")
    fig = Figure(figsize=(4.3 * len(panels), 4.6), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False, sharey=True).ravel()
    ylim = bpt_limits(y_all, _Y_BOX)
    pred_classes = class_order(predicted)
    true_classes = class_order(true) if true is not None else []
    for ax, panel in zip(axes, panels):
        x_all = np.asarray(features[panel[0]], dtype=float)
        good = np.isfinite(x_all) & np.isfinite(y_all)
        for p in pred_classes:
            colour = class_colour(p) if p else UNCLASSIFIED_COLOUR
            for t in true_classes or [None]:
                rows = good & (predicted == p) & (true == t if t is not None else True)
                if not rows.any():
                    continue
                ax.scatter(
                    x_all[rows], y_all[rows], s=26,
                    marker=CLASS_MARKERS.get(t, "o") if t is not None else "o",
                    color=colour, edgecolors="k", linewidths=0.4, alpha=0.85, zorder=3,
                )  # fmt: skip
        _finish_panel(ax, panel, x_all, good, ylim)
    axes[0].set_ylabel(FEATURE_LABELS[BPT_Y_FEATURE])
    axes[0].tick_params(labelleft=True)
    predicted_handles = [
        Line2D([], [], ls="", marker="o", ms=7, mfc=class_colour(p) if p else UNCLASSIFIED_COLOUR, mec="k", mew=0.4,
               label=f"predicted {p}" if p else "unclassified")
        for p in pred_classes
    ]  # fmt: skip
    true_handles = [
        Line2D([], [], ls="", marker=CLASS_MARKERS.get(t, "o"), ms=7, mfc="none", mec="k", label=f"true {t}")
        for t in true_classes
    ]
    if true_handles:
        handles, ncol = two_row_legend(predicted_handles, true_handles)
    else:
        handles, ncol = predicted_handles, len(predicted_handles)
    fig.legend(handles=handles, loc="outside lower center", ncol=ncol, frameon=False)
    if title:
        fig.suptitle(title)
    save_png(fig, path)
    return fig


def _shaded(colour: str, strength: np.ndarray) -> np.ndarray:
    """RGBA colours from white (strength 0) to ``colour`` (strength 1)."""
    rgb = np.asarray(to_rgb(colour))
    strength = np.clip(np.nan_to_num(strength, nan=1.0), 0.0, 1.0)[:, None]
    out = np.ones((len(strength), 4))
    out[:, :3] = 1.0 - strength * (1.0 - rgb)
    return out


def plot_catalog_bpt(
    features: dict,
    predicted,
    probability,
    flagged,
    off_grid,
    title: str = "",
    max_points: int = 50_000,
    seed: int = 0,
    path: str | PathLike | None = None,
    y_feature: str = BPT_Y_FEATURE,
) -> Figure:
    """BPT diagrams of a classified catalogue: colour = class, shade = its probability.

    Each point takes its predicted class's colour, paler the lower the
    probability of that class (from 1/3, the chance level of three classes, to
    1); unclassified rows are grey. Rows with any flag get a black edge; rows
    flagged ``off_grid`` are also crossed. Rows lacking a panel's ratios are
    counted in its corner.

    Parameters
    ----------
    features : dict of str to array-like
        ``log10`` ratios as in :func:`plot_bpt`.
    predicted : array-like of str
        Predicted class (``""`` where unclassified).
    probability : array-like of float
        Probability of the predicted class (NaN where unclassified).
    flagged, off_grid : array-like of bool
        Rows with any flag; rows flagged ``off_grid``.
    title : str, optional
        Figure title.
    max_points : int, optional
        At most this many rows are drawn (a random subset, seeded by
        ``seed``) so that huge catalogues stay readable; the title says so.
    seed : int, optional
        Seed of that subset.
    path : str or path-like, optional
        Write the figure there as PNG.
    y_feature : str, optional
        ``log_OIII5006_HB4861`` (default: the BPT panels) or ``log_NII6583_HA6562``
        (:data:`RED_PLANE`, against [SII]/Halpha: for a catalogue without [OIII]).

    Returns
    -------
    matplotlib.figure.Figure
        One axis per panel: one scatter collection per predicted class present
        (then one of off-grid crosses where there are any), one line per
        demarcation drawn.
    """
    panels = _panels(features, y_feature)
    y_all = np.asarray(features[y_feature], dtype=float)
    n = len(y_all)
    predicted = np.asarray(predicted).astype(str)
    probability = np.asarray(probability, dtype=float)
    flagged = np.asarray(flagged, dtype=bool)
    off_grid = np.asarray(off_grid, dtype=bool)
    for name, values in (("predicted", predicted), ("probability", probability), ("flagged", flagged),
                         ("off_grid", off_grid)):  # fmt: skip
        if len(values) != n:
            raise ValueError(f"{name} has {len(values)} rows, features {n}")
    shown = np.ones(n, dtype=bool)
    if n > max_points:
        shown[:] = False
        shown[np.random.default_rng(seed).choice(n, size=max_points, replace=False)] = True
        title = f"{title} ({max_points:,} of {n:,} rows drawn at random)".strip()
    fig = Figure(figsize=(max(4.3 * len(panels), 6.4), 4.8), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False, sharey=True).ravel()
    ylim = bpt_limits(y_all, _PLANES[y_feature][0])
    classes = class_order(predicted)
    strength = 0.15 + 0.85 * np.clip((probability - 1 / 3) / (2 / 3), 0, 1)
    for ax, panel in zip(axes, panels):
        x_all = np.asarray(features[panel[0]], dtype=float)
        good = np.isfinite(x_all) & np.isfinite(y_all)
        for p in classes:
            rows = np.flatnonzero(good & shown & (predicted == p))
            if not len(rows):
                continue
            rows = rows[np.argsort(np.nan_to_num(strength[rows], nan=1.0), kind="stable")]
            colours = _shaded(class_colour(p), strength[rows]) if p else _shaded(UNCLASSIFIED_COLOUR, np.ones(len(rows)))
            edges = np.where(flagged[rows, None], np.array([[0, 0, 0, 1.0]]), colours)
            ax.scatter(x_all[rows], y_all[rows], s=18, c=colours, edgecolors=edges, linewidths=0.6, zorder=3,
                       rasterized=len(rows) > 5000)  # fmt: skip
        crosses = good & shown & off_grid
        if crosses.any():
            ax.scatter(x_all[crosses], y_all[crosses], s=22, marker="x", color="k", linewidths=0.8, zorder=4)
        _finish_panel(ax, panel, x_all, good, ylim)
    axes[0].set_ylabel(FEATURE_LABELS[y_feature])
    axes[0].tick_params(labelleft=True)
    handles = [
        Line2D([], [], ls="", marker="o", ms=7, mfc=class_colour(p) if p else UNCLASSIFIED_COLOUR, mec="none",
               label=p or "unclassified")
        for p in classes
    ]  # fmt: skip
    handles.append(Line2D([], [], ls="", marker="o", ms=7, mfc=_shaded(class_colour("HII"), np.array([0.3]))[0],
                          mec="none", label="paler: less probable"))  # fmt: skip
    handles.append(Line2D([], [], ls="", marker="o", ms=7, mfc="white", mec="k", label="flagged"))
    handles.append(Line2D([], [], ls="", marker="x", ms=6, color="k", label="off grid"))
    ncol = len(handles) if len(panels) > 1 else 3  # one panel: two rows fit its width
    fig.legend(handles=handles, loc="outside lower center", ncol=ncol, frameon=False, fontsize=9)
    if title:
        fig.suptitle(title)
    save_png(fig, path)
    return fig
