"""Graph documents: every kind of traced graph survives encode -> JSON -> decode unchanged (the
printed graph is identical) and computes the same values; malformed documents are refused
with errors naming the file."""
import json
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograph as ag
from runtime import registry
from runtime.dtypes import float32
from runtime.graph import Graph
from runtime.interpreter import plan_for
from runtime.registry import Spec
from runtime.serialization import SerializationError, arrays, attrs as attr_codec, graph_json


def round_trip(graph, variables=()):
    """Encode ``graph`` to JSON bytes and array-file bytes, and decode it back."""
    pool = graph_json.ConstantPool()
    by_id = {id(v): f"v{i}" for i, v in enumerate(variables)}
    doc = graph_json.encode(graph, pool, lambda v: by_id[id(v)])
    data = graph_json.dumps(doc)
    constants = dict(arrays.unpack(arrays.pack(pool.arrays), "constants.npz"))
    parsed = graph_json.parse_json(data, "g.json")
    return graph_json.decode(parsed, constants, {k: v for v, k in
                                                 zip(variables, by_id.values())}, "g.json")


# ---- programs covering the attribute kinds and sub-graphs the tracer makes ------------------

V = ag.Variable(np.arange(3, dtype=np.float32))


def p_elementwise(x):
    return ag.tanh(x) * 2.0 + ag.cast(ag.argmax(x, axis=1), ag.float32)[:, None]


def p_reductions(x):
    return ag.reduce_sum(x, axis=[0, 1]), ag.reduce_mean(x, axis=-1, keepdims=True)


def p_indexing(x):
    return x[..., 1:], x[:, ::2], x[0], x[None, :, -1]


def p_strings(x):
    return ag.strings.join([ag.strings.as_string(ag.reduce_sum(x)), "!"], separator="-")


def p_print(x):
    ag.print("x is", x, {"k": [1, 2.5]}, output_stream="file:///dev/null")
    return x


def p_cond(x):
    return ag.cond(ag.reduce_sum(x) > 0, lambda: x * 2.0, lambda: x - V[0])


def p_while_tensor_array(x):
    ta = ag.TensorArray(ag.float32, size=0, dynamic_size=True)

    def body(i, ta):
        row = ag.cond(i % 2 == 0, lambda: ag.reduce_sum(x), lambda: ag.reduce_max(x))
        return i + 1, ta.write(i, row * ag.cast(i, ag.float32))

    _, ta = ag.while_loop(lambda i, ta: i < 4, body, [ag.constant(0), ta])
    return ta.stack()


def p_nested_loops(x):
    def outer(i, acc):
        _, inner = ag.while_loop(lambda j, a: j < i, lambda j, a: (j + 1, a + x), [0, acc])
        return i + 1, inner
    return ag.while_loop(lambda i, a: i < 3, outer, [0, ag.zeros_like(x)])[1]


def p_variables(x):
    V.assign_add(ag.reduce_sum(x, axis=0))
    return V.read_value() * 1.0


def p_gradient_through_loop(x):
    with ag.GradientTape() as tape:
        tape.watch(x)
        y = ag.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * ag.sin(y)), [0, x])[1]
        total = ag.reduce_sum(y)
    return tape.gradient(total, x)


def p_functional(x):
    return ag.map_fn(lambda r: r * 2.0, x), ag.scan(lambda a, r: a + r, x)


def p_nn(x):
    return ag.nn.leaky_relu(x, alpha=0.3), ag.nn.softmax(x), ag.reshape(x, [-1])


