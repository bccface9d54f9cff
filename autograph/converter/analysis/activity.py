"""Activity: which (qualified) names each block reads and modifies.

``analyze(fn)`` annotates every ``if``/``while``/``for``/``with``/``try`` of the function with
the ``Scope`` of each of its blocks (``body_scope``, ``orelse_scope``) and the function with a
``FunctionScope``. Nested function bodies are separate scopes: a nested ``def`` or ``lambda``
counts as binding its name and as reading the names it uses freely (its closure), but its
assignments stay inside it. ``effects(stmt)`` gives what one statement, without its nested
blocks, reads and writes; liveness and definedness are built on it.
"""
from __future__ import annotations

import gast

from autograph.converter import anno
from autograph.converter.analysis.qual_names import from_node, plain
from autograph.converter.transformer import CHILD_FIELDS, LEAF_CLASSES

_COMPOUND = (gast.If, gast.While, gast.For, gast.With, gast.Try)
_FUNCTIONS = (gast.FunctionDef, gast.Lambda)
_COMPREHENSIONS = (gast.ListComp, gast.SetComp, gast.DictComp, gast.GeneratorExp)
_COMPREHENSION_CLASSES = frozenset(_COMPREHENSIONS)
_COMPOSITE_CLASSES = frozenset({gast.Attribute, gast.Subscript})


class Scope:
    """Reads and modifications of one block, as QNs (composites included)."""
    __slots__ = ("read", "modified")

    def __init__(self):
        self.read: set = set()
        self.modified: set = set()

    def __repr__(self) -> str:
        return f"Scope(read={sorted(self.read)}, modified={sorted(self.modified)})"


class FunctionScope:
    """Facts about one function: its parameters, ``global``/``nonlocal`` declarations,
    local names (bound somewhere in it), names its nested functions read freely, and
    whether it contains ``yield``."""
    __slots__ = ("params", "globals", "nonlocals", "locals", "closure_read", "yields")

    def __init__(self):
        self.params: set = set()
        self.globals: set = set()
        self.nonlocals: set = set()
        self.locals: set = set()
        self.closure_read: set = set()
        self.yields: list = []


# ---- expressions -----------------------------------------------------------------------

class _Nested:
    """More about a statement: names its lambdas read freely, its yields, the ``Name``
    nodes it loads (outside nested functions and lambdas; definedness marks them), and the
    plain names it binds."""
    __slots__ = ("closures", "yields", "loads", "binds")

    def __init__(self):
        self.closures: set = set()
        self.yields: list = []
        self.loads: list = []
        self.binds: frozenset = frozenset()


def _expr(node, reads: set, writes: set, nested: _Nested = None) -> None:
    """Names an expression reads (QNs) and binds (walrus targets)."""
    stack = [node]
    while stack:
        n = stack.pop()
        cls = n.__class__
        if cls is list:
            stack.extend(n)
            continue
        if cls is gast.Name:
            if n.ctx.__class__ is gast.Load:
                reads.add(plain(n.id))
                if nested is not None:
                    nested.loads.append(n)
            else:
                writes.add(plain(n.id))
            continue
        if n is None:
            continue
        if cls in _COMPOSITE_CLASSES and n.ctx.__class__ is gast.Load:
            qn = from_node(n)
            if qn is not None:
                reads.add(qn)
        elif cls is gast.Lambda:
            if anno.getanno(n, "inline"):      # generated to delay an expression
                stack.append(n.body)
                continue
            free = [plain(x) for x in free_names(n)]
            reads.update(free)
            if nested is not None:
                nested.closures.update(free)
            stack.extend(n.args.defaults)
            stack.extend(d for d in n.args.kw_defaults if d is not None)
            continue
        elif cls in _COMPREHENSION_CLASSES:
            _comprehension(n, reads, writes, nested)
            continue
        elif cls is gast.Yield or cls is gast.YieldFrom:
            if nested is not None:
                nested.yields.append(n)
            stack.append(n.value)
            continue
        d = n.__dict__
        for f in CHILD_FIELDS[cls]:
            v = d.get(f)
            if v.__class__ is list or (isinstance(v, gast.AST) and v.__class__ not in LEAF_CLASSES):
                stack.append(v)


