"""Control-flow ops: ``cond`` and ``while_loop``, eager and as graph nodes with gradients.

Eagerly they are plain Python. While tracing, each branch or loop body is traced into a
sub-graph; the ``If``/``While`` node takes the enclosing values the sub-graphs capture as
extra inputs. Gradients: ``If`` differentiates as a ``cond`` of the branch gradients;
``While`` runs the loop forward keeping every iteration's values, then replays a traced
gradient of the body over them in reverse (``WhileGrad``).
"""
from __future__ import annotations

from typing import Callable

from runtime import nest
from runtime.graph import Graph, Value
from runtime.interpreter import plan_for
from runtime.registry import Spec
from ops import dispatch
from ops.context import state
from ops.declare import COMPLEX, FLOAT, defop
from ops.tensor import Tensor, convert_to_tensor
from ops.tracing import Tracer, replay, symbolic, user_where

__all__ = ["cond", "while_loop", "control_dependencies"]

_DIFFERENTIABLE = FLOAT | COMPLEX


# ---- tracing a Python callable into a sub-graph -------------------------------------------

class SubGraph:
    """A traced callable: its graph, output structure and the enclosing values it captures."""

    def __init__(self, graph: Graph, structure, outer: list):
        self.graph = graph
        self.structure = structure
        self.outer = outer          # enclosing-graph Values, in the graph's capture order


def trace_subgraph(fn: Callable, args_specs: list, pack: Callable, name: str,
                   flatten: Callable = nest.flatten) -> SubGraph:
    """Trace ``fn(*pack(placeholders))`` into a sub-graph of the graph being traced.

    ``flatten`` turns the result into the list of tensors that become the graph's outputs
    (Python numbers are converted; ``None`` is an error naming the user's line)."""
    outer_graph = state.graph.graph
    g = Graph(name, parent=outer_graph)
    with Tracer(g) as tracer:
        placeholders = [symbolic(g.add_input(s.dtype, s.shape)) for s in args_specs]
        result = fn(*pack(placeholders))
        outs = []
        for x in flatten(result):
            if not isinstance(x, Tensor):
                if x is None:
                    raise TypeError(f"{name}: the function returned None where a tensor is "
                                    f"needed (at {user_where()}); return a tensor on every path")
                x = convert_to_tensor(x)
            outs.append(x)
        g.outputs = [tracer.value_of(x) for x in outs]
    check_discarded_writes(g)
    outer = [src for _, src in g.captures if isinstance(src, Value)]
    return SubGraph(g, result, outer)


def check_discarded_writes(graph: Graph) -> None:
    """A traced ``TensorArray.write`` whose result nothing uses would be lost: refuse it."""
    writes = [n for n in graph.nodes if n.op.name == "TensorArrayWrite"]
    if not writes:
        return
    used = {v.id for n in graph.nodes for v in n.inputs} | {v.id for v in graph.outputs}
    for n in writes:
        if n.outputs[0].id not in used:
            raise ValueError(f"TensorArray.write at {n.where()}: the array it returns is never "
                             "used, so the write would be lost; assign the result back: "
                             "ta = ta.write(i, value)")


def _union(*lists) -> tuple[list, list]:
    """Merge capture lists; returns (merged values, index lists per input list)."""
    merged, position, indices = [], {}, []
    for values in lists:
        idx = []
        for v in values:
            if v.id not in position:
                position[v.id] = len(merged)
                merged.append(v)
            idx.append(position[v.id])
        indices.append(tuple(idx))
    return merged, indices


def _merge_shapes(a: tuple, b: tuple):
    if len(a) != len(b):
        return None
    return tuple(x if x == y else None for x, y in zip(a, b))


# ---- cond ---------------------------------------------------------------------------------

def _if_infer(pred: Spec, *caps, then_branch, else_branch, then_idx, else_idx):
    return [Spec(a.dtype, _merge_shapes(a.shape, b.shape))
            for a, b in zip(then_branch.outputs, else_branch.outputs)]


