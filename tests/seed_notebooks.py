"""Run the seed documents' ```python blocks as a notebook would: in order, one namespace per
document, with TensorFlow's module name changed to ``autograph``.

``python -m tests.seed_notebooks DOCUMENT`` runs one document (in the current directory: blocks
write ``./data/...``) and prints one JSON line per block: its index and ``"ok"``, ``"skipped"``
or the exception it raised. Blocks listed in ``SKIP`` are not run; each says why it cannot run
anywhere, TensorFlow included; their top-level imports still run, since later blocks rely
on them as later notebook cells would. The test suite runs each document in its own process, so the
global settings blocks change (eager mode, the mixed-precision policy, set_jit) stay there.
"""
from __future__ import annotations

import ast
import contextlib
import io
import json
import linecache
import os
import re
import sys
from pathlib import Path

# The seeds live beside the repository (../shared/seeds), not in it; AUTOGRAPH_SEEDS overrides.
SEEDS = Path(os.environ.get("AUTOGRAPH_SEEDS")
             or Path(__file__).resolve().parents[2] / "shared" / "seeds")

_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)

_TF_SOURCE = "an excerpt of TensorFlow's own source (undefined internals such as tf_export)"
_TF1 = "TF1-only tf.Graph/tf.placeholder/tf.Session at the top level (tf.compat.v1 has them)"
_FRAGMENT = "a fragment: uses names no earlier block defines"
_MAGIC = "IPython magics (%load_ext, %tensorboard), not Python"

# (document prefix, block index) -> why the block cannot run anywhere
SKIP = {
    ("000", 2): _TF_SOURCE, ("000", 3): _TF_SOURCE, ("000", 5): _TF_SOURCE,
    ("000", 6): _TF_SOURCE, ("000", 7): _TF_SOURCE,
    ("000", 8): "uses tf, which the document never imports",
    ("001", 0): "np.unicode was removed in NumPy 2.0",
    ("001", 3): "calls .numpy() on np.ndim's result, a Python int",
    ("001", 29): "typo in the seed: tf.concat(..., aixs=0)",
    ("001", 50): "a ragged nested list: tf.constant raises in TensorFlow too",
    ("001", 61): "typo in the seed: tap.watch for tape.watch",
    ("001", 63): _TF1, ("001", 79): _TF1, ("001", 80): _TF1,
    ("001", 66): "typo in the seed: pritn",
    ("001", 70): _MAGIC, ("001", 91): _MAGIC,
    ("001", 72): "syntax error in the seed: an unclosed parenthesis",
    ("001", 74): "shows on purpose the error for creating a Variable on every trace",
    ("001", 84): "shows on purpose the error for an argument that breaks input_signature",
    ("001", 92): "calls the tf.saved_model module instead of tf.saved_model.save",
    ("001", 94): "typo in the seed: model.trainable_variable",
    ("002", 1): _FRAGMENT + " (dataset)",
    ("002", 7): "reads TFRecord files that do not exist ('train/*.tfrecord'), decodes JPEGs, "
                "and uses undefined should_cache and model",
    ("002", 8): "a multi-worker cluster (TF_CONFIG with host1/host2) and undefined "
                "create_dataset inputs",
    ("002", 10): "imports from TensorFlow's private tensorflow.python package",
    ("002", 12): _FRAGMENT + " (train_step, x_batch, y_batch)",
    ("002", 20): "downloads ImageNet weights (keras.applications.ResNet50) and reads an image "
                 "directory",
    ("002", 21): "needs the tensorflow_text package and a text dataset",
    ("002", 22): "needs a gym environment (env) and undefined names",
}


def documents() -> list[Path]:
    return sorted(SEEDS.glob("0*.txt"))


def blocks(document: Path) -> list[str]:
    return _BLOCK.findall(document.read_text(encoding="utf-8"))


def translate(source: str) -> str:
    """``tensorflow`` -> ``autograph`` in import statements, nothing else."""
    source = re.sub(r"^(\s*)import tensorflow as tf\b", r"\1import autograph as tf", source,
                    flags=re.M)
    return re.sub(r"^(\s*)from tensorflow((?:\.\w+)*) import", r"\1from autograph\2 import",
                  source, flags=re.M)


def _imports_of(source: str) -> list[ast.Module]:
    """The top-level import statements of ``source``, one module each (none if it does not
    parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [ast.Module(body=[node], type_ignores=[]) for node in tree.body
            if isinstance(node, (ast.Import, ast.ImportFrom))]


def run(document: Path, out=sys.stdout) -> None:
    prefix = document.name[:3]
    namespace: dict = {"__name__": "__main__"}
    for index, block in enumerate(blocks(document)):
        if (prefix, index) in SKIP:
            result = "skipped"
            for statement in _imports_of(translate(block)):
                with contextlib.suppress(ImportError):   # e.g. tensorflow_text
                    exec(compile(statement, "<imports>", "exec"), namespace)
        else:
            source = translate(block)
            filename = f"<seed {prefix} block {index}>"
            # as IPython does for cells: the converter reads functions' source from linecache
            linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
            printed = io.StringIO()
            try:
                with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
                    exec(compile(source, filename, "exec"), namespace)
                result = "ok"
            except BaseException as e:  # noqa: BLE001 - reported to the test
                result = f"{type(e).__name__}: {e}"
        print(json.dumps({"block": index, "result": result}), file=out, flush=True)


if __name__ == "__main__":
    run(Path(sys.argv[1]))
