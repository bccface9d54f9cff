"""A save that fails part-way never leaves a partial model at ``export_dir``: it is absent (first
save) or unchanged (an earlier model stays), and no temporary directory is left behind."""
import os

import pytest

import autograph as ag
from ops.module import Module
from ops.saved_model import SerializationError, load, save
from runtime.serialization import atomic


class Holder(Module):
    def __init__(self, value):
        super().__init__()
        self.v = ag.Variable(float(value))

    @ag.function(input_signature=[])
    def read(self):
        return self.v * 1.0


def _fail_on_call(monkeypatch, target, name, n):
    """Make ``target.name`` raise OSError on its n-th call (a full disk, a crash)."""
    original = getattr(target, name)
    calls = []

    def failing(*args, **kwargs):
        calls.append(args)
        if len(calls) == n:
            raise OSError(28, "No space left on device")
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, failing)
    return calls


def _snapshot(path):
    return {os.path.relpath(os.path.join(root, f), path): open(os.path.join(root, f), "rb").read()
            for root, _, names in os.walk(path) for f in names}


def test_a_failed_first_save_leaves_no_directory(tmp_path, monkeypatch):
    _fail_on_call(monkeypatch, atomic, "write_into", 3)
    with pytest.raises(OSError, match="No space left"):
        save(Holder(1), str(tmp_path / "model"))
    assert os.listdir(tmp_path) == []


def test_a_failed_save_leaves_the_previous_model_unchanged(tmp_path, monkeypatch):
    path = str(tmp_path / "model")
    save(Holder(1), path)
    before = _snapshot(path)
    _fail_on_call(monkeypatch, atomic, "write_into", 2)
    with pytest.raises(OSError):
        save(Holder(2), path)
    assert _snapshot(path) == before and os.listdir(tmp_path) == ["model"]
    assert load(path).read().numpy() == 1.0


def test_a_failed_rename_puts_the_previous_model_back(tmp_path, monkeypatch):
    path = str(tmp_path / "model")
    save(Holder(1), path)
    before = _snapshot(path)
    _fail_on_call(monkeypatch, os, "rename", 2)    # 1: old model aside, 2: new one in
    with pytest.raises(OSError):
        save(Holder(2), path)
    assert _snapshot(path) == before and os.listdir(tmp_path) == ["model"]


def test_an_unsaveable_object_fails_before_anything_is_written(tmp_path):
    holder = Holder(1)
    holder.bad = ag.function(lambda: {"k": object()}, input_signature=[])
    with pytest.raises(SerializationError, match="function bad outputs.*object"):
        save(holder, str(tmp_path / "model"))
    assert os.listdir(tmp_path) == []


def test_a_directory_that_is_not_a_saved_model_is_not_replaced(tmp_path):
    target = tmp_path / "photos"
    target.mkdir()
    (target / "cat.jpg").write_bytes(b"meow")
    with pytest.raises(SerializationError, match="not a saved model this library wrote"):
        save(Holder(1), str(target))
    assert os.listdir(target) == ["cat.jpg"]
    empty = tmp_path / "empty"
    empty.mkdir()
    save(Holder(3), str(empty))                    # an empty directory is fine
    assert load(str(empty)).read().numpy() == 3.0


def test_atomic_file_writes_keep_the_old_file_when_the_rename_fails(tmp_path, monkeypatch):
    path = tmp_path / "weights.npz"
    atomic.write_file(str(path), b"old")
    _fail_on_call(monkeypatch, os, "replace", 1)
    with pytest.raises(OSError):
        atomic.write_file(str(path), b"new")
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["weights.npz"]
