"""``ag.config``: devices and how functions run."""
from runtime.backends import list_physical_devices  # noqa: F401
from autograph.function import functions_run_eagerly, run_functions_eagerly  # noqa: F401


def list_logical_devices(device_type=None):
    return list_physical_devices(device_type)
