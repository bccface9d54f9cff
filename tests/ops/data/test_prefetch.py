"""prefetch: same elements in the same order, produced ahead by a background thread whose
errors reach the consumer and which stops when the iterator goes away."""
import gc
import threading
import time

import pytest

import autograph as ag
from ops import data
from tests.ops.data.helpers import elements

Dataset = data.Dataset


def _prefetch_threads() -> list:
    return [t for t in threading.enumerate() if t.name == "ag.data.prefetch" and t.is_alive()]


def _wait_for(condition, seconds=5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return condition()


@pytest.fixture(autouse=True)
def _no_leftover_threads():
    yield
    gc.collect()
    assert _wait_for(lambda: not _prefetch_threads()), "a prefetch thread outlived its iterator"


@pytest.mark.parametrize("size", [0, 1, 2, 7, data.AUTOTUNE])
def test_prefetch_keeps_elements_and_order(size):
    ds = Dataset.from_tensor_slices(([1, 2, 3, 4, 5], [[1.0], [2.0], [3.0], [4.0], [5.0]]))
    assert elements(ds.prefetch(size)) == elements(ds)
    assert ds.prefetch(size).element_spec == ds.element_spec
    assert len(ds.prefetch(size)) == 5


def test_prefetch_chains_and_epochs():
    ds = Dataset.range(50).prefetch(3).map(lambda x: x + 1).prefetch(2).batch(8).prefetch(1)
    expected = [list(range(i + 1, min(i + 8, 50) + 1)) for i in range(0, 50, 8)]
    assert elements(ds) == expected
    assert elements(ds) == expected


def test_the_producer_runs_ahead_by_the_buffer_size():
    made = []
    ds = Dataset.range(100).map(lambda x: made.append(int(x)) or x).prefetch(3)
    it = iter(ds)
    assert int(next(it)) == 0
    # One element handed out, three waiting in the buffer, one more made and waiting for room.
    assert _wait_for(lambda: len(made) == 5)
    time.sleep(0.05)
    assert len(made) == 5
    it.close()


def test_producer_errors_are_raised_in_order_in_the_consumer():
    def fn(x):
        if int(x) == 3:
            raise ValueError("bad record 3")
        return x

    it = iter(Dataset.range(10).map(fn).prefetch(4))
    assert [int(next(it)) for _ in range(3)] == [0, 1, 2]
    with pytest.raises(ValueError, match="bad record 3") as info:
        next(it)
    assert any(frame.name == "fn" for frame in info.traceback)  # the producer's traceback


def test_dropping_an_iterator_stops_its_thread():
    it = iter(Dataset.range(5).repeat().prefetch(2))
    next(it)
    assert _wait_for(lambda: len(_prefetch_threads()) == 1)
    del it
    gc.collect()
    assert _wait_for(lambda: not _prefetch_threads())


def test_breaking_out_of_a_loop_stops_every_thread_in_the_chain():
    ds = Dataset.range(10**6).prefetch(2).map(lambda x: x * 2).prefetch(2)
    for i, x in enumerate(ds):
        if i == 3:
            assert len(_prefetch_threads()) == 2
            break
    gc.collect()
    assert _wait_for(lambda: not _prefetch_threads())


def test_an_exhausted_iterator_leaves_no_thread():
    it = iter(Dataset.range(3).prefetch(8))
    assert [int(x) for x in it] == [0, 1, 2]
    assert _wait_for(lambda: not _prefetch_threads())


def test_iterator_close_stops_the_thread_at_once():
    it = iter(Dataset.range(5).repeat().prefetch(1))
    next(it)
    it.close()
    assert not _prefetch_threads()


def test_buffer_size_argument():
    with pytest.raises(ValueError, match="AUTOTUNE"):
        Dataset.range(3).prefetch(-5)
    with pytest.raises(TypeError, match="integer"):
        Dataset.range(3).prefetch(None)


def test_map_in_the_prefetch_thread_is_not_traced_into_a_concurrent_function():
    started, traced, computed = threading.Event(), threading.Event(), threading.Event()

    def slow_square(x):
        if int(x) == 1:
            started.set()
            traced.wait(5)  # the main thread is inside the trace now
        y = x * x
        computed.set()
        return y

    it = iter(Dataset.range(3).map(slow_square).prefetch(1))
    assert int(next(it)) == 0  # the producer now makes element 1
    computed.clear()

    @ag.function
    def step(v):
        started.wait(5)
        traced.set()
        computed.wait(5)  # the producer computed x * x while this trace was open
        return v + 1

    assert float(step(ag.constant(1.0))) == 2.0
    assert [int(x) for x in it] == [1, 4]
