"""Ternaries: ``a if c else b`` -> ``ag__.if_exp(c, lambda: a, lambda: b, 'c')``.

Only the chosen side is evaluated, as in Python; a staged condition builds a ``cond``.
"""
from __future__ import annotations

import gast

from autograph.converter import templates
from autograph.converter.transformer import Base, const, mark_inline


def _source(node) -> str:
    try:
        return gast.unparse(node).strip() if hasattr(gast, "unparse") else ""
    except Exception:  # noqa: BLE001 - only used for messages
        return ""


class ConditionalExpressionTransformer(Base):

    def visit_IfExp(self, node):
        node = self.generic_visit(node)
        call = templates.replace_as_expression(
            "ag__.if_exp(test, lambda: body, lambda: orelse, label)", node, test=node.test,
            body=node.body, orelse=node.orelse, label=const(_source(node.test)))
        mark_inline(call)
        return call


def transform(node, ctx):
    return ConditionalExpressionTransformer(ctx).visit(node)
