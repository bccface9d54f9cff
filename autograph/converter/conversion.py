"""The conversion pipeline and its caches.

    source -> ast -> gast -> converters (one per construct, in order) -> ast -> code

The converters run in this order; the analyses run once, right before the converters that
read them (``variables`` and ``control_flow``), on the tree the earlier ones produced. A
converter whose construct does not occur is skipped; the expression converters share one
walk. The generated code is compiled from its tree with the user's line numbers; its source
text (``ast.unparse``) is produced only for ``to_code``.

Caches: the compiled code per code object, weakly (functions re-created with the same code,
such as closures and lambdas made in a loop, are converted once), and the converted function
on the function object.
"""
from __future__ import annotations

import ast
import time
import weakref

import gast

from runtime import collector
from autograph.converter import disk_cache, loader, operators, parser, verbosity
from autograph.converter.analysis import activity, definedness, liveness
from autograph.converter.converters import (
    asserts, break_statements, call_trees, conditional_expressions, continue_statements,
    control_flow, functions, global_statements, lists, logical_expressions, return_statements,
    variables,
)
from autograph.converter.naming import Namer
from autograph.converter.transformer import Combined, Context

class _ByIdentity:
    """A weak mapping keyed by object identity. Code objects hash and compare by content: a
    WeakKeyDictionary would hash the whole code object (its bytecode and constants, nested
    code included) on every lookup of a new function."""

    def __init__(self):
        self._entries: dict = {}       # id(key) -> (weak reference to key, value)

    def get(self, key):
        found = self._entries.get(id(key))
        return found[1] if found is not None and found[0]() is key else None

    def __getitem__(self, key):
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __setitem__(self, key, value) -> None:
        k, entries = id(key), self._entries
        # the callback runs when the key is freed, before its id can be reused
        entries[k] = (weakref.ref(key, lambda _, k=k: entries.pop(k, None)), value)


_factories = _ByIdentity()                                               # code -> Factory


def is_library(fn) -> bool:
    """Code that is never converted (see ``operators.calls``)."""
    from autograph.converter.operators import calls
    return calls.is_library(fn.__globals__.get("__name__"), fn.__code__.co_filename)


def is_converted(fn) -> bool:
    code = getattr(fn, "__code__", None)
    return code is not None and code.co_filename.startswith("<autograph")


def convert_function(fn):
    """The converted version of the Python function ``fn``, cached on ``fn`` itself: the
    converted function refers to ``fn``'s globals, which may refer back to ``fn`` (an exec'd
    namespace), so a table holding both would keep them alive for ever, while a cycle
    through ``fn`` goes with it. The entry names ``fn``, since ``functools.wraps`` copies
    it to wrappers."""
    found = fn.__dict__.get(loader.CACHE_ATTRIBUTE)
    if found is not None and found[0] is fn:
        return found[1]
    if is_converted(fn):
        return fn
    factory = _factories.get(fn.__code__)
    if factory is None:
        factory = _build(fn)
        _factories[fn.__code__] = factory
    converted = loader.instantiate(factory, fn, operators)
    fn.__dict__[loader.CACHE_ATTRIBUTE] = (fn, converted)
    return converted


def factory_of(fn):
    """The compiled conversion of ``fn`` (source, source map), converting if needed."""
    convert_function(fn)
    return _factories[fn.__code__]


def source_of(fn) -> str:
    """The converted code of ``fn`` as Python source (converted again: only the compiled
    code is kept)."""
    node = _converted_tree(fn)
    return ast.unparse(loader.factory_module(node, fn.__code__.co_freevars))


def _build(fn) -> loader.Factory:
    start = time.perf_counter()
    code = fn.__code__
    qualname = getattr(fn, "__qualname__", fn.__name__)
    key = disk_cache.key_of(fn) if disk_cache.enabled() else None
    stored = disk_cache.load(key, code.co_name) if key is not None else None
    if stored is not None:
        factory = loader.from_code(stored, qualname, code.co_filename)
    else:
        with collector.paused():
            node = _converted_tree(fn)
            factory = loader.build(node, code.co_freevars, qualname, code.co_filename)
        if key is not None:
            disk_cache.store(key, factory.code)
    if verbosity.has_verbosity(1):
        what, how = ("Loaded", "from the conversion cache ") if stored is not None else \
            ("Converted", "")
        verbosity.log(1, f"{what} {qualname} ({code.co_filename}:{code.co_firstlineno}) {how}"
                         f"in {(time.perf_counter() - start) * 1e3:.2f} ms")
        if verbosity.has_verbosity(2):
            verbosity.log(2, f"Converted code of {qualname}:\n{source_of(fn)}")
    return factory


def _converted_tree(fn):
    entity = parser.parse_function(fn)
    node = entity.node
    qualname = getattr(fn, "__qualname__", fn.__name__)
    if isinstance(node, gast.FunctionDef):
        node.decorator_list = []
        node.returns = None
        for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs + \
                [node.args.vararg, node.args.kwarg]:
            if a is not None:
                a.annotation = None
    kinds, names = entity.survey.kinds, entity.survey.names
    ctx = Context(qualname, entity.filename, Namer(names | {"ag__", "ag__lambda"}))
    return transform(node, ctx, kinds, names)


def transform(node, ctx, kinds, names=frozenset()):
    """Run the converters on ``node``; what occurs in it (``kinds``: node types, ``names``:
    identifiers and attributes) lets absent constructs skip theirs."""
    loops = gast.While in kinds or gast.For in kinds
    jumps = kinds & {gast.Break, gast.Continue, gast.Return}
    if kinds & {gast.Yield, gast.YieldFrom} or "super" in names:
        node = functions.transform(node, ctx)
    if gast.Break in kinds or "loop-else" in kinds:
        node = break_statements.transform(node, ctx)
    if gast.Assert in kinds:
        node = asserts.transform(node, ctx)
    if gast.Continue in kinds:
        node = continue_statements.transform(node, ctx)
    if gast.Return in kinds and isinstance(node, gast.FunctionDef):
        node = return_statements.transform(node, ctx)
    if (loops or gast.If in kinds) and ("append" in names or "pop" in names):
        node = lists.transform(node, ctx)
    if kinds & {gast.Call, gast.IfExp, gast.BoolOp, gast.Not, gast.Compare, gast.Assert} or \
            jumps:
        # expression converters share one walk; their lambdas are marked inline
        node = Combined(ctx, [call_trees.CallTreeTransformer(ctx),
                              conditional_expressions.ConditionalExpressionTransformer(ctx),
                              logical_expressions.LogicalExpressionTransformer(ctx)]).visit(node)
    if loops or gast.If in kinds or jumps:
        if _analyze(node):
            node = variables.transform(node, ctx)
        node = control_flow.transform(node, ctx)
    if gast.Global in kinds:
        node = global_statements.transform(node, ctx)
    return node


def _analyze(node) -> bool:
    """Activity, liveness and definedness for ``node`` and every function nested in it;
    whether some load may find its variable unbound."""
    maybe_unbound = False
    for fn in _functions(node):
        scope = activity.analyze(fn)
        liveness.analyze(fn)
        maybe_unbound |= definedness.analyze(fn, scope)
    return maybe_unbound


def _functions(node) -> list:
    """``node`` and the functions defined in it (definitions are statements: only blocks
    are searched)."""
    found, stack = [], [node]
    while stack:
        n = stack.pop()
        if n.__class__ is gast.FunctionDef:
            found.append(n)
        for field in ("body", "orelse", "finalbody", "handlers"):
            block = n.__dict__.get(field)
            if block.__class__ is list:
                stack.extend(block)
    return found
