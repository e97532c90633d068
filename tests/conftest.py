"""Shared test fixtures.

Tests may read the project's ``../shared/data`` folder (the published inputs of the
build script); they skip cleanly where it is absent. ``NEBULADAPT_SHARED_DATA``
overrides its location.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def _shared_data_dir() -> Path:
    env = os.environ.get("NEBULADAPT_SHARED_DATA")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    """The ``shared/data`` folder beside the clone; skip the test if absent."""
    path = _shared_data_dir()
    if not (path / "README.md").is_file():
        pytest.skip(f"shared data not found at {path}")
    return path
