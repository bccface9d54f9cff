"""Calls: every call goes through ``ag__.converted_call(f, args, kwargs)``.

``converted_call`` decides at run time: user functions are converted (once, cached) and
called; builtins with tensor-aware versions (``range``, ``len``, ...) use those; library
code (NumPy, the standard library, this project) runs as it is.

    f(a, *b, k=c, **d)  ->  ag__.converted_call(f, (a, *b), {'k': c, **d})

Decorators are left as written (they run once, when the function is defined), and so are
``set_loop_options`` calls, which the control-flow converter turns into loop options.
"""
from __future__ import annotations

import gast

from autograph.converter import templates
from autograph.converter.converters import control_flow
from autograph.converter.transformer import Base, const, is_generated_call


# Builtins that look at the calling frame: they must be called from the converted code itself.
_FRAME_BUILTINS = frozenset({"locals", "globals", "vars", "eval", "exec", "super", "dir"})


class CallTreeTransformer(Base):

    def visit_FunctionDef(self, node):
        decorators = node.decorator_list
        node.decorator_list = []
        node = self.generic_visit(node)
        node.decorator_list = decorators
        return node

    def visit_Call(self, node):
        node = self.generic_visit(node)
        if is_generated_call(node) or (isinstance(node.func, gast.Name) and
                                       node.func.id in _FRAME_BUILTINS) or \
                control_flow.is_loop_options(node):
            return node
        args = gast.Tuple(elts=list(node.args), ctx=gast.Load())
        if node.keywords:
            kwargs = gast.Dict(keys=[const(k.arg) if k.arg is not None else None
                                     for k in node.keywords],
                               values=[k.value for k in node.keywords])
        else:
            kwargs = None
        call = templates.replace_as_expression("ag__.converted_call(func, args, kwargs)",
                                               node, func=node.func, args=args, kwargs=kwargs)
        return call


def transform(node, ctx):
    return CallTreeTransformer(ctx).visit(node)
