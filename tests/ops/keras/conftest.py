import pytest

import autograph as ag
from ops.keras import backend


@pytest.fixture(autouse=True)
def _fresh_layer_names_and_seed():
    """Each test numbers default layer names from scratch (dense, dense_1, ...) and draws
    initial weights and dropout masks from a fixed global seed, so results repeat."""
    backend.clear_session()
    ag.random.set_seed(1234)
    yield
    ag.random.set_seed(None)
