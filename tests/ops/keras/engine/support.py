"""Data and small helpers for the model tests."""
from __future__ import annotations

import functools

import numpy as np

from ops.keras import layers, losses, optimizers
from ops.keras.engine import Sequential


@functools.lru_cache(maxsize=1)
def digits():
    """scikit-learn's 8x8 digits (bundled): float32 features in [0, 1], int64 labels,
    a fixed 1400/397 split."""
    from sklearn.datasets import load_digits
    images, labels = load_digits(return_X_y=True)
    x = (images / 16.0).astype(np.float32)
    y = labels.astype(np.int64)
    order = np.random.default_rng(0).permutation(len(x))
    x, y = x[order], y[order]
    return x[:1400], y[:1400], x[1400:], y[1400:]


def mlp(hidden=32, **kwargs) -> Sequential:
    """A small digits classifier (logits out)."""
    return Sequential([layers.Dense(hidden, activation="relu", input_shape=(64,)),
                       layers.Dense(10)], **kwargs)


def compiled_mlp(hidden=32, optimizer=None, **compile_kwargs) -> Sequential:
    """``mlp`` compiled with Adam(5e-3) (quick to learn), sparse cross-entropy on logits and
    accuracy unless told otherwise."""
    model = mlp(hidden)
    if optimizer is None:
        optimizer = optimizers.Adam(learning_rate=5e-3)
    compile_kwargs.setdefault("loss", losses.SparseCategoricalCrossentropy(from_logits=True))
    compile_kwargs.setdefault("metrics", ["accuracy"])
    model.compile(optimizer=optimizer, **compile_kwargs)
    return model


def dense_forward(x, weights, activations):
    """NumPy oracle of a stack of Dense layers: weights = [W0, b0, W1, b1, ...]."""
    for i, act in enumerate(activations):
        x = x @ weights[2 * i] + weights[2 * i + 1]
        if act == "relu":
            x = np.maximum(x, 0)
    return x
