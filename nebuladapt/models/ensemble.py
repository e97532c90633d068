"""An ensemble of NebulaClassifiers over seeds (and optionally configurations), averaging probabilities.

A single adversarial fit depends on its seed; averaging the class probabilities
of a few fits removes most of that dependence without choosing anything by a
label-free scorer. Built only on :class:`~nebuladapt.models.estimator.NebulaClassifier`'s
public API (``fit``, ``predict_proba``, ``off_grid``, ``classes_``).
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from nebuladapt.models.estimator import NebulaClassifier

__all__ = ["NebulaEnsemble"]


class NebulaEnsemble(ClassifierMixin, BaseEstimator):
    """Mean class probabilities of NebulaClassifiers fitted with different seeds/configurations.

    Parameters
    ----------
    n_members : int
        Fits per configuration; member ``i`` uses seed ``random_state + i``.
    params : dict, optional
        NebulaClassifier parameters shared by every member.
    configurations : sequence of dict, optional
        Overrides of ``params``, one set of ``n_members`` fits each (default:
        one configuration, ``params`` itself).
    random_state : int

    Attributes
    ----------
    estimators_ : list of NebulaClassifier
    classes_ : ndarray of str
    """

    def __init__(
        self,
        n_members: int = 3,
        params: Mapping | None = None,
        configurations: Sequence[Mapping] | None = None,
        random_state: int = 0,
    ) -> None:
        self.n_members = n_members
        self.params = params
        self.configurations = configurations
        self.random_state = random_state

    def fit(self, X, y, sample_domain=None, X_err=None, callback: Callable | None = None):
        """Fit every member on the same arrays (see :meth:`NebulaClassifier.fit`).

        ``callback(member, step, record)`` receives the member index first.
        """
        if int(self.n_members) < 1:
            raise ValueError(f"n_members must be >= 1, got {self.n_members}")
        configurations = list(self.configurations or [{}])
        self.estimators_ = []
        for config in configurations:
            for i in range(int(self.n_members)):
                index = len(self.estimators_)
                member = NebulaClassifier(
                    **{**dict(self.params or {}), **dict(config), "random_state": self.random_state + i}
                )
                hook = None if callback is None else (lambda step, rec, k=index: callback(k, step, rec))
                self.estimators_.append(member.fit(X, y, sample_domain=sample_domain, X_err=X_err, callback=hook))
        self.classes_ = self.estimators_[0].classes_
        return self

    def predict_proba(self, X, sample_domain=None) -> np.ndarray:
        """Mean of the members' probabilities, shape (n_rows, n_classes)."""
        mean = np.mean([m.predict_proba(X) for m in self.estimators_], axis=0)
        return mean / mean.sum(axis=1, keepdims=True)

    def decision_function(self, X) -> np.ndarray:
        """Log of the mean probabilities (a softmax of it gives :meth:`predict_proba`)."""
        return np.log(np.clip(self.predict_proba(X), 1e-300, None))

    def predict(self, X, sample_domain=None) -> np.ndarray:
        """Class of highest mean probability."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def off_grid(self, X) -> np.ndarray:
        """True where any member flags the row as off its source grids."""
        return np.any([m.off_grid(X) for m in self.estimators_], axis=0)
