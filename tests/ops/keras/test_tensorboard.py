"""keras.callbacks.TensorBoard during a real fit: Keras's run layout and tag names."""
import glob
import os

import numpy as np
import pytest

import autograph as tf
from ops.keras.engine.training_loops import _needs_batch_hooks
from tests.ops.summary.conftest import _fresh_summary_state  # noqa: F401  (autouse here too)
from tests.ops.summary.events import load, node_ops, plugin, scalars, series, tags


def tiny_model(optimizer="sgd"):
    model = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu", input_shape=(3,)),
                                 tf.keras.layers.Dense(1)])
    model.compile(optimizer=optimizer, loss="mse", metrics=["mae"])
    return model


def data(n=32):
    x = np.random.RandomState(0).rand(n, 3).astype(np.float32)
    return x, x.sum(axis=1, keepdims=True)


def fit(log_dir, epochs=3, validation=True, model=None, **callback_kwargs):
    x, y = data()
    model = model or tiny_model()
    callback = tf.keras.callbacks.TensorBoard(log_dir=str(log_dir), **callback_kwargs)
    history = model.fit(x[:24], y[:24], batch_size=8, epochs=epochs, verbose=0,
                        validation_data=(x[24:], y[24:]) if validation else None,
                        callbacks=[callback])
    return model, history


def test_epoch_metrics_go_to_train_and_validation_runs(tmp_path):
    _, history = fit(tmp_path)
    train, validation = tmp_path / "train", tmp_path / "validation"
    for name in ("loss", "mae"):
        written = scalars(train, f"epoch_{name}")
        assert [s for s, _ in written] == [0, 1, 2]
        np.testing.assert_allclose([v for _, v in written], history.history[name], rtol=1e-6)
        val_written = scalars(validation, f"epoch_{name}")
        np.testing.assert_allclose([v for _, v in val_written], history.history[f"val_{name}"],
                                   rtol=1e-6)
    assert plugin(train, "epoch_loss") == "scalars"
    assert not any(t.startswith("batch_") for t in tags(train))


def test_evaluation_vs_iterations_at_the_optimizer_step(tmp_path):
    fit(tmp_path)
    steps = [s for s, _ in scalars(tmp_path / "validation", "evaluation_loss_vs_iterations")]
    assert steps == [3, 6, 9]      # 3 batches of 8 per epoch


def test_no_validation_data_makes_no_validation_run(tmp_path):
    fit(tmp_path, epochs=2, validation=False)
    assert scalars(tmp_path / "train", "epoch_loss")
    assert not os.path.exists(tmp_path / "validation")


def test_batch_metrics_every_update_freq_batches(tmp_path):
    fit(tmp_path, update_freq=2)
    assert [s for s, _ in scalars(tmp_path / "train", "batch_loss")] == [2, 4, 6, 8]


def test_update_freq_batch_logs_every_batch(tmp_path):
    fit(tmp_path, epochs=1, update_freq="batch", validation=False)
    assert [s for s, _ in scalars(tmp_path / "train", "batch_mae")] == [1, 2, 3]


def test_default_update_freq_adds_no_batch_hooks():
    assert not _needs_batch_hooks([tf.keras.callbacks.TensorBoard()], "train")
    assert _needs_batch_hooks([tf.keras.callbacks.TensorBoard(update_freq=5)], "train")


def test_weight_histograms_every_histogram_freq_epochs(tmp_path):
    model, _ = fit(tmp_path, epochs=3, histogram_freq=2, write_images=True)
    train = tmp_path / "train"
    kernel = model.layers[0].weights[0]
    tag = kernel.name.replace(":", "_") + "/histogram"
    written = series(train, tag)
    assert [s for s, _ in written] == [0, 2]
    np.testing.assert_array_equal(written[-1][1][:, 2],
                                  np.histogram(kernel.numpy(), bins=30)[0])
    assert plugin(train, kernel.name.replace(":", "_") + "/image") == "images"


def test_write_graph_writes_the_train_function_and_the_model_config(tmp_path):
    fit(tmp_path, epochs=1)
    train = tmp_path / "train"
    ops = set(node_ops(load(train).Graph()).values())
    assert {"MatMul", "Relu", "AssignVariable"} <= ops
    assert plugin(train, "keras") == "graph_keras_model"
    assert b"Dense" in series(train, "keras")[0][1].item()


def test_write_graph_false_writes_neither(tmp_path):
    fit(tmp_path, epochs=1, write_graph=False)
    assert not load(tmp_path / "train").Tags()["graph"]
    assert "keras" not in tags(tmp_path / "train")


def test_steps_per_second_and_a_scheduled_learning_rate(tmp_path):
    schedule = tf.keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=3,
                                                              decay_rate=0.5)
    model = tiny_model(tf.keras.optimizers.SGD(learning_rate=schedule))
    fit(tmp_path, epochs=2, model=model, write_steps_per_second=True)
    train = tmp_path / "train"
    assert all(v > 0 for _, v in scalars(train, "epoch_steps_per_second"))
    np.testing.assert_allclose([v for _, v in scalars(train, "epoch_learning_rate")],
                               [0.05, 0.025], rtol=1e-6)


def test_profile_batch_writes_a_trace_and_the_profiled_graph(tmp_path):
    fit(tmp_path, epochs=1, validation=False, profile_batch=(2, 3))
    assert glob.glob(str(tmp_path / "plugins" / "profile" / "*" / "*.trace.json*"))
    assert plugin(tmp_path / "train", "batch_3") == "graph_run_metadata_graph"


def test_writers_are_closed_after_fit_and_fit_can_run_again(tmp_path):
    model, _ = fit(tmp_path, epochs=1, validation=False)
    fit(tmp_path, epochs=1, validation=False, model=model)
    assert len(scalars(tmp_path / "train", "epoch_loss")) == 2


@pytest.mark.parametrize("kwargs,message", [
    ({"update_freq": 0}, "update_freq"),
    ({"update_freq": "sometimes"}, "update_freq"),
    ({"profile_batch": (5, 2)}, "profile_batch"),
    ({"not_an_argument": 1}, "Unrecognized arguments"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        tf.keras.callbacks.TensorBoard(**kwargs)


def test_old_keras_arguments_and_embeddings_warn():
    with pytest.warns(UserWarning, match="write_grads"):
        tf.keras.callbacks.TensorBoard(write_grads=True)
    with pytest.warns(UserWarning, match="embeddings"):
        tf.keras.callbacks.TensorBoard(embeddings_freq=1)


def test_profile_batch_while_a_profile_runs_warns_and_trains_on(tmp_path):
    from ops import profiler
    profiler.start(str(tmp_path / "outer"))
    try:
        with pytest.warns(UserWarning, match="failed to start the profiler"):
            fit(tmp_path, epochs=1, validation=False, profile_batch=1)
    finally:
        profiler.stop(save=False)
    assert scalars(tmp_path / "train", "epoch_loss")


def test_the_graph_recorder_stops_at_the_first_train_step(tmp_path):
    from autograph.function import ConcreteFunction
    original = ConcreteFunction._call_flat
    seen = []

    class Probe(tf.keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(ConcreteFunction._call_flat is original)

    x, y = data()
    tiny_model().fit(x, y, epochs=1, verbose=0, callbacks=[
        Probe(), tf.keras.callbacks.TensorBoard(log_dir=str(tmp_path))])
    assert seen == [True]
    assert ConcreteFunction._call_flat is original
