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
from nebuladapt.models.calibration import fit_temperature
from nebuladapt.models.label_shift import adjust_posteriors, em_target_prior
from nebuladapt.models.networks import NebulaNet
from nebuladapt.models.off_grid import OffGridMap
from nebuladapt.models.training import ALIGNMENTS, Scaler, TrainingData, encode, train_network
from nebuladapt.noise import NOISE_KINDS, inject_noise, target_fractional_errors

__all__ = ["NebulaClassifier", "METHODS", "PRIOR_CORRECTIONS"]

METHODS = ("nn", "dann")
#: ``none``: posteriors for balanced classes (as trained); ``em``: posteriors
#: under the target class proportions estimated by EM (Saerens et al. 2002).
PRIOR_CORRECTIONS = ("none", "em")


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
    alignment : {"marginal", "iw", "conditional", "iw_conditional"}
        DANN variant: marginal alignment (Ganin et al. 2016), importance-
        weighted for class-prior shift (IWDAN), class-conditional (CDAN), or
        both. Ignored for ``method="nn"``.
    prior_correction : {"none", "em"}
        Whether :meth:`predict_proba` re-weights posteriors to the target
        class proportions estimated at fit time (:attr:`target_prior_`).
    calibrate : bool
        Fit a softmax temperature on held-out, noise-perturbed source models
        (no target labels).
    validation_fraction : float
        Fraction of source models held out of training (stratified) for
        calibration and label-free model selection.
    entropy_weight : float
        Weight of the target-entropy term (DANN only; 0 = off), see
        :func:`~nebuladapt.models.training.train_network`.
    checkpoint_steps : tuple of int
        Training steps at which to keep a copy of the weights
        (:meth:`at_step`), for a label-free choice of the stopping step.
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
    target_prior_ : ndarray or None
        EM estimate of the target class proportions (None without target rows).
    off_grid_map_ : OffGridMap
        Occupancy map of the source models in feature space.
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
        alignment: str = "marginal",
        prior_correction: str = "none",
        calibrate: bool = True,
        validation_fraction: float = 0.1,
        checkpoint_steps: tuple = (),
        entropy_weight: float = 0.0,
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
        self.alignment = alignment
        self.prior_correction = prior_correction
        self.calibrate = calibrate
        self.validation_fraction = validation_fraction
        self.checkpoint_steps = checkpoint_steps
        self.entropy_weight = entropy_weight
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
        if self.alignment not in ALIGNMENTS:
            raise ValueError(f"alignment must be one of {ALIGNMENTS}, got {self.alignment!r}")
        if self.prior_correction not in PRIOR_CORRECTIONS:
            raise ValueError(
                f"prior_correction must be one of {PRIOR_CORRECTIONS}, got {self.prior_correction!r}"
            )
        if not 0 <= self.validation_fraction < 1:
            raise ValueError("validation_fraction must be in [0, 1)")

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
        train_rows, validation_rows = self._split_validation(label_idx)
        self.validation_flux_ = source_flux[validation_rows]
        self.validation_label_ = label_idx[validation_rows]
        fractional = np.empty((0, len(self.lines_)))
        if self.noise == "matched":
            if X_err is None:
                raise ValueError("noise='matched' needs X_err (target flux errors)")
            X_err = _as_flux_matrix(X_err, len(self.lines_), "X_err")
            fractional = target_fractional_errors(target_flux, X_err[~is_source])
            fractional = fractional[np.isfinite(fractional).any(axis=1)]
            if len(fractional) == 0:
                raise ValueError("noise='matched' but no target row has a usable error")
        self.fractional_errors_ = fractional
        data = TrainingData(
            source_flux=torch.from_numpy(source_flux[train_rows]),
            source_label=torch.from_numpy(label_idx[train_rows].astype(np.int64)),
            target_flux=torch.from_numpy(target_flux),
            target_fractional_errors=torch.from_numpy(fractional),
        )
        torch.manual_seed(self.random_state)
        self.network_ = self._build_network()
        self.history_, snapshots = train_network(
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
            alignment=self.alignment,
            checkpoints=tuple(self.checkpoint_steps),
            entropy_weight=self.entropy_weight,
            callback=callback,
        )
        self.snapshots_ = snapshots
        self.n_features_in_ = len(self.lines_)
        self._target_flux = target_flux
        self._finish_fit(source_flux, target_flux)
        return self

    def _split_validation(self, label_idx: np.ndarray):
        """Stratified split of source rows into training and validation."""
        rng = np.random.default_rng(self.random_state)
        train, validation = [], []
        for c in np.unique(label_idx):
            rows = rng.permutation(np.flatnonzero(label_idx == c))
            n_val = int(round(self.validation_fraction * len(rows)))
            if n_val >= len(rows):
                n_val = 0
            validation.append(rows[:n_val])
            train.append(rows[n_val:])
        return np.sort(np.concatenate(train)), np.sort(np.concatenate(validation))

    def _noisy_features(self, flux: np.ndarray, seed_offset: int, noise: str | None = None, level=None):
        """Scaled features of noise-perturbed source fluxes (training noise by default)."""
        generator = torch.Generator().manual_seed(self.random_state + seed_offset)
        noisy = inject_noise(
            torch.from_numpy(flux), noise or self.noise, self.noise_level if level is None else level,
            generator, torch.from_numpy(self.fractional_errors_),
        )
        return log_ratios(noisy.numpy(), self.spec_)

    def _calibrate_and_estimate_prior(self, target_flux: np.ndarray) -> None:
        """Temperature on noisy held-out source models; EM target prior. No target labels."""
        self.temperature_ = 1.0
        if self.calibrate and len(self.validation_flux_):
            features = self._noisy_features(self.validation_flux_, 1)
            with torch.no_grad():
                logits = self.network_(encode(torch.from_numpy(features), self.scaler_)).numpy()
            self.temperature_ = fit_temperature(logits, self.validation_label_)
        self.target_prior_ = None
        if len(target_flux):
            proba = self._balanced_proba(target_flux)
            usable = np.isfinite(proba).all(axis=1)
            self.target_prior_ = em_target_prior(proba[usable])

    def _finish_fit(self, source_flux: np.ndarray, target_flux: np.ndarray) -> None:
        """Calibrate the temperature, estimate the target prior, build the off-grid map."""
        self._calibrate_and_estimate_prior(target_flux)
        map_noise = "fixed" if self.noise == "none" else self.noise
        level = max(self.noise_level, 0.1)
        features = np.vstack(
            [log_ratios(source_flux, self.spec_)]
            + [self._noisy_features(source_flux, 2 + k, map_noise, level) for k in range(2)]
        )
        self.off_grid_map_ = OffGridMap.fit(self._standardise(features))

    def _standardise(self, features: np.ndarray) -> np.ndarray:
        return (features - self.scaler_.mean) / self.scaler_.scale

    def at_step(self, step: int) -> "NebulaClassifier":
        """A copy of this fitted model with the weights saved at training ``step``.

        Temperature, target prior and off-grid map are recomputed for those
        weights. ``step`` must be one of ``checkpoint_steps``.
        """
        import copy

        if step not in self.snapshots_:
            raise KeyError(f"no snapshot at step {step}; kept: {sorted(self.snapshots_)}")
        other = copy.copy(self)
        other.network_ = self._build_network()
        other.network_.load_state_dict(self.snapshots_[step])
        other.network_.eval()
        other._calibrate_and_estimate_prior(self._target_flux)
        return other

    def _build_network(self) -> NebulaNet:
        n_features = len(self.spec_.ratios)
        return NebulaNet(
            2 * n_features,
            len(self.classes_),
            hidden=tuple(self.hidden),
            domain_hidden=64 if self.method == "dann" else 0,
            conditional=self.method == "dann" and "conditional" in self.alignment,
        )

    def _inputs(self, X) -> torch.Tensor:
        X = _as_flux_matrix(X, len(self.lines_))
        return encode(torch.from_numpy(log_ratios(X, self.spec_)), self.scaler_)

    def decision_function(self, X) -> np.ndarray:
        """Class logits divided by the temperature, shape (n_rows, n_classes)."""
        with torch.no_grad():
            logits = self.network_(self._inputs(X))
        return (logits / self.temperature_).numpy()

    def _balanced_proba(self, X) -> np.ndarray:
        with torch.no_grad():
            logits = torch.from_numpy(self.decision_function(X))
            return torch.softmax(logits, dim=1).numpy().astype(np.float64)

    def predict_proba(self, X, sample_domain=None) -> np.ndarray:
        """Class probabilities, columns in the order of :attr:`classes_`.

        With ``prior_correction="em"`` they are re-weighted to the target class
        proportions estimated at fit time. ``sample_domain`` is accepted (and
        ignored) for skada's scorers.
        """
        proba = self._balanced_proba(X)
        if self.prior_correction == "em" and getattr(self, "target_prior_", None) is not None:
            k = len(self.classes_)
            proba = adjust_posteriors(proba, np.full(k, 1.0 / k), self.target_prior_)
        return proba

    def off_grid(self, X) -> np.ndarray:
        """True where a row lies far from every class's model grid."""
        X = _as_flux_matrix(X, len(self.lines_))
        if getattr(self, "off_grid_map_", None) is None:
            return np.zeros(len(X), dtype=bool)
        return self.off_grid_map_.off_grid(self._standardise(log_ratios(X, self.spec_)))

    def predict(self, X, sample_domain=None) -> np.ndarray:
        """Most probable class per row."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def transform(self, X, sample_domain=None) -> np.ndarray:
        """Embedding from the feature extractor (e.g. for t-SNE)."""
        with torch.no_grad():
            return self.network_.feature_extractor(self._inputs(X)).numpy()

    def n_missing_features(self, X) -> np.ndarray:
        """Number of features that cannot be computed for each row."""
        X = _as_flux_matrix(X, len(self.lines_))
        return (~np.isfinite(log_ratios(X, self.spec_))).sum(axis=1)
