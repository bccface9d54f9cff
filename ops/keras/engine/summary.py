"""``model.summary()``: Keras's table of layers, output shapes and parameter counts.

The layout is Keras 2's: 65 columns (``Layer (type)``, ``Output Shape``, ``Param #``) for
Sequential and chain-like models, 98 with a ``Connected to`` column for other functional
models; long fields wrap inside their column; totals give counts and sizes
(``Total params: 101770 (397.54 KB)``). Layers of subclassed models show ``multiple`` as
their output shape (their calls are not recorded), as in Keras.
"""
from __future__ import annotations

import numpy as np

from runtime.shapes import fmt

__all__ = ["print_summary", "readable_memory_size"]


def readable_memory_size(size: float) -> str:
    """``397.54 KB``: bytes in 1024-based units, two decimals."""
    for unit in ("Byte", "KB", "MB", "GB", "TB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _count(weights) -> tuple:
    """(parameters, bytes) of ``weights``, each variable once."""
    seen, params, size = set(), 0, 0
    for w in weights:
        if id(w) in seen:
            continue
        seen.add(id(w))
        n = int(np.prod(w.shape)) if len(w.shape) else 1
        params += n
        size += n * np.dtype(w.dtype.as_numpy_dtype).itemsize
    return params, size


def _shape_text(tensors) -> str:
    shapes = [fmt(tuple(t.shape)) for t in tensors]
    return shapes[0] if len(shapes) == 1 else "[" + ", ".join(shapes) + "]"


def _model_nodes(model) -> list:
    network = model._network
    if network is None:
        return []
    return [t.node for t in network.inputs] + list(network.nodes)


def _output_shape(layer, nodes: list) -> str:
    mine = [n for n in nodes if n.layer is layer]
    if len(mine) != 1:
        return "multiple"
    node = mine[0]
    text = _shape_text(node.flat_outputs)
    return f"[{text}]" if node.is_input else text


def _connections(layer, nodes: list) -> str:
    index = {}
    counts: dict = {}
    for n in nodes:
        k = counts.get(id(n.layer), 0)
        index[id(n)] = k
        counts[id(n.layer)] = k + 1
    refs = []
    for n in nodes:
        if n.layer is layer:
            for t in n.inputs:
                refs.append(f"'{t.node.layer.name}[{index.get(id(t.node), 0)}][{t.index}]'")
    return "[" + ", ".join(refs) + "]" if refs else "[]"


def _is_chain(model, nodes: list) -> bool:
    """Every layer called once, each on the output of the one before (a Sequential shape)."""
    if model._network is None:
        return True
    previous = None
    for node in nodes:
        if node.is_input:
            if previous is not None:
                return False
            previous = node
            continue
        if len(node.inputs) != 1 or len(node.flat_outputs) != 1 or \
                node.inputs[0].node is not previous:
            return False
        previous = node
    return len({id(n.layer) for n in nodes}) == len(nodes)


def _print_row(fields, positions, print_fn, nested_level: int = 0) -> None:
    """One table row; fields longer than their column continue on the next lines (breaking
    after ``),`` and the like where possible), as Keras prints them."""
    left = [str(x) for x in fields]
    while any(left):
        line = ""
        for col, text in enumerate(left):
            start = positions[col - 1] if col > 0 else 0
            space = 2 if col != len(positions) - 1 else 0
            cutoff = positions[col] - start - space
            piece = text[:cutoff]
            breaks = [piece.find(s) + len(s) for s in ("),", "},", "],", "',")
                      if piece.find(s) >= 0]
            if breaks and len(text) > cutoff:
                cutoff = min(breaks)
                piece = piece[:cutoff]
            if col == 0:
                line += "|" * nested_level + " "
            line += piece + " " * space
            left[col] = text[cutoff:]
            line += " " * (positions[col] - len(line) - nested_level)
        line += "|" * nested_level
        print_fn(line)


def print_summary(model, line_length=None, positions=None, print_fn=None, expand_nested=False,
                  show_trainable=False, layer_range=None) -> None:
    if print_fn is None:
        print_fn = print
    if not model.built:
        raise ValueError("This model has not yet been built. Build the model first by calling "
                         "`build()` or by calling the model on a batch of data.")
    nodes = _model_nodes(model)
    chain = _is_chain(model, nodes)
    layers = model.layers
    if layer_range is not None:
        names = [layer.name for layer in layers]
        first, last = (names.index(n) for n in layer_range)
        layers = layers[first:last + 1]
    if chain:
        line_length = line_length or 65
        positions = positions or [0.45, 0.85, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        positions = positions or [0.33, 0.55, 0.67, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    if show_trainable:
        line_length += 11
        positions = positions + [line_length]
        header = header + ["Trainable"]

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    _print_row(header, positions, print_fn)
    print_fn("=" * line_length)
    _print_layers(model, layers, nodes, chain, positions, print_fn, expand_nested,
                  show_trainable, line_length, 0)
    print_fn("=" * line_length)
    total, total_size = _count(model.weights)
    trainable, trainable_size = _count(model.trainable_weights)
    non_trainable, non_trainable_size = _count(model.non_trainable_weights)
    print_fn(f"Total params: {total} ({readable_memory_size(total_size)})")
    print_fn(f"Trainable params: {trainable} ({readable_memory_size(trainable_size)})")
    print_fn(f"Non-trainable params: {non_trainable} "
             f"({readable_memory_size(non_trainable_size)})")
    print_fn("_" * line_length)


def _print_layers(model, layers, nodes, chain, positions, print_fn, expand_nested,
                  show_trainable, line_length, level) -> None:
    for i, layer in enumerate(layers):
        params, _ = _count(layer.weights) if layer.built else (0, 0)
        fields = [f"{layer.name} ({type(layer).__name__})", _output_shape(layer, nodes),
                  params]
        if not chain:
            fields.append(_connections(layer, nodes))
        if show_trainable:
            fields.append("Y" if layer.trainable else "N")
        _print_row(fields, positions, print_fn, level)
        inner = getattr(layer, "layers", None)
        if expand_nested and inner and hasattr(layer, "_network"):
            inner_nodes = _model_nodes(layer)
            print_fn("|" * (level + 1) + "¯" * (line_length - 2 * level - 2) + "|" * (level + 1))
            _print_layers(layer, inner, inner_nodes, chain, positions, print_fn, expand_nested,
                          show_trainable, line_length, level + 1)
            print_fn("|" * (level + 1) + "¯" * (line_length - 2 * level - 2) + "|" * (level + 1))
        if i != len(layers) - 1:
            print_fn("|" * level + " " * (line_length - 2 * level) + "|" * level)

