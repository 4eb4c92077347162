"""Settings of a ``drizzle.config.ts``, read with the same parser and evaluator as schema files (no node)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tree_sitter import Node

from driftgate.sources.drizzle.evaluate import Program
from driftgate.sources.drizzle.modules import Module

_WRAPPERS = ("parenthesized_expression", "as_expression", "satisfies_expression")


def _config_node(module: Module) -> Node | None:
    """The object given to ``export default defineConfig(...)`` / ``export default {...}`` / a named const."""
    node = module.declarations.get("default")
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


def drizzle_config_values(config_path: Path) -> dict[str, Any]:
    """The config object as plain values; what needs node (``process.env...``) is left out."""
    program = Program()
    module = program.module(config_path)
    node = _config_node(module)
    if node is None or node.type != "object":
        return {}
    value = program.evaluate(node, module, {})
    return value if isinstance(value, dict) else {}
