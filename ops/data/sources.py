"""Datasets made from data: tensor slices, single elements, generators, ranges, zips."""
from __future__ import annotations

import numbers

from runtime import nest
from runtime.dtypes import as_dtype
from runtime.shapes import TensorShape
from ops.errors import InvalidArgumentError
from ops.tensor import Tensor, convert_to_tensor, wrap
from ops.tensor_spec import TensorSpec
from ops.data import structure as S
from ops.data.dataset import INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset


class TensorSlices(Dataset):
    """``from_tensor_slices``: row ``i`` of every component is element ``i``."""

    def __init__(self, tensors):
        super().__init__()
        what = "from_tensor_slices"
        self._structure = S.normalize(tensors, what)
        self._flat = S.leaves(self._structure)
        if not self._flat:
            raise ValueError(f"{what}: the structure holds no tensors")
        paths = S.leaf_paths(self._structure)
        sizes = []
        for path, t in zip(paths, self._flat):
            if t.ndim == 0:
                raise ValueError(f"{what}: component {path or '0'} is a scalar (shape []); "
                                 "slicing needs at least one dimension (use from_tensors for "
                                 "a single element)")
            sizes.append(S.first_dim(t))
        for path, size in zip(paths[1:], sizes[1:]):
            if size != sizes[0]:
                raise ValueError(
                    f"{what}: all components must have the same size in their first "
                    f"dimension, but component {paths[0]} has {sizes[0]} and component "
                    f"{path} has {size}")
        self._n = sizes[0]

    def _iterate(self):
        flat, pack, row = self._flat, S.make_packer(self._structure), S.row
        for i in range(self._n):
            yield pack([row(t, i) for t in flat])

    def iterate_batches(self, size: int, drop_remainder: bool):
        """What ``batch(size)`` yields, as row ranges of the components instead of stacked
        rows (``from_tensor_slices(x).batch(n)`` is the common case and 20x faster so)."""
        flat, pack, rows = self._flat, S.make_packer(self._structure), S.rows
        stop = self._n - self._n % size if drop_remainder else self._n
        for start in range(0, stop, size):
            yield pack([rows(t, start, min(start + size, stop)) for t in flat])

    def _compute_spec(self):
        return nest.map_structure(lambda t: TensorSpec(tuple(t.shape)[1:], t.dtype),
                                  self._structure)

    def _cardinality(self) -> int:
        return self._n


class Tensors(Dataset):
    """``from_tensors``: one element."""

    def __init__(self, tensors):
        super().__init__()
        self._element = S.normalize(tensors, "from_tensors")

    def _iterate(self):
        yield self._element

    def _compute_spec(self):
        return S.spec_of(self._element)

    def _cardinality(self) -> int:
        return 1


class Range(Dataset):
    """``Dataset.range``: Python's ``range`` as scalar tensors."""

    def __init__(self, args, dtype):
        super().__init__()
        if not 1 <= len(args) <= 3:
            raise TypeError(f"range: expected 1 to 3 arguments (start, stop, step), got "
                            f"{len(args)}")
        ints = []
        for a in args:
            if isinstance(a, Tensor):
                a = a.numpy()
            if isinstance(a, bool) or not isinstance(a, numbers.Integral):
                raise TypeError(f"range: arguments must be integers, got {a!r}")
            ints.append(int(a))
        self._range = range(*ints)  # range() itself refuses step 0 with a clear ValueError
        self._dtype = as_dtype(dtype)
        if not self._dtype.is_integer:
            raise TypeError(f"range: output_type must be an integer type, got "
                            f"{self._dtype.name}")

    def _iterate(self):
        make, dtype = self._dtype.np.type, self._dtype
        for i in self._range:
            yield wrap(make(i), dtype)

    def _compute_spec(self):
        return TensorSpec((), self._dtype)

    def _cardinality(self) -> int:
        return len(self._range)


class Zip(Dataset):
    """``Dataset.zip``: one element from each dataset, until the shortest ends."""

    def __init__(self, datasets):
        super().__init__()
        self._structure = _tuples(datasets)
        self._datasets = S.leaves(self._structure)
        for d in self._datasets:
            if not isinstance(d, Dataset):
                raise TypeError(f"zip: expected a (nested) tuple or dict of datasets, found "
                                f"{type(d).__name__}")
        if not self._datasets:
            raise ValueError("zip: give at least one dataset")

    def _iterate(self):
        iterators = [d._iterate() for d in self._datasets]
        pack = S.make_packer(self._structure)
        try:
            while True:
                parts = []
                for it in iterators:
                    try:
                        parts.append(next(it))
                    except StopIteration:
                        return
                yield pack(parts)
        finally:
            for it in iterators:
                it.close()

    def _compute_spec(self):
        return S.pack(self._structure, [d.element_spec for d in self._datasets])

    def _cardinality(self) -> int:
        result = INFINITE_CARDINALITY
        for d in self._datasets:
            n = d._cardinality()
            if n == UNKNOWN_CARDINALITY:
                return UNKNOWN_CARDINALITY
            if n != INFINITE_CARDINALITY:
                result = n if result == INFINITE_CARDINALITY else min(result, n)
        return result


