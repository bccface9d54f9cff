"""``ag.function``: trace a Python function into a graph once per input signature, then run it.

A call computes a cache key (tensors by dtype and shape, Python values by value, variables by
identity); a miss traces the function on symbolic placeholders into a ``ConcreteFunction``,
whose optimized graph runs in the interpreter on later calls.
"""
from __future__ import annotations

import collections
import functools
import os
import sys
import types
import warnings
import weakref
from typing import Callable, Optional

import numpy as np

from runtime import collector, nest
from runtime.dtypes import DType
from runtime.graph import Graph
from runtime.interpreter import Plan, plan_for
from ops.context import state
from ops.tensor import Tensor, convert_to_tensor, wrap
from ops.tensor_spec import TensorSpec
from ops.tracing import Tracer, replay, symbolic
from ops.variables import Variable

_run_eagerly = os.environ.get("AUTOGRAPH_RUN_EAGERLY", "") not in ("", "0")


def run_functions_eagerly(run_eagerly: bool) -> None:
    """Make every ``Function`` call its Python function directly (the debug mode)."""
    global _run_eagerly
    _run_eagerly = bool(run_eagerly)


def functions_run_eagerly() -> bool:
    return _run_eagerly


# ``ag.config.optimizer.set_jit``: compile every Function whose jit_compile is None.
_jit_default = False


def set_jit_default(enabled: bool) -> None:
    """Make compiled mode (fusion) the default of every ``Function`` with ``jit_compile=None``,
    including those already created and traced (they switch at their next call)."""
    global _jit_default
    _jit_default = bool(enabled)


def jit_default() -> bool:
    return _jit_default


def executing_eagerly() -> bool:
    """False while a function is being traced into a graph."""
    return state.graph is None


class _Leaf:
    """Marks where a tensor sits in a flattened argument or output structure."""
    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index


def _shape_of(t: Tensor) -> tuple:
    return t._v.shape if t._v is not None else t._sym.shape


# Called with each ConcreteFunction when it is made and at each call, while not empty
# (``tf.summary.trace_on`` records graphs through this); see ``add_listener``.
_listeners: list = []


def add_listener(listener: Callable) -> None:
    """Call ``listener(concrete_function)`` for every concrete function made or called from now
    until ``remove_listener``; a call pays for one list check while there is none."""
    _listeners.append(listener)


def remove_listener(listener: Callable) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def _notify(cf) -> None:
    for listener in list(_listeners):    # a copy: a listener may remove itself
        listener(cf)


