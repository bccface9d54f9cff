"""The conversion cache on disk: a function converted in one run is loaded in the next, and
behaves, maps errors and prints ``to_code`` exactly as a fresh conversion."""
import importlib.util
import logging
import sys
import textwrap

import pytest

import autograph as ag
from autograph.converter import conversion, disk_cache

SOURCE = textwrap.dedent("""
    import autograph as ag

    @ag.function
    def steps_to_zero(n):
        steps = 0
        while n > 0:
            if n % 3 == 0:
                n = n // 3
            else:
                n = n - 1
            steps += 1
        return steps

    @ag.function
    def checked(x):
        if x > 0:
            return ag.sqrt(x)
        raise_here = ag.debugging.assert_positive(x, message="x must be positive")
        return x
""")


@pytest.fixture
def cache_on(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv(disk_cache.ENV, "1")
    return tmp_path / "cache" / "converted"


_imports = iter(range(10**6))


def _import(path):
    """A fresh module from ``path`` (new code objects, as in a new process)."""
    name = f"cached_module_{next(_imports)}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _conversions(caplog) -> list:
    return [r.getMessage().split()[0] for r in caplog.records
            if "steps_to_zero" in r.getMessage()]


def test_a_second_run_loads_the_conversion(cache_on, tmp_path, caplog, monkeypatch):
    path = tmp_path / "program.py"
    path.write_text(SOURCE)
    monkeypatch.setenv("AUTOGRAPH_VERBOSITY", "1")
    with caplog.at_level(logging.INFO, logger="autograph"):
        first = _import(path)
        assert int(first.steps_to_zero(ag.constant(27))) == 4
        second = _import(path)
        assert int(second.steps_to_zero(ag.constant(27))) == 4
    assert _conversions(caplog) == ["Converted", "Loaded"]
    assert len(list(cache_on.rglob("*.marshal"))) == 1
    assert ag.autograph.to_code(first.steps_to_zero) == \
        ag.autograph.to_code(second.steps_to_zero)


def test_a_loaded_conversion_maps_errors_to_the_users_lines(cache_on, tmp_path):
    path = tmp_path / "program.py"
    path.write_text(SOURCE)
    _import(path).checked(ag.constant(4.0))
    module = _import(path)
    module.checked(ag.constant(4.0))
    factory = conversion.factory_of(module.checked.python_function)
    assert factory.code.co_filename == factory.filename          # renamed for this process
    line = SOURCE.splitlines().index(
        '    raise_here = ag.debugging.assert_positive(x, message="x must be positive")') + 1
    with pytest.raises(ag.errors.InvalidArgumentError, match=f"created at {path}:{line}"):
        module.checked(ag.constant(-1.0))


def test_editing_the_file_converts_again(cache_on, tmp_path, caplog, monkeypatch):
    path = tmp_path / "program.py"
    path.write_text(SOURCE)
    _import(path).steps_to_zero(ag.constant(6))
    path.write_text(SOURCE.replace("steps += 1", "steps += 2"))
    monkeypatch.setenv("AUTOGRAPH_VERBOSITY", "1")
    with caplog.at_level(logging.INFO, logger="autograph"):
        assert int(_import(path).steps_to_zero(ag.constant(6))) == 6
    assert _conversions(caplog) == ["Converted"]


def test_a_damaged_entry_is_converted_again(cache_on, tmp_path):
    path = tmp_path / "program.py"
    path.write_text(SOURCE)
    _import(path).steps_to_zero(ag.constant(6))
    (entry,) = cache_on.rglob("*.marshal")
    entry.write_bytes(entry.read_bytes()[:20])          # truncated
    assert int(_import(path).steps_to_zero(ag.constant(6))) == 3
    assert disk_cache.load(entry.stem, "steps_to_zero") is not None   # rebuilt and published again


def test_functions_without_a_file_and_a_disabled_cache_store_nothing(cache_on, monkeypatch):
    scope = {}
    exec(compile("def f(x):\n    return x if x > 0 else -x\n", "<string>", "exec"), scope)
    assert disk_cache.key_of(scope["f"]) is None
    monkeypatch.setenv(disk_cache.ENV, "0")
    assert not disk_cache.enabled()
    assert not cache_on.exists()


def test_the_key_changes_with_the_converter(tmp_path, monkeypatch):
    (tmp_path / "converters").mkdir()
    part = tmp_path / "converters" / "part.py"
    part.write_text("A = 1\n")
    monkeypatch.setattr(disk_cache, "__file__", str(tmp_path / "disk_cache.py"))

    def fingerprint():
        monkeypatch.setattr(disk_cache, "_fingerprint", [])
        return disk_cache.converter_fingerprint()

    before = fingerprint()
    part.write_text("A = 22\n")                     # another size: an edited converter
    assert fingerprint() != before
