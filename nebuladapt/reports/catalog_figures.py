"""Figures of the report on a classified catalogue (the output of ``nebuladapt predict``).

* :func:`plot_probability_histograms`: distribution of each class probability,
  stacked by predicted class.
* :func:`plot_sky_map`: positions of the nebulae, coloured by predicted class.
* :func:`find_sky_columns` and :func:`sky_coordinates`: find and read the
  coordinate columns with :class:`astropy.coordinates.SkyCoord`.

BPT planes are :func:`nebuladapt.reports.bpt.plot_catalog_bpt`.
"""

from __future__ import annotations

from os import PathLike

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from nebuladapt import CLASSES
from nebuladapt.reports.style import UNCLASSIFIED_COLOUR, class_colour, class_order, save_png

__all__ = [
    "SKY_COLUMNS",
    "plot_probability_histograms",
    "find_sky_columns",
    "sky_coordinates",
    "plot_sky_map",
    "class_probability_columns",
]

#: Coordinate column pairs looked for, in this order (PHANGS-MUSE, VizieR, lower case).
SKY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("cen_ra", "cen_dec"),
    ("RA", "DEC"),
    ("RAJ2000", "DEJ2000"),
    ("ra", "dec"),
)


def plot_probability_histograms(
    probabilities: dict, predicted, bins: int = 20, path: str | PathLike | None = None
) -> Figure:
    """One panel per class: histogram of that class's probability, stacked by predicted class.

    Parameters
    ----------
    probabilities : dict of str to array-like
        Class name -> probability per row (NaN where unclassified; such rows
        are left out and counted in the panel).
    predicted : array-like of str
        Predicted class per row (``""`` where unclassified).
    bins : int, optional
        Number of bins between 0 and 1.
    path : str or path-like, optional
        Write the figure there as PNG.

    Returns
    -------
    matplotlib.figure.Figure
        One axis per class of ``probabilities``.
    """
    predicted = np.asarray(predicted).astype(str)
    names = list(probabilities)
    if not names:
        raise ValueError("no probability columns to draw")
    fig = Figure(figsize=(3.6 * len(names), 3.4), layout="constrained")
    axes = fig.subplots(1, len(names), squeeze=False, sharey=True).ravel()
    edges = np.linspace(0.0, 1.0, bins + 1)
    order = [c for c in class_order(predicted) if c]
    for ax, name in zip(axes, names):
        values = np.asarray(probabilities[name], dtype=float)
        if len(values) != len(predicted):
            raise ValueError(f"prob_{name} has {len(values)} rows, predicted {len(predicted)}")
        finite = np.isfinite(values)
        groups = [values[finite & (predicted == c)] for c in order]
        if any(len(g) for g in groups):
            ax.hist(groups, bins=edges, stacked=True, color=[class_colour(c) for c in order],
                    label=[f"predicted {c}" for c in order])  # fmt: skip
        ax.set_xlim(0, 1)
        ax.set_xlabel(f"P({name})")
        missing = int((~finite).sum())
        if missing:
            ax.text(0.98, 0.98, f"{missing:,} without probability", transform=ax.transAxes, ha="right",
                    va="top", fontsize=8, color="0.3")  # fmt: skip
    axes[0].set_ylabel("number of nebulae")
    if order:
        handles = [Line2D([], [], ls="", marker="s", ms=8, color=class_colour(c), label=f"predicted {c}") for c in order]
        fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), frameon=False)
    save_png(fig, path)
    return fig


def find_sky_columns(colnames) -> tuple[str, str] | None:
    """The first pair of :data:`SKY_COLUMNS` present in ``colnames``, or None.

    Parameters
    ----------
    colnames : iterable of str
        Column names of a table.

    Returns
    -------
    tuple of str or None
        ``(ra_column, dec_column)``.
    """
    names = set(colnames)
    return next(((ra, dec) for ra, dec in SKY_COLUMNS if ra in names and dec in names), None)


