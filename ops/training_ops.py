"""Fused optimizer updates: one stateful op per variable and step, as TensorFlow's
``ResourceApplyAdam``.

Written with ordinary ops, an Adam step is about twenty ops per variable (casts, powers, the
two moment updates, the division, three assigns); in a small model's train step those
dispatches cost more than the arithmetic. ``ApplyAdam`` reads the variable and its two slots,
computes the same array expressions in the same order and dtype (the scalar step size in
float64, then cast), and writes the three new arrays. On the CPU the expressions run as one C
loop when a compiler is available (``training_kernels``; bitwise the same results).
Inputs are resource handles (``tracing.resource``), so it works eagerly and in graphs alike.
"""
from __future__ import annotations

import math

import numpy as np

from runtime.shapes import TensorShape
from ops import dispatch, tracing, training_kernels
from ops.declare import defop
from ops.tensor import convert_to_tensor


def _apply_adam_kernel(xp, var, m, v, grad, lr, step, beta_1, beta_2, epsilon):
    t = float(step)
    # alpha as Keras computes it, in the variable's dtype
    kind = var._v.dtype.type
    alpha = kind(float(lr) * math.sqrt(1.0 - beta_2 ** t) / (1.0 - beta_1 ** t))
    grad = xp.asarray(grad, dtype=var._v.dtype)
    if xp is np:
        done = training_kernels.adam(var._v, m._v, v._v, grad, kind(1.0 - beta_1),
                                     kind(1.0 - beta_2), alpha, kind(epsilon))
        if done is not None:
            var._v, m._v, v._v = done
            return ()
    m_new = grad - m._v
    m_new *= kind(1.0 - beta_1)
    m_new += m._v
    v_new = grad * grad
    v_new -= v._v
    v_new *= kind(1.0 - beta_2)
    v_new += v._v
    denominator = xp.sqrt(v_new)
    denominator += kind(epsilon)
    update = m_new * alpha
    update /= denominator
    var._v, m._v, v._v = var._v - update, m_new, v_new
    return ()


def _apply_adam_infer(var, m, v, grad, lr, step, **attrs):
    _check(var, grad)
    return []


def _check(var, grad) -> None:
    """``var`` and ``grad``: anything with ``dtype`` and ``shape`` (specs, tensors, variables)."""
    if grad.dtype is not var.dtype:
        raise TypeError(f"ApplyAdam: the gradient has dtype {grad.dtype.name} but the variable "
                        f"has dtype {var.dtype.name}")
    if not TensorShape(tuple(grad.shape)).is_compatible_with(tuple(var.shape)):
        raise ValueError(f"ApplyAdam: the gradient has shape {list(grad.shape)} but the variable "
                         f"has shape {list(var.shape)}")


APPLY_ADAM = defop("ApplyAdam", _apply_adam_kernel, _apply_adam_infer, stateful=True, multi=True)


def apply_adam(variable, m, v, gradient, learning_rate, step, beta_1: float, beta_2: float,
               epsilon: float) -> None:
    """One Adam step on ``variable`` with moment slots ``m`` and ``v`` (``step`` = t, from 1)."""
    gradient = convert_to_tensor(gradient)
    _check(variable, gradient)     # eager kernels skip shape rules
    dispatch.execute(APPLY_ADAM, (tracing.resource(variable), tracing.resource(m),
                                  tracing.resource(v), gradient,
                                  convert_to_tensor(learning_rate), convert_to_tensor(step)),
                     {"beta_1": float(beta_1), "beta_2": float(beta_2),
                      "epsilon": float(epsilon)})
