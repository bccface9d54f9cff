"""List ``append`` and ``pop`` inside loops, as assignments the loop can carry.

    l.append(x)      ->  l = ag__.list_append(l, x)
    v = l.pop()      ->  l, v = ag__.list_pop(l, None)

On a Python list these do what the methods do (the list is the same object). Written as
assignments, the list becomes a loop variable; a staged loop turns a list it appends to into
a ``TensorArray``, which ``list_append`` then writes to; written in a graph ``if``, the list
is a branch output, so branches that append differently are an error rather than a list
holding what both traced branches appended. Only plain and qualified names (``l``,
``self.items``, ``d['k']``) are rewritten: anywhere in the converted function's own body, and
inside loops of the functions nested in it (elsewhere in those, the list may be a variable of
the enclosing function, which an assignment would make local). A plain name is rewritten only
when it is the function's own variable: a list from a global or an enclosing function is
appended to as written (a Python side effect while tracing), since the assignment would make
the name local and unbound.
"""
from __future__ import annotations

import gast

from autograph.converter import templates
from autograph.converter.analysis.qual_names import from_node
from autograph.converter.transformer import StatementTransformer


def _method_call(node, method: str):
    """The receiver of ``receiver.method(...)`` if it is a qualified name."""
    if not isinstance(node, gast.Call) or not isinstance(node.func, gast.Attribute):
        return None
    if node.func.attr != method or node.keywords:
        return None
    if from_node(node.func.value) is None:
        return None
    return node.func.value


class ListTransformer(StatementTransformer):

    def __init__(self, ctx):
        super().__init__(ctx)
        self._loops = 0
        self._depth = 0
        self._locals: list = []      # per enclosing function, the names it binds

    def _active(self, target) -> bool:
        if isinstance(target, gast.Name) and self._locals and \
                target.id not in self._locals[-1]:
            return False
        return self._depth <= 1 or self._loops > 0

    def _loop(self, node):
        self._loops += 1
        node = self.generic_visit(node)
        self._loops -= 1
        return node

    visit_While = _loop
    visit_For = _loop

    def visit_FunctionDef(self, node):
        saved, self._loops = self._loops, 0
        self._depth += 1
        self._locals.append(_bound_names(node))
        node = self.generic_visit(node)
        self._locals.pop()
        self._depth -= 1
        self._loops = saved
        return node

    def visit_Expr(self, node):
        node = self.generic_visit(node)
        target = _method_call(node.value, "append")
        if target is not None and self._active(target) and len(node.value.args) == 1 and \
                not isinstance(node.value.args[0], gast.Starred):
            return templates.replace("target = ag__.list_append(target, value)", node,
                                     target=target, value=node.value.args[0])
        target = _method_call(node.value, "pop")
        if target is not None and self._active(target) and len(node.value.args) <= 1:
            return templates.replace("target = ag__.list_pop(target, index)[0]", node,
                                     target=target, index=_index(node.value))
        return node

    def visit_Assign(self, node):
        node = self.generic_visit(node)
        if len(node.targets) != 1:
            return node
        target = _method_call(node.value, "pop")
        if target is not None and self._active(target) and len(node.value.args) <= 1:
            return templates.replace("target, result = ag__.list_pop(target, index)", node,
                                     target=target, result=node.targets[0],
                                     index=_index(node.value))
        return node


_SCOPES = (gast.FunctionDef, gast.AsyncFunctionDef, gast.Lambda, gast.ClassDef,
           gast.ListComp, gast.SetComp, gast.DictComp, gast.GeneratorExp)


def _bound_names(fn) -> set:
    """The names ``fn`` binds as its own variables: parameters and names it stores to (nested
    scopes excluded, their own names included), less ``global``/``nonlocal`` ones."""
    bound, outside = set(), set()
    args = fn.args
    for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
        if a is not None:
            bound.add(a.id)
    stack = list(fn.body)
    while stack:
        n = stack.pop()
        if isinstance(n, (gast.Global, gast.Nonlocal)):
            outside.update(n.names)
        elif isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load):
            bound.add(n.id)
        elif isinstance(n, gast.alias):
            bound.add((n.asname or n.name).split(".")[0])
        if isinstance(n, _SCOPES):
            if not isinstance(n, (gast.Lambda, gast.ListComp, gast.SetComp, gast.DictComp,
                                  gast.GeneratorExp)):
                bound.add(n.name)
            continue
        for child in gast.iter_child_nodes(n):
            stack.append(child)
    return bound - outside


def _index(call):
    return call.args[0] if call.args else None


def transform(node, ctx):
    return ListTransformer(ctx).visit(node)
