"""The graph of a functional model: which layer calls (``Node``s) lead from the model's inputs
to its outputs, in what order to run them, and how to write that graph into a config.

``Network(inputs, outputs)`` walks back from ``outputs`` through the nodes that produced each
KerasTensor, stopping at ``inputs``; a path that reaches some other ``Input`` is a
disconnected graph (an error naming the tensor and the layers reached). ``run`` feeds real
tensors through the nodes in topological order: each node's recorded arguments, with its
KerasTensors replaced by the values computed so far, go to the layer again. Masks flow as
in Keras: a layer's ``compute_mask`` output reaches the layers that consume its output.
"""
from __future__ import annotations

from runtime import nest
from runtime.shapes import fmt
from ops import array_ops
from ops import elementwise as math_ops
from ops.tensor import Tensor
from ops.keras.layers.base import Layer
from ops.keras.layers.core import InputLayer
from ops.keras.engine.keras_tensor import KerasTensor, Input, input_tensor_of

__all__ = ["Network", "run", "network_config", "network_from_config", "clone_network"]


class Network:
    """The static structure of a functional model."""

    def __init__(self, inputs, outputs, model_name: str):
        self.nested_inputs = _unwrap_single(inputs)
        self.nested_outputs = outputs
        self.inputs = nest.flatten(self.nested_inputs)
        self.outputs = nest.flatten(outputs)
        for what, tensors in (("inputs", self.inputs), ("outputs", self.outputs)):
            for t in tensors:
                if not isinstance(t, KerasTensor):
                    raise TypeError(
                        f'Model "{model_name}": all {what} must be KerasTensors (from '
                        f"ag.keras.Input and layers called on them), got {type(t).__name__}"
                        f"{' (a concrete tensor)' if isinstance(t, Tensor) else ''}")
        for t in self.inputs:
            if not (t.node is not None and t.node.is_input):
                raise ValueError(
                    f'Model "{model_name}": input tensors must come from ag.keras.Input; '
                    f"{t!r} is the output of a layer")
        if len({id(t) for t in self.inputs}) != len(self.inputs):
            raise ValueError(f'Model "{model_name}": the same Input appears twice in inputs')
        self.nodes = _topological_nodes(self.inputs, self.outputs, model_name)
        layers, seen = [], set()
        for layer in [t.node.layer for t in self.inputs] + [n.layer for n in self.nodes]:
            if id(layer) not in seen:
                seen.add(id(layer))
                layers.append(layer)
        self.layers = layers
        names = [layer.name for layer in layers]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f'Model "{model_name}": the layer names {duplicated} are used by '
                             "more than one layer; every layer in a model needs a unique name")
        # Dict inputs/outputs are named by their keys (in flattening order), others by the
        # layers that make them: what losses, metrics and data dicts are keyed by.
        self.input_names = sorted(self.nested_inputs) if isinstance(
            self.nested_inputs, dict) else [t.node.layer.name for t in self.inputs]
        self.output_names = sorted(outputs) if isinstance(outputs, dict) else [
            t.node.layer.name for t in self.outputs]
        # Layers whose compute_mask is their own (Embedding(mask_zero=True), ...).
        self._mask_producers = {id(layer) for layer in layers
                                if type(layer).compute_mask is not Layer.compute_mask}


def _unwrap_single(inputs):
    if isinstance(inputs, (list, tuple)) and len(inputs) == 1 and \
            isinstance(inputs[0], KerasTensor):
        return inputs[0]
    return inputs


def _topological_nodes(inputs, outputs, model_name: str) -> list:
    """The non-input nodes between ``inputs`` and ``outputs``, each after the nodes it
    consumes (iterative depth-first post-order, so deep models do not hit recursion
    limits)."""
    input_ids = {id(t) for t in inputs}
    done: set = set()
    order: list = []
    reached: list = []
    stack = [(t, None) for t in reversed(outputs)]
    while stack:
        tensor, node = stack.pop()
        if node is not None:            # all of node's inputs are ordered: emit it
            if id(node) not in done:
                done.add(id(node))
                order.append(node)
                reached.append(node.layer.name)
            continue
        if id(tensor) in input_ids:
            continue
        producer = tensor.node
        if producer is None or producer.is_input:
            raise ValueError(
                f'Graph disconnected: cannot obtain value for tensor {tensor!r} at layer '
                f'"{producer.layer.name if producer else "?"}" for model "{model_name}". The '
                f"following previous layers were accessed without issue: {reached}")
        if id(producer) in done:
            continue
        stack.append((None, producer))
        for t in reversed(producer.inputs):
            stack.append((t, None))
    return order


# ---- running ------------------------------------------------------------------------------------

