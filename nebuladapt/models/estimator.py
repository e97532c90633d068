"""scikit-learn-style estimator: the source-only NN and the adapted networks.

Inputs follow skada's convention: one array ``X`` stacks source and target
rows, ``sample_domain`` is positive for source rows and negative for target
rows, and target labels are masked with ``-1``. ``X`` holds line *fluxes* (any
normalisation) in the order of :attr:`NebulaClassifier.lines_`; the log-ratio
features are computed inside, so that noise can be injected on the fluxes.

The estimator is the one inference path of the package: logits, probabilities,
the prior correction and the off-grid flag are computed here
(:meth:`NebulaClassifier.classify_rows`), and model files save and restore it
through :meth:`~NebulaClassifier.get_state` / :meth:`~NebulaClassifier.set_state`.
Every parameter is declared once in :mod:`nebuladapt.models.params`.
"""

from __future__ import annotations

import warnings
from typing import Callable

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_array
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from nebuladapt.diffuse_gas import BLENDED_CLASSES, lines_without_gas
from nebuladapt.evaluation.diagnostics import SII_HA, low_sii_snr_share
from nebuladapt.features import FeatureSpec, default_feature_spec, log_ratios, missing_line_share, usable_rows
from nebuladapt.models.calibration import fit_temperature, match_temperature
from nebuladapt.models.inference import Predictor, RowPredictions, network_layers, softmax_argmax
from nebuladapt.models.label_shift import em_target_prior
from nebuladapt.models.limits import LimitSample, grid_sample_rows
from nebuladapt.models.losses import build_alignment
from nebuladapt.models.losses.entropy import TargetEntropy
from nebuladapt.models.networks import NebulaNet
from nebuladapt.models.off_grid import OffGridMap
from nebuladapt.models.params import (
    METHODS, PRIOR_CORRECTIONS, check_tuples, init_signature, sklearn_constraints, store_init_arguments,
)
from nebuladapt.models.state import ModelState
from nebuladapt.models.training import (
    Scaler, TrainingConfig, TrainingData, encode, stratified_split, train_network,
)
from nebuladapt.noise import inject_noise, target_fractional_errors

__all__ = ["NebulaClassifier", "ModelState", "METHODS", "PRIOR_CORRECTIONS"]

_OFF_GRID = "off_grid."
#: Tensor of the saved grid sample that completes rows with upper limits (:mod:`nebuladapt.models.limits`).
_LIMIT_SAMPLE, _LIMIT_SAMPLE_CLASS = "limit_sample", "limit_sample_class"
_INIT_SIGNATURE = init_signature()


def _as_flux_matrix(X, n_lines: int, name: str = "X", min_rows: int = 0) -> np.ndarray:
    """``X`` as a float64 matrix of ``n_lines`` columns (NaN, inf: unmeasured lines)."""
    X = check_array(X, dtype=np.float64, ensure_all_finite=False, input_name=name,
                    ensure_min_samples=min_rows)
    if X.shape[1] != n_lines:
        raise ValueError(f"{name} must have shape (n_rows, {n_lines}), got {X.shape}")
    return X


