"""Names are data: making text that came from a schema safe to show in each output.

Table, column, index and tag names, defaults and SQLite error messages can hold anything a quoted
identifier or a string literal can: newlines, terminal escape sequences, bidirectional overrides.
Each output has one function here, and every reporter uses it:

- ``printable``: terminal, pytest ids and failure text, one-line error messages.  Control,
  format (bidi) and line-separator characters are shown as escapes (``\\n``, ``\\x1b``, ``\\u202e``).
- ``printable_block``: the same, keeping newlines (multi-line blocks: the HTML ``<pre>`` of a fix).
- ``comment_only``: advice text that must stay inside ``--`` comments in the fix script.
- ``markdown_text``: a Markdown table cell or inline text (for the Markdown summary).
JSON needs nothing extra: the encoder escapes control characters and quotes.
"""

from __future__ import annotations

import re
import unicodedata

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Unicode categories shown escaped: controls (C0, DEL, C1), format characters (bidi overrides and
# isolates, zero-width joiners, BOM), line and paragraph separators, private use and unassigned.
_ESCAPED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _unsafe(char: str) -> bool:
    return unicodedata.category(char) in _ESCAPED_CATEGORIES


def is_printable(text: str) -> bool:
    return not any(_unsafe(c) for c in text)


def printable(text: object) -> str:
    """One line with nothing a terminal would act on and nothing that reorders the text around it."""
    value = str(text)
    if is_printable(value):  # the usual case: no copy
        return value
    return "".join(_escape(c) if _unsafe(c) else c for c in value)


def printable_block(text: object) -> str:
    """Like printable, but newlines stay (for blocks shown as several lines)."""
    return "\n".join(printable(line) for line in str(text).split("\n"))


def comment_only(text: str) -> str:
    """Advice that must be comments and nothing else, whatever names it quotes.

    Every line keeps starting with ``--``: a line break that is not followed by ``--`` came from
    a name or a value, and is shown as ``\\n`` on the same comment line.  Other control and bidi
    characters are escaped too, so a reviewer reading the script sees what SQLite will see.
    """
    lines: list[str] = []
    for line in text.split("\n"):
        if lines and not line.startswith("--"):
            lines[-1] += "\\n" + line
        else:
            lines.append(line)
    return "\n".join(printable(line) for line in lines)


def _line_break_in_quotes(sql: str) -> bool:
    """A quoted name or string spanning lines: a reader could take its second line for a statement.
    Read by SQLite's token rules (a quoted token is the one whose word is empty); a text SQLite could
    not read counts as one, and is shown escaped."""
    from driftgate.sqlite_tokens import scan

    tokens = scan(sql)
    if tokens is None:
        return True
    return any(not word and "\n" in text for word, text in zip(tokens.words, tokens.texts, strict=True))


def needs_escaping(sql: str) -> bool:
    """SQL that cannot be shown as it is: control or bidi characters, or a line break inside quotes."""
    return not is_printable(sql.replace("\n", "")) or ("\n" in sql and _line_break_in_quotes(sql))


def shown_fix(fix: str) -> str:
    """A fix as displayed (pytest failure text, HTML): advice stays comments, odd SQL shows on one line."""
    if fix.startswith("--"):
        return comment_only(fix)
    return printable(fix) if needs_escaping(fix) else fix


# GitHub also acts on @ (a mention that notifies someone), $ (math) and : (emoji shortcodes).
_MARKDOWN_SPECIAL = set("\\`*_{}[]()<>#+-.!|~&@$:")


def markdown_text(text: object) -> str:
    """Inline Markdown (GitHub flavoured): printable, every punctuation Markdown could act on escaped."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in printable(text))


# What json.dumps(ensure_ascii=False) leaves raw that a terminal or viewer acts on: DEL and C1 controls
# (0x9b is CSI on some terminals), bidi marks, overrides and isolates, zero-width and separator characters;
# and lone surrogates, which no UTF-8 file can hold (a name read from a file with invalid UTF-8).
# A regex, not unicodedata per character: reports reach tens of megabytes.
_JSON_UNSAFE = re.compile(
    "[\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb]"
)


def json_bytes(document: bytes) -> bytes:
    """:func:`json_text` for UTF-8 JSON bytes: ASCII without DEL is returned as it is (a 20 MB report is
    not decoded and encoded back for nothing)."""
    if document.isascii() and b"\x7f" not in document:
        return document
    return json_text(document.decode("utf-8")).encode("utf-8")


def json_text(document_text: str) -> str:
    """JSON text with the characters above written as \\u escapes (same JSON value, nothing raw)."""
    if document_text.isascii() and "\x7f" not in document_text:
        return document_text  # the only ASCII one is DEL; isascii() is a flag read, the search a memchr
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", document_text)
