"""Recurrent layers: the cells ``SimpleRNNCell``, ``LSTMCell``, ``GRUCell``, the generic
``RNN(cell)`` layer that runs a cell over time, and ``SimpleRNN``, ``LSTM``, ``GRU``.

Inputs are ``(batch, time, features)``. When the number of steps is known the time loop runs
in Python (one set of ops per step, unrolled into a traced graph); when it is unknown (a
``None`` time dim while tracing) it is an ``ag.while_loop`` over a ``TensorArray``.
Gradients flow through both.

Weights and gate order follow Keras, so weights move between the two unchanged:
LSTM gates ``[i, f, c, o]`` in ``(features, 4 * units)`` kernels; GRU gates ``[z, r, h]``
with ``reset_after=True`` (TF 2's default: bias shape ``(2, 3 * units)``).

A ``mask`` (``(batch, time)`` booleans) makes masked steps keep the previous states and
repeat the previous output. ``dropout``/``recurrent_dropout`` draw one mask per call (the
same for every step and every gate) in training.
"""
from __future__ import annotations

import numpy as np

from runtime.shapes import TensorShape, fmt
from ops import array_ops, control_flow, creation, linalg, nn_ops
from ops import elementwise as math_ops
from ops.keras import activations
from ops.keras.layers.base import (Layer, get_activation, get_constraint, get_initializer,
                                   weights_config, get_regularizer, smart_cond, training_off)
from ops.keras.layers.input_spec import InputSpec
from ops.keras.backend import to_snake_case
from ops.tensor import Tensor
from ops.tensor_array import TensorArray
from ops.variables import Variable, init_scope

__all__ = ["SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells", "RNN", "SimpleRNN",
           "LSTM", "GRU"]


# ---- cells ----------------------------------------------------------------------------------

