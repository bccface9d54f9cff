"""The Keras-style progress line, with a fake clock."""
import io

import pytest

from ops.keras import progbar
from ops.keras.progbar import Progbar


@pytest.fixture
def clock(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(progbar, "_clock", lambda: now[0])
    return now


def lines(stream):
    """The screen lines: each ``\\r`` rewrites the current line."""
    return [part.split("\r")[-1] for part in stream.getvalue().split("\n")]


def run_bar(clock, steps=32, seconds_per_step=0.1, stop=None, **kwargs):
    stream = io.StringIO()
    bar = Progbar(steps, stream=stream, **kwargs)
    for step in range(1, (stop or steps) + 1):
        clock[0] += seconds_per_step
        bar.update(step, [("loss", 0.2345), ("accuracy", 0.91)])
    return bar, stream


def test_line_while_running(clock):
    _, stream = run_bar(clock, stop=12, seconds_per_step=0.125, dynamic=True,
                        stateful_metrics=["loss", "accuracy"])
    assert lines(stream)[-1] == ("12/32 [==========>...................] - ETA: 2s - loss: "
                                 "0.2345 - accuracy: 0.9100")


def test_final_line(clock):
    _, stream = run_bar(clock, dynamic=True)
    assert stream.getvalue().endswith("\n")
    assert lines(stream)[-2] == ("32/32 [==============================] - 3s 100ms/step - "
                                 "loss: 0.2345 - accuracy: 0.9100")


def test_each_update_rewrites_the_line_in_place(clock):
    _, stream = run_bar(clock, steps=3, dynamic=True)
    text = stream.getvalue()
    assert text.count("\r") == 3 and text.count("\n") == 1


def test_not_a_terminal_writes_only_the_final_line(clock):
    _, stream = run_bar(clock, dynamic=False)
    assert stream.getvalue() == ("32/32 [==============================] - 3s 100ms/step - "
                                 "loss: 0.2345 - accuracy: 0.9100\n")


def test_values_are_averaged_over_steps_unless_stateful(clock):
    stream = io.StringIO()
    bar = Progbar(4, stream=stream, dynamic=False, stateful_metrics=["acc"])
    bar.update(1, [("loss", 1.0), ("acc", 0.1)])
    bar.update(3, [("loss", 4.0), ("acc", 0.5)])   # loss 4.0 for 2 steps
    bar.update(4, [("loss", 0.0), ("acc", 0.75)])
    assert stream.getvalue().endswith("- loss: 2.2500 - acc: 0.7500\n")


def test_small_values_use_scientific_notation(clock):
    stream = io.StringIO()
    Progbar(1, stream=stream, dynamic=False).update(1, [("loss", 1.5e-5)])
    assert "loss: 1.5000e-05" in stream.getvalue()


def test_unknown_target(clock):
    stream = io.StringIO()
    bar = Progbar(None, stream=stream, dynamic=True)
    clock[0] += 0.5
    bar.update(5, [("loss", 1.0)])
    assert lines(stream)[-1] == "      5/Unknown - 0s 100ms/step - loss: 1.0000"
    bar.update(5, finalize=True)
    assert stream.getvalue().endswith("\n")


def test_verbose_2_prints_one_line_at_the_end(clock):
    _, stream = run_bar(clock, verbose=2, dynamic=True)
    assert stream.getvalue() == "32/32 - 3s - 100ms/step - loss: 0.2345 - accuracy: 0.9100\n"


def test_verbose_0_prints_nothing(clock):
    _, stream = run_bar(clock, verbose=0, dynamic=True)
    assert stream.getvalue() == ""


@pytest.mark.parametrize("per_step,eta", [(2.0, "ETA: 1:06"), (200.0, "ETA: 1:50:00"),
                                          (0.01, "ETA: 0s")])
def test_eta_formats(clock, per_step, eta):
    _, stream = run_bar(clock, steps=34, seconds_per_step=per_step, stop=1, dynamic=True)
    assert eta in stream.getvalue()


@pytest.mark.parametrize("per_step,text", [(2.5, " 2s/step"), (0.0042, " 4ms/step"),
                                           (0.0000042, " 4us/step")])
def test_time_per_step_units(clock, per_step, text):
    _, stream = run_bar(clock, steps=3, seconds_per_step=per_step, dynamic=False)
    assert text in stream.getvalue()


def test_time_per_step_leaves_out_the_first_step(clock):
    stream = io.StringIO()
    bar = Progbar(3, stream=stream, dynamic=False)
    clock[0] += 5.0   # first step: tracing
    bar.update(1)
    clock[0] += 0.2
    bar.update(2)
    clock[0] += 0.2
    bar.update(3)
    assert "200ms/step" in stream.getvalue()


def test_updates_within_the_interval_are_not_drawn(clock):
    stream = io.StringIO()
    bar = Progbar(100, stream=stream, dynamic=True, interval=1.0)
    for step in range(1, 10):
        clock[0] += 0.3
        bar.update(step)
    assert stream.getvalue().count("\r") == 3  # at 0.3 s, 1.5 s and 2.7 s


def test_add_and_default_stream(clock, capsys):
    bar = Progbar(2, dynamic=False)
    bar.add(1, [("loss", 2.0)])
    bar.add(1, [("loss", 4.0)])
    assert capsys.readouterr().out == ("2/2 [==============================] - 0s 0s/step - "
                                       "loss: 3.0000\n")
