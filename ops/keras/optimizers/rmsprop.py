"""``RMSprop``: divide the gradient by a running root-mean-square of its magnitude."""
from __future__ import annotations

from ops import elementwise as ew
from ops.keras.optimizers.base import Optimizer

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """Keras's update rule (epsilon inside the square root)::

        v = rho * v + (1 - rho) * g**2
        a = rho * a + (1 - rho) * g             (centered only)
        d = v - a**2 + epsilon if centered else v + epsilon
        inc = lr * g / sqrt(d)
        m = momentum * m + inc; w = w - m       (momentum > 0; else w = w - inc)
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name="rmsprop", **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, name=name, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = bool(centered)

    def build(self, var_list):
        super().build(var_list)
        slots = ("velocity",) + (("momentum",) if self.momentum > 0 else ()) + (
            ("average_gradient",) if self.centered else ())
        for slot in slots:
            for v in var_list:
                self.add_variable_from_reference(v, slot)

    def update_step(self, gradient, variable, learning_rate):
        lr = ew.cast(learning_rate, variable.dtype)
        rho = self.rho
        velocity = self.get_slot(variable, "velocity")
        velocity.assign(rho * velocity + (1 - rho) * ew.square(gradient))
        if self.centered:
            average = self.get_slot(variable, "average_gradient")
            average.assign(rho * average + (1 - rho) * gradient)
            denominator = velocity - ew.square(average) + self.epsilon
        else:
            denominator = velocity + self.epsilon
        increment = lr * gradient / ew.sqrt(denominator)
        if self.momentum > 0:
            m = self.get_slot(variable, "momentum")
            m.assign(self.momentum * m + increment)
            variable.assign_sub(m)
        else:
            variable.assign_sub(increment)

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                       "centered": self.centered})
        return config
