"""The Keras samples run as users run them (``python samples/<name>.py``) and reach their
accuracy."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]



def _run(name: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT))   # also when the package isn't installed
    done = subprocess.run([sys.executable, f"samples/{name}"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _accuracy(out: str) -> float:
    return float(re.search(r"test accuracy: ([0-9.]+)", out).group(1))


def test_digits_mlp_reaches_96_percent():
    assert _accuracy(_run("digits_mlp.py")) >= 0.96


@pytest.mark.slow
def test_digits_cnn_reaches_97_percent():
    assert _accuracy(_run("digits_cnn.py")) >= 0.97


def test_custom_training_loop_learns_and_traces_twice():
    out = _run("custom_training_loop.py")
    assert _accuracy(out) >= 0.95 and "traced 2 times" in out


def test_module_saved_model_round_trips():
    out = _run("module_saved_model.py")
    assert "same predictions: True" in out
