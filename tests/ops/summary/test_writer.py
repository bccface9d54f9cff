"""Writers, the default writer and step, record_if, and the optional tensorboard import."""
import builtins
import os
import subprocess
import sys

import pytest

import autograph as tf
import autograph.summary  # noqa: F401
from tests.ops.summary.events import scalars, tags


def event_files(logdir):
    return sorted(f for f in os.listdir(logdir) if f.startswith("events.out.tfevents."))


def test_create_file_writer_makes_the_directory_and_a_v2_event_file(tmp_path):
    logdir = tmp_path / "a" / "b"
    tf.summary.create_file_writer(str(logdir))
    files = event_files(logdir)
    assert len(files) == 1 and files[0].endswith(".v2")


def test_filename_suffix(tmp_path):
    tf.summary.create_file_writer(str(tmp_path), filename_suffix=".mine")
    assert event_files(tmp_path)[0].endswith(".mine")


def test_logdir_none_is_an_error():
    with pytest.raises(ValueError, match="logdir"):
        tf.summary.create_file_writer(None)


def test_as_default_sets_writer_and_step_for_the_block_only(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    assert not tf.summary.should_record_summaries()
    with writer.as_default(step=7) as entered:
        assert entered is writer
        assert tf.summary.should_record_summaries()
        assert tf.summary.experimental.get_step() == 7
        tf.summary.scalar("x", 1.5)
    assert tf.summary.experimental.get_step() is None
    assert not tf.summary.should_record_summaries()
    assert scalars(tmp_path, "x") == [(7, 1.5)]    # flushed on leaving the block


def test_nested_as_default_restores_the_outer_writer(tmp_path):
    outer = tf.summary.create_file_writer(str(tmp_path / "outer"))
    inner = tf.summary.create_file_writer(str(tmp_path / "inner"))
    with outer.as_default(step=1):
        with inner.as_default(step=2):
            tf.summary.scalar("x", 2.0)
        tf.summary.scalar("x", 1.0)
    assert scalars(tmp_path / "outer", "x") == [(1, 1.0)]
    assert scalars(tmp_path / "inner", "x") == [(2, 2.0)]


def test_set_as_default_and_flush(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    writer.set_as_default(step=3)
    tf.summary.scalar("x", 4.0)
    tf.summary.flush()
    assert scalars(tmp_path, "x") == [(3, 4.0)]


def test_close_then_write_is_an_error_and_init_reopens(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    writer.close()
    with writer.as_default(step=0):
        with pytest.raises(RuntimeError, match="closed"):
            tf.summary.scalar("x", 1.0)
    writer.init()
    with writer.as_default(step=0):
        tf.summary.scalar("x", 1.0)
    assert len(event_files(tmp_path)) == 2
    assert scalars(tmp_path, "x") == [(0, 1.0)]


def test_record_if_false_writes_nothing(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default(step=0):
        with tf.summary.record_if(False):
            assert not tf.summary.should_record_summaries()
            assert not bool(tf.summary.scalar("skipped", 1.0))
        assert bool(tf.summary.scalar("kept", 1.0))
    assert "skipped" not in tags(tmp_path)


def test_record_if_callable_is_evaluated_at_each_write(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default(), tf.summary.record_if(
            lambda: tf.summary.experimental.get_step() % 2 == 0):
        for step in range(5):
            tf.summary.experimental.set_step(step)
            tf.summary.scalar("even", float(step))
    assert scalars(tmp_path, "even") == [(0, 0.0), (2, 2.0), (4, 4.0)]


def test_noop_writer_writes_nothing_and_does_not_warn(recwarn):
    with tf.summary.create_noop_writer().as_default(step=0):
        assert not tf.summary.should_record_summaries()
        assert not bool(tf.summary.scalar("x", 1.0))
    assert not [w for w in recwarn if "summary writer" in str(w.message)]


def test_missing_tensorboard_names_the_extra(tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_tensorboard(name, *args, **kwargs):
        if name == "tensorboard" or name.startswith("tensorboard."):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tensorboard)
    with pytest.raises(ImportError, match=r'pip install "autograph\[tensorboard\]"'):
        tf.summary.create_file_writer(str(tmp_path))


def test_importing_autograph_does_not_import_tensorboard():
    code = ("import sys, autograph, autograph.summary, autograph.keras.callbacks; "
            "assert 'tensorboard' not in sys.modules, 'tensorboard was imported'")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True)
