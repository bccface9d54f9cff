"""Calling user functions on elements (``map``, ``filter``, ``flat_map``), and tracing them
to learn the element spec of their results."""
from __future__ import annotations

from ops.tensor import Tensor, convert_to_tensor
from ops.tensor_spec import TensorSpec
from ops.data import structure as S


def check_callable(fn, what: str, arg: str) -> None:
    if not callable(fn):
        raise TypeError(f"{what}: {arg} must be callable, got {type(fn).__name__}")


def call(fn, element):
    """``fn`` on one element, unpacked as TensorFlow does: a tuple element (exactly a tuple,
    not a namedtuple or dict) is passed as positional arguments."""
    return fn(*element) if type(element) is tuple else fn(element)


def call_to_element(fn, element, what: str):
    """``call`` with the result made an element: leaves become tensors, lists tuples."""
    return S.normalize(call(fn, element), what, lists_are_tuples=True)


def truth(value, what: str) -> bool:
    """A predicate's result: a Python/NumPy bool or a scalar bool tensor."""
    if isinstance(value, Tensor):
        if value.dtype.name != "bool" or value.ndim != 0:
            raise TypeError(f"{what}: the predicate must return a scalar bool tensor, got "
                            f"{TensorSpec(tuple(value.shape), value.dtype)}")
        return bool(value)
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    raise TypeError(f"{what}: the predicate must return a scalar bool tensor, got "
                    f"{type(value).__name__}")


def traced_spec(fn, input_spec, what: str):
    """The element spec of ``fn``'s result, by tracing ``fn`` on symbolic inputs shaped like
    ``input_spec`` (``ag.function`` with AutoGraph), as TensorFlow traces map functions.

    Only ``element_spec`` needs this; iterating runs ``fn`` eagerly on each element.
    """
    # autograph imports ops, so the import waits until a spec is asked for.
    from autograph.function import _Leaf, function
    args = input_spec if type(input_spec) is tuple else (input_spec,)
    try:
        concrete = function(fn).get_concrete_function(*args)
    except Exception as e:
        e.add_note(f"({what}: element_spec traces the function on symbolic inputs "
                   f"{input_spec}, as TensorFlow does; iterating runs it eagerly)")
        raise
    outputs = concrete.graph.outputs

    def leaf(x):
        if isinstance(x, _Leaf):
            value = outputs[x.index]
            return TensorSpec(value.shape, value.dtype)
        return S.spec_of(convert_to_tensor(x))

    return _map_output(concrete.structured_outputs, leaf)


def _map_output(x, leaf):
    """Rebuild a function result with ``leaf`` applied, lists read as tuples."""
    if isinstance(x, dict):
        items = [(k, _map_output(v, leaf)) for k, v in x.items()]
        return dict(items) if type(x) is dict else type(x)(items)
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return type(x)(*[_map_output(v, leaf) for v in x])
    if isinstance(x, (list, tuple)):
        return tuple(_map_output(v, leaf) for v in x)
    return leaf(x)

