"""Settings of a ``drizzle.config.ts`` (or ``.js``/``.json``), read with the same parser and evaluator as schema
files (no node)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tree_sitter import Node

from driftgate.errors import InputError
from driftgate.sources.drizzle.evaluate import Program
from driftgate.sources.drizzle.modules import Module

_WRAPPERS = ("parenthesized_expression", "as_expression", "satisfies_expression")


def _config_node(module: Module) -> Node | None:
    """The object given to ``export default defineConfig(...)`` / ``export default {...}`` / a named const."""
    node = module.declarations.get("default") or _module_exports(module)
    seen = 0
    while node is not None and seen < 8:
        seen += 1
        while (
            node.type in ("parenthesized_expression", "as_expression", "satisfies_expression") and node.named_children
        ):
            node = node.named_children[0]
        if node.type == "call_expression":
            arguments = node.child_by_field_name("arguments")
            first = next((a for a in arguments.named_children if a.type != "comment"), None) if arguments else None
            node = first
        elif node.type == "identifier":
            node = module.declarations.get(module.text(node))
        else:
            return node
    return None


def _module_exports(module: Module) -> Node | None:
    """The value of a CommonJS config's ``module.exports = ...``."""
    for statement in module.root.named_children:
        expression = statement.named_children[0] if statement.type == "expression_statement" else None
        left = (
            expression.child_by_field_name("left")
            if expression is not None and expression.type == "assignment_expression"
            else None
        )
        if left is not None and module.text(left).replace(" ", "") == "module.exports":
            return expression.child_by_field_name("right")
    return None


def drizzle_config_values(config_path: Path) -> dict[str, Any]:
    """The config object as plain values; what needs node (``process.env...``) is left out."""
    if config_path.suffix == ".json":
        try:
            value = json.loads(config_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise InputError(f"{config_path}: not a readable JSON config ({error})") from None
        if isinstance(value, dict) and value.get("default") is not None:  # drizzle-kit: required.default ?? required
            value = value["default"]
        return value if isinstance(value, dict) else {}
    program = Program()
    module = program.module(config_path)
    node = _config_node(module)
    if node is None or node.type != "object":
        return {}
    value = program.evaluate(node, module, {})
    return value if isinstance(value, dict) else {}