class _Cell(Layer):
    """Arguments and weights shared by the three cells; ``gates`` kernels side by side."""

    gates = 1

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"{type(self).__name__}: units must be a positive integer, got "
                             f"{units!r}")
        self.units = int(units)
        self.activation = get_activation(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = get_initializer(kernel_initializer, "kernel_initializer")
        self.recurrent_initializer = get_initializer(recurrent_initializer,
                                                     "recurrent_initializer")
        self.bias_initializer = get_initializer(bias_initializer, "bias_initializer")
        self.kernel_regularizer = get_regularizer(kernel_regularizer, "kernel_regularizer")
        self.recurrent_regularizer = get_regularizer(recurrent_regularizer,
                                                     "recurrent_regularizer")
        self.bias_regularizer = get_regularizer(bias_regularizer, "bias_regularizer")
        self.kernel_constraint = get_constraint(kernel_constraint, "kernel_constraint")
        self.recurrent_constraint = get_constraint(recurrent_constraint, "recurrent_constraint")
        self.bias_constraint = get_constraint(bias_constraint, "bias_constraint")
        for what, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not 0.0 <= rate < 1.0:
                raise ValueError(f"{type(self).__name__}: {what} must be in [0, 1), got {rate}")
        self.dropout = float(dropout)
        self.recurrent_dropout = float(recurrent_dropout)
        self._dropout_masks = None   # (input mask, recurrent mask) set by RNN for one call

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self) -> int:
        return self.units

    def _bias_initializer(self):
        return self.bias_initializer

    def _bias_shape(self) -> tuple:
        return (self.gates * self.units,)

    def build(self, input_shape):
        features = TensorShape(input_shape)[-1]
        if features is None:
            raise ValueError(f'{type(self).__name__} "{self.name}": the feature dimension of '
                             f"the inputs must be known, got {fmt(tuple(input_shape))}")
        width = self.gates * self.units
        self.kernel = self.add_weight("kernel", (features, width),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (self.units, width),
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight("bias", self._bias_shape(),
                                        initializer=self._bias_initializer(),
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

    def get_dropout_masks(self, inputs, state, training):
        """One call's dropout masks for the step inputs and the recurrent state (``None``
        where the rate is 0 or not training)."""
        def mask(like, rate):
            if rate == 0 or training_off(training):
                return None
            ones = math_ops.ones_like(like)
            return smart_cond(training, lambda: nn_ops.dropout(ones, rate),
                              lambda: ones)
        return mask(inputs, self.dropout), mask(state, self.recurrent_dropout)

    def _masks(self, inputs, h, training):
        if self._dropout_masks is not None:
            return self._dropout_masks
        return self.get_dropout_masks(inputs, h, training)

    def _base_config(self) -> dict:
        config = super().get_config()
        config.update({
            "units": self.units, **weights_config(self, ("kernel", "recurrent", "bias")),
            "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
        })
        return config

    def get_config(self):
        return self._base_config()

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        """Zero states for a batch (``batch_size`` may be a tensor)."""
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) else \
            [self.state_size]
        dtype = dtype or self.compute_dtype
        states = [creation.zeros(array_ops.stack([batch_size, size]) if isinstance(
            batch_size, Tensor) else (batch_size, size), dtype=dtype) for size in sizes]
        return states if isinstance(self.state_size, (list, tuple)) else states[0]


def _dropped(x, mask):
    return x if mask is None else x * mask


class SimpleRNNCell(_Cell):
    """``h = activation(x @ kernel + h_prev @ recurrent_kernel + bias)``."""

    gates = 1

    def call(self, inputs, states, training=None):
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        x_mask, h_mask = self._masks(inputs, h_prev, training)
        z = linalg.matmul(_dropped(inputs, x_mask), self._read(self.kernel))
        if self.bias is not None:
            z = z + self._read(self.bias)
        z = z + linalg.matmul(_dropped(h_prev, h_mask), self._read(self.recurrent_kernel))
        h = self.activation(z)
        return h, [h]


class LSTMCell(_Cell):
    """Long short-term memory: gates ``i, f, o = recurrent_activation(...)``,
    ``c = f * c_prev + i * activation(...)``, ``h = o * activation(c)``; states ``[h, c]``.
    ``unit_forget_bias=True`` starts the forget-gate bias at 1."""

    gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, **kwargs):
        kwargs.pop("implementation", None)
        super().__init__(units, activation, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, kernel_regularizer, recurrent_regularizer,
                         bias_regularizer, kernel_constraint, recurrent_constraint,
                         bias_constraint, dropout, recurrent_dropout, **kwargs)
        self.recurrent_activation = get_activation(recurrent_activation, "recurrent_activation")
        self.unit_forget_bias = bool(unit_forget_bias)

    @property
    def state_size(self):
        return [self.units, self.units]

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        units, init = self.units, self.bias_initializer

        def forget_bias_one(shape, dtype=None, **kwargs):
            return array_ops.concat([init((units,), dtype=dtype),
                                     creation.ones((units,), dtype=dtype),
                                     init((2 * units,), dtype=dtype)], 0)
        return forget_bias_one

    def call(self, inputs, states, training=None):
        h_prev, c_prev = states[0], states[1]
        x_mask, h_mask = self._masks(inputs, h_prev, training)
        z = linalg.matmul(_dropped(inputs, x_mask), self._read(self.kernel))
        z = z + linalg.matmul(_dropped(h_prev, h_mask), self._read(self.recurrent_kernel))
        if self.bias is not None:
            z = z + self._read(self.bias)
        zi, zf, zc, zo = array_ops.split(z, 4, axis=-1)
        i = self.recurrent_activation(zi)
        f = self.recurrent_activation(zf)
        c = f * c_prev + i * self.activation(zc)
        o = self.recurrent_activation(zo)
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self):
        config = self._base_config()
        config.update({"recurrent_activation": activations.serialize(self.recurrent_activation),
                       "unit_forget_bias": self.unit_forget_bias})
        return config


