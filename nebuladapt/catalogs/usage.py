"""What a model makes of a catalogue's lines, in words for the command line.

:func:`line_usage` says which supplied lines a model uses, which it ignores
and why, and which of its lines the catalogue lacks; :func:`noise_choice`
says which training noise ``auto`` picks and why; :func:`check_catalog_lines`
refuses a catalogue that gives none of a model's ratios. All follow the one
rule of :func:`nebuladapt.lines.derivable_lines`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nebuladapt.features import OIII_HA
from nebuladapt.lines import LINES, SUMMED_LINES, derivable_lines, input_lines_for

__all__ = [
    "LineUsage", "FitFeatures", "MIN_RATIO_COVERAGE", "EXCITATION_LINE", "PARTIAL_EXCITATION_SHARE",
    "LOW_SII_SNR_SHARE", "LOW_SII_MIN_ROWS", "available_lines", "check_catalog_lines",
    "excitation_warning", "fit_feature_spec", "line_label", "line_usage", "low_sii_warning", "noise_choice",
    "ONE_LINE_SHARE", "oiii_only_warning", "nii_only_warning", "one_line_warnings",
]

#: A ratio given by fewer than this fraction of the target rows that give any ratio is
#: left out of a fit (:func:`fit_feature_spec`).
MIN_RATIO_COVERAGE = 0.01
#: The line without which a fit cannot tell HII regions from SNRs: with [NII]/Halpha and
#: [SII]/Halpha alone the grids hold as many shock as HII models (per model of each class)
#: around real HII regions (``benchmarks/results/no_oiii_diagnosis.md``).
EXCITATION_LINE = OIII_HA.numerator
#: Share of a catalogue's rows (of those giving a ratio) without :data:`EXCITATION_LINE` from which
#: :func:`excitation_warning` warns although the fit keeps it: in such rows HII against SNR was below
#: [SII]/Halpha > 0.4 (``benchmarks/results/missing_lines_default5.md``), and where faint lines went
#: undetected the default called HII regions with every line SNR too (``faint_lines_diagnosis.md``).
PARTIAL_EXCITATION_SHARE = 0.1


#: :func:`low_sii_warning` warns when at least this share of the (at least :data:`LOW_SII_MIN_ROWS`) rows
#: with [SII]/Halpha <= 0.4 are called SNR; chosen on the task suite's stored fits and confirmed on a held-out
#: family (``benchmarks/results/sii_alarm_registration.md``, ``sii_alarm_result.md``).
LOW_SII_SNR_SHARE = 0.1
LOW_SII_MIN_ROWS = 20
#: :func:`oiii_only_warning` and :func:`nii_only_warning` warn when at least this share of the rows that give a
#: ratio give only [OIII] ones, or only [NII] ones (as :data:`PARTIAL_EXCITATION_SHARE` for rows without [OIII]).
ONE_LINE_SHARE = 0.1


def line_label(name: str) -> str:
    """The astronomer's label of a canonical line (``[OI]6300``, ``[SII]6716+6731``)."""
    if name in SUMMED_LINES:
        first, *rest = SUMMED_LINES[name]
        return LINES[first].label + "".join(f"+{LINES[r].label.split(']')[-1]}" for r in rest)
    return LINES[name].label if name in LINES else name


@dataclass
class LineUsage:
    """Lines of a catalogue as a model sees them.

    Attributes
    ----------
    used : list of str
        The model's lines the catalogue gives (directly or derived).
    ignored : dict of str to str
        Supplied lines the model does not read -> why.
    missing : list of str
        The model's lines the catalogue cannot give.
    """

    used: list[str] = field(default_factory=list)
    ignored: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """One line: ``lines used: ...; ignored: ... (why); missing: ...``."""
        text = "lines used: " + (", ".join(map(line_label, self.used)) or "none")
        if self.ignored:
            text += "; ignored: " + ", ".join(
                f"{line_label(k)} ({v})" for k, v in self.ignored.items()
            )
        if self.missing:
            text += "; missing: " + ", ".join(map(line_label, self.missing))
        return text


