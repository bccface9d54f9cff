"""Staged loops: ``while`` and ``for`` statements as one ``while_loop`` graph op.

The loop variables are the statement's state (``get_state``/``set_state``): the symbols the
converter found modified in the body and live at the loop head. Two kinds need a first look
at the body before the loop can be built, done by *discovery*: the body is run once into a
scratch graph (staged statements inside run their bodies once too) and thrown away:

- a variable first assigned in the body (``Undefined`` on entry) starts as zeros of the type
  discovery found; after the loop it is registered as meaningful only if the loop ran, so
  reading it after zero iterations fails (``variables.ld``);
- a Python list the body appends to becomes a ``TensorArray`` (finish with ``ag.stack``).

A ``for`` over a dataset carries, besides the statement's state, the handle of a pass over the
dataset made when the graph runs, whether the current element exists, and the element itself
(``ops.data.graph_ops``): the body fetches the next element after the user's block.
"""
from __future__ import annotations

import numpy as np

from runtime import dtypes as D
from runtime import nest
from runtime.graph import Graph
from ops import control_flow as cf
from ops import elementwise as E
from ops.context import state
from ops.data import graph_ops
from ops.tensor import Tensor, constant, convert_to_tensor
from ops.tensor_array import TensorArray
from ops.tracing import Tracer, symbolic
from autograph.converter.operators import dispatch
from autograph.converter.operators.variables import (
    Undefined, UndefinedReturnValue, is_undefined, register_maybe_undefined)

_discovering = 0


def discovering() -> bool:
    return _discovering > 0


def describe(name: str) -> str:
    if name.startswith("retval_"):
        return "the return value"
    return f"'{name}'"


def refuse_in_try(try_line, what: str) -> None:
    if try_line is not None:
        raise NotImplementedError(
            f"the tensor-dependent {what} at {dispatch.where()} is inside the try statement "
            f"at line {try_line}: errors raised when the graph runs cannot be caught by "
            "Python's except; move the try out of the function (around the call), or check "
            "values with ag.debugging asserts")


def check_outside_names(names, outputs, where, what: str) -> None:
    """A variable declared ``global`` or ``nonlocal`` cannot receive a value made by a
    graph ``cond``/``while_loop``: it would outlive the traced function."""
    for name, value in zip(names, outputs):
        if name.endswith((" (global)", " (nonlocal)")):
            plain, kind = name.split(" (")
            raise ValueError(
                f"'{plain}' is declared {kind[:-1]} and changed by the {what} at {where}; its "
                "new value would be a graph value stored outside the function. Return the "
                "value instead, or keep it in an ag.Variable (v.assign(...))")


def scratch(fn):
    """``fn()`` traced into a throw-away graph, staged statements inside running their
    bodies once: what it returns tells the types values will have."""
    global _discovering
    graph = Graph("autograph_discovery", parent=state.graph.graph)
    _discovering += 1
    try:
        with Tracer(graph):
            return fn()
    finally:
        _discovering -= 1


def unknown_like(v):
    """In discovery: a value of the type of ``v`` whose contents are unknown, as they are
    in the real trace (cond outputs, loop variables): a fresh placeholder in the scratch
    graph. Lists (copied), other objects and undefined values are kept."""
    if type(v) is list:
        return list(v)
    if isinstance(v, Tensor) or hasattr(v, "_read_for_op") or \
            isinstance(v, (bool, int, float, np.generic)):
        t = dispatch.as_tensor(v) if not isinstance(v, (bool, int, float, np.generic)) \
            else convert_to_tensor(v)
        return symbolic(state.graph.graph.add_input(t.dtype, tuple(t.shape)))
    return v


def zeros_like_value(v, name: str, where: str):
    """A placeholder with the dtype and shape of ``v`` (unknown dims: 0)."""
    if isinstance(v, TensorArray):
        return TensorArray(v.dtype, size=0, dynamic_size=True)
    if isinstance(v, (list, tuple, dict)):
        return nest.map_structure(lambda x: zeros_like_value(x, name, where), v)
    if v is None or is_undefined(v):
        raise TypeError(f"{describe(name)} is first assigned inside the staged loop at "
                        f"{where}, but one iteration leaves it "
                        f"{'None' if v is None else 'unassigned'}; give it a tensor value "
                        "before the loop")
    t = dispatch.as_tensor(v) if isinstance(v, Tensor) or hasattr(v, "_read_for_op") \
        else _convert(v, name, where)
    shape = tuple(0 if d is None else d for d in t.shape)
    if t.dtype.name == "string":
        return constant(np.full(shape, b"", dtype=object))
    return constant(np.zeros(shape, t.dtype.np), dtype=t.dtype)


