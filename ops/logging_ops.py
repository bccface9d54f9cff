"""``ag.print``: TensorFlow's ``tf.print`` as a stateful op, so traced graphs print at every call.

The Python side splits the inputs into tensors (the op's inputs) and a template (the text
around them, built as TF builds it: plain strings raw, anything else ``pprint``-formatted,
nested lists/dicts included). The template, ``summarize``, ``end`` and the stream name are
hashable attrs; the kernel formats the tensors and writes. Streams are resolved when the
kernel runs, so a redirected ``sys.stderr`` (pytest's ``capsys``) sees the output.
"""
from __future__ import annotations

import collections
import sys

from runtime import dtypes as D
from runtime import nest
from ops import dispatch
from ops.declare import defop
from ops.strings import _b, format_pieces
from ops.tensor import Tensor, convert_to_tensor

__all__ = ["print"]

# Streams as the op names them (TF's PrintV2 ``output_stream`` attr) -> logging levels.
# ``logging``, ``pprint`` and ``random`` are imported on first use: they cost import time.
_LOG_LEVELS = {"log(info)": 20, "log(warning)": 30, "log(error)": 40}


def _write(text: str, output_stream: str) -> None:
    if output_stream == "stderr":
        sys.stderr.write(text)
        sys.stderr.flush()
    elif output_stream == "stdout":
        sys.stdout.write(text)
        sys.stdout.flush()
    elif output_stream in _LOG_LEVELS:
        import logging
        logging.getLogger("autograph").log(_LOG_LEVELS[output_stream], text.rstrip("\n"))
    else:  # "file://path": appended to, as TF does
        with open(output_stream[len("file://"):], "a", encoding="utf-8") as f:
            f.write(text)


def _print_kernel(xp, *arrays, template, summarize, output_stream, end):
    if template:
        text = format_pieces(template, arrays, summarize)
    else:  # a lone string scalar prints as is (unquoted), as in TF
        text = _b(arrays[0][()]).decode("utf-8", "surrogateescape")
    text = (text + end).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    _write(text, output_stream)
    return ()


_PRINT = defop("PrintV2", _print_kernel, lambda *specs, **attrs: [], stateful=True, multi=True)


def _stream_name(stream) -> str:
    """The op's name for ``output_stream``; raises ValueError for streams TF does not accept."""
    if stream is sys.stderr or stream is sys.__stderr__ or stream is _DEFAULT_STDERR:
        return "stderr"
    if stream is sys.stdout or stream is sys.__stdout__ or stream is _DEFAULT_STDOUT:
        return "stdout"
    if isinstance(stream, str) and (stream in ("stderr", "stdout") or stream in _LOG_LEVELS
                                    or stream.startswith("file://")):
        return stream
    logging = sys.modules.get("logging")   # if it was never imported, stream is not its function
    if logging is not None:
        for level, fn in (("log(info)", logging.info), ("log(warning)", logging.warning),
                          ("log(error)", logging.error)):
            if stream is fn:
                return level
    raise ValueError(f"Unsupported output stream, logging level, or file: {stream!r}. Supported "
                     "streams are sys.stdout, sys.stderr, logging.info, logging.warning, "
                     "logging.error; a file needs the form 'file:///path/to/file'")


_DEFAULT_STDERR = sys.stderr
_DEFAULT_STDOUT = sys.stdout


def _is_tensor(x) -> bool:
    return isinstance(x, Tensor) or hasattr(x, "_read_for_op")  # tensors and variables


def _is_structure(x) -> bool:
    """Lists, tuples, namedtuples and dicts nest; other tuple subclasses (TensorShape) do not."""
    return isinstance(x, (list, dict)) or type(x) is tuple or (
        isinstance(x, tuple) and hasattr(x, "_fields"))


def _flatten(x) -> list:
    return nest.flatten(x) if _is_structure(x) else [x]


def _pack(x, flat: list):
    return nest.pack_sequence_as(x, flat) if _is_structure(x) else flat[0]


def _placeholder(text: str) -> str:
    """A placeholder that does not occur in ``text`` (TF's ``_generate_placeholder_string``)."""
    import random
    placeholder, rng = "{}", random.Random(5)
    while placeholder in text:
        placeholder += str(rng.randint(0, 9))
    return placeholder


def _template(inputs: tuple, sep: str) -> tuple[tuple, list]:
    """Split ``inputs`` into template pieces and the tensors that go between them."""
    import pprint
    inputs = tuple(collections.OrderedDict(sorted(x.items()))
                   if isinstance(x, collections.OrderedDict) else x for x in inputs)
    free = [_pack(x, ["" if _is_tensor(v) else v for v in _flatten(x)]) for x in inputs]
    placeholder = _placeholder(" ".join(pprint.pformat(x) for x in free))
    templates, tensors = [], []
    for x in inputs:
        leaves = []
        for v in _flatten(x):
            if _is_tensor(v):
                tensors.append(convert_to_tensor(v))
                leaves.append(placeholder)
            else:
                leaves.append(v)
        templates.append(x if isinstance(x, str) else pprint.pformat(_pack(x, leaves)))
    template = sep.join(templates).replace(repr(placeholder), placeholder)
    return tuple(template.split(placeholder)), tensors


def print(*inputs, output_stream=sys.stderr, summarize: int = 3, sep: str = " ",
          end: str = "\n", name=None) -> None:
    """Print tensors and Python values (``tf.print``); inside ``ag.function`` it prints at every
    call, not only while tracing.

    Tensors show the first and last ``summarize`` entries of each dimension (``-1``: all);
    ``output_stream`` is ``sys.stderr`` (default), ``sys.stdout``, ``logging.info`` /
    ``warning`` / ``error``, or ``"file:///path"`` (appended to).
    """
    stream = _stream_name(output_stream)
    attrs = {"summarize": 3 if summarize is None else int(summarize),
             "output_stream": stream, "end": end}
    if len(inputs) == 1 and isinstance(inputs[0], Tensor) and inputs[0].dtype is D.string \
            and inputs[0].ndim == 0:
        tensors, attrs["template"] = [inputs[0]], ()
    else:
        pieces, tensors = _template(inputs, sep)
        attrs["template"] = pieces
    dispatch.execute(_PRINT, tuple(tensors), attrs)
    return None

