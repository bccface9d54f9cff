"""String ops (``ag.strings``) on NumPy object arrays of ``bytes``, and TF's tensor printer.

String tensors always live on the CPU (CuPy has no string arrays), so every kernel here
works with NumPy whatever ``xp`` says. No string op is differentiable.

``summarize_value`` renders a tensor exactly as TensorFlow's ``Tensor::SummarizeValue``
does for ``tf.print`` / ``tf.strings.format``: NumPy-like nesting, elements separated by
spaces, the first and last ``summarize`` entries of every dimension, bools as ``1``/``0``,
strings quoted and C-escaped, floats in C's ``%g`` with 6 (float64: 15) significant digits,
widened to 9 (17) when that does not read back to the same value.
"""
from __future__ import annotations

import re
from typing import Optional, Sequence

import numpy as np

from runtime import backends, shapes
from runtime import dtypes as D
from runtime.registry import Spec
from ops import dispatch
from ops.declare import defop
from ops.errors import InvalidArgumentError
from ops.tensor import Tensor, convert_to_tensor

# Names safe to re-export at the top level of ``autograph`` (TF itself has ``tf.as_string``).
__all__ = [
    "as_string", "join", "length", "lower", "reduce_join", "regex_full_match", "regex_replace",
    "strip", "to_number", "upper",
]
# Names that belong under ``ag.strings`` only: at the top level they would shadow
# ``ag.split`` (array op) and Python's ``format``.
STRINGS_ONLY = ["format", "split"]


# ---- element helpers ----------------------------------------------------------------------

def _b(s) -> bytes:
    """An element of a string array as bytes (arrays built from NumPy ``str`` hold ``str``)."""
    return s if isinstance(s, bytes) else str(s).encode("utf-8")


def _map(fn, a, out_dtype=object) -> np.ndarray:
    """Apply ``fn`` to every element (as bytes); keeps the shape, 0-d included."""
    a = np.asarray(a)
    out = np.empty(a.shape, dtype=out_dtype)
    out.reshape(-1)[:] = [fn(_b(s)) for s in a.reshape(-1)]
    return out


def _strings(x, op: str) -> Tensor:
    """Convert an argument that must be a string tensor."""
    t = convert_to_tensor(x)
    if t.dtype is not D.string:
        raise TypeError(f"{op} expects a string tensor, got {t.dtype.name}; use "
                        "ag.strings.as_string to convert numbers to strings")
    return t


def _string_infer(op: str, out_dtype: D.DType = D.string):
    def infer(x: Spec, **attrs) -> Spec:
        if x.dtype is not D.string:
            raise TypeError(f"{op} expects a string tensor, got {x.dtype.name}")
        return Spec(out_dtype, x.shape)
    return infer


def _unary(name: str, fn, out_dtype: D.DType = D.string):
    """Declare an elementwise string op whose kernel maps ``fn(bytes, **attrs)``."""
    np_out = object if out_dtype is D.string else out_dtype.np
    return defop(name, lambda xp, x, **attrs: _map(lambda s: fn(s, **attrs), x, np_out),
                 _string_infer(name, out_dtype))


# ---- the TF tensor printer ----------------------------------------------------------------

def _c_escape(s: bytes) -> str:
    """absl::Utf8SafeCEscape: escape quotes, backslashes and control bytes; keep UTF-8."""
    out = []
    for c in s:
        if c == 0x0A:
            out.append("\\n")
        elif c == 0x0D:
            out.append("\\r")
        elif c == 0x09:
            out.append("\\t")
        elif c in (0x22, 0x27, 0x5C):
            out.append("\\" + chr(c))
        elif c < 0x20 or c == 0x7F:
            out.append("\\%03o" % c)
        else:
            out.append(bytes([c]).decode("latin-1"))
    # Re-read as UTF-8 (surrogateescape keeps invalid bytes round-trippable).
    return "".join(out).encode("latin-1").decode("utf-8", "surrogateescape")


def _fmt_float(v, digits: int, retry: int, ftype) -> str:
    """C's ``%.{digits}g``, widened to ``retry`` digits when it does not round-trip."""
    v = float(v)
    if v != v:
        return "-nan" if np.signbit(v) else "nan"
    s = "%.*g" % (digits, v)
    if ftype(float(s)) != ftype(v):
        s = "%.*g" % (retry, v)
    return s


