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
from scipy.ndimage import binary_dilation

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
        self._projections: dict[tuple[bool, ...], np.ndarray] = {}

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
            occupancy = binary_dilation(occupancy, iterations=dilation)
        return cls(occupancy, low, high)

    @staticmethod
    def _cells(features: np.ndarray, low, high, n_bins: int) -> np.ndarray:
        scaled = (features - low) / (high - low) * n_bins
        return np.clip(np.floor(scaled), 0, n_bins - 1).astype(np.int64)

    def _projection(self, present: tuple[bool, ...]) -> np.ndarray:
        if present not in self._projections:
            axes = tuple(i for i, p in enumerate(present) if not p)
            self._projections[present] = self.occupancy.any(axis=axes) if axes else self.occupancy
        return self._projections[present]

    def off_grid(self, features: np.ndarray) -> np.ndarray:
        """True where a row lies outside the occupied region.

        Parameters
        ----------
        features : ndarray (n, d)
            Standardised features, NaN where missing. Rows with no finite
            feature return False (they are unclassifiable, flagged elsewhere).
        """
        features = np.asarray(features, dtype=np.float64)
        present = np.isfinite(features)
        outside = ((features < self.low) | (features > self.high)) & present
        result = outside.any(axis=1)
        codes = present.astype(np.int64) @ (1 << np.arange(present.shape[1], dtype=np.int64))
        for code in np.flatnonzero(np.bincount(codes)):
            pattern = (code >> np.arange(present.shape[1])) & 1 == 1
            if not pattern.any():
                continue
            rows = np.flatnonzero((codes == code) & ~result)
            if len(rows) == 0:
                continue
            dims = np.flatnonzero(pattern)
            cells = self._cells(features[np.ix_(rows, dims)], self.low[dims], self.high[dims], self.n_bins)
            occupied = self._projection(tuple(bool(p) for p in pattern))[tuple(cells.T)]
            result[rows] = ~occupied
        return result
