"""Learning-rate schedules against their formulas, at Python, tensor and Variable steps."""
import math

import numpy as np
import pytest

import autograph as ag
from ops.keras.optimizers import schedules

STEPS = [0, 1, 5, 10, 11, 25, 99, 100, 150]


def _value(schedule, step):
    return float(schedule(step))


@pytest.mark.parametrize("staircase", [False, True])
def test_exponential_decay(staircase):
    s = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=staircase)
    for step in STEPS:
        p = step // 10 if staircase else step / 10
        assert _value(s, step) == pytest.approx(0.1 * 0.5 ** p, rel=1e-6)


@pytest.mark.parametrize("staircase", [False, True])
def test_inverse_time_decay(staircase):
    s = schedules.InverseTimeDecay(0.2, decay_steps=5, decay_rate=0.5, staircase=staircase)
    for step in STEPS:
        p = step // 5 if staircase else step / 5
        assert _value(s, step) == pytest.approx(0.2 / (1 + 0.5 * p), rel=1e-6)


def test_piecewise_constant_decay_boundaries_belong_to_the_earlier_value():
    s = schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    expected = {0: 1.0, 10: 1.0, 11: 0.5, 20: 0.5, 21: 0.1, 1000: 0.1}
    for step, value in expected.items():
        assert _value(s, step) == pytest.approx(value)


def test_piecewise_constant_decay_checks_lengths():
    with pytest.raises(ValueError, match="1 less than the length of values"):
        schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5])


def _cosine(step, initial, decay_steps, alpha):
    step = min(step, decay_steps)
    return initial * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * step / decay_steps)) + alpha)


@pytest.mark.parametrize("alpha", [0.0, 0.1])
def test_cosine_decay(alpha):
    s = schedules.CosineDecay(0.1, decay_steps=100, alpha=alpha)
    for step in STEPS:
        assert _value(s, step) == pytest.approx(_cosine(step, 0.1, 100, alpha), rel=1e-5,
                                                abs=1e-8)


def test_cosine_decay_with_warmup():
    s = schedules.CosineDecay(0.0, decay_steps=100, warmup_target=0.1, warmup_steps=10)
    for step in [0, 5, 9, 10, 50, 110, 200]:
        if step < 10:
            expected = 0.1 * step / 10
        else:
            expected = _cosine(step - 10, 0.1, 100, 0.0)
        assert _value(s, step) == pytest.approx(expected, rel=1e-5, abs=1e-8)


def test_cosine_decay_with_zero_warmup_steps_is_finite():
    s = schedules.CosineDecay(0.1, decay_steps=10, warmup_target=0.2, warmup_steps=0)
    assert _value(s, 0) == pytest.approx(0.2)


def _restarts(step, initial, first, t_mul, m_mul, alpha):
    fraction = step / first
    if t_mul == 1.0:
        i = math.floor(fraction)
        fraction -= i
    else:
        i = math.floor(math.log(1 - fraction * (1 - t_mul)) / math.log(t_mul))
        sum_r = (1 - t_mul ** i) / (1 - t_mul)
        fraction = (fraction - sum_r) / t_mul ** i
    cosine = 0.5 * m_mul ** i * (1 + math.cos(math.pi * fraction))
    return initial * ((1 - alpha) * cosine + alpha)


@pytest.mark.parametrize("t_mul,m_mul", [(2.0, 1.0), (1.0, 0.5), (1.5, 0.8)])
def test_cosine_decay_restarts(t_mul, m_mul):
    s = schedules.CosineDecayRestarts(0.1, first_decay_steps=10, t_mul=t_mul, m_mul=m_mul,
                                      alpha=0.05)
    for step in STEPS:
        assert _value(s, step) == pytest.approx(
            _restarts(step, 0.1, 10, t_mul, m_mul, 0.05), rel=1e-4, abs=1e-7)


@pytest.mark.parametrize("cycle", [False, True])
def test_polynomial_decay(cycle):
    s = schedules.PolynomialDecay(0.1, decay_steps=10, end_learning_rate=0.01, power=2.0,
                                  cycle=cycle)
    for step in STEPS:
        decay_steps = 10
        if cycle:
            decay_steps = 10 * (math.ceil(step / 10) if step else 1)
        else:
            step = min(step, 10)
        expected = (0.1 - 0.01) * (1 - step / decay_steps) ** 2 + 0.01
        assert _value(s, step) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("schedule", [
    schedules.ExponentialDecay(0.1, 10, 0.5),
    schedules.PiecewiseConstantDecay([3], [0.1, 0.01]),
    schedules.CosineDecay(0.1, 10),
    schedules.InverseTimeDecay(0.1, 10, 0.5),
], ids=lambda s: type(s).__name__)
def test_steps_may_be_tensors_variables_or_traced(schedule):
    expected = _value(schedule, 7)
    assert float(schedule(ag.constant(7))) == pytest.approx(expected)
    assert float(schedule(ag.Variable(7, dtype=ag.int64))) == pytest.approx(expected)
    traced = ag.function(lambda step: schedule(step))
    assert float(traced(ag.constant(7, ag.int64))) == pytest.approx(expected)
    assert schedule(7).dtype == ag.float32


@pytest.mark.parametrize("schedule", [
    schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True),
    schedules.PiecewiseConstantDecay([3, 7], [0.1, 0.01, 0.001]),
    schedules.PolynomialDecay(0.1, 10, cycle=True),
    schedules.InverseTimeDecay(0.1, 10, 0.5),
    schedules.CosineDecay(0.1, 10, alpha=0.1, warmup_target=0.2, warmup_steps=3),
    schedules.CosineDecayRestarts(0.1, 10, t_mul=1.5),
], ids=lambda s: type(s).__name__)
def test_config_round_trip(schedule):
    config = schedules.serialize(schedule)
    again = schedules.deserialize(config)
    assert type(again) is type(schedule)
    assert again.get_config() == schedule.get_config()
    for step in (0, 4, 13):
        assert _value(again, step) == pytest.approx(_value(schedule, step))


def test_deserialize_unknown_schedule_lists_valid_names():
    with pytest.raises(ValueError, match="ExponentialDecay"):
        schedules.deserialize({"class_name": "Nope", "config": {}})


def test_bad_decay_steps():
    with pytest.raises(ValueError, match="decay_steps must be > 0"):
        schedules.ExponentialDecay(0.1, 0, 0.5)


def test_custom_schedule_subclass():
    class Halving(schedules.LearningRateSchedule):
        def __call__(self, step):
            return 1.0 / (2.0 ** ag.cast(step, ag.float32))

        def get_config(self):
            return {}

    np.testing.assert_allclose(float(Halving()(3)), 0.125)
