"""``Model``: a ``Layer`` that trains (``tf.keras.Model``).

Three ways to make one, as in Keras:

- subclassing: define layers in ``__init__`` and the forward pass in ``call``;
- functional: ``Model(inputs, outputs)`` on KerasTensors from ``ag.keras.Input`` (the graph
  is held in ``_network``; see ``functional.py``);
- ``Sequential`` (``sequential.py``).

``compile`` resolves the optimizer, losses and metrics (unknown names fail here, listing the
valid ones). ``fit``/``evaluate``/``predict`` run ``train_step``/``test_step``/
``predict_step`` once per batch; each step is traced once per batch shape with ``ag.function``
(``run_eagerly=True`` calls it as Python), and user overrides of the steps are converted by
AutoGraph like ``call`` is, so ``if`` on tensors inside them becomes graph control flow. The
loops themselves (``training_loops.py``) run in Python between steps, calling callbacks.
"""
from __future__ import annotations

import warnings

from runtime import dtypes as D
from runtime import nest
from runtime.graph import Graph
from ops.context import state
from ops.tape import GradientTape
from ops.tensor import Tensor
from ops.tensor_spec import TensorSpec
from ops.tracing import Tracer, symbolic
from ops.keras import optimizers as optimizers_mod
from ops.keras import losses as losses_mod
from ops.keras import metrics as metrics_mod
from ops.keras.layers import base as base_layer
from ops.keras.layers.base import Layer, _map_shapes
from ops.keras.engine import compile_utils, functional, training_loops
from ops.keras.engine.data_adapter import unpack_x_y_sample_weight
from ops.keras.engine.keras_tensor import KerasTensor

__all__ = ["Model"]

_COMPILE_KWARGS = frozenset({"experimental_steps_per_execution", "sample_weight_mode",
                             "target_tensors", "distribute", "pss_evaluation_shards"})


def _graph_args(args, kwargs):
    """(inputs, outputs) when ``Model(...)`` is called the functional way, else None."""
    if "inputs" in kwargs and "outputs" in kwargs:
        return kwargs["inputs"], kwargs["outputs"]
    if len(args) == 2:
        return args
    if len(args) == 1 and "outputs" in kwargs:
        return args[0], kwargs["outputs"]
    return None


def convert_user_method(method):
    """``method`` converted by AutoGraph while tracing when it is user code (as
    ``Layer.__call__`` converts ``call``)."""
    convert = base_layer._call_converter
    if convert is None or state.graph is None:
        return method
    fn = getattr(method, "__func__", method)
    module = getattr(fn, "__module__", "") or ""
    if module.partition(".")[0] == "ops" or getattr(fn, "__ag_do_not_convert__", False):
        return method
    return convert(method)