class GRUCell(_Cell):
    """Gated recurrent unit: update gate ``z``, reset gate ``r``,
    ``h = z * h_prev + (1 - z) * activation(x W_h + r * (h_prev U_h))`` (``reset_after=True``,
    TF 2's default; ``False`` applies ``r`` before the recurrent product)."""

    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, reset_after=True, **kwargs):
        kwargs.pop("implementation", None)
        super().__init__(units, activation, use_bias, kernel_initializer, recurrent_initializer,
                         bias_initializer, kernel_regularizer, recurrent_regularizer,
                         bias_regularizer, kernel_constraint, recurrent_constraint,
                         bias_constraint, dropout, recurrent_dropout, **kwargs)
        self.recurrent_activation = get_activation(recurrent_activation, "recurrent_activation")
        self.reset_after = bool(reset_after)

    def _bias_shape(self) -> tuple:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def call(self, inputs, states, training=None):
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        x_mask, h_mask = self._masks(inputs, h_prev, training)
        kernel, recurrent = self._read(self.kernel), self._read(self.recurrent_kernel)
        bias = None if self.bias is None else self._read(self.bias)
        x = linalg.matmul(_dropped(inputs, x_mask), kernel)
        h_in = _dropped(h_prev, h_mask)
        if self.reset_after:
            inner = linalg.matmul(h_in, recurrent)
            if bias is not None:
                x = x + bias[0]
                inner = inner + bias[1]
            xz, xr, xh = array_ops.split(x, 3, axis=-1)
            rz, rr, rh = array_ops.split(inner, 3, axis=-1)
            z = self.recurrent_activation(xz + rz)
            r = self.recurrent_activation(xr + rr)
            hh = self.activation(xh + r * rh)
        else:
            if bias is not None:
                x = x + bias
            xz, xr, xh = array_ops.split(x, 3, axis=-1)
            uz, ur, uh = array_ops.split(recurrent, 3, axis=-1)
            z = self.recurrent_activation(xz + linalg.matmul(h_in, uz))
            r = self.recurrent_activation(xr + linalg.matmul(h_in, ur))
            hh = self.activation(xh + linalg.matmul(r * h_in, uh))
        h = z * h_prev + (1.0 - z) * hh
        return h, [h]

    def get_config(self):
        config = self._base_config()
        config.update({"recurrent_activation": activations.serialize(self.recurrent_activation),
                       "reset_after": self.reset_after})
        return config


class StackedRNNCells(Layer):
    """Several cells run as one: each step feeds the output of one cell to the next."""

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            if not hasattr(cell, "state_size") or not hasattr(cell, "call"):
                raise ValueError(f"StackedRNNCells: {cell!r} is not an RNN cell (it needs "
                                 "call(inputs, states) and state_size)")
        self.cells = list(cells)

    @property
    def state_size(self):
        sizes = []
        for cell in self.cells:
            s = cell.state_size
            sizes.extend(s if isinstance(s, (list, tuple)) else [s])
        return sizes

    @property
    def output_size(self):
        return _output_size(self.cells[-1])

    def build(self, input_shape):
        shape = TensorShape(input_shape)
        for cell in self.cells:
            if isinstance(cell, Layer):
                cell._maybe_build(shape)
            shape = TensorShape((shape[0], _output_size(cell)))
        self.built = True

    def call(self, inputs, states, training=None):
        new_states, k = [], 0
        for cell in self.cells:
            n = _n_states(cell)
            cell_states = list(states[k:k + n])
            k += n
            inputs, cell_new = _call_cell(cell, inputs, cell_states, training)
            new_states.extend(cell_new)
        return inputs, new_states

    def get_config(self):
        from ops.keras import layers as layers_module
        config = super().get_config()
        config["cells"] = [layers_module.serialize(cell) for cell in self.cells]
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ops.keras import layers as layers_module
        config = dict(config)
        config["cells"] = [layers_module.deserialize(c, custom_objects) for c in config["cells"]]
        return cls(**config)


def _n_states(cell) -> int:
    s = cell.state_size
    return len(s) if isinstance(s, (list, tuple)) else 1


def _output_size(cell) -> int:
    size = getattr(cell, "output_size", None)
    if size is None:
        s = cell.state_size
        size = s[0] if isinstance(s, (list, tuple)) else s
    return int(size)


def _call_cell(cell, inputs, states, training):
    """One step: ``(output, new_states as a list)``."""
    if isinstance(cell, _Cell) or isinstance(cell, StackedRNNCells):
        output, new = cell.call(inputs, states, training=training)
    else:
        arg = states if _n_states(cell) > 1 or isinstance(cell.state_size, (list, tuple)) \
            else states[0]
        if isinstance(cell, Layer):
            output, new = cell(inputs, arg, training=training)
        else:
            output, new = cell.call(inputs, arg)
    return output, list(new) if isinstance(new, (list, tuple)) else [new]


# ---- the RNN layer -------------------------------------------------------------------------

