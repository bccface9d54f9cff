"""Elementwise math: one table row per op (kernel, accepted dtypes, gradient, C expression).

Gradients are written with the public wrappers, so they run eagerly, build graph nodes while
tracing, and differentiate again for higher orders. ``{0}``/``{1}`` in a C expression are the
operands; fusion renders them into generated kernels. The expressions follow NumPy's results
(NaN propagates through ``maximum``, ``sign(nan)`` is nan); two need helpers that the kernel
prelude must define with Python's floor semantics for floats and integers alike:
``floordiv_floor(a, b)`` (NumPy's ``floor_divide``) and ``fmod_floor(a, b)`` (NumPy's ``mod``).
"""
from __future__ import annotations

import math
import operator
import warnings

import numpy as np

from runtime import dtypes as D
from runtime.registry import NOT_DIFFERENTIABLE, Spec
from ops import dispatch
from ops.declare import (ALL, BOOL, COMPLEX, FLOAT, INT, NUMERIC, REAL, SIGNED, STRING,
                         binary_op, defop, same_infer, unary_op)
from ops.tensor import Tensor, convert_for_op

__all__ = [
    "negative", "abs", "sign", "square", "sqrt", "rsqrt", "exp", "expm1", "log", "log1p",
    "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh",
    "atanh", "sigmoid", "erf", "round", "floor", "ceil", "reciprocal", "logical_not",
    "is_nan", "is_inf", "is_finite", "add", "subtract", "multiply", "divide", "truediv",
    "realdiv", "floordiv", "floormod", "mod", "pow", "maximum", "minimum", "squared_difference",
    "atan2", "divide_no_nan", "equal", "not_equal", "less", "less_equal", "greater",
    "greater_equal", "logical_and", "logical_or", "logical_xor", "bitwise_and", "bitwise_or",
    "bitwise_xor", "invert", "conj", "cast", "zeros_like", "ones_like", "identity", "stop_gradient",
    "sum_like", "broadcast_like", "real", "imag",
]

_SQRT_PI = math.sqrt(math.pi)

# TensorFlow computes 1/0 = inf and log(0) = -inf silently; NumPy would warn from the kernels
# below. Only warnings raised in this module's kernels are silenced, never the user's own.
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"ops\.elementwise$")
_erf_py = np.frompyfunc(math.erf, 1, 1)


def _erf_kernel(xp, x):
    if xp is not np:
        import cupyx.scipy.special
        return cupyx.scipy.special.erf(x)
    return np.asarray(_erf_py(x), dtype=x.dtype)[()] if np.ndim(x) == 0 else _erf_py(x).astype(x.dtype)


# ---- gradient helpers -------------------------------------------------------------------

def unbroadcast(g: Tensor, x: Tensor) -> Tensor:
    """Sum ``g`` down to the shape of operand ``x`` (the gradient of broadcasting)."""
    gv, xv = g._v, x._v
    if gv is not None and xv is not None:       # eager: compare the arrays' shapes directly
        if gv.shape == xv.shape:
            return g
    else:
        gs, xs = g.shape, x.shape
        if gs == xs and None not in xs:
            return g
    return sum_like(g, x)


def needs_grad(op, i: int) -> bool:
    """Does the tape need the gradient of input ``i``? Tapes record which inputs lead back to
    a watched value, so gradient functions can skip the rest (a constant's, an exponent's)."""
    mask = getattr(op, "needs", None)
    return mask is None or mask[i]


def _binary_grads(op, dx, dy):
    """Input gradients of a broadcasting binary op; ``dx``/``dy`` may be zero-argument
    callables, evaluated only for inputs whose gradient is needed."""
    x, y = op.inputs
    out = [None, None]
    if dx is not None and needs_grad(op, 0):
        out[0] = unbroadcast(dx() if callable(dx) else dx, x)
    if dy is not None and needs_grad(op, 1):
        out[1] = unbroadcast(dy() if callable(dy) else dy, y)
    return out


def _conj(t):
    """Complex gradients are conjugated, as in TensorFlow (``dy * conj(f'(x))``); reals pass."""
    return conj(t) if t.dtype in COMPLEX else t


# ---- unary ops --------------------------------------------------------------------------
# name, kernel, dtypes, grad(op, dy) -> [dx], C expression
_x = lambda op: op.inputs[0]   # noqa: E731  (readability of the table below)
_y = lambda op: op.outputs[0]  # noqa: E731

