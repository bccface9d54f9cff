"""``and``, ``or``, ``not`` and comparison chains, lazy as in Python:

    a and b        ->  ag__.and_(a, lambda: b)
    not a          ->  ag__.not_(a)
    a < b < c      ->  ag__.compare_chain(a, '<', lambda: b, '<', lambda: c)

The right operand is evaluated only if needed (with a staged left operand, inside a
``cond``), and each operand of a chain once. Single comparisons stay as they are: tensors
overload them.
"""
from __future__ import annotations

import gast

from autograph.converter import templates
from autograph.converter.transformer import Base, const, mark_inline

_COMPARISONS = {
    gast.Eq: "==", gast.NotEq: "!=", gast.Lt: "<", gast.LtE: "<=", gast.Gt: ">",
    gast.GtE: ">=", gast.Is: "is", gast.IsNot: "is not", gast.In: "in", gast.NotIn: "not in",
}


def _thunk(expr):
    return gast.Lambda(args=gast.arguments(args=[], posonlyargs=[], vararg=None,
                                           kwonlyargs=[], kw_defaults=[], kwarg=None,
                                           defaults=[]), body=expr)


class LogicalExpressionTransformer(Base):

    def visit_BoolOp(self, node):
        node = self.generic_visit(node)
        fn = "and_" if isinstance(node.op, gast.And) else "or_"
        result = node.values[-1]
        for value in reversed(node.values[:-1]):
            result = templates.replace_as_expression(
                f"ag__.{fn}(left, lambda: right)", node, left=value, right=result)
            mark_inline(result)
        return result

    def visit_UnaryOp(self, node):
        node = self.generic_visit(node)
        if isinstance(node.op, gast.Not):
            return templates.replace_as_expression("ag__.not_(operand)", node,
                                                   operand=node.operand)
        return node

    def visit_Compare(self, node):
        node = self.generic_visit(node)
        if len(node.ops) == 1:
            return node
        rest = []
        for op, right in zip(node.ops, node.comparators):
            rest += [const(_COMPARISONS[type(op)]), _thunk(right)]
        call = templates.replace_as_expression("ag__.compare_chain(left, rest)", node,
                                               left=node.left, rest=rest)
        mark_inline(call)
        return call


def transform(node, ctx):
    return LogicalExpressionTransformer(ctx).visit(node)
