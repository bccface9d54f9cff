"""``ag.debugging``: value assertions, ``check_numerics`` and ``enable_check_numerics``.

Value assertions are stateful ops with no outputs whose inputs are the values they check, so
they run eagerly and at every call of a traced function. Their kernels build TensorFlow's
eager error messages (the user's message, the condition, the offending indices and values)
and raise ``InvalidArgumentError``. Rank, type and shape assertions are static: shapes and
dtypes are known while tracing, so they raise ``ValueError`` / ``TypeError`` at once.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from runtime import backends
from runtime import shapes as shape_rules
from runtime import dtypes as D
from runtime.registry import Spec
from ops import dispatch
from ops.context import state
from ops.declare import ALL, FLOAT, COMPLEX, REAL, defop
from ops.errors import InvalidArgumentError
from ops.tensor import Tensor, convert_to_tensor

__all__ = [
    "Assert", "assert_equal", "assert_none_equal", "assert_less", "assert_less_equal",
    "assert_greater", "assert_greater_equal", "assert_positive", "assert_negative",
    "assert_non_negative", "assert_non_positive", "assert_near", "assert_all_finite",
    "assert_rank", "assert_rank_at_least", "assert_scalar", "assert_type", "assert_shapes",
    "check_numerics", "enable_check_numerics", "disable_check_numerics",
]


def _np(a) -> np.ndarray:
    return np.asarray(backends.to_numpy(a))


def _summarize(summarize) -> int:
    """TF's eager rule: None shows 3 entries, a negative number shows all."""
    if summarize is None:
        return 3
    return 10**9 if summarize < 0 else int(summarize)


def _pretty(arr: np.ndarray, summarize: int) -> str:
    """A checked tensor in an eager assert message: ``['1', '2', '3', '...']``."""
    if arr.ndim == 0:
        return str(arr[()])
    flat = arr.reshape(-1)
    items = [str(v) for v in flat[:summarize]]
    if len(items) < flat.size:
        items.append("...")
    return str(items)


def _prefix(message: Optional[str]) -> str:
    return f"{message}.  " if message else ""


def _shape_dtype(arr: np.ndarray) -> str:
    return f"shape={shape_rules.fmt(arr.shape)} dtype={D.from_numpy(arr.dtype).name}"


# ---- comparisons: assert_equal, assert_less, ... -----------------------------------------
def _binary_kernel(sym, test, op_name):
    def kernel(xp, x, y, message, summarize):
        ok = getattr(xp, test)(x, y)
        if bool(xp.all(ok)):
            return ()
        x, y, ok = _np(x), _np(y), _np(ok)
        lines = [] if message is None else [message]
        lines.append(f"Condition x {sym} y did not hold.")
        if summarize > 0:
            if x.shape == y.shape and x.ndim:
                # Same shapes: name the elements that failed (TF does not for broadcasts).
                bad = ~ok
                n = min(summarize, int(bad.sum()))
                lines += [f"Indices of first {n} different values:", str(np.argwhere(bad)[:n]),
                          "Corresponding x values:", str(x[bad].reshape(-1)[:n]),
                          "Corresponding y values:", str(y[bad].reshape(-1)[:n])]
            xf, yf = x.reshape(-1), y.reshape(-1)
            lines += [f"First {min(xf.size, summarize)} elements of x:", str(xf[:summarize]),
                      f"First {min(yf.size, summarize)} elements of y:", str(yf[:summarize])]
        raise InvalidArgumentError("\n".join(lines), op_name)
    return kernel


def _binary_infer(op_name, allowed):
    def infer(x: Spec, y: Spec, **attrs) -> list:
        if x.dtype is not y.dtype:
            from ops.errors import dtype_mismatch
            raise dtype_mismatch(op_name, x.dtype, y.dtype)
        if x.dtype not in allowed:
            raise TypeError(f"{op_name} does not accept {x.dtype.name} tensors")
        if shape_rules.broadcast(x.shape, y.shape) is None:
            raise ValueError(f"{op_name}: shapes {shape_rules.fmt(x.shape)} and "
                             f"{shape_rules.fmt(y.shape)} are not broadcast-compatible")
        return []
    return infer


