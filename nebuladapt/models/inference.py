"""Array arithmetic of inference, shared by every prediction path.

:class:`~nebuladapt.models.estimator.NebulaClassifier` is the one object that
turns fluxes into logits, probabilities and flags; these are its pure helpers.
The network runs on fixed-size, padded blocks of :data:`FORWARD_BATCH` rows,
so a row's output does not depend on the rows around it (BLAS kernels may
round differently for different batch shapes): the streaming and Dask paths
rely on this for byte-identical output whatever the chunk size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from nebuladapt.models.training import Scaler, encode

__all__ = ["FORWARD_BATCH", "RowPredictions", "forward_logits", "softmax_argmax"]

#: Rows per network call; the last block is padded to this size.
FORWARD_BATCH = 4096


@dataclass
class RowPredictions:
    """What a fitted classifier says about each row of a flux matrix.

    Attributes
    ----------
    proba : list of ndarray
        One float64 column per class (order of ``classes_``).
    class_index : ndarray of int64
        Index of the most probable class; -1 where no ratio is usable.
    usable : ndarray of bool
        Rows with at least one computable feature.
    off_grid : ndarray of bool
        Usable rows far from every class's model grid.
    """

    proba: list
    class_index: np.ndarray
    usable: np.ndarray
    off_grid: np.ndarray


def forward_logits(
    net: torch.nn.Module, scaler: Scaler, features: np.ndarray, temperature: float = 1.0
) -> np.ndarray:
    """Class logits over ``temperature`` (float32) of log-ratio ``features`` (NaN = missing).

    Computed in padded blocks of :data:`FORWARD_BATCH` rows.
    """
    n, n_features = features.shape
    out = None
    pad = None
    with torch.inference_mode():
        for start in range(0, n, FORWARD_BATCH):
            block = features[start : start + FORWARD_BATCH]
            rows = len(block)
            if rows < FORWARD_BATCH:
                if pad is None:
                    pad = np.full((FORWARD_BATCH, n_features), np.nan)
                pad[:rows] = block
                pad[rows:] = np.nan
                block = pad
            logits = net(encode(torch.from_numpy(block), scaler))
            if out is None:
                out = np.empty((n, logits.shape[1]), dtype=np.float32)
            out[start : start + rows] = (logits / temperature)[:rows].numpy()
    if out is None:
        out = np.empty((0, net.label_head.out_features), dtype=np.float32)
    return out


def softmax_argmax(logits: np.ndarray) -> tuple[list, np.ndarray]:
    """Row-wise softmax (float64, one array per class) and index of the largest logit.

    Ties go to the first class, as with ``np.argmax``. Column by column: for a
    handful of classes this is several times faster than a reduction along a
    short last axis.
    """
    columns = [logits[:, k].astype(np.float64) for k in range(logits.shape[1])]
    best = columns[0].copy()
    index = np.zeros(len(best), dtype=np.int64)
    for k, column in enumerate(columns[1:], start=1):
        np.copyto(index, k, where=column > best)
        np.maximum(best, column, out=best)
    exps = [np.exp(column - best) for column in columns]
    total = exps[0].copy()
    for e in exps[1:]:
        total += e
    for e in exps:
        e /= total
    return exps, index
