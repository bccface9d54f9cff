"""What ``load`` returns: objects with restored variables and callable saved functions.

A ``RestoredFunction`` checks every call against the saved input specs (errors name the
argument and both specs) and runs the matching ``RestoredConcreteFunction``'s graph in the
interpreter, or op by op through the dispatcher when a tape records or a function is being
traced (so loaded functions differentiate and inline like traced ones).
"""
from __future__ import annotations

import inspect
import re

import numpy as np

from runtime.interpreter import plan_for
from ops.context import state
from ops.tensor import Tensor, convert_to_tensor, wrap
from ops.tensor_spec import TensorSpec
from ops.tracing import replay
from ops.variables import Variable
from ops.saved_model import structure


def _to_tensor(value, spec: TensorSpec) -> Tensor:
    """Convert as ``ag.function`` does for an input_signature: to the spec's dtype when that
    works, else as is (so the spec check reports the real dtype)."""
    try:
        return convert_to_tensor(value, dtype=spec.dtype)
    except (TypeError, ValueError):
        return convert_to_tensor(value)


def _mismatch(fn_name: str, label: str, t: Tensor, spec: TensorSpec) -> ValueError:
    return ValueError(f"{fn_name}: argument {label} is {TensorSpec.from_tensor(t)} but the "
                      f"saved function expects {spec}")


class RestoredConcreteFunction:
    """One saved graph with its flat input specs and output structure."""

    def __init__(self, name: str, graph, input_specs: list, outputs, arguments=None):
        self.name = name
        self.graph = graph
        self.input_specs = input_specs
        self._outputs = outputs             # structure with structure.TensorLeaf markers
        self._arguments = arguments         # (structure key, leaves) of a traced call, or None
        self._out_dtypes = [v.dtype for v in graph.outputs]

    @property
    def optimized_graph(self):
        return self.graph   # saved after optimisation

    @property
    def structured_input_signature(self):
        return tuple(self.input_specs)

    @property
    def structured_outputs(self):
        specs = [TensorSpec(v.shape, v.dtype) for v in self.graph.outputs]
        return structure.fill(self._outputs, specs)

    def __call__(self, *args):
        """Call with one tensor per saved tensor input, in order."""
        if len(args) != len(self.input_specs):
            raise TypeError(f"{self.name}: expected {len(self.input_specs)} tensor arguments "
                            f"({', '.join(s.name or '?' for s in self.input_specs)}), got "
                            f"{len(args)}")
        tensors = []
        for i, (a, spec) in enumerate(zip(args, self.input_specs)):
            t = _to_tensor(a, spec)
            if not spec.is_compatible_with(t):
                raise _mismatch(self.name, spec.name or f"#{i}", t, spec)
            tensors.append(t)
        return self._call_flat(tensors)

    def _run(self, tensors: list) -> list:
        if state.slow:
            return replay(self.graph, tensors)
        arrays = plan_for(self.graph).run([t._v for t in tensors])
        return [wrap(a, d) for a, d in zip(arrays, self._out_dtypes)]

    def _call_flat(self, tensors: list):
        return structure.fill(self._outputs, self._run(tensors))

    def pretty_printed_graph(self, optimized: bool = True) -> str:
        return str(self.graph)

    def __repr__(self) -> str:
        specs = ", ".join(repr(s) for s in self.input_specs)
        return f"<RestoredConcreteFunction {self.name}({specs})>"


