"""Functions: what the converted function and the functions nested in it need first.

- Generators are refused: their blocks cannot become ``cond``/``while_loop`` bodies.
- Zero-argument ``super()`` relies on the compiler placing the method in its class; the
  converted code is compiled outside the class, so it becomes ``super(__class__, self)``
  (``__class__`` is a free variable bound to the original method's cell).
- Nested functions and lambdas stay where they are: the other converters rewrite their
  bodies too, so calling them later runs converted code.
"""
from __future__ import annotations

import gast

from autograph.converter.transformer import Base, UnsupportedConstructError, name_node


class FunctionTransformer(Base):

    def __init__(self, ctx):
        super().__init__(ctx)
        self._first_args: list = []

    def visit_FunctionDef(self, node):
        a = node.args
        params = a.posonlyargs + a.args
        self._first_args.append(params[0].id if params else None)
        node = self.generic_visit(node)
        self._first_args.pop()
        return node

    def visit_Lambda(self, node):
        self._first_args.append(None)
        node = self.generic_visit(node)
        self._first_args.pop()
        return node

    def visit_Yield(self, node):
        raise self.ctx.error(node, "generators (yield) cannot be converted; return a list or "
                                   "tensor instead, or decorate the function with "
                                   "ag.function(autograph=False)", UnsupportedConstructError)

    visit_YieldFrom = visit_Yield

    def visit_Call(self, node):
        node = self.generic_visit(node)
        f = node.func
        if isinstance(f, gast.Name) and f.id == "super" and not node.args and \
                not node.keywords:
            first = self._first_args[-1] if self._first_args else None
            if first is None:
                raise self.ctx.error(node, "super() without arguments needs the method's first "
                                           "argument; write super(Class, self)")
            node.args = [name_node("__class__"), name_node(first)]
        return node


def transform(node, ctx):
    return FunctionTransformer(ctx).visit(node)
