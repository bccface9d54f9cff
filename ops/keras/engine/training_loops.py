"""The Python loops of ``fit``, ``evaluate`` and ``predict``.

Each step calls the model's step function with the batch as flat tensors. Callback batch
hooks run only when some callback overrides them (the progress bar does, with ``verbose=1``),
so a silent ``fit`` converts no tensors between steps; the epoch's logs (the metrics'
running results after its last step) become Python floats once per epoch. Validation runs
after the epoch's training logs are read, on the same metric objects, reset first; its
results are logged as ``val_<name>``.
"""
from __future__ import annotations

import numpy as np

from runtime import nest
from ops import random_ops
from ops.tensor import Tensor
from ops.variables import Variable
from ops.keras.callbacks import Callback, CallbackList
from ops.keras.engine.data_adapter import (DataHandler, standardize_arrays,
                                           train_validation_split, unpack_x_y_sample_weight)

__all__ = ["fit", "evaluate", "predict", "on_batch", "predict_on_batch"]

_BATCH_HOOKS = {
    "train": ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end"),
    "test": ("on_test_batch_begin", "on_test_batch_end"),
    "predict": ("on_predict_batch_begin", "on_predict_batch_end"),
}


def _verbose(verbose) -> int:
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2) and not isinstance(verbose, (int, np.integer)):
        raise ValueError(f"verbose must be 'auto', 0, 1 or 2, got {verbose!r}")
    return int(verbose)


def _rng() -> np.random.Generator:
    """The shuffling generator: reproducible under ``ag.random.set_seed``."""
    seed, _ = random_ops.get_seed(None)
    if seed is None:
        return np.random.default_rng()
    return np.random.default_rng([seed & ((1 << 64) - 1), 0x5EED])


def _needs_batch_hooks(callbacks, kind: str) -> bool:
    """Whether some callback does something per batch: overrides a batch hook in its class,
    or holds one as an attribute (LambdaCallback)."""
    for cb in callbacks:
        for hook in _BATCH_HOOKS[kind]:
            method = getattr(cb, hook)
            if getattr(method, "__func__", None) is not getattr(Callback, hook):
                return True
    return False


def _as_logs(outputs) -> dict:
    """A step's return value as a logs dict (a bare tensor is the loss)."""
    if isinstance(outputs, dict):
        return outputs
    if isinstance(outputs, (list, tuple)):
        return {f"output_{i + 1}": v for i, v in enumerate(outputs)}
    return {"loss": outputs}


def _python(value):
    if isinstance(value, (Tensor, Variable)):
        value = value.numpy()
    if isinstance(value, (np.ndarray, np.generic)) and np.ndim(value) == 0:
        return value.item()
    return value


def _python_logs(outputs) -> dict:
    if outputs is None:
        return {}
    return {k: _python(v) for k, v in _as_logs(outputs).items()}


def _in_order(logs: dict, names: list):
    """Keras's list form of evaluate's results: ``metrics_names`` order, then the rest; a
    single value is returned bare."""
    results = [logs[n] for n in names if n in logs]
    results += [v for k, v in logs.items() if k not in names]
    return results[0] if len(results) == 1 else results


def _callbacks(callbacks, model, verbose, epochs, steps, add_history=False):
    if isinstance(callbacks, CallbackList):
        return callbacks
    return CallbackList(callbacks, add_history=add_history, add_progbar=verbose != 0,
                        model=model, verbose=verbose, epochs=epochs, steps=steps)


# ---- fit ----------------------------------------------------------------------------------------

def _split_validation(x, y, sample_weight, validation_split):
    from ops.data import Dataset
    if isinstance(x, Dataset) or hasattr(x, "__next__"):
        raise ValueError("`validation_split` is only supported for Tensors or NumPy arrays, "
                         f"found a {type(x).__name__}; pass validation_data instead")
    arrays = (standardize_arrays(x, "x"), standardize_arrays(y, "y"),
              standardize_arrays(sample_weight, "sample_weight"))
    return train_validation_split(arrays, validation_split)


def _should_validate(epoch: int, freq) -> bool:
    if isinstance(freq, int):
        if freq < 1:
            raise ValueError(f"validation_freq must be a positive integer, got {freq}")
        return (epoch + 1) % freq == 0
    return epoch + 1 in freq


