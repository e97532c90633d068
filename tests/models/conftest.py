import pytest


@pytest.fixture(scope="session")
def toy_domains(make_toy_domains):
    """Three well-separated synthetic classes, source and shifted target (see tests/conftest.py)."""
    return make_toy_domains(42, 900, 150)