def _if_kernel(xp, pred, *caps, then_branch, else_branch, then_idx, else_idx):
    graph, idx = (then_branch, then_idx) if pred else (else_branch, else_idx)
    return tuple(plan_for(graph).run([caps[i] for i in idx], xp))


def _if_grad(op, *dys):
    from ops.tape import GradientTape, UnconnectedGradients
    from ops.elementwise import zeros_like
    pred, caps = op.inputs[0], list(op.inputs[1:])
    a = op.attrs
    wanted = [i for i, c in enumerate(caps) if c.dtype in _DIFFERENTIABLE]
    if not wanted:
        return [None] * len(op.inputs)
    seeds = [d if d is not None else zeros_like(o) for d, o in zip(dys, op.outputs)]

    def branch_grad(graph, idx):
        def fn():
            sub = [caps[i] for i in idx]
            with GradientTape() as tape:
                tape.watch([caps[i] for i in wanted])
                outs = replay(graph, [], outer=sub)
            pairs = [(o, s) for o, s in zip(outs, seeds) if o.dtype in _DIFFERENTIABLE]
            grads = tape.gradient([o for o, _ in pairs], [caps[i] for i in wanted],
                                  output_gradients=[s for _, s in pairs],
                                  unconnected_gradients=UnconnectedGradients.ZERO)
            return list(grads)
        return fn

    grads = cond(pred, branch_grad(a["then_branch"], a["then_idx"]),
                 branch_grad(a["else_branch"], a["else_idx"]))
    result = [None] * len(op.inputs)
    for i, g in zip(wanted, grads if isinstance(grads, (list, tuple)) else [grads]):
        result[1 + i] = g
    return result


IF = defop("If", _if_kernel, _if_infer, _if_grad, multi=True)


def cond(pred, true_fn: Callable = None, false_fn: Callable = None, name=None):
    """``true_fn()`` if ``pred`` else ``false_fn()``; a graph ``If`` node when ``pred`` is symbolic."""
    if true_fn is None or false_fn is None:
        raise TypeError("cond: both true_fn and false_fn are required")
    if not isinstance(pred, Tensor) and hasattr(pred, "_read_for_op"):
        pred = pred._read_for_op()
    if not isinstance(pred, Tensor) or pred._v is not None:
        return true_fn() if _as_bool(pred) else false_fn()
    if pred.dtype.name != "bool" or pred.ndim != 0:
        raise TypeError(f"cond: pred must be a scalar bool tensor, got "
                        f"{pred.dtype.name}{list(pred.shape)}")
    then_sg = trace_subgraph(true_fn, [], lambda _: (), "cond_true")
    else_sg = trace_subgraph(false_fn, [], lambda _: (), "cond_false")
    _check_same(then_sg, else_sg)
    merged, (then_idx, else_idx) = _union(then_sg.outer, else_sg.outer)
    inputs = (pred,) + tuple(symbolic(v) for v in merged)
    outs = dispatch.execute(IF, inputs, {"then_branch": then_sg.graph,
                                         "else_branch": else_sg.graph,
                                         "then_idx": then_idx, "else_idx": else_idx})
    return _pack_outputs(then_sg.structure, list(outs))


def _as_bool(pred) -> bool:
    return bool(pred)


def _check_same(a: SubGraph, b: SubGraph) -> None:
    try:
        nest.assert_same_structure(a.structure, b.structure)
    except (ValueError, TypeError):
        raise TypeError(f"cond: the true and false branches return different structures: "
                        f"{_describe(a.structure)} vs {_describe(b.structure)}; return the "
                        "same nesting of tensors from both") from None
    for i, (x, y) in enumerate(zip(a.graph.outputs, b.graph.outputs)):
        if x.dtype is not y.dtype:
            raise TypeError(f"cond: output {i} is {x.dtype.name} in the true branch but "
                            f"{y.dtype.name} in the false branch; cast one with ag.cast")
        if len(x.shape) != len(y.shape):
            raise ValueError(f"cond: output {i} has rank {len(x.shape)} in the true branch but "
                             f"rank {len(y.shape)} in the false branch")