def _convert(v, name, where):
    try:
        return convert_to_tensor(v)
    except (TypeError, ValueError):
        raise TypeError(f"loop variable {describe(name)} of the staged loop at {where} holds a "
                        f"{type(v).__name__}; a graph loop can only carry tensors (and lists, "
                        "tuples and dicts of them)") from None


def _tensor_array(items: list, sample, name: str, where: str) -> TensorArray:
    sample = _convert(sample, name, where) if not isinstance(sample, Tensor) else sample
    shape = tuple(sample.shape)
    ta = TensorArray(sample.dtype, size=0, dynamic_size=True,
                     element_shape=shape if None not in shape else None)
    for k, item in enumerate(items):
        ta = ta.write(k, item)
    return ta


class LoopState:
    """The variables a staged loop carries: the statement's state, less the variables no
    iteration assigns (still unassigned after discovery: they pass through unchanged)."""

    def __init__(self, get_state, set_state, names, full_init: list, carried: list,
                 first_assigned: list):
        self._get, self._set = get_state, set_state
        self._full = full_init
        self.carried = carried                    # indices into the full state
        self.names = [names[i] for i in carried]
        self.init = [full_init[i] for i in carried]
        self.first_assigned = first_assigned      # indices into the carried variables

    def get(self) -> tuple:
        full = self._get()
        return tuple(full[i] for i in self.carried)

    def set(self, values) -> None:
        full = list(self._full)
        for i, v in zip(self.carried, values):
            full[i] = v
        self._set(tuple(full))


def prepare(init: list, names, run_once, get_state, set_state, where: str) -> LoopState:
    """The loop variables, ready for ``while_loop`` (see the module docstring)."""
    init = list(init)
    needs = [i for i, v in enumerate(init) if is_undefined(v) or type(v) is list]
    carried = list(range(len(init)))
    first_assigned = []
    if needs:
        scratch_state = []

        def run():
            scratch_state.extend(unknown_like(v) for v in init)
            set_state(tuple(scratch_state))
            run_once()
            return list(get_state())
        found = scratch(run)
        set_state(tuple(init))
        full = list(init)
        for i in needs:
            v, d = init[i], found[i]
            if is_undefined(v):
                if is_undefined(d):          # no iteration assigns it
                    carried.remove(i)
                    continue
                full[i] = zeros_like_value(d, names[i], where)
                if type(v) is Undefined:
                    first_assigned.append(carried.index(i))
            elif d is scratch_state[i] and len(d) > len(v):   # appended to: a TensorArray
                full[i] = _tensor_array(v, d[len(v)], names[i], where)
        init = full
    for i in carried:
        _check_carriable(init[i], names[i], where)
    return LoopState(get_state, set_state, names, init, carried, first_assigned)


def _check_carriable(v, name, where) -> None:
    for leaf in nest.flatten(v):
        if leaf is None:
            raise TypeError(f"{describe(name)} is None when the staged loop at {where} starts; "
                            "a graph loop can only carry tensors: give it a tensor value "
                            "before the loop")
        if type(leaf) is UndefinedReturnValue or isinstance(leaf, (Tensor, TensorArray)) or \
                hasattr(leaf, "_read_for_op"):
            continue
        _convert(leaf, name, where)


def leaf_pairs(a, b):
    """The corresponding leaves of ``a`` and ``b``, or None if their structures differ."""
    if not nest.is_nested(a) and not nest.is_nested(b):    # the common case: two leaves
        return ((a, b),)
    try:
        nest.assert_same_structure(a, b, check_types=False)
    except (ValueError, TypeError):
        return None
    return zip(nest.flatten(a), nest.flatten(b))


def check_iteration(before, after, names, where: str) -> None:
    """The body kept each loop variable's structure and dtypes (errors name the variable)."""
    for name, a, b in zip(names, before, after):
        if is_undefined(b) or b is None:
            raise TypeError(f"{describe(name)} is {'None' if b is None else 'unassigned'} after "
                            f"an iteration of the staged loop at {where}; a graph loop needs a "
                            "tensor value on every iteration")
        pairs = leaf_pairs(a, b)
        if pairs is None:
            hint = (" To collect values, append to a list in the loop (it becomes a "
                    "TensorArray; finish with ag.stack) or use ag.TensorArray."
                    if isinstance(a, list) else "")
            raise TypeError(f"loop variable {describe(name)} changes structure in the staged "
                            f"loop at {where}: it enters as {_shape_text(a)} and an iteration "
                            f"makes it {_shape_text(b)}; keep the same nesting.{hint}")
        for x, y in pairs:
            dx, dy = getattr(x, "dtype", None), _dtype_of(y)
            if dx is not None and dy is not None and dx != dy:
                raise TypeError(
                    f"loop variable {describe(name)} enters the staged loop at {where} as "
                    f"{dx.name} but an iteration makes it {dy.name}; keep its dtype, e.g. "
                    f"initialize it as {dy.name} or use ag.cast(..., ag.{dx.name})")
            rx, ry = _rank_of(x), _rank_of(y)
            if rx is not None and ry is not None and rx != ry:
                raise ValueError(
                    f"loop variable {describe(name)} enters the staged loop at {where} with "
                    f"rank {rx} but an iteration makes it rank {ry}; keep its rank (e.g. "
                    "initialize it with ag.zeros of the final shape)")


