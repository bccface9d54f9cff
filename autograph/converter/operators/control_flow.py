"""``if``, ``while`` and ``for`` statements of converted code.

Each statement arrives as functions: ``body``/``orelse`` (the blocks), ``test`` or an
iterable, and its state: the symbols the converter found the statement modifies and later
code reads (``symbol_names``). A Python (or eager) condition or iterable runs the blocks as
plain Python; a staged one builds ``cond`` or ``while_loop``, reading and writing the state
between the traced blocks. Plain local variables are read and written through the closure
cells of ``body`` (which declares them ``nonlocal``); only a state holding globals or
composites (``self.x``, ``d['k']``) comes with generated ``get_state``/``set_state``
functions, which are None otherwise.
"""
from __future__ import annotations

import dis
import warnings

from runtime import nest
from ops import control_flow as cf
from ops import elementwise as E
from ops.context import state
from ops.data import graph_ops
from ops.tensor import Tensor, convert_to_tensor
from ops.tensor_array import TensorArray
from autograph.converter.operators import dispatch, loops
from autograph.converter.operators.variables import Undefined, UndefinedReturnValue

UNROLL_WARNING_ITERATIONS = 1000
_warned_loops: set = set()


# ---- if ---------------------------------------------------------------------------------

def noop():
    """The else block of an ``if`` without one."""

def if_stmt(cond, body, orelse, get_state, set_state, symbol_names, nouts, in_try=None):
    """``if cond: body() else: orelse()``; a ``cond`` op when ``cond`` is staged.
    ``in_try``: the line of an enclosing ``try`` with handlers (staging is refused)."""
    if dispatch.is_staged(cond):
        loops.refuse_in_try(in_try, "if")
        _staged_if(cond, body, orelse, get_state, set_state, symbol_names, nouts)
    elif cond:
        body()
    else:
        orelse()


def cell_state(body, symbol_names):
    """``get_state``/``set_state`` over the variables ``symbol_names``, through the closure
    cells of ``body`` (an unbound variable reads as ``Undefined``)."""
    found = dict(zip(body.__code__.co_freevars, body.__closure__ or ()))
    try:
        cells = [found[n.partition(" ")[0]] for n in symbol_names]  # "x (nonlocal)" is x
    except KeyError as e:
        raise RuntimeError(f"internal: {body.__qualname__} does not close over {e}") from None

    def get_state():
        out = []
        for cell, name in zip(cells, symbol_names):
            try:
                out.append(cell.cell_contents)
            except ValueError:
                out.append(Undefined(name))
        return tuple(out)

    def set_state(values):
        for cell, value in zip(cells, values):
            cell.cell_contents = value
    return get_state, set_state


def _staged_if(cond, body, orelse, get_state, set_state, names, nouts):
    if get_state is None:
        get_state, set_state = cell_state(body, names)
    pred = dispatch.staged_bool(cond, "if statement")
    where = dispatch.Where()
    init = get_state()
    if loops.discovering():
        set_state(_discover_branches(body, orelse, get_state, set_state, init, nouts))
        return
    loops.check_outside_names(names[:nouts], init, where, "tensor-dependent if")
    returns = _ReturnValues(init, nouts)
    first = []

    def branch(fn, label, other_fn):
        def run():
            # each branch starts from its own copy of the lists and dicts in the state: a
            # list appended to in one branch must not hold that element in the other
            set_state(tuple(_copy_container(v) for v in init))
            fn()
            out = returns.fill(list(get_state()[:nouts]), label)
            for k, (name, value) in enumerate(zip(names, out)):
                _check_output(name, value, label, where, other_fn)
                if first:
                    _check_match(name, first[0][k], value, where)
            first.append(out)
            return tuple(out)
        return run

    try:
        results = cf.cond(pred, branch(body, "if", orelse), branch(orelse, "else", body))
    except _Retry:
        # the if branch did not return while the else branch may: trace the else first
        first.clear()
        results = cf.cond(E.logical_not(pred), branch(orelse, "else", body),
                          branch(body, "if", orelse))
    results = list(results)
    for k in returns.neither:      # neither branch returned: still no return value
        results[k] = init[k]
    set_state(tuple(results) + tuple(init[nouts:]))


def _copy_container(value):
    if type(value) is list:
        return list(value)
    if type(value) is dict:
        return dict(value)
    return value


class _Retry(Exception):
    pass