def _describe(structure) -> str:
    return repr(nest.map_structure(lambda x: type(x).__name__, structure)) \
        if nest.is_nested(structure) else type(structure).__name__


def _pack_outputs(structure, outs: list):
    if not nest.is_nested(structure):
        return outs[0]
    return nest.pack_sequence_as(structure, outs)


# ---- while_loop ---------------------------------------------------------------------------

def _while_infer(*args, cond_graph, body_graph, n_vars, cond_idx, body_idx):
    return [v.spec for v in body_graph.inputs]


def _while_kernel(xp, *args, cond_graph, body_graph, n_vars, cond_idx, body_idx):
    loop_vars = list(args[:n_vars])
    caps = args[n_vars:]
    cond_plan, body_plan = plan_for(cond_graph), plan_for(body_graph)
    cond_caps = [caps[i] for i in cond_idx]
    body_caps = [caps[i] for i in body_idx]
    while cond_plan.run(loop_vars + cond_caps, xp)[0]:
        loop_vars = body_plan.run(loop_vars + body_caps, xp)
    return tuple(loop_vars)


def _while_grad(op, *dys):
    from ops.elementwise import zeros_like
    a = op.attrs
    n = a["n_vars"]
    inputs = list(op.inputs)
    if not any(t.dtype in _DIFFERENTIABLE for t in inputs):
        return [None] * len(inputs)
    # outputs that cannot have a gradient (ints, bools, strings) get themselves as a seed: the
    # body's gradient ignores it
    seeds = [d if d is not None else zeros_like(o) if o.dtype in _DIFFERENTIABLE else o
             for d, o in zip(dys, op.outputs)]
    vjp = _body_vjp(a["body_graph"], n)
    grads = dispatch.execute(WHILE_GRAD, tuple(inputs) + tuple(seeds),
                             dict(a, vjp_graph=vjp))
    return [g if t.dtype in _DIFFERENTIABLE else None for g, t in zip(grads, inputs)]


def _body_vjp(body: Graph, n_vars: int) -> Graph:
    """A graph: (loop vars, body captures, output cotangents) -> (var cotangents, capture
    cotangents), traced once per body by replaying the body under a tape."""
    cached = body.__dict__.get("_vjp")
    if cached is not None:
        return cached
    from ops.tape import GradientTape, UnconnectedGradients
    g = Graph(body.name + "_vjp")
    outer_caps = [v for v, src in body.captures if isinstance(src, Value)]
    saved, state.graph = state.graph, None
    state.refresh()
    try:
        with Tracer(g) as tracer:
            xs = [symbolic(g.add_input(v.dtype, v.shape)) for v in body.inputs]
            cs = [symbolic(g.add_input(v.dtype, v.shape)) for v in outer_caps]
            cts = [symbolic(g.add_input(v.dtype, v.shape)) for v in body.outputs]
            sources = xs + cs
            with GradientTape() as tape:
                tape.watch([t for t in sources if t.dtype in _DIFFERENTIABLE])
                outs = replay(body, xs, outer=cs)
            pairs = [(o, c) for o, c in zip(outs, cts) if o.dtype in _DIFFERENTIABLE]
            watched = [t for t in sources if t.dtype in _DIFFERENTIABLE]
            found = iter(tape.gradient([o for o, _ in pairs], watched,
                                       output_gradients=[c for _, c in pairs],
                                       unconnected_gradients=UnconnectedGradients.ZERO)
                         if pairs else [None] * len(watched))
            grads = [next(found) if t.dtype in _DIFFERENTIABLE else None for t in sources]
            results = []
            for src, gr in zip(sources, grads):
                results.append(gr if gr is not None else src)  # placeholder for non-float
            g.outputs = [tracer.value_of(r) for r in results]
    finally:
        state.graph = saved
        state.refresh()
    from runtime.passes import optimize
    g = optimize(g)
    body._vjp = g
    return g


