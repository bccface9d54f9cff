"""``tf.summary.scalar`` / ``histogram`` / ``text`` / ``image`` / ``write``: one stateful op.

Every summary is a ``WriteSummary`` node (TensorFlow's op name) whose inputs are the data and,
when given, the step; the tag, plugin and encoding options are attrs. Like ``PrintV2`` it is
stateful, so a traced function writes at every call: the kernel looks up the default writer,
the ``record_if`` condition and (for ``step=None``) the default step when it runs, and writes
nothing when no writer is active. It returns a boolean scalar: whether it wrote.

Eagerly, the checks run before the op, so the common "no writer" case costs no kernel call
and a missing step raises at the user's line.
"""
from __future__ import annotations

from runtime import backends
from runtime import dtypes as D
from runtime.registry import Spec
from ops import dispatch
from ops.context import state
from ops.declare import defop
from ops.summary import writer as summary_writer
from ops.tensor import Tensor, constant, convert_to_tensor

__all__ = ["scalar", "histogram", "text", "image", "write"]

# The public function behind each plugin, for messages.
_CALLS = {"scalars": "scalar", "histograms": "histogram", "text": "text", "images": "image",
          "raw": "write"}


def _write_kernel(xp, data, *step, tag, plugin, description, params):
    writer = summary_writer.default_writer()
    if writer is None:
        summary_writer.warn_no_writer(f"tf.summary.{_CALLS[plugin]}({tag!r})")
        return xp.asarray(False)
    if not summary_writer.should_record_summaries():
        return xp.asarray(False)
    at = summary_writer.resolve_step(backends.to_numpy(step[0]) if step else None)
    from ops.summary import encode    # imports tensorboard's protos: only when writing
    value = encode.summary_value(plugin, tag, backends.to_numpy(data), description,
                                 dict(params))
    writer.write_summary(value, at)
    return xp.asarray(True)


def _write_infer(data: Spec, *step: Spec, **attrs) -> Spec:
    return Spec(D.bool_, ())


WRITE_SUMMARY = defop("WriteSummary", _write_kernel, _write_infer, stateful=True)


# ---- the public functions --------------------------------------------------------------------

def _tag(name: str) -> str:
    """``name`` under the active ``tf.name_scope``s, as TensorFlow tags summaries."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"a summary name must be a non-empty string, got {name!r}")
    return "/".join(state.name_scopes + [name])


def _step_tensor(step) -> Tensor:
    t = convert_to_tensor(step)
    if not t.dtype.is_integer or t.ndim != 0:
        raise ValueError(f"a summary step must be an integer scalar, got {t.dtype.name} "
                         f"with shape {list(t.shape)}")
    return t


def _write(plugin: str, tag: str, data, step, description, params=()):
    """Write eagerly now, or add a ``WriteSummary`` node to the function being traced."""
    if state.graph is None:
        if summary_writer.default_writer() is None:
            summary_writer.warn_no_writer(f"tf.summary.{_CALLS[plugin]}({tag!r})")
            return constant(False)
        if not summary_writer.should_record_summaries():
            return constant(False)
        if step is None and summary_writer.get_step() is None:
            raise ValueError(summary_writer.NO_STEP)
    inputs = (data,) if step is None else (data, _step_tensor(step))
    attrs = {"tag": tag, "plugin": plugin, "description": description or "",
             "params": tuple(params)}
    return dispatch.execute(WRITE_SUMMARY, inputs, attrs)


def _numeric(data, call: str) -> Tensor:
    t = convert_to_tensor(data)
    if not (t.dtype.is_floating or t.dtype.is_integer or t.dtype is D.bool_):
        raise ValueError(f"tf.summary.{call}: data must be numeric, got a {t.dtype.name} tensor")
    return t


def scalar(name: str, data, step=None, description=None) -> Tensor:
    """Write a scalar (``tf.summary.scalar``): ``data`` is a real number, written as float32.

    ``step`` defaults to the default step (``writer.as_default(step=...)`` or
    ``tf.summary.experimental.set_step``). Returns a boolean tensor: True if written, False
    when no default writer is set or ``record_if`` says no."""
    t = _numeric(data, "scalar")
    if t.ndim != 0:
        raise ValueError(f"tf.summary.scalar({name!r}): data must be a scalar, got shape "
                         f"{list(t.shape)}")
    return _write("scalars", _tag(name), t, step, description)


def histogram(name: str, data, step=None, buckets=None, description=None) -> Tensor:
    """Write the distribution of ``data`` (any shape) as ``buckets`` (default 30) equal-width
    buckets between its minimum and maximum (``tf.summary.histogram``)."""
    t = _numeric(data, "histogram")
    if buckets is not None and (not isinstance(buckets, int) or buckets < 0):
        raise ValueError(f"tf.summary.histogram({name!r}): buckets must be a non-negative "
                         f"int, got {buckets!r}")
    return _write("histograms", _tag(name), t, step, description, (("buckets", buckets),))


def text(name: str, data, step=None, description=None) -> Tensor:
    """Write a string tensor of any shape (``tf.summary.text``); TensorBoard shows Markdown."""
    t = convert_to_tensor(data)
    if t.dtype is not D.string:
        raise ValueError(f"tf.summary.text({name!r}): data must be a string tensor, got "
                         f"{t.dtype.name}")
    return _write("text", _tag(name), t, step, description)


def image(name: str, data, step=None, max_outputs=3, description=None) -> Tensor:
    """Write up to ``max_outputs`` images of a ``[k, h, w, c]`` batch, ``c`` in 1 (grey),
    3 (RGB) or 4 (RGBA); uint8, or floats in [0, 1] (``tf.summary.image``)."""
    t = convert_to_tensor(data)
    if t.ndim != 4 or t.shape[-1] not in (1, 3, 4, None):
        raise ValueError(f"tf.summary.image({name!r}): data must have shape [k, h, w, c] with "
                         f"c in 1, 3, 4; got {list(t.shape)}")
    if not (t.dtype is D.uint8 or t.dtype.is_floating):
        raise ValueError(f"tf.summary.image({name!r}): data must be uint8 or floating point, "
                         f"got {t.dtype.name}")
    return _write("images", _tag(name), t, step, description,
                  (("max_outputs", int(max_outputs)),))


def write(tag: str, tensor, step=None, metadata=None, name=None) -> Tensor:
    """Write ``tensor`` under ``tag`` as is, with ``metadata`` (a ``SummaryMetadata`` proto or
    its serialized bytes) telling TensorBoard how to show it (``tf.summary.write``)."""
    if metadata is not None and not isinstance(metadata, bytes):
        metadata = metadata.SerializeToString()
    return _write("raw", tag, convert_to_tensor(tensor), step, None,
                  (("metadata", metadata or b""),))