_UNARY = [
    ("Neg", lambda xp, x: xp.negative(x), SIGNED | INT, lambda op, dy: [negative(dy)], "(-{0})"),
    ("Abs", lambda xp, x: xp.abs(x), REAL, lambda op, dy: [dy * sign(_x(op))], "fabs({0})"),
    ("Sign", lambda xp, x: xp.sign(x), SIGNED | INT, lambda op, dy: [zeros_like(_x(op))],
     "({0} != {0} ? {0} : (({0} > 0) - ({0} < 0)))"),
    ("Square", lambda xp, x: xp.square(x), NUMERIC, lambda op, dy: [dy * _conj(2 * _x(op))],
     "({0} * {0})"),
    ("Sqrt", lambda xp, x: xp.sqrt(x), FLOAT | COMPLEX, lambda op, dy: [dy * 0.5 / _conj(_y(op))],
     "sqrt({0})"),
    ("Rsqrt", lambda xp, x: 1 / xp.sqrt(x), FLOAT, lambda op, dy: [dy * -0.5 * _y(op) ** 3],
     "(1 / sqrt({0}))"),
    ("Exp", lambda xp, x: xp.exp(x), FLOAT | COMPLEX, lambda op, dy: [dy * _conj(_y(op))],
     "exp({0})"),
    ("Expm1", lambda xp, x: xp.expm1(x), FLOAT, lambda op, dy: [dy * (_y(op) + 1)], "expm1({0})"),
    ("Log", lambda xp, x: xp.log(x), FLOAT | COMPLEX, lambda op, dy: [dy / _conj(_x(op))],
     "log({0})"),
    ("Log1p", lambda xp, x: xp.log1p(x), FLOAT, lambda op, dy: [dy / (1 + _x(op))], "log1p({0})"),
    ("Sin", lambda xp, x: xp.sin(x), FLOAT | COMPLEX, lambda op, dy: [dy * _conj(cos(_x(op)))],
     "sin({0})"),
    ("Cos", lambda xp, x: xp.cos(x), FLOAT | COMPLEX, lambda op, dy: [-dy * _conj(sin(_x(op)))],
     "cos({0})"),
    ("Tan", lambda xp, x: xp.tan(x), FLOAT, lambda op, dy: [dy * (1 + square(_y(op)))], "tan({0})"),
    ("Asin", lambda xp, x: xp.arcsin(x), FLOAT, lambda op, dy: [dy * rsqrt(1 - square(_x(op)))],
     "asin({0})"),
    ("Acos", lambda xp, x: xp.arccos(x), FLOAT, lambda op, dy: [-dy * rsqrt(1 - square(_x(op)))],
     "acos({0})"),
    ("Atan", lambda xp, x: xp.arctan(x), FLOAT, lambda op, dy: [dy / (1 + square(_x(op)))],
     "atan({0})"),
    ("Sinh", lambda xp, x: xp.sinh(x), FLOAT, lambda op, dy: [dy * cosh(_x(op))], "sinh({0})"),
    ("Cosh", lambda xp, x: xp.cosh(x), FLOAT, lambda op, dy: [dy * sinh(_x(op))], "cosh({0})"),
    ("Tanh", lambda xp, x: xp.tanh(x), FLOAT | COMPLEX, lambda op, dy: [dy * _conj(1 - square(_y(op)))],
     "tanh({0})"),
    ("Asinh", lambda xp, x: xp.arcsinh(x), FLOAT, lambda op, dy: [dy * rsqrt(square(_x(op)) + 1)],
     "asinh({0})"),
    ("Acosh", lambda xp, x: xp.arccosh(x), FLOAT, lambda op, dy: [dy * rsqrt(square(_x(op)) - 1)],
     "acosh({0})"),
    ("Atanh", lambda xp, x: xp.arctanh(x), FLOAT, lambda op, dy: [dy / (1 - square(_x(op)))],
     "atanh({0})"),
    ("Sigmoid", lambda xp, x: _sigmoid_kernel(xp, x), FLOAT,
     lambda op, dy: [dy * _y(op) * (1 - _y(op))], "ag_sigmoid({0})"),
    ("Erf", _erf_kernel, FLOAT,
     lambda op, dy: [dy * (2 / _SQRT_PI) * exp(-square(_x(op)))], "erf({0})"),
    ("Round", lambda xp, x: xp.round(x), FLOAT | INT, NOT_DIFFERENTIABLE, "rint({0})"),
    ("Floor", lambda xp, x: xp.floor(x), FLOAT, NOT_DIFFERENTIABLE, "floor({0})"),
    ("Ceil", lambda xp, x: xp.ceil(x), FLOAT, NOT_DIFFERENTIABLE, "ceil({0})"),
    ("Reciprocal", lambda xp, x: xp.reciprocal(x), FLOAT | COMPLEX,
     lambda op, dy: [-dy * _conj(square(_y(op)))], "(1 / {0})"),
    ("LogicalNot", lambda xp, x: xp.logical_not(x), BOOL, NOT_DIFFERENTIABLE, "(!{0})"),
    ("Invert", lambda xp, x: xp.invert(x), INT, NOT_DIFFERENTIABLE, "(~{0})"),
    ("Identity", lambda xp, x: x, ALL, lambda op, dy: [dy], "{0}"),
    ("Conj", lambda xp, x: xp.conj(x), COMPLEX, lambda op, dy: [conj(dy)], "conj({0})"),
    ("StopGradient", lambda xp, x: x, ALL, NOT_DIFFERENTIABLE, "{0}"),
    ("ZerosLike", lambda xp, x: _filled_like(xp.zeros_like, x, 0), NUMERIC | BOOL,
     NOT_DIFFERENTIABLE, "0"),
    ("OnesLike", lambda xp, x: _filled_like(xp.ones_like, x, 1), NUMERIC | BOOL,
     NOT_DIFFERENTIABLE, "1"),
]

