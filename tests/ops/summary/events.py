"""Reading event files back the way TensorBoard does (its ``EventAccumulator``)."""
import numpy as np
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.compat.proto import config_pb2
from tensorboard.util import tensor_util


def load(logdir) -> EventAccumulator:
    """Everything written under ``logdir`` (one run), nothing sampled away."""
    accumulator = EventAccumulator(str(logdir), size_guidance={"tensors": 0})
    accumulator.Reload()
    return accumulator


def tags(logdir) -> list:
    return load(logdir).Tags()["tensors"]


def series(logdir, tag) -> list:
    """``[(step, value as a NumPy array), ...]`` of one tag, in writing order."""
    return [(e.step, tensor_util.make_ndarray(e.tensor_proto)) for e in load(logdir).Tensors(tag)]


def scalars(logdir, tag) -> list:
    """``[(step, float), ...]`` of a scalar tag."""
    return [(step, float(value)) for step, value in series(logdir, tag)]


def plugin(logdir, tag) -> str:
    return load(logdir).SummaryMetadata(tag).plugin_data.plugin_name


def run_metadata(logdir, tag, index=0) -> config_pb2.RunMetadata:
    """The ``RunMetadata`` that ``trace_export`` wrote under ``tag``."""
    step, value = series(logdir, tag)[index]
    return config_pb2.RunMetadata.FromString(np.asarray(value).item())


def node_ops(graph_def) -> dict:
    """``{node name: op}`` of a ``GraphDef``."""
    return {node.name: node.op for node in graph_def.node}
