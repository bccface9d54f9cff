"""Shape and layout ops against NumPy: values, dtypes, infer rules, gradients and errors."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograph as ag
from tests.support import assert_tensor, check_grad, check_infer, check_second_grad

DTYPES = ["float32", "float64", "int32", "int64", "bool"]


def data(shape, dtype="float64", seed=0):
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return np.asarray(rng.random(shape) > 0.5)
    if np.dtype(dtype).kind in "iu":
        return np.asarray(rng.integers(-5, 6, shape), dtype=dtype)
    return np.asarray(rng.standard_normal(shape), dtype=dtype)


def np_pad(mode):
    return lambda a: np.pad(a, [[1, 0], [2, 1]], mode=mode)


# name -> (autograph function, NumPy oracle, input shape). Each runs for every dtype, checks
# every op's infer rule (also with all dims unknown) and, in float64, its gradient.
CASES = {
    "reshape": (lambda x: ag.reshape(x, [3, -1]), lambda a: a.reshape(3, -1), (2, 3)),
    "reshape_scalar": (lambda x: ag.reshape(x, [1, 1]), lambda a: a.reshape(1, 1), ()),
    "reshape_to_scalar": (lambda x: ag.reshape(x, []), lambda a: a.reshape(()), (1,)),
    "reshape_empty": (lambda x: ag.reshape(x, [3, 0]), lambda a: a.reshape(3, 0), (0, 3)),
    "reshape_tensor_shape": (lambda x: ag.reshape(x, ag.constant([2, 2])),
                             lambda a: a.reshape(2, 2), (4,)),
    "squeeze_all": (lambda x: ag.squeeze(x), np.squeeze, (1, 3, 1)),
    "squeeze_axis": (lambda x: ag.squeeze(x, axis=[-1]), lambda a: a.squeeze(-1), (1, 3, 1)),
    "expand_dims_0": (lambda x: ag.expand_dims(x, 0), lambda a: a[None], (2, 3)),
    "expand_dims_last": (lambda x: ag.expand_dims(x, -1), lambda a: a[..., None], (2, 3)),
    "expand_dims_scalar": (lambda x: ag.expand_dims(x, 0), lambda a: a[None], ()),
    "transpose": (lambda x: ag.transpose(x), np.transpose, (2, 3, 4)),
    "transpose_perm": (lambda x: ag.transpose(x, perm=[1, 2, 0]),
                       lambda a: a.transpose(1, 2, 0), (2, 3, 4)),
    "transpose_empty": (lambda x: ag.transpose(x), np.transpose, (0, 3)),
    "concat": (lambda x: ag.concat([x, x[:1]], axis=0),
               lambda a: np.concatenate([a, a[:1]], 0), (2, 3)),
    "concat_neg_axis": (lambda x: ag.concat([x, x, x], axis=-1),
                        lambda a: np.concatenate([a, a, a], -1), (2, 3)),
    "concat_empty": (lambda x: ag.concat([x, x], axis=0),
                     lambda a: np.concatenate([a, a], 0), (0, 2)),
    "stack": (lambda x: ag.stack([x, x[::-1]]), lambda a: np.stack([a, a[::-1]]), (2, 3)),
    "stack_axis": (lambda x: ag.stack([x, x], axis=-1), lambda a: np.stack([a, a], -1), (2, 3)),
    "stack_scalars": (lambda x: ag.stack([x, x]), lambda a: np.stack([a, a]), ()),
    "unstack": (lambda x: ag.stack(ag.unstack(x, axis=1)[::-1]),
                lambda a: np.stack(list(np.moveaxis(a, 1, 0))[::-1]), (2, 3)),
    "split_num": (lambda x: ag.split(x, 2, axis=1)[1], lambda a: np.split(a, 2, 1)[1], (2, 4)),
    "split_sizes": (lambda x: ag.concat(ag.split(x, [1, -1, 1], axis=1)[::-1], 1),
                    lambda a: np.concatenate([a[:, 3:], a[:, 1:3], a[:, :1]], 1), (2, 4)),
    "tile": (lambda x: ag.tile(x, [2, 3]), lambda a: np.tile(a, [2, 3]), (2, 3)),
    "tile_zero": (lambda x: ag.tile(x, [0, 1]), lambda a: np.tile(a, [0, 1]), (2, 3)),
    "pad_constant": (lambda x: ag.pad(x, [[1, 0], [2, 1]]), np_pad("constant"), (2, 3)),
    "pad_reflect": (lambda x: ag.pad(x, [[1, 0], [2, 1]], "reflect"), np_pad("reflect"), (2, 3)),
    "pad_symmetric": (lambda x: ag.pad(x, [[1, 0], [2, 1]], "Symmetric"), np_pad("symmetric"),
                      (2, 3)),
    "reverse": (lambda x: ag.reverse(x, [0, -1]), lambda a: a[::-1, :, ::-1], (2, 3, 2)),
    "broadcast_to": (lambda x: ag.broadcast_to(x, [4, 2, 3]),
                     lambda a: np.broadcast_to(a, (4, 2, 3)), (2, 1)),
    "broadcast_scalar": (lambda x: ag.broadcast_to(x, [2, 2]),
                         lambda a: np.broadcast_to(a, (2, 2)), ()),
    "identity_n": (lambda x: ag.identity_n([x, x])[1], lambda a: a, (2,)),
}
NOT_DIFFERENTIABLE = {"reshape_empty", "concat_empty", "transpose_empty"}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", CASES)
def test_matches_numpy_and_infer(name, dtype):
    fn, ref, shape = CASES[name]
    a = data(shape, dtype)
    got, ops = check_infer(fn, ag.constant(a))
    assert got.dtype == dtype
    assert_tensor(got, ref(a))


@pytest.mark.parametrize("name", sorted(set(CASES) - NOT_DIFFERENTIABLE))
def test_gradient(name):
    fn, _, shape = CASES[name]
    check_grad(fn, data(shape))


@pytest.mark.parametrize("fn", [
    lambda x: ag.reshape(x * x * x, [-1]),
    lambda x: ag.tile(ag.transpose(x * x), [2, 1]),
    lambda x: ag.concat(ag.split(x * x * x, 2, axis=1)[::-1], axis=0),
    lambda x: ag.pad(x * x * x, [[1, 1], [1, 1]], "REFLECT"),
    lambda x: ag.pad(x * x * x, [[1, 1], [1, 1]], "SYMMETRIC"),
    lambda x: ag.broadcast_to(x * x * x, [3, 2, 2]),
], ids=["reshape", "tile_transpose", "split_concat", "reflect", "symmetric", "broadcast"])
def test_second_order(fn):
    check_second_grad(fn, data((2, 2)))


def test_string_tensors():
    s = np.array([[b"a", b"b"], [b"c", b"d"]], dtype=object)
    t = ag.constant([["a", "b"], ["c", "d"]])
    assert_tensor(ag.concat([t, t], 1), np.concatenate([s, s], 1))
    assert_tensor(ag.reshape(ag.transpose(t), [-1]), s.T.reshape(-1))
    assert_tensor(ag.pad(t, [[0, 1], [0, 0]]), np.pad(s, [[0, 1], [0, 0]], constant_values=b""))
    assert_tensor(ag.unstack(t[0])[1], np.array(b"b", dtype=object))
    assert ag.stack([t, t]).dtype == ag.string and ag.tile(t, [1, 2]).shape == (2, 4)


# ---- reshape -------------------------------------------------------------------------------

@given(st.lists(st.integers(0, 4), min_size=0, max_size=4), st.randoms())
def test_reshape_random_shapes(dims, rnd):
    a = np.arange(int(np.prod(dims)), dtype=np.float32).reshape(dims)
    target = list(dims)
    rnd.shuffle(target)
    if target and a.size:
        target[rnd.randrange(len(target))] = -1
    assert_tensor(ag.reshape(a, target), a.reshape(target))
    assert_tensor(ag.reshape(ag.reshape(a, [-1]), dims), a)


@given(st.lists(st.integers(0, 3), min_size=0, max_size=5), st.randoms())
def test_transpose_random_perm(dims, rnd):
    a = np.arange(int(np.prod(dims)), dtype=np.int32).reshape(dims)
    perm = list(range(len(dims)))
    rnd.shuffle(perm)
    assert_tensor(ag.transpose(a, perm), a.transpose(perm))


def test_reshape_error_names_both_shapes_and_counts():
    with pytest.raises(ValueError, match=r"6 elements \(shape \(2, 3\)\).*\[4, 2\] \(8 elements\)"):
        ag.reshape(ag.zeros([2, 3]), [4, 2])
    with pytest.raises(ValueError, match="not a multiple of 4"):
        ag.reshape(ag.zeros([2, 3]), [4, -1])
    with pytest.raises(ValueError, match="at most one -1"):
        ag.reshape(ag.zeros([2, 3]), [-1, -1])
    with pytest.raises(TypeError, match="integers"):
        ag.reshape(ag.zeros([2, 3]), [2.0, 3])


def test_reshape_accepts_tensorshape_and_numpy():
    x = ag.zeros([2, 3])
    assert ag.reshape(x, ag.TensorShape([3, 2])).shape == (3, 2)
    assert ag.reshape(x, np.array([6])).shape == (6,)


# ---- squeeze, expand_dims, transpose -------------------------------------------------------

def test_squeeze_errors():
    with pytest.raises(ValueError, match=r"axis 1 of shape \(1, 3\).*size is 3"):
        ag.squeeze(ag.zeros([1, 3]), axis=1)
    with pytest.raises(IndexError, match="axis 2 is out of range"):
        ag.squeeze(ag.zeros([1, 3]), axis=2)


def test_expand_dims_range():
    x = ag.zeros([2, 3])
    assert [ag.expand_dims(x, a).shape for a in (-3, 2)] == [(1, 2, 3), (2, 3, 1)]
    with pytest.raises(IndexError, match=r"axis 3 is out of range \[-3, 2\]"):
        ag.expand_dims(x, 3)


def test_transpose_conjugate_and_errors():
    a = np.array([[1 + 2j, 3 - 1j]])
    assert_tensor(ag.transpose(a, conjugate=True), a.T.conj())
    assert_tensor(ag.transpose(a), a.T)
    with pytest.raises(ValueError, match=r"perm \[0, 0\] is not a permutation"):
        ag.transpose(ag.zeros([2, 3]), [0, 0])


# ---- concat, stack, unstack, split ---------------------------------------------------------

def test_concat_and_stack_seed_examples():
    a = ag.constant([[1.0, 2.0], [3.0, 4.0]])
    b = ag.constant([[5.0, 6.0], [7.0, 8.0]])
    c = ag.constant([[9.0, 10.0], [11.0, 12.0]])
    assert_tensor(ag.concat([a, b, c], axis=0), np.arange(1, 13, dtype=np.float32).reshape(6, 2))
    assert_tensor(ag.concat([a, b, c], axis=1),
                  [[1, 2, 5, 6, 9, 10], [3, 4, 7, 8, 11, 12]])
    assert ag.stack([a, b, c]).shape == (3, 2, 2)
    assert_tensor(ag.stack([a, b, c], axis=1)[1], [[3, 4], [7, 8], [11, 12]])
    d = ag.concat([a, b, c], axis=0)
    for parts in (ag.split(d, 3, axis=0), ag.split(d, [2, 2, 2], axis=0)):
        assert isinstance(parts, list) and len(parts) == 3
        assert_tensor(parts[2], [[9, 10], [11, 12]])


def test_concat_errors_name_the_argument():
    with pytest.raises(TypeError, match=r"values\[1\] has dtype int32 but values\[0\] has float32"):
        ag.concat([ag.zeros([2]), ag.constant([1, 2])], 0)
    with pytest.raises(ValueError, match=r"values\[2\] has shape \(2, 4\).*dimension 1 differs"):
        ag.concat([ag.zeros([2, 3]), ag.zeros([1, 3]), ag.zeros([2, 4])], 0)
    with pytest.raises(ValueError, match="ranks differ"):
        ag.concat([ag.zeros([2, 3]), ag.zeros([3])], 0)
    with pytest.raises(ValueError, match="non-empty list"):
        ag.concat([], 0)


def test_concat_converts_python_values_and_single_input():
    assert_tensor(ag.concat([ag.constant([1.5]), [2, 3]], 0), np.float32([1.5, 2, 3]))
    assert_tensor(ag.concat([[1, 2]], 0), np.int32([1, 2]))


def test_stack_and_unstack_errors():
    with pytest.raises(ValueError, match=r"values\[1\] has shape \(3,\)"):
        ag.stack([ag.zeros([2]), ag.zeros([3])])
    with pytest.raises(ValueError, match="num=2 but axis 0"):
        ag.unstack(ag.zeros([3, 2]), num=2)
    assert [t.shape for t in ag.unstack(ag.zeros([3, 2]), axis=-1)] == [(3,), (3,)]


def test_split_errors():
    with pytest.raises(ValueError, match="size 5 into 2 equal parts"):
        ag.split(ag.zeros([5]), 2)
    with pytest.raises(ValueError, match="add up to 4, not to the dimension size 5"):
        ag.split(ag.zeros([5]), [1, 3])
    with pytest.raises(ValueError, match="at most one -1"):
        ag.split(ag.zeros([5]), [-1, -1])
    assert [t.shape for t in ag.split(ag.zeros([5, 2]), [2, -1])] == [(2, 2), (3, 2)]


# ---- tile, pad, reverse --------------------------------------------------------------------

def test_tile_refuses_short_multiples():
    with pytest.raises(ValueError, match=r"multiples \[2\] must have one entry per dim.*\(2, 3\)"):
        ag.tile(ag.zeros([2, 3]), [2])


def test_pad_constant_values_and_errors():
    x = ag.constant([[1, 2], [3, 4]])
    assert_tensor(ag.pad(x, [[0, 1], [1, 0]], constant_values=9),
                  np.pad([[1, 2], [3, 4]], [[0, 1], [1, 0]], constant_values=9))
    with pytest.raises(ValueError, match=r"paddings\[1\] = \[2, 0\] is too large for REFLECT"):
        ag.pad(x, [[0, 0], [2, 0]], "REFLECT")
    assert ag.pad(x, [[0, 0], [2, 0]], "SYMMETRIC").shape == (2, 4)
    with pytest.raises(ValueError, match="mode must be one of"):
        ag.pad(x, [[0, 0], [1, 0]], "wrap")
    with pytest.raises(ValueError, match="paddings has 1 rows"):
        ag.pad(x, [[1, 1]])


def test_reverse_empty_axis_is_identity():
    assert_tensor(ag.reverse([1, 2, 3], []), [1, 2, 3])


# ---- broadcasting --------------------------------------------------------------------------

def test_broadcast_seed_examples():
    a = ag.constant([1, 2, 3])
    b = ag.constant([[0, 0, 0], [1, 1, 1], [2, 2, 2]])
    assert_tensor(b + ag.broadcast_to(a, b.shape), np.array([[1, 2, 3], [2, 3, 4], [3, 4, 5]]))
    assert ag.broadcast_static_shape(a.shape, b.shape) == ag.TensorShape([3, 3])
    c = ag.constant([1, 2, 3])
    d = ag.constant([[1], [2], [3]])
    dyn = ag.broadcast_dynamic_shape(ag.shape(c), ag.shape(d))
    assert_tensor(dyn, np.int32([3, 3]))
    assert_tensor(ag.broadcast_to(c, [3, 3]) + ag.broadcast_to(d, [3, 3]),
                  np.array([[2, 3, 4], [3, 4, 5], [4, 5, 6]]))


def test_broadcast_errors():
    with pytest.raises(ValueError, match=r"shape \(2, 3\) to shape \(4, 3\)"):
        ag.broadcast_to(ag.zeros([2, 3]), [4, 3])
    with pytest.raises(ValueError, match=r"shape \(2, 3\) to shape \(3,\)"):
        ag.broadcast_to(ag.zeros([2, 3]), [3])
    with pytest.raises(ValueError, match="not broadcast-compatible"):
        ag.broadcast_static_shape(ag.TensorShape([2]), ag.TensorShape([3]))
    with pytest.raises(ValueError, match="not broadcast-compatible"):
        ag.broadcast_dynamic_shape([2], [3])


# ---- shape, rank, size, one_hot, where -----------------------------------------------------

@pytest.mark.parametrize("shape", [(), (0,), (2, 3), (1, 0, 4)])
def test_shape_rank_size(shape):
    x = ag.constant(data(shape, "float32"))
    got, _ = check_infer(lambda: (ag.shape(x), ag.rank(x), ag.size(x), ag.shape(x, ag.int64)))
    assert_tensor(got[0], np.int32(shape).reshape(len(shape)), dtype=ag.int32)
    assert_tensor(got[1], np.int32(len(shape)), dtype=ag.int32)
    assert_tensor(got[2], np.int32(np.prod(shape)), dtype=ag.int32)
    assert got[3].dtype == ag.int64
    assert [s.numpy().tolist() for s in ag.shape_n([x, x])] == [list(shape)] * 2


def test_rank_seed_example():
    assert ag.rank(ag.constant(True)).numpy() == 0
    assert ag.rank(ag.constant([[1.0, 2.0], [3.0, 4.0]])).numpy() == 2
    with pytest.raises(TypeError, match="out_type must be int32 or int64"):
        ag.shape([1], out_type=ag.float32)


def np_one_hot(indices, depth, on=1.0, off=0.0, axis=-1):
    indices = np.asarray(indices)
    out = np.where(indices[..., None] == np.arange(depth), on, off)
    return np.moveaxis(out, -1, axis) if axis != -1 else out


@pytest.mark.parametrize("indices", [3, [0, 2, -1, 5], [[1, 0], [2, 2]], np.zeros((0,), int)])
@pytest.mark.parametrize("axis", [-1, 0])
def test_one_hot(indices, axis):
    got, _ = check_infer(lambda: ag.one_hot(indices, 4, axis=axis))
    assert_tensor(got, np_one_hot(indices, 4, axis=axis).astype(np.float32), dtype=ag.float32)


def test_one_hot_values_and_dtype():
    assert_tensor(ag.one_hot([1], 3, on_value=5, off_value=-1), np.int32([[-1, 5, -1]]))
    assert ag.one_hot([1], 3, dtype=ag.float64).dtype == ag.float64
    assert ag.one_hot([1], 3, on_value=ag.constant(2.0, ag.float64)).dtype == ag.float64
    with pytest.raises(TypeError, match="indices must be integers"):
        ag.one_hot([1.0], 3)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (5,), (2, 3)])
def test_where_coordinates(dtype, shape):
    a = data(shape, dtype, seed=2)
    got = ag.where(a.astype(bool) if dtype == "bool" else a != 0) if dtype == "bool" else \
        ag.where(a)
    assert_tensor(got, np.argwhere(a), dtype=ag.int64)


def test_where_coordinates_infer_has_unknown_count():
    from ops.indexing import _WHERE
    from ops.dispatch import infer_outputs
    assert infer_outputs(_WHERE, (ag.zeros([2, 3], ag.bool),)).shape == (None, 2)


@pytest.mark.parametrize("dtype", DTYPES)
def test_where_select_broadcasts(dtype):
    c = np.array([[True], [False]])
    x, y = data((2, 3), dtype, 1), data((3,), dtype, 2)
    got, ops = check_infer(lambda: ag.where(c, x, y))
    assert_tensor(got, np.where(c, x, y))
    assert ops == ["Select"]


def test_where_select_python_scalars_and_grad():
    assert_tensor(ag.where([True, False], ag.constant([1.0, 2.0]), 0.0), np.float32([1, 0]))
    c = ag.constant(np.array([True, False, True]))
    check_grad(lambda x, y: ag.where(c, x, y), data((3,)), data((1,)))
    with pytest.raises(ValueError, match="both x and y"):
        ag.where([True], [1.0])
    with pytest.raises(TypeError, match="must be a bool tensor"):
        ag.where([1, 0], [1, 2], [3, 4])


# ---- graphs: unknown dims at trace time ----------------------------------------------------

def test_traced_with_unknown_dims():
    spec = ag.TensorSpec([None, 3], ag.float32)

    @ag.function(input_signature=[spec])
    def f(x):
        y = ag.reshape(x, [ag.shape(x)[0], 3, 1])
        z = ag.squeeze(ag.tile(y, [1, 1, 2])[..., :1], axis=2)
        parts = ag.split(z, [1, -1], axis=1)
        return ag.concat([parts[1], ag.broadcast_to(parts[0], [ag.shape(x)[0], 1])], 1)

    a = data((4, 3), "float32")
    assert_tensor(f(a), np.concatenate([a[:, 1:], a[:, :1]], 1))
    graph = f.get_concrete_function().graph
    assert [v.shape for v in graph.outputs] == [(None, 3)]


def test_gradient_traced_with_unknown_dims():
    @ag.function(input_signature=[ag.TensorSpec([None, None], ag.float64)])
    def grad(x):
        with ag.GradientTape() as tape:
            tape.watch(x)
            y = ag.tile(ag.reshape(x, [-1, 1]), [1, 3]) * ag.constant([1.0, 2.0, 3.0], ag.float64)
            y = ag.concat([y, ag.pad(y, [[0, 0], [1, 1]], "REFLECT")[:, :3]], 0)
        return tape.gradient(y, x)

    a = data((2, 2))
    assert_tensor(grad(a), np.full((2, 2), 6.0 + 5.0))
