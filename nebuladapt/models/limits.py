"""Upper limits as information: a row's limits on faint lines, weighed against the nearest grid models.

A catalogue that does not detect a line usually gives an upper limit, and a limit says something:
[SII] below 0.15 of Halpha says "not a remnant" as plainly as the classical [SII]/Halpha > 0.4 does.
For a row with a limit on one of :data:`LIMIT_LINES` (and Halpha measured), ``nebuladapt predict``
by default (:data:`METHOD`, ``"likelihood"``) multiplies the network's probabilities for the row as
given by, per class, the share of that class's :data:`NEAREST` nearest grid models (nearest in the
ratios the row gives, in the network's standardised units) whose ratios to Halpha lie below every one
of the row's limits, and renormalises::

    P(class | x, r <= L)  proportional to  P_net(class | x) * P(r <= L | class, x)

A limit that every nearby model of every class satisfies changes nothing; one that no nearby SNR model
satisfies removes SNR. ``"nearest"`` instead averages the network's probabilities over the row completed
with the limited lines of its nearest models below the limits (it lifts HII regions more and costs
SNRs); ``"missing"`` treats limits as missing lines. The grid sample is a fixed class-balanced sample
of the model's own training grids (at most :data:`PER_CLASS` models per class), saved with the model
(:class:`LimitSample`; models saved before stop 29 have none and ignore limits). Rows whose limits
cannot be used (no Halpha, no other ratio) keep the network's probabilities. The fit itself treats
limits as missing lines. Both ways were registered before they were built:
``benchmarks/results/upper_limits_*`` ("nearest": not adopted) and
``benchmarks/results/limit_likelihood_*`` ("likelihood": adopted, confirmed on a held-out family).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from nebuladapt.features import FeatureSpec, log_ratios

__all__ = ["CHOICES", "LIMIT_LINES", "METHOD", "METHODS", "MISSING", "NEAREST", "PER_CLASS", "LimitSample",
           "grid_sample_rows"]

#: Lines whose upper limits are used (each the numerator of a ratio to Halpha). Limits on Hbeta or
#: Halpha stay missing lines.
LIMIT_LINES = ("OIII5006", "NII6583", "SII6716_6730")
#: Grid models a row with limits is completed from.
NEAREST = 32
#: Largest number of grid models per class in the saved sample.
PER_CLASS = 20_000
#: Ways of using a limit (:meth:`LimitSample.probabilities`).
METHODS = ("likelihood", "nearest")
#: ``nebuladapt predict --limits`` choice that treats limits as missing lines.
MISSING = "missing"
#: Every choice of ``nebuladapt predict --limits``.
CHOICES = (*METHODS, MISSING)
#: How ``nebuladapt predict`` uses upper limits by default (adopted in stop 29 by its registered rules:
#: ``benchmarks/results/limit_likelihood_result.md``).
METHOD = "likelihood"
_HALPHA = "HA6562"
_SEED = 0


def grid_sample_rows(labels: np.ndarray, per_class: int = PER_CLASS) -> np.ndarray:
    """Rows of a class-balanced sample of a grid (at most ``per_class`` per class, fixed seed), sorted.

    Parameters
    ----------
    labels : ndarray
        Class of each grid model.
    per_class : int

    Returns
    -------
    ndarray of int
    """
    rng = np.random.default_rng(_SEED)
    labels = np.asarray(labels)
    picks = [rng.choice(np.flatnonzero(labels == c), min(per_class, int((labels == c).sum())), replace=False)
             for c in np.unique(labels)]  # fmt: skip
    return np.sort(np.concatenate(picks)) if picks else np.zeros(0, dtype=int)


class LimitSample:
    """The grid models that complete rows with upper limits.

    Parameters
    ----------
    flux : ndarray, shape (n_models, n_lines)
        Line fluxes of the sampled grid models in ``spec.lines`` order.
    spec : FeatureSpec
        The model's features.
    classes : ndarray of int, shape (n_models,)
        Each model's class, as an index into the model's ``classes_``.
    """

    def __init__(self, flux: np.ndarray, spec: FeatureSpec, classes: np.ndarray) -> None:
        self.flux = np.asarray(flux, dtype=np.float32)
        self.classes = np.asarray(classes, dtype=np.int64)
        if self.classes.shape != (len(self.flux),):
            raise ValueError(f"grid sample: {len(self.flux)} models but {self.classes.shape} classes")
        self.spec = spec
        self.lines = [line for line in LIMIT_LINES if line in spec.lines] if _HALPHA in spec.lines else []
        self.features = log_ratios(self.flux.astype(np.float64), spec)
        ha = self.flux[:, spec.lines.index(_HALPHA)].astype(np.float64) if self.lines else None
        with np.errstate(divide="ignore", invalid="ignore"):
            self.to_halpha = {line: np.log10(self.flux[:, spec.lines.index(line)] / ha) for line in self.lines}

    def probabilities(
        self, proba: list, features: np.ndarray, flux: np.ndarray, limits: np.ndarray,
        logits: Callable[[np.ndarray], np.ndarray], scale: np.ndarray, method: str = None,
    ) -> np.ndarray:
        """Replace, in place, the probabilities of the rows whose limits can be used.

        Parameters
        ----------
        proba : list of ndarray
            One probability column per class (as :func:`~nebuladapt.models.inference.softmax_argmax` gives).
        features : ndarray, shape (n, n_features)
            The rows' log-ratio features.
        flux, limits : ndarray, shape (n, n_lines)
            The rows' fluxes and upper-limit fluxes (NaN where none) in ``spec.lines`` order.
        logits : callable
            Features -> logits (the predictor's).
        scale : ndarray
            The network's feature scale (distances are in its units).
        method : {"nearest", "likelihood"}, optional
            Default :data:`METHOD`. ``"nearest"``: the mean of the network's probabilities over the
            row completed by each of its :data:`NEAREST` nearest models below its limits.
            ``"likelihood"``: the network's probabilities times, per class, the share of that class's
            :data:`NEAREST` nearest models that lie below the limits (smoothed, (n + 1/2) / (NEAREST + 1)),
            renormalised.

        Returns
        -------
        ndarray of bool, shape (n, len(LIMIT_LINES))
            Per row, the lines whose limits were used (columns in :data:`LIMIT_LINES` order).
        """
        from nebuladapt.models.inference import softmax_argmax

        method = METHOD if method is None else method
        if method not in METHODS:
            raise ValueError(f"method={method!r}; use one of {', '.join(METHODS)}")
        used = np.zeros((len(flux), len(LIMIT_LINES)), dtype=bool)
        if not self.lines or limits is None:
            return used
        columns = {line: self.spec.lines.index(line) for line in (*self.lines, _HALPHA)}
        ha = flux[:, columns[_HALPHA]]
        limited = np.column_stack([np.isfinite(limits[:, columns[line]]) for line in self.lines])
        given = np.isfinite(features)
        scaled = self.features / scale  # distances in the network's standardised units
        finite = np.isfinite(scaled)
        eligible = limited.any(axis=1) & given.any(axis=1) & np.isfinite(ha) & (ha > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            bounds = np.column_stack([np.log10(limits[:, columns[line]] / ha) for line in self.lines])
        if method == "likelihood":
            self._likelihood(proba, features, scaled, finite, given, limited, bounds, eligible, scale)
            used[:, [LIMIT_LINES.index(line) for line in self.lines]] = limited & eligible[:, None]
            return used
        blocks, done = [], []
        for i in np.flatnonzero(eligible):
            lines = [line for line, hit in zip(self.lines, limited[i]) if hit]
            below = finite[:, given[i]].all(axis=1)
            for j, line in enumerate(self.lines):
                if limited[i, j]:
                    below &= self.to_halpha[line] <= bounds[i, j]
            distance = ((scaled[:, given[i]] - features[i, given[i]] / scale[given[i]]) ** 2).sum(axis=1)
            nearest = _nearest(np.flatnonzero(below), distance)
            if not len(nearest):
                continue
            rows = np.repeat(flux[i:i + 1], len(nearest), axis=0)
            for line in lines:
                rows[:, columns[line]] = ha[i] * 10.0 ** self.to_halpha[line][nearest]
            blocks.append(rows)
            done.append(i)
            used[i, [LIMIT_LINES.index(line) for line in lines]] = True
        if done:  # one forward pass for every completed row
            completed = softmax_argmax(logits(log_ratios(np.vstack(blocks), self.spec)))[0]
            sizes = np.array([len(b) for b in blocks])
            starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
            for column, values in zip(proba, completed):
                column[done] = np.add.reduceat(values, starts) / sizes
        return used

    def _likelihood(self, proba, features, scaled, finite, given, limited, bounds, eligible, scale) -> None:
        """``"likelihood"`` for every eligible row at once: per pattern of given ratios and per class, the
        :data:`NEAREST` nearest models (a k-d tree, :class:`scipy.spatial.cKDTree`) and the share below the limits."""
        from scipy.spatial import cKDTree

        rows = np.flatnonzero(eligible)
        patterns, inverse = np.unique(given[rows], axis=0, return_inverse=True)
        shares = np.ones((len(rows), len(proba)))
        inverse = inverse.reshape(-1)
        for p, pattern in enumerate(patterns):
            in_pattern = inverse == p
            mine = rows[in_pattern]
            points = features[np.ix_(mine, pattern)] / scale[pattern]
            usable = finite[:, pattern].all(axis=1)
            for k in range(len(proba)):
                models = np.flatnonzero(usable & (self.classes == k))
                if not len(models):
                    continue
                n = min(NEAREST, len(models))
                _, found = cKDTree(scaled[np.ix_(models, pattern)]).query(points, k=n)
                nearest = models[np.asarray(found).reshape(len(mine), n)]
                below = np.ones(nearest.shape, dtype=bool)
                for j, line in enumerate(self.lines):
                    hit = limited[mine, j]
                    below[hit] &= self.to_halpha[line][nearest[hit]] <= bounds[mine[hit], j][:, None]
                shares[in_pattern, k] = (below.sum(axis=1) + 0.5) / (n + 1.0)
        posterior = np.column_stack([column[rows] for column in proba]) * shares
        posterior /= posterior.sum(axis=1, keepdims=True)
        for k, column in enumerate(proba):
            column[rows] = posterior[:, k]


def _nearest(candidates: np.ndarray, distance: np.ndarray) -> np.ndarray:
    """The :data:`NEAREST` of ``candidates`` with the smallest ``distance`` (ties: lower index first), in order."""
    if len(candidates) > NEAREST:
        candidates = candidates[np.argpartition(distance[candidates], NEAREST - 1)[:NEAREST]]
    return candidates[np.lexsort((candidates, distance[candidates]))]
