"""ag.nn: every op against a NumPy oracle (plain loops for conv and pooling), gradients against
finite differences, infer rules against real results, and the error messages users see."""
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograph as ag
from tests.support import assert_tensor, check_grad, check_infer, check_second_grad

FLOATS = [np.float32, np.float64]
TOL = {np.float32: 1e-5, np.float64: 1e-12}
_erf = np.vectorize(math.erf, otypes=[np.float64])


def rng(seed=0):
    return np.random.default_rng(seed)


def away_from_zero(shape, seed=0):
    """Values in [-2, -0.2] U [0.2, 2]: no kinks (relu at 0) within finite-difference reach."""
    r = rng(seed)
    return r.uniform(0.2, 2, shape) * r.choice([-1, 1], shape)


# ---- activations --------------------------------------------------------------------------

SELU_A, SELU_S = 1.6732632423543772, 1.0507009873554805


def sigmoid_np(x):
    return 1 / (1 + np.exp(-x))


ACTIVATIONS = {
    "relu": (ag.nn.relu, lambda x: np.maximum(x, 0)),
    "relu6": (ag.nn.relu6, lambda x: np.clip(x, 0, 6)),
    "elu": (ag.nn.elu, lambda x: np.where(x > 0, x, np.expm1(x))),
    "selu": (ag.nn.selu, lambda x: SELU_S * np.where(x > 0, x, SELU_A * np.expm1(x))),
    "gelu": (ag.nn.gelu, lambda x: 0.5 * x * (1 + _erf(x / np.sqrt(2)))),
    "gelu_tanh": (lambda x: ag.nn.gelu(x, approximate=True),
                  lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))),
    "leaky_relu": (ag.nn.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x)),
    "leaky_relu_0.5": (lambda x: ag.nn.leaky_relu(x, alpha=0.5),
                       lambda x: np.where(x > 0, x, 0.5 * x)),
    "softplus": (ag.nn.softplus, lambda x: np.logaddexp(x, 0)),
    "softsign": (ag.nn.softsign, lambda x: x / (1 + np.abs(x))),
    "silu": (ag.nn.silu, lambda x: x * sigmoid_np(x)),
    "swish_beta": (lambda x: ag.nn.swish(x, beta=2.0), lambda x: x * sigmoid_np(2 * x)),
}
SMOOTH = ["elu", "selu", "gelu", "gelu_tanh", "softplus", "softsign", "silu", "swish_beta"]


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(), (0,), (7,), (2, 3)])
def test_activation_matches_numpy(name, dtype, shape):
    fn, ref = ACTIVATIONS[name]
    x = rng().uniform(-7, 7, shape).astype(dtype)
    expected = np.asarray(ref(x.astype(np.float64))).astype(dtype)
    assert_tensor(fn(ag.constant(x)), expected, rtol=TOL[dtype], atol=TOL[dtype], dtype=dtype)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_gradient(name):
    check_grad(ACTIVATIONS[name][0], away_from_zero((2, 4)), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", SMOOTH)
def test_activation_second_derivative(name):
    check_second_grad(ACTIVATIONS[name][0], away_from_zero((5,)))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_infer(name):
    check_infer(ACTIVATIONS[name][0], ag.constant(away_from_zero((2, 3)).astype(np.float32)))


def test_relu_accepts_ints_and_keeps_dtype():
    assert_tensor(ag.nn.relu(ag.constant([-2, 0, 3])), [0, 0, 3], dtype=ag.int32)
    assert_tensor(ag.nn.relu6(ag.constant([-2, 7, 3])), [0, 6, 3], dtype=ag.int32)


def test_leaky_relu_casts_ints_to_float32():
    assert_tensor(ag.nn.leaky_relu(ag.constant([-10, 4])), [-2.0, 4.0], dtype=ag.float32)


def test_relu_gradient_at_zero_is_zero():
    x = ag.constant([0.0, 1.0])
    with ag.GradientTape() as tape:
        tape.watch(x)
        y = ag.nn.relu(x)
    assert_tensor(tape.gradient(y, x), [0.0, 1.0])


@given(st.floats(-1e4, 1e4))
def test_softplus_is_stable_for_large_inputs(v):
    got = ag.nn.softplus(ag.constant(v, ag.float64)).numpy()
    assert np.isfinite(got)
    np.testing.assert_allclose(got, np.logaddexp(v, 0), rtol=1e-12, atol=1e-300)


def test_activation_rejects_ints_where_tensorflow_does():
    with pytest.raises(TypeError, match="Elu does not accept int32"):
        ag.nn.elu(ag.constant([1, 2]))


def test_activations_declare_c_expressions_for_fusion():
    from runtime.registry import get
    for name in ["Relu", "Relu6", "Elu", "Selu", "Softplus", "Softsign", "Silu", "Gelu",
                 "GeluTanh", "SigmoidCrossEntropyWithLogits"]:
        assert "{0}" in get(name).c_expr


@pytest.mark.xfail(not hasattr(ag.math, "softplus"),
                   reason="autograph/math.py does not re-export ops.nn_ops.softplus yet")
def test_softplus_in_math_namespace():
    assert ag.math.softplus is ag.nn.softplus


# ---- softmax and log_softmax --------------------------------------------------------------

def softmax_np(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_softmax_and_log_softmax(dtype, axis):
    x = rng().normal(size=(3, 4)).astype(dtype)
    ax = -1 if axis is None else axis
    assert_tensor(ag.nn.softmax(x, axis=axis), softmax_np(x, ax), rtol=TOL[dtype], dtype=dtype)
    assert_tensor(ag.nn.log_softmax(x, axis=axis), np.log(softmax_np(x, ax)),
                  rtol=TOL[dtype], atol=TOL[dtype], dtype=dtype)


def test_softmax_is_stable_for_large_logits():
    x = ag.constant([1000.0, 1000.0, -1000.0])
    assert_tensor(ag.nn.softmax(x), [0.5, 0.5, 0.0])
    assert_tensor(ag.nn.log_softmax(x), [-math.log(2), -math.log(2), -2000 - math.log(2)],
                  rtol=1e-6)


@pytest.mark.parametrize("fn", [ag.nn.softmax, ag.nn.log_softmax])
@pytest.mark.parametrize("axis", [0, -1])
def test_softmax_gradients(fn, axis):
    x = rng().normal(size=(3, 4))
    check_grad(lambda t: fn(t, axis=axis), x)
    check_grad(lambda t: ag.nn.softmax(fn(t, axis=axis)), x)  # a second level of the graph
    check_infer(fn, ag.constant(x), axis)


@pytest.mark.parametrize("fn", [ag.nn.softmax, ag.nn.log_softmax])
def test_softmax_second_derivative(fn):
    check_second_grad(lambda t: fn(t) * ag.constant([1.0, 2.0, -1.0], ag.float64),
                      [0.3, -1.2, 0.8])


def test_softmax_errors():
    with pytest.raises(ValueError, match="Softmax: logits must have rank >= 1"):
        ag.nn.softmax(ag.constant(1.0))
    with pytest.raises(TypeError, match="Softmax: logits must be float"):
        ag.nn.softmax(ag.constant([1, 2]))
    with pytest.raises(IndexError, match="axis 2 is out of range"):
        ag.nn.softmax(ag.constant([[1.0]]), axis=2)


# ---- cross-entropy on logits --------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOATS)
def test_sigmoid_cross_entropy(dtype):
    z = rng(1).uniform(0, 1, (3, 4)).astype(dtype)
    x = rng(2).normal(0, 3, (3, 4)).astype(dtype)
    s = sigmoid_np(x.astype(np.float64))
    expected = -(z * np.log(s) + (1 - z) * np.log(1 - s))
    got = ag.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x)
    assert_tensor(got, expected.astype(dtype), rtol=TOL[dtype] * 10, dtype=dtype)


def test_sigmoid_cross_entropy_is_stable_and_exact_at_extremes():
    got = ag.nn.sigmoid_cross_entropy_with_logits(labels=[1.0, 0.0, 1.0], logits=[-100.0, 100.0, 0.0])
    assert_tensor(got, [100.0, 100.0, math.log(2)], rtol=1e-6)


def test_sigmoid_cross_entropy_gradients():
    z = rng(1).uniform(0, 1, (2, 3))
    x = rng(2).normal(0, 2, (2, 3))
    check_grad(lambda a, b: ag.nn.sigmoid_cross_entropy_with_logits(labels=a, logits=b), z, x)
    check_second_grad(lambda t: ag.nn.sigmoid_cross_entropy_with_logits(
        labels=ag.constant([0.2, 0.9], ag.float64), logits=t), [0.4, -1.3])
    check_infer(ag.nn.sigmoid_cross_entropy_with_logits, ag.constant(z), ag.constant(x))


def test_sigmoid_cross_entropy_shape_mismatch():
    with pytest.raises(ValueError, match=r"same shape, got \(2,\) and \(3,\)"):
        ag.nn.sigmoid_cross_entropy_with_logits(labels=[1.0, 0.0], logits=[1.0, 2.0, 3.0])


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_cross_entropy(dtype, axis):
    z = softmax_np(rng(1).normal(size=(3, 4)), axis).astype(dtype)
    x = rng(2).normal(size=(3, 4)).astype(dtype)
    expected = -(z * np.log(softmax_np(x.astype(np.float64), axis))).sum(axis)
    got = ag.nn.softmax_cross_entropy_with_logits(z, x, axis=axis)
    assert_tensor(got, expected.astype(dtype), rtol=TOL[dtype] * 10, dtype=dtype)


def test_softmax_cross_entropy_casts_int_labels_and_differentiates_both():
    got = ag.nn.softmax_cross_entropy_with_logits([[0, 1]], [[0.0, 0.0]])
    assert_tensor(got, [math.log(2)], rtol=1e-6)
    z = rng(1).uniform(0, 1, (2, 3))  # rows need not sum to one: the gradient is still exact
    x = rng(2).normal(size=(2, 3))
    for axis in (-1, 0):
        check_grad(lambda a, b: ag.nn.softmax_cross_entropy_with_logits(a, b, axis=axis), z, x)
    check_infer(ag.nn.softmax_cross_entropy_with_logits, ag.constant(z), ag.constant(x))


def test_softmax_cross_entropy_second_derivative():
    labels = ag.constant([0.1, 0.7, 0.2], ag.float64)
    check_second_grad(lambda t: ag.nn.softmax_cross_entropy_with_logits(labels, t),
                      [0.5, -0.3, 1.1])


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("label_dtype", [np.int32, np.int64])
def test_sparse_softmax_cross_entropy(dtype, label_dtype):
    x = rng(2).normal(size=(4, 5)).astype(dtype)
    labels = np.array([0, 4, 2, 2], label_dtype)
    expected = -np.log(softmax_np(x.astype(np.float64)))[np.arange(4), labels]
    got = ag.nn.sparse_softmax_cross_entropy_with_logits(labels, x)
    assert_tensor(got, expected.astype(dtype), rtol=TOL[dtype] * 10, dtype=dtype)


def test_sparse_softmax_cross_entropy_batched_and_gradients():
    x = rng(2).normal(size=(2, 3, 4))
    labels = ag.constant([[0, 3, 1], [2, 2, 0]])
    dense = ag.one_hot(labels, 4, dtype=ag.float64)
    assert_tensor(ag.nn.sparse_softmax_cross_entropy_with_logits(labels, x),
                  ag.nn.softmax_cross_entropy_with_logits(dense, x).numpy(), rtol=1e-12)
    check_grad(lambda t: ag.nn.sparse_softmax_cross_entropy_with_logits(labels, t), x)
    check_second_grad(lambda t: ag.nn.sparse_softmax_cross_entropy_with_logits(
        ag.constant(1), t), [0.2, -0.4, 0.9])
    # the loss scaled by a function of x: the second derivative also flows through the
    # upstream gradient (the fused gradient op's dy)
    check_second_grad(lambda t: ag.nn.sparse_softmax_cross_entropy_with_logits(labels, t) *
                      ag.reduce_sum(t * t, axis=-1), x, eps=1e-6, rtol=1e-5, atol=1e-6,
                      weights=rng(4).normal(size=x.shape))
    check_infer(ag.nn.sparse_softmax_cross_entropy_with_logits, labels, ag.constant(x))


def test_sparse_softmax_cross_entropy_gradient_is_one_op_in_graphs():
    @ag.function
    def grad(labels, x):
        with ag.GradientTape() as tape:
            tape.watch(x)
            loss = ag.nn.sparse_softmax_cross_entropy_with_logits(labels, x)
        return tape.gradient(loss, x)

    x = rng(3).normal(size=(5, 4)).astype(np.float32)
    labels = np.array([0, 3, 1, 2, 2])
    got = grad(ag.constant(labels), ag.constant(x))
    e = np.exp(x - x.max(-1, keepdims=True))
    expected = e / e.sum(-1, keepdims=True) - np.eye(4, dtype=np.float32)[labels]
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-6, atol=1e-7)
    ops = [n.op.name for n in grad.get_concrete_function(
        ag.constant(labels), ag.constant(x)).optimized_graph.nodes]
    assert "SparseSoftmaxCrossEntropyGrad" in ops and "OneHot" not in ops


