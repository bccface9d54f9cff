"""``autograph profile``: the table of the ops that took the most time, the trace file, and
one-line errors for user mistakes."""
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ops import profiler
from runtime.fusion import cbuild

from .cli_support import run, write_program

REPO = Path(__file__).resolve().parents[2]

PROGRAM = textwrap.dedent("""
    import autograph as ag

    @ag.function
    def affine(x, w):
        return ag.tanh(x @ w) * 2.0 + 1.0

    @ag.function(input_signature=[ag.TensorSpec([None], ag.float32)])
    def chain(x):
        return ag.sigmoid(x) * x + x * x

    @ag.function
    def count(n):
        return ag.reduce_sum(ag.range(n))

    @ag.function
    def same(x):
        return x
""")


@pytest.fixture
def program(tmp_path):
    return write_program(tmp_path, PROGRAM)


def _table(out: str) -> dict:
    """op name -> count, from the printed table."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("op ")) + 2
    rows = {}
    for line in lines[start:]:
        if line.startswith("per call"):
            break
        cells = line.split()
        rows[cells[0]] = int(cells[1])
    return rows


def test_profile_lists_the_ops_and_the_time_per_call(capsys, program):
    code, out, err = run(capsys, "profile", f"{program}:affine", "--signature",
                         "f32[None,3], f32[3,2]", "--runs", "4", "--dim", "8")
    assert code == 0 and err == ""
    assert out.startswith("affine(float32[None,3], float32[3,2]): 4 run(s); None dims = 8")
    assert "total ms" in out and "mean us" in out and "% of op time" in out
    assert _table(out) == {"MatMul": 4, "Tanh": 4, "Mul": 4, "Add": 4}
    assert "per call:" in out and "(mean of 4," in out
    assert not profiler.active()


def test_top_limits_the_rows_and_integer_inputs_work(capsys, program):
    code, out, _ = run(capsys, "profile", f"{program}:affine", "--signature",
                       "f32[2,3], f32[3,2]", "--top", "1")
    assert code == 0 and len(_table(out)) == 1 and "None dims" not in out
    code, out, _ = run(capsys, "profile", f"{program}:count", "--signature", "i32[]")
    assert code == 0 and "Range" in _table(out)


@pytest.mark.skipif(cbuild.toolchain() is None, reason="no C compiler for jit_compile")
def test_jit_shows_the_fused_kernel(capsys, program):
    code, out, _ = run(capsys, "profile", f"{program}:chain", "--jit", "--runs", "3")
    assert code == 0 and "jit_compile" in out.splitlines()[0]
    (name,) = _table(out)
    assert name.startswith("fused_sigmoid") and _table(out)[name] == 3


def test_trace_writes_the_chrome_trace(capsys, program, tmp_path):
    trace = tmp_path / "out" / "chain.trace.json"
    code, out, _ = run(capsys, "profile", f"{program}:chain", "--runs", "2",
                       "--trace", str(trace))
    assert code == 0 and f"trace: {trace}" in out
    document = json.loads(trace.read_text())
    spans = [e for e in document["traceEvents"] if e["ph"] == "X"]
    assert [e["name"] for e in spans if e["cat"] == "function"] == ["chain", "chain"]
    assert {"Sigmoid", "Mul", "Add"} <= {e["name"] for e in spans if e["cat"] == "op"}


@pytest.mark.parametrize("argv, fragment", [
    (["profile", "missing.py:f", "--signature", "f32[]"], "no such file"),
    (["profile", "{p}", "--signature", "f32[]"], "needs FILE:FUNCTION"),
    (["profile", "{p}:nope", "--signature", "f32[]"], "has no function 'nope'"),
    (["profile", "{p}:affine"], "give --signature"),
    (["profile", "{p}:affine", "--signature", "f32[2"], "bad --signature"),
    (["profile", "{p}:chain", "--runs", "0"], "--runs must be at least 1"),
    (["profile", "{p}:chain", "--top", "0"], "--top must be at least 1"),
    (["profile", "{p}:same", "--signature", "string[2]"], "random string inputs"),
    (["profile", "{p}:affine", "--signature", "f32[2,3], f32[4,2]"], "ValueError"),
])
def test_user_mistakes_exit_2_with_one_line(capsys, program, argv, fragment):
    code, _, err = run(capsys, *[a.format(p=program) for a in argv])
    assert code == 2 and fragment in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not profiler.active()


def test_help_describes_the_options():
    done = subprocess.run([sys.executable, "-m", "autograph", "profile", "--help"], cwd=REPO,
                          capture_output=True, text=True)
    assert done.returncode == 0 and "usage: autograph profile" in done.stdout
    for option in ("--signature", "--runs", "--top", "--dim", "--jit", "--trace"):
        assert option in done.stdout
