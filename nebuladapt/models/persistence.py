"""Model files: safetensors weights + a JSON model card. No pickle, ever.

A model directory holds ``weights.safetensors`` (tensors only: the format
cannot carry code) and ``model.json`` (features, scaler, classes, grids, seed,
hyperparameters, library versions and the SHA-256 of the weights file).
Loading checks the card's format version, its contents (features, lines,
classes, scaler) and the weights checksum before anything is built; the
weights are read only with :mod:`safetensors` (never ``pickle``/``torch.load``).

:func:`save_model` writes the whole directory atomically: into a temporary
sibling directory that is renamed into place, so an interrupted or failed save
leaves no partial model, and an existing non-empty directory is replaced only
with ``overwrite=True``.

:func:`load_model` restores the estimator (PyTorch, scikit-learn);
:func:`load_predictor` builds only its inference object
(:class:`~nebuladapt.models.inference.Predictor`, NumPy arrays read with
``safetensors.numpy``) from the same files and checks, which is all that
prediction needs and starts much faster.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import platform
import re
import shutil
from pathlib import Path

import numpy as np

from nebuladapt import CLASSES
from nebuladapt.features import FeatureSpec
from nebuladapt.io.atomic import replace_directory, temporary_directory_beside
from nebuladapt.io.checksum import sha256_file
from nebuladapt.lines import LINES, SUMMED_LINES
from nebuladapt.models.params import DEFAULTS, METHODS

__all__ = [
    "ModelFileError",
    "save_model",
    "load_model",
    "load_predictor",
    "read_card",
    "WEIGHTS_FILE",
    "CARD_FILE",
    "CARD_FORMAT",
]

WEIGHTS_FILE = "weights.safetensors"
CARD_FILE = "model.json"
#: Bumped whenever the card or the network layout changes incompatibly.
CARD_FORMAT = 2


class ModelFileError(ValueError):
    """A model directory is missing, tampered with, from another version, or
    does not fit the catalogue (see :func:`check_catalog_lines`)."""




def _versions() -> dict:
    import sklearn
    import torch

    from nebuladapt import __version__

    return {
        "nebuladapt": __version__,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "python": platform.python_version(),
    }


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def save_model(
    model, directory, extra: dict | None = None, *, overwrite: bool = False
) -> Path:
    """Write a fitted classifier to ``directory``, atomically.

    Parameters
    ----------
    model : NebulaClassifier
        A fitted estimator.
    directory : str or Path
        Created with its parents; an existing empty directory is reused.
    extra : dict, optional
        JSON-serialisable additions to the card (training grids, target
        catalogue, selection results ...).
    overwrite : bool, optional
        Replace an existing non-empty ``directory`` (default False).

    Returns
    -------
    Path
        The directory.

    Raises
    ------
    FileExistsError
        If ``directory`` exists, is not empty (or not a directory) and
        ``overwrite`` is False.
    """
    directory = Path(directory)
    if directory.exists() or directory.is_symlink():
        if not directory.is_dir():
            raise FileExistsError(
                f"{directory}: exists and is not a directory; choose another --out"
            )
        if any(directory.iterdir()) and not overwrite:
            raise FileExistsError(
                f"{directory}: exists and is not empty; pass --overwrite to replace it"
            )
    import safetensors.torch

    state = model.get_state()
    weights = safetensors.torch.save(state.tensors)
    params = model.get_params()
    params.pop("feature_spec")
    params["hidden"] = list(params["hidden"])
    card = {
        "format": CARD_FORMAT,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "estimator": "NebulaClassifier",
        "params": params,
        "feature_spec": model.spec_.to_dict(),
        "feature_names": model.spec_.names,
        **state.values,
        "seed": int(model.random_state),
        "versions": _versions(),
        "weights_file": WEIGHTS_FILE,
        "weights_sha256": hashlib.sha256(weights).hexdigest(),
        "warnings": card_warnings({"feature_spec": model.spec_.to_dict(), **state.values}),
        **(extra or {}),
    }
    card_bytes = json.dumps(card, indent=2).encode()
    staging = temporary_directory_beside(directory)
    try:
        _write_synced(staging / WEIGHTS_FILE, weights)
        _write_synced(staging / CARD_FILE, card_bytes)
        replace_directory(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return directory


def read_card(directory) -> dict:
    """Read and validate a model card (no weights loaded)."""
    directory = Path(directory)
    card_path = directory / CARD_FILE
    if not card_path.is_file():
        raise ModelFileError(f"{directory}: no {CARD_FILE}; is this a nebuladapt model directory?")
    try:
        card = json.loads(card_path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelFileError(
            f"{card_path}: not valid JSON ({' '.join(str(exc).split())[:120]}); re-run "
            "`nebuladapt fit`"
        ) from exc
    if not isinstance(card, dict):
        raise ModelFileError(
            f"{card_path}: not a model card (a JSON object is expected); re-run `nebuladapt fit`"
        )
    if card.get("format") != CARD_FORMAT:
        raise ModelFileError(
            f"{card_path}: model card format {card.get('format')!r}, this nebuladapt reads "
            f"format {CARD_FORMAT}; re-run `nebuladapt fit` with this version"
        )
    problem = _card_problem(card)
    if problem:
        raise ModelFileError(
            f"{card_path}: {problem}; the card is damaged or from another version - re-run "
            "`nebuladapt fit`"
        )
    return card


def card_warnings(card: dict) -> list[str]:
    """What a user of the model must know, from its card: :func:`~nebuladapt.catalogs.usage.excitation_warning`
    and :func:`~nebuladapt.catalogs.usage.low_sii_warning`.

    Derived from the card's features and, where the card records them, the share of the fitted
    catalogue's rows without [OIII] (``target_missing``) and of its rows below [SII]/Halpha = 0.4
    called SNR (``low_sii_snr``); so cards written before ``warnings`` was recorded give the same
    answer.

    Parameters
    ----------
    card : dict
        A model card (:func:`read_card`).

    Returns
    -------
    list of str
    """
    from nebuladapt.catalogs.usage import (  # astropy: not on the prediction-only path
        EXCITATION_LINE, excitation_warning, low_sii_warning,
    )

    missing = card.get("target_missing") or {}
    warnings = [excitation_warning(FeatureSpec.from_dict(card["feature_spec"]), missing.get(EXCITATION_LINE)),
                low_sii_warning(card.get("low_sii_snr") or {})]
    return [w for w in warnings if w]


#: Card keys that hold the estimator's state (:meth:`NebulaClassifier.get_state`).
_STATE_KEYS = ("lines", "classes", "scaler", "temperature", "target_prior", "resolved_noise", "grids",
               "target_missing", "low_sii_snr")

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _is_number_list(values, length: int) -> bool:
    return (
        isinstance(values, list)
        and len(values) == length
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        and bool(np.isfinite(np.asarray(values, dtype=float)).all())
    )


def _is_low_sii_check(check) -> bool:
    """Whether ``check`` is empty or as :func:`~nebuladapt.evaluation.diagnostics.low_sii_snr_share` gives it."""
    if not isinstance(check, dict):
        return False
    if not check:
        return True
    rows, share = check.get("rows"), check.get("share")
    if set(check) != {"rows", "share"} or not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
        return False
    if share is None:
        return rows == 0
    return rows > 0 and _is_number_list([share], 1) and 0 <= share <= 1


def _card_problem(card: dict) -> str | None:
    """What is wrong with a card of the right format version, or None."""
    required = ("params", "feature_spec", "lines", "classes", "scaler", "temperature",
                "weights_sha256")
    missing = [key for key in required if key not in card]
    if missing:
        return f"keys {missing} missing"
    try:
        spec = FeatureSpec.from_dict(card["feature_spec"])
    except (KeyError, TypeError, ValueError):
        return f"feature_spec {str(card['feature_spec'])[:80]!r} is not a list of line ratios"
    known = set(LINES) | set(SUMMED_LINES)
    unknown = [line for line in spec.lines if not isinstance(line, str) or line not in known]
    if unknown or not spec.ratios:
        return f"features use lines {unknown or '[]'} that this nebuladapt does not know"
    if card["lines"] != spec.lines:
        return f"lines {card['lines']} do not match the features' lines {spec.lines}"
    classes = card["classes"]
    if (
        not isinstance(classes, list)
        or not classes
        or any(c not in CLASSES for c in classes)
        or len(set(classes)) != len(classes)
    ):
        return f"classes {classes!r} are not among {list(CLASSES)}"
    scaler = card["scaler"]
    n = len(spec.ratios)
    if not isinstance(scaler, dict) or not all(
        _is_number_list(scaler.get(key), n) for key in ("mean", "scale")
    ):
        return f"scaler does not hold {n} finite means and scales (one per feature)"
    if not _is_number_list([card["temperature"]], 1) or card["temperature"] <= 0:
        return f"temperature {card['temperature']!r} is not a positive number"
    if not isinstance(card["weights_sha256"], str) or not _SHA256.match(card["weights_sha256"]):
        return "weights_sha256 is not a SHA-256 hex digest"
    target_missing = card.get("target_missing") or {}
    if not isinstance(target_missing, dict) or not all(
        line in spec.lines and _is_number_list([share], 1) and 0 <= share <= 1 for line, share in target_missing.items()
    ):
        return f"target_missing {str(target_missing)[:80]!r} is not a share in [0, 1] per line of the features"
    low_sii = card.get("low_sii_snr") or {}
    if not _is_low_sii_check(low_sii):
        return f"low_sii_snr {str(low_sii)[:80]!r} is not a row count and a share in [0, 1]"
    params = card["params"]
    if not isinstance(params, dict) or params.get("method") not in METHODS:
        return f"params.method is not one of {METHODS}"
    hidden = params.get("hidden")
    if not (
        isinstance(hidden, list)
        and hidden
        and all(isinstance(h, int) and not isinstance(h, bool) and 0 < h <= 4096 for h in hidden)
    ):
        return f"params.hidden {hidden!r} is not a list of layer sizes (1-4096)"
    return None


def _read_model(directory) -> tuple[dict, dict]:
    """The validated card and the weights as NumPy arrays (checksum verified)."""
    import safetensors.numpy

    directory = Path(directory)
    card = read_card(directory)
    weights_path = directory / WEIGHTS_FILE
    if not weights_path.is_file():
        raise ModelFileError(f"{directory}: no {WEIGHTS_FILE}; re-run `nebuladapt fit`")
    if sha256_file(weights_path) != card.get("weights_sha256"):
        raise ModelFileError(
            f"{weights_path}: checksum differs from the one in {CARD_FILE}; the file was "
            "modified or belongs to another model — refusing to load it"
        )
    try:
        arrays = safetensors.numpy.load_file(str(weights_path))
    except Exception as exc:  # safetensors raises its own error types
        raise ModelFileError(
            f"{weights_path}: not a safetensors file ({' '.join(str(exc).split())[:200]}); "
            "refusing to load it - re-run `nebuladapt fit`"
        ) from exc
    return card, arrays


def load_model(directory):
    """Load a classifier written by :func:`save_model`.

    Only ``model.json`` (parsed as JSON) and ``weights.safetensors`` (parsed by
    safetensors, which holds tensors only) are read; any other file in the
    directory is ignored, and nothing is ever unpickled.

    Returns
    -------
    NebulaClassifier

    Raises
    ------
    ModelFileError
        Missing files, a card from another format version or with damaged
        contents, or weights whose SHA-256 differs from the card's (tampered
        or mismatched files), or that are not safetensors.
    """
    import torch

    from nebuladapt.models.estimator import ModelState, NebulaClassifier

    directory = Path(directory)
    card, arrays = _read_model(directory)
    tensors = {key: torch.from_numpy(value) for key, value in arrays.items()}
    params = dict(card["params"])
    params["hidden"] = tuple(params["hidden"])
    try:
        model = NebulaClassifier(**params, feature_spec=FeatureSpec.from_dict(card["feature_spec"]))
    except TypeError as exc:
        raise ModelFileError(
            f"{directory / CARD_FILE}: params do not fit this nebuladapt ({exc}); re-run "
            "`nebuladapt fit` with this version"
        ) from None
    values = {key: card.get(key) for key in _STATE_KEYS}
    try:
        model.set_state(ModelState(tensors, values))
    except ValueError as exc:
        raise ModelFileError(f"{directory / WEIGHTS_FILE}: {exc}; re-run `nebuladapt fit`") from exc
    return model


def load_predictor(directory, limit_method: str | None = None):
    """Load only the inference object of a model written by :func:`save_model`.

    The same files and checks as :func:`load_model`, without PyTorch,
    scikit-learn or SciPy: the network's label path, the scaler, temperature,
    target prior, off-grid map and grid sample for upper limits as NumPy arrays. Predictions equal those of
    :func:`load_model`'s estimator, which computes them with the same object.

    Parameters
    ----------
    directory : str or Path
    limit_method : str, optional
        How the predictor uses a catalogue's upper limits (one of
        :data:`nebuladapt.models.limits.CHOICES`; default :data:`nebuladapt.models.limits.METHOD`).

    Returns
    -------
    Predictor

    Raises
    ------
    ModelFileError
        As :func:`load_model`.
    ValueError
        For an unknown ``limit_method``.
    """
    from nebuladapt.models.inference import Predictor, network_layers
    from nebuladapt.models.limits import CHOICES, METHOD, LimitSample
    from nebuladapt.models.off_grid import OffGridMap

    if limit_method is not None and limit_method not in CHOICES:
        raise ValueError(f"limit_method={limit_method!r}; use one of {', '.join(CHOICES)}")
    directory = Path(directory)
    card, arrays = _read_model(directory)
    params = {**DEFAULTS, **card["params"]}
    prefix = "off_grid."
    parts = {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}
    try:
        layers = network_layers(arrays)
        widths = [int(weight.shape[0]) for weight, _ in layers[:-1]]
        if widths != list(params["hidden"]):
            raise ValueError(
                f"weights do not fit the network of these parameters (hidden layers {widths}, "
                f"the card says {params['hidden']})"
            )
        grid_map = OffGridMap.from_arrays(parts) if parts else None
        spec = FeatureSpec.from_dict(card["feature_spec"])
        sample, sample_class = arrays.get("limit_sample"), arrays.get("limit_sample_class")  # since stop 29
        return Predictor(
            spec, card["classes"], layers,
            card["scaler"]["mean"], card["scaler"]["scale"], card["temperature"],
            card.get("target_prior"), params["prior_correction"], grid_map,
            card.get("resolved_noise") or params["noise"],
            None if sample is None or sample_class is None else LimitSample(np.asarray(sample), spec, np.asarray(sample_class)),
            limit_method or METHOD,
        )
    except ValueError as exc:
        raise ModelFileError(f"{directory / WEIGHTS_FILE}: {exc}; re-run `nebuladapt fit`") from exc
