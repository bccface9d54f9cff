"""Liveness: which plain names may still be read after each point of a function.

A backward data-flow analysis over the structured AST (Python's control flow is structured,
so no explicit CFG is needed): ``break`` continues from the loop's exit, ``continue`` from
its head, ``return`` and ``raise`` end the function. Loops iterate to a fixed point.

``analyze(fn)`` annotates each ``if``/``while``/``for``/``with``/``try`` with ``live_in``
(live before the statement; for loops, live at the loop head) and ``live_out`` (live right
after it). A composite write (``a.b = v``) reads ``a`` and kills nothing.
"""
from __future__ import annotations

import gast

from autograph.converter import anno
from autograph.converter.analysis.activity import effects


def _reads(node) -> set:
    reads, writes, _ = effects(node)
    out = {q.root for q in reads}
    out.update(q.root for q in writes if q.is_composite)
    return out


def _kills(node) -> set:
    return {q for q in effects(node)[1] if not q.is_composite}


class _Loop:
    __slots__ = ("exit", "head")

    def __init__(self, exit_live, head_live):
        self.exit = exit_live
        self.head = head_live


def _block(stmts: list, live: frozenset, loop) -> frozenset:
    for s in reversed(stmts):
        live = _stmt(s, live, loop)
    return live


def _stmt(s, out: frozenset, loop) -> frozenset:
    if isinstance(s, gast.If):
        live = _reads(s) | _block(s.body, out, loop) | _block(s.orelse, out, loop)
        inn = frozenset(live)
    elif isinstance(s, gast.While):
        after_else = _block(s.orelse, out, loop)
        head = frozenset(_reads(s) | after_else)
        while True:
            body = _block(s.body, head, _Loop(out, head))
            new = head | body
            if new == head:
                break
            head = new
        inn = head
    elif isinstance(s, gast.For):
        after_else = _block(s.orelse, out, loop)
        target_kills, target_reads = _kills(s), _target_reads(s)
        head = frozenset(after_else)
        while True:
            body = _block(s.body, head, _Loop(out, head))
            new = head | ((body - target_kills) | target_reads)
            if new == head:
                break
            head = new
        inn = head | _reads(s)
    elif isinstance(s, gast.With):
        inn = frozenset(_reads(s) | (_block(s.body, out, loop) - _kills(s)))
    elif isinstance(s, gast.Try):
        after_final = _block(s.finalbody, out, loop)
        after_body = _block(s.orelse, after_final, loop)
        live = set(_block(s.body, after_body, loop)) | after_final
        for h in s.handlers:
            live |= _block(h.body, after_final, loop)
        inn = frozenset(live | _reads(s))
    elif isinstance(s, gast.Break):
        return loop.exit if loop is not None else out
    elif isinstance(s, gast.Continue):
        return loop.head if loop is not None else out
    elif isinstance(s, (gast.Return, gast.Raise)):
        return frozenset(_reads(s))
    else:
        return frozenset((out - _kills(s)) | _reads(s))
    anno.setanno(s, "live_in", inn)
    anno.setanno(s, "live_out", out)
    return inn


def _target_reads(node) -> set:
    """Names a for-loop target reads (``for a[i] in ...`` reads ``a`` and ``i``)."""
    reads, writes, _ = effects(node)
    iter_reads = set()
    from autograph.converter.analysis.activity import _expr
    _expr(node.iter, iter_reads, set())
    return {q.root for q in reads if q not in iter_reads} | \
        {q.root for q in writes if q.is_composite}


def analyze(fn) -> frozenset:
    """Annotate the statements of ``fn`` (a FunctionDef); returns the names live at entry."""
    return _block(fn.body, frozenset(), None)
