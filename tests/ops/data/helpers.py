"""Plain-Python views of datasets, the oracle the data tests compare against."""
from runtime import nest

import autograph as ag


def to_python(element):
    """An element with each tensor replaced by its value as Python data (lists, numbers)."""
    def value(t):
        assert isinstance(t, ag.Tensor), f"expected a Tensor leaf, got {type(t).__name__}"
        v = t.numpy()
        return v if isinstance(v, bytes) else v.tolist()  # NumPy scalars have tolist too
    return nest.map_structure(value, element)


def elements(dataset) -> list:
    """One epoch of ``dataset`` as Python data."""
    return [to_python(e) for e in dataset]
