"""Fit a classifier for one observed catalogue: shipped grids as source, catalogue as target."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

from nebuladapt.catalogs import LineCatalog
from nebuladapt.features import FeatureSpec, catalog_line_matrix
from nebuladapt.models.estimator import NebulaClassifier

if TYPE_CHECKING:
    from nebuladapt.grids import GridSet

__all__ = ["domain_arrays", "fit_on_catalog"]


def domain_arrays(catalog: LineCatalog, spec: FeatureSpec, grids: GridSet | None = None):
    """Stack the source grids and a target catalogue the skada way.

    Parameters
    ----------
    catalog : LineCatalog
        The (unlabelled) target catalogue.
    spec : FeatureSpec
    grids : GridSet, optional
        The grids in use (:func:`nebuladapt.grids.select_grids`); default the
        shipped default set.

    Returns
    -------
    X : ndarray (n_source + n_target, n_lines)
        Line fluxes, source rows first.
    y : ndarray of object
        Source class labels, ``-1`` for target rows.
    sample_domain : ndarray of int
        ``1`` source, ``-2`` target.
    X_err : ndarray like ``X``
        NaN for source rows, target errors where given.
    """
    lines = spec.lines
    from nebuladapt.grids import default_grid_set  # reads the grid tables: only when fitting

    source_flux, source_labels, _ = (grids or default_grid_set()).line_fluxes(lines)
    target_flux, target_err, _ = catalog_line_matrix(catalog, lines)
    X = np.vstack([source_flux, target_flux])
    y = np.concatenate([source_labels.astype(object), np.full(len(target_flux), -1, dtype=object)])
    sample_domain = np.concatenate(
        [np.ones(len(source_flux), dtype=int), np.full(len(target_flux), -2, dtype=int)]
    )
    X_err = np.vstack([np.full_like(source_flux, np.nan), target_err])
    return X, y, sample_domain, X_err


def fit_on_catalog(
    catalog: LineCatalog,
    *,
    seed: int = 0,
    spec: FeatureSpec | None = None,
    grids: GridSet | None = None,
    callback=None,
    warn: bool = True,
    **params,
) -> NebulaClassifier:
    """Train on the shipped grids, adapting to ``catalog`` (its labels are never used).

    Parameters
    ----------
    catalog : LineCatalog
        Unlabelled target catalogue.
    seed : int
        ``random_state`` of the classifier.
    spec : FeatureSpec, optional
        Default: the declared ratios every grid in use provides
        (:meth:`nebuladapt.grids.GridSet.feature_spec`), less those (nearly) no
        row of ``catalog`` gives (:func:`nebuladapt.catalogs.usage.fit_feature_spec`);
        a ``UserWarning`` when that leaves no [OIII] ratio
        (:attr:`nebuladapt.catalogs.usage.FitFeatures.warning`). A ``UserWarning``
        also when the fitted model calls many rows below [SII]/Halpha = 0.4 SNR
        (:func:`nebuladapt.catalogs.usage.low_sii_warning`).
    grids : GridSet, optional
        The grids in use (default: the shipped default set); recorded in
        ``model.source_grids_`` for the model card.
    callback : callable, optional
        Per-step progress callback ``callback(step, record)``.
    warn : bool
        Whether to raise the [SII] warning as a ``UserWarning`` (``False``: callers that report
        ``low_sii_warning(model.low_sii_snr_)`` themselves, as ``nebuladapt fit`` and the demo do).
    **params
        :class:`NebulaClassifier` parameters; those not given take their
        declared defaults (:data:`nebuladapt.models.params.PARAMS`), which are
        what ``nebuladapt fit`` trains.

    Returns
    -------
    NebulaClassifier
    """
    from nebuladapt.catalogs.usage import fit_feature_spec, low_sii_warning
    from nebuladapt.grids import default_grid_set

    grids = grids or default_grid_set()
    if spec is None:
        chosen = fit_feature_spec(grids.feature_spec(), catalog)
        if chosen.warning:
            warnings.warn(chosen.warning, UserWarning, stacklevel=2)
        spec = chosen.spec
    X, y, sample_domain, X_err = domain_arrays(catalog, spec, grids)
    model = NebulaClassifier(feature_spec=spec, random_state=seed, **params)
    model.fit(X, y, sample_domain=sample_domain, X_err=X_err, callback=callback, source_grids=grids.card())
    warning = low_sii_warning(model.low_sii_snr_)
    if warning and warn:
        warnings.warn(warning, UserWarning, stacklevel=2)
    return model
