"""``ag.nn``: activations, softmax, losses on logits, convolution, pooling, dropout, moments.

Elementwise activations are table rows like ``ops.elementwise`` (kernel, dtypes, gradient, C
expression for fusion). Convolution runs as im2col + one matrix product; its gradients are
the ops ``Conv2DBackpropInput`` / ``Conv2DBackpropFilter``, whose own gradients are convolutions
again, so every order of derivative stays in ops. Pooling works the same way (max pooling routes
gradients to the first maximum of each window). Every gradient is written with public ops.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from runtime import shapes
from runtime import dtypes as D
from runtime.registry import Spec
from ops import dispatch
from ops.creation import checked
from ops.declare import FLOAT, INT, REAL, SIGNED, binary_op, defop, unary_op
from ops.elementwise import (_erf_kernel, _sigmoid_kernel, abs, cast, erf, exp, greater,
                             greater_equal, less, logical_and, maximum, rsqrt, sigmoid, square,
                             tanh, where_, zeros_like)
from ops.errors import InvalidArgumentError, dtype_mismatch
from ops.tensor import Tensor, convert_like, convert_to_tensor

__all__ = [
    "relu", "relu6", "elu", "selu", "gelu", "leaky_relu", "softplus", "softsign", "silu",
    "swish", "softmax", "log_softmax", "sigmoid_cross_entropy_with_logits",
    "softmax_cross_entropy_with_logits", "sparse_softmax_cross_entropy_with_logits",
    "l2_normalize", "l2_loss", "bias_add", "conv2d", "max_pool2d", "avg_pool2d", "max_pool",
    "avg_pool", "dropout", "moments", "batch_normalization",
]

_SELU_ALPHA = 1.6732632423543772
_SELU_SCALE = 1.0507009873554805
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_INV_SQRT2 = 1 / math.sqrt(2)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_GELU_CUBIC = 0.044715


def _run(op, inputs, attrs):
    return dispatch.execute(op, inputs, attrs)


# ---- elementwise activations --------------------------------------------------------------

_x = lambda op: op.inputs[0]   # noqa: E731  (readability of the table below)
_y = lambda op: op.outputs[0]  # noqa: E731


def _positive(t: Tensor) -> Tensor:
    return greater(t, 0)


def _gelu_tanh_grad(op, dy):
    x = _x(op)
    t = tanh(_SQRT_2_OVER_PI * (x + _GELU_CUBIC * x * x * x))
    inner = _SQRT_2_OVER_PI * (1 + 3 * _GELU_CUBIC * square(x))
    return [dy * (0.5 * (1 + t) + 0.5 * x * (1 - square(t)) * inner)]


def _gelu_tanh_kernel(xp, x):
    return 0.5 * x * (1 + xp.tanh(_SQRT_2_OVER_PI * (x + _GELU_CUBIC * x * x * x)))


def _silu_grad(op, dy):
    s = sigmoid(_x(op))
    return [dy * s * (1 + _x(op) * (1 - s))]


def _relu_grad_grad(op, ddx):
    # ReluGrad(dy, y) = dy * (y > 0): linear in dy, piecewise constant in y
    return [_RELU_GRAD(ddx, op.inputs[1]), None]


# ``dy * (y > 0)`` in one op (TensorFlow's ReluGrad computes it the same way: an infinite dy
# where y <= 0 gives NaN), instead of Greater, ZerosLike and Select
_RELU_GRAD_OP, _RELU_GRAD = binary_op("ReluGrad", lambda xp, dy, y: dy * (y > 0), REAL & SIGNED,
                                      _relu_grad_grad, "({0} * ({1} > 0))")


# name, kernel, dtypes, grad(op, dy) -> [dx], C expression ({0} is the operand)
_ACTIVATIONS = [
    ("Relu", lambda xp, x: xp.maximum(x, 0), REAL & SIGNED,
     lambda op, dy: [_RELU_GRAD(dy, _y(op))],
     "(({0} > 0 || {0} != {0}) ? {0} : 0)"),   # NaN stays NaN, as NumPy's maximum
    ("Relu6", lambda xp, x: xp.minimum(xp.maximum(x, 0), 6), REAL & SIGNED,
     lambda op, dy: [where_(logical_and(_positive(_x(op)), less(_x(op), 6)), dy,
                            zeros_like(dy))],
     "({0} > 6 ? 6 : (({0} > 0 || {0} != {0}) ? {0} : 0))"),
    ("Elu", lambda xp, x: xp.where(x > 0, x, xp.expm1(x)), FLOAT,
     lambda op, dy: [where_(_positive(_x(op)), dy, dy * (_y(op) + 1))],
     "({0} > 0 ? {0} : expm1({0}))"),
    ("Selu", lambda xp, x: _SELU_SCALE * xp.where(x > 0, x, _SELU_ALPHA * xp.expm1(x)), FLOAT,
     lambda op, dy: [where_(_positive(_x(op)), dy * _SELU_SCALE,
                            dy * (_y(op) + _SELU_SCALE * _SELU_ALPHA))],
     f"({{0}} > 0 ? {_SELU_SCALE!r} * {{0}} : {_SELU_SCALE * _SELU_ALPHA!r} * expm1({{0}}))"),
    ("Softplus", lambda xp, x: xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x))), FLOAT,
     lambda op, dy: [dy * sigmoid(_x(op))], "(fmax({0}, 0) + log1p(exp(-fabs({0}))))"),
    ("Softsign", lambda xp, x: x / (1 + xp.abs(x)), FLOAT,
     lambda op, dy: [dy / square(1 + abs(_x(op)))], "({0} / (1 + fabs({0})))"),
    ("Silu", lambda xp, x: x * _sigmoid_kernel(xp, x), FLOAT, _silu_grad,
     "({0} / (1 + exp(-{0})))"),
    ("Gelu", lambda xp, x: 0.5 * x * (1 + _erf_kernel(xp, x * _INV_SQRT2)), FLOAT,
     lambda op, dy: [dy * (0.5 * (1 + erf(_x(op) * _INV_SQRT2))
                           + _x(op) * exp(-0.5 * square(_x(op))) * _INV_SQRT_2PI)],
     f"(0.5 * {{0}} * (1 + erf({{0}} * {_INV_SQRT2!r})))"),
    ("GeluTanh", _gelu_tanh_kernel, FLOAT, _gelu_tanh_grad,
     f"(0.5 * {{0}} * (1 + tanh({_SQRT_2_OVER_PI!r} * ({{0}} + {_GELU_CUBIC!r} * {{0}} * {{0}}"
     " * {0}))))"),
]

OPS = {}
for _name, _kernel, _allowed, _grad, _c in _ACTIVATIONS:
    OPS[_name] = unary_op(_name, _kernel, _allowed, _grad, _c)[0]
_ALLOWED = {name: allowed for name, _, allowed, _, _ in _ACTIVATIONS}


def _activation(op_name: str, public: str, doc: str):
    op, allowed = OPS[op_name], _ALLOWED[op_name]

    def activation(features, name=None) -> Tensor:
        return dispatch.unary(op, allowed, features)

    activation.__name__ = activation.__qualname__ = public
    activation.__doc__ = doc
    return activation


relu = _activation("Relu", "relu", "``max(features, 0)``.")
relu6 = _activation("Relu6", "relu6", "``min(max(features, 0), 6)``.")
elu = _activation("Elu", "elu", "``features`` if positive, else ``exp(features) - 1``.")
selu = _activation("Selu", "selu", "ELU scaled by the self-normalising constants.")
softplus = _activation("Softplus", "softplus", "``log(1 + exp(features))`` without overflow.")
softsign = _activation("Softsign", "softsign", "``features / (1 + |features|)``.")
_silu = _activation("Silu", "silu", "")
_gelu_exact = _activation("Gelu", "gelu_exact", "")
_gelu_tanh = _activation("GeluTanh", "gelu_tanh", "")


def gelu(features, approximate: bool = False, name=None) -> Tensor:
    """Gaussian error linear unit: ``x * Phi(x)`` exactly (erf), or its tanh approximation."""
    return _gelu_tanh(features) if approximate else _gelu_exact(features)


def silu(features, beta=1.0, name=None) -> Tensor:
    """``features * sigmoid(beta * features)`` (also called swish)."""
    if isinstance(beta, numbers.Real) and beta == 1.0:
        return _silu(features)
    features = convert_to_tensor(features)
    return features * sigmoid(beta * features)


swish = silu


def _leaky_relu_infer(x: Spec, alpha) -> Spec:
    return x


_LEAKY_RELU = defop(
    "LeakyRelu", lambda xp, x, alpha: xp.where(x > 0, x, x * alpha), _leaky_relu_infer,
    lambda op, dy: [where_(_positive(_x(op)), dy, dy * op.attrs["alpha"])])


def leaky_relu(features, alpha=0.2, name=None) -> Tensor:
    """``features`` if positive, else ``alpha * features``; integer input is cast to float32."""
    features = convert_to_tensor(features)
    if features.dtype in INT:
        features = cast(features, D.float32)
    if features.dtype not in FLOAT:
        raise TypeError(f"LeakyRelu does not accept {features.dtype.name} tensors")
    return dispatch.execute(_LEAKY_RELU, (features,), {"alpha": float(alpha)})


# ---- softmax and log-softmax --------------------------------------------------------------

def _reduce_sum(x, axis, keepdims=True):
    from ops import reductions
    return reductions.reduce_sum(x, axis=axis, keepdims=keepdims)


def _shifted(xp, x, axis):
    """``x - max(x)`` along ``axis``: the exponent of a stable softmax."""
    if x.shape[axis] == 0:
        return x
    return x - xp.max(x, axis=axis, keepdims=True)


def _softmax_kernel(xp, x, axis):
    e = xp.exp(_shifted(xp, x, axis))
    return e / xp.sum(e, axis=axis, keepdims=True)


def _log_softmax_kernel(xp, x, axis):
    z = _shifted(xp, x, axis)
    return z - xp.log(xp.sum(xp.exp(z), axis=axis, keepdims=True))


def _softmax_infer(name: str):
    def infer(x: Spec, axis) -> Spec:
        if x.dtype not in FLOAT:
            raise TypeError(f"{name}: logits must be float, got {x.dtype.name}")
        if not x.shape:
            raise ValueError(f"{name}: logits must have rank >= 1, got a scalar")
        shapes.normalize_axis(axis, len(x.shape), name)
        return x
    return infer


def _softmax_grad(op, dy):
    y = _y(op)
    return [y * (dy - _reduce_sum(dy * y, op.attrs["axis"]))]


def _log_softmax_grad(op, dy):
    return [dy - exp(_y(op)) * _reduce_sum(dy, op.attrs["axis"])]


_SOFTMAX = defop("Softmax", _softmax_kernel, _softmax_infer("Softmax"), _softmax_grad)
_LOG_SOFTMAX = defop("LogSoftmax", _log_softmax_kernel, _softmax_infer("LogSoftmax"),
                     _log_softmax_grad)


def softmax(logits, axis=None, name=None) -> Tensor:
    """``exp(logits) / sum(exp(logits))`` along ``axis`` (default last), computed stably."""
    axis = -1 if axis is None else int(axis)
    return checked(_SOFTMAX, (convert_to_tensor(logits),), {"axis": axis})


def log_softmax(logits, axis=None, name=None) -> Tensor:
    """``logits - log(sum(exp(logits)))`` along ``axis`` (default last), computed stably."""
    axis = -1 if axis is None else int(axis)
    return checked(_LOG_SOFTMAX, (convert_to_tensor(logits),), {"axis": axis})


# ---- cross-entropy losses on logits -------------------------------------------------------

def _same_shape(name: str, labels: Spec, logits: Spec) -> tuple:
    """Labels and logits must match in dtype and shape (unknown dims match anything)."""
    if labels.dtype is not logits.dtype:
        raise dtype_mismatch(name, labels.dtype, logits.dtype)
    if logits.dtype not in FLOAT:
        raise TypeError(f"{name}: logits must be float, got {logits.dtype.name}")
    if len(labels.shape) != len(logits.shape) or not all(
            a is None or b is None or a == b for a, b in zip(labels.shape, logits.shape)):
        raise ValueError(f"{name}: labels and logits must have the same shape, got "
                         f"{shapes.fmt(labels.shape)} and {shapes.fmt(logits.shape)}")
    return tuple(a if a is not None else b for a, b in zip(labels.shape, logits.shape))


def _sigmoid_ce_kernel(xp, z, x):
    return xp.maximum(x, 0) - x * z + xp.log1p(xp.exp(-xp.abs(x)))


def _sigmoid_ce_infer(labels: Spec, logits: Spec) -> Spec:
    return Spec(logits.dtype, _same_shape("SigmoidCrossEntropyWithLogits", labels, logits))


def _sigmoid_ce_grad(op, dy):
    z, x = op.inputs
    return [-dy * x, dy * (sigmoid(x) - z)]


_SIGMOID_CE = defop("SigmoidCrossEntropyWithLogits", _sigmoid_ce_kernel, _sigmoid_ce_infer,
                    _sigmoid_ce_grad,
                    c_expr="(fmax({1}, 0) - {1} * {0} + log1p(exp(-fabs({1}))))")


def _labels_like(labels, logits: Tensor) -> Tensor:
    """Labels converted (and cast, as TensorFlow does) to the dtype of the logits."""
    labels = convert_to_tensor(labels, dtype_hint=logits.dtype)
    return labels if labels.dtype is logits.dtype else cast(labels, logits.dtype)


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None) -> Tensor:
    """Elementwise ``-z log(sigmoid(x)) - (1 - z) log(1 - sigmoid(x))`` for labels ``z`` and
    logits ``x``, as ``max(x, 0) - x z + log(1 + exp(-|x|))`` so it never overflows."""
    if labels is None or logits is None:
        raise ValueError("sigmoid_cross_entropy_with_logits needs both labels= and logits=")
    logits = convert_to_tensor(logits)
    return checked(_SIGMOID_CE, (_labels_like(labels, logits), logits))


def _softmax_ce_kernel(xp, z, x, axis):
    return -xp.sum(z * _log_softmax_kernel(xp, x, axis), axis=axis)


def _softmax_ce_infer(labels: Spec, logits: Spec, axis) -> Spec:
    shape = _same_shape("SoftmaxCrossEntropyWithLogits", labels, logits)
    if not shape:
        raise ValueError("SoftmaxCrossEntropyWithLogits: logits must have rank >= 1")
    axis = shapes.normalize_axis(axis, len(shape), "SoftmaxCrossEntropyWithLogits")
    return Spec(logits.dtype, shape[:axis] + shape[axis + 1:])


def _softmax_ce_grad(op, dy):
    from ops import array_ops
    z, x = op.inputs
    axis = op.attrs["axis"]  # kept as given, so CSE can share a softmax the user computed
    dy = array_ops.expand_dims(dy, axis % len(x.shape))
    # Exact for any labels; equals softmax(x) - z when each row of labels sums to one.
    d_logits = dy * (softmax(x, axis) * _reduce_sum(z, axis) - z)
    return [-dy * log_softmax(x, axis), d_logits]


_SOFTMAX_CE = defop("SoftmaxCrossEntropyWithLogits", _softmax_ce_kernel, _softmax_ce_infer,
                    _softmax_ce_grad)


def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None) -> Tensor:
    """``-sum(labels * log_softmax(logits), axis)``: one loss per example."""
    logits = convert_to_tensor(logits)
    return checked(_SOFTMAX_CE, (_labels_like(labels, logits), logits), {"axis": int(axis)})


def _sparse_ce_kernel(xp, labels, x):
    classes = x.shape[-1]
    if labels.size and (int(labels.min()) < 0 or int(labels.max()) >= classes):
        bad = labels[(labels < 0) | (labels >= classes)].reshape(-1)[0]
        raise InvalidArgumentError(
            f"received a label value of {int(bad)} which is outside the valid range of "
            f"[0, {classes})", "SparseSoftmaxCrossEntropyWithLogits")
    if x.size == 0:
        return xp.zeros(labels.shape, x.dtype)
    picked = xp.take_along_axis(x, labels[..., None].astype(np.intp), axis=-1)[..., 0]
    top = xp.max(x, axis=-1, keepdims=True)
    lse = xp.log(xp.sum(xp.exp(x - top), axis=-1)) + top[..., 0]
    return (lse - picked).astype(x.dtype)


def _sparse_ce_infer(labels: Spec, logits: Spec) -> Spec:
    name = "SparseSoftmaxCrossEntropyWithLogits"
    if labels.dtype not in (D.int32, D.int64):
        raise TypeError(f"{name}: labels must be int32 or int64 class indices, got "
                        f"{labels.dtype.name} (use softmax_cross_entropy_with_logits for "
                        "one-hot or probability labels)")
    if logits.dtype not in FLOAT:
        raise TypeError(f"{name}: logits must be float, got {logits.dtype.name}")
    ok = len(logits.shape) == len(labels.shape) + 1 and all(
        a is None or b is None or a == b for a, b in zip(labels.shape, logits.shape))
    if not ok:
        raise ValueError(f"{name}: labels {shapes.fmt(labels.shape)} must have the shape of "
                         f"logits {shapes.fmt(logits.shape)} without its last (class) axis")
    return Spec(logits.dtype, tuple(a if a is not None else b
                                    for a, b in zip(labels.shape, logits.shape)))


def _sparse_ce_grad(op, dy):
    labels, x = op.inputs
    return [None, checked(_SPARSE_CE_GRAD, (labels, x, dy))]


def _sparse_ce_grad_kernel(xp, labels, x, dy):
    """``dy[..., None] * (softmax(x) - one_hot(labels))`` in one kernel (five ops otherwise);
    TensorFlow's op returns the same as its second output."""
    out = xp.exp(_shifted(xp, x, -1))
    out /= xp.sum(out, axis=-1, keepdims=True)
    index = labels[..., None].astype(np.intp)
    xp.put_along_axis(out, index, xp.take_along_axis(out, index, axis=-1) - 1, axis=-1)
    out *= dy[..., None]
    return out.astype(x.dtype, copy=False)


