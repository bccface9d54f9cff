"""Random tensors (``ag.random``) with TensorFlow's seed semantics.

- No seeds: every call draws from one generator seeded by the OS.
- ``set_seed(s)``: the program's sequence of random values repeats after each ``set_seed(s)``;
  successive calls still differ (they advance one stream).
- ``seed=`` on an op (with or without a global seed) picks a reproducible stream of its own.

Ops carry ``(seed, seed2)`` as plain attrs and draw from a module-level table of NumPy
generators keyed by that pair. The generator state lives outside the attrs, so a traced graph
(which re-runs the kernel with the same attrs) draws fresh values at every call, and
``set_seed`` restarts every stream by emptying the table. Draws are made with NumPy and moved
to the op's device; stateless ops make a fresh generator from their seed every time.
"""
from __future__ import annotations

import numbers
from typing import Optional

import numpy as np

from runtime import backends, shapes
from runtime import dtypes as D
from runtime.registry import Spec
from ops import dispatch
from ops.creation import check_dims, creation_xp, runtime_shape, shape_arg
from ops.declare import FLOAT, defop
from ops.tensor import Tensor, convert_to_tensor

__all__ = ["set_seed", "uniform", "normal", "truncated_normal", "categorical", "shuffle",
           "stateless_uniform", "stateless_normal", "stateless_truncated_normal"]

# TensorFlow's graph-level seed when only an op seed is given.
DEFAULT_GRAPH_SEED = 87654321
_MASK64 = (1 << 64) - 1
_INT_DTYPES = (D.int32, D.int64)

_global_seed: Optional[int] = None
_generators: dict = {}  # (seed, seed2) -> numpy Generator; emptied by set_seed


def set_seed(seed) -> None:
    """Set the global seed: the random values that follow become reproducible."""
    global _global_seed
    _global_seed = None if seed is None else int(seed)
    _generators.clear()


def get_seed(op_seed) -> tuple:
    """The ``(seed, seed2)`` attrs of a random op given its ``seed=`` argument."""
    if op_seed is not None:
        op_seed = int(op_seed)
    if _global_seed is not None:
        return _global_seed, op_seed
    if op_seed is not None:
        return DEFAULT_GRAPH_SEED, op_seed
    return None, None


def _seeded(seed, seed2) -> np.random.Generator:
    if seed is None:
        return np.random.default_rng()
    words = [seed & _MASK64, 0 if seed2 is None else 1, (seed2 or 0) & _MASK64]
    return np.random.default_rng(words)


def _generator(seed, seed2) -> np.random.Generator:
    key = (seed, seed2)
    gen = _generators.get(key)
    if gen is None:
        gen = _generators[key] = _seeded(seed, seed2)
    return gen


def _source(seed, seed2, stateless: bool) -> np.random.Generator:
    return _seeded(seed, seed2) if stateless else _generator(seed, seed2)


# ---- standard draws: [0, 1) uniform, N(0, 1), N(0, 1) truncated at 2 -------------------

def _work_dtype(dtype: D.DType):
    """NumPy generators draw float32/float64; float16 is drawn as float32 and rounded."""
    return dtype.np if dtype in (D.float32, D.float64) else np.float32


def _uniform01(gen, shape, dtype):
    out = gen.random(shape, dtype=_work_dtype(dtype)).astype(dtype.np, copy=False)
    if dtype is D.float16:  # rounding to half precision may reach 1.0; keep [0, 1)
        out = np.minimum(out, np.nextafter(np.float16(1), np.float16(0)))
    return out


def _standard_normal(gen, shape, dtype):
    return gen.standard_normal(shape, dtype=_work_dtype(dtype)).astype(dtype.np, copy=False)


def _truncated_normal(gen, shape, dtype):
    """N(0, 1) with values beyond two standard deviations drawn again (as TensorFlow)."""
    out = gen.standard_normal(shape, dtype=_work_dtype(dtype))
    bad = np.abs(out) > 2
    while bad.any():
        out[bad] = gen.standard_normal(int(bad.sum()), dtype=out.dtype)
        bad = np.abs(out) > 2
    return out.astype(dtype.np, copy=False)


def _float_kernel(draw, stateless: bool):
    def kernel(xp, dims=None, *, shape, dtype, seed, seed2):
        if dims is not None:
            shape = runtime_shape(dims)
        return creation_xp(xp).asarray(draw(_source(seed, seed2, stateless), shape, dtype))
    return kernel


def _float_infer(name: str):
    def infer(dims: Optional[Spec] = None, *, shape, dtype, seed, seed2) -> Spec:
        check_dims(name, dims, shape)
        if dtype not in FLOAT:
            raise TypeError(f"{name}: dtype must be a float type, got {dtype.name}")
        return Spec(dtype, shape)
    return infer