def _while_grad_infer(*args, cond_graph, body_graph, vjp_graph, n_vars, cond_idx, body_idx):
    n_inputs = (len(args)) - len(body_graph.outputs)
    return [Spec(s.dtype, s.shape) for s in args[:n_inputs]]


def _while_grad_kernel(xp, *args, cond_graph, body_graph, vjp_graph, n_vars, cond_idx,
                       body_idx):
    n_caps = len(args) - 2 * n_vars
    loop_vars = list(args[:n_vars])
    caps = args[n_vars:n_vars + n_caps]
    cts = list(args[n_vars + n_caps:])
    cond_plan, body_plan, vjp_plan = plan_for(cond_graph), plan_for(body_graph), plan_for(vjp_graph)
    cond_caps = [caps[i] for i in cond_idx]
    body_caps = [caps[i] for i in body_idx]
    history = []
    while cond_plan.run(loop_vars + cond_caps, xp)[0]:
        history.append(loop_vars)
        loop_vars = body_plan.run(loop_vars + body_caps, xp)
    cap_cts = [None] * n_caps
    for saved in reversed(history):
        out = vjp_plan.run(saved + body_caps + cts, xp)
        cts = out[:n_vars]
        for j, i in enumerate(body_idx):
            g = out[n_vars + j]
            cap_cts[i] = g if cap_cts[i] is None else cap_cts[i] + g
    cap_cts = [xp.zeros_like(_array_of(c)) if g is None else g for g, c in zip(cap_cts, caps)]
    return tuple(cts) + tuple(cap_cts)


def _array_of(x):
    return x._v if hasattr(x, "_read_for_op") else x


WHILE = defop("While", _while_kernel, _while_infer, _while_grad, multi=True)
def _while_grad_grad(op, *dys):
    from ops.errors import UnimplementedError
    raise UnimplementedError(
        "second derivatives through a traced while_loop are not supported yet; differentiate "
        "the loop eagerly (outside @function) for higher orders, or unroll a fixed-length loop",
        "WhileGrad")


WHILE_GRAD = defop("WhileGrad", _while_grad_kernel, _while_grad_infer, _while_grad_grad,
                   multi=True)


def while_loop(cond: Callable, body: Callable, loop_vars, shape_invariants=None,
               parallel_iterations=10, back_prop=True, swap_memory=False,
               maximum_iterations=None, name=None):
    """Repeat ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)``; a ``While`` node
    when traced. Loop variables keep their structure and dtypes; shapes that change between
    iterations are relaxed to ``None`` dims. A single (non-list) loop variable is passed and
    returned as itself."""
    if not callable(cond) or not callable(body):
        raise TypeError("while_loop: cond and body must be callables")
    single = not isinstance(loop_vars, (list, tuple))
    structure = [loop_vars] if single else loop_vars
    if maximum_iterations is not None:
        return _with_counter(cond, body, structure, single, shape_invariants, maximum_iterations)

    def step(*args):
        new = body(*args)
        if len(structure) == 1 and not (isinstance(new, (list, tuple)) and len(new) == 1):
            new = [new]
        return type(structure)(new) if isinstance(new, (list, tuple)) and \
            not hasattr(structure, "_fields") else new

    if state.graph is None:
        result = _eager_while(cond, step, structure)
    else:
        inv = None if shape_invariants is None else \
            ([shape_invariants] if single else shape_invariants)
        result = _graph_while(cond, step, structure, inv)
    return result[0] if single else result


def _eager_while(cond, step, structure):
    while _as_bool(cond(*structure)):
        new = step(*structure)
        _check_loop_vars(structure, new)
        structure = new
    return structure