def flatten_inputs(network: Network, inputs, model_name: str) -> list:
    """The call's inputs, one per model input, matched by position or (dicts) by name."""
    nested = network.nested_inputs
    n = len(network.inputs)
    if isinstance(inputs, dict) and not isinstance(nested, dict):
        names = network.input_names
        missing = [k for k in names if k not in inputs]
        if missing:
            raise ValueError(f'Model "{model_name}": missing data for input(s) {missing}; the '
                             f"dict passed has keys {sorted(inputs)}")
        return [inputs[k] for k in names]
    if isinstance(nested, dict):
        if not isinstance(inputs, dict):
            raise ValueError(f'Model "{model_name}" expects a dict of inputs with keys '
                             f"{sorted(nested)}, got {type(inputs).__name__}")
        missing = [k for k in nested if k not in inputs]
        if missing:
            raise ValueError(f'Model "{model_name}": missing data for input(s) {missing}')
        return nest.flatten({k: inputs[k] for k in nested})
    if isinstance(inputs, (list, tuple)) and (n > 1 or len(inputs) == 1) and \
            not isinstance(inputs, Tensor):
        flat = nest.flatten(inputs)
    else:
        flat = [inputs]
    if len(flat) != n:
        raise ValueError(f'Layer "{model_name}" expects {n} input(s), but it received '
                         f"{len(flat)} input tensors")
    return flat


def conform_input(x, kt: KerasTensor, index: int, model_name: str, cast: bool = True):
    """``x`` checked against the Input ``kt`` (rank and known sizes), with a trailing axis
    of 1 added or dropped and (with ``cast``) the dtype cast as Keras does; ValueError
    names both shapes."""
    if not isinstance(x, Tensor):
        return x
    expected = tuple(kt.shape)
    shape = tuple(x.shape)
    if len(shape) == len(expected) - 1 and expected and expected[-1] == 1:
        x = array_ops.expand_dims(x, -1)
        shape = tuple(x.shape)
    elif len(shape) == len(expected) + 1 and shape and shape[-1] == 1:
        x = array_ops.squeeze(x, -1)
        shape = tuple(x.shape)
    if len(shape) != len(expected) or any(
            e is not None and s is not None and e != s for e, s in zip(expected, shape)):
        raise ValueError(f'Input {index} of layer "{model_name}" is incompatible with the '
                         f"layer: expected shape={fmt(expected)}, found shape={fmt(shape)}")
    if cast and x.dtype is not kt.dtype and not (x.dtype.is_floating and kt.dtype.is_floating):
        x = math_ops.cast(x, kt.dtype)
    return x


def run(network: Network, inputs, model_name: str, mask=None):
    """The outputs of the model for real ``inputs``: each node's layer called again, in
    order, on the values of its recorded KerasTensors."""
    flat = flatten_inputs(network, inputs, model_name)
    values: dict = {}
    masks: dict = {}
    flat_masks = nest.flatten(mask) if mask is not None else [None] * len(flat)
    for i, (kt, x) in enumerate(zip(network.inputs, flat)):
        values[id(kt)] = conform_input(x, kt, i, model_name)
        if i < len(flat_masks) and flat_masks[i] is not None:
            masks[id(kt)] = flat_masks[i]

    def value(t):
        return values[id(t)] if isinstance(t, KerasTensor) else t

    producers = network._mask_producers
    for node in network.nodes:
        args = nest.map_leaves(value, node.args)
        kwargs = nest.map_leaves(value, node.kwargs)
        layer = node.layer
        in_mask = None
        if masks:
            in_mask = nest.map_leaves(
                lambda t: masks.get(id(t)) if isinstance(t, KerasTensor) else None, node.args[0])
            if all(m is None for m in nest.flatten(in_mask)):
                in_mask = None
            elif "mask" not in kwargs:
                kwargs["mask"] = in_mask
        outputs = layer(*args, **kwargs)
        flat_out = [o for o in nest.flatten(outputs) if isinstance(o, Tensor)]
        for kt, out in zip(node.flat_outputs, flat_out):
            values[id(kt)] = out
        if in_mask is not None or id(layer) in producers:
            out_mask = layer.compute_mask(args[0], in_mask)
            if out_mask is not None:
                for kt, m in zip(node.flat_outputs, nest.flatten(out_mask)):
                    if m is not None:
                        masks[id(kt)] = m
    return nest.map_leaves(value, network.nested_outputs)


# ---- configs ------------------------------------------------------------------------------------

def _node_indices(network: Network) -> dict:
    """id(node) -> its index among its layer's nodes in this model (Keras's node_index)."""
    counts: dict = {}
    index: dict = {}
    for node in [t.node for t in network.inputs] + network.nodes:
        k = counts.get(id(node.layer), 0)
        index[id(node)] = k
        counts[id(node.layer)] = k + 1
    return index


def deserialize_layer(config: dict, custom_objects=None):
    """A layer (or model) from ``{"class_name", "config"}``; model classes are known too."""
    from ops.keras.layers import deserialize
    from ops.keras.engine import model_classes
    return deserialize(config, {**model_classes(), **(custom_objects or {})})