class RestoredFunction:
    """A saved ``ag.function``: callable like the original for the signatures it was saved
    with (its ``input_signature``, or the calls it had been traced for)."""

    def __init__(self, name: str, parameters: list, input_signature, concrete: list):
        self.name = self.__name__ = name
        self.input_signature = input_signature
        self.concrete_functions = tuple(concrete)
        self._stub = _signature_stub(parameters)

    def __call__(self, *args, **kwargs):
        cf, tensors = self._match(args, kwargs)
        return cf._call_flat(tensors)

    def get_concrete_function(self, *args, **kwargs) -> RestoredConcreteFunction:
        """The saved concrete function these arguments (tensors or TensorSpecs) would run."""
        if not args and not kwargs and self.input_signature is not None:
            return self.concrete_functions[0]
        from ops.tensor import constant
        def placeholder(x):
            if isinstance(x, TensorSpec):
                if None in tuple(x.shape):
                    raise ValueError(f"{self.name}: get_concrete_function with a spec of "
                                     "unknown dims is not supported on loaded functions; pass "
                                     "a tensor of a concrete shape")
                return constant(np.zeros(tuple(x.shape), x.dtype.np), dtype=x.dtype)
            return x
        from runtime import nest
        args = nest.map_structure(placeholder, list(args))
        kwargs = {k: nest.map_structure(placeholder, v) for k, v in kwargs.items()}
        return self._match(tuple(args), kwargs)[0]

    # ---- matching a call to a saved concrete function ---------------------------------
    def _match(self, args, kwargs):
        if self.input_signature is not None:
            return self.concrete_functions[0], self._with_signature(args, kwargs)
        from autograph.function import _leaves_with_names, _structure_key
        leaves, names = _leaves_with_names(args, kwargs, self._stub)
        key = _structure_key(args, kwargs)
        tensors = [convert_to_tensor(v) if isinstance(v, (Tensor, np.ndarray)) else None
                   for v in leaves]
        for cf in self.concrete_functions:
            if _matches(cf, key, leaves, tensors):
                return cf, [t for t in tensors if t is not None]
        raise ValueError(self._no_match(leaves, names, tensors))

    def _with_signature(self, args, kwargs) -> list:
        from autograph.function import _bind, signature_leaves
        bound = _bind(self._stub, args, kwargs, self.name)
        tensors = []
        for label, v, s in signature_leaves(self.name, bound, self.input_signature,
                                            "saved input_signature"):
            t = _to_tensor(v, s)
            if not s.is_compatible_with(t):
                raise _mismatch(self.name, label, t, s)
            tensors.append(t)
        return tensors

    def _no_match(self, leaves, names, tensors) -> str:
        got = ", ".join(f"{n}={TensorSpec.from_tensor(t) if t is not None else repr(v)}"
                        for n, v, t in zip(names, leaves, tensors))
        accepted = "\n".join(f"  {self.name}({_describe(cf)})" for cf in self.concrete_functions)
        return (f"{self.name}: no saved concrete function matches the arguments ({got}); the "
                f"saved function was traced for:\n{accepted}")

    def __repr__(self) -> str:
        return f"<RestoredFunction {self.name}: {len(self.concrete_functions)} concrete>"


def _matches(cf, key, leaves, tensors) -> bool:
    saved_key, saved_leaves = cf._arguments
    if saved_key != key or len(saved_leaves) != len(leaves):
        return False
    for marker, value, t in zip(saved_leaves, leaves, tensors):
        if "tensor" in marker:
            if t is None or not cf.input_specs[marker["tensor"]].is_compatible_with(t):
                return False
        elif isinstance(value, (Tensor, Variable, np.ndarray)) or \
                type(value).__name__ != marker["type"] or value != marker["value"]:
            return False
    return True


def _describe(cf) -> str:
    if cf._arguments is None:
        return ", ".join(repr(s) for s in cf.input_specs)
    parts = []
    for marker in cf._arguments[1]:
        parts.append(repr(cf.input_specs[marker["tensor"]]) if "tensor" in marker
                     else repr(marker["value"]))
    return ", ".join(parts)


def _signature_stub(parameters: list):
    """A callable whose signature is the saved one, for binding calls by parameter name."""
    params = []
    for p in parameters or []:
        kind = getattr(inspect.Parameter, p["kind"])
        default = _DEFAULT if p["default"] else inspect.Parameter.empty
        params.append(inspect.Parameter(p["name"], kind, default=default))

    def stub(*args, **kwargs):
        raise TypeError("a restored function's signature stub is not callable")

    stub.__signature__ = inspect.Signature(params)
    return stub


class _Default:
    def __repr__(self) -> str:
        return "<saved default>"


_DEFAULT = _Default()


