"""Definedness: which local names are certainly, and which possibly, bound at each statement.

A forward reaching-definitions analysis reduced to what the converter needs. Along every path
from the function's entry, is the name assigned (``defined_in``, the meet is intersection)?
Along some path (``maybe_defined_in``, the meet is union)? Loops may run zero times, so what a
loop body defines is not certainly defined after it, though it may be; a block that ends in
``return``/``raise``/``break``/``continue`` does not reach the statement after it.

``analyze(fn, fn_scope)`` annotates each compound statement with both sets, and each load of
a local that may be unbound with ``maybe_undefined`` (the ``variables`` converter routes those
through ``ag__.ld`` so that reading them fails as Python would).
"""
from __future__ import annotations

from typing import Optional

import gast

from autograph.converter import anno
from autograph.converter.analysis import activity
from autograph.converter.analysis.activity import effects
from autograph.converter.transformer import contains

# A state is (must, may): ``must`` is None where the point is unreachable.

_JUMPS = frozenset({gast.Return, gast.Raise, gast.Break, gast.Continue})


def _meet(a, b):
    must_a, may_a = a
    must_b, may_b = b
    if must_a is None:
        must = must_b
    elif must_b is None:
        must = must_a
    else:
        must = must_a & must_b
    return must, may_a | may_b


def _bound_in(stmts: list) -> frozenset:
    """Plain names bound anywhere in ``stmts`` (nested function bodies excluded)."""
    out = set()
    stack = list(stmts)
    while stack:
        s = stack.pop()
        out |= activity.binds(s)
        if s.__class__ is gast.FunctionDef or s.__class__ is gast.ClassDef:
            continue
        d = s.__dict__
        for field in ("body", "orelse", "finalbody"):
            stack.extend(d.get(field) or ())
        for h in d.get("handlers") or ():
            stack.extend(h.body)
    return frozenset(out)


class _Analyzer:
    def __init__(self, locals_: set):
        self.locals = locals_
        self.maybe_unbound = 0

    def loads(self, stmt, defined: frozenset) -> None:
        """Mark the loads of ``stmt`` (of its header, for a compound statement) of locals
        not in ``defined``; activity listed them."""
        for n in effects(stmt)[2].loads:
            if n.id in self.locals and n.id not in defined:
                anno.setanno(n, "maybe_undefined", True)
                self.maybe_unbound += 1

    def block(self, stmts: list, state):
        for s in stmts:
            if state[0] is None:   # unreachable code: analyse it as if reached with nothing
                self.stmt(s, (frozenset(), state[1]))
                continue
            state = self.stmt(s, state)
        return state

    def _annotate(self, s, state) -> None:
        anno.setanno(s, "defined_in", state[0])
        anno.setanno(s, "maybe_defined_in", state[1])

    def stmt(self, s, state):
        must, may = state
        binds = activity.binds(s)
        cls = s.__class__
        if cls is gast.If:
            self._annotate(s, state)
            self.loads(s, must)
            return _meet(self.block(s.body, state), self.block(s.orelse, state))
        if cls is gast.While or cls is gast.For:
            self._annotate(s, state)
            self.loads(s, must)
            again = may | _bound_in(s.body) | binds      # later iterations
            self.block(s.body, (must | binds, again))
            after = self.block(s.orelse, (must, again))
            if after[0] is None or _has_break(s):
                return must, again | after[1]
            return after[0], again | after[1]
        if cls is gast.With:
            self._annotate(s, state)
            self.loads(s, must)
            return self.block(s.body, (must | binds, may | binds))
        if cls is gast.Try:
            self._annotate(s, state)
            body = self.block(s.body, state)
            out = self.block(s.orelse, body)
            anywhere = may | _bound_in(s.body)
            self.loads(s, must)
            for h in s.handlers:
                name = frozenset({h.name.id}) if h.name is not None else frozenset()
                out = _meet(out, self.block(h.body, (must | name, anywhere | name)))
            fin = self.block(s.finalbody, (must, anywhere | out[1]))
            if out[0] is None or fin[0] is None:
                return None, fin[1]
            return out[0] | (fin[0] - must), fin[1]
        self.loads(s, must)
        if cls in _JUMPS:
            return None, may
        return must | binds, may | binds


def _has_break(loop) -> bool:
    return contains(loop.body, gast.Break, (gast.While, gast.For, gast.FunctionDef, gast.ClassDef))


def analyze(fn, fn_scope) -> bool:
    """Annotate ``fn`` (a FunctionDef) given its activity ``FunctionScope``; whether some
    load may find its variable unbound."""
    entry = frozenset(fn_scope.params)
    analyzer = _Analyzer(set(fn_scope.locals))
    analyzer.block(fn.body, (entry, entry))
    return analyzer.maybe_unbound > 0


def defined_in(node) -> Optional[frozenset]:
    return anno.getanno(node, "defined_in")
