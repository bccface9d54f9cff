"""Symbolic inputs for the functional API: ``Input``, ``KerasTensor`` and ``Node``.

``Input(shape=(784,))`` makes an ``InputLayer`` and returns its output, a ``KerasTensor``:
a shape and a dtype, no value. Calling a layer on KerasTensors does not compute anything;
it records a ``Node`` (the layer, the call's arguments with the KerasTensors in them, and the
outputs) and returns new KerasTensors whose shapes come from tracing the layer's call on
placeholders in a scratch graph (which also builds the layer). ``Model(inputs, outputs)``
then walks the nodes back from ``outputs`` and re-runs them in order on real tensors.

Arithmetic on KerasTensors (``x + y``, ``2 * x``, ``-x``, ``x[:, 0]``) is recorded as an
``OperatorLayer``, as Keras records TF ops on KerasTensors.
"""
from __future__ import annotations

import operator

import numpy as np

from runtime import dtypes as D
from runtime import nest
from runtime.graph import Graph
from runtime.shapes import TensorShape, fmt
from ops.keras import backend
from ops.keras.layers import base as base_layer
from ops.keras.layers.base import Layer
from ops.keras.layers.core import InputLayer
from ops.tensor import Tensor
from ops.tracing import Tracer, symbolic

__all__ = ["KerasTensor", "Node", "Input", "OperatorLayer", "is_keras_tensor"]


class Node:
    """One call of ``layer`` on KerasTensors: ``args``/``kwargs`` as passed (KerasTensors
    inside), ``outputs`` (the structure the call returned, KerasTensors inside)."""

    __slots__ = ("layer", "args", "kwargs", "outputs", "flat_outputs", "inputs")

    def __init__(self, layer, args: tuple, kwargs: dict, outputs):
        self.layer = layer
        self.args = args
        self.kwargs = kwargs
        self.outputs = outputs
        self.flat_outputs = [t for t in nest.flatten(outputs) if isinstance(t, KerasTensor)]
        # The KerasTensors this call consumed, in argument order, each once.
        seen, self.inputs = set(), []
        for t in nest.flatten([list(args), kwargs]):
            if isinstance(t, KerasTensor) and id(t) not in seen:
                seen.add(id(t))
                self.inputs.append(t)
        layer.__dict__.setdefault("_inbound_nodes", []).append(self)

    @property
    def is_input(self) -> bool:
        return isinstance(self.layer, InputLayer) and not self.inputs

    def __repr__(self) -> str:
        return f"<Node {self.layer.name}: {len(self.inputs)} in, {len(self.flat_outputs)} out>"


class KerasTensor:
    """A symbolic tensor of the functional API: ``shape`` (batch dim usually ``None``),
    ``dtype``, ``name``, and the node (layer call) that produced it."""

    __slots__ = ("_shape", "dtype", "name", "node", "index", "__weakref__")

    def __init__(self, shape, dtype, name=None, node=None, index=0):
        self._shape = TensorShape(shape)
        self.dtype = D.as_dtype(dtype)
        self.name = name
        self.node = node
        self.index = index

    @property
    def shape(self) -> TensorShape:
        return self._shape

    @property
    def ndim(self) -> int:
        return len(self._shape)

    def get_shape(self) -> TensorShape:
        return self._shape

    @property
    def _keras_history(self):
        """``(layer, node_index, tensor_index)``, Keras's name for where a tensor came from."""
        layer = self.node.layer
        return layer, layer._inbound_nodes.index(self.node), self.index

    def __repr__(self) -> str:
        where = f" (created by layer '{self.node.layer.name}')" if self.node is not None else ""
        return (f"<KerasTensor: shape={fmt(tuple(self._shape))} dtype={self.dtype.name}"
                f"{where}>")

    # A KerasTensor has no value: the Python protocols that need one fail with advice.
    def _no_value(self, what: str):
        raise TypeError(
            f"{what} of a symbolic KerasTensor ({self.name}) is not possible: it is a "
            "placeholder of the functional API, with no value until the model is called. Use "
            "it only as an input to layers; wrap other code in a Layer or a Lambda layer")

    def __bool__(self):
        self._no_value("Using the truth value")

    def __len__(self):
        self._no_value("len()")

    def __iter__(self):
        self._no_value("Iterating")

    def __array__(self, dtype=None, copy=None):
        self._no_value("Converting to a NumPy array")

    def numpy(self):
        self._no_value("numpy()")

    __hash__ = object.__hash__