def _sparse_ce_grad_grad(op, ct):
    """Second derivatives, composed of ops: ``G = dy * (s - hot)`` with ``s = softmax(x)``
    gives ``dG/ddy = sum(ct * (s - hot))`` and ``dG/dx = s * (u - sum(u * s))``, ``u = ct * dy``."""
    from ops import array_ops
    labels, x, dy = op.inputs
    s = softmax(x)
    depth = x.shape[-1] if x.shape[-1] is not None else array_ops.shape(x)[-1]
    hot = array_ops.one_hot(labels, depth, dtype=x.dtype)
    d_dy = _reduce_sum(ct * (s - hot), -1, keepdims=False)
    u = ct * array_ops.expand_dims(dy, -1)
    d_x = s * (u - _reduce_sum(u * s, -1, keepdims=True))
    return [None, d_x, d_dy]


_SPARSE_CE_GRAD = defop("SparseSoftmaxCrossEntropyGrad", _sparse_ce_grad_kernel,
                        lambda labels, x, dy: Spec(x.dtype, x.shape), _sparse_ce_grad_grad)


_SPARSE_CE = defop("SparseSoftmaxCrossEntropyWithLogits", _sparse_ce_kernel, _sparse_ce_infer,
                   _sparse_ce_grad)


def sparse_softmax_cross_entropy_with_logits(labels, logits, name=None) -> Tensor:
    """Softmax cross-entropy with integer class ``labels`` (shape of logits minus its last axis)."""
    return checked(_SPARSE_CE, (convert_to_tensor(labels), convert_to_tensor(logits)))


