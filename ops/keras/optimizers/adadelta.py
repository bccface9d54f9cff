"""``Adadelta``: step sizes from running averages of squared gradients and updates."""
from __future__ import annotations

from ops import elementwise as ew
from ops.keras.optimizers.base import Optimizer

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Keras's update rule (Zeiler), scaled by ``learning_rate``::

        acc_g = rho * acc_g + (1 - rho) * g**2
        delta = -sqrt(acc_d + epsilon) / sqrt(acc_g + epsilon) * g
        acc_d = rho * acc_d + (1 - rho) * delta**2
        w = w + lr * delta
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name="adadelta",
                 **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, name=name, **kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def build(self, var_list):
        super().build(var_list)
        for slot in ("accumulated_grad", "accumulated_delta_var"):
            for v in var_list:
                self.add_variable_from_reference(v, slot)

    def update_step(self, gradient, variable, learning_rate):
        lr = ew.cast(learning_rate, variable.dtype)
        rho = self.rho
        acc_grad = self.get_slot(variable, "accumulated_grad")
        acc_delta = self.get_slot(variable, "accumulated_delta_var")
        acc_grad.assign(rho * acc_grad + (1 - rho) * ew.square(gradient))
        delta = -ew.sqrt(acc_delta + self.epsilon) * gradient / ew.sqrt(acc_grad + self.epsilon)
        acc_delta.assign(rho * acc_delta + (1 - rho) * ew.square(delta))
        variable.assign_add(lr * delta)

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