def _check_loop_vars(old, new) -> None:
    try:
        nest.assert_same_structure(list(old), list(new), check_types=False)
    except (ValueError, TypeError):
        raise TypeError(f"while_loop: the body returned {len(nest.flatten(new))} loop variables "
                        f"in a different structure than it was given "
                        f"({len(nest.flatten(old))}); return the same structure") from None
    for i, (a, b) in enumerate(zip(nest.flatten(old), nest.flatten(new))):
        da, db = getattr(a, "dtype", None), getattr(b, "dtype", None)
        if isinstance(a, Tensor) and isinstance(b, Tensor) and da is not db:
            raise TypeError(f"while_loop: loop variable {i} enters the loop as {da.name} but the "
                            f"body makes it {db.name}; keep its dtype (use ag.cast)")


def _is_composite(x) -> bool:
    return hasattr(x, "_components") and hasattr(x, "_from_components")


def _flatten_vars(structure) -> tuple[list, list]:
    """Loop variables as a flat list of tensors; composites (TensorArray) expand to theirs.
    Returns (tensors, per-leaf layout: None for a tensor, (composite, n) for a composite)."""
    flat, layout = [], []
    for leaf in nest.flatten(structure):
        if _is_composite(leaf):
            parts = leaf._components()
            flat.extend(parts)
            layout.append((leaf, len(parts)))
        else:
            flat.append(leaf if isinstance(leaf, Tensor) else convert_to_tensor(leaf))
            layout.append(None)
    return flat, layout


def _pack_vars(structure, layout, flat):
    it = iter(flat)
    leaves = []
    for entry in layout:
        if entry is None:
            leaves.append(next(it))
        else:
            composite, n = entry
            leaves.append(composite._from_components([next(it) for _ in range(n)]))
    return nest.pack_sequence_as(structure, leaves)


def _graph_while(cond, step, structure, shape_invariants):
    for _ in range(16):
        init, layout = _flatten_vars(structure)
        specs = _initial_specs(init, layout, structure, shape_invariants)
        pack = (lambda layout_: lambda phs: _pack_vars(structure, layout_, phs))(layout)
        while True:
            body_sg = trace_subgraph(step, specs, pack, "while_body",
                                     flatten=lambda r: _flatten_vars(r)[0])
            upgraded = _upgrade_composites(structure, body_sg.structure)
            if upgraded is not None:
                break
            new_specs = _loop_specs(specs, body_sg)
            if new_specs == specs:
                break
            if shape_invariants is not None:
                raise ValueError(f"while_loop: a loop variable's shape changes in the body "
                                 f"beyond its shape_invariants: {_fmt(specs)} -> "
                                 f"{_fmt(new_specs)}")
            specs = new_specs
        if upgraded is None:
            break
        structure = upgraded
    cond_sg = trace_subgraph(cond, specs, pack, "while_cond")
    out = cond_sg.graph.outputs
    if len(out) != 1 or out[0].dtype.name != "bool" or len(out[0].shape) != 0:
        raise TypeError("while_loop: cond must return a scalar bool tensor")
    merged, (cond_idx, body_idx) = _union(cond_sg.outer, body_sg.outer)
    outs = dispatch.execute(WHILE, tuple(init) + tuple(symbolic(v) for v in merged),
                            {"cond_graph": cond_sg.graph, "body_graph": body_sg.graph,
                             "n_vars": len(init), "cond_idx": cond_idx, "body_idx": body_idx})
    return _pack_vars(structure, layout, list(outs))


def _fmt(specs) -> str:
    return "[" + ", ".join(f"{s.dtype.name}{list(s.shape)}" for s in specs) + "]"


def _match_invariants(structure, invariants, out: list) -> None:
    """One shape invariant per loop-variable leaf (shapes are lists, so nest cannot flatten)."""
    if isinstance(structure, dict):
        for k in sorted(structure):
            _match_invariants(structure[k], invariants[k], out)
    elif isinstance(structure, (list, tuple)) and not _is_composite(structure):
        if not isinstance(invariants, (list, tuple)) or len(invariants) != len(structure):
            raise ValueError(f"while_loop: shape_invariants {invariants!r} do not match the "
                             f"structure of the loop variables")
        for a, b in zip(structure, invariants):
            _match_invariants(a, b, out)
    else:
        out.append(invariants)


