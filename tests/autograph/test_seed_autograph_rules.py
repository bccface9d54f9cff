"""Seed 001 ("AutoGraph" chapter): its examples, run with ``import autograph as tf``.

The rules it teaches: Python functions run only while tracing (np.random frozen, tf.random
fresh per call; print once per trace, tf.print per call), an outer Variable is updated on
every call, a Variable created inside is an error, an outer Python list sees only the trace,
and non-tensor arguments retrace per value."""
import numpy as np
import pytest

import autograph as tf


def _err_lines(capsys):
    return capsys.readouterr().err.splitlines()


# ---- AutoGraph 示例 ------------------------------------------------------------------------

def test_strjoin_prints_and_returns_the_joined_string(capsys):
    @tf.function
    def strjoin(x, y):
        z = tf.strings.join([x, y], separator=" ")
        tf.print(z)
        return z

    result = strjoin(x=tf.constant("hello"), y=tf.constant("world"))
    assert _err_lines(capsys) == ["hello world"]
    assert repr(result) == "<tf.Tensor: shape=(), dtype=string, numpy=b'hello world'>"
    assert str(result) == "tf.Tensor(b'hello world', shape=(), dtype=string)"


# ---- 使用 TensorFlow 函数 -------------------------------------------------------------------

def test_np_random_is_frozen_at_trace_time(capsys):
    @tf.function
    def np_random():
        a = np.random.randn(3, 3)
        tf.print(a)

    np_random()
    first = _err_lines(capsys)
    np_random()
    assert _err_lines(capsys) == first
    assert len(first) == 3


def test_tf_random_is_drawn_on_every_call(capsys):
    @tf.function
    def tf_random():
        a = tf.random.normal((3, 3))
        tf.print(a)

    tf_random()
    first = _err_lines(capsys)
    tf_random()
    assert _err_lines(capsys) != first


# ---- 避免装饰的函数内部定义 tf.Variable ----------------------------------------------------------

def test_outer_variable_is_updated_on_every_call(capsys):
    x = tf.Variable(1.0, dtype=tf.float32)

    @tf.function
    def outer_var():
        x.assign_add(1.0)
        tf.print(x)
        return (x)

    assert outer_var().numpy() == 2.0
    assert outer_var().numpy() == 3.0
    assert _err_lines(capsys) == ["2", "3"]


def test_inner_var_is_an_error():
    @tf.function
    def inner_var():
        x = tf.Variable(1.0, dtype=tf.float32)
        x.assign_add(1.0)
        tf.print(x)
        return (x)

    with pytest.raises(ValueError, match="Variable"):
        inner_var()


# ---- 装饰的函数内部不可修改外部 Python 数据结构 -----------------------------------------------------

def test_without_function_an_outer_list_sees_every_call():
    tensor_list = []

    def append_tensor(x):
        tensor_list.append(x)
        return tensor_list

    append_tensor(tf.constant(5.0))
    append_tensor(tf.constant(6.0))
    assert [t.numpy() for t in tensor_list] == [5.0, 6.0]


def test_with_function_an_outer_list_sees_only_the_trace():
    tensor_list = []

    @tf.function
    def append_tensor(x):
        tensor_list.append(x)
        return tensor_list

    append_tensor(tf.constant(5.0))
    append_tensor(tf.constant(6.0))
    (only,) = tensor_list
    assert "shape=() dtype=float32" in repr(only)
    assert "numpy=" not in repr(only)             # a symbolic tensor of the trace
    with pytest.raises(TypeError):
        only.numpy()


# ---- AutoGraph 机制原理 --------------------------------------------------------------------

@pytest.fixture
def my_add():
    @tf.function(autograph=True)
    def my_add(a, b):
        for i in tf.range(3):
            tf.print(i)
        c = a + b
        print("tracing")
        return c

    return my_add


def test_first_call_traces_then_runs(my_add, capsys):
    c = my_add(a=tf.constant("hello"), b=tf.constant("world"))
    out = capsys.readouterr()
    assert out.out == "tracing\n"
    assert out.err == "0\n1\n2\n"
    assert c.numpy() == b"helloworld"


def test_same_argument_types_do_not_trace_again(my_add, capsys):
    my_add(a=tf.constant("hello"), b=tf.constant("world"))
    capsys.readouterr()
    c = my_add(a=tf.constant("good"), b=tf.constant("morning"))
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err == "0\n1\n2\n"
    assert c.numpy() == b"goodmorning"


def test_new_argument_types_trace_again(my_add, capsys):
    my_add(a=tf.constant("hello"), b=tf.constant("world"))
    capsys.readouterr()
    c = my_add(a=tf.constant(1), b=tf.constant(2))
    out = capsys.readouterr()
    assert out.out == "tracing\n"
    assert out.err == "0\n1\n2\n"
    assert c.numpy() == 3


def test_non_tensor_arguments_trace_on_every_new_value(my_add, capsys):
    my_add("hello", "world")
    my_add("good", "moning")
    out = capsys.readouterr()
    assert out.out == "tracing\ntracing\n"
    assert out.err == "0\n1\n2\n" * 2
    assert my_add.experimental_get_tracing_count() == 2


# ---- 在 AutoGraph 中使用梯度磁带求导 ---------------------------------------------------------

def test_gradient_tape_inside_a_function(capsys):
    @tf.function
    def f(x):
        a = tf.constant(1.0)
        b = tf.constant(-2.0)
        c = tf.constant(1.0)

        # 自变量转换成 tf.float32
        x = tf.cast(x, tf.float32)
        with tf.GradientTape() as tape:
            tape.watch(x)          # the seed's `tap.watch` is a typo
            y = a * tf.pow(x, 2) + b * x + c
        dy_dx = tape.gradient(y, x)

        return ((dy_dx, y))

    tf.print(f(tf.constant(0.0)))
    tf.print(f(tf.constant(1.0)))
    assert _err_lines(capsys) == ["(-2, 1)", "(0, 0)"]


# ---- AutoGraph 和 tf.Module ----------------------------------------------------------------

def test_input_signature_refuses_an_int_for_a_float_spec(capsys):
    x = tf.Variable(1.0, dtype=tf.float32)

    @tf.function(input_signature=[tf.TensorSpec(shape=[], dtype=tf.float32)])
    def add_print(a):
        x.assign_add(a)
        tf.print(x)
        return (x)

    assert add_print(tf.constant(3.0)).numpy() == 4.0
    assert _err_lines(capsys) == ["4"]
    with pytest.raises((TypeError, ValueError), match="int32"):
        add_print(tf.constant(3))
    assert x.numpy() == 4.0


def test_demo_module_wraps_a_function_with_its_variable(capsys):
    if not hasattr(tf, "Module"):
        pytest.skip("ag.Module is not implemented yet")

    class DemoModule(tf.Module):
        def __init__(self, init_value=tf.constant(0.0), name=None):
            super(DemoModule, self).__init__(name=name)
            with self.name_scope:
                self.x = tf.Variable(init_value, dtype=tf.float32, trainable=True)

        @tf.function(input_signature=[tf.TensorSpec(shape=[], dtype=tf.float32)])
        def add_print(self, a):
            with self.name_scope:
                self.x.assign_add(a)
                tf.print(self.x)
                return (self.x)

    demo = DemoModule(init_value=tf.constant(1.0))
    assert demo.add_print(tf.constant(5.0)).numpy() == 6.0
    assert _err_lines(capsys) == ["6"]
    assert [v.numpy() for v in demo.variables] == [6.0]
    assert [v.numpy() for v in demo.trainable_variables] == [6.0]
