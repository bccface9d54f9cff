"""Reads of variables that may be unbound go through ``ag__.ld``.

Definedness analysis marks each load of a local that is not certainly assigned on every
path to it. Control-flow conversion binds such variables to ``Undefined`` first (its state
functions must name them), so reading one must fail as Python would: ``ld`` raises
``UnboundLocalError``, or, for a value that only exists if a staged loop ran, adds that check
to the graph.
"""
from __future__ import annotations

import gast

from autograph.converter import anno, templates
from autograph.converter.transformer import Base


class VariableTransformer(Base):

    def visit_Name(self, node):
        if isinstance(node.ctx, gast.Load) and anno.getanno(node, "maybe_undefined"):
            return templates.replace_as_expression("ag__.ld(name)", node, name=node)
        return node


def transform(node, ctx):
    return VariableTransformer(ctx).visit(node)
