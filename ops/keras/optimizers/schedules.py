"""Learning-rate schedules (``tf.keras.optimizers.schedules``): ``schedule(step) -> rate``.

An optimizer created with a schedule evaluates it at its ``iterations`` Variable on every
step, so the rate follows the step count inside traced train steps too. The formulas are
Keras's; each is written with ops so ``step`` may be a Python number, a tensor or a Variable.
"""
from __future__ import annotations

import math

from runtime import dtypes as D
from ops import array_ops, elementwise as ew
from ops.tensor import convert_to_tensor

__all__ = ["LearningRateSchedule", "ExponentialDecay", "PiecewiseConstantDecay",
           "PolynomialDecay", "InverseTimeDecay", "CosineDecay", "CosineDecayRestarts",
           "serialize", "deserialize"]


def _float(value, dtype=None):
    """``value`` (number, tensor or Variable) as a float tensor; ints become float32."""
    t = convert_to_tensor(value)
    target = dtype or (t.dtype if t.dtype.is_floating else D.float32)
    return t if t.dtype is target else ew.cast(t, target)


class LearningRateSchedule:
    """Base class: subclasses define ``__call__(step)`` and ``get_config()``."""

    def __call__(self, step):
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(step)")

    def get_config(self) -> dict:
        raise NotImplementedError(f"{type(self).__name__} must implement get_config()")

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"


class _StepDecay(LearningRateSchedule):
    """Decays driven by ``step / decay_steps`` (floored with ``staircase``) and ``decay_rate``."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name=None):
        name = name or type(self).__name__
        if decay_steps <= 0:
            raise ValueError(f"{name}: decay_steps must be > 0, got {decay_steps}")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def _start(self, step):
        """(initial rate, progress in units of decay_steps, decay rate) as float tensors."""
        lr = _float(self.initial_learning_rate)
        p = _float(step, lr.dtype) / _float(self.decay_steps, lr.dtype)
        if self.staircase:
            p = ew.floor(p)
        return lr, p, _float(self.decay_rate, lr.dtype)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_StepDecay):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``; with ``staircase`` the
    exponent is floored, so the rate drops every ``decay_steps`` steps."""

    def __call__(self, step):
        lr, p, rate = self._start(step)
        return lr * ew.pow(rate, p)


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i-1] < step <= boundaries[i]``, ``values[-1]`` after the last boundary."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        boundaries, values = list(boundaries), list(values)
        if len(values) != len(boundaries) + 1:
            raise ValueError("PiecewiseConstantDecay: the length of boundaries should be 1 less "
                             f"than the length of values; got {len(boundaries)} boundaries and "
                             f"{len(values)} values")
        if any(b2 < b1 for b1, b2 in zip(boundaries, boundaries[1:])):
            raise ValueError(f"PiecewiseConstantDecay: boundaries must be increasing, got "
                             f"{boundaries}")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        values = [_float(v) for v in self.values]
        step = convert_to_tensor(step)
        rate = values[0]
        # Boundaries are increasing, so later ``where``s override earlier ones.
        for boundary, value in zip(self.boundaries, values[1:]):
            past = ew.greater(step, ew.cast(boundary, step.dtype))
            rate = array_ops.where(past, value, rate)
        return rate

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """``(initial - end) * (1 - step / decay_steps) ** power + end``, with ``step`` held at
    ``decay_steps`` (or, with ``cycle``, ``decay_steps`` stretched to the next multiple)."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):
        if decay_steps <= 0:
            raise ValueError(f"PolynomialDecay: decay_steps must be > 0, got {decay_steps}")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        lr = _float(self.initial_learning_rate)
        end = _float(self.end_learning_rate, lr.dtype)
        step = _float(step, lr.dtype)
        decay_steps = _float(self.decay_steps, lr.dtype)
        if self.cycle:
            # At step 0 the multiplier is 1 (not 0), so the first cycle is decay_steps long.
            multiplier = array_ops.where(ew.equal(step, 0), ew.ones_like(step),
                                         ew.ceil(step / decay_steps))
            decay_steps = decay_steps * multiplier
        else:
            step = ew.minimum(step, decay_steps)
        fraction = step / decay_steps
        return (lr - end) * ew.pow(1 - fraction, _float(self.power, lr.dtype)) + end

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


class InverseTimeDecay(_StepDecay):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)`` (floored ratio with
    ``staircase``)."""

    def __call__(self, step):
        lr, p, rate = self._start(step)
        return lr / (1 + rate * p)


