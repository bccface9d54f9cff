"""What ``ag.function`` calls: ``convert(fn)``. This module's presence switches every
``@ag.function`` (``autograph=True``) to converted code."""
from autograph.converter.public import convert  # noqa: F401