def line_usage(catalog, spec, *, judge_values: bool = True) -> LineUsage:
    """How a feature spec (a model's, or the one about to be fitted) uses a catalogue.

    Parameters
    ----------
    catalog : LineCatalog
        Only its lines, values and ``dust_corrected`` flags are read.
    spec : FeatureSpec
    judge_values : bool, optional
        Count a line without any finite value as not supplied (default True);
        False when ``catalog`` is only the first chunk of a stream.

    Returns
    -------
    LineUsage
    """
    measured = [k for k, v in catalog.flux.items() if not judge_values or np.isfinite(v).any()]
    case_b = bool(np.asarray(catalog.dust_corrected, dtype=bool).any())
    have = derivable_lines(measured, case_b=case_b)
    read = input_lines_for(spec.lines)
    usage = LineUsage(
        used=[line for line in spec.lines if line in have],
        missing=[line for line in spec.lines if line not in have],
    )
    for line in catalog.flux:
        if line not in measured:
            usage.ignored[line] = "no measured value"
        elif line not in read:
            usage.ignored[line] = "not a feature of this model"
    return usage


def noise_choice(catalog, spec, requested: str) -> str:
    """``noise=<mode> (why)`` for a fit with ``requested`` noise (``auto`` resolved here).

    ``auto`` means ``matched`` when the catalogue gives usable errors
    (finite, positive, with a positive flux) for at least one of the lines
    used, else ``fixed`` -- the rule of ``NebulaClassifier(noise="auto")`` (both use
    :func:`nebuladapt.noise.target_fractional_errors`).
    """
    from nebuladapt.features import catalog_line_arrays
    from nebuladapt.noise import target_fractional_errors

    flux, err = catalog_line_arrays(catalog, list(spec.lines))[:2]
    with_errors = np.isfinite(target_fractional_errors(flux, err)).any(axis=0)
    n_with, n_lines = int(with_errors.sum()), len(spec.lines)
    if requested != "auto":
        return f"noise={requested} (as requested; errors found for {n_with} of {n_lines} lines)"
    if n_with:
        return f"noise=matched (errors found for {n_with} of {n_lines} lines)"
    return f"noise=fixed (no usable error column for any of the {n_lines} lines)"


def available_lines(catalog) -> set[str]:
    """Lines a catalogue can give, by its columns (not by row values).

    The catalogue's own lines, summed doublets whose components are all
    present, strong doublet lines whose weak partner is present
    (:data:`~nebuladapt.lines.DOUBLET_RATIOS`), and Halpha/Hbeta from the other
    by case B when some row is dust-corrected -- the rules of
    :func:`nebuladapt.features.catalog_line_matrix` (:func:`nebuladapt.lines.derivable_lines`).
    """
    return derivable_lines(catalog.flux, case_b=bool(np.asarray(catalog.dust_corrected).any()))


def check_catalog_lines(model, catalog, model_dir=None) -> list[str]:
    """Check that a catalogue gives at least one of a model's line ratios.

    Parameters
    ----------
    model : NebulaClassifier, Predictor or FeatureSpec
        A fitted model (its ``spec_``), or the features about to be fitted.
    catalog : LineCatalog
    model_dir : str or Path, optional
        Named in the message.

    Returns
    -------
    list of str
        The model's lines the catalogue lacks (rows are classified from the
        ratios it has; empty when it has them all).

    Raises
    ------
    ModelFileError
        If no ratio of the model can be formed from the catalogue's lines: the
        message names the catalogue, the model directory and the missing lines.
    """
    from nebuladapt.features import FeatureSpec
    from nebuladapt.models.persistence import ModelFileError

    spec = model if isinstance(model, FeatureSpec) else model.spec_
    have = available_lines(catalog)
    missing = [line for line in spec.lines if line not in have]
    usable = [r for r in spec.ratios if r.numerator in have and r.denominator in have]
    if not usable:
        ratios = ", ".join(f"{r.numerator}/{r.denominator}" for r in spec.ratios)
        who = f"the model in {model_dir}" if model_dir is not None else "the features"
        raise ModelFileError(
            f"{catalog.source or 'catalogue'}: gives none of the line ratios used by {who} "
            f"({ratios}); missing lines {missing}; add columns such as {missing[0]}_FLUX, or "
            "fit a model on lines this catalogue has"
        )
    return missing