def _comprehension(n, reads: set, writes: set, nested) -> None:
    """What a comprehension reads and binds, its own targets excluded."""
    inner_r, inner_w = set(), set()
    bound = set()
    for g in n.generators:
        _target_names(g.target, bound)
        _expr(g.iter, inner_r, inner_w, nested)
        _expr(g.ifs, inner_r, inner_w, nested)
    for part in ("elt", "key", "value"):
        if part in n._fields:
            _expr(getattr(n, part), inner_r, inner_w, nested)
    reads.update(q for q in inner_r if q.root not in bound)
    writes.update(q for q in inner_w if q.root not in bound)   # walrus targets leak out


def _target_names(node, out: set) -> None:
    for n in gast.walk(node):
        if isinstance(n, gast.Name):
            out.add(n.id)


def _target(node, reads: set, writes: set) -> None:
    """An assignment target: names bound, composites written, and what it reads."""
    if isinstance(node, gast.Name):
        writes.add(plain(node.id))
    elif isinstance(node, (gast.Tuple, gast.List)):
        for e in node.elts:
            _target(e, reads, writes)
    elif isinstance(node, gast.Starred):
        _target(node.value, reads, writes)
    elif isinstance(node, (gast.Attribute, gast.Subscript)):
        qn = from_node(node)
        if qn is not None:
            writes.add(qn)
        _expr(node.value, reads, writes)
        if isinstance(node, gast.Subscript):
            _expr(node.slice, reads, writes)
    else:
        _expr(node, reads, writes)


def free_names(fn) -> set:
    """Plain names a nested function or lambda reads that it does not bind itself."""
    params = set()
    a = fn.args
    for arg in a.posonlyargs + a.args + a.kwonlyargs + [a.vararg, a.kwarg]:
        if arg is not None:
            params.add(arg.id)
    loads, stores, declared = set(), set(), set()
    body = fn.body if isinstance(fn.body, list) else [fn.body]
    for n in gast.walk(gast.Module(body=[b if isinstance(b, gast.stmt) else gast.Expr(value=b)
                                         for b in body], type_ignores=[])):
        if isinstance(n, gast.Name):
            (loads if isinstance(n.ctx, gast.Load) else stores).add(n.id)
        elif isinstance(n, (gast.Nonlocal, gast.Global)):
            declared.update(n.names)
        elif isinstance(n, gast.FunctionDef) and n is not fn:
            stores.add(n.name)
    return (loads | declared) - params - (stores - declared)


# ---- statements ------------------------------------------------------------------------

