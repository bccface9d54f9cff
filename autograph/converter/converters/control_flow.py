"""``if``, ``while`` and ``for`` statements become calls of ``ag__.if_stmt`` / ``while_stmt`` /
``for_stmt`` with their blocks as local functions:

    if x > 0:                   def if_body(): nonlocal y; y = x
        y = x                   def else_body(): nonlocal y; y = -x
    else:              ->       y = ag__.Undefined('y')
        y = -x                  ag__.if_stmt(x > 0, if_body, else_body, None, None, ('y',), 1)

The *state* of a statement is what its blocks modify and what may be read later: plain names
modified and live at the statement's entry or exit (or declared ``global``/``nonlocal``, or
read by a nested function), and composites (``self.x``, ``d['k']``) modified whose root is
live at entry. Everything else a block assigns stays local to its function: a branch
temporary never crosses a ``cond``. For an ``if``, the state live after it comes first and is
the ``cond``'s output (``nouts``); the rest is only reset between the branches.

The operators read and write plain local state through the cells of the block functions'
``nonlocal`` variables; ``get_state``/``set_state`` functions are generated only for a state
holding globals or composites (None is passed otherwise). State not certainly bound before
the statement is bound to ``ag__.Undefined`` first (or, if it may be bound, to its value if
it has one: ``ag__.ldu``), except a local of an enclosing block function read through cells
(see ``_undefined_assigns``).

Uses the activity, liveness and definedness annotations of the unconverted statement; blocks
are converted innermost first (the annotations stay on the node while its blocks change).
"""
from __future__ import annotations

import gast

from autograph.converter import anno, templates
from autograph.converter.analysis import activity
from autograph.converter.transformer import StatementTransformer, const, name_node

_STATE_FUNCTIONS = """
    def get_state():
        return (state_reads,)
    def set_state(vars_):
        declarations
        (state_targets,) = vars_
"""


