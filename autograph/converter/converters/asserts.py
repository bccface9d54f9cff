"""``assert test, message``: ``ag__.assert_stmt(test, lambda: message)``.

With a Python (or eager) test this is Python's assert; with a staged one it becomes a graph
assertion checked every time the function runs. The message is built only when needed.
"""
from __future__ import annotations

from autograph.converter import templates
from autograph.converter.transformer import StatementTransformer, mark_inline


class AssertTransformer(StatementTransformer):

    def visit_Assert(self, node):
        node = self.generic_visit(node)
        if node.msg is None:
            return templates.replace("ag__.assert_stmt(test, None)", node, test=node.test)
        stmts = templates.replace("ag__.assert_stmt(test, lambda: message)", node,
                                  test=node.test, message=node.msg)
        mark_inline(stmts[0].value)
        return stmts


def transform(node, ctx):
    return AssertTransformer(ctx).visit(node)