def network_config(model) -> dict:
    """Keras's functional config: every layer with its inbound nodes, the input and output
    layers as ``[layer_name, node_index, tensor_index]``."""
    from ops.keras.layers import serialize
    network = model._network
    index = _node_indices(network)

    def ref(t: KerasTensor) -> list:
        return [t.node.layer.name, index[id(t.node)], t.index]

    layers = []
    for layer in network.layers:
        inbound = []
        for node in network.nodes:
            if node.layer is not layer:
                continue
            if len(node.args) > 1 or any(isinstance(t, KerasTensor)
                                         for t in nest.flatten(node.kwargs)):
                raise NotImplementedError(
                    f'Model "{model.name}": layer "{layer.name}" was called with tensors '
                    "outside its first argument, which a functional config cannot hold")
            first = node.args[0]
            if isinstance(first, dict):
                raise NotImplementedError(f'Model "{model.name}": layer "{layer.name}" was '
                                          "called on a dict of tensors; configs hold lists")
            kwargs = dict(node.kwargs)
            entries = [ref(t) + [kwargs] for t in nest.flatten(first)]
            inbound.append({"args": entries, "list": isinstance(first, (list, tuple))})
        entry = serialize(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = inbound
        layers.append(entry)
    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layers,
        "input_layers": [ref(t) for t in network.inputs],
        "output_layers": [ref(t) for t in network.outputs],
        "input_structure": _structure_of(network.nested_inputs),
        "output_structure": _structure_of(network.nested_outputs),
    }


def _structure_of(nested):
    """How flat tensors regroup: ``None`` (one tensor), a list length, or dict keys."""
    if isinstance(nested, KerasTensor):
        return None
    if isinstance(nested, dict):
        return {"dict": list(nested)}
    return {"list": len(nest.flatten(nested))}


def _restructure(flat: list, structure):
    if structure is None:
        return flat[0]
    if "dict" in structure:
        return dict(zip(structure["dict"], flat))
    return list(flat)


def network_from_config(config: dict, custom_objects=None):
    """(inputs, outputs, layers by name) rebuilt from ``network_config``'s output: layers are
    deserialized, then their nodes are called again in an order where every input exists."""
    created: dict = {}
    pending: list = []
    for entry in config["layers"]:
        layer = deserialize_layer({"class_name": entry["class_name"],
                                   "config": entry["config"]}, custom_objects)
        created[entry["name"]] = layer
        pending.append([layer, list(entry.get("inbound_nodes", []))])
    outputs_of: dict = {}      # (layer name, node index) -> flat output KerasTensors
    done_nodes: dict = {}      # layer name -> nodes made so far
    for name, layer in created.items():
        if isinstance(layer, InputLayer):
            outputs_of[(name, 0)] = [input_tensor_of(layer)]
            done_nodes[name] = 1

    def lookup(ref):
        found = outputs_of.get((ref[0], ref[1]))
        return None if found is None or ref[2] >= len(found) else found[ref[2]]

    progress = True
    while progress:
        progress = False
        for item in pending:
            layer, nodes = item
            while nodes:
                data = nodes[0]
                tensors = [lookup(e) for e in data["args"]]
                if any(t is None for t in tensors):
                    break
                kwargs = data["args"][0][3] if data["args"] else {}
                first = tensors if data.get("list") else tensors[0]
                out = layer(first, **kwargs)
                k = done_nodes.get(layer.name, 0)
                outputs_of[(layer.name, k)] = [t for t in nest.flatten(out)
                                               if isinstance(t, KerasTensor)]
                done_nodes[layer.name] = k + 1
                nodes.pop(0)
                progress = True
    stuck = [item[0].name for item in pending if item[1]]
    if stuck:
        raise ValueError(f"Model config: could not rebuild the calls of layer(s) {stuck}; their "
                         "inputs are never produced")
    inputs = [lookup(r) for r in config["input_layers"]]
    outputs = [lookup(r) for r in config["output_layers"]]
    return (_restructure(inputs, config.get("input_structure", {"list": len(inputs)})),
            _restructure(outputs, config.get("output_structure", {"list": len(outputs)})),
            created)


def clone_network(model, clone_function):
    """(inputs, outputs) of a copy of ``model``'s graph made of ``clone_function(layer)``
    for each layer (called once per layer, so shared layers stay shared)."""
    network = model._network
    tensors: dict = {}
    for kt in network.inputs:
        tensors[id(kt)] = Input(batch_shape=tuple(kt.shape), dtype=kt.dtype.name)
    clones: dict = {}

    def value(t):
        return tensors[id(t)] if isinstance(t, KerasTensor) else t

    for node in network.nodes:
        layer = node.layer
        if id(layer) not in clones:
            clones[id(layer)] = clone_function(layer)
        out = clones[id(layer)](*nest.map_leaves(value, node.args),
                                **nest.map_leaves(value, node.kwargs))
        for kt, new in zip(node.flat_outputs, [t for t in nest.flatten(out)
                                               if isinstance(t, KerasTensor)]):
            tensors[id(kt)] = new
    return (nest.map_leaves(value, network.nested_inputs),
            nest.map_leaves(value, network.nested_outputs))
