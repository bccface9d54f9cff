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

from runtime import nest
from ops.context import state
from ops.declare import COMPLEX, FLOAT
from ops.tensor import Tensor, convert_to_tensor
from ops.variables import Variable

_DIFFERENTIABLE = FLOAT | COMPLEX


class UnconnectedGradients(enum.Enum):
    """What ``gradient`` returns for a source the target does not depend on."""
    NONE = "none"
    ZERO = "zero"


class _Record:
    """One recorded op: what the gradient function sees as ``op``."""

    __slots__ = ("op", "inputs", "attrs", "outputs")

    def __init__(self, op, inputs, attrs, outputs):
        self.op = op
        self.inputs = inputs
        self.attrs = attrs
        self.outputs = outputs


class GradientTape:
    """Records operations for automatic differentiation (``tf.GradientTape``)."""

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True):
        self._persistent = persistent
        self._watch_accessed = watch_accessed_variables
        self._recording = False
        self._used = False
        self.reset()

    def reset(self) -> None:
        """Forget everything recorded so far (the tape keeps recording if it is open)."""
        self._records: list[_Record] = []
        self._watched: set[int] = set()   # ids of tensors descending from a watched value
        self._alive: list = []            # keeps watched tensors alive so their ids stay unique
        self._vars: dict[int, Variable] = {}
        self._var_reads: dict[int, list] = {}

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
        for i, t in enumerate(nest.flatten(tensor)):
            if isinstance(t, Variable):
                self._vars[id(t)] = t
            elif isinstance(t, Tensor):
                if t.dtype in _DIFFERENTIABLE:
                    self._watched.add(id(t))
                    self._alive.append(t)
            else:
                raise TypeError(f"GradientTape.watch: item {i} is a {type(t).__name__}; only "
                                "tensors and variables can be watched (use ag.constant first)")

    def watched_variables(self) -> tuple:
        return tuple(self._vars.values())

    def _record(self, op, inputs, attrs, outputs) -> None:
        watched = self._watched
        for t in inputs:
            if id(t) in watched:
                break
        else:
            return
        for o in outputs:
            watched.add(id(o))
        self._records.append(_Record(op, inputs, attrs, outputs))

    def _record_read(self, var: Variable, t: Tensor) -> None:
        if id(var) not in self._vars:
            if not (self._watch_accessed and var.trainable):
                return
            self._vars[id(var)] = var
        if var.dtype in _DIFFERENTIABLE:
            self._watched.add(id(t))
            self._var_reads.setdefault(id(var), []).append(t)

    # ---- differentiation ------------------------------------------------------------
    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients=UnconnectedGradients.NONE):
        """d(sum of target)/d(source) for each source, in the structure of ``sources``."""
        self._check_reuse("gradients")
        unconnected = UnconnectedGradients(unconnected_gradients)
        targets = [self._as_target(t, i) for i, t in enumerate(nest.flatten(target))]
        flat_sources = nest.flatten(sources)
        for i, s in enumerate(flat_sources):
            if not isinstance(s, (Tensor, Variable)):
                raise TypeError(f"GradientTape.gradient: source {i} is a {type(s).__name__}; "
                                "sources must be tensors or variables")
        if output_gradients is None:
            seeds = [None] * len(targets)
        else:
            seeds = [None if g is None else convert_to_tensor(g, dtype=t.dtype)
                     for g, t in zip(nest.flatten(output_gradients), targets)]
            if len(seeds) != len(targets):
                raise ValueError(f"GradientTape.gradient: {len(seeds)} output_gradients for "
                                 f"{len(targets)} targets")
        if not any(id(t) in self._watched for t in targets):
            ids = {id(s) for s in flat_sources}
            if not any(id(t) in ids for t in targets):
                warnings.warn("GradientTape.gradient: the target was not computed from any "
                              "watched tensor or variable under this tape, so every gradient "
                              "is None; compute it inside the tape's 'with' block or watch its "
                              "inputs", stacklevel=2)
        grads = self._backprop(targets, seeds)
        result = [self._result(s, grads, unconnected) for s in flat_sources]
        return nest.pack_sequence_as(sources, result)

    def _check_reuse(self, what: str) -> None:
        if self._used and not self._persistent:
            raise RuntimeError(f"a non-persistent GradientTape can compute {what} only once; "
                               "create it with GradientTape(persistent=True) to ask several "
                               "times")
        if not self._persistent:
            self._used = True

    def _as_target(self, t, i):
        if isinstance(t, Variable):
            return t._read_for_op()
        if not isinstance(t, Tensor):
            raise TypeError(f"GradientTape.gradient: target {i} is a {type(t).__name__}; the "
                            "target must be a tensor computed under the tape")
        return t

    def _backprop(self, targets, seeds) -> dict:
        from ops.elementwise import ones_like, zeros_like
        grads: dict[int, Tensor] = {}
        for t, seed in zip(targets, seeds):
            if t.dtype not in _DIFFERENTIABLE:
                continue
            _accumulate(grads, t, ones_like(t) if seed is None else seed)
        for rec in reversed(self._records):
            dys = [grads.get(id(o)) for o in rec.outputs]
            if all(d is None for d in dys):
                continue
            if len(dys) > 1:
                dys = [zeros_like(o) if d is None and o.dtype in _DIFFERENTIABLE else d
                       for d, o in zip(dys, rec.outputs)]
            in_grads = rec.op.grad(rec, *dys)
            for inp, g in zip(rec.inputs, in_grads):
                if g is not None and id(inp) in self._watched:
                    _accumulate(grads, inp, g)
        return grads

    def _result(self, source, grads, unconnected):
        from ops.elementwise import add, zeros_like
        if isinstance(source, Variable):
            parts = [grads[id(t)] for t in self._var_reads.get(id(source), ()) if id(t) in grads]
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
        """d target[i...] / d source[j...], shaped ``target.shape + source.shape``."""
        from ops import array_ops
        from ops.elementwise import zeros_like
        self._check_reuse("a jacobian")
        target = self._as_target(target, 0)
        flat_sources = nest.flatten(sources)
        size = int(target.shape.num_elements())
        rows = [[] for _ in flat_sources]
        for i in range(size):
            seed = array_ops.reshape(array_ops.one_hot(i, size, dtype=target.dtype), target.shape)
            grads = self._backprop([target], [seed])
            for k, s in enumerate(flat_sources):
                rows[k].append(self._result(s, grads, UnconnectedGradients.NONE))
        out = []
        for s, r in zip(flat_sources, rows):
            shape = list(target.shape) + list(s.shape)
            if all(g is None for g in r):
                connected = unconnected_gradients == UnconnectedGradients.ZERO
                out.append(array_ops.zeros(shape, s.dtype) if connected else None)
                continue
            r = [zeros_like(convert_to_tensor(s)) if g is None else g for g in r]
            out.append(array_ops.reshape(array_ops.stack(r), shape))
        return nest.pack_sequence_as(sources, out)

    def batch_jacobian(self, target, source, unconnected_gradients=UnconnectedGradients.NONE,
                       parallel_iterations=None, experimental_use_pfor=True):
        """Per-example jacobians: ``[batch] + target.shape[1:] + source.shape[1:]``."""
        from ops import array_ops
        self._check_reuse("a batch jacobian")
        target = self._as_target(target, 0)
        batch = target.shape[0]
        if source.shape[0] != batch:
            raise ValueError(f"batch_jacobian: target batch size {batch} differs from source "
                             f"batch size {source.shape[0]}")
        inner = int(target.shape[1:].num_elements())
        rows = []
        for j in range(inner):
            hot = array_ops.one_hot(j, inner, dtype=target.dtype)
            seed = array_ops.reshape(array_ops.tile(array_ops.reshape(hot, [1, inner]), [batch, 1]),
                                     target.shape)
            grads = self._backprop([target], [seed])
            rows.append(self._result(source, grads, UnconnectedGradients.ZERO))
        stacked = array_ops.stack(rows, axis=1)  # [batch, inner, source...]
        return array_ops.reshape(stacked, list(target.shape) + list(source.shape[1:]))


def _accumulate(grads: dict, t: Tensor, g: Tensor) -> None:
    from ops.elementwise import add
    key = id(t)
    prev = grads.get(key)
    grads[key] = g if prev is None else add(prev, g)
