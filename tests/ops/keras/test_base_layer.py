"""The Layer base class: building on the first call, add_weight, training and mask passing,
freezing, losses, weights as NumPy, input checks, configs, dtype policies, and layers
inside ag.function."""
import numpy as np
import pytest

import autograph as ag
from ops.keras import backend, layers
from ops.keras.dtype_policy import set_global_policy
from ops.keras.layers import base
from ops.module import Module


class Linear(layers.Layer):
    """Counts builds; records the shape it was built for."""

    def __init__(self, units=2, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.builds = []

    def build(self, input_shape):
        self.builds.append(input_shape)
        self.w = self.add_weight("w", (input_shape[-1], self.units), initializer="ones")
        self.b = self.add_weight("b", (self.units,), initializer="zeros")

    def call(self, inputs):
        return ag.matmul(inputs, self.w) + self.b

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class Recorder(layers.Layer):
    """Records the training and mask values each call received."""

    def __init__(self, inner=None, **kwargs):
        super().__init__(**kwargs)
        self.inner = inner
        self.seen = []

    def call(self, inputs, training=None, mask=None):
        self.seen.append((training, mask))
        return self.inner(inputs) if self.inner is not None else inputs


def test_layer_is_a_module():
    assert issubclass(layers.Layer, Module)
    assert issubclass(layers.Dense, layers.Layer)


def test_builds_once_on_first_call_with_the_input_shape():
    layer = Linear(3)
    assert not layer.built and layer.weights == []
    out = layer(np.ones((4, 5), np.float32))
    assert layer.built and layer.builds == [ag.TensorShape([4, 5])]
    assert isinstance(layer.builds[0], ag.TensorShape)
    np.testing.assert_allclose(out.numpy(), np.full((4, 3), 5.0))
    layer(np.ones((2, 5), np.float32))
    assert len(layer.builds) == 1
    assert [w.name for w in layer.weights] == ["linear/w:0", "linear/b:0"]


def test_input_shape_builds_at_construction_with_unknown_batch():
    layer = Linear(3, input_shape=(5,))
    assert layer.built and layer.builds == [ag.TensorShape([None, 5])]
    assert layer.batch_input_shape == (None, 5)
    assert Linear(2, batch_input_shape=(8, 4)).builds == [ag.TensorShape([8, 4])]
    assert Linear(2, input_dim=6).builds == [ag.TensorShape([None, 6])]


def test_default_names_are_unique_per_class():
    assert [Linear().name, Linear().name, layers.Dense(1).name, Linear().name] == \
        ["linear", "linear_1", "dense", "linear_2"]
    backend.clear_session()
    assert Linear().name == "linear"


def test_unknown_keyword_arguments_are_refused():
    with pytest.raises(TypeError, match="not understood: unitz"):
        layers.Dense(3, unitz=4)


def test_forgetting_super_init_is_a_clear_error():
    class Broken(layers.Layer):
        def __init__(self):
            pass

    with pytest.raises(RuntimeError, match="did not call super"):
        Broken()


# ---- add_weight --------------------------------------------------------------------------

def test_add_weight_resolves_names_objects_and_callables():
    layer = layers.Layer(name="holder")
    a = layer.add_weight("a", (2, 2), initializer="ones")
    b = layer.add_weight("b", (3,), initializer=lambda shape, dtype=None: ag.fill(shape, 4.0))
    c = layer.add_weight("c", (), dtype="int32", trainable=False)
    np.testing.assert_array_equal(a.numpy(), np.ones((2, 2)))
    np.testing.assert_array_equal(b.numpy(), [4, 4, 4])
    assert c.dtype == ag.int32 and c.numpy() == 0 and not c.trainable
    assert layer.trainable_weights == [a, b] and layer.non_trainable_weights == [c]
    assert a.name == "a:0"


def test_add_weight_unknown_initializer_names_the_argument():
    layer = layers.Layer(name="holder")
    with pytest.raises(ValueError, match=r"Unknown initializer 'onse'.*add_weight\('w'\).*ones"):
        layer.add_weight("w", (2,), initializer="onse")
    with pytest.raises(ValueError, match="Unknown initializer 'glorot'.*kernel_initializer"):
        layers.Dense(2, kernel_initializer="glorot")


def test_weights_created_while_tracing_hold_concrete_values():
    layer = Linear(2)

    @ag.function
    def run(x):
        return layer(x)

    out = run(ag.ones([3, 4]))
    np.testing.assert_allclose(out.numpy(), np.full((3, 2), 4.0))
    assert layer.w.numpy().shape == (4, 2)
    run(ag.ones([5, 4]))         # a second trace reuses the weights
    assert len(layer.builds) == 1 and len(layer.weights) == 2


def test_failed_build_leaves_no_weights():
    class Fails(layers.Layer):
        def build(self, input_shape):
            self.add_weight("ok", (2,))
            raise ValueError("no good")

    layer = Fails()
    with pytest.raises(ValueError, match="no good"):
        layer(ag.ones([1, 2]))
    assert not layer.built and layer._own_trainable == []


# ---- training and mask ---------------------------------------------------------------------

def test_training_is_passed_only_when_call_accepts_it():
    rec = Recorder()
    rec(ag.ones([1]))
    rec(ag.ones([1]), training=True)
    rec(ag.ones([1]), True)              # positionally
    assert [t for t, _ in rec.seen] == [None, True, True]
    plain = Linear(1)
    plain(ag.ones([1, 1]), training=True)   # Linear.call takes no training: dropped


def test_outer_training_reaches_inner_layers():
    inner = Recorder()
    outer = Recorder(inner=inner)
    outer(ag.ones([1]), training=True)
    assert inner.seen[-1][0] is True
    outer(ag.ones([1]))
    assert inner.seen[-1][0] is None

    class PassesNothing(layers.Layer):      # does not take training, still forwards it
        def __init__(self):
            super().__init__()
            self.inner = Recorder()

        def call(self, inputs):
            return self.inner(inputs)

    wrapper = PassesNothing()
    wrapper(ag.ones([1]), training=True)
    assert wrapper.inner.seen[-1][0] is True


def test_signature_default_is_used_when_nothing_decides():
    class DefaultsToTraining(layers.Layer):
        def call(self, inputs, training=True):
            self.got = training
            return inputs

    layer = DefaultsToTraining()
    layer(ag.ones([1]))
    assert layer.got is True


def test_mask_is_passed_only_when_call_accepts_it():
    rec = Recorder()
    mask = ag.constant([True])
    rec(ag.ones([1]), mask=mask)
    assert rec.seen[-1][1] is mask
    Linear(1)(ag.ones([1, 1]), mask=mask)


# ---- tracking and freezing -----------------------------------------------------------------

class Block(layers.Layer):
    """Sub-layers in an attribute, a list and a dict, and a variable assigned directly."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.first = Linear(3)
        self.stack = [Linear(3), {"norm": layers.BatchNormalization()}]
        self.scale = ag.Variable(2.0, name="scale")
        self.counter = ag.Variable(0, trainable=False, name="counter")

    def call(self, inputs, training=None):
        x = self.first(inputs)
        x = self.stack[0](x)
        return self.stack[1]["norm"](x, training=training) * self.scale


def test_nested_layers_and_variables_are_tracked_in_assignment_order():
    block = Block()
    block(np.ones((2, 4), np.float32))
    assert [w.name for w in block.trainable_weights] == [
        "scale:0", "block/linear/w:0", "block/linear/b:0", "block/linear_1/w:0",
        "block/linear_1/b:0", "block/batch_normalization/gamma:0",
        "block/batch_normalization/beta:0"]
    assert [w.name for w in block.non_trainable_weights] == [
        "counter:0", "block/batch_normalization/moving_mean:0",
        "block/batch_normalization/moving_variance:0"]
    assert block.variables == block.weights
    assert block.count_params() == 1 + 15 + 12 + 6 + 6 + 1
    assert [layer.name for layer in block._flatten_layers()] == [
        "block", "linear", "linear_1", "batch_normalization"]
    assert set(map(id, block.submodules)) == {id(block.first), id(block.stack[0]),
                                              id(block.stack[1]["norm"])}


def test_freezing_moves_weights_to_non_trainable_recursively():
    block = Block()
    block(np.ones((2, 4), np.float32))
    n_weights = len(block.weights)
    block.stack[0].trainable = False
    assert len(block.trainable_weights) == 5 and len(block.weights) == n_weights
    block.trainable = False
    assert block.trainable_weights == [] and len(block.non_trainable_weights) == n_weights
    assert not block.first.trainable and not block.stack[1]["norm"].trainable
    block.trainable = True
    assert len(block.trainable_weights) == 7


def test_frozen_weights_get_no_gradient_from_trainable_variables():
    layer = Linear(2)
    layer(ag.ones([1, 3]))
    layer.trainable = False
    with ag.GradientTape() as tape:
        loss = ag.reduce_sum(layer(ag.ones([1, 3])))
    assert layer.trainable_variables == []
    assert tape.gradient(loss, layer.trainable_variables) == []


# ---- losses ----------------------------------------------------------------------------------

def test_weight_regularizers_are_recomputed_on_each_read():
    dense = layers.Dense(2, kernel_regularizer="l2", kernel_initializer="ones")
    dense(ag.ones([1, 3]))
    (loss,) = dense.losses
    np.testing.assert_allclose(float(loss), 0.01 * 6)
    dense.kernel.assign(np.full((3, 2), 2.0, np.float32))
    np.testing.assert_allclose(float(dense.losses[0]), 0.01 * 24)
    with ag.GradientTape() as tape:
        penalty = ag.add_n(dense.losses)
    np.testing.assert_allclose(tape.gradient(penalty, dense.kernel).numpy(),
                               np.full((3, 2), 0.04), rtol=1e-6)


def test_add_loss_tensors_last_until_the_next_outer_call():
    class Penalised(layers.Layer):
        def call(self, inputs):
            self.add_loss(ag.reduce_sum(inputs))
            return inputs

    inner = Penalised()
    outer = Recorder(inner=inner)
    outer(ag.ones([3]))
    assert [float(x) for x in outer.losses] == [3.0]
    outer(ag.ones([2]))
    assert [float(x) for x in outer.losses] == [2.0]
    outer.add_loss(lambda: ag.constant(5.0))
    assert sorted(float(x) for x in outer.losses) == [2.0, 5.0]


def test_activity_regularizer_is_averaged_over_the_batch():
    layer = layers.Dense(2, kernel_initializer="ones", activity_regularizer="l1")
    out = layer(np.ones((4, 3), np.float32))
    (loss,) = layer.losses
    np.testing.assert_allclose(float(loss), 0.01 * np.abs(out.numpy()).sum() / 4, rtol=1e-6)


# ---- input checks -----------------------------------------------------------------------------

def test_wrong_input_shape_after_build_names_layer_and_shapes_and_changes_nothing():
    dense = layers.Dense(3, name="classifier")
    dense(np.ones((2, 4), np.float32))
    before = dense.get_weights()
    with pytest.raises(ValueError) as e:
        dense(np.ones((2, 5), np.float32))
    message = str(e.value)
    assert '"classifier"' in message and "(2, 5)" in message and "(2, 4)" in message
    assert "axis -1" in message and "value 4" in message
    assert len(dense.weights) == 2
    for a, b in zip(before, dense.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match='layer "classifier".*min_ndim=2, found ndim=1'):
        dense(np.ones(4, np.float32))


def test_rank_is_checked_before_build():
    conv = layers.Conv2D(2, 3, name="conv")
    with pytest.raises(ValueError, match='layer "conv".*min_ndim=4, found ndim=3'):
        conv(np.ones((2, 5, 5), np.float32))
    assert not conv.built and conv.weights == []


def test_errors_inside_call_name_the_layer():
    class Bad(layers.Layer):
        def call(self, inputs):
            return ag.matmul(inputs, ag.ones([7, 2]))

    with pytest.raises(Exception) as e:
        Bad(name="bad")(ag.ones([2, 3]))
    assert any('layer "bad"' in note and "(2, 3)" in note for note in e.value.__notes__)


# ---- weights as NumPy --------------------------------------------------------------------------

def test_get_and_set_weights():
    dense = layers.Dense(2)
    dense(np.ones((1, 3), np.float32))
    kernel = np.arange(6, dtype=np.float64).reshape(3, 2)
    dense.set_weights([kernel, np.array([1.0, -1.0])])
    got = dense.get_weights()
    assert got[0].dtype == np.float32
    np.testing.assert_array_equal(got[0], kernel)
    np.testing.assert_allclose(dense(np.ones((1, 3), np.float32)).numpy(), [[7.0, 8.0]])


def test_set_weights_with_a_wrong_shape_changes_nothing():
    dense = layers.Dense(2, name="head")
    dense(np.ones((1, 3), np.float32))
    before = dense.get_weights()
    with pytest.raises(ValueError) as e:
        dense.set_weights([np.zeros((3, 2)), np.zeros(3)])
    message = str(e.value)
    assert '"head"' in message and "(2,)" in message and "(3,)" in message
    np.testing.assert_array_equal(dense.get_weights()[0], before[0])   # kernel untouched
    with pytest.raises(ValueError, match='"head" with a weight list of length 1.*expecting 2'):
        dense.set_weights([np.zeros((3, 2))])


def test_weights_kwarg_sets_initial_values():
    kernel, bias = np.full((2, 1), 3.0), np.array([1.0])
    dense = layers.Dense(1, input_shape=(2,), weights=[kernel, bias])
    np.testing.assert_array_equal(dense.get_weights()[0], kernel)


def test_count_params_needs_a_built_layer():
    with pytest.raises(ValueError, match='count_params on layer "dense".*isn\'t built'):
        layers.Dense(2).count_params()
    assert layers.Dense(2, input_shape=(3,)).count_params() == 8


# ---- shapes and configs --------------------------------------------------------------------------

def test_default_compute_output_shape_traces_call():
    class Doubler(layers.Layer):
        def call(self, inputs):
            return ag.concat([inputs, inputs], axis=-1)

    assert Doubler().compute_output_shape((None, 3)) == ag.TensorShape([None, 6])
    layer = Linear(5)
    assert layer.compute_output_shape((None, 2)) == ag.TensorShape([None, 5])
    assert layer.built     # building happened on placeholders; weights are concrete
    assert layer.w.numpy().shape == (2, 5)


def test_get_config_must_be_overridden_when_init_takes_arguments():
    class NoConfig(layers.Layer):
        def __init__(self, size, **kwargs):
            super().__init__(**kwargs)

    with pytest.raises(NotImplementedError, match=r"NoConfig has arguments \['size'\]"):
        NoConfig(3).get_config()
    assert layers.Layer(name="plain", trainable=False).get_config() == {
        "name": "plain", "trainable": False, "dtype": "float32"}


# seed 002: a custom Dense with get_config
class MyDenseLayer(layers.Layer):
    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        from ops.keras import activations
        self.activation = activations.get(activation)

    def build(self, input_shape):
        self.w = self.add_weight(name='kernel', shape=(input_shape[-1], self.units),
                                 initializer='glorot_uniform', trainable=True)
        self.b = self.add_weight(name='bias', shape=(self.units,), initializer='zeros',
                                 trainable=True)
        super().build(input_shape)

    def call(self, inputs, training=None):
        output = ag.matmul(inputs, self.w) + self.b
        if self.activation is not None:
            output = self.activation(output)
        return output

    def get_config(self):
        from ops.keras import activations
        config = super().get_config()
        config.update({'units': self.units,
                       'activation': activations.serialize(self.activation)})
        return config


def test_seed_002_custom_dense_layer():
    layer = MyDenseLayer(4, activation="relu")
    x = np.random.default_rng(0).normal(size=(3, 5)).astype(np.float32)
    out = layer(x)
    w, b = layer.get_weights()
    np.testing.assert_allclose(out.numpy(), np.maximum(x @ w + b, 0), rtol=1e-6)
    config = layer.get_config()
    assert config["units"] == 4 and config["activation"] == "relu"
    clone = MyDenseLayer.from_config(config)
    assert clone.units == 4 and clone.activation is layer.activation and not clone.built


# ---- dtype policies ----------------------------------------------------------------------------

def test_float64_layer_and_autocast_of_inputs():
    dense = layers.Dense(2, dtype="float64")
    assert dense(np.ones((1, 3))).dtype == ag.float64
    assert dense.kernel.dtype == ag.float64
    default = layers.Dense(2)
    assert default.dtype == "float32" and default.compute_dtype == "float32"
    assert default(np.ones((1, 3))).dtype == ag.float32   # float64 NumPy data cast down
    assert layers.Embedding(5, 2)(np.array([[1, 2]])).dtype == ag.float32   # ints kept


def test_mixed_policy_computes_in_float16_with_float32_weights():
    set_global_policy("mixed_float16")
    try:
        dense = layers.Dense(2)
    finally:
        set_global_policy(None)
    assert dense.compute_dtype == "float16" and dense.variable_dtype == "float32"
    out = dense(np.ones((1, 3), np.float32))
    assert out.dtype == ag.float16 and dense.kernel.dtype == ag.float32


# ---- inside ag.function -------------------------------------------------------------------

def test_layers_inside_function_match_eager_and_train():
    model = Block()
    x = np.random.default_rng(1).normal(size=(4, 4)).astype(np.float32)
    eager = model(x, training=False).numpy()

    @ag.function
    def infer(x):
        return model(x, training=False)

    np.testing.assert_allclose(infer(ag.constant(x)).numpy(), eager, rtol=1e-6)

    @ag.function
    def grads(x):
        with ag.GradientTape() as tape:
            loss = ag.reduce_sum(model(x, training=True) ** 2)
        return tape.gradient(loss, model.trainable_variables)

    traced = grads(ag.constant(x))
    with ag.GradientTape() as tape:
        loss = ag.reduce_sum(model(x, training=True) ** 2)
    for a, b in zip(traced, tape.gradient(loss, model.trainable_variables)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-5)


def test_call_converter_makes_tensor_control_flow_in_call_work():
    from autograph.converter import public

    class Branchy(layers.Layer):
        def call(self, inputs):
            if ag.reduce_sum(inputs) > 0:
                return inputs * 2.0
            return -inputs

    layer = Branchy()
    run = ag.function(lambda x: layer(x))
    previous = base._call_converter   # the autograph package's, once it is imported
    base.set_call_converter(public.convert)
    try:
        np.testing.assert_allclose(run(ag.constant([1.0, 2.0])).numpy(), [2.0, 4.0])
        np.testing.assert_allclose(run(ag.constant([-1.0, -2.0])).numpy(), [1.0, 2.0])
    finally:
        base.set_call_converter(previous)


def test_symbolic_input_types_take_over_the_call():
    class Placeholder:
        shape = (None, 3)

    calls = []
    base.register_symbolic_input_type(Placeholder, lambda layer, x, a, k: calls.append(layer))
    try:
        dense = layers.Dense(2)
        dense(Placeholder())
    finally:
        base._symbolic_types.pop(Placeholder)
    assert calls == [dense] and not dense.built


def test_losses_added_while_tracing_stay_in_the_trace():
    layer = layers.Dense(2, activity_regularizer="l2")
    seen = []

    @ag.function
    def step(x):
        out = layer(x)
        seen.append(len(layer.losses))       # the symbolic activity loss, inside the trace
        return ag.add_n([ag.reduce_sum(out)] + layer.losses)

    step(ag.ones([2, 3]))
    assert seen[0] == 1
    assert layer.losses == []                # nothing symbolic leaks into eager reads
    layer(ag.ones([2, 3]))
    assert len(layer.losses) == 1 and layer.losses[0].numpy() > 0


def test_nested_lists_of_numbers_are_data_and_lists_of_tensors_are_structure():
    dense = layers.Dense(1, kernel_initializer="ones")
    np.testing.assert_allclose(dense([[1.0, 2.0], [3.0, 4.0]]).numpy(), [[3.0], [7.0]])
    added = layers.Add()([ag.ones([2]), ag.ones([2])])
    np.testing.assert_allclose(added.numpy(), [2.0, 2.0])


def test_add_weight_accepts_the_shape_first():
    layer = layers.Layer()
    assert layer.add_weight((2, 3), initializer="zeros").shape == (2, 3)
