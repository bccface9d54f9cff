"""``Adam`` and ``AdamW`` (Adam with decoupled weight decay)."""
from __future__ import annotations

from ops import elementwise as ew, training_ops
from ops.keras.optimizers.base import Optimizer

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Keras's update rule (Kingma & Ba, with epsilon outside the square root), step
    ``t = iterations + 1``::

        m = m + (g - m) * (1 - beta_1)
        v = v + (g**2 - v) * (1 - beta_2)
        v_hat = max(v_hat, v)                    (amsgrad only; then v_hat replaces v)
        w = w - lr * sqrt(1 - beta_2**t) / (1 - beta_1**t) * m / (sqrt(v) + epsilon)
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name="adam", **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = bool(amsgrad)

    def build(self, var_list):
        super().build(var_list)
        slots = ("momentum", "velocity") + (("velocity_hat",) if self.amsgrad else ())
        # Slot by slot, as Keras orders ``optimizer.variables``.
        for slot in slots:
            for v in var_list:
                self.add_variable_from_reference(v, slot)

    def update_step(self, gradient, variable, learning_rate):
        if not self.amsgrad and all(isinstance(b, (int, float)) for b in
                                    (self.beta_1, self.beta_2, self.epsilon)):
            # one fused op per variable (ops/training_ops.py); same arithmetic as below
            training_ops.apply_adam(variable, self.get_slot(variable, "momentum"),
                                    self.get_slot(variable, "velocity"), gradient, learning_rate,
                                    self._step_count(), self.beta_1, self.beta_2, self.epsilon)
            return
        dtype = variable.dtype
        lr = ew.cast(learning_rate, dtype)
        step = ew.cast(self._step_count(), dtype)
        beta_1_power = ew.pow(ew.cast(self.beta_1, dtype), step)
        beta_2_power = ew.pow(ew.cast(self.beta_2, dtype), step)
        m = self.get_slot(variable, "momentum")
        v = self.get_slot(variable, "velocity")
        alpha = lr * ew.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        m.assign_add((gradient - m) * (1 - self.beta_1))
        v.assign_add((ew.square(gradient) - v) * (1 - self.beta_2))
        if self.amsgrad:
            v_hat = self.get_slot(variable, "velocity_hat")
            v_hat.assign(ew.maximum(v_hat, v))
            v = v_hat
        variable.assign_sub((m * alpha) / (ew.sqrt(v) + self.epsilon))

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "amsgrad": self.amsgrad})
        return config


class AdamW(Adam):
    """Adam plus decoupled weight decay: before each update ``w = w - w * weight_decay * lr``
    (skipping variables passed to ``exclude_from_weight_decay``)."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name="adamw", **kwargs):
        if weight_decay is None:
            raise ValueError("AdamW: argument `weight_decay` must be a float. Received: "
                             "weight_decay=None")
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, name=name, **kwargs)
