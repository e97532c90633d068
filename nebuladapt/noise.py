"""Noise injection on model line fluxes (a regulariser for NN and DANN).

Two forms, following Belfiore et al. 2025 (A&A 694, A212), Sect. 4:

* ``fixed``: every line flux is perturbed by Gaussian noise of a fixed
  fractional level, ``F' = F (1 + sigma * N(0, 1))``.
* ``matched``: each model row borrows the fractional errors ``err/F`` of a
  randomly drawn row of the *target* catalogue, so the injected noise has the
  survey's own S/N distribution, line by line. Lines whose error is unknown
  in that row fall back to the fixed level.

A perturbed flux that falls to zero or below is what a survey reports as a
non-detection: it becomes a missing line (NaN), so the network learns from the
same missing-line patterns it meets in real catalogues.
"""

from __future__ import annotations

__all__ = ["NOISE_KINDS", "target_fractional_errors", "inject_noise"]

NOISE_KINDS = ("none", "fixed", "matched")


def target_fractional_errors(flux: np.ndarray, flux_err: np.ndarray) -> np.ndarray:
    """Fractional errors ``err / flux`` of target rows, NaN where unknown.

    Parameters
    ----------
    flux, flux_err : ndarray, shape (n, n_lines)

    Returns
    -------
    ndarray, shape (n, n_lines)
        Finite positive values where both flux and error are finite and
        positive, NaN elsewhere.
    """
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore"):
        frac = flux_err / flux
    good = np.isfinite(frac) & (flux > 0) & (flux_err > 0)
    return np.where(good, frac, np.nan)


def inject_noise(
    flux: torch.Tensor,
    kind: str,
    level: float,
    generator: torch.Generator,
    fractional_errors: torch.Tensor | None = None,
) -> torch.Tensor:
    """Return noisy copies of model line fluxes.

    Parameters
    ----------
    flux : torch.Tensor, shape (n, n_lines)
        Model fluxes (any normalisation).
    kind : {"none", "fixed", "matched"}
    level : float
        Fractional noise level for ``fixed``, and the fallback for lines with
        unknown errors in ``matched``.
    generator : torch.Generator
        Source of randomness (seeded by the caller).
    fractional_errors : torch.Tensor, shape (n_target, n_lines), optional
        Target fractional errors (NaN where unknown), required for ``matched``.

    Returns
    -------
    torch.Tensor
        Noisy fluxes; entries pushed to <= 0 become NaN (non-detections).
    """
    if kind == "none":
        return flux
    import torch

    if kind not in NOISE_KINDS:
        raise ValueError(f"noise must be one of {NOISE_KINDS}, got {kind!r}")
    eps = torch.randn(flux.shape, generator=generator, dtype=flux.dtype)
    if kind == "fixed":
        sigma = torch.full_like(flux, level)
    else:
        if fractional_errors is None or fractional_errors.shape[0] == 0:
            raise ValueError("matched noise needs the target's fractional errors")
        rows = torch.randint(0, fractional_errors.shape[0], (flux.shape[0],), generator=generator)
        sigma = fractional_errors[rows].to(flux.dtype)
        sigma = torch.where(torch.isfinite(sigma), sigma, torch.full_like(sigma, level))
    noisy = flux * (1.0 + sigma * eps)
    return torch.where(noisy > 0, noisy, torch.full_like(noisy, float("nan")))