_PREDICATES = [
    ("IsNan", lambda xp, x: xp.isnan(x), "isnan({0})"),
    ("IsInf", lambda xp, x: xp.isinf(x), "isinf({0})"),
    ("IsFinite", lambda xp, x: xp.isfinite(x), "isfinite({0})"),
]


def _sigmoid_kernel(xp, x):
    # Split by sign so exp never overflows: 1/(1+e^-x) for x >= 0, e^x/(1+e^x) otherwise.
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype)[()]


# ---- binary ops -------------------------------------------------------------------------

def _pow_grad(op, dy):
    x, y = op.inputs
    z = op.outputs[0]
    if x.dtype not in FLOAT | COMPLEX:
        return [None, None]
    def d_exponent():
        # d(x**y)/dy = x**y * log(x), taken as 0 where log(x) is undefined (x <= 0, or x == 0
        # for complex x), as TensorFlow does.
        zeros = zeros_like(x)
        defined = not_equal(x, zeros) if x.dtype in COMPLEX else greater(x, zeros)
        safe_log = where_(defined, log(where_(defined, x, ones_like(x))), zeros)
        return dy * _conj(z * safe_log)

    return _binary_grads(op, lambda: dy * _conj(y * pow(x, y - 1)), d_exponent)


def _max_min_grad(pick_x):
    def grad(op, dy):
        x, y = op.inputs
        mask = pick_x(x, y)
        zeros = zeros_like(dy)
        return _binary_grads(op, where_(mask, dy, zeros), where_(mask, zeros, dy))
    return grad


def where_(cond, x, y):
    """Elementwise select, used by gradients (the public ``ag.where`` lives in array_ops)."""
    return dispatch.execute(_SELECT, (cond, x, y))


def _select_infer(c: Spec, x: Spec, y: Spec) -> Spec:
    from runtime import shapes
    shape = shapes.broadcast(shapes.broadcast(c.shape, x.shape) or (), y.shape)
    if c.dtype is not D.bool_:
        raise TypeError(f"Select: the condition must be a bool tensor, got {c.dtype.name}")
    if x.dtype is not y.dtype:
        from ops.errors import dtype_mismatch
        raise dtype_mismatch("Select", x.dtype, y.dtype)
    if shape is None or shapes.broadcast(c.shape, x.shape) is None:
        raise ValueError(f"Select: condition {shapes.fmt(c.shape)}, x {shapes.fmt(x.shape)} and "
                         f"y {shapes.fmt(y.shape)} are not broadcast-compatible")
    return Spec(x.dtype, shape)


def _select_grad(op, dy):
    c, x, y = op.inputs
    zeros = zeros_like(dy)
    return [None, unbroadcast(where_(c, dy, zeros), x), unbroadcast(where_(c, zeros, dy), y)]


_SELECT = defop("Select", lambda xp, c, x, y: xp.where(c, x, y), _select_infer, _select_grad,
                c_expr="({0} ? {1} : {2})")

