"""Dtype policies (``tf.keras.mixed_precision.Policy``): the dtype a layer computes in and the
dtype of its weights.

A layer reads its policy once, when it is made: its ``dtype=`` argument, else the global
policy (``float32`` unless ``set_global_policy`` changed it). A dtype name (``"float32"``,
``"float64"``, ``"float16"``, ...) computes and stores weights in that dtype.
``"mixed_float16"`` computes in float16 and keeps weights in float32: inputs are cast to
float16 and the weights, made as ``AutoCastVariable``s, read as float16 inside the layer's
``call`` (``ops/keras/layers/autocast.py``). Loss scaling belongs to the optimizer
(``LossScaleOptimizer``), which ``Model.compile`` adds under ``mixed_float16``.

``"mixed_bfloat16"`` is refused with an error that says why: NumPy, whose dtypes autograph's
are (``runtime/dtypes.py``), has no bfloat16, and emulating it in float32 would report a
dtype the arithmetic does not have.
"""
from __future__ import annotations

import difflib

from runtime import dtypes as D

__all__ = ["Policy", "get", "global_policy", "set_global_policy"]

_MIXED = {"mixed_float16": ("float16", "float32")}
_NO_BFLOAT16 = ("mixed_bfloat16", "bfloat16")
_VALID = "'mixed_float16', 'float16', 'float32', 'float64' (or any other dtype name, e.g. 'int32')"


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
        if name in _NO_BFLOAT16:
            raise NotImplementedError(
                f"Policy {name!r} is not supported: NumPy has no bfloat16 dtype, so autograph "
                "(whose dtypes are NumPy's) cannot compute in it. Use 'mixed_float16' (float16 "
                "compute, float32 weights, with a LossScaleOptimizer) or 'float32'")
        if name in _MIXED:
            compute, variable = _MIXED[name]
        else:
            compute = variable = _dtype_name(name)
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
    """Set the policy of layers made from now on (``None`` restores the default). Only
    floating policies can be global, as in TensorFlow."""
    global _global_policy
    if policy is not None:
        policy = Policy(policy)
        if not D.as_dtype(policy.compute_dtype).is_floating:
            raise ValueError(f"set_global_policy can only set a floating-point policy, such as "
                             f"'float32' or 'mixed_float16', got {policy.name!r}")
    _global_policy = policy


def _dtype_name(name: str) -> str:
    """The dtype a one-dtype policy called ``name`` uses; ValueError listing the valid
    policies otherwise."""
    try:
        dtype = D.as_dtype(name)
    except (TypeError, ValueError):
        dtype = None
    if dtype is None or not (dtype.is_floating or dtype.is_integer or dtype.is_bool
                             or dtype.is_complex):
        close = difflib.get_close_matches(name, ["mixed_float16", "float16", "float32",
                                                 "float64"], n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"Cannot convert {name!r} to a mixed precision Policy.{hint} Valid "
                         f"policies: {_VALID}")
    return dtype.name


def get(identifier) -> Policy:
    """A Policy from a Policy, a dtype or its name, or a serialized policy (Keras'
    ``{"class_name": "Policy", "config": {"name": ...}}``, as layer configs hold it)."""
    if isinstance(identifier, dict):
        config = identifier.get("config")
        if not isinstance(config, dict) or "name" not in config:
            raise ValueError(f"Cannot read a dtype policy from {identifier!r}: expected "
                             "{'class_name': 'Policy', 'config': {'name': ...}}")
        identifier = config["name"]
    return Policy(identifier)
