import pytest

from ops.keras import backend


@pytest.fixture(autouse=True)
def _fresh_layer_names():
    """Each test numbers default layer names from scratch (dense, dense_1, ...)."""
    backend.clear_session()
    yield