def _initial_specs(init, layout, structure, shape_invariants) -> list:
    specs = [Spec(t.dtype, tuple(t.shape)) for t in init]
    if shape_invariants is None:
        return specs
    invariants = []
    _match_invariants(structure, shape_invariants, invariants)
    out, k = [], 0
    for entry, inv in zip(layout, invariants):
        n = 1 if entry is None else entry[1]
        for s in specs[k:k + n]:
            given = None if inv is None or entry is not None else tuple(inv)
            if given is not None and (len(given) != len(s.shape) or any(
                    g is not None and g != d for g, d in zip(given, s.shape))):
                raise ValueError(f"while_loop: shape_invariant {list(given)} does not match the "
                                 f"initial value's shape {list(s.shape)}")
            out.append(Spec(s.dtype, given if given is not None else s.shape))
        k += n
    return out


def _upgrade_composites(structure, result):
    """If the body gave a buffer-less TensorArray its first element, return the loop variables
    with that array started empty at the element's shape (the loop is then traced again)."""
    try:
        old_leaves = nest.flatten(structure)
        new_leaves = nest.flatten(result)
    except (TypeError, ValueError):
        return None
    if len(old_leaves) != len(new_leaves):
        return None
    changed, leaves = False, []
    for old, new in zip(old_leaves, new_leaves):
        if _is_composite(old) and _is_composite(new) and \
                len(old._components()) < len(new._components()):
            leaves.append(old._with_empty_buffer(new))
            changed = True
        else:
            leaves.append(old)
    return nest.pack_sequence_as(structure, leaves) if changed else None


def _loop_specs(specs, body_sg):
    """Specs after one body trace: dtypes must agree; differing dims become None."""
    outs = body_sg.graph.outputs
    if len(outs) != len(specs):
        raise TypeError(f"while_loop: the body returns {len(outs)} loop variables but the loop "
                        f"has {len(specs)}; return them all, in the same structure")
    out = []
    for i, (s, v) in enumerate(zip(specs, outs)):
        if v.dtype is not s.dtype:
            raise TypeError(f"while_loop: loop variable {i} enters the loop as {s.dtype.name} "
                            f"but the body makes it {v.dtype.name}; keep its dtype (ag.cast)")
        shape = _merge_shapes(s.shape, v.shape)
        if shape is None:
            raise ValueError(f"while_loop: loop variable {i} changes rank in the body "
                             f"({len(s.shape)} -> {len(v.shape)}); keep its rank")
        out.append(Spec(s.dtype, shape))
    return out


def _with_counter(cond, body, structure, single, shape_invariants, maximum_iterations):
    """``maximum_iterations``: thread an iteration counter through the loop."""
    from ops.elementwise import less, logical_and
    limit = convert_to_tensor(maximum_iterations)
    user = structure[0] if single else structure

    def c(i, v):
        return logical_and(less(i, limit), cond(v) if single else cond(*v))

    def b(i, v):
        new = body(v) if single else body(*v)
        if not single and len(structure) == 1 and not (
                isinstance(new, (list, tuple)) and len(new) == 1):
            new = [new]
        return i + 1, new

    from runtime.shapes import TensorShape
    inv = None if shape_invariants is None else [TensorShape([]), shape_invariants]
    _, result = while_loop(c, b, [convert_to_tensor(0, dtype=limit.dtype), user],
                           shape_invariants=inv)
    return result


class control_dependencies:
    """``with ag.control_dependencies([...])``: stateful ops already run in program order in
    eager mode and in graphs, so this only validates its argument."""

    def __init__(self, control_inputs):
        if control_inputs is not None and not isinstance(control_inputs, (list, tuple)):
            raise TypeError("control_dependencies: expected a list of tensors or ops")
        self.control_inputs = control_inputs

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
