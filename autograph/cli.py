"""The ``autograph`` command: show converted source, traced graphs and generated kernels.

    autograph convert FILE[:FUNCTION]
    autograph graph FILE:FUNCTION --signature "f32[None,3], i32[]" [--optimized] [--format dot]
    autograph kernels FILE:FUNCTION --signature SPEC [--target cuda|c] [--explain]

User mistakes (a missing file, an unknown function, a syntax error, a bad SPEC) end with a
one-line message and exit status 2, never a traceback.
"""
from __future__ import annotations

import argparse
import importlib.util
import re
import sys
from pathlib import Path
from typing import Optional

_SHORT_DTYPES = {"f16": "float16", "f32": "float32", "f64": "float64", "i8": "int8",
                 "i16": "int16", "i32": "int32", "i64": "int64", "u8": "uint8", "u16": "uint16",
                 "u32": "uint32", "u64": "uint64", "b": "bool", "c64": "complex64",
                 "c128": "complex128", "str": "string"}
_SPEC_RE = re.compile(r"\s*([A-Za-z][A-Za-z0-9_]*)\s*\[([^\]]*)\]\s*")


class UsageError(Exception):
    """A mistake in the command line or the user's file: reported in one line."""


def parse_signature(text: str) -> list:
    """``"f32[None,3], i32[]"`` -> ``[TensorSpec([None, 3], float32), TensorSpec([], int32)]``."""
    import autograph as ag
    specs, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _SPEC_RE.match(text, pos)
        if m is None:
            raise UsageError(f"bad --signature {text!r} near {text[pos:]!r}: write specs like "
                             "'f32[None,3], i32[]' (dtype, then dims in brackets)")
        name, dims = m.group(1), m.group(2)
        try:
            dtype = ag.as_dtype(_SHORT_DTYPES.get(name, name))
        except TypeError:
            raise UsageError(f"bad --signature: unknown dtype {name!r}; use one of "
                             f"{', '.join(sorted(_SHORT_DTYPES))} or a full name") from None
        shape = []
        for d in filter(None, (d.strip() for d in dims.split(","))):
            if d == "None" or d == "?":
                shape.append(None)
            elif d.isdigit():
                shape.append(int(d))
            else:
                raise UsageError(f"bad --signature: dimension {d!r} in {m.group(0).strip()!r} "
                                 "must be a number or None")
        specs.append(ag.TensorSpec(shape, dtype))
        pos = m.end()
        if pos < len(text):
            if text[pos] != ",":
                raise UsageError(f"bad --signature {text!r}: separate specs with commas")
            pos += 1
    return specs


def load_module(path: str):
    """Import the user's file as a module (its top-level code runs, as with ``python FILE``)."""
    file = Path(path)
    if not file.is_file():
        raise UsageError(f"no such file: {path}")
    spec = importlib.util.spec_from_file_location(f"autograph_cli_{file.stem}", file)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(file.resolve().parent))
    try:
        spec.loader.exec_module(module)
    except SyntaxError as e:
        raise UsageError(f"{path}:{e.lineno}: syntax error: {e.msg}") from None
    finally:
        sys.path.pop(0)
    return module


def _split_target(target: str) -> tuple[str, Optional[str]]:
    path, _, name = target.partition(":")
    return path, (name or None)


def _lookup(module, path: str, name: str):
    obj = module
    for part in name.split("."):
        if not hasattr(obj, part):
            found = [n for n in dir(module) if callable(getattr(module, n, None))
                     and not n.startswith("_")]
            raise UsageError(f"{path} has no function {name!r}"
                             + (f"; it defines {', '.join(sorted(found)[:10])}" if found else ""))
        obj = getattr(obj, part)
    return obj


def _functions_in(module) -> list:
    from autograph.function import Function
    return [(n, v) for n, v in vars(module).items() if isinstance(v, Function)]