class RestoredSignature:
    """A serving signature (``loaded.signatures['serving_default']``), called as TensorFlow's:
    keyword arguments named by the inputs, a dict of named outputs back
    (``output_0``, ... unless the function returned a dict)."""

    def __init__(self, name: str, cf: RestoredConcreteFunction, input_signature=None):
        self.name = name
        self.concrete_function = cf
        # Inputs are named as TensorFlow names them: by the input_signature's TensorSpec
        # names where given, else by the function's argument names.
        from runtime import nest
        given = [s.name for s in nest.flatten(input_signature)] if input_signature else []
        given += [None] * (len(cf.input_specs) - len(given))
        self.input_names = _unique([_identifier(g or s.name, f"input_{i}")
                                    for i, (g, s) in enumerate(zip(given, cf.input_specs))])
        outs = cf._outputs
        if isinstance(outs, dict) and all(isinstance(v, structure.TensorLeaf)
                                          for v in outs.values()):
            self.output_names = [str(k) for k in outs]
            self._order = [v.index for v in outs.values()]
        else:
            leaves = structure.leaves(outs)
            self.output_names = [f"output_{i}" for i in range(len(leaves))]
            self._order = [leaf.index for leaf in leaves]

    @property
    def structured_input_signature(self):
        specs = {n: TensorSpec(s.shape, s.dtype, n)
                 for n, s in zip(self.input_names, self.concrete_function.input_specs)}
        return ((), specs)

    @property
    def structured_outputs(self) -> dict:
        outs = self.concrete_function.graph.outputs
        return {n: TensorSpec(outs[i].shape, outs[i].dtype, n)
                for n, i in zip(self.output_names, self._order)}

    def __call__(self, *args, **kwargs) -> dict:
        if args:
            raise TypeError(f"signature {self.name!r} takes keyword arguments only "
                            f"({', '.join(self.input_names)}), got {len(args)} positional")
        missing = [n for n in self.input_names if n not in kwargs]
        extra = [k for k in kwargs if k not in self.input_names]
        if missing or extra:
            raise TypeError(f"signature {self.name!r} takes {', '.join(self.input_names)}"
                            + (f"; missing {', '.join(missing)}" if missing else "")
                            + (f"; unexpected {', '.join(extra)}" if extra else ""))
        cf = self.concrete_function
        tensors = []
        for n, spec in zip(self.input_names, cf.input_specs):
            t = _to_tensor(kwargs[n], spec)
            if not spec.is_compatible_with(t):
                raise _mismatch(f"signature {self.name!r}", n, t, spec)
            tensors.append(t)
        outs = cf._run(tensors)
        return {n: outs[i] for n, i in zip(self.output_names, self._order)}

    def __repr__(self) -> str:
        return f"<RestoredSignature {self.name}({', '.join(self.input_names)})>"


def _identifier(name, fallback: str) -> str:
    text = re.sub(r"\W+", "_", name or "").strip("_")
    return text if text and not text[0].isdigit() else fallback


def _unique(names: list) -> list:
    out, seen = [], set()
    for n in names:
        candidate, k = n, 1
        while candidate in seen:
            candidate, k = f"{n}_{k}", k + 1
        seen.add(candidate)
        out.append(candidate)
    return out


class RestoredObject:
    """An object rebuilt by ``load``: its saved attributes (variables, functions, sub-objects,
    lists and dicts of them), ``variables``, ``trainable_variables``, and on the root
    ``signatures``. No class of the saved program is imported."""

    def __init__(self, class_name: str):
        self._restored_class = class_name
        self._restored_variables: tuple = ()
        self._restored_signatures: dict = {}

    @property
    def variables(self) -> tuple:
        return self._restored_variables

    @property
    def trainable_variables(self) -> tuple:
        return tuple(v for v in self._restored_variables if v.trainable)

    @property
    def signatures(self) -> dict:
        return self._restored_signatures

    def __call__(self, *args, **kwargs):
        call = self.__dict__.get("__call__")
        if call is None:
            raise TypeError(f"the restored {self._restored_class} object is not callable (it "
                            "was saved without an ag.function __call__)")
        return call(*args, **kwargs)

    def __repr__(self) -> str:
        names = sorted(k for k in vars(self) if not k.startswith("_"))
        return f"<RestoredObject of {self._restored_class}: {', '.join(names)}>"
