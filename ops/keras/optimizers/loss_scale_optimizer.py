"""``LossScaleOptimizer``: dynamic loss scaling for mixed precision
(``tf.keras.mixed_precision.LossScaleOptimizer``), with Keras 3's protocol.

The training step multiplies the loss by ``scale_loss`` before differentiating, so small
float16 gradients do not flush to zero, and passes the *scaled* gradients to
``apply_gradients``. If they are all finite, they are divided by the scale and handed to the
inner optimizer, and after ``dynamic_growth_steps`` such steps in a row the scale doubles; if
any is inf or NaN, the step is skipped and the scale halves.
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
    """Wraps ``inner_optimizer``; ``learning_rate`` and ``iterations`` are the inner one's."""

    def __init__(self, inner_optimizer, initial_scale=2.0 ** 15, dynamic_growth_steps=2000,
                 name=None, **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError("LossScaleOptimizer no longer supports `dynamic=False`; set "
                             "`loss_scale_factor` on the inner optimizer instead")
        if not isinstance(inner_optimizer, Optimizer):
            raise TypeError(f"LossScaleOptimizer: inner_optimizer must be an Optimizer, got "
                            f"{type(inner_optimizer).__name__}")
        super().__init__(learning_rate=0.0, name=name or "loss_scale_optimizer", **kwargs)
        # The base made a learning-rate Variable; the inner optimizer's rate is the one used.
        self._variables.remove(self._learning_rate)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = float(initial_scale)
        self.dynamic_growth_steps = int(dynamic_growth_steps)
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
    def variables(self) -> list:
        return [self.step_counter, self.dynamic_scale] + self.inner_optimizer.variables

    def build(self, var_list) -> None:
        self.inner_optimizer._ensure_built(var_list)
        self.built = True

    def _ensure_built(self, variables) -> None:
        self.inner_optimizer._ensure_built(variables)
        self.built = True

    # ---- scaling ------------------------------------------------------------------------------
    def scale_loss(self, loss):
        loss = convert_to_tensor(loss)
        return loss * ew.cast(self.dynamic_scale, loss.dtype)

    def apply(self, grads, trainable_variables=None):
        """Apply *scaled* gradients: unscaled and applied if all are finite, else skipped."""
        grads = list(grads)
        variables = list(trainable_variables if trainable_variables is not None
                         else self.inner_optimizer._trainable_variables)
        pairs = [(g, v) for g, v in zip(grads, variables) if g is not None]
        # Slots are made here, outside the cond branch below.
        self._ensure_built([v for _, v in pairs])
        tensors = [convert_to_tensor(g) for g, _ in pairs]
        finite = reductions.reduce_all(stack(
            [reductions.reduce_all(ew.is_finite(g)) for g in tensors]))

        def finite_step():
            scale = self.dynamic_scale.read_value()
            self.inner_optimizer.apply([g / ew.cast(scale, g.dtype) for g in tensors],
                                       [v for _, v in pairs])
            grow = ew.greater_equal(self.step_counter + 1, self.dynamic_growth_steps)
            counter = self.step_counter.read_value()
            self.dynamic_scale.assign(where(grow, scale * 2.0, scale))
            self.step_counter.assign(where(grow, ew.zeros_like(counter), counter + 1))
            return convert_to_tensor(True)

        def skip_step():
            self.step_counter.assign(ew.zeros_like(self.step_counter.read_value()))
            self.dynamic_scale.assign(self.dynamic_scale / 2.0)
            return convert_to_tensor(False)

        cond(finite, finite_step, skip_step)
        return self.iterations

    def finalize_variable_values(self, var_list) -> None:
        self.inner_optimizer.finalize_variable_values(var_list)

    def get_config(self) -> dict:
        from ops.keras.optimizers import serialize
        return {"name": self.name, "inner_optimizer": serialize(self.inner_optimizer),
                "initial_scale": self.initial_scale,
                "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ops.keras.optimizers import deserialize
        config = dict(config)
        config["inner_optimizer"] = deserialize(config["inner_optimizer"], custom_objects)
        return cls(**config)
