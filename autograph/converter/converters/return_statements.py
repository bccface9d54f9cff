"""``return`` anywhere: inside ``if``, loops, ``with`` and ``try``.

First, code after an ``if`` one of whose branches always returns moves into the other
branch, so that both branches of a tensor ``if`` end with a value where Python's do:

    if c:                       if c:
        return a        ->          return a
    b = 1                       else:
    return b                        b = 1
                                    return b

Then, if any ``return`` is left below the top level, each becomes an assignment of a flag and
the value, what follows is guarded, loops containing one stop when the flag is set, and the
function ends with the one real ``return``:

    do_return = False
    retval_ = ag__.UndefinedReturnValue()
    ... do_return = True; retval_ = a ...
    if not do_return:
        ...
    return ag__.retval(retval_)

A function whose end is reachable returns ``None`` there explicitly first, so that a staged
loop or ``if`` that may fall off the end is refused rather than returning a placeholder.
"""
from __future__ import annotations

import gast

from autograph.converter import templates
from autograph.converter.converters import guards
from autograph.converter.converters.break_statements import and_extra_test
from autograph.converter.transformer import StatementTransformer, contains

_NESTED_SCOPES = (gast.FunctionDef, gast.ClassDef)


def _returns(block: list) -> bool:
    """Whether every path through ``block`` ends in a ``return``."""
    if not block:
        return False
    last = block[-1]
    if isinstance(last, gast.Return):
        return True
    if isinstance(last, gast.If):
        return _returns(last.body) and _returns(last.orelse)
    if isinstance(last, gast.With):
        return _returns(last.body)
    return False


def _restructure(stmts: list) -> list:
    out = []
    for i, s in enumerate(stmts):
        _restructure_nested(s)
        out.append(s)
        if isinstance(s, gast.Return):
            return out
        if isinstance(s, gast.If):
            rest = stmts[i + 1:]
            body_returns, else_returns = _returns(s.body), _returns(s.orelse)
            if rest and (body_returns or else_returns):
                if body_returns and not else_returns:
                    s.orelse = _restructure(s.orelse + rest)
                elif else_returns and not body_returns:
                    s.body = _restructure(s.body + rest)
                return out
    return out


def _restructure_nested(s) -> None:
    if isinstance(s, _NESTED_SCOPES):
        return
    for field in ("body", "orelse", "finalbody"):
        block = getattr(s, field, None)
        if block:
            setattr(s, field, _restructure(block))
    for h in getattr(s, "handlers", ()) or ():
        h.body = _restructure(h.body)


def _nested_return(stmts: list) -> bool:
    """Whether a ``return`` sits below the top level of ``stmts`` (not in nested defs)."""
    return any(contains([s], gast.Return, _NESTED_SCOPES) for s in stmts
               if not isinstance(s, (gast.Return,) + _NESTED_SCOPES))


class ReturnTransformer(StatementTransformer):

    def visit_FunctionDef(self, node):
        node = self.generic_visit(node)   # nested functions first: they are separate scopes
        if not _nested_return(node.body):
            return node
        if not isinstance(node.body[-1], gast.Return):
            # the end is reachable: return None there explicitly (moved into the branches
            # that fall through by the restructuring)
            node.body = node.body + templates.replace("return None", node.body[-1])
        node.body = _restructure(node.body)
        flag = self.ctx.namer.new("do_return")
        value = self.ctx.namer.new("retval_")

        def replace(ret):
            return templates.replace("""
                flag = True
                value = result
            """, ret, flag=flag, value=value, result=ret.value)

        def on_loop(loop):
            not_done = templates.replace_as_expression("not flag", loop, flag=flag)
            if isinstance(loop, gast.While):
                loop.test = gast.BoolOp(op=gast.And(), values=[not_done, loop.test])
            else:
                and_extra_test(loop, not_done)

        body, _ = guards.rewrite_block(node.body, lambda s: isinstance(s, gast.Return),
                                       replace, flag, on_loop)
        first = node.body[0]
        node.body = templates.replace("""
            flag = False
            value = ag__.UndefinedReturnValue()
        """, first, flag=flag, value=value) + body + templates.replace(
            "return ag__.retval(value)", node.body[-1], value=value)
        return node


def transform(node, ctx):
    return ReturnTransformer(ctx).visit(node)
