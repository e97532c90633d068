"""Log line-ratio features with explicit masks for missing lines.

Data flow: a :class:`~nebuladapt.catalogs.LineCatalog` (or a grid table) gives a
matrix of line fluxes in the order :attr:`FeatureSpec.lines`; :func:`log_ratios`
turns fluxes into ``log10`` ratios (NaN where a line is missing or non-positive)
and works on NumPy arrays and torch tensors alike, so the same definition serves
observed rows and noise-injected model rows during training.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nebuladapt.lines import CASE_B_HA_HB, DOUBLET_RATIOS, SUMMED_LINES, derivable_lines

__all__ = [
    "LineRatio",
    "FeatureSpec",
    "RATIOS",
    "DEFAULT_RATIOS",
    "EXTRA_RATIOS",
    "DEFAULT_GRID_LINES",
    "default_feature_spec",
    "feature_spec_for_lines",
    "feature_spec_for_grids",
    "catalog_line_matrix",
    "catalog_line_arrays",
    "catalog_limit_matrix",
    "log_ratios",
    "usable_rows",
    "oiii_only_rows",
    "nii_only_rows",
    "missing_line_share",
    "row_line_flags",
    "line_flag_masks",
    "LINE_FLAG_KINDS",
    "LOW_SNR",
    "ratio_reddening",
    "OIII_HA",
    "NII_HA",
    "CLASSICAL_RATIOS",
]

#: Signal-to-noise below which a line is flagged ``low_snr:<LINE>`` (still used).
LOW_SNR = 3.0
#: Kinds of per-line flags, in the order a row lists them.
LINE_FLAG_KINDS = ("missing", "nonpositive", "bad_err", "low_snr")


@dataclass(frozen=True)
class LineRatio:
    """A line ratio ``numerator / denominator`` used as ``log10`` feature."""

    numerator: str
    denominator: str

    @property
    def name(self) -> str:
        """Feature name, e.g. ``log_OIII5006_HB4861``."""
        return f"log_{self.numerator}_{self.denominator}"


#: [OIII]5007/Halpha: survives a missing Hbeta (the line most often lost in dusty regions) but
#: carries the dust of rows that could not be dereddened, so training reddens models at random
#: where Hbeta is missing (:func:`nebuladapt.models.training.redden_without_hbeta`). A default
#: ratio since the choice of ``benchmarks/results/oiii_ha_choice.md``.
OIII_HA = LineRatio("OIII5006", "HA6562")
#: [NII]6583/Halpha: alone, it does not separate HII regions from SNRs (:func:`nii_only_rows`).
NII_HA = LineRatio("NII6583", "HA6562")
#: Every line ratio nebuladapt can use as a feature, in feature order: THE place to
#: add a ratio. ``nebuladapt fit`` uses each one that every grid in use provides
#: (:func:`feature_spec_for_lines` on :meth:`nebuladapt.grids.GridSet.provided_lines`).
RATIOS: tuple[LineRatio, ...] = (
    LineRatio("OIII5006", "HB4861"),  # [OIII]5007/Hbeta
    NII_HA,  # [NII]6583/Halpha
    LineRatio("SII6716_6730", "HA6562"),  # [SII]6716+6731/Halpha
    OIII_HA,  # [OIII]5007/Halpha
    LineRatio("OI6300", "HA6562"),  # [OI]6300/Halpha: shocks vs photoionisation
    LineRatio("SII6716", "SII6730"),  # [SII] doublet ratio: electron density
)
#: The three classical ratios ([OIII]/Hbeta, [NII]/Halpha, [SII]/Halpha): the
#: features of Belfiore et al. (2025) and of the default before [OIII]/Halpha.
CLASSICAL_RATIOS: tuple[LineRatio, ...] = RATIOS[:3]
#: Lines every shipped default grid gives in every model (3MdB exports: Hbeta, [OIII]5007,
#: Halpha, [NII]6583, [OII]3726, [SII] sum only); tests/grids check it against the grids.
DEFAULT_GRID_LINES = frozenset({"HB4861", "OIII5006", "HA6562", "NII6583", "SII6716_6730", "OII3726"})


@dataclass(frozen=True)
class FeatureSpec:
    """An ordered set of line-ratio features.

    Attributes
    ----------
    ratios : tuple of LineRatio
    """

    ratios: tuple[LineRatio, ...]

    @property
    def names(self) -> list[str]:
        """Feature names in order."""
        return [ratio.name for ratio in self.ratios]

    @property
    def lines(self) -> list[str]:
        """Canonical line names needed, in first-use order."""
        seen: list[str] = []
        for ratio in self.ratios:
            for line in (ratio.numerator, ratio.denominator):
                if line not in seen:
                    seen.append(line)
        return seen

    def line_groups(self) -> list[list[int]]:
        """For each line of :attr:`lines`, the indices of the ratios that hold it (lost with it)."""
        return [[k for k, r in enumerate(self.ratios) if line in (r.numerator, r.denominator)] for line in self.lines]

    def index(self) -> tuple[list[int], list[int]]:
        """Column indices (in :attr:`lines`) of numerators and denominators."""
        lines = self.lines
        num = [lines.index(r.numerator) for r in self.ratios]
        den = [lines.index(r.denominator) for r in self.ratios]
        return num, den

    def to_dict(self) -> dict:
        """JSON-serialisable description."""
        return {"ratios": [[r.numerator, r.denominator] for r in self.ratios]}

    @classmethod
    def from_dict(cls, data: dict) -> "FeatureSpec":
        """Inverse of :meth:`to_dict`."""
        return cls(tuple(LineRatio(n, d) for n, d in data["ratios"]))

    @classmethod
    def from_names(cls, names) -> "FeatureSpec":
        """The spec whose :attr:`names` are ``names`` (each one of :data:`RATIOS`).

        Raises
        ------
        ValueError
            If a name is not a declared ratio's.
        """
        declared = {ratio.name: ratio for ratio in RATIOS}
        unknown = [name for name in names if name not in declared]
        if unknown:
            raise ValueError(f"not a declared line ratio: {', '.join(unknown)}")
        return cls(tuple(declared[name] for name in names))


def default_feature_spec() -> FeatureSpec:
    """The declared ratios (:data:`RATIOS`) every shipped default grid provides.

    Today the three classical ones, [OIII]5007/Hbeta, [NII]6583/Halpha and
    [SII]6716+6731/Halpha, and [OIII]5007/Halpha (:data:`DEFAULT_GRID_LINES`).
    """
    return feature_spec_for_lines(DEFAULT_GRID_LINES)


def feature_spec_for_lines(lines) -> FeatureSpec:
    """The declared ratios (:data:`RATIOS`, in order) whose two lines are in ``lines``.

    Parameters
    ----------
    lines : iterable of str
        Lines available, e.g. :func:`nebuladapt.lines.derivable_lines` of what every grid in use gives.

    Returns
    -------
    FeatureSpec

    Raises
    ------
    ValueError
        If no declared ratio can be formed.
    """
    have = set(lines)
    ratios = tuple(r for r in RATIOS if r.numerator in have and r.denominator in have)
    if not ratios:
        raise ValueError(
            f"no line ratio of nebuladapt ({', '.join(f'{r.numerator}/{r.denominator}' for r in RATIOS)}) "
            f"can be formed from the lines {sorted(have) or 'none'}"
        )
    return FeatureSpec(ratios)


def feature_spec_for_grids(grid_table, class_column: str = "class") -> FeatureSpec:
    """The declared ratios that every class of a grid table provides in every model.

    Parameters
    ----------
    grid_table : astropy.table.Table
        Grid table with a class column and one column per canonical line (as
        :func:`nebuladapt.grids.load_source_grids` returns). For the grids in use
        by a fit, see :meth:`nebuladapt.grids.GridSet.feature_spec`.
    class_column : str
        Column holding the class label.

    Returns
    -------
    FeatureSpec
    """
    labels = np.asarray(grid_table[class_column]).astype(str)
    common = None
    for label in np.unique(labels):
        rows = labels == label
        measured = set()
        for line in grid_table.colnames:
            if line == class_column:
                continue
            try:
                values = np.asarray(grid_table[line], dtype=float)[rows]
            except (TypeError, ValueError):
                continue
            if np.all(np.isfinite(values) & (values > 0)):
                measured.add(line)
        provided = derivable_lines(measured)
        common = provided if common is None else common & provided
    return feature_spec_for_lines(common or set())


def _summed(flux: dict, name: str, n: int) -> np.ndarray:
    """Sum of a doublet's components (NaN unless all are measured)."""
    parts = [flux.get(part) for part in SUMMED_LINES[name]]
    if any(p is None for p in parts):
        return np.full(n, np.nan)
    return np.sum(parts, axis=0)


