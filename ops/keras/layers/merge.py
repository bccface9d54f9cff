"""Merge layers: combine a list of tensors into one (``Add``, ``Subtract``, ``Multiply``,
``Average``, ``Maximum``, ``Minimum``, ``Concatenate``, ``Dot``), as used by residual and
multi-input models. Each also has a function form (``add([a, b])``)."""
from __future__ import annotations

from runtime.shapes import TensorShape, broadcast, fmt
from ops import array_ops, linalg, nn_ops
from ops import elementwise as math_ops
from ops.keras.layers.base import Layer

__all__ = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot",
           "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot"]


class _Merge(Layer):
    """Elementwise merge of two or more inputs of broadcast-compatible shapes."""

    min_inputs = 2
    max_inputs = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _check(self, shapes) -> None:
        if not isinstance(shapes, (list, tuple)) or (shapes and isinstance(shapes[0], int)):
            raise ValueError(f'Layer "{self.name}" ({type(self).__name__}) must be called on a '
                             "list of inputs")
        n = len(shapes)
        if n < self.min_inputs or (self.max_inputs is not None and n > self.max_inputs):
            want = self.min_inputs if self.max_inputs == self.min_inputs else \
                f"at least {self.min_inputs}"
            raise ValueError(f'Layer "{self.name}" ({type(self).__name__}) expects {want} '
                             f"inputs, got {n}")

    def build(self, input_shape):
        self._check(input_shape)
        self.compute_output_shape(input_shape)
        self.built = True

    def call(self, inputs):
        self._check(inputs)
        return self._merge(list(inputs))

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        out = tuple(input_shape[0])
        for shape in input_shape[1:]:
            merged = broadcast(out, tuple(shape))
            if merged is None:
                raise ValueError(f'Layer "{self.name}" ({type(self).__name__}): inputs of shapes '
                                 f"{', '.join(fmt(tuple(s)) for s in input_shape)} cannot be "
                                 "combined elementwise")
            out = merged
        return TensorShape(out)

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        masks = [m for m in mask if m is not None]
        out = masks[0]
        for m in masks[1:]:
            out = math_ops.logical_and(out, m)
        return out


class Add(_Merge):
    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out


class Subtract(_Merge):
    """``inputs[0] - inputs[1]`` (exactly two inputs)."""
    max_inputs = 2

    def _merge(self, inputs):
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = out * x
        return out


class Average(_Merge):
    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out / float(len(inputs))


class Maximum(_Merge):
    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = math_ops.maximum(out, x)
        return out


class Minimum(_Merge):
    def _merge(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = math_ops.minimum(out, x)
        return out


class Concatenate(_Merge):
    """Join inputs along ``axis`` (the last by default); other dims must match."""

    min_inputs = 1

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = int(axis)

    def _merge(self, inputs):
        return array_ops.concat(inputs, axis=self.axis)

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        shapes = [tuple(s) for s in input_shape]
        rank = len(shapes[0])
        if any(len(s) != rank for s in shapes) or not -rank <= self.axis < rank:
            raise ValueError(f'Layer "{self.name}" (Concatenate) needs inputs of one rank with '
                             f"axis {self.axis} in range, got shapes "
                             f"{', '.join(fmt(s) for s in shapes)}")
        axis = self.axis % rank
        out = list(shapes[0])
        for s in shapes[1:]:
            for i, (a, b) in enumerate(zip(out, s)):
                if i == axis:
                    out[i] = None if a is None or b is None else a + b
                elif a is not None and b is not None and a != b:
                    raise ValueError(f'Layer "{self.name}" (Concatenate) requires inputs with '
                                     f"matching shapes except for the concatenation axis "
                                     f"{self.axis}, got shapes "
                                     f"{', '.join(fmt(s) for s in shapes)}")
                elif a is None:
                    out[i] = b
        return TensorShape(out)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


class Dot(_Merge):
    """Dot products of two ``(batch, ...)`` inputs along ``axes`` (an int or a pair);
    ``normalize=True`` takes cosine similarities."""

    max_inputs = 2

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        self.axes = tuple(axes) if isinstance(axes, (list, tuple)) else int(axes)
        self.normalize = bool(normalize)

    def _pair(self, r0: int, r1: int) -> tuple:
        axes = self.axes if isinstance(self.axes, tuple) else (self.axes, self.axes)
        return axes[0] % r0, axes[1] % r1

    def _merge(self, inputs):
        x, y = inputs
        a0, a1 = self._pair(x.ndim, y.ndim)
        if self.normalize:
            x = nn_ops.l2_normalize(x, axis=a0)
            y = nn_ops.l2_normalize(y, axis=a1)
        if x.ndim == 2 and y.ndim == 2:
            from ops import reductions
            return reductions.reduce_sum(x * y, axis=1, keepdims=True)
        # move the contracted axes last/first and batch-matmul
        letters = "abcdefghijklmnop"
        xs = list(letters[:x.ndim])
        ys = list(letters[x.ndim:x.ndim + y.ndim])
        ys[0] = xs[0]
        ys[a1] = xs[a0]
        out = [c for i, c in enumerate(xs) if i != a0] + \
            [c for i, c in enumerate(ys) if i not in (0, a1)]
        return linalg.einsum(f"{''.join(xs)},{''.join(ys)}->{''.join(out)}", x, y)

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        s0, s1 = (tuple(s) for s in input_shape)
        a0, a1 = self._pair(len(s0), len(s1))
        out = [d for i, d in enumerate(s0) if i != a0] + \
            [d for i, d in enumerate(s1) if i not in (0, a1)]
        if len(out) == 1:
            out.append(1)
        return TensorShape(out)

    def get_config(self):
        config = super().get_config()
        config.update({"axes": self.axes, "normalize": self.normalize})
        return config


def _functional(cls):
    def merge(inputs, **kwargs):
        return cls(**kwargs)(inputs)
    merge.__name__ = cls.__name__.lower()
    merge.__doc__ = f"``{cls.__name__}(**kwargs)(inputs)``."
    return merge


add, subtract, multiply = _functional(Add), _functional(Subtract), _functional(Multiply)
average, maximum, minimum = _functional(Average), _functional(Maximum), _functional(Minimum)


def concatenate(inputs, axis=-1, **kwargs):
    """``Concatenate(axis=axis)(inputs)``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes, normalize=False, **kwargs):
    """``Dot(axes, normalize)(inputs)``."""
    return Dot(axes, normalize=normalize, **kwargs)(inputs)
