"""SQL identifiers: how SQLite folds their case and how driftgate quotes them (the one home for both).

SQLite matches names case-insensitively for ASCII letters only ("Über" and "über", "straße" and
"strasse" are different names), so folding is a fixed ASCII table, never ``str.lower``.  Quoting
comes in three spellings, each for one kind of output:

- :func:`quote`: always double quotes; for SQL driftgate runs (the ledger) and canonical forms.
- :func:`quote_if_needed`: bare when the name is a plain word; for fix scripts and messages a person reads.
- :func:`quote_backtick`: backticks, as drizzle-kit writes its DDL (snapshot rendering).

Kept free of sqlglot and libsql: the model imports it, and importing the model must stay cheap.
"""

from __future__ import annotations

import functools
import string

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_ASCII_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)
_QUOTE_PAIRS = (('"', '"'), ("`", "`"), ("[", "]"))


def fold_name(name: str) -> str:
    """How SQLite matches names: case-insensitive for ASCII letters only (Über and über differ)."""
    # str.lower() is ASCII folding on an ASCII string, and 7x faster than translate(); isascii() is a flag.
    return name.lower() if name.isascii() else name.translate(_ASCII_LOWER)


def ascii_upper(text: str) -> str:
    """Upper case for ASCII letters only, as SQLite reads keywords and type names ("ınt" is no INT)."""
    return text.upper() if text.isascii() else text.translate(_ASCII_UPPER)


@functools.lru_cache(maxsize=1 << 16)  # a schema's few thousand names are each asked for many times
def canonical_identifier(name: str) -> str:
    """SQLite identifiers are case-insensitive (ASCII only) and may be quoted with "", ``, []."""
    text = name.strip()
    if len(text) >= 2 and (text[0], text[-1]) in _QUOTE_PAIRS:
        text = text[1:-1]
    return fold_name(text)


def quote(name: str) -> str:
    """``name`` in double quotes, inner quotes doubled: safe for any name SQLite accepts."""
    return '"' + name.replace('"', '""') + '"'


def quote_backtick(name: str) -> str:
    """``name`` in backticks, as drizzle-kit writes identifiers."""
    return "`" + name.replace("`", "``") + "`"


def is_plain_word(name: str) -> bool:
    """Letters, digits and underscores, not starting with a digit."""
    return bool(name) and name.replace("_", "").isalnum() and not name[0].isdigit()


def quote_if_needed(name: str) -> str:
    """An identifier as it would be written in a fix script: bare when it is a plain word."""
    return name if is_plain_word(name) else quote(name)
