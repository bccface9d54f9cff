"""``Adamax``: Adam with the infinity norm in place of the second moment."""
from __future__ import annotations

from ops import elementwise as ew
from ops.keras.optimizers.base import Optimizer

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Keras's update rule, step ``t = iterations + 1``::

        m = m + (g - m) * (1 - beta_1)
        u = max(beta_2 * u, |g|)
        w = w - lr * m / ((1 - beta_1**t) * (u + epsilon))
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="adamax", **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, var_list):
        super().build(var_list)
        for slot in ("m", "u"):
            for v in var_list:
                self.add_variable_from_reference(v, slot)

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        lr = ew.cast(learning_rate, dtype)
        step = ew.cast(self._step_count(), dtype)
        beta_1_power = ew.pow(ew.cast(self.beta_1, dtype), step)
        m = self.get_slot(variable, "m")
        u = self.get_slot(variable, "u")
        m.assign_add((gradient - m) * (1 - self.beta_1))
        u.assign(ew.maximum(self.beta_2 * u, ew.abs(gradient)))
        variable.assign_sub(lr * m / ((1 - beta_1_power) * (u + self.epsilon)))

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
