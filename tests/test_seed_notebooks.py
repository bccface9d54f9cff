"""Every ```python block of the seed documents runs, as a notebook, with ``import autograph as
tf`` (tests/seed_notebooks.py); the blocks that cannot run anywhere are listed there, each with
its reason."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import seed_notebooks as S

REPO = Path(__file__).resolve().parents[1]
_results: dict = {}

# A clone without ../shared beside it (a newcomer's checkout) has no seeds to run; CI has them.
needs_seeds = pytest.mark.skipif(not S.SEEDS.is_dir(),
                                reason=f"seed documents not found at {S.SEEDS} "
                                       "(set AUTOGRAPH_SEEDS to their directory)")


def _cases():
    for document in S.documents():
        for index, _ in enumerate(S.blocks(document)):
            yield pytest.param(document, index, id=f"{document.name[:3]}-block{index}")


def _run(document: Path, workdir: Path) -> dict:
    if document not in _results:
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1",
                   PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
        done = subprocess.run([sys.executable, "-m", "tests.seed_notebooks", str(document)],
                              cwd=workdir, env=env, capture_output=True, text=True, timeout=600)
        lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
        _results[document] = {r["block"]: r["result"] for r in lines}
        if done.returncode != 0:
            _results[document]["crash"] = done.stderr[-2000:]
    return _results[document]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("seed_notebooks")


@needs_seeds
def test_the_seed_documents_are_found():
    assert len(S.documents()) == 4 and sum(len(S.blocks(d)) for d in S.documents()) > 100


@needs_seeds
@pytest.mark.parametrize("document,index", list(_cases()))
def test_seed_block_runs(document, index, workdir):
    reason = S.SKIP.get((document.name[:3], index))
    if reason:
        pytest.skip(reason)
    results = _run(document, workdir)
    assert "crash" not in results, results.get("crash")
    assert results.get(index) == "ok", f"block {index}: {results.get(index)}"


@needs_seeds
def test_every_skip_names_an_existing_block():
    counts = {d.name[:3]: len(S.blocks(d)) for d in S.documents()}
    for prefix, index in S.SKIP:
        assert index < counts[prefix], (prefix, index)


def test_translation_changes_only_tensorflow_imports():
    source = ("import tensorflow as tf\nfrom tensorflow.keras import layers\n"
              "from tensorflow import keras\nx = 'tensorflow'\n")
    assert S.translate(source) == ("import autograph as tf\nfrom autograph.keras import layers\n"
                                   "from autograph import keras\nx = 'tensorflow'\n")
