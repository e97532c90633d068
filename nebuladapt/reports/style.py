"""Colours, markers, axis labels and small helpers shared by every report figure.

Every figure function of :mod:`nebuladapt.reports` builds a
:class:`matplotlib.figure.Figure` directly (no pyplot state, so they work
headless, with the Agg canvas, and inside other applications) and writes it
with :func:`save_png`.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from nebuladapt import CLASSES

__all__ = [
    "CLASS_COLOURS",
    "SOURCE_CLASS_COLOURS",
    "UNCLASSIFIED_COLOUR",
    "CLASS_MARKERS",
    "FEATURE_LABELS",
    "save_png",
    "class_colour",
    "class_order",
    "two_row_legend",
]

#: Colour of each class (target / observed points, predictions), as in Belfiore et al. 2025, Fig. 7.
CLASS_COLOURS: dict[str, str] = {"HII": "#1f4e9c", "PN": "#b2182b", "SNR": "#1b7837"}
#: Light colour of each class for source (model grid) points.
SOURCE_CLASS_COLOURS: dict[str, str] = {"HII": "#8fb8e8", "PN": "#f4a6a6", "SNR": "#9fd89a"}
#: Colour of rows without a class (unclassified or unlabelled).
UNCLASSIFIED_COLOUR = "#8c8c8c"
#: Marker of each *true* class in :func:`nebuladapt.reports.bpt.plot_bpt`.
CLASS_MARKERS: dict[str, str] = {"HII": "o", "PN": "s", "SNR": "^"}
#: Axis label of each log-ratio feature (names from :class:`nebuladapt.features.LineRatio`).
FEATURE_LABELS: dict[str, str] = {
    "log_OIII5006_HB4861": "log([OIII]5007/Hβ)",
    "log_NII6583_HA6562": "log([NII]6583/Hα)",
    "log_SII6716_6730_HA6562": "log([SII]6716+6731/Hα)",
    "log_OI6300_HA6562": "log([OI]6300/Hα)",
    "log_SII6716_SII6730": "log([SII]6716/6731)",
}


def save_png(fig: Figure, path: str | PathLike | None, dpi: int = 150) -> None:
    """Write ``fig`` as PNG at ``path`` (parents created); do nothing if ``path`` is None.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    path : str or path-like or None
        Output file.
    dpi : int, optional
        Resolution.
    """
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=dpi, format="png")


def class_colour(label: str, source: bool = False) -> str:
    """Colour of a class label (grey for anything that is not a class).

    Parameters
    ----------
    label : str
        Class name, or ``""`` for unclassified.
    source : bool, optional
        The light colour used for model-grid (source) points.

    Returns
    -------
    str
        A matplotlib colour.
    """
    table = SOURCE_CLASS_COLOURS if source else CLASS_COLOURS
    return table.get(str(label), UNCLASSIFIED_COLOUR)


def class_order(labels) -> list[str]:
    """Labels present, known classes first (in :data:`nebuladapt.CLASSES` order), then others.

    Parameters
    ----------
    labels : array-like of str
        Labels, possibly repeated.

    Returns
    -------
    list of str
        Each distinct label once.
    """
    present = list(dict.fromkeys(np.asarray(labels).astype(str).tolist()))
    return [c for c in CLASSES if c in present] + sorted(c for c in present if c not in CLASSES)


def _blank_handle() -> Line2D:
    return Line2D([], [], ls="", marker="", label=" ")


def two_row_legend(top: list, bottom: list) -> tuple[list, int]:
    """Legend handles ordered for a column-major legend: ``top`` on row 1, ``bottom`` on row 2.

    Parameters
    ----------
    top, bottom : list of matplotlib.artist.Artist
        Handles of each row.

    Returns
    -------
    handles : list
        Interleaved handles (blank ones pad the shorter row).
    ncol : int
        Number of legend columns to use.
    """
    ncol = max(len(top), len(bottom), 1)
    top = top + [_blank_handle() for _ in range(ncol - len(top))]
    bottom = bottom + [_blank_handle() for _ in range(ncol - len(bottom))]
    return [h for pair in zip(top, bottom) for h in pair], ncol
