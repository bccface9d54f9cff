"""The user-facing API of the converter: ``convert``, ``to_code``, ``to_graph``,
``do_not_convert`` and ``autograph.experimental``.

Importing this module is cheap: the converter itself is imported on first use.
"""
from __future__ import annotations

import functools
import textwrap
import types


def _conversion():
    from autograph.converter import conversion
    return conversion


def _origin():
    from autograph.converter import origin
    return origin


def do_not_convert(func=None):
    """Mark ``func`` to be called as written from converted code (``tf.autograph.
    experimental.do_not_convert``); also usable as ``@do_not_convert()``."""
    if func is None:
        return do_not_convert
    try:
        func.__ag_do_not_convert__ = True
        return func
    except (AttributeError, TypeError):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            return func(*args, **kwargs)
        wrapper.__ag_do_not_convert__ = True
        return wrapper


def _unwrap(fn):
    """(the Python function to convert, how to rebind it) for functions, methods, partials,
    and ``ag.function`` objects."""
    if isinstance(fn, functools.partial):
        return fn.func, lambda c: functools.partial(c, *fn.args, **fn.keywords)
    if isinstance(fn, types.MethodType):
        return fn.__func__, lambda c: types.MethodType(c, fn.__self__)
    inner = getattr(fn, "python_function", None)   # an ag.function Function
    if inner is not None and not isinstance(fn, types.FunctionType):
        return _unwrap(inner)
    call = getattr(type(fn), "__call__", None)
    if not isinstance(fn, (types.FunctionType, type)) and isinstance(call, types.FunctionType):
        return call, lambda c: types.MethodType(c, fn)     # a callable object
    return fn, lambda c: c


def convert(fn, recursive: bool = True):
    """``fn`` converted: a function that, when exceptions leave it, notes the user's lines.
    Converting a converted function, one marked ``do_not_convert`` or library code (NumPy,
    the standard library, installed packages, this project) returns it as is."""
    if getattr(fn, "__ag_converted__", False) or getattr(fn, "__ag_do_not_convert__", False):
        return fn
    target, rebind = _unwrap(fn)
    if not isinstance(target, types.FunctionType):
        return fn if callable(fn) else _not_callable(fn)
    if getattr(target, "__ag_do_not_convert__", False):
        return fn
    conversion = _conversion()
    if conversion.is_converted(target) or conversion.is_library(target):
        return fn
    converted = conversion.convert_function(target)
    wrapped = converted.__dict__.get("__ag_entry_point__")
    if wrapped is None:
        wrapped = converted.__ag_entry_point__ = _entry_point(converted)
    return rebind(wrapped)


def _not_callable(fn):
    raise TypeError(f"convert: expected a function, got {type(fn).__name__}")


def _entry_point(converted):
    annotate = _origin().annotate

    @functools.wraps(converted)
    def entry(*args, **kwargs):
        try:
            return converted(*args, **kwargs)
        except BaseException as e:
            annotate(e)
            raise

    entry.__ag_converted__ = True
    del entry.__wrapped__
    return entry


def to_graph(entity, recursive: bool = True, experimental_optional_features=None):
    """The converted function (``tf.autograph.to_graph``)."""
    return convert(entity, recursive)


def to_code(entity, recursive: bool = True, experimental_optional_features=None) -> str:
    """The source of the converted function (``tf.autograph.to_code``)."""
    target, _ = _unwrap(entity)
    source = _conversion().source_of(target)
    lines = source.splitlines(True)
    # drop the factory's header and placeholder lines: show the converted function itself
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("def ") and not stripped.startswith("def ag__factory") or \
                stripped.startswith("ag__lambda"):
            return textwrap.dedent("".join(lines[i:]))
    return source


def set_loop_options(parallel_iterations=None, swap_memory=None, maximum_iterations=None,
                     shape_invariants=None) -> None:
    """``tf.autograph.experimental.set_loop_options``: called at the top level of a loop body
    in a converted function, it sets that loop's options (the converter takes the call out
    and evaluates its arguments before the loop). ``maximum_iterations`` caps a graph loop;
    the others are hints this runtime does not need. Called anywhere else, it does nothing."""
    return None


class _Experimental(types.SimpleNamespace):
    pass


_FEATURES = ("ALL", "AUTO_CONTROL_DEPS", "ASSERT_STATEMENTS", "BUILTIN_FUNCTIONS",
             "EQUALITY_OPERATORS", "LISTS", "NAME_SCOPES")
experimental = _Experimental(do_not_convert=do_not_convert, set_loop_options=set_loop_options,
                             Feature=types.SimpleNamespace(**{f: f for f in _FEATURES}))


def set_verbosity(level: int, alsologtostdout: bool = False) -> None:
    """``tf.autograph.set_verbosity``: 1 logs each conversion, 2 also the converted source
    (to the ``autograph`` logger; ``alsologtostdout`` prints it too). Overrides the
    ``AUTOGRAPH_VERBOSITY`` environment variable."""
    from autograph.converter import verbosity
    verbosity.set_verbosity(level, alsologtostdout)


def get_verbosity() -> int:
    """``tf.autograph.get_verbosity``: the level in force."""
    from autograph.converter import verbosity
    return verbosity.get_verbosity()


def trace(*args) -> None:
    """``tf.autograph.trace``: print the arguments while tracing (Python print)."""
    print(*args)


__all__ = ["convert", "to_code", "to_graph", "do_not_convert", "experimental",
           "set_loop_options", "set_verbosity", "get_verbosity", "trace"]