@dataclass
class FitFeatures:
    """The features of one fit and the ratios left out.

    Attributes
    ----------
    spec : FeatureSpec
        The ratios trained on.
    dropped : dict of str to float
        Name of each ratio left out -> fraction of the usable target rows giving it.
    missing : dict of str to float
        Line of ``spec`` -> share of the usable target rows that give no ratio holding it
        (:func:`nebuladapt.features.missing_line_share`).
    n_oiii_only : int
        Target rows whose only ratios of ``spec`` are [OIII] ones
        (:func:`nebuladapt.features.oiii_only_rows`; :func:`oiii_only_warning`).
    n_nii_only : int
        Target rows whose only ratios of ``spec`` are [NII] ones
        (:func:`nebuladapt.features.nii_only_rows`; :func:`nii_only_warning`).
    """

    spec: object
    dropped: dict[str, float] = field(default_factory=dict)
    missing: dict[str, float] = field(default_factory=dict)
    n_oiii_only: int = 0
    n_nii_only: int = 0

    @property
    def warning(self) -> str | None:
        """:func:`excitation_warning` of the features trained on and the rows without [OIII]."""
        return excitation_warning(self.spec, self.missing.get(EXCITATION_LINE))

    def describe(self) -> str:
        """``features: ...`` plus, if any, the ratios left out and :attr:`warning`."""
        text = "features: " + ", ".join(self.spec.names)
        if self.dropped:
            text += "; left out (too few target rows give them): " + ", ".join(
                f"{name} ({100 * share:.0f}% of rows)" for name, share in self.dropped.items()
            )
        if self.warning:
            text += "\n" + self.warning
        return text


def excitation_warning(spec, missing_share: float | None = None) -> str | None:
    """A one-line warning when [OIII]5007 is missing from the features or from many rows, else None.

    Without [OIII], HII regions and SNRs rest on [NII]/Halpha and [SII]/Halpha,
    where the grids hold as many shock as HII models (per class) around real HII
    regions (:data:`EXCITATION_LINE`). With [OIII] among the features, it warns
    when ``missing_share`` (the share of the rows giving a ratio that give no
    [OIII] ratio) is at least :data:`PARTIAL_EXCITATION_SHARE`.

    Parameters
    ----------
    spec : FeatureSpec
    missing_share : float, optional

    Returns
    -------
    str or None
    """
    label = line_label(EXCITATION_LINE)
    check = "check the classes against [SII]/Halpha > 0.4"
    if not any(EXCITATION_LINE in (r.numerator, r.denominator) for r in spec.ratios):
        return (
            f"WARNING: no ratio with {label}; HII regions and SNRs then rest on [NII]/Halpha and "
            "[SII]/Halpha alone, where the grids cannot separate them (on the task suite the defaults before "
            "stop 22 called most real HII regions SNR there, the current one matched [SII]/Halpha > 0.4: "
            f"docs/experiment/missing_lines.md); {check} (`nebuladapt report` draws both)"
        )
    if missing_share is None or missing_share < PARTIAL_EXCITATION_SHARE:
        return None
    return (
        f"WARNING: {100 * missing_share:.0f}% of the rows give no {label} (`predict` flags them "
        f"missing:{EXCITATION_LINE}); there HII regions and SNRs rest on [NII]/Halpha and [SII]/Halpha alone, "
        "where the grids cannot separate them (the defaults before stop 22 called many such HII regions SNR, and "
        f"where faint lines went undetected even those with every line: docs/experiment/trust_suite.md); {check}"
    )


def low_sii_warning(check: dict) -> str | None:
    """A one-line warning when a fit calls many rows SNR that [SII]/Halpha calls not SNR, else None.

    Parameters
    ----------
    check : dict
        :func:`nebuladapt.evaluation.diagnostics.low_sii_snr_share` of the fitted catalogue's rows
        and the classes the fit gives them (``NebulaClassifier.low_sii_snr_``; empty: not measured).

    Returns
    -------
    str or None
        Warns where ``rows >= LOW_SII_MIN_ROWS`` and ``share >= LOW_SII_SNR_SHARE``.
    """
    rows, share = check.get("rows") or 0, check.get("share")
    if rows < LOW_SII_MIN_ROWS or share is None or share < LOW_SII_SNR_SHARE:
        return None
    return (
        f"WARNING: the fit calls SNR {100 * share:.0f}% of the {rows:,} rows with [SII]/Halpha <= 0.4, which the "
        "classical criterion calls not SNR; HII regions may have been merged into the SNR class (the fits of the task "
        "suite it warned about, of earlier defaults, called 7-99% of their HII regions SNR: "
        "docs/experiment/trust_suite.md); check the "
        "classes against [SII]/Halpha > 0.4 (`nebuladapt report` draws both)"
    )