# ---- normalisation helpers (composites of public ops) -------------------------------------

def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None) -> Tensor:
    """``x / sqrt(max(sum(x**2, axis), epsilon))``."""
    x = convert_to_tensor(x)
    axis = dim if axis is None else axis
    return x * rsqrt(maximum(_reduce_sum(square(x), axis), epsilon))


def l2_loss(t, name=None) -> Tensor:
    """``sum(t ** 2) / 2``, the weight-decay penalty."""
    t = convert_to_tensor(t)
    return _reduce_sum(square(t), None, keepdims=False) * 0.5


def moments(x, axes, shift=None, keepdims=False, name=None) -> tuple:
    """``(mean, variance)`` of ``x`` over ``axes``."""
    from ops import array_ops, reductions
    from ops.elementwise import squared_difference, stop_gradient
    x = convert_to_tensor(x)
    axes = [int(a) for a in (axes if isinstance(axes, (list, tuple)) else [axes])]
    mean = reductions.reduce_mean(x, axis=axes, keepdims=True)
    variance = reductions.reduce_mean(squared_difference(x, stop_gradient(mean)), axis=axes,
                                      keepdims=True)
    if not keepdims:
        mean = array_ops.squeeze(mean, axes)
        variance = array_ops.squeeze(variance, axes)
    return mean, variance


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon,
                        name=None) -> Tensor:
    """``(x - mean) / sqrt(variance + eps) * scale + offset`` (offset, scale may be None)."""
    x = convert_to_tensor(x)
    mean, variance = _like(mean, x), _like(variance, x)
    inv = rsqrt(variance + variance_epsilon)
    if scale is not None:
        inv = inv * _like(scale, x)
    shift = -mean * inv if offset is None else _like(offset, x) - mean * inv
    return x * inv + shift