# NumPy scalar types: 0-d values are kept as NumPy scalars, and for those Python's operators
# use NumPy's scalar math, about 20x faster than calling a ufunc (same dtype rules).
_NP_SCALARS = frozenset(t for t in np.sctypeDict.values() if issubclass(t, np.generic))


def _filled_like(like, x, value):
    """``like(x)`` (zeros_like, ones_like); a NumPy scalar stays a scalar, as the scalar
    kernels keep it (``np.ones_like`` of one costs a microsecond: every gradient's seed)."""
    if x.__class__ in _NP_SCALARS:
        return x.__class__(value)
    return like(x)


def _scalar_fast(ufunc, pyop):
    """A binary kernel: Python's operator for NumPy scalars, the ufunc for arrays."""
    name = ufunc.__name__

    def kernel(xp, x, y):
        if x.__class__ in _NP_SCALARS:
            return pyop(x, y)
        return ufunc(x, y) if xp is np else getattr(xp, name)(x, y)
    return kernel


def _add_kernel(xp, x, y):
    # Called directly (no lambda) on the hottest path: ``a + b``.
    if x.__class__ in _NP_SCALARS:
        return x + y
    out = xp.add(x, y)
    if out.__class__ is bytes:  # adding 0-d string arrays gives bare bytes
        out = np.asarray(out, dtype=object)
    return out


_BINARY = [
    ("Add", _add_kernel, NUMERIC | STRING,
     lambda op, dy: _binary_grads(op, dy, dy), "({0} + {1})", None),
    ("Sub", _scalar_fast(np.subtract, operator.sub), NUMERIC,
     lambda op, dy: _binary_grads(op, dy, lambda: -dy), "({0} - {1})", None),
    ("Mul", _scalar_fast(np.multiply, operator.mul), NUMERIC,
     lambda op, dy: _binary_grads(op, lambda: dy * _conj(op.inputs[1]),
                                  lambda: dy * _conj(op.inputs[0])),
     "({0} * {1})", None),
    ("RealDiv", _scalar_fast(np.divide, operator.truediv), FLOAT | COMPLEX,
     lambda op, dy: _binary_grads(op, lambda: dy / _conj(op.inputs[1]),
                                  lambda: -dy * _conj(op.outputs[0] / op.inputs[1])),
     "({0} / {1})", None),
    ("FloorDiv", lambda xp, x, y: _int_checked(xp, xp.floor_divide, x, y, "FloorDiv"), REAL,
     NOT_DIFFERENTIABLE, "floordiv_floor({0}, {1})", None),
    ("FloorMod", lambda xp, x, y: _int_checked(xp, xp.mod, x, y, "FloorMod"), REAL,
     lambda op, dy: _binary_grads(op, dy, lambda: -dy * floordiv(op.inputs[0], op.inputs[1])),
     "fmod_floor({0}, {1})", None),
    ("Pow", lambda xp, x, y: _pow_kernel(xp, x, y), NUMERIC, _pow_grad, "pow({0}, {1})", None),
    ("Maximum", lambda xp, x, y: xp.maximum(x, y), REAL,
     _max_min_grad(lambda x, y: greater_equal(x, y)),
     "(({0} >= {1} || {0} != {0}) ? {0} : {1})", None),
    ("Minimum", lambda xp, x, y: xp.minimum(x, y), REAL,
     _max_min_grad(lambda x, y: less_equal(x, y)),
     "(({0} <= {1} || {0} != {0}) ? {0} : {1})", None),
    ("SquaredDifference", lambda xp, x, y: xp.square(xp.subtract(x, y)), REAL | COMPLEX,
     lambda op, dy: _binary_grads(op, dy * 2 * (op.inputs[0] - op.inputs[1]),
                                  dy * -2 * (op.inputs[0] - op.inputs[1])),
     "(({0} - {1}) * ({0} - {1}))", None),
    ("Atan2", lambda xp, x, y: xp.arctan2(x, y), FLOAT,
     lambda op, dy: _binary_grads(
         op, dy * op.inputs[1] / (square(op.inputs[0]) + square(op.inputs[1])),
         -dy * op.inputs[0] / (square(op.inputs[0]) + square(op.inputs[1]))),
     "atan2({0}, {1})", None),
    ("DivNoNan", lambda xp, x, y: xp.where(y == 0, xp.zeros_like(x), x / xp.where(y == 0, 1, y)),
     FLOAT, lambda op, dy: _binary_grads(
         op, divide_no_nan(dy, op.inputs[1]),
         -dy * divide_no_nan(op.outputs[0], op.inputs[1])),
     "({1} == 0 ? 0 : {0} / {1})", None),
    ("Equal", _scalar_fast(np.equal, operator.eq), ALL, NOT_DIFFERENTIABLE, "({0} == {1})", D.bool_),
    ("NotEqual", _scalar_fast(np.not_equal, operator.ne), ALL, NOT_DIFFERENTIABLE, "({0} != {1})",
     D.bool_),
    ("Less", _scalar_fast(np.less, operator.lt), REAL, NOT_DIFFERENTIABLE, "({0} < {1})", D.bool_),
    ("LessEqual", _scalar_fast(np.less_equal, operator.le), REAL, NOT_DIFFERENTIABLE,
     "({0} <= {1})", D.bool_),
    ("Greater", _scalar_fast(np.greater, operator.gt), REAL, NOT_DIFFERENTIABLE, "({0} > {1})",
     D.bool_),
    ("GreaterEqual", _scalar_fast(np.greater_equal, operator.ge), REAL, NOT_DIFFERENTIABLE,
     "({0} >= {1})", D.bool_),
    ("LogicalAnd", _scalar_fast(np.logical_and, operator.and_), BOOL, NOT_DIFFERENTIABLE,
     "({0} && {1})", None),
    ("LogicalOr", _scalar_fast(np.logical_or, operator.or_), BOOL, NOT_DIFFERENTIABLE,
     "({0} || {1})", None),
    ("LogicalXor", _scalar_fast(np.logical_xor, operator.xor), BOOL, NOT_DIFFERENTIABLE,
     "({0} != {1})", None),
    ("BitwiseAnd", lambda xp, x, y: xp.bitwise_and(x, y), INT, NOT_DIFFERENTIABLE,
     "({0} & {1})", None),
    ("BitwiseOr", lambda xp, x, y: xp.bitwise_or(x, y), INT, NOT_DIFFERENTIABLE,
     "({0} | {1})", None),
    ("BitwiseXor", lambda xp, x, y: xp.bitwise_xor(x, y), INT, NOT_DIFFERENTIABLE,
     "({0} ^ {1})", None),
]


