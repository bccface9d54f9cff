"""Conv1D/Conv2D and the pooling layers against plain NumPy loops; output shapes against
compute_output_shape; gradients by finite differences."""
import math

import numpy as np
import pytest

import autograph as ag
from ops.keras import layers
from tests.ops.keras.layer_support import check_layer_grad

RNG = np.random.default_rng(0)


def normal(*shape, dtype=np.float32):
    return RNG.normal(size=shape).astype(dtype)


def same_padding(size, kernel, stride, dilation=1):
    span = (kernel - 1) * dilation + 1
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + span - size, 0)
    return total // 2, total - total // 2


def conv2d_np(x, k, strides, padding, dilation, groups=1):
    """NHWC x HWIO cross-correlation, by loops."""
    (sh, sw), (dh, dw) = strides, dilation
    kh, kw, cin, cout = k.shape
    if padding == "same":
        x = np.pad(x, ((0, 0), same_padding(x.shape[1], kh, sh, dh),
                       same_padding(x.shape[2], kw, sw, dw), (0, 0)))
    oh = (x.shape[1] - (kh - 1) * dh - 1) // sh + 1
    ow = (x.shape[2] - (kw - 1) * dw - 1) // sw + 1
    out = np.zeros((x.shape[0], oh, ow, cout))
    per_group = cout // groups
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * sh:i * sh + (kh - 1) * dh + 1:dh, j * sw:j * sw + (kw - 1) * dw + 1:dw]
            for o in range(cout):
                g = o // per_group
                out[:, i, j, o] = np.einsum("nabc,abc->n", patch[..., g * cin:(g + 1) * cin],
                                            k[..., o])
    return out


def pool2d_np(x, pool, strides, padding, reduce):
    (ph, pw), (sh, sw) = pool, strides
    if padding == "same":
        fill = -np.inf if reduce is np.max else np.nan
        x = np.pad(x, ((0, 0), same_padding(x.shape[1], ph, sh),
                       same_padding(x.shape[2], pw, sw), (0, 0)), constant_values=fill)
    oh = (x.shape[1] - ph) // sh + 1
    ow = (x.shape[2] - pw) // sw + 1
    out = np.zeros((x.shape[0], oh, ow, x.shape[3]))
    for i in range(oh):
        for j in range(ow):
            out[:, i, j] = reduce(x[:, i * sh:i * sh + ph, j * sw:j * sw + pw], axis=(1, 2))
    return out


CONV_CASES = [
    dict(kernel_size=3),
    dict(kernel_size=(2, 3), strides=2),
    dict(kernel_size=3, padding="same"),
    dict(kernel_size=3, padding="same", strides=(2, 1)),
    dict(kernel_size=2, dilation_rate=2),
    dict(kernel_size=1, groups=2),
    dict(kernel_size=3, padding="same", groups=2),
]


@pytest.mark.parametrize("kwargs", CONV_CASES)
def test_conv2d_matches_numpy(kwargs):
    conv = layers.Conv2D(4, activation="relu", bias_initializer="random_normal", **kwargs)
    x = normal(2, 7, 6, 4)
    out = conv(x)
    kernel, bias = conv.get_weights()
    expected = np.maximum(conv2d_np(x, kernel, conv.strides, conv.padding, conv.dilation_rate,
                                    conv.groups) + bias, 0)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-4, atol=1e-5)
    assert conv.compute_output_shape(x.shape) == ag.TensorShape(expected.shape)
    assert kernel.shape == conv.kernel_size + (4 // conv.groups, 4)


def test_conv2d_channels_first():
    conv = layers.Conv2D(3, 2, data_format="channels_first", use_bias=False)
    x = normal(2, 4, 5, 5)
    out = conv(x)
    expected = conv2d_np(x.transpose(0, 2, 3, 1), conv.get_weights()[0], (1, 1), "valid",
                         (1, 1)).transpose(0, 3, 1, 2)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-4, atol=1e-5)
    assert conv.compute_output_shape(x.shape) == (2, 3, 4, 4)


def test_conv2d_gradients():
    conv = layers.Conv2D(2, 2, strides=1, padding="same", activation="tanh", dtype="float64",
                         bias_initializer="random_normal")
    check_layer_grad(conv, normal(1, 3, 3, 2, dtype=np.float64))


@pytest.mark.parametrize("padding", ["valid", "same", "causal"])
def test_conv1d_matches_numpy(padding):
    conv = layers.Conv1D(3, 3, padding=padding, dilation_rate=2 if padding == "causal" else 1)
    x = normal(2, 9, 4)
    out = conv(x)
    kernel, bias = conv.get_weights()
    d = conv.dilation_rate[0]
    if padding == "causal":
        padded = np.pad(x, ((0, 0), (2 * d, 0), (0, 0)))
        pad_mode = "valid"
    else:
        padded, pad_mode = x, padding
    expected = conv2d_np(padded[:, None], kernel[None], (1, 1), pad_mode, (1, d))[:, 0] + bias
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-4, atol=1e-5)
    assert conv.compute_output_shape(x.shape) == ag.TensorShape(expected.shape)


