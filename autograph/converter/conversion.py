"""The conversion pipeline and its caches.

    source -> gast -> converters (one per construct, in order) -> ast -> source -> code

The converters run in this order; the analyses run once, right before the converters that
read them (``variables`` and ``control_flow``), on the tree the earlier ones produced. A
converter whose construct does not occur is skipped.

Caches: the compiled code per code object (functions re-created with the same code, such as
closures and lambdas made in a loop, are converted once), and the converted function per
function object (weakly: it goes when the function goes).
"""
from __future__ import annotations

import weakref

import gast

from autograph.converter import loader, operators, parser
from autograph.converter.analysis import activity, definedness, liveness
from autograph.converter.converters import (
    asserts, break_statements, call_trees, conditional_expressions, continue_statements,
    control_flow, functions, lists, logical_expressions, return_statements, variables,
)
from autograph.converter.naming import Namer
from autograph.converter.transformer import Context

_factories: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()   # code -> Factory
_converted: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()   # function -> converted


def is_converted(fn) -> bool:
    code = getattr(fn, "__code__", None)
    return code is not None and code.co_filename.startswith("<autograph")


def convert_function(fn):
    """The converted version of the Python function ``fn`` (cached)."""
    found = _converted.get(fn)
    if found is not None:
        return found
    if is_converted(fn):
        return fn
    factory = _factories.get(fn.__code__)
    if factory is None:
        factory = _build(fn)
        _factories[fn.__code__] = factory
    converted = loader.instantiate(factory, fn, operators)
    _converted[fn] = converted
    return converted


def factory_of(fn):
    """The compiled conversion of ``fn`` (source, source map), converting if needed."""
    convert_function(fn)
    return _factories[fn.__code__]


def _build(fn) -> loader.Factory:
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
    kinds, names = _survey(node)
    ctx = Context(qualname, entity.filename, Namer(names | {"ag__", "ag__lambda"}))
    node = transform(node, ctx, kinds)
    return loader.build(node, fn.__code__.co_freevars, qualname, entity.filename)


def _survey(node):
    """Node types and identifiers that occur in ``node``."""
    kinds, names = set(), set()
    for n in gast.walk(node):
        kinds.add(type(n))
        if isinstance(n, gast.Name):
            names.add(n.id)
        elif isinstance(n, (gast.FunctionDef, gast.ClassDef)):
            names.add(n.name)
        elif isinstance(n, (gast.Global, gast.Nonlocal)):
            names.update(n.names)
    return kinds, names


def transform(node, ctx, kinds):
    """Run the converters on ``node``; ``kinds`` (node types present) lets absent constructs
    skip theirs."""
    loops = gast.While in kinds or gast.For in kinds
    node = functions.transform(node, ctx)
    if loops:   # breaks, and the else blocks of loops
        node = break_statements.transform(node, ctx)
    if gast.Assert in kinds:
        node = asserts.transform(node, ctx)
    if gast.Continue in kinds:
        node = continue_statements.transform(node, ctx)
    if gast.Return in kinds and isinstance(node, gast.FunctionDef):
        node = return_statements.transform(node, ctx)
    if loops:
        node = lists.transform(node, ctx)
    if gast.Call in kinds:
        node = call_trees.transform(node, ctx)
    jumps = kinds & {gast.Break, gast.Continue, gast.Return}
    if loops or gast.If in kinds or jumps:
        _analyze(node)
        node = variables.transform(node, ctx)
        node = control_flow.transform(node, ctx)
    if gast.IfExp in kinds:
        node = conditional_expressions.transform(node, ctx)
    if kinds & {gast.BoolOp, gast.Not, gast.Compare} or jumps:
        node = logical_expressions.transform(node, ctx)
    return node


def _analyze(node) -> None:
    """Activity, liveness and definedness for ``node`` and every function nested in it."""
    for fn in gast.walk(node):
        if isinstance(fn, gast.FunctionDef):
            scope = activity.analyze(fn)
            liveness.analyze(fn)
            definedness.analyze(fn, scope)