# ---- operators on KerasTensors ----------------------------------------------------------------

_BINARY = {
    "add": operator.add, "subtract": operator.sub, "multiply": operator.mul,
    "truediv": operator.truediv, "floordiv": operator.floordiv, "mod": operator.mod,
    "pow": operator.pow, "matmul": operator.matmul,
}
_UNARY = {"negative": operator.neg, "abs": operator.abs}


class OperatorLayer(Layer):
    """An operator applied to KerasTensors (``x + y``, ``x * 2.0``, ``-x``, ``x[..., 0]``).

    ``OperatorLayer(op, constant=None, reverse=False, key=None)``: ``op`` names the operator;
    a binary op with one KerasTensor operand holds the other as ``constant`` (``reverse``:
    the constant is on the left); ``getitem`` holds the index as ``key``."""

    def __init__(self, op, constant=None, reverse=False, key=None, **kwargs):
        if op not in _BINARY and op not in _UNARY and op != "getitem":
            raise ValueError(f"OperatorLayer: unknown operator {op!r}")
        if kwargs.get("name") is None:
            uid = backend.get_uid(f"tf.{op}")
            kwargs["name"] = f"tf.{op}" if uid == 1 else f"tf.{op}_{uid - 1}"
        super().__init__(**kwargs)
        self.op = op
        self.constant = constant
        self.reverse = bool(reverse)
        self.key = key

    def call(self, inputs):
        if self.op == "getitem":
            return inputs[self.key]
        if self.op in _UNARY:
            return _UNARY[self.op](inputs)
        fn = _BINARY[self.op]
        if isinstance(inputs, (list, tuple)):
            return fn(inputs[0], inputs[1])
        return fn(self.constant, inputs) if self.reverse else fn(inputs, self.constant)

    def get_config(self):
        config = super().get_config()
        constant = self.constant
        if isinstance(constant, np.ndarray):
            constant = constant.tolist()
        config.update({"op": self.op, "constant": constant, "reverse": self.reverse,
                       "key": _key_to_config(self.key)})
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["key"] = _key_from_config(config.get("key"))
        return cls(**config)


def _key_to_config(key):
    if isinstance(key, slice):
        return {"slice": [key.start, key.stop, key.step]}
    if key is Ellipsis:
        return {"ellipsis": True}
    if isinstance(key, tuple):
        return {"tuple": [_key_to_config(k) for k in key]}
    if key is None or isinstance(key, (int, np.integer)):
        return None if key is None else int(key)
    raise ValueError(f"OperatorLayer: index {key!r} cannot be stored in a config")


def _key_from_config(key):
    if isinstance(key, dict):
        if "slice" in key:
            return slice(*key["slice"])
        if "ellipsis" in key:
            return Ellipsis
        if "tuple" in key:
            return tuple(_key_from_config(k) for k in key["tuple"])
    if isinstance(key, list):  # a tuple that went through JSON
        return tuple(_key_from_config(k) for k in key)
    return key


def _binary(op):
    def method(self, other):
        if isinstance(other, KerasTensor):
            return OperatorLayer(op)([self, other])
        return OperatorLayer(op, constant=other)(self)

    def reflected(self, other):
        return OperatorLayer(op, constant=other, reverse=True)(self)
    return method, reflected


for _name in _BINARY:
    _method, _reflected = _binary(_name)
    dunder = {"subtract": "sub", "multiply": "mul"}.get(_name, _name)
    setattr(KerasTensor, f"__{dunder}__", _method)
    setattr(KerasTensor, f"__r{dunder}__", _reflected)
KerasTensor.__neg__ = lambda self: OperatorLayer("negative")(self)
KerasTensor.__abs__ = lambda self: OperatorLayer("abs")(self)
KerasTensor.__getitem__ = lambda self, key: OperatorLayer("getitem", key=key)(self)