class ControlFlowTransformer(StatementTransformer):

    def __init__(self, ctx):
        super().__init__(ctx)
        self._scopes = []
        self._closures = []   # per enclosing function, the names its nested functions read
        self._frames = []     # per enclosing block function, a _Frame
        self._try_lines = []  # lines of the enclosing ``try`` statements that have handlers

    def visit_FunctionDef(self, node):
        fs = anno.getanno(node, "fn_scope")
        self._scopes.append(fs)
        self._closures.append({str(q) for q in fs.closure_read} if fs is not None else set())
        saved, self._frames = self._frames, []
        saved_try, self._try_lines = self._try_lines, []
        node = self.generic_visit(node)
        self._frames, self._try_lines = saved, saved_try
        self._scopes.pop()
        self._closures.pop()
        return node

    def visit_ClassDef(self, node):
        """A class body is not a function scope (no ``nonlocal`` there): its statements stay
        as written; its methods are converted."""
        node.body = [self.visit(s) if isinstance(s, gast.FunctionDef) else s
                     for s in node.body]
        return node

    def visit_Try(self, node):
        """Statements in the body of a ``try`` with handlers are marked: Python's
        ``except`` cannot catch errors raised when a graph runs, so staging them is
        refused."""
        if not node.handlers:
            return self.generic_visit(node)
        self._try_lines.append(node.lineno)
        node.body = self.visit_block(node.body)
        self._try_lines.pop()
        for h in node.handlers:
            h.body = self.visit_block(h.body)
        node.orelse = self.visit_block(node.orelse)
        node.finalbody = self.visit_block(node.finalbody)
        return node

    def _opts(self, node):
        """The options of a loop: those its body sets with ``set_loop_options`` (the calls
        are taken out of the body; their arguments are evaluated before the loop), and the
        line of an enclosing ``try``, if any."""
        keys, values = [], []
        kept = []
        for s in node.body:
            if s.__class__ is gast.Expr and is_loop_options(s.value):
                if s.value.args:
                    raise self.ctx.error(s, "set_loop_options takes keyword arguments only")
                for k in s.value.keywords:
                    if k.arg not in _LOOP_OPTIONS:
                        raise self.ctx.error(s, f"set_loop_options got an unexpected keyword "
                                                f"argument {k.arg!r}; it takes "
                                                f"{', '.join(sorted(_LOOP_OPTIONS))}")
                    if k.arg == "maximum_iterations":   # the others are hints this runtime
                        keys.append(const(k.arg))       # does not need
                        values.append(k.value)
            else:
                kept.append(s)
        node.body[:] = kept or [gast.Pass()]
        if self._try_lines:
            keys.append(const("in_try"))
            values.append(const(self._try_lines[-1]))
        return gast.Dict(keys=keys, values=values)

    def _visit_blocks(self, node, modified, plain):
        """Convert the blocks of ``node`` (innermost statements first), noting which names
        its block functions will hold as locals (``plain``: the statement's plain state)."""
        names = {str(q) for q in modified if not q.is_composite}
        for field in ("body", "orelse"):    # each block becomes a function
            block = node.__dict__[field]
            own = _own_binds(block)
            if field == "body" and isinstance(node, gast.For):    # the loop target
                own |= {str(q) for q in activity.binds(node)}
            self._frames.append(_Frame(set(plain), names, own))
            block[:] = self.visit_block(block)
            self._frames.pop()
        return node

    def _local_to_a_block_function(self, name) -> bool:
        """Whether ``name`` is a local of an enclosing block function (assigned in that block
        but not part of its statement's state): then the function-level definedness says
        nothing about whether it is bound yet."""
        for frame in reversed(self._frames):
            if name in frame.modified and name not in frame.state:
                return True
        return False

    def _bound_in_innermost(self, name) -> bool:
        """Whether ``name`` is a variable of the innermost enclosing block function: one of
        its statement's state (declared ``nonlocal`` there), or bound by its own code."""
        frame = self._frames[-1]
        return name in frame.state or name in frame.own

    # ---- state --------------------------------------------------------------------------

    def _state(self, node, modified):
        """(plain names, composites) of the statement's state, each sorted."""
        fs = self._scopes[-1]
        live_in = anno.getanno(node, "live_in", frozenset())
        live_out = anno.getanno(node, "live_out", frozenset())
        closure = self._closures[-1]
        plain, composite = set(), set()
        for q in modified:
            if q.is_composite:
                if q.root in live_in:
                    composite.add(q)
                continue
            name = str(q)
            if name in live_in or name in live_out or name in closure or \
                    name in fs.globals or name in fs.nonlocals:
                plain.add(name)
        return sorted(plain), sorted(composite)

    def _declarations(self, plain):
        fs = self._scopes[-1]
        local = [n for n in plain if n not in fs.globals]
        glob = [n for n in plain if n in fs.globals]
        out = []
        if local:
            out.append(gast.Nonlocal(names=local))
        if glob:
            out.append(gast.Global(names=glob))
        return out

    def _undefined_assigns(self, node, plain, through_cells: bool):
        """Bind the state names that may be unbound to ``Undefined`` first: state functions
        must be able to read them, and a read after a Python branch that left one unbound
        must raise UnboundLocalError (through ``ag__.ld``), as the original would.

        A local of an enclosing block function needs this only for state functions (the
        cells read as Undefined, and the name is not live where that block starts, so every
        read of it in the block follows an assignment in the block), or to bind it in the
        innermost block function, which its blocks' ``nonlocal`` declarations need."""
        fs = self._scopes[-1]
        must = anno.getanno(node, "defined_in") or frozenset()
        may = anno.getanno(node, "maybe_defined_in") or frozenset()
        out = []
        for name in plain:
            if name in fs.globals or name in fs.nonlocals:
                continue
            local = self._local_to_a_block_function(name)
            if local and through_cells and self._bound_in_innermost(name) or \
                    name in must and not local:
                continue
            if local and through_cells:
                self._frames[-1].own.add(name)      # bound from here on
            if name in may or local:
                out += templates.replace("name = ag__.ldu(lambda: name, label)", node,
                                         name=name, label=const(name))
            else:
                out += templates.replace("name = ag__.Undefined(label)", node, name=name,
                                         label=const(name))
        return out

    def _state_functions(self, node, plain, composite, plain_after=()):
        """get_state/set_state over ``plain`` names, then ``composite``s, then
        ``plain_after`` (an ``if``'s inputs-only names); none (None, None) when the state
        is local variables only, which the operators reach through cells."""
        fs = self._scopes[-1]
        if not composite and not any(n in fs.globals for n in (*plain, *plain_after)):
            return [], None, None
        get_name = self.ctx.namer.new("get_state")
        set_name = self.ctx.namer.new("set_state")
        reads = [name_node(n) for n in plain] + [
            templates.replace_as_expression("ag__.ldu(lambda: value, label)", node,
                                            value=q.to_node(), label=const(str(q)))
            for q in composite] + [name_node(n) for n in plain_after]
        targets = [name_node(n, gast.Store) for n in plain] + \
            [q.to_node(gast.Store) for q in composite] + \
            [name_node(n, gast.Store) for n in plain_after]
        fns = templates.replace(_STATE_FUNCTIONS, node, get_state=get_name,
                                set_state=set_name, vars_=self.ctx.namer.new("vars_"),
                                state_reads=reads, state_targets=targets,
                                declarations=self._declarations(list(plain) +
                                                                list(plain_after)))
        return fns, get_name, set_name

    def _names(self, plain, composite, plain_after=()):
        """The symbol names passed to the operator; names declared ``global`` or
        ``nonlocal`` say so (a graph value must not be stored outside the function)."""
        fs = self._scopes[-1]

        def label(n):
            if n in fs.globals:
                return const(f"{n} (global)")
            if n in fs.nonlocals:
                return const(f"{n} (nonlocal)")
            return const(n)
        return gast.Tuple(elts=[label(n) for n in plain] + [const(str(q)) for q in composite]
                          + [label(n) for n in plain_after], ctx=gast.Load())

    # ---- statements -----------------------------------------------------------------------

    def visit_If(self, node):
        modified = anno.getanno(node, "body_scope").modified | \
            anno.getanno(node, "orelse_scope").modified
        plain, composite = self._state(node, modified)
        node = self._visit_blocks(node, modified, plain)
        live_out = anno.getanno(node, "live_out", frozenset())
        fs = self._scopes[-1]
        closure = self._closures[-1]
        outputs = [n for n in plain if n in live_out or n in closure or n in fs.globals or
                   n in fs.nonlocals]
        inputs_only = [n for n in plain if n not in outputs]
        fns, get_name, set_name = self._state_functions(node, outputs, composite, inputs_only)
        nouts = len(outputs) + len(composite)
        body_name = self.ctx.namer.new("if_body")
        declarations = self._declarations(plain)
        fns += templates.replace("""
            def body_name():
                declarations
                body
        """, node, body_name=body_name, declarations=declarations, body=node.body)
        if node.orelse:
            else_name = self.ctx.namer.new("else_body")
            fns += templates.replace("""
                def else_name():
                    declarations
                    orelse
            """, node, else_name=else_name, declarations=declarations, orelse=node.orelse)
        else:   # nothing to run: the state the if started from is the else branch's result
            else_name = gast.Attribute(value=name_node("ag__"), attr="noop", ctx=gast.Load())
        return fns + self._undefined_assigns(node, plain, get_name is None) + templates.replace(
                "ag__.if_stmt(test, body_name, else_name, get_state, set_state, names, nouts)"
                if not self._try_lines else
                "ag__.if_stmt(test, body_name, else_name, get_state, set_state, names, nouts, "
                "in_try)",
                node, test=node.test, body_name=body_name, else_name=else_name,
                get_state=get_name, set_state=set_name,
                names=self._names(outputs, composite, inputs_only), nouts=const(nouts),
                in_try=const(self._try_lines[-1] if self._try_lines else None))

    def visit_While(self, node):
        modified = anno.getanno(node, "body_scope").modified
        plain, composite = self._state(node, modified)
        node = self._visit_blocks(node, modified, plain)
        if node.orelse:
            raise self.ctx.error(node, "internal: while/else reached control flow conversion")
        opts = self._opts(node)
        fns, get_name, set_name = self._state_functions(node, plain, composite)
        test_name = self.ctx.namer.new("loop_test")
        body_name = self.ctx.namer.new("loop_body")
        return fns + templates.replace("""
            def test_name():
                return test
            def body_name():
                declarations
                body
        """, node, test_name=test_name, body_name=body_name, test=node.test,
            declarations=self._declarations(plain), body=node.body) + \
            self._undefined_assigns(node, plain, get_name is None) + templates.replace(
                "ag__.while_stmt(test_name, body_name, get_state, set_state, names, opts)",
                node, test_name=test_name, body_name=body_name, get_state=get_name,
                opts=opts, set_state=set_name, names=self._names(plain, composite))

    def visit_For(self, node):
        modified = anno.getanno(node, "body_scope").modified
        plain, composite = self._state(node, modified)
        node = self._visit_blocks(node, modified, plain)
        if node.orelse:
            raise self.ctx.error(node, "internal: for/else reached control flow conversion")
        opts = self._opts(node)
        fns, get_name, set_name = self._state_functions(node, plain, composite)
        body_name = self.ctx.namer.new("loop_body")
        itr = self.ctx.namer.new("itr")
        out = fns + templates.replace("""
            def body_name(itr):
                declarations
                target = itr
                body
        """, node, body_name=body_name, itr=itr, declarations=self._declarations(plain),
            target=node.target, body=node.body)
        extra = anno.getanno(node, "extra_test")
        extra_name = None
        if extra is not None:
            extra_name = self.ctx.namer.new("extra_test")
            out += templates.replace("""
                def extra_name():
                    return extra
            """, node, extra_name=extra_name, extra=extra)
        return out + self._undefined_assigns(node, plain, get_name is None) + templates.replace(
            "ag__.for_stmt(iterated, extra, body_name, get_state, set_state, names, opts)",
            node, iterated=node.iter, extra=extra_name, body_name=body_name, opts=opts,
            get_state=get_name, set_state=set_name, names=self._names(plain, composite))


