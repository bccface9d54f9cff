"""Find the source of a function or lambda and parse it into a ``gast`` tree.

Source is located through the code object (``co_filename``, ``co_firstlineno``) rather than
``inspect.getsource``: that is cheaper, and it never follows ``__wrapped__`` to some other
function's source. Line numbers of the parsed tree are the lines of the user's file.
"""
from __future__ import annotations

import ast
import copy
import inspect
import linecache
from typing import NamedTuple

from autograph.converter import ast_bridge
from autograph.converter.errors import ConversionError


class Entity(NamedTuple):
    """A parsed function: its ``gast.FunctionDef`` or ``gast.Lambda``, where it came from,
    and what it holds (``ast_bridge.Survey``)."""
    node: object
    filename: str
    survey: object


def _describe(fn) -> str:
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", repr(fn))


def _unavailable(fn, code) -> ConversionError:
    return ConversionError(
        f"cannot convert {_describe(fn)}: its source code is not available (defined in "
        f"{code.co_filename}, e.g. by exec or an interactive session). Define it in a file, "
        "or decorate it with ag.function(autograph=False) to trace it as written")


def source_lines(fn) -> list:
    """The current lines of the file ``fn`` was defined in (``linecache``, refreshed when
    the file changed on disk since it was read, as ``inspect`` does: a module re-imported
    after an edit must not be converted from its old text)."""
    filename = fn.__code__.co_filename
    if not filename.startswith("<"):
        linecache.checkcache(filename)
    return linecache.getlines(filename, getattr(fn, "__globals__", None))


def parse_function(fn) -> Entity:
    code = fn.__code__
    lines = source_lines(fn)
    if not lines:
        raise _unavailable(fn, code)
    survey = ast_bridge.Survey()
    if code.co_name == "<lambda>":
        # a copy: the file's parsed tree is cached, and to_gast retypes in place
        return Entity(ast_bridge.to_gast(copy.deepcopy(_find_lambda(fn, code, lines)), survey),
                      code.co_filename, survey)
    start = code.co_firstlineno - 1
    if start >= len(lines):
        raise _unavailable(fn, code)
    node = _parse_def(_block_by_indent(lines, start), start, code)
    if node is None:  # unusual layout: let the tokenizer find the block
        node = _parse_def("".join(inspect.getblock(lines[start:])), start, code)
    if node is None:
        raise ConversionError(
            f"cannot convert {_describe(fn)}: the source at {code.co_filename}:"
            f"{code.co_firstlineno} does not define it (was the file edited after import?)")
    return Entity(ast_bridge.to_gast(node, survey), code.co_filename, survey)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _block_by_indent(lines: list, start: int) -> str:
    """The lines of the definition at ``start``: decorators, header and the lines indented
    deeper than it. Good for ordinary layouts; ``_parse_def`` checks the result."""
    ind = _indent(lines[start])
    i = start
    while i < len(lines) and lines[i].lstrip().startswith("@") and _indent(lines[i]) == ind:
        i += 1
    j = i + 1
    last = i
    while j < len(lines):
        text = lines[j]
        stripped = text.strip()
        if stripped and not stripped.startswith("#"):
            if _indent(text) <= ind:
                break
            last = j
        j += 1
    return "".join(lines[start:last + 1])


def _parse_def(text: str, start: int, code):
    """Parse ``text`` (the block starting at file line ``start + 1``) and return its
    function definition (an ``ast`` node) if it is the one ``code`` was compiled from.
    An indented block (a method, a nested function) is parsed inside ``if 1:`` rather than
    dedented: dedenting breaks on string literals with less indented lines."""
    indented = text[:1] in (" ", "\t")
    try:
        if indented:
            module = ast.parse("\n" * (start - 1) + "if 1:\n" + text)
        else:
            module = ast.parse("\n" * start + text)
    except SyntaxError:
        return None
    if not module.body:
        return None
    node = module.body[0]
    if indented:
        node = node.body[0]
    if isinstance(node, ast.AsyncFunctionDef):
        raise ConversionError(f"cannot convert {code.co_name} at {code.co_filename}:"
                              f"{code.co_firstlineno}: async functions are not supported")
    if not isinstance(node, ast.FunctionDef) or node.name != code.co_name:
        return None
    names = [a.arg for a in node.args.posonlyargs + node.args.args]
    if names != list(code.co_varnames[:code.co_argcount]):
        return None
    return node


# ---- lambdas ----------------------------------------------------------------------------

_file_trees: dict = {}


def _file_tree(filename: str, lines: list):
    cached = _file_trees.get(filename)
    if cached is not None and cached[0] is lines:
        return cached[1]
    try:
        tree = ast.parse("".join(lines))
    except SyntaxError:
        tree = None
    _file_trees[filename] = (lines, tree)
    return tree


def _find_lambda(fn, code, lines):
    """The lambda ``code`` came from: the lambdas on its first line, told apart by their
    parameters and, if needed, by the column where their body starts."""
    tree = _file_tree(code.co_filename, lines)
    if tree is None:
        raise _unavailable(fn, code)
    params = list(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])
    found = [n for n in ast.walk(tree) if isinstance(n, ast.Lambda)
             and n.lineno == code.co_firstlineno and _lambda_params(n) == params]
    if len(found) > 1:
        cols = {p[2] for p in code.co_positions() if p[0] == code.co_firstlineno}
        found = [n for n in found if n.body.col_offset in cols] or found
    if len(found) != 1:
        if not found:
            raise _unavailable(fn, code)
        raise ConversionError(
            f"cannot convert the lambda at {code.co_filename}:{code.co_firstlineno}: several "
            "lambdas with the same parameters share that line; put them on separate lines "
            "or use def")
    return found[0]


def _lambda_params(node) -> list:
    a = node.args
    return [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs]