def _binary_wrapper(public, op, allowed, sym):
    def wrapper(x, y, message: Optional[str] = None, summarize: Optional[int] = None,
                name=None) -> None:
        if x is y:  # TF short-circuits comparing a tensor with itself
            return None
        x, y = dispatch.tensors([x, y], public)
        _binary_infer(public, allowed)(dispatch.spec_of(x), dispatch.spec_of(y))
        dispatch.execute(op, (x, y), {"message": None if message is None else str(message),
                                      "summarize": _summarize(summarize)})
        return None

    wrapper.__name__ = public
    wrapper.__doc__ = (f"Raise InvalidArgumentError unless ``x {sym} y`` holds for every "
                       f"(broadcast) element (``tf.debugging.{public}``).")
    return wrapper


def _binary(public: str, op_name: str, sym: str, test: str, allowed: frozenset):
    """Declare the op ``op_name`` (checks ``getattr(xp, test)(x, y)``) and its wrapper."""
    op = defop(op_name, _binary_kernel(sym, test, op_name), _binary_infer(op_name, allowed),
               stateful=True, multi=True)
    return _binary_wrapper(public, op, allowed, sym)


assert_equal = _binary("assert_equal", "AssertEqual", "==", "equal", ALL)
assert_none_equal = _binary("assert_none_equal", "AssertNoneEqual", "!=", "not_equal", ALL)
assert_less = _binary("assert_less", "AssertLess", "<", "less", REAL)
assert_less_equal = _binary("assert_less_equal", "AssertLessEqual", "<=", "less_equal", REAL)
assert_greater = _binary("assert_greater", "AssertGreater", ">", "greater", REAL)
assert_greater_equal = _binary("assert_greater_equal", "AssertGreaterEqual", ">=",
                               "greater_equal", REAL)


# ---- sign checks: assert_positive, ... ----------------------------------------------------
def _unary_kernel(condition, test, op_name):
    def kernel(xp, x, message, summarize):
        if bool(xp.all(getattr(xp, test)(x, 0))):
            return ()
        x = _np(x)
        lines = [_prefix(message), f"Condition {condition} did not hold element-wise:",
                 f"x ({_shape_dtype(x)}) = ", _pretty(x, summarize)]
        raise InvalidArgumentError("\n".join(lines), op_name)
    return kernel


def _unary_infer(op_name):
    def infer(x: Spec, **attrs) -> list:
        if x.dtype not in REAL:
            raise TypeError(f"{op_name} expects a real numeric tensor, got {x.dtype.name}")
        return []
    return infer


def _unary_wrapper(public, op, condition):
    def wrapper(x, message: Optional[str] = None, summarize: Optional[int] = None,
                name=None) -> None:
        x = convert_to_tensor(x)
        _unary_infer(public)(dispatch.spec_of(x))
        dispatch.execute(op, (x,), {"message": None if message is None else str(message),
                                    "summarize": _summarize(summarize)})
        return None

    wrapper.__name__ = public
    wrapper.__doc__ = (f"Raise InvalidArgumentError unless ``{condition}`` holds for every "
                       f"element (``tf.debugging.{public}``).")
    return wrapper


def _unary(public: str, op_name: str, condition: str, test: str):
    """Declare the op ``op_name`` (checks ``getattr(xp, test)(x, 0)``) and its wrapper."""
    op = defop(op_name, _unary_kernel(condition, test, op_name), _unary_infer(op_name),
               stateful=True, multi=True)
    return _unary_wrapper(public, op, condition)


assert_positive = _unary("assert_positive", "AssertPositive", "x > 0", "greater")
assert_negative = _unary("assert_negative", "AssertNegative", "x < 0", "less")
assert_non_negative = _unary("assert_non_negative", "AssertNonNegative", "x >= 0",
                             "greater_equal")
assert_non_positive = _unary("assert_non_positive", "AssertNonPositive", "x <= 0", "less_equal")