def _summed_err(flux_err: dict, name: str, n: int) -> np.ndarray:
    parts = [flux_err.get(part) for part in SUMMED_LINES[name]]
    if any(p is None for p in parts):
        return np.full(n, np.nan)
    return np.sqrt(np.sum(np.square(parts), axis=0))


def _infer_from_doublet(catalog, line: str, flux: np.ndarray, flux_err: np.ndarray):
    """Fill a missing strong doublet line from its weak partner, in place.

    Returns a list of ``(note, rows filled)`` pairs, one per doublet used.
    """
    filled = []
    for (strong, weak), ratio in DOUBLET_RATIOS.items():
        if strong != line or weak not in catalog.flux:
            continue
        weak_flux = catalog.flux[weak]
        fill = ~np.isfinite(flux) & np.isfinite(weak_flux) & (weak_flux > 0)
        flux[fill] = ratio * weak_flux[fill]
        weak_err = catalog.flux_err.get(weak)
        flux_err[fill] = ratio * weak_err[fill] if weak_err is not None else np.nan
        filled.append((f"doublet:{strong}", fill))
    return filled


def _upper_limit_notes(catalog, lines: list[str]) -> list[tuple[str, np.ndarray]]:
    """``(upper_limit:<LINE>, rows)`` for the lines (or doublet components) used."""
    upper_limits = getattr(catalog, "upper_limits", None) or {}
    notes = []
    for line in lines:
        for name in (line, *SUMMED_LINES.get(line, ())):
            mask = upper_limits.get(name)
            if mask is not None and mask.any() and f"upper_limit:{name}" not in dict(notes):
                notes.append((f"upper_limit:{name}", np.asarray(mask, dtype=bool)))
    return notes