def fit_feature_spec(spec, catalog, min_coverage: float = MIN_RATIO_COVERAGE) -> FitFeatures:
    """The ratios of ``spec`` that enough target rows give: what a fit trains on.

    A ratio given (both lines finite and positive, after the derivations of
    :func:`nebuladapt.features.catalog_line_arrays`) by fewer than
    ``min_coverage`` of the target rows that give at least one ratio of
    ``spec`` is left out: the network would otherwise see it masked in every
    target row while learning it from every model, and the missing mask could
    act as a class signal. The order of ``spec`` is kept.

    Parameters
    ----------
    spec : FeatureSpec
        What the grids in use provide (:meth:`nebuladapt.grids.GridSet.feature_spec`).
    catalog : LineCatalog
        The target catalogue.
    min_coverage : float, optional
        Default :data:`MIN_RATIO_COVERAGE`.

    Returns
    -------
    FitFeatures
        ``spec`` unchanged when every ratio is given often enough, or when no
        ratio is (nothing can be learned about such a catalogue either way).
    """
    from nebuladapt.features import FeatureSpec, catalog_line_arrays, log_ratios, missing_line_share, nii_only_rows, oiii_only_rows

    flux = catalog_line_arrays(catalog, list(spec.lines))[0]
    features = log_ratios(flux, spec)
    given = np.isfinite(features)
    usable = given.any(axis=1)
    if not usable.any():
        return FitFeatures(spec)
    share = given[usable].mean(axis=0)
    keep = share >= min_coverage
    if keep.all() or not keep.any():
        kept, dropped = spec, {}
    else:
        kept = FeatureSpec(tuple(r for r, k in zip(spec.ratios, keep) if k))
        dropped = {r.name: float(s) for r, s, k in zip(spec.ratios, share, keep) if not k}
        features = features[:, keep]
    return FitFeatures(kept, dropped, missing_line_share(features, kept), int(oiii_only_rows(features, kept).sum()),
                       int(nii_only_rows(features, kept).sum()))


def oiii_only_warning(n_oiii_only: int, n_classified: int) -> str | None:
    """A one-line warning when many rows give only [OIII] ratios, else None.

    Parameters
    ----------
    n_oiii_only : int
        Rows that give only [OIII] ratios (:func:`nebuladapt.features.oiii_only_rows`; ``predict`` flags
        them ``oiii_only``).
    n_classified : int
        Rows that give a ratio (those ``predict`` classifies).

    Returns
    -------
    str or None
        None below :data:`ONE_LINE_SHARE` of the rows that give a ratio.
    """
    return _share_warning(
        n_oiii_only, n_classified,
        "give only [OIII] ratios, no [NII], [SII] or [OI] (flag oiii_only); there the model grids overlap, and on the "
        "task suite such rows came back right 36-92% of the time (other rows 96-98%) and some another class with "
        "another seed (benchmarks/results/oiii_only_rows.md)",
    )


def nii_only_warning(n_nii_only: int, n_classified: int) -> str | None:
    """A one-line warning when many rows give only [NII] ratios, else None.

    Parameters
    ----------
    n_nii_only : int
        Rows that give only [NII] ratios (:func:`nebuladapt.features.nii_only_rows`; ``predict`` flags
        them ``nii_only``).
    n_classified : int
        Rows that give a ratio (those ``predict`` classifies).

    Returns
    -------
    str or None
        None below :data:`ONE_LINE_SHARE` of the rows that give a ratio.
    """
    return _share_warning(
        n_nii_only, n_classified,
        "give only [NII]/Halpha, no [OIII], [SII] or [OI] ratio (flag nii_only); there HII regions and SNRs overlap, "
        "and on the held-out tasks such rows came back right about a third of the time, most of their HII regions "
        "called SNR with high probability (benchmarks/results/nii_only_rows.md); where the catalogue can give its "
        "undetected lines as upper limits (<LINE>_FLUX_UPPER or '<x'), predict uses them (--limits)",
    )


def one_line_warnings(n_oiii_only: int, n_nii_only: int, n_classified: int) -> list[str]:
    """The warnings of :func:`oiii_only_warning` and :func:`nii_only_warning` that apply, in that order.

    What ``fit``, ``predict`` and the catalogue report print.
    """
    return [w for w in (oiii_only_warning(n_oiii_only, n_classified), nii_only_warning(n_nii_only, n_classified)) if w]


def _share_warning(n_flagged: int, n_classified: int, text: str) -> str | None:
    """``WARNING: n of the N rows with a ratio (x%) <text>`` from :data:`ONE_LINE_SHARE` of them, else None."""
    if n_classified <= 0 or n_flagged < ONE_LINE_SHARE * n_classified:
        return None
    return f"WARNING: {n_flagged:,} of the {n_classified:,} rows with a ratio ({100 * n_flagged / n_classified:.0f}%) {text}"
