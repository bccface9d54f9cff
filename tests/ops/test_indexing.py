"""Indexing, slicing, gather and scatter against NumPy: values, infer rules, gradients, errors."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograph as ag
from ops.dispatch import infer_outputs
from ops.indexing import _GETITEM, _parse_key, setitem
from tests.support import assert_tensor, check_grad, check_infer, check_second_grad
from tests.ops.test_array_ops import DTYPES, data

MASK_3x4 = np.array([[True, False, True, False], [False, False, True, True],
                     [True, True, False, False]])

# name -> key into a (3, 4, 5) tensor. Each is checked against NumPy for every dtype and
# differentiated in float64.
KEYS = {
    "int": 1,
    "negative_int": -1,
    "ints": (2, -3),
    "all_ints": (1, 3, 4),
    "slice": slice(1, 3),
    "slice_clipped": slice(1, 100),
    "slice_empty": slice(3, 1),
    "step": (slice(None), slice(None, None, 2)),
    "negative_step": (slice(None, None, -1), slice(3, 0, -2)),
    "ellipsis_last": (Ellipsis, 1),
    "ellipsis_first": (0, Ellipsis),
    "ellipsis_middle": (1, Ellipsis, slice(1, 2)),
    "newaxis": (None, 1, None),
    "newaxis_ellipsis": (Ellipsis, ag.newaxis),
    "int_list": [0, 2],
    "negative_list": [-1, 0, -1],
    "int_array_2d": np.array([[0, 1], [2, 2]]),
    "int_tensor": ag.constant([2, 0]),
    "scalar_tensor": ag.constant(2),
    "tensor_slice_bounds": (ag.constant(1), slice(ag.constant(1), None)),
    "int_and_list": (0, [1, 2]),
    "adjacent_arrays": (slice(None), [0, 1], [2, 3]),
    "split_arrays": ([0, 2], slice(None), [1, 3]),
    "int_split_from_array": (1, slice(None), [0, 1]),
    "newaxis_before_arrays": (None, [0, 1], 1),
    "newaxis_between_arrays": ([0, 1], None, 1),
    "ellipsis_array": (Ellipsis, [0, 4]),
    "bool_full": data((3, 4, 5), "float64", 5) > 0,
    "bool_numpy_2d": MASK_3x4,
    "bool_tensor_axis1": (slice(None), ag.constant([True, False, True, False])),
    "bool_list": [True, False, True],
    "bool_with_int": (MASK_3x4, 2),
}
DATA_DEPENDENT = {k for k in KEYS if k.startswith("bool")}


def np_key(key):
    """The same key for NumPy (tensors become arrays or ints)."""
    def conv(k):
        if isinstance(k, ag.Tensor):
            return k.numpy()
        if isinstance(k, slice):
            return slice(*(conv(v) for v in (k.start, k.stop, k.step)))
        return k
    return tuple(conv(k) for k in key) if isinstance(key, tuple) else conv(key)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", KEYS)
def test_getitem_matches_numpy(name, dtype):
    a = data((3, 4, 5), dtype)
    key = KEYS[name]
    if name in DATA_DEPENDENT:
        got = ag.constant(a)[key]
    else:
        got, ops = check_infer(lambda x: x[key], ag.constant(a))
        assert ops == ["GetItem"]
    assert_tensor(got, a[np_key(key)])
    assert got.dtype == dtype


@pytest.mark.parametrize("name", sorted(DATA_DEPENDENT))
def test_getitem_bool_mask_infer_leaves_count_unknown(name):
    items, dyn = _parse_key(KEYS[name])
    declared = infer_outputs(_GETITEM, (ag.zeros([3, 4, 5]), *dyn), {"key": items}).shape
    actual = np.zeros((3, 4, 5))[np_key(KEYS[name])].shape
    assert None in declared and len(declared) == len(actual)
    assert all(d is None or d == n for d, n in zip(declared, actual))


@pytest.mark.parametrize("name", KEYS)
def test_getitem_gradient(name):
    check_grad(lambda x: x[KEYS[name]], data((3, 4, 5)))


def test_getitem_repeated_indices_accumulate_gradient():
    check_grad(lambda x: x[[0, 0, 2, 0]] * x[[1, 1, 1, 1]], data((3,)))
    check_second_grad(lambda x: x[[0, 0, 1]] * x[[0, 1, 1]] * x[::-1][1:], data((2,)))


@given(st.lists(st.integers(0, 4), min_size=1, max_size=4), st.data())
def test_getitem_random_basic_keys(dims, draw):
    a = np.arange(int(np.prod(dims))).reshape(dims)
    groups = []  # the key items for each dim of ``a``
    for d in dims:
        kinds = ["int", "slice", "newaxis"] if d else ["slice", "newaxis"]
        kind = draw.draw(st.sampled_from(kinds))
        if kind == "int":
            groups.append([draw.draw(st.integers(-d, d - 1))])
        else:
            bound = st.none() | st.integers(-6, 6)
            step = draw.draw(st.none() | st.sampled_from([1, 2, -1, -3]))
            item = slice(draw.draw(bound), draw.draw(bound), step)
            groups.append([None, item] if kind == "newaxis" else [item])
    cut = draw.draw(st.integers(-1, len(groups)))  # dims [0, cut) become an Ellipsis
    if cut >= 0:
        groups = [[Ellipsis]] + groups[cut:]
    key = tuple(k for g in groups for k in g)
    got, _ = check_infer(lambda x: x[key], ag.constant(a))
    assert_tensor(got, a[key])


@given(st.lists(st.integers(1, 4), min_size=1, max_size=4), st.data())
def test_getitem_random_advanced_keys(dims, draw):
    """Integer arrays mixed with ints, slices and newaxis: NumPy's placement of the
    broadcast index dims (in place when adjacent, else first) must match, infer included."""
    a = np.arange(int(np.prod(dims))).reshape(dims)
    key = []
    for d in dims:
        kind = draw.draw(st.sampled_from(["array", "int", "slice", "newaxis"]))
        if kind == "array":
            shape = draw.draw(st.sampled_from([(2,), (1,), (2, 1)]))
            key.append(np.asarray(draw.draw(st.lists(st.integers(-d, d - 1), min_size=2,
                                                      max_size=2)))[:int(np.prod(shape))]
                       .reshape(shape))
        elif kind == "int":
            key.append(draw.draw(st.integers(-d, d - 1)))
        elif kind == "slice":
            key.append(slice(draw.draw(st.none() | st.integers(-d, d)), None,
                             draw.draw(st.sampled_from([1, -1, 2]))))
        else:
            key += [None, slice(None)]
    key = tuple(key)
    got, _ = check_infer(lambda x: x[key], ag.constant(a))
    assert_tensor(got, a[key])


def test_getitem_seed_examples():
    t = ag.constant(np.arange(25).reshape(5, 5))
    a = ag.constant(np.arange(27).reshape(3, 3, 3))
    assert_tensor(t[0], np.arange(5))
    assert_tensor(t[-1], np.arange(20, 25))
    assert t[1, 3].numpy() == t[1][3].numpy() == 8
    assert_tensor(t[1:4, :], np.arange(5, 20).reshape(3, 5))
    assert_tensor(ag.slice(t, [1, 0], [3, 5]), np.arange(5, 20).reshape(3, 5))
    assert_tensor(t[1:4, :4:2], np.arange(25).reshape(5, 5)[1:4, :4:2])
    assert_tensor(a[..., 1], np.arange(27).reshape(3, 3, 3)[..., 1])
    c = ag.constant([[-1, 1, -1], [2, 2, -2], [3, -3, 3]], dtype=ag.float32)
    assert_tensor(c[c < 0], np.float32([-1, -1, -2, -3]))
    assert_tensor(ag.boolean_mask(c, c < 0), np.float32([-1, -1, -2, -3]))


def test_getitem_errors_name_axis_index_and_size():
    x = ag.zeros([3, 4])
    with pytest.raises(IndexError, match="index 3 is out of bounds for axis 0 with size 3"):
        x[3]
    with pytest.raises(IndexError, match="index -5 is out of bounds for axis 1 with size 4"):
        x[:, -5]
    with pytest.raises(IndexError, match="index 7 is out of bounds for axis 1 with size 4"):
        x[:, ag.constant([0, 7])]
    with pytest.raises(IndexError, match="too many indices.*rank 2"):
        x[0, 0, 0]
    with pytest.raises(IndexError, match="single ellipsis"):
        x[..., ...]
    with pytest.raises(IndexError, match=r"bool mask of shape \(2,\) does not match"):
        x[[True, False]]
    with pytest.raises(TypeError, match="must be integer or bool, got float32"):
        x[ag.constant([1.0])]
    with pytest.raises(TypeError, match="item 1 of the key is a str"):
        x[0, "a"]
    for step in (0, ag.constant(0)):
        with pytest.raises(ValueError, match="step cannot be zero"):
            x[::step]
    with pytest.raises(IndexError, match="too many indices"):
        ag.constant(1.0)[0]


def test_getitem_of_scalar_and_iteration():
    assert_tensor(ag.constant(2.5)[()], np.float32(2.5))
    assert_tensor(ag.constant(2.5)[None], np.float32([2.5]))
    assert [t.numpy().tolist() for t in ag.constant([[1, 2], [3, 4]])] == [[1, 2], [3, 4]]


# ---- setitem ------------------------------------------------------------------------------

SET_CASES = {
    "row": (1, (5,)),
    "broadcast_scalar": ((slice(None), 2), ()),
    "broadcast_row": ((slice(0, 2),), (1, 5)),
    "extra_leading_ones": ((0, 1), (1, 5)),
    "ellipsis_newaxis": ((Ellipsis, None, 3), (3, 4, 1)),
    "int_array": (([0, 2], slice(None), [1, 4]), (2, 4)),
    "bool_mask": (MASK_3x4, ()),
    "negative_step": ((slice(None, None, -1), 0), (3, 5)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", SET_CASES)
def test_setitem_matches_numpy(name, dtype):
    key, vshape = SET_CASES[name]
    a, v = data((3, 4, 5), dtype), data(vshape, dtype, seed=3)
    x = ag.constant(a)
    if name == "bool_mask":
        got = setitem(x, key, v)
    else:
        got, ops = check_infer(lambda: setitem(x, key, v))
        assert ops == ["SetItem"]
    want = a.copy()
    want[np_key(key)] = v
    assert_tensor(got, want)
    assert_tensor(x, a)  # functional: the input is untouched


@pytest.mark.parametrize("name", SET_CASES)
def test_setitem_gradient_both_inputs(name):
    key, vshape = SET_CASES[name]
    check_grad(lambda x, v: setitem(x, key, v * v), data((3, 4, 5)), data(vshape, seed=3))


def test_setitem_second_order():
    check_second_grad(lambda x: setitem(x * x, 0, x[1] * x[0] * x[2]), data((3,)))


def test_setitem_python_value_and_errors():
    assert_tensor(setitem(ag.constant([1.0, 2.0]), 0, 5), np.float32([5, 2]))
    with pytest.raises(TypeError, match="value has dtype int32 but the tensor has float32"):
        setitem(ag.zeros([2]), 0, ag.constant(1))
    with pytest.raises(ValueError, match=r"shape \(3,\) to a selection of shape \(2,\)"):
        setitem(ag.zeros([2, 2]), 0, ag.zeros([3]))


def test_variable_slice_assign_seed_example():
    x = ag.Variable([[1, 2], [3, 4]], dtype=ag.float32)
    x[1, :].assign(ag.constant([0.0, 0.0]))
    assert_tensor(ag.convert_to_tensor(x), np.float32([[1, 2], [0, 0]]))
    x[0].assign([7.0, 8.0])
    x[:, 1].assign(9.0)
    assert_tensor(ag.convert_to_tensor(x), np.float32([[7, 9], [0, 9]]))


def test_variable_slice_reads_are_differentiable():
    v = ag.Variable([[1.0, 2.0], [3.0, 4.0]])
    with ag.GradientTape() as tape:
        y = v[0] * 3.0 + v[:, 1]
    assert_tensor(tape.gradient(y, v), np.float32([[3, 4], [0, 1]]))


def test_variable_slice_assign_in_a_function():
    v = ag.Variable([[1.0, 2.0], [3.0, 4.0]])

    @ag.function
    def f(i):
        v[i, :].assign(ag.constant([0.0, 0.0]))
        v[0].assign(v[0] * 10.0)
        return v[:, 1]

    assert_tensor(f(ag.constant(1)), np.float32([20, 0]))
    assert_tensor(ag.convert_to_tensor(v), np.float32([[10, 20], [0, 0]]))


def test_string_indexing_gives_tensors():
    s = ag.constant([["a", "b"], ["c", "d"]])
    assert s[0, 1].numpy() == b"b" and s[0, 1].dtype == ag.string
    assert ag.gather(s[0], 1).numpy() == b"b"
    assert ag.gather_nd(s, [1, 0]).numpy() == b"c"
    assert_tensor(ag.boolean_mask(s, [False, True]), np.array([[b"c", b"d"]], dtype=object))


# ---- slice, strided_slice -------------------------------------------------------------------

@pytest.mark.parametrize("begin,size", [([0, 0], [-1, -1]), ([1, 2], [2, 1]), ([2, 0], [0, 3])])
def test_slice(begin, size):
    a = data((3, 4))
    got, _ = check_infer(lambda: ag.slice(a, begin, size))
    stop = [a.shape[i] if s == -1 else b + s for i, (b, s) in enumerate(zip(begin, size))]
    assert_tensor(got, a[begin[0]:stop[0], begin[1]:stop[1]])
    check_grad(lambda x: ag.slice(x, begin, size), a)


def test_slice_errors():
    with pytest.raises(ag.errors.InvalidArgumentError, match=r"begin\[1\] = 2 and size\[1\] = 3"):
        ag.slice(ag.zeros([3, 4]), [0, 2], [1, 3])
    with pytest.raises(ValueError, match="one entry per dim"):
        ag.slice(ag.zeros([3, 4]), [0], [1])


@pytest.mark.parametrize("kwargs,key", [
    (dict(begin=[1, 0], end=[3, 4], strides=[1, 2]), np.s_[1:3, 0:4:2]),
    (dict(begin=[1, 0], end=[0, 0], begin_mask=0b10, end_mask=0b11), np.s_[1:, :]),
    (dict(begin=[2, 0], end=[0, 1], strides=[-1, 1], end_mask=1), np.s_[2::-1, 0:1]),
    (dict(begin=[1, 0, 2], end=[2, 0, 3], shrink_axis_mask=0b101, new_axis_mask=0b010),
     np.s_[1, None, 2]),
    (dict(begin=[0, 1], end=[0, 2], ellipsis_mask=0b01), np.s_[..., 1:2]),
])
def test_strided_slice(kwargs, key):
    a = data((3, 4))
    got, _ = check_infer(lambda: ag.strided_slice(a, **kwargs))
    assert_tensor(got, a[key])


# ---- gather, gather_nd --------------------------------------------------------------------

def np_gather(p, i, axis, batch_dims):
    if batch_dims == 0:
        return np.take(p, i, axis)
    return np.stack([np_gather(p[k], i[k], axis - 1, batch_dims - 1) for k in range(len(p))])


GATHER_CASES = [
    ((5,), [4, 0, 0], 0, 0),
    ((5,), 3, 0, 0),
    ((3, 4), [[0, 1], [2, 0]], 1, 0),
    ((3, 4), np.zeros((0,), np.int64), 0, 0),
    ((2, 3, 4), [[0, 2, 3], [1, 1, 0]], 2, 1),
    ((2, 3, 4), [[0, 2], [1, 1]], 1, 1),
    ((2, 3, 4, 2), data((2, 3, 2), "int64", 4) % 4 + 0, 2, 2),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", range(len(GATHER_CASES)))
def test_gather(case, dtype):
    pshape, indices, axis, batch_dims = GATHER_CASES[case]
    indices = np.abs(np.asarray(indices)) % pshape[axis]
    p = data(pshape, dtype)
    got, _ = check_infer(lambda: ag.gather(p, indices, axis=axis, batch_dims=batch_dims))
    assert_tensor(got, np_gather(p, indices, axis, batch_dims))


@pytest.mark.parametrize("case", range(len(GATHER_CASES)))
def test_gather_gradient(case):
    pshape, indices, axis, batch_dims = GATHER_CASES[case]
    indices = np.abs(np.asarray(indices)) % pshape[axis]
    check_grad(lambda p: ag.gather(p, indices, axis=axis, batch_dims=batch_dims), data(pshape))
    check_second_grad(lambda p: ag.gather(p * p * p, indices, axis=axis,
                                          batch_dims=batch_dims), data(pshape))


def test_gather_seed_example():
    scores = ag.random.uniform((4, 10, 7), minval=0, maxval=100, dtype=ag.int32)
    s = scores.numpy()
    p = ag.gather(scores, [0, 5, 9], axis=1)
    assert_tensor(p, s[:, [0, 5, 9]])
    mask = [True, False, False, False, False, True, False, False, False, True]
    assert_tensor(ag.boolean_mask(scores, mask, axis=1), s[:, [0, 5, 9]])
    q = ag.gather(ag.gather(scores, [0, 5, 9], axis=1), [1, 3, 6], axis=2)
    assert_tensor(q, s[:, [0, 5, 9]][:, :, [1, 3, 6]])
    assert_tensor(ag.gather_nd(scores, indices=[(0, 0), (2, 4), (3, 6)]), s[[0, 2, 3], [0, 4, 6]])
    rows = np.zeros((4, 10), bool)
    rows[0, 0] = rows[2, 4] = rows[3, 6] = True
    assert_tensor(ag.boolean_mask(scores, rows.tolist()), s[[0, 2, 3], [0, 4, 6]])


def test_gather_refuses_out_of_range_indices():
    params = ag.constant([1.0, 2.0, 3.0])
    for bad in ([0, 3], [-1, 0]):
        with pytest.raises(IndexError, match=rf"indices\[\d\] = {bad[0] if bad[0] < 0 else 3} "
                                             r"is not in \[0, 3\)"):
            ag.gather(params, bad)
    with pytest.raises(ag.errors.InvalidArgumentError):
        ag.gather(params, [5])
    with pytest.raises(TypeError, match="indices must be int32 or int64, got float32"):
        ag.gather(params, [0.0])
    with pytest.raises(ValueError, match="batch dim 0 differs"):
        ag.gather(ag.zeros([2, 3]), ag.zeros([3, 1], ag.int32), axis=1, batch_dims=1)


def check_nd_infer(fn):
    """``check_infer`` for ops addressed by coordinate vectors: the depth of the coordinates
    (the last dim of the indices) stays known, since it fixes the output's rank."""
    from ops import dispatch
    from ops.context import state
    from runtime.registry import Spec
    seen = []

    class Spy:
        def add_op(self, op, inputs, attrs):
            out = dispatch._eager(op, inputs, attrs)
            specs = [Spec(t.dtype, tuple(t.shape)) for t in inputs]
            assert op.infer(*specs, **attrs) == Spec(out.dtype, tuple(out.shape)), op.name
            unknown = [Spec(s.dtype, (None,) * (len(s.shape) - 1) + (
                s.shape[-1] if s.dtype in (ag.int32, ag.int64) else None,))
                if s.shape else s for s in specs]
            partial = op.infer(*unknown, **attrs)
            assert partial.dtype is out.dtype and len(partial.shape) == out.ndim, op.name
            seen.append(op.name)
            return out

    saved, state.graph = state.graph, Spy()
    state.refresh()
    try:
        return fn(), seen
    finally:
        state.graph = saved
        state.refresh()