def catalog_line_matrix(catalog, lines: list[str], case_b: bool = True):
    """Matrix of line fluxes (and errors) of a catalogue in a given line order.

    Summed doublets (``SII6716_6730``) are taken as given where the catalogue
    has them, else summed from their components. The strong line of a fixed-ratio
    doublet ([OIII]5007, [NII]6583) missing in a row where its weak partner is
    measured is inferred from :data:`~nebuladapt.lines.DOUBLET_RATIOS`, and the
    row is flagged ``doublet:<LINE>``. Where ``case_b`` is True and a
    dust-corrected row lacks exactly one of Halpha and Hbeta, the missing line
    is inferred from the case-B ratio ``Halpha/Hbeta = 2.86`` and the row is
    flagged ``caseB:<LINE>``, also where ``lines`` holds only the missing one
    (features without Hbeta on a table of ratios to Hbeta). A line the reader marked as an upper limit
    (``catalog.upper_limits``; its flux is NaN) gets the note
    ``upper_limit:<LINE>`` (for a summed doublet, per upper-limit component).

    Parameters
    ----------
    catalog : LineCatalog
    lines : list of str
        Canonical line names, e.g. :attr:`FeatureSpec.lines`.
    case_b : bool
        Allow the case-B inference above.

    Returns
    -------
    flux, flux_err : ndarray, shape (n_rows, n_lines)
        NaN where unmeasured or unknown.
    notes : list of list of str
        Per-row notes (``caseB:HA6562``, ``doublet:OIII5006``,
        ``upper_limit:NII6583``) to add to the row flags.
    """
    flux, flux_err, note_names, note_masks = catalog_line_arrays(catalog, lines, case_b)
    notes: list[list[str]] = [[] for _ in range(len(flux))]
    for name, mask in zip(note_names, note_masks.T):
        for i in np.flatnonzero(mask):
            notes[i].append(name)
    return flux, flux_err, notes


def _catalog_column(columns: dict, line: str, n: int) -> np.ndarray:
    """A copy of ``columns[line]`` as float (all NaN where the catalogue has no such column)."""
    values = columns.get(line)
    return np.full(n, np.nan) if values is None else np.array(values, dtype=float)


