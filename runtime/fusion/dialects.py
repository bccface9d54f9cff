"""The two dialects the renderer writes: C (CPU, loaded with ctypes) and CUDA (cupy.RawKernel).

They differ only in what this table holds: the prelude, storage types, half conversions, the
function and pointer qualifiers and the loop wrappers. Kernel bodies are shared.
"""
from __future__ import annotations

from dataclasses import dataclass

# Helpers both dialects define identically (AG_FN is the dialect's function qualifier).
# Integer floor division and modulo follow NumPy (the divisor's sign; INT_MIN // -1 wraps)
# and never trap: a zero divisor gives 0 and the kernel's check reports the error. Float
# floor division and modulo are NumPy's npy_divmod, line for line.
COMMON_HELPERS = r"""
AG_FN int64_t ag_floordiv_s(int64_t a, int64_t b) {
    if (b == 0) return 0;
    if (b == -1) return (int64_t)(0ULL - (uint64_t)a);
    int64_t q = a / b;
    if (a % b != 0 && ((a < 0) != (b < 0))) q -= 1;
    return q;
}
AG_FN uint64_t ag_floordiv_u(uint64_t a, uint64_t b) { return b == 0 ? 0 : a / b; }
AG_FN int64_t ag_floormod_s(int64_t a, int64_t b) {
    if (b == 0 || b == -1) return 0;
    int64_t r = a % b;
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
}
AG_FN uint64_t ag_floormod_u(uint64_t a, uint64_t b) { return b == 0 ? 0 : a % b; }
AG_FN uint64_t ag_ipow_u(uint64_t a, uint64_t b) {
    uint64_t r = 1;
    while (b) {
        if (b & 1) r *= a;
        a *= a;
        b >>= 1;
    }
    return r;
}
AG_FN int64_t ag_ipow_s(int64_t a, int64_t b) {
    return b < 0 ? 0 : (int64_t)ag_ipow_u((uint64_t)a, (uint64_t)b);
}
#define AG_DIVMOD(T, S)                                                        \
AG_FN T ag_floordiv_##S(T a, T b) {                                            \
    if (!(b != 0)) return a / b;                                               \
    T mod = fmod(a, b);                                                        \
    T div = (a - mod) / b;                                                     \
    if (mod != 0) {                                                            \
        if ((b < 0) != (mod < 0)) div -= 1;                                    \
    }                                                                          \
    if (div != 0) {                                                            \
        T fl = floor(div);                                                     \
        if (div - fl > (T)0.5) fl += 1;                                        \
        return fl;                                                             \
    }                                                                          \
    return copysign((T)0, a / b);                                              \
}                                                                              \
AG_FN T ag_fmod_##S(T a, T b) {                                                \
    T mod = fmod(a, b);                                                        \
    if (!(b != 0)) return mod;                                                 \
    if (mod != 0) {                                                            \
        if ((b < 0) != (mod < 0)) mod += b;                                    \
    } else {                                                                   \
        mod = copysign((T)0, b);                                               \
    }                                                                          \
    return mod;                                                                \
}
AG_DIVMOD(float, f32)
AG_DIVMOD(double, f64)
/* Sigmoid as the interpreter computes it: one exp of -|x|, which cannot overflow, so a large
   negative x keeps its tiny (even subnormal) value where 1 / (1 + exp(-x)) would give 0.
   The comparison is false for NaN, which then flows through e. */
AG_FN float ag_sigmoid_f32(float x) {
    const float e = expf(-fabsf(x));
    return (x >= 0 ? 1.0f : e) / (1.0f + e);
}
AG_FN double ag_sigmoid_f64(double x) {
    const double e = exp(-fabs(x));
    return (x >= 0 ? 1.0 : e) / (1.0 + e);
}
"""

# libmvec's vector variants (glibc >= 2.35): declaring them lets the C compiler vectorize
# loops calling these functions without -ffast-math (results within 4 ulp, NaN/Inf exact).
LIBMVEC_UNARY = ("acos", "acosh", "asin", "asinh", "atan", "atanh", "cbrt", "cos", "cosh",
                 "erf", "erfc", "exp", "exp10", "exp2", "expm1", "log", "log10", "log1p",
                 "log2", "sin", "sinh", "tan", "tanh")
LIBMVEC_BINARY = ("atan2", "hypot", "pow")


def libmvec_declarations() -> str:
    lines = []
    for name in LIBMVEC_UNARY:
        lines += ["#pragma omp declare simd notinbranch", f"float {name}f(float);",
                  "#pragma omp declare simd notinbranch", f"double {name}(double);"]
    for name in LIBMVEC_BINARY:
        lines += ["#pragma omp declare simd notinbranch", f"float {name}f(float, float);",
                  "#pragma omp declare simd notinbranch", f"double {name}(double, double);"]
    return "\n".join(lines)


C_PRELUDE_HEAD = r"""#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <math.h>
"""

