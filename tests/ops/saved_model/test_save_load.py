"""``save`` then ``load``: functions callable with their saved signatures, variables restored
with their state, signatures, structures, gradients, and the errors a wrong call gets."""
import collections
import os

import numpy as np
import pytest

import autograph as ag
from ops.module import Module
from ops.saved_model import load, save

Point = collections.namedtuple("Point", ["x", "y"])


class DemoModule(Module):
    """The seed's example (tf.Module and tf.saved_model)."""

    def __init__(self, init_value=ag.constant(0.0), name=None):
        super().__init__(name=name)
        with self.name_scope:
            self.x = ag.Variable(init_value, dtype=ag.float32, trainable=True)

    @ag.function(input_signature=[ag.TensorSpec(shape=[], dtype=ag.float32)])
    def add_print(self, a):
        with self.name_scope:
            self.x.assign_add(a)
            ag.print(self.x)
            return self.x


def test_the_seed_demo_module_saves_and_loads(tmp_path, capsys):
    demo = DemoModule(init_value=ag.constant(1.0))
    assert demo.add_print(ag.constant(5.0)).numpy() == 6.0
    save(demo, str(tmp_path / "demo" / "1"), signatures={"serving_default": demo.add_print})
    capsys.readouterr()

    demo2 = load(str(tmp_path / "demo" / "1"))
    assert demo2.add_print(ag.constant(5.0)).numpy() == 11.0
    assert capsys.readouterr().err == "11\n"          # tf.print runs inside the loaded graph
    assert [v.name for v in demo2.variables] == ["demo_module/Variable:0"]
    assert demo2.trainable_variables == demo2.variables
    assert demo2.x is demo2.variables[0] and demo2.x.numpy() == 11.0
    assert demo.x.numpy() == 6.0                      # the original keeps its own state
    out = demo2.signatures["serving_default"](a=ag.constant(1.0))
    assert list(out) == ["output_0"] and out["output_0"].numpy() == 12.0


def test_a_function_attribute_of_a_plain_module(tmp_path, capsys):
    # The seed's second example: a module with a variable and a function set as attributes.
    my_module = Module()
    my_module.x = ag.Variable(0.0)

    @ag.function(input_signature=[ag.TensorSpec(shape=[], dtype=ag.float32)])
    def add_print(a):
        my_module.x.assign_add(a)
        ag.print(my_module.x)
        return my_module.x

    my_module.add_print = add_print
    assert my_module.add_print(ag.constant(1.0)).numpy() == 1.0
    save(my_module, str(tmp_path / "m"), signatures={"serving_default": my_module.add_print})
    my_module2 = load(str(tmp_path / "m"))
    capsys.readouterr()
    assert my_module2.add_print(ag.constant(5.0)).numpy() == 6.0
    assert capsys.readouterr().err == "6\n"
    assert my_module2.x.numpy() == 6.0


class Counter(Module):
    def __init__(self):
        super().__init__()
        self.count = ag.Variable(0, dtype=ag.int64, trainable=False)
        self.total = ag.Variable(np.zeros(2, np.float32))

    @ag.function(input_signature=[ag.TensorSpec([None, 2], ag.float32)])
    def add(self, rows):
        self.count.assign_add(ag.cast(ag.shape(rows)[0], ag.int64))
        self.total.assign_add(ag.reduce_sum(rows, axis=0))
        return self.total.read_value()

    @ag.function(input_signature=[])
    def mean(self):
        return self.total / ag.cast(self.count, ag.float32)


def test_state_assigned_inside_functions_persists_between_calls_after_loading(tmp_path):
    counter = Counter()
    counter.add(ag.ones([3, 2]))
    save(counter, str(tmp_path / "c"))
    loaded = load(str(tmp_path / "c"))
    assert loaded.count.numpy() == 3 and loaded.count.dtype == ag.int64
    assert not loaded.count.trainable and loaded.trainable_variables == (loaded.total,)
    loaded.add(ag.constant([[1.0, 2.0]]))
    loaded.add([[3.0, 4.0], [5.0, 6.0]])              # Python data converts to the spec
    np.testing.assert_array_equal(loaded.total.numpy(), [12.0, 15.0])
    np.testing.assert_allclose(loaded.mean().numpy(), [2.0, 2.5])
    loaded.count.assign(0)                            # restored variables are ordinary ones
    assert loaded.count.numpy() == 0
    np.testing.assert_array_equal(counter.total.numpy(), [3.0, 3.0])


