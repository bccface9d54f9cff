"""AutoGraph: convert Python functions so their control flow on tensors becomes graph ops.

``convert(fn)`` returns ``fn`` rewritten source to source: ``if``/``while``/``for`` on tensors
become ``cond``/``while_loop``, ``break``/``continue``/``return`` work anywhere, ``and``/``or``/
``not``, ternaries and ``assert`` respect tensors, calls convert user functions recursively.
Python values keep Python semantics, decided when the code runs.

Layout: ``parser`` (source), ``analysis/`` (one static analysis per module), ``converters/``
(one construct per module), ``templates`` (generated code as Python with holes), ``loader``
and ``origin`` (compile, bind, map back to the user's lines), ``operators/`` (the ``ag__``
module the generated code calls), ``conversion`` (pipeline and caches), ``public`` (the
user-facing functions).
"""
from autograph.converter.errors import AutoGraphError, ConversionError  # noqa: F401
