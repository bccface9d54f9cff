"""tf.autograph.set_verbosity and AUTOGRAPH_VERBOSITY: what the converter logs."""
import logging

import pytest

import autograph as ag
from autograph.converter import verbosity


@pytest.fixture(autouse=True)
def _restore():
    yield
    verbosity.reset()


def test_level_zero_logs_nothing(caplog, monkeypatch):
    monkeypatch.delenv("AUTOGRAPH_VERBOSITY", raising=False)
    with caplog.at_level(logging.INFO, logger="autograph"):
        def quiet(x):
            return -x if x > 0 else x
        ag.autograph.to_graph(quiet)(ag.constant(1.0))
    assert caplog.records == []


def test_environment_variable_level_one_logs_each_conversion(caplog, monkeypatch):
    monkeypatch.setenv("AUTOGRAPH_VERBOSITY", "1")
    with caplog.at_level(logging.INFO, logger="autograph"):
        def halve(x):
            while x > 1:
                x = x / 2
            return x
        ag.autograph.to_graph(halve)(ag.constant(8.0))
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("Converted ") and "halve" in m and __file__ in m for m in messages)
    assert not any("ag__.while_stmt" in m for m in messages)


def test_level_two_logs_the_converted_source_and_stdout_echo(capsys, monkeypatch):
    monkeypatch.setenv("AUTOGRAPH_VERBOSITY", "0")
    ag.autograph.set_verbosity(2, alsologtostdout=True)   # wins over the environment
    assert ag.autograph.get_verbosity() == 2

    def count_down(n):
        while n > 0:
            n = n - 1
        return n
    ag.autograph.to_graph(count_down)
    out = capsys.readouterr().out
    assert "<locals>.count_down (" in out and "ag__.while_stmt" in out


def test_bad_levels_are_rejected(monkeypatch):
    with pytest.raises(ValueError, match="level must be an int"):
        ag.autograph.set_verbosity(-1)
    monkeypatch.setenv("AUTOGRAPH_VERBOSITY", "loud")
    with pytest.raises(ValueError, match="AUTOGRAPH_VERBOSITY must be an integer, got 'loud'"):
        ag.autograph.get_verbosity()
