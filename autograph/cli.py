"""The ``autograph`` command: show converted source, traced graphs and generated kernels.

    autograph convert FILE[:FUNCTION]
    autograph graph FILE:FUNCTION --signature "f32[None,3], i32[]" [--optimized] [--format dot]
    autograph kernels FILE:FUNCTION --signature SPEC [--target cuda|c] [--explain]
    autograph profile FILE:FUNCTION --signature SPEC [--runs N] [--top K] [--jit] [--trace PATH]

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


def _random_inputs(specs: list, dim: int) -> list:
    """A random tensor per spec (unknown dims of size ``dim``); fixed seed, so runs compare."""
    import numpy as np
    import autograph as ag
    rng = np.random.default_rng(0)
    inputs = []
    for spec in specs:
        shape = tuple(dim if d is None else d for d in spec.shape)
        kind = spec.dtype.np.kind if spec.dtype.name != "string" else "U"
        if kind == "f":
            value = rng.standard_normal(shape)
        elif kind == "c":
            value = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
        elif kind in "iu":
            value = rng.integers(0, 10, shape)
        elif kind == "b":
            value = rng.random(shape) < 0.5
        else:
            raise UsageError(f"profile cannot make random {spec.dtype.name} inputs; profile a "
                             "function of numeric or bool tensors")
        inputs.append(ag.constant(value.astype(spec.dtype.np)))
    return inputs


def _fmt_spec(spec) -> str:
    dims = ",".join("None" if d is None else str(d) for d in spec.shape)
    return f"{spec.dtype.name}[{dims}]"


def cmd_profile(args) -> int:
    from ops import profiler
    path, name = _split_target(args.target)
    if not name:
        raise UsageError("profile needs FILE:FUNCTION")
    for option, value, least in (("--runs", args.runs, 1), ("--top", args.top, 1),
                                 ("--dim", args.dim, 0)):
        if value < least:
            raise UsageError(f"{option} must be at least {least}, got {value}")
    cf = _concrete(_lookup(load_module(path), path, name), args.signature, jit=args.jit)
    inputs = _random_inputs(cf.input_specs, args.dim)
    cf(*inputs)          # warm-up, not profiled: first-call work (kernel builds) stays out
    with profiler.capture() as recording:
        for _ in range(args.runs):
            cf(*inputs)
    events = recording.events
    rows = profiler.summarize(events, args.top)
    calls = [e["dur"] for e in events if e["cat"] == "function" and e["name"] == cf.name]
    shown = ", ".join(_fmt_spec(s) for s in cf.input_specs)
    unknown = any(d is None for s in cf.input_specs for d in s.shape)
    print(f"{name}({shown}): {args.runs} run(s){', jit_compile' if args.jit else ''}"
          + (f"; None dims = {args.dim}" if unknown else ""))
    header = ("op", "count", "total ms", "mean us", "% of op time")
    table = [(r.name, str(r.count), f"{r.total_ms:.3f}", f"{r.mean_us:.1f}", f"{r.percent:.1f}")
             for r in rows]
    width = [max(len(row[i]) for row in [header] + table) for i in range(len(header))]
    for i, row in enumerate([header] + table):
        print("  ".join(cell.ljust(width[0]) if j == 0 else cell.rjust(width[j])
                        for j, cell in enumerate(row)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in width))
    if not table:
        print("(no op ran: the function's outputs are constants or its inputs)")
    if calls:
        print(f"per call: {sum(calls) / len(calls) / 1000:.3f} ms in the graph "
              f"(mean of {len(calls)}, min {min(calls) / 1000:.3f} ms)")
    if args.trace:
        profiler.write_trace(events, args.trace)
        print(f"trace: {args.trace}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograph", description="Show what autograph makes of your Python functions: "
        "the converted source, the traced graph, the generated kernels, and where the time "
        "goes when they run.")
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
    p = sub.add_parser(
        "profile", help="time a function's ops under the profiler",
        description="Trace FILE:FUNCTION once for the signature (the function's input_signature "
        "when it has one), call it once untimed on random inputs of those dtypes and shapes, "
        "then --runs times under the profiler, and print the ops (and fused kernels) that took "
        "the most time in total, and the time per call.")
    p.add_argument("target", metavar="FILE:FUNCTION")
    p.add_argument("--signature", metavar="SPEC",
                   help="comma-separated argument specs, e.g. 'f32[None,3], i32[]'")
    p.add_argument("--runs", type=int, default=10, metavar="N",
                   help="profiled calls (default 10)")
    p.add_argument("--top", type=int, default=10, metavar="K",
                   help="ops to list, longest total time first (default 10)")
    p.add_argument("--dim", type=int, default=1, metavar="N",
                   help="size of the signature's None dims in the random inputs (default 1)")
    p.add_argument("--jit", action="store_true",
                   help="trace with jit_compile=True (fused kernels show as fused_* rows)")
    p.add_argument("--trace", metavar="PATH",
                   help="also write the Chrome trace-event JSON of the profiled calls to PATH")
    p.set_defaults(run=cmd_profile)
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
