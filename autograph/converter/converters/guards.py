"""Shared by ``break``, ``continue`` and ``return``: replace a jump by setting a flag, and
guard every statement after it (in its block and the enclosing blocks) with ``if not flag``.
"""
from __future__ import annotations

import gast

from autograph.converter import templates

_GUARD = """
    if not flag:
        rest
"""


def rewrite_block(stmts: list, is_jump, replace, flag: str, on_loop=None):
    """(``stmts`` with each jump replaced and what follows it guarded, whether a jump was
    found). Nested functions are left alone; nested loops too, unless ``on_loop`` is given:
    then their bodies are rewritten and ``on_loop(loop)`` is called for each that jumps."""
    out = []
    for i, s in enumerate(stmts):
        if is_jump(s):
            out.extend(replace(s))
            return out, True
        used = _rewrite_nested(s, is_jump, replace, flag, on_loop)
        out.append(s)
        if used:
            rest, _ = rewrite_block(stmts[i + 1:], is_jump, replace, flag, on_loop)
            if rest:
                out.extend(templates.replace(_GUARD, rest[0], flag=flag, rest=rest))
            return out, True
    return out, False


def _rewrite_nested(s, is_jump, replace, flag, on_loop) -> bool:
    if isinstance(s, (gast.FunctionDef, gast.ClassDef)):
        return False
    loop = isinstance(s, (gast.While, gast.For))
    if loop and on_loop is None:
        return False
    used = False
    for field in ("body", "orelse", "finalbody"):
        block = getattr(s, field, None)
        if block:
            new, u = rewrite_block(block, is_jump, replace, flag, on_loop)
            setattr(s, field, new or [gast.Pass()])
            used |= u
    for h in getattr(s, "handlers", ()) or ():
        new, u = rewrite_block(h.body, is_jump, replace, flag, on_loop)
        h.body = new or [gast.Pass()]
        used |= u
    if loop and used:
        on_loop(s)
    return used
