"""Truncated, edited or malformed saved models are refused with an error naming the file, and
nothing in them is ever unpickled."""
import hashlib
import io
import json
import os
import pickle

import numpy as np
import pytest

import autograph as ag
from ops.module import Module
from ops.saved_model import SerializationError, load, save


class Model(Module):
    def __init__(self):
        super().__init__()
        self.w = ag.Variable(np.arange(6, dtype=np.float32).reshape(2, 3))

    @ag.function(input_signature=[ag.TensorSpec([None, 2], ag.float32)])
    def __call__(self, x):
        return ag.cond(ag.reduce_sum(x) > 0, lambda: ag.matmul(x, self.w),
                       lambda: ag.zeros([1, 3]) + 1.5)


@pytest.fixture
def model_dir(tmp_path):
    path = tmp_path / "model"
    save(Model(), str(path))
    return path


def rewrite(model_dir, name, data: bytes, update_manifest=True):
    """Replace a file of the saved model, and (by default) its manifest entry, so that only
    the file's content is wrong."""
    (model_dir / name).write_bytes(data)
    if update_manifest:
        manifest = json.loads((model_dir / "manifest.json").read_text())
        manifest["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        (model_dir / "manifest.json").write_text(json.dumps(manifest))


def edit_json(model_dir, name, edit):
    doc = json.loads((model_dir / name).read_bytes())
    edit(doc)
    rewrite(model_dir, name, json.dumps(doc).encode())


def npz_bytes(**members):
    buffer = io.BytesIO()
    np.savez(buffer, **members)
    return buffer.getvalue()


def test_the_untouched_model_loads(model_dir):
    loaded = load(str(model_dir))
    np.testing.assert_array_equal(loaded(ag.ones([1, 2])).numpy(), [[3.0, 5.0, 7.0]])
    np.testing.assert_array_equal(loaded(-ag.ones([1, 2])).numpy(), [[1.5, 1.5, 1.5]])


def test_an_edited_file_fails_its_checksum(model_dir):
    data = bytearray((model_dir / "variables.npz").read_bytes())
    data[-40] ^= 0xFF
    rewrite(model_dir, "variables.npz", bytes(data), update_manifest=False)
    with pytest.raises(SerializationError, match=r"variables\.npz: SHA-256 checksum mismatch"):
        load(str(model_dir))


def test_a_truncated_file_is_refused(model_dir):
    graph = next((model_dir / "graphs").iterdir())
    data = graph.read_bytes()
    graph.write_bytes(data[: len(data) // 2])
    with pytest.raises(SerializationError, match=rf"{graph.name}: \d+ bytes, but the manifest "
                                                 r"records \d+ \(truncated"):
        load(str(model_dir))


def test_a_truncated_file_with_a_matching_manifest_is_bad_json(model_dir):
    data = (model_dir / "saved_model.json").read_bytes()
    rewrite(model_dir, "saved_model.json", data[:-10])
    with pytest.raises(SerializationError, match=r"saved_model\.json: not valid JSON"):
        load(str(model_dir))


def test_a_missing_file_is_named(model_dir):
    os.remove(model_dir / "constants.npz")
    with pytest.raises(SerializationError, match=r"constants\.npz: missing"):
        load(str(model_dir))


def test_a_directory_without_manifest_is_not_a_saved_model(model_dir):
    os.remove(model_dir / "manifest.json")
    with pytest.raises(SerializationError, match=r"manifest\.json: missing"):
        load(str(model_dir))
    with pytest.raises(FileNotFoundError, match="no saved model"):
        load(str(model_dir / "nowhere"))


@pytest.mark.parametrize("name", ["../outside.json", "/etc/passwd", "graphs/../../x", "."])
def test_manifest_paths_must_stay_inside_the_directory(model_dir, name):
    manifest = json.loads((model_dir / "manifest.json").read_text())
    manifest["files"][name] = {"sha256": "0" * 64, "size": 1}
    (model_dir / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SerializationError, match="bad file name"):
        load(str(model_dir))


@pytest.mark.parametrize("edit, message", [
    (lambda d: d.pop("functions"), "missing 'functions'"),
    (lambda d: d["variables"][0].pop("dtype"), "missing 'dtype'"),
    (lambda d: d["variables"][0].update(shape=[3, 2]), "holds float32[2, 3] but"),
    (lambda d: d.update(version=99), "version 99 is not supported"),
    (lambda d: d["objects"][0]["attributes"].update(w={"variable": "v9"}), "names nothing saved"),
    (lambda d: d["functions"][0]["concrete_functions"][0].update(graph="graphs/none.json"),
     "is not in the saved model"),
    (lambda d: d["functions"][0]["concrete_functions"][0]["input_specs"][0].update(
        dtype="int32"), "input specs do not match"),
    (lambda d: d["functions"][0]["parameters"][0].update(kind="empty"), "malformed 'parameters'"),
    (lambda d: d["objects"][0]["attributes"].update(__class__={"object": 0}), "bad attribute"),
])
def test_a_malformed_object_graph_is_refused(model_dir, edit, message):
    edit_json(model_dir, "saved_model.json", edit)
    with pytest.raises(SerializationError, match=r"saved_model\.json") as info:
        load(str(model_dir))
    assert message in str(info.value)


def test_an_unknown_op_names_the_op_and_the_graph_file(model_dir):
    graph = next((model_dir / "graphs").iterdir())
    edit_json(model_dir, f"graphs/{graph.name}",
              lambda d: d["graph"]["nodes"][0].update(op="QuantumMatMul"))
    with pytest.raises(SerializationError, match=rf"{graph.name}.*unknown op 'QuantumMatMul'"):
        load(str(model_dir))


def test_a_variable_array_of_the_wrong_shape_is_refused(model_dir):
    from runtime.serialization import arrays
    rewrite(model_dir, "variables.npz", arrays.pack([("v0", np.zeros((3, 3), np.float32))]))
    with pytest.raises(SerializationError, match=r"variables\.npz: variable 'v0' .* holds "
                                                 r"float32\[3, 3\]"):
        load(str(model_dir))


def test_an_array_file_that_is_not_npz_is_refused(model_dir):
    rewrite(model_dir, "constants.npz", b"PK\x03\x04 not really a zip")
    with pytest.raises(SerializationError, match=r"constants\.npz: not a readable \.npz"):
        load(str(model_dir))


class _Trap:
    """Unpickling this sets a flag: proof that a loader unpickled data it should not have."""
    sprung = False

    def __reduce__(self):
        return (_spring, ())


def _spring():
    _Trap.sprung = True
    return "sprung"


def test_pickled_object_arrays_are_never_unpickled(model_dir):
    trap = np.array([_Trap()], dtype=object)
    assert pickle.loads(pickle.dumps(_Trap())) == "sprung" and _Trap.sprung
    _Trap.sprung = False
    rewrite(model_dir, "variables.npz",
            npz_bytes(__format__=np.array("autograph-arrays/1"), __names__=np.array(["v0"]),
                      a0=trap))
    with pytest.raises(SerializationError, match=r"variables\.npz: a member cannot be read"):
        load(str(model_dir))
    assert not _Trap.sprung


def test_an_npz_of_another_layout_is_refused(model_dir):
    rewrite(model_dir, "variables.npz", npz_bytes(v0=np.zeros((2, 3), np.float32)))
    with pytest.raises(SerializationError, match=r"variables\.npz: not an autograph array file"):
        load(str(model_dir))
