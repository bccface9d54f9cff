"""``ag.Module``: a named container that finds the variables and sub-modules it holds.

As in TensorFlow, nothing is registered when an attribute is set: ``variables``,
``trainable_variables`` and ``submodules`` walk the instance's attributes when asked,
looking inside lists, tuples and dicts, so a variable appended to a list later is found
too. Attributes are visited in sorted name order (TF's order); each object is reported
once, and reference cycles between modules are cut.

A module's name is its ``name=`` argument or the snake_case of its class name
(``DemoModule`` -> ``demo_module``). Its name scope is fixed when it is constructed, under
whatever scopes were active then, so ``with self.name_scope:`` later names variables
``demo_module/Variable:0`` wherever it is entered.
"""
from __future__ import annotations

import functools
import re

from ops.context import state
from ops.scopes import name_scope as _name_scope
from ops.variables import Variable

__all__ = ["Module"]

_CAMEL_TO_SNAKE = re.compile(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))")
_VALID_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


def camel_to_snake(name: str) -> str:
    """tf.Module's default names: ``DemoModule`` -> ``demo_module``, ``MLP`` -> ``mlp``."""
    return _CAMEL_TO_SNAKE.sub(r"_\1", name).lower()


class ModuleNameScope(_name_scope):
    """The object ``module.name_scope`` returns: a name scope to enter with ``with``, made
    fresh on each access. Calling it returns the scope's name (``"dense/"``), which is what
    Keras' ``layer.name_scope()`` returns."""

    def __call__(self) -> str:
        return self._name


def _leaves(value):
    """The non-container values inside lists, tuples, dicts (values, in key order when the
    keys sort) and their nestings; anything else is one leaf."""
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)
    elif isinstance(value, dict):
        items = list(value.items())
        try:
            items.sort(key=lambda kv: kv[0])
        except TypeError:
            pass
        for _, item in items:
            yield from _leaves(item)
    else:
        yield value


class Module:
    """Base class for objects that own variables (``tf.Module``).

    ``variables`` / ``trainable_variables`` / ``non_trainable_variables`` gather variables
    from this module and every sub-module, ``submodules`` lists the modules reachable
    through attributes, and ``with self.name_scope:`` prefixes the names of variables
    created inside with the module's name.
    """

    # Attribute names the walk skips (subclasses extend this set, as in TensorFlow).
    _TF_MODULE_IGNORED_PROPERTIES = frozenset()

    def __init__(self, name: str | None = None):
        if name is None:
            name = camel_to_snake(type(self).__name__)
        elif not isinstance(name, str) or not _VALID_NAME.match(name):
            raise ValueError(f"{name!r} is not a valid module name: use letters, digits and "
                             "underscores, starting with a letter or underscore")
        self._name = name
        self._scope_name = self._scope_for(name)

    @staticmethod
    def _scope_for(name: str) -> str:
        """The absolute scope ("outer/name/") the module's variables are created under."""
        prefix = "/".join(state.name_scopes)
        return f"{prefix}/{name}/" if prefix else f"{name}/"

    # ---- naming -------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def name_scope(self) -> ModuleNameScope:
        """``with self.name_scope:`` enters this module's scope (absolute: the scopes active
        at construction, then the module's name), whatever scopes are active now."""
        return ModuleNameScope(self._scope_name)

    @classmethod
    def with_name_scope(cls, method):
        """Decorator: run ``method`` inside ``self.name_scope``."""
        @functools.wraps(method)
        def method_with_name_scope(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)
        return method_with_name_scope

    # ---- tracking -----------------------------------------------------------------------
    def _tracked_attributes(self):
        """``(name, value)`` for the attributes the walk looks at, in the walk's order."""
        ignored = self._TF_MODULE_IGNORED_PROPERTIES
        attrs = vars(self)
        for key in sorted(attrs):
            if key not in ignored:
                yield key, attrs[key]

    def _flatten(self, predicate, recursive: bool = True) -> tuple:
        """Everything satisfying ``predicate`` held by this module (and, with ``recursive``,
        its sub-modules): this module's own finds first, then each sub-module's in turn."""
        found, seen = [], {id(self)}
        queue = [self]
        while queue:
            module = queue.pop(0)
            children = []
            for _, value in module._tracked_attributes():
                for leaf in _leaves(value):
                    if id(leaf) in seen:
                        continue
                    if isinstance(leaf, Module):
                        seen.add(id(leaf))
                        if predicate(leaf):
                            found.append(leaf)
                        if recursive:
                            children.append(leaf)
                    elif predicate(leaf):
                        seen.add(id(leaf))
                        found.append(leaf)
            queue[:0] = children  # depth-first after this module's own finds (TF's order)
        return tuple(found)

    @property
    def variables(self) -> tuple:
        """Every variable of this module and its sub-modules, each once."""
        return self._flatten(lambda v: isinstance(v, Variable))

    @property
    def trainable_variables(self) -> tuple:
        return self._flatten(lambda v: isinstance(v, Variable) and v.trainable)

    @property
    def non_trainable_variables(self) -> tuple:
        return self._flatten(lambda v: isinstance(v, Variable) and not v.trainable)

    @property
    def submodules(self) -> tuple:
        """Modules reachable through attributes: direct ones first, then theirs."""
        return self._flatten(lambda m: isinstance(m, Module))

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__name__} object named '{self._name}'>"
