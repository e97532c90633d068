"""SYNTHETIC MAPS files with their region mask and truth (tests and benchmarks only).

:func:`make_synthetic_maps` draws a galaxy-like field, with a stated recipe:

* **WCS**: RA/Dec gnomonic (``RA---TAN``/``DEC--TAN``), 0.2 arcsec spaxels
  (MUSE), centred on ``(ra, dec)``.
* **nebulae**: one per ``700`` spaxels, placed uniformly; class mix
  :data:`CLASS_FRACTIONS`; line ratios of a random model of the class's
  shipped grid (:func:`nebuladapt.grids.source_line_fluxes`; the [SII] sum
  split with 6716/6731 ~ U(0.6, 1.4), [OI]6300 = Halpha x 10**N(-1.6, 0.3)
  where a grid lacks it, as :mod:`nebuladapt.synthetic` does); total Halpha
  flux ``10**N(mu, s)`` (1e-20 erg/s/cm^2; :data:`HALPHA_LOG_FLUX`); a
  circular Gaussian profile of width ``sqrt(psf^2 + size^2)`` with PSF sigma
  :data:`PSF_SIGMA` and intrinsic size :data:`SIZE_SIGMA` (PNe: unresolved).
* **dust**: each nebula reddened by ``E(B-V) ~ Exponential(0.25)`` with the
  package's law (:func:`nebuladapt.dust.extinction_k`).
* **diffuse ionised gas**: an exponential disc of Halpha surface brightness
  (:data:`DIG_HALPHA` at the centre, lognormal texture) with DIG-like ratios
  :data:`DIG_RATIOS` and ``E(B-V) = 0.2``; it is *not* one of the classes.
* **noise**: ``err = sqrt(bg**2 + F)`` per line (background :data:`BACKGROUND`
  plus photon noise), observed = model + N(0, err); a corner of the field is
  outside the footprint (NaN in every map, as at the edge of a MUSE mosaic).

Truth: the **mask** gives each nebula the spaxels within 2 sigma of its centre
where it is the brightest nebula in Halpha (-1 elsewhere), as a segmentation
of the Halpha map would; the **per-spaxel truth** is the class of the nebula
giving most of the spaxel's Halpha, or 0 where the diffuse gas gives more;
the **region table** holds each masked nebula's class and the catalogue a
survey would publish for it: the noise-free line flux inside its mask (the
nebula, plus whatever diffuse gas and neighbours lie in front of it, as an
integrated spectrum of the region holds) plus an independent noise draw with
the quadrature sum of the spaxel errors. Region photometry of the map and
this catalogue thus measure the same light with different noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from astropy.io import fits
from astropy.table import Table
from astropy.wcs import WCS

from nebuladapt import CLASSES
from nebuladapt.lines import SYNTHETIC_LINES
from nebuladapt.synthetic import SYNTHETIC_GRID_LINES, complete_grid_lines

__all__ = [
    "CLASS_FRACTIONS",
    "SyntheticMaps",
    "make_synthetic_maps",
    "write_synthetic_maps",
    "TRUTH_CLASS_COLUMN",
]

CLASS_FRACTIONS = {"HII": 0.7, "PN": 0.15, "SNR": 0.15}
#: log10 total Halpha flux (1e-20 erg/s/cm^2): mean and scatter per class.
HALPHA_LOG_FLUX = {"HII": (4.6, 0.5), "PN": (3.6, 0.3), "SNR": (3.9, 0.4)}
#: Intrinsic Gaussian sigma (spaxels): uniform range per class.
SIZE_SIGMA = {"HII": (1.0, 4.0), "PN": (0.0, 0.0), "SNR": (0.5, 2.0)}
PSF_SIGMA = 1.2
#: Halpha surface brightness of the diffuse gas at the centre (1e-20 erg/s/cm^2/spaxel).
DIG_HALPHA = 120.0
#: Line / Halpha of the diffuse gas, by line (Hbeta from case B).
DIG_RATIOS = {"HB4861": 1 / 2.86, "OIII5006": 0.35, "HA6562": 1.0, "NII6583": 0.45,
              "SII6716": 0.28, "SII6730": 0.2, "OI6300": 0.06}  # fmt: skip
#: Per-spaxel background noise by line (1e-20 erg/s/cm^2).
BACKGROUND = {"HB4861": 20.0, "OIII5006": 15.0, "HA6562": 12.0, "NII6583": 12.0,
              "SII6716": 12.0, "SII6730": 12.0, "OI6300": 12.0}  # fmt: skip
SPAXELS_PER_NEBULA = 700
TRUTH_CLASS_COLUMN = "true_class"
BUNIT = "1e-20 erg / (cm2 s)"


@dataclass
class SyntheticMaps:
    """A SYNTHETIC MAPS file in memory.

    Attributes
    ----------
    maps : astropy.io.fits.HDUList
        ``<LINE>_FLUX`` and ``<LINE>_FLUX_ERR`` image extensions.
    mask : ndarray of int32
        Region IDs, -1 outside nebulae.
    truth : ndarray of int16
        Per-spaxel true class code (0 diffuse gas, ``k + 1`` for ``CLASSES[k]``).
    regions : astropy.table.Table
        ``region_ID``, :data:`TRUTH_CLASS_COLUMN`, ``x``, ``y``, ``n_spaxels``
        and the catalogue fluxes ``<LINE>_FLUX``/``_FLUX_ERR``.
    wcs : astropy.wcs.WCS
    """

    maps: fits.HDUList
    mask: np.ndarray
    truth: np.ndarray
    regions: Table
    wcs: WCS


def _wcs(shape, ra: float, dec: float, scale_arcsec: float) -> WCS:
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.cunit = ["deg", "deg"]
    wcs.wcs.cdelt = [-scale_arcsec / 3600.0, scale_arcsec / 3600.0]
    wcs.wcs.crval = [ra, dec]
    wcs.wcs.crpix = [(shape[1] + 1) / 2.0, (shape[0] + 1) / 2.0]
    wcs.wcs.radesys = "ICRS"
    return wcs


def _nebula_lines(cls: str, n: int, rng) -> np.ndarray:
    """Intrinsic line fluxes (Halpha = 1), shape (n, len(SYNTHETIC_LINES))."""
    from nebuladapt.grids import source_line_fluxes

    grid = source_line_fluxes(SYNTHETIC_GRID_LINES, classes=cls)[0]
    relative = complete_grid_lines(grid[rng.integers(0, len(grid), n)], rng)
    return relative / relative[:, [SYNTHETIC_LINES.index("HA6562")]]


def _extinction() -> np.ndarray:
    from nebuladapt.dust import extinction_k

    return np.array([extinction_k(line) for line in SYNTHETIC_LINES])


def _dig(shape, rng) -> np.ndarray:
    """Halpha surface brightness of the diffuse gas: exponential disc, lognormal texture."""
    from scipy.ndimage import zoom

    ny, nx = shape
    y, x = np.ogrid[:ny, :nx]
    r = np.hypot((y - ny / 2) / ny, (x - nx / 2) / nx)
    coarse = rng.normal(0.0, 0.4, (max(2, ny // 16), max(2, nx // 16)))
    texture = zoom(coarse, (ny / coarse.shape[0], nx / coarse.shape[1]), order=1)[:ny, :nx]
    return (DIG_HALPHA * np.exp(-r / 0.35) * np.exp(texture)).astype(np.float32)


def make_synthetic_maps(
    shape: tuple[int, int] = (200, 200),
    seed: int = 0,
    *,
    ra: float = 23.4621,
    dec: float = 30.6599,
    scale_arcsec: float = 0.2,
) -> SyntheticMaps:
    """A SYNTHETIC MAPS file, its region mask and truth (recipe in the module docstring).

    Parameters
    ----------
    shape : (ny, nx)
    seed : int
        Same seed, same maps.
    ra, dec : float
        Field centre (deg; default the centre of M33).
    scale_arcsec : float
        Spaxel size.

    Returns
    -------
    SyntheticMaps
    """
    rng = np.random.default_rng(seed)
    ny, nx = shape
    n_lines = len(SYNTHETIC_LINES)
    k_line = _extinction()
    n_neb = max(1, ny * nx // SPAXELS_PER_NEBULA)
    names = list(CLASS_FRACTIONS)
    p = np.array([CLASS_FRACTIONS[c] for c in names])
    label = rng.choice(len(names), size=n_neb, p=p / p.sum())
    ratios = np.empty((n_neb, n_lines))
    log_flux = np.empty(n_neb)
    size = np.empty(n_neb)
    for k, cls in enumerate(names):
        rows = np.flatnonzero(label == k)
        ratios[rows] = _nebula_lines(cls, len(rows), rng)
        log_flux[rows] = rng.normal(*HALPHA_LOG_FLUX[cls], len(rows))
        size[rows] = rng.uniform(*SIZE_SIGMA[cls], len(rows))
    ebv = rng.exponential(0.25, n_neb)
    total = ratios * (10.0**log_flux)[:, None] * 10.0 ** (-0.4 * ebv[:, None] * k_line[None, :])
    sigma = np.hypot(PSF_SIGMA, size)
    cy, cx = rng.uniform(0, ny, n_neb), rng.uniform(0, nx, n_neb)

    dig_ha = _dig(shape, rng)
    dig_red = 10.0 ** (-0.4 * 0.2 * (k_line - k_line[SYNTHETIC_LINES.index("HA6562")]))
    model = np.empty((n_lines, ny, nx), dtype=np.float32)
    for j, line in enumerate(SYNTHETIC_LINES):
        model[j] = dig_ha * np.float32(DIG_RATIOS[line] * dig_red[j])
    best = dig_ha.copy()
    owner = np.full(shape, -1, dtype=np.int32)
    ia = SYNTHETIC_LINES.index("HA6562")
    stamps = []
    for i in range(n_neb):
        half = int(np.ceil(4 * sigma[i]))
        y0, y1 = max(0, int(cy[i]) - half), min(ny, int(cy[i]) + half + 1)
        x0, x1 = max(0, int(cx[i]) - half), min(nx, int(cx[i]) + half + 1)
        yy, xx = np.ogrid[y0:y1, x0:x1]
        r2 = ((yy + 0.5 - cy[i]) ** 2 + (xx + 0.5 - cx[i]) ** 2) / sigma[i] ** 2
        profile = (np.exp(-0.5 * r2) / (2 * np.pi * sigma[i] ** 2)).astype(np.float32)
        model[:, y0:y1, x0:x1] += total[i, :, None, None].astype(np.float32) * profile
        ha = profile * np.float32(total[i, ia])
        view_best, view_owner = best[y0:y1, x0:x1], owner[y0:y1, x0:x1]
        win = ha > view_best
        view_best[win] = ha[win]
        view_owner[win] = i
        stamps.append((y0, y1, x0, x1, profile, r2 <= 4.0))
    background = np.array([BACKGROUND[line] for line in SYNTHETIC_LINES], dtype=np.float32)
    err = np.sqrt(background[:, None, None] ** 2 + np.clip(model, 0, None))
    observed = model + err * rng.standard_normal(model.shape, dtype=np.float32)
    yy, xx = np.ogrid[:ny, :nx]
    outside = (yy / ny + xx / nx) < 0.15  # a corner outside the footprint
    observed[:, outside] = np.nan
    err[:, outside] = np.nan

    mask = np.full(shape, -1, dtype=np.int32)
    truth = np.zeros(shape, dtype=np.int16)
    truth[owner >= 0] = (label[owner[owner >= 0]] + 1).astype(np.int16)
    truth[outside] = 0
    rows = []
    for i, (y0, y1, x0, x1, profile, inner) in enumerate(stamps):
        mine = inner & (owner[y0:y1, x0:x1] == i) & ~outside[y0:y1, x0:x1]
        if not mine.any():
            continue
        mask[y0:y1, x0:x1][mine] = i
        light = model[:, y0:y1, x0:x1][:, mine].astype(np.float64).sum(axis=1)
        cat_err = np.sqrt(np.sum(err[:, y0:y1, x0:x1][:, mine].astype(np.float64) ** 2, axis=1))
        rows.append((i, names[label[i]], cx[i], cy[i], int(mine.sum()),
                     light + cat_err * rng.standard_normal(n_lines), cat_err))  # fmt: skip
    regions = Table(
        {
            "region_ID": np.array([r[0] for r in rows], dtype=np.int64),
            TRUTH_CLASS_COLUMN: np.array([r[1] for r in rows], dtype=str),
            "x": np.array([r[2] for r in rows]),
            "y": np.array([r[3] for r in rows]),
            "n_spaxels": np.array([r[4] for r in rows], dtype=np.int64),
        }
    )
    for j, line in enumerate(SYNTHETIC_LINES):
        regions[f"{line}_FLUX"] = np.array([r[5][j] for r in rows])
        regions[f"{line}_FLUX_ERR"] = np.array([r[6][j] for r in rows])
    regions.meta["comments"] = ["SYNTHETIC nebulae (nebuladapt.maps.synthetic), tests and benchmarks only"]

    wcs = _wcs(shape, ra, dec, scale_arcsec)
    header = wcs.to_header()
    primary = fits.PrimaryHDU()
    primary.header["COMMENT"] = "SYNTHETIC MAPS file (nebuladapt.maps.synthetic): tests and benchmarks only"
    hdus = [primary]
    for j, line in enumerate(SYNTHETIC_LINES):
        for suffix, data in (("_FLUX", observed[j]), ("_FLUX_ERR", err[j])):
            hdu = fits.ImageHDU(data=data, header=header.copy(), name=f"{line}{suffix}")
            hdu.header["BUNIT"] = BUNIT
            hdus.append(hdu)
    return SyntheticMaps(fits.HDUList(hdus), mask, truth, regions, wcs)


def write_synthetic_maps(directory, shape=(200, 200), seed: int = 0, *, overwrite: bool = False) -> dict:
    """Write ``maps.fits``, ``mask.fits`` (region IDs) and ``truth.fits`` into ``directory``.

    ``truth.fits`` holds the per-spaxel truth image (``TRUTH``, codes as
    ``CLASS``) and the region table (``REGIONS``).

    Returns
    -------
    dict of str to Path
        ``maps``, ``mask``, ``truth``.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    synthetic = make_synthetic_maps(shape, seed)
    header = synthetic.wcs.to_header()
    paths = {name: directory / f"{name}.fits" for name in ("maps", "mask", "truth")}
    for path in paths.values():
        if path.exists() and not overwrite:
            raise FileExistsError(f"{path}: exists; pass overwrite=True to replace it")
    synthetic.maps.writeto(paths["maps"], overwrite=True)
    fits.PrimaryHDU(synthetic.mask, header=header).writeto(paths["mask"], overwrite=True)
    codes = fits.ImageHDU(synthetic.truth, header=header, name="TRUTH")
    for k, cls in enumerate(("diffuse", *CLASSES)):
        codes.header[f"CODE{k}"] = cls
    fits.HDUList([fits.PrimaryHDU(), codes, fits.BinTableHDU(synthetic.regions, name="REGIONS")]).writeto(
        paths["truth"], overwrite=True
    )
    return paths