class Model(Layer):
    """``Model(inputs, outputs, name=None)`` (functional) or a subclass with ``call``."""

    # Training state is not part of the weights, nor saved as the model's objects.
    _TF_MODULE_IGNORED_PROPERTIES = Layer._TF_MODULE_IGNORED_PROPERTIES | frozenset({
        "compiled_loss", "compiled_metrics", "loss", "train_function", "test_function",
        "predict_function", "_step_functions", "history", "stop_training", "_network",
        "inputs", "outputs", "_compile_config", "_inbound_nodes",
    })

    def __new__(cls, *args, **kwargs):
        if cls is Model and _graph_args(args, kwargs) is not None:
            from ops.keras.engine.functional_model import Functional
            return object.__new__(Functional)
        return object.__new__(cls)

    def __init__(self, *args, **kwargs):
        graph = _graph_args(args, kwargs)
        if graph is not None:
            kwargs.pop("inputs", None)
            kwargs.pop("outputs", None)
            args = ()
        if args:
            raise TypeError(f"{type(self).__name__}: unexpected positional arguments; use "
                            "Model(inputs, outputs) or keyword arguments")
        super().__init__(**kwargs)
        self._network = None
        self.inputs = None
        self.outputs = None
        self._is_compiled = False
        self.optimizer = None
        self.compiled_loss = None
        self.compiled_metrics = None
        self.loss = None
        self._run_eagerly = None
        self._jit_compile = None
        self._step_functions: dict = {}
        self.train_function = None
        self.test_function = None
        self.predict_function = None
        self.stop_training = False
        self.history = None
        self._in_call_build = False
        if graph is not None:
            self._init_network(*graph)

    # ---- functional graph -------------------------------------------------------------------
    def _init_network(self, inputs, outputs) -> None:
        network = functional.Network(inputs, outputs, self.name)
        # Assigned first among layer-holding attributes: the weights follow the graph's order.
        self._layers = list(network.layers)
        self._network = network
        self.inputs = list(network.inputs)
        self.outputs = list(network.outputs)
        self._build_input_shape = nest.map_structure(
            lambda t: t.shape, network.nested_inputs) if not isinstance(
            network.nested_inputs, KerasTensor) else network.nested_inputs.shape
        self.built = True

    @property
    def layers(self) -> list:
        if self._network is not None:
            return list(self._network.layers)
        return list(self._flatten_layers(include_self=False, recursive=False))

    def get_layer(self, name=None, index=None):
        """A layer of this model by ``name`` or by ``index`` in ``layers``."""
        layers = self.layers
        if index is not None and name is not None:
            raise ValueError("Provide only a layer name or a layer index, not both")
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only "
                                 f"has {len(layers)} layers")
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: "
                         f"{[layer.name for layer in layers]}")

    @property
    def output_names(self):
        if self._network is not None:
            return list(self._network.output_names)
        return None

    @property
    def input_names(self):
        return list(self._network.input_names) if self._network is not None else None

    @property
    def input_shape(self):
        if self._network is None:
            raise AttributeError(f'Model "{self.name}" has no defined input shape (it is not a '
                                 "functional or built Sequential model)")
        shapes = [tuple(t.shape) for t in self._network.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        if self._network is None:
            raise AttributeError(f'Model "{self.name}" has no defined output shape (it is not '
                                 "a functional or built Sequential model)")
        shapes = [tuple(t.shape) for t in self._network.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def call(self, inputs, training=None, mask=None):
        if self._network is not None:
            return functional.run(self._network, inputs, self.name, mask=mask)
        raise NotImplementedError(f'Model "{self.name}" ({type(self).__name__}) has no call(): '
                                  "subclasses of Model must implement call(inputs)")

    # ---- building ----------------------------------------------------------------------------
    def build(self, input_shape) -> None:
        """Create the weights by running ``call`` on placeholders of ``input_shape`` (a shape
        with the batch dim, or a list/dict of them)."""
        if self._network is not None or self._in_call_build:
            self.built = True
            return
        if input_shape is None:
            raise ValueError("Input shape must be defined when calling build() on a Model "
                             "subclass")
        if type(self).call is Model.call:
            raise NotImplementedError(f'Model "{self.name}": build() needs call() to be '
                                      "implemented")
        graph = Graph(f"{self.name}_build")
        with Tracer(graph):
            placeholders = _map_shapes(
                lambda s: symbolic(graph.add_input(D.as_dtype(self.compute_dtype),
                                                   tuple(s), "inputs")), input_shape)
            self(placeholders)
        for layer in self._flatten_layers():
            layer._call_losses = []
        self._build_input_shape = input_shape
        self.built = True

    def _convert_inputs(self, inputs):
        inputs = super()._convert_inputs(inputs)
        if not self.built:
            # The first call's inputs (batch size open): what model.save traces for.
            self._saved_input_spec = nest.map_structure(
                lambda t: TensorSpec((None,) + tuple(t.shape)[1:], t.dtype)
                if isinstance(t, Tensor) and t.shape.rank else t, inputs)
        return inputs

    def _maybe_build(self, input_shapes, scoped: bool = False) -> None:
        if self.built:
            return
        if not scoped:
            return super()._maybe_build(input_shapes, scoped)
        # Called by __call__: the call that follows creates the weights; a user's own build
        # still runs first (and Model.build inside it does nothing more).
        self._in_call_build = True
        try:
            if type(self).build is not Model.build:
                super()._maybe_build(input_shapes, scoped)
        finally:
            self._in_call_build = False
        self.built = True
        self._build_input_shape = input_shapes

    # ---- compiling ---------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                weighted_metrics=None, run_eagerly=None, steps_per_execution=None,
                jit_compile=None, **kwargs):
        """Configure training: ``optimizer`` (a name such as ``"adam"`` or an Optimizer),
        ``loss`` (a name, a Loss, a function, or a list/dict per output), ``metrics`` (names,
        Metrics or functions; a list, or a list/dict per output), ``loss_weights``,
        ``run_eagerly`` (run steps as Python) and ``jit_compile`` (passed to ag.function).
        ``steps_per_execution`` is accepted; each call still runs one step."""
        unknown = set(kwargs) - _COMPILE_KWARGS
        if unknown:
            raise TypeError(f"Invalid keyword argument(s) in `compile()`: {sorted(unknown)}. "
                            "Valid keyword arguments include optimizer, loss, metrics, "
                            "loss_weights, weighted_metrics, run_eagerly, steps_per_execution "
                            "and jit_compile")
        optimizer = optimizers_mod.get(optimizer)
        if self._dtype_policy.name == "mixed_float16" and not isinstance(
                optimizer, optimizers_mod.LossScaleOptimizer):
            # As Keras: float16 gradients need loss scaling, so a mixed model gets it.
            optimizer = optimizers_mod.LossScaleOptimizer(optimizer)
        for entry in nest.flatten(loss) if isinstance(loss, (list, tuple, dict)) else [loss]:
            if entry is not None:
                losses_mod.get(entry)          # unknown names fail now, listing valid ones
        compile_utils.validate_metrics(metrics)
        compile_utils.validate_metrics(weighted_metrics, "weighted_metrics")
        names = self._output_names_for_compile()
        self.optimizer = optimizer
        self.loss = loss
        self.compiled_loss = compile_utils.LossesContainer(loss, loss_weights, names)
        self.compiled_metrics = compile_utils.MetricsContainer(metrics, weighted_metrics, names)
        self._run_eagerly = run_eagerly
        self._jit_compile = jit_compile
        self._compile_config = {"loss": loss, "metrics": metrics, "loss_weights": loss_weights,
                                "weighted_metrics": weighted_metrics}
        self._reset_step_functions()
        self._is_compiled = True

    def _output_names_for_compile(self):
        return self.output_names

    def _reset_step_functions(self) -> None:
        self._step_functions = {}
        self.train_function = self.test_function = self.predict_function = None

    @property
    def run_eagerly(self) -> bool:
        return bool(self._run_eagerly) or self.dynamic

    @run_eagerly.setter
    def run_eagerly(self, value) -> None:
        self._run_eagerly = value
        self._reset_step_functions()

    @property
    def jit_compile(self):
        return self._jit_compile

    @property
    def distribute_strategy(self):
        return None

    def _assert_compile_was_called(self, what: str) -> None:
        if not self._is_compiled:
            raise RuntimeError(f"You must compile your model before training/testing. Use "
                               f"`model.compile(optimizer, loss)` before `{what}`.")

    # ---- metrics -----------------------------------------------------------------------------
    @property
    def metrics(self) -> list:
        """The compiled loss trackers and metrics (once a step has run), then Metric objects
        held as attributes of this model or its layers."""
        found = []
        if self._is_compiled:
            found.extend(self.compiled_loss.metrics)
            found.extend(self.compiled_metrics.metrics)
        seen = {id(m) for m in found}
        from ops.module import _leaves
        for layer in self._flatten_layers():
            ignored = layer._TF_MODULE_IGNORED_PROPERTIES
            for key, value in vars(layer).items():
                if key in ignored:
                    continue
                if isinstance(value, metrics_mod.Metric):
                    leaves = (value,)
                elif isinstance(value, (list, tuple, dict)) and value:
                    leaves = _leaves(value)
                else:
                    continue
                for leaf in leaves:
                    if isinstance(leaf, metrics_mod.Metric) and id(leaf) not in seen:
                        seen.add(id(leaf))
                        found.append(leaf)
        return found

    @property
    def metrics_names(self) -> list:
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        for m in self.metrics:
            m.reset_state()

    # ---- the steps ---------------------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
        """The total loss of a batch: the compiled losses plus the model's ``losses``
        (regularization); updates the ``loss`` tracker."""
        del x
        return self.compiled_loss(y, y_pred, sample_weight,
                                  regularization_losses=self.losses)

    def compute_metrics(self, x, y, y_pred, sample_weight):
        """Update the compiled metrics; returns ``get_metrics_result()``."""
        del x
        self.compiled_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self) -> dict:
        """``{name: result}`` of every metric in ``metrics`` (dict results are merged)."""
        results = {}
        for m in self.metrics:
            value = m.result()
            if isinstance(value, dict):
                results.update(value)
            else:
                results[m.name] = value
        return results

    def train_step(self, data):
        """One optimization step on ``data`` (``(x, y)`` or ``(x, y, sample_weight)``):
        forward, loss, gradients, ``apply_gradients``; returns the metrics' results."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight)
            scaled = self.optimizer.scale_loss(loss)
        variables = self.trainable_variables
        if variables:
            grads = tape.gradient(scaled, variables)
            # ``apply`` takes gradients of the scaled loss (Keras 3's protocol); a
            # LossScaleOptimizer's ``apply_gradients`` (TF 2's) wants them unscaled.
            self.optimizer.apply(grads, variables)
        else:
            warnings.warn(f'Model "{self.name}": the list of trainable weights is empty (are '
                          "all layers frozen?); fit computes the loss and metrics but changes "
                          "nothing", stacklevel=2)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data):
        """Forward pass, loss and metrics on ``data``, no update."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        self.compute_loss(x, y, y_pred, sample_weight)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        """The model's outputs for the ``x`` of ``data``."""
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def _step_function(self, kind: str, structure):
        """The function running ``<kind>_step`` on a batch given as flat tensors: traced
        with ag.function (one per batch structure), or plain Python with run_eagerly."""
        key = (kind, _structure_key(structure), self.run_eagerly)
        fn = self._step_functions.get(key)
        if fn is not None:
            return fn
        method_name = f"{kind}_step"

        def run_step(*flat):
            data = nest.pack_sequence_as(structure, list(flat))
            return convert_user_method(getattr(self, method_name))(data)

        run_step.__name__ = f"{kind}_function"
        if not self.run_eagerly:
            from autograph.function import function
            fn = function(run_step, autograph=False, jit_compile=self._jit_compile)
        else:
            fn = run_step
        self._step_functions[key] = fn
        setattr(self, f"{kind}_function", fn)
        return fn

    def make_train_function(self, force=False):
        """The train function for ``(x, y)`` batches (Keras API; ``fit`` makes its own per
        batch structure)."""
        return self.train_function

    # ---- loops (training_loops.py) -----------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1, max_queue_size=10, workers=1,
            use_multiprocessing=False):
        """Train for ``epochs`` epochs on NumPy arrays/tensors (``x``, ``y``, batched by
        ``batch_size``, default 32) or an ``ag.data.Dataset``/iterator of batches. Returns the
        ``History``."""
        return training_loops.fit(
            self, x, y, batch_size=batch_size, epochs=epochs, verbose=verbose,
            callbacks=callbacks, validation_split=validation_split,
            validation_data=validation_data, shuffle=shuffle, class_weight=class_weight,
            sample_weight=sample_weight, initial_epoch=initial_epoch,
            steps_per_epoch=steps_per_epoch, validation_steps=validation_steps,
            validation_batch_size=validation_batch_size, validation_freq=validation_freq)

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, max_queue_size=10, workers=1,
                 use_multiprocessing=False, return_dict=False, **kwargs):
        """The loss and metrics on the data: a float (loss only), a list ``[loss, metric,
        ...]`` in ``metrics_names`` order, or a dict with ``return_dict=True``."""
        if kwargs:
            raise TypeError(f"Invalid keyword argument(s) in `evaluate()`: {sorted(kwargs)}")
        return training_loops.evaluate(self, x, y, batch_size=batch_size, verbose=verbose,
                                       sample_weight=sample_weight, steps=steps,
                                       callbacks=callbacks, return_dict=return_dict)

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None,
                max_queue_size=10, workers=1, use_multiprocessing=False):
        """The outputs for ``x``, batch by batch (default 32), as NumPy arrays concatenated
        along the batch axis (nested like the model's outputs)."""
        return training_loops.predict(self, x, batch_size=batch_size, verbose=verbose,
                                      steps=steps, callbacks=callbacks)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       reset_metrics=True, return_dict=False):
        """One ``train_step`` on one batch; the metrics' values after it."""
        return training_loops.on_batch(self, "train", x, y, sample_weight, class_weight,
                                       reset_metrics, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True,
                      return_dict=False):
        return training_loops.on_batch(self, "test", x, y, sample_weight, None, reset_metrics,
                                       return_dict)

    def predict_on_batch(self, x):
        return training_loops.predict_on_batch(self, x)

    # ---- summary, weights and saving ---------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Print a table of the layers: name (type), output shape, parameter count; then the
        totals. ``print_fn`` receives each line (default ``print``)."""
        from ops.keras.engine import summary
        summary.print_summary(self, line_length=line_length, positions=positions,
                              print_fn=print_fn, expand_nested=expand_nested,
                              show_trainable=show_trainable, layer_range=layer_range)

    def save_weights(self, filepath, overwrite=True, save_format=None, options=None):
        """Write the weights to ``filepath`` (one file, written atomically)."""
        from ops.keras.engine import saving
        saving.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, by_name=False, skip_mismatch=False, options=None):
        """Read weights written by ``save_weights``. A file for another architecture raises
        ValueError naming the layer, the weight and both shapes; nothing is changed then."""
        from ops.keras.engine import saving
        return saving.load_weights(self, filepath, by_name=by_name,
                                   skip_mismatch=skip_mismatch)

    def save(self, filepath, overwrite=True, include_optimizer=True, save_format=None,
             signatures=None, options=None, save_traces=True):
        """Save in the saved_model format: the forward pass traced for the model's input
        shape (``serving_default``), the weights, and (for functional and Sequential models)
        the config, so ``ag.keras.models.load_model`` rebuilds a Keras model."""
        from ops.keras.engine import saving
        saving.save_model(self, filepath, overwrite=overwrite,
                          include_optimizer=include_optimizer, signatures=signatures)

    def to_json(self, **kwargs) -> str:
        from ops.keras.engine import saving
        return saving.model_to_json(self, **kwargs)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _structure_key(structure):
    """A hashable description of a batch's nesting (leaves replaced by their kind)."""
    if isinstance(structure, dict):
        return ("dict",) + tuple((k, _structure_key(structure[k])) for k in sorted(structure))
    if isinstance(structure, (list, tuple)):
        return (type(structure).__name__,) + tuple(_structure_key(v) for v in structure)
    if structure is None:
        return None
    return "*"

