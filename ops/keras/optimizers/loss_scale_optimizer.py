"""``LossScaleOptimizer``: loss scaling for mixed precision
(``tf.keras.mixed_precision.LossScaleOptimizer``).

Float16 gradients of a float32 loss often flush to zero. Multiplying the loss by a large
scale before differentiating scales every gradient with it; dividing the gradients by the
scale afterwards gives the true gradients. TensorFlow 2's protocol for a custom loop:

    with tf.GradientTape() as tape:
        loss = ...
        scaled_loss = optimizer.get_scaled_loss(loss)
    scaled_grads = tape.gradient(scaled_loss, variables)
    grads = optimizer.get_unscaled_gradients(scaled_grads)
    optimizer.apply_gradients(zip(grads, variables))

``apply_gradients`` takes the *unscaled* gradients. With ``dynamic=True`` (the default) it
applies them only if all are finite; otherwise it skips the step and halves the scale (not
below 1). After ``dynamic_growth_steps`` finite steps in a row the scale doubles. With
``dynamic=False`` the scale stays ``initial_scale`` and every step is applied.

Keras 3 names the same steps ``scale_loss`` and ``apply``: ``apply`` takes the *scaled*
gradients and unscales them itself. ``Model.train_step`` uses that pair, so ``fit`` works
with either optimizer; ``minimize`` scales and unscales on its own.
"""
from __future__ import annotations

from runtime import dtypes as D
from ops import elementwise as ew, reductions
from ops.array_ops import stack, where
from ops.control_flow import cond
from ops.tensor import convert_to_tensor
from ops.keras.optimizers.base import Optimizer

__all__ = ["LossScaleOptimizer"]