# ---- assert_near --------------------------------------------------------------------------

def _near_kernel(xp, x, y, rtol, atol, message, summarize):
    tol = atol + rtol * xp.abs(y)
    if bool(xp.all(xp.abs(x - y) < tol)):
        return ()
    x, y = _np(x), _np(y)
    data = [_prefix(message), f"x and y not equal to tolerance rtol = {rtol}, atol = {atol}",
            f"x ({_shape_dtype(x)}) = ", _pretty(x, summarize),
            f"y ({_shape_dtype(y)}) = ", _pretty(y, summarize)]
    raise InvalidArgumentError("Expected 'all(abs(x - y) < atol + rtol * abs(y))' to be true. "
                               "Summarized data: " + "\n".join(data), "AssertNear")


def _near_infer(x: Spec, y: Spec, **attrs) -> list:
    _binary_infer("AssertNear", FLOAT | COMPLEX)(x, y)
    return []


_NEAR = defop("AssertNear", _near_kernel, _near_infer, stateful=True, multi=True)


def assert_near(x, y, rtol=None, atol=None, message: Optional[str] = None,
                summarize: Optional[int] = None, name=None) -> None:
    """Raise InvalidArgumentError unless ``|x - y| < atol + rtol * |y|`` everywhere.

    ``rtol`` and ``atol`` default to ``10 * eps`` of the dtype (about 1.2e-6 for float32).
    """
    x, y = dispatch.tensors([x, y], "assert_near")
    _near_infer(dispatch.spec_of(x), dispatch.spec_of(y))
    eps = float(np.finfo(x.dtype.real_dtype.np).eps)
    attrs = {"rtol": 10 * eps if rtol is None else float(rtol),
             "atol": 10 * eps if atol is None else float(atol),
             "message": None if message is None else str(message),
             "summarize": _summarize(summarize)}
    dispatch.execute(_NEAR, (x, y), attrs)
    return None


# ---- Assert: a condition plus data to show --------------------------------------------------

def _assert_kernel(xp, condition, *arrays, data, summarize):
    if bool(condition):
        return ()
    values = iter(arrays)
    shown = []
    for item in data:
        if item is None:
            a = _np(next(values))
            flat = a.reshape(-1)
            items = [str(v) for v in flat[:summarize]]
            if a.ndim and len(items) < flat.size:
                items.append("...")
            shown.append(", ".join(items))
        else:
            shown.append(item)
    raise InvalidArgumentError("Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. "
                               "Summarized data: " + "\n".join(shown), "Assert")


def _assert_infer(condition: Spec, *data: Spec, **attrs) -> list:
    if condition.dtype is not D.bool_ or len(condition.shape) != 0:
        raise ValueError(f"Assert: the condition must be a scalar bool, got "
                         f"{condition.dtype.name}{shape_rules.fmt(condition.shape)}")
    return []


_ASSERT = defop("Assert", _assert_kernel, _assert_infer, stateful=True, multi=True)


def Assert(condition, data, summarize: Optional[int] = None, name=None) -> None:
    """Raise InvalidArgumentError showing ``data`` when the scalar bool ``condition`` is false.

    ``data`` is a list of tensors and strings (``tf.debugging.Assert``); strings are shown as
    they are, tensors by their first ``summarize`` entries.
    """
    cond = convert_to_tensor(condition)
    _assert_infer(dispatch.spec_of(cond))
    template, tensors = [], []
    for item in data:
        if isinstance(item, (str, bytes)):
            template.append(item.decode("utf-8", "replace") if isinstance(item, bytes) else item)
        else:
            tensors.append(convert_to_tensor(item))
            template.append(None)
    dispatch.execute(_ASSERT, (cond, *tensors), {"data": tuple(template),
                                                 "summarize": _summarize(summarize)})
    return None


# ---- check_numerics -------------------------------------------------------------------------

