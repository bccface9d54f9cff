"""Turn a converted tree into a function object bound like the original.

The converted function is compiled inside a factory that names the original's free
variables (and ``ag__``), so that they are free variables of the converted code too:

    def ag__factory():
        ag__ = None
        scale = None            # one line per free variable of the original
        def f(x):
            ...converted body...

Only the code object of ``f`` is used. It is instantiated with the original's closure cells
(a closure sees later changes of the variables it closes over, as the original does), a
cell holding the operators module for ``ag__``, the original's defaults, and globals that
hold ``ag__source_map`` and read everything else from the original's module, live.
"""
from __future__ import annotations

import itertools
import types

import gast

from autograph.converter import ast_bridge, disk_cache, origin
from autograph.converter.transformer import name_node

# on a function: (the function, its converted one), set by ``conversion.convert_function``
CACHE_ATTRIBUTE = "__ag_conversion__"
_used_filenames: set = set()
_counter = itertools.count(2)


class Factory:
    """A converted code object plus what instantiating and explaining it needs."""
    __slots__ = ("code", "source_map", "filename", "user_file", "__weakref__")

    def __init__(self, code, source_map, filename: str, user_file: str):
        self.code = code
        self.source_map = source_map
        self.filename = filename
        self.user_file = user_file


class ConvertedGlobals(dict):
    """Globals of converted code: its own names (``ag__source_map``, ``__builtins__``), the
    rest read from the original module's globals at the time of the lookup."""
    __slots__ = ("module",)

    def __missing__(self, key):
        return self.module[key]


def _filename(qualname: str) -> str:
    name = f"<autograph:{qualname}>"
    if name in _used_filenames:
        name = f"<autograph:{qualname}#{next(_counter)}>"
    _used_filenames.add(name)
    return name


def factory_module(node, freevars):
    """The ``ag__factory`` module (an ``ast`` tree) around the converted ``node`` (a gast
    tree, which becomes part of it)."""
    is_lambda = isinstance(node, gast.Lambda)
    body = [gast.Assign(targets=[name_node(n, gast.Store)],
                        value=gast.Constant(value=None, kind=None), type_comment=None)
            for n in ("ag__",) + tuple(v for v in freevars if v != "ag__")]
    if not is_lambda and node.name not in freevars:
        # ``def f`` inside the factory would make ``f`` (recursion) the factory's local:
        # declared global, it resolves in the module, as in the original
        body.insert(0, gast.Global(names=[node.name]))
    if is_lambda:
        body.append(gast.Assign(targets=[name_node("ag__lambda", gast.Store)], value=node,
                                type_comment=None))
    else:
        body.append(node)
    factory = gast.FunctionDef(name="ag__factory", args=_no_args(), body=body,
                               decorator_list=[], returns=None, type_comment=None,
                               type_params=[])
    return ast_bridge.convert(gast.Module(body=[factory], type_ignores=[]),
                          getattr(node, "lineno", 1))


def build(node, freevars, qualname: str, user_file: str) -> Factory:
    """Compile the converted ``node`` (a gast FunctionDef or Lambda).

    The generated code keeps the user's line numbers (every generated statement has the
    line of the statement it came from), so the source map is the identity on lines, and
    the module's name shows the user's lines in tracebacks and debuggers."""
    name = "<lambda>" if isinstance(node, gast.Lambda) else node.name
    module = factory_module(node, freevars)     # (retypes node in place)
    filename = _filename(qualname)
    code = compile(module, filename, "exec", dont_inherit=True)
    origin.register_source(filename, user_file)
    factory_code = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    fn_code = next(c for c in factory_code.co_consts
                   if isinstance(c, types.CodeType) and c.co_name == name)
    return Factory(fn_code, origin.SourceMap(filename, qualname, user_file), filename,
                   user_file)


def from_code(code, qualname: str, user_file: str) -> Factory:
    """A factory for converted ``code`` made earlier (the conversion cache), renamed to a
    generated module name of this process."""
    filename = _filename(qualname)
    origin.register_source(filename, user_file)
    return Factory(disk_cache.renamed(code, filename),
                   origin.SourceMap(filename, qualname, user_file), filename, user_file)


def _no_args():
    return gast.arguments(args=[], posonlyargs=[], vararg=None, kwonlyargs=[], kw_defaults=[],
                          kwarg=None, defaults=[])


def instantiate(factory: Factory, fn, operators):
    """A function running ``factory``'s code with ``fn``'s closure, defaults and module."""
    module = fn.__globals__
    glob = ConvertedGlobals()
    glob.module = module
    glob["__builtins__"] = module.get("__builtins__", __builtins__)
    glob["__name__"] = module.get("__name__")
    glob["ag__source_map"] = factory.source_map
    glob["ag__module"] = module           # stores to ``global`` names go there
    cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
    closure = []
    for name in factory.code.co_freevars:
        if name == "ag__":
            closure.append(types.CellType(operators))
        else:
            closure.append(cells[name])
    new = types.FunctionType(factory.code, glob, fn.__name__, fn.__defaults__,
                             tuple(closure) or None)
    new.__kwdefaults__ = fn.__kwdefaults__
    new.__qualname__ = fn.__qualname__
    new.__doc__ = fn.__doc__
    new.__module__ = fn.__module__
    new.__annotations__ = dict(getattr(fn, "__annotations__", {}) or {})
    # (not ``__wrapped__``, another function, nor the conversion cache entry)
    new.__dict__.update((k, v) for k, v in fn.__dict__.items()
                        if k != "__wrapped__" and k != CACHE_ATTRIBUTE)
    new.__ag_converted__ = True
    return new