def test_without_signatures_the_one_function_with_an_input_signature_serves(tmp_path):
    demo = DemoModule()
    save(demo, str(tmp_path / "d"))
    assert list(load(str(tmp_path / "d")).signatures) == ["serving_default"]
    counter = Counter()                               # two such functions: no default
    save(counter, str(tmp_path / "c"))
    assert load(str(tmp_path / "c")).signatures == {}


@pytest.mark.parametrize("call, error, fragments", [
    (lambda f: f(ag.constant(3)), ValueError,
     ["add_print: argument a is", "dtype=tf.int32", "expects", "dtype=tf.float32"]),
    (lambda f: f(ag.constant([1.0, 2.0])), ValueError, ["argument a", "shape=(2,)"]),
    (lambda f: f(), TypeError, ["add_print", "missing a required argument: 'a'"]),
    (lambda f: f(ag.constant(1.0), ag.constant(2.0)), TypeError, ["too many positional"]),
    (lambda f: f(1.0, b=ag.constant(1.0)), TypeError, ["unexpected keyword argument 'b'"]),
])
def test_bad_arguments_to_a_loaded_function_are_clear_errors(tmp_path, call, error, fragments):
    save(DemoModule(), str(tmp_path / "d"))
    loaded = load(str(tmp_path / "d"))
    with pytest.raises(error) as info:
        call(loaded.add_print)
    for fragment in fragments:
        assert fragment in str(info.value)
    assert loaded.add_print(a=2.0).numpy() == 2.0     # keywords and Python floats work


def test_bad_arguments_to_a_signature_are_clear_errors(tmp_path):
    save(DemoModule(), str(tmp_path / "d"))
    serve = load(str(tmp_path / "d")).signatures["serving_default"]
    with pytest.raises(TypeError, match="keyword arguments only"):
        serve(ag.constant(1.0))
    with pytest.raises(TypeError, match="missing a; unexpected b"):
        serve(b=ag.constant(1.0))
    with pytest.raises(ValueError, match=r"signature 'serving_default': argument a is .*int32"):
        serve(a=ag.constant(1))


class Shapes(Module):
    def __init__(self):
        super().__init__()
        self.scale = ag.Variable(2.0)

    @ag.function
    def apply(self, x, mode="double"):
        if mode == "double":
            return {"y": x * self.scale, "p": Point(x=x, y=1)}
        return {"y": x - self.scale, "p": Point(x=x, y=2)}


def test_traced_calls_without_a_signature_are_matched_after_loading(tmp_path):
    m = Shapes()
    m.apply(ag.ones([2]))
    m.apply(ag.ones([3, 1]), mode="shift")
    save(m, str(tmp_path / "s"))
    loaded = load(str(tmp_path / "s"))
    assert len(loaded.apply.concrete_functions) == 2
    out = loaded.apply(ag.constant([1.0, 4.0]))
    np.testing.assert_array_equal(out["y"].numpy(), [2.0, 8.0])
    assert type(out["p"]).__name__ == "Point" and out["p"].y == 1 and out["p"]._fields == ("x", "y")
    shifted = loaded.apply(ag.zeros([3, 1]), mode="shift")
    np.testing.assert_array_equal(shifted["y"].numpy(), -2 * np.ones((3, 1)))
    with pytest.raises(ValueError) as info:
        loaded.apply(ag.ones([5]))                    # a shape never traced
    assert "no saved concrete function matches" in str(info.value)
    assert "x=TensorSpec(shape=(5,)" in str(info.value)
    assert "TensorSpec(shape=(2,)" in str(info.value) and "'shift'" in str(info.value)
    with pytest.raises(ValueError, match="no saved concrete function"):
        loaded.apply(ag.ones([2]), mode="shift")      # a Python value never traced with


