"""Evaluate the JavaScript expressions of schema files, just far enough to build drizzle objects.

A small interpreter over the tree-sitter tree: literals, objects, arrays, spreads,
template strings, names across modules, member access, arrow functions and
``function`` bodies made of declarations and one ``return``.  Anything else is an
:class:`Unknown` value that remembers why and where, so nothing is dropped silently.
Hand-written because no Python library evaluates TypeScript without node.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from tree_sitter import Node

from driftgate.errors import InputError
from driftgate.sources.drizzle import builders
from driftgate.sources.drizzle.modules import Module, is_drizzle_package, load_module, resolve_specifier
from driftgate.sources.drizzle.values import (
    UNDEFINED,
    BigInt,
    Builtin,
    Function,
    JsDate,
    Namespace,
    Unknown,
    js_truthy,
)
from driftgate.sources.legacy import _decode_escape

_TRANSPARENT = frozenset(
    {"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression", "type_assertion"}
)
_FUNCTIONS = frozenset(
    {"arrow_function", "function_expression", "function", "function_declaration", "method_definition"}
)


class Program:
    """All modules reachable from the schema files, evaluated lazily and once per name."""

    def __init__(self) -> None:
        self.modules: dict[Path, Module] = {}
        self.values: dict[tuple[Path, str], Any] = {}
        self.evaluating: list[tuple[Path, str, int]] = []
        self.warnings: list[str] = []
        self.calls = 0  # nesting of JS function calls being evaluated

    def module(self, path: Path) -> Module:
        key = path.resolve()
        if key not in self.modules:
            self.modules[key] = load_module(path)
        return self.modules[key]

    # -- names across modules --

    def exports(self, module: Module) -> list[tuple[str, Any]]:
        """(name, value) of everything a module exports, in order, ``export *`` trees flattened."""
        found: list[tuple[str, Any]] = []
        self._collect_exports(module, found, set())
        return found

    def _collect_exports(self, module: Module, found: list[tuple[str, Any]], seen: set[Path]) -> None:
        # drizzle-kit requires each file through esbuild's CommonJS output, which defines a module's own
        # exports sorted by name and then copies each `export *` module's exports not yet defined.
        if module.path.resolve() in seen:
            return  # export * cycles are legal in JS: each module contributes once
        seen.add(module.path.resolve())
        names = {name for name, _ in found}
        for name in sorted(module.exports):
            if name not in names:
                found.append((name, self.export_value(module, name)))
        for spec in module.star_exports:
            target = self._relative_module(module, spec, None)
            if target is not None:
                self._collect_exports(target, found, seen)

    def export_value(self, module: Module, name: str, seen: frozenset[Path] = frozenset()) -> Any:
        if module.path.resolve() in seen:
            return Unknown(f"export {name!r} not found ({module.path} re-exports itself)", None)
        seen = seen | {module.path.resolve()}
        if name in module.exports:
            local, spec = module.exports[name]
            if spec is None:
                return self.name_value(module, local, None)
            if is_drizzle_package(spec):
                return Builtin(local)
            target = self._relative_module(module, spec, None)
            if target is None:
                return Unknown(f"{spec!r} is not a file of the schema", None)
            if local == "*":
                return Namespace(target)
            return self.export_value(target, local, seen)
        for spec in module.star_exports:
            target = self._relative_module(module, spec, None)
            if target is not None and self._exports_name(target, name, set()):
                return self.export_value(target, name, seen)
        return Unknown(f"{module.path} does not export {name!r}", None)

    def _exports_name(self, module: Module, name: str, seen: set[Path]) -> bool:
        if module.path.resolve() in seen:
            return False
        seen.add(module.path.resolve())
        if name in module.exports:
            return True
        return any(
            (t := self._relative_module(module, spec, None)) is not None and self._exports_name(t, name, seen)
            for spec in module.star_exports
        )

    def _relative_module(self, module: Module, spec: str, node: Node | None) -> Module | None:
        path = resolve_specifier(module.path, spec)
        if path is None:
            if spec.startswith(("@/", "~/", "#", "$")) or (spec.startswith("@") and "/" not in spec[1:]):
                warning = f"{module.path}: import {spec!r} looks like a TS path alias; driftgate does not resolve it"
                if warning not in self.warnings:
                    self.warnings.append(warning)
            return None
        return self.module(path)

    def name_value(self, module: Module, name: str, node: Node | None) -> Any:
        """The value of a module-level name: a declaration, or an import."""
        key = (module.path.resolve(), name)
        if key in self.values:
            return self.values[key]
        if name in module.declarations:
            declaration = module.declarations[name]
            if declaration.type == "function_declaration":
                value: Any = Function(declaration, module, {})
            elif declaration.type == "class_declaration":
                value = Unknown(f"class {name}", module.location(declaration))
            else:
                value = self._evaluated_once(module, name, name, declaration, declaration)
            self.values[key] = value
            return value
        if name in module.imports:
            value = self._import_value(module, module.imports[name])
            self.values[key] = value
            return value
        if name in module.patterns:
            value = self._pattern_value(module, name)
            self.values[key] = value
            return value
        return _GLOBALS.get(name, Unknown(f"{name!r} is not defined in {module.path.name}", None))

    def _pattern_value(self, module: Module, name: str) -> Any:
        """A name bound by a destructuring declaration: the value is evaluated once per declarator."""
        declarator = module.patterns[name]
        pattern, value_node = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
        assert pattern is not None and value_node is not None
        key = (module.path.resolve(), f"<pattern@{declarator.start_byte}>")
        if key not in self.values:
            self.values[key] = self._evaluated_once(module, key[1], name, value_node, declarator)
        scope: dict[str, Any] = {}
        self._bind(pattern, self.values[key], module, scope)
        return scope.get(
            name, Unknown(f"destructured {name!r}: a pattern driftgate does not read", module.location(declarator))
        )

    def _evaluated_once(self, module: Module, key: str, name: str, node: Node, declared: Node) -> Any:
        """``node``'s value, the module-level ``key`` (``name`` as written, ``declared`` where) being evaluated
        meanwhile: a value that needs itself (an import cycle) is bad input, as drizzle-kit fails on it."""
        at_line = declared.start_point.row + 1
        if any(k[:2] == (module.path.resolve(), key) for k in self.evaluating):
            chain = " -> ".join(f"{p.name}:{line} {n}" for p, n, line in self.evaluating)
            raise InputError(
                f"{module.path}:{at_line}: import cycle: {name!r} "
                f"needs its own value ({chain}); drizzle-kit would fail with a ReferenceError"
            )
        self.evaluating.append((module.path.resolve(), key, at_line))
        try:
            return self.evaluate(node, module, {})
        finally:
            self.evaluating.pop()

    def _import_value(self, module: Module, binding: Any) -> Any:
        spec, name = binding.specifier, binding.name
        where = module.location(binding.node)
        if is_drizzle_package(spec):
            return Builtin(name) if name not in ("*", "default") else Builtin("namespace")
        target = self._relative_module(module, spec, binding.node)
        if target is None:
            return Unknown(f"{name} imported from {spec!r}, which driftgate does not read", where)
        if name == "*":
            return Namespace(target)
        return self.export_value(target, name)

    # -- expressions --

    def evaluate(self, node: Node, module: Module, scope: dict[str, Any]) -> Any:
        while node.type in _TRANSPARENT and node.named_children:
            node = next(c for c in node.named_children if c.type != "comment")
        kind = node.type
        handler = _HANDLERS.get(kind)
        if handler is not None:
            return handler(self, node, module, scope)
        if kind in _FUNCTIONS:
            return Function(node, module, scope)
        return Unknown(f"unsupported expression {_snippet(module, node)!r}", module.location(node))

    def lookup(self, name: str, node: Node, module: Module, scope: dict[str, Any]) -> Any:
        if name in scope:
            return scope[name]
        if name == "undefined":
            return UNDEFINED
        value = self.name_value(module, name, node)
        if isinstance(value, Unknown) and value.location is None:
            return Unknown(value.reason, module.location(node))
        return value

    def call(self, function: Any, args: list[Any], node: Node, module: Module) -> Any:
        """Call a value: a drizzle builtin, a builder method or a JS function."""
        if isinstance(function, Function):
            return self.call_function(function, args)
        return builders.call(self, function, args, node, module)

    def call_function(self, function: Function, args: list[Any]) -> Any:
        node, module = function.node, function.module
        if self.calls > 48:  # a recursive helper: give up cleanly rather than overflow Python's stack
            raise InputError(f"{module.location(node)}: function calls nest too deep while reading the schema")
        self.calls += 1
        try:
            return self._call_function(function, args)
        finally:
            self.calls -= 1

    def _call_function(self, function: Function, args: list[Any]) -> Any:
        node, module = function.node, function.module
        scope = dict(function.scope)
        parameter = node.child_by_field_name("parameter")
        if parameter is not None:
            scope[module.text(parameter)] = args[0] if args else UNDEFINED
        parameters = node.child_by_field_name("parameters")
        for index, param in enumerate(parameters.named_children if parameters is not None else []):
            pattern = param.child_by_field_name("pattern") or param
            arg = args[index] if index < len(args) else UNDEFINED
            self._bind(pattern, arg, module, scope)
        body = node.child_by_field_name("body")
        if body is None:
            return UNDEFINED
        if body.type != "statement_block":
            return self.evaluate(body, module, scope)
        self.evaluating.append((module.path.resolve(), "<function>", node.start_point.row + 1))
        try:
            return self._run_block(body, module, scope)
        finally:
            self.evaluating.pop()

    def _run_block(self, body: Node, module: Module, scope: dict[str, Any]) -> Any:
        for statement in body.named_children:
            if statement.type in ("lexical_declaration", "variable_declaration"):
                for declarator in statement.named_children:
                    target = declarator.child_by_field_name("name")
                    value = declarator.child_by_field_name("value")
                    if target is not None:
                        bound = self.evaluate(value, module, scope) if value is not None else UNDEFINED
                        self._bind(target, bound, module, scope)
            elif statement.type == "return_statement":
                value = next((c for c in statement.named_children if c.type != "comment"), None)
                return self.evaluate(value, module, scope) if value is not None else UNDEFINED
            elif statement.type in ("comment", "expression_statement", "empty_statement"):
                continue
            else:
                return Unknown(f"function body with {statement.type}", module.location(statement))
        return UNDEFINED

    def _bind(self, pattern: Node, value: Any, module: Module, scope: dict[str, Any]) -> None:
        if pattern.type == "identifier":
            scope[module.text(pattern)] = value
        elif pattern.type == "object_pattern":
            for entry in pattern.named_children:
                if entry.type == "shorthand_property_identifier_pattern":
                    key = module.text(entry)
                    scope[key] = builders.member(self, value, key, entry, module)
                elif entry.type == "object_assignment_pattern":
                    left = entry.child_by_field_name("left")
                    if left is not None and left.type == "shorthand_property_identifier_pattern":
                        key = module.text(left)
                        inner = builders.member(self, value, key, entry, module)
                        right = entry.child_by_field_name("right")
                        if inner is UNDEFINED and right is not None:
                            inner = self.evaluate(right, module, scope)
                        scope[key] = inner
                elif entry.type == "pair_pattern":
                    key_node, target = entry.child_by_field_name("key"), entry.child_by_field_name("value")
                    if key_node is not None and target is not None:
                        key = module.text(key_node).strip("'\"")
                        self._bind(target, builders.member(self, value, key, entry, module), module, scope)
        elif pattern.type == "assignment_pattern":
            left = pattern.child_by_field_name("left")
            right = pattern.child_by_field_name("right")
            if left is not None:
                if value is UNDEFINED and right is not None:
                    value = self.evaluate(right, module, scope)
                self._bind(left, value, module, scope)
        else:
            for name_node in (c for c in pattern.named_children if c.type == "identifier"):
                scope[module.text(name_node)] = Unknown("destructured value", module.location(pattern))


# --- expression handlers -------------------------------------------------------


def _snippet(module: Module, node: Node) -> str:
    text = " ".join(module.text(node).split())
    return text if len(text) <= 60 else text[:57] + "..."


def _string(program: Program, node: Node, module: Module, scope: dict[str, Any]) -> Any:
    parts: list[str] = []
    for child in node.named_children:
        if child.type == "string_fragment":
            parts.append(module.text(child))
        elif child.type == "escape_sequence":
            parts.append(_decode_escape(module.text(child)))
    return "".join(parts)


def template_parts(program: Program, node: Node, module: Module, scope: dict[str, Any]) -> list[Any]:
    """Cooked text pieces (str) and evaluated substitutions, in order."""
    parts: list[Any] = []
    position = node.start_byte + 1
    for part in node.named_children:
        if part.type not in ("escape_sequence", "template_substitution"):
            continue
        parts.append(module.data[position : part.start_byte].decode("utf-8", "replace"))
        if part.type == "escape_sequence":
            parts.append(_decode_escape(module.text(part)))
        else:
            expression = next((c for c in part.named_children if c.type != "comment"), None)
            parts.append(program.evaluate(expression, module, scope) if expression is not None else UNDEFINED)
        position = part.end_byte
    parts.append(module.data[position : node.end_byte - 1].decode("utf-8", "replace"))
    return parts


def _template(program: Program, node: Node, module: Module, scope: dict[str, Any]) -> Any:
    out: list[str] = []
    for part in template_parts(program, node, module, scope):
        text = js_string(part)
        if text is None:
            return Unknown(
                f"template string with a value driftgate cannot know: {_snippet(module, node)}", module.location(node)
            )
        out.append(text)
    return "".join(out)


def js_string(value: Any) -> str | None:
    """String(value) for plain values; None for values whose text is not known."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return js_number(value)
    if value is None:
        return "null"
    if value is UNDEFINED:
        return "undefined"
    return None


