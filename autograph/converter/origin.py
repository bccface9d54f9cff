"""Where generated code came from: the source map, and errors that point at the user's code.

The generated module is compiled under the name ``<autograph:qualname>`` with the line
numbers of the user's statements, and ``linecache`` shows the user's lines under that name.
``SourceMap.get(line)`` gives the user's ``(file, line)``; the module's globals hold it as
``ag__source_map``, which ``ops.tracing.user_location`` reads to attribute graph nodes to
the user's lines. An exception leaving converted code gets a note listing the user's lines
it passed through.
"""
from __future__ import annotations

import linecache


class SourceMap:
    """Generated line -> (user file, user line), for one generated module. Generated code
    keeps the lines of the user's statements it came from, so lines map to themselves."""
    __slots__ = ("filename", "function_name", "user_file")

    def __init__(self, filename: str, function_name: str, user_file: str):
        self.filename = filename
        self.function_name = function_name
        self.user_file = user_file

    def get(self, lineno):
        return (self.user_file, lineno) if lineno else None

    def __repr__(self) -> str:
        return f"<SourceMap {self.filename} -> {self.user_file}>"


def register_source(filename: str, user_file: str) -> None:
    """Let ``linecache`` (tracebacks, pdb) show the user's lines for the generated module."""
    lines = linecache.getlines(user_file)
    if lines:
        linecache.cache[filename] = (sum(map(len, lines)), None, lines, filename)


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


