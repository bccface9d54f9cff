"""The Dataset object: element_spec, cardinality, len, iteration protocol, use inside
ag.function and under GradientTape, and the pipelines of the seed documents."""
import numpy as np
import pytest

import autograph as ag
from ops import data
from tests.ops.data.helpers import elements

Dataset = data.Dataset
INF, UNKNOWN = data.INFINITE_CARDINALITY, data.UNKNOWN_CARDINALITY


def test_constants_match_tensorflow():
    assert data.AUTOTUNE == -1 and data.experimental.AUTOTUNE == -1
    assert (INF, UNKNOWN) == (-1, -2)
    assert data.experimental.INFINITE_CARDINALITY == INF
    assert data.experimental.UNKNOWN_CARDINALITY == UNKNOWN


def test_element_spec_through_a_pipeline():
    images = np.zeros((10, 4, 4), np.uint8)
    labels = np.arange(10, dtype=np.int32)
    ds = Dataset.from_tensor_slices((images, labels))
    assert ds.element_spec == (ag.TensorSpec([4, 4], ag.uint8), ag.TensorSpec([], ag.int32))
    ds = ds.map(lambda x, y: (ag.cast(x, ag.float32) / 255.0, y)).shuffle(10).batch(4)
    assert ds.element_spec == (ag.TensorSpec([None, 4, 4], ag.float32),
                               ag.TensorSpec([None], ag.int32))
    assert ds.prefetch(data.AUTOTUNE).element_spec == ds.element_spec
    assert ds.unbatch().element_spec == (ag.TensorSpec([4, 4], ag.float32),
                                         ag.TensorSpec([], ag.int32))


@pytest.mark.parametrize("make,expected", [
    (lambda: Dataset.range(10), 10),
    (lambda: Dataset.range(10).batch(3), 4),
    (lambda: Dataset.range(10).batch(3, drop_remainder=True), 3),
    (lambda: Dataset.range(10).repeat(), INF),
    (lambda: Dataset.range(10).repeat().take(4), 4),
    (lambda: Dataset.range(10).repeat().skip(4), INF),
    (lambda: Dataset.range(10).repeat(3).skip(4), 26),
    (lambda: Dataset.range(10).filter(lambda x: x > 3), UNKNOWN),
    (lambda: Dataset.range(10).filter(lambda x: x > 3).take(2), UNKNOWN),
    (lambda: Dataset.range(10).filter(lambda x: x > 3).repeat(), INF),
    (lambda: Dataset.range(0).repeat(), 0),
    (lambda: Dataset.range(10).map(lambda x: x).shuffle(4).cache().prefetch(2), 10),
    (lambda: Dataset.range(3).concatenate(Dataset.range(4)), 7),
    (lambda: Dataset.range(3).concatenate(Dataset.range(4).repeat()), INF),
    (lambda: Dataset.range(3).enumerate(), 3),
    (lambda: Dataset.range(6).batch(2).unbatch(), UNKNOWN),
])
def test_cardinality(make, expected):
    ds = make()
    n = ds.cardinality()
    assert isinstance(n, ag.Tensor) and n.dtype == ag.int64
    assert int(n) == expected
    assert int(data.experimental.cardinality(ds)) == expected
    if expected >= 0:
        assert len(ds) == expected == len(elements(ds))


def test_len_of_infinite_or_unknown_datasets_is_a_type_error():
    with pytest.raises(TypeError, match="infinite"):
        len(Dataset.range(3).repeat())
    with pytest.raises(TypeError, match="unknown"):
        len(Dataset.range(3).filter(lambda x: x > 0))
    assert bool(Dataset.range(3).filter(lambda x: x > 0))  # truthy without calling len
    assert bool(Dataset.range(0))


def test_each_iter_is_a_new_epoch_and_iterators_are_independent():
    ds = Dataset.range(4)
    a, b = iter(ds), iter(ds)
    assert int(next(a)) == 0 and int(next(a)) == 1
    assert int(next(b)) == 0
    assert [int(x) for x in a] == [2, 3]
    assert elements(ds) == elements(ds) == [0, 1, 2, 3]


def test_iterator_protocol():
    it = iter(Dataset.range(2))
    assert iter(it) is it
    assert it.element_spec == ag.TensorSpec([], ag.int64)
    assert int(it.get_next()) == 0 and int(next(it)) == 1
    with pytest.raises(ag.errors.OutOfRangeError, match="End of sequence"):
        it.get_next()
    with pytest.raises(StopIteration):
        next(it)


def test_as_numpy_iterator_gives_numpy_values():
    ds = Dataset.from_tensor_slices({"x": np.eye(2, dtype=np.float32), "s": ["a", "b"]})
    got = list(ds.as_numpy_iterator())
    assert isinstance(got[0]["x"], np.ndarray) and got[0]["x"].dtype == np.float32
    np.testing.assert_array_equal(got[1]["x"], [0.0, 1.0])
    assert [g["s"] for g in got] == [b"a", b"b"]
    assert list(Dataset.range(3).as_numpy_iterator()) == [0, 1, 2]


def test_repr_names_the_node_and_spec():
    assert repr(Dataset.range(2).batch(2)) == (
        "<BatchDataset element_spec=TensorSpec(shape=(None,), dtype=tf.int64, name=None)>")


