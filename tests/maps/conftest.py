"""Small SYNTHETIC MAPS files and a toy model, shared by the maps tests."""

import pytest


@pytest.fixture(scope="session")
def synthetic_maps(tmp_path_factory):
    """``maps.fits``, ``mask.fits``, ``truth.fits`` of a 90 x 80 SYNTHETIC field."""
    from nebuladapt.maps.synthetic import write_synthetic_maps

    return write_synthetic_maps(tmp_path_factory.mktemp("maps"), shape=(90, 80), seed=3)


@pytest.fixture(scope="session")
def toy_model_dir(make_toy_model, tmp_path_factory):
    from nebuladapt.models import save_model

    return save_model(make_toy_model(100, data_seed=2), tmp_path_factory.mktemp("model") / "m")


@pytest.fixture(scope="session")
def toy_model(toy_model_dir):
    from nebuladapt.models import load_model

    return load_model(toy_model_dir)
