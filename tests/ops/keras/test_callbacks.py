"""Callbacks driven by a small fit loop over a fake model (the real Model comes later)."""
import csv
import math
import os

import numpy as np
import pytest

import autograph as ag
from ops.keras import callbacks as cbks
from ops.keras import optimizers


class FakeModel:
    """What callbacks use of a model: stop_training, optimizer, weights, saving."""

    def __init__(self, learning_rate=0.1):
        self.stop_training = False
        self.optimizer = optimizers.SGD(learning_rate)
        self.weights = [np.zeros(2)]
        self.saved = []

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(w) for w in weights]

    def save_weights(self, path):
        self.saved.append(("save_weights", path))
        with open(path, "w") as f:
            f.write("weights")

    def save(self, path):
        self.saved.append(("save", path))
        with open(path, "w") as f:
            f.write("model")


def fit(model, callbacks, epoch_logs, steps=2, verbose=0, batch_logs=None):
    """Keras's fit loop, calling the hooks in its order. Epoch ``e`` ends with
    ``epoch_logs[e]``; each epoch's weights are ``[e, e]`` so tests can see which were kept."""
    cb = cbks.CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=model,
                           verbose=verbose, epochs=len(epoch_logs), steps=steps)
    model.stop_training = False
    cb.on_train_begin()
    for epoch, logs in enumerate(epoch_logs):
        cb.on_epoch_begin(epoch)
        for batch in range(steps if steps is not None else 2):
            cb.on_train_batch_begin(batch)
            cb.on_train_batch_end(batch, (batch_logs or {}).get((epoch, batch), logs))
        model.weights = [np.full(2, float(epoch))]
        cb.on_epoch_end(epoch, dict(logs))
        if model.stop_training:
            break
    cb.on_train_end()
    return cb._history


def losses(*values, key="val_loss"):
    return [{"loss": v, key: v} for v in values]


# ---- the list and the base class ---------------------------------------------------------------

def test_hook_order_and_batch_aliases():
    calls = []

    class Recorder(cbks.Callback):
        def on_train_begin(self, logs=None):
            calls.append("train_begin")

        def on_epoch_begin(self, epoch, logs=None):
            calls.append(f"epoch_begin {epoch}")

        def on_batch_begin(self, batch, logs=None):  # reached through on_train_batch_begin
            calls.append(f"batch_begin {batch}")

        def on_batch_end(self, batch, logs=None):
            calls.append(f"batch_end {batch} {logs['loss']}")

        def on_epoch_end(self, epoch, logs=None):
            calls.append(f"epoch_end {epoch}")

        def on_train_end(self, logs=None):
            calls.append("train_end")

    fit(FakeModel(), [Recorder()], losses(1.0), steps=2)
    assert calls == ["train_begin", "epoch_begin 0", "batch_begin 0", "batch_end 0 1.0",
                     "batch_begin 1", "batch_end 1 1.0", "epoch_end 0", "train_end"]


def test_set_model_and_params_reach_every_callback():
    cb = cbks.Callback()
    model = FakeModel()
    callback_list = cbks.CallbackList([cb], model=model, verbose=0, epochs=3, steps=7)
    assert cb.model is model
    assert cb.params == {"verbose": 0, "epochs": 3, "steps": 7}
    assert len(callback_list) == 1 and list(callback_list) == [cb]
    for hook in ("on_test_begin", "on_test_end", "on_predict_begin", "on_predict_end"):
        getattr(callback_list, hook)()
    callback_list.on_test_batch_end(0, {"loss": 1.0})
    callback_list.on_predict_batch_end(0, {})


def test_non_callbacks_are_refused():
    with pytest.raises(TypeError, match="Callback instances"):
        cbks.CallbackList([lambda: None])


def test_default_callbacks_are_added_once():
    history, bar = cbks.History(), cbks.ProgbarLogger()
    listed = cbks.CallbackList([history, bar], add_history=True, add_progbar=True)
    assert listed.callbacks == [history, bar]
    added = cbks.CallbackList([], add_history=True, add_progbar=True)
    assert isinstance(added.callbacks[0], cbks.ProgbarLogger)
    assert isinstance(added.callbacks[-1], cbks.History)