def js_number(value: float | int) -> str:
    """Number.prototype.toString(): JavaScript numbers are doubles, written with the shortest digits."""
    if isinstance(value, int):
        if abs(value) < 2**53:
            return str(value)
        value = float(value)  # a JS number literal this large is the nearest double
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    # repr is the shortest round-trip form, as in JS; its digits are then laid out by ECMA-262's rules
    _, digit_tuple, exponent = Decimal(repr(abs(value))).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    k, n = len(digits), int(exponent) + len(digits)
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{sign}{mantissa}e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"


def _number(program: Program, node: Node, module: Module, scope: dict[str, Any]) -> Any:
    text = module.text(node).replace("_", "")
    try:
        if text.endswith("n"):
            return BigInt(int(text[:-1], 0))
        if text.lower().startswith(("0x", "0o", "0b")):
            return int(text, 0)
        value = float(text)
        return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value
    except ValueError:
        return Unknown(f"number {text}", module.location(node))


def _identifier(program: Program, node: Node, module: Module, scope: dict[str, Any]) -> Any:
    return program.lookup(module.text(node), node, module, scope)


def _array(program: Program, node: Node, module: Module, scope: dict[str, Any]) -> Any:
    items: list[Any] = []
    for child in node.named_children:
        if child.type == "comment":
            continue
        if child.type == "spread_element":
            inner = program.evaluate(child.named_children[0], module, scope)
            if isinstance(inner, list):
                items.extend(inner)
            else:
                items.append(Unknown(f"spread of {_snippet(module, child)}", module.location(child)))
        else:
            items.append(program.evaluate(child, module, scope))
    return items