def np_gather_nd(p, i, batch_dims=0):
    if batch_dims:
        return np.stack([np_gather_nd(p[k], i[k], batch_dims - 1) for k in range(len(p))])
    i = np.asarray(i)
    return p[tuple(np.moveaxis(i, -1, 0))]


GATHER_ND_CASES = [
    ((3, 4), [[0, 1], [2, 3]], 0),
    ((3, 4), [[1], [0]], 0),
    ((3, 4), [[[1, 1]], [[0, 3]]], 0),
    ((2, 3, 4), [[[1], [0]], [[2], [2]]], 1),
    ((2, 3, 4), [[1, 3], [0, 0]], 1),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", range(len(GATHER_ND_CASES)))
def test_gather_nd(case, dtype):
    pshape, indices, batch_dims = GATHER_ND_CASES[case]
    p = data(pshape, dtype)
    got, ops = check_nd_infer(lambda: ag.gather_nd(p, indices, batch_dims=batch_dims))
    assert ops == ["GatherNd"]
    assert_tensor(got, np_gather_nd(p, indices, batch_dims))


@pytest.mark.parametrize("case", range(len(GATHER_ND_CASES)))
def test_gather_nd_gradient(case):
    pshape, indices, batch_dims = GATHER_ND_CASES[case]
    check_grad(lambda p: ag.gather_nd(p, indices, batch_dims=batch_dims), data(pshape))
    check_second_grad(lambda p: ag.gather_nd(p * p * p, indices, batch_dims=batch_dims),
                      data(pshape))


def test_gather_nd_errors():
    with pytest.raises(IndexError, match=r"indices\[1\] = \[2, 4\] does not index into shape "
                                         r"\[3, 4\]"):
        ag.gather_nd(ag.zeros([3, 4]), [[0, 0], [2, 4]])
    with pytest.raises(ValueError, match="address 3 dims"):
        ag.gather_nd(ag.zeros([3, 4]), [[0, 0, 0]])


# ---- scatter ------------------------------------------------------------------------------

def test_scatter_nd_tf_examples_and_duplicates():
    got, _ = check_nd_infer(lambda: ag.scatter_nd([[4], [3], [1], [7]], [9, 10, 11, 12], [8]))
    assert_tensor(got, np.int32([0, 11, 0, 10, 9, 0, 0, 12]))
    assert_tensor(ag.scatter_nd([[1], [1]], [1.0, 2.0], [3]), np.float32([0, 3, 0]))
    updates = data((2, 4, 4), "float32")
    want = np.zeros((4, 4, 4), np.float32)
    want[[0, 2]] = updates
    assert_tensor(ag.scatter_nd([[0], [2]], updates, ag.constant([4, 4, 4])), want)
    check_grad(lambda u: ag.scatter_nd([[1], [1], [0]], u * u, [3, 2]), data((3, 2)))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64"])
def test_tensor_scatter_ops(dtype):
    t = data((4, 3), dtype)
    idx = [[1], [3], [1]]
    upd = data((3, 3), dtype, seed=1)
    fns = {"update": ag.tensor_scatter_nd_update, "add": ag.tensor_scatter_nd_add,
           "sub": ag.tensor_scatter_nd_sub}
    got, ops = check_nd_infer(lambda: {k: f(t, idx, upd) for k, f in fns.items()})
    assert "TensorScatterAdd" in ops and "TensorScatterUpdate" in ops
    add, sub = t.copy(), t.copy()
    np.add.at(add, [1, 3, 1], upd)
    np.subtract.at(sub, [1, 3, 1], upd)
    assert_tensor(got["add"], add)
    assert_tensor(got["sub"], sub)
    upd1 = upd[:2]
    want = t.copy()
    want[[1, 3]] = upd1
    assert_tensor(ag.tensor_scatter_nd_update(t, [[1], [3]], upd1), want)
    assert_tensor(ag.tensor_scatter_nd_update(t, [[0, 2]], [7]), np.where(
        np.arange(12).reshape(4, 3) == 2, np.array(7, dtype), t))


@pytest.mark.parametrize("fn", [ag.tensor_scatter_nd_update, ag.tensor_scatter_nd_add,
                                ag.tensor_scatter_nd_sub], ids=["update", "add", "sub"])
def test_tensor_scatter_gradients(fn):
    check_grad(lambda t, u: fn(t * t, [[2, 0], [0, 1]], u * u), data((3, 2)), data((2,), seed=1))


def test_scatter_errors():
    with pytest.raises(ValueError, match=r"updates has shape \(3,\).*need updates of shape "
                                         r"\(2,\)"):
        ag.scatter_nd([[0], [1]], [1.0, 2.0, 3.0], [4])
    with pytest.raises(IndexError, match=r"indices\[1\] = \[4\] does not index into shape \[4\]"):
        ag.tensor_scatter_nd_add(ag.zeros([4]), [[0], [4]], [1.0, 2.0])
    with pytest.raises(TypeError, match="tensor \\(float32\\) and updates \\(int32\\)"):
        ag.tensor_scatter_nd_update(ag.zeros([4]), [[0]], ag.constant([1]))


# ---- boolean_mask ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,mask_shape,axis", [
    ((3, 4), (3, 4), None), ((3, 4), (3,), 0), ((2, 3, 4), (3, 4), 1), ((2, 3), (3,), -1),
    ((0, 3), (0,), 0),
])
def test_boolean_mask(dtype, shape, mask_shape, axis):
    a, m = data(shape, dtype), data(mask_shape, "bool", seed=7)
    ax = 0 if axis is None else axis % len(shape)
    want = a[(slice(None),) * ax + (m,)]
    assert_tensor(ag.boolean_mask(a, m, axis=axis), want)
    if dtype == "float64":
        check_grad(lambda x: ag.boolean_mask(x, m, axis=axis), a)


