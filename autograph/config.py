"""``ag.config``: devices and how functions run."""
from typing import Union

from runtime.backends import list_physical_devices  # noqa: F401
from autograph import function as _function  # noqa
from autograph.function import functions_run_eagerly, run_functions_eagerly  # noqa: F401


def list_logical_devices(device_type=None):
    return list_physical_devices(device_type)


def _set_jit(enabled: Union[bool, str]) -> None:
    """Compile every ``@function`` whose ``jit_compile`` was not given (``None``), as
    ``jit_compile=True`` does: ``True`` or ``"autoclustering"`` turns it on, ``False`` off.
    An explicit ``jit_compile=False`` still runs in the interpreter."""
    if enabled is True or enabled == "autoclustering":
        _function.set_jit_default(True)
    elif enabled is False:
        _function.set_jit_default(False)
    else:
        raise ValueError(f"config.optimizer.set_jit: expected True, False or 'autoclustering', "
                         f"not {enabled!r}")


def _get_jit() -> str:
    """``"autoclustering"`` when ``set_jit`` turned compilation on, else ``""`` (as in TF)."""
    return "autoclustering" if _function.jit_default() else ""


class optimizer:  # noqa: N801  (a namespace named as TensorFlow names it)
    """``ag.config.optimizer``: settings of the graph optimizer."""

    set_jit = staticmethod(_set_jit)
    get_jit = staticmethod(_get_jit)
