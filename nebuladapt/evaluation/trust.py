"""Evidence for trusting a result on an unlabelled catalogue: intervals, seeds, calibration.

Small functions used by the task-suite benchmark (``benchmarks/trust_suite.py``,
``benchmarks/trust_analyse.py``) and the experiment report:

* :func:`grouped_bootstrap` — percentile interval of a metric, resampling
  *objects* (groups of rows, e.g. repeated measurements of one region) rather
  than rows;
* :func:`seed_summary` — mean, standard deviation with ``ddof=1`` and worst
  value over training seeds;
* :func:`calibration_scores` — expected calibration error of the maximum
  probability, negative log-likelihood and Brier score against true labels
  (measured on target data: only then may probabilities be called calibrated);
* :func:`applicable_classical` — the classical diagnostic that still applies
  when one line is missing, and the rows and classes it can separate.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from nebuladapt import CLASSES
from nebuladapt.evaluation.diagnostics import kewley01_nii, sii_ha_snr
from nebuladapt.models.calibration import expected_calibration_error

__all__ = [
    "balanced_accuracy",
    "grouped_bootstrap",
    "seed_summary",
    "calibration_scores",
    "mean_probabilities",
    "applicable_classical",
]


def balanced_accuracy(y_true, y_pred) -> float:
    """Mean recall over the classes present in ``y_true``, as :func:`classification_scores` (fast, for bootstraps)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return float(np.mean([np.mean(y_pred[y_true == c] == c) for c in np.unique(y_true)]))


def grouped_bootstrap(
    y_true,
    predictions,
    groups,
    metric: Callable = balanced_accuracy,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile interval of the seed-mean of a metric, resampling groups of rows.

    Parameters
    ----------
    y_true : array-like of str
    predictions : array-like of str, shape (n_rows,) or (n_seeds, n_rows)
        Predictions of one model, or of several seeds (the metric is averaged
        over seeds inside every resample, so the interval is that of the mean).
    groups : array-like
        Object id per row; rows of a drawn group come along together.
    metric : callable
        ``metric(y_true, y_pred) -> float``.
    n_boot : int
    level : float
    seed : int

    Returns
    -------
    (low, high) : tuple of float
    """
    y_true = np.asarray(y_true).astype(str)
    predictions = np.atleast_2d(np.asarray(predictions).astype(str))
    _, codes = np.unique(np.asarray(groups).astype(str), return_inverse=True)
    members = [np.flatnonzero(codes == g) for g in range(codes.max() + 1)]
    rng = np.random.default_rng(seed)
    values = np.empty(n_boot)
    for b in range(n_boot):
        rows = np.concatenate([members[g] for g in rng.integers(0, len(members), len(members))])
        values[b] = np.mean([metric(y_true[rows], p[rows]) for p in predictions])
    alpha = (1 - level) / 2
    return float(np.quantile(values, alpha)), float(np.quantile(values, 1 - alpha))


def seed_summary(values) -> dict:
    """Mean, sample standard deviation (``ddof=1``; NaN for one value) and worst (minimum) value.

    Returns
    -------
    dict
        ``mean``, ``std``, ``worst``, ``n``.
    """
    values = np.asarray(list(values), dtype=float)
    std = float(np.std(values, ddof=1)) if len(values) > 1 else float("nan")
    return {"mean": float(values.mean()), "std": std, "worst": float(values.min()), "n": int(len(values))}


def mean_probabilities(probabilities) -> np.ndarray:
    """Average class probabilities of several models (an ensemble), rows renormalised."""
    mean = np.mean(np.asarray(probabilities, dtype=float), axis=0)
    return mean / mean.sum(axis=1, keepdims=True)


def calibration_scores(y_true, proba, classes=CLASSES, n_bins: int = 10) -> dict:
    """ECE of the maximum probability, NLL and Brier score on labelled rows.

    Parameters
    ----------
    y_true : array-like of str
    proba : ndarray, shape (n_rows, n_classes)
        Columns in ``classes`` order.
    classes : sequence of str
    n_bins : int
        Equal-width bins of the maximum probability for the ECE.

    Returns
    -------
    dict
        ``ece`` (:func:`nebuladapt.models.calibration.expected_calibration_error`:
        sum over bins of the row fraction times abs(accuracy - mean
        confidence)), ``nll`` (mean -log p(true class), probabilities clipped at
        1e-12), ``brier`` (mean over rows of the squared error summed over
        classes), ``mean_confidence``, ``accuracy``.
    """
    y_true = np.asarray(y_true).astype(str)
    proba = np.asarray(proba, dtype=float)
    truth = np.searchsorted(np.asarray(classes), y_true)
    onehot = np.eye(len(classes))[truth]
    confidence = proba.max(axis=1)
    correct = proba.argmax(axis=1) == truth
    return {
        "ece": expected_calibration_error(proba, truth, n_bins),
        "nll": float(-np.mean(np.log(np.clip(proba[np.arange(len(truth)), truth], 1e-12, None)))),
        "brier": float(np.mean(np.sum((proba - onehot) ** 2, axis=1))),
        "mean_confidence": float(confidence.mean()),
        "accuracy": float(correct.mean()),
    }


def applicable_classical(missing_line: str, features: dict) -> tuple[np.ndarray, tuple[str, ...]]:
    """The classical diagnostic that still applies without one line.

    * no Hbeta or no [OIII]: ``[SII]/Halpha > 0.4`` separates SNR from HII;
    * no [SII]: the Kewley et al. (2001) [NII] BPT line separates PN (above)
      from HII (below).

    Parameters
    ----------
    missing_line : {"HB4861", "OIII5006", "SII6716_6730"}
    features : dict
        Log ratios of the rows, named as in :mod:`nebuladapt.features`.

    Returns
    -------
    labels : ndarray of str
        The diagnostic's class per row (``""`` where its ratios are missing).
    classes : tuple of str
        The two classes it separates (score it on rows of these classes only).
    """
    n = len(next(iter(features.values())))
    nan = np.full(n, np.nan)
    out = np.full(n, "", dtype=object)
    if missing_line in ("HB4861", "OIII5006"):
        sii = np.asarray(features.get("log_SII6716_6730_HA6562", nan), dtype=float)
        known = np.isfinite(sii)
        out[known] = np.where(sii_ha_snr(sii[known]), "SNR", "HII")
        return out.astype(str), ("HII", "SNR")
    if missing_line == "SII6716_6730":
        oiii = np.asarray(features.get("log_OIII5006_HB4861", nan), dtype=float)
        nii = np.asarray(features.get("log_NII6583_HA6562", nan), dtype=float)
        known = np.isfinite(oiii) & np.isfinite(nii)
        with np.errstate(invalid="ignore"):
            curve = kewley01_nii(nii)
            above = np.where(np.isfinite(curve), oiii > curve, nii >= 0.47)
        out[known] = np.where(above[known], "PN", "HII")
        return out.astype(str), ("HII", "PN")
    raise ValueError(f"no classical fallback declared for missing {missing_line!r}")
