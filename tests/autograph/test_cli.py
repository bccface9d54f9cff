"""The ``autograph`` command line: converted source, graphs, kernels, and one-line errors."""
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autograph.cli import UsageError, parse_signature

import autograph as ag

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

    def collatz(n):
        steps = 0
        while n != 1:
            n = n // 2 if n % 2 == 0 else 3 * n + 1
            steps += 1
        return steps
""")


@pytest.fixture
def program(tmp_path):
    return write_program(tmp_path, PROGRAM)


def test_signature_specs_parse_short_and_long_dtype_names():
    specs = parse_signature("f32[None,3], int64[], bool[2]")
    assert [(s.dtype, tuple(s.shape)) for s in specs] == [
        (ag.float32, (None, 3)), (ag.int64, ()), (ag.bool, (2,))]


@pytest.mark.parametrize("bad", ["f32[3", "q8[3]", "f32[x]", "f32[3] i32[]"])
def test_bad_signatures_are_usage_errors(bad):
    with pytest.raises(UsageError, match="--signature"):
        parse_signature(bad)


def test_graph_prints_the_traced_graph(capsys, program):
    code, out, _ = run(capsys, "graph", f"{program}:affine", "--signature",
                       "f32[None,3], f32[3,2]")
    assert code == 0
    assert "graph affine(%0: f32[None, 3], %1: f32[3, 2])" in out
    assert "MatMul" in out and "Tanh" in out and out.rstrip().endswith("}")


def test_graph_uses_the_input_signature_and_exports_dot(capsys, program):
    code, out, _ = run(capsys, "graph", f"{program}:chain", "--optimized", "--format", "dot")
    assert code == 0 and out.startswith('digraph "chain"') and "Sigmoid" in out


def test_kernels_prints_c_and_cuda_sources(capsys, program):
    code, c_source, _ = run(capsys, "kernels", f"{program}:chain")
    assert code == 0 and "fused_" in c_source
    code, cuda_source, _ = run(capsys, "kernels", f"{program}:chain", "--target", "cuda",
                               "--explain")
    assert code == 0 and "__global__" in cuda_source and "# fusion decisions" in cuda_source


def test_convert_prints_every_decorated_function(capsys, program):
    code, out, _ = run(capsys, "convert", program)
    assert code == 0
    assert "# affine" in out and "# chain" in out and "def chain(x):" in out


def test_convert_one_plain_function(capsys, program):
    code, out, _ = run(capsys, "convert", f"{program}:collatz")
    assert code == 0 and "def collatz(n):" in out


@pytest.mark.parametrize("argv, fragment", [
    (["graph", "missing.py:f", "--signature", "f32[]"], "no such file"),
    (["graph", "{p}:nope", "--signature", "f32[]"], "has no function 'nope'"),
    (["graph", "{p}:affine"], "give --signature"),
    (["graph", "{p}:affine", "--signature", "f32[3"], "bad --signature"),
    (["graph", "{p}", "--signature", "f32[]"], "needs FILE:FUNCTION"),
])
def test_user_mistakes_exit_2_with_one_line(capsys, program, argv, fragment):
    code, out, err = run(capsys, *[a.format(p=program) for a in argv])
    assert code == 2 and fragment in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_syntax_error_names_the_file_and_line(capsys, tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f(:\n    pass\n")
    code, _, err = run(capsys, "convert", str(bad))
    assert code == 2 and f"{bad}:1: syntax error" in err


def test_python_dash_m_and_help_texts():
    for argv in (["--help"], ["convert", "--help"], ["graph", "--help"], ["kernels", "--help"],
                 ["profile", "--help"]):
        done = subprocess.run([sys.executable, "-m", "autograph", *argv], cwd=REPO,
                              capture_output=True, text=True)
        assert done.returncode == 0 and "usage: autograph" in done.stdout
