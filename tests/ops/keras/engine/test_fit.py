"""compile / fit / evaluate / predict: learning on real data, the data kinds accepted, the
traced train step, and the errors for bad arguments and bad labels."""
import numpy as np
import pytest

from ops.data import Dataset
from ops.keras import callbacks, layers, losses, regularizers
from ops.keras.engine import Input, Model, Sequential
from tests.ops.keras.engine.support import compiled_mlp, digits, mlp


def test_fit_lowers_the_loss_and_learns_digits_in_a_few_epochs():
    x, y, x_test, y_test = digits()
    model = compiled_mlp()
    history = model.fit(x, y, batch_size=32, epochs=4, verbose=0)
    loss = history.history["loss"]
    assert len(loss) == 4 and loss[-1] < 0.5 * loss[0]
    assert all(b < a for a, b in zip(loss, loss[1:]))
    assert history.epoch == [0, 1, 2, 3] and model.history is history
    test_loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy > 0.9 and test_loss < 0.5


def test_fit_prints_keras_progress_lines(capsys):
    x, y, _, _ = digits()
    compiled_mlp().fit(x[:64], y[:64], batch_size=32, epochs=2)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and "2/2 [" in out
    assert "loss:" in out and "accuracy:" in out


def test_evaluate_returns_a_float_a_list_or_a_dict():
    x, y, _, _ = digits()
    model = compiled_mlp()
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert model.metrics_names == ["loss", "accuracy"]
    assert model.evaluate(x, y, verbose=0, return_dict=True) == pytest.approx(
        {"loss": loss, "accuracy": accuracy})
    plain = compiled_mlp(metrics=None)
    assert isinstance(plain.evaluate(x, y, verbose=0), float)


def test_evaluate_with_sample_weight_matches_numpy():
    x, y, _, _ = digits()
    x, y = x[:50], y[:50]
    weights = np.linspace(0, 2, 50).astype(np.float32)
    model = compiled_mlp(metrics=None)
    logits = model.predict(x, verbose=0)
    logp = logits - logits.max(1, keepdims=True)
    logp -= np.log(np.exp(logp).sum(1, keepdims=True))
    per_example = -logp[np.arange(50), y]
    loss = model.evaluate(x, y, sample_weight=weights, batch_size=50, verbose=0)
    assert loss == pytest.approx(np.sum(weights * per_example) / 50, rel=1e-5)


def test_predict_batches_and_concatenates_numpy_outputs():
    x, _, _, _ = digits()
    model = mlp()
    out = model.predict(x[:70], batch_size=32, verbose=0)
    assert isinstance(out, np.ndarray) and out.shape == (70, 10) and out.dtype == np.float32
    np.testing.assert_allclose(out, model(x[:70]).numpy(), rtol=1e-5, atol=1e-6)
    inputs = Input(shape=(64,))
    two = Model(inputs, [layers.Dense(2)(inputs), layers.Dense(3)(inputs)])
    first, second = two.predict(x[:40], batch_size=16, verbose=0)
    assert first.shape == (40, 2) and second.shape == (40, 3)
    assert model.predict_on_batch(x[:5]).shape == (5, 10)