def _dtype_of(y):
    if isinstance(y, (Tensor, TensorArray)) or hasattr(y, "_read_for_op"):
        return y.dtype
    if isinstance(y, (bool, int, float, complex, np.ndarray, np.generic)):
        return convert_to_tensor(y).dtype
    return None


def _rank_of(x):
    if isinstance(x, Tensor) or hasattr(x, "_read_for_op"):
        return len(x.shape)
    if isinstance(x, (bool, int, float, complex)):
        return 0
    if isinstance(x, np.ndarray):
        return x.ndim
    return None


def _shape_text(x) -> str:
    if isinstance(x, (list, tuple)):
        return f"a {type(x).__name__} of {len(x)}"
    if isinstance(x, dict):
        return f"a dict with keys {sorted(x)}"
    return type(x).__name__


def _to_bool(x, what: str):
    if isinstance(x, Tensor) or hasattr(x, "_read_for_op"):
        return dispatch.staged_bool(x, what)
    return convert_to_tensor(bool(x))


def _flags_after(result, first_assigned, flag, names, where):
    for i in first_assigned:
        register_maybe_undefined(result[i], flag, names[i], str(where))


# ---- while ------------------------------------------------------------------------------

def staged_while(test, body, get_state, set_state, names, opts):
    where = dispatch.Where()
    if discovering():
        set_state(tuple(unknown_like(v) for v in get_state()))
        body()
        return
    refuse_in_try((opts or {}).get("in_try"), "while loop")
    check_outside_names(names, names, where, "tensor-dependent while loop")
    loop = prepare(get_state(), names, body, get_state, set_state, where)
    counted = bool(loop.first_assigned)

    def cond_fn(*loop_vars):
        loop.set(loop_vars[counted:])
        return _to_bool(test(), "while loop")

    def body_fn(*loop_vars):
        before = loop_vars[counted:]
        loop.set(before)
        body()
        after = loop.get()
        check_iteration(before, after, loop.names, where)
        return ((constant(True),) if counted else ()) + tuple(after)

    loop_vars = ([constant(False)] if counted else []) + loop.init
    result = list(cf.while_loop(cond_fn, body_fn, loop_vars, **_loop_kwargs(opts)))
    if counted:
        _flags_after(result[1:], loop.first_assigned, result[0], loop.names, where)
        result = result[1:]
    loop.set(tuple(result))


def _loop_kwargs(opts) -> dict:
    kw = {}
    if opts and opts.get("maximum_iterations") is not None:
        kw["maximum_iterations"] = opts["maximum_iterations"]
    return kw


# ---- for --------------------------------------------------------------------------------

class StagedEnumerate:
    __slots__ = ("inner", "start")

    def __init__(self, inner, start):
        self.inner, self.start = inner, start


class StagedZip:
    __slots__ = ("inners",)

    def __init__(self, inners):
        self.inners = inners


def _range_parts(iterable):
    """(start, limit, delta) of a tensor made by ``ag.range``: iterated by index arithmetic,
    the range itself is never materialized."""
    sym = iterable._sym
    node = sym.node if sym is not None else None
    if node is not None and node.op.name == "Range":
        return tuple(symbolic(v) for v in node.inputs[:3])
    return None


def iteration(iterable):
    """(number of iterations, element(i)) for a staged iterable."""
    if isinstance(iterable, StagedEnumerate):
        n, element = iteration(iterable.inner)
        start = iterable.start
        return n, lambda i: (i + start, element(i))
    if isinstance(iterable, StagedZip):
        parts = [iteration(x) for x in iterable.inners]
        n = parts[0][0]
        for m, _ in parts[1:]:
            n = E.minimum(n, m) if isinstance(n, Tensor) or isinstance(m, Tensor) else min(n, m)
        return n, lambda i: tuple(el(i) for _, el in parts)
    iterable = dispatch.as_tensor(iterable)
    parts = _range_parts(iterable)
    if parts is not None:
        start, limit, delta = parts
        span = E.divide(E.cast(limit - start, D.float64), E.cast(delta, D.float64))
        size = E.cast(E.maximum(E.ceil(span), 0.0), D.int32)
        return size, lambda i: start + E.cast(i, start.dtype) * delta
    if iterable.ndim == 0:
        raise TypeError(f"cannot iterate over a scalar tensor (at {dispatch.where()})")
    first = iterable.shape[0]
    if first is None:
        from ops.array_ops import shape
        first = shape(iterable)[0]
    return first, lambda i: iterable[i]