def _concrete(fn, signature: Optional[str], jit: bool = False):
    import autograph as ag
    from autograph.function import Function
    python_fn = fn.python_function if isinstance(fn, Function) else fn
    declared = fn.input_signature if isinstance(fn, Function) else None
    if signature is not None:
        specs = parse_signature(signature)
    elif declared is not None:
        specs = list(declared)
    else:
        raise UsageError("this function has no input_signature; give --signature, e.g. "
                         "--signature 'f32[None,3]'")
    traced = ag.function(python_fn, jit_compile=jit) if jit or not isinstance(fn, Function) \
        else fn
    return traced.get_concrete_function(*specs)


def cmd_convert(args) -> int:
    from autograph.converter.public import to_code
    path, name = _split_target(args.target)
    module = load_module(path)
    targets = [(name, _lookup(module, path, name))] if name else _functions_in(module)
    if not targets:
        raise UsageError(f"{path} has no @function-decorated functions; name one: "
                         f"{path}:FUNCTION")
    for i, (label, fn) in enumerate(targets):
        if i:
            print()
        if len(targets) > 1:
            print(f"# {label}")
        print(to_code(fn).rstrip())
    return 0


def cmd_graph(args) -> int:
    path, name = _split_target(args.target)
    if not name:
        raise UsageError("graph needs FILE:FUNCTION")
    cf = _concrete(_lookup(load_module(path), path, name), args.signature)
    graph = cf.optimized_graph if args.optimized else cf.graph
    print(graph.to_dot() if args.format == "dot" else str(graph))
    return 0


def cmd_kernels(args) -> int:
    from runtime import fusion
    path, name = _split_target(args.target)
    if not name:
        raise UsageError("kernels needs FILE:FUNCTION")
    cf = _concrete(_lookup(load_module(path), path, name), args.signature, jit=True)
    sources = cf.kernel_sources(args.target_lang)
    for i, source in enumerate(sources):
        if i:
            print()
        print(source.rstrip())
    if not sources:
        print("# no fused kernels: nothing in this function fuses")
    if args.explain:
        print("\n# fusion decisions")
        for line in fusion.explain(cf.optimized_graph):
            print(f"# {line}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograph", description="Show what autograph makes of your Python functions: "
        "the converted source, the traced graph, and the generated kernels.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("convert", help="print the AutoGraph-converted source",
                       description="Print the converted source of FUNCTION, or of every "
                       "@function-decorated function in FILE.")
    p.add_argument("target", metavar="FILE[:FUNCTION]")
    p.set_defaults(run=cmd_convert)
    for name, helptext in (("graph", "print the traced graph"),
                           ("kernels", "print the fused kernels of a jit-compiled trace")):
        p = sub.add_parser(name, help=helptext, description=helptext[0].upper() + helptext[1:]
                           + " of FILE:FUNCTION for the given signature (the function's "
                           "input_signature when it has one).")
        p.add_argument("target", metavar="FILE:FUNCTION")
        p.add_argument("--signature", metavar="SPEC",
                       help="comma-separated argument specs, e.g. 'f32[None,3], i32[]'")
        if name == "graph":
            p.add_argument("--optimized", action="store_true",
                           help="show the graph after the optimization passes")
            p.add_argument("--format", choices=("text", "dot"), default="text",
                           help="text (default) or Graphviz DOT")
            p.set_defaults(run=cmd_graph)
        else:
            p.add_argument("--target", dest="target_lang", choices=("c", "cuda"), default="c",
                           help="kernel dialect (default c)")
            p.add_argument("--explain", action="store_true",
                           help="also say why ops were or were not fused")
            p.set_defaults(run=cmd_kernels)
    return parser


def main(argv: Optional[list] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except UsageError as e:
        print(f"autograph: {e}", file=sys.stderr)
        return 2
    except (TypeError, ValueError) as e:
        # A traced function refusing its signature, a conversion error: the user's problem.
        print(f"autograph: {type(e).__name__}: {str(e).splitlines()[0]}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
