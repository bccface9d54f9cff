"""Where generated code came from: the source map, and errors that point at the user's code.

The generated module is compiled under a name ``<autograph:qualname>`` and its source is
registered with ``linecache`` (tracebacks and debuggers show the code that actually runs).
``SourceMap.get(generated_line)`` gives the user's ``(file, line)``; the module's globals hold
it as ``ag__source_map``, which ``ops.tracing.user_location`` reads to attribute graph nodes
to the user's lines. An exception leaving converted code gets a note listing the user's
lines it passed through.
"""
from __future__ import annotations

import ast
import linecache

_STMT_LISTS = ("body", "orelse", "finalbody")


class SourceMap:
    """Generated line -> (user file, user line), for one generated module."""
    __slots__ = ("filename", "function_name", "lines")

    def __init__(self, filename: str, function_name: str, lines: dict):
        self.filename = filename
        self.function_name = function_name
        self.lines = lines

    def get(self, lineno):
        return self.lines.get(lineno)

    def __repr__(self) -> str:
        return f"<SourceMap {self.function_name} ({len(self.lines)} lines)>"


def build(original, reparsed, user_file: str, function_name: str,
          generated_file: str) -> SourceMap:
    """Match the statements of the tree that was unparsed (lines = the user's) with the
    statements parsed back from the generated source (lines = generated)."""
    lines: dict = {}
    stack = [(original, reparsed)]
    while stack:
        a, b = stack.pop()
        la, lb = getattr(a, "lineno", None), getattr(b, "lineno", None)
        if la is not None and lb is not None and lb not in lines:
            lines[lb] = (user_file, la)
        for field in _STMT_LISTS:
            xs, ys = getattr(a, field, None), getattr(b, field, None)
            if isinstance(xs, list) and isinstance(ys, list) and len(xs) == len(ys):
                stack.extend(zip(xs, ys))
        hs, gs = getattr(a, "handlers", None), getattr(b, "handlers", None)
        if hs and gs and len(hs) == len(gs):
            stack.extend(zip(hs, gs))
    return SourceMap(generated_file, function_name, lines)


def register_source(filename: str, source: str) -> None:
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)


def user_frames(tb) -> list:
    """(file, line, function) of each converted-code frame in a traceback, mapped."""
    out = []
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code.co_filename.startswith("<autograph"):
            source_map = frame.f_globals.get("ag__source_map")
            loc = source_map.get(tb.tb_lineno) if source_map is not None else None
            if loc is not None:
                entry = (loc[0], loc[1], source_map.function_name)
                if not out or out[-1] != entry:
                    out.append(entry)
        tb = tb.tb_next
    return out


def annotate(exc: BaseException) -> None:
    """Add a note to ``exc`` naming the user's lines in converted code it was raised from."""
    if getattr(exc, "_ag_noted", False):
        return
    frames = user_frames(exc.__traceback__)
    if not frames:
        return
    text = ["In the converted function, the error came from:"]
    for filename, line, name in frames:
        text.append(f'  File "{filename}", line {line}, in {name}')
        source = linecache.getline(filename, line).strip()
        if source:
            text.append(f"    {source}")
    try:
        exc._ag_noted = True
        exc.add_note("\n".join(text))
    except AttributeError:        # Python < 3.11: no add_note
        exc.__notes__ = getattr(exc, "__notes__", []) + ["\n".join(text)]


def parse(source: str):
    return ast.parse(source)