class ConcreteFunction:
    """One traced graph of a ``Function`` for one input signature."""

    def __init__(self, name: str, graph: Graph, input_specs: list, output_structure,
                 arg_names: list, jit_compile: bool = False):
        self.name = name
        self.graph = graph
        self.jit_compile = bool(jit_compile)
        # the same graph prepared in the other mode, built on demand (which refers back
        # weakly: no cycle, so a dropped function's graph is freed at once)
        self._other = None
        self.input_specs = input_specs        # TensorSpec per flat tensor input
        self._arg_names = arg_names
        self._outputs = output_structure      # structure with _Leaf at tensor positions
        self._out_dtypes = [v.dtype for v in graph.outputs]
        self._out_leaves = isinstance(output_structure, _Leaf)
        # Optimizing and planning are deferred to the second call: the first walks the traced
        # graph as it is (many functions are called once; see runtime/interpreter.py). A
        # compiled function is compiled now, its first call being the one to measure.
        self._replay = self._optimized = self._plan = None
        self._walked = False
        if self.jit_compile:
            self._prepare()
        if _listeners:
            _notify(self)

    def _prepare(self):
        from runtime import passes
        # Tapes and calls inside another trace replay the graph op by op, so they use the
        # unfused graph (Fused nodes have no gradient of their own).
        self._replay = replay_graph = passes.optimize(self.graph)
        optimized = replay_graph
        if self.jit_compile:
            from runtime import fusion
            optimized = fusion.compile_graph(replay_graph, "c")
        self._optimized = optimized
        self._plan = plan_for(optimized)
        return self._plan

    @property
    def optimized_graph(self) -> Graph:
        """The graph that runs: after the graph passes, and fused when ``jit_compile``."""
        if self._optimized is None:
            self._prepare()
        return self._optimized

    @property
    def _replay_graph(self) -> Graph:
        if self._replay is None:
            self._prepare()
        return self._replay

    @property
    def structured_input_signature(self):
        return tuple(self.input_specs)

    @property
    def structured_outputs(self):
        return self._outputs

    def __call__(self, *args):
        """Call with tensors for the traced tensor inputs, in order."""
        flat = [a for a in nest.flatten(list(args)) if isinstance(a, (Tensor, Variable, np.ndarray,
                                                                       int, float, list))]
        tensors = []
        for i, (a, spec) in enumerate(zip(flat, self.input_specs)):
            t = convert_to_tensor(a, dtype=spec.dtype)
            if not spec.is_compatible_with(t):
                raise ValueError(f"{self.name}: argument {self._arg_names[i]} has "
                                 f"{TensorSpec.from_tensor(t)} but this concrete function "
                                 f"accepts {spec}")
            tensors.append(t)
        if len(tensors) != len(self.input_specs):
            raise TypeError(f"{self.name}: expected {len(self.input_specs)} tensor arguments, "
                            f"got {len(tensors)}")
        return self._call_flat(tensors)

    def _call_flat(self, tensors: list):
        if _listeners:
            _notify(self)
        if state.slow:
            outs = replay(self._replay_graph, tensors)
        else:
            plan = self._plan
            if plan is None:
                if self._walked:
                    plan = self._prepare()
                else:   # the first call walks the traced graph (a plan's first run walks)
                    self._walked = True
                    plan = Plan(self.graph)
            arrays = plan.run([t._v for t in tensors])
            outs = [wrap(a, d) for a, d in zip(arrays, self._out_dtypes)]
        if self._out_leaves:
            return outs[0]
        return _fill(self._outputs, outs)

    def with_jit(self, jit_compile: bool) -> "ConcreteFunction":
        """The same traced graph prepared compiled (True) or interpreted (False); no retrace."""
        if bool(jit_compile) == self.jit_compile:
            return self
        found = self._other() if isinstance(self._other, weakref.ref) else self._other
        if found is None:
            found = ConcreteFunction(self.name, self.graph, self.input_specs, self._outputs,
                                     self._arg_names, jit_compile=jit_compile)
            found._other = weakref.ref(self)
            self._other = found
        return found

    def kernel_sources(self, target: str = "c") -> list:
        """The generated kernels of a ``jit_compile=True`` function: ``"c"`` or ``"cuda"``."""
        from runtime import fusion
        return fusion.kernel_sources(self.optimized_graph, target)

    def pretty_printed_graph(self, optimized: bool = False) -> str:
        return str(self.optimized_graph if optimized else self.graph)


def _fill(structure, outs):
    if isinstance(structure, _Leaf):
        return outs[structure.index]
    if isinstance(structure, dict):
        return type(structure)((k, _fill(v, outs)) for k, v in structure.items())
    if isinstance(structure, tuple) and hasattr(structure, "_fields"):
        return type(structure)(*[_fill(v, outs) for v in structure])
    if isinstance(structure, (list, tuple)):
        return type(structure)(_fill(v, outs) for v in structure)
    return structure


