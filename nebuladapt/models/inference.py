"""Inference: the one object that turns line fluxes into logits, probabilities and flags.

:class:`Predictor` holds a fitted classifier's learned state as plain NumPy
arrays (the network's layers, the scaler, the temperature, the target prior,
the off-grid map) and computes everything a prediction needs with NumPy alone
(no PyTorch, scikit-learn or SciPy), so that ``nebuladapt predict`` starts
quickly:
:func:`nebuladapt.models.persistence.load_predictor` builds it straight from a
model directory. The estimator
(:class:`~nebuladapt.models.estimator.NebulaClassifier`) builds the same object
from its trained network and delegates ``decision_function``,
``predict_proba``, ``predict``, ``off_grid`` and ``classify_rows`` to it, so
there is one inference path whatever the caller (estimator, in-memory
prediction, streaming, Dask, MAPS).

The network runs in float32 on fixed-size, padded blocks of
:data:`FORWARD_BATCH` rows, so that a row's output does not depend on the rows
around it: the streaming and Dask paths rely on this for byte-identical output
whatever the chunk size. A BLAS matrix product does not always give a row the
same bytes wherever it sits in a block: OpenBLAS's float32 ``sgemm``
(Haswell kernels, as on this project's AMD EPYC machines) rounds rows
differently depending on their position in its 24-row tile when a product
has 16 or more output columns (measured: one row in six moves by up to ~4e-6
when a block is shifted by one row). With at most :data:`COLUMN_GROUP` output
columns per product and blocks of a multiple of 24 rows it does not. So each
layer is computed as products of :data:`COLUMN_GROUP` output columns on whole
blocks, but only after :func:`block_products_are_row_exact` has checked, once
per process and layer shape, that a row gets the same bytes in every position
of a block under this BLAS; where it does not (another BLAS or CPU), every row
is multiplied on its own (a batched ``(1, n_in) @ (n_in, n_out)`` product),
about 1.7x slower. Either way prediction needs neither PyTorch nor its 1.5-2 s
import. The products run with one BLAS thread (:func:`compute_threads`);
parallelism comes from classifying several chunks at once.
"""

from __future__ import annotations

import re
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from nebuladapt.features import FeatureSpec, log_ratios, nii_only_rows, oiii_only_rows, usable_rows
from nebuladapt.models.limits import CHOICES as LIMIT_CHOICES
from nebuladapt.models.limits import LIMIT_LINES
from nebuladapt.models.limits import METHOD as LIMIT_METHOD
from nebuladapt.models.limits import MISSING as LIMIT_MISSING

__all__ = [
    "AMBIGUOUS_BELOW",
    "COLUMN_GROUP",
    "FORWARD_BATCH",
    "Predictor",
    "RowPredictions",
    "block_products_are_row_exact",
    "compute_threads",
    "encode_features",
    "forward_logits",
    "network_layers",
    "softmax_argmax",
]

#: Rows per network call; the last block is padded to this size. A multiple of
#: 24, the row tile of OpenBLAS's Haswell ``sgemm`` kernel (see the module docstring).
FORWARD_BATCH = 4080

#: Output columns per matrix product on the block path.
COLUMN_GROUP = 8

