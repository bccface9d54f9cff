"""Callbacks driven by a real ``fit``: History, EarlyStopping(restore_best_weights),
ModelCheckpoint(save_best_only, save_weights_only), and the hooks' order."""
import numpy as np
import pytest

from ops.keras import callbacks
from tests.ops.keras.engine.support import compiled_mlp, digits, mlp


class Recorder(callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.events = []

    def on_train_begin(self, logs=None):
        self.events.append("train_begin")

    def on_epoch_begin(self, epoch, logs=None):
        self.events.append(f"epoch_begin {epoch}")

    def on_train_batch_end(self, batch, logs=None):
        self.events.append(f"batch_end {batch} {sorted(logs)}")

    def on_test_begin(self, logs=None):
        self.events.append("test_begin")

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(f"epoch_end {epoch} {sorted(logs)}")

    def on_train_end(self, logs=None):
        self.events.append("train_end")


def test_hooks_run_in_keras_order_with_python_number_logs():
    x, y, _, _ = digits()
    recorder = Recorder()
    compiled_mlp().fit(x[:40], y[:40], batch_size=20, epochs=2, validation_data=(x[:20], y[:20]),
                       callbacks=[recorder], verbose=0)
    assert recorder.events == [
        "train_begin",
        "epoch_begin 0", "batch_end 0 ['accuracy', 'loss']", "batch_end 1 ['accuracy', 'loss']",
        "test_begin", "epoch_end 0 ['accuracy', 'loss', 'val_accuracy', 'val_loss']",
        "epoch_begin 1", "batch_end 0 ['accuracy', 'loss']", "batch_end 1 ['accuracy', 'loss']",
        "test_begin", "epoch_end 1 ['accuracy', 'loss', 'val_accuracy', 'val_loss']",
        "train_end"]


def test_history_holds_python_floats_per_epoch():
    x, y, _, _ = digits()
    history = compiled_mlp().fit(x[:100], y[:100], epochs=3, verbose=0)
    assert isinstance(history, callbacks.History)
    assert all(isinstance(v, float) for v in history.history["loss"])
    assert history.params["epochs"] == 3 and history.params["steps"] == 4


def test_early_stopping_restores_the_best_weights():
    x, y, x_val, y_val = digits()
    model = compiled_mlp()
    best = {}

    class RememberWeights(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            best[epoch] = (logs["val_loss"], [w.copy() for w in self.model.get_weights()])

    # Noisy labels make validation loss rise after a few epochs.
    noisy = np.random.default_rng(0).integers(0, 10, 300)
    stop = callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    history = model.fit(x[:300], noisy, epochs=40, batch_size=32,
                        validation_data=(x_val, y_val), callbacks=[RememberWeights(), stop],
                        verbose=0)
    assert len(history.epoch) < 40 and stop.stopped_epoch == history.epoch[-1]
    best_epoch = min(best, key=lambda e: best[e][0])
    assert stop.best_epoch == best_epoch
    for restored, saved in zip(model.get_weights(), best[best_epoch][1]):
        np.testing.assert_array_equal(restored, saved)


def test_model_checkpoint_saves_only_improving_weights(tmp_path):
    x, y, x_val, y_val = digits()
    path = str(tmp_path / "ckpt" / "best.weights")
    saved = []

    class Spy(callbacks.ModelCheckpoint):
        def _save_model(self, epoch, batch, logs):
            before = self.best
            super()._save_model(epoch, batch, logs)
            if self.best != before:
                saved.append((epoch, [w.copy() for w in self.model.get_weights()]))

    checkpoint = Spy(path, monitor="val_accuracy", save_best_only=True, save_weights_only=True)
    model = compiled_mlp()
    history = model.fit(x[:200], y[:200], epochs=5, validation_data=(x_val, y_val),
                        callbacks=[checkpoint], verbose=0)
    accuracies = history.history["val_accuracy"]
    improving = [e for e, acc in enumerate(accuracies) if acc > max(accuracies[:e], default=-1)]
    assert [e for e, _ in saved] == improving
    fresh = mlp()
    fresh.load_weights(path)
    for loaded, expected in zip(fresh.get_weights(), saved[-1][1]):
        np.testing.assert_array_equal(loaded, expected)


def test_model_checkpoint_whole_model_per_epoch(tmp_path):
    x, y, _, _ = digits()
    template = str(tmp_path / "model-{epoch:02d}")
    compiled_mlp().fit(x[:64], y[:64], epochs=2, verbose=0,
                       callbacks=[callbacks.ModelCheckpoint(template, monitor="loss")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model-01", "model-02"]


def test_reduce_lr_on_plateau_changes_the_compiled_optimizer():
    x, y, _, _ = digits()
    model = compiled_mlp()
    reduce = callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0, min_delta=10.0)
    model.fit(x[:64], y[:64], epochs=3, callbacks=[reduce], verbose=0)
    # epoch 0 sets the best loss; epochs 1 and 2 fail to improve by min_delta: two halvings
    assert float(np.asarray(model.optimizer.learning_rate)) == pytest.approx(5e-3 / 4)