def _element_formatter(dtype: np.dtype):
    kind = dtype.kind
    if kind == "f":
        if dtype == np.float64:
            return lambda v: _fmt_float(v, 15, 17, np.float64)
        return lambda v: _fmt_float(v, 6, 9, np.float32)
    if kind == "c":
        # TF prints "?" for complex elements (an unimplemented case); "(re,im)" is more useful.
        part = _element_formatter(np.dtype(np.float64 if dtype == np.complex128 else np.float32))
        return lambda v: f"({part(v.real)},{part(v.imag)})"
    if kind == "b":
        return lambda v: "1" if v else "0"
    if kind == "O":
        return lambda v: '"' + _c_escape(_b(v)) + '"'
    return lambda v: str(int(v))


def summarize_value(value, summarize: int = 3) -> str:
    """A tensor's value as ``tf.print`` shows it; ``summarize < 0`` shows every element."""
    a = np.asarray(backends.to_numpy(value))
    n = a.size
    limit = n if summarize is None or summarize < 0 else min(summarize, n)
    fmt = _element_formatter(a.dtype)
    if a.ndim == 0:
        return (fmt(a[()]) if limit > 0 else "") + ("..." if n > limit else "")
    out: list = []
    _print_dim(a, limit, fmt, 0, a.ndim, out)
    return "".join(out)


def _print_dim(a, ends: int, fmt, depth: int, ndims: int, out: list) -> None:
    """TF's PrintOneDimV2: ``ends`` entries from each end of every dimension."""
    if depth == ndims:  # ``a`` is one element (NumPy scalar, or bytes from object arrays)
        out.append(fmt(a))
        return
    # Innermost dims are space-separated; outer ones by blank lines and an indent.
    sep = " " if depth == ndims - 1 else "\n" * (ndims - depth - 1) + " " * (depth + 1)
    count = a.shape[0]
    out.append("[")
    for i in range(min(ends, count)):
        if i:
            out.append(sep)
        _print_dim(a[i], ends, fmt, depth + 1, ndims, out)
    if count > 2 * ends:
        out.append(sep + "...")
    for i in range(max(ends, count - ends), count):
        out.append(sep)
        _print_dim(a[i], ends, fmt, depth + 1, ndims, out)
    out.append("]")


def format_pieces(pieces: Sequence[str], arrays: Sequence, summarize: int) -> str:
    """Interleave template ``pieces`` (one more than ``arrays``) with tensor summaries."""
    parts = [pieces[0]]
    for piece, a in zip(pieces[1:], arrays):
        parts.append(summarize_value(a, summarize))
        parts.append(piece)
    return "".join(parts)


# ---- op declarations ----------------------------------------------------------------------

def _join_kernel(xp, *arrays, separator):
    arrays = np.broadcast_arrays(*[np.asarray(a) for a in arrays])
    out = np.empty(arrays[0].shape, dtype=object)
    flat = [a.reshape(-1) for a in arrays]
    out.reshape(-1)[:] = [separator.join(_b(s) for s in row) for row in zip(*flat)]
    return out


def _join_infer(*specs, separator):
    shape: Optional[tuple] = ()
    for s in specs:
        if s.dtype is not D.string:
            raise TypeError(f"StringJoin expects string tensors, got {s.dtype.name}")
        new = shapes.broadcast(shape, s.shape)
        if new is None:
            listed = ", ".join(shapes.fmt(t.shape) for t in specs)
            raise ValueError(f"StringJoin: input shapes {listed} are not broadcast-compatible")
        shape = new
    return Spec(D.string, shape)


def _reduced_axes(axis, rank: int, op: str) -> tuple:
    if axis is None:
        return tuple(range(rank))
    return tuple(sorted({shapes.normalize_axis(a, rank, op) for a in axis}))


def _reduce_join_kernel(xp, a, axis, keepdims, separator):
    a = np.asarray(a)
    axes = _reduced_axes(axis, a.ndim, "ReduceJoin")
    kept = [d for d in range(a.ndim) if d not in axes]
    outer = tuple(a.shape[d] for d in kept)
    inner = int(np.prod([a.shape[d] for d in axes], dtype=np.int64))
    rows = np.transpose(a, kept + list(axes)).reshape(outer + (inner,))
    out = np.empty(outer, dtype=object)
    for idx in np.ndindex(*outer):
        out[idx] = separator.join(_b(s) for s in rows[idx])
    if keepdims:
        out = out.reshape([1 if d in axes else a.shape[d] for d in range(a.ndim)])
    return out


