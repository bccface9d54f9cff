"""Parse a snippet into an analysed function for the analysis tests."""
import textwrap

import gast

from autograph.converter import anno
from autograph.converter.analysis import activity, definedness, liveness


def analysed(source: str):
    fn = gast.parse(textwrap.dedent(source)).body[0]
    scope = activity.analyze(fn)
    liveness.analyze(fn)
    definedness.analyze(fn, scope)
    return fn


def statement(fn, kind, index=0):
    """The ``index``-th statement of type ``kind`` (walking in source order)."""
    found = [n for n in gast.walk(fn) if isinstance(n, kind)]
    found.sort(key=lambda n: (n.lineno, n.col_offset))
    return found[index]


def names(values) -> set:
    return {str(v) for v in values}


get = anno.getanno
