"""``break``: a flag the loop tests, and guards that skip the rest of the iteration.

    while test:                 break_ = False
        a()                     while not break_ and test:
        if c:                       a()
            break          ->       if c:
        b()                             break_ = True
    else:                           if not break_:
        e()                             b()
                                if not break_:
                                    e()

A ``for`` loop gets ``not break_`` as its *extra test* (annotation ``extra_test``, checked
before each iteration by ``for_stmt``). Python's ``else`` on loops is supported: it runs
when the loop was not broken (and, without a ``break``, it simply follows the loop).
Loops are rewritten innermost first, so every ``break`` left in a body belongs to it.
"""
from __future__ import annotations

import gast

from autograph.converter import anno, templates
from autograph.converter.converters import guards
from autograph.converter.transformer import StatementTransformer, contains


def _rewrite(stmts: list, flag: str):
    return guards.rewrite_block(stmts, lambda s: isinstance(s, gast.Break),
                                lambda s: templates.replace("flag = True", s, flag=flag), flag)


def _has_break(stmts: list) -> bool:
    """A ``break`` of this loop (nested loops were rewritten already; functions are skipped)."""
    return contains(stmts, gast.Break, (gast.FunctionDef, gast.ClassDef, gast.While, gast.For))


def and_extra_test(node, test) -> None:
    """Add ``test`` to the extra test of a ``for`` loop (conjunction with an existing one)."""
    old = anno.getanno(node, "extra_test")
    if old is not None:
        test = gast.BoolOp(op=gast.And(), values=[test, old])
    anno.setanno(node, "extra_test", test)


class BreakTransformer(StatementTransformer):

    def _loop(self, node):
        node = self.generic_visit(node)
        orelse = node.orelse
        node.orelse = []
        if not _has_break(node.body):
            return [node] + orelse
        flag = self.ctx.namer.new("break_")
        body, _ = _rewrite(node.body, flag)
        node.body = body
        not_broken = templates.replace_as_expression("not flag", node, flag=flag)
        if isinstance(node, gast.While):
            node.test = gast.BoolOp(op=gast.And(), values=[not_broken, node.test])
        else:
            and_extra_test(node, not_broken)
        out = templates.replace("flag = False", node, flag=flag) + [node]
        if orelse:
            out += templates.replace("""
                if not flag:
                    orelse
            """, orelse[0], flag=flag, orelse=orelse)
        return out

    visit_While = _loop
    visit_For = _loop


def transform(node, ctx):
    return BreakTransformer(ctx).visit(node)
