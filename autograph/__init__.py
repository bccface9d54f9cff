"""autograph: TensorFlow 2's user experience on a small, readable stack.

``import autograph as tf`` gives tensors, ops, autodiff and (as the project grows) functions,
the AutoGraph converter, Keras and data pipelines under TensorFlow's names.
"""
from runtime.dtypes import (  # noqa: F401
    DType, as_dtype, float16, float32, float64, int8, int16, int32, int64, uint8, uint16,
    uint32, uint64, complex64, complex128, string, bool_ as bool,
)
from runtime.dtypes import float16 as half, float64 as double  # noqa: F401
from runtime.shapes import TensorShape  # noqa: F401
from runtime.backends import device  # noqa: F401

import ops as _ops  # noqa: F401  (registers every op)
from ops.tensor import Tensor, constant, convert_to_tensor  # noqa: F401
from ops.variables import (  # noqa: F401
    Variable, VariableAggregation, VariableSynchronization, init_scope,
)
from ops.tape import GradientTape, UnconnectedGradients  # noqa: F401
from ops.custom_gradient import custom_gradient  # noqa: F401
from ops.recompute import recompute_grad  # noqa: F401
from ops.tensor_spec import TensorSpec  # noqa: F401
from ops.module import Module  # noqa: F401
from ops.elementwise import *  # noqa: F401,F403
from ops.creation import *  # noqa: F401,F403
from ops.array_ops import *  # noqa: F401,F403
from ops.reductions import *  # noqa: F401,F403
from ops.linalg import einsum, matmul, tensordot  # noqa: F401
from ops.nn_ops import *  # noqa: F401,F403
from ops.strings import *  # noqa: F401,F403
from ops.logging_ops import *  # noqa: F401,F403
from ops.debugging import *  # noqa: F401,F403
from ops.scopes import *  # noqa: F401,F403
from ops.control_flow import *  # noqa: F401,F403
from ops.functional_ops import *  # noqa: F401,F403
from ops.tensor_array import TensorArray  # noqa: F401

from autograph import (  # noqa: F401,E402
    compat, config, data, debugging, errors, keras, linalg, math, nest, nn, profiler, random,
    saved_model, strings, summary,
)

from autograph.function import (  # noqa: F401,E402
    ConcreteFunction, Function, executing_eagerly, function, run_functions_eagerly,
)
from autograph.converter.public import do_not_convert, to_code, to_graph  # noqa: F401,E402
from autograph.converter import public as autograph  # noqa: F401,E402  (tf.autograph.*)

newaxis = None
__version__ = "0.1.0"