def _int_kernel(stateless: bool):
    def kernel(xp, minval, maxval, dims=None, *, shape, seed, seed2):
        if dims is not None:
            shape = runtime_shape(dims)
        lo, hi = int(minval.item()), int(maxval.item())
        if lo >= hi:
            raise ValueError(f"need minval < maxval, got minval={lo} and maxval={hi}")
        gen = _source(seed, seed2, stateless)
        return creation_xp(xp).asarray(gen.integers(lo, hi, size=shape, dtype=minval.dtype))
    return kernel


def _int_infer(name: str):
    def infer(minval: Spec, maxval: Spec, dims: Optional[Spec] = None, *, shape, seed,
              seed2) -> Spec:
        check_dims(name, dims, shape)
        if minval.dtype is not maxval.dtype:
            from ops.errors import dtype_mismatch
            raise dtype_mismatch(name, minval.dtype, maxval.dtype)
        if minval.dtype not in _INT_DTYPES:
            raise TypeError(f"{name}: dtype must be int32 or int64, got {minval.dtype.name}")
        if minval.shape != () or maxval.shape != ():
            raise ValueError(f"{name}: minval and maxval must be scalars, got shapes "
                             f"{shapes.fmt(minval.shape)} and {shapes.fmt(maxval.shape)}")
        return Spec(minval.dtype, shape)
    return infer


# (kind, stateless) -> (op name, draw); stateful ops advance a shared generator at every run.
_FLOAT_OPS = {
    ("uniform", False): ("RandomUniform", _uniform01),
    ("normal", False): ("RandomStandardNormal", _standard_normal),
    ("truncated", False): ("TruncatedNormal", _truncated_normal),
    ("uniform", True): ("StatelessRandomUniform", _uniform01),
    ("normal", True): ("StatelessRandomNormal", _standard_normal),
    ("truncated", True): ("StatelessTruncatedNormal", _truncated_normal),
}
OPS = {key: defop(name, _float_kernel(draw, key[1]), _float_infer(name), stateful=not key[1])
       for key, (name, draw) in _FLOAT_OPS.items()}
for _name, _stateless in (("RandomUniformInt", False), ("StatelessRandomUniformInt", True)):
    OPS[("int", _stateless)] = defop(_name, _int_kernel(_stateless), _int_infer(_name),
                                     stateful=not _stateless)


# ---- wrappers ---------------------------------------------------------------------------

