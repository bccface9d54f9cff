"""Shared by ``break``, ``continue`` and ``return``: replace a jump by setting a flag, and
guard every statement after it (in its block and the enclosing blocks) with ``if not flag``.

A guard that would hold only another jump's guard takes its flags instead: ``if not
ag__.any_set(continue_, break_)`` rather than two nested ifs (one ``cond`` when staged).
"""
from __future__ import annotations

import gast

from autograph.converter import anno, templates

_GUARD = """
    if not flag:
        rest
"""

_GUARD_SEVERAL = """
    if not ag__.any_set(flags):
        rest
"""


def _guard(rest: list, flag: str) -> list:
    inner = rest[0]
    flags = anno.getanno(inner, "guard_flags") if len(rest) == 1 else None
    if flags is not None and not inner.orelse:
        flags = [flag] + flags
        guard = templates.replace(_GUARD_SEVERAL, inner, flags=flags, rest=inner.body)
    else:
        flags = [flag]
        guard = templates.replace(_GUARD, inner, flag=flag, rest=rest)
    anno.setanno(guard[0], "guard_flags", flags)
    return guard


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
                out.extend(_guard(rest, flag))
            return out, True
    return out, False


def _rewrite_nested(s, is_jump, replace, flag, on_loop) -> bool:
    cls = s.__class__
    if cls is gast.FunctionDef or cls is gast.ClassDef:
        return False
    loop = cls is gast.While or cls is gast.For
    if loop and on_loop is None:
        return False
    used = False
    d = s.__dict__
    for field in ("body", "orelse", "finalbody"):
        block = d.get(field)
        if block:
            new, u = rewrite_block(block, is_jump, replace, flag, on_loop)
            d[field] = new or [gast.Pass()]
            used |= u
    for h in d.get("handlers") or ():
        new, u = rewrite_block(h.body, is_jump, replace, flag, on_loop)
        h.body = new or [gast.Pass()]
        used |= u
    if loop and used:
        on_loop(s)
    return used
