"""``ag.saved_model``: save traced functions and variables, load them without the source.

``save(obj, export_dir, signatures=None)`` writes the directory described in
``docs/saved_model_format.md`` atomically; ``load(export_dir)`` returns a ``RestoredObject``
whose saved ``ag.function``s are callable attributes, with the variables restored. Nothing
is ever pickled: graphs are JSON naming registered ops, arrays are ``.npz`` read with
``allow_pickle=False``, and a manifest of SHA-256 hashes rejects edited or truncated files.

``save_weights_file`` / ``load_weights_file`` write and read named arrays in one file, for
Keras-style weight checkpoints.
"""
from runtime.serialization import SerializationError  # noqa: F401
from ops.saved_model.save import save  # noqa: F401
from ops.saved_model.load import load  # noqa: F401
from ops.saved_model.restored import (  # noqa: F401
    RestoredConcreteFunction, RestoredFunction, RestoredObject, RestoredSignature,
)
from ops.saved_model.weights import load_weights_file, save_weights_file  # noqa: F401

__all__ = ["save", "load", "save_weights_file", "load_weights_file", "SerializationError",
           "RestoredObject", "RestoredFunction", "RestoredConcreteFunction",
           "RestoredSignature"]
