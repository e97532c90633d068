"""Fit a classifier for one observed catalogue: shipped grids as source, catalogue as target."""

from __future__ import annotations

import numpy as np

from nebuladapt.catalogs import LineCatalog
from nebuladapt.features import FeatureSpec, catalog_line_matrix, default_feature_spec
from nebuladapt.grids import source_line_fluxes
from nebuladapt.models.estimator import NebulaClassifier

__all__ = ["domain_arrays", "fit_on_catalog"]


def domain_arrays(catalog: LineCatalog, spec: FeatureSpec):
    """Stack the default source grids and a target catalogue the skada way.

    Parameters
    ----------
    catalog : LineCatalog
        The (unlabelled) target catalogue.
    spec : FeatureSpec

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
    source_flux, source_labels, _ = source_line_fluxes(lines)
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
    callback=None,
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
        Features (default :func:`~nebuladapt.features.default_feature_spec`).
    callback : callable, optional
        Per-step progress callback ``callback(step, record)``.
    **params
        :class:`NebulaClassifier` parameters; those not given take their
        declared defaults (:data:`nebuladapt.models.params.PARAMS`), which are
        what ``nebuladapt fit`` trains.

    Returns
    -------
    NebulaClassifier
    """
    spec = spec or default_feature_spec()
    X, y, sample_domain, X_err = domain_arrays(catalog, spec)
    model = NebulaClassifier(feature_spec=spec, random_state=seed, **params)
    return model.fit(X, y, sample_domain=sample_domain, X_err=X_err, callback=callback)