def _like(value, x: Tensor) -> Tensor:
    return convert_like(value, x.dtype, "batch_normalization")


# ---- bias_add -----------------------------------------------------------------------------

def _channel_axis(rank: int, channels_last: bool) -> int:
    return rank - 1 if channels_last else 1


def _bias_add_kernel(xp, x, b, channels_last):
    if channels_last:
        return x + b
    return x + b.reshape((-1,) + (1,) * (x.ndim - 2))


def _bias_add_infer(x: Spec, b: Spec, channels_last) -> Spec:
    if x.dtype is not b.dtype:
        raise dtype_mismatch("BiasAdd", x.dtype, b.dtype)
    if len(b.shape) != 1 or len(x.shape) < 2:
        raise ValueError(f"BiasAdd: bias must be 1-D and value at least 2-D, got value "
                         f"{shapes.fmt(x.shape)} and bias {shapes.fmt(b.shape)}")
    c = x.shape[_channel_axis(len(x.shape), channels_last)]
    if c is not None and b.shape[0] is not None and c != b.shape[0]:
        raise ValueError(f"BiasAdd: bias of length {b.shape[0]} does not match the {c} "
                         f"channels of value {shapes.fmt(x.shape)}")
    return x


def _bias_add_grad(op, dy):
    rank = len(op.inputs[0].shape)
    keep = _channel_axis(rank, op.attrs["channels_last"])
    return [dy, _reduce_sum(dy, [a for a in range(rank) if a != keep], keepdims=False)]


