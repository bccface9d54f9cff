"""Looking Keras objects up by name and turning them into configs and back.

Every ``get``/``deserialize`` of initializers, activations, regularizers, constraints and
layers goes through ``resolve``, so an unknown name always gets the same kind of error: it
names what was being looked up and lists the valid names. User classes and functions are
found through ``custom_objects=``, ``custom_object_scope`` or ``register_keras_serializable``.
"""
from __future__ import annotations

import contextlib
import difflib

__all__ = ["CustomObjectScope", "custom_object_scope", "deserialize_keras_object",
           "get_custom_objects", "get_registered_name", "get_registered_object",
           "register_keras_serializable", "serialize_keras_object"]

_registered: dict = {}         # "Package>Name" -> class or function
_registered_names: dict = {}   # the object -> "Package>Name"
_scopes: list = []             # dicts pushed by custom_object_scope


def register_keras_serializable(package: str = "Custom", name: str | None = None):
    """Class/function decorator: make the object findable by name when configs are read
    (registered as ``"package>name"`` and also found by its plain name)."""
    def decorate(obj):
        key = f"{package}>{name or obj.__name__}"
        if isinstance(obj, type) and not hasattr(obj, "get_config"):
            raise ValueError(f"register_keras_serializable: {obj.__name__} must define "
                             "get_config() to be serializable")
        _registered[key] = obj
        _registered_names[obj] = key
        return obj
    return decorate


def get_registered_name(obj) -> str:
    return _registered_names.get(obj, getattr(obj, "__name__", type(obj).__name__))


def get_registered_object(name: str, custom_objects: dict | None = None, module_objects=None):
    """The user object called ``name``: from ``custom_objects``, the active
    ``custom_object_scope``s, the registry, then ``module_objects``; ``None`` if unknown."""
    for table in ([custom_objects or {}] + _scopes[::-1]):
        if name in table:
            return table[name]
    if name in _registered:
        return _registered[name]
    for key, obj in _registered.items():
        if key.partition(">")[2] == name:
            return obj
    if module_objects and name in module_objects:
        return module_objects[name]
    return None


def get_custom_objects() -> dict:
    """The registry of ``register_keras_serializable`` objects (a live dict)."""
    return _registered


class CustomObjectScope(contextlib.ContextDecorator):
    """``with custom_object_scope({"MyLayer": MyLayer}):`` -- names known while reading configs."""

    def __init__(self, *tables):
        self._table = {}
        for table in tables:
            self._table.update(table or {})

    def __enter__(self):
        _scopes.append(self._table)
        return self

    def __exit__(self, *exc):
        _scopes.remove(self._table)


custom_object_scope = CustomObjectScope


def serialize_keras_object(obj):
    """``{"class_name": ..., "config": ...}`` for objects with ``get_config``; the name for
    functions; ``None`` for ``None``."""
    if obj is None:
        return None
    if hasattr(obj, "get_config"):
        return {"class_name": get_registered_name(type(obj)).partition(">")[2] or
                type(obj).__name__, "config": obj.get_config()}
    if hasattr(obj, "__name__"):
        return get_registered_name(obj).partition(">")[2] or obj.__name__
    raise ValueError(f"cannot serialize {obj!r}: it has neither get_config() nor a __name__")


def _unknown(kind: str, name, known, argument: str | None) -> ValueError:
    where = f" for argument {argument}" if argument else ""
    close = difflib.get_close_matches(str(name), known, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    # Where snake_case names exist, the CamelCase class names are the same things again.
    shown = sorted(n for n in known if n[:1].islower()) or sorted(known)
    also = " (or their class names)" if len(shown) < len(known) else ""
    return ValueError(f"Unknown {kind} {name!r}{where}.{hint} Valid names: "
                      f"{', '.join(shown)}{also}; or pass a callable or an object "
                      "(custom_objects= for your own classes)")


def deserialize_keras_object(identifier, module_objects: dict, kind: str,
                             custom_objects: dict | None = None, argument: str | None = None,
                             instantiate_classes: bool = True):
    """A name or a ``{"class_name", "config"}`` dict -> the object ``module_objects`` (or the
    user's custom objects) holds under that name; classes found by a plain name are
    instantiated with no arguments when ``instantiate_classes``."""
    if isinstance(identifier, dict):
        if "class_name" not in identifier:
            raise ValueError(f"{kind} config must be a dict with 'class_name' and 'config', "
                             f"got {identifier!r}")
        name = identifier["class_name"]
        cls = get_registered_object(name, custom_objects, module_objects)
        if cls is None:
            raise _unknown(kind, name, list(module_objects), argument)
        config = identifier.get("config", {}) or {}
        if hasattr(cls, "from_config"):
            try:
                return cls.from_config(config, custom_objects=custom_objects)
            except TypeError as e:
                if "custom_objects" not in str(e):
                    raise
                return cls.from_config(config)
        return cls(**config)
    if isinstance(identifier, str):
        obj = get_registered_object(identifier, custom_objects, module_objects)
        if obj is None:
            raise _unknown(kind, identifier, list(module_objects), argument)
        if isinstance(obj, type) and instantiate_classes:
            return obj()
        return obj
    raise TypeError(f"Could not interpret {kind}{' for argument ' + argument if argument else ''}"
                    f": expected a name, a config dict or a callable, got "
                    f"{type(identifier).__name__} {identifier!r}")