def _is(value, number) -> bool:
    """``value`` is the Python number ``number`` (so the affine step can be skipped)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and value == number


def _stateless_seed(seed, op: str) -> tuple:
    arr = np.asarray(seed.numpy() if isinstance(seed, Tensor) else seed)
    if arr.shape != (2,) or arr.dtype.kind not in "iu":
        raise ValueError(f"{op}: seed must be a pair of integers (shape [2]), got {seed!r}")
    return int(arr[0]), int(arr[1])


def _float_sample(kind: str, shape, dtype, seeds, stateless: bool, op: str) -> Tensor:
    dtype = D.as_dtype(dtype)
    if dtype not in FLOAT:
        raise TypeError(f"{op}: dtype must be a float type, got {dtype.name}")
    static, dims = shape_arg(shape, op)
    attrs = {"shape": static, "dtype": dtype, "seed": seeds[0], "seed2": seeds[1]}
    return dispatch.execute(OPS[kind, stateless], () if dims is None else (dims,), attrs)


def _affine(rnd: Tensor, scale, shift) -> Tensor:
    """``rnd * scale + shift`` as TensorFlow builds it (so gradients reach tensor arguments)."""
    if not _is(scale, 1):
        rnd = rnd * convert_to_tensor(scale, dtype=rnd.dtype)
    if not _is(shift, 0):
        rnd = rnd + convert_to_tensor(shift, dtype=rnd.dtype)
    return rnd


def _uniform(shape, minval, maxval, dtype, seeds, stateless: bool, op: str) -> Tensor:
    dtype = D.as_dtype(dtype)
    if dtype.is_integer:
        if maxval is None:
            raise ValueError(f"{op}: maxval must be given for integer dtype {dtype.name}")
        if dtype not in _INT_DTYPES:
            raise TypeError(f"{op}: integer dtype must be int32 or int64, got {dtype.name}")
        static, dims = shape_arg(shape, op)
        lo = convert_to_tensor(minval, dtype=dtype)
        hi = convert_to_tensor(maxval, dtype=dtype)
        attrs = {"shape": static, "seed": seeds[0], "seed2": seeds[1]}
        inputs = (lo, hi) if dims is None else (lo, hi, dims)
        return dispatch.execute(OPS["int", stateless], inputs, attrs)
    rnd = _float_sample("uniform", shape, dtype, seeds, stateless, op)
    if maxval is None:
        maxval = 1
    if _is(minval, 0) and _is(maxval, 1):
        return rnd
    lo = convert_to_tensor(minval, dtype=dtype)
    hi = convert_to_tensor(maxval, dtype=dtype)
    return rnd * (hi - lo) + lo


def uniform(shape, minval=0, maxval=None, dtype=D.float32, seed=None, name=None) -> Tensor:
    """Uniform values in ``[minval, maxval)``; ``maxval`` defaults to 1 for floats and is
    required for integer dtypes."""
    return _uniform(shape, minval, maxval, dtype, get_seed(seed), False, "random.uniform")


def normal(shape, mean=0.0, stddev=1.0, dtype=D.float32, seed=None, name=None) -> Tensor:
    """Normally distributed values with the given ``mean`` and ``stddev``."""
    rnd = _float_sample("normal", shape, dtype, get_seed(seed), False, "random.normal")
    return _affine(rnd, stddev, mean)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=D.float32, seed=None,
                     name=None) -> Tensor:
    """Normal values, redrawn where they fall more than two ``stddev`` from ``mean``."""
    rnd = _float_sample("truncated", shape, dtype, get_seed(seed), False,
                        "random.truncated_normal")
    return _affine(rnd, stddev, mean)


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=D.float32, name=None,
                      alg="auto_select") -> Tensor:
    """Like ``uniform`` but a pure function of ``seed`` (a pair of ints): same seed, same values."""
    seeds = _stateless_seed(seed, "random.stateless_uniform")
    return _uniform(shape, minval, maxval, dtype, seeds, True, "random.stateless_uniform")


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=D.float32, name=None,
                     alg="auto_select") -> Tensor:
    """Like ``normal`` but a pure function of ``seed`` (a pair of ints)."""
    seeds = _stateless_seed(seed, "random.stateless_normal")
    rnd = _float_sample("normal", shape, dtype, seeds, True,
                        "random.stateless_normal")
    return _affine(rnd, stddev, mean)


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=D.float32, name=None,
                               alg="auto_select") -> Tensor:
    """Like ``truncated_normal`` but a pure function of ``seed`` (a pair of ints)."""
    seeds = _stateless_seed(seed, "random.stateless_truncated_normal")
    rnd = _float_sample("truncated", shape, dtype, seeds, True,
                        "random.stateless_truncated_normal")
    return _affine(rnd, stddev, mean)


# ---- shuffle and categorical --------------------------------------------------------------

def _shuffle_kernel(xp, value, seed, seed2):
    if value.ndim == 0:
        return value.copy()
    perm = _generator(seed, seed2).permutation(value.shape[0])
    return value[xp.asarray(perm)]


def _shuffle_infer(value: Spec, seed, seed2) -> Spec:
    return value


_SHUFFLE = defop("RandomShuffle", _shuffle_kernel, _shuffle_infer, stateful=True)


def shuffle(value, seed=None, name=None) -> Tensor:
    """``value`` with its first dimension randomly permuted."""
    seed, seed2 = get_seed(seed)
    return dispatch.execute(_SHUFFLE, (convert_to_tensor(value),), {"seed": seed, "seed2": seed2})


def _categorical_kernel(xp, logits, num_samples, dtype, seed, seed2):
    gen = _generator(seed, seed2)
    lg = np.asarray(backends.to_numpy(logits), dtype=np.float64)
    batch, classes = lg.shape
    if classes == 0 and num_samples > 0:
        raise ValueError("logits have no classes to sample from")
    out = np.empty((batch, num_samples), dtype=dtype.np)
    for row in range(batch):
        p = np.exp(lg[row] - lg[row].max())
        cdf = np.cumsum(p)
        # side="right" never lands on a class of probability 0 (its cdf step is flat).
        u = gen.random(num_samples) * cdf[-1]
        out[row] = np.minimum(np.searchsorted(cdf, u, side="right"), classes - 1)
    return xp.asarray(out)


def _categorical_infer(logits: Spec, num_samples, dtype, seed, seed2) -> Spec:
    if len(logits.shape) != 2:
        raise ValueError(f"Multinomial: logits must be 2-D [batch, classes], got shape "
                         f"{shapes.fmt(logits.shape)}")
    if logits.dtype not in FLOAT:
        raise TypeError(f"Multinomial: logits must be float, got {logits.dtype.name}")
    return Spec(dtype, (logits.shape[0], num_samples))


_CATEGORICAL = defop("Multinomial", _categorical_kernel, _categorical_infer, stateful=True)


def categorical(logits, num_samples, dtype=None, seed=None, name=None) -> Tensor:
    """``num_samples`` class indices per row of ``logits`` ([batch, classes]), int64 by default."""
    dtype = D.int64 if dtype is None else D.as_dtype(dtype)
    if dtype not in _INT_DTYPES:
        raise TypeError(f"random.categorical: dtype must be int32 or int64, got {dtype.name}")
    seed, seed2 = get_seed(seed)
    attrs = {"num_samples": int(num_samples), "dtype": dtype, "seed": seed, "seed2": seed2}
    return dispatch.execute(_CATEGORICAL, (convert_to_tensor(logits),), attrs)