def test_for_loop_inside_a_function_iterates_the_dataset_at_every_call():
    seen = []

    def double(x):
        if ag.executing_eagerly():  # element_spec traces map functions on symbolic inputs
            seen.append(int(x))
        return x * 2

    ds = Dataset.range(4).map(double)

    @ag.function
    def total(start):
        s = start
        for x in ds:
            s = s + x
        return s

    assert int(total(ag.constant(100, ag.int64))) == 112
    assert seen == [0, 1, 2, 3]
    assert int(total(ag.constant(1, ag.int64))) == 13   # the graph runs the pipeline again
    assert seen == [0, 1, 2, 3] * 2


def test_a_dataset_argument_is_a_python_value_of_the_function():
    @ag.function
    def total(dataset):
        s = ag.constant(0, ag.int64)
        for x in dataset:
            s += x
        return s

    evens = Dataset.range(4).map(lambda x: x * 2)
    assert int(total(evens)) == 12 and int(total(evens)) == 12
    assert int(total(Dataset.range(3).filter(lambda x: x > 0))) == 3  # another trace


def test_training_loop_with_gradient_tape():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype(np.float32)
    y = (x @ np.array([1.0, -2.0, 0.5], np.float32)).astype(np.float32)
    ds = Dataset.from_tensor_slices((x, y)).batch(8).prefetch(data.AUTOTUNE)
    w = ag.Variable(np.zeros(3, np.float32))
    w_np = np.zeros(3, np.float32)
    for epoch in range(2):
        for (xb, yb), start in zip(ds, range(0, 32, 8)):
            with ag.GradientTape() as tape:
                loss = ag.reduce_mean((ag.linalg.matvec(xb, w) - yb) ** 2)
            w.assign_sub(0.1 * tape.gradient(loss, w))
            xs, ys = x[start:start + 8], y[start:start + 8]
            w_np -= 0.1 * (2 / 8) * xs.T @ (xs @ w_np - ys)
    np.testing.assert_allclose(w.numpy(), w_np, rtol=1e-5, atol=1e-6)


def test_iterating_under_a_tape_records_nothing():
    v = ag.Variable(2.0)
    ds = Dataset.range(3).map(lambda x: ag.cast(x, ag.float32) * 3.0)
    with ag.GradientTape() as tape:
        total = v * 0.0
        for x in ds:
            total = total + v * x
    assert float(tape.gradient(total, v)) == 9.0


# ---- the seed documents' pipelines --------------------------------------------------------

def test_seed_create_dataset_batch_prefetch():
    def create_dataset(data_, labels):
        dataset = Dataset.from_tensor_slices((data_, labels))
        dataset = dataset.batch(32)
        dataset = dataset.prefetch(data.AUTOTUNE)
        return dataset

    x = np.arange(100 * 2, dtype=np.float32).reshape(100, 2)
    y = np.arange(100) % 10
    batches = list(create_dataset(x, y))
    assert [tuple(b[0].shape) for b in batches] == [(32, 2), (32, 2), (32, 2), (4, 2)]
    np.testing.assert_array_equal(np.concatenate([b[1].numpy() for b in batches]), y)


def test_seed_shuffle_batch_prefetch_for_fit():
    images = np.random.default_rng(1).random((70, 28, 28)).astype(np.float32)
    labels = np.arange(70) % 10
    dataset = Dataset.from_tensor_slices((images, labels))
    dataset = dataset.shuffle(1000).batch(32).prefetch(data.AUTOTUNE)
    seen = []
    for x_batch, y_batch in dataset:
        assert x_batch.shape[1:] == [28, 28]
        seen.extend(y_batch.numpy().tolist())
        for image, label in zip(x_batch.numpy(), y_batch.numpy()):
            assert any(np.array_equal(image, images[i]) for i in np.flatnonzero(labels == label))
    assert sorted(seen) == sorted(labels.tolist())


def test_seed_text_dataset_and_preprocess_map():
    texts = ["good movie", "bad plot", "great", "boring"]
    labels = [1, 0, 1, 0]

    def create_text_dataset(texts, labels, batch_size=32):
        dataset = Dataset.from_tensor_slices((texts, labels))
        dataset = dataset.shuffle(10000)
        dataset = dataset.batch(batch_size)
        dataset = dataset.prefetch(data.AUTOTUNE)
        return dataset

    (t, y), = list(create_text_dataset(texts, labels))
    assert t.dtype == ag.string and sorted(zip(t.numpy().tolist(), y.numpy().tolist())) == \
        sorted(zip([s.encode() for s in texts], labels))

    def preprocess(images, labels):
        return ag.cast(images, ag.float32) / 255.0, labels

    ds = Dataset.from_tensor_slices((np.full((6, 2), 255, np.uint8), np.arange(6)))
    ds = ds.map(preprocess, num_parallel_calls=data.AUTOTUNE).cache().prefetch(data.AUTOTUNE)
    assert [x.numpy().tolist() for x, _ in ds] == [[1.0, 1.0]] * 6


@pytest.mark.gpu
@pytest.mark.skipif(not ag.config.list_physical_devices("GPU"), reason="no CUDA device")
def test_a_pipeline_made_on_the_gpu_keeps_its_tensors_there():
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    with ag.device("GPU:0"):
        ds = Dataset.from_tensor_slices((x, np.arange(6)))
    pipeline = ds.shuffle(6, seed=0).batch(4).map(lambda a, b: (a * 2.0, b)).unbatch().cache()
    got = list(pipeline)
    assert all("GPU" in a.device and "GPU" in b.device for a, b in got)
    assert sorted((a.numpy() / 2).tolist() for a, _ in got) == x.tolist()
    padded = ds.map(lambda a, b: a).padded_batch(3, [4])
    assert [p.numpy().tolist()[0] for p in padded] == [[0.0, 1.0, 0.0, 0.0], [6.0, 7.0, 0.0, 0.0]]
