"""ag.Module: variables and sub-modules found through attributes (also inside lists, tuples
and dicts), names and name scopes, and seed 001's DemoModule."""
import numpy as np
import pytest

import autograph as ag
from ops.module import Module


class Dense(Module):
    """The smallest module that owns variables (TF's own example)."""

    def __init__(self, in_features, out_features, name=None):
        super().__init__(name=name)
        with self.name_scope:
            self.w = ag.Variable(np.ones((in_features, out_features), np.float32), name="w")
            self.b = ag.Variable(np.zeros(out_features, np.float32), name="b")

    def __call__(self, x):
        return ag.matmul(x, self.w) + self.b


class MLP(Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        with self.name_scope:
            self.layers = [Dense(3, 4), Dense(4, 2)]
            self.extra = {"scale": ag.Variable(2.0, name="scale"),
                          "frozen": ag.Variable(1.0, trainable=False, name="frozen")}


def names(variables):
    return [v.name for v in variables]


def test_default_name_is_snake_case_of_the_class():
    assert Dense(1, 1).name == "dense"
    assert MLP().name == "mlp"
    assert Module().name == "module"
    assert Dense(1, 1, name="first").name == "first"


def test_invalid_names_are_refused():
    with pytest.raises(ValueError, match="not a valid module name"):
        Module(name="has space")


def test_variables_in_attributes_lists_and_dicts():
    mlp = MLP()
    # TF's order: attributes by sorted name ("extra" before "layers", "b" before "w"), dict
    # values by sorted key, this module's own variables before its sub-modules'
    assert names(mlp.variables) == [
        "mlp/frozen:0", "mlp/scale:0",
        "mlp/dense/b:0", "mlp/dense/w:0", "mlp/dense/b:0", "mlp/dense/w:0"]
    assert len(mlp.variables) == 6
    assert len(mlp.trainable_variables) == 5
    assert names(mlp.non_trainable_variables) == ["mlp/frozen:0"]


def test_submodules_direct_first_then_nested():
    mlp = MLP()
    inner = Module(name="inner")
    mlp.layers[0].child = inner
    assert mlp.submodules == (mlp.layers[0], mlp.layers[1], inner)


def test_variables_added_later_are_found():
    m = Module()
    assert m.variables == ()
    m.items = []
    v = ag.Variable(1.0)
    m.items.append(v)
    m.pair = (Dense(1, 1),)
    assert m.variables[0] is v
    assert len(m.variables) == 3


def test_each_variable_and_module_counted_once_and_cycles_end():
    a, b = Module(name="a"), Module(name="b")
    v = ag.Variable(1.0)
    a.b, a.v, a.again = b, v, [v, b]
    b.a, b.v = a, v
    assert a.variables == (v,)
    assert a.submodules == (b,)


def test_name_scope_prefixes_variables_wherever_it_is_entered():
    m = Module(name="outer")
    with ag.name_scope("elsewhere"):
        with m.name_scope:
            v = ag.Variable(1.0, name="v")
    assert v.name == "outer/v:0"
    with m.name_scope:
        nested = Module(name="nested")
    with nested.name_scope:
        w = ag.Variable(1.0, name="w")
    assert w.name == "outer/nested/w:0"


def test_with_name_scope_decorator():
    class Lazy(Module):
        @Module.with_name_scope
        def make(self):
            self.v = ag.Variable(3.0, name="v")
            return self.v

    assert Lazy().make().name == "lazy/v:0"


def test_module_variables_train_with_a_tape():
    layer = Dense(3, 2)
    x = ag.constant(np.arange(6, dtype=np.float32).reshape(2, 3))
    with ag.GradientTape() as tape:
        loss = ag.reduce_sum(layer(x))
    b, w = layer.trainable_variables
    grad_w, grad_b = tape.gradient(loss, [w, b])
    np.testing.assert_allclose(grad_w.numpy(), np.tile(x.numpy().sum(0)[:, None], (1, 2)))
    np.testing.assert_allclose(grad_b.numpy(), [2.0, 2.0])


# ---- seed 001: tf.Module wrapping an AutoGraph function -------------------------------------

# ``ag.Module`` once the public namespace exports it (it is ops.module.Module).
class DemoModule(getattr(ag, "Module", Module)):
    def __init__(self, init_value=ag.constant(0.0), name=None):
        super(DemoModule, self).__init__(name=name)
        with self.name_scope:
            self.x = ag.Variable(init_value, dtype=ag.float32, trainable=True)

    @ag.function(input_signature=[ag.TensorSpec(shape=[], dtype=ag.float32)])
    def add_print(self, a):
        with self.name_scope:
            self.x.assign_add(a)
            ag.print(self.x)
            return (self.x)


def test_seed_001_demo_module(capfd):
    demo = DemoModule(init_value=ag.constant(1.0))
    result = demo.add_print(ag.constant(5.0))
    assert float(result) == 6.0
    assert capfd.readouterr().err == "6\n"      # ag.print writes to stderr, as tf.print
    assert repr(demo.variables) == \
        "(<tf.Variable 'demo_module/Variable:0' shape=() dtype=float32, numpy=6.0>,)"
    assert demo.trainable_variables == demo.variables
    assert demo.submodules == ()
    assert float(demo.add_print(ag.constant(5.0))) == 11.0
    with pytest.raises(ValueError, match="input_signature"):
        demo.add_print(ag.constant(3))


def test_seed_001_module_with_function_attribute():
    my_module = Module()
    my_module.x = ag.Variable(0.0)

    @ag.function(input_signature=[ag.TensorSpec(shape=[], dtype=ag.float32)])
    def add_print(a):
        my_module.x.assign_add(a)
        return my_module.x

    my_module.add_print = add_print
    assert my_module.add_print(ag.constant(1.0)).numpy() == 1.0
    assert repr(my_module.variables) == \
        "(<tf.Variable 'Variable:0' shape=() dtype=float32, numpy=1.0>,)"


def test_name_scope_is_callable_for_keras_style_code():
    assert Module(name="m").name_scope() == "m/"
