"""The README's test command is exactly what CI runs, so a green CI proves a newcomer's setup."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_the_readme_test_command_verbatim():
    readme = (ROOT / "README.md").read_text()
    ci_lines = [line for line in (ROOT / ".ci" / "run").read_text().splitlines()
                if line.startswith("python3 -m venv")]
    assert len(ci_lines) == 1
    assert f"```bash\n{ci_lines[0]}\n```" in readme
    assert "pytest" in ci_lines[0] and ".[test]" in ci_lines[0]


def test_readme_demo_command_runs_a_sample_that_exists():
    readme = (ROOT / "README.md").read_text()
    demo = [line for line in readme.splitlines() if "python samples/" in line]
    assert demo, "the README must show the demo command"
    script = demo[0].split("python ")[-1].strip()
    assert (ROOT / script).is_file()


def test_the_public_namespace_has_tensorflows_submodules():
    import autograph as ag
    for name in ("math", "linalg", "nn", "random", "strings", "debugging", "config", "errors",
                 "nest"):
        assert hasattr(ag, name), name
    assert ag.nest.flatten({"b": 2, "a": [1]}) == [1, 2]
