"""Fit a classifier for one observed catalogue: shipped grids as source, catalogue as target."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from nebuladapt.catalogs import LineCatalog
from nebuladapt.features import FeatureSpec, catalog_line_matrix
from nebuladapt.models.estimator import NebulaClassifier
from nebuladapt.noise import target_fractional_errors

if TYPE_CHECKING:
    from nebuladapt.grids import GridSet

__all__ = ["DEFAULT_FIT_PARAMS", "domain_arrays", "resolve_noise", "fit_on_catalog"]

#: Defaults of ``nebuladapt fit``: the configuration the label-free selection of
#: ``nebuladapt experiment`` (soft neighbourhood density over the candidates of
#: :data:`nebuladapt.evaluation.experiment.SELECTION_CANDIDATES`) chose on the
#: shipped benchmark for 4 of 5 seeds (docs/experiment/results.json) — DANN with
#: marginal alignment, GRL weight 0.3, noise matched to the catalogue's errors,
#: target-entropy weight 1, 2000 steps.
DEFAULT_FIT_PARAMS = {
    "method": "dann",
    "noise": "auto",
    "alignment": "marginal",
    "domain_weight": 0.3,
    "entropy_weight": 1.0,
    "n_steps": 2000,
}


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
    method: str = DEFAULT_FIT_PARAMS["method"],
    noise: str = DEFAULT_FIT_PARAMS["noise"],
    seed: int = 0,
    spec: FeatureSpec | None = None,
    grids: GridSet | None = None,
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
        Default: the declared ratios every grid in use provides
        (:meth:`nebuladapt.grids.GridSet.feature_spec`).
    grids : GridSet, optional
        The grids in use (default: the shipped default set); recorded in
        ``model.source_grids_`` for the model card.
    callback : callable, optional
        Per-step progress callback ``callback(step, record)``.
    **params
        Further :class:`NebulaClassifier` parameters; those not given take
        :data:`DEFAULT_FIT_PARAMS` (adaptation-only ones are ignored by ``nn``).

    Returns
    -------
    NebulaClassifier
    """
    from nebuladapt.grids import default_grid_set

    grids = grids or default_grid_set()
    spec = spec or grids.feature_spec()
    noise = resolve_noise(noise, catalog, spec)
    X, y, sample_domain, X_err = domain_arrays(catalog, spec, grids)
    defaults = {k: v for k, v in DEFAULT_FIT_PARAMS.items() if k not in ("method", "noise")}
    if method == "nn":
        defaults["entropy_weight"] = 0.0
    model = NebulaClassifier(
        method=method, noise=noise, feature_spec=spec, random_state=seed, **{**defaults, **params}
    )
    model.fit(X, y, sample_domain=sample_domain, X_err=X_err, callback=callback)
    model.source_grids_ = grids.card()
    return model
