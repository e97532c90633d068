"""Temperature scaling fitted without target labels.

Guo et al. 2017 (ICML): one scalar ``T`` divides the logits; it is fitted by
minimising the negative log-likelihood on *labelled source* rows held out from
training and perturbed with the same noise as in training, so no target label
is used. It changes confidence, never the ranking of classes.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax

__all__ = ["fit_temperature", "expected_calibration_error"]


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
    logits = np.asarray(logits, dtype=float)
    labels = np.asarray(labels, dtype=int)

    def nll(log_t: float) -> float:
        return -float(np.mean(log_softmax(logits / np.exp(log_t), axis=1)[np.arange(len(labels)), labels]))

    result = minimize_scalar(nll, bounds=np.log(bounds), method="bounded")
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