PROGRAMS = [p_elementwise, p_reductions, p_indexing, p_strings, p_print, p_cond,
            p_while_tensor_array, p_nested_loops, p_variables, p_gradient_through_loop,
            p_functional, p_nn]


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.__name__ for p in PROGRAMS])
def test_traced_graphs_round_trip_to_the_same_text_and_values(program):
    x = ag.constant(np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], np.float32))
    cf = ag.function(program).get_concrete_function(x)
    graph = cf.optimized_graph
    loaded = round_trip(graph, [V])
    assert str(loaded) == str(graph)
    start = V.numpy().copy()
    expected = plan_for(graph).run([x._v])
    V.assign(start)
    got = plan_for(loaded).run([x._v])
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_a_loaded_graph_shares_state_through_its_variable():
    graph = ag.function(p_variables).get_concrete_function(ag.ones([2, 3])).optimized_graph
    v = ag.Variable(np.zeros(3, np.float32))
    loaded = round_trip(graph, [V])
    # Decode again binding the capture to another variable: the graph writes that one.
    pool = graph_json.ConstantPool()
    doc = graph_json.encode(graph, pool, lambda var: "v0")
    other = graph_json.decode(doc, dict(pool.arrays), {"v0": v}, "g.json")
    plan_for(other).run([np.ones((2, 3), np.float32)])
    plan_for(other).run([np.ones((2, 3), np.float32)])
    np.testing.assert_array_equal(v.numpy(), [4.0, 4.0, 4.0])
    assert loaded is not other


def test_subgraph_captures_keep_their_outer_ids_and_parents():
    x = ag.ones([3])
    graph = ag.function(p_cond).get_concrete_function(x).optimized_graph
    loaded = round_trip(graph, [V])
    node = next(n for n in loaded.nodes if n.op.name == "If")
    branch = node.attrs["then_branch"]
    assert branch.parent is loaded and branch._ids is loaded._ids
    assert all(type(src).__name__ == "Value" for _, src in branch.captures
               if not hasattr(src, "_v"))


def test_the_document_is_strict_json_with_format_and_version():
    graph = ag.function(p_print).get_concrete_function(ag.ones([2, 3])).optimized_graph
    pool = graph_json.ConstantPool()
    text = graph_json.dumps(graph_json.encode(graph, pool)).decode("utf-8")
    doc = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-strict JSON {c}"))
    assert doc["format"] == "autograph-graph" and doc["version"] == 1
    node = next(n for n in doc["graph"]["nodes"] if n["op"] == "PrintV2")
    assert node["attrs"]["output_stream"] == "file:///dev/null"
    assert node["location"][0].endswith("test_graph_format.py")


def test_locations_can_be_left_out():
    graph = ag.function(p_elementwise).get_concrete_function(ag.ones([2, 3])).optimized_graph
    pool = graph_json.ConstantPool()
    doc = graph_json.encode(graph, pool, locations=False)
    assert all("location" not in n for n in doc["graph"]["nodes"])
    assert all(n.location is None for n in graph_json.decode(doc, dict(pool.arrays)).nodes)


# ---- attributes ----------------------------------------------------------------------------

class _Arrays:
    """Attribute context that keeps arrays in a dict, as the constant pool does."""
    source = "attrs.json"

    def __init__(self):
        self.pool = graph_json.ConstantPool()

    def store_array(self, value, where):
        return {"key": self.pool.add(value, value), "dtype": value.dtype.name,
                "shape": list(value.shape)}

    def load_array(self, body, where):
        return dict(self.pool.arrays)[body["key"]]


def _same(a, b) -> bool:
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return type(b) is dict and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


ATTRS = [None, True, 0, -2 ** 70, 1.5, float("nan"), float("-inf"), "text", b"\x00\xff",
         (1, (None, 2, "x")), (), [1, [2]], {"a": (1,), 3: None}, ag.float32, ag.string,
         np.float32(1.5), np.int64(-3), np.bool_(True), np.complex64(1 - 2j), 1 + 2j,
         Ellipsis, (Ellipsis, (None, 1, "x")), slice(1, None, 2), np.arange(6).reshape(2, 3)]


@pytest.mark.parametrize("value", ATTRS, ids=[repr(v)[:20] for v in ATTRS])
def test_attribute_values_round_trip_with_their_types(value):
    ctx = _Arrays()
    data = json.loads(json.dumps(attr_codec.encode(value, ctx, "node"), allow_nan=False))
    assert _same(value, attr_codec.decode(data, ctx, "node"))


_scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) |
            st.text(max_size=5) | st.binary(max_size=5))
_attr_values = st.recursive(
    _scalars, lambda inner: st.lists(inner, max_size=3) | st.lists(inner, max_size=3).map(tuple)
    | st.dictionaries(st.text(max_size=3), inner, max_size=3), max_leaves=12)


@given(_attr_values)
def test_random_nested_attributes_round_trip(value):
    ctx = _Arrays()
    data = json.loads(json.dumps(attr_codec.encode(value, ctx, "node"), allow_nan=False))
    assert _same(value, attr_codec.decode(data, ctx, "node"))


def test_an_attribute_of_an_unknown_type_is_refused_naming_node_and_attribute():
    g = Graph("g")
    x = g.add_input(float32, ())
    g.outputs = g.add_node(registry.get("Identity"), [x], {"fn": object()},
                           [Spec(float32, ())]).outputs
    with pytest.raises(SerializationError, match=r"node 0 \(Identity\) attr 'fn'.*object"):
        graph_json.encode(g, graph_json.ConstantPool())


# ---- malformed documents -------------------------------------------------------------------

def _doc():
    graph = ag.function(p_cond).get_concrete_function(ag.ones([3])).optimized_graph
    pool = graph_json.ConstantPool()
    return graph_json.encode(graph, pool, lambda v: "v0"), dict(pool.arrays)


def _decode(doc, constants):
    return graph_json.decode(json.loads(json.dumps(doc)), constants, {"v0": V}, "model/g.json")


def test_an_unknown_op_is_an_error_naming_the_op_and_the_file():
    doc, constants = _doc()
    doc["graph"]["nodes"][0]["op"] = "FluxCapacitor"
    with pytest.raises(SerializationError, match=r"model/g\.json.*unknown op 'FluxCapacitor'"):
        _decode(doc, constants)


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["graph"]["nodes"][0].pop("inputs"), "missing 'inputs'"),
    (lambda d: d["graph"]["nodes"][0].update(inputs=[9999]), "uses value 9999"),
    (lambda d: d["graph"]["inputs"][0].update(dtype="float128"), "unknown dtype 'float128'"),
    (lambda d: d["graph"]["inputs"][0].update(shape=[-1]), "bad shape"),
    (lambda d: d.update(version=2), "version 2 is not supported"),
    (lambda d: d.update(format="onnx"), "not an autograph graph"),
    (lambda d: d["graph"]["captures"][0]["source"].update(constant="c999"), "'c999' is not in"),
    (lambda d: d["graph"]["captures"].append(dict(d["graph"]["captures"][0])), "defined twice"),
    (lambda d: d["graph"]["nodes"][0]["outputs"][0].update(dtype="int32"), "inconsistent"),
    (lambda d: d["graph"]["nodes"][-1]["attrs"].update(then_idx={"frozenset": []}),
     "unknown attribute tag 'frozenset'"),
])
def test_malformed_documents_are_refused_naming_the_file(edit, message):
    doc, constants = _doc()
    edit(doc)
    with pytest.raises(SerializationError, match="model/g.json") as info:
        _decode(doc, constants)
    assert message in str(info.value)


def test_a_constant_of_the_wrong_shape_is_refused():
    doc, constants = _doc()
    source = next(c for c in doc["graph"]["captures"] if "constant" in c["source"])
    key = source["source"]["constant"]
    constants[key] = np.zeros((7, 7), constants[key].dtype)
    with pytest.raises(SerializationError, match=rf"array '{key}' is .*\[7, 7\]"):
        _decode(doc, constants)


def test_invalid_json_names_the_file():
    with pytest.raises(SerializationError, match=r"g\.json: not valid JSON"):
        graph_json.parse_json(b'{"format": ', "g.json")