def _any_index() -> Tensor:
    """An int32 index nothing is known about, in the graph being traced (for discovery:
    indexing with it never fails at trace time, even for an empty iterable)."""
    return symbolic(state.graph.graph.add_input(D.int32, ()))


def staged_for(iterable, extra_test, body, get_state, set_state, names, opts):
    where = dispatch.Where()
    n, element = iteration(iterable)
    if discovering():
        set_state(tuple(unknown_like(v) for v in get_state()))
        body(element(_any_index()))
        return
    refuse_in_try((opts or {}).get("in_try"), "for loop")
    check_outside_names(names, names, where, "tensor-dependent for loop")
    loop = prepare(get_state(), names, lambda: body(element(_any_index())), get_state,
                   set_state, where)
    zero = constant(0)

    def cond_fn(i, *loop_vars):
        loop.set(loop_vars)
        go = E.less(i, n)
        if extra_test is not None:
            more = extra_test()
            if isinstance(more, Tensor) or hasattr(more, "_read_for_op"):
                go = E.logical_and(go, dispatch.staged_bool(more, "for loop"))
            elif not more:
                go = constant(False)
        return go

    def body_fn(i, *loop_vars):
        loop.set(loop_vars)
        body(element(i))
        after = loop.get()
        check_iteration(loop_vars, after, loop.names, where)
        return (i + 1,) + tuple(after)

    result = list(cf.while_loop(cond_fn, body_fn, [zero] + loop.init, **_loop_kwargs(opts)))
    if loop.first_assigned:
        _flags_after(result[1:], loop.first_assigned, E.greater(result[0], 0), loop.names,
                     where)
    loop.set(tuple(result[1:]))


# ---- for over a dataset -------------------------------------------------------------------

def staged_dataset_for(iterable, extra_test, body, get_state, set_state, names, opts):
    """``for x in dataset`` while tracing: a ``while_loop`` that pulls the elements from a
    pass over the dataset when the graph runs (one pass per entry into the loop)."""
    where = dispatch.Where()
    spec, components = graph_ops.element_specs(iterable)
    if discovering():
        set_state(tuple(unknown_like(v) for v in get_state()))
        body(_unknown_element(spec, components))
        return
    refuse_in_try((opts or {}).get("in_try"), "for loop over a dataset")
    check_outside_names(names, names, where, "for loop over a dataset")
    source = graph_ops.loop_source(iterable, str(where))
    loop = prepare(get_state(), names, lambda: body(_unknown_element(spec, components)),
                   get_state, set_state, where)
    handle = graph_ops.make_iterator(source)
    has_value, first = graph_ops.get_next(handle, 0, True, components)
    n = len(first)

    def more():
        """``extra_test()`` (no ``break`` or ``return`` yet) as a scalar bool tensor."""
        if extra_test is None:
            return constant(True)
        return _to_bool(extra_test(), "for loop")

    def cond_fn(i, handle_, has, *rest):
        loop.set(rest[n:])
        return E.logical_and(has, more()) if extra_test is not None else has

    def body_fn(i, handle_, has, *rest):
        before = rest[n:]
        loop.set(before)
        body(nest.pack_sequence_as(spec, list(rest[:n])))
        after = loop.get()
        check_iteration(before, after, loop.names, where)
        # No fetch after a break: the element would be pulled from the pipeline for nothing.
        i = i + 1
        has, element = graph_ops.get_next(handle_, i, more(), components)
        return (i, handle_, has) + tuple(element) + tuple(after)

    loop_vars = [constant(0), handle, has_value] + first + loop.init
    result = list(cf.while_loop(cond_fn, body_fn, loop_vars, **_loop_kwargs(opts)))
    user = result[3 + n:]
    if loop.first_assigned:
        _flags_after(user, loop.first_assigned, E.greater(result[0], 0), loop.names, where)
    loop.set(tuple(user))


def _unknown_element(spec, components):
    """An element of unknown contents (placeholders of the spec's types), for discovery."""
    graph = state.graph.graph
    return nest.pack_sequence_as(spec, [symbolic(graph.add_input(dtype, shape))
                                        for dtype, shape in components])
