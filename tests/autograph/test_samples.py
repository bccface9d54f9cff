"""samples/autograph_loops.py runs as a user runs it and stages real graph loops."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_autograph_loops_sample_prints_right_answers_and_the_converted_source():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "samples/autograph_loops.py"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "collatz(27) = 111" in done.stdout
    assert "gcd(1071, 462) = 21" in done.stdout
    assert "newton_sqrt(2.0) = 1.414213" in done.stdout
    assert "ag__.while_stmt(" in done.stdout and "ag__.if_stmt(" in done.stdout