def _pow_kernel(xp, x, y):
    if y.dtype.kind == "i" and (y < 0).any():
        from ops.errors import InvalidArgumentError
        raise InvalidArgumentError("Pow: integers to negative integer powers are not allowed; "
                                   "cast the base to a float dtype first", "Pow")
    return xp.power(x, y)


def _int_checked(xp, fn, x, y, name):
    """Integer division by zero is an error in TensorFlow, not NumPy's silent 0."""
    if x.dtype.kind in "iu" and not xp.all(y):
        from ops.errors import InvalidArgumentError
        raise InvalidArgumentError(f"{name}: integer division by zero", name)
    return fn(x, y)


# ---- declare everything in the tables ---------------------------------------------------

OPS = {}
_WRAPPERS = {}
for _name, _kernel, _allowed, _grad, _c in _UNARY:
    OPS[_name], _WRAPPERS[_name] = unary_op(_name, _kernel, _allowed, _grad, _c)
for _name, _kernel, _c in _PREDICATES:
    OPS[_name], _WRAPPERS[_name] = unary_op(_name, _kernel, FLOAT, c_expr=_c, out_dtype=D.bool_)
for _name, _kernel, _allowed, _grad, _c, _out in _BINARY:
    OPS[_name], _WRAPPERS[_name] = binary_op(_name, _kernel, _allowed, _grad, _c, _out)