#: A classified row whose highest class probability is below this is ambiguous: the default's members
#: disagreed on it. Over seeds 0-4 of every task of the suite, 9-13 % of such rows' classes were not the row's
#: commonest class, against 0.1 % or less at this probability and above; chosen from those class changes, which
#: need no label (``benchmarks/results/member_pool.md``).
AMBIGUOUS_BELOW = 0.7


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
    oiii_only : ndarray of bool
        Usable rows whose only ratios are [OIII] ones (:func:`nebuladapt.features.oiii_only_rows`).
    nii_only : ndarray of bool
        Usable rows whose only ratios are [NII] ones (:func:`nebuladapt.features.nii_only_rows`).
    ambiguous : ndarray of bool
        Usable rows whose highest probability is below :data:`AMBIGUOUS_BELOW`.
    limits_used : ndarray of bool, shape (n, len(LIMIT_LINES))
        Per row, the lines of :data:`~nebuladapt.models.limits.LIMIT_LINES` whose upper limits
        were used (:mod:`nebuladapt.models.limits`).
    """

    proba: list
    class_index: np.ndarray
    usable: np.ndarray
    off_grid: np.ndarray
    oiii_only: np.ndarray
    nii_only: np.ndarray
    ambiguous: np.ndarray
    limits_used: np.ndarray


# ------------------------------------------------------------------------- network
_LAYER_KEY = re.compile(r"^(feature_extractor\.(\d+)|label_head)\.(weight|bias)$")


def network_layers(tensors: dict) -> list[tuple[np.ndarray, np.ndarray]]:
    """The label path of a :class:`~nebuladapt.models.networks.NebulaNet` state dict.

    Parameters
    ----------
    tensors : dict of str to array-like
        ``feature_extractor.<i>.weight`` / ``.bias`` (ReLU after each) and
        ``label_head.weight`` / ``.bias``; other keys (the domain head) are
        ignored.

    Returns
    -------
    list of (weight, bias)
        float32 ``weight`` of shape (n_out, n_in) (PyTorch's layout) and
        ``bias`` (n_out,), in order; ReLU follows every layer but the last.

    Raises
    ------
    ValueError
        Missing or inconsistent layers.
    """
    found: dict = {}
    for key, value in tensors.items():
        match = _LAYER_KEY.match(key)
        if match:
            order = int(match.group(2)) if match.group(2) is not None else sys.maxsize
            found.setdefault(order, {})[match.group(3)] = np.asarray(value, dtype=np.float32)
    if sys.maxsize not in found or len(found) < 2:
        raise ValueError("weights hold no feature extractor and label head")
    layers = []
    width = None
    for order in sorted(found):
        parts = found[order]
        if set(parts) != {"weight", "bias"}:
            raise ValueError(f"layer {order}: weight or bias missing")
        weight, bias = parts["weight"], parts["bias"]
        if weight.ndim != 2 or bias.shape != (weight.shape[0],) or (
            width is not None and weight.shape[1] != width
        ):
            raise ValueError(f"layer shapes do not chain ({weight.shape}, {bias.shape})")
        width = weight.shape[0]
        layers.append((np.ascontiguousarray(weight), bias.copy()))
    return layers


def encode_features(features: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """``[scaled features with missing -> 0, missing mask]`` as float32 (the network input)."""
    values = np.asarray(features).astype(np.float32)
    missing = ~np.isfinite(values)
    scaled = (values - mean) / scale
    scaled[missing] = 0.0
    return np.concatenate([scaled, missing.astype(np.float32)], axis=1)


def _column_groups(layers: list, width: int = COLUMN_GROUP) -> list:
    """Each layer as (float32 ``(n_in, n_out)`` slices of ``width`` columns, bias)."""
    groups = []
    for weight, bias in layers:
        w = weight.T  # (n_in, n_out)
        parts = [np.ascontiguousarray(w[:, c : c + width]) for c in range(0, w.shape[1], width)]
        groups.append((parts, bias))
    return groups


def _block_product(h: np.ndarray, parts: list, out: np.ndarray) -> np.ndarray:
    """``h @ W`` into ``out``, one BLAS product per slice of :data:`COLUMN_GROUP` columns."""
    column = 0
    for w in parts:
        np.matmul(h, w, out=out[:, column : column + w.shape[1]])
        column += w.shape[1]
    return out


def _row_product(h: np.ndarray, parts: list, out: np.ndarray) -> np.ndarray:
    """``h @ W`` into ``out`` (``parts``: the whole weight), one product per row (exact under any BLAS, slower)."""
    (weight,) = parts
    out[:] = np.matmul(h[:, None, :], weight)[:, 0, :]
    return out


_ROW_EXACT: dict = {}


def block_products_are_row_exact(n_in: int, n_out: int) -> bool:
    """Whether this BLAS gives a row the same bytes in every position of a block.

    Checked once per process and layer shape: blocks of :data:`FORWARD_BATCH`
    copies of one random row through the block path
    (:data:`COLUMN_GROUP` columns per product, one BLAS thread) must give
    identical rows, for three random rows. A product's value for a row
    involves that row and the weights only, so a block path that passes
    gives every row the same bytes whatever its neighbours.

    Parameters
    ----------
    n_in, n_out : int
        The layer's input and output widths.

    Returns
    -------
    bool
        False where :func:`forward_logits` must multiply row by row.
    """
    key = (n_in, n_out)
    if key not in _ROW_EXACT:
        rng = np.random.default_rng(0)
        weight = rng.standard_normal((n_out, n_in)).astype(np.float32)
        (parts, _), = _column_groups([(weight, None)])
        out = np.empty((FORWARD_BATCH, n_out), dtype=np.float32)
        exact = True
        with compute_threads(1):
            for _ in range(3):
                row = rng.standard_normal(n_in).astype(np.float32)
                _block_product(np.tile(row, (FORWARD_BATCH, 1)), parts, out)
                exact = exact and bool((out == out[:1]).all())
        _ROW_EXACT[key] = exact
    return _ROW_EXACT[key]


def forward_logits(
    layers: list, mean: np.ndarray, scale: np.ndarray, features: np.ndarray,
    temperature: float = 1.0,
) -> np.ndarray:
    """Class logits over ``temperature`` (float32) of log-ratio ``features`` (NaN = missing).

    The input encoded by :func:`encode_features`, then per layer a float32
    matrix product, the bias and a ReLU (none after the last layer), in
    padded blocks of :data:`FORWARD_BATCH` rows with one BLAS thread. A
    row's output depends on that row only: not on its neighbours, its
    position, the block size or the caller's thread settings (see the module
    docstring and :func:`block_products_are_row_exact`).
    """
    n, n_features = features.shape
    exact = all(block_products_are_row_exact(w.shape[1], w.shape[0]) for w, _ in layers)
    product = _block_product if exact else _row_product
    groups = _column_groups(layers, COLUMN_GROUP if exact else max(w.shape[0] for w, _ in layers))
    out = np.empty((n, layers[-1][0].shape[0]), dtype=np.float32)
    buffers = [np.empty((FORWARD_BATCH, w.shape[0]), dtype=np.float32) for w, _ in layers]
    encoded = encode_features(features, mean, scale)
    pad = None
    with compute_threads(1):
        for start in range(0, n, FORWARD_BATCH):
            block = encoded[start : start + FORWARD_BATCH]
            rows = len(block)
            if rows < FORWARD_BATCH:
                if pad is None:
                    pad = encode_features(np.full((FORWARD_BATCH, n_features), np.nan), mean, scale)
                pad[:rows] = block
                block = pad
            h = block
            for k, ((parts, bias), buffer) in enumerate(zip(groups, buffers)):
                h = product(h, parts, buffer)
                h += bias
                if k < len(groups) - 1:
                    np.maximum(h, 0.0, out=h)
            out[start : start + rows] = h[:rows]
    if temperature != 1.0:
        out /= np.float32(temperature)
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
    exps = []
    for column in columns:
        column -= best
        exps.append(np.exp(column, out=column))
    total = exps[0].copy()
    for e in exps[1:]:
        total += e
    for e in exps:
        e /= total
    return exps, index


# ------------------------------------------------------------------------ threads
_THREADS_LOCK = threading.Lock()
_THREADS_USERS = 0
_THREADS_RESTORE: list = []


@contextmanager
def compute_threads(n: int = 1):
    """Run BLAS (and PyTorch, when loaded) with ``n`` threads, restoring the settings after.

    Safe to nest and to enter from several threads at once (e.g. Dask worker
    threads): the first entry saves the setting, the last exit restores it.
    Small network calls are fastest single-threaded; parallelism comes from
    classifying several chunks at once.
    """
    global _THREADS_USERS
    with _THREADS_LOCK:
        if _THREADS_USERS == 0:
            from threadpoolctl import threadpool_limits

            limits = threadpool_limits(n, user_api="blas")
            _THREADS_RESTORE.append(limits.restore_original_limits)
            torch = sys.modules.get("torch")  # when loaded (training, the estimator)
            if torch is not None:
                saved = torch.get_num_threads()
                torch.set_num_threads(n)
                _THREADS_RESTORE.append(lambda: torch.set_num_threads(saved))
        _THREADS_USERS += 1
    try:
        yield
    finally:
        with _THREADS_LOCK:
            _THREADS_USERS -= 1
            if _THREADS_USERS == 0:
                while _THREADS_RESTORE:
                    _THREADS_RESTORE.pop()()


# ---------------------------------------------------------------------- predictor
class Predictor:
    """A fitted classifier's inference: fluxes in, logits, probabilities and flags out.

    Parameters
    ----------
    spec : FeatureSpec
        Line ratios used as features; ``spec.lines`` is the flux column order.
    classes : sequence of str
    layers : list of (weight, bias)
        The network's label path (:func:`network_layers`).
    mean, scale : array-like
        Feature standardisation (float32).
    temperature : float
        Softmax temperature.
    target_prior : array-like or None
        EM estimate of the target class proportions.
    prior_correction : {"none", "em"}
        Whether logits are shifted by ``log(pi_t / pi_s)`` (uniform source prior).
    off_grid_map : OffGridMap or None
    noise : str
        The training noise (for messages).
    limit_sample : LimitSample or None
        The grid models that complete rows with upper limits (:mod:`nebuladapt.models.limits`);
        None (a model saved before it existed): limits are not used.
    limit_method : str
        How :meth:`classify_rows` uses upper limits (one of :data:`nebuladapt.models.limits.CHOICES`;
        ``nebuladapt predict --limits``).

    Attributes
    ----------
    lines_, classes_, spec_, noise_
        Named as on the estimator, so that prediction code takes either.
    """

    def __init__(
        self, spec: FeatureSpec, classes, layers, mean, scale, temperature: float = 1.0,
        target_prior=None, prior_correction: str = "none", off_grid_map=None, noise: str = "",
        limit_sample=None, limit_method: str = LIMIT_METHOD,
    ) -> None:
        self.spec_ = spec
        self.lines_ = list(spec.lines)
        self.classes_ = np.asarray(classes)
        self.layers = layers
        self.mean = np.asarray(mean, dtype=np.float32)
        self.scale = np.asarray(scale, dtype=np.float32)
        self.temperature_ = float(temperature)
        self.target_prior_ = None if target_prior is None else np.asarray(target_prior, dtype=float)
        self.prior_correction = prior_correction
        self.off_grid_map_ = off_grid_map
        self.noise_ = noise
        self.limit_sample_ = limit_sample
        if limit_method not in LIMIT_CHOICES:
            raise ValueError(f"limit_method={limit_method!r}; use one of {', '.join(LIMIT_CHOICES)}")
        self.limit_method = limit_method
        n_in, n_out = layers[0][0].shape[1], layers[-1][0].shape[0]
        if n_in != 2 * len(spec.ratios) or n_out != len(self.classes_):
            raise ValueError(
                f"the network maps {n_in} inputs to {n_out} classes; the model has "
                f"{len(spec.ratios)} features (x2) and {len(self.classes_)} classes"
            )

    def features(self, flux: np.ndarray) -> np.ndarray:
        """Log-ratio features of a flux matrix (columns in :attr:`lines_` order)."""
        return log_ratios(flux, self.spec_)

    def logits(self, features: np.ndarray, prior: bool = True) -> np.ndarray:
        """Logits / temperature, shifted by ``log(pi_t / pi_s)`` under the EM prior correction.

        ``softmax(z + log(pi_t / pi_s))`` is Saerens et al.'s re-weighted posterior.
        """
        logits = forward_logits(self.layers, self.mean, self.scale, features, self.temperature_)
        if prior and self.prior_correction == "em" and self.target_prior_ is not None:
            logits += np.log(self.target_prior_ * len(self.target_prior_)).astype(np.float32)
        return logits

    def standardise(self, features: np.ndarray) -> np.ndarray:
        """Features in the scaler's units (float64), as the off-grid map expects."""
        return (features - self.mean) / self.scale

    def off_grid_features(self, features: np.ndarray) -> np.ndarray:
        """True where a row's features lie far from every class's model grid."""
        if self.off_grid_map_ is None:
            return np.zeros(len(features), dtype=bool)
        return self.off_grid_map_.off_grid(self.standardise(features))

    def predict_proba(self, flux: np.ndarray) -> np.ndarray:
        """Class probabilities, shape (n_rows, n_classes), columns in :attr:`classes_` order."""
        return np.column_stack(softmax_argmax(self.logits(self.features(flux)))[0])

    def classify_rows(self, flux: np.ndarray, limits: np.ndarray | None = None) -> RowPredictions:
        """Probabilities, class, usability and the off-grid, [OIII]-only, [NII]-only and ambiguous flags of every row, in one pass.

        The path of :mod:`nebuladapt.predict` (and so of streaming, Dask and MAPS). ``limits``
        (upper-limit fluxes in :attr:`lines_` order, NaN where none;
        :func:`nebuladapt.features.catalog_limit_matrix`) are used as :attr:`limit_method` says
        (:mod:`nebuladapt.models.limits`), where the model keeps its grid sample.
        """
        features = self.features(flux)
        usable = usable_rows(features)
        proba, class_index = softmax_argmax(self.logits(features))
        limits_used = np.zeros((len(features), len(LIMIT_LINES)), dtype=bool)
        if limits is not None and self.limit_sample_ is not None and self.limit_method != LIMIT_MISSING:
            limits_used = self.limit_sample_.probabilities(proba, features, flux, limits, self.logits, self.scale,
                                                           self.limit_method)
            changed = np.flatnonzero(limits_used.any(axis=1))
            class_index[changed] = np.argmax(np.column_stack([p[changed] for p in proba]), axis=1)
        np.copyto(class_index, -1, where=~usable)
        ambiguous = usable & (np.maximum.reduce(proba) < AMBIGUOUS_BELOW)
        return RowPredictions(proba, class_index, usable, self.off_grid_features(features) & usable,
                              oiii_only_rows(features, self.spec_), nii_only_rows(features, self.spec_), ambiguous,
                              limits_used)