class NebulaClassifier(ClassifierMixin, BaseEstimator):
    """Nebula classifier trained on labelled model grids, adapted to the target catalogue.

    The defaults are what ``nebuladapt fit`` trains. Every parameter (type,
    allowed values, default, help) is declared in
    :data:`nebuladapt.models.params.PARAMS` and validated at :meth:`fit`.

    Parameters
    ----------
    method : {"nn", "dann"}
        Source-only network, or a network adapted to the target rows with the
        ``alignment`` method (plus the entropy add-on).
    noise : {"auto", "none", "fixed", "matched"}
        Noise injected on the source line fluxes at each step (see
        :mod:`nebuladapt.noise`). ``matched`` needs target errors (``X_err``);
        ``auto`` is ``matched`` where ``X_err`` gives usable target errors,
        else ``fixed`` (the choice is :attr:`noise_`).
    noise_level : float
        Fractional noise for ``fixed`` (and the fallback of ``matched``).
    hidden : tuple of int
        Feature-extractor layer sizes.
    n_steps, batch_size, lr : int, int, float
        Optimisation: Adam, class-balanced source batches.
    domain_weight : float
        Maximum weight of the alignment term (GRL strength for adversarial
        methods; it multiplies the ``lambda_p`` schedule).
    mask_prob : float
        Probability of masking each feature of a source row during training,
        so rows with missing lines are classified from the lines they have.
    feature_spec : FeatureSpec or None
        Line ratios used as features (default: the three classical ratios).
    alignment : str
        Adaptation method, a name registered in
        :data:`nebuladapt.models.losses.ALIGNMENTS` (DANN ``marginal``, IWDAN
        ``iw``, CDAN ``conditional``, ``iw_conditional`` ...). Ignored for
        ``method="nn"``.
    prior_correction : {"none", "em"}
        Whether probabilities are re-weighted to the target class proportions
        estimated at fit time (:attr:`target_prior_`).
    calibrate : bool
        Fit a softmax temperature on held-out, noise-perturbed source models
        (no target labels).
    validation_fraction : float
        Fraction of source models held out of training (stratified).
    checkpoint_steps : tuple of int
        Training steps at which to keep a copy of the weights (:meth:`at_step`).
    entropy_weight : float
        Weight of the target-entropy add-on (0 = off; ignored for ``nn``).
    members : int
        With ``members > 1`` (and an adapting ``method``), that many single networks (this configuration,
        seeds derived from ``random_state``) are trained first; the fitted
        network is then trained on the source labels plus their mean target
        probabilities (distillation), in place of the adaptation losses. One
        network is kept, so prediction costs the same.
    random_state : int
        Seed: the same seed on CPU gives the same predictions.

    Attributes
    ----------
    classes_ : ndarray
    lines_ : list of str
        Line order expected in ``X``.
    noise_ : str
        The noise used in training (``auto`` resolved).
    scaler_ : Scaler
    network_ : NebulaNet
    temperature_ : float
        Softmax temperature (1 unless calibrated).
    target_prior_ : ndarray or None
        EM estimate of the target class proportions (None without target rows).
    off_grid_map_ : OffGridMap or None
        Occupancy map of the source models in feature space.
    history_ : list of dict
        Per-step training losses.
    ensemble_ : dict or None
        With ``members > 1``: the members' seeds and their predicted class
        proportions on the target (kept in the model card).
    target_missing_ : dict of str to float
        Line -> share of the target rows giving a ratio that give none with it
        (:func:`~nebuladapt.features.missing_line_share`; kept in the model card, whose
        :func:`~nebuladapt.models.persistence.card_warnings` read it).
    low_sii_snr_ : dict
        :func:`~nebuladapt.evaluation.diagnostics.low_sii_snr_share` of the target rows and the
        classes the fitted model gives them (``rows``, ``share``; empty when the features hold no
        [SII]/Halpha); kept in the model card, whose warnings read it
        (:func:`~nebuladapt.catalogs.usage.low_sii_warning`).
    """

    _parameter_constraints: dict = sklearn_constraints()

    def __init__(self, *args, **kwargs) -> None:
        bound = _INIT_SIGNATURE.bind(self, *args, **kwargs)
        bound.apply_defaults()
        store_init_arguments(self, bound.arguments)

    # The parameters, their order and defaults are declared once, in
    # nebuladapt.models.params.PARAMS; scikit-learn reads them from this signature.
    __init__.__signature__ = _INIT_SIGNATURE

    def __sklearn_tags__(self):
        from sklearn.utils import TransformerTags

        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # NaN is an unmeasured line
        tags.transformer_tags = TransformerTags(preserves_dtype=[])  # transform: the embedding
        return tags

    @property
    def spec_(self) -> FeatureSpec:
        """The feature spec in use."""
        return self.feature_spec or default_feature_spec()

    def _adaptation_losses(self) -> list:
        """The configured adaptation losses; none for ``method="nn"`` (so no entropy term)."""
        if self.method == "nn":
            return []
        losses = build_alignment(self.alignment, self.domain_weight)
        if self.entropy_weight > 0:
            losses.append(TargetEntropy(self.entropy_weight))
        return losses

    # ------------------------------------------------------------------ fit
    def fit(
        self, X, y, sample_domain=None, X_err=None, callback: Callable | None = None,
        source_grids: list | None = None, initial_weights: dict | None = None,
    ):
        """Fit on labelled source rows and (when adapting) unlabelled target rows.

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
            1-sigma flux errors; used on target rows for ``matched``/``auto`` noise.
        callback : callable, optional
            Called as ``callback(step, record)`` after every training step.
        source_grids : list of dict, optional
            Provenance of the source rows (:meth:`nebuladapt.grids.GridSet.card`),
            kept as :attr:`source_grids_` for the model card.
        initial_weights : dict of str to Tensor, optional
            Network weights to start from (e.g. a source-only network's
            ``network_.state_dict()``); layers it lacks keep their initialisation.

        Returns
        -------
        self
        """
        self._validate_params()
        if self.calibrate and self.match_members:
            raise ValueError("calibrate and match_members both set the temperature: choose one")
        if self.n_jobs == 0:
            raise ValueError("n_jobs must be -1 (one process per CPU core) or a positive number of processes, got 0")
        self.source_grids_ = source_grids
        check_tuples(self.get_params())
        spec = self.spec_
        lines = spec.lines
        if y is None:
            raise ValueError("requires y to be passed, but the target y is None (use -1 for target rows)")
        y = np.asarray(y, dtype=object)
        if y.ndim != 1:
            raise ValueError(f"y must be one-dimensional, got shape {y.shape}")
        if sample_domain is None:
            is_source = np.array([str(v) != "-1" for v in y], dtype=bool)
        else:
            is_source = np.asarray(sample_domain) > 0
        labels = np.asarray(y[is_source].tolist())
        check_classification_targets(labels)
        X = _as_flux_matrix(X, len(lines), min_rows=1)
        if len(y) != len(X):
            raise ValueError(f"y has {len(y)} rows, X has {len(X)}")
        if not is_source.any():
            raise ValueError("no source rows (sample_domain > 0) to learn from")
        classes = np.unique(labels)
        if len(classes) < 2:
            raise ValueError(f"source rows hold 1 class ({classes[0]!r}); need at least two classes")
        label_idx = np.searchsorted(classes, labels)
        source_flux, target_flux = X[is_source], X[~is_source]
        noise, fractional = self._resolve_noise(target_flux, X_err, is_source, len(lines))
        losses = self._adaptation_losses()
        gas, no_gas = self.diffuse_gas, lines_without_gas(lines)
        if gas > 0 and no_gas:  # e.g. a grid of the user's with [OII]: trained as modelled
            warnings.warn(f"diffuse_gas: no diffuse-gas value for {', '.join(no_gas)} "
                          "(nebuladapt.diffuse_gas.DIG_SPECTRUM); the models are not blended", UserWarning, stacklevel=2)
            gas = 0.0
        self.lines_, self.classes_, self.noise_ = lines, classes, noise
        self.target_missing_ = missing_line_share(log_ratios(target_flux, spec), spec)
        self.fractional_errors_ = fractional
        source_features = log_ratios(source_flux, spec)
        if not np.isfinite(source_features).all(axis=1).any():
            raise ValueError("no source row gives every line ratio (line fluxes must be positive)")
        self.scaler_ = Scaler.fit(source_features)
        train_rows, validation_rows = stratified_split(label_idx, self.validation_fraction, self.random_state)
        self.validation_flux_ = source_flux[validation_rows]
        self.validation_label_ = label_idx[validation_rows]
        data = TrainingData(
            source_flux=torch.from_numpy(source_flux[train_rows]),
            source_label=torch.from_numpy(label_idx[train_rows].astype(np.int64)),
            target_flux=torch.from_numpy(target_flux),
            target_fractional_errors=torch.from_numpy(fractional),
        )
        config = TrainingConfig(
            noise=noise, noise_level=self.noise_level, n_steps=self.n_steps,
            batch_size=self.batch_size, lr=self.lr, mask_prob=self.mask_prob,
            seed=self.random_state, checkpoints=tuple(self.checkpoint_steps), diffuse_gas=gas,
            diffuse_gas_labels=tuple(int(k) for k, c in enumerate(classes) if c in BLENDED_CLASSES),
            diffuse_gas_models=self.diffuse_gas_models,
        )
        self.ensemble_ = None
        if self.members > 1 and losses:  # the network learns the members' mean target probabilities
            from nebuladapt.models.ensemble import distillation_losses

            losses, callback, initial_weights = distillation_losses(self, X, y, is_source, X_err, callback)
        torch.manual_seed(self.random_state)
        self.network_ = self._build_network(self._adaptation_losses())
        if initial_weights is not None:
            self.network_.load_state_dict(initial_weights, strict=False)
        self.history_, self.snapshots_ = train_network(
            self.network_, spec, self.scaler_, data, config, losses, callback
        )
        self.n_features_in_ = len(lines)
        self._target_flux = target_flux
        self._finish_fit(source_flux, target_flux, labels)
        self.low_sii_snr_ = self._low_sii_check(target_flux)
        return self

    def _low_sii_check(self, target_flux: np.ndarray) -> dict:
        """:attr:`low_sii_snr_` of the target rows (empty without an [SII]/Halpha feature)."""
        if SII_HA not in self.spec_.names:
            return {}
        sii_ha = log_ratios(target_flux, self.spec_)[:, self.spec_.names.index(SII_HA)]
        return low_sii_snr_share(sii_ha, self.predict(target_flux))

    def _resolve_noise(self, target_flux, X_err, is_source, n_lines) -> tuple[str, np.ndarray]:
        """The training noise (``auto`` resolved) and the target's usable fractional errors."""
        none = np.empty((0, n_lines))
        if self.noise not in ("matched", "auto"):
            return self.noise, none
        fractional = none
        if X_err is not None:
            X_err = _as_flux_matrix(X_err, n_lines, "X_err")
            fractional = target_fractional_errors(target_flux, X_err[~is_source])
            fractional = fractional[np.isfinite(fractional).any(axis=1)]
        if self.noise == "auto":
            return ("matched", fractional) if len(fractional) else ("fixed", none)
        if X_err is None:
            raise ValueError("noise='matched' needs X_err (target flux errors)")
        if len(fractional) == 0:
            raise ValueError("noise='matched' but no target row has a usable error")
        return "matched", fractional

    def _noisy_features(self, flux: np.ndarray, seed_offset: int, noise: str | None = None, level=None):
        """Features of noise-perturbed source fluxes (the training noise by default)."""
        generator = torch.Generator().manual_seed(self.random_state + seed_offset)
        noisy = inject_noise(
            torch.from_numpy(flux), noise or self.noise_, self.noise_level if level is None else level,
            generator, torch.from_numpy(self.fractional_errors_),
        )
        return log_ratios(noisy.numpy(), self.spec_)

    def _calibrate_and_estimate_prior(self, target_flux: np.ndarray) -> None:
        """Temperature (on noisy held-out source models, or matched to the members' mean on the target rows);
        EM target prior. No target labels."""
        self.temperature_ = 1.0
        if self.calibrate and len(self.validation_flux_):
            features = self._noisy_features(self.validation_flux_, 1)
            with torch.no_grad():
                logits = self.network_(encode(torch.from_numpy(features), self.scaler_)).numpy()
            self.temperature_ = fit_temperature(logits, self.validation_label_)
        self.target_prior_ = None
        self._refresh_predictor()
        features = self._features(target_flux)
        usable = usable_rows(features)  # a row with no ratio gets no class, so it says nothing of the proportions
        teacher = getattr(self, "teacher_proba_", None)
        if self.match_members and self.ensemble_ is not None and teacher is not None and usable.any():
            logits = self._logits(features[usable], prior=False)  # temperature 1 here
            self.temperature_ = match_temperature(logits, teacher[usable])
            self._refresh_predictor()
        if usable.any():
            columns, _ = softmax_argmax(self._logits(features[usable], prior=False))
            proba = np.column_stack(columns)
            self.target_prior_ = em_target_prior(proba[np.isfinite(proba).all(axis=1)])
            self._refresh_predictor()

    def _finish_fit(self, source_flux: np.ndarray, target_flux: np.ndarray, labels: np.ndarray) -> None:
        """Calibrate the temperature, estimate the target prior, build the off-grid map, keep the grid
        sample for upper limits (``labels``: the source rows' classes)."""
        self._calibrate_and_estimate_prior(target_flux)
        map_noise = "fixed" if self.noise_ == "none" else self.noise_
        level = max(self.noise_level, 0.1)
        features = np.vstack(
            [log_ratios(source_flux, self.spec_)]
            + [self._noisy_features(source_flux, 2 + k, map_noise, level) for k in range(2)]
        )
        self.off_grid_map_ = OffGridMap.fit(self._standardise(features))
        rows = grid_sample_rows(labels)
        self.limit_sample_ = LimitSample(source_flux[rows], self.spec_, np.searchsorted(self.classes_, labels[rows]))
        self._refresh_predictor()

    def _standardise(self, features: np.ndarray) -> np.ndarray:
        return (features - self.scaler_.mean) / self.scaler_.scale

    def at_step(self, step: int) -> "NebulaClassifier":
        """A copy of this fitted model with the weights saved at training ``step``.

        Temperature and target prior are recomputed for those weights.
        ``step`` must be one of ``checkpoint_steps``.
        """
        import copy

        check_is_fitted(self, "network_")
        if step not in self.snapshots_:
            raise KeyError(f"no snapshot at step {step}; kept: {sorted(self.snapshots_)}")
        other = copy.copy(self)
        other.network_ = self._build_network(self._adaptation_losses())
        other.network_.load_state_dict(self.snapshots_[step])
        other.network_.eval()
        other._calibrate_and_estimate_prior(self._target_flux)
        return other

    def _build_network(self, losses) -> NebulaNet:
        widths = [term.domain_inputs(self.hidden[-1], len(self.classes_)) for term in losses]
        widths = [w for w in widths if w is not None]
        return NebulaNet(
            2 * len(self.spec_.ratios), len(self.classes_), hidden=tuple(self.hidden),
            domain_hidden=64 if widths else 0, domain_inputs=widths[0] if widths else None,
        )

    # ------------------------------------------------------------------ state
    def get_state(self) -> ModelState:
        """The learned state, for :func:`~nebuladapt.models.persistence.save_model`."""
        check_is_fitted(self, "network_")
        tensors = {k: v.detach().contiguous().clone() for k, v in self.network_.state_dict().items()}
        if self.off_grid_map_ is not None:
            for key, array in self.off_grid_map_.arrays().items():
                tensors[_OFF_GRID + key] = torch.from_numpy(array)
        if getattr(self, "limit_sample_", None) is not None:
            tensors[_LIMIT_SAMPLE] = torch.from_numpy(self.limit_sample_.flux.copy())
            tensors[_LIMIT_SAMPLE_CLASS] = torch.from_numpy(self.limit_sample_.classes.astype(np.int16))
        prior = self.target_prior_
        values = {
            "lines": list(self.lines_),
            "classes": [str(c) for c in self.classes_],
            "scaler": {"mean": self.scaler_.mean.tolist(), "scale": self.scaler_.scale.tolist()},
            "temperature": float(self.temperature_),
            "target_prior": None if prior is None else [float(p) for p in prior],
            "resolved_noise": self.noise_,
            "grids": getattr(self, "source_grids_", None),
            "ensemble": getattr(self, "ensemble_", None),
            "target_missing": getattr(self, "target_missing_", {}),
            "low_sii_snr": getattr(self, "low_sii_snr_", {}),
        }
        return ModelState(tensors, values)

    def set_state(self, state: ModelState) -> "NebulaClassifier":
        """Restore a state from :meth:`get_state` (the only way fitted attributes are set besides :meth:`fit`).

        Raises
        ------
        ValueError
            If the off-grid map is incomplete or the weights do not fit the
            network these parameters build.
        """
        tensors, values = dict(state.tensors), state.values
        parts = {k[len(_OFF_GRID):]: tensors.pop(k).numpy() for k in list(tensors) if k.startswith(_OFF_GRID)}
        grid_map = OffGridMap.from_arrays(parts) if parts else None
        sample, sample_class = tensors.pop(_LIMIT_SAMPLE, None), tensors.pop(_LIMIT_SAMPLE_CLASS, None)  # stop 29
        self.classes_ = np.array(values["classes"])
        self.lines_ = list(values["lines"])
        self.scaler_ = Scaler(
            np.asarray(values["scaler"]["mean"], dtype=np.float32),
            np.asarray(values["scaler"]["scale"], dtype=np.float32),
        )
        self.temperature_ = float(values["temperature"])
        prior = values.get("target_prior")
        self.target_prior_ = None if prior is None else np.asarray(prior, dtype=float)
        self.noise_ = values.get("resolved_noise") or self.noise
        self.source_grids_ = values.get("grids")  # absent from cards written before it existed
        self.ensemble_ = values.get("ensemble")
        self.target_missing_ = values.get("target_missing") or {}  # absent from older cards
        self.low_sii_snr_ = values.get("low_sii_snr") or {}
        self.n_features_in_ = len(self.lines_)
        self.off_grid_map_ = grid_map
        self.limit_sample_ = (None if sample is None or sample_class is None
                              else LimitSample(sample.numpy(), self.spec_, sample_class.numpy()))
        network = self._build_network(self._adaptation_losses())
        try:
            network.load_state_dict(tensors)
        except RuntimeError as exc:
            raise ValueError(
                f"weights do not fit the network of these parameters ({' '.join(str(exc).split())[:200]})"
            ) from exc
        network.eval()
        self.network_ = network
        self._refresh_predictor()
        return self

    # ------------------------------------------------------------------ inference
    def _features(self, X) -> np.ndarray:
        return log_ratios(_as_flux_matrix(X, len(self.lines_)), self.spec_)

    def _logits(self, features: np.ndarray, prior: bool = True) -> np.ndarray:
        """Logits / temperature, shifted by ``log(pi_t / pi_s)`` under the EM prior correction.

        ``softmax(z + log(pi_t / pi_s))`` is Saerens et al.'s re-weighted posterior.
        """
        return self.predictor().logits(features, prior)

    def predictor(self) -> Predictor:
        """This model's inference object (:class:`~nebuladapt.models.inference.Predictor`).

        Built once from the fitted state and kept; every prediction method
        delegates to it. :meth:`fit`, :meth:`set_state` and :meth:`set_params`
        rebuild or drop it, so it always reflects the current weights and parameters.
        """
        check_is_fitted(self, "network_")
        cached = self.__dict__.get("_predictor")
        return cached if cached is not None else self._refresh_predictor()

    def _refresh_predictor(self) -> Predictor:
        """Build the inference object from the current fitted state and cache it."""
        self._predictor = Predictor(
            self.spec_, self.classes_, network_layers(self.network_.state_dict()),
            self.scaler_.mean, self.scaler_.scale, self.temperature_,
            getattr(self, "target_prior_", None), self.prior_correction,
            getattr(self, "off_grid_map_", None), self.noise_, getattr(self, "limit_sample_", None),
        )
        return self._predictor

    def set_params(self, **params) -> "NebulaClassifier":
        """Set parameters (scikit-learn API); drops the cached :meth:`predictor`."""
        self.__dict__.pop("_predictor", None)
        return super().set_params(**params)

    def decision_function(self, X) -> np.ndarray:
        """Class scores: logits / temperature (+ log prior ratio), shape (n_rows, n_classes).

        With two classes, shape (n_rows,): the score of ``classes_[1]`` minus that
        of ``classes_[0]`` (scikit-learn's convention).
        """
        logits = self._scores(X)
        return logits[:, 1] - logits[:, 0] if logits.shape[1] == 2 else logits

    def _scores(self, X) -> np.ndarray:
        check_is_fitted(self, "network_")
        return self._logits(self._features(X))

    def predict_proba(self, X, sample_domain=None) -> np.ndarray:
        """Class probabilities, columns in the order of :attr:`classes_`.

        With ``prior_correction="em"`` they are re-weighted to the target class
        proportions estimated at fit time. ``sample_domain`` is accepted (and
        ignored) for skada's scorers. A row with no computable ratio gets the
        network's answer to an all-missing input, as scikit-learn's API needs a
        number; :meth:`classify_rows`, the path of ``nebuladapt predict``, marks
        such a row unusable and gives it no class.
        """
        return np.column_stack(softmax_argmax(self._scores(X))[0])

    def predict(self, X, sample_domain=None) -> np.ndarray:
        """Most probable class per row (see :meth:`predict_proba` for rows with no computable ratio)."""
        index = softmax_argmax(self._scores(X))[1]
        return self.classes_[index]

    def classify_rows(self, X, limits=None) -> RowPredictions:
        """Probabilities, class, usability and flags of every row, in one pass
        (:meth:`Predictor.classify_rows <nebuladapt.models.inference.Predictor.classify_rows>`; ``limits``:
        upper-limit fluxes in :attr:`lines_` order, NaN where none).

        The path of :mod:`nebuladapt.predict` (and so of streaming and Dask).
        """
        check_is_fitted(self, "network_")
        return self.predictor().classify_rows(_as_flux_matrix(X, len(self.lines_)), limits)

    def off_grid(self, X) -> np.ndarray:
        """True where a row lies far from every class's model grid."""
        check_is_fitted(self, "network_")
        return self.predictor().off_grid_features(self._features(X))

    def transform(self, X, sample_domain=None) -> np.ndarray:
        """Embedding from the feature extractor (e.g. for t-SNE)."""
        check_is_fitted(self, "network_")
        with torch.no_grad():
            return self.network_.feature_extractor(encode(torch.from_numpy(self._features(X)), self.scaler_)).numpy()

    def n_missing_features(self, X) -> np.ndarray:
        """Number of features that cannot be computed for each row."""
        return (~np.isfinite(self._features(X))).sum(axis=1)
