"""``Variable``: mutable state that ops read as tensors and tapes watch automatically."""
from __future__ import annotations

import contextlib
import itertools

import numpy as np

from runtime import backends
from runtime.shapes import TensorShape
from ops.context import state
from ops.tensor import Tensor, constant, convert_to_tensor, wrap

_uid = itertools.count(1)


@contextlib.contextmanager
def init_scope():
    """Run the block eagerly even while a function is traced (``tf.init_scope``): how
    initializers compute the first values of variables created inside traced code."""
    saved_graph, saved_tapes = state.graph, state.tapes
    state.graph, state.tapes = None, []
    state.refresh()
    try:
        yield
    finally:
        state.graph, state.tapes = saved_graph, saved_tapes
        state.refresh()


class VariableSynchronization:
    AUTO = 0
    NONE = 1
    ON_WRITE = 2
    ON_READ = 3


class VariableAggregation:
    NONE = 0
    SUM = 1
    MEAN = 2
    ONLY_FIRST_REPLICA = 3


class Variable:
    """A tensor-valued variable (``tf.Variable``).

    Assignments replace the stored array rather than writing into it, so tensors read
    earlier keep their values.
    """

    __array_priority__ = 100

    def __init__(self, initial_value=None, trainable: bool = True, name: str | None = None,
                 dtype=None, shape=None, validate_shape: bool = True, constraint=None,
                 **unused):
        if initial_value is None:
            raise ValueError("Variable: initial_value is required")
        if callable(initial_value):
            with init_scope():
                initial_value = initial_value()
        value = convert_to_tensor(initial_value, dtype=dtype) if dtype is None or isinstance(
            initial_value, Tensor) else constant(initial_value, dtype=dtype)
        if value._v is None:
            # Made by ops while tracing: compute it now, as TensorFlow lifts initializers.
            evaluate = getattr(state.graph, "evaluate", None)
            if evaluate is None:
                raise TypeError("Variable: the initial value must be a concrete value, not a "
                                "symbolic tensor (create variables outside traced code)")
            value = evaluate(value)
        self._v = value._v
        self.dtype = value.dtype
        # The declared shape may leave dims unknown (``shape=[None]``); assignments must fit
        # it. ``validate_shape=False`` accepts any shape.
        self._declared = None
        if validate_shape:
            self._declared = TensorShape(value.shape if shape is None else shape)
            if not self._declared.is_compatible_with(value.shape):
                raise ValueError(f"Variable: the initial value has shape {value.shape}, which "
                                 f"does not fit the shape {self._declared} given")
        self.trainable = bool(trainable)
        self.constraint = constraint
        self._unique_id = next(_uid)
        base = name or "Variable"
        scope = "/".join(state.name_scopes)
        self._name = f"{scope}/{base}" if scope else base
        self._on_create()

    def _on_create(self):
        hook = getattr(state.graph, "on_variable_created", None)
        if hook is not None:
            hook(self)

    # ---- reading --------------------------------------------------------------------
    def _read_for_op(self) -> Tensor:
        """The current value as a tensor, recorded on tapes and captured while tracing."""
        if state.slow:
            return _read_general(self)
        return wrap(self._v, self.dtype)

    def read_value(self) -> Tensor:
        return self._read_for_op()

    def value(self) -> Tensor:
        return self._read_for_op()

    def numpy(self):
        v = np.array(backends.to_numpy(self._v))
        return v[()] if v.ndim == 0 else v

    def __array__(self, dtype=None, copy=None):
        v = np.asarray(backends.to_numpy(self._v))
        return v.astype(dtype) if dtype is not None else (v.copy() if copy else v)

    @property
    def name(self) -> str:
        return self._name + ":0"

    @property
    def shape(self) -> TensorShape:
        return self._declared if self._declared is not None else TensorShape(self._v.shape)

    def get_shape(self):
        return self.shape

    @property
    def ndim(self) -> int:
        return self._v.ndim

    @property
    def device(self) -> str:
        return backends.device_of(self._v)

    # ---- writing --------------------------------------------------------------------
    def _check(self, value: Tensor, what: str) -> Tensor:
        if value.dtype is not self.dtype:
            raise TypeError(f"{what}: variable '{self._name}' has dtype {self.dtype.name} but "
                            f"the value has dtype {value.dtype.name}; use ag.cast")
        if self._declared is not None and not self._declared.is_compatible_with(value.shape):
            raise ValueError(f"{what}: variable '{self._name}' has shape {self._declared} "
                             f"but the value has shape {value.shape}; shapes must match "
                             "(create the variable with shape=[None, ...] to allow changes)")
        return value

    def _convert(self, value) -> Tensor:
        if isinstance(value, (Tensor, Variable)):
            return convert_to_tensor(value)
        from ops.tensor import convert_like
        return convert_like(value, self.dtype, "assign")

    def assign(self, value, use_locking=None, name=None, read_value=True):
        new = self._check(self._convert(value), "assign")
        if state.graph is not None:
            return state.graph.assign_variable(self, new, "assign", read_value)
        self._v = new._v
        return self if read_value else None

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        return self.assign(self._read_for_op() + self._convert(delta), read_value=read_value)

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        return self.assign(self._read_for_op() - self._convert(delta), read_value=read_value)

    def __getitem__(self, key):
        sliced = self._read_for_op()[key]
        view = _SlicedVariable(self, key, sliced)
        if state.tapes:
            # ``view`` is a new object standing for ``sliced``: tell the tapes, so gradients
            # flow through ``v[i] * 2`` as through ``v.read_value()[i] * 2``.
            from ops.elementwise import OPS
            for tape in state.tapes:
                tape._record(OPS["Identity"], (sliced,), {}, (view,))
        return view

    def scatter_nd_update(self, indices, updates, name=None):
        from ops import array_ops
        return self.assign(array_ops.tensor_scatter_nd_update(self._read_for_op(), indices, updates))

    # ---- Python protocols -----------------------------------------------------------
    def __repr__(self) -> str:
        from ops.tensor import numpy_text
        return (f"<tf.Variable '{self.name}' shape={self.shape} dtype={self.dtype.name}, "
                f"numpy={numpy_text(backends.to_numpy(self._v), True)}>")

    def __hash__(self):
        return id(self)

    def ref(self):
        return self

    def deref(self):
        return self

    def __bool__(self):
        return bool(self._read_for_op())

    def __int__(self):
        return int(self._read_for_op())

    def __float__(self):
        return float(self._read_for_op())

    def __index__(self):
        return self._read_for_op().__index__()

    def __len__(self):
        return len(self._read_for_op())

    def __iter__(self):
        return iter(self._read_for_op())

    def __format__(self, spec):
        return format(self._read_for_op(), spec)

    def _inplace(self, op: str, method: str):
        raise RuntimeError(f"`variable {op}= value` is not supported, as in TensorFlow: use "
                           f"variable.{method}(value) to change the variable, or "
                           f"`out = variable {op} value` for a new tensor")

    def __iadd__(self, other):
        self._inplace("+", "assign_add")

    def __isub__(self, other):
        self._inplace("-", "assign_sub")

    def __imul__(self, other):
        self._inplace("*", "assign")

    def __itruediv__(self, other):
        self._inplace("/", "assign")

    def __ipow__(self, other):
        self._inplace("**", "assign")

    def __deepcopy__(self, memo):
        return Variable(self.numpy(), trainable=self.trainable, name=self._name, dtype=self.dtype)


class _SlicedVariable(Tensor):
    """``v[1:, 0]``: a tensor that also supports ``.assign`` back into the variable's slice."""

    __slots__ = ("_var", "_key")

    def __new__(cls, var, key, sliced):
        t = object.__new__(cls)
        t._v, t.dtype, t._sym = sliced._v, sliced.dtype, sliced._sym
        t._var, t._key = var, key
        return t

    def __init__(self, var, key, sliced):
        pass  # made by __new__; Tensor.__init__ refuses direct construction

    def assign(self, value, use_locking=None, name=None, read_value=True):
        from ops import indexing
        var = self._var
        updated = indexing.setitem(var._read_for_op(), self._key, var._convert(value))
        return var.assign(updated, read_value=read_value)


def _read_general(var: Variable) -> Tensor:
    graph = state.graph
    if graph is not None:
        return graph.read_variable(var)  # tapes link the variable through its graph handle
    t = wrap(var._v, var.dtype)
    for tape in state.tapes:
        tape._record_read(var, t)
    return t


def _install():
    from ops.overloads import install
    install(Variable)


_install()
