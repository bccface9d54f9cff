"""``GradientTape``: records ops on watched values and differentiates them backwards.

Recording costs nothing when no tape is open (``state.slow`` is false). While a tape is open,
an op is recorded only when one of its inputs descends from a watched tensor or variable.
Gradient functions are written with ops, so the backward pass is itself recorded by any
enclosing tape, which is how nested tapes give higher derivatives.
"""
from __future__ import annotations

import contextlib
import enum
import warnings

import numpy as np

from runtime import nest
from ops.context import state
from ops.declare import COMPLEX, FLOAT
from ops.elementwise import add, ones_like, zeros_like
from ops.tensor import Tensor, convert_like, convert_to_tensor, wrap
from ops.variables import Variable

_DIFFERENTIABLE = FLOAT | COMPLEX


class UnconnectedGradients(enum.Enum):
    """What ``gradient`` returns for a source the target does not depend on."""
    NONE = "none"
    ZERO = "zero"


class _Record:
    """One recorded op: what the gradient function sees as ``op``."""

    # ``needs[i]``: input i leads back to a watched value, so its gradient is wanted.
    __slots__ = ("op", "inputs", "attrs", "outputs", "needs")

    def __init__(self, op, inputs, attrs, outputs, needs):
        self.op = op
        self.inputs = inputs
        self.attrs = attrs
        self.outputs = outputs
        self.needs = needs


