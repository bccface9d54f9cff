import pytest

from ops.summary import graphs, writer


@pytest.fixture(autouse=True)
def _fresh_summary_state():
    """Each test starts with no default writer or step, recording on, no trace running, and
    the once-per-process "no default writer" warning not yet given. (There is no public way
    to unset a default writer made with set_as_default, as in TensorFlow.)"""
    writer._warned_no_writer[0] = False
    yield
    graphs.trace_off()
    writer._state.__init__()
    writer._warned_no_writer[0] = False
