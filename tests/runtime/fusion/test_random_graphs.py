"""Random elementwise DAGs: the C twin of every generated kernel equals the interpreter.

Hypothesis draws the structure (shapes that broadcast, 0-d and empty ones included, dtype
mixes joined by casts, ops, which values are returned); the data are random with NaN, Inf
and signed zeros mixed in. Only ops whose results are exactly defined are drawn (IEEE
arithmetic, comparisons, selects, well-defined casts), so the comparison is exact; the
CUDA twin of each kernel is compiled to PTX.
"""
import numpy as np
from hypothesis import given, strategies as st

import autograph as ag

from tests.runtime.fusion.helpers import check

DTYPES = ["float32", "float64", "float16", "int32", "int8", "uint16", "int64", "bool"]
DOMAINS = [(), (0,), (5,), (2, 3), (3, 1, 4), (2, 0, 3)]


def _kind(dtype) -> str:
    return "b" if dtype == ag.bool else ("f" if dtype.is_floating else "i")


def _castable(src, dst) -> bool:
    """Casts with one defined result: never float -> int (NaN, Inf and overflow differ)."""
    return not (_kind(src) == "f" and _kind(dst) == "i")


UNARY = {
    "neg": ("fi", lambda x: -x if x.dtype.name[0] != "u" else x),
    "abs": ("fi", ag.abs),
    "square": ("fi", ag.square),
    "floor": ("f", ag.floor),
    "ceil": ("f", ag.math.ceil),
    "round": ("f", ag.round),
    "sign": ("fi", lambda x: ag.sign(x) if x.dtype.name[0] != "u" else x),
    "relu": ("fi", lambda x: ag.nn.relu(x) if x.dtype.name[0] != "u" else x),
    "not": ("b", ag.logical_not),
}
BINARY = {
    "add": ("fi", ag.add), "sub": ("fi", ag.subtract), "mul": ("fi", ag.multiply),
    "div": ("f", ag.divide), "max": ("fi", ag.maximum), "min": ("fi", ag.minimum),
    "less": ("fi", ag.less), "greater_equal": ("fi", ag.greater_equal),
    "equal": ("fib", ag.equal), "and": ("b", ag.logical_and), "xor": ("b", ag.logical_xor),
    "bitand": ("i", ag.bitwise_and),
}


@st.composite
def programs(draw):
    domain = draw(st.sampled_from(DOMAINS))
    inputs = []
    for _ in range(draw(st.integers(1, 3))):
        rank = draw(st.integers(0, len(domain)))
        shape = tuple(d if draw(st.booleans()) else 1 for d in domain[len(domain) - rank:])
        inputs.append((shape, draw(st.sampled_from(DTYPES))))
    steps = []
    for _ in range(draw(st.integers(2, 8))):
        kind = draw(st.sampled_from(["unary", "binary", "binary", "cast", "where"]))
        steps.append((kind, draw(st.sampled_from(sorted(UNARY) if kind == "unary" else
                                                 sorted(BINARY) if kind == "binary" else
                                                 DTYPES)),
                      draw(st.integers(0, 99)), draw(st.integers(0, 99)), draw(st.integers(0, 99))))
    extra = draw(st.integers(0, 99))
    reduce = draw(st.sampled_from([None, "max", "min", "sum_int"]))
    return inputs, steps, extra, reduce, draw(st.integers(0, 2 ** 16))


def build(steps, extra, reduce):
    def fn(*xs):
        pool = list(xs)
        for kind, what, i, j, k in steps:
            a, b, c = pool[i % len(pool)], pool[j % len(pool)], pool[k % len(pool)]
            if kind == "cast":
                to = ag.as_dtype(what)
                pool.append(ag.cast(a, to) if _castable(a.dtype, to) else a)
            elif kind == "unary":
                kinds, op = UNARY[what]
                pool.append(op(a) if _kind(a.dtype) in kinds else a)
            elif kind == "binary":
                kinds, op = BINARY[what]
                if b.dtype != a.dtype and _castable(b.dtype, a.dtype):
                    b = ag.cast(b, a.dtype)
                pool.append(op(a, b) if _kind(a.dtype) in kinds and b.dtype == a.dtype else a)
            else:
                cond = c if c.dtype == ag.bool else ag.not_equal(c, ag.zeros_like(c))
                if b.dtype != a.dtype and _castable(b.dtype, a.dtype):
                    b = ag.cast(b, a.dtype)
                pool.append(ag.where(cond, a, b) if b.dtype == a.dtype else a)
        out = pool[-1]
        if reduce in ("max", "min") and _kind(out.dtype) != "b":
            out = getattr(ag, f"reduce_{reduce}")(out, axis=-1 if out.shape.rank else None)
        elif reduce == "sum_int" and _kind(out.dtype) == "i":
            out = ag.reduce_sum(out * 3)
        return out, pool[extra % len(pool)]
    return fn


def arrays(inputs, seed):
    rng = np.random.default_rng(seed)
    out = []
    for shape, dtype in inputs:
        if dtype == "bool":
            out.append(rng.random(shape) < 0.5)
        elif dtype.startswith(("int", "uint")):
            info = np.iinfo(dtype)
            out.append(rng.integers(max(info.min, -50), min(info.max, 50), shape, dtype=dtype))
        else:
            a = np.asarray(rng.standard_normal(shape) * 4)
            specials = np.array([np.nan, np.inf, -np.inf, -0.0, 0.5, 1e30], np.float64)
            mask = rng.random(shape) < 0.3
            a[mask] = rng.choice(specials, size=int(mask.sum()))
            out.append(np.asarray(a, dtype))
    return out


@given(programs())
def test_random_elementwise_graphs_match_the_interpreter(program):
    inputs, steps, extra, reduce, seed = program
    check(build(steps, extra, reduce), *arrays(inputs, seed))
