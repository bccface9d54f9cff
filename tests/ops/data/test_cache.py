"""cache: the second epoch replays the first without running the pipeline again."""
import numpy as np
import pytest

import autograph as ag
from ops import data
from tests.ops.data.helpers import elements

Dataset = data.Dataset


def _counted_map(n):
    calls = []
    ds = Dataset.range(n).map(lambda x: (calls.append(int(x)), x * x)[1])
    return ds, calls


def test_memory_cache_runs_map_once():
    ds, calls = _counted_map(5)
    cached = ds.cache()
    assert elements(cached) == [0, 1, 4, 9, 16]
    assert elements(cached) == [0, 1, 4, 9, 16]
    assert calls == [0, 1, 2, 3, 4]
    assert len(cached) == 5
    assert Dataset.range(5).map(lambda x: x * x).cache().element_spec == ag.TensorSpec(
        [], ag.int64)


def test_cache_before_shuffle_and_repeat():
    ds, calls = _counted_map(6)
    pipeline = ds.cache().shuffle(6, seed=1).repeat(3)
    got = elements(pipeline)
    assert sorted(got) == sorted([i * i for i in range(6)] * 3)
    assert calls == list(range(6))


def test_an_incomplete_epoch_does_not_fill_the_cache():
    ds, calls = _counted_map(4)
    cached = ds.cache()
    assert elements(cached.take(2)) == [0, 1]
    assert elements(cached) == [0, 1, 4, 9]
    assert elements(cached) == [0, 1, 4, 9]
    assert calls == [0, 1, 0, 1, 2, 3]


def test_file_cache_is_read_back_by_a_new_pipeline(tmp_path):
    path = str(tmp_path / "cache")
    ds, calls = _counted_map(3)
    nested = ds.map(lambda x: {"sq": x, "txt": ag.fill([2], "ab"), "m": ag.zeros([x, 2])})
    assert [e["sq"] for e in elements(nested.cache(path))] == [0, 1, 4]
    assert calls == [0, 1, 2]
    again, again_calls = _counted_map(3)
    replay = again.map(lambda x: {"sq": x, "txt": ag.fill([2], "ab"), "m": ag.zeros([x, 2])})
    got = list(replay.cache(path))
    assert again_calls == []  # read from the file, the map never ran
    assert [int(e["sq"]) for e in got] == [0, 1, 4]
    assert [tuple(e["m"].shape) for e in got] == [(0, 2), (1, 2), (4, 2)]
    assert got[0]["txt"].dtype == ag.string and got[2]["txt"].numpy().tolist() == [b"ab", b"ab"]
    assert got[1]["m"].dtype == ag.float32 and list(got[1]) == ["sq", "txt", "m"]


def test_file_cache_of_an_empty_dataset(tmp_path):
    path = str(tmp_path / "empty")
    assert elements(Dataset.range(0).cache(path)) == []
    assert elements(Dataset.range(0).cache(path)) == []


def test_cache_filename_must_be_a_path():
    with pytest.raises(TypeError, match="filename"):
        Dataset.range(2).cache(3)


def test_cache_keeps_numpy_scalar_values():
    got = list(Dataset.from_tensor_slices(np.arange(3.0)).cache())
    assert [float(t) for t in got] == [0.0, 1.0, 2.0]