def test_sparse_softmax_cross_entropy_errors():
    with pytest.raises(ValueError, match=r"label value of 3 which is outside the valid range "
                                         r"of \[0, 3\)"):
        ag.nn.sparse_softmax_cross_entropy_with_logits([0, 3], [[1.0, 2.0, 3.0]] * 2)
    with pytest.raises(ValueError, match=r"label value of -1"):
        ag.nn.sparse_softmax_cross_entropy_with_logits([-1], [[1.0, 2.0]])
    with pytest.raises(TypeError, match="labels must be int32 or int64"):
        ag.nn.sparse_softmax_cross_entropy_with_logits([0.0], [[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"labels \(3,\) must have the shape of logits "
                                         r"\(2, 4\) without its last"):
        ag.nn.sparse_softmax_cross_entropy_with_logits([0, 1, 2], ag.zeros([2, 4]))


# ---- normalisation and bias -------------------------------------------------------------

@pytest.mark.parametrize("axis", [None, 0, 1, [0, 1]])
def test_l2_normalize(axis):
    x = rng().normal(size=(3, 4))
    norm = np.sqrt((x**2).sum(axis=None if axis is None else tuple(np.atleast_1d(axis)),
                              keepdims=True))
    assert_tensor(ag.nn.l2_normalize(x, axis=axis), (x / norm).astype(np.float32), rtol=1e-5)
    check_grad(lambda t: ag.nn.l2_normalize(t, axis=axis), x)


def test_l2_normalize_of_zeros_is_zero_not_nan():
    assert_tensor(ag.nn.l2_normalize(ag.zeros([3]), axis=0), [0.0, 0.0, 0.0])


def test_l2_loss():
    assert_tensor(ag.nn.l2_loss(ag.constant([1.0, 2.0, 3.0])), 7.0)
    check_grad(ag.nn.l2_loss, rng().normal(size=(2, 3)))


@pytest.mark.parametrize("data_format, shape, bias_shape", [
    (None, (2, 3), (3,)), ("NHWC", (2, 2, 2, 3), (3,)), ("NCHW", (2, 3, 2, 2), (3,)),
    ("NC", (4, 3), (3,)),
])
def test_bias_add(data_format, shape, bias_shape):
    x = rng(1).normal(size=shape)
    b = rng(2).normal(size=bias_shape)
    view = b if data_format is None or data_format == "NHWC" else b.reshape((3,) + (1,) *
                                                                           (len(shape) - 2))
    assert_tensor(ag.nn.bias_add(x, b, data_format=data_format), x + view, rtol=1e-12)
    check_grad(lambda t, c: ag.nn.bias_add(t, c, data_format=data_format), x, b)
    check_infer(ag.nn.bias_add, ag.constant(x), ag.constant(b), data_format)


def test_bias_add_errors():
    with pytest.raises(ValueError, match="bias of length 2 does not match the 3 channels"):
        ag.nn.bias_add(ag.zeros([4, 3]), ag.zeros([2]))
    with pytest.raises(TypeError, match="BiasAdd: cannot combine float32 and float64"):
        ag.nn.bias_add(ag.zeros([4, 3]), ag.zeros([3], ag.float64))


@pytest.mark.parametrize("axes, keepdims", [([0], False), ([0, 1], True), ([1, 2], False)])
def test_moments(axes, keepdims):
    x = rng().normal(size=(3, 4, 2))
    mean, var = ag.nn.moments(x.astype(np.float32), axes, keepdims=keepdims)
    assert_tensor(mean, x.mean(tuple(axes), keepdims=keepdims).astype(np.float32), rtol=1e-5)
    assert_tensor(var, x.var(tuple(axes), keepdims=keepdims).astype(np.float32), rtol=1e-5)
    check_grad(lambda t: ag.nn.moments(t, axes, keepdims=keepdims)[1], x)
    check_grad(lambda t: ag.nn.moments(t, axes, keepdims=keepdims)[0], x)


@pytest.mark.parametrize("with_offset, with_scale", [(True, True), (False, False), (True, False)])
def test_batch_normalization(with_offset, with_scale):
    x = rng(1).normal(size=(4, 3))
    mean, var = x.mean(0), x.var(0)
    offset, scale = rng(2).normal(size=3), rng(3).uniform(0.5, 2, 3)
    expected = (x - mean) / np.sqrt(var + 1e-3) * (scale if with_scale else 1) \
        + (offset if with_offset else 0)
    got = ag.nn.batch_normalization(ag.constant(x), mean, var, offset if with_offset else None,
                                    scale if with_scale else None, 1e-3)
    assert_tensor(got, expected, rtol=1e-12, atol=1e-12)

    def f(x, m, v, o, s):
        return ag.nn.batch_normalization(x, m, v, o, s, 1e-3)
    check_grad(f, x, mean, var, offset, scale)


def test_composites_infer():
    x = ag.constant(rng().normal(size=(3, 4)))
    check_infer(lambda t: ag.nn.moments(t, [0]), x)
    check_infer(lambda t: ag.nn.l2_normalize(t, 1), x)
    check_infer(lambda t: ag.nn.batch_normalization(t, 0.5, 2.0, 0.1, 3.0, 1e-3), x)
    check_infer(lambda t: ag.nn.dropout(t, 0.5, noise_shape=[1, 4]), x)
    check_infer(ag.nn.l2_loss, x)


# ---- conv2d: a plain loop is the oracle ---------------------------------------------------

def explicit_pads(size, k, stride, dilation, padding, axis):
    eff = (k - 1) * dilation + 1
    if padding == "SAME":
        out = -(-size // stride)
        total = max((out - 1) * stride + eff - size, 0)
        return total // 2, total - total // 2
    if padding == "VALID":
        return 0, 0
    return tuple(padding[axis + 1])


def conv_ref(x, w, strides, padding, dilations=(1, 1)):
    n, h, wd, _ = x.shape
    kh, kw, _, co = w.shape
    ph = explicit_pads(h, kh, strides[0], dilations[0], padding, 0)
    pw = explicit_pads(wd, kw, strides[1], dilations[1], padding, 1)
    xp = np.pad(x, ((0, 0), ph, pw, (0, 0)))
    oh = (xp.shape[1] - (kh - 1) * dilations[0] - 1) // strides[0] + 1
    ow = (xp.shape[2] - (kw - 1) * dilations[1] - 1) // strides[1] + 1
    out = np.zeros((n, oh, ow, co), dtype=np.float64)
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                for p in range(kh):
                    for q in range(kw):
                        pixel = xp[b, i * strides[0] + p * dilations[0],
                                   j * strides[1] + q * dilations[1], :]
                        out[b, i, j, :] += pixel @ w[p, q]
    return out


CONV_CASES = [
    ("SAME", 1, 1), ("VALID", 1, 1), ("SAME", 2, 1), ("VALID", 2, 1), ("SAME", 1, 2),
    ("VALID", [1, 2, 1, 1], 1), ([[0, 0], [1, 2], [0, 1], [0, 0]], 2, 1),
]


@pytest.mark.parametrize("padding, strides, dilations", CONV_CASES)
@pytest.mark.parametrize("dtype", FLOATS)
def test_conv2d_matches_loop(padding, strides, dilations, dtype):
    x = rng(1).normal(size=(2, 6, 5, 2)).astype(dtype)
    w = rng(2).normal(size=(3, 3, 2, 3)).astype(dtype)
    s = (strides, strides) if isinstance(strides, int) else tuple(strides[1:3])
    expected = conv_ref(x.astype(np.float64), w.astype(np.float64), s, padding,
                        (dilations, dilations))
    got = ag.nn.conv2d(x, w, strides=strides, padding=padding, dilations=dilations)
    assert_tensor(got, expected.astype(dtype), rtol=TOL[dtype] * 10, atol=TOL[dtype] * 10,
                  dtype=dtype)


@given(h=st.integers(1, 7), w=st.integers(1, 7), kh=st.integers(1, 3), kw=st.integers(1, 3),
       stride=st.integers(1, 3), padding=st.sampled_from(["SAME", "VALID"]))
def test_conv2d_random_geometry(h, w, kh, kw, stride, padding):
    if padding == "VALID" and (kh > h or kw > w):
        return
    x = rng(1).normal(size=(1, h, w, 2))
    f = rng(2).normal(size=(kh, kw, 2, 2))
    assert_tensor(ag.nn.conv2d(x, f, stride, padding), conv_ref(x, f, (stride, stride), padding),
                  rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("strides", [1, 2])
def test_conv2d_gradients(padding, strides):
    x = rng(1).normal(size=(1, 5, 5, 2))
    w = rng(2).normal(size=(3, 3, 2, 3))
    check_grad(lambda a, b: ag.nn.conv2d(a, b, strides, padding), x, w)


def test_conv2d_gradients_with_dilation_and_explicit_padding():
    x = rng(1).normal(size=(2, 5, 6, 2))
    w = rng(2).normal(size=(2, 3, 2, 2))
    check_grad(lambda a, b: ag.nn.conv2d(a, b, 1, "SAME", dilations=2), x, w)
    check_grad(lambda a, b: ag.nn.conv2d(a, b, 2, [[0, 0], [2, 0], [1, 1], [0, 0]]), x, w)


@pytest.mark.parametrize("padding, strides", [("SAME", 1), ("VALID", 2)])
def test_conv2d_second_order(padding, strides):
    """Differentiate the gradient: exercises the gradients of both backprop ops."""
    w0 = rng(3).normal(size=(2, 2, 2, 2))

    def grad_wrt_input(x, w):
        with ag.GradientTape() as tape:
            tape.watch(x)
            y = ag.nn.conv2d(x, w, strides, padding)
            loss = ag.reduce_sum(y * y * ag.constant(w0.sum(), ag.float64))
        return tape.gradient(loss, x)

    def grad_wrt_filters(x, w):
        with ag.GradientTape() as tape:
            tape.watch(w)
            loss = ag.reduce_sum(ag.square(ag.nn.conv2d(x, w, strides, padding)))
        return tape.gradient(loss, w)

    x = rng(1).normal(size=(1, 4, 4, 2))
    check_grad(grad_wrt_input, x, w0, rtol=1e-5, atol=1e-6)
    check_grad(grad_wrt_filters, x, w0, rtol=1e-5, atol=1e-6)


def test_conv2d_infer_and_backprop_infer():
    x = ag.constant(rng(1).normal(size=(1, 5, 5, 2)))
    w = ag.constant(rng(2).normal(size=(3, 3, 2, 3)))

    def run(x, w):
        with ag.GradientTape() as tape:
            tape.watch([x, w])
            y = ag.nn.conv2d(x, w, 2, "SAME")
        return tape.gradient(y, [x, w])

    _, names = check_infer(run, x, w)
    assert {"Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"} <= set(names)


def test_conv2d_nchw_equals_transposed_nhwc():
    x = rng(1).normal(size=(2, 5, 4, 3))
    w = rng(2).normal(size=(3, 2, 3, 4))
    nhwc = ag.nn.conv2d(x, w, [1, 2, 1, 1], "SAME").numpy()
    nchw = ag.nn.conv2d(x.transpose(0, 3, 1, 2), w, [1, 1, 2, 1], "SAME", data_format="NCHW")
    assert_tensor(nchw, nhwc.transpose(0, 3, 1, 2), rtol=1e-12, atol=1e-12)


def test_conv2d_errors():
    x, w = ag.zeros([1, 4, 4, 3]), ag.zeros([3, 3, 2, 5])
    with pytest.raises(ValueError, match="input has 3 channels but the filters"):
        ag.nn.conv2d(x, w, 1, "SAME")
    with pytest.raises(ValueError, match="expected 4-D tensors"):
        ag.nn.conv2d(ag.zeros([4, 4, 2]), w, 1, "SAME")
    with pytest.raises(ValueError, match="padding must be 'SAME', 'VALID'"):
        ag.nn.conv2d(ag.zeros([1, 4, 4, 2]), w, 1, "FULL")
    with pytest.raises(ValueError, match="strides must be a positive int"):
        ag.nn.conv2d(ag.zeros([1, 4, 4, 2]), w, 0, "SAME")
    with pytest.raises(ValueError, match="window .* is larger than the padded input"):
        ag.nn.conv2d(ag.zeros([1, 2, 2, 2]), w, 1, "VALID")
    with pytest.raises(TypeError, match="Conv2D: cannot combine float32 and float64"):
        ag.nn.conv2d(x, ag.zeros([3, 3, 3, 1], ag.float64), 1, "SAME")
    with pytest.raises(ValueError, match="batch and channel"):
        ag.nn.conv2d(ag.zeros([1, 4, 4, 2]), w, [2, 1, 1, 1], "SAME")


def test_conv2d_empty_batch():
    out = ag.nn.conv2d(ag.zeros([0, 4, 4, 2]), ag.ones([3, 3, 2, 5]), 2, "SAME")
    assert tuple(out.shape) == (0, 2, 2, 5)


# ---- pooling -----------------------------------------------------------------------------

def pool_ref(x, ksize, strides, padding, reduce):
    n, h, w, c = x.shape
    ph = explicit_pads(h, ksize[0], strides[0], 1, padding, 0)
    pw = explicit_pads(w, ksize[1], strides[1], 1, padding, 1)
    xp = np.pad(x.astype(np.float64), ((0, 0), ph, pw, (0, 0)), constant_values=np.nan)
    oh = (xp.shape[1] - ksize[0]) // strides[0] + 1
    ow = (xp.shape[2] - ksize[1]) // strides[1] + 1
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            win = xp[:, i * strides[0]:i * strides[0] + ksize[0],
                     j * strides[1]:j * strides[1] + ksize[1], :]
            out[:, i, j, :] = reduce(win, axis=(1, 2))  # nan-aware: padding is not counted
    return out


POOLS = {"max": (ag.nn.max_pool2d, np.nanmax), "avg": (ag.nn.avg_pool2d, np.nanmean)}
POOL_CASES = [((2, 2), (2, 2), "VALID"), ((3, 3), (2, 2), "SAME"), ((2, 3), (1, 2), "SAME"),
              ((3, 2), (1, 1), "VALID")]


def distinct(shape, seed=0):
    """Distinct values (no ties, so max pooling is differentiable everywhere nearby)."""
    n = int(np.prod(shape))
    return (rng(seed).permutation(n).reshape(shape) * 0.1 - n * 0.05)


@pytest.mark.parametrize("kind", sorted(POOLS))
@pytest.mark.parametrize("ksize, strides, padding", POOL_CASES)
@pytest.mark.parametrize("dtype", FLOATS)
def test_pool_matches_loop(kind, ksize, strides, padding, dtype):
    fn, reduce = POOLS[kind]
    x = rng().normal(size=(2, 5, 6, 3)).astype(dtype)
    expected = pool_ref(x, ksize, strides, padding, reduce).astype(dtype)
    assert_tensor(fn(x, ksize, strides, padding), expected, rtol=TOL[dtype], dtype=dtype)


@pytest.mark.parametrize("kind", sorted(POOLS))
@pytest.mark.parametrize("ksize, strides, padding", POOL_CASES)
def test_pool_gradients(kind, ksize, strides, padding):
    fn = POOLS[kind][0]
    check_grad(lambda t: fn(t, ksize, strides, padding), distinct((1, 5, 6, 2)), eps=1e-6)


@pytest.mark.parametrize("kind", sorted(POOLS))
def test_pool_second_order(kind):
    """The gradient of the pooling gradient (w.r.t. the incoming gradient) is checked too."""
    fn = POOLS[kind][0]
    x = distinct((1, 4, 5, 2), seed=1)

    def grad_of_pool(up):
        t = ag.constant(x)
        with ag.GradientTape() as tape:
            tape.watch(t)
            y = fn(t, 2, 2, "SAME")
        return tape.gradient(y, t, output_gradients=up)

    check_grad(grad_of_pool, rng(2).normal(size=(1, 2, 3, 2)))
    _, names = check_infer(lambda t: fn(t, 2, 2, "SAME"), ag.constant(x))
    assert names == ["MaxPool" if kind == "max" else "AvgPool"]


@pytest.mark.parametrize("kind", sorted(POOLS))
def test_pool_gradient_ops_infer(kind):
    fn = POOLS[kind][0]

    def second_order(x, up):
        with ag.GradientTape() as outer:
            outer.watch(up)
            with ag.GradientTape() as inner:
                inner.watch(x)
                y = fn(x, [2, 3], 2, "SAME")
            g = inner.gradient(y, x, output_gradients=up)
        return outer.gradient(g, up, output_gradients=ag.ones_like(g))

    x = ag.constant(distinct((2, 5, 7, 3)))
    up = ag.constant(rng().normal(size=(2, 3, 4, 3)))
    _, names = check_infer(second_order, x, up)
    expected = {"MaxPool", "MaxPoolGrad", "MaxPoolGradGrad"} if kind == "max" else \
        {"AvgPool", "AvgPoolGrad"}
    assert expected <= set(names)


def test_max_pool_routes_gradient_to_first_maximum():
    x = ag.constant([[[[1.0], [3.0]], [[3.0], [2.0]]]])
    with ag.GradientTape() as tape:
        tape.watch(x)
        y = ag.nn.max_pool2d(x, 2, 2, "VALID")
    assert_tensor(tape.gradient(y, x), [[[[0.0], [1.0]], [[0.0], [0.0]]]])


def test_pool_aliases_and_nchw():
    x = rng().normal(size=(1, 4, 4, 2))
    assert_tensor(ag.nn.max_pool(x, 2, 2, "VALID"), ag.nn.max_pool2d(x, 2, 2, "VALID").numpy())
    assert_tensor(ag.nn.avg_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME"),
                  ag.nn.avg_pool2d(x, 2, 2, "SAME").numpy())
    nchw = ag.nn.max_pool2d(x.transpose(0, 3, 1, 2), 2, 2, "VALID", data_format="NCHW")
    assert_tensor(nchw, ag.nn.max_pool2d(x, 2, 2, "VALID").numpy().transpose(0, 3, 1, 2))


def test_max_pool_on_ints():
    x = ag.reshape(ag.range(16), [1, 4, 4, 1])
    assert_tensor(ag.nn.max_pool2d(x, 2, 2, "SAME"), [[[[5], [7]], [[13], [15]]]],
                  dtype=ag.int32)


def test_pool_errors():
    with pytest.raises(ValueError, match="expected 4-D"):
        ag.nn.max_pool2d(ag.zeros([4, 4]), 2, 2, "SAME")
    with pytest.raises(ValueError, match="padding must be 'SAME', 'VALID', got"):
        ag.nn.avg_pool2d(ag.zeros([1, 4, 4, 1]), 2, 2, [[0, 0]] * 4)
    with pytest.raises(TypeError, match="AvgPool does not accept int32"):
        ag.nn.avg_pool2d(ag.zeros([1, 4, 4, 1], ag.int32), 2, 2, "SAME")


# ---- dropout -----------------------------------------------------------------------------

def test_dropout_scales_kept_values_and_drops_about_rate():
    x = ag.ones([100_000])
    y = ag.nn.dropout(x, rate=0.3).numpy()
    assert np.all(np.isclose(y, 0) | np.isclose(y, 1 / 0.7))
    assert abs((y == 0).mean() - 0.3) < 0.01
    assert abs(y.mean() - 1.0) < 0.02


def test_dropout_gradient_uses_the_same_mask():
    x = ag.constant(rng().normal(size=(50,)))
    with ag.GradientTape() as tape:
        tape.watch(x)
        y = ag.nn.dropout(x, 0.5)
    g = tape.gradient(y, x).numpy()
    kept = y.numpy() != 0
    np.testing.assert_allclose(g, np.where(kept, 2.0, 0.0))


def test_dropout_noise_shape_shares_decisions():
    y = ag.nn.dropout(ag.ones([4, 50]), 0.5, noise_shape=[1, 50]).numpy()
    assert (y == y[0]).all()
    y = ag.nn.dropout(ag.ones([4, 50]), 0.5, noise_shape=[None, 1]).numpy()
    assert (y == y[:, :1]).all()


def test_dropout_seed_is_reproducible():
    ag.random.set_seed(5)
    a = ag.nn.dropout(ag.ones([20]), 0.5, seed=1).numpy()
    ag.random.set_seed(5)
    b = ag.nn.dropout(ag.ones([20]), 0.5, seed=1).numpy()
    np.testing.assert_array_equal(a, b)


def test_dropout_rate_zero_and_tensor_rate():
    x = ag.ones([3])
    assert ag.nn.dropout(x, 0.0) is x
    y = ag.nn.dropout(ag.ones([1000]), ag.constant(0.5)).numpy()
    assert set(np.unique(y)) <= {0.0, 2.0}


@pytest.mark.parametrize("rate", [1, 1.5, -0.1])
def test_dropout_rejects_rates_outside_unit_interval(rate):
    with pytest.raises(ValueError, match=r"rate must be a scalar tensor or a float in the range "
                                         r"\[0, 1\)"):
        ag.nn.dropout(ag.ones([3]), rate)


def test_dropout_rejects_int_tensors():
    with pytest.raises(ValueError, match="floating point tensor"):
        ag.nn.dropout(ag.constant([1, 2]), 0.5)


def test_nn_namespace_lists_tensorflow_names():
    import ops.nn_ops as nn_ops
    for name in nn_ops.__all__:
        assert getattr(ag.nn, name) is getattr(nn_ops, name)
    assert ag.nn.relu.__name__ == "relu"
