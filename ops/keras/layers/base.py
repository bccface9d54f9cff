"""``Layer``: the Keras building block (``tf.keras.layers.Layer``), a ``Module`` that builds its
weights on the first call.

The life of a layer:

1. ``__init__`` stores configuration only. ``input_shape=`` (or ``batch_input_shape=``,
   ``input_dim=``) records the expected input; the layer is then built as soon as the
   outermost ``__init__`` returns, with batch dim ``None`` (``_LayerMeta`` runs that step).
2. The first ``layer(x)`` converts NumPy/Python inputs to tensors, casts floating inputs to
   the compute dtype, checks ``input_spec``, then calls ``build(input_shape)`` once. Calls
   run inside the layer's name scope, so weights are named ``dense/kernel:0``, or
   ``block/dense/kernel:0`` for a Dense built while ``block`` runs. A failing ``build``
   leaves no weights behind.
3. Every call checks ``input_spec`` (wrong shapes fail naming the layer and both shapes,
   before anything changes) and runs ``call(inputs, training=..., mask=...)``, passing
   ``training`` and ``mask`` only if ``call`` accepts them.

``training`` resolves as in Keras: the value passed, else the value of the enclosing layer
call (a model's ``training=True`` reaches its Dropout), else the default of ``call``'s
``training`` parameter.

Weights: ``add_weight`` creates variables under ``init_scope`` (so a first call inside
``ag.function`` works), in the layer's variable dtype. Variables assigned as attributes and
the weights of sub-layers (attributes, also inside lists/dicts) are found by walking the
attributes, in assignment order. ``trainable = False`` freezes the layer and its sub-layers:
their weights move from ``trainable_weights`` to ``non_trainable_weights``.

For ``Model`` (``ops/keras/engine/training.py``) and other subclasses:
``_flatten_layers()`` iterates sub-layers; ``_TF_MODULE_IGNORED_PROPERTIES`` names
attributes the weight walk skips (extend it for ``optimizer``-like state);
``register_symbolic_input_type`` lets symbolic inputs (``ag.keras.Input``) take over
``__call__`` for the functional API; ``set_call_converter`` installs AutoGraph for ``call``.
"""
from __future__ import annotations

import inspect
import weakref

import numpy as np

from runtime import dtypes as D
from runtime import nest
from runtime.shapes import TensorShape, fmt
from ops import control_flow
from ops import elementwise as math_ops
from ops.context import state
from ops.module import Module
from ops.scopes import name_scope
from ops.tensor import Tensor, convert_to_tensor
from ops.variables import Variable, VariableSynchronization, init_scope
from ops.keras import activations, backend, constraints, initializers, regularizers
from ops.keras import dtype_policy
from ops.keras.dtype_policy import Policy, global_policy
from ops.keras.layers import autocast
from ops.keras.layers.autocast import AutoCastVariable
from ops.keras.layers.input_spec import InputSpec, assert_input_compatibility

__all__ = ["Layer", "InputSpec", "register_symbolic_input_type", "set_call_converter",
           "smart_cond", "training_off"]

# ---- module state -------------------------------------------------------------------------

_call_stack: list = []            # ``training`` of each layer call in progress, outermost first
_symbolic_types: dict = {}        # type -> handler(layer, inputs, args, kwargs)
_call_converter = None            # AutoGraph's ``convert``, installed by the autograph package
_call_specs: dict = {}            # call function -> _CallSpec
_pending_losses = weakref.WeakSet()   # layers holding loss tensors from their last call

_BASE_KWARGS = frozenset({"input_dim", "input_shape", "batch_input_shape", "batch_size",
                          "weights", "activity_regularizer", "autocast", "implementation"})


def register_symbolic_input_type(cls: type, handler) -> None:
    """Calls whose inputs contain a ``cls`` instance go to ``handler(layer, inputs, args,
    kwargs)`` instead of running the layer (how ``ag.keras.Input`` builds functional models)."""
    _symbolic_types[cls] = handler


def set_call_converter(convert) -> None:
    """Install ``convert(bound_method) -> callable``: user-written ``call`` methods are
    converted (AutoGraph) when a layer is called while a function is being traced, as Keras
    does, so tensor ``if``/``for`` inside ``call`` become graph control flow."""
    global _call_converter
    _call_converter = convert


