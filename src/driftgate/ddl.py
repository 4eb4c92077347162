"""What PRAGMAs do not tell, read from the stored CREATE text on sqlglot's token stream.

PRAGMA table_xinfo has no column collation, CHECK constraints, generated
expressions, DEFERRABLE, AUTOINCREMENT or ON CONFLICT clauses; index_xinfo has no
expression text or partial WHERE.  sqlglot's parser has gaps on SQLite DDL (ON CONFLICT,
NOT DEFERRABLE, WITHOUT ROWID, ...; see DESIGN 2), so we walk its *tokens*
instead: split the table body at top-level commas and look at each clause.
The expressions found are canonicalised by :mod:`driftgate.normalize`.
"""

from __future__ import annotations

import functools

from sqlglot.errors import SqlglotError
from sqlglot.tokens import Token, TokenType

from driftgate import sqlite_tokens
from driftgate.details import IndexDetails, TableDetails
from driftgate.normalize import canonical_expression, canonical_identifier, token_canonical, tokenize
from driftgate.sqlite_tokens import TABLE_CONSTRAINT_WORDS as TABLE_CONSTRAINT_WORDS
from driftgate.sqlite_tokens import object_head as object_head  # re-exported: pull reads heads from here

_WORDLIKE = (TokenType.STRING, TokenType.IDENTIFIER)


def token_word(token: Token) -> str:
    """The keyword a token spells (spacing folded), or '' for strings and quoted identifiers: what
    :class:`driftgate.sqlite_tokens.StatementTokens` calls a token's word."""
    return "" if token.token_type in _WORDLIKE else _folded_word(token.text)


@functools.lru_cache(maxsize=8192)
def _folded_word(text: str) -> str:
    return " ".join(text.upper().split())


def matching_paren(tokens: list[Token], open_at: int) -> int:
    return sqlite_tokens.matching_paren(list(map(token_word, tokens)), open_at)


