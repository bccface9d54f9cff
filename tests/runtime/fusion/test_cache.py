"""The kernel cache: memory, then disk (keyed by source, generator version, compiler and
flags, published atomically), and a corrupted entry is rebuilt, never loaded."""
import dataclasses
import os

import numpy as np
import pytest

from runtime.fusion import cache, cbuild

SOURCE = """
#include <stdint.h>
__attribute__((visibility("default"))) int answer(void) { return 42; }
"""


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.ENV, str(tmp_path))
    cbuild.forget_loaded()
    yield tmp_path
    cbuild.forget_loaded()


def entries(root):
    return sorted(p.name for p in root.rglob("*") if p.is_file())


def test_fetch_builds_once_and_publishes_with_a_digest(cache_dir):
    calls = []

    def build(path):
        calls.append(path)
        path.write_bytes(b"artifact")

    first = cache.fetch("demo", "ab" * 32, ".bin", build)
    second = cache.fetch("demo", "ab" * 32, ".bin", build)
    assert first == second and len(calls) == 1
    assert first.read_bytes() == b"artifact"
    assert entries(cache_dir) == [f"{'ab' * 32}.bin", f"{'ab' * 32}.bin.sha256"]
    assert calls[0].name.startswith(".tmp-")        # written aside, then os.replace'd


def test_a_failed_build_leaves_no_entry_and_no_temporary(cache_dir):
    def build(path):
        path.write_bytes(b"half")
        raise RuntimeError("compiler crashed")

    with pytest.raises(RuntimeError):
        cache.fetch("demo", "cd" * 32, ".bin", build)
    assert entries(cache_dir) == []


def test_library_is_loaded_from_disk_after_memory_is_dropped(cache_dir):
    lib = cbuild.library(SOURCE)
    assert lib.answer() == 42
    assert cbuild.library(SOURCE) is lib                 # memory
    [so] = [p for p in cache_dir.rglob("*.so")]
    mtime = so.stat().st_mtime_ns
    cbuild.forget_loaded()
    assert cbuild.library(SOURCE).answer() == 42         # disk: not rebuilt
    assert so.stat().st_mtime_ns == mtime


def replace_bytes(path, data: bytes) -> None:
    """Damage a cache file as another process or the disk would: a new file at its path
    (rewriting it in place would also break this process's mapping of the loaded copy)."""
    tmp = path.with_name("damaged")
    tmp.write_bytes(data)
    os.replace(tmp, path)


@pytest.mark.parametrize("damage", ["garbage", "truncate", "digest"])
def test_corrupted_entries_are_rebuilt_not_loaded(cache_dir, damage):
    cbuild.library(SOURCE)
    [so] = [p for p in cache_dir.rglob("*.so")]
    good = so.read_bytes()
    if damage == "garbage":
        replace_bytes(so, b"\x7fELF this is not a library")
    elif damage == "truncate":
        replace_bytes(so, good[: len(good) // 2])
    else:
        os.unlink(str(so) + ".sha256")
    assert cache.lookup("c", so.stem, ".so") is None     # never loaded as it is
    cbuild.forget_loaded()
    assert cbuild.library(SOURCE).answer() == 42
    assert cache.lookup("c", so.stem, ".so") == so       # rebuilt: valid again
    assert so.read_bytes() != b"\x7fELF this is not a library"


def test_key_covers_source_version_compiler_and_flags(monkeypatch):
    tc = cbuild.toolchain()
    key = cbuild.library_key(tc, SOURCE)
    assert key != cbuild.library_key(tc, SOURCE + " ")
    assert key != cbuild.library_key(dataclasses.replace(tc, flags=tc.flags + ("-O1",)), SOURCE)
    assert key != cbuild.library_key(dataclasses.replace(tc, identity="other-cc"), SOURCE)
    monkeypatch.setattr(cbuild, "GENERATOR_VERSION", "test")
    assert key != cbuild.library_key(tc, SOURCE)


def test_cache_root_defaults_to_the_user_cache(monkeypatch):
    monkeypatch.delenv(cache.ENV, raising=False)
    assert cache.cache_root() == cache.Path.home() / ".cache" / "autograph"


def test_compile_errors_carry_the_compiler_output(cache_dir):
    with pytest.raises(cbuild.CompileError, match="no_such_function|implicit"):
        cbuild.library("int f(void) { return no_such_function(); }\n#error boom")
    assert not list(cache_dir.rglob("*.so"))
    assert np.all([not p.name.startswith(".tmp-") for p in cache_dir.rglob("*")])


def test_a_fresh_process_rebuilds_a_corrupted_entry(cache_dir):
    import subprocess
    import sys
    cbuild.library(SOURCE)
    [so] = [p for p in cache_dir.rglob("*.so")]
    replace_bytes(so, b"\x7fELF garbage")
    code = ("from runtime.fusion import cbuild; import sys; "
            "print(cbuild.library(sys.argv[1]).answer())")
    done = subprocess.run([sys.executable, "-c", code, SOURCE], capture_output=True, text=True,
                          cwd=str(cache.Path(__file__).resolve().parents[3]),
                          env={**os.environ, cache.ENV: str(cache_dir)})
    assert done.stdout.strip() == "42", done.stderr
    assert cache.lookup("c", so.stem, ".so") == so


def test_an_unwritable_cache_folder_builds_in_a_scratch_folder(tmp_path, monkeypatch):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")                   # a file where the cache folder should be
    monkeypatch.setenv(cache.ENV, str(blocked))
    monkeypatch.setattr(cache, "_scratch", [])
    cbuild.forget_loaded()
    with pytest.warns(RuntimeWarning, match="cannot be written"):
        assert cbuild.library(SOURCE).answer() == 42
    cbuild.forget_loaded()
