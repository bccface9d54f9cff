"""``Nadam``: Adam with Nesterov momentum (Dozat), with Keras's momentum schedule."""
from __future__ import annotations

from ops import elementwise as ew
from ops.variables import Variable, init_scope
from ops.keras.optimizers.base import Optimizer

__all__ = ["Nadam"]

_DECAY = 0.96  # the momentum-schedule decay Keras uses


class Nadam(Optimizer):
    """Keras's update rule, step ``t = iterations + 1``,
    ``mu_t = beta_1 * (1 - 0.5 * 0.96**t)`` and ``P_t`` the product of ``mu_1 .. mu_t``
    (one per optimizer, advanced once per step)::

        m = m + (g - m) * (1 - beta_1)
        v = v + (g**2 - v) * (1 - beta_2)
        m_hat = mu_{t+1} * m / (1 - P_t * mu_{t+1}) + (1 - mu_t) * g / (1 - P_t)
        v_hat = v / (1 - beta_2**t)
        w = w - lr * m_hat / (sqrt(v_hat) + epsilon)
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="nadam", **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self._u_product = None

    def build(self, var_list):
        super().build(var_list)
        if self._u_product is None and var_list:
            with init_scope():
                # In the first variable's dtype, as Keras does.
                self._u_product = Variable(1.0, dtype=var_list[0].dtype, trainable=False,
                                           name="u_product")
            self._variables.append(self._u_product)
        for slot in ("momentum", "velocity"):
            for v in var_list:
                self.add_variable_from_reference(v, slot)

    def _step(self, grads, variables):
        dtype = self._u_product.dtype
        step = ew.cast(self._step_count(), dtype)
        self._u_product.assign(
            self._u_product * self.beta_1 * (1.0 - 0.5 * ew.pow(ew.cast(_DECAY, dtype), step)))
        super()._step(grads, variables)

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        lr = ew.cast(learning_rate, dtype)
        step = ew.cast(self._step_count(), dtype)
        decay = ew.cast(_DECAY, dtype)
        u_t = self.beta_1 * (1.0 - 0.5 * ew.pow(decay, step))
        u_t_1 = self.beta_1 * (1.0 - 0.5 * ew.pow(decay, step + 1))
        u_product_t = ew.cast(self._u_product, dtype)
        u_product_t_1 = u_product_t * u_t_1
        beta_2_power = ew.pow(ew.cast(self.beta_2, dtype), step)
        m = self.get_slot(variable, "momentum")
        v = self.get_slot(variable, "velocity")
        m.assign_add((gradient - m) * (1 - self.beta_1))
        v.assign_add((ew.square(gradient) - v) * (1 - self.beta_2))
        m_hat = u_t_1 * m / (1 - u_product_t_1) + (1 - u_t) * gradient / (1 - u_product_t)
        v_hat = v / (1 - beta_2_power)
        variable.assign_sub(m_hat * lr / (ew.sqrt(v_hat) + self.epsilon))

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