def _object(program: Program, node: Node, module: Module, scope: dict[str, Any]) -> Any:
    result: dict[str, Any] = {}
    for entry in node.named_children:
        if entry.type == "pair":
            key_node, value_node = entry.child_by_field_name("key"), entry.child_by_field_name("value")
            if key_node is None or value_node is None:
                continue
            key = _property_key(program, key_node, module, scope)
            if key is None:
                result[f"<computed {module.text(key_node)}>"] = Unknown(
                    f"computed key {module.text(key_node)}", module.location(entry)
                )
                continue
            result[key] = program.evaluate(value_node, module, scope)
        elif entry.type == "shorthand_property_identifier":
            result[module.text(entry)] = program.lookup(module.text(entry), entry, module, scope)
        elif entry.type == "spread_element":
            inner = program.evaluate(entry.named_children[0], module, scope)
            if isinstance(inner, dict):
                result.update(inner)
            else:
                result[f"<spread at byte {entry.start_byte}>"] = Unknown(
                    f"spread of {_snippet(module, entry)}", module.location(entry)
                )
        elif entry.type == "method_definition":
            name = entry.child_by_field_name("name")
            if name is not None:
                result[module.text(name)] = Function(entry, module, scope)
    return result


def _property_key(program: Program, key: Node, module: Module, scope: dict[str, Any]) -> str | None:
    if key.type in ("property_identifier", "identifier"):
        return module.text(key)
    if key.type == "string":
        return _string(program, key, module, scope)
    if key.type == "number":
        return js_string(_number(program, key, module, scope))
    if key.type == "computed_property_name" and key.named_children:
        value = program.evaluate(key.named_children[0], module, scope)
        return js_string(value)
    return None


