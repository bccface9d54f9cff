"""``continue``: a per-iteration flag and guards that skip the rest of the body.

    for x in xs:                for x in xs:
        a()                         continue_ = False
        if c:             ->        a()
            continue                if c:
        b()                             continue_ = True
                                    if not continue_:
                                        b()

The flag is assigned first thing in every iteration, so it never becomes a loop variable.
"""
from __future__ import annotations

import gast

from autograph.converter import templates
from autograph.converter.converters import guards
from autograph.converter.transformer import StatementTransformer


class ContinueTransformer(StatementTransformer):

    def _loop(self, node):
        node = self.generic_visit(node)
        flag = self.ctx.namer.new("continue_")
        body, used = guards.rewrite_block(
            node.body, lambda s: isinstance(s, gast.Continue),
            lambda s: templates.replace("flag = True", s, flag=flag), flag)
        if used:
            node.body = templates.replace("flag = False", node, flag=flag) + body
        return node

    visit_While = _loop
    visit_For = _loop


def transform(node, ctx):
    return ContinueTransformer(ctx).visit(node)
