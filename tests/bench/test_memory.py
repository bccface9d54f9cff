"""The tape-memory workloads: they run through the runner, report bytes (shown in MiB), and
recompute_grad holds less with the same gradients. The figures are counted bytes, not
timings, so they are exact and may be asserted."""
import json

from bench import memory, run

MIB = 2 ** 20


def test_memory_workloads_report_measured_bytes_plain_vs_recomputed(tmp_path, capsys):
    out = tmp_path / "memory.json"
    assert run.main(["--filter", "^tape_memory_", "--json", str(out)]) == 0
    table = capsys.readouterr().out
    assert "tape_memory_recompute_per_layer" in table and "MiB" in table
    report = json.loads(out.read_text())
    held = {r["name"]: r["impls"]["autograph"]["median_bytes"] for r in report["results"]}
    assert all(r["unit"] == "MiB" and r["meets_target"] for r in report["results"])
    # One activation is 1 MiB: plain keeps 32 of them, per layer 12, the wrapped stack 3
    # (the 4-byte loss on top of each).
    assert held == {"tape_memory_plain": 32 * MIB + 4,
                    "tape_memory_recompute_per_layer": 12 * MIB + 4,
                    "tape_memory_recompute_whole": 3 * MIB + 4}
    assert report["results"][0]["impls"]["autograph"]["median"] == held["tape_memory_plain"] / MIB
    for variant in ("per_layer", "whole_stack"):
        assert memory._grad_difference(variant) <= 1e-6