def test_history_records_epochs_and_turns_tensors_into_floats():
    model = FakeModel()
    logs = [{"loss": ag.constant(0.5), "accuracy": np.float32(0.75)},
            {"loss": ag.constant(0.25), "accuracy": np.float32(0.875)}]
    history = fit(model, [], logs)
    assert history.history == {"loss": [0.5, 0.25], "accuracy": [0.75, 0.875]}
    assert history.epoch == [0, 1]
    assert model.history is history
    assert all(type(v) is float for v in history.history["loss"])


# ---- EarlyStopping -------------------------------------------------------------------------------

def test_early_stopping_waits_patience_epochs_without_improvement():
    stopper = cbks.EarlyStopping(patience=2)
    history = fit(FakeModel(), [stopper], losses(1.0, 0.8, 0.9, 0.85, 0.7, 0.6))
    assert history.epoch == [0, 1, 2, 3]
    assert stopper.stopped_epoch == 3 and stopper.best == 0.8 and stopper.best_epoch == 1


def test_early_stopping_min_delta():
    stopper = cbks.EarlyStopping(monitor="loss", min_delta=0.1, patience=1)
    history = fit(FakeModel(), [stopper], losses(1.0, 0.95, 0.5))
    assert history.epoch == [0, 1]  # 0.95 is not an improvement of more than 0.1


def test_early_stopping_maximises_accuracy_in_auto_mode():
    stopper = cbks.EarlyStopping(monitor="val_accuracy", patience=1)
    history = fit(FakeModel(), [stopper], losses(0.5, 0.6, 0.55, 0.9, key="val_accuracy"))
    assert history.epoch == [0, 1, 2]
    assert stopper.mode == "max" and stopper.best == 0.6


def test_early_stopping_restores_best_weights(capsys):
    model = FakeModel()
    stopper = cbks.EarlyStopping(patience=2, restore_best_weights=True, verbose=1)
    fit(model, [stopper], losses(1.0, 0.5, 0.7, 0.8, 0.9))
    np.testing.assert_array_equal(model.weights[0], [1.0, 1.0])  # epoch 1's weights
    out = capsys.readouterr().out
    assert "Epoch 4: early stopping" in out
    assert "Restoring model weights from the end of the best epoch: 2." in out


def test_early_stopping_baseline():
    stopper = cbks.EarlyStopping(monitor="val_accuracy", baseline=0.9, patience=2)
    history = fit(FakeModel(), [stopper], losses(0.5, 0.6, 0.7, 0.8, key="val_accuracy"))
    assert history.epoch == [0, 1]  # improving, but never past the baseline


def test_early_stopping_start_from_epoch():
    stopper = cbks.EarlyStopping(monitor="loss", patience=1, start_from_epoch=3)
    history = fit(FakeModel(), [stopper], losses(1.0, 2.0, 3.0, 4.0, 5.0, 6.0))
    assert history.epoch == [0, 1, 2, 3, 4]


def test_early_stopping_missing_monitor_warns():
    with pytest.warns(UserWarning, match="`val_loss` which is not available"):
        fit(FakeModel(), [cbks.EarlyStopping()], [{"loss": 1.0}])


def test_unknown_mode_falls_back_to_auto():
    with pytest.warns(UserWarning, match="unknown"):
        assert cbks.EarlyStopping(mode="sideways").mode == "min"


# ---- ModelCheckpoint -----------------------------------------------------------------------------

def test_checkpoint_every_epoch_with_formatted_path(tmp_path):
    model = FakeModel()
    path = str(tmp_path / "ckpt" / "model-{epoch:02d}-{val_loss:.2f}.h5")
    fit(model, [cbks.ModelCheckpoint(path)], losses(0.5, 0.25))
    assert model.saved == [("save", str(tmp_path / "ckpt" / "model-01-0.50.h5")),
                           ("save", str(tmp_path / "ckpt" / "model-02-0.25.h5"))]
    assert os.path.exists(model.saved[0][1])  # the directory was created


def test_checkpoint_save_best_only_weights(tmp_path, capsys):
    model = FakeModel()
    path = str(tmp_path / "best.weights.h5")
    checkpoint = cbks.ModelCheckpoint(path, save_best_only=True, save_weights_only=True,
                                      verbose=1)
    fit(model, [checkpoint], losses(1.0, 0.5, 0.7, 0.4))
    assert [kind for kind, _ in model.saved] == ["save_weights"] * 3
    assert checkpoint.best == 0.4
    out = capsys.readouterr().out
    assert "Epoch 2: val_loss improved from 1.00000 to 0.50000, saving model to" in out
    assert "Epoch 3: val_loss did not improve from 0.50000" in out


