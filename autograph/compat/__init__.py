"""``ag.compat``: compatibility namespaces (``ag.compat.v1`` for TF1-style graphs)."""
from autograph.compat import v1  # noqa: F401