class CosineDecay(LearningRateSchedule):
    """Cosine decay from ``initial_learning_rate`` to ``alpha * initial`` over
    ``decay_steps``, optionally after a linear warmup to ``warmup_target`` over
    ``warmup_steps`` (the decay then starts from ``warmup_target``)."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        if decay_steps <= 0:
            raise ValueError(f"CosineDecay: decay_steps must be > 0, got {decay_steps}")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def _decay(self, step, decay_steps, decay_from):
        cosine = 0.5 * (1.0 + ew.cos(math.pi * (step / decay_steps)))
        return decay_from * ((1 - self.alpha) * cosine + self.alpha)

    def __call__(self, step):
        lr = _float(self.initial_learning_rate)
        decay_steps = _float(self.decay_steps, lr.dtype)
        step = _float(step, lr.dtype)
        if self.warmup_target is None:
            return self._decay(ew.minimum(step, decay_steps), decay_steps, lr)
        target = _float(self.warmup_target, lr.dtype)
        warmup_steps = _float(self.warmup_steps, lr.dtype)
        step = ew.minimum(step, decay_steps + warmup_steps)
        # max(warmup_steps, 1): the warmup branch is only chosen when step < warmup_steps,
        # but both branches are computed, and 0/0 would be NaN.
        warm = (target - lr) * (step / ew.maximum(warmup_steps, 1.0)) + lr
        decayed = self._decay(step - warmup_steps, decay_steps, target)
        return array_ops.where(ew.less(step, warmup_steps), warm, decayed)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """SGDR cosine decay with warm restarts: period ``first_decay_steps`` multiplied by
    ``t_mul`` after each restart, peak rate multiplied by ``m_mul``."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name="SGDRDecay"):
        if first_decay_steps <= 0:
            raise ValueError("CosineDecayRestarts: first_decay_steps must be > 0, got "
                             f"{first_decay_steps}")
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step):
        lr = _float(self.initial_learning_rate)
        dtype = lr.dtype
        fraction = _float(step, dtype) / _float(self.first_decay_steps, dtype)
        t_mul, m_mul = _float(self._t_mul, dtype), _float(self._m_mul, dtype)
        if self._t_mul == 1.0:
            restarts = ew.floor(fraction)
            fraction = fraction - restarts
        else:
            restarts = ew.floor(ew.log(1.0 - fraction * (1.0 - t_mul)) / ew.log(t_mul))
            sum_r = (1.0 - ew.pow(t_mul, restarts)) / (1.0 - t_mul)
            fraction = (fraction - sum_r) / ew.pow(t_mul, restarts)
        m_fac = ew.pow(m_mul, restarts)
        cosine = 0.5 * m_fac * (1.0 + ew.cos(math.pi * fraction))
        return lr * ((1 - self.alpha) * cosine + self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self._t_mul,
                "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


_SCHEDULES = {cls.__name__: cls for cls in (
    ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay, CosineDecay,
    CosineDecayRestarts)}


def serialize(schedule) -> dict:
    """``{"class_name": ..., "config": ...}`` for a schedule."""
    if not isinstance(schedule, LearningRateSchedule):
        raise TypeError(f"serialize: expected a LearningRateSchedule, got "
                        f"{type(schedule).__name__}")
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config, custom_objects=None):
    """The schedule a ``serialize`` dict describes (user classes via ``custom_objects``)."""
    from ops.keras.generic_utils import deserialize_keras_object
    return deserialize_keras_object(config, _SCHEDULES, "learning rate schedule",
                                    custom_objects=custom_objects)