class _ReturnValues:
    """The function's return value, when not set on entry to a tensor ``if``: a branch that
    does not return gives zeros like the other branch's value instead. They are never read:
    the value is only used where the function returned (a path that reaches the function's
    end returns None explicitly, which a tensor ``if`` refuses)."""

    def __init__(self, init, nouts):
        self.pending = [k for k, v in enumerate(init[:nouts])
                        if type(v) is UndefinedReturnValue]
        self.zeros: dict = {}           # k -> zeros like the value a branch returned
        self.unset: dict = {}           # label -> indices left without a value
        self.neither: set = set()

    def fill(self, out: list, label: str) -> list:
        if not self.pending:
            return out
        unset = [k for k in self.pending if type(out[k]) is UndefinedReturnValue]
        for k in self.pending:
            if k not in unset and k not in self.zeros:
                self.zeros[k] = loops.zeros_like_value(out[k], "retval_", dispatch.where())
        other = "else" if label == "if" else "if"
        if unset and other not in self.unset and label == "if" and "else" not in self.unset:
            self.unset[label] = unset
            raise _Retry()
        self.unset[label] = unset
        for k in unset:
            if k in self.zeros:
                out[k] = self.zeros[k]
            else:                       # neither branch returns
                self.neither.add(k)
                out[k] = convert_to_tensor(False)
        return out


def _discover_branches(body, orelse, get_state, set_state, init, nouts):
    """While discovering a loop body: both branches run; a variable either defines wins,
    with unknown contents (as a cond output has)."""
    set_state(init)
    body()
    taken = get_state()
    set_state(init)
    orelse()
    other = get_state()
    merged = [loops.unknown_like(b if not _undefined(b) else o)
              for b, o in zip(taken[:nouts], other[:nouts])]
    return tuple(merged) + tuple(init[nouts:])


def _undefined(v) -> bool:
    return type(v) is Undefined or type(v) is UndefinedReturnValue


def _check_output(name, value, label, where, other_fn) -> None:
    other = "else" if label == "if" else "if"
    if type(value) is Undefined:
        line = _assignment_line(other_fn, name)
        at = f" (at {line})" if line else ""
        raise ValueError(
            f"'{name}' is assigned in the {other} branch{at} of the tensor-dependent if at "
            f"{where} but not in the {label} branch, and it is used after the if; with a tensor "
            f"condition it must be defined on both paths: assign it in the {label} branch too, "
            "or before the if")
    for leaf in nest.flatten(value):
        if leaf is None:
            what = "the function returns None (a bare return, or its end is reached)" \
                if name.startswith("retval_") else f"'{name}' is None"
            raise TypeError(
                f"{what} in the {label} branch of the tensor-dependent if at {where}; a graph "
                "cond needs a tensor on both paths (return or assign a tensor in every branch)")
        if not isinstance(leaf, (Tensor, bool, int, float, complex, str, bytes)) and \
                not hasattr(leaf, "_read_for_op") and not hasattr(leaf, "__array__"):
            raise TypeError(
                f"{loops.describe(name)} is a {type(leaf).__name__} in the {label} branch of the "
                f"tensor-dependent if at {where}; only tensors (and lists, tuples and dicts of "
                "them) can differ between the branches of a graph cond")
        if isinstance(leaf, TensorArray):
            raise TypeError(f"{loops.describe(name)} is a TensorArray changed by the tensor-"
                            f"dependent if at {where}; change it outside the if")


def _check_match(name, a, b, where) -> None:
    pairs = loops.leaf_pairs(a, b)
    if pairs is None:
        hint = (f" (a list of length {len(a)} in one and {len(b)} in the other: append to it "
                "in both branches, or collect values in an ag.TensorArray)"
                if type(a) is list and type(b) is list and len(a) != len(b) else "")
        raise TypeError(f"{loops.describe(name)} has a different structure in the two "
                        f"branches of the tensor-dependent if at {where}{hint}; keep the same "
                        "nesting in both")
    for x, y in pairs:
        dx, dy = loops._dtype_of(x), loops._dtype_of(y)
        if dx is not None and dy is not None and dx != dy:
            raise TypeError(f"{loops.describe(name)} is {dx.name} in the if branch but {dy.name} "
                            f"in the else branch of the tensor-dependent if at {where}; make "
                            f"them the same dtype (ag.cast)")


