"""Loading needs no Python source of the model: a model saved by one process from a module
file is loaded by another process after that file is deleted."""
import os
import subprocess
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__)))))

MODEL_SOURCE = textwrap.dedent('''
    import numpy as np
    import autograph as ag
    from ops.module import Module
    from ops.saved_model import save


    class Scaler(Module):
        def __init__(self):
            super().__init__()
            with self.name_scope:
                self.scale = ag.Variable(np.array([1.0, 2.0, 3.0], np.float32), name="scale")
                self.calls = ag.Variable(0, dtype=ag.int64, trainable=False, name="calls")

        @ag.function(input_signature=[ag.TensorSpec([None, 3], ag.float32, name="x")])
        def __call__(self, x):
            self.calls.assign_add(1)
            def body(i, acc):
                return i + 1, acc + ag.cond(i % 2 == 0, lambda: x * self.scale, lambda: -x)
            return ag.while_loop(lambda i, acc: i < 3, body, [0, ag.zeros_like(x)])[1]


    def main(path):
        model = Scaler()
        model(ag.ones([1, 3]))
        save(model, path)
''')

LOADER = textwrap.dedent('''
    import sys
    import numpy as np
    import autograph as ag
    from ops.saved_model import load

    loaded = load(sys.argv[1])
    assert "scaler_model" not in sys.modules
    out = loaded(ag.constant([[1.0, 1.0, 1.0], [2.0, 0.0, -1.0]]))
    print(out.numpy().tolist())
    print([v.name for v in loaded.variables], loaded.calls.numpy())
    print(loaded.signatures["serving_default"](x=ag.ones([1, 3]))["output_0"].numpy().tolist())
''')


def _run(args, cwd):
    env = dict(os.environ, PYTHONPATH=ROOT, PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_model_saved_from_a_deleted_module_file_loads_in_a_new_process(tmp_path):
    source_dir = tmp_path / "src"
    source_dir.mkdir()
    (source_dir / "scaler_model.py").write_text(MODEL_SOURCE)
    export = str(tmp_path / "export")
    _run(["-c", f"import scaler_model; scaler_model.main({export!r})"], cwd=str(source_dir))
    os.remove(source_dir / "scaler_model.py")
    assert os.listdir(source_dir) == []              # no source and no bytecode left

    lines = _run(["-c", LOADER, export], cwd=str(tmp_path)).splitlines()
    # (x*scale) - x + (x*scale) for rows x
    assert lines[0] == "[[1.0, 3.0, 5.0], [2.0, 0.0, -5.0]]"
    assert lines[1] == "['scaler/calls:0', 'scaler/scale:0'] 2"
    assert lines[2] == "[[1.0, 3.0, 5.0]]"
