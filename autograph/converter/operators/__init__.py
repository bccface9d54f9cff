"""The operators converted code calls, as the module ``ag__``.

Each decides at run time between Python semantics (Python values, eager tensors) and graph
ops (staged tensors); see ``dispatch`` for the one test they share.
"""
from autograph.converter.operators.variables import (  # noqa: F401
    Undefined, UndefinedReturnValue, ld, ldu, retval,
)
from autograph.converter.operators.control_flow import (  # noqa: F401
    for_stmt, if_stmt, noop, while_stmt,
)
from autograph.converter.operators.logical import (  # noqa: F401
    and_, any_set, compare_chain, if_exp, not_, or_,
)
from autograph.converter.operators.exceptions import AssertionFailedError, assert_stmt  # noqa: F401
from autograph.converter.operators.data_structures import list_append, list_pop, stack  # noqa: F401
from autograph.converter.operators.calls import converted_call  # noqa: F401
from autograph.converter.operators.py_builtins import (  # noqa: F401
    abs_, all_, any_, bool_, enumerate_, float_, int_, len_, max_, min_, range_, zip_,
)
