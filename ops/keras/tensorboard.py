"""``tf.keras.callbacks.TensorBoard``: training logs as TensorBoard event files.

The layout is Keras's, so dashboards and scripts written for TensorFlow read it unchanged:

- ``log_dir/train``: ``epoch_<metric>`` scalars at step ``epoch`` (``epoch_loss``,
  ``epoch_accuracy``, ``epoch_learning_rate`` with a schedule, ``epoch_steps_per_second``);
  ``batch_<metric>`` every ``update_freq`` batches at the global batch count; weight
  histograms ``<weight>/histogram`` (and ``<weight>/image``) every ``histogram_freq`` epochs;
  the train function's graph and the model's config (tag "keras") for the Graphs dashboard.
- ``log_dir/validation``: the ``val_`` metrics as ``epoch_<metric>``, and
  ``evaluation_<metric>_vs_iterations`` at the optimizer's step after each evaluation.

Batch hooks are installed on the instance only when something is written per batch, so with
the default ``update_freq="epoch"`` ``fit`` converts no batch logs (see ``training_loops``).
"""
from __future__ import annotations

import os
import time
import warnings

import numpy as np

from ops.keras.callbacks import Callback

__all__ = ["TensorBoard"]

# Arguments of older Keras versions: accepted and ignored, with a warning.
_DEPRECATED = ("batch_size", "write_grads", "embeddings_layer_names", "embeddings_data")


def _profile_range(profile_batch) -> tuple[int, int]:
    """``profile_batch`` as ``(start, stop)`` batches counted from 1; ``(0, 0)``: off."""
    if isinstance(profile_batch, str):
        profile_batch = [int(part) for part in profile_batch.split(",") if part.strip()]
    if isinstance(profile_batch, (int, np.integer)):
        profile_batch = (int(profile_batch), int(profile_batch))
    bounds = tuple(profile_batch)
    if len(bounds) != 2 or min(bounds) < 0 or bounds[0] > bounds[1] or \
            (bounds[0] == 0) != (bounds[1] == 0):
        raise ValueError("profile_batch must be a non-negative integer or a pair of positive "
                         f"integers (start, stop) with start <= stop, got {profile_batch!r}")
    return bounds


def _summary():
    from ops import summary   # registers the WriteSummary op; tensorboard loads on first writer
    return summary