def test_an_untraced_function_without_signature_is_skipped_with_a_warning(tmp_path):
    m = Shapes()
    with pytest.warns(UserWarning, match="apply has no input_signature and was never called"):
        save(m, str(tmp_path / "s"))
    loaded = load(str(tmp_path / "s"))
    assert not hasattr(loaded, "apply") and loaded.scale.numpy() == 2.0


class Dense(Module):
    def __init__(self, n_in, n_out, seed):
        super().__init__()
        rng = np.random.default_rng(seed)
        self.kernel = ag.Variable(rng.standard_normal((n_in, n_out)).astype(np.float32))
        self.bias = ag.Variable(np.zeros(n_out, np.float32), name="bias")

    def __call__(self, x):
        return ag.nn.relu(ag.matmul(x, self.kernel) + self.bias)


class MLP(Module):
    def __init__(self):
        super().__init__()
        self.layers = [Dense(3, 4, 0), Dense(4, 2, 1)]
        self.config = {"final": Dense(2, 1, 2), "note": "kept out of the save"}

    @ag.function(input_signature=[ag.TensorSpec([None, 3], ag.float32, name="features")])
    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return self.config["final"](x)

    @ag.function(input_signature=[ag.TensorSpec([None, 3], ag.float32)])
    def loop(self, x):
        def body(i, total):
            step = ag.cond(ag.reduce_sum(x) > 0,
                           lambda: ag.reduce_sum(self(x * ag.cast(i, ag.float32)), axis=0),
                           lambda: -ag.ones([1]))
            return i + 1, total + step
        return ag.while_loop(lambda i, total: i < 3, body, [0, ag.zeros([1])])[1]


def test_nested_modules_lists_and_dicts_are_restored(tmp_path):
    model = MLP()
    x = ag.constant(np.abs(np.random.default_rng(3).standard_normal((5, 3))).astype(np.float32))
    save(model, str(tmp_path / "mlp"), signatures=model.__call__)
    loaded = load(str(tmp_path / "mlp"))
    assert [v.name for v in loaded.variables] == [v.name for v in model.variables]
    for a, b in zip(loaded.variables, model.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    position = [id(v) for v in model.variables].index(id(model.layers[1].kernel))
    assert loaded.layers[1].kernel is loaded.variables[position]
    assert loaded.config["final"].bias.name == "bias:0" and "note" not in loaded.config
    assert loaded.layers[0].variables == (loaded.layers[0].bias, loaded.layers[0].kernel)
    np.testing.assert_allclose(loaded(x).numpy(), model(x).numpy(), rtol=1e-6)
    np.testing.assert_allclose(loaded.loop(x).numpy(), model.loop(x).numpy(), rtol=1e-6)
    np.testing.assert_allclose(loaded.loop(-x).numpy(), [-3.0])
    serve = loaded.signatures["serving_default"]
    assert serve.input_names == ["features"]
    np.testing.assert_allclose(serve(features=x)["output_0"].numpy(), model(x).numpy(),
                               rtol=1e-6)


def test_gradients_flow_through_loaded_functions_to_loaded_variables(tmp_path):
    model = MLP()
    save(model, str(tmp_path / "mlp"))
    loaded = load(str(tmp_path / "mlp"))
    x = ag.constant(np.random.default_rng(4).standard_normal((5, 3)).astype(np.float32))
    grads = []
    for obj in (model, loaded):
        with ag.GradientTape() as tape:
            y = ag.reduce_sum(obj(x) ** 2)
        grads.append(tape.gradient(y, obj.trainable_variables))
    for a, b in zip(*grads):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5)


