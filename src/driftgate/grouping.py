"""SQLite's grouping of its comparison operators, written out in parentheses before sqlglot reads a text.

SQLite reads ``=``, ``==``, ``!=``, ``<>``, IS [NOT] [DISTINCT FROM], [NOT] IN, [NOT] LIKE, GLOB, MATCH,
REGEXP, [NOT] BETWEEN, ISNULL, NOTNULL and NOT NULL as one precedence level, left to right; ``<``, ``<=``,
``>``, ``>=`` bind one level tighter and a prefix NOT looser (parse.y: ``%right NOT``, ``%left IS MATCH
LIKE_KW BETWEEN IN ISNULL NOTNULL NE EQ``, ``%left GT LE LT GE``).  So ``a = b IN (1, 2)`` is
``(a = b) IN (1, 2)``, ``a < b LIKE c`` is ``(a < b) LIKE c`` and ``a = b NOT IN (1)`` is
``(a = b) NOT IN (1)``, while ``a = NOT b IN (1)`` is ``a = (NOT (b IN (1)))``.  sqlglot binds IN, LIKE,
BETWEEN... tighter than ``<``, and reads the last two as one tree.

:func:`sqlite_grouped` parses that part of SQLite's grammar on sqlglot's tokens (an operand is read as a
whole: names, literals, calls, parenthesised groups, CASE ... END, the tighter operators) and puts
parentheses around each operation whose grouping sqlglot would read otherwise, or would print without
them: an operation of the equality level or a prefix NOT that is an operand of the equality level or of
``<``, and a ``<`` chain that is an operand of IN, LIKE, GLOB, MATCH, REGEXP or BETWEEN.  Those are the
parentheses :mod:`driftgate.normalize` keeps, so every spelling of one SQLite parse reads the same.
Where the text is not understood it says so (None) rather than guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlglot.errors import SqlglotError
from sqlglot.tokens import Token, TokenType

from driftgate.normalize import tokenize

_EQUALITY, _COMPARISON = 1, 2  # the two levels, loosest first

_LIKE = frozenset({TokenType.LIKE, TokenType.GLOB, TokenType.MATCH, TokenType.RLIKE})  # RLIKE: REGEXP
_COMPARE = frozenset({TokenType.LT, TokenType.LTE, TokenType.GT, TokenType.GTE})
# Binary operators tighter than <, and << / >> (two adjacent < or > tokens, see _shift).
_TIGHTER = frozenset(
    {
        TokenType.DPIPE,
        TokenType.ARROW,
        TokenType.DARROW,
        TokenType.STAR,
        TokenType.SLASH,
        TokenType.MOD,
        TokenType.PLUS,
        TokenType.DASH,
        TokenType.AMP,
        TokenType.PIPE,
    }
)
_PREFIX = frozenset({TokenType.DASH, TokenType.PLUS, TokenType.TILDE})
_LITERALS = frozenset(
    {
        TokenType.NUMBER,
        TokenType.STRING,
        TokenType.HEX_STRING,
        TokenType.NULL,
        TokenType.TRUE,
        TokenType.FALSE,
        TokenType.CURRENT_DATE,
        TokenType.CURRENT_TIME,
        TokenType.CURRENT_TIMESTAMP,
    }
)
_NAMES = frozenset({TokenType.VAR, TokenType.IDENTIFIER})
# Words after which an expression begins: a run that needs parentheses must follow one (or begin its group).
_STARTS = frozenset(
    {
        TokenType.COMMA,
        TokenType.SEMICOLON,
        TokenType.AND,
        TokenType.OR,
        TokenType.SELECT,
        TokenType.DISTINCT,
        TokenType.ALL,
        TokenType.WHERE,
        TokenType.ON,
        TokenType.HAVING,
        TokenType.GROUP_BY,
        TokenType.ORDER_BY,
        TokenType.PARTITION_BY,
        TokenType.LIMIT,
        TokenType.OFFSET,
        TokenType.WHEN,
        TokenType.THEN,
        TokenType.ELSE,
    }
)
# Words of the operators read here (and what may follow an operand within them).
_OPERATOR_WORDS = frozenset(
    {
        TokenType.IS,
        TokenType.IN,
        TokenType.NOT,
        TokenType.BETWEEN,
        TokenType.ISNULL,
        TokenType.NOTNULL,
        TokenType.ESCAPE,
        TokenType.COLLATE,
    }
)
# Words that are syntax, never a name or a function: with the operators, what an operand cannot be.
_SYNTAX = (
    _STARTS
    | _OPERATOR_WORDS
    | {
        TokenType.CASE,
        TokenType.END,
        TokenType.FROM,
        TokenType.ALIAS,
        TokenType.USING,
        TokenType.VALUES,
        TokenType.OVER,
        TokenType.FILTER,
        TokenType.JOIN,
        TokenType.UNION,
        TokenType.INTERSECT,
        TokenType.EXCEPT,
        TokenType.WITH,
        TokenType.WINDOW,
        TokenType.ASC,
        TokenType.DESC,
    }
)
# Words that continue an expression: none may follow one given parentheses.
_CONTINUES = _LIKE | _OPERATOR_WORDS | {TokenType.FILTER, TokenType.OVER}
# Operators of the two levels (and ESCAPE): one outside an expression read here means a misreading.
_STRAY = (
    _LIKE
    | _COMPARE
    | {
        TokenType.EQ,
        TokenType.NEQ,
        TokenType.IS,
        TokenType.IN,
        TokenType.BETWEEN,
        TokenType.ISNULL,
        TokenType.NOTNULL,
        TokenType.ESCAPE,
    }
)
_FRAME_UNITS = frozenset({"ROWS", "RANGE", "GROUPS"})  # a window frame: ROWS BETWEEN 1 PRECEDING AND ...
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


class _Unsure(Exception):
    """The text is not read here with certainty: it is left as it is."""


@dataclass(frozen=True)
class _Node:
    """An operand or an operation, as tokens ``start`` to ``end`` (exclusive)."""

    start: int
    end: int
    level: int = 0  # 0 an operand; _EQUALITY or _COMPARISON an operation of that level
    prefix_not: bool = False  # NOT x: an operand looser than every operation here


class _Grouper:
    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.close: dict[int, int] = {}  # ( to its ), CASE to its END
        stack: list[int] = []
        for i, token in enumerate(tokens):
            if token.token_type in (TokenType.L_PAREN, TokenType.CASE):
                stack.append(i)
            elif token.token_type in (TokenType.R_PAREN, TokenType.END):
                if not stack or (token.token_type == TokenType.END) != (tokens[stack[-1]].token_type == TokenType.CASE):
                    raise _Unsure
                self.close[stack.pop()] = i
        if stack:
            raise _Unsure
        self.edits: list[tuple[int, int, str]] = []  # (position in the text, 0 for ")" / 1 for "(", text)

    # --- tokens --------------------------------------------------------------------------------

    def kind(self, i: int, end: int) -> TokenType | None:
        return self.tokens[i].token_type if i < end else None

    def adjacent(self, i: int) -> bool:
        return self.tokens[i].end + 1 == self.tokens[i + 1].start

    def word(self, i: int) -> bool:
        """A name, or a word sqlglot takes for a keyword that SQLite may take for a name (date, key, left)."""
        token = self.tokens[i]
        if token.token_type in _NAMES:
            return True
        return token.token_type not in _SYNTAX and token.token_type not in _LIKE and bool(_WORD.fullmatch(token.text))

    def shift(self, i: int, end: int) -> bool:
        """``<<`` or ``>>``: sqlglot gives two tokens, SQLite one (only when they touch)."""
        kind = self.kind(i, end)
        return kind in (TokenType.LT, TokenType.GT) and self.kind(i + 1, end) == kind and self.adjacent(i)

    # --- operands ------------------------------------------------------------------------------

    def atom(self, i: int, end: int) -> int:
        """The end of the primary at ``i``: a group, CASE ... END, literal, parameter, call or name."""
        kind = self.kind(i, end)
        if kind is None:
            raise _Unsure
        if kind in (TokenType.L_PAREN, TokenType.CASE):
            return self.close[i] + 1
        if kind in _LITERALS:
            return i + 1
        following = self.kind(i + 1, end)
        if kind == TokenType.DOT and following == TokenType.NUMBER and self.adjacent(i):  # .5
            return i + 2
        if kind == TokenType.PLACEHOLDER:  # ? or ?NNN
            return i + 2 if following == TokenType.NUMBER and self.adjacent(i) else i + 1
        if kind in (TokenType.COLON, TokenType.PARAMETER):  # :name, @name
            if following is None or not self.adjacent(i):
                raise _Unsure
            return i + 2
        if not self.word(i) and kind not in _LIKE:
            raise _Unsure
        if following == TokenType.L_PAREN:  # a call (like(), glob() and exists() too)
            j = self.close[i + 1] + 1
            if self.kind(j, end) == TokenType.FILTER and self.kind(j + 1, end) == TokenType.L_PAREN:
                j = self.close[j + 1] + 1
            if self.kind(j, end) == TokenType.OVER:
                j = self.close[j + 1] + 1 if self.kind(j + 1, end) == TokenType.L_PAREN else j + 2
            return j
        if kind in _LIKE:
            raise _Unsure
        j = i + 1
        while self.kind(j, end) == TokenType.DOT:  # schema.table.column, t.*
            if self.kind(j + 1, end) is None:
                raise _Unsure
            j += 2
        return j

    def operand(self, i: int, end: int) -> int:
        """The end of the operand at ``i``: primaries joined by operators tighter than ``<``."""
        while self.kind(i, end) in _PREFIX:
            i += 1
        i = self.atom(i, end)
        while i < end:
            kind = self.kind(i, end)
            if kind == TokenType.COLLATE:
                if i + 1 >= end:
                    raise _Unsure
                i += 2
                continue
            width = 2 if self.shift(i, end) else 1 if kind in _TIGHTER else 0
            if not width:
                return i
            i += width
            while self.kind(i, end) in _PREFIX:
                i += 1
            i = self.atom(i, end)
        return i

    # --- the two levels ------------------------------------------------------------------------

    def operator(self, i: int, end: int) -> tuple[str, int, int] | None:
        """The operator at ``i``: (form, level, index after it), or None if none is there."""
        kind = self.kind(i, end)
        if kind in (TokenType.EQ, TokenType.NEQ):
            return "infix", _EQUALITY, i + 1
        if kind in _COMPARE:
            return None if self.shift(i, end) else ("infix", _COMPARISON, i + 1)
        if kind == TokenType.IS:
            j = i + 1 + (self.kind(i + 1, end) == TokenType.NOT)
            if self.kind(j, end) == TokenType.DISTINCT:
                if self.kind(j + 1, end) != TokenType.FROM:
                    raise _Unsure
                j += 2
            return "infix", _EQUALITY, j
        if kind in (TokenType.ISNULL, TokenType.NOTNULL):
            return "postfix", _EQUALITY, i + 1
        negated = kind == TokenType.NOT
        if negated:
            kind = self.kind(i + 1, end)
            if kind == TokenType.NULL:
                return "postfix", _EQUALITY, i + 2
        at = i + 1 + negated
        if kind in _LIKE:
            return "like", _EQUALITY, at
        if kind == TokenType.IN:
            return "in", _EQUALITY, at
        if kind == TokenType.BETWEEN:
            return "between", _EQUALITY, at
        return None  # NOT after an operand and no operator of this level: a clause's (NOT INDEXED)

    def primary(self, i: int, end: int) -> _Node:
        if self.kind(i, end) == TokenType.NOT:  # NOT takes every operation here that follows it
            inner = self.expression(i + 1, end, _EQUALITY)
            return _Node(i, inner.end, prefix_not=True)
        return _Node(i, self.operand(i, end))

    def expression(self, i: int, end: int, least: int) -> _Node:
        """Operations of level ``least`` and tighter from ``i``, grouped as SQLite does (precedence climbing)."""
        left = self.primary(i, end)
        while True:
            found = self.operator(left.end, end)
            if found is None or found[1] < least:
                return left
            form, level, j = found
            operands: list[_Node] = []
            if form == "in":
                j = self.in_list(j, end)
            elif form == "between":
                low = self.expression(j, end, _EQUALITY)
                if self.kind(low.end, end) != TokenType.AND:
                    raise _Unsure
                high = self.expression(low.end + 1, end, _COMPARISON)
                operands, j = [low, high], high.end
            elif form != "postfix":
                right = self.expression(j, end, level + 1)
                operands, j = [right], right.end
                if form == "like" and self.kind(j, end) == TokenType.ESCAPE:
                    escape = self.expression(j + 1, end, _COMPARISON)
                    operands, j = [right, escape], escape.end
            for child in (left, *operands):  # IN, LIKE, GLOB, MATCH, REGEXP and BETWEEN bind tighter than < in sqlglot
                self.parenthesise(child, in_range_operator=form in ("in", "between", "like"))
            left = _Node(left.start, j, level)

    def in_list(self, i: int, end: int) -> int:
        """The end of IN's right side: a list or subquery, or a table or table-valued function."""
        if self.kind(i, end) == TokenType.L_PAREN:
            return self.close[i] + 1
        if self.kind(i, end) not in _NAMES and not (i < end and self.word(i)):
            raise _Unsure
        j = i + 1
        while self.kind(j, end) == TokenType.DOT:
            j += 2
        return self.close[j] + 1 if self.kind(j, end) == TokenType.L_PAREN else j

    def parenthesise(self, child: _Node, in_range_operator: bool) -> None:
        """Parentheses around an operand of an operation where :mod:`driftgate.normalize` keeps them."""
        if not (child.level == _EQUALITY or child.prefix_not or (child.level == _COMPARISON and in_range_operator)):
            return
        first, last = self.tokens[child.start], self.tokens[child.end - 1]
        self.edits.append((first.start, 1, "("))
        self.edits.append((last.end + 1, 0, ")"))

    # --- a whole text --------------------------------------------------------------------------

    def segment(self, start: int, end: int) -> None:
        """Group every expression of the tokens ``start`` to ``end`` (groups inside are segments of their own)."""
        i = start
        while i < end:
            if self.frame_at(i, end):
                i += 2
                continue
            kind = self.tokens[i].token_type
            starts_operand = kind in (_PREFIX | _LITERALS | _NAMES) or kind in (
                TokenType.L_PAREN,
                TokenType.CASE,
                TokenType.NOT,
                TokenType.PLACEHOLDER,
                TokenType.COLON,
                TokenType.PARAMETER,
            )
            if not starts_operand and self.word(i):  # a call, or a name that is a keyword elsewhere (date, key)
                begins = i == start or self.tokens[i - 1].token_type in _STARTS
                starts_operand = begins or self.kind(i + 1, end) == TokenType.L_PAREN
            if not starts_operand:
                if kind in _STRAY:  # an operator where no expression was read: something was misread
                    raise _Unsure
                i += 1
                continue
            edits = len(self.edits)
            node = self.expression(i, end, _EQUALITY)
            if len(self.edits) > edits:
                self.check_edges(start, node, end)
            i = node.end

    def frame_at(self, i: int, end: int) -> bool:
        """ROWS / RANGE / GROUPS BETWEEN of a window's frame (not a column so named, which begins an expression)."""
        if self.tokens[i].text.upper() not in _FRAME_UNITS or self.kind(i + 1, end) != TokenType.BETWEEN or i < 2:
            return False
        before = self.tokens[i - 1].token_type
        if before == TokenType.L_PAREN:  # OVER (ROWS ..., WINDOW w AS (ROWS ...
            return self.tokens[i - 2].token_type in (TokenType.OVER, TokenType.ALIAS)
        return before not in _STARTS

    def check_edges(self, start: int, node: _Node, end: int) -> None:
        """A run given parentheses is a whole expression: after a word that begins one, before a comma or a
        word that is no operator's (a clause's, an alias)."""
        if node.start > start and self.tokens[node.start - 1].token_type not in _STARTS:
            raise _Unsure
        if node.end < end:
            after = self.tokens[node.end]
            if after.token_type in (TokenType.COMMA, TokenType.SEMICOLON):
                return
            if after.token_type in _CONTINUES or not (after.token_type in _SYNTAX or _WORD.fullmatch(after.text)):
                raise _Unsure

    def grouped(self, start: int) -> str:
        self.segment(start, len(self.tokens))
        for i, j in self.close.items():
            if i >= start:
                self.segment(i + 1, j)
        parts, at = [], 0
        for position, _order, text in sorted(self.edits):
            parts += [self.text[at:position], text]
            at = position
        return "".join([*parts, self.text[at:]])


def sqlite_grouped(text: str, *, statement: bool = False) -> str | None:
    """``text`` with parentheses where SQLite's grouping of ``=``, IN, LIKE, ``<``... is not sqlglot's
    (see the module's docstring); None when the text is not read with certainty.

    ``statement``: a CREATE VIEW statement, whose SELECT (after its first ``AS`` outside parentheses)
    is read.
    """
    try:
        tokens = tokenize(text)
        grouper = _Grouper(text, tokens)
        start = 0
        if statement:
            depth = 0
            for i, token in enumerate(tokens):
                depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(token.token_type, 0)
                if depth == 0 and token.token_type == TokenType.ALIAS:
                    start = i + 1
                    break
            else:
                return None
        return grouper.grouped(start)
    except (_Unsure, SqlglotError, KeyError):
        return None