def fit(model, x, y, *, batch_size, epochs, verbose, callbacks, validation_split,
        validation_data, shuffle, class_weight, sample_weight, initial_epoch, steps_per_epoch,
        validation_steps, validation_batch_size, validation_freq):
    model._assert_compile_was_called("fit")
    verbose = _verbose(verbose)
    if validation_split and validation_data is None:
        (x, y, sample_weight), validation_data = _split_validation(x, y, sample_weight,
                                                                   validation_split)
    data = DataHandler(x, y, sample_weight, batch_size, steps_per_epoch, shuffle, class_weight)
    val_data = None
    if validation_data is not None:
        from ops.data import Dataset
        if isinstance(validation_data, Dataset) or hasattr(validation_data, "__next__"):
            val_data = DataHandler(validation_data, steps=validation_steps)
        else:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                raise ValueError("validation_data must be a tuple (x_val, y_val) or (x_val, "
                                 "y_val, val_sample_weight), or a dataset; got "
                                 f"{type(validation_data).__name__}")
            vx, vy, vsw = unpack_x_y_sample_weight(tuple(validation_data))
            val_data = DataHandler(vx, vy, vsw, validation_batch_size or batch_size,
                                   validation_steps)
    cbs = _callbacks(callbacks, model, verbose, epochs, data.steps, add_history=True)
    train_hooks = _needs_batch_hooks(cbs, "train")
    rng = _rng()
    model.stop_training = False
    cbs.on_train_begin()
    training_logs = None
    step_function = None
    for epoch in range(initial_epoch, epochs):
        model.reset_metrics()
        cbs.on_epoch_begin(epoch)
        outputs = None
        for step, flat in enumerate(data.epoch(rng)):
            if step_function is None:
                step_function = model._step_function("train", data.structure)
            if train_hooks:
                cbs.on_train_batch_begin(step)
            outputs = step_function(*flat)
            if train_hooks:
                cbs.on_train_batch_end(step, _as_logs(outputs))
            if model.stop_training:
                break
        if outputs is None:
            if data.exhausted:
                break
            raise ValueError("Unexpected result of `train_function` (Empty logs): the training "
                             "data produced no batches this epoch")
        epoch_logs = _python_logs(outputs)
        if val_data is not None and _should_validate(epoch, validation_freq):
            val_logs = _evaluate_loop(model, val_data, cbs)
            epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
        cbs.on_epoch_end(epoch, epoch_logs)
        training_logs = epoch_logs
        if model.stop_training or data.exhausted:
            break
    model.optimizer.finalize_variable_values(model.trainable_variables)
    cbs.on_train_end(logs=training_logs)
    history = cbs._history
    model.history = history
    return history


# ---- evaluate and predict -----------------------------------------------------------------------

def _evaluate_loop(model, data: DataHandler, cbs) -> dict:
    model.reset_metrics()
    hooks = _needs_batch_hooks(cbs, "test")
    cbs.on_test_begin()
    outputs = None
    step_function = None
    for step, flat in enumerate(data.epoch(None)):
        if step_function is None:
            step_function = model._step_function("test", data.structure)
        if hooks:
            cbs.on_test_batch_begin(step)
        outputs = step_function(*flat)
        if hooks:
            cbs.on_test_batch_end(step, _as_logs(outputs))
    if outputs is None:
        raise ValueError("Unexpected result of `test_function` (Empty logs): the evaluation "
                         "data produced no batches")
    logs = _python_logs(outputs)
    cbs.on_test_end(logs)
    return logs


def evaluate(model, x, y, *, batch_size, verbose, sample_weight, steps, callbacks,
             return_dict):
    model._assert_compile_was_called("evaluate")
    verbose = _verbose(verbose)
    data = DataHandler(x, y, sample_weight, batch_size, steps, shuffle=False)
    cbs = _callbacks(callbacks, model, verbose, 1, data.steps)
    logs = _evaluate_loop(model, data, cbs)
    return logs if return_dict else _in_order(logs, model.metrics_names)


def _to_numpy(structure):
    return nest.map_structure(lambda t: t.numpy() if isinstance(t, (Tensor, Variable)) else t,
                              structure)


def _concatenate(batches: list):
    if len(batches) == 1:
        return batches[0]
    return nest.map_structure(lambda *xs: np.concatenate(xs, axis=0), *batches)


def predict(model, x, *, batch_size, verbose, steps, callbacks):
    verbose = _verbose(verbose)
    data = DataHandler(x, None, None, batch_size, steps, shuffle=False)
    cbs = _callbacks(callbacks, model, verbose, 1, data.steps)
    hooks = _needs_batch_hooks(cbs, "predict")
    cbs.on_predict_begin()
    batches = []
    step_function = None
    for step, flat in enumerate(data.epoch(None)):
        if step_function is None:
            step_function = model._step_function("predict", data.structure)
        if hooks:
            cbs.on_predict_batch_begin(step)
        outputs = _to_numpy(step_function(*flat))
        batches.append(outputs)
        if hooks:
            cbs.on_predict_batch_end(step, {"outputs": outputs})
    if not batches:
        raise ValueError("Unexpected result of `predict_function` (Empty batch_outputs): the "
                         "input data produced no batches")
    cbs.on_predict_end()
    return _concatenate(batches)


# ---- single batches -----------------------------------------------------------------------------

def _rows(x) -> int:
    from ops.data import Dataset
    if isinstance(x, Dataset):
        raise TypeError("*_on_batch takes arrays or tensors, not a dataset")
    return nest.flatten(standardize_arrays(x, "x"))[0].shape[0]


def on_batch(model, kind, x, y, sample_weight, class_weight, reset_metrics, return_dict):
    model._assert_compile_was_called(f"{kind}_on_batch")
    data = DataHandler(x, y, sample_weight, _rows(x), None, shuffle=False,
                       class_weight=class_weight)
    if reset_metrics:
        model.reset_metrics()
    flat = next(iter(data.epoch(None)))
    logs = _python_logs(model._step_function(kind, data.structure)(*flat))
    return logs if return_dict else _in_order(logs, model.metrics_names)


def predict_on_batch(model, x):
    data = DataHandler(x, None, None, _rows(x), None, shuffle=False)
    flat = next(iter(data.epoch(None)))
    return _to_numpy(model._step_function("predict", data.structure)(*flat))