def _reduce_join_infer(x: Spec, axis, keepdims, separator):
    if x.dtype is not D.string:
        raise TypeError(f"ReduceJoin expects a string tensor, got {x.dtype.name}")
    axes = _reduced_axes(axis, len(x.shape), "ReduceJoin")
    if keepdims:
        return Spec(D.string, tuple(1 if d in axes else n for d, n in enumerate(x.shape)))
    return Spec(D.string, tuple(n for d, n in enumerate(x.shape) if d not in axes))


def _length(s: bytes, unit: str) -> int:
    return len(s) if unit == "BYTE" else len(s.decode("utf-8", "replace"))


def _case(s: bytes, encoding: str, upper: bool) -> bytes:
    if encoding:  # Unicode-aware; without an encoding TF changes ASCII letters only
        text = s.decode("utf-8")
        return (text.upper() if upper else text.lower()).encode("utf-8")
    return s.upper() if upper else s.lower()  # bytes methods touch ASCII only


def _as_string_kernel(xp, x, precision, scientific, shortest, width, fill):
    a = np.asarray(backends.to_numpy(x))
    kind = a.dtype.kind
    if kind == "O":
        return _map(lambda s: s, a)
    if kind == "b":
        return _map_values(lambda v: b"true" if v else b"false", a)
    spec = "%" + fill + (str(width) if width > -1 else "") + \
        (f".{precision}" if precision > -1 else "")
    if kind in "iu":
        fmt = spec + "d"
        return _map_values(lambda v: (fmt % int(v)).encode(), a)
    fmt = spec + ("g" if shortest else "e" if scientific else "f")
    if kind == "c":
        return _map_values(lambda v: f"({fmt % v.real},{fmt % v.imag})".encode(), a)
    return _map_values(lambda v: (fmt % float(v)).encode(), a)


def _map_values(fn, a: np.ndarray) -> np.ndarray:
    out = np.empty(a.shape, dtype=object)
    out.reshape(-1)[:] = [fn(v) for v in a.reshape(-1)]
    return out


_NUMBER_TYPES = (D.float32, D.float64, D.int32, D.int64)


def _parse_number(s: bytes, out_type: str):
    text = s.decode("utf-8", "replace").strip()
    try:
        if "_" in text:  # Python accepts 1_000; C's strtod does not
            raise ValueError
        if out_type.startswith("float"):
            return float(text)
        value = int(text, 10)
        info = np.iinfo(out_type)
        if not info.min <= value <= info.max:
            raise ValueError
        return value
    except ValueError:
        raise InvalidArgumentError(
            f"StringToNumberOp could not correctly convert string: {s.decode('utf-8', 'replace')}",
            "StringToNumber") from None


def _to_number_kernel(xp, x, out_type):
    return _map(lambda s: _parse_number(s, out_type), x, object).astype(out_type)


def _rewrite_parts(rewrite: bytes) -> list:
    """RE2 rewrite syntax: ``\\N`` is group N (``\\0`` the whole match), ``\\\\`` a backslash."""
    parts, i = [], 0
    while i < len(rewrite):
        c = rewrite[i:i + 1]
        if c == b"\\":
            nxt = rewrite[i + 1:i + 2]
            if nxt.isdigit():
                parts.append(int(nxt))
            elif nxt == b"\\":
                parts.append(b"\\")
            else:
                raise InvalidArgumentError(f"RegexReplace: invalid rewrite pattern: {rewrite!r} "
                                           "(a backslash must precede a digit or a backslash)",
                                           "RegexReplace")
            i += 2
        else:
            parts.append(c)
            i += 1
    return parts


def _compile(pattern: str, op: str):
    try:
        return re.compile(pattern.encode("utf-8"))
    except re.error as e:
        raise InvalidArgumentError(f"{op}: invalid pattern {pattern!r}: {e}", op) from None


def _regex_replace_kernel(xp, x, pattern, rewrite, replace_global):
    rx = _compile(pattern, "RegexReplace")
    parts = _rewrite_parts(rewrite.encode("utf-8"))
    if any(isinstance(p, int) and p > rx.groups for p in parts):
        raise InvalidArgumentError(f"RegexReplace: rewrite {rewrite!r} refers to a group that "
                                   f"pattern {pattern!r} does not have", "RegexReplace")

    def expand(m):
        return b"".join(m.group(p) or b"" if isinstance(p, int) else p for p in parts)

    count = 0 if replace_global else 1
    return _map(lambda s: rx.sub(expand, s, count=count), x)


