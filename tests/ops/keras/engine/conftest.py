import pytest

from ops.keras.layers import base


@pytest.fixture
def autograph_calls(monkeypatch):
    """AutoGraph converts user ``call``/``train_step`` code while tracing. The ``autograph``
    package installs the converter; until it does, the tests that need it install it."""
    if base._call_converter is None:
        from autograph.converter.public import convert
        monkeypatch.setattr(base, "_call_converter", convert)
