"""ag.print: TensorFlow's documented output, every stream, and printing from traced functions."""
import logging
import pprint
import sys
from collections import OrderedDict, namedtuple

import numpy as np
import pytest

import autograph as ag


def printed(capsys, *inputs, **kwargs) -> str:
    """What ``ag.print(*inputs, **kwargs)`` writes to stderr (its default stream)."""
    ag.print(*inputs, **kwargs)
    out, err = capsys.readouterr()
    assert out == ""
    return err


# ---- TF's documented examples (tf.print API docs) -------------------------------------------

def test_single_input_goes_to_stderr(capsys):
    assert printed(capsys, ag.constant(np.arange(10))) == "[0 1 2 ... 7 8 9]\n"


def test_multi_input_with_dict_to_stdout(capsys):
    tensor = ag.constant(np.arange(10))
    ag.print("tensors:", tensor, {2: tensor * 2}, output_stream=sys.stdout)
    out, err = capsys.readouterr()
    assert (out, err) == ("tensors: [0 1 2 ... 7 8 9] {2: [0 2 4 ... 14 16 18]}\n", "")


def test_separator(capsys):
    a = ag.constant([0, 1])
    assert printed(capsys, a, a * 2, sep=",") == "[0 1],[0 2]\n"


# ---- formatting ---------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ([1.0, 2.0, 3.0], "[1 2 3]"),                # seed 001: tf.constant([1, 2, 3], float32)
    ([[1, 2], [3, 4]], "[[1 2]\n [3 4]]"),
    ([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], "[[1 0 0]\n [0 1 0]\n [0 0 1]]"),
    ([0.5, -1.25, 1e-8], "[0.5 -1.25 1e-08]"),
    ([True, False], "[1 0]"),
    (3.5, "3.5"),
    (["a", "b"], '["a" "b"]'),
])
def test_tensors_print_like_tf(capsys, value, expected):
    assert printed(capsys, ag.constant(value)) == expected + "\n"


def test_summarize_controls_how_much_is_shown(capsys):
    x = ag.constant(np.arange(10))
    assert printed(capsys, x, summarize=1) == "[0 ... 9]\n"
    assert printed(capsys, x, summarize=-1) == "[0 1 2 3 4 5 6 7 8 9]\n"
    assert printed(capsys, x, summarize=None) == "[0 1 2 ... 7 8 9]\n"


def test_summarized_matrix(capsys):
    x = ag.constant(np.arange(100).reshape(10, 10))
    assert printed(capsys, x, summarize=2) == (
        "[[0 1 ... 8 9]\n [10 11 ... 18 19]\n ...\n [80 81 ... 88 89]\n [90 91 ... 98 99]]\n")


def test_a_lone_string_tensor_prints_raw_but_quoted_among_others(capsys):
    assert printed(capsys, ag.constant("hello")) == "hello\n"
    assert printed(capsys, "s =", ag.constant("hello")) == 's = "hello"\n'


def test_python_values_and_structures(capsys):
    t = ag.constant([1, 2])
    assert printed(capsys, "x", 3, 2.5, None) == "x 3 2.5 None\n"
    assert printed(capsys, [t, "a", 1]) == "[[1 2], 'a', 1]\n"
    assert printed(capsys, {"b": t, "a": (t, 0)}) == "{'a': ([1 2], 0), 'b': [1 2]}\n"
    # OrderedDicts are sorted by key, then shown as pprint shows them (it varies by Python).
    expected = pprint.pformat(OrderedDict([("y", 1), ("z", "{}")])).replace("'{}'", "[1 2]")
    assert printed(capsys, OrderedDict([("z", t), ("y", 1)])) == expected + "\n"
    Pair = namedtuple("Pair", "first second")
    assert printed(capsys, Pair(t, 1)) == "Pair(first=[1 2], second=1)\n"


def test_shapes_variables_and_placeholder_collisions(capsys):
    assert printed(capsys, ag.constant([[1, 2]]).shape) == "TensorShape([1, 2])\n"
    assert printed(capsys, ag.Variable([1.5, 2.0])) == "[1.5 2]\n"
    # A literal "{}" in the text must not be mistaken for a tensor slot.
    assert printed(capsys, "{}", ag.constant(1), "{}") == "{} 1 {}\n"


def test_end_and_seed_newline_argument(capsys):
    c = ag.constant([[-1, 1, -1], [2, 2, -2], [3, -3, 3]], dtype=ag.float32)
    assert printed(capsys, c, "\n") == "[[-1 1 -1]\n [2 2 -2]\n [3 -3 3]] \n\n"   # seed 001
    assert printed(capsys, "a", end="") == "a"


# ---- streams ------------------------------------------------------------------------------

def test_stdout_and_stream_names(capsys):
    ag.print("out", output_stream=sys.stdout)
    ag.print("named", output_stream="stdout")
    assert capsys.readouterr().out == "out\nnamed\n"


def test_file_stream_appends(tmp_path):
    path = tmp_path / "log.txt"
    ag.print("first", ag.constant([1, 2]), output_stream=f"file://{path}")
    ag.print("second", output_stream=f"file://{path}")
    assert path.read_text() == "first [1 2]\nsecond\n"


def test_logging_streams(caplog):
    with caplog.at_level(logging.INFO, logger="autograph"):
        ag.print("via logging", ag.constant(1), output_stream=logging.info)
        ag.print("warned", output_stream=logging.warning)
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == \
        [(logging.INFO, "via logging 1"), (logging.WARNING, "warned")]


def test_unsupported_stream():
    with pytest.raises(ValueError, match="Unsupported output stream"):
        ag.print("x", output_stream=open)


# ---- the op ---------------------------------------------------------------------------------

def test_print_returns_none_and_is_a_stateful_op():
    from runtime import registry
    op = registry.get("PrintV2")
    assert op.stateful and op.multi and not op.differentiable
    assert op.infer(template=("", ""), summarize=3, output_stream="stderr", end="\n") == []


def test_print_runs_at_every_call_of_a_function(capsys):
    # Seed 002: tf.print inside tf.function prints on every execution, print only when tracing.
    @ag.function
    def good_function(x):
        ag.print("Executing with", x)
        return x + 1

    good_function(ag.constant([1, 2]))
    good_function(ag.constant([3, 4]))
    assert capsys.readouterr().err == "Executing with [1 2]\nExecuting with [3 4]\n"
    graph = good_function.get_concrete_function(ag.constant([5, 6])).graph
    assert [n.op.name for n in graph.nodes].count("PrintV2") == 1


def test_print_inside_a_tape_does_not_disturb_gradients(capsys):
    x = ag.constant(3.0)
    with ag.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        ag.print("y:", y)
    assert float(tape.gradient(y, x)) == 6.0
    assert capsys.readouterr().err == "y: 9\n"
