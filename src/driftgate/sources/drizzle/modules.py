"""Schema files as modules: which names each file declares, imports and exports.

Parsing reuses the legacy reader's tree-sitter setup (same grammar, same syntax
error message).  Import specifiers are resolved like TypeScript's bundler
resolution for relative paths (``./x``, ``./x.js``, ``./x/index``); a bare
specifier is another package: drizzle-orm's are builtins, the others are unknown
values (fine as long as they only feed ``$defaultFn``, enums or validation).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tree_sitter import Node

from driftgate.errors import InputError
from driftgate.model import Location
from driftgate.sources.legacy import _line_starts, _parse, _read

_NAMED_DECLARATIONS = ("function_declaration", "class_declaration", "enum_declaration")
SCHEMA_SUFFIXES = (".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs", ".jsx")
_TYPES_ONLY = (".d.ts", ".d.mts", ".d.cts")
DRIZZLE_PACKAGES = ("drizzle-orm", "drizzle-orm/sqlite-core")
_RESOLVE_SUFFIXES = (".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs", ".d.ts")


def schema_files(paths: Sequence[Path]) -> list[Path]:
    """Files given, and the files directly inside folders given, as drizzle-kit 0.31 takes them."""
    files: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise InputError(f"--drizzle: {path}: no such file or directory")
        found = [path] if path.is_file() else _files_in(path)
        if not found:
            raise InputError(f"--drizzle: {path} holds no .ts/.js schema files")
        for file in found:
            if file.resolve() not in seen:
                seen.add(file.resolve())
                files.append(file)
    return files


def _files_in(folder: Path) -> list[Path]:
    """drizzle-kit's prepareFilenames: a folder's own files (readdirSync, sorted by name; subfolders skipped),
    each one required, whatever its extension."""
    entries = sorted((e for e in folder.iterdir() if not e.is_dir()), key=lambda e: e.name)
    found = [e for e in entries if e.name.endswith(SCHEMA_SUFFIXES) and not e.name.endswith(_TYPES_ONLY)]
    if not found:
        return []
    for entry in entries:  # JSON and declaration files load but hold no tables; anything else makes node fail
        if not entry.name.endswith((*SCHEMA_SUFFIXES, ".json")):
            raise InputError(
                f"--drizzle: {entry}: drizzle-kit loads every file of the schema folder {folder} and cannot load this "
                f"one (move it out of the folder, or name the schema files with a glob such as {folder}/*.ts)"
            )
    return found


def drizzle_kit_order(path: Path) -> tuple[str, str]:
    """How drizzle-kit orders the files of a schema folder or glob: its glob returns them sorted,
    case-insensitively first, like its locale sort."""
    return (str(path).lower(), str(path))


@dataclass(frozen=True)
class ImportBinding:
    """``import { name as local } from 'spec'`` (name "*" for a namespace, "default" for a default)."""

    specifier: str
    name: str
    node: Node


@dataclass
class Module:
    path: Path
    data: bytes
    root: Node
    line_starts: list[int]
    declarations: dict[str, Node] = field(default_factory=dict)  # local name -> value expression node
    # names bound by destructuring (`const { a } = {...}`) -> their variable_declarator
    patterns: dict[str, Node] = field(default_factory=dict)
    imports: dict[str, ImportBinding] = field(default_factory=dict)
    exports: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # exported -> (local|name, spec)
    star_exports: list[str] = field(default_factory=list)  # export * from 'spec'
    export_order: list[str] = field(default_factory=list)
    # a top-level `module.exports = ...` / `exports.x = ...`: CommonJS, whose exports the reader does not read
    commonjs: Node | None = None

    def location(self, node: Node) -> Location:
        return Location(str(self.path), node.start_point.row + 1)

    def text(self, node: Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")


# TypeScript 5's `export type * from '...'` postdates tree-sitter-typescript 0.23; it is type-only (no runtime
# effect), so it is blanked with spaces (offsets and lines unchanged) before parsing.
_TYPE_STAR_EXPORT = re.compile(
    rb"""^[ \t]*export[ \t]+type[ \t]+\*(?:[ \t]+as[ \t]+\w+)?[ \t]+from[ \t]+(['"])[^'"\n]*\1[ \t]*;?""", re.M
)


def load_module(path: Path) -> Module:
    data = _read(path)
    parsed = _TYPE_STAR_EXPORT.sub(lambda m: b" " * len(m.group(0)), data)
    tree = _parse(path, parsed)
    module = Module(path, data, tree.root_node, _line_starts(data))
    for statement in tree.root_node.named_children:
        _index_statement(module, statement)
    return module


def _index_statement(module: Module, statement: Node) -> None:
    if statement.type == "import_statement":
        _index_import(module, statement)
    elif statement.type == "export_statement":
        _index_export(module, statement)
    elif statement.type in ("lexical_declaration", "variable_declaration"):
        for name, value in _declarators(module, statement):
            module.declarations.setdefault(name, value)
        _index_patterns(module, statement)
    elif (
        statement.type == "expression_statement" and module.commonjs is None and _is_commonjs_export(module, statement)
    ):
        module.commonjs = statement
    elif statement.type in _NAMED_DECLARATIONS:
        name = statement.child_by_field_name("name")
        if name is not None:
            module.declarations.setdefault(module.text(name), statement)


def _declarators(module: Module, declaration: Node) -> Iterator[tuple[str, Node]]:
    for declarator in declaration.named_children:
        if declarator.type != "variable_declarator":
            continue
        target, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
        if target is not None and target.type == "identifier" and value is not None:
            yield module.text(target), value


def _index_patterns(module: Module, declaration: Node) -> list[str]:
    """Names bound by destructuring declarators (evaluated by binding the pattern to the value)."""
    names: list[str] = []
    for declarator in declaration.named_children:
        if declarator.type != "variable_declarator":
            continue
        target, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
        if target is None or value is None or target.type == "identifier":
            continue
        for name in _pattern_names(module, target):
            if name not in module.declarations:
                module.patterns.setdefault(name, declarator)
                names.append(name)
    return names


def _pattern_names(module: Module, pattern: Node) -> Iterator[str]:
    if pattern.type in ("identifier", "shorthand_property_identifier_pattern"):
        yield module.text(pattern)
        return
    for child in pattern.named_children:
        if pattern.type == "pair_pattern" and child == pattern.child_by_field_name("key"):
            continue
        if pattern.type in ("assignment_pattern", "object_assignment_pattern") and child == pattern.child_by_field_name(
            "right"
        ):
            continue
        yield from _pattern_names(module, child)


def _is_commonjs_export(module: Module, statement: Node) -> bool:
    expression = next((c for c in statement.named_children if c.type != "comment"), None)
    if expression is None or expression.type != "assignment_expression":
        return False
    left = expression.child_by_field_name("left")
    text = module.text(left).replace(" ", "") if left is not None else ""
    return text == "module.exports" or text.startswith(("module.exports.", "module.exports[", "exports.", "exports["))


def _string_value(module: Module, node: Node | None) -> str | None:
    if node is None or node.type != "string":
        return None
    return module.text(node)[1:-1]


def _index_import(module: Module, statement: Node) -> None:
    spec = _string_value(module, statement.child_by_field_name("source"))
    clause = next((c for c in statement.named_children if c.type == "import_clause"), None)
    if spec is None or clause is None:
        return
    for part in clause.named_children:
        if part.type == "identifier":
            module.imports[module.text(part)] = ImportBinding(spec, "default", part)
        elif part.type == "namespace_import":
            name = next((c for c in part.named_children if c.type == "identifier"), None)
            if name is not None:
                module.imports[module.text(name)] = ImportBinding(spec, "*", part)
        elif part.type == "named_imports":
            for item in part.named_children:
                if item.type != "import_specifier":
                    continue
                imported = item.child_by_field_name("name")
                alias = item.child_by_field_name("alias") or imported
                if imported is not None and alias is not None:
                    module.imports[module.text(alias)] = ImportBinding(spec, _export_name(module, imported), item)


def _export_name(module: Module, node: Node) -> str:
    text = module.text(node)
    return text[1:-1] if node.type == "string" else text


def _index_export(module: Module, statement: Node) -> None:
    spec = _string_value(module, statement.child_by_field_name("source"))
    declaration = statement.child_by_field_name("declaration")
    if declaration is not None:
        if declaration.type in ("lexical_declaration", "variable_declaration"):
            for name, value in _declarators(module, declaration):
                module.declarations.setdefault(name, value)
                _add_export(module, name, name, None)
            for name in _index_patterns(module, declaration):
                _add_export(module, name, name, None)
        elif declaration.type in _NAMED_DECLARATIONS:
            name = declaration.child_by_field_name("name")
            if name is not None:
                module.declarations.setdefault(module.text(name), declaration)
                _add_export(module, module.text(name), module.text(name), None)
        return
    value = statement.child_by_field_name("value")
    if value is not None:  # export default <expression>
        module.declarations["default"] = value
        _add_export(module, "default", "default", None)
        return
    clause = next((c for c in statement.named_children if c.type == "export_clause"), None)
    namespace = next((c for c in statement.named_children if c.type == "namespace_export"), None)
    if clause is not None:
        for item in clause.named_children:
            if item.type != "export_specifier":
                continue
            local = item.child_by_field_name("name")
            alias = item.child_by_field_name("alias") or local
            if local is not None and alias is not None:
                _add_export(module, _export_name(module, alias), _export_name(module, local), spec)
    elif namespace is not None and spec is not None:  # export * as ns from 'spec'
        name = next((c for c in namespace.named_children), None)
        if name is not None:
            _add_export(module, _export_name(module, name), "*", spec)
    elif spec is not None:
        module.star_exports.append(spec)
        module.export_order.append("*" + spec)


def _add_export(module: Module, exported: str, local: str, spec: str | None) -> None:
    if exported not in module.exports:
        module.export_order.append(exported)
    module.exports[exported] = (local, spec)


def resolve_specifier(importer: Path, spec: str) -> Path | None:
    """The file a relative import names, or None for another package (or an unresolved path alias)."""
    if not spec.startswith("."):
        return None
    base = Path(os.path.normpath(importer.parent / spec))  # stays relative when the importer's path is
    candidates = [base]
    if base.suffix in (".js", ".mjs", ".cjs", ".jsx"):  # TypeScript's ESM style: './x.js' means x.ts
        stem = base.with_suffix("")
        candidates += [stem.with_suffix(s) for s in (".ts", ".tsx", ".mts", ".cts")]
    candidates += [Path(str(base) + s) for s in _RESOLVE_SUFFIXES]
    candidates += [base / f"index{s}" for s in _RESOLVE_SUFFIXES]
    return next((c for c in candidates if c.is_file()), None)


def is_drizzle_package(spec: str) -> bool:
    return spec in DRIZZLE_PACKAGES or spec.startswith("drizzle-orm/")