class RNN(Layer):
    """Run ``cell`` over the time axis.

    ``RNN(cell, return_sequences=False, return_state=False, go_backwards=False,
    stateful=False, unroll=False, time_major=False)``; ``cell`` may be a list of cells
    (stacked). Call with ``initial_state=``, ``mask=``, ``training=``. Returns the last output
    ``(batch, units)``, or every output ``(batch, time, units)`` with ``return_sequences``;
    with ``return_state``, ``[output, *final_states]``.
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, time_major=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
            raise ValueError(f"RNN: cell must have call(inputs, states) and state_size, got "
                             f"{cell!r}")
        kwargs.pop("zero_output_for_mask", None)
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self._stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.time_major = bool(time_major)
        self.supports_masking = True
        self.input_spec = InputSpec(ndim=3)
        self._states = None

    @property
    def stateful(self) -> bool:
        return self._stateful

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        if len(input_shape) != 3:
            raise ValueError(f'{type(self).__name__} layer "{self.name}" expects inputs of shape '
                             f"(batch, time, features), got {fmt(tuple(input_shape))}")
        batch = input_shape[1] if self.time_major else input_shape[0]
        step_shape = TensorShape((batch, input_shape[-1]))
        if isinstance(self.cell, Layer):
            self.cell._maybe_build(step_shape)
        self.input_spec = InputSpec(ndim=3, axes={-1: input_shape[-1]})
        if self._stateful:
            if batch is None:
                raise ValueError(f'{type(self).__name__} layer "{self.name}": a stateful RNN '
                                 "needs a fixed batch size; pass batch_input_shape= or "
                                 "batch_size=")
            self._make_states(batch)
        self.built = True

    # The states of a stateful RNN are variables but not weights (as in Keras): weights of a
    # trained stateless model load into its stateful twin with set_weights.
    _TF_MODULE_IGNORED_PROPERTIES = Layer._TF_MODULE_IGNORED_PROPERTIES | {"_states"}

    @property
    def states(self):
        """The state variables of a stateful RNN (``None`` otherwise)."""
        return self._states

    def _make_states(self, batch: int) -> None:
        sizes = self.cell.state_size
        sizes = sizes if isinstance(sizes, (list, tuple)) else [sizes]
        with init_scope():
            self._states = [Variable(np.zeros((batch, size), self.dtype), trainable=False,
                                     name=f"state_{i}") for i, size in enumerate(sizes)]

    def reset_states(self, states=None) -> None:
        """Zero the states of a stateful RNN (or set them to ``states``)."""
        if not self._stateful:
            raise AttributeError(f'Layer "{self.name}" is not stateful')
        if self.states is None:
            return
        values = states if states is not None else [np.zeros(s.shape, s.dtype.as_numpy_dtype)
                                                     for s in self.states]
        values = values if isinstance(values, (list, tuple)) else [values]
        for var, value in zip(self.states, values):
            var.assign(np.asarray(value, var.dtype.as_numpy_dtype))

    def _initial_states(self, inputs, initial_state):
        n = _n_states(self.cell)
        if initial_state is not None:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) else \
                [initial_state]
            if len(states) != n:
                raise ValueError(f'Layer "{self.name}" expects {n} initial state(s), got '
                                 f"{len(states)}")
            return [math_ops.cast(s, inputs.dtype) if isinstance(s, Tensor) and
                    s.dtype is not inputs.dtype else s for s in states]
        if self._stateful and self.states is not None:
            return [s.read_value() for s in self.states]
        batch = inputs.shape[0] if inputs.shape[0] is not None else array_ops.shape(inputs)[0]
        sizes = self.cell.state_size
        sizes = sizes if isinstance(sizes, (list, tuple)) else [sizes]
        return [creation.zeros(array_ops.stack([batch, size]) if isinstance(batch, Tensor)
                               else (batch, size), dtype=inputs.dtype) for size in sizes]

    def call(self, inputs, mask=None, training=None, initial_state=None):
        if self.time_major:
            inputs = array_ops.transpose(inputs, [1, 0, 2])
        states = self._initial_states(inputs, initial_state)
        cells = self.cell.cells if isinstance(self.cell, StackedRNNCells) else [self.cell]
        dropout_cells = [c for c in cells if isinstance(c, _Cell) and
                         (c.dropout or c.recurrent_dropout)]
        for cell in dropout_cells:
            cell._dropout_masks = None
        try:
            if dropout_cells and not training_off(training):
                self._prepare_dropout(cells, inputs, states, training)
            if inputs.shape[1] is not None:
                last, outputs, states = self._python_loop(inputs, states, mask, training)
            else:
                last, outputs, states = self._graph_loop(inputs, states, mask, training)
        finally:
            for cell in dropout_cells:
                cell._dropout_masks = None
        if self._stateful and self.states is not None:
            for var, value in zip(self.states, states):
                var.assign(value)
        result = outputs if self.return_sequences else last
        if self.return_sequences and self.time_major:
            result = array_ops.transpose(result, [1, 0, 2])
        if self.return_state:
            return [result] + list(states)
        return result

    def _prepare_dropout(self, cells, inputs, states, training) -> None:
        """Draw each dropout cell's masks once for this call (Keras' behaviour)."""
        step_input = inputs[:, 0, :]
        k = 0
        for cell in cells:
            n = _n_states(cell)
            h = states[k]
            k += n
            if isinstance(cell, _Cell) and (cell.dropout or cell.recurrent_dropout):
                like = step_input if cell is cells[0] else h   # later cells see outputs
                cell._dropout_masks = cell.get_dropout_masks(like, h, training)

    def _step(self, x, states, prev_output, mask_t, training):
        output, new_states = _call_cell(self.cell, x, states, training)
        if mask_t is not None:
            keep = array_ops.expand_dims(mask_t, -1)
            new_states = [math_ops.where_(keep, n, o) for n, o in zip(new_states, states)]
            output = math_ops.where_(keep, output, prev_output)
        return output, new_states

    def _python_loop(self, inputs, states, mask, training):
        steps = array_ops.unstack(inputs, axis=1)
        masks = array_ops.unstack(mask, axis=1) if mask is not None else [None] * len(steps)
        order = range(len(steps) - 1, -1, -1) if self.go_backwards else range(len(steps))
        outputs = []
        output = None
        for t in order:
            prev = output if output is not None else self._zero_output(inputs)
            output, states = self._step(steps[t], states, prev, masks[t], training)
            outputs.append(output)
        if not outputs:
            raise ValueError(f'Layer "{self.name}" got inputs with 0 time steps')
        sequence = array_ops.stack(outputs, axis=1) if self.return_sequences else None
        return output, sequence, states

    def _zero_output(self, inputs):
        batch = inputs.shape[0] if inputs.shape[0] is not None else array_ops.shape(inputs)[0]
        size = _output_size(self.cell)
        shape = array_ops.stack([batch, size]) if isinstance(batch, Tensor) else (batch, size)
        return creation.zeros(shape, dtype=inputs.dtype)

    def _graph_loop(self, inputs, states, mask, training):
        time_major = array_ops.transpose(inputs, [1, 0, 2])
        steps = array_ops.shape(time_major)[0]
        if self.go_backwards:
            time_major = array_ops.reverse(time_major, [0])
        inputs_ta = TensorArray(inputs.dtype, size=steps).unstack(time_major)
        mask_ta = None
        if mask is not None:
            mask_tm = array_ops.transpose(mask, [1, 0])
            if self.go_backwards:
                mask_tm = array_ops.reverse(mask_tm, [0])
            mask_ta = TensorArray(mask.dtype, size=steps).unstack(mask_tm)
        zero = self._zero_output(inputs)
        # The sequence grows by one step per iteration (the loop relaxes its time dim to
        # None). A TensorArray would be the usual choice, but its first write fails when the
        # element shape has an unknown (batch) dim.
        sequence = array_ops.expand_dims(zero, 0)[:0]
        n = len(states)

        def cond(t, *_):
            return math_ops.less(t, steps)

        def body(t, seq, prev, *carried):
            x = inputs_ta.read(t)
            mask_t = mask_ta.read(t) if mask_ta is not None else None
            output, new_states = self._step(x, list(carried), prev, mask_t, training)
            if self.return_sequences:
                seq = array_ops.concat([seq, array_ops.expand_dims(output, 0)], 0)
            return [t + 1, seq, output] + list(new_states)

        from ops.tensor import constant
        result = control_flow.while_loop(cond, body, [constant(0), sequence, zero] + states)
        seq, last, final = result[1], result[2], list(result[3:3 + n])
        if self.return_sequences:
            seq = array_ops.transpose(seq, [1, 0, 2])
        return last, seq if self.return_sequences else None, final

    def compute_mask(self, inputs, mask=None):
        if mask is None or not self.return_sequences:
            output_mask = None
        else:
            output_mask = mask
        if self.return_state:
            return [output_mask] + [None] * _n_states(self.cell)
        return output_mask

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape)
        batch, time = (input_shape[1], input_shape[0]) if self.time_major else \
            (input_shape[0], input_shape[1])
        units = _output_size(self.cell)
        if self.return_sequences:
            out = TensorShape((time, batch, units) if self.time_major else (batch, time, units))
        else:
            out = TensorShape((batch, units))
        if not self.return_state:
            return out
        sizes = self.cell.state_size
        sizes = sizes if isinstance(sizes, (list, tuple)) else [sizes]
        return [out] + [TensorShape((batch, s)) for s in sizes]

    def get_config(self):
        from ops.keras import layers as layers_module
        config = super().get_config()
        config.update({"return_sequences": self.return_sequences,
                       "return_state": self.return_state, "go_backwards": self.go_backwards,
                       "stateful": self.stateful, "unroll": self.unroll,
                       "time_major": self.time_major})
        if type(self) is RNN:
            config["cell"] = layers_module.serialize(self.cell)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ops.keras import layers as layers_module
        config = dict(config)
        if cls is RNN:
            config["cell"] = layers_module.deserialize(config["cell"], custom_objects)
        return cls(**config)


class _CellRNN(RNN):
    """SimpleRNN / LSTM / GRU: an RNN whose cell is made from the layer's own arguments,
    so their configs are flat (``units``, ``activation``, ...), as in Keras."""

    cell_class = None
    _rnn_args = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll",
                 "time_major")
    _layer_args = ("name", "trainable", "dtype", "input_shape", "batch_input_shape",
                   "batch_size", "input_dim", "weights", "activity_regularizer", "autocast",
                   "dynamic")

    def __init__(self, units, **kwargs):
        rnn_kwargs = {k: kwargs.pop(k) for k in self._rnn_args if k in kwargs}
        layer_kwargs = {k: kwargs.pop(k) for k in self._layer_args if k in kwargs}
        kwargs.pop("zero_output_for_mask", None)
        kwargs.pop("implementation", None)
        if "input_length" in kwargs:
            length = kwargs.pop("input_length")
            if "input_dim" in layer_kwargs:
                layer_kwargs["input_shape"] = (length, layer_kwargs.pop("input_dim"))
        elif "input_dim" in layer_kwargs:
            layer_kwargs["input_shape"] = (None, layer_kwargs.pop("input_dim"))
        cell = self.cell_class(units, name=to_snake_case(self.cell_class.__name__),
                               dtype=layer_kwargs.get("dtype"),
                               trainable=layer_kwargs.get("trainable", True), **kwargs)
        super().__init__(cell, **rnn_kwargs, **layer_kwargs)

    @property
    def units(self) -> int:
        return self.cell.units

    def get_config(self):
        config = super().get_config()
        cell_config = self.cell.get_config()
        for key in ("name", "trainable", "dtype"):
            cell_config.pop(key, None)
        config.update(cell_config)
        return config


class SimpleRNN(_CellRNN):
    """A fully connected RNN: ``h_t = tanh(x_t W + h_{t-1} U + b)``.

    ``SimpleRNN(units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
    recurrent_initializer="orthogonal", bias_initializer="zeros", dropout=0.0,
    recurrent_dropout=0.0, return_sequences=False, return_state=False, go_backwards=False,
    stateful=False, ...)``.
    """
    cell_class = SimpleRNNCell


class LSTM(_CellRNN):
    """Long short-term memory over time; states ``[h, c]`` with ``return_state``.

    ``LSTM(units, activation="tanh", recurrent_activation="sigmoid", unit_forget_bias=True,
    ..., return_sequences=False, return_state=False)``.
    """
    cell_class = LSTMCell


class GRU(_CellRNN):
    """Gated recurrent unit over time (``reset_after=True`` by default, as TF 2).

    ``GRU(units, activation="tanh", recurrent_activation="sigmoid", reset_after=True, ...,
    return_sequences=False, return_state=False)``.
    """
    cell_class = GRUCell
