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
from autograph.converter.analysis.activity import _expr, effects


def _facts(node) -> tuple:
    """(reads, kills) of one statement without its blocks, as plain names: what it reads (a
    composite write reads its root) and what it binds. Cached on the node: loops are
    analysed several times."""
    facts = anno.getanno(node, "liveness_facts")
    if facts is None:
        reads, writes, nested = effects(node)
        read_roots = {q.root for q in reads}
        read_roots.update(q.root for q in writes if q.is_composite)
        facts = (frozenset(read_roots), nested.binds)
        anno.setanno(node, "liveness_facts", facts)
    return facts


class _Loop:
    __slots__ = ("exit", "head")

    def __init__(self, exit_live, head_live):
        self.exit = exit_live
        self.head = head_live


def _block(stmts: list, live: frozenset, loop) -> frozenset:
    for s in reversed(stmts):
        handler = _COMPOUND.get(s.__class__)
        if handler is not None:
            inn = handler(s, live, loop)
            anno.setanno(s, "live_in", inn)
            anno.setanno(s, "live_out", live)
            live = inn
        else:
            live = _simple(s, live, loop)
    return live


def _simple(s, out: frozenset, loop) -> frozenset:
    """Live before a statement without blocks."""
    cls = s.__class__
    if cls is gast.Break:
        return loop.exit if loop is not None else out
    if cls is gast.Continue:
        return loop.head if loop is not None else out
    reads, kills = _facts(s)
    if cls is gast.Return or cls is gast.Raise:
        return reads
    return (out - kills) | reads


def _if(s, out: frozenset, loop) -> frozenset:
    return _facts(s)[0] | _block(s.body, out, loop) | _block(s.orelse, out, loop)


def _while(s, out: frozenset, loop) -> frozenset:
    head = _facts(s)[0] | _block(s.orelse, out, loop)
    while True:
        body = _block(s.body, head, _Loop(out, head))
        new = head | body
        if new == head:
            return head
        head = new


def _for(s, out: frozenset, loop) -> frozenset:
    target_kills, target_reads = _facts(s)[1], _target_reads(s)
    head = _block(s.orelse, out, loop)
    while True:
        body = _block(s.body, head, _Loop(out, head))
        new = head | ((body - target_kills) | target_reads)
        if new == head:
            break
        head = new
    return head | _facts(s)[0]


def _with(s, out: frozenset, loop) -> frozenset:
    reads, kills = _facts(s)
    return reads | (_block(s.body, out, loop) - kills)


def _try(s, out: frozenset, loop) -> frozenset:
    after_final = _block(s.finalbody, out, loop)
    after_body = _block(s.orelse, after_final, loop)
    live = _block(s.body, after_body, loop) | after_final
    for h in s.handlers:
        live |= _block(h.body, after_final, loop)
    return live | _facts(s)[0]


# statements with blocks, annotated with ``live_in`` and ``live_out``
_COMPOUND = {gast.If: _if, gast.While: _while, gast.For: _for, gast.With: _with,
             gast.Try: _try}


def _target_reads(node) -> set:
    """Names a for-loop target reads (``for a[i] in ...`` reads ``a`` and ``i``)."""
    reads, writes, _ = effects(node)
    iter_reads = set()
    _expr(node.iter, iter_reads, set())
    return {q.root for q in reads if q not in iter_reads} | \
        {q.root for q in writes if q.is_composite}


def analyze(fn) -> frozenset:
    """Annotate the statements of ``fn`` (a FunctionDef); returns the names live at entry."""
    return _block(fn.body, frozenset(), None)