class GradientTape:
    """Records operations for automatic differentiation (``tf.GradientTape``)."""

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True):
        self._persistent = persistent
        self._watch_accessed = watch_accessed_variables
        self._recording = False
        self._used = False
        self.reset()

    def reset(self) -> None:
        """Forget everything recorded so far (the tape keeps recording if it is open).

        As in TensorFlow, this is like starting a new tape: it may be asked for gradients again.
        """
        self._used = False
        self._records: list[_Record] = []
        self._watched: set[int] = set()   # ids of tensors descending from a watched value
        self._alive: list = []            # keeps watched tensors alive so their ids stay unique
        self._vars: dict[int, Variable] = {}
        # variable id -> {id(read tensor): read tensor}; a read (or graph handle) seen twice
        # must count once
        self._var_reads: dict[int, dict] = {}

    # ---- context --------------------------------------------------------------------
    def __enter__(self) -> "GradientTape":
        if self._recording:
            raise RuntimeError("this GradientTape is already recording; open a new tape instead")
        self._push()
        return self

    def __exit__(self, *exc) -> None:
        if self._recording:
            self._pop()

    def _push(self):
        state.tapes.append(self)
        state.refresh()
        self._recording = True

    def _pop(self):
        state.tapes.remove(self)
        state.refresh()
        self._recording = False

    @contextlib.contextmanager
    def stop_recording(self):
        """Run the block without recording on this tape."""
        if not self._recording:
            raise RuntimeError("stop_recording() needs the tape to be recording (inside its "
                               "'with' block)")
        self._pop()
        try:
            yield
        finally:
            self._push()

    # ---- watching and recording -----------------------------------------------------
    def watch(self, tensor) -> None:
        """Watch tensors or variables (nested lists/tuples/dicts accepted)."""
        flat = nest.flatten(tensor)
        for i, t in enumerate(flat):
            if not isinstance(t, (Tensor, Variable)):
                where = f"item {i} of the structure" if len(flat) > 1 or flat[0] is not tensor \
                    else "the argument"
                raise TypeError(f"GradientTape.watch: {where} is a {type(t).__name__}; only "
                                "tensors and variables can be watched (convert it with "
                                "ag.constant first)")
        for t in flat:
            if t.dtype not in _DIFFERENTIABLE:
                # TensorFlow warns the same way: integer and bool values have no gradient.
                warnings.warn(f"GradientTape.watch: the watched value has dtype {t.dtype.name}; "
                              "only floating-point (and complex) values can be differentiated, "
                              "so its gradient will be None", stacklevel=2)
            if isinstance(t, Variable):
                self._vars[id(t)] = t
            elif t.dtype in _DIFFERENTIABLE:
                self._watched.add(id(t))
                self._alive.append(t)

    def watched_variables(self) -> tuple:
        return tuple(self._vars.values())

    def _record(self, op, inputs, attrs, outputs) -> None:
        watched = self._watched
        if len(inputs) == 2:
            needs = (id(inputs[0]) in watched, id(inputs[1]) in watched)
        else:
            needs = tuple([id(t) in watched for t in inputs])
        if True not in needs:
            return
        for o in outputs:
            # As in TensorFlow, integer and bool results carry no gradient, so ops that only
            # consume them need no record.
            if o.dtype in _DIFFERENTIABLE:
                watched.add(id(o))
        self._records.append(_Record(op, inputs, attrs, outputs, needs))

    def _record_read(self, var: Variable, t: Tensor) -> None:
        if id(var) not in self._vars:
            if not (self._watch_accessed and var.trainable):
                return
            self._vars[id(var)] = var
        if var.dtype in _DIFFERENTIABLE:
            self._watched.add(id(t))
            self._var_reads.setdefault(id(var), {})[id(t)] = t

    # ---- debugging --------------------------------------------------------------------
    def _held_arrays(self) -> list:
        """The distinct backend arrays this tape keeps referenced for its backward pass: the
        values of every recorded op's inputs and outputs, of watched tensors and of variable
        reads. A view counts as the array it views, so each buffer appears once.

        A debugging and benchmarking aid (``bench/memory.py`` sums their ``nbytes``), not used
        while recording. Symbolic tensors (inside ``ag.function``) hold no array and are left
        out, and so is whatever a ``custom_gradient`` grad_fn captures beyond its op's inputs
        and outputs.
        """
        tensors = list(self._alive)
        for rec in self._records:
            tensors.extend(rec.inputs)
            tensors.extend(rec.outputs)
        for reads in self._var_reads.values():
            tensors.extend(reads.values())
        held = {}
        for t in tensors:
            array = getattr(t, "_v", None)
            if getattr(array, "nbytes", None) is None:
                continue  # None input, symbolic tensor, or a variable's resource handle
            while type(getattr(array, "base", None)) is type(array):
                array = array.base
            held[id(array)] = array
        return list(held.values())

    # ---- differentiation ------------------------------------------------------------
    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients=UnconnectedGradients.NONE):
        """d(sum of target)/d(source) for each source, in the structure of ``sources``."""
        self._check_open("gradients")
        unconnected = unconnected_gradients if type(unconnected_gradients) is \
            UnconnectedGradients else UnconnectedGradients(unconnected_gradients)
        flat_targets = [target] if isinstance(target, (Tensor, Variable)) else \
            nest.flatten(target)
        single = isinstance(sources, (Tensor, Variable))
        flat_sources = [sources] if single else nest.flatten(sources)
        for i, s in enumerate(flat_sources):
            if not isinstance(s, (Tensor, Variable)):
                where = f"source {i}" if len(flat_sources) > 1 or flat_sources[0] is not sources \
                    else "the source"
                raise TypeError(f"GradientTape.gradient: {where} is a {type(s).__name__}; "
                                "sources must be tensors or variables (watch a tensor made "
                                "with ag.constant, or use an ag.Variable)")
        targets = [self._as_target(t, i, len(flat_targets)) for i, t in enumerate(flat_targets)]
        if output_gradients is None:
            seeds = [None] * len(targets)
        else:
            flat_seeds = nest.flatten(output_gradients)
            if len(flat_seeds) != len(targets):
                raise ValueError(f"GradientTape.gradient: {len(flat_seeds)} output_gradients "
                                 f"given for {len(targets)} targets; give one per target")
            seeds = [None if g is None else self._seed(g, t, i)
                     for i, (g, t) in enumerate(zip(flat_seeds, targets))]
        self._mark_used()
        grads = self._backprop(targets, seeds)
        result = [self._result(s, grads, unconnected) for s in flat_sources]
        self._release()
        return result[0] if single else nest.pack_sequence_as(sources, result)

    @staticmethod
    def _seed(g, t, i):
        g = convert_to_tensor(g, dtype=t.dtype)
        if tuple(g.shape) != tuple(t.shape):
            raise ValueError(f"GradientTape.gradient: output_gradients[{i}] has shape {g.shape} "
                             f"but target {i} has shape {t.shape}; they must match")
        return g

    def _check_open(self, what: str) -> None:
        if self._used and not self._persistent:
            raise RuntimeError(f"a non-persistent GradientTape can compute {what} only once; "
                               "create it with GradientTape(persistent=True) to ask several "
                               "times")

    def _mark_used(self) -> None:
        if not self._persistent:
            self._used = True

    def _release(self) -> None:
        """A non-persistent tape answers once; drop what it holds, as TensorFlow does."""
        if not self._persistent:
            self._records = []
            self._alive = []
            self._watched = set()
            self._var_reads = {}

    def _as_target(self, t, i, n=1):
        if isinstance(t, Variable):
            return t._read_for_op()
        if not isinstance(t, Tensor):
            where = f"target {i}" if n > 1 else "the target"
            raise TypeError(f"GradientTape.gradient: {where} is a {type(t).__name__}; the "
                            "target must be a tensor computed from watched values inside the "
                            "tape's 'with' block")
        return t

    def _backprop(self, targets, seeds) -> dict:
        grads: dict[int, Tensor] = {}
        for t, seed in zip(targets, seeds):
            if t.dtype not in _DIFFERENTIABLE or id(t) not in self._watched:
                continue  # a target that no watched value reaches has no gradient
            _accumulate(grads, t, ones_like(t) if seed is None else seed)
        get = grads.get
        for rec in reversed(self._records):
            outputs = rec.outputs
            if len(outputs) == 1:            # the common case, kept free of comprehensions
                dy = get(id(outputs[0]))
                if dy is None:
                    continue
                in_grads = rec.op.grad(rec, dy)
            else:
                dys = [get(id(o)) for o in outputs]
                if all(d is None for d in dys):
                    continue
                dys = [zeros_like(o) if d is None and o.dtype in _DIFFERENTIABLE else d
                       for d, o in zip(dys, outputs)]
                in_grads = rec.op.grad(rec, *dys)
            for inp, g, needed in zip(rec.inputs, in_grads, rec.needs):
                if g is not None and needed:
                    key = id(inp)
                    prev = get(key)
                    grads[key] = g if prev is None else add(prev, g)
        return grads

    def _result(self, source, grads, unconnected):
        if isinstance(source, Variable):
            reads = self._var_reads.get(id(source), {})
            parts = [grads[key] for key in reads if key in grads]
            g = None
            for p in parts:
                g = p if g is None else add(g, p)
        else:
            g = grads.get(id(source))
        if source.dtype not in _DIFFERENTIABLE:
            g = None
        if g is None and unconnected is UnconnectedGradients.ZERO:
            g = zeros_like(convert_to_tensor(source))
        return g

    def jacobian(self, target, sources, unconnected_gradients=UnconnectedGradients.NONE,
                 parallel_iterations=None, experimental_use_pfor=True):
        """d target[i...] / d source[j...], shaped ``target.shape + source.shape``.

        One backward pass per element of ``target`` (TensorFlow vectorises this with pfor;
        the result is the same).
        """
        from ops.array_ops import reshape, stack
        self._check_open("a jacobian")
        unconnected = UnconnectedGradients(unconnected_gradients)
        target = self._as_target(target, 0)
        flat_sources = nest.flatten(sources)
        size = _known_size(target, "jacobian")
        self._mark_used()
        rows = [[] for _ in flat_sources]
        for i in range(size):
            seed = np.zeros(size, target.dtype.np)
            seed[i] = 1
            grads = self._backprop([target], [_like(seed.reshape(tuple(target.shape)), target)])
            for k, s in enumerate(flat_sources):
                rows[k].append(self._result(s, grads, UnconnectedGradients.NONE))
        out = []
        for s, r in zip(flat_sources, rows):
            shape = tuple(target.shape) + tuple(s.shape)
            if all(g is None for g in r):
                zero = unconnected is UnconnectedGradients.ZERO
                out.append(_like(np.zeros(shape, s.dtype.np), s) if zero else None)
                continue
            r = [zeros_like(convert_to_tensor(s)) if g is None else g for g in r]
            out.append(reshape(stack(r), shape) if r else _like(np.zeros(shape, s.dtype.np), s))
        self._release()
        return nest.pack_sequence_as(sources, out)

    def batch_jacobian(self, target, source, unconnected_gradients=UnconnectedGradients.NONE,
                       parallel_iterations=None, experimental_use_pfor=True):
        """Per-example jacobians: ``[batch] + target.shape[1:] + source.shape[1:]``.

        Assumes, as TensorFlow does, that example ``b`` of the target depends only on example
        ``b`` of the source.
        """
        from ops.array_ops import reshape, stack
        self._check_open("a batch jacobian")
        target = self._as_target(target, 0)
        if not isinstance(source, (Tensor, Variable)):
            raise TypeError(f"GradientTape.batch_jacobian: the source is a "
                            f"{type(source).__name__}; it must be a tensor or variable")
        _known_size(target, "batch_jacobian")
        if target.ndim < 1 or len(source.shape) < 1:
            raise ValueError("batch_jacobian: target and source need a leading batch dimension "
                             f"(got shapes {target.shape} and {source.shape})")
        batch = target.shape[0]
        if source.shape[0] != batch:
            raise ValueError(f"batch_jacobian: target batch size {batch} differs from source "
                             f"batch size {source.shape[0]}")
        self._mark_used()
        inner = int(np.prod(tuple(target.shape[1:]), dtype=np.int64))
        rows = []
        for j in range(inner):
            seed = np.zeros((batch, inner), target.dtype.np)
            seed[:, j] = 1
            grads = self._backprop([target], [_like(seed.reshape(tuple(target.shape)), target)])
            rows.append(self._result(source, grads, UnconnectedGradients.NONE))
        self._release()
        out_shape = tuple(target.shape) + tuple(source.shape[1:])
        if all(g is None for g in rows):
            zero = UnconnectedGradients(unconnected_gradients) is UnconnectedGradients.ZERO
            return _like(np.zeros(out_shape, source.dtype.np), source) if zero else None
        rows = [zeros_like(convert_to_tensor(source)) if g is None else g for g in rows]
        stacked = stack(rows, axis=1)  # [batch, inner, source...]
        return reshape(stacked, out_shape)


def _like(array: np.ndarray, t) -> Tensor:
    """A constant holding ``array`` on the device of ``t`` (tensor or variable)."""
    near = t if isinstance(t, Tensor) else wrap(t._v, t.dtype)
    return convert_like(array, t.dtype, "GradientTape", near=near)


def _known_size(target, what) -> int:
    n = target.shape.num_elements()
    if n is None:
        raise ValueError(f"GradientTape.{what}: the target's shape {target.shape} is not fully "
                         "known; give the traced function an input_signature with fixed dims")
    return int(n)


def _accumulate(grads: dict, t: Tensor, g: Tensor) -> None:
    key = id(t)
    prev = grads.get(key)
    grads[key] = g if prev is None else add(prev, g)
