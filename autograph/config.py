"""``ag.config``: devices (functions settings join as the project grows)."""
from runtime.backends import list_physical_devices  # noqa: F401


def list_logical_devices(device_type=None):
    return list_physical_devices(device_type)