def _tuples(x):
    """A structure of datasets with lists read as tuples (zip accepts either)."""
    if isinstance(x, dict):
        return type(x)((k, _tuples(v)) for k, v in x.items())
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return type(x)(*[_tuples(v) for v in x])
    if isinstance(x, (list, tuple)):
        return tuple(_tuples(v) for v in x)
    return x


class Generator(Dataset):
    """``from_generator``: elements yielded by a Python generator, checked against a
    signature and converted to its dtypes."""

    def __init__(self, generator, output_types, output_shapes, args, output_signature):
        super().__init__()
        what = "from_generator"
        if not callable(generator):
            raise TypeError(f"{what}: generator must be a callable that returns an iterator "
                            f"(e.g. a generator function), got {type(generator).__name__}")
        if output_signature is not None:
            if output_types is not None or output_shapes is not None:
                raise TypeError(f"{what}: give output_signature, or output_types (with "
                                "optional output_shapes), not both")
            signature = _tuples(output_signature)
            for spec in S.leaves(signature):
                if not isinstance(spec, TensorSpec):
                    raise TypeError(f"{what}: output_signature must be a (nested) structure "
                                    f"of TensorSpec, found {spec!r}")
            self._dtypes = nest.map_structure(lambda s: s.dtype, signature)
            self._shapes = nest.map_structure(lambda s: s.shape, signature)
        elif output_types is not None:
            self._dtypes = nest.map_structure(as_dtype, _tuples(output_types))
            if output_shapes is None:
                self._shapes = nest.map_structure(lambda _: None, self._dtypes)
            else:
                self._shapes = _shapes_like(self._dtypes, output_shapes, what)
        else:
            raise TypeError(f"{what}: give output_signature (a structure of ag.TensorSpec), "
                            "or output_types")
        self._generator = generator
        self._args = () if args is None else tuple(
            convert_to_tensor(a).numpy() for a in (args if isinstance(args, (list, tuple))
                                                     else (args,)))

    def _iterate(self):
        flat_dtypes = S.leaves(self._dtypes)
        flat_shapes = [s for s in _flat_shapes(self._shapes)]
        pack = S.make_packer(self._dtypes)
        for value in self._generator(*self._args):
            flat = _flatten_like(self._dtypes, value)
            out = []
            for v, dtype, shape in zip(flat, flat_dtypes, flat_shapes):
                out.append(_convert_yielded(v, dtype, shape))
            yield pack(out)

    def _compute_spec(self):
        flat_shapes = list(_flat_shapes(self._shapes))
        if any(s is None for s in flat_shapes):
            raise ValueError("from_generator: element_spec needs the element shapes, which "
                             "were not given (unknown rank is not representable by "
                             "TensorSpec); pass output_signature or output_shapes")
        return S.pack(self._dtypes, [TensorSpec(s, d) for s, d in
                                     zip(flat_shapes, S.leaves(self._dtypes))])

    def _cardinality(self) -> int:
        return UNKNOWN_CARDINALITY


def _flat_shapes(shapes):
    """Leaves of a structure of TensorShapes (which are tuples, so nest would descend)."""
    if isinstance(shapes, dict):
        for k in sorted(shapes):
            yield from _flat_shapes(shapes[k])
    elif isinstance(shapes, tuple) and not isinstance(shapes, TensorShape):
        for s in shapes:
            yield from _flat_shapes(s)
    else:
        yield shapes


def _shapes_like(dtypes, shapes, what: str):
    """``output_shapes`` laid out like ``output_types`` (each shape a list/tuple of dims)."""
    if isinstance(dtypes, dict):
        if not isinstance(shapes, dict) or set(shapes) != set(dtypes):
            raise TypeError(f"{what}: output_shapes must have the structure of output_types")
        return type(dtypes)((k, _shapes_like(dtypes[k], shapes[k], what)) for k in dtypes)
    if isinstance(dtypes, tuple):
        if not isinstance(shapes, (list, tuple)) or len(shapes) != len(dtypes):
            raise TypeError(f"{what}: output_shapes must have the structure of output_types")
        return tuple(_shapes_like(d, s, what) for d, s in zip(dtypes, shapes))
    return None if shapes is None else TensorShape(shapes)


def _flatten_like(signature, value) -> list:
    """The leaves of a yielded ``value`` following ``signature``."""
    try:
        return S.flatten_up_to(signature, value, "from_generator", "element")
    except TypeError:
        raise _structure_error(signature, value) from None


def _structure_error(signature, value) -> TypeError:
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return TypeError(f"from_generator: `generator` yielded an element that did not match the "
                     f"expected structure. The expected structure was "
                     f"{nest.map_structure(lambda d: d.name, signature)}, but the yielded "
                     f"element was {text}")


def _convert_yielded(value, dtype, shape) -> Tensor:
    try:
        t = convert_to_tensor(value, dtype=dtype)
    except (TypeError, ValueError) as e:
        raise TypeError(f"from_generator: `generator` yielded an element that could not be "
                        f"converted to the expected type {dtype.name}: {e}") from None
    if shape is not None and not (len(shape) == t.ndim and shape.is_compatible_with(
            tuple(t.shape))):
        raise InvalidArgumentError(
            f"from_generator: `generator` yielded an element of shape {list(t.shape)} where "
            f"an element of shape {list(shape)} was expected", "PyFunc")
    return t

