"""Traced graphs as TensorBoard GraphDefs: names, ops, edges, attrs, branches."""
from tensorboard.compat.proto import types_pb2
from tensorboard.util import tensor_util

import autograph as tf
from ops.summary.graph_export import graph_def
from tests.ops.summary.events import node_ops


@tf.function
def strjoin(x, y):
    z = tf.strings.join([x, y], separator=" ")
    tf.print(z)
    return z


def nodes(graph):
    return {node.name: node for node in graph_def(graph).node}


def test_seed_function_nodes_and_edges():
    graph = strjoin.get_concrete_function(tf.TensorSpec([], tf.string),
                                          tf.TensorSpec([], tf.string)).graph
    exported = nodes(graph)
    assert node_ops(graph_def(graph)) == {
        "x": "Placeholder", "y": "Placeholder", "StringJoin": "StringJoin",
        "PrintV2": "PrintV2", "Identity": "Identity"}
    assert list(exported["StringJoin"].input) == ["x", "y"]
    assert list(exported["PrintV2"].input) == ["StringJoin"]
    assert list(exported["Identity"].input) == ["StringJoin"]
    assert exported["x"].attr["dtype"].type == types_pb2.DT_STRING
    assert exported["StringJoin"].attr["separator"].s == b" "


def test_captured_constants_keep_small_values():
    graph = strjoin.get_concrete_function(x="hello", y="world").graph
    exported = nodes(graph)
    assert {exported[n].op for n in ("Const", "Const_1")} == {"Const"}
    values = {tensor_util.make_ndarray(exported[n].attr["value"].tensor).item()
              for n in ("Const", "Const_1")}
    assert values == {b"hello", b"world"}


def test_repeated_ops_are_numbered_and_shapes_and_dtypes_recorded():
    @tf.function
    def f(a):
        return a * 2.0 * 3.0

    exported = nodes(f.get_concrete_function(tf.TensorSpec([None, 3], tf.float32)).graph)
    assert {"Mul", "Mul_1"} <= set(exported)
    assert list(exported["Mul_1"].input)[0] == "Mul"
    shape = exported["Mul"].attr["_output_shapes"].list.shape[0]
    assert [d.size for d in shape.dim] == [-1, 3]
    assert exported["Mul"].attr["T"].type == types_pb2.DT_FLOAT


def test_variables_branches_and_stateful_order():
    v = tf.Variable(2.0, name="scale")

    @tf.function
    def f(a):
        if a > 0:
            b = a * v
        else:
            b = a - 1.0
        v.assign_add(1.0)
        return b

    exported = nodes(f.get_concrete_function(tf.TensorSpec([], tf.float32)).graph)
    assert exported["scale"].op == "VarHandleOp"
    branch_nodes = [n for n in exported if n.startswith("If/")]
    assert any(n.startswith("If/then_branch/") and exported[n].op == "Mul" for n in branch_nodes)
    assert any(n.startswith("If/else_branch/") and exported[n].op == "Sub" for n in branch_nodes)
    # the then-branch reads the variable captured outside it
    read = next(n for n in branch_nodes if exported[n].op == "ReadVariable")
    assert list(exported[read].input) == ["scale"]
    # stateful nodes after the first carry a control input from the one before
    assign = next(n for n, node in exported.items() if node.op == "AssignVariable")
    assert any(i.startswith("^") for i in exported[assign].input)


def test_argument_names_become_valid_node_names():
    @tf.function
    def f(*args):
        return args[0] + 1.0

    exported = nodes(f.get_concrete_function(tf.TensorSpec([], tf.float32)).graph)
    placeholders = [n for n, node in exported.items() if node.op == "Placeholder"]
    assert placeholders and all("[" not in n and "]" not in n for n in placeholders)


def test_multi_output_nodes_are_referenced_by_index():
    @tf.function
    def f(a):
        values, indices = tf.math.top_k(a, k=2)
        return indices

    exported = nodes(f.get_concrete_function(tf.TensorSpec([5], tf.float32)).graph)
    assert list(exported["Identity"].input) == ["TopKV2:1"]