def catalog_line_arrays(catalog, lines: list[str], case_b: bool = True):
    """:func:`catalog_line_matrix` with the per-row notes as a boolean matrix.

    The vectorised form for large catalogues: no per-row Python objects.

    Returns
    -------
    flux, flux_err : ndarray, shape (n_rows, n_lines)
    note_names : list of str
        Note of each column of ``note_masks``, in the order a row lists them.
    note_masks : ndarray of bool, shape (n_rows, len(note_names))
        True where the row carries that note.
    """
    n = len(catalog)
    names: list[str] = []
    masks: list[np.ndarray] = []
    for name, mask in _upper_limit_notes(catalog, lines):
        names.append(name)
        masks.append(mask)
    flux = np.full((n, len(lines)), np.nan)
    flux_err = np.full((n, len(lines)), np.nan)
    for j, line in enumerate(lines):
        given = catalog.flux.get(line)
        given_err = catalog.flux_err.get(line)
        if line in SUMMED_LINES:
            derived = _summed(catalog.flux, line, n)
            derived_err = _summed_err(catalog.flux_err, line, n)
            if given is None:
                given, given_err = derived, derived_err
            else:
                use = ~np.isfinite(given)
                given = np.where(use, derived, given)
                if given_err is None:
                    given_err = np.full(n, np.nan)
                given_err = np.where(use, derived_err, given_err)
        if given is not None:
            flux[:, j] = given
        if given_err is not None:
            flux_err[:, j] = given_err
        for name, fill in _infer_from_doublet(catalog, line, flux[:, j], flux_err[:, j]):
            names.append(name)
            masks.append(fill)
    balmer = [line for line in ("HA6562", "HB4861") if line in lines]
    if case_b and balmer:
        # Each Balmer line asked for is filled from the other, read from the catalogue where it is not asked
        # for itself (features without Hbeta, e.g. no [OIII] ratio, on a table of ratios to Hbeta).
        (ha, ha_err), (hb, hb_err) = (
            (flux[:, lines.index(line)], flux_err[:, lines.index(line)]) if line in lines
            else (_catalog_column(catalog.flux, line, n), _catalog_column(catalog.flux_err, line, n))
            for line in ("HA6562", "HB4861")
        )
        good_a = np.isfinite(ha) & (ha > 0)
        good_b = np.isfinite(hb) & (hb > 0)
        corrected = np.asarray(catalog.dust_corrected, dtype=bool)
        fill_a = corrected & good_b & ~good_a
        fill_b = corrected & good_a & ~good_b
        ha[fill_a] = CASE_B_HA_HB * hb[fill_a]
        ha_err[fill_a] = CASE_B_HA_HB * hb_err[fill_a]
        hb[fill_b] = ha[fill_b] / CASE_B_HA_HB
        hb_err[fill_b] = ha_err[fill_b] / CASE_B_HA_HB
        fills = {"HA6562": fill_a, "HB4861": fill_b}
        names += [f"caseB:{line}" for line in balmer]
        masks += [fills[line] for line in balmer]
    note_masks = np.column_stack(masks) if masks else np.zeros((n, 0), dtype=bool)
    return flux, flux_err, names, note_masks.reshape(n, len(names))


def catalog_limit_matrix(catalog, lines: list[str], flux: np.ndarray) -> np.ndarray:
    """Upper-limit fluxes of a catalogue in ``lines`` order, where ``flux`` has no value.

    A line's own limit (``catalog.limit_flux``); for a summed doublet ([SII]6716+6731)
    without one, the sum of its components where at least one is a limit and each is
    measured or a limit; for the strong line of a fixed-ratio doublet, its weak partner's
    limit times :data:`~nebuladapt.lines.DOUBLET_RATIOS`.

    Parameters
    ----------
    catalog : LineCatalog
    lines : list of str
    flux : ndarray, shape (n_rows, n_lines)
        The catalogue's fluxes in ``lines`` order (:func:`catalog_line_arrays`): a
        line measured (or inferred) in a row has no limit there.

    Returns
    -------
    ndarray, shape (n_rows, n_lines)
        NaN where the row gives no limit for the line.
    """
    n = len(catalog)
    limits = getattr(catalog, "limit_flux", None) or {}
    out = np.full((n, len(lines)), np.nan)
    if not limits:
        return out
    for j, line in enumerate(lines):
        value = _catalog_column(limits, line, n)
        if line in SUMMED_LINES:
            measured = [_catalog_column(catalog.flux, p, n) for p in SUMMED_LINES[line]]
            limited = [_catalog_column(limits, p, n) for p in SUMMED_LINES[line]]
            each = [np.where(np.isfinite(m), m, lim) for m, lim in zip(measured, limited)]
            summed = np.where(np.any(np.isfinite(limited), axis=0), np.sum(each, axis=0), np.nan)
            value = np.where(np.isfinite(value), value, summed)
        for (strong, weak), ratio in DOUBLET_RATIOS.items():
            if strong == line and weak in limits:
                value = np.where(np.isfinite(value), value, ratio * limits[weak])
        out[:, j] = np.where(np.isfinite(flux[:, j]) | ~(value > 0), np.nan, value)
    return out


