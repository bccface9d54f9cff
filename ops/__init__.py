"""Tensors, variables, every op, autodiff. Importing this package registers all ops.

Each op module lists its public names in ``__all__``; ``autograph`` re-exports them.
"""
from ops import tensor, overloads  # noqa: F401

overloads.install(tensor.Tensor)

from ops import (  # noqa: E402,F401  (registration order: elementwise ops first)
    elementwise, variables, tape, custom_gradient, creation, array_ops, indexing, reductions, linalg,
    random_ops, nn_ops, strings, logging_ops, debugging, scopes,
    variable_ops, tensor_spec, tracing, control_flow, tensor_array, functional_ops,
)
