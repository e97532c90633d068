"""Write ``CLASSES.fits``: class, probability and flag maps with the input's WCS.

Extensions (each a 2-D image carrying the input's celestial WCS and the
provenance cards of :func:`provenance_cards`):

``CLASS`` (int16)
    :data:`~nebuladapt.maps.classify.CLASS_CODES`; header keywords ``CODE<k>``
    name each code (``CODE0 = 'unclassified'``).
``PROB_HII``, ``PROB_PN``, ``PROB_SNR`` (float32)
    Class probabilities, NaN where unclassified.
``FLAG`` (int32)
    Bit mask; header keywords ``BIT<k>`` name each bit
    (:data:`~nebuladapt.maps.classify.FLAG_BITS`).
``REGION_CLASS`` (int16, with ``--regions`` only)
    The class of each nebula of the mask painted over its spaxels (codes as
    ``CLASS``; unclassified outside nebulae).

The file is written to a temporary sibling and renamed into place.
"""

from __future__ import annotations

import datetime as _dt
import os
import tempfile
from pathlib import Path

import numpy as np
from astropy.io import fits

from nebuladapt import CLASSES, __version__
from nebuladapt.maps.classify import CLASS_CODES, FLAG_BITS, MapPrediction

__all__ = ["provenance_cards", "write_classes", "class_header_cards"]


def provenance_cards(model, model_dir=None, source=None, snr_min=None) -> list[tuple]:
    """Header cards summarising the model card and the run.

    Parameters
    ----------
    model : NebulaClassifier
    model_dir : path-like, optional
        Where the model was loaded from (its card's weights checksum is recorded).
    source : path-like, optional
        The input MAPS file.
    snr_min : float, optional

    Returns
    -------
    list of (keyword, value, comment)
    """
    cards = [
        ("ND_VERS", __version__, "nebuladapt version"),
        ("ND_DATE", _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"), "UTC time of the run"),
        ("ND_METH", str(getattr(model, "method", "")), "model: method (nn, dann)"),
        ("ND_NOISE", str(getattr(model, "noise", "")), "model: noise injection"),
        ("ND_ALIGN", str(getattr(model, "alignment", "")), "model: alignment"),
        ("ND_SEED", int(getattr(model, "random_state", 0)), "model: seed"),
        ("ND_FEAT", ",".join(model.spec_.names), "model: log line-ratio features"),
        ("ND_CLASS", ",".join(str(c) for c in model.classes_), "model: classes"),
        ("ND_TEMP", float(getattr(model, "temperature_", 1.0)), "model: calibration temperature"),
    ]
    if model_dir is not None:
        from nebuladapt.models.persistence import read_card

        card = read_card(model_dir)
        cards += [
            ("ND_MODEL", str(model_dir), "model directory"),
            ("ND_WSHA", str(card.get("weights_sha256", "")), "model: SHA-256 of the weights"),
            ("ND_MDATE", str(card.get("created", "")), "model: creation time"),
        ]
        if card.get("target_catalogue"):
            cards.append(("ND_TARG", str(card["target_catalogue"]), "model: target it was adapted to"))
    if source is not None:
        cards.append(("ND_INPUT", str(source), "input MAPS file"))
    if snr_min is not None:
        cards.append(("ND_SNMIN", float(snr_min), "Halpha S/N below which spaxels are unclassified"))
    return cards


def class_header_cards() -> list[tuple]:
    """``CODE<k>`` cards naming each CLASS code."""
    return [(f"CODE{k}", name, "CLASS code") for k, name in CLASS_CODES.items()]


def _flag_cards() -> list[tuple]:
    cards = []
    for bit, (name, _, meaning) in FLAG_BITS.items():
        cards.append((f"BIT{bit}", name, meaning))
    return cards


def _card(keyword, value, comment) -> fits.Card:
    """A card whose comment is shortened (or dropped) to fit in 80 characters."""
    room = 80 - 10 - max(20, len(repr(value))) - 3
    return fits.Card(keyword, value, comment[:room] if room > 8 else "")


def _image(data, name, wcs_header, extra, bunit=None) -> fits.ImageHDU:
    hdu = fits.ImageHDU(data=data, name=name)
    hdu.header.update(wcs_header)
    if bunit:
        hdu.header["BUNIT"] = bunit
    for card in extra:
        hdu.header.append(_card(*card))
    return hdu


def write_classes(
    prediction: MapPrediction,
    wcs,
    path,
    *,
    provenance: list[tuple] = (),
    region_class: np.ndarray | None = None,
    overwrite: bool = False,
) -> Path:
    """Write the class, probability and flag maps (module docstring).

    Parameters
    ----------
    prediction : MapPrediction
    wcs : astropy.wcs.WCS
        The input's celestial WCS (copied to every extension).
    path : path-like
        ``.fits`` file to write.
    provenance : list of (keyword, value, comment)
        From :func:`provenance_cards`.
    region_class : ndarray of int16, optional
        Class painted by region (adds ``REGION_CLASS``).
    overwrite : bool

    Returns
    -------
    Path

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path}: exists; pass --overwrite to replace it")
    if not path.name.lower().endswith((".fits", ".fit", ".fts")):
        raise ValueError(f"{path}: a map classification is written as FITS; name it *.fits")
    wcs_header = wcs.to_header(relax=True)
    provenance = list(provenance)
    primary = fits.PrimaryHDU()
    for card in provenance:
        primary.header.append(_card(*card))
    primary.header["COMMENT"] = "nebuladapt spaxel classification: HII region, planetary nebula, supernova remnant"
    hdus = [primary, _image(prediction.class_code, "CLASS", wcs_header, class_header_cards() + provenance)]
    for k, cls in enumerate(CLASSES):
        hdus.append(_image(prediction.proba[k], f"PROB_{cls}", wcs_header, provenance))
    hdus.append(_image(prediction.flag, "FLAG", wcs_header, _flag_cards() + provenance))
    if region_class is not None:
        hdus.append(_image(region_class, "REGION_CLASS", wcs_header, class_header_cards() + provenance))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".fits")
    os.close(fd)
    try:
        fits.HDUList(hdus).writeto(tmp, overwrite=True, checksum=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
