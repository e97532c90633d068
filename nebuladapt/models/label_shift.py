"""Target class proportions without target labels (label / prior shift).

Model grids are balanced by construction; real catalogues are dominated by
HII regions. Two estimators of the target's class proportions from a
classifier's outputs:

* :func:`em_target_prior` — the EM re-weighting of Saerens, Latinne &
  Decaestecker 2002 (Neural Computation 14, 21): alternate re-weighted
  posteriors and their mean until the prior converges.
* :func:`bbse_target_prior` — black-box shift estimation of Lipton, Wang &
  Smola 2018 (ICML): solve ``C w = mu`` with ``C`` the joint confusion matrix
  on labelled source data and ``mu`` the target's predicted-class
  frequencies.

:func:`adjust_posteriors` applies a new prior to posteriors (Saerens et al.
2002, eq. 2.4).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import nnls

__all__ = ["em_target_prior", "bbse_target_prior", "adjust_posteriors"]


def adjust_posteriors(proba: np.ndarray, source_prior: np.ndarray, target_prior: np.ndarray) -> np.ndarray:
    """Posteriors under a new class prior: ``p'(c|x) ∝ p(c|x) pi_t(c) / pi_s(c)``.

    Parameters
    ----------
    proba : ndarray (n, k)
        Posteriors of a classifier trained with class prior ``source_prior``.
    source_prior, target_prior : ndarray (k,)

    Returns
    -------
    ndarray (n, k)
    """
    weighted = proba * (np.asarray(target_prior) / np.asarray(source_prior))
    total = weighted.sum(axis=1, keepdims=True)
    return np.divide(weighted, total, out=np.full_like(weighted, np.nan), where=total > 0)


def em_target_prior(
    proba: np.ndarray, source_prior: np.ndarray | None = None, max_iter: int = 1000, tol: float = 1e-8
) -> np.ndarray:
    """EM estimate of the target class prior (Saerens et al. 2002).

    Parameters
    ----------
    proba : ndarray (n, k)
        Source-trained posteriors on the (unlabelled) target rows.
    source_prior : ndarray (k,), optional
        Prior the classifier was trained with (default uniform, as with
        nebuladapt's class-balanced batches).
    max_iter, tol : int, float

    Returns
    -------
    ndarray (k,)
        Estimated target class proportions (sum 1).
    """
    proba = np.asarray(proba, dtype=float)
    k = proba.shape[1]
    source_prior = np.full(k, 1.0 / k) if source_prior is None else np.asarray(source_prior, float)
    prior = source_prior.copy()
    for _ in range(max_iter):
        new = adjust_posteriors(proba, source_prior, prior).mean(axis=0)
        if np.max(np.abs(new - prior)) < tol:
            return new
        prior = new
    return prior


def bbse_target_prior(
    source_true: np.ndarray, source_pred: np.ndarray, target_pred: np.ndarray, n_classes: int,
    source_prior: np.ndarray | None = None,
) -> np.ndarray:
    """Black-box shift estimate of the target class prior (Lipton et al. 2018).

    Parameters
    ----------
    source_true, source_pred : ndarray of int
        True and predicted class indices on held-out labelled source rows.
    target_pred : ndarray of int
        Predicted class indices on target rows.
    n_classes : int
    source_prior : ndarray, optional
        Source class proportions (default: those of ``source_true``).

    Returns
    -------
    ndarray (k,)
        Estimated target proportions (non-negative least squares, normalised).
    """
    k = n_classes
    joint = np.zeros((k, k))
    np.add.at(joint, (np.asarray(source_pred), np.asarray(source_true)), 1.0)
    joint /= max(len(source_true), 1)
    mu = np.bincount(np.asarray(target_pred), minlength=k) / max(len(target_pred), 1)
    weights, _ = nnls(joint, mu)
    if source_prior is None:
        source_prior = np.bincount(np.asarray(source_true), minlength=k) / max(len(source_true), 1)
    prior = weights * source_prior
    return prior / prior.sum() if prior.sum() > 0 else np.full(k, 1.0 / k)
