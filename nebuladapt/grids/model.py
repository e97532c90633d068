"""One model grid in memory: class labels, line fluxes and provenance.

Shipped and user grids both become a :class:`Grid`. Its fluxes live in a
:class:`~nebuladapt.catalogs.LineCatalog`, so the line matrix of a grid is built by
the same code as a catalogue's (:func:`nebuladapt.features.catalog_line_arrays`:
summed doublets from their components, strong doublet lines from weak partners) and
its line availability by the same rules (:func:`nebuladapt.lines.derivable_lines`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from astropy.table import Table

from nebuladapt import CLASSES
from nebuladapt.catalogs import LineCatalog
from nebuladapt.features import catalog_line_arrays
from nebuladapt.io.checksum import sha256_file
from nebuladapt.lines import LINES, SUMMED_LINES, derivable_lines

__all__ = ["Grid", "grid_from_table", "file_sha256"]


@lru_cache(maxsize=32)
def _sha256_cached(path: str, size: int, mtime: float) -> str:
    return sha256_file(path)


def file_sha256(path) -> str:
    """SHA-256 hex digest of a file (cached per path, size and modification time)."""
    path = Path(path)
    stat = path.stat()
    return _sha256_cached(str(path.resolve()), stat.st_size, stat.st_mtime)


@dataclass(frozen=True)
class Grid:
    """Labelled models of one grid.

    Attributes
    ----------
    name : str
        Registry name, or the file name of a user grid.
    labels : ndarray of str
        Class of each model (from :data:`nebuladapt.CLASSES`).
    catalog : LineCatalog
        Model line fluxes by canonical line name, in any common normalisation
        (absolute or relative to Hbeta: only ratios are used).
    provenance : dict
        Where the grid comes from: ``source`` (file or package), ``sha256`` of
        that file, ``citation``, and any further notes.
    """

    name: str
    labels: np.ndarray
    catalog: LineCatalog = field(repr=False)
    provenance: dict = field(default_factory=dict, repr=False)

    @property
    def classes(self) -> tuple[str, ...]:
        """Classes present, in :data:`nebuladapt.CLASSES` order."""
        present = set(self.labels)
        return tuple(c for c in CLASSES if c in present)

    def counts(self) -> dict[str, int]:
        """Number of models per class."""
        return {c: int((self.labels == c).sum()) for c in self.classes}

    def select(self, classes) -> "Grid":
        """The same grid restricted to the models of ``classes``."""
        keep = np.isin(self.labels, list(classes))
        if keep.all():
            return self
        catalog = LineCatalog(
            table=self.catalog.table[keep],
            flux={k: v[keep] for k, v in self.catalog.flux.items()},
            dust_corrected=np.ones(int(keep.sum()), dtype=bool),
            source=self.catalog.source,
        )
        return Grid(self.name, self.labels[keep], catalog, self.provenance)

    def provided_lines(self) -> set[str]:
        """Lines every model of the grid gives (finite and positive), with the
        lines they imply (:func:`nebuladapt.lines.derivable_lines`).

        A line missing from even one model is not provided: a ratio that one
        class lacks in part of its models would let the missing-value mask
        stand in for the class.
        """
        measured = {
            line for line, values in self.catalog.flux.items()
            if len(values) and bool(np.all(np.isfinite(values) & (values > 0)))
        }  # fmt: skip
        return derivable_lines(measured)

    def line_fluxes(self, lines) -> np.ndarray:
        """Fluxes in the order of ``lines`` (float64, NaN where a model lacks a line)."""
        flux, _, _, _ = catalog_line_arrays(self.catalog, list(lines), case_b=False)
        return flux

    def card(self, classes=None) -> dict:
        """The grid's entry on a model card: name, provenance, models per class."""
        counts = self.counts()
        if classes is not None:
            counts = {c: n for c, n in counts.items() if c in classes}
        return {"name": self.name, **self.provenance, "n_models": counts}


def grid_from_table(name: str, table: Table, provenance: dict, source: str = "") -> Grid:
    """A :class:`Grid` from a table with a ``class`` column and canonical line columns."""
    known = set(LINES) | set(SUMMED_LINES)
    flux = {
        col: np.asarray(table[col], dtype=np.float64) for col in table.colnames if col in known
    }
    flux = {line: values for line, values in flux.items() if np.isfinite(values).any()}
    catalog = LineCatalog(
        table=table, flux=flux, dust_corrected=np.ones(len(table), dtype=bool), source=source
    )
    return Grid(name, np.asarray(table["class"]).astype(str), catalog, provenance)
