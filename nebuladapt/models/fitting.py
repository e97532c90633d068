"""Fit a classifier for one observed catalogue: shipped grids as source, catalogue as target."""

from __future__ import annotations

import numpy as np

from nebuladapt.catalogs import LineCatalog
from nebuladapt.features import FeatureSpec, catalog_line_matrix, default_feature_spec
from nebuladapt.grids import source_line_fluxes
from nebuladapt.models.estimator import NebulaClassifier
from nebuladapt.noise import target_fractional_errors

__all__ = ["domain_arrays", "resolve_noise", "fit_on_catalog"]


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


def resolve_noise(noise: str, catalog: LineCatalog, spec: FeatureSpec) -> str:
    """``auto`` -> ``matched`` where the catalogue gives usable errors, else ``fixed``."""
    if noise != "auto":
        return noise
    flux, err, _ = catalog_line_matrix(catalog, spec.lines)
    has_errors = np.isfinite(target_fractional_errors(flux, err)).any()
    return "matched" if has_errors else "fixed"


def fit_on_catalog(
    catalog: LineCatalog,
    *,
    method: str = "dann",
    noise: str = "auto",
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
    method : {"nn", "dann"}
    noise : {"auto", "none", "fixed", "matched"}
        ``auto``: matched to the catalogue's errors where it has any, else fixed.
    seed : int
    spec : FeatureSpec, optional
    callback : callable, optional
        Per-step progress callback ``callback(step, record)``.
    **params
        Further :class:`NebulaClassifier` parameters.

    Returns
    -------
    NebulaClassifier
    """
    spec = spec or default_feature_spec()
    noise = resolve_noise(noise, catalog, spec)
    X, y, sample_domain, X_err = domain_arrays(catalog, spec)
    model = NebulaClassifier(
        method=method, noise=noise, feature_spec=spec, random_state=seed, **params
    )
    return model.fit(X, y, sample_domain=sample_domain, X_err=X_err, callback=callback)