class Function:
    """A Python function traced into graphs per input signature (``tf.function``)."""

    def __init__(self, python_function: Callable, name: Optional[str] = None,
                 input_signature=None, autograph: bool = True, jit_compile=None,
                 reduce_retracing: bool = False):
        functools.update_wrapper(self, python_function)
        self._python_function = python_function
        self._name = name or getattr(python_function, "__name__", "function")
        self._input_signature = None if input_signature is None else list(input_signature)
        self._autograph = autograph
        self._jit_compile = jit_compile
        self._reduce_retracing = reduce_retracing
        self._cache: dict = {}
        # Calls whose arguments are all tensors (the common case) skip flattening: key by
        # (dtype, shape) of each argument straight into the traced concrete function.
        self._fast: dict = {}
        # reduce_retracing: concrete functions grouped by the key with tensor shapes reduced
        # to ranks; a miss looks only among those (Python values and variables still match).
        self._relaxed: dict = {}
        self._history: collections.deque = collections.deque(maxlen=10)
        self._warned = 0
        self._last_key = None
        self._traces = 0
        self._bound: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
        self._instance = None

    # ---- methods: one Function per instance -------------------------------------------------
    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        try:
            bound = self._bound.get(instance)
        except TypeError:
            bound = None
        if bound is None:
            bound = Function(self._python_function, self._name, self._input_signature,
                             self._autograph, self._jit_compile, self._reduce_retracing)
            try:
                # Weak, so a cached method never keeps its instance alive.
                bound._instance = weakref.ref(instance)
                self._bound[instance] = bound
            except TypeError:
                bound._instance = lambda: instance
        return bound

    def _callable(self) -> Callable:
        """The Python function to call, bound to the instance for methods."""
        if self._instance is None:
            return self._python_function
        instance = self._instance()
        if instance is None:
            raise ReferenceError(f"{self._name}: the object this method was bound to no "
                                 "longer exists")
        return functools.partial(self._python_function, instance)

    @property
    def python_function(self) -> Callable:
        return self._python_function

    @property
    def input_signature(self):
        return self._input_signature

    # ---- calling --------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if _run_eagerly:
            return self._callable()(*args, **kwargs)
        if state.graph is not None:
            # Called while another function is traced: trace into that graph (inlining).
            return self._target()(*args, **kwargs)
        if not kwargs and self._input_signature is None:
            key = []
            for a in args:
                if type(a) is not Tensor:
                    break
                key.append((a.dtype, _shape_of(a)))
            else:
                key = tuple(key)
                cf = self._fast.get(key)
                if cf is not None:
                    if cf.jit_compile is not _jit_default and self._jit_compile is None:
                        cf = self._fast[key] = cf.with_jit(_jit_default)
                    self._history.append(False)
                    return cf._call_flat(args)
                cf, tensors = self._lookup(args, kwargs)
                if tuple(tuple(s.shape) for s in cf.input_specs) == tuple(k[1] for k in key):
                    self._fast[key] = cf
                return cf._call_flat(tensors)
        cf, tensors = self._lookup(args, kwargs)
        return cf._call_flat(tensors)

    def _target(self) -> Callable:
        """The function that is traced: converted by AutoGraph when ``autograph=True``."""
        fn = self._python_function
        if self._autograph:
            try:
                from autograph.converter import api as conversion
            except ImportError:
                conversion = None
            if conversion is not None:
                fn = conversion.convert(fn)
        if self._instance is None:
            return fn
        return functools.partial(fn, self._callable().args[0])

    def _lookup(self, args, kwargs):
        flat, structure, key, names = self._flatten_args(args, kwargs)
        tensors = [flat[i] for i in range(len(flat)) if isinstance(structure[i], _Leaf)]
        cf = self._cache.get(key)
        if cf is None and self._reduce_retracing:
            cf = self._find_compatible(tensors, _relaxed_key(key))
        if cf is None:
            with collector.paused():
                cf = self._trace(args, kwargs, flat, structure, key, names)
        else:
            self._history.append(False)
        if self._jit_compile is None and cf.jit_compile is not _jit_default:
            cf = cf.with_jit(_jit_default)
        return cf, tensors

    def _flatten_args(self, args, kwargs):
        """Flat leaves, per-leaf marker (_Leaf for tensors, else the value), cache key, names."""
        if self._input_signature is not None:
            return self._flatten_with_signature(args, kwargs)
        leaves, names = _leaves_with_names(args, kwargs, self._callable())
        structure, key = [], [_structure_key(args, kwargs)]
        for i, (value, name) in enumerate(zip(leaves, names)):
            if isinstance(value, (Tensor, np.ndarray)):
                t = convert_to_tensor(value)
                leaves[i] = t
                structure.append(_Leaf(i))
                key.append((t.dtype, tuple(_shape_of(t))))
            elif isinstance(value, Variable):
                structure.append(value)
                key.append(("variable", id(value)))
            else:
                try:
                    hash(value)
                except TypeError:
                    raise TypeError(
                        f"{self._name}: argument {name} is an unhashable "
                        f"{type(value).__name__} ({_short(value)}); pass tensors, or hashable "
                        "Python values (tuples instead of lists of non-tensors)") from None
                structure.append(value)
                key.append(("py", type(value), value))
        return leaves, structure, tuple(key), names

    def _flatten_with_signature(self, args, kwargs):
        bound = _bind(self._callable(), args, kwargs, self._name)
        leaves, structure, names = [], [], []
        for label, v, s in signature_leaves(self._name, bound, self._input_signature,
                                            "input_signature"):
            try:
                t = convert_to_tensor(v, dtype=s.dtype)
            except (TypeError, ValueError):
                t = convert_to_tensor(v)
            if not s.is_compatible_with(t):
                raise ValueError(
                    f"{self._name}: argument {label} is {TensorSpec.from_tensor(t)} but the "
                    f"input_signature requires {s}; pass a matching tensor or relax the "
                    "signature with None dims")
            structure.append(_Leaf(len(leaves)))
            leaves.append(t)
            names.append(label)
        return leaves, structure, ("signature",), names

    def _find_compatible(self, tensors, relaxed_key):
        for cf in self._relaxed.get(relaxed_key, ()):
            if all(s.is_compatible_with(t) for s, t in zip(cf.input_specs, tensors)):
                return cf
        return None

    # ---- tracing --------------------------------------------------------------------------
    def _trace(self, args, kwargs, flat, structure, key, names):
        specs = []
        graph = Graph(self._name)
        symbols = []
        for value, marker, name in zip(flat, structure, names):
            if isinstance(marker, _Leaf):
                if self._input_signature is not None:
                    spec = self._input_signature_flat()[len(specs)]
                    shape = tuple(spec.shape)
                else:
                    shape = self._relaxed_shape(value, len(specs), _relaxed_key(key))
                spec = TensorSpec(shape, value.dtype, name)
                specs.append(spec)
                symbols.append(symbolic(graph.add_input(value.dtype, shape, name)))
            else:
                symbols.append(value)
        sym_args, sym_kwargs = _rebuild_args(args, kwargs, symbols, self._callable(),
                                             self._input_signature)
        self._note_retrace(key, names)
        created: list = []
        first = self._traces == 0
        with Tracer(graph, on_variable_created=created.append if first else
                    self._refuse_variable):
            result = self._target()(*sym_args, **sym_kwargs)
            out_structure = self._collect_outputs(result, graph)
        self._traces += 1
        if created:
            # As TensorFlow: a first trace that created variables is traced once more, which
            # must reuse them (the `if self.v is None:` pattern) rather than create new ones.
            return self._trace(args, kwargs, flat, structure, key, names)
        from ops.control_flow import check_discarded_writes
        check_discarded_writes(graph)
        cf = ConcreteFunction(self._name, graph, specs, out_structure, names,
                              jit_compile=_jit_default if self._jit_compile is None
                              else bool(self._jit_compile))
        self._cache[key] = cf
        self._relaxed.setdefault(_relaxed_key(key), []).append(cf)
        return cf

    def _input_signature_flat(self) -> list:
        return nest.flatten(self._input_signature)

    def _relaxed_shape(self, t: Tensor, index: int, relaxed_key) -> tuple:
        """With reduce_retracing, dims that differ from an earlier trace become None."""
        shape = tuple(_shape_of(t))
        if not self._reduce_retracing:
            return shape
        for cf in self._relaxed.get(relaxed_key, ()):
            prev = cf.input_specs[index].shape
            shape = tuple(a if a == b else None for a, b in zip(shape, prev))
        return shape

    def _collect_outputs(self, result, graph: Graph):
        tracer = state.graph
        outputs = []

        def leaf(x):
            if isinstance(x, Variable):
                x = x._read_for_op()
            if isinstance(x, Tensor):
                graph.outputs.append(tracer.value_of(x))
                outputs.append(x)
                return _Leaf(len(outputs) - 1)
            if isinstance(x, np.ndarray):
                return leaf(convert_to_tensor(x))
            return x

        return nest.map_leaves(leaf, result)

    def _refuse_variable(self, var):
        raise ValueError(
            f"{self._name}: a Variable ('{var._name}') is created every time the function is "
            "traced; @function supports only variables created once, on the first trace. Create "
            "it outside the function, or once: `if self.v is None: self.v = ag.Variable(...)`")

    def _note_retrace(self, key, names) -> None:
        self._history.append(True)
        changed = _changed_argument(self._last_key, key, names)
        self._last_key = key
        if sum(self._history) >= 5 and self._warned < 2:
            self._warned += 1
            self._history.clear()
            warnings.warn(
                f"5 out of the last 10 calls to {self._name} triggered retracing"
                f"{'; the argument that changed: ' + changed if changed else ''}. Tracing is "
                "expensive: pass tensors instead of Python numbers, use input_signature or "
                "reduce_retracing=True for varying shapes, and do not create functions in a loop.",
                stacklevel=_user_stacklevel())

    # ---- introspection --------------------------------------------------------------------
    def get_concrete_function(self, *args, **kwargs) -> ConcreteFunction:
        """The concrete function for these arguments (``TensorSpec``s stand for tensors)."""
        if not args and not kwargs and self._input_signature is not None:
            args = tuple(self._input_signature)
        args = nest.map_structure(_spec_to_placeholder, list(args))
        kwargs = {k: nest.map_structure(_spec_to_placeholder, v) for k, v in kwargs.items()}
        cf, _ = self._lookup(tuple(args), kwargs)
        return cf

    def experimental_get_tracing_count(self) -> int:
        return self._traces

    def __repr__(self) -> str:
        return f"<autograph.Function {self._name}>"