_BIAS_ADD = defop("BiasAdd", _bias_add_kernel, _bias_add_infer, _bias_add_grad)


def bias_add(value, bias, data_format=None, name=None) -> Tensor:
    """Add the 1-D ``bias`` along the channel axis (last for "N...C", 1 for "NC...")."""
    value, bias = dispatch.tensors([value, bias], "BiasAdd")
    channels_last = data_format is None or not str(data_format).startswith("NC")
    return checked(_BIAS_ADD, (value, bias), {"channels_last": channels_last})


# ---- convolution and pooling geometry -----------------------------------------------------

def _out_size(op, size, k, stride, dilation, padding, axis):
    """``(out, pad_before, pad_after)`` along one spatial axis (``None`` where unknown)."""
    if padding == "SAME":
        if size is None:
            return None, None, None
        out = -(-size // stride)
        if k is None:
            return out, None, None
        total = max((out - 1) * stride + (k - 1) * dilation + 1 - size, 0)
        return out, total // 2, total - total // 2
    before, after = (0, 0) if padding == "VALID" else padding[axis]
    if size is None or k is None:
        return None, before, after
    span = size + before + after - ((k - 1) * dilation + 1)
    if span < 0:
        raise ValueError(f"{op}: the window ({k} with dilation {dilation}) is larger than the "
                         f"padded input ({size} + {before + after}) on spatial axis {axis}")
    return span // stride + 1, before, after


def _geometry(op, hw, khw, strides, padding, dilations):
    return [_out_size(op, hw[a], khw[a], strides[a], dilations[a], padding, a) for a in (0, 1)]


def _pad(xp, x, geo, value):
    (_, pt, pb), (_, pl, pr) = geo
    if not (pt or pb or pl or pr):
        return x
    return xp.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=value)


def _windows(khw, strides, dilations, geo):
    """Slices of the padded input seen by each window offset (row-major over the window)."""
    (oh, _, _), (ow, _, _) = geo
    for i in range(khw[0]):
        rows = slice(i * dilations[0], i * dilations[0] + (oh - 1) * strides[0] + 1, strides[0])
        for j in range(khw[1]):
            cols = slice(j * dilations[1], j * dilations[1] + (ow - 1) * strides[1] + 1,
                         strides[1])
            yield rows, cols


def _scatter_windows(xp, parts, like_shape, dtype, khw, strides, dilations, geo):
    """Adjoint of taking windows: add ``parts[k]`` back at window offset k, drop the padding."""
    (_, pt, pb), (_, pl, pr) = geo
    n, h, w, c = like_shape
    out = xp.zeros((n, h + pt + pb, w + pl + pr, c), dtype=dtype)
    for part, (rows, cols) in zip(parts, _windows(khw, strides, dilations, geo)):
        out[:, rows, cols, :] += part
    return xp.ascontiguousarray(out[:, pt:pt + h, pl:pl + w, :])


def _check_4d(op, *specs):
    for s in specs:
        if len(s.shape) != 4:
            raise ValueError(f"{op}: expected 4-D tensors (NHWC input, HWIO filters), got "
                             + " and ".join(shapes.fmt(t.shape) for t in specs))


