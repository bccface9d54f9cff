"""Keras on this stack: layers (``ops.keras.layers``), initializers, activations, regularizers,
constraints, and, from their own modules, models, optimizers, losses, metrics and callbacks.

Nothing is imported here on purpose: ``autograph.keras`` wires the public names, and each
submodule imports only what it uses, so importing one part never pulls in the rest.
"""