def top_level_starts(tokens: list[Token], start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """:func:`driftgate.sqlite_tokens.top_level_starts` of sqlglot's tokens."""
    return sqlite_tokens.top_level_starts(list(map(token_word, tokens)), start, end)


def split_top_level(tokens: list[Token]) -> list[list[Token]]:
    return [tokens[first:stop] for first, stop in top_level_starts(tokens)]


def token_text(sql: str, tokens: list[Token]) -> str:
    return sql[tokens[0].start : tokens[-1].end + 1] if tokens else ""


def _paren_group(sql: str, tokens: list[Token], open_at: int) -> tuple[str, int]:
    """Text inside the parentheses opening at ``open_at``, and the index of the closing one."""
    close = matching_paren(tokens, open_at)
    return token_text(sql, tokens[open_at + 1 : close]), close


def _deferrable(words: list[str]) -> str:
    """The DEFERRABLE clause among a REFERENCES clause's ``words`` (:func:`token_word`)."""
    for i, w in enumerate(words):
        if w == "DEFERRABLE":
            if i > 0 and words[i - 1] == "NOT":
                return "NOT DEFERRABLE"
            if words[i + 1 : i + 3] == ["INITIALLY", "DEFERRED"]:
                return "DEFERRABLE INITIALLY DEFERRED"
            # SQLite knows two behaviours only: plain DEFERRABLE and INITIALLY IMMEDIATE are as
            # immediate as NOT DEFERRABLE, so they must compare equal to it.
            return "NOT DEFERRABLE"
    return "NOT DEFERRABLE"


def _identifier_list(tokens: list[Token]) -> tuple[str, ...]:
    names = []
    for part in split_top_level(tokens):
        names.append(canonical_identifier(part[0].text))
    return tuple(names)


_RESOLUTIONS = {"ROLLBACK", "ABORT", "FAIL", "IGNORE", "REPLACE"}


def _conflict(words: list[str], at: int) -> str | None:
    """The resolution of an ``ON CONFLICT`` clause starting at ``words[at]``; None when there is none or it
    is ABORT, SQLite's default (``NOT NULL ON CONFLICT ABORT`` is plain ``NOT NULL``)."""
    if words[at : at + 1] == ["ON CONFLICT"]:  # should the tokenizer ever read the two words as one
        at -= 1
    elif words[at : at + 2] != ["ON", "CONFLICT"]:
        return None
    resolution = words[at + 2] if at + 2 < len(words) else ""
    return resolution if resolution in _RESOLUTIONS and resolution != "ABORT" else None


def _primary_key_end(words: list[str], at: int) -> int | None:
    """The index after ``PRIMARY KEY`` starting at ``words[at]`` (one token, or two when a comment parts
    them), else None."""
    if words[at] == "PRIMARY KEY":
        return at + 1
    if words[at] == "PRIMARY" and words[at + 1 : at + 2] == ["KEY"]:
        return at + 2
    return None


def _column_clause(sql: str, table: str, tokens: list[Token], details: TableDetails) -> None:
    column = canonical_identifier(tokens[0].text)
    words = [token_word(t) for t in tokens]
    constraint_name: str | None = None
    i = 1
    while i < len(tokens):
        word = words[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if word == "CONSTRAINT" and nxt is not None:
            constraint_name = canonical_identifier(nxt.text)
            i += 2
            continue
        if word == "COLLATE" and nxt is not None:
            details.collations[column] = canonical_identifier(nxt.text).upper()
        elif word == "DEFAULT" and nxt is not None and nxt.token_type == TokenType.L_PAREN:
            i = sqlite_tokens.matching_paren(words, i + 1)  # a COLLATE inside DEFAULT (...) is not the column's
        elif word == "CHECK" and nxt is not None and nxt.token_type == TokenType.L_PAREN:
            body, close = _paren_group(sql, tokens, i + 1)
            details.checks.append((constraint_name, canonical_expression(body, table)))
            i = close
        elif word == "AS" and nxt is not None and nxt.token_type == TokenType.L_PAREN:
            body, close = _paren_group(sql, tokens, i + 1)
            details.generated[column] = canonical_expression(body, table)
            i = close
        elif word == "REFERENCES":
            details.deferrable[(column,)] = _deferrable(words[i:])
        elif word == "AUTOINCREMENT":
            details.autoincrement = True
        elif word == "NULL" and words[i - 1] == "NOT" and (resolution := _conflict(words, i + 1)):
            details.not_null_conflicts[column] = resolution
        elif word == "UNIQUE" and (resolution := _conflict(words, i + 1)):
            details.unique_conflicts[(column,)] = resolution
        elif (key_end := _primary_key_end(words, i)) is not None:
            after = key_end + (words[key_end : key_end + 1] in (["ASC"], ["DESC"]))
            details.primary_key_conflict = _conflict(words, after) or details.primary_key_conflict
        constraint_name = None  # CONSTRAINT name applies to the one constraint that follows it
        i += 1


def _table_constraint(sql: str, table: str, tokens: list[Token], details: TableDetails) -> None:
    name: str | None = None
    if token_word(tokens[0]) == "CONSTRAINT" and len(tokens) > 1:
        name = canonical_identifier(tokens[1].text)
        tokens = tokens[2:]
    if not tokens:
        return
    words = [token_word(t) for t in tokens]
    word = words[0]
    if word == "CHECK" and len(tokens) > 1 and tokens[1].token_type == TokenType.L_PAREN:
        body, _ = _paren_group(sql, tokens, 1)
        details.checks.append((name, canonical_expression(body, table)))
        return
    foreign = word in ("FOREIGN", "FOREIGN KEY")
    if not (foreign or word == "UNIQUE" or _primary_key_end(words, 0) is not None):
        return
    open_at = next((i for i, w in enumerate(words) if w == "("), None)  # the key's column list
    if open_at is None:
        return
    close = sqlite_tokens.matching_paren(words, open_at)
    if foreign:
        details.deferrable[_identifier_list(tokens[open_at + 1 : close])] = _deferrable(words[close:])
    elif resolution := _conflict(words, close + 1):
        if word == "UNIQUE":
            details.unique_conflicts[_identifier_list(tokens[open_at + 1 : close])] = resolution
        else:
            details.primary_key_conflict = resolution


# Memoised: the live and the expected side usually store the very same CREATE text, and each distinct
# text is tokenised and canonicalised once. Callers only read the details they get.
@functools.lru_cache(maxsize=1 << 16)
def table_details(sql: str | None, table: str) -> TableDetails:
    """Read collations, CHECKs, generated expressions, DEFERRABLE, AUTOINCREMENT and ON CONFLICT clauses."""
    details = TableDetails()
    if not sql:
        return details
    try:
        tokens = tokenize(sql)
    except SqlglotError:
        return details
    words = [token_word(t) for t in tokens]
    if "VIRTUAL" in words[:3] and "USING" in words:
        using = words.index("USING")
        details.virtual_module = token_canonical(token_text(sql, tokens[using + 1 :]))
        return details
    open_at = next((i for i, t in enumerate(tokens) if t.token_type == TokenType.L_PAREN), None)
    if open_at is None:  # CREATE TABLE ... AS SELECT: nothing declared beyond columns
        return details
    close = matching_paren(tokens, open_at)
    for clause in split_top_level(tokens[open_at + 1 : close]):
        if token_word(clause[0]) in TABLE_CONSTRAINT_WORDS:
            _table_constraint(sql, table, clause, details)
        else:
            _column_clause(sql, table, clause, details)
    return details


@functools.lru_cache(maxsize=1 << 16)
def index_details(sql: str | None, table: str) -> IndexDetails:
    """Expression text of each key part and the partial-index WHERE."""
    details = IndexDetails()
    if not sql:
        return details
    try:
        tokens = tokenize(sql)
    except SqlglotError:
        return details
    on_at = next((i for i, t in enumerate(tokens) if token_word(t) == "ON"), None)
    if on_at is None:
        return details
    open_at = next((i for i in range(on_at, len(tokens)) if tokens[i].token_type == TokenType.L_PAREN), None)
    if open_at is None:
        return details
    close = matching_paren(tokens, open_at)
    for part in split_top_level(tokens[open_at + 1 : close]):
        # Drop trailing ASC/DESC and COLLATE x: index_xinfo reports those itself.
        end = len(part)
        if end and token_word(part[end - 1]) in ("ASC", "DESC"):
            end -= 1
        if end >= 2 and token_word(part[end - 2]) == "COLLATE":
            end -= 2
        key = part[:end]
        if len(key) == 1 and key[0].token_type in (TokenType.VAR, TokenType.IDENTIFIER):
            details.part_expressions.append(None)
        else:
            details.part_expressions.append(canonical_expression(token_text(sql, key), table))
    rest = tokens[close + 1 :]
    if rest and token_word(rest[0]) == "WHERE":
        details.where = canonical_expression(token_text(sql, rest[1:]), table)
    return details