# ---- Conv2D and its two backprop ops ------------------------------------------------------

def _im2col(xp, x, khw, strides, padding, dilations):
    """Patches of ``x`` as rows: ``[n * oh * ow, kh * kw * c]``, in HWIO filter order."""
    geo = _geometry("Conv2D", x.shape[1:3], khw, strides, padding, dilations)
    xpad = _pad(xp, x, geo, 0)
    cols = xp.stack([xpad[:, r, c, :] for r, c in _windows(khw, strides, dilations, geo)], 3)
    n, oh, ow = x.shape[0], geo[0][0], geo[1][0]
    return cols.reshape(n * oh * ow, khw[0] * khw[1] * x.shape[3]), geo


def _conv_kernel(xp, x, w, strides, padding, dilations):
    cols, geo = _im2col(xp, x, w.shape[:2], strides, padding, dilations)
    out = cols @ w.reshape(-1, w.shape[3])
    return out.reshape(x.shape[0], geo[0][0], geo[1][0], w.shape[3])


def _conv_input_kernel(xp, like, w, dy, strides, padding, dilations):
    kh, kw, ci, co = w.shape
    geo = _geometry("Conv2DBackpropInput", like.shape[1:3], (kh, kw), strides, padding,
                    dilations)
    cols = (dy.reshape(-1, co) @ w.reshape(-1, co).T).reshape(dy.shape[:3] + (kh * kw, ci))
    parts = [cols[:, :, :, k, :] for k in range(kh * kw)]
    return _scatter_windows(xp, parts, like.shape, dy.dtype, (kh, kw), strides, dilations, geo)


def _conv_filter_kernel(xp, x, like, dy, strides, padding, dilations):
    cols, _ = _im2col(xp, x, like.shape[:2], strides, padding, dilations)
    return (cols.T @ dy.reshape(-1, dy.shape[3])).reshape(like.shape)


def _conv_check(op, x: Spec, w: Spec):
    if x.dtype is not w.dtype:
        raise dtype_mismatch(op, x.dtype, w.dtype)
    if x.dtype not in FLOAT:
        raise TypeError(f"{op}: input and filters must be float, got {x.dtype.name}")
    _check_4d(op, x, w)
    if x.shape[3] is not None and w.shape[2] is not None and x.shape[3] != w.shape[2]:
        raise ValueError(f"{op}: input has {x.shape[3]} channels but the filters "
                         f"{shapes.fmt(w.shape)} expect {w.shape[2]} (filters are "
                         "[height, width, in_channels, out_channels])")


def _conv_infer(x: Spec, w: Spec, strides, padding, dilations) -> Spec:
    _conv_check("Conv2D", x, w)
    geo = _geometry("Conv2D", x.shape[1:3], w.shape[:2], strides, padding, dilations)
    return Spec(x.dtype, (x.shape[0], geo[0][0], geo[1][0], w.shape[3]))


def _conv_input_infer(like: Spec, w: Spec, dy: Spec, **attrs) -> Spec:
    _conv_check("Conv2DBackpropInput", like, w)
    return Spec(dy.dtype, like.shape)


def _conv_filter_infer(x: Spec, like: Spec, dy: Spec, **attrs) -> Spec:
    _conv_check("Conv2DBackpropFilter", x, like)
    return Spec(dy.dtype, like.shape)


def _conv_grad(op, dy):
    x, w = op.inputs
    return [_run(_CONV_INPUT, (x, w, dy), op.attrs), _run(_CONV_FILTER, (x, w, dy), op.attrs)]


def _conv_input_grad(op, h):
    # dx = B(w, g) is linear in w and g; <h, B(w, g)> = <conv(h, w), g>.
    _, w, g = op.inputs
    return [None, _run(_CONV_FILTER, (h, w, g), op.attrs), _run(_CONV, (h, w), op.attrs)]


def _conv_filter_grad(op, h):
    # dw = F(x, g) is linear in x and g; <h, F(x, g)> = <conv(x, h), g>.
    x, _, g = op.inputs
    return [_run(_CONV_INPUT, (x, h, g), op.attrs), None, _run(_CONV, (x, h), op.attrs)]




_CONV = defop("Conv2D", _conv_kernel, _conv_infer, _conv_grad)
_CONV_INPUT = defop("Conv2DBackpropInput", _conv_input_kernel, _conv_input_infer,
                    _conv_input_grad)
_CONV_FILTER = defop("Conv2DBackpropFilter", _conv_filter_kernel, _conv_filter_infer,
                     _conv_filter_grad)


def _pair(value, what: str, channels_last: bool) -> tuple:
    """TensorFlow's int / [n] / [h, w] / [1, h, w, 1] spatial argument as ``(h, w)``."""
    vals = [value] if isinstance(value, numbers.Integral) else list(value)
    if len(vals) == 4:
        outer = (vals[0], vals[3]) if channels_last else (vals[0], vals[1])
        if outer != (1, 1):
            raise ValueError(f"{what} must be 1 in the batch and channel dimensions, got {vals}")
        vals = vals[1:3] if channels_last else vals[2:4]
    if len(vals) == 1:
        vals = vals * 2
    if len(vals) != 2 or not all(isinstance(v, numbers.Integral) and v >= 1 for v in vals):
        raise ValueError(f"{what} must be a positive int or a list of 1, 2 or 4 positive ints, "
                         f"got {value!r}")
    return int(vals[0]), int(vals[1])


