"""The layer stacks of the seed documents, trained with a GradientTape: seed 003's MNIST
stack (Flatten, Dense, Dropout) and seed 002's residual block (Conv2D, BatchNormalization).
Model/Sequential come from ops/keras/engine; here the layers are chained by hand."""
import numpy as np

import autograph as ag
from ops.keras import layers

RNG = np.random.default_rng(0)


class MnistStack(layers.Layer):
    """Seed 003: Flatten(input_shape=(28, 28)), Dense(128, relu), Dropout(0.2),
    Dense(10, softmax)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.stack = [
            layers.Flatten(input_shape=(28, 28)),
            layers.Dense(128, activation='relu'),
            layers.Dropout(0.2),
            layers.Dense(10, activation='softmax'),
        ]

    def call(self, x, training=None):
        for layer in self.stack:
            x = layer(x, training=training)
        return x


def sparse_categorical_crossentropy(labels, probs):
    picked = ag.gather(probs, labels, batch_dims=1)
    return -ag.reduce_mean(ag.math.log(picked + 1e-7))


def test_seed_003_mnist_stack_trains_inside_a_function():
    labels = RNG.integers(0, 2, size=64).astype(np.int32)
    images = RNG.uniform(size=(64, 28, 28)) * 0.5    # float64, as x_train / 255.0
    images[labels == 1, :14] += 0.5                  # class 1: a bright top half
    model = MnistStack()
    assert model.stack[0].built and not model.stack[1].built

    @ag.function
    def train_step(x, y):
        with ag.GradientTape() as tape:
            loss = sparse_categorical_crossentropy(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        for var, grad in zip(model.trainable_variables, grads):
            var.assign_sub(0.05 * grad)
        return loss

    x, y = ag.cast(ag.constant(images), ag.float32), ag.constant(labels)
    losses = [float(train_step(x, y)) for _ in range(30)]
    assert losses[-1] < 0.5 * losses[0]
    assert [v.shape for v in model.trainable_variables] == [(784, 128), (128,), (128, 10), (10,)]
    probs = model(images)                                  # eager, inference, float64 input
    assert probs.dtype == ag.float32 and tuple(probs.shape) == (64, 10)
    np.testing.assert_allclose(probs.numpy().sum(1), np.ones(64), rtol=1e-5)
    accuracy = (probs.numpy().argmax(1) == labels).mean()
    assert accuracy > 0.9


class ResidualBlock(layers.Layer):
    """Seed 002's block (written there as a Model subclass)."""

    def __init__(self, filters, strides=1, **kwargs):
        super().__init__(**kwargs)
        self.conv1 = layers.Conv2D(filters, 3, strides, padding='same')
        self.bn1 = layers.BatchNormalization()
        self.conv2 = layers.Conv2D(filters, 3, padding='same')
        self.bn2 = layers.BatchNormalization()
        if strides > 1:
            self.shortcut = [layers.Conv2D(filters, 1, strides), layers.BatchNormalization()]
        else:
            self.shortcut = [lambda x: x]

    def call(self, inputs, training=None):
        x = self.conv1(inputs)
        x = self.bn1(x, training=training)
        x = ag.nn.relu(x)
        x = self.conv2(x)
        x = self.bn2(x, training=training)
        shortcut = inputs
        for layer in self.shortcut:
            shortcut = layer(shortcut)        # the shortcut BN follows the outer training
        x = x + shortcut
        x = ag.nn.relu(x)
        return x

    def get_config(self):
        return {**super().get_config(), "filters": self.conv1.filters,
                "strides": self.conv1.strides[0]}


def test_seed_002_residual_block():
    block = ResidualBlock(4, strides=2)
    x = RNG.normal(size=(2, 8, 8, 3)).astype(np.float32)
    with ag.GradientTape() as tape:
        out = block(x, training=True)
        loss = ag.reduce_sum(out ** 2)
    assert tuple(out.shape) == (2, 4, 4, 4)
    grads = tape.gradient(loss, block.trainable_variables)
    assert len(grads) == 12 and all(g is not None for g in grads)
    assert len(block.non_trainable_variables) == 6         # three BNs' moving statistics
    shortcut_bn = block.shortcut[1]
    assert np.abs(shortcut_bn.moving_mean.numpy()).sum() > 0   # updated: training reached it
    assert block.get_config()["strides"] == 2
    identity = ResidualBlock(3)
    assert tuple(identity(x).shape) == (2, 8, 8, 3)
    assert len(identity.trainable_variables) == 8