negative = _WRAPPERS["Neg"]
abs = _WRAPPERS["Abs"]  # noqa: A001  (TensorFlow's name)
sign = _WRAPPERS["Sign"]
square = _WRAPPERS["Square"]
sqrt = _WRAPPERS["Sqrt"]
rsqrt = _WRAPPERS["Rsqrt"]
exp = _WRAPPERS["Exp"]
expm1 = _WRAPPERS["Expm1"]
log = _WRAPPERS["Log"]
log1p = _WRAPPERS["Log1p"]
sin = _WRAPPERS["Sin"]
cos = _WRAPPERS["Cos"]
tan = _WRAPPERS["Tan"]
asin = _WRAPPERS["Asin"]
acos = _WRAPPERS["Acos"]
atan = _WRAPPERS["Atan"]
sinh = _WRAPPERS["Sinh"]
cosh = _WRAPPERS["Cosh"]
tanh = _WRAPPERS["Tanh"]
asinh = _WRAPPERS["Asinh"]
acosh = _WRAPPERS["Acosh"]
atanh = _WRAPPERS["Atanh"]
sigmoid = _WRAPPERS["Sigmoid"]
erf = _WRAPPERS["Erf"]
round = _WRAPPERS["Round"]  # noqa: A001
floor = _WRAPPERS["Floor"]
ceil = _WRAPPERS["Ceil"]
reciprocal = _WRAPPERS["Reciprocal"]
logical_not = _WRAPPERS["LogicalNot"]
identity = _WRAPPERS["Identity"]
stop_gradient = _WRAPPERS["StopGradient"]
is_nan = _WRAPPERS["IsNan"]
is_inf = _WRAPPERS["IsInf"]
is_finite = _WRAPPERS["IsFinite"]
add = _WRAPPERS["Add"]
subtract = _WRAPPERS["Sub"]
multiply = _WRAPPERS["Mul"]
realdiv = _WRAPPERS["RealDiv"]
floordiv = _WRAPPERS["FloorDiv"]
floormod = _WRAPPERS["FloorMod"]
mod = floormod
_pow = _WRAPPERS["Pow"]


def pow(x, y, name=None) -> Tensor:  # noqa: A001  (TensorFlow's name)
    """``x ** y``. A Python exponent of 2 computes ``square(x)``: the same values with a
    cheaper gradient (NumPy's power makes the same shortcut)."""
    if (y.__class__ is int or y.__class__ is float) and y == 2:
        return square(x)
    return _pow(x, y)
maximum = _WRAPPERS["Maximum"]
minimum = _WRAPPERS["Minimum"]
squared_difference = _WRAPPERS["SquaredDifference"]
atan2 = _WRAPPERS["Atan2"]
divide_no_nan = _WRAPPERS["DivNoNan"]
equal = _WRAPPERS["Equal"]
not_equal = _WRAPPERS["NotEqual"]
less = _WRAPPERS["Less"]
less_equal = _WRAPPERS["LessEqual"]
greater = _WRAPPERS["Greater"]
greater_equal = _WRAPPERS["GreaterEqual"]
logical_and = _WRAPPERS["LogicalAnd"]
logical_or = _WRAPPERS["LogicalOr"]
logical_xor = _WRAPPERS["LogicalXor"]
bitwise_and = _WRAPPERS["BitwiseAnd"]
bitwise_or = _WRAPPERS["BitwiseOr"]
bitwise_xor = _WRAPPERS["BitwiseXor"]
_ZerosLike = _WRAPPERS["ZerosLike"]
_OnesLike = _WRAPPERS["OnesLike"]
_invert_int = _WRAPPERS["Invert"]
_conj_complex = _WRAPPERS["Conj"]

_REAL, _real = unary_op("Real", lambda xp, x: xp.real(x), COMPLEX,
                        lambda op, dy: [cast(dy, op.inputs[0].dtype)], "creal({0})",
                        infer=lambda x: Spec(x.dtype.real_dtype, x.shape))
_IMAG, _imag = unary_op("Imag", lambda xp, x: xp.imag(x), COMPLEX,
                        lambda op, dy: [cast(dy, op.inputs[0].dtype) * 1j], "cimag({0})",
                        infer=lambda x: Spec(x.dtype.real_dtype, x.shape))


def real(input, name=None) -> Tensor:  # noqa: A002  (TensorFlow's name)
    """The real part of a complex tensor; real tensors are returned unchanged."""
    x = convert_for_op(input, "Real")
    return _real(x) if x.dtype in COMPLEX else x


def imag(input, name=None) -> Tensor:  # noqa: A002
    """The imaginary part of a complex tensor (zeros for real tensors)."""
    x = convert_for_op(input, "Imag")
    return _imag(x) if x.dtype in COMPLEX else zeros_like(x)


def conj(x, name=None) -> Tensor:
    """Complex conjugate; real tensors are returned unchanged (as ``tf.math.conj``)."""
    x = convert_for_op(x, "Conj")
    return _conj_complex(x) if x.dtype in COMPLEX else x


def zeros_like(input, dtype=None, name=None) -> Tensor:  # noqa: A002  (TensorFlow's name)
    t = _ZerosLike(input)
    return t if dtype is None else cast(t, dtype)