def _padding(padding, channels_last: bool, explicit_ok: bool = True):
    """``"SAME"``, ``"VALID"``, or explicit ``((top, bottom), (left, right))``."""
    if isinstance(padding, str):
        if padding.upper() in ("SAME", "VALID"):
            return padding.upper()
        pairs = []
    else:
        pairs = [tuple(int(v) for v in p) for p in padding] if explicit_ok else []
    if len(pairs) != 4 or any(len(p) != 2 or min(p) < 0 for p in pairs):
        raise ValueError("padding must be 'SAME', 'VALID'"
                         + (" or 4 pairs [[0, 0], [top, bottom], [left, right], [0, 0]]"
                            if explicit_ok else "") + f", got {padding!r}")
    outer = (pairs[0], pairs[3]) if channels_last else (pairs[0], pairs[1])
    if outer != ((0, 0), (0, 0)):
        raise ValueError(f"explicit padding of the batch and channel dimensions must be 0, "
                         f"got {padding!r}")
    return tuple(pairs[1:3]) if channels_last else tuple(pairs[2:4])


def _data_format(data_format) -> bool:
    """True for NHWC, False for NCHW (computed by transposing to NHWC and back)."""
    if data_format in (None, "NHWC"):
        return True
    if data_format == "NCHW":
        return False
    raise ValueError(f"data_format must be 'NHWC' or 'NCHW', got {data_format!r}")


def _nhwc(x: Tensor, channels_last: bool, back: bool = False) -> Tensor:
    if channels_last:
        return x
    from ops import array_ops
    return array_ops.transpose(x, [0, 3, 1, 2] if back else [0, 2, 3, 1])


def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None,  # noqa: A002
           name=None) -> Tensor:
    """2-D convolution (cross-correlation) of NHWC ``input`` with HWIO ``filters``."""
    x, w = dispatch.tensors([input, filters], "Conv2D")
    last = _data_format(data_format)
    attrs = {"strides": _pair(strides, "conv2d: strides", last),
             "padding": _padding(padding, last),
             "dilations": _pair(1 if dilations is None else dilations, "conv2d: dilations",
                                last)}
    return _nhwc(checked(_CONV, (_nhwc(x, last), w), attrs), last, back=True)


# ---- pooling ------------------------------------------------------------------------------

_NO_DILATION = (1, 1)


def _pool_views(xp, x, ksize, strides, padding, fill):
    geo = _geometry("Pool", x.shape[1:3], ksize, strides, padding, _NO_DILATION)
    xpad = _pad(xp, x, geo, fill)
    return [xpad[:, r, c, :] for r, c in _windows(ksize, strides, _NO_DILATION, geo)], geo


def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _argmax_windows(xp, x, ksize, strides, padding):
    """Index (within the window) of the first maximum of every pooling window."""
    views, geo = _pool_views(xp, x, ksize, strides, padding, _lowest(x.dtype))
    best = views[0]
    index = xp.zeros(best.shape, dtype=xp.int32)
    for k, v in enumerate(views[1:], 1):
        better = v > best
        best = xp.where(better, v, best)
        index = xp.where(better, k, index).astype(xp.int32)
    return index, geo


def _max_pool_kernel(xp, x, ksize, strides, padding):
    views, _ = _pool_views(xp, x, ksize, strides, padding, _lowest(x.dtype))
    out = views[0].copy()
    for v in views[1:]:
        xp.maximum(out, v, out=out)
    return out


def _max_pool_grad_kernel(xp, x, dy, ksize, strides, padding):
    index, geo = _argmax_windows(xp, x, ksize, strides, padding)
    zero = xp.zeros((), dtype=dy.dtype)
    parts = [xp.where(index == k, dy, zero) for k in range(ksize[0] * ksize[1])]
    return _scatter_windows(xp, parts, x.shape, dy.dtype, ksize, strides, _NO_DILATION, geo)


def _max_pool_grad_grad_kernel(xp, x, h, ksize, strides, padding):
    index, geo = _argmax_windows(xp, x, ksize, strides, padding)
    views, _ = _pool_views(xp, h, ksize, strides, padding, 0)
    out = xp.zeros(index.shape, dtype=h.dtype)
    for k, v in enumerate(views):
        out = xp.where(index == k, v, out)
    return out


def _window_counts(xp, x, ksize, strides, padding):
    """How many real (unpadded) inputs each window covers: the divisor of average pooling."""
    ones = xp.ones((1,) + x.shape[1:3] + (1,), dtype=x.dtype)
    views, _ = _pool_views(xp, ones, ksize, strides, padding, 0)
    return sum(views[1:], views[0])


def _avg_pool_kernel(xp, x, ksize, strides, padding):
    views, _ = _pool_views(xp, x, ksize, strides, padding, 0)
    total = sum(views[1:], views[0].copy())
    return total / _window_counts(xp, x, ksize, strides, padding)


