"""Names from the database are data: TypeScript identifiers, string literals, templates, code blocks."""

from __future__ import annotations

import json
import re

# JavaScript reserved words and the names the generated files import: never a table variable.
RESERVED = frozenset(
    """break case catch class const continue debugger default delete do else enum export extends false
    finally for function if import in instanceof new null return super switch this throw true try
    typeof var void while with yield let static implements interface package private protected public
    await arguments eval undefined NaN Infinity sql desc sqliteTable sqliteView integer text real blob
    numeric index uniqueIndex primaryKey foreignKey check customType sqlType""".split()  # noqa: SIM905
)


def is_identifier(key: str) -> bool:
    """A JavaScript identifier: Unicode letters and digits (ID_Start/ID_Continue, as Python's), _ and $."""
    return bool(key) and key.replace("$", "_").isidentifier()


def ts_string(value: str) -> str:
    """A TypeScript string literal (JSON's escaping is valid JavaScript; non-ASCII escaped too)."""
    return json.dumps(value, ensure_ascii=True)


def ts_template(text: str) -> str:
    """Text for inside sql`...`: drizzle reads the cooked string, so escape what a template would interpret."""
    return text.replace("\\", "\\\\").replace("`", "\\`").replace("${", "\\${")


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[\W_]+|(?<=[a-z0-9])(?=[A-Z])", name) if w]


def cased(name: str, casing: str) -> str:
    """A property key in the chosen casing; the database name itself is always passed explicitly."""
    words = _words(name)
    if not words:
        return name
    if casing == "snake_case":
        return "_".join(w.lower() for w in words)
    return words[0].lower() + "".join(w[:1].upper() + w[1:].lower() for w in words[1:])


def property_key(key: str) -> str:
    """The key as written in an object literal: bare when it is an identifier, else a string."""
    return key if is_identifier(key) else ts_string(key)


def member(obj: str, key: str) -> str:
    return f"{obj}.{key}" if is_identifier(key) else f"{obj}[{ts_string(key)}]"


def unique_keys(names: list[str], casing: str) -> dict[str, str]:
    """Database name -> property key, distinct within one object (user_id and userId both exist)."""
    taken: set[str] = set()
    result: dict[str, str] = {}
    for name in names:
        base = cased(name, casing) or "column"
        key, n = base, 2
        while key in taken:
            key, n = f"{base}{n}", n + 1
        taken.add(key)
        result[name] = key
    return result


def variable_names(names: list[str], casing: str) -> dict[str, str]:
    """Database name -> a valid, distinct TypeScript variable (also usable as a file stem)."""
    taken: set[str] = set()
    result: dict[str, str] = {}
    for name in names:
        base = re.sub(r"[^\w$]", "_", cased(name, casing)) or "table"
        if not is_identifier(base):
            base = "_" + base
        if base in RESERVED:
            base += "Table"
        key, n = base, 2
        while key.lower() in taken or key == "index":  # file stems: case-insensitive file systems; index.ts
            key, n = f"{base}{n}", n + 1
        taken.add(key.lower())
        result[name] = key
    return result


def md_code_block(text: str, language: str = "sql") -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}{language}\n{text}\n{fence}"