def sky_coordinates(table, columns: tuple[str, str]):
    """Coordinates of every row as a :class:`~astropy.coordinates.SkyCoord` (ICRS).

    Columns with angular units are converted by astropy; unitless columns are
    taken as degrees. Rows with a missing or non-finite coordinate are NaN.

    Parameters
    ----------
    table : astropy.table.Table
        The catalogue.
    columns : tuple of str
        Right-ascension and declination columns.

    Returns
    -------
    astropy.coordinates.SkyCoord
        One coordinate per row.

    Raises
    ------
    ValueError
        If a column is not numeric or its unit is not an angle.
    """
    import astropy.units as u
    from astropy.coordinates import SkyCoord

    values = []
    for name in columns:
        column = table[name]
        unit = column.unit or u.deg
        if not unit.is_equivalent(u.deg):
            raise ValueError(f"column {name!r} has unit {unit}, not an angle")
        if column.dtype.kind not in "iuf":
            raise ValueError(f"column {name!r} is not numeric")
        data = np.ma.filled(np.ma.masked_invalid(np.ma.asarray(column, dtype=float)), np.nan)
        values.append(u.Quantity(data, unit))
    return SkyCoord(ra=values[0], dec=values[1], frame="icrs")


def plot_sky_map(coords, predicted, title: str = "", path: str | PathLike | None = None) -> Figure:
    """Positions of the nebulae coloured by predicted class (RA increasing to the left).

    Offsets from the catalogue's centre in arcseconds, east to the left,
    computed with :meth:`~astropy.coordinates.SkyCoord.spherical_offsets_to`.

    Parameters
    ----------
    coords : astropy.coordinates.SkyCoord
        One coordinate per row (NaN rows are left out and counted).
    predicted : array-like of str
        Predicted class per row (``""`` where unclassified).
    title : str, optional
        Axis title.
    path : str or path-like, optional
        Write the figure there as PNG.

    Returns
    -------
    matplotlib.figure.Figure
        One axis with one scatter collection per predicted class present.
    """
    from astropy.coordinates import SkyCoord

    predicted = np.asarray(predicted).astype(str)
    ra, dec = coords.ra.deg, coords.dec.deg
    good = np.isfinite(ra) & np.isfinite(dec)
    fig = Figure(figsize=(6.2, 6.0), layout="constrained")
    ax = fig.add_subplot()
    if good.any():
        centre = SkyCoord(ra=np.median(ra[good]), dec=np.median(dec[good]), unit="deg")
        east, north = centre.spherical_offsets_to(coords[good])
        x, y = east.arcsec, north.arcsec
        kept = predicted[good]
        for c in class_order(kept):
            rows = kept == c
            ax.scatter(x[rows], y[rows], s=8 if len(x) > 2000 else 16, color=class_colour(c) if c else UNCLASSIFIED_COLOUR,
                       label=c or "unclassified", lw=0, alpha=0.9, rasterized=len(x) > 5000)  # fmt: skip
        ax.set_aspect("equal", adjustable="datalim")
        ax.invert_xaxis()
        ax.legend(loc="upper right", fontsize=9, markerscale=1.5)
        ax.set_xlabel(f"east offset (arcsec) from RA {centre.ra.deg:.5f}°")
        ax.set_ylabel(f"north offset (arcsec) from Dec {centre.dec.deg:.5f}°")
    missing = int((~good).sum())
    if missing:
        ax.text(0.02, 0.02, f"{missing:,} rows without coordinates", transform=ax.transAxes, fontsize=8, color="0.3")
    if title:
        ax.set_title(title)
    save_png(fig, path)
    return fig


def class_probability_columns(table) -> dict:
    """``prob_<class>`` columns of a classified table as float arrays (NaN where masked).

    Parameters
    ----------
    table : astropy.table.Table
        Output of ``nebuladapt predict``.

    Returns
    -------
    dict of str to ndarray
        Class name -> probabilities, for the classes of
        :data:`nebuladapt.CLASSES` that have a column.
    """
    out = {}
    for c in CLASSES:
        name = f"prob_{c}"
        if name in table.colnames:
            out[c] = np.ma.filled(np.ma.asarray(table[name], dtype=float), np.nan)
    return out
