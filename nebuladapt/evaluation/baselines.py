"""Classical line-ratio classification cuts (no training, no adaptation).

The published criteria (:mod:`nebuladapt.evaluation.diagnostics`,
:mod:`nebuladapt.evaluation.kopsacheili`) are combined through named boolean
masks (:class:`Criterion`, :func:`nebula_masks`), never magic integers, in the
decision order

1. **SNR** test first;
2. otherwise a **PN** test;
3. otherwise **HII**.

A row gets a label only where every test on its path could be evaluated: a row
whose SNR test needs a missing ratio is unclassified (``""``); a row that fails
the SNR test but whose PN test needs a missing ratio is unclassified too. A
row whose SNR test succeeds is an SNR whatever its other ratios. Missing ratios
are NaN; ratio names are those of :mod:`nebuladapt.evaluation.diagnostics`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

from nebuladapt.evaluation.diagnostics import (
    CIARDULLO02_M_STAR,
    HA_HB,
    NII_HA,
    OI_HA,
    OII_HB,
    OIII_HB,
    SII_HA,
    ciardullo02_log_r,
    ciardullo02_pn,
    kewley01_nii,
    kewley01_sii,
    sii_ha_snr,
)
from nebuladapt.evaluation.kopsacheili import (
    KOPSACHEILI20_2D,
    KOPSACHEILI20_3D,
    kopsacheili20_2d,
    kopsacheili20_3d,
)
from nebuladapt.features import CLASSICAL_RATIOS, FeatureSpec, catalog_line_matrix, log_ratios

__all__ = [
    "Criterion",
    "above_curve",
    "nebula_masks",
    "masks_to_labels",
    "CLASSICAL_BASELINES",
    "classify_classical",
    "classical_cuts",
    "catalog_classical_cuts",
]


def _as_float(values) -> np.ndarray:
    return np.asarray(values, dtype=float)


@dataclass(frozen=True)
class Criterion:
    """Outcome of one classical test on every row, as two named masks.

    Attributes
    ----------
    passed : ndarray of bool
        True where the test holds (always False where it is not ``known``).
    known : ndarray of bool
        True where every ratio the test needs is measured.
    """

    passed: np.ndarray
    known: np.ndarray

    @classmethod
    def from_values(cls, passed, *needed) -> "Criterion":
        """A criterion known where every array in ``needed`` is finite."""
        known = np.ones(np.shape(passed), dtype=bool)
        for values in needed:
            known &= np.isfinite(_as_float(values))
        return cls(np.asarray(passed, dtype=bool) & known, known)

    def otherwise(self, fallback: "Criterion") -> "Criterion":
        """This test where it is known, else ``fallback``."""
        return Criterion(
            np.where(self.known, self.passed, fallback.passed),
            self.known | fallback.known,
        )


def above_curve(y, curve, x, x_max: float) -> Criterion:
    """Rows above a BPT demarcation curve, or right of its asymptote.

    Parameters
    ----------
    y : array-like
        ``log([OIII]/Hb)``.
    curve : array-like
        The curve evaluated at ``x`` (NaN at and right of the asymptote).
    x : array-like
        The abscissa ratio.
    x_max : float
        The curve's asymptote: every measured point with ``x >= x_max`` lies
        on the "above" side.
    """
    y, curve, x = _as_float(y), _as_float(curve), _as_float(x)
    with np.errstate(invalid="ignore"):
        passed = np.where(np.isfinite(curve), y > curve, x >= x_max)
    return Criterion.from_values(passed, y, x)


def nebula_masks(snr: Criterion, pn: Criterion) -> dict[str, np.ndarray]:
    """Named class masks from an SNR test and a PN test (SNR first, then PN, else HII).

    Returns
    -------
    dict
        ``"SNR"``, ``"PN"``, ``"HII"`` and ``"unclassified"``: disjoint boolean
        masks covering every row.
    """
    not_snr = snr.known & ~snr.passed
    masks = {
        "SNR": snr.known & snr.passed,
        "PN": not_snr & pn.known & pn.passed,
        "HII": not_snr & pn.known & ~pn.passed,
    }
    masks["unclassified"] = ~(masks["SNR"] | masks["PN"] | masks["HII"])
    return masks


def masks_to_labels(masks: Mapping[str, np.ndarray]) -> np.ndarray:
    """``"HII"``/``"PN"``/``"SNR"`` labels from :func:`nebula_masks`, ``""`` where unclassified."""
    out = np.full(np.shape(masks["unclassified"]), "", dtype=object)
    for label in ("HII", "PN", "SNR"):
        out[masks[label]] = label
    return out.astype(str)


# ---------------------------------------------------------------------------
# Baselines for the experiment table
# ---------------------------------------------------------------------------


def _sii_snr(f: Mapping[str, np.ndarray]) -> Criterion:
    return Criterion.from_values(sii_ha_snr(f[SII_HA]), f[SII_HA])


def _kopsacheili_snr(name: str, three_d: bool = False) -> Callable[[Mapping], Criterion]:
    if three_d:
        table, func = KOPSACHEILI20_3D, kopsacheili20_3d
    else:
        table, func = KOPSACHEILI20_2D, kopsacheili20_2d
    axes, _ = table[name]

    def test(f: Mapping[str, np.ndarray]) -> Criterion:
        values = [f[a] for a in axes]
        with np.errstate(invalid="ignore"):
            return Criterion.from_values(func(name, *values) > 0, *values)

    return test


def _kewley01_pn(f: Mapping[str, np.ndarray], m_5007: float) -> Criterion:
    """Above the Kewley 2001 [NII] line; where [NII] is missing, the [SII] line (m_5007 unused)."""
    by_nii = above_curve(f[OIII_HB], kewley01_nii(f[NII_HA]), f[NII_HA], 0.47)
    by_sii = above_curve(f[OIII_HB], kewley01_sii(f[SII_HA]), f[SII_HA], 0.32)
    return by_nii.otherwise(by_sii)


def _ciardullo02_pn(f: Mapping[str, np.ndarray], m_5007: float) -> Criterion:
    """Ciardullo R where [NII] is measured; else above the Kewley 2001 [SII] line."""
    log_r = ciardullo02_log_r(f[OIII_HB], f[NII_HA], f.get(HA_HB))
    by_r = Criterion.from_values(ciardullo02_pn(log_r, m_5007), log_r)
    by_sii = above_curve(f[OIII_HB], kewley01_sii(f[SII_HA]), f[SII_HA], 0.32)
    return by_r.otherwise(by_sii)


#: Baseline name -> (SNR test, PN test); see :func:`classify_classical`.
CLASSICAL_BASELINES: dict[str, tuple[Callable, Callable]] = {
    "SII/Ha>0.4 + Kewley01 PN": (_sii_snr, _kewley01_pn),
    "SII/Ha>0.4 + Ciardullo02 R PN": (_sii_snr, _ciardullo02_pn),
    "Kopsacheili20 SII-NII + Kewley01 PN": (_kopsacheili_snr("SII-NII"), _kewley01_pn),
    "Kopsacheili20 OI-OIII + Kewley01 PN": (_kopsacheili_snr("OI-OIII"), _kewley01_pn),
    "Kopsacheili20 NII-SII-OI (3D) + Kewley01 PN": (
        _kopsacheili_snr("NII-SII-OI", three_d=True),
        _kewley01_pn,
    ),
}


def classify_classical(
    features: Mapping[str, np.ndarray],
    baselines=None,
    m_5007: float = CIARDULLO02_M_STAR,
) -> dict[str, np.ndarray]:
    """Named classical baselines, each a label array of ``HII``/``PN``/``SNR``/``""``.

    Decision order for every baseline: its SNR test first; else its PN test;
    else HII (:func:`nebula_masks`). A test needing a missing ratio is unknown
    for that row, so the row is unclassified (``""``) unless an earlier test
    already decided it. Baselines:

    * ``"SII/Ha>0.4 + Kewley01 PN"``: SNR if [SII]/Ha > 0.4
      (:func:`sii_ha_snr`); PN if above the Kewley 2001 [NII] line
      (:func:`kewley01_nii`: ionisation harder than any starburst) or, where
      [NII] is missing, above the Kewley 2001 [SII] line.
    * ``"SII/Ha>0.4 + Ciardullo02 R PN"``: same SNR test; PN if
      ``log R > -0.37 M_5007 - 1.16`` (:func:`ciardullo02_pn`, at ``m_5007``,
      default the PNLF cutoff) where [NII] is measured, else the Kewley 2001
      [SII] line.
    * ``"Kopsacheili20 SII-NII + Kewley01 PN"``, ``"Kopsacheili20 OI-OIII +
      Kewley01 PN"``, ``"Kopsacheili20 NII-SII-OI (3D) + Kewley01 PN"``: SNR if
      the Kopsacheili et al. 2020 decision function is positive
      (:func:`kopsacheili20_2d`, :func:`kopsacheili20_3d`), then the Kewley
      PN test. The [OI] ones classify only rows with [OI]6300.

    Parameters
    ----------
    features : mapping of str to array-like
        Log ratios named as in :mod:`nebuladapt.features` (:data:`OIII_HB`,
        :data:`NII_HA`, :data:`SII_HA`, :data:`OI_HA`, optionally
        :data:`OII_HB` and :data:`HA_HB`); a missing key means the ratio is
        missing for every row. All arrays have the same length.
    baselines : sequence of str, optional
        Names from :data:`CLASSICAL_BASELINES` (default all).
    m_5007 : float
        [OIII] absolute magnitude at which the Ciardullo line is evaluated.

    Returns
    -------
    dict of str to ndarray of str
    """
    lengths = {len(np.atleast_1d(v)) for v in features.values()}
    if len(lengths) != 1:
        raise ValueError(f"feature arrays differ in length: {sorted(lengths)}")
    n = lengths.pop()
    f = {k: np.atleast_1d(_as_float(v)) for k, v in features.items()}
    for key in (OIII_HB, NII_HA, SII_HA, OI_HA, OII_HB):
        f.setdefault(key, np.full(n, np.nan))
    out = {}
    for name in baselines or CLASSICAL_BASELINES:
        snr_test, pn_test = CLASSICAL_BASELINES[name]
        out[name] = masks_to_labels(nebula_masks(snr_test(f), pn_test(f, m_5007)))
    return out


def classical_cuts(log_oiii_hb, log_nii_ha, log_sii_ha) -> np.ndarray:
    """Simple classical classification: SNR, then PN, else HII.

    * SNR where ``[SII]/Halpha > 0.4`` (:func:`sii_ha_snr`);
    * otherwise PN where ``[OIII]/Hbeta`` lies above the Kewley et al. 2001
      maximum-starburst line in the [NII] BPT (:func:`kewley01_nii`), i.e.
      harder ionisation than any star-forming region;
    * otherwise HII.

    A row is left unclassified (``""``) where a ratio needed for its decision is
    missing (NaN). Unlike ``"SII/Ha>0.4 + Kewley01 PN"`` in
    :func:`classify_classical`, there is no [SII]-line fallback for rows
    without [NII].

    Returns
    -------
    ndarray of str
    """
    oiii, nii, sii = _as_float(log_oiii_hb), _as_float(log_nii_ha), _as_float(log_sii_ha)
    snr = Criterion.from_values(sii_ha_snr(sii), sii)
    pn = above_curve(oiii, kewley01_nii(nii), nii, 0.47)
    return masks_to_labels(nebula_masks(snr, pn))


def catalog_classical_cuts(catalog) -> np.ndarray:
    """:func:`classical_cuts` of a catalogue's rows, from its fluxes as given.

    Parameters
    ----------
    catalog : LineCatalog
        Dereddened beforehand where that is wanted (:func:`nebuladapt.dust.deredden_catalog`);
        lines are read with :func:`nebuladapt.features.catalog_line_matrix`.

    Returns
    -------
    ndarray of str
        ``HII``/``PN``/``SNR``, ``""`` where a ratio the decision needs is missing.
    """
    spec = FeatureSpec(CLASSICAL_RATIOS)  # [OIII]/Hbeta, [NII]/Halpha, [SII]/Halpha
    flux, _, _ = catalog_line_matrix(catalog, spec.lines)
    return classical_cuts(*log_ratios(flux, spec).T)