_LOOP_OPTIONS = frozenset({"parallel_iterations", "swap_memory", "maximum_iterations",
                           "shape_invariants"})


def is_loop_options(call) -> bool:
    """A call of ``set_loop_options`` (``tf.autograph.experimental.set_loop_options``),
    recognized by name, as TensorFlow's converter does."""
    if call.__class__ is not gast.Call:
        return False
    f = call.func
    name = f.attr if f.__class__ is gast.Attribute else getattr(f, "id", None)
    return name == "set_loop_options"


class _Frame:
    """An enclosing block function: its statement's state, what the statement's blocks
    modify, and the names the function binds itself (so far)."""
    __slots__ = ("state", "modified", "own")

    def __init__(self, state: set, modified: set, own: set):
        self.state, self.modified, self.own = state, modified, own


def _own_binds(stmts: list) -> set:
    """Plain names ``stmts`` bind in their own function once converted: not those bound in
    the blocks of ``if``/``while``/``for`` (functions of their own), nor in their headers
    (kept out, to stay simple: a name missed here only keeps a guard)."""
    out: set = set()
    for s in stmts:
        if isinstance(s, (gast.If, gast.While, gast.For)):
            continue
        out.update(str(q) for q in activity.binds(s))
        if isinstance(s, (gast.With, gast.Try)):
            for block in (s.body, getattr(s, "orelse", []), getattr(s, "finalbody", []),
                          *(h.body for h in getattr(s, "handlers", []))):
                out |= _own_binds(block)
    return out


def transform(node, ctx):
    return ControlFlowTransformer(ctx).visit(node)