C_PRELUDE_TAIL = r"""#include <tgmath.h>
#define AG_FN static inline
#define AG_EXPORT __attribute__((visibility("default")))
#define AG_ROUND_HALF(x) ((float)(_Float16)(x))
/* Loops shorter than this run on one thread: starting a team costs more than they do. */
#define AG_PARALLEL_MIN 32768
/* Full reductions fold at most AG_MAX_PARTS chunks of at least AG_MIN_CHUNK elements. */
#define AG_MAX_PARTS 256
#define AG_MIN_CHUNK 32768
AG_FN float ag_f32_bits(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
AG_FN double ag_f64_bits(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }
""" + COMMON_HELPERS + r"""
#define floordiv_floor(a, b) \
    _Generic((a) + (b), double: ag_floordiv_f64, default: ag_floordiv_f32)(a, b)
#define fmod_floor(a, b) _Generic((a) + (b), double: ag_fmod_f64, default: ag_fmod_f32)(a, b)
#define ag_sigmoid(x) _Generic((x), double: ag_sigmoid_f64, default: ag_sigmoid_f32)(x)
"""

CUDA_PRELUDE = r"""#include <cuda_fp16.h>
typedef signed char int8_t;
typedef short int16_t;
typedef int int32_t;
typedef long long int64_t;
typedef unsigned char uint8_t;
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;
typedef unsigned long long uint64_t;
#define AG_FN __device__ __forceinline__
#define AG_ROUND_HALF(x) __half2float(__float2half_rn(x))
/* Threads per block for reductions (the shared-memory tree below assumes a power of 2). */
#define AG_BLOCK 256
AG_FN float ag_f32_bits(uint32_t u) { return __int_as_float((int)u); }
AG_FN double ag_f64_bits(uint64_t u) { return __longlong_as_double((long long)u); }
""" + COMMON_HELPERS + r"""
AG_FN float floordiv_floor(float a, float b) { return ag_floordiv_f32(a, b); }
AG_FN double floordiv_floor(double a, double b) { return ag_floordiv_f64(a, b); }
AG_FN float fmod_floor(float a, float b) { return ag_fmod_f32(a, b); }
AG_FN double fmod_floor(double a, double b) { return ag_fmod_f64(a, b); }
AG_FN float ag_sigmoid(float x) { return ag_sigmoid_f32(x); }
AG_FN double ag_sigmoid(double x) { return ag_sigmoid_f64(x); }
"""


@dataclass(frozen=True)
class Dialect:
    name: str
    restrict: str
    loop_index: str     # type of loop counters (idx_t: sizes and coordinates)
    half_storage: str
    load_half: str      # format: {ref} is the element
    store_half: str     # format: {v} is the float value
    kernel_head: str    # format: {name}, {params}
    map_loop: str       # format: {n}, {clauses}
    all_loop: str       # the full reduction's loop (C only; CUDA has its own wrapper)
    axis_loop: str      # loop over reduced elements
    status_tail: str    # reports ag_err


C = Dialect(
    name="c",
    restrict="restrict",
    # With -fwrapv a 32-bit counter may wrap, so the compiler could not prove in[i] walks
    # memory linearly and would gather instead of loading vectors: counters are 64-bit on
    # the CPU, while coordinate arithmetic (division, modulo) stays 32-bit when sizes allow.
    loop_index="int64_t",
    half_storage="_Float16",
    load_half="(float){ref}",
    store_half="(_Float16)({v})",
    kernel_head="AG_EXPORT int {name}({params})",
    map_loop="#pragma omp parallel for simd if({n} >= AG_PARALLEL_MIN) schedule(static){clauses}\n"
             "for (loop_t i = 0; i < {n}; ++i)",
    all_loop="#pragma omp parallel for simd if({n} >= AG_PARALLEL_MIN) schedule(static){clauses}\n"
             "for (loop_t i = 0; i < {n}; ++i)",
    axis_loop="#pragma omp parallel for if(n >= AG_PARALLEL_MIN) schedule(static){clauses}\n"
              "for (loop_t o = 0; o < {n}; ++o)",
    status_tail="return ag_err;",
)

CUDA = Dialect(
    name="cuda",
    restrict="__restrict__",
    loop_index="idx_t",
    half_storage="__half",
    load_half="__half2float({ref})",
    store_half="__float2half_rn({v})",
    kernel_head='extern "C" __global__ void {name}({params})',
    map_loop="for (loop_t i = (loop_t)blockIdx.x * blockDim.x + threadIdx.x; i < {n}; "
             "i += (loop_t)blockDim.x * gridDim.x)",
    all_loop="for (loop_t i = (loop_t)blockIdx.x * blockDim.x + threadIdx.x; i < {n}; "
             "i += (loop_t)blockDim.x * gridDim.x)",
    axis_loop="for (loop_t o = (loop_t)blockIdx.x * blockDim.x + threadIdx.x; o < {n}; "
              "o += (loop_t)blockDim.x * gridDim.x)",
    status_tail="if (ag_err) atomicOr(ag_status, ag_err);",
)

DIALECTS = {"c": C, "cuda": CUDA}


def c_prelude(libmvec: bool) -> str:
    return C_PRELUDE_HEAD + (libmvec_declarations() + "\n" if libmvec else "") + C_PRELUDE_TAIL