class _SpecPlaceholder(Tensor):
    """Stands for a TensorSpec argument of get_concrete_function (never executed)."""
    __slots__ = ()


_OWN_DIRS = tuple(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), d)
                  + os.sep for d in ("autograph", "ops", "runtime"))


def _user_stacklevel() -> int:
    """``warnings.warn`` stacklevel of the innermost caller outside this project."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_OWN_DIRS):
        frame, level = frame.f_back, level + 1
    return level


def _relaxed_key(key: tuple) -> tuple:
    """The cache key with each tensor's shape reduced to its rank."""
    return tuple((k[0], len(k[1])) if isinstance(k, tuple) and len(k) == 2 and
                 isinstance(k[0], DType) else k for k in key)


def _spec_to_placeholder(x):
    if isinstance(x, TensorSpec):
        if None in tuple(x.shape):
            t = object.__new__(_SpecPlaceholder)
            t._v = _FakeArray(tuple(x.shape), x.dtype)
            t.dtype = x.dtype
            t._sym = None
            return t
        from ops.tensor import constant
        return constant(np.zeros(tuple(x.shape), x.dtype.np), dtype=x.dtype) \
            if x.dtype.kind != "O" else constant(np.full(tuple(x.shape), b"", object))
    return x


class _FakeArray:
    __slots__ = ("shape", "dtype")

    def __init__(self, shape, dtype):
        self.shape = shape
        self.dtype = dtype.np


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def signature_leaves(name: str, bound: list, signature, what: str):
    """``(label, value, spec)`` for each leaf of the bound arguments ``[(arg name, value)]``
    against their entries of ``signature`` (``what`` names it in errors: a count or a
    structure that does not match)."""
    if len(bound) != len(signature):
        raise TypeError(f"{name}: the {what} has {len(signature)} entries but the call passed "
                        f"{len(bound)} arguments")
    for (arg_name, value), spec in zip(bound, signature):
        flat_specs = nest.flatten(spec)
        flat_values = nest.flatten(value) if nest.is_nested(spec) else [value]
        if len(flat_specs) != len(flat_values):
            raise ValueError(f"{name}: argument {arg_name} does not match the structure of its "
                             f"{what} entry {spec}")
        for k, (v, s) in enumerate(zip(flat_values, flat_specs)):
            yield (arg_name if len(flat_specs) == 1 else f"{arg_name}[{k}]"), v, s