def ones_like(input, dtype=None, name=None) -> Tensor:  # noqa: A002
    t = _OnesLike(input)
    return t if dtype is None else cast(t, dtype)


def invert(x, name=None) -> Tensor:
    """``~x``: logical not for bool tensors, bitwise not for integers (as TensorFlow)."""
    x = convert_for_op(x, "Invert")
    return logical_not(x) if x.dtype is D.bool_ else _invert_int(x)


# Integer true division computes in floating point (TensorFlow's rule): int8/16 -> float32,
# int32/64 -> float64.
_TRUEDIV_FLOAT = {D.int8: D.float32, D.uint8: D.float32, D.int16: D.float32,
                  D.uint16: D.float32, D.int32: D.float64, D.uint32: D.float64,
                  D.int64: D.float64, D.uint64: D.float64}


def divide(x, y, name=None) -> Tensor:
    """``x / y``; integer tensors are divided in floating point, as in TensorFlow."""
    if type(x) is Tensor and type(y) is Tensor and x.dtype is y.dtype and x.dtype in FLOAT:
        return realdiv(x, y)
    # A variable decides the dtype as a tensor would (``2 / v`` is float when v is).
    x = x._read_for_op() if hasattr(x, "_read_for_op") else x
    y = y._read_for_op() if hasattr(y, "_read_for_op") else y
    if not isinstance(x, Tensor) and not isinstance(y, Tensor):
        x = convert_for_op(x, "truediv")  # Python data on both sides: x sets the dtype
    x, y = dispatch.tensors([x, y], "truediv")
    to = _TRUEDIV_FLOAT.get(x.dtype)
    if to is not None:
        x, y = cast(x, to), cast(y, to)
    return realdiv(x, y)


truediv = divide


# ---- cast, and the two shape-matching ops that gradients of broadcasting use ------------

def _cast_grad(op, dy):
    src = op.inputs[0].dtype
    if src in FLOAT | COMPLEX and dy.dtype in FLOAT | COMPLEX:
        return [cast(dy, src)]
    return [None]


def _cast_kernel(xp, x, dtype):
    if dtype.kind == "O":
        raise TypeError("Cast: casting to string is not supported; use ag.strings.as_string")
    if x.dtype.kind == "O":
        raise TypeError("Cast: casting a string tensor to a number is not supported; use "
                        "ag.strings.to_number")
    if x.dtype.kind == "c" and dtype.kind != "c":
        x = xp.real(x)  # TensorFlow keeps the real part
    return x.astype(dtype.np)[()] if x.dtype != dtype.np else x


_CAST = defop("Cast", _cast_kernel, lambda x, dtype: Spec(dtype, x.shape), _cast_grad)


def cast(x, dtype, name=None) -> Tensor:
    """Convert ``x`` to ``dtype`` (floats truncate toward zero when cast to ints, as in TF)."""
    x = convert_for_op(x, "Cast")
    dtype = D.as_dtype(dtype)
    if x.dtype is dtype:
        return x
    return dispatch.execute(_CAST, (x,), {"dtype": dtype})


def _sum_like_kernel(xp, g, like):
    if g.shape == like.shape:
        return g
    lead = g.ndim - like.ndim
    axes = tuple(range(lead)) + tuple(
        i + lead for i, d in enumerate(like.shape) if d == 1 and g.shape[i + lead] != 1)
    return xp.sum(g, axis=axes, dtype=g.dtype).reshape(like.shape)


def _like_infer(x: Spec, like: Spec) -> Spec:
    return Spec(x.dtype, like.shape)


_SUM_LIKE = defop("SumLike", _sum_like_kernel, _like_infer,
                  lambda op, dy: [broadcast_like(dy, op.inputs[0]), None])
_BROADCAST_LIKE = defop("BroadcastLike", lambda xp, x, like: xp.broadcast_to(x, like.shape),
                        _like_infer, lambda op, dy: [sum_like(dy, op.inputs[0]), None])


def sum_like(g, like) -> Tensor:
    """Sum ``g`` over the axes that broadcasting added to ``like``'s shape."""
    return dispatch.execute(_SUM_LIKE, (g, like))


def broadcast_like(x, like) -> Tensor:
    """Broadcast ``x`` to ``like``'s shape."""
    return dispatch.execute(_BROADCAST_LIKE, (x, like))
