"""scikit-learn-style estimator wrapping the source-only NN and the DANN.

Inputs follow skada's convention: one array ``X`` stacks source and target
rows, ``sample_domain`` is positive for source rows and negative for target
rows, and target labels are masked with ``-1``. ``X`` holds line *fluxes* (any
normalisation) in the order of :attr:`NebulaClassifier.lines_`; the log-ratio
features are computed inside, so that noise can be injected on the fluxes.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin

from nebuladapt.features import FeatureSpec, default_feature_spec, log_ratios
from nebuladapt.models.networks import NebulaNet
from nebuladapt.models.training import Scaler, TrainingData, encode, train_network
from nebuladapt.noise import NOISE_KINDS, target_fractional_errors

__all__ = ["NebulaClassifier", "METHODS"]

METHODS = ("nn", "dann")


def _as_flux_matrix(X, n_lines: int, name: str = "X") -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != n_lines:
        raise ValueError(f"{name} must have shape (n_rows, {n_lines}), got {X.shape}")
    return X


class NebulaClassifier(ClassifierMixin, BaseEstimator):
    """Nebula classifier trained on labelled model grids, optionally adapted (DANN).

    Parameters
    ----------
    method : {"nn", "dann"}
        Source-only network, or domain-adversarial network.
    noise : {"none", "fixed", "matched"}
        Noise injected on the source line fluxes at each step (see
        :mod:`nebuladapt.noise`). ``matched`` needs target errors (``X_err``).
    noise_level : float
        Fractional noise for ``fixed`` (and the fallback of ``matched``).
    hidden : tuple of int
        Feature-extractor layer sizes.
    n_steps, batch_size, lr : int, int, float
        Optimisation: Adam, class-balanced source batches.
    domain_weight : float
        Maximum GRL strength (multiplies the ``lambda_p`` schedule).
    mask_prob : float
        Probability of masking each feature of a source row during training,
        so rows with missing lines are classified from the lines they have.
    feature_spec : FeatureSpec or None
        Line ratios used as features (default: the three classical ratios).
    random_state : int
        Seed: the same seed on CPU gives the same predictions.

    Attributes
    ----------
    classes_ : ndarray of str
    lines_ : list of str
        Line order expected in ``X``.
    scaler_ : Scaler
    network_ : NebulaNet
    temperature_ : float
        Softmax temperature (1 unless calibrated).
    history_ : list of dict
        Per-step training losses.
    """

    def __init__(
        self,
        method: str = "dann",
        noise: str = "fixed",
        noise_level: float = 0.1,
        hidden: tuple = (64, 64),
        n_steps: int = 2000,
        batch_size: int = 256,
        lr: float = 1e-3,
        domain_weight: float = 1.0,
        mask_prob: float = 0.1,
        feature_spec: FeatureSpec | None = None,
        random_state: int = 0,
    ) -> None:
        self.method = method
        self.noise = noise
        self.noise_level = noise_level
        self.hidden = hidden
        self.n_steps = n_steps
        self.batch_size = batch_size
        self.lr = lr
        self.domain_weight = domain_weight
        self.mask_prob = mask_prob
        self.feature_spec = feature_spec
        self.random_state = random_state

    @property
    def spec_(self) -> FeatureSpec:
        """The feature spec in use."""
        return self.feature_spec or default_feature_spec()

    def _check_params(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {self.method!r}")
        if self.noise not in NOISE_KINDS:
            raise ValueError(f"noise must be one of {NOISE_KINDS}, got {self.noise!r}")

    def fit(self, X, y, sample_domain=None, X_err=None, callback: Callable | None = None):
        """Fit on labelled source rows and (for DANN) unlabelled target rows.

        Parameters
        ----------
        X : array-like, shape (n_rows, n_lines)
            Line fluxes in the order of ``feature_spec.lines``; NaN = unmeasured.
        y : array-like, shape (n_rows,)
            Class labels of source rows; ``-1`` for target rows.
        sample_domain : array-like of int, optional
            > 0 source, < 0 target (skada convention). Default: target where
            ``y == -1``.
        X_err : array-like, shape (n_rows, n_lines), optional
            1-sigma flux errors; used on target rows for ``matched`` noise.
        callback : callable, optional
            Called as ``callback(step, record)`` after every training step.

        Returns
        -------
        self
        """
        self._check_params()
        spec = self.spec_
        self.lines_ = spec.lines
        X = _as_flux_matrix(X, len(self.lines_))
        y = np.asarray(y, dtype=object)
        if len(y) != len(X):
            raise ValueError(f"y has {len(y)} rows, X has {len(X)}")
        is_target_label = np.array([str(v) == "-1" for v in y])
        if sample_domain is None:
            is_source = ~is_target_label
        else:
            sample_domain = np.asarray(sample_domain)
            is_source = sample_domain > 0
        if not is_source.any():
            raise ValueError("no source rows (sample_domain > 0) to learn from")
        labels = y[is_source].astype(str)
        self.classes_ = np.unique(labels)
        label_idx = np.searchsorted(self.classes_, labels)
        source_flux, target_flux = X[is_source], X[~is_source]
        source_features = log_ratios(source_flux, spec)
        self.scaler_ = Scaler.fit(source_features)
        fractional = np.empty((0, len(self.lines_)))
        if self.noise == "matched":
            if X_err is None:
                raise ValueError("noise='matched' needs X_err (target flux errors)")
            X_err = _as_flux_matrix(X_err, len(self.lines_), "X_err")
            fractional = target_fractional_errors(target_flux, X_err[~is_source])
            fractional = fractional[np.isfinite(fractional).any(axis=1)]
            if len(fractional) == 0:
                raise ValueError("noise='matched' but no target row has a usable error")
        data = TrainingData(
            source_flux=torch.from_numpy(source_flux),
            source_label=torch.from_numpy(label_idx.astype(np.int64)),
            target_flux=torch.from_numpy(target_flux),
            target_fractional_errors=torch.from_numpy(fractional),
        )
        torch.manual_seed(self.random_state)
        self.network_ = self._build_network()
        self.history_ = train_network(
            self.network_,
            spec,
            self.scaler_,
            data,
            adversarial=self.method == "dann",
            noise=self.noise,
            noise_level=self.noise_level,
            n_steps=self.n_steps,
            batch_size=self.batch_size,
            lr=self.lr,
            domain_weight=self.domain_weight,
            mask_prob=self.mask_prob,
            seed=self.random_state,
            callback=callback,
        )
        self.temperature_ = 1.0
        self.n_features_in_ = len(self.lines_)
        return self

    def _build_network(self) -> NebulaNet:
        n_features = len(self.spec_.ratios)
        return NebulaNet(
            2 * n_features,
            len(self.classes_),
            hidden=tuple(self.hidden),
            domain_hidden=64 if self.method == "dann" else 0,
        )

    def _inputs(self, X) -> torch.Tensor:
        X = _as_flux_matrix(X, len(self.lines_))
        return encode(torch.from_numpy(log_ratios(X, self.spec_)), self.scaler_)

    def decision_function(self, X) -> np.ndarray:
        """Class logits divided by the temperature, shape (n_rows, n_classes)."""
        with torch.no_grad():
            logits = self.network_(self._inputs(X))
        return (logits / self.temperature_).numpy()

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, columns in the order of :attr:`classes_`."""
        with torch.no_grad():
            logits = torch.from_numpy(self.decision_function(X))
            return torch.softmax(logits, dim=1).numpy().astype(np.float64)

    def predict(self, X) -> np.ndarray:
        """Most probable class per row."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def transform(self, X) -> np.ndarray:
        """Embedding from the feature extractor (e.g. for t-SNE)."""
        with torch.no_grad():
            return self.network_.feature_extractor(self._inputs(X)).numpy()

    def n_missing_features(self, X) -> np.ndarray:
        """Number of features that cannot be computed for each row."""
        X = _as_flux_matrix(X, len(self.lines_))
        return (~np.isfinite(log_ratios(X, self.spec_))).sum(axis=1)