def _assignment_line(fn, name):
    """``file:line`` of the first assignment to ``name`` in a branch function."""
    source_map = getattr(fn, "__globals__", {}).get("ag__source_map")
    if source_map is None:
        return None
    stack = [fn.__code__]
    while stack:
        code = stack.pop(0)
        for ins in dis.get_instructions(code):
            if ins.opname.startswith("STORE") and ins.argval == name:
                line = _line_of(code, ins.offset)
                mapped = source_map.get(line) if line else None
                if mapped:
                    return f"{mapped[0]}:{mapped[1]}"
        stack.extend(c for c in code.co_consts if hasattr(c, "co_code"))
    return None


def _line_of(code, offset):
    line = None
    for start, lineno in dis.findlinestarts(code):
        if start > offset:
            break
        line = lineno
    return line


# ---- while ------------------------------------------------------------------------------

def while_stmt(test, body, get_state, set_state, symbol_names, opts=None):
    """``while test(): body()``; a ``while_loop`` op when the first test is staged."""
    t = test()
    if dispatch.is_staged(t):
        if get_state is None:
            get_state, set_state = cell_state(body, symbol_names)
        loops.staged_while(test, body, get_state, set_state, symbol_names, opts)
        return
    check = _UnrollCheck()
    started_as = type(t).__name__
    n = 0
    while t:
        body()
        n += 1
        t = test()
        if dispatch.is_staged(t):
            raise NotImplementedError(
                f"the condition of the Python while loop at {dispatch.where()} became a tensor "
                f"after {n} iteration(s): it started as a Python {started_as}, so the loop runs "
                "in Python while tracing and cannot stop at graph run time (a break or return "
                "that depends on a tensor does this too). Make the condition a tensor from the "
                "start (e.g. i = ag.constant(0)) to build a graph loop, or keep "
                "it a Python value")
        if check is not None:
            check.step(n)


# ---- for --------------------------------------------------------------------------------

def for_stmt(iter_, extra_test, body, get_state, set_state, symbol_names, opts=None):
    """``for x in iter_: body(x)`` stopping when ``extra_test()`` is false (``break`` and
    ``return`` inside the loop); a ``while_loop`` op when ``iter_`` is staged, or is a
    dataset iterated while tracing (the graph then iterates it each time it runs)."""
    staged = isinstance(iter_, (loops.StagedEnumerate, loops.StagedZip)) or \
        dispatch.is_staged(iter_)
    dataset = not staged and state.graph is not None and graph_ops.iterates_dataset(iter_)
    if (staged or dataset) and get_state is None:
        get_state, set_state = cell_state(body, symbol_names)
    if staged:
        loops.staged_for(iter_, extra_test, body, get_state, set_state, symbol_names, opts)
        return
    if dataset:
        loops.staged_dataset_for(iter_, extra_test, body, get_state, set_state, symbol_names,
                                 opts)
        return
    check = _UnrollCheck()
    if extra_test is None:
        n = 0
        for target in iter_:
            body(target)
            if check is not None:
                n += 1
                check.step(n)
        return
    if not _python_test(extra_test, iter_):
        return
    n = 0
    for target in iter_:
        body(target)
        n += 1
        if not _python_test(extra_test, iter_):
            break
        if check is not None:
            check.step(n)


def _python_test(extra_test, iter_) -> bool:
    more = extra_test()
    if dispatch.is_staged(more):
        raise NotImplementedError(
            f"the loop at {dispatch.where()} iterates over a Python {type(iter_).__name__}, so it "
            "is unrolled while tracing, but a break or return in it depends on a tensor and "
            "cannot stop the loop at graph run time. Iterate over a tensor (e.g. ag.range(n) "
            "instead of range(n)) to build a graph loop, or make the condition a Python value")
    return bool(more)


class _UnrollCheck:
    """Warns once per loop when a Python loop unrolls many iterations into the graph."""
    __slots__ = ("nodes", "graph")

    def __new__(cls):
        tracer = state.graph
        if tracer is None:
            return None
        self = object.__new__(cls)
        self.graph = tracer.graph
        self.nodes = len(self.graph.nodes)
        return self

    def step(self, n: int) -> None:
        if n != UNROLL_WARNING_ITERATIONS or len(self.graph.nodes) == self.nodes:
            return
        where = dispatch.where()
        if where in _warned_loops:
            return
        _warned_loops.add(where)
        warnings.warn(
            f"the Python loop at {where} has been unrolled {n} times while tracing, adding graph "
            "ops on every iteration; iterate over a tensor (ag.range(n) instead of range(n)) to "
            "build one graph loop instead", stacklevel=3)

