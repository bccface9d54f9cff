"""scalar / histogram / text / image / write: what lands in the event file, eagerly and from
traced functions (where a summary is a stateful op that writes at every call)."""
import io
import warnings

import numpy as np
import pytest

import autograph as tf
import autograph.summary  # noqa: F401
from tests.ops.summary.events import plugin, scalars, series, tags


@pytest.fixture
def logdir(tmp_path):
    return tmp_path


@pytest.fixture
def writer(logdir):
    return tf.summary.create_file_writer(str(logdir))


# ---- scalar ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [0.25, 3, np.float64(0.25), np.int64(3), np.array(0.25)])
def test_scalar_accepts_python_and_numpy_numbers(writer, logdir, value):
    with writer.as_default():
        assert bool(tf.summary.scalar("x", value, step=5))
    assert scalars(logdir, "x") == [(5, float(value))]
    assert plugin(logdir, "x") == "scalars"


def test_scalar_accepts_tensors_and_variables_written_as_float32(writer, logdir):
    with writer.as_default():
        tf.summary.scalar("t", tf.constant(0.1, tf.float64), step=0)
        tf.summary.scalar("v", tf.Variable(2), step=0)
    (_, t), = series(logdir, "t")
    assert t.dtype == np.float32 and t == np.float32(0.1)
    assert scalars(logdir, "v") == [(0, 2.0)]


def test_scalar_description_is_kept(writer, logdir):
    with writer.as_default():
        tf.summary.scalar("x", 1.0, step=0, description="the *loss*")
    from tests.ops.summary.events import load
    assert load(logdir).SummaryMetadata("x").summary_description == "the *loss*"


def test_scalar_rejects_non_scalars_and_strings(writer):
    with writer.as_default(step=0):
        with pytest.raises(ValueError, match=r"scalar\('x'\).*shape \[2\]"):
            tf.summary.scalar("x", [1.0, 2.0])
        with pytest.raises(ValueError, match="numeric"):
            tf.summary.scalar("x", "text")


def test_steps_from_the_argument_as_default_and_set_step(writer, logdir):
    step = tf.Variable(10, dtype=tf.int64)
    with writer.as_default(step=step):
        tf.summary.scalar("x", 1.0)
        step.assign_add(1)
        tf.summary.scalar("x", 2.0)          # the Variable is read at each write
        tf.summary.scalar("x", 3.0, step=tf.constant(40))
        tf.summary.experimental.set_step(50)
        tf.summary.scalar("x", 4.0)
    assert scalars(logdir, "x") == [(10, 1.0), (11, 2.0), (40, 3.0), (50, 4.0)]


def test_no_step_anywhere_says_how_to_pass_one(writer):
    with writer.as_default():
        with pytest.raises(ValueError, match=r"pass step=.*set_step"):
            tf.summary.scalar("x", 1.0)


def test_bad_step_is_an_error(writer):
    with writer.as_default():
        with pytest.raises(ValueError, match="integer scalar"):
            tf.summary.scalar("x", 1.0, step=1.5)


def test_names_respect_name_scope(writer, logdir):
    with writer.as_default(step=0):
        with tf.name_scope("outer"):
            with tf.name_scope("inner"):
                tf.summary.scalar("loss", 1.0)
    assert tags(logdir) == ["outer/inner/loss"]


def test_no_default_writer_returns_false_and_warns_once():
    with pytest.warns(UserWarning) as record:
        result = tf.summary.scalar("loss", 1.0, step=0)
    assert not bool(result)
    message = str(record[0].message)
    assert "tf.summary.scalar('loss')" in message
    assert "with writer.as_default():" in message
    assert record[0].filename == __file__        # points at the caller's line
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not bool(tf.summary.histogram("h", [1.0], step=0))


# ---- histogram ---------------------------------------------------------------------------

@pytest.mark.parametrize("data,buckets", [
    (np.random.RandomState(0).normal(size=1000), None),
    (np.random.RandomState(1).uniform(-3, 5, size=(20, 10)), 7),
    (np.arange(100, dtype=np.int32), 10),
    (np.array([0.0, 1.0]), 1),
])
def test_histogram_buckets_match_numpy(writer, logdir, data, buckets):
    with writer.as_default():
        tf.summary.histogram("h", data, step=2, buckets=buckets)
    (step, value), = series(logdir, "h")
    counts, edges = np.histogram(data, bins=30 if buckets is None else buckets)
    assert step == 2 and plugin(logdir, "h") == "histograms"
    assert value.shape == (len(counts), 3) and value.dtype == np.float64
    np.testing.assert_array_equal(value[:, 2], counts)
    np.testing.assert_allclose(value[:, 0], edges[:-1])
    np.testing.assert_allclose(value[:, 1], edges[1:])


def test_histogram_of_one_distinct_value_and_of_nothing(writer, logdir):
    with writer.as_default(step=0):
        tf.summary.histogram("same", tf.fill([5], 2.0), buckets=3)
        tf.summary.histogram("empty", np.zeros([0], np.float32), buckets=3)
        tf.summary.histogram("none", [1.0, 2.0], buckets=0)
    (_, same), = series(logdir, "same")
    np.testing.assert_array_equal(same, [[2, 2, 0], [2, 2, 0], [2, 2, 5]])
    (_, empty), = series(logdir, "empty")
    np.testing.assert_array_equal(empty, np.zeros((3, 3)))
    (_, none), = series(logdir, "none")
    assert none.shape == (0, 3)


