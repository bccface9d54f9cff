"""``InputSpec``: what a layer accepts (rank, dtype, known sizes of some axes), checked on
every call, so a wrong input fails with the layer's name and both shapes instead of deep
inside an op."""
from __future__ import annotations

from runtime import nest
from runtime.shapes import fmt

__all__ = ["InputSpec", "assert_input_compatibility"]


class InputSpec:
    """``InputSpec(min_ndim=2, axes={-1: 3})``: inputs of rank >= 2 whose last axis is 3.

    ``shape`` fixes every dim (``None`` for any size); ``axes`` maps axis -> size for some.
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None, allow_last_axis_squeeze=False, name=None):
        self.dtype = None if dtype is None else getattr(dtype, "name", dtype)
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name
        if self.ndim is not None:
            for axis in self.axes:
                if not -self.ndim <= axis < self.ndim:
                    raise ValueError(f"InputSpec: axis {axis} is out of range for ndim "
                                     f"{self.ndim}")

    def describe(self) -> str:
        """The accepted shapes in words: ``(None, 3)``, ``(..., 3)``, ``rank >= 4``."""
        if self.shape is not None:
            return fmt(self.shape)
        parts = []
        if self.ndim is not None:
            parts.append(f"rank {self.ndim}")
        if self.min_ndim is not None:
            parts.append(f"rank >= {self.min_ndim}")
        if self.max_ndim is not None:
            parts.append(f"rank <= {self.max_ndim}")
        for axis, size in sorted(self.axes.items()):
            parts.append(f"axis {axis} of size {size}")
        return ", ".join(parts) or "any shape"

    def get_config(self) -> dict:
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes}

    @classmethod
    def from_config(cls, config: dict) -> "InputSpec":
        return cls(**config)

    def __repr__(self) -> str:
        fields = {k: v for k, v in self.get_config().items() if v}
        return "InputSpec(" + ", ".join(f"{k}={v!r}" for k, v in fields.items()) + ")"


def _incompatible(layer, index: int, what: str, shape) -> ValueError:
    built_for = getattr(layer, "_build_input_shape", None)
    note = ""
    if built_for is not None:
        shapes = nest.flatten(built_for) if isinstance(built_for, list) else [built_for]
        if 0 <= index < len(shapes):
            note = f" The layer was built for inputs of shape {fmt(tuple(shapes[index]))}."
    return ValueError(f'Input {index} of layer "{layer.name}" is incompatible with the layer: '
                      f"{what}, but received input with shape {fmt(tuple(shape))}.{note}")


def assert_input_compatibility(input_spec, inputs, layer) -> None:
    """Raise ``ValueError`` (naming ``layer`` and both shapes) where ``inputs`` break
    ``input_spec`` (one spec, or one per flattened input)."""
    if input_spec is None:
        return
    if isinstance(input_spec, InputSpec) and hasattr(inputs, "_sym"):
        # one tensor, one spec: the common case, checked without flattening
        _check(input_spec, inputs, 0, layer)
        return
    specs = nest.flatten(input_spec) if isinstance(input_spec, (list, tuple)) else [input_spec]
    flat = nest.flatten(inputs)
    if len(specs) != len(flat):
        raise ValueError(f'Layer "{layer.name}" expects {len(specs)} input(s), but it received '
                         f"{len(flat)} input tensors")
    for index, (spec, x) in enumerate(zip(specs, flat)):
        if spec is not None and getattr(x, "shape", None) is not None:
            _check(spec, x, index, layer)


def _check(spec: InputSpec, x, index: int, layer) -> None:
    raw = getattr(x, "_v", None)
    shape = tuple(raw.shape) if raw is not None else tuple(x.shape)
    rank = len(shape)
    if spec.ndim is not None and not spec.allow_last_axis_squeeze and rank != spec.ndim:
        raise _incompatible(layer, index, f"expected ndim={spec.ndim}, found ndim={rank}", shape)
    if spec.max_ndim is not None and rank > spec.max_ndim:
        raise _incompatible(layer, index, f"expected max_ndim={spec.max_ndim}, found "
                            f"ndim={rank}", shape)
    if spec.min_ndim is not None and rank < spec.min_ndim:
        raise _incompatible(layer, index, f"expected min_ndim={spec.min_ndim}, found "
                            f"ndim={rank}", shape)
    if spec.dtype is not None and x.dtype.name != spec.dtype:
        raise ValueError(f'Input {index} of layer "{layer.name}" is incompatible with the '
                         f"layer: expected dtype {spec.dtype}, found {x.dtype.name}")
    for axis, size in spec.axes.items():
        if size is None or not -rank <= axis < rank:
            continue
        got = shape[axis]
        if got is not None and got != size:
            raise _incompatible(layer, index, f"expected axis {axis} of input shape to have "
                                f"value {size}", shape)
    if spec.shape is not None and rank == len(spec.shape):
        for want, got in zip(spec.shape, shape):
            if want is not None and got is not None and want != got:
                raise _incompatible(layer, index, f"expected shape={fmt(spec.shape)}", shape)
