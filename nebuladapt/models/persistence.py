"""Model files: safetensors weights + a JSON model card. No pickle, ever.

A model directory holds ``weights.safetensors`` (tensors only: the format
cannot carry code) and ``model.json`` (features, scaler, classes, grids, seed,
hyperparameters, library versions and the SHA-256 of the weights file).
Loading checks the card's format version and the weights checksum before
anything is built.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import platform
import tempfile
from pathlib import Path

import numpy as np
import safetensors.torch
import torch

from nebuladapt.features import FeatureSpec
from nebuladapt.models.estimator import NebulaClassifier
from nebuladapt.models.training import Scaler

__all__ = ["ModelFileError", "save_model", "load_model", "WEIGHTS_FILE", "CARD_FILE", "CARD_FORMAT"]

WEIGHTS_FILE = "weights.safetensors"
CARD_FILE = "model.json"
#: Bumped whenever the card or the network layout changes incompatibly.
CARD_FORMAT = 1


class ModelFileError(ValueError):
    """A model directory is missing, tampered with, or from another version."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _versions() -> dict:
    import sklearn

    from nebuladapt import __version__

    return {
        "nebuladapt": __version__,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "python": platform.python_version(),
    }


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_model(model: NebulaClassifier, directory, extra: dict | None = None) -> Path:
    """Write a fitted classifier to ``directory`` (created if needed).

    Parameters
    ----------
    model : NebulaClassifier
        A fitted estimator.
    directory : str or Path
    extra : dict, optional
        JSON-serialisable additions to the card (training grids, target
        catalogue, selection results ...).

    Returns
    -------
    Path
        The directory.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().contiguous().clone() for k, v in model.network_.state_dict().items()}
    weights = safetensors.torch.save(tensors)
    _atomic_write_bytes(directory / WEIGHTS_FILE, weights)
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
        "lines": list(model.lines_),
        "classes": [str(c) for c in model.classes_],
        "scaler": {"mean": model.scaler_.mean.tolist(), "scale": model.scaler_.scale.tolist()},
        "temperature": float(model.temperature_),
        "seed": int(model.random_state),
        "versions": _versions(),
        "weights_sha256": hashlib.sha256(weights).hexdigest(),
        **(extra or {}),
    }
    _atomic_write_bytes(directory / CARD_FILE, json.dumps(card, indent=2).encode())
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
        raise ModelFileError(f"{card_path}: not valid JSON ({exc}); re-run `nebuladapt fit`") from exc
    if card.get("format") != CARD_FORMAT:
        raise ModelFileError(
            f"{card_path}: model card format {card.get('format')!r}, this nebuladapt reads "
            f"format {CARD_FORMAT}; re-run `nebuladapt fit` with this version"
        )
    return card


def load_model(directory) -> NebulaClassifier:
    """Load a classifier written by :func:`save_model`.

    Raises
    ------
    ModelFileError
        Missing files, a card from another format version, or weights whose
        SHA-256 differs from the card's (tampered or mismatched files).
    """
    directory = Path(directory)
    card = read_card(directory)
    weights_path = directory / WEIGHTS_FILE
    if not weights_path.is_file():
        raise ModelFileError(f"{directory}: no {WEIGHTS_FILE}")
    if _sha256(weights_path) != card.get("weights_sha256"):
        raise ModelFileError(
            f"{weights_path}: checksum differs from the one in {CARD_FILE}; the file was "
            "modified or belongs to another model — refusing to load it"
        )
    try:
        tensors = safetensors.torch.load_file(str(weights_path))
    except Exception as exc:  # safetensors raises its own error types
        raise ModelFileError(f"{weights_path}: not a safetensors file ({exc})") from exc
    params = dict(card["params"])
    params["hidden"] = tuple(params["hidden"])
    model = NebulaClassifier(**params, feature_spec=FeatureSpec.from_dict(card["feature_spec"]))
    model.classes_ = np.array(card["classes"])
    model.lines_ = list(card["lines"])
    model.scaler_ = Scaler(
        np.asarray(card["scaler"]["mean"], dtype=np.float32),
        np.asarray(card["scaler"]["scale"], dtype=np.float32),
    )
    model.temperature_ = float(card["temperature"])
    model.n_features_in_ = len(model.lines_)
    model.network_ = model._build_network()
    try:
        model.network_.load_state_dict(tensors)
    except RuntimeError as exc:
        raise ModelFileError(f"{weights_path}: weights do not fit the card's network ({exc})") from exc
    model.network_.eval()
    model.card_ = card
    return model