def _split_kernel(xp, x, sep, maxsplit):
    s = _b(np.asarray(x)[()])
    if sep is None:
        pieces = s.split(None, maxsplit)
    else:
        pieces = s.split(sep.encode("utf-8"), maxsplit)
    out = np.empty(len(pieces), dtype=object)
    out[:] = pieces
    return out


def _split_infer(x: Spec, sep, maxsplit):
    if x.dtype is not D.string:
        raise TypeError(f"StringSplit expects a string tensor, got {x.dtype.name}")
    return Spec(D.string, (None,))


def _format_kernel(xp, *arrays, template, summarize):
    text = format_pieces(template, arrays, summarize)
    return np.array(text.encode("utf-8", "surrogateescape"), dtype=object)


_JOIN = defop("StringJoin", _join_kernel, _join_infer)
_REDUCE_JOIN = defop("ReduceJoin", _reduce_join_kernel, _reduce_join_infer)
_LENGTH = _unary("StringLength", _length, D.int32)
_UPPER = _unary("StringUpper", lambda s, encoding: _case(s, encoding, True))
_LOWER = _unary("StringLower", lambda s, encoding: _case(s, encoding, False))
_STRIP = _unary("StringStrip", lambda s: s.strip())
_AS_STRING = defop("AsString", _as_string_kernel, lambda x, **a: Spec(D.string, x.shape))
_TO_NUMBER = defop("StringToNumber", _to_number_kernel,
                   lambda x, out_type: Spec(D.as_dtype(out_type), x.shape))
_REGEX_REPLACE = defop("RegexReplace", _regex_replace_kernel, _string_infer("RegexReplace"))
_REGEX_FULL_MATCH = defop(
    "RegexFullMatch",
    lambda xp, x, pattern: _map(lambda s: _compile(pattern, "RegexFullMatch").fullmatch(s)
                                is not None, x, np.bool_),
    _string_infer("RegexFullMatch", D.bool_))
_SPLIT = defop("StringSplit", _split_kernel, _split_infer)
_FORMAT = defop("StringFormat", _format_kernel, lambda *specs, **a: Spec(D.string, ()))


# ---- public wrappers ----------------------------------------------------------------------

def join(inputs: Sequence, separator: str = "", name=None) -> Tensor:
    """Join string tensors elementwise (``tf.strings.join``); inputs broadcast."""
    if isinstance(inputs, (str, bytes, Tensor)):
        raise TypeError("strings.join expects a list of string tensors, e.g. "
                        "ag.strings.join([a, b], separator=' ')")
    if len(inputs) == 0:
        raise ValueError("strings.join needs at least one input")
    tensors = tuple(_strings(x, "strings.join") for x in inputs)
    return dispatch.execute(_JOIN, tensors, {"separator": _b(separator)})


def reduce_join(inputs, axis=None, keepdims: bool = False, separator: str = "",
                name=None) -> Tensor:
    """Join the strings along ``axis`` (all axes when None), like ``tf.strings.reduce_join``."""
    x = _strings(inputs, "strings.reduce_join")
    if axis is not None:
        axis = tuple(int(a) for a in np.atleast_1d(np.asarray(axis)))
        _reduced_axes(axis, x.ndim, "strings.reduce_join")
    return dispatch.execute(_REDUCE_JOIN, (x,), {"axis": axis, "keepdims": bool(keepdims),
                                                  "separator": _b(separator)})


def length(input, unit: str = "BYTE", name=None) -> Tensor:
    """Length of each string in bytes (``unit="BYTE"``) or characters (``"UTF8_CHAR"``)."""
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise ValueError(f"strings.length: unit must be 'BYTE' or 'UTF8_CHAR', not {unit!r}")
    return dispatch.execute(_LENGTH, (_strings(input, "strings.length"),), {"unit": unit})


def _encoding(encoding: str, op: str) -> str:
    if encoding not in ("", "utf-8", "UTF-8", "utf8"):
        raise ValueError(f"{op}: encoding must be '' (ASCII) or 'utf-8', not {encoding!r}")
    return "utf-8" if encoding else ""


def upper(input, encoding: str = "", name=None) -> Tensor:
    """Upper-case each string (ASCII letters only unless ``encoding="utf-8"``)."""
    return dispatch.execute(_UPPER, (_strings(input, "strings.upper"),),
                            {"encoding": _encoding(encoding, "strings.upper")})


def lower(input, encoding: str = "", name=None) -> Tensor:
    """Lower-case each string (ASCII letters only unless ``encoding="utf-8"``)."""
    return dispatch.execute(_LOWER, (_strings(input, "strings.lower"),),
                            {"encoding": _encoding(encoding, "strings.lower")})


