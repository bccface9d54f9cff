"""Dtype policies (``tf.keras.mixed_precision.Policy``): the dtype a layer computes in and the
dtype of its weights.

A layer reads its policy once, when it is made: its ``dtype=`` argument, else the global
policy (``float32`` unless ``set_global_policy`` changed it). ``"mixed_float16"`` computes in
float16 and keeps weights in float32; layers cast weights to the compute dtype as they read
them (``Layer._read``). Loss scaling belongs to the optimizer, not here.
"""
from __future__ import annotations

from runtime import dtypes as D

__all__ = ["Policy", "global_policy", "set_global_policy"]

_MIXED = {"mixed_float16": ("float16", "float32")}


class Policy:
    """``Policy("float32")``, ``Policy("float64")``, ``Policy("mixed_float16")``, ..."""

    def __init__(self, name):
        if isinstance(name, Policy):
            name = name.name
        if isinstance(name, D.DType):
            name = name.name
        if not isinstance(name, str):
            raise TypeError(f"Policy: name must be a string such as 'float32' or "
                            f"'mixed_float16', got {type(name).__name__}")
        if name in _MIXED:
            compute, variable = _MIXED[name]
        else:
            try:
                dtype = D.as_dtype(name)
            except (TypeError, ValueError):
                dtype = None
            if dtype is None or not (dtype.is_floating or dtype.is_integer or dtype.is_bool
                                     or dtype.is_complex):
                raise ValueError(f"Policy: {name!r} is not a dtype policy; use a dtype name "
                                 f"('float32', 'float64', 'float16', ...) or one of "
                                 f"{sorted(_MIXED)}")
            compute = variable = dtype.name
        self._name = name
        self._compute_dtype = compute
        self._variable_dtype = variable

    @property
    def name(self) -> str:
        return self._name

    @property
    def compute_dtype(self) -> str:
        return self._compute_dtype

    @property
    def variable_dtype(self) -> str:
        return self._variable_dtype

    def get_config(self) -> dict:
        return {"name": self._name}

    @classmethod
    def from_config(cls, config: dict) -> "Policy":
        return cls(**config)

    def __eq__(self, other) -> bool:
        return isinstance(other, Policy) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self._name)

    def __repr__(self) -> str:
        return f'<Policy "{self._name}">'


_global_policy = None


def global_policy() -> Policy:
    """The policy layers made without ``dtype=`` use: ``floatx()`` unless set."""
    if _global_policy is not None:
        return _global_policy
    from ops.keras import backend
    return Policy(backend.floatx())


def set_global_policy(policy) -> None:
    """Set the policy of layers made from now on (``None`` restores the default)."""
    global _global_policy
    _global_policy = None if policy is None else Policy(policy)
