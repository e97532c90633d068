"""Which nebulae lie far from every class's model grid ("nothing we modelled").

An occupancy map of the standardised feature space: the space spanned by the
source models is cut into equal cells, a cell is *occupied* when noise-perturbed
source models (the training noise) fall into it, and the occupied region is
dilated by one cell. A target row whose features fall in an empty cell — or
outside the map — is flagged ``off_grid``. Rows with missing features are
tested on the projection of the map onto the features they have. A lookup is a
few integer operations per row, so the test streams at survey scale.
"""

from __future__ import annotations

import numpy as np

__all__ = ["OffGridMap"]


def _bins_for(n_dims: int, n_points: int) -> int:
    """Cells per axis: about ten models per cell on average, 8 to 64, <= 2e6 cells."""
    by_points = (n_points / 10.0) ** (1.0 / n_dims)
    by_memory = 2e6 ** (1.0 / n_dims)
    return int(min(64, by_memory, max(8, round(by_points))))


class OffGridMap:
    """Occupancy map of the source models in standardised feature space.

    Parameters
    ----------
    occupancy : ndarray of bool, shape (n_bins,) * n_features
    low, high : ndarray (n_features,)
        Map edges per feature (standardised units).
    """

    def __init__(self, occupancy: np.ndarray, low: np.ndarray, high: np.ndarray) -> None:
        self.occupancy = np.asarray(occupancy, dtype=bool)
        self.low = np.asarray(low, dtype=np.float64)
        self.high = np.asarray(high, dtype=np.float64)

    def arrays(self) -> dict:
        """The map as plain arrays (``occupancy`` as uint8, ``low``, ``high``), for model files."""
        return {"occupancy": self.occupancy.astype(np.uint8), "low": self.low.copy(), "high": self.high.copy()}

    @classmethod
    def from_arrays(cls, arrays: dict) -> "OffGridMap":
        """Inverse of :meth:`arrays`; ValueError if a part is missing."""
        if set(arrays) != {"occupancy", "low", "high"}:
            raise ValueError("incomplete off-grid map")
        return cls(np.asarray(arrays["occupancy"]).astype(bool), arrays["low"], arrays["high"])

    @property
    def n_bins(self) -> int:
        return self.occupancy.shape[0]

    @classmethod
    def fit(cls, features: np.ndarray, margin: float = 0.5, dilation: int = 1) -> "OffGridMap":
        """Build the map from (noisy) standardised source features.

        Parameters
        ----------
        features : ndarray (n, d)
            Standardised source features; rows with NaN are used on their
            finite features only through the projections, so only complete
            rows fill the map.
        margin : float
            Padding of the map beyond the source range, standardised units.
        dilation : int
            Cells of dilation around occupied cells.
        """
        complete = features[np.isfinite(features).all(axis=1)]
        d = features.shape[1]
        n_bins = _bins_for(d, len(complete))
        low = complete.min(axis=0) - margin
        high = complete.max(axis=0) + margin
        occupancy = np.zeros((n_bins,) * d, dtype=bool)
        cells = cls._cells(complete, low, high, n_bins)
        occupancy[tuple(cells.T)] = True
        if dilation:
            from scipy.ndimage import binary_dilation  # here: prediction needs no SciPy

            occupancy = binary_dilation(occupancy, iterations=dilation)
        return cls(occupancy, low, high)

    @staticmethod
    def _cells(features: np.ndarray, low, high, n_bins: int) -> np.ndarray:
        scaled = (features - low) / (high - low) * n_bins
        return np.clip(np.floor(scaled), 0, n_bins - 1).astype(np.int64)

    def _lookup(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every projection of the map, flattened into one table.

        Returns ``table`` (the projections onto each subset of features,
        concatenated: (n_bins + 1) ** d cells in all), ``offset`` (where the
        projection of presence pattern ``code`` starts) and ``strides``
        (``strides[code, i]``: the step of feature ``i`` in that projection, 0
        where absent).
        """
        lookup = getattr(self, "_lookup_arrays", None)  # one assignment: safe across threads
        if lookup is None:
            d = self.occupancy.ndim
            parts, offsets = [], []
            strides = np.zeros((1 << d, d), dtype=np.int64)
            start = 0
            for code in range(1 << d):
                present = [(code >> i) & 1 == 1 for i in range(d)]
                absent = tuple(i for i in range(d) if not present[i])
                projection = self.occupancy.any(axis=absent) if absent else self.occupancy
                projection = np.atleast_1d(projection)
                step = 1
                for i in reversed(range(d)):
                    if present[i]:
                        strides[code, i] = step
                        step *= self.n_bins
                offsets.append(start)
                parts.append(projection.ravel())
                start += projection.size
            lookup = (np.concatenate(parts), np.asarray(offsets, dtype=np.int64), strides)
            self._lookup_arrays = lookup
        return lookup

    def off_grid(self, features: np.ndarray) -> np.ndarray:
        """True where a row lies outside the occupied region.

        Parameters
        ----------
        features : ndarray (n, d)
            Standardised features, NaN where missing. Rows with no finite
            feature return False (they are unclassifiable, flagged elsewhere).
        """
        features = np.asarray(features, dtype=np.float64)
        n, d = features.shape
        table, offsets, strides = self._lookup()
        present = np.isfinite(features)
        outside = np.zeros(n, dtype=bool)
        codes = np.zeros(n, dtype=np.int64)
        cells = np.empty((n, d), dtype=np.int64)
        for i in range(d):
            column, here = features[:, i], present[:, i]
            outside |= ((column < self.low[i]) | (column > self.high[i])) & here
            codes |= here.astype(np.int64) << i
            scaled = (np.where(here, column, self.low[i]) - self.low[i]) / (self.high[i] - self.low[i]) * self.n_bins
            cells[:, i] = np.clip(np.floor(scaled), 0, self.n_bins - 1)
        index = offsets[codes]
        for i in range(d):
            index += cells[:, i] * strides[codes, i]
        return outside | (~table[index] & (codes > 0))