def test_checkpoint_monitor_accuracy_and_initial_threshold(tmp_path):
    model = FakeModel()
    checkpoint = cbks.ModelCheckpoint(str(tmp_path / "m.keras"), monitor="val_accuracy",
                                      save_best_only=True, initial_value_threshold=0.55)
    fit(model, [checkpoint], losses(0.5, 0.6, 0.58, 0.7, key="val_accuracy"))
    assert len(model.saved) == 2


def test_checkpoint_save_best_only_without_the_metric_warns(tmp_path):
    model = FakeModel()
    with pytest.warns(UserWarning, match="Can save best model only with val_loss available"):
        fit(model, [cbks.ModelCheckpoint(str(tmp_path / "m"), save_best_only=True)],
            [{"loss": 1.0}])
    assert model.saved == []


def test_checkpoint_every_n_batches(tmp_path):
    model = FakeModel()
    path = str(tmp_path / "e{epoch}-b{batch}.h5")
    fit(model, [cbks.ModelCheckpoint(path, save_freq=3)], losses(1.0, 1.0), steps=4)
    # Batches seen: 3 (epoch 1, batch 3), then 6 (epoch 2, batch 2).
    assert [os.path.basename(p) for _, p in model.saved] == ["e1-b3.h5", "e2-b2.h5"]


def test_checkpoint_unknown_path_field(tmp_path):
    with pytest.raises(KeyError, match="Failed to format this callback filepath"):
        fit(FakeModel(), [cbks.ModelCheckpoint(str(tmp_path / "{val_acc}.h5"))], losses(1.0))


def test_checkpoint_bad_save_freq():
    with pytest.raises(ValueError, match="save_freq"):
        cbks.ModelCheckpoint("x", save_freq="sometimes")


# ---- learning-rate callbacks ---------------------------------------------------------------------

def test_reduce_lr_on_plateau():
    model = FakeModel(learning_rate=1.0)
    reducer = cbks.ReduceLROnPlateau(factor=0.5, patience=2, min_lr=0.2)
    history = fit(model, [reducer], losses(1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0))
    np.testing.assert_allclose(history.history["learning_rate"],
                               [1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.25])
    np.testing.assert_allclose(float(model.optimizer.learning_rate), 0.2)  # floor at min_lr


def test_reduce_lr_cooldown_and_improvement(capsys):
    model = FakeModel(learning_rate=1.0)
    reducer = cbks.ReduceLROnPlateau(monitor="loss", factor=0.1, patience=1, cooldown=2,
                                     verbose=1)
    history = fit(model, [reducer], losses(1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.6))
    # Reduced at the end of epochs 2 and 4 (the cooldown of 2 counts down at the start of
    # each epoch end, so it spares epoch 3 only); epoch 6 improves during its cooldown;
    # epoch 7 does not, and with patience 1 the rate drops again.
    np.testing.assert_allclose(history.history["learning_rate"],
                               [1.0, 1.0, 0.1, 0.1, 0.01, 0.01, 0.01], rtol=1e-6)
    np.testing.assert_allclose(float(model.optimizer.learning_rate), 0.001, rtol=1e-5)
    assert reducer.best == 0.5
    assert "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.1" in capsys.readouterr().out


def test_reduce_lr_changes_the_rate_a_traced_step_uses():
    model = FakeModel(learning_rate=1.0)
    w = ag.Variable([0.0])
    step = ag.function(lambda: model.optimizer.apply_gradients([(ag.constant([1.0]), w)]))
    step()
    fit(model, [cbks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1)],
        losses(1.0, 1.0))
    step()
    np.testing.assert_allclose(w.numpy(), [-1.5])


def test_reduce_lr_rejects_factor_of_one():
    with pytest.raises(ValueError, match="factor >= 1.0"):
        cbks.ReduceLROnPlateau(factor=1.0)


@pytest.mark.parametrize("schedule", [
    lambda epoch, lr: lr * 0.5 if epoch else lr,
    lambda epoch: 0.1 / (epoch + 1),
    lambda epoch, lr: lr * ag.exp(-0.5) if epoch else lr,  # returning a tensor, as TF's docs do
])
def test_learning_rate_scheduler(schedule):
    model = FakeModel(learning_rate=0.1)
    history = fit(model, [cbks.LearningRateScheduler(schedule)], losses(1.0, 1.0, 1.0))
    rates = history.history["learning_rate"]
    expected = [0.1]
    for epoch in (1, 2):
        expected.append(float(schedule(epoch, expected[-1]) if schedule.__code__.co_argcount == 2
                              else schedule(epoch)))
    np.testing.assert_allclose(rates, expected, rtol=1e-6)