def _nonfinite_kinds(xp, x) -> Optional[str]:
    """None if every element is finite, else ``"NaN"``, ``"Inf"`` or ``"Inf and NaN"``."""
    if bool(xp.all(xp.isfinite(x))):
        return None
    nan, inf = bool(xp.any(xp.isnan(x))), bool(xp.any(xp.isinf(x)))
    return "Inf and NaN" if nan and inf else "NaN" if nan else "Inf"


def _check_numerics_kernel(xp, x, message):
    found = _nonfinite_kinds(xp, x)
    if found is not None:
        raise InvalidArgumentError(f"{message} : Tensor had {found} values [Op:CheckNumerics]",
                                   "CheckNumerics")
    return x


def _check_numerics_infer(x: Spec, message) -> Spec:
    if x.dtype not in FLOAT:
        raise TypeError(f"CheckNumerics expects a float tensor, got {x.dtype.name}")
    return x


def _check_numerics_grad(op, dy):
    # As in TF: the gradient is checked too, so a NaN born in backprop is caught where it appears.
    return [check_numerics(dy, "Not a number (NaN) or infinity (Inf) values detected in "
                               "gradient. " + op.attrs["message"])]


_CHECK_NUMERICS = defop("CheckNumerics", _check_numerics_kernel, _check_numerics_infer,
                        _check_numerics_grad, stateful=True)


def check_numerics(tensor, message: str, name=None) -> Tensor:
    """Return ``tensor`` unchanged; raise InvalidArgumentError naming ``message`` if it holds
    NaN or Inf. The gradient passes through (and is checked the same way)."""
    x = convert_to_tensor(tensor)
    _check_numerics_infer(dispatch.spec_of(x), message)
    return dispatch.execute(_CHECK_NUMERICS, (x,), {"message": str(message)})


def assert_all_finite(x, message: str, name=None) -> Tensor:
    """Return ``x``; raise InvalidArgumentError with ``message`` if it holds NaN or Inf."""
    return check_numerics(x, message)


# ---- enable_check_numerics: a hook on every eager op ---------------------------------------

def _check_outputs_hook(op, inputs, attrs, outputs) -> None:
    for slot, t in enumerate(outputs):
        v = getattr(t, "_v", None)
        if v is None or t.dtype.kind not in "fc":
            continue
        xp = backends.array_module(v)
        if bool(xp.all(xp.isfinite(v))):
            continue
        a = _np(v)
        lines = ["", f"!!! Detected Infinity or NaN in output {slot} of eagerly-executing op "
                 f"\"{op.name}\" (# of outputs: {len(outputs)}) !!!",
                 f"  dtype: {t.dtype!r}", f"  shape: {shape_rules.fmt(a.shape)}"]
        for label, count in (("-Inf", np.sum(np.isneginf(a))), ("+Inf", np.sum(np.isposinf(a))),
                             ("NaN", np.sum(np.isnan(a)))):
            if count:
                lines.append(f"  # of {label} elements: {count}")
        if len(inputs) == 1:
            lines += ["", f"  Input tensor: {inputs[0]}"]
        elif inputs:
            lines += ["", f"  Input tensors ({len(inputs)}):"]
            lines += [f"         {i}: {x}" for i, x in enumerate(inputs)]
        raise InvalidArgumentError("\n".join(lines) + "\n", op.name)


def enable_check_numerics(stack_height_limit: int = 30, path_length_limit: int = 50) -> None:
    """From now on, raise InvalidArgumentError naming the op whenever an eager op produces
    NaN or Inf in a float output (``tf.debugging.enable_check_numerics``)."""
    if _check_outputs_hook not in state.hooks:
        state.hooks.append(_check_outputs_hook)
        state.refresh()


def disable_check_numerics() -> None:
    """Undo ``enable_check_numerics`` (no-op when it is not enabled)."""
    if _check_outputs_hook in state.hooks:
        state.hooks.remove(_check_outputs_hook)
        state.refresh()


# ---- static checks: rank, type, shapes -------------------------------------------------------

def _static(x) -> Tensor:
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