class TensorBoard(Callback):
    """Write training logs for TensorBoard (``tf.keras.callbacks.TensorBoard``).

    Args:
      log_dir: the directory holding the ``train`` and ``validation`` runs.
      histogram_freq: every how many epochs to write weight histograms (0: never).
      write_graph: write the train function's graph and the model config.
      write_images: also write each weight as an image with the histograms.
      write_steps_per_second: log training steps per second (per epoch, and per batch when
        batches are logged).
      update_freq: "epoch" (default), "batch" (every batch) or an int N: besides the epoch
        summaries, write ``batch_<metric>`` every N batches.
      profile_batch: a batch number, a pair ``(start, stop)`` or a string "start,stop" of
        batches (counted from 1) to profile with ``ops.profiler``; the trace goes under
        ``log_dir``, the graph of the profiled batches to the train run (0: off).
      embeddings_freq, embeddings_metadata: the projector's embeddings, which are not written
        (a warning says so when ``embeddings_freq`` is set).

    Requires the optional ``tensorboard`` package (``pip install "autograph[tensorboard]"``).
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None, **kwargs):
        super().__init__()
        unknown = sorted(set(kwargs) - set(_DEPRECATED))
        if unknown:
            raise ValueError(f"Unrecognized arguments in `TensorBoard` Callback: {unknown}")
        for name in sorted(kwargs):
            warnings.warn(f"TensorBoard: `{name}` is no longer supported and is ignored",
                          UserWarning, stacklevel=2)
        if update_freq == "batch":
            update_freq = 1
        if update_freq != "epoch" and (not isinstance(update_freq, (int, np.integer))
                                       or update_freq < 1):
            raise ValueError(f"update_freq must be 'epoch', 'batch' or a positive integer, "
                             f"got {update_freq!r}")
        if embeddings_freq:
            warnings.warn("TensorBoard: embeddings (embeddings_freq) are not written by this "
                          "implementation; the argument is ignored", UserWarning, stacklevel=2)
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = int(histogram_freq)
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = update_freq
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._profile_start, self._profile_stop = _profile_range(profile_batch)
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        self._writers: dict = {}
        self._global_train_batch = 0
        self._epoch_start = self._batch_start = 0.0
        self._epoch_batches = 0
        self._graph_recorder = None
        self._profiling = False
        if update_freq != "epoch" or write_steps_per_second or self._profile_start:
            # Instance attributes, so fit runs batch hooks only for callbacks that need them.
            self.on_train_batch_begin = self._train_batch_begin
            self.on_train_batch_end = self._train_batch_end

    # ---- writers -------------------------------------------------------------------------
    def _writer(self, directory: str):
        writer = self._writers.get(directory)
        if writer is None:
            writer = self._writers[directory] = _summary().create_file_writer(directory)
        return writer

    @property
    def _train_writer(self):
        return self._writer(self._train_dir)

    @property
    def _val_writer(self):
        return self._writer(self._val_dir)

    def _close_writers(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    def _scalars(self, writer, values: dict, prefix: str, step: int) -> None:
        summary = _summary()
        with writer.as_default(), summary.record_if(True):
            for name, value in values.items():
                if _is_number(value):
                    summary.scalar(prefix + name, value, step=step)

    # ---- training ------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._global_train_batch = 0
        self._stop_graph_recorder(write=False)    # left over by a fit that raised
        if self.write_graph:
            self._write_model_config()
            # It stops by itself at the first train step, so no later call pays for it.
            self._graph_recorder = _graphs().start_recording(until="train_function")

    def on_train_end(self, logs=None):
        self._stop_graph_recorder(write=True)
        if self._profiling:
            self._stop_profile(self._global_train_batch)
        self._close_writers()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = time.perf_counter()
        self._epoch_batches = 0

    def on_epoch_end(self, epoch, logs=None):
        self._stop_graph_recorder(write=True)
        logs = dict(logs or {})
        train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val_logs = {k[len("val_"):]: v for k, v in logs.items() if k.startswith("val_")}
        learning_rate = self._scheduled_learning_rate()
        if learning_rate is not None:
            train_logs["learning_rate"] = learning_rate
        if self.write_steps_per_second:
            elapsed = time.perf_counter() - self._epoch_start
            train_logs["steps_per_second"] = self._epoch_batches / elapsed if elapsed else 0.0
        if train_logs:
            self._scalars(self._train_writer, train_logs, "epoch_", epoch)
        if val_logs:
            self._scalars(self._val_writer, val_logs, "epoch_", epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)

    def _train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        self._epoch_batches += 1
        self._batch_start = time.perf_counter()
        if self._global_train_batch == self._profile_start:
            self._start_profile()

    def _train_batch_end(self, batch, logs=None):
        step = self._global_train_batch
        if self.update_freq != "epoch" and step % self.update_freq == 0:
            values = dict(logs or {})
            if self.write_steps_per_second:
                elapsed = time.perf_counter() - self._batch_start
                values["steps_per_second"] = 1.0 / elapsed if elapsed else 0.0
            self._scalars(self._train_writer, values, "batch_", step)
        if self._profiling and step >= self._profile_stop:
            self._stop_profile(step)

    def on_test_end(self, logs=None):
        iterations = getattr(getattr(self.model, "optimizer", None), "iterations", None)
        if iterations is None or not logs:
            return
        step = int(np.asarray(iterations))
        values = {f"evaluation_{name}_vs_iterations": value for name, value in logs.items()}
        self._scalars(self._val_writer, values, "", step)

    # ---- what is written besides metrics ----------------------------------------------------
    def _scheduled_learning_rate(self):
        """The learning rate when the optimizer follows a schedule (Keras logs it then)."""
        optimizer = getattr(self.model, "optimizer", None)
        from ops.keras.optimizers.schedules import LearningRateSchedule
        if isinstance(getattr(optimizer, "_learning_rate", None), LearningRateSchedule):
            return float(np.asarray(optimizer.learning_rate))
        return None

    def _log_weights(self, epoch: int) -> None:
        summary = _summary()
        with self._train_writer.as_default(), summary.record_if(True):
            for layer in getattr(self.model, "layers", []):
                for weight in layer.weights:
                    name = weight.name.replace(":", "_")
                    summary.histogram(name + "/histogram", weight, step=epoch)
                    if self.write_images:
                        image = _weight_image(np.asarray(weight))
                        if image is not None:
                            summary.image(name + "/image", image, step=epoch)
        self._train_writer.flush()

    def _write_model_config(self) -> None:
        """The model's JSON config under the tag "keras" (the Graphs dashboard's "conceptual
        graph"); subclassed models without a config have none, as in Keras."""
        to_json = getattr(self.model, "to_json", None)
        if to_json is None:
            return
        try:
            config = to_json()
        except NotImplementedError:
            return
        from tensorboard.compat.proto import summary_pb2
        from tensorboard.plugins.graph import metadata as graph_metadata
        metadata = summary_pb2.SummaryMetadata(
            plugin_data=summary_pb2.SummaryMetadata.PluginData(
                plugin_name=graph_metadata.PLUGIN_NAME_KERAS_MODEL, content=b"1"))
        summary = _summary()
        with self._train_writer.as_default(), summary.record_if(True):
            summary.write("keras", np.array(config, dtype=object), step=0, metadata=metadata)

    def _stop_graph_recorder(self, write: bool) -> None:
        """Stop recording graphs; with ``write``, write the train function's (or else the
        first recorded) to the train run."""
        recorder, self._graph_recorder = self._graph_recorder, None
        if recorder is None:
            return
        _graphs().stop_recording(recorder)
        train = [f for f in recorder.functions if f.name == "train_function"]
        if write and (train or recorder.functions):
            with self._train_writer.as_default():
                _summary().graph((train or recorder.functions)[0])

    def _start_profile(self) -> None:
        from ops import profiler
        from ops.errors import AlreadyExistsError
        try:
            profiler.start(self.log_dir)
        except AlreadyExistsError as e:   # as Keras: report it, keep training
            warnings.warn(f"TensorBoard: failed to start the profiler: {e}", UserWarning,
                          stacklevel=2)
            return
        _summary().trace_on(graph=True, profiler=False)
        self._profiling = True

    def _stop_profile(self, batch: int) -> None:
        from ops import profiler
        summary = _summary()
        self._profiling = False
        with self._train_writer.as_default(), summary.record_if(True):
            summary.trace_export(name=f"batch_{batch}", step=batch)
        profiler.stop()


def _graphs():
    from ops.summary import graphs
    return graphs


def _is_number(value) -> bool:
    """A real scalar (Python or NumPy number, not a bool): what can be a scalar summary."""
    if isinstance(value, (bool, np.bool_)):
        return False
    return np.ndim(value) == 0 and np.asarray(value).dtype.kind in "fiu"


def _weight_image(weight: np.ndarray):
    """A weight as images ``[k, h, w, 1]``, shaped as Keras does: after squeezing, a vector
    is an ``n x 1`` image, a matrix one image with no more rows than columns, a 3-d kernel
    one image per last-axis slice; other ranks are not drawn (None). Unlike Keras, values
    are scaled to [0, 1] (Keras clips them, which blackens every negative weight)."""
    weight = np.squeeze(weight).astype(np.float64)
    if weight.ndim == 1:
        images = weight.reshape(1, -1, 1)
    elif weight.ndim == 2:
        images = (weight.T if weight.shape[0] > weight.shape[1] else weight)[None]
    elif weight.ndim == 3:
        images = np.transpose(weight, (2, 0, 1))
    else:
        return None
    low, high = images.min(), images.max()
    images = (images - low) / (high - low) if high > low else np.zeros_like(images)
    return images[..., None]