class LossScaleOptimizer(Optimizer):
    """Wraps ``inner_optimizer``; ``learning_rate`` and ``iterations`` are the inner one's.

    ``LossScaleOptimizer(inner_optimizer, dynamic=True, initial_scale=None,
    dynamic_growth_steps=None)``: a dynamic scale starts at ``initial_scale`` (default
    2**15) and grows after ``dynamic_growth_steps`` (default 2000) finite steps; a fixed
    scale (``dynamic=False``) needs ``initial_scale``.
    """

    def __init__(self, inner_optimizer, dynamic=True, initial_scale=None,
                 dynamic_growth_steps=None, name=None, **kwargs):
        if not isinstance(inner_optimizer, Optimizer):
            raise TypeError(f"LossScaleOptimizer: inner_optimizer must be an Optimizer, got "
                            f"{type(inner_optimizer).__name__}")
        if isinstance(inner_optimizer, LossScaleOptimizer):
            raise TypeError("LossScaleOptimizer: the inner optimizer is already a "
                            "LossScaleOptimizer; wrap the plain optimizer once")
        dynamic = bool(dynamic)
        if dynamic:
            initial_scale = 2.0 ** 15 if initial_scale is None else initial_scale
            dynamic_growth_steps = 2000 if dynamic_growth_steps is None else \
                dynamic_growth_steps
            if int(dynamic_growth_steps) < 1:
                raise ValueError(f"LossScaleOptimizer: dynamic_growth_steps must be at least "
                                 f"1, got {dynamic_growth_steps}")
        else:
            if initial_scale is None:
                raise ValueError("LossScaleOptimizer: with dynamic=False, initial_scale is "
                                 "required (the fixed loss scale)")
            if dynamic_growth_steps is not None:
                raise ValueError("LossScaleOptimizer: dynamic_growth_steps cannot be given "
                                 "with dynamic=False (a fixed scale never grows)")
        if float(initial_scale) <= 0:
            raise ValueError(f"LossScaleOptimizer: initial_scale must be positive, got "
                             f"{initial_scale}")
        super().__init__(learning_rate=0.0, name=name or "loss_scale_optimizer", **kwargs)
        # The base made a learning-rate Variable; the inner optimizer's rate is the one used.
        self._variables.remove(self._learning_rate)
        self.inner_optimizer = inner_optimizer
        self.dynamic = dynamic
        self.initial_scale = float(initial_scale)
        self.dynamic_growth_steps = int(dynamic_growth_steps) if dynamic else None
        # Finite steps since the scale last changed (stays 0 with a fixed scale).
        self.step_counter = self.add_variable((), "zeros", D.int64, "step_counter")
        self.dynamic_scale = self.add_variable((), self.initial_scale, D.float32,
                                               "dynamic_scale")

    # ---- delegated state ------------------------------------------------------------------
    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self.inner_optimizer.learning_rate = value

    lr = learning_rate

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    @property
    def loss_scale(self):
        """The current loss scale, a float32 scalar tensor."""
        return self.dynamic_scale.read_value()

    @property
    def dynamic_counter(self):
        """Finite steps since the scale last changed (None with a fixed scale)."""
        return self.step_counter if self.dynamic else None

    @property
    def variables(self) -> list:
        return [self.step_counter, self.dynamic_scale] + self.inner_optimizer.variables

    def build(self, var_list) -> None:
        self.inner_optimizer._ensure_built(var_list)
        self.built = True

    def _ensure_built(self, variables) -> None:
        self.inner_optimizer._ensure_built(variables)
        self.built = True

    # ---- scaling ------------------------------------------------------------------------------
    def get_scaled_loss(self, loss):
        """``loss * loss_scale`` (a callable loss gives a callable)."""
        if callable(loss):
            return lambda: self.get_scaled_loss(loss())
        loss = convert_to_tensor(loss)
        return loss * ew.cast(self.dynamic_scale, loss.dtype)

    scale_loss = get_scaled_loss   # Keras 3's name

    def get_unscaled_gradients(self, grads):
        """Each gradient divided by the loss scale (None stays None)."""
        reciprocal = 1.0 / self.dynamic_scale.read_value()
        return [None if g is None else _times(convert_to_tensor(g), reciprocal) for g in grads]

    # ---- applying -----------------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars, name=None, skip_gradients_aggregation=False,
                        **kwargs):
        """Apply *unscaled* gradients (``get_unscaled_gradients``' output). With a dynamic
        scale the step is skipped, and the scale halved, unless all are finite."""
        pairs = list(grads_and_vars)
        if pairs and not all(isinstance(p, (tuple, list)) and len(p) == 2 for p in pairs):
            raise TypeError("LossScaleOptimizer.apply_gradients expects (gradient, variable) "
                            "pairs, e.g. zip(grads, model.trainable_variables)")
        return self._apply_unscaled([g for g, _ in pairs], [v for _, v in pairs])

    def apply(self, grads, trainable_variables=None):
        """Apply *scaled* gradients (Keras 3's protocol, what ``Model.train_step`` uses):
        unscaled here, then as ``apply_gradients``."""
        grads = list(grads)
        variables = list(trainable_variables if trainable_variables is not None
                         else self.inner_optimizer._trainable_variables)
        return self._apply_unscaled(self.get_unscaled_gradients(grads), variables)

    def _apply_unscaled(self, grads, variables):
        pairs = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if not pairs:   # the inner optimizer's error for "no gradients"
            return self.inner_optimizer.apply(grads, variables)
        # Slots are made here, outside the cond branch below.
        self._ensure_built([v for _, v in pairs])
        tensors = [convert_to_tensor(g) for g, _ in pairs]
        step_variables = [v for _, v in pairs]
        if not self.dynamic:
            self.inner_optimizer.apply(tensors, step_variables)
            return self.iterations
        finite = reductions.reduce_all(stack(
            [reductions.reduce_all(ew.is_finite(g)) for g in tensors]))

        def finite_step():
            self.inner_optimizer.apply(tensors, step_variables)
            scale = self.dynamic_scale.read_value()
            counter = self.step_counter.read_value()
            grow = ew.greater_equal(counter + 1, self.dynamic_growth_steps)
            self.dynamic_scale.assign(where(grow, scale * 2.0, scale))
            self.step_counter.assign(where(grow, ew.zeros_like(counter), counter + 1))
            return convert_to_tensor(True)

        def skip_step():
            self.step_counter.assign(ew.zeros_like(self.step_counter.read_value()))
            self.dynamic_scale.assign(ew.maximum(self.dynamic_scale.read_value() / 2.0, 1.0))
            return convert_to_tensor(False)

        cond(finite, finite_step, skip_step)
        return self.iterations

    def minimize(self, loss, var_list, tape=None):
        """Scale ``loss``, differentiate, unscale, then ``apply_gradients``."""
        from ops.tape import GradientTape
        if callable(loss):
            with GradientTape() as tape:
                if callable(var_list):
                    var_list = var_list()
                tape.watch(var_list)
                scaled = self.get_scaled_loss(loss())
        elif tape is None:
            raise ValueError("LossScaleOptimizer.minimize: `tape` is required when a Tensor "
                             "loss is passed (or pass the loss as a callable)")
        elif tape._recording:
            scaled = self.get_scaled_loss(loss)
        else:
            with tape:   # the scaling must be recorded on the tape that saw the loss
                scaled = self.get_scaled_loss(loss)
        if callable(var_list):
            var_list = var_list()
        var_list = list(var_list)
        grads = self.get_unscaled_gradients(tape.gradient(scaled, var_list))
        return self.apply_gradients(zip(grads, var_list))

    def finalize_variable_values(self, var_list) -> None:
        self.inner_optimizer.finalize_variable_values(var_list)

    def get_config(self) -> dict:
        from ops.keras.optimizers import serialize
        return {"name": self.name, "inner_optimizer": serialize(self.inner_optimizer),
                "dynamic": self.dynamic, "initial_scale": self.initial_scale,
                "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ops.keras.optimizers import deserialize
        config = dict(config)
        config["inner_optimizer"] = deserialize(config["inner_optimizer"], custom_objects)
        return cls(**config)


def _times(g, factor):
    """``g * factor`` in ``g``'s dtype (float16 gradients stay float16)."""
    return g * ew.cast(factor, g.dtype)
