"""Diffuse ionised gas (DIG) in the aperture: its spectrum, and source models blended with it.

Every aperture of a nebula in a nearby galaxy also holds diffuse ionised gas along the line of
sight, whose spectrum is unlike an HII region's: low excitation, strong [NII] and [SII]; the
photoionisation and shock grids model the nebula alone. :func:`blend_diffuse_gas`
mixes each source model of the classes :data:`BLENDED_CLASSES` with :data:`DIG_SPECTRUM` at a
random share of its Halpha, so a network learns the classes with that share as a nuisance
(``NebulaClassifier(diffuse_gas=...)``). PN models are left as they are: PN fluxes are measured in
point-source apertures with the local background (the DIG with it) subtracted, e.g. the PHANGS-MUSE
planetary nebulae of Scheuermann et al. 2022 (A&A 661, A107).

:data:`DIG_SPECTRUM` (dereddened, Halpha = 1) takes approximate values typical of the DIG of
nearby disc galaxies: [NII]6583/Halpha = 0.5, [SII]6716+6731/Halpha = 0.5 (6716/6731 = 1.4, the
low-density limit), [OIII]5007/Hbeta = 0.7, Hbeta from case B (Haffner et al. 2009, Rev. Mod.
Phys. 81, 969; Belfiore et al. 2022, A&A 659, A26). The weak doublet partners follow
:data:`nebuladapt.lines.DOUBLET_RATIOS`.
"""

from __future__ import annotations

from typing import Sequence

import torch

from nebuladapt.lines import CASE_B_HA_HB, DOUBLET_RATIOS

__all__ = ["BLENDED_CLASSES", "DIG_SPECTRUM", "SEED_OFFSET", "blend_diffuse_gas", "dig_spectrum", "lines_without_gas"]

#: The classes whose source models are blended with diffuse gas (PN apertures subtract it).
BLENDED_CLASSES = ("HII", "SNR")

_STRONG = {"HB4861": 1 / CASE_B_HA_HB, "HA6562": 1.0, "OIII5006": 0.7 / CASE_B_HA_HB, "NII6583": 0.5,
           "SII6716": 0.5 * 1.4 / 2.4, "SII6730": 0.5 / 2.4, "SII6716_6730": 0.5}  # fmt: skip
#: The DIG spectrum, line -> flux relative to Halpha (dereddened).
DIG_SPECTRUM: dict[str, float] = {
    **_STRONG,
    **{weak: _STRONG[strong] / ratio for (strong, weak), ratio in DOUBLET_RATIOS.items() if strong in _STRONG},
}
#: The blending draws use their own generator (seeded ``seed + SEED_OFFSET``): the rest of the stream is kept.
SEED_OFFSET = 104729


def lines_without_gas(lines: Sequence[str]) -> list[str]:
    """The lines of ``lines`` with no :data:`DIG_SPECTRUM` value (and ``HA6562`` when it is absent):
    empty when the models can be blended."""
    return [line for line in lines if line not in DIG_SPECTRUM] + ([] if "HA6562" in lines else ["HA6562"])


def dig_spectrum(lines: Sequence[str]) -> torch.Tensor:
    """:data:`DIG_SPECTRUM` in the order of ``lines``.

    Raises
    ------
    ValueError
        If a line has no DIG value, or Halpha is not among ``lines`` (the share is one of Halpha).
    """
    unknown = lines_without_gas(lines)
    if unknown:
        raise ValueError(f"diffuse_gas needs Halpha and a diffuse-gas value for every line; none for "
                         f"{unknown} (known: {', '.join(DIG_SPECTRUM)})")
    return torch.tensor([DIG_SPECTRUM[line] for line in lines], dtype=torch.float64)


def blend_diffuse_gas(flux: torch.Tensor, lines: Sequence[str], max_share: float,
                      generator: torch.Generator, rows: torch.Tensor | None = None,
                      probability: float = 1.0) -> torch.Tensor:
    """Rows of ``flux`` mixed with the DIG spectrum giving a share ``f ~ U(0, max_share)`` of their Halpha.

    ``(1 - f) * row + f * Halpha_row * DIG``: Halpha is unchanged, a line the row lacks (NaN) stays
    missing. One draw per row, always (the stream does not depend on the data or on ``rows``).

    Parameters
    ----------
    flux : Tensor, shape (n, len(lines))
    lines : sequence of str
    max_share : float
        In [0, 1).
    generator : torch.Generator
    rows : Tensor of bool, shape (n,), optional
        The rows to blend (default all); the others are returned as they are.
    probability : float, optional
        Each of those rows is blended with this probability (drawn first, one draw per row, only
        when below 1), the others stay as modelled.

    Returns
    -------
    Tensor like ``flux``
    """
    if probability < 1:
        coin = torch.rand(flux.shape[0], generator=generator) < probability
        rows = coin if rows is None else rows & coin
    share = torch.rand((flux.shape[0], 1), generator=generator, dtype=flux.dtype) * max_share
    if rows is not None:
        share = torch.where(rows.unsqueeze(1), share, torch.zeros_like(share))
    halpha = flux[:, list(lines).index("HA6562")].unsqueeze(1)
    return (1 - share) * flux + share * halpha * dig_spectrum(lines).to(flux.dtype)