def test_histogram_rejects_bad_buckets(writer):
    with writer.as_default(step=0):
        with pytest.raises(ValueError, match="buckets"):
            tf.summary.histogram("h", [1.0], buckets=-1)


# ---- text and image ----------------------------------------------------------------------

def test_text_of_a_string_and_of_a_string_tensor(writer, logdir):
    with writer.as_default(step=1):
        tf.summary.text("note", "**bold** words")
        tf.summary.text("table", tf.constant([["a", "b"], ["c", "d"]]))
    (_, note), = series(logdir, "note")
    assert note.item() == b"**bold** words" and plugin(logdir, "note") == "text"
    (_, table), = series(logdir, "table")
    assert table.tolist() == [[b"a", b"b"], [b"c", b"d"]]


def test_text_rejects_numbers(writer):
    with writer.as_default(step=0):
        with pytest.raises(ValueError, match="string"):
            tf.summary.text("t", 1.0)


def decoded(png: bytes) -> np.ndarray:
    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(png)))


def test_image_writes_width_height_and_pngs_of_the_first_max_outputs(writer, logdir):
    images = np.random.RandomState(0).randint(0, 256, size=(4, 5, 6, 3)).astype(np.uint8)
    with writer.as_default(step=0):
        tf.summary.image("img", images, max_outputs=2)
    (_, value), = series(logdir, "img")
    assert plugin(logdir, "img") == "images"
    assert value[:2].tolist() == [b"6", b"5"]
    assert len(value) == 4
    for png, image in zip(value[2:], images):
        np.testing.assert_array_equal(decoded(png), image)


def test_float_images_are_scaled_and_grey_images_have_one_channel(writer, logdir):
    grey = np.linspace(0, 1, 8, dtype=np.float32).reshape(1, 2, 4, 1)
    with writer.as_default(step=0):
        tf.summary.image("grey", grey)
    (_, value), = series(logdir, "grey")
    expected = np.floor(grey[0, :, :, 0].astype(np.float64) * 255.5).clip(0, 255)
    np.testing.assert_array_equal(decoded(value[2]), expected)


def test_image_rejects_wrong_shapes(writer):
    with writer.as_default(step=0):
        with pytest.raises(ValueError, match=r"\[k, h, w, c\]"):
            tf.summary.image("img", np.zeros((4, 4, 3)))


# ---- write -----------------------------------------------------------------------------------

def test_write_keeps_tensor_and_metadata(writer, logdir):
    from tensorboard.compat.proto import summary_pb2
    metadata = summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="custom"))
    with writer.as_default():
        tf.summary.write("raw", tf.constant([[1, 2]], tf.int64), step=3, metadata=metadata)
    (step, value), = series(logdir, "raw")
    assert step == 3 and value.dtype == np.int64 and value.tolist() == [[1, 2]]
    assert plugin(logdir, "raw") == "custom"


# ---- inside traced functions -------------------------------------------------------------

def test_a_function_writes_at_every_call_not_once_at_trace_time(writer, logdir):
    @tf.function
    def train_step(x, step):
        tf.summary.scalar("x", x * 2.0, step=step)
        return x

    with writer.as_default():
        for i in range(3):
            train_step(tf.constant(float(i)), tf.constant(i, tf.int64))
    assert train_step.experimental_get_tracing_count() == 1
    assert scalars(logdir, "x") == [(0, 0.0), (1, 2.0), (2, 4.0)]


def test_writer_and_default_step_are_looked_up_when_the_function_runs(writer, logdir):
    @tf.function
    def log(x):
        tf.summary.scalar("x", x)
        return x + 1.0

    with pytest.warns(UserWarning, match="no default summary writer") as record:
        log(tf.constant(0.0))          # traced and run with no writer: nothing, no error
    assert record[0].filename == __file__
    assert "x" not in tags(logdir)
    for step in range(3):
        with writer.as_default(step=step):
            log(tf.constant(float(step)))
    assert log.experimental_get_tracing_count() == 1
    assert scalars(logdir, "x") == [(0, 0.0), (1, 1.0), (2, 2.0)]


def test_a_variable_step_is_read_at_each_call(writer, logdir):
    step = tf.Variable(0, dtype=tf.int64)

    @tf.function
    def log(x):
        tf.summary.histogram("h", x, step=step)
        step.assign_add(1)

    with writer.as_default():
        for _ in range(3):
            log(tf.constant([1.0, 2.0, 3.0]))
    assert [s for s, _ in series(logdir, "h")] == [0, 1, 2]


def test_record_if_is_checked_at_each_call(writer, logdir):
    @tf.function
    def log(x):
        tf.summary.scalar("x", x, step=0)

    with writer.as_default():
        with tf.summary.record_if(False):
            log(tf.constant(1.0))
        log(tf.constant(2.0))
    assert scalars(logdir, "x") == [(0, 2.0)]


def test_the_summary_is_a_stateful_node_kept_by_the_passes():
    @tf.function
    def log(x):
        tf.summary.scalar("x", x, step=0)      # result unused
        return x

    concrete = log.get_concrete_function(tf.TensorSpec([], tf.float32))
    assert concrete.graph.op_counts().get("WriteSummary") == 1
    assert concrete.optimized_graph.op_counts().get("WriteSummary") == 1


def test_no_step_inside_a_function_fails_when_it_runs_with_a_writer(writer):
    @tf.function
    def log(x):
        tf.summary.scalar("x", x)

    with writer.as_default():
        with pytest.raises(ValueError, match="pass step="):
            log(tf.constant(1.0))
