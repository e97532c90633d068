"""SHA-256 of files: the model card's weights check, grid provenance and the data build."""

from __future__ import annotations

import hashlib
from os import PathLike

__all__ = ["sha256_file"]


def sha256_file(path: str | PathLike) -> str:
    """SHA-256 hex digest of a file, read in 1 MiB blocks.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    str
        64 hexadecimal characters.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