def _member(program: Program, node: Node, module: Module, scope: dict[str, Any]) -> Any:
    owner_node, prop = node.child_by_field_name("object"), node.child_by_field_name("property")
    if owner_node is None or prop is None:
        return Unknown("member access", module.location(node))
    owner = program.evaluate(owner_node, module, scope)
    optional = any(child.type == "optional_chain" for child in node.children)
    if optional and (owner is None or owner is UNDEFINED):
        return UNDEFINED  # a?.b on null/undefined
    return builders.member(program, owner, module.text(prop), node, module)


def _subscript(program: Program, node: Node, module: Module, scope: dict[str, Any]) -> Any:
    owner_node, index_node = node.child_by_field_name("object"), node.child_by_field_name("index")
    if owner_node is None or index_node is None:
        return Unknown("subscript", module.location(node))
    owner = program.evaluate(owner_node, module, scope)
    index = program.evaluate(index_node, module, scope)
    if isinstance(owner, list) and isinstance(index, int) and 0 <= index < len(owner):
        return owner[index]
    key = js_string(index)
    if key is None:
        return Unknown(f"subscript {_snippet(module, node)}", module.location(node))
    return builders.member(program, owner, key, node, module)


def _call(program: Program, node: Node, module: Module, scope: dict[str, Any]) -> Any:
    callee_node, arguments = node.child_by_field_name("function"), node.child_by_field_name("arguments")
    if callee_node is None or arguments is None:
        return Unknown("call", module.location(node))
    callee = program.evaluate(callee_node, module, scope)
    if arguments.type == "template_string":  # tagged template: sql`...`
        return builders.tagged_template(
            program, callee, template_parts(program, arguments, module, scope), node, module
        )
    args: list[Any] = []
    for arg in arguments.named_children:
        if arg.type == "comment":
            continue
        if arg.type == "spread_element":
            inner = program.evaluate(arg.named_children[0], module, scope)
            args.extend(inner if isinstance(inner, list) else [Unknown("spread argument", module.location(arg))])
        else:
            args.append(program.evaluate(arg, module, scope))
    if isinstance(callee, Unknown):
        return Unknown(f"{_snippet(module, node)} is computed in JavaScript ({callee.reason})", module.location(node))
    return program.call(callee, args, node, module)