def effects(node):
    """(reads, writes, nested) of one statement without its nested blocks: for a compound
    statement, its header (test, iterable and target, context managers)."""
    cached = anno.getanno(node, "effects")
    if cached is not None:
        return cached
    reads, writes, nested = set(), set(), _Nested()
    if isinstance(node, gast.Assign):
        _expr(node.value, reads, writes, nested)
        for t in node.targets:
            _target(t, reads, writes)
    elif isinstance(node, gast.AugAssign):
        _expr(node.value, reads, writes, nested)
        _target(node.target, reads, writes)
        qn = from_node(node.target)
        if qn is not None:
            reads.add(qn)
    elif isinstance(node, gast.AnnAssign):
        if node.value is not None:
            _expr(node.value, reads, writes, nested)
            _target(node.target, reads, writes)
    elif isinstance(node, gast.Delete):
        for t in node.targets:
            _target(t, reads, writes)
    elif isinstance(node, (gast.If, gast.While)):
        _expr(node.test, reads, writes, nested)
    elif isinstance(node, gast.For):
        _expr(node.iter, reads, writes, nested)
        _target(node.target, reads, writes)
        _expr(anno.getanno(node, "extra_test"), reads, writes, nested)   # break/return flags
    elif isinstance(node, gast.With):
        for item in node.items:
            _expr(item.context_expr, reads, writes, nested)
            if item.optional_vars is not None:
                _target(item.optional_vars, reads, writes)
    elif isinstance(node, gast.Try):
        for h in node.handlers:
            _expr(h.type, reads, writes, nested)
            if h.name is not None:
                _target(h.name, reads, writes)
    elif isinstance(node, (gast.Import, gast.ImportFrom)):
        for alias in node.names:
            name = alias.asname or alias.name.split(".")[0]
            if name != "*":
                writes.add(plain(name))
    elif isinstance(node, (gast.FunctionDef, gast.ClassDef)):
        writes.add(plain(node.name))
        _expr(node.decorator_list, reads, writes, nested)
        if isinstance(node, gast.FunctionDef):
            _expr(node.args.defaults, reads, writes, nested)
            _expr([d for d in node.args.kw_defaults if d is not None], reads, writes, nested)
            reads.update(plain(x) for x in free_names(node))
        else:
            _expr(node.bases, reads, writes, nested)
            _expr([k.value for k in node.keywords], reads, writes, nested)
    elif isinstance(node, (gast.Global, gast.Nonlocal, gast.Pass, gast.Break, gast.Continue)):
        pass
    else:  # Expr, Return, Raise, Assert and anything else: everything in it is read
        for f in node._fields:
            _expr(node.__dict__.get(f), reads, writes, nested)
    nested.binds = frozenset(q for q in writes if not q.is_composite)
    result = (frozenset(reads), frozenset(writes), nested)
    anno.setanno(node, "effects", result)
    return result


def binds(node) -> frozenset:
    """The plain names one statement binds, without its nested blocks (QNs)."""
    return effects(node)[2].binds


def _block(stmts: list, fs: FunctionScope) -> Scope:
    scope = Scope()
    for s in stmts:
        reads, writes, nested = effects(s)
        scope.read |= reads
        scope.modified |= writes
        fs.closure_read |= nested.closures
        fs.yields.extend(nested.yields)
        if isinstance(s, (gast.Global, gast.Nonlocal)):
            (fs.globals if isinstance(s, gast.Global) else fs.nonlocals).update(s.names)
        if isinstance(s, gast.FunctionDef):
            fs.closure_read |= {plain(x) for x in free_names(s)}
        if isinstance(s, _COMPOUND):
            for field, key in (("body", "body_scope"), ("orelse", "orelse_scope"),
                               ("finalbody", "finalbody_scope")):
                if field in s._fields:
                    sub = _block(getattr(s, field), fs)
                    anno.setanno(s, key, sub)
                    scope.read |= sub.read
                    scope.modified |= sub.modified
            if isinstance(s, gast.Try):
                for h in s.handlers:
                    sub = _block(h.body, fs)
                    anno.setanno(h, "body_scope", sub)
                    scope.read |= sub.read
                    scope.modified |= sub.modified
            if isinstance(s, gast.For):  # the loop target is bound by every iteration
                body = anno.getanno(s, "body_scope")
                body.modified |= writes
    return scope


def analyze(fn) -> FunctionScope:
    """Annotate ``fn`` (a FunctionDef) and its blocks; returns its FunctionScope."""
    fs = FunctionScope()
    a = fn.args
    for arg in a.posonlyargs + a.args + a.kwonlyargs + [a.vararg, a.kwarg]:
        if arg is not None:
            fs.params.add(arg.id)
    scope = _block(fn.body, fs)
    anno.setanno(fn, "body_scope", scope)
    fs.locals = ({q.root for q in scope.modified if not q.is_composite} | fs.params) \
        - fs.globals - fs.nonlocals
    anno.setanno(fn, "fn_scope", fs)
    return fs