def test_loaded_functions_inline_into_a_new_traced_function(tmp_path):
    save(Counter(), str(tmp_path / "c"))
    loaded = load(str(tmp_path / "c"))

    @ag.function
    def twice(rows):
        loaded.add(rows)
        return loaded.add(rows)

    np.testing.assert_array_equal(twice(ag.ones([2, 2])).numpy(), [4.0, 4.0])
    assert loaded.count.numpy() == 4


def test_variables_a_function_captures_but_the_object_does_not_hold(tmp_path):
    outside = ag.Variable(10.0)
    holder = Module()
    holder.step = ag.function(lambda: outside.assign_add(1.0).read_value(), input_signature=[])
    save(holder, str(tmp_path / "h"))
    loaded = load(str(tmp_path / "h"))
    assert loaded.variables == ()
    assert loaded.step().numpy() == 11.0 and loaded.step().numpy() == 12.0
    assert outside.numpy() == 10.0


def test_strings_and_python_outputs_round_trip(tmp_path):
    holder = Module()
    holder.tag = ag.Variable(b"v1")

    @ag.function(input_signature=[ag.TensorSpec([None], ag.string)])
    def describe(words):
        return (ag.strings.join([holder.tag, ag.strings.reduce_join(words, separator=b",")],
                                separator=b":"), None, "text", 3)

    holder.describe = describe
    save(holder, str(tmp_path / "h"))
    loaded = load(str(tmp_path / "h"))
    joined, none, text, three = loaded.describe(ag.constant([b"a", b"b"]))
    assert joined.numpy() == b"v1:a,b" and (none, text, three) == (None, "text", 3)
    assert loaded.tag.numpy() == b"v1"


def test_a_concrete_function_can_be_a_signature(tmp_path):
    m = Shapes()
    cf = m.apply.get_concrete_function(ag.TensorSpec([2], ag.float32))
    save(m, str(tmp_path / "s"), signatures={"double": cf})
    loaded = load(str(tmp_path / "s"))
    out = loaded.signatures["double"](x=ag.constant([1.0, 2.0]))
    # Not a flat dict of tensors (it holds a namedtuple): outputs are numbered, TF's way.
    assert sorted(out) == ["output_0", "output_1"]
    np.testing.assert_array_equal(out["output_0"].numpy(), [2.0, 4.0])
    np.testing.assert_array_equal(out["output_1"].numpy(), [1.0, 2.0])
    assert loaded.apply.get_concrete_function(ag.TensorSpec([2], ag.float32)) is \
        loaded.signatures["double"].concrete_function


def test_saving_again_replaces_the_previous_model(tmp_path):
    path = str(tmp_path / "model")
    save(DemoModule(ag.constant(1.0)), path)
    save(DemoModule(ag.constant(7.0)), path)
    assert load(path).x.numpy() == 7.0
    assert sorted(os.listdir(tmp_path)) == ["model"]     # no temporary or old directories


class Lazy(Module):
    """Creates its variable on the first trace (TF's `if self.v is None` pattern)."""

    def __init__(self):
        super().__init__()
        self.v = None

    @ag.function(input_signature=[ag.TensorSpec([2], ag.float32)])
    def __call__(self, x):
        if self.v is None:
            self.v = ag.Variable(ag.ones([2]) * 3.0, name="lazy")
        return self.v * x


def test_variables_created_by_the_trace_that_save_makes_are_saved(tmp_path):
    save(Lazy(), str(tmp_path / "lazy"))                # never called before: save traces it
    loaded = load(str(tmp_path / "lazy"))
    assert [v.name for v in loaded.variables] == ["lazy:0"]
    np.testing.assert_array_equal(loaded(ag.constant([1.0, 2.0])).numpy(), [3.0, 6.0])


@pytest.mark.parametrize("obj", [ag.Variable(1.0), ag.constant(1.0), 3,
                                 ag.function(lambda: 1.0, input_signature=[])])
def test_only_objects_holding_functions_and_variables_are_saved(tmp_path, obj):
    with pytest.raises(TypeError, match="expected an object that holds functions"):
        save(obj, str(tmp_path / "x"))
