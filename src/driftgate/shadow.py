"""Expected DDL -> model, by executing it in a private in-memory libSQL database.

SQLite itself is the only parser that agrees with SQLite (DESIGN 2), and libSQL
also accepts its own statements (``ALTER TABLE ... ALTER COLUMN``).  The shadow
database is then read with the very introspection used on the live database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import libsql
from sqlglot.errors import SqlglotError
from sqlglot.tokens import Token, TokenType

from driftgate.errors import InputError
from driftgate.introspect import INTROSPECTION_SQL, build_schema, parse_document
from driftgate.model import Location, Schema
from driftgate.normalize import canonical_identifier, tokenize

if TYPE_CHECKING:  # sources imports shadow; only annotations need this
    from driftgate.sources.statements import SqlStatement

# Migration files may carry their own transaction control; the shadow run is one session.
_TRANSACTION_WORDS = {"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"}


class Locations:
    """Remembers which statement defined each object, so findings can point at a file and line."""

    def __init__(self) -> None:
        self._where: dict[tuple[str, str, str | None], Location] = {}

    def record(self, statement: SqlStatement) -> None:
        try:
            tokens = tokenize(statement.sql)
        except SqlglotError:
            return
        words = [t.text.upper() if t.token_type not in (TokenType.STRING, TokenType.IDENTIFIER) else "" for t in tokens]
        base = (statement.location.line or 1) - 1

        def at(token_index: int) -> Location:
            line = tokens[token_index].line
            if 0 < line <= len(statement.line_map):  # SQL rendered from TypeScript: its own lines
                return Location(statement.location.file, statement.line_map[line - 1])
            return Location(statement.location.file, base + line)

        if not words:
            return
        if words[0] == "CREATE":
            kind_at = next((i for i, w in enumerate(words[:4]) if w in ("TABLE", "INDEX", "VIEW", "TRIGGER")), None)
            if kind_at is None:
                return
            name_at = kind_at + 1
            if words[name_at : name_at + 3] == ["IF", "NOT", "EXISTS"]:
                name_at += 3
            if name_at + 2 < len(tokens) and tokens[name_at + 1].token_type == TokenType.DOT:
                name_at += 2  # schema-qualified: main.t
            if name_at >= len(tokens):
                return
            kind = words[kind_at].lower()
            name = canonical_identifier(tokens[name_at].text)
            self._where[(kind, name, None)] = at(0)
            if kind == "table":
                self._record_columns(name, tokens, words, name_at, at)
        elif words[:2] == ["ALTER", "TABLE"] and "ADD" in words:
            table = canonical_identifier(tokens[2].text)
            col_at = words.index("ADD") + 1
            if col_at < len(words) and words[col_at] == "COLUMN":
                col_at += 1
            if col_at < len(tokens):
                self._where[("column", table, canonical_identifier(tokens[col_at].text))] = at(col_at)

    def _record_columns(
        self, table: str, tokens: list[Token], words: list[str], name_at: int, at: Callable[[int], Location]
    ) -> None:
        depth = 0
        expect_column = False
        for i in range(name_at + 1, len(tokens)):
            kind = tokens[i].token_type
            if kind == TokenType.L_PAREN:
                depth += 1
                expect_column = depth == 1
                continue
            if kind == TokenType.R_PAREN:
                depth -= 1
                continue
            if depth == 1 and kind == TokenType.COMMA:
                expect_column = True
                continue
            if expect_column:
                expect_column = False
                if words[i] not in ("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"):
                    self._where[("column", table, canonical_identifier(tokens[i].text))] = at(i)

    def lookup(self, kind: str, name: str, column: str | None) -> Location | None:
        key_name = canonical_identifier(name)
        if column is not None:
            found = self._where.get(("column", key_name, canonical_identifier(column)))
            if found:
                return found
        if kind in ("column", "foreign_key", "check", "table"):
            return self._where.get(("table", key_name, None))
        return self._where.get((kind, key_name, None))


def is_transaction_control(sql: str) -> bool:
    """BEGIN/COMMIT/... : only the first word matters, so no tokenizer (it showed in profiles)."""
    from driftgate.sources.statements import skip_space_and_comments

    start = skip_space_and_comments(sql)
    first = sql[start : start + 12].split(None, 1)[0].rstrip(";").upper() if sql[start:].strip() else ""
    return first in _TRANSACTION_WORDS


def shadow_schema(statements: Sequence[SqlStatement], *, ignore: Iterable[str] = ()) -> Schema:
    """Execute ``statements`` in a fresh in-memory database and introspect the result."""
    connection = libsql.connect(":memory:")
    locations = Locations()
    not_compared: list[tuple[str, str, Location | None]] = []
    items: list[tuple[str, str, str, Location | None]] = []
    try:
        connection.execute("PRAGMA foreign_keys = OFF")
        for statement in statements:
            if statement.unresolved:
                placeholders = ", ".join("${" + u + "}" for u in statement.unresolved)
                reason = statement.reason or f"the SQL depends on {placeholders}"
                not_compared.append((statement.sql, reason, statement.location))
                continue
            items.extend(statement.not_compared_items)
            if is_transaction_control(statement.sql):
                continue
            try:
                connection.execute(statement.sql)
            except Exception as exc:  # libsql raises its own ValueError subclasses
                first_line = " ".join(statement.sql.split())[:80]
                raise InputError(f"{statement.location}: SQL error: {exc} (in: {first_line})") from None
            locations.record(statement)
        document = parse_document(connection.execute(INTROSPECTION_SQL).fetchone()[0])
    finally:
        connection.close()
    schema = build_schema(document, ignore=ignore, locate=locations.lookup)
    return Schema(schema.tables, schema.views, schema.triggers, tuple(not_compared), tuple(items))