def smart_cond(pred, true_fn, false_fn):
    """``true_fn()`` or ``false_fn()``: decided now for Python values and concrete tensors, a
    graph ``cond`` for a symbolic ``training`` tensor."""
    if isinstance(pred, Variable):
        pred = pred._read_for_op()
    if isinstance(pred, Tensor):
        return control_flow.cond(pred, true_fn, false_fn)
    return true_fn() if pred else false_fn()


def training_off(training) -> bool:
    """``training`` is a Python "no" (None, False, 0): the layer runs in inference mode.
    Tensors are decided at run time by ``smart_cond``."""
    return training is None or (isinstance(training, (bool, int, np.integer)) and not training)


class _CallSpec:
    """What ``call``'s signature accepts, read once per function."""

    __slots__ = ("training", "mask", "var_kwargs", "training_position", "training_default",
                 "arg_names")

    def __init__(self, fn):
        params = list(inspect.signature(fn).parameters.values())
        if params and params[0].name == "self":
            params = params[1:]
        names = [p.name for p in params]
        self.arg_names = names
        self.var_kwargs = any(p.kind is p.VAR_KEYWORD for p in params)
        # As Keras: a ``call(self, inputs, **kwargs)`` receives training and mask too.
        self.training = "training" in names or self.var_kwargs
        self.mask = "mask" in names or self.var_kwargs
        positional = [p.name for p in params
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        # index among the arguments after ``inputs``
        self.training_position = positional.index("training") - 1 if (
            "training" in positional and positional.index("training") > 0) else None
        default = None
        for p in params:
            if p.name == "training" and p.default is not p.empty:
                default = p.default
        self.training_default = default


def _call_spec(fn) -> _CallSpec:
    spec = _call_specs.get(fn)
    if spec is None:
        spec = _call_specs[fn] = _CallSpec(fn)
    return spec


def _is_shape(value) -> bool:
    """A single shape (a TensorShape, or a list/tuple of ints and Nones)."""
    if isinstance(value, TensorShape):
        return True
    return isinstance(value, (list, tuple)) and all(
        d is None or isinstance(d, (int, np.integer)) for d in value)


def _map_shapes(fn, shapes):
    """``fn`` applied to each shape in a shape or a (nested) list/tuple/dict of shapes."""
    if _is_shape(shapes):
        return fn(TensorShape(shapes))
    if isinstance(shapes, dict):
        return {k: _map_shapes(fn, v) for k, v in shapes.items()}
    return type(shapes)(_map_shapes(fn, s) for s in shapes)


class _LayerMeta(type):
    """Runs ``_post_init`` once the outermost ``__init__`` has finished: that is when a layer
    given ``input_shape=`` has all its configuration and can build."""

    def __call__(cls, *args, **kwargs):
        layer = super().__call__(*args, **kwargs)
        if "_trainable" not in layer.__dict__:
            raise RuntimeError(f"{cls.__name__}.__init__ did not call super().__init__(); a "
                               "Layer subclass must call it before using the layer")
        layer._post_init()
        return layer


class Layer(Module, metaclass=_LayerMeta):
    """Base class of layers: configuration in ``__init__``, weights in ``build``,
    computation in ``call``.

    ``Layer(trainable=True, name=None, dtype=None, dynamic=False, input_shape=None,
    batch_input_shape=None, batch_size=None, input_dim=None, weights=None,
    activity_regularizer=None, autocast=True)``.
    """

    # Attributes the weight walk never enters: the layer's own bookkeeping, and state that
    # a model holds but that is not part of its weights.
    _TF_MODULE_IGNORED_PROPERTIES = frozenset({
        "_own_trainable", "_own_non_trainable", "_callable_losses", "_call_losses",
        "_input_spec", "_dtype_policy", "_compute", "_autocast_to", "_build_input_shape",
        "_batch_input_shape",
        "_initial_weights", "_activity_regularizer", "optimizer", "_optimizer",
    })

    def __init__(self, trainable=True, name=None, dtype=None, dynamic=False, **kwargs):
        unknown = set(kwargs) - _BASE_KWARGS
        if unknown:
            raise TypeError(f"{type(self).__name__}: keyword argument(s) not understood: "
                            f"{', '.join(sorted(unknown))}")
        if name is None:
            prefix = backend.to_snake_case(type(self).__name__)
            uid = backend.get_uid(prefix)
            name = prefix if uid == 1 else f"{prefix}_{uid - 1}"
        elif not isinstance(name, str) or not name or "/" in name:
            raise ValueError(f"{type(self).__name__}: name must be a non-empty string without "
                             f"'/', got {name!r}")
        self._name = name
        self._scope_name = self._scope_for(name)
        self._trainable = bool(trainable)
        self.built = False
        self._input_spec = None
        self._own_trainable: list = []
        self._own_non_trainable: list = []
        self._callable_losses: list = []
        self._call_losses: list = []
        self._build_input_shape = None
        self._set_dtype_policy(global_policy() if dtype is None else dtype_policy.get(dtype))
        self._autocast = bool(kwargs.get("autocast", True))
        self._dynamic = bool(dynamic)
        self._stateful = False
        self.supports_masking = getattr(self, "supports_masking", False)
        self._initial_weights = kwargs.get("weights")
        self._activity_regularizer = regularizers.get(kwargs.get("activity_regularizer"),
                                                      argument="activity_regularizer")
        self._batch_input_shape = self._batch_shape_from(kwargs)

    @staticmethod
    def _batch_shape_from(kwargs) -> tuple | None:
        if kwargs.get("batch_input_shape") is not None:
            return tuple(kwargs["batch_input_shape"])
        shape = kwargs.get("input_shape")
        if shape is None and kwargs.get("input_dim") is not None:
            shape = (kwargs["input_dim"],)
        if shape is None:
            return None
        if isinstance(shape, (int, np.integer)):
            shape = (shape,)
        return (kwargs.get("batch_size"),) + tuple(shape)

    def _post_init(self) -> None:
        if self._batch_input_shape is not None and not self.built:
            self._maybe_build(TensorShape(self._batch_input_shape))

    # ---- properties ------------------------------------------------------------------------
    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value) -> None:
        """Freeze (``False``) or unfreeze this layer and every layer inside it."""
        for layer in self._flatten_layers():
            layer._trainable = bool(value)

    @property
    def input_spec(self):
        return self._input_spec

    @input_spec.setter
    def input_spec(self, value) -> None:
        for spec in nest.flatten(value) if isinstance(value, (list, tuple)) else [value]:
            if spec is not None and not isinstance(spec, InputSpec):
                raise TypeError(f"Layer {self.name}: input_spec must be InputSpec objects, got "
                                f"{type(spec).__name__}")
        self._input_spec = value

    @property
    def dtype_policy(self) -> Policy:
        return self._dtype_policy

    def _set_dtype_policy(self, policy: Policy) -> None:
        """Set the policy; the compute dtype is kept as a DType for the per-call checks, and
        as the dtype AutoCastVariables read as during ``call`` (floating policies only)."""
        self._dtype_policy = policy
        self._compute = D.as_dtype(policy.compute_dtype)
        self._autocast_to = self._compute if self._compute.is_floating else None

    @property
    def dtype(self) -> str:
        """The dtype of the layer's weights (``"float32"``)."""
        return self._dtype_policy.variable_dtype

    @property
    def compute_dtype(self) -> str:
        """The dtype the layer computes in; floating inputs are cast to it."""
        return self._dtype_policy.compute_dtype

    @property
    def variable_dtype(self) -> str:
        return self._dtype_policy.variable_dtype

    @property
    def dynamic(self) -> bool:
        return self._dynamic

    @property
    def stateful(self) -> bool:
        return self._stateful

    @property
    def activity_regularizer(self):
        return self._activity_regularizer

    @activity_regularizer.setter
    def activity_regularizer(self, value) -> None:
        self._activity_regularizer = regularizers.get(value, argument="activity_regularizer")

    @property
    def batch_input_shape(self):
        return self._batch_input_shape

    # ---- building ----------------------------------------------------------------------------
    def build(self, input_shape) -> None:
        """Create the weights for inputs of ``input_shape`` (a ``TensorShape``, or a list of
        them for several inputs). Subclasses call ``add_weight`` here; the default creates
        nothing. Called once, by the first ``__call__``."""
        self._build_input_shape = input_shape
        self.built = True

    def _maybe_build(self, input_shapes, scoped: bool = False) -> None:
        """Build for ``input_shapes`` unless built; ``scoped`` says the layer's name scope is
        already entered (as during ``__call__``)."""
        if self.built:
            return
        counts = (len(self._own_trainable), len(self._own_non_trainable),
                  len(self._callable_losses))
        try:
            if scoped:
                self.build(input_shapes)
            else:
                with name_scope(self._name):
                    self.build(input_shapes)
        except BaseException:
            # Leave no half-built weights behind: the layer is as before the call.
            del self._own_trainable[counts[0]:]
            del self._own_non_trainable[counts[1]:]
            del self._callable_losses[counts[2]:]
            self.built = False
            raise
        self.built = True
        self._build_input_shape = input_shapes
        if self._initial_weights is not None:
            weights, self._initial_weights = self._initial_weights, None
            self.set_weights(weights)

    def add_weight(self, name=None, shape=None, dtype=None, initializer=None, regularizer=None,
                   trainable=None, constraint=None, use_resource=None,
                   synchronization=VariableSynchronization.AUTO, aggregation=None, **kwargs):
        """Create a weight variable of this layer and track it.

        ``initializer``/``regularizer``/``constraint`` may be names (``"glorot_uniform"``,
        ``"l2"``), objects or callables. Float weights default to ``glorot_uniform``,
        integer and bool weights to ``zeros``. The initial value is computed eagerly
        (``init_scope``) even while a function is traced.
        """
        if shape is None and isinstance(name, (tuple, list, TensorShape)):
            name, shape = None, name    # Keras 3's order: add_weight(shape, ...)
        shape = () if shape is None else tuple(shape)
        dtype = D.as_dtype(dtype or self.variable_dtype)
        where = f"{type(self).__name__}.add_weight({name!r})"
        if initializer is None:
            if dtype.is_floating:
                initializer = initializers.GlorotUniform()
            elif dtype.is_integer or dtype.is_bool:
                initializer = initializers.Zeros()
            else:
                raise ValueError(f"{where}: give an initializer for dtype {dtype.name}")
        else:
            initializer = initializers.get(initializer, argument=f"initializer of {where}")
        regularizer = regularizers.get(regularizer, argument=f"regularizer of {where}")
        constraint = constraints.get(constraint, argument=f"constraint of {where}")
        if synchronization == VariableSynchronization.ON_READ:
            if trainable:
                raise ValueError(f"{where}: synchronization=ON_READ variables cannot be "
                                 "trainable; pass trainable=False")
            trainable = False
        trainable = True if trainable is None else bool(trainable)
        # Under a mixed policy, float weights read as the compute dtype inside ``call``.
        mixed = self._dtype_policy.compute_dtype != self._dtype_policy.variable_dtype
        kind = AutoCastVariable if mixed and dtype.is_floating else Variable
        with init_scope():
            value = initializer(shape, dtype=dtype)
            variable = kind(value, trainable=trainable, name=name or "Variable",
                            dtype=dtype, shape=shape, constraint=constraint)
        (self._own_trainable if trainable else self._own_non_trainable).append(variable)
        if regularizer is not None:
            self._callable_losses.append(lambda: regularizer(variable))
        return variable

    # ---- calling -----------------------------------------------------------------------------
    def call(self, inputs, *args, **kwargs):
        """The layer's computation; the default returns ``inputs`` unchanged."""
        return inputs

    def __call__(self, *args, **kwargs):
        if args:
            inputs, args = args[0], args[1:]
        elif "inputs" in kwargs:
            inputs = kwargs.pop("inputs")
        else:
            raise TypeError(f'Layer "{self.name}".__call__ needs the inputs as first argument')
        if _symbolic_types:
            for leaf in nest.flatten(inputs):
                handler = _symbolic_types.get(type(leaf))
                if handler is not None:
                    return handler(self, inputs, args, kwargs)

        call_fn = type(self).call
        spec = _call_spec(call_fn)
        # ``training``: passed (by keyword or position), else the enclosing call's, else the
        # default in ``call``'s signature.
        positional_training = (spec.training_position is not None and
                               len(args) > spec.training_position)
        if positional_training:
            training = args[spec.training_position]
        else:
            training = kwargs.pop("training", None)
            if training is None and _call_stack:
                training = _call_stack[-1]
            if training is None:
                training = spec.training_default
            if spec.training:
                kwargs["training"] = training
        if "mask" in kwargs and not spec.mask:
            kwargs.pop("mask")

        inputs = self._convert_inputs(inputs)
        outermost = not _call_stack
        if outermost and _pending_losses:
            self._clear_call_losses()
        if self._input_spec is not None:
            assert_input_compatibility(self._input_spec, inputs, self)

        # The layer's name scope (a plain push: this is the eager hot path) names the
        # weights that this layer and the layers it calls create, e.g. "block/dense/kernel".
        scopes = state.name_scopes
        scopes.append(self._name)
        _call_stack.append(training)
        # AutoCastVariables read in this layer's compute dtype while it runs (a plain
        # assignment, not ``autocast.scope``: this is the hot path).
        enclosing_cast = autocast.cast_to
        autocast.cast_to = self._autocast_to
        try:
            if not self.built:
                self._maybe_build(self._shapes_of(inputs), scoped=True)
            outputs = self._call_method(call_fn)(inputs, *args, **kwargs)
        except Exception as e:
            _note_layer(e, self, inputs)
            raise
        finally:
            autocast.cast_to = enclosing_cast
            _call_stack.pop()
            scopes.pop()
        if self._activity_regularizer is not None:
            self._add_activity_loss(outputs)
        return outputs

    def _call_method(self, call_fn):
        """``self.call``, converted by AutoGraph while tracing when it is user code."""
        if _call_converter is None or state.graph is None:
            return self.call
        module = getattr(call_fn, "__module__", "") or ""
        if module.partition(".")[0] == "ops" or getattr(call_fn, "__ag_do_not_convert__", False):
            return self.call
        return _call_converter(self.call)

    def _convert_inputs(self, inputs):
        """NumPy arrays and Python numbers become tensors; floating tensors are cast to the
        compute dtype (``autocast``), as Keras does with float64 NumPy data."""
        compute = self._compute

        def convert(x):
            if isinstance(x, Variable):
                x = x._read_for_op()
            elif isinstance(x, (np.ndarray, np.generic, float)) or (
                    isinstance(x, int) and not isinstance(x, bool)):
                x = convert_to_tensor(x)
            if isinstance(x, Tensor) and self._autocast and x.dtype.is_floating and \
                    x.dtype is not compute:
                x = math_ops.cast(x, compute)
            return x

        if type(inputs) is Tensor:
            return convert(inputs)
        if isinstance(inputs, (list, tuple)) and inputs and all(
                isinstance(x, (int, float, np.number)) or (isinstance(x, (list, tuple)) and x)
                for x in inputs) and all(
                isinstance(x, (int, float, bool, np.number)) for x in nest.flatten(inputs)):
            return convert(convert_to_tensor(inputs))   # nested lists of numbers are data
        return nest.map_structure(convert, inputs)

    @staticmethod
    def _shapes_of(inputs):
        if isinstance(inputs, Tensor):
            return inputs.shape
        return nest.map_structure(lambda x: TensorShape(x.shape) if hasattr(x, "shape")
                                  else None, inputs)

    def _read(self, variable, dtype=None):
        """A weight as the layer computes with it: cast to ``dtype`` (default: the compute
        dtype) when the policy keeps weights in another dtype (mixed precision)."""
        dtype = self._compute if dtype is None else dtype
        if isinstance(variable, AutoCastVariable):
            variable = autocast.read_stored(variable)   # not cast by the autocast scope
        if variable.dtype is dtype:
            return variable
        return math_ops.cast(variable, dtype)

    # ---- losses ------------------------------------------------------------------------------
    def add_loss(self, losses, inputs=None) -> None:
        """Add loss tensors (kept until the next outermost call) or zero-argument callables
        (evaluated each time ``losses`` is read, e.g. weight penalties)."""
        for loss in losses if isinstance(losses, (list, tuple)) else [losses]:
            if loss is None:
                continue
            if callable(loss) and not isinstance(loss, (Tensor, Variable)):
                self._callable_losses.append(loss)
            else:
                self._call_losses.append(convert_to_tensor(loss))
                _pending_losses.add(self)

    def _add_activity_loss(self, outputs) -> None:
        from ops import array_ops
        for out in nest.flatten(outputs):
            if not isinstance(out, Tensor):
                continue
            loss = self._activity_regularizer(out)
            if out.ndim:
                batch = array_ops.shape(out)[0] if out.shape[0] is None else out.shape[0]
                loss = loss / math_ops.cast(batch, loss.dtype)
            self.add_loss(loss)

    def _clear_call_losses(self) -> None:
        for layer in self._flatten_layers():
            if layer._call_losses:
                layer._call_losses = []
            _pending_losses.discard(layer)

    @property
    def losses(self) -> list:
        """Losses of this layer and its sub-layers: those added during the last call, and
        the weight penalties (computed now, so a tape sees them)."""
        out = []
        tracing = state.graph is not None
        for layer in self._flatten_layers():
            # Loss tensors of a finished trace are symbolic: not losses of any eager call.
            out.extend(t for t in layer._call_losses if tracing or t._v is not None)
            for fn in layer._callable_losses:
                loss = fn()
                if loss is not None:
                    out.append(convert_to_tensor(loss))
        return out

    # ---- tracking ----------------------------------------------------------------------------
    def _tracked_attributes(self):
        """Attributes in assignment order (Keras' order), not the sorted order of Module."""
        ignored = self._TF_MODULE_IGNORED_PROPERTIES
        for key, value in vars(self).items():
            if key not in ignored:
                yield key, value

    def _direct_contents(self):
        """(variables assigned as attributes, modules held directly), each once."""
        from ops.module import _leaves
        variables, modules, seen = [], [], {id(self)}
        for _, value in self._tracked_attributes():
            if isinstance(value, (str, bytes, int, float, bool, Tensor, np.ndarray)):
                continue
            for leaf in _leaves(value):
                if id(leaf) in seen:
                    continue
                if isinstance(leaf, Variable):
                    seen.add(id(leaf))
                    variables.append(leaf)
                elif isinstance(leaf, Module):
                    seen.add(id(leaf))
                    modules.append(leaf)
        return variables, modules

    def _flatten_layers(self, include_self: bool = True, recursive: bool = True):
        """This layer (with ``include_self``) and the layers inside it, depth first, each
        once."""
        seen = set()
        stack = [self]
        first = True
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            if include_self or not first:
                yield layer
            if recursive or first:
                children = [m for m in layer._direct_contents()[1] if isinstance(m, Layer)]
                stack.extend(reversed(children))
            first = False

    def _own_weights(self) -> tuple:
        """(trainable, non-trainable) variables of this layer itself, added with
        ``add_weight`` or assigned as attributes; and the modules it holds."""
        trainable = list(self._own_trainable)
        non_trainable = list(self._own_non_trainable)
        known = {id(v) for v in trainable} | {id(v) for v in non_trainable}
        attribute_vars, modules = self._direct_contents()
        for v in attribute_vars:
            if id(v) not in known:
                known.add(id(v))
                (trainable if v.trainable else non_trainable).append(v)
        return trainable, non_trainable, modules

    @staticmethod
    def _unique(variables) -> list:
        seen, out = set(), []
        for v in variables:
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        return out

    @property
    def trainable_weights(self) -> list:
        """Weights a training step updates: none if the layer is frozen."""
        if not self._trainable:
            return []
        trainable, _, modules = self._own_weights()
        for m in modules:
            trainable.extend(m.trainable_weights if isinstance(m, Layer)
                             else m.trainable_variables)
        return self._unique(trainable)

    @property
    def non_trainable_weights(self) -> list:
        """Weights no training step updates: moving statistics, ``trainable=False``
        variables, and every weight of a frozen layer."""
        trainable, non_trainable, modules = self._own_weights()
        if self._trainable:
            out = non_trainable
            for m in modules:
                out.extend(m.non_trainable_weights if isinstance(m, Layer)
                           else m.non_trainable_variables)
        else:
            out = trainable + non_trainable
            for m in modules:
                out.extend(m.weights if isinstance(m, Layer) else m.variables)
        return self._unique(out)

    @property
    def weights(self) -> list:
        """``trainable_weights + non_trainable_weights`` (the order of ``get_weights``)."""
        return self._unique(self.trainable_weights + self.non_trainable_weights)

    @property
    def variables(self) -> list:
        return self.weights

    @property
    def trainable_variables(self) -> list:
        return self.trainable_weights

    @property
    def non_trainable_variables(self) -> list:
        return self.non_trainable_weights

    # ---- weights as NumPy ---------------------------------------------------------------------
    def get_weights(self) -> list:
        """The weights' values as NumPy arrays, in ``weights`` order."""
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights) -> None:
        """Assign NumPy values to the weights, in ``weights`` order. Every shape is checked
        before anything is assigned, so a bad list changes nothing."""
        params = self.weights
        weights = list(weights)
        if len(params) != len(weights):
            raise ValueError(f'You called set_weights(weights) on layer "{self.name}" with a '
                             f"weight list of length {len(weights)}, but the layer was "
                             f"expecting {len(params)} weights"
                             + ("" if self.built else " (it is not built yet)"))
        values = []
        for i, (param, value) in enumerate(zip(params, weights)):
            value = np.asarray(value)
            if tuple(param.shape) != value.shape:
                raise ValueError(f'Layer "{self.name}" weight {i} ({param.name}) has shape '
                                 f"{fmt(tuple(param.shape))}, which is not compatible with the "
                                 f"provided weight shape {fmt(value.shape)}; no weight was "
                                 "changed")
            values.append(value.astype(param.dtype.as_numpy_dtype, copy=False))
        for param, value in zip(params, values):
            param.assign(value)

    def count_params(self) -> int:
        """The number of scalars in the layer's weights (the layer must be built)."""
        if not self.built:
            raise ValueError(f'You tried to call count_params on layer "{self.name}", but the '
                             "layer isn't built. Build it first by calling it on data, or "
                             "give it input_shape=")
        return int(sum(int(np.prod(w.shape)) for w in self.weights))

    # ---- shapes and masks ----------------------------------------------------------------------
    def compute_output_shape(self, input_shape):
        """The output shape for inputs of ``input_shape``. The default traces ``call`` on
        placeholders of that shape (building the layer if needed) and reads the result."""
        from runtime.graph import Graph
        from ops.tracing import Tracer, symbolic
        graph = Graph(f"{self.name}_compute_output_shape")
        dtype = D.as_dtype(self.compute_dtype)
        with Tracer(graph):
            inputs = _map_shapes(
                lambda s: symbolic(graph.add_input(dtype, tuple(s), "inputs")), input_shape)
            outputs = self(inputs)
        return nest.map_structure(lambda t: TensorShape(t.shape), outputs)

    def compute_mask(self, inputs, mask=None):
        """The mask of the outputs: the input mask for layers that support masking, else
        ``None``."""
        return mask if self.supports_masking else None

    def reset_states(self) -> None:
        """Reset stateful layers (RNNs with ``stateful=True``); nothing for others."""

    # ---- configuration -------------------------------------------------------------------------
    def get_config(self) -> dict:
        """The arguments that rebuild this layer with ``from_config`` (no weights)."""
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": self._dtype_policy.name}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = tuple(self._batch_input_shape)
        if self._activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(self._activity_regularizer)
        if type(self).get_config is Layer.get_config:
            extra = [p for p in inspect.signature(type(self).__init__).parameters
                     if p not in ("self", "trainable", "name", "dtype", "dynamic", "args",
                                  "kwargs")]
            if extra:
                raise NotImplementedError(
                    f"Layer {type(self).__name__} has arguments {extra} in __init__ and "
                    "therefore must override get_config() to return them")
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """A new, unbuilt layer from ``get_config()``'s output."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _describe(inputs) -> str:
    shapes = [fmt(tuple(x.shape)) for x in nest.flatten(inputs) if hasattr(x, "shape")]
    return ", ".join(shapes) if shapes else "no tensors"


def _note_layer(error: BaseException, layer: Layer, inputs) -> None:
    """Add which layer failed, on which input shapes, to an error raised inside ``call``."""
    note = (f'Exception encountered when calling layer "{layer.name}" (type '
            f"{type(layer).__name__}) on inputs of shape {_describe(inputs)}.")
    if note not in getattr(error, "__notes__", ()):
        error.add_note(note)


# Layers take activations, initializers and regularizers by name or object; these resolve
# one argument and put its name into any error.
def get_activation(value, argument: str = "activation"):
    return activations.get(value, argument=argument)


def get_initializer(value, argument: str):
    return initializers.get(value, argument=argument)


def get_regularizer(value, argument: str):
    return regularizers.get(value, argument=argument)


def get_constraint(value, argument: str):
    return constraints.get(value, argument=argument)


def weights_config(layer, weights=("kernel", "bias")) -> dict:
    """The config entries layers with weights share: ``activation``, ``use_bias`` and, for
    each weight kind, its serialized initializer, regularizer and constraint."""
    config = {"activation": activations.serialize(layer.activation), "use_bias": layer.use_bias}
    for kind, module in (("initializer", initializers), ("regularizer", regularizers),
                         ("constraint", constraints)):
        for weight in weights:
            name = f"{weight}_{kind}"
            config[name] = module.serialize(getattr(layer, name))
    return config