def _new(program: Program, node: Node, module: Module, scope: dict[str, Any]) -> Any:
    constructor = node.child_by_field_name("constructor")
    arguments = node.child_by_field_name("arguments")
    args = [a for a in arguments.named_children if a.type != "comment"] if arguments is not None else []
    if constructor is not None and module.text(constructor) == "Date" and len(args) == 1:
        fixed = js_date(program.evaluate(args[0], module, scope))
        if fixed is not None:
            return fixed
    return Unknown(f"{_snippet(module, node)} is computed in JavaScript when drizzle-kit runs", module.location(node))


def js_date(value: Any) -> JsDate | None:
    """``new Date(value)`` for values whose instant does not depend on the clock or the time zone."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            instant = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(milliseconds=int(value))
        except OverflowError:
            return None
    elif isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        instant = dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)  # a date-only form is UTC in JS
    elif isinstance(value, str) and re.fullmatch(
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})", value
    ):
        instant = dt.datetime.fromisoformat(value).astimezone(dt.UTC)  # a date-time without offset is local
    else:
        return None
    return JsDate(instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z")


def _unary(program: Program, node: Node, module: Module, scope: dict[str, Any]) -> Any:
    operator = node.child_by_field_name("operator")
    argument = node.child_by_field_name("argument")
    if operator is None or argument is None:
        return Unknown("unary expression", module.location(node))
    value = program.evaluate(argument, module, scope)
    op = module.text(operator)
    if op in ("-", "+") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return -value if op == "-" else value
    if op == "!" and isinstance(value, (bool, type(None))):
        return not value
    return Unknown(f"{_snippet(module, node)}", module.location(node))


def _binary(program: Program, node: Node, module: Module, scope: dict[str, Any]) -> Any:
    left_node, right_node = node.child_by_field_name("left"), node.child_by_field_name("right")
    operator = node.child_by_field_name("operator")
    if left_node is None or right_node is None or operator is None:
        return Unknown("binary expression", module.location(node))
    left, right = program.evaluate(left_node, module, scope), program.evaluate(right_node, module, scope)
    op = module.text(operator)
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right))
    if op == "+" and (isinstance(left, str) or isinstance(right, str)):
        texts = js_string(left), js_string(right)
        if texts[0] is not None and texts[1] is not None:
            return texts[0] + texts[1]
    elif numbers and op in ("+", "-", "*"):
        return {"+": left + right, "-": left - right, "*": left * right}[op]
    elif op in ("??", "||") and not isinstance(left, Unknown):
        keep = left not in (None, UNDEFINED) if op == "??" else bool(left) and left is not UNDEFINED
        return left if keep else right
    return Unknown(f"{_snippet(module, node)} is computed in JavaScript", module.location(node))


def _ternary(program: Program, node: Node, module: Module, scope: dict[str, Any]) -> Any:
    condition = node.child_by_field_name("condition")
    consequence, alternative = node.child_by_field_name("consequence"), node.child_by_field_name("alternative")
    if condition is None or consequence is None or alternative is None:
        return Unknown("conditional expression", module.location(node))
    chosen = js_truthy(program.evaluate(condition, module, scope))
    if chosen is None:  # which branch drizzle-kit takes depends on what JavaScript computes when it runs
        return Unknown(f"{_snippet(module, node)}: its condition is computed in JavaScript", module.location(node))
    return program.evaluate(consequence if chosen else alternative, module, scope)


def _enum(program: Program, node: Node, module: Module, scope: dict[str, Any]) -> Any:
    """A TypeScript enum: its members as an object (numbers count up from the last numeric value)."""
    members: dict[str, Any] = {}
    body = node.child_by_field_name("body")
    next_number: Any = 0
    for member in body.named_children if body is not None else []:
        if member.type == "enum_assignment":
            name_node, value_node = member.child_by_field_name("name"), member.child_by_field_name("value")
            if name_node is None or value_node is None:
                continue
            value = program.evaluate(value_node, module, {**scope, **members})
        elif member.type in ("property_identifier", "string"):
            name_node, value = member, next_number
        else:
            continue
        name = module.text(name_node).strip("'\"")
        members[name] = value
        next_number = value + 1 if isinstance(value, int) and not isinstance(value, bool) else UNDEFINED
    return members


def _constant(value: Any) -> Any:
    return lambda program, node, module, scope: value


_HANDLERS: dict[str, Any] = {
    "string": _string,
    "template_string": _template,
    "number": _number,
    "true": _constant(True),
    "false": _constant(False),
    "null": _constant(None),
    "undefined": _constant(UNDEFINED),
    "identifier": _identifier,
    "shorthand_property_identifier": _identifier,
    "array": _array,
    "object": _object,
    "member_expression": _member,
    "subscript_expression": _subscript,
    "call_expression": _call,
    "new_expression": _new,
    "enum_declaration": _enum,
    "unary_expression": _unary,
    "binary_expression": _binary,
    "ternary_expression": _ternary,
}

# Globals a schema file may use without importing them.
_GLOBALS: dict[str, Any] = {"JSON": Builtin("JSON"), "String": Builtin("String"), "Number": Builtin("Number")}