def test_conv_argument_errors():
    with pytest.raises(ValueError, match="kernel_size must be a positive integer or a tuple of 2"):
        layers.Conv2D(2, (1, 2, 3))
    with pytest.raises(ValueError, match="padding must be one of"):
        layers.Conv2D(2, 3, padding="full")
    with pytest.raises(ValueError, match=r"filters \(3\) must be divisible by groups \(2\)"):
        layers.Conv2D(3, 1, groups=2)
    conv = layers.Conv2D(2, 3, name="c")
    conv(normal(1, 5, 5, 3))
    with pytest.raises(ValueError, match='layer "c".*axis -1 of input shape to have value 3.*'
                                         r'\(1, 5, 5, 4\)'):
        conv(normal(1, 5, 5, 4))


# ---- pooling -------------------------------------------------------------------------------

POOL_CASES = [dict(), dict(pool_size=3, strides=1), dict(pool_size=(2, 3), padding="same"),
              dict(pool_size=3, strides=2, padding="same")]


@pytest.mark.parametrize("kwargs", POOL_CASES)
@pytest.mark.parametrize("cls, reduce", [(layers.MaxPooling2D, np.max),
                                         (layers.AveragePooling2D, np.nanmean)])
def test_pool2d_matches_numpy(cls, reduce, kwargs):
    pool = cls(**kwargs)
    x = normal(2, 7, 6, 3)
    expected = pool2d_np(x, pool.pool_size, pool.strides, pool.padding,
                         np.max if reduce is np.max else np.nanmean)
    np.testing.assert_allclose(pool(x).numpy(), expected, rtol=1e-5, atol=1e-6)
    assert pool.compute_output_shape(x.shape) == ag.TensorShape(expected.shape)


def test_pool2d_channels_first_and_1d():
    x = normal(2, 3, 6, 4)
    out = layers.MaxPooling2D(data_format="channels_first")(x).numpy()
    np.testing.assert_allclose(out, pool2d_np(x.transpose(0, 2, 3, 1), (2, 2), (2, 2), "valid",
                                              np.max).transpose(0, 3, 1, 2))
    seq = normal(2, 7, 3)
    np.testing.assert_allclose(layers.MaxPooling1D(2)(seq).numpy(),
                               seq[:, :6].reshape(2, 3, 2, 3).max(2))
    np.testing.assert_allclose(layers.AveragePooling1D(3, strides=2)(seq).numpy(),
                               np.stack([seq[:, i:i + 3].mean(1) for i in (0, 2, 4)], 1),
                               rtol=1e-6)
    assert layers.MaxPooling1D(2).compute_output_shape((None, 7, 3)) == (None, 3, 3)


def test_pool_gradients():
    x = RNG.permutation(36).reshape(1, 6, 6, 1).astype(np.float64)   # distinct: no ties
    check_layer_grad(layers.MaxPooling2D(dtype="float64"), x)
    check_layer_grad(layers.AveragePooling2D(3, 2, "same", dtype="float64"), x)


def test_global_pooling():
    x = normal(2, 4, 5, 3)
    np.testing.assert_allclose(layers.GlobalAveragePooling2D()(x).numpy(), x.mean((1, 2)),
                               rtol=1e-6)
    np.testing.assert_allclose(layers.GlobalMaxPooling2D()(x).numpy(), x.max((1, 2)))
    np.testing.assert_allclose(layers.GlobalAveragePooling2D(keepdims=True)(x).numpy(),
                               x.mean((1, 2), keepdims=True), rtol=1e-6)
    np.testing.assert_allclose(layers.GlobalAveragePooling2D("channels_first")(x).numpy(),
                               x.mean((2, 3)), rtol=1e-6)
    assert layers.GlobalAveragePooling2D().compute_output_shape((None, 4, 5, 3)) == (None, 3)
    seq = normal(2, 5, 3)
    np.testing.assert_allclose(layers.GlobalMaxPooling1D()(seq).numpy(), seq.max(1))
    mask = np.array([[1, 1, 0, 0, 0], [1, 1, 1, 1, 1]], bool)
    masked = layers.GlobalAveragePooling1D()(seq, mask=ag.constant(mask)).numpy()
    np.testing.assert_allclose(masked, [seq[0, :2].mean(0), seq[1].mean(0)], rtol=1e-6)


def test_pooling_checks_rank():
    with pytest.raises(ValueError, match='layer "pool".*expected ndim=4, found ndim=3'):
        layers.MaxPooling2D(name="pool")(normal(2, 4, 4))
