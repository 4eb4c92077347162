"""A statement's tokens by SQLite's own rules (its tokenize.c), without sqlglot.

The shadow replay reads every expected statement once, for the objects it touches and the lines it
defines them on (:mod:`driftgate.shadow`): that needs tokens, never a tree.  sqlglot's tokenizer costs
its package's import first (0.1 s, more than reading 4,000 statements), and reads some SQLite otherwise
than SQLite does (``.5`` as ``.`` then ``5``, ``PRIMARY KEY`` as one token, a quoted name's line as the
line it ends on).  One regular expression, matched in C, reads them here the way SQLite does:

- blanks (space, tab, newline, form feed, carriage return) and comments (``--`` to the line's end,
  ``/* */`` or to the end of the text) separate tokens;
- a word starts with a letter, ``_`` or any non-ASCII character and goes on with those, digits and
  ``$``; a name may be quoted as ``"..."``, ```...``` or ``[...]``, a string is ``'...'`` (a doubled
  quote stands for one), a blob ``x'...'``;
- anything SQLite would not read (an unterminated string or name, a lone ``!``, a vertical tab...)
  makes the statement unreadable: :func:`scan` gives None, and the statement fails in SQLite too.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from driftgate.identifiers import ascii_upper

# Letters, digits, "_", "$" and every non-ASCII character, spelled as the ASCII characters they are not:
# with the code points up to U+10FFFF listed outright, the pattern took 14 ms to compile, against 0.8 ms.
_NAME_CHAR = r"[^\x00-\x23\x25-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]"
_NAME_START = r"[^\x00-\x40\x5b-\x5e\x60\x7b-\x7f]"  # no digit, no "$"
# Each match is one token, after the blanks and comments before it (the text's last blanks match alone,
# as no group).  The groups are numbered in this order: words and punctuation, the commonest, first; the
# quoted ones (their groups inside the quotes) after _FIRST_QUOTED.
_TOKEN = re.compile(
    r"(?:[ \t\n\f\r]+|--[^\n]*|/\*(?s:.*?)(?:\*/|\Z))*"
    r"(?:(?![xX]')(" + _NAME_START + _NAME_CHAR + r"*)"  # 1 a word (x'..' is a blob)
    r"|([(),;]|\.(?![0-9])|->>|->|\|\||==|!=|<>|<=|>=|<<|>>|[+\-*/%&|~<>=])"  # 2 punctuation and operators
    r"|(0[xX][0-9A-Fa-f_]*|(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9_]*)?)"  # 3 a number
    r"|(\?[0-9]*|[:@$#]" + _NAME_CHAR + r"+)"  # 4 a variable
    r"|\"((?:[^\"]|\"\")*)\""  # 5 "name"
    r"|`((?:[^`]|``)*)`"  # 6 `name`
    r"|\[([^\]]*)\]"  # 7 [name]
    r"|'((?:[^']|'')*)'"  # 8 'string'
    r"|[xX]'([^']*)'"  # 9 x'blob'
    r"|(.)"  # 10 anything else: SQLite cannot read it
    r"|\Z)",
)
_FIRST_QUOTED, _UNREADABLE = 5, 10
# A quoted token's text is what it holds, its doubled quotes undone (as sqlglot gave it: names compare so).
_UNDOUBLE = {5: ('""', '"'), 6: ("``", "`"), 8: ("''", "'")}


class StatementTokens(NamedTuple):
    """One statement's tokens, as three lists of the same length.

    ``texts``: each token as written, but a quoted name or a string without its quotes;
    ``words``: a word in ASCII upper case (how SQLite reads a keyword), ``''`` for a quoted name, a
    string or a blob (never a keyword, whatever they hold), anything else as written (``(``, ``,``, ``1``);
    ``starts``: where each token starts in the statement.
    """

    sql: str
    texts: list[str]
    words: list[str]
    starts: list[int]

    def line(self, index: int) -> int:
        """The line (1 for the statement's first) the token ``index`` starts on."""
        return self.sql.count("\n", 0, self.starts[index]) + 1


def scan(sql: str) -> StatementTokens | None:
    """``sql``'s tokens; None when SQLite could not read it (see the module's docstring).

    Done in a few passes over lists, each in C but for one comprehension: 4,000 statements of 1,000 tables
    (118,000 tokens) are read in 0.09-0.11 s, about what sqlglot's compiled tokenizer takes (without its
    import).
    """
    found = [(group, match[group], match.start(group)) for match in _TOKEN.finditer(sql) if (group := match.lastindex)]
    if not found:
        return StatementTokens(sql, [], [], [])
    groups, texts, starts = map(list, zip(*found, strict=True))
    if _UNREADABLE in groups:
        return None
    joined = "\x1f".join(texts)
    if joined.isascii() and joined.count("\x1f") == len(texts) - 1:
        upper = joined.upper().split("\x1f")
    else:
        upper = [ascii_upper(text) for text in texts]
    words = [word if group < _FIRST_QUOTED else "" for group, word in zip(groups, upper, strict=True)]
    if any(doubled in sql for doubled, _ in _UNDOUBLE.values()):
        for index, group in enumerate(groups):
            if group in _UNDOUBLE:
                texts[index] = texts[index].replace(*_UNDOUBLE[group])
    return StatementTokens(sql, texts, words, starts)


# The words that begin a table constraint rather than a column (sqlglot reads "PRIMARY KEY" and
# "FOREIGN KEY" as one token each, hence the pairs).
TABLE_CONSTRAINT_WORDS = {"CONSTRAINT", "PRIMARY", "PRIMARY KEY", "UNIQUE", "CHECK", "FOREIGN", "FOREIGN KEY"}
_OBJECT_KINDS = {"TABLE": "table", "INDEX": "index", "VIEW": "view", "TRIGGER": "trigger"}


def object_head(words: list[str]) -> tuple[str, int] | None:
    """(kind, index of the name) of a statement head, from its tokens as upper-case words.

    ``CREATE|DROP [UNIQUE|TEMP|VIRTUAL] TABLE|INDEX|VIEW|TRIGGER [IF [NOT] EXISTS] [schema.]name``; the one
    reader of statement heads (locations, not-compared findings, the shadow replay's grouping).
    """
    kind_at = next((i for i, w in enumerate(words[:4]) if w in _OBJECT_KINDS), None)
    if kind_at is None:
        return None
    name_at = kind_at + 1
    if words[name_at : name_at + 3] == ["IF", "NOT", "EXISTS"]:
        name_at += 3
    elif words[name_at : name_at + 2] == ["IF", "EXISTS"]:  # DROP ... IF EXISTS name
        name_at += 2
    if name_at + 2 < len(words) and words[name_at + 1] == ".":
        name_at += 2  # schema-qualified: main.t
    return _OBJECT_KINDS[words[kind_at]], name_at


def matching_paren(words: list[str], open_at: int) -> int:
    """The index of the ``)`` closing the ``(`` at ``open_at`` (the last index when none does)."""
    depth = 0
    for i in range(open_at, len(words)):
        word = words[i]
        if word == "(":
            depth += 1
        elif word == ")":
            depth -= 1
            if depth == 0:
                return i
    return len(words) - 1


def top_level_starts(words: list[str], start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(first, stop) index ranges of the comma-separated items of ``words[start:end]``, parentheses skipped.

    The one comma and parenthesis walker: table bodies, index key lists and column lists all go through it
    (sqlglot's tokens too, as their words: :func:`driftgate.ddl.token_word`).
    """
    end = len(words) if end is None else end
    ranges: list[tuple[int, int]] = []
    depth = 0
    first = start
    for i in range(start, end):
        word = words[i]
        if word == "(":
            depth += 1
        elif word == ")":
            depth -= 1
        elif word == "," and depth == 0:
            if i > first:
                ranges.append((first, i))
            first = i + 1
    if end > first:
        ranges.append((first, end))
    return ranges
