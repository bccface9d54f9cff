"""Smoke test of the benchmark runner: it runs, prints a table and writes JSON.
Timings are never asserted (they depend on the machine)."""
import json
import subprocess
import sys
from pathlib import Path

from bench import run
from bench.registry import discover

REPO = Path(__file__).resolve().parents[2]


def test_quick_run_of_one_workload_writes_table_and_json(tmp_path, capsys):
    out = tmp_path / "bench.json"
    code = run.main(["--quick", "--filter", "^eager_add_2x2$", "--only", "autograph",
                     "--only", "numpy", "--json", str(out)])
    assert code == 0
    table = capsys.readouterr().out
    assert "eager_add_2x2" in table and "<= 1.5" in table
    report = json.loads(out.read_text())
    assert report["quick"] is True and report["environment"]["versions"]["numpy"]
    [result] = report["results"]
    assert result["name"] == "eager_add_2x2" and result["unit"] == "us"
    for impl in ("autograph", "numpy"):
        entry = result["impls"][impl]
        assert entry["status"] == "ok" and 0 < entry["best"] <= entry["median"]
    assert isinstance(result["meets_target"], bool)


def test_registry_has_the_planned_workloads():
    names = [w.name for w in discover()]
    assert names[:4] == ["eager_add_2x2", "eager_dense_relu", "import_time", "eager_gradient"]
    assert all(w.target is not None for w in discover())


def test_script_entry_point_lists_workloads_and_rejects_unknown_filters():
    listed = subprocess.run([sys.executable, "bench/run.py", "--list"], cwd=REPO,
                            capture_output=True, text=True, check=True)
    assert "eager_gradient:" in listed.stdout
    none = subprocess.run([sys.executable, "-m", "bench", "--filter", "no_such_workload"],
                          cwd=REPO, capture_output=True, text=True)
    assert none.returncode == 2 and "no workload matches" in none.stderr


def test_converter_workloads_run_and_convert_fresh_code_each_time():
    from bench import converter
    from autograph.converter import conversion
    first = converter._fresh(converter.LONG, {})
    second = converter._fresh(converter.LONG, {})
    assert first.__code__ is not second.__code__
    assert conversion.convert_function(first) is not conversion.convert_function(second)
    for workload in converter.WORKLOADS:
        measurement = workload.impls["autograph"](True)
        assert measurement.best > 0, workload.name
