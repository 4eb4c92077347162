"""Source text of expressions as SQLite stores them (the model keeps canonical forms only).

``driftgate pull`` writes expressions back into sql`...` templates, and drizzle-kit copies those
verbatim; canonical forms are made for comparing, not for executing, so the stored CREATE text is
the one that round-trips.  It walks sqlglot's tokens with :mod:`driftgate.ddl`'s helpers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot.errors import SqlglotError
from sqlglot.tokens import Token, TokenType

from driftgate.ddl import TABLE_CONSTRAINT_WORDS, matching_paren, split_top_level, token_text, token_word
from driftgate.identifiers import fold_name
from driftgate.normalize import canonical_identifier, tokenize


def _tokens(sql: str | None) -> list[Token]:
    if not sql:
        return []
    try:
        return tokenize(sql)
    except SqlglotError:
        return []


@dataclass
class RawTable:
    checks: list[tuple[str | None, str]] = field(default_factory=list)  # (constraint name, source text)
    generated: dict[str, str] = field(default_factory=dict)  # column (folded) -> source text
    definitions: dict[str, str] = field(default_factory=dict)  # column (folded) -> its whole clause as written
    uncollated: dict[str, str] = field(default_factory=dict)  # the same without its COLLATE clause
    spelled: dict[str, str] = field(default_factory=dict)  # column (folded) -> its name as written (quotes kept)


def raw_table(sql: str | None) -> RawTable:
    """CHECK bodies (column and table level) and generated-column expressions, as written."""
    raw = RawTable()
    tokens = _tokens(sql)
    open_at = next((i for i, t in enumerate(tokens) if t.token_type == TokenType.L_PAREN), None)
    if sql is None or open_at is None:
        return raw
    for clause in split_top_level(tokens[open_at + 1 : matching_paren(tokens, open_at)]):
        column = (
            None if token_word(clause[0]) in TABLE_CONSTRAINT_WORDS else fold_name(canonical_identifier(clause[0].text))
        )
        if column is not None:
            raw.definitions[column] = token_text(sql, clause)
            raw.spelled[column] = token_text(sql, clause[:1])
            at = next((k for k, t in enumerate(clause) if token_word(t) == "COLLATE"), None)
            if at is not None and at + 1 < len(clause):
                before, after = token_text(sql, clause[:at]), token_text(sql, clause[at + 2 :])
                raw.uncollated[column] = f"{before} {after}".strip()
        name: str | None = None
        i = 0 if column is None else 1
        while i < len(clause):
            word = token_word(clause[i])
            has_paren = i + 1 < len(clause) and clause[i + 1].token_type == TokenType.L_PAREN
            if word == "CONSTRAINT" and i + 1 < len(clause):
                name = canonical_identifier(clause[i + 1].text)
                i += 2
                continue
            if word in ("CHECK", "AS", "DEFAULT") and has_paren:
                close = matching_paren(clause, i + 1)
                body = token_text(sql, clause[i + 2 : close])
                if word == "CHECK":
                    raw.checks.append((name, body))
                elif word == "AS" and column is not None:
                    raw.generated[column] = body
                i = close
            elif word in ("FOREIGN KEY", "FOREIGN", "PRIMARY KEY", "UNIQUE", "REFERENCES") and has_paren:
                i = matching_paren(clause, i + 1)  # a parenthesised name list, nothing to read inside
            name = None
            i += 1
    return raw


@dataclass
class RawIndex:
    parts: list[str]  # each key part as written, with its COLLATE and ASC/DESC
    where: str | None


def raw_index(sql: str | None) -> RawIndex | None:
    tokens = _tokens(sql)
    on_at = next((i for i, t in enumerate(tokens) if token_word(t) == "ON"), None)
    if sql is None or on_at is None:
        return None
    open_at = next((i for i in range(on_at, len(tokens)) if tokens[i].token_type == TokenType.L_PAREN), None)
    if open_at is None:
        return None
    close = matching_paren(tokens, open_at)
    parts = [token_text(sql, p) for p in split_top_level(tokens[open_at + 1 : close])]
    rest = tokens[close + 1 :]
    where = token_text(sql, rest[1:]).rstrip(";").strip() if rest and token_word(rest[0]) == "WHERE" else None
    return RawIndex(parts, where)


@dataclass
class RawView:
    select: str
    has_column_list: bool


def raw_view(sql: str | None) -> RawView | None:
    """The SELECT of ``CREATE VIEW name [(columns)] AS SELECT ...`` as written."""
    tokens = _tokens(sql)
    if sql is None:
        return None
    depth = 0
    column_list = False
    for i, token in enumerate(tokens):
        if token.token_type == TokenType.L_PAREN:
            depth += 1
            column_list = True
        elif token.token_type == TokenType.R_PAREN:
            depth -= 1
        elif depth == 0 and token.token_type == TokenType.ALIAS and i + 1 < len(tokens):
            return RawView(sql[tokens[i + 1].start :].strip().rstrip(";").strip(), column_list)
    return None