def test_validation_split_holds_out_the_last_samples_and_logs_val_metrics():
    x, y, _, _ = digits()
    seen = []
    counter = callbacks.LambdaCallback(on_batch_end=lambda batch, logs: seen.append(batch))
    model = compiled_mlp()
    history = model.fit(x[:100], y[:100], batch_size=10, epochs=1, validation_split=0.2,
                        callbacks=[counter], verbose=0)
    assert seen == list(range(8))              # 80 training samples in batches of 10
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    expected = model.evaluate(x[80:100], y[80:100], verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(expected[0], rel=1e-5)


def test_validation_data_and_validation_freq():
    x, y, x_test, y_test = digits()
    model = compiled_mlp()
    history = model.fit(x[:200], y[:200], epochs=4, validation_data=(x_test, y_test),
                        validation_freq=2, verbose=0)
    assert len(history.history["loss"]) == 4 and len(history.history["val_loss"]) == 2


def test_dataset_input_for_fit_evaluate_and_predict():
    x, y, x_test, y_test = digits()
    train = Dataset.from_tensor_slices((x, y)).shuffle(1400, seed=1).batch(64)
    test = Dataset.from_tensor_slices((x_test, y_test)).batch(128)
    model = compiled_mlp()
    history = model.fit(train, epochs=3, validation_data=test, verbose=0)
    assert history.history["val_accuracy"][-1] > 0.85
    assert model.evaluate(test, verbose=0)[1] == pytest.approx(
        history.history["val_accuracy"][-1])
    assert model.predict(Dataset.from_tensor_slices(x_test).batch(100), verbose=0).shape == \
        (397, 10)
    with pytest.raises(ValueError, match="batch_size"):
        model.fit(train, batch_size=32, verbose=0)
    with pytest.raises(ValueError, match="`y` argument is not supported"):
        model.fit(train, y, verbose=0)
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(train, validation_split=0.1, verbose=0)


def test_python_generator_input_is_consumed_across_epochs():
    x, y, _, _ = digits()

    def batches():
        for i in range(0, 256, 64):
            yield x[i:i + 64], y[i:i + 64]

    model = compiled_mlp()
    history = model.fit(batches(), epochs=2, steps_per_epoch=2, verbose=0)
    assert len(history.history["loss"]) == 2
    with pytest.warns(UserWarning, match="ran out of data"):
        history = model.fit(batches(), epochs=3, steps_per_epoch=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_steps_per_epoch_with_arrays_continues_through_the_data():
    x, y, _, _ = digits()
    seen = []
    counter = callbacks.LambdaCallback(on_batch_end=lambda batch, logs: seen.append(batch))
    compiled_mlp().fit(x[:100], y[:100], batch_size=25, epochs=3, steps_per_epoch=3,
                       callbacks=[counter], verbose=0)
    assert seen == [0, 1, 2] * 3


def test_run_eagerly_gives_the_same_weights_as_the_traced_step():
    x, y, _, _ = digits()
    graph, eager = compiled_mlp(), compiled_mlp(run_eagerly=True)
    eager.set_weights(graph.get_weights())
    assert eager.run_eagerly and not graph.run_eagerly
    for model in (graph, eager):
        model.fit(x[:200], y[:200], batch_size=50, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(graph.get_weights(), eager.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    assert not callable(getattr(eager.train_function, "experimental_get_tracing_count", None))


def test_the_train_step_is_traced_once_per_batch_shape():
    x, y, _, _ = digits()
    model = compiled_mlp()
    model.fit(x[:100], y[:100], batch_size=32, epochs=1, verbose=0)   # 3 x 32 + 1 x 4
    fn = model.train_function
    traced = fn.experimental_get_tracing_count()
    model.fit(x[:100], y[:100], batch_size=32, epochs=3, verbose=0)
    assert fn.experimental_get_tracing_count() == traced <= 3
    assert sorted(tuple(cf.input_specs[0].shape) for cf in fn._cache.values()) == \
        [(4, 64), (32, 64)]


def test_train_test_on_batch():
    x, y, _, _ = digits()
    model = compiled_mlp()
    first = model.train_on_batch(x[:64], y[:64])
    for _ in range(20):
        last = model.train_on_batch(x[:64], y[:64], return_dict=True)
    assert last["loss"] < first[0]
    assert model.test_on_batch(x[:64], y[:64])[0] == pytest.approx(
        model.evaluate(x[:64], y[:64], batch_size=64, verbose=0)[0], rel=1e-5)


def test_multiple_outputs_with_loss_dict_and_loss_weights():
    x, y, _, _ = digits()
    inputs = Input(shape=(64,))
    hidden = layers.Dense(16, activation="relu")(inputs)
    model = Model(inputs, [layers.Dense(10, name="digit")(hidden),
                           layers.Dense(1, name="big")(hidden)])
    model.compile("adam", loss={"digit": losses.SparseCategoricalCrossentropy(from_logits=True),
                                "big": "mse"},
                  loss_weights={"digit": 1.0, "big": 0.5}, metrics={"digit": ["accuracy"]})
    targets = [y[:128], (y[:128] >= 5).astype(np.float32)]
    history = model.fit(x[:128], targets, epochs=2, verbose=0)
    assert set(history.history) == {"loss", "digit_loss", "big_loss", "digit_accuracy"}
    logs = model.evaluate(x[:128], targets, batch_size=128, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(logs["digit_loss"] + 0.5 * logs["big_loss"], rel=1e-5)


def test_regularization_losses_are_added_to_the_loss():
    x, y, _, _ = digits()
    model = Sequential([layers.Dense(10, input_shape=(64,),
                                     kernel_regularizer=regularizers.L2(10.0))])
    model.compile("sgd", losses.SparseCategoricalCrossentropy(from_logits=True))
    penalty = 10.0 * np.sum(model.get_weights()[0] ** 2)
    total = model.evaluate(x[:64], y[:64], batch_size=64, verbose=0)
    logits = model.predict(x[:64], verbose=0)
    logp = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    expected = -np.mean(logp[np.arange(64), y[:64]]) + penalty
    assert total == pytest.approx(expected, rel=1e-4)


def test_class_weight_scales_the_loss_per_class():
    x, y, _, _ = digits()
    model = compiled_mlp(metrics=None)
    base = model.evaluate(x[:100], y[:100], batch_size=100, verbose=0)
    half = {k: 0.5 for k in range(10)}
    assert model.test_on_batch(x[:100], y[:100]) == pytest.approx(base, rel=1e-5)
    weighted = model.train_on_batch(x[:100], y[:100], class_weight=half)
    assert weighted == pytest.approx(0.5 * base, rel=1e-5)   # the loss before the update
    ignored = model.train_on_batch(x[:100], y[:100], class_weight={k: 0.0 for k in range(10)})
    assert ignored == 0.0


def test_a_callback_can_stop_training():
    x, y, _, _ = digits()
    model = compiled_mlp()

    def stop(epoch, logs):
        model.stop_training = epoch == 1

    history = model.fit(x[:64], y[:64], epochs=10,
                        callbacks=[callbacks.LambdaCallback(on_epoch_end=stop)], verbose=0)
    assert history.epoch == [0, 1]


def test_compile_rejects_unknown_names_listing_the_valid_ones():
    model = mlp()
    with pytest.raises(ValueError, match="adam"):
        model.compile(optimizer="adamm", loss="mse")
    with pytest.raises(ValueError, match="Did you mean 'mse'"):
        model.compile(optimizer="adam", loss="msee")
    with pytest.raises(ValueError, match="Did you mean 'accuracy'"):
        model.compile(optimizer="adam", loss="mse", metrics=["acuracy"])
    with pytest.raises(TypeError, match="Invalid keyword argument"):
        model.compile(optimizer="adam", loss="mse", lossses="mse")
    with pytest.raises(RuntimeError, match="compile"):
        mlp().fit(np.ones((2, 64)), np.ones(2), verbose=0)


def test_bad_labels_give_errors_naming_the_loss_and_shapes():
    x, y, _, _ = digits()
    model = compiled_mlp()
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy.*\(32, 10\).*one-hot"):
        model.fit(x[:32], np.eye(10)[y[:32]], verbose=0)
    with pytest.raises(TypeError, match="integer class indices.*string"):
        model.fit(x[:32], np.array(["3"] * 32), verbose=0)
    with pytest.raises(ValueError, match="x sizes: 32\n  y sizes: 31"):
        model.fit(x[:32], y[:31], verbose=0)
    with pytest.raises(ValueError, match="Target data is missing"):
        model.fit(x[:32], verbose=0)


def test_dict_outputs_take_losses_and_targets_by_key():
    x, y, _, _ = digits()
    inputs = Input(shape=(64,), name="pixels")
    hidden = layers.Dense(16, activation="relu")(inputs)
    model = Model({"pixels": inputs}, {"digit": layers.Dense(10)(hidden),
                                       "odd": layers.Dense(1, activation="sigmoid")(hidden)})
    assert model.output_names == ["digit", "odd"]
    model.compile("adam", loss={"digit": losses.SparseCategoricalCrossentropy(from_logits=True),
                                "odd": "binary_crossentropy"}, metrics={"odd": ["accuracy"]})
    targets = {"digit": y[:96], "odd": (y[:96] % 2).astype(np.float32)}
    history = model.fit({"pixels": x[:96]}, targets, epochs=2, batch_size=32, verbose=0)
    assert set(history.history) == {"loss", "digit_loss", "odd_loss", "odd_accuracy"}
    out = model.predict({"pixels": x[:5]}, verbose=0)
    assert out["digit"].shape == (5, 10) and out["odd"].shape == (5, 1)


def test_seed_003_workflow_on_digits(capsys):
    """Seed 003 (MNIST) with 8x8 digits: the same calls, only the data differ."""
    x_train, y_train, x_test, y_test = digits()
    x_train, x_test = x_train.reshape(-1, 8, 8), x_test.reshape(-1, 8, 8)
    model = Sequential([
        layers.Flatten(input_shape=(8, 8)),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.2),
        layers.Dense(10),
    ])
    model.compile(optimizer="adam",
                  loss=losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=5)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=2)
    assert accuracy > 0.9
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith("13/13 - ") and f"accuracy: {accuracy:.4f}" in lines[-1]


def test_tensors_as_data_and_compile_options_passed_through():
    import autograph as ag
    x, y, _, _ = digits()
    model = compiled_mlp(jit_compile=True, steps_per_execution=4)
    assert model.jit_compile is True
    history = model.fit(ag.constant(x[:128]), ag.constant(y[:128]), epochs=2, verbose=0)
    assert history.history["loss"][1] < history.history["loss"][0]


def test_a_frozen_model_fits_without_changing_its_weights():
    x, y, _, _ = digits()
    model = mlp()
    model.trainable = False
    model.compile("adam", losses.SparseCategoricalCrossentropy(from_logits=True))
    before = model.get_weights()
    with pytest.warns(UserWarning, match="trainable weights is empty"):
        model.fit(x[:64], y[:64], verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    model.trainable = True
    model.compile("adam", losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x[:64], y[:64], verbose=0)
    assert not np.array_equal(before[0], model.get_weights()[0])