def _avg_pool_grad_kernel(xp, like, dy, ksize, strides, padding):
    geo = _geometry("AvgPoolGrad", like.shape[1:3], ksize, strides, padding, _NO_DILATION)
    share = dy / _window_counts(xp, like, ksize, strides, padding)
    parts = [share] * (ksize[0] * ksize[1])
    return _scatter_windows(xp, parts, like.shape, dy.dtype, ksize, strides, _NO_DILATION, geo)


def _pool_infer(name: str, allowed: frozenset):
    def infer(x: Spec, *rest: Spec, ksize, strides, padding) -> Spec:
        _check_4d(name, x, *rest)
        if x.dtype not in allowed:
            raise TypeError(f"{name} does not accept {x.dtype.name} tensors")
        geo = _geometry(name, x.shape[1:3], ksize, strides, padding, _NO_DILATION)
        pooled = (x.shape[0], geo[0][0], geo[1][0], x.shape[3])
        # Forward ops and MaxPoolGradGrad give pooled shape; the Grad ops give the input's.
        return Spec(rest[-1].dtype if rest else x.dtype,
                    x.shape if name.endswith("PoolGrad") else pooled)
    return infer


def _max_pool_grad(op, dy):
    return [_run(_MAX_POOL_GRAD, (_x(op), dy), op.attrs)]


def _avg_pool_grad(op, dy):
    return [_run(_AVG_POOL_GRAD, (_x(op), dy), op.attrs)]


_MAX_POOL = defop("MaxPool", _max_pool_kernel, _pool_infer("MaxPool", REAL), _max_pool_grad)
_MAX_POOL_GRAD = defop(
    "MaxPoolGrad", _max_pool_grad_kernel, _pool_infer("MaxPoolGrad", REAL),
    lambda op, h: [None, _run(_MAX_POOL_GRAD_GRAD, (_x(op), h), op.attrs)])
_MAX_POOL_GRAD_GRAD = defop(
    "MaxPoolGradGrad", _max_pool_grad_grad_kernel, _pool_infer("MaxPoolGradGrad", REAL),
    lambda op, g: [None, _run(_MAX_POOL_GRAD, (_x(op), g), op.attrs)])
_AVG_POOL = defop("AvgPool", _avg_pool_kernel, _pool_infer("AvgPool", FLOAT), _avg_pool_grad)
_AVG_POOL_GRAD = defop(
    "AvgPoolGrad", _avg_pool_grad_kernel, _pool_infer("AvgPoolGrad", FLOAT),
    lambda op, h: [None, _run(_AVG_POOL, (h,), op.attrs)])


def _pool(op, input, ksize, strides, padding, data_format) -> Tensor:  # noqa: A002
    x = convert_to_tensor(input)
    last = _data_format(data_format)
    attrs = {"ksize": _pair(ksize, f"{op.name}: ksize", last),
             "strides": _pair(strides, f"{op.name}: strides", last),
             "padding": _padding(padding, last, explicit_ok=False)}
    return _nhwc(checked(op, (_nhwc(x, last),), attrs), last, back=True)


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None) -> Tensor:  # noqa: A002
    """Maximum over ``ksize`` windows of an NHWC tensor."""
    return _pool(_MAX_POOL, input, ksize, strides, padding, data_format)


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None) -> Tensor:  # noqa: A002
    """Mean over ``ksize`` windows of an NHWC tensor (padding is not counted)."""
    return _pool(_AVG_POOL, input, ksize, strides, padding, data_format)


# TensorFlow's rank-generic names; this stack pools 4-D tensors only.
max_pool = max_pool2d
avg_pool = avg_pool2d


# ---- dropout --------------------------------------------------------------------------------

def _noise_shape(x: Tensor, noise_shape) -> list:
    """``noise_shape`` with its ``None`` entries (all of them by default) taken from ``x``;
    dims unknown while tracing are read at run time with ``ag.shape``."""
    if noise_shape is None:
        noise_shape = [None] * len(x.shape)
    elif not isinstance(noise_shape, (list, tuple)) or len(noise_shape) != len(x.shape):
        return noise_shape
    dims = []
    for i, d in enumerate(noise_shape):
        if d is None:
            d = x.shape[i]
        if d is None:
            from ops import array_ops
            d = array_ops.shape(x)[i]
        dims.append(d)
    return dims


def dropout(x, rate, noise_shape=None, seed=None, name=None) -> Tensor:
    """Zero each element with probability ``rate`` and scale the rest by ``1 / (1 - rate)``.

    ``noise_shape`` (broadcast against ``x``) shares one keep/drop decision along its size-1
    dims. The gradient flows through the kept elements with the same mask and scale.
    """
    from ops import random_ops
    x = convert_to_tensor(x)
    if x.dtype not in FLOAT:
        raise ValueError(f"dropout: x must be a floating point tensor, got {x.dtype.name}")
    if isinstance(rate, numbers.Real):
        if not 0 <= rate < 1:
            raise ValueError(f"dropout: rate must be a scalar tensor or a float in the range "
                             f"[0, 1), got {rate}")
        if rate == 0:
            return x
        scale = 1 / (1 - rate)
    else:
        rate = convert_to_tensor(rate, dtype=x.dtype)
        scale = 1 / (1 - rate)
    noise = random_ops.uniform(_noise_shape(x, noise_shape), dtype=x.dtype, seed=seed)
    keep = cast(greater_equal(noise, rate), x.dtype)
    return x * scale * keep