def _bind(fn, args, kwargs, name):
    import inspect
    try:
        sig = inspect.signature(fn)
        bound = sig.bind(*args, **kwargs)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{name}: {e}") from None
    out = []
    for pname, value in bound.arguments.items():
        kind = sig.parameters[pname].kind
        if kind is inspect.Parameter.VAR_POSITIONAL:
            out.extend((f"{pname}[{i}]", v) for i, v in enumerate(value))
        elif kind is inspect.Parameter.VAR_KEYWORD:
            out.extend((k, v) for k, v in value.items())
        else:
            out.append((pname, value))
    return out


def _leaves_with_names(args, kwargs, fn):
    names_pos = _positional_names(fn, len(args))
    leaves, names = [], []
    for name, value in list(zip(names_pos, args)) + sorted(kwargs.items()):
        _walk(value, name, leaves, names)
    return leaves, names


def _walk(value, path, leaves, names):
    if isinstance(value, dict):
        for k in sorted(value):
            _walk(value[k], f"{path}[{k!r}]", leaves, names)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _walk(v, f"{path}[{i}]", leaves, names)
    else:
        leaves.append(value)
        names.append(path)


def _parameter_names(fn) -> tuple:
    """The names of ``fn``'s positional parameters (read from its code when it is a plain
    function: ``inspect.signature`` costs tens of microseconds, and caching it would keep
    every traced function alive)."""
    d = getattr(fn, "__dict__", None)
    if type(fn) is types.FunctionType and "__wrapped__" not in d and "__signature__" not in d:
        code = fn.__code__
        return code.co_varnames[:code.co_argcount]
    import inspect
    try:
        return tuple(p.name for p in inspect.signature(fn).parameters.values()
                     if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
    except (TypeError, ValueError):
        return ()


def _positional_names(fn, n):
    skip = 0
    if isinstance(fn, functools.partial):  # a bound method: the instance fills `self`
        fn, skip = fn.func, len(fn.args)
    names = list(_parameter_names(fn)[skip:skip + n])
    return names + [f"args[{i}]" for i in range(len(names), n)]


def _structure_key(args, kwargs):
    def shape(x):
        if isinstance(x, dict):
            return ("dict", tuple((k, shape(x[k])) for k in sorted(x)))
        if isinstance(x, (list, tuple)):
            return (type(x).__name__, tuple(shape(v) for v in x))
        return "."
    return (shape(list(args)), tuple(sorted((k, shape(v)) for k, v in kwargs.items())))


def _rebuild_args(args, kwargs, symbols, fn, signature):
    """The call's arguments with each tensor leaf replaced, in order, by its placeholder."""
    it = iter(symbols)
    if signature is not None:
        import inspect
        sig = inspect.signature(fn)
        pos, kw = [], {}
        for (name, _), spec in zip(_bind(fn, args, kwargs, ""), signature):
            rebuilt = nest.pack_sequence_as(spec, [next(it) for _ in nest.flatten(spec)]) \
                if nest.is_nested(spec) else next(it)
            param = sig.parameters.get(name.split("[")[0])
            if param is None or param.kind is param.KEYWORD_ONLY:
                kw[name] = rebuilt
            else:
                pos.append(rebuilt)
        return pos, kw
    pos = [_rebuild(a, it) for a in args]
    kw = {k: _rebuild(kwargs[k], it) for k in sorted(kwargs)}
    return pos, kw


def _rebuild(value, it):
    if isinstance(value, dict):
        rebuilt = {k: _rebuild(value[k], it) for k in sorted(value)}
        return type(value)((k, rebuilt[k]) for k in value) if type(value) is not dict \
            else {k: rebuilt[k] for k in value}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*[_rebuild(v, it) for v in value])
    if isinstance(value, (list, tuple)):
        return type(value)(_rebuild(v, it) for v in value)
    return next(it)


def _changed_argument(old, new, names) -> str:
    """Which argument differs between two cache keys, for the retracing warning."""
    if old is None or len(old) != len(new) or old[0] != new[0]:
        return "the structure of the arguments" if old is not None else ""
    for name, a, b in zip(names, old[1:], new[1:]):
        if a != b:
            return f"{name} ({_describe(a)} -> {_describe(b)})"
    return ""


def _describe(k) -> str:
    if isinstance(k, tuple) and k and k[0] == "py":
        return f"Python value {k[2]!r}"
    if isinstance(k, tuple) and k and k[0] == "variable":
        return "a different variable"
    if isinstance(k, tuple) and len(k) == 2:
        return f"{k[0].name}{list(k[1])}"
    return str(k)


def function(func=None, input_signature=None, autograph: bool = True, jit_compile=None,
             reduce_retracing: bool = False, experimental_relax_shapes=None, name=None, **unused):
    """Decorator: ``@ag.function`` or ``@ag.function(input_signature=[...])``."""
    if experimental_relax_shapes is not None:
        reduce_retracing = reduce_retracing or experimental_relax_shapes

    def decorate(fn):
        return Function(fn, name, input_signature, autograph, jit_compile, reduce_retracing)

    return decorate if func is None else decorate(func)
