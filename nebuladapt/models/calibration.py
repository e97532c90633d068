"""Temperature scaling fitted without target labels.

Guo et al. 2017 (ICML): one scalar ``T`` divides the logits; it changes
confidence, never the ranking of classes. Two ways to fit it, neither with a
target label: :func:`fit_temperature` minimises the negative log-likelihood on
*labelled source* rows held out from training and perturbed with the same noise
as in training (``calibrate=True``); :func:`match_temperature` minimises the
cross-entropy to given probabilities, e.g. the members' mean on the target rows
that a distilled network was trained to reproduce (``match_members=True``).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax

__all__ = ["fit_temperature", "match_temperature", "expected_calibration_error"]


def fit_temperature(logits: np.ndarray, labels: np.ndarray, bounds=(0.05, 20.0)) -> float:
    """Temperature minimising the NLL of ``softmax(logits / T)``.

    Parameters
    ----------
    logits : ndarray (n, k)
    labels : ndarray of int (n,)
    bounds : tuple of float
        Search range for ``T``.

    Returns
    -------
    float
    """
    labels = np.asarray(labels, dtype=int)
    one_hot = np.zeros((len(labels), np.shape(logits)[1]))
    one_hot[np.arange(len(labels)), labels] = 1.0
    return match_temperature(logits, one_hot, bounds)


def match_temperature(logits: np.ndarray, probabilities: np.ndarray, bounds=(0.05, 20.0)) -> float:
    """Temperature minimising the mean cross-entropy of ``softmax(logits / T)`` to ``probabilities``.

    Parameters
    ----------
    logits : ndarray (n, k)
    probabilities : ndarray (n, k)
        Target distributions, one row per row of ``logits`` (one-hot rows: the NLL of labels).
    bounds : tuple of float
        Search range for ``T``.

    Returns
    -------
    float
    """
    logits = np.asarray(logits, dtype=float)
    probabilities = np.asarray(probabilities, dtype=float)

    def cross_entropy(log_t: float) -> float:
        return -float(np.mean(np.sum(probabilities * log_softmax(logits / np.exp(log_t), axis=1), axis=1)))

    result = minimize_scalar(cross_entropy, bounds=np.log(bounds), method="bounded")
    return float(np.exp(result.x))


def expected_calibration_error(proba: np.ndarray, labels: np.ndarray, n_bins: int = 10) -> float:
    """Expected calibration error of the top-class confidence (Guo et al. 2017)."""
    proba = np.asarray(proba, dtype=float)
    confidence = proba.max(axis=1)
    correct = proba.argmax(axis=1) == np.asarray(labels)
    edges = np.linspace(0, 1, n_bins + 1)
    bins = np.clip(np.digitize(confidence, edges[1:-1]), 0, n_bins - 1)
    error = 0.0
    for b in range(n_bins):
        in_bin = bins == b
        if in_bin.any():
            error += in_bin.mean() * abs(correct[in_bin].mean() - confidence[in_bin].mean())
    return float(error)