def ratio_reddening(spec: FeatureSpec) -> np.ndarray:
    """Change of each ``log10`` ratio per magnitude of E(B-V): ``-0.4 (k(num) - k(den))``.

    With the default extinction law of :mod:`nebuladapt.dust` (O'Donnell 1994,
    R_V = 3.1): -0.40 for [OIII]5007/Halpha, +0.06 for [OIII]5007/Hbeta, +0.03
    for [SII]/Halpha and near 0 for [NII]/Halpha.

    Returns
    -------
    ndarray of float32, shape (len(spec.ratios),)
    """
    from nebuladapt.dust import extinction_k, thread_default_law

    law = thread_default_law()
    return np.array(
        [-0.4 * (extinction_k(r.numerator, law) - extinction_k(r.denominator, law)) for r in spec.ratios],
        dtype=np.float32,
    )


def log_ratios(flux, spec: FeatureSpec):
    """``log10`` line ratios; NaN where a line is missing, infinite or non-positive.

    Parameters
    ----------
    flux : ndarray or torch.Tensor, shape (n, len(spec.lines))
    spec : FeatureSpec

    Returns
    -------
    ndarray or torch.Tensor, shape (n, len(spec.ratios))
    """
    num, den = spec.index()
    if isinstance(flux, np.ndarray):
        # one ratio at a time: same arithmetic, without fancy-indexed copies
        out = None
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            for k, (i, j) in enumerate(zip(num, den)):
                top, bottom = flux[:, i], flux[:, j]
                valid = (top > 0) & (bottom > 0)
                ratio = np.log10(np.where(valid, top / bottom, 1.0))
                valid &= np.isfinite(ratio)  # inf fluxes, or ratios beyond float range
                if out is None:
                    out = np.empty((flux.shape[0], len(num)), dtype=ratio.dtype)
                out[:, k] = np.where(valid, ratio, np.nan)
        return out if out is not None else np.empty((flux.shape[0], 0))
    top, bottom = flux[:, num], flux[:, den]
    import torch

    valid = (top > 0) & (bottom > 0)
    ratio = torch.where(valid, top / torch.where(valid, bottom, torch.ones_like(bottom)), 1.0)
    out = torch.where(valid, torch.log10(ratio), torch.full_like(ratio, float("nan")))
    return torch.where(torch.isfinite(out), out, torch.full_like(out, float("nan")))


def usable_rows(features) -> np.ndarray:
    """True where a row has at least one computable feature: the rows a fitted model classifies.

    A row without one is written ``unclassified:no_usable_ratio`` by :mod:`nebuladapt.predict`,
    and scored as unclassified by the evaluation.

    Parameters
    ----------
    features : ndarray, shape (n, n_features)
        Log ratios, NaN where missing (:func:`log_ratios`).

    Returns
    -------
    ndarray of bool, shape (n,)
    """
    return np.isfinite(np.asarray(features)).any(axis=1)


def _one_line_rows(features, spec: FeatureSpec, numerator: str) -> np.ndarray:
    """True where a usable row's computable ratios all have ``numerator`` as numerator."""
    given = np.isfinite(np.asarray(features))
    others = [k for k, r in enumerate(spec.ratios) if r.numerator != numerator]
    return given.any(axis=1) & ~given[:, others].any(axis=1)


def oiii_only_rows(features, spec: FeatureSpec) -> np.ndarray:
    """True where a usable row's computable ratios all have [OIII]5007 as numerator.

    Such a row gives no [NII], [SII] or [OI] ratio (faint lines undetected, a red spectrum
    missing), and the HII, PN and SNR grids overlap in [OIII]/Hbeta alone. On the task suite such
    rows came back right 36-92 % of the time with the default (the other rows 96-98 %), and up to
    12 % of them changed class with the seed (``benchmarks/results/oiii_only_rows.md``);
    :mod:`nebuladapt.predict` flags them ``oiii_only``.

    Parameters
    ----------
    features : ndarray, shape (n, n_features)
        Log ratios in ``spec`` order, NaN where missing (:func:`log_ratios`).
    spec : FeatureSpec

    Returns
    -------
    ndarray of bool, shape (n,)
    """
    return _one_line_rows(features, spec, OIII_HA.numerator)


