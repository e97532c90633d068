"""Quick-look picture of a classified map: class map with a legend, PN and SNR probabilities.

Drawn with matplotlib's WCSAxes (``projection=wcs``), so the axes are RA and
Dec. Large maps are shown at a stride (every ``n``-th spaxel) that keeps the
picture under ``max_pixels`` per side; the WCS is sliced the same way.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from astropy.io import fits
from astropy.wcs import WCS

from nebuladapt.maps.classify import CLASS_CODES
from nebuladapt.reports import style

__all__ = ["CLASS_COLOURS", "quicklook_png"]

#: Colour of each CLASS code name in the picture: the report's class colours, plus grey.
CLASS_COLOURS = {"unclassified": style.UNCLASSIFIED_COLOUR, **style.CLASS_COLOURS}


def quicklook_png(classes_path, out, *, title: str | None = None, max_pixels: int = 1000, extension: str = "CLASS") -> Path:
    """Draw ``CLASSES.fits`` as a three-panel PNG.

    Parameters
    ----------
    classes_path : path-like
        A file written by :func:`nebuladapt.maps.write_classes`.
    out : path-like
        PNG to write.
    title : str, optional
    max_pixels : int
        Largest number of displayed spaxels per side.
    extension : str
        ``CLASS`` (spaxels) or ``REGION_CLASS`` (classes painted by region).

    Returns
    -------
    Path
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    with fits.open(classes_path, memmap=True) as hdul:
        if extension not in hdul:
            raise ValueError(f"{classes_path}: no {extension} extension")
        header = hdul[extension].header
        ny, nx = header["NAXIS2"], header["NAXIS1"]
        step = max(1, int(np.ceil(max(ny, nx) / max_pixels)))
        wcs = WCS(header, naxis=2)[::step, ::step]
        codes = np.asarray(hdul[extension].data[::step, ::step])
        probs = {cls: np.asarray(hdul[f"PROB_{cls}"].data[::step, ::step]) for cls in ("PN", "SNR")}
    names = [CLASS_CODES[k] for k in sorted(CLASS_CODES)]
    cmap = ListedColormap([CLASS_COLOURS[n] for n in names])
    fig = plt.figure(figsize=(15, 5.2))
    ax = fig.add_subplot(1, 3, 1, projection=wcs)
    ax.imshow(codes, origin="lower", cmap=cmap, vmin=-0.5, vmax=len(names) - 0.5, interpolation="nearest")
    counts = np.bincount(codes.reshape(-1).clip(0, len(names) - 1), minlength=len(names))
    total = max(1, codes.size)
    ax.legend(
        handles=[Patch(color=CLASS_COLOURS[n], label=f"{n} ({100 * c / total:.1f}%)") for n, c in zip(names, counts)],
        loc="upper right", fontsize=8, framealpha=0.9,
    )
    ax.set_title("class" if extension == "CLASS" else "class by region")
    for i, cls in enumerate(("PN", "SNR"), start=2):
        axp = fig.add_subplot(1, 3, i, projection=wcs)
        image = axp.imshow(probs[cls], origin="lower", cmap="magma", vmin=0, vmax=1, interpolation="nearest")
        axp.set_title(f"P({cls})")
        fig.colorbar(image, ax=axp, fraction=0.046, pad=0.04)
    for axis in fig.axes:
        if hasattr(axis, "coords"):
            axis.coords[0].set_axislabel("RA")
            axis.coords[1].set_axislabel("Dec")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=90)
    plt.close(fig)
    return out
