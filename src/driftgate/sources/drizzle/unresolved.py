"""Exports the reader could not evaluate that may still be tables drizzle-kit collects.

drizzle-kit takes every exported value that is a table or view.  When an export's value is
unknown (a condition computed in JavaScript, a table name from the environment...), this
looks at its source: if the expression can yield a ``sqliteTable``/``sqliteView`` call, the
export becomes a not-compared statement instead of vanishing (which would let a database
that lacks the table pass).  Only result positions are followed (``a ? b : c``, ``a ?? b``,
a helper's ``return``), so ``relations(users, ...)`` does not count as a table.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from driftgate.sources.drizzle.evaluate import Program
from driftgate.sources.drizzle.modules import Module, is_drizzle_package
from driftgate.sources.drizzle.values import Unknown
from driftgate.sources.statements import SqlStatement

_MAKERS = {"sqliteTable": "table", "sqliteView": "view"}
_CREATORS = frozenset({"sqliteTableCreator"})
_WRAPPERS = frozenset(
    {"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression", "await_expression"}
)
_FUNCTIONS = frozenset({"arrow_function", "function_expression", "function", "function_declaration"})
_Seen = set[tuple[str, object]]


def unresolved_export(program: Program, module: Module, name: str, value: Unknown) -> SqlStatement | None:
    """A not-compared statement for export ``name`` when its unknown value may be a table or view."""
    found = definition(program, module, name, set())
    if found is None:
        return None
    where_module, node = found
    kind = makes(program, where_module, node, set())
    if kind is None:
        return None
    location = where_module.location(node)
    keyword = "VIEW" if kind == "view" else "TABLE"
    return SqlStatement(
        f"CREATE {keyword} ${{{name}}} (...)",
        location,
        unresolved=(value.reason,),
        reason=f"export {name!r} may be a drizzle {kind}, but driftgate cannot tell which: {_reason(value)}",
    )


def commonjs_file(module: Module) -> SqlStatement | None:
    """A CommonJS file (``module.exports = ...``) that builds tables: drizzle-kit reads it, driftgate does not."""
    if module.commonjs is None or not any(_calls_maker(module, node) for node in _walk(module.root)):
        return None
    return SqlStatement(
        f"CREATE TABLE ${{{module.path.name}}} (...)",
        module.location(module.commonjs),
        unresolved=("module.exports",),
        reason=f"{module.path} exports its tables through CommonJS module.exports, which driftgate does not read "
        "(write them as ES module exports: export const t = sqliteTable(...))",
    )


def _reason(value: Unknown) -> str:
    return value.reason + (f" ({value.location})" if value.location else "")


def definition(program: Program, module: Module, name: str, seen: _Seen) -> tuple[Module, Node] | None:
    """The expression that gives a module-level name (or an export) its value, across imports and re-exports."""
    key = (str(module.path.resolve()), name)
    if key in seen:
        return None
    seen.add(key)
    if name in module.exports:
        local, spec = module.exports[name]
        if spec is None:
            return _local_definition(program, module, local, seen)
        target = _module(program, module, spec)
        return definition(program, target, local, seen) if target is not None and local != "*" else None
    if name in module.declarations or name in module.patterns or name in module.imports:
        return _local_definition(program, module, name, seen)
    for spec in module.star_exports:
        target = _module(program, module, spec)
        found = definition(program, target, name, seen) if target is not None else None
        if found is not None:
            return found
    return None


def _local_definition(program: Program, module: Module, name: str, seen: _Seen) -> tuple[Module, Node] | None:
    if name in module.declarations:
        return module, module.declarations[name]
    if name in module.patterns:
        value = module.patterns[name].child_by_field_name("value")
        return (module, value) if value is not None else None
    binding = module.imports.get(name)
    if binding is None or binding.name == "*":
        return None
    target = _module(program, module, binding.specifier)
    return definition(program, target, binding.name, seen) if target is not None else None


def _module(program: Program, module: Module, spec: str) -> Module | None:
    if is_drizzle_package(spec):
        return None
    return program._relative_module(module, spec, None)


def makes(program: Program, module: Module, node: Node, seen: _Seen, picked: bool = False) -> str | None:
    """``table``/``view`` when evaluating ``node`` can yield a sqliteTable/sqliteView, else None.

    ``picked``: a property of this value is taken (``x.a``), so it counts only as an object or array that
    holds tables; a call's result does not (``users.$inferSelect`` is no table).
    """
    # a node and its first child share a start byte: the node's span and type tell them apart
    key = (str(module.path.resolve()), (node.start_byte, node.end_byte, node.type))
    if key in seen:
        return None
    seen.add(key)
    while node.type in _WRAPPERS and node.named_children:
        node = next(c for c in node.named_children if c.type != "comment")
    kind = node.type
    parts: list[Node | None] = []
    if kind == "call_expression":
        return None if picked else _call_makes(program, module, node, seen)
    if kind == "ternary_expression":
        parts = [node.child_by_field_name("consequence"), node.child_by_field_name("alternative")]
    elif kind == "binary_expression":
        parts = [node.child_by_field_name("left"), node.child_by_field_name("right")]
    elif kind == "sequence_expression" and node.named_children:
        parts = [node.named_children[-1]]
    elif kind in ("member_expression", "subscript_expression"):  # a table picked out of an object or array
        owner = node.child_by_field_name("object")
        return makes(program, module, owner, seen, picked=True) if owner is not None else None
    elif kind in ("object", "array"):
        picked = False  # its entries are what a property access picks
        for child in node.named_children:
            value = child.child_by_field_name("value") if child.type == "pair" else child
            if child.type == "spread_element" and child.named_children:
                value = child.named_children[0]
            parts.append(value)
    elif kind in ("identifier", "shorthand_property_identifier"):
        found = definition(program, module, module.text(node), set())
        return makes(program, found[0], found[1], seen, picked) if found is not None else None
    return next((k for part in parts if part is not None and (k := makes(program, module, part, seen, picked))), None)


def _call_makes(program: Program, module: Module, node: Node, seen: _Seen) -> str | None:
    callee = node.child_by_field_name("function")
    if callee is None:
        return None
    while callee.type in _WRAPPERS and callee.named_children:
        callee = callee.named_children[0]
    name = _maker_name(module, callee)
    if name in _MAKERS:
        return _MAKERS[name]
    if callee.type == "member_expression":  # sqliteView(...).as(...), a table's helper method
        owner = callee.child_by_field_name("object")
        return makes(program, module, owner, seen) if owner is not None else None
    if callee.type in _FUNCTIONS:  # an immediately called function
        return _returns_make(program, module, callee, seen)
    if callee.type == "identifier":
        found = definition(program, module, module.text(callee), set())
        if found is None:
            return None
        where_module, value = found
        while value.type in _WRAPPERS and value.named_children:
            value = value.named_children[0]
        if value.type in _FUNCTIONS:
            return _returns_make(program, where_module, value, seen)
        if value.type == "call_expression":  # const createTable = sqliteTableCreator(...)
            inner = value.child_by_field_name("function")
            if inner is not None and _maker_name(where_module, inner) in _CREATORS:
                return "table"
    return None


def _maker_name(module: Module, callee: Node) -> str | None:
    """sqliteTable / sqliteView / sqliteTableCreator called by name, alias or namespace (core.sqliteTable)."""
    if callee.type == "member_expression":
        prop = callee.child_by_field_name("property")
        text = module.text(prop) if prop is not None else ""
        return text if text in _MAKERS or text in _CREATORS else None
    if callee.type == "identifier":
        text = module.text(callee)
        binding = module.imports.get(text)
        if binding is not None and is_drizzle_package(binding.specifier):
            text = binding.name
        return text if text in _MAKERS or text in _CREATORS else None
    return None


def _returns_make(program: Program, module: Module, function: Node, seen: _Seen) -> str | None:
    body = function.child_by_field_name("body")
    if body is None:
        return None
    if body.type != "statement_block":
        return makes(program, module, body, seen)
    for node in _walk(body, skip_functions=True):
        if node.type == "return_statement":
            value = next((c for c in node.named_children if c.type != "comment"), None)
            found = makes(program, module, value, seen) if value is not None else None
            if found:
                return found
    return None


def _calls_maker(module: Module, node: Node) -> bool:
    if node.type != "call_expression":
        return False
    callee = node.child_by_field_name("function")
    return callee is not None and _maker_name(module, callee) in _MAKERS


def _walk(node: Node, skip_functions: bool = False) -> Iterator[Node]:
    stack = list(reversed(node.named_children))
    while stack:
        current = stack.pop()
        yield current
        if skip_functions and current.type in _FUNCTIONS:
            continue
        stack.extend(reversed(current.named_children))