# ---- the symbolic call ------------------------------------------------------------------------

def is_keras_tensor(x) -> bool:
    return isinstance(x, KerasTensor)


def _symbolic_call(layer, inputs, args, kwargs):
    """``layer(inputs, *args, **kwargs)`` with KerasTensors among the inputs: trace the call on
    placeholders (building the layer), then record a Node with KerasTensor outputs."""
    graph = Graph(f"{layer.name}_functional")
    placeholders: dict = {}

    def placeholder(x):
        if not isinstance(x, KerasTensor):
            return x
        t = placeholders.get(id(x))
        if t is None:
            t = placeholders[id(x)] = symbolic(
                graph.add_input(x.dtype, tuple(x.shape), x.name or "input"))
        return t

    sym_inputs = nest.map_leaves(placeholder, inputs)
    sym_args = nest.map_leaves(placeholder, list(args))
    sym_kwargs = nest.map_leaves(placeholder, dict(kwargs))
    with Tracer(graph):
        outputs = layer(sym_inputs, *sym_args, **sym_kwargs)
    # Symbolic losses of this scratch trace (activity regularizers) belong to no real call.
    for sub in layer._flatten_layers():
        sub._call_losses = []

    node_outputs = []

    def to_keras(t):
        if not isinstance(t, Tensor):
            return t
        kt = KerasTensor(t.shape, t.dtype, name=f"{layer.name}/{len(node_outputs)}",
                         index=len(node_outputs))
        node_outputs.append(kt)
        return kt

    keras_outputs = nest.map_leaves(to_keras, outputs)
    node = Node(layer, (inputs,) + tuple(args), dict(kwargs), keras_outputs)
    for kt in node_outputs:
        kt.node = node
    return keras_outputs


base_layer.register_symbolic_input_type(KerasTensor, _symbolic_call)


# ---- Input ------------------------------------------------------------------------------------

def Input(shape=None, batch_size=None, name=None, dtype=None, sparse=None, tensor=None,
          ragged=None, type_spec=None, batch_shape=None, **kwargs):
    """A symbolic input of a functional model (``tf.keras.Input``): ``shape`` excludes the
    batch dimension (``Input(shape=(28, 28))`` stands for batches of 28x28 examples)."""
    if kwargs.get("batch_input_shape") is not None:
        batch_shape = kwargs.pop("batch_input_shape")
    if kwargs:
        raise TypeError(f"Input: unexpected keyword argument(s) {sorted(kwargs)}")
    if sparse or ragged:
        raise ValueError("Input: sparse and ragged inputs are not supported")
    if batch_shape is not None:
        if shape is not None:
            raise ValueError("Input: give only one of shape= and batch_shape=")
        batch_shape = tuple(batch_shape)
    elif shape is not None:
        if isinstance(shape, (int, np.integer)):
            shape = (shape,)
        batch_shape = (batch_size,) + tuple(shape)
    elif tensor is not None:
        batch_shape = tuple(tensor.shape)
    else:
        raise ValueError("Please provide to Input a `shape` or a `tensor` or a `type_spec` "
                         "argument. Note that `shape` does not include the batch dimension.")
    for d in batch_shape:
        if d is not None and (not isinstance(d, (int, np.integer)) or d < 0):
            raise ValueError(f"Input: shape dimensions must be non-negative integers or None, "
                             f"got {batch_shape[1:]}")
    dtype = D.as_dtype(dtype or backend.floatx()).name
    layer = InputLayer(batch_input_shape=batch_shape, dtype=dtype, name=name)
    return input_tensor_of(layer)


def input_tensor_of(layer: InputLayer) -> KerasTensor:
    """The KerasTensor an InputLayer outputs (made on first use, then reused)."""
    nodes = layer.__dict__.get("_inbound_nodes")
    if nodes:
        return nodes[0].outputs
    shape = layer._batch_input_shape
    if shape is None:
        raise ValueError(f'InputLayer "{layer.name}" has no input shape')
    kt = KerasTensor(shape, layer.dtype, name=layer.name)
    kt.node = Node(layer, (), {}, kt)
    return kt