def test_boolean_mask_errors():
    with pytest.raises(ValueError, match=r"mask of shape \(4,\) does not match dims 0..0 of the "
                                         r"tensor, whose shape is \(3, 4\)"):
        ag.boolean_mask(ag.zeros([3, 4]), [True] * 4)
    with pytest.raises(TypeError, match="mask must be bool"):
        ag.boolean_mask(ag.zeros([3]), [1, 0, 1])


# ---- graphs: symbolic indices and unknown dims ----------------------------------------------

def test_traced_indexing_with_symbolic_indices():
    @ag.function(input_signature=[ag.TensorSpec([None, 4], ag.float32),
                                  ag.TensorSpec([], ag.int32)])
    def f(x, i):
        return x[i], x[:, i:], x[x > 0.0], ag.gather(x, [i, 0], axis=1), setitem(x, i, 0.0)

    a = data((3, 4), "float32")
    got = f(a, ag.constant(1))
    want = (a[1], a[:, 1:], a[a > 0], a[:, [1, 0]], np.where(np.arange(3)[:, None] == 1, 0, a))
    for g, w in zip(got, want):
        assert_tensor(g, w)
    outs = f.get_concrete_function().graph.outputs
    assert [o.shape for o in outs] == [(4,), (None, None), (None,), (None, 2), (None, 4)]


def test_gradient_of_indexing_traced_with_unknown_dims():
    @ag.function(input_signature=[ag.TensorSpec([None, None], ag.float64)])
    def grad(x):
        with ag.GradientTape() as tape:
            tape.watch(x)
            y = ag.gather(x[1:, ::-1], [0, 0], axis=1) * 2.0 + ag.boolean_mask(x, x > 0.5)[0]
        return tape.gradient(y, x)

    a = np.array([[0.1, 0.2, 0.9], [0.3, 0.4, 0.2]])
    want = np.zeros_like(a)
    want[1, 2] = 4.0  # two gathered copies, times 2
    want[0, 2] = 2.0
    assert_tensor(grad(a), want)