def assert_rank(x, rank, message: Optional[str] = None, name=None) -> None:
    """Raise ValueError unless ``x`` has rank ``rank`` (known statically, even when tracing)."""
    t = _static(x)
    rank = int(rank)
    if t.ndim != rank:
        raise ValueError(f"{_prefix(message)}Tensor must have rank {rank}.  Received rank "
                         f"{t.ndim}, shape {shape_rules.fmt(tuple(t.shape))}")
    return None


def assert_rank_at_least(x, rank, message: Optional[str] = None, name=None) -> None:
    """Raise ValueError unless ``x`` has rank ``rank`` or more."""
    t = _static(x)
    rank = int(rank)
    if t.ndim < rank:
        raise ValueError(f"{_prefix(message)}Tensor must have rank at least {rank}.  Received "
                         f"rank {t.ndim}, shape {shape_rules.fmt(tuple(t.shape))}")
    return None


def assert_scalar(tensor, message: Optional[str] = None, name=None) -> Tensor:
    """Return ``tensor`` if it is a scalar (rank 0), else raise ValueError."""
    t = _static(tensor)
    if t.ndim != 0:
        raise ValueError(f"{_prefix(message)}Expected scalar shape, saw shape: "
                         f"{shape_rules.fmt(tuple(t.shape))}.")
    return t


def assert_type(tensor, tf_type, message: Optional[str] = None, name=None) -> None:
    """Raise TypeError unless ``tensor`` has dtype ``tf_type``."""
    want = D.as_dtype(tf_type)
    got = tensor.dtype if hasattr(tensor, "dtype") else _static(tensor).dtype
    if got is not want:
        raise TypeError(f"{_prefix(message)}tensor must be of type {want!r}; got {got!r}")
    return None


def assert_shapes(shapes, data=None, summarize: Optional[int] = None,
                  message: Optional[str] = None, name=None) -> None:
    """Check tensors against shape specs with named dims (``tf.debugging.assert_shapes``).

    ``shapes`` is a list of ``(tensor, spec)`` pairs (or a dict). A spec entry is an int (that
    exact size), a string naming a size that must agree everywhere it appears, or ``None`` /
    ``"."`` (any size); a leading ``"..."`` or ``"*"`` matches any number of leading dims.
    Dims unknown while tracing are not checked.
    """
    pairs = list(shapes.items()) if isinstance(shapes, dict) else list(shapes)
    sizes: dict = {}   # symbol -> (size, which tensor fixed it)
    for k, (x, spec) in enumerate(pairs):
        t = _static(x.deref() if hasattr(x, "deref") and not isinstance(x, Tensor) else x)
        actual = tuple(t.shape)
        received = f"shape {shape_rules.fmt(actual)}"
        spec = list(spec) if not isinstance(spec, (str, int)) else [spec]
        if spec and spec[0] in ("...", "*"):
            spec = spec[1:]
            if len(actual) < len(spec):
                raise ValueError(f"{_prefix(message)}Tensor {k} must have rank at least "
                                 f"{len(spec)}.  Received rank {len(actual)}, shape "
                                 f"{shape_rules.fmt(actual)}")
            dims = actual[len(actual) - len(spec):]
        else:
            if len(actual) != len(spec):
                raise ValueError(f"{_prefix(message)}Tensor {k} must have rank {len(spec)}.  "
                                 f"Received rank {len(actual)}, shape {shape_rules.fmt(actual)}")
            dims = actual
        for d, (want, got) in enumerate(zip(spec, dims)):
            if got is None or want is None or want == ".":
                continue
            if isinstance(want, str):
                if want not in sizes:
                    sizes[want] = (got, k)
                    continue
                size, who = sizes[want]
                if size != got:
                    raise ValueError(f"{_prefix(message)}Specified by tensor {who} dimension "
                                     f"'{want}'.  Tensor {k} dimension {d} must have size "
                                     f"{size}.  Received size {got}, {received}")
            elif int(want) != got:
                raise ValueError(f"{_prefix(message)}Tensor {k} dimension {d} must have size "
                                 f"{int(want)}.  Received size {got}, {received}")
    return None
