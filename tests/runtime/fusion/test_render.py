"""Generated sources: one body, two dialects; every CUDA kernel compiles to PTX with NVRTC."""
import re

import numpy as np
import pytest

import autograph as ag
from runtime import fusion
from runtime.fusion import cbuild, cuda

from tests.runtime.fusion.helpers import traced

X = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
CHAIN = lambda x, a, b: ag.tanh(x * a + b) * ag.sigmoid(x) + x * x  # noqa: E731


def chain_graph():
    return fusion.compile_graph(traced(CHAIN, X, np.float32(0.5), X[0]))


def body(source: str) -> str:
    """The statements between the loop head and the store, the part both dialects share."""
    start = source.index("const float a_in0")
    return source[start:source.index("out0[", start)]


def test_cuda_and_c_share_one_body():
    fused = chain_graph()
    [c_src] = fusion.kernel_sources(fused, "c")
    [cuda_src] = fusion.kernel_sources(fused, "cuda")
    assert body(c_src) == body(cuda_src)
    assert 'extern "C" __global__ void fused_mul_add_tanh_sigmoid_' in cuda_src
    assert "i += (loop_t)blockDim.x * gridDim.x" in cuda_src          # grid-stride loop
    assert "#include <cuda_fp16.h>" in cuda_src
    assert re.search(r"AG_EXPORT int fused_mul_add_tanh_sigmoid_[0-9a-f]{4}\(", c_src)
    assert "typedef int32_t idx_t;" in c_src                        # 32-bit index math
    if cbuild.toolchain().openmp:
        assert "#pragma omp parallel for" in c_src


def test_kernel_names_are_readable_and_stable():
    names = [n.attrs["name"] for n in chain_graph().nodes]
    assert names == [n.attrs["name"] for n in chain_graph().nodes]
    assert re.fullmatch(r"fused_mul_add_tanh_sigmoid_[0-9a-f]{4}", names[0])


def test_no_fast_math_in_the_c_flags():
    tc = cbuild.toolchain()
    assert not any("fast-math" in f or f == "-Ofast" for f in tc.flags)
    assert "-ffp-contract=off" in tc.flags and "-fwrapv" in tc.flags


def test_nvrtc_is_available():
    if cuda.nvrtc_version() is None:
        pytest.skip("NVRTC is unavailable (pip install cupy-cuda12x nvidia-cuda-nvrtc-cu12): "
                    "generated CUDA kernels are not compiled to PTX in this run")
    assert cuda.include_dirs(), "cuda_fp16.h not found (set CUDA_PATH)"


@pytest.mark.parametrize("dtype", ["float16", "float64", "int8", "uint64", "bool"])
def test_cuda_kernels_of_every_dtype_compile_to_ptx(dtype):
    if cuda.nvrtc_version() is None:
        pytest.skip("NVRTC is unavailable")
    x = np.ones((3, 4), dtype)
    if dtype == "bool":
        fn = lambda x: ag.logical_xor(ag.logical_not(x), ag.equal(x, x))  # noqa: E731
    elif dtype.startswith(("int", "uint")):
        fn = lambda x: (x // (x + 1) + x % 3) * x  # noqa: E731
    else:
        fn = lambda x: ag.floor(x / 3.0) * ag.exp(x) + x % 2.0  # noqa: E731
    fused = fusion.compile_graph(traced(fn, x))
    [src] = fusion.kernel_sources(fused, "cuda")
    assert ".entry fused_" in cuda.ptx(src)


@pytest.mark.parametrize("axis", [None, 1])
def test_cuda_reductions_compile_to_ptx(axis):
    if cuda.nvrtc_version() is None:
        pytest.skip("NVRTC is unavailable")
    fused = fusion.compile_graph(traced(
        lambda x: ag.exp(ag.reduce_max(x * 2.0, axis=axis)) + 1.0, X))
    [src] = fusion.kernel_sources(fused, "cuda")
    ptx = cuda.ptx(src)
    assert ptx.count(".entry") == (2 if axis is None else 1)   # full: blocks, then _final


def test_nvrtc_errors_carry_the_log():
    if cuda.nvrtc_version() is None:
        pytest.skip("NVRTC is unavailable")
    with pytest.raises(cbuild.CompileError, match="undefined"):
        cuda.ptx('extern "C" __global__ void k() { undefined_thing(); }')


def test_loops_have_no_cuda_source():
    fused = fusion.compile_graph(traced(
        lambda n: ag.while_loop(lambda i: i < n, lambda i: (i + 1,), [ag.constant(0)])[0],
        np.int32(5)))
    assert fusion.kernel_sources(fused, "cuda") == []
    [src] = fusion.kernel_sources(fused, "c")
    assert "for (;;)" in src


def _signature(source: str, name: str) -> list:
    head = source[source.index(f"void {name}("):]
    return [p.strip() for p in head[head.index("(") + 1:head.index(")")].split(",")]


@pytest.mark.parametrize("fn", [
    lambda x, y: ag.exp(x) * y + 1.0,                                      # map, broadcast
    lambda x, y: ag.reduce_sum(x * y, axis=1) + 1.0,                       # one axis
    lambda x, y: ag.reduce_max(x - y) * 2.0,                               # all axes
    lambda x, y: ag.cast(ag.reduce_sum(ag.cast(x > y, ag.int32) // 2), ag.float32) + 1.0,
], ids=["map", "axis", "all", "checked"])
def test_cuda_launch_arguments_match_the_kernel_parameters(fn):
    """The GPU runner's arguments, checked against the rendered signatures without a GPU:
    arrays for pointers, NumPy integers of the index width for idx_t, int32 for int."""
    from runtime.fusion import program
    x, y = np.ones((3, 4), np.float32), np.ones((1, 4), np.float32)
    [node] = [n for n in fusion.compile_graph(traced(fn, x, y)).nodes if n.op.name == "Fused"]
    prog = program.program_for(node.attrs["graph"], node.attrs["name"])
    lay = prog.layout_for([x, y])
    k = prog.kernel(lay.spec)
    src = prog.source(lay.spec, "cuda")
    outs = [np.empty(s, v.dtype.np) for s, v in zip(lay.out_shapes, prog.sub.outputs)]
    status = np.zeros(1, np.int32) if k.checks else None
    partial = np.empty(8, k.reduction.acc.np) if k.kind == "reduce_all" else None
    for name, _, _, args in program.launches(k, lay, prog.structure, [x, y], outs, 8, partial,
                                             status):
        params = _signature(src, name)
        assert len(params) == len(args), (name, params)
        for p, a in zip(params, args):
            if "*" in p:
                assert isinstance(a, np.ndarray), p
                ctype = {"float32": "float", "float64": "double", "int32": "int32_t",
                         "bool": "bool"}[a.dtype.name]
                assert p.replace("const ", "").startswith((ctype + "*", "int* ag_status")), p
            elif p.startswith("idx_t"):
                assert type(a) is (np.int32 if k.index == "int32" else np.int64), p
            else:
                assert p.startswith("int ") and type(a) is np.int32, p