def nii_only_rows(features, spec: FeatureSpec) -> np.ndarray:
    """True where a usable row's computable ratios all have [NII]6583 as numerator.

    Such a row gives no [OIII], [SII] or [OI] ratio (faint or shallow spectra in which only Halpha and
    [NII] are detected), and HII regions and SNRs overlap in [NII]/Halpha alone. With the default such
    rows came back right about a third of the time on the held-out tasks, most of their HII regions
    called SNR with probabilities above 0.9 (``benchmarks/results/nii_only_rows.md``);
    :mod:`nebuladapt.predict` flags them ``nii_only``.

    Parameters
    ----------
    features : ndarray, shape (n, n_features)
        Log ratios in ``spec`` order, NaN where missing (:func:`log_ratios`).
    spec : FeatureSpec

    Returns
    -------
    ndarray of bool, shape (n,)
    """
    return _one_line_rows(features, spec, NII_HA.numerator)


def missing_line_share(features, spec: FeatureSpec) -> dict[str, float]:
    """For each line of ``spec``, the share of the usable rows that give no ratio holding it.

    Parameters
    ----------
    features : ndarray, shape (n, len(spec.ratios))
        Log ratios, NaN where missing (:func:`log_ratios`).
    spec : FeatureSpec

    Returns
    -------
    dict of str to float
        Line -> share in [0, 1], rounded to 4 decimals; empty when no row is usable
        (:func:`usable_rows`).
    """
    given = np.isfinite(np.asarray(features))
    given = given[given.any(axis=1)]
    if not len(given):
        return {}
    return {line: round(float((~given[:, group].any(axis=1)).mean()), 4)
            for line, group in zip(spec.lines, spec.line_groups())}  # fmt: skip


def line_flag_masks(flux: np.ndarray, flux_err: np.ndarray) -> dict[str, np.ndarray]:
    """Boolean masks behind :func:`row_line_flags`, one per flag kind.

    Returns
    -------
    dict of str to ndarray of bool, shape (n, n_lines)
        Keys :data:`LINE_FLAG_KINDS` in that order (the order a row lists them).
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        finite = np.isfinite(flux)
        missing = ~finite
        nonpositive = flux <= 0
        nonpositive &= finite
        good_err = np.isfinite(flux_err)
        good_err &= flux_err > 0
        bad_err = ~good_err
        bad_err &= ~np.isnan(flux_err)
        # low S/N needs a usable error (finite, > 0) and a finite, positive flux
        low = flux / flux_err < LOW_SNR
        low &= good_err
        low &= flux > 0
        low &= finite
    return {"missing": missing, "nonpositive": nonpositive, "bad_err": bad_err, "low_snr": low}


def row_line_flags(flux: np.ndarray, flux_err: np.ndarray, lines: list[str]) -> list[list[str]]:
    """Per-row flags naming each problem line.

    ``missing:<LINE>`` (NaN or inf), ``nonpositive:<LINE>`` (zero or negative
    flux), ``bad_err:<LINE>`` (zero, negative or infinite uncertainty) and
    ``low_snr:<LINE>`` (flux/err < :data:`LOW_SNR`). :func:`line_flag_masks`
    gives the same information as boolean masks.

    Parameters
    ----------
    flux, flux_err : ndarray, shape (n, len(lines))
    lines : list of str

    Returns
    -------
    list of list of str
    """
    n = flux.shape[0]
    flags: list[list[str]] = [[] for _ in range(n)]
    for kind, mask in line_flag_masks(flux, flux_err).items():
        rows, cols = np.nonzero(mask)
        for i, j in zip(rows, cols):
            flags[i].append(f"{kind}:{lines[j]}")
    return flags


#: The declared ratios the default grids provide, as at import (:func:`default_feature_spec`).
DEFAULT_RATIOS: tuple[LineRatio, ...] = default_feature_spec().ratios
#: The declared ratios beyond those (used when every grid in use provides them).
EXTRA_RATIOS: tuple[LineRatio, ...] = tuple(r for r in RATIOS if r not in DEFAULT_RATIOS)
