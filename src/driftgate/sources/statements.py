"""SQL statements as found in some source, and splitting a script into them.

Every source that holds SQL text (legacy application code, plain .sql files,
drizzle migrations) goes through :func:`split_sql_script`, so a statement
always starts at its first real token and carries the line it starts on.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from driftgate.errors import InputError
from driftgate.model import Location

# drizzle-kit separates the statements of a migration with this marker; it is a
# SQL comment, but it is also a hard boundary (a statement before it may lack ';').
_BREAKPOINT = re.compile(r"-->\s*statement-breakpoint")
_DDL_VERB = re.compile(r"(?:CREATE|ALTER|DROP)\b", re.IGNORECASE)


@dataclass(frozen=True)
class SqlStatement:
    """One complete statement and where it starts.

    ``sql`` runs from the first token to the terminating ``;`` (kept when present);
    ``${expr}`` placeholders stay verbatim where the expression could not be resolved.
    A statement with ``unresolved`` parts is not executed: it becomes a not-compared finding,
    explained by ``reason`` when the source gives one.  ``not_compared_items`` are
    ``(kind, object, reason, location)`` of parts of an executed statement that cannot be
    compared (a drizzle default computed in JavaScript, say): those findings say so instead.
    ``tolerated`` says why the code that sends the statement ignores its failure (legacy code:
    ``app.ts:42 catches its error``): it is replayed as that code runs it, applied where SQLite
    accepts it and skipped where SQLite refuses it (a refused statement changes nothing).
    """

    sql: str
    location: Location
    unresolved: tuple[str, ...] = ()
    reason: str = ""
    not_compared_items: tuple[tuple[str, str, str, Location], ...] = ()
    # Source line of each line of ``sql`` when the SQL was rendered from another language (drizzle TS).
    line_map: tuple[int, ...] = ()
    tolerated: str = ""


def skip_space_and_comments(text: str, pos: int = 0, end: int | None = None) -> int:
    """Index of the first character in ``text[pos:end]`` that is not whitespace or a comment."""
    length = len(text) if end is None else end
    while pos < length:
        if text[pos].isspace():
            pos += 1
        elif text.startswith("--", pos, length):
            newline = text.find("\n", pos, length)
            pos = length if newline < 0 else newline + 1
        elif text.startswith("/*", pos, length):
            close = text.find("*/", pos + 2, length)
            pos = length if close < 0 else close + 2
        else:
            break
    return pos


def _chunks(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of ``text`` between drizzle breakpoint markers."""
    spans: list[tuple[int, int]] = []
    start = 0
    for marker in _BREAKPOINT.finditer(text):
        spans.append((start, marker.start()))
        start = marker.end()
    spans.append((start, len(text)))
    return spans


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` after every ';' that completes a statement.

    sqlite3.complete_statement knows about strings, comments and trigger bodies,
    so ``CREATE TRIGGER ... BEGIN ...; ...; END;`` is cut only after its END.
    """
    spans: list[tuple[int, int]] = []
    begin = start
    semicolon = text.find(";", start, end)
    while semicolon >= 0:
        if sqlite3.complete_statement(text[begin : semicolon + 1]):
            spans.append((begin, semicolon + 1))
            begin = semicolon + 1
        semicolon = text.find(";", semicolon + 1, end)
    spans.append((begin, end))  # whatever follows the last ';' (maybe a final unterminated statement)
    return spans


def statement_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each statement in ``text``, without leading comments or blanks.

    Empty and comment-only pieces are dropped.  Exposed so that callers that map
    offsets to their own source lines (legacy code) split exactly like scripts do.
    """
    spans: list[tuple[int, int]] = []
    for chunk_start, chunk_end in _chunks(text):
        for begin, end in _pieces(text, chunk_start, chunk_end):
            first = skip_space_and_comments(text, begin, end)
            body = text[first:end].rstrip()
            if body and body != ";":
                spans.append((first, first + len(body)))
    return spans


def split_sql_script(text: str, location: Location) -> list[SqlStatement]:
    """Split a script into statements, each located at the line its first token is on."""
    line = location.line if location.line is not None else 1
    if "\x00" in text:  # SQLite would stop reading at it: the rest of the file would silently vanish
        nul_line = line + text.count("\n", 0, text.index("\x00"))
        raise InputError(f"{location.file}:{nul_line}: a NUL character in SQL (SQLite stops reading there)")
    statements = []
    counted_to = 0  # one pass over the text: count only the newlines since the previous statement
    for start, end in statement_spans(text):
        line += text.count("\n", counted_to, start)
        counted_to = start
        statements.append(SqlStatement(text[start:end], Location(location.file, line)))
    return statements


def is_ddl(sql: str) -> bool:
    """True when the statement is CREATE, ALTER or DROP (leading comments ignored)."""
    return _DDL_VERB.match(sql, skip_space_and_comments(sql)) is not None


# Migration files may carry their own transaction control; a replay is one session.  The first word, any
# ';' after it, then a blank or the end: keywords are ASCII, in any case (as SQLite reads them).
_TRANSACTION_CONTROL = re.compile(
    r"(?:BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE);*(?:\s|\Z)", re.IGNORECASE | re.ASCII
)


def is_transaction_control(sql: str) -> bool:
    """BEGIN/COMMIT/... : only the first word matters, so no tokenizer; one match, no copy of the statement
    (the replay asks this of every statement: 4,000 of them took 11-14 ms, now 2)."""
    return _TRANSACTION_CONTROL.match(sql, skip_space_and_comments(sql)) is not None
