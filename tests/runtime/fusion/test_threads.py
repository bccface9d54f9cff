"""OpenMP team sizes follow the cores other processes leave free; results never depend on them."""
import os

import numpy as np
import pytest

import autograph as ag
from runtime.fusion import cbuild, threads

from tests.runtime.fusion.helpers import check

STAT = """cpu  100 0 50 1000 10 0 0 5 0 0
cpu0 60 0 30 500 5 0 0 5 0 0
cpu1 40 0 20 500 5 0 0 0 0 0
intr 12345 0 0
procs_running 2
"""

# Reports the size of the team a parallel region gets (omp_get_num_threads inside it).
TEAM_SOURCE = r"""
#include <omp.h>
__attribute__((visibility("default"))) int team(void) {
    int n = 0;
    #pragma omp parallel
    {
        #pragma omp single
        n = omp_get_num_threads();
    }
    return n;
}
"""


class Fixed:
    """Stands for the sampler: always the same team size."""

    def __init__(self, size):
        self.size = size

    def team(self):
        return self.size


@pytest.fixture
def team_size():
    """Set the team size ``fit`` applies; the real sampler comes back afterwards."""
    if not (cbuild.toolchain() and cbuild.toolchain().openmp):
        pytest.skip("no OpenMP toolchain")
    if any(v in os.environ for v in threads.USER_VARS):
        pytest.skip("OpenMP is configured by the environment")
    lib = cbuild.library(TEAM_SOURCE)            # loading it binds omp_set_num_threads
    saved = list(threads._sampler)

    def use(size):
        threads._sampler[:] = [Fixed(size)]
        threads.fit()
        return lib.team()

    yield use
    threads._sampler[:] = saved
    threads._local.size = None                   # the next fit re-applies the real size
    threads.fit()


def test_busy_seconds_counts_this_process_cpus_without_idle_and_iowait():
    assert threads.busy_seconds(STAT, [0], 100) == pytest.approx((60 + 30 + 5) / 100)
    assert threads.busy_seconds(STAT, [0, 1], 100) == pytest.approx(1.55)
    assert threads.busy_seconds(STAT, [0, 2], 100) is None      # cpu2 is not listed


@pytest.mark.parametrize("others,cores,size", [
    (0.0, 2, 2), (-0.05, 2, 2), (0.4, 2, 2), (0.6, 2, 1), (1.0, 2, 1), (3.5, 2, 1),
    (2.2, 8, 6), (0.0, 1, 1)])
def test_team_is_the_free_cores_rounded_and_at_least_one(others, cores, size):
    assert threads.team_for(others, cores) == size


def test_sampler_subtracts_this_process_own_cpu_time():
    # (seconds, busy CPU seconds on our CPUs, our own CPU seconds)
    readings = iter([(0.0, 0.0, 0.0),
                     (1.0, 1.9, 0.9),      # one other process kept a core busy: 1 thread
                     (2.0, 3.8, 2.8),      # all the load was ours: 2 threads
                     None,                 # an unreadable sample keeps the size
                     (3.0, 4.0, 2.9)])     # 0.1 CPUs others: 2 threads
    s = threads.Sampler(lambda: next(readings), cores=2, period=0.0)
    assert s.available and s.size == 2
    assert [s.team() for _ in range(4)] == [1, 2, 2, 2]


def test_sampler_reads_at_most_once_per_period():
    calls = []
    s = threads.Sampler(lambda: calls.append(1) or (len(calls), 0.0, 0.0), cores=2,
                        period=3600.0)
    assert [s.team() for _ in range(3)] == [2, 2, 2] and len(calls) == 1


def test_without_proc_stat_or_with_user_settings_openmp_is_left_alone(monkeypatch):
    assert not threads.Sampler(lambda: None, cores=4).available
    monkeypatch.setattr(threads, "_sampler", [])
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert threads.sampler() is None


def test_this_machine_can_be_sampled():
    if not os.path.exists("/proc/stat"):
        pytest.skip("no /proc/stat")
    reading = threads.read_proc(threads.our_cpus())
    assert reading is not None and reading[1] > 0


def test_fit_sizes_the_next_parallel_region(team_size):
    assert team_size(1) == 1
    if len(threads.our_cpus()) >= 2:
        assert team_size(2) == 2


def test_full_reductions_are_the_same_for_any_team_size(team_size):
    x = np.random.default_rng(3).standard_normal(300_000).astype(np.float32)
    f = ag.function(lambda x: (ag.reduce_sum((x - ag.reduce_mean(x)) ** 2),
                               ag.reduce_max(ag.abs(x) * 2.0)), jit_compile=True)
    results = []
    for size in (1, 2, 1):
        team_size(size)
        results.append([r.numpy() for r in f(ag.constant(x))])
    for got in results[1:]:
        assert all(np.array_equal(g, w) for g, w in zip(got, results[0]))
    check(lambda x: ag.reduce_sum((x - ag.reduce_mean(x)) ** 2), x, rtol=1e-5)


# ---- NumPy's BLAS ----------------------------------------------------------------------------

def test_blas_threads_follow_the_team_size_and_are_set_only_on_change(monkeypatch):
    told = []
    monkeypatch.setattr(threads, "_blas", [told.append])
    monkeypatch.setattr(threads, "_blas_size", [None])
    monkeypatch.setattr(threads, "_sampler", [Fixed(1)])
    small = ag.constant(np.ones((3, 3), np.float32))
    ag.matmul(small, small)         # OpenBLAS runs products this small on one thread anyway
    assert told == []
    a = ag.constant(np.ones((64, 64), np.float32))
    ag.matmul(a, a)
    ag.matmul(a, a)
    threads._sampler[0] = Fixed(2)
    np.testing.assert_array_equal(ag.matmul(a, a).numpy(), np.full((64, 64), 64.0))
    assert told == [1, 2]


def test_a_thread_variable_of_the_user_leaves_blas_alone(monkeypatch):
    monkeypatch.setattr(threads, "_blas", [])
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "3")
    assert threads.blas_setter() is None


def test_numpys_openblas_is_found_here(monkeypatch):
    monkeypatch.setattr(threads, "_blas", [])
    for var in threads.BLAS_VARS:
        monkeypatch.delenv(var, raising=False)
    config = np.show_config(mode="dicts") if hasattr(np, "show_config") else {}
    blas = str(config.get("Build Dependencies", {}).get("blas", {}).get("name", ""))
    if "openblas" not in blas.lower() or not os.path.exists("/proc/self/maps"):
        pytest.skip(f"NumPy's BLAS here is {blas or 'unknown'}, or no /proc")
    assert threads.blas_setter() is not None