def test_learning_rate_scheduler_needs_a_number():
    with pytest.raises(ValueError, match="should be a float"):
        fit(FakeModel(), [cbks.LearningRateScheduler(lambda epoch: "fast")], losses(1.0))


# ---- logging callbacks ---------------------------------------------------------------------------

def test_csv_logger(tmp_path):
    path = tmp_path / "logs" / "training.csv"
    fit(FakeModel(), [cbks.CSVLogger(str(path))], [{"loss": 0.5, "acc": 0.25},
                                                   {"loss": 0.125, "acc": 0.75}])
    with open(path) as f:
        rows = list(csv.reader(f))
    assert rows == [["epoch", "acc", "loss"], ["0", "0.25", "0.5"], ["1", "0.75", "0.125"]]
    fit(FakeModel(), [cbks.CSVLogger(str(path), append=True)], [{"loss": 0.0625, "acc": 1.0}])
    with open(path) as f:
        rows = list(csv.reader(f))
    assert rows[-1] == ["0", "1.0", "0.0625"] and len(rows) == 4


def test_csv_logger_separator(tmp_path):
    path = tmp_path / "t.tsv"
    fit(FakeModel(), [cbks.CSVLogger(str(path), separator="\t")], [{"loss": 1.0}])
    assert path.read_text().splitlines() == ["epoch\tloss", "0\t1.0"]


def test_terminate_on_nan(capsys):
    model = FakeModel()
    batch_logs = {(1, 0): {"loss": math.nan}}
    history = fit(model, [cbks.TerminateOnNaN()], losses(1.0, 1.0, 1.0), batch_logs=batch_logs)
    assert history.epoch == [0, 1]
    assert "Batch 0: Invalid loss, terminating training" in capsys.readouterr().out


def test_lambda_callback():
    seen = []
    callback = cbks.LambdaCallback(
        on_train_begin=lambda logs: seen.append("begin"),
        on_epoch_end=lambda epoch, logs: seen.append((epoch, logs["loss"])),
        on_train_batch_end=lambda batch, logs: seen.append(f"batch {batch}"),
        on_train_end=lambda logs: seen.append("end"))
    fit(FakeModel(), [callback], losses(1.0, 2.0), steps=1)
    assert seen == ["begin", "batch 0", (0, 1.0), "batch 0", (1, 2.0), "end"]


def test_lambda_callback_rejects_unknown_hooks():
    with pytest.raises(TypeError, match="unknown hook"):
        cbks.LambdaCallback(on_epoch_finish=print)


# ---- progress output -----------------------------------------------------------------------------

def test_progbar_logger_in_fit(capsys):
    fit(FakeModel(), [], [{"loss": 0.5, "accuracy": 0.75}, {"loss": 0.25, "accuracy": 0.875}],
        steps=3, verbose=1)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Epoch 1/2"
    assert out[1].startswith("3/3 [==============================] - ")
    assert out[1].endswith(" - loss: 0.5000 - accuracy: 0.7500")
    assert out[2] == "Epoch 2/2"
    assert out[3].endswith(" - loss: 0.2500 - accuracy: 0.8750")


def test_progbar_logger_verbose_2_and_0(capsys):
    fit(FakeModel(), [], [{"loss": 0.5}], steps=3, verbose=2)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].startswith("3/3 - ") and out[0].endswith("loss: 0.5000")
    fit(FakeModel(), [cbks.ProgbarLogger()], [{"loss": 0.5}], steps=3, verbose=0)
    assert capsys.readouterr().out == ""


def test_progbar_logger_learns_unknown_steps(capsys):
    bar = cbks.ProgbarLogger()
    fit(FakeModel(), [bar], [{"loss": 1.0}, {"loss": 1.0}], steps=None, verbose=1)
    out = capsys.readouterr().out
    assert bar.target == 2 and "2/2 [" in out


def test_custom_callback_sees_model_and_params():
    class StopAtTwo(cbks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch + 1 >= 2 and self.params["epochs"] == 5:
                self.model.stop_training = True

    history = fit(FakeModel(), [StopAtTwo()], losses(1, 2, 3, 4, 5))
    assert history.epoch == [0, 1]