def strip(input, name=None) -> Tensor:
    """Remove leading and trailing whitespace from each string."""
    return dispatch.execute(_STRIP, (_strings(input, "strings.strip"),))


def as_string(input, precision: int = -1, scientific: bool = False, shortest: bool = False,
              width: int = -1, fill: str = "", name=None) -> Tensor:
    """Format each number as a string with C printf rules (``tf.strings.as_string``).

    Floats default to ``%f`` (six decimals), ints to ``%d``, bools to ``true``/``false``.
    """
    x = convert_to_tensor(input)
    kind = x.dtype.kind
    if scientific and shortest:
        raise InvalidArgumentError("Cannot select both scientific and shortest notation",
                                   "AsString")
    if kind not in "fc" and (precision > -1 or scientific or shortest):
        raise InvalidArgumentError(
            f"precision, scientific and shortest apply to floating point only, not to "
            f"{x.dtype.name}", "AsString")
    if len(fill) > 1:
        raise InvalidArgumentError(f"Fill string must be one or fewer characters, got {fill!r}",
                                   "AsString")
    if fill and fill not in " +-0#":
        raise InvalidArgumentError(f'Fill argument not supported: "{fill}"', "AsString")
    attrs = {"precision": int(precision), "scientific": bool(scientific),
             "shortest": bool(shortest), "width": int(width), "fill": fill}
    return dispatch.execute(_AS_STRING, (x,), attrs)


def to_number(string_tensor, out_type=D.float32, name=None) -> Tensor:
    """Parse each string as a number of ``out_type`` (float32, float64, int32 or int64)."""
    dtype = D.as_dtype(out_type)
    if dtype not in _NUMBER_TYPES:
        raise TypeError(f"strings.to_number: out_type must be float32, float64, int32 or "
                        f"int64, not {dtype.name}")
    return dispatch.execute(_TO_NUMBER, (_strings(string_tensor, "strings.to_number"),),
                            {"out_type": dtype.name})


def regex_replace(input, pattern: str, rewrite: str, replace_global: bool = True,
                  name=None) -> Tensor:
    """Replace matches of ``pattern`` with ``rewrite`` (``\\1`` refers to group 1)."""
    return dispatch.execute(_REGEX_REPLACE, (_strings(input, "strings.regex_replace"),),
                            {"pattern": _text(pattern), "rewrite": _text(rewrite),
                             "replace_global": bool(replace_global)})


def regex_full_match(input, pattern: str, name=None) -> Tensor:
    """Whether each whole string matches ``pattern`` (bool tensor)."""
    return dispatch.execute(_REGEX_FULL_MATCH, (_strings(input, "strings.regex_full_match"),),
                            {"pattern": _text(pattern)})


def split(input, sep: Optional[str] = None, maxsplit: int = -1, name=None) -> Tensor:
    """Split a scalar string into a 1-D tensor of pieces (``sep=None``: on whitespace).

    TensorFlow returns a RaggedTensor for inputs of rank >= 1; autograph has no ragged
    tensors, so only scalars are accepted.
    """
    x = _strings(input, "strings.split")
    if x.ndim != 0:
        raise ValueError(f"strings.split: only scalar strings can be split here (got shape "
                         f"{shapes.fmt(tuple(x.shape))}); a batch of strings splits into a "
                         "RaggedTensor, which autograph does not have")
    sep = _text(sep) if sep else None
    return dispatch.execute(_SPLIT, (x,), {"sep": sep, "maxsplit": int(maxsplit)})


def format(template: str, inputs, placeholder: str = "{}", summarize: int = 3,
           name=None) -> Tensor:
    """Fill ``placeholder`` slots of ``template`` with tensor summaries (``tf.strings.format``)."""
    if isinstance(inputs, (list, tuple)):
        tensors = tuple(convert_to_tensor(t) for t in inputs)
    else:
        tensors = (convert_to_tensor(inputs),)
    pieces = tuple(template.split(placeholder))
    if len(pieces) - 1 != len(tensors):
        raise ValueError(f"strings.format: {len(pieces) - 1} placeholders in the template but "
                         f"{len(tensors)} inputs")
    return dispatch.execute(_FORMAT, tensors, {"template": pieces,
                                               "summarize": _summarize(summarize)})


def _summarize(summarize) -> int:
    return 3 if summarize is None else int(summarize)


def _text(s) -> str:
    return s.decode("utf-8") if isinstance(s, bytes) else str(s)
