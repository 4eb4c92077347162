"""Canonical forms for SQL expressions, so equal things compare equal (the one home of all of them:
expressions, defaults, declared types, views, triggers, FK actions; identifiers are in :mod:`driftgate.identifiers`).

SQLite keeps a default or CHECK as the text the user typed; two sources that
mean the same value rarely spell it the same way.  Rather than stripping text
with regexes (the source of Alembic's false alarms) we parse with sqlglot and
print the tree back in one fixed style.  What sqlglot cannot parse falls back
to a token-level canonical form, which still ignores case and spacing but
nothing else.
"""

from __future__ import annotations

import contextlib
import functools
import math
import re
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from driftgate.identifiers import ascii_upper, fold_name, is_plain_word, quote
from driftgate.identifiers import canonical_identifier as canonical_identifier  # re-exported for older imports

if TYPE_CHECKING:
    from sqlglot import exp
    from sqlglot.tokens import Token, TokenType

DIALECT = "sqlite"

_PARSER_LOCK = threading.Lock()
_parser_loaded = False
_refused = threading.local()  # .on: parser_refused() is active in this thread


class ParserNotHere(BaseException):  # noqa: N818 - a signal, not an error: no `except Exception` may take it
    """:func:`load_parser` was called inside :func:`parser_refused` before the parser was imported."""


def parser_loaded() -> bool:
    """Whether this process has imported the parser (:func:`load_parser`)."""
    return _parser_loaded


@contextlib.contextmanager
def parser_refused() -> Iterator[None]:
    """Inside it, in this thread, work that would import the parser raises :class:`ParserNotHere` instead
    (the caller has it done where the parser is).  A BaseException, so that no fallback takes it for a
    text that could not be read."""
    _refused.on = True
    try:
        yield
    finally:
        _refused.on = False


def load_parser() -> None:
    """Import sqlglot, and driftgate's token reader, once and in one thread at a time.

    They are imported only when a text must be read (a warm check of a conforming database never
    does).  sqlglot's package imports its submodules circularly and loads its SQLite dialect on first
    use: two threads doing that at once (a fleet's checks) can meet a half-initialised module
    (ImportError).  Every lazy import of sqlglot, here and in the modules that need it, follows a call.
    """
    global _parser_loaded
    if _parser_loaded:
        return
    if getattr(_refused, "on", False):
        raise ParserNotHere
    with _PARSER_LOCK:
        if _parser_loaded:
            return
        import sqlglot
        from sqlglot.dialects.dialect import Dialect

        Dialect.get_or_raise(DIALECT)
        sqlglot.parse_one("SELECT 1", read=DIALECT).sql(dialect=DIALECT)  # the lazily loaded parser and printer

        import driftgate.ddl  # noqa: F401  (its module imports sqlglot's tokens)

        _parser_loaded = True


_INT64_MAX = 2**63 - 1


def _real(value: float) -> str:
    """A REAL printed one way: shortest round-trip digits, always with a '.' or an exponent."""
    if math.isinf(value):
        return "1e999" if value > 0 else "-1e999"  # SQLite reads an overflowing literal as +/-Inf
    text = repr(value)
    return text if any(c in text for c in ".e") else text + ".0"


def canonical_number(text: str, *, negated: bool = False) -> str:
    """A numeric literal as SQLite stores it: its storage class and value, not its spelling.

    ``1.50``, ``15e-1`` and ``1.5`` are one REAL; ``0x10`` and ``16`` one INTEGER; ``1`` and ``1.0``
    stay apart (INTEGER against REAL).  A decimal integer beyond 64 bits is a REAL in SQLite, except
    ``-9223372036854775808`` (``negated``), which is the smallest INTEGER.
    """
    word = text.strip()
    try:
        if word[:2] in ("0x", "0X"):
            value = int(word[2:], 16)
            return str(value - 2**64 if value > _INT64_MAX else value)  # 64-bit two's complement, as SQLite
        if any(c in word for c in ".eE"):
            return _real(float(word))
        value = int(word)
    except ValueError:
        return word
    if value > _INT64_MAX and not (negated and value == _INT64_MAX + 1):
        return _real(float(value))
    return str(value)


def canonical_blob(hex_digits: str) -> str:
    """A blob literal by its bytes: hex digit case does not matter."""
    return "X'" + hex_digits.upper() + "'"


_TOKENIZERS = threading.local()  # a tokenizer keeps state while it runs: one per thread (fleets use threads)


def tokenize(sql: str) -> list[Token]:
    """sqlglot's SQLite tokens of ``sql``.

    One tokenizer per thread, reused: ``sqlglot.tokenize`` builds a dialect and a tokenizer on every
    call, which was half the time of tokenising 4,000 statements.
    """
    tokenizer = getattr(_TOKENIZERS, "sqlite", None)
    if tokenizer is None:
        load_parser()
        from sqlglot.dialects.dialect import Dialect

        dialect = Dialect.get_or_raise(DIALECT)
        tokenizer = _TOKENIZERS.sqlite = dialect.tokenizer_class(dialect=dialect)
    return list(tokenizer.tokenize(sql))


@functools.lru_cache(maxsize=4096)
def _print_name(name: str) -> str:
    """A quoted identifier's (already folded) name as token_canonical prints it.

    Bare when the name, written bare, is that very name (a single VAR token: not a keyword, no
    space or punctuation), so ``"t"`` prints like ``t``; double-quoted otherwise, so ``"a b"``
    never prints like ``a b``.
    """
    load_parser()
    from sqlglot.errors import SqlglotError
    from sqlglot.tokens import TokenType

    try:
        tokens = tokenize(name)
    except SqlglotError:
        tokens = []
    if len(tokens) == 1 and tokens[0].token_type == TokenType.VAR and tokens[0].text == name:
        return name
    return quote(name)


def _token_literal(sql: str, tokens: list[Token], i: int) -> tuple[str, int] | None:
    """A literal token printed by value, and how many tokens it used; None if token i is no literal."""
    load_parser()
    from sqlglot.tokens import TokenType

    token = tokens[i]
    kind = token.token_type
    if kind == TokenType.HEX_STRING:  # sqlglot gives both 0x10 and X'10' this type: the source says which
        if sql[token.start : token.start + 2].lower() == "0x":
            number = canonical_number("0x" + token.text)
            return (f"- {number[1:]}" if number.startswith("-") else number), 1
        return canonical_blob(token.text), 1
    if kind == TokenType.NUMBER:
        negated = i > 0 and tokens[i - 1].token_type == TokenType.DASH
        return canonical_number(token.text, negated=negated), 1
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    if (  # ".5" is read as DOT, NUMBER
        kind == TokenType.DOT
        and following is not None
        and following.token_type == TokenType.NUMBER
        and following.start == token.end + 1
        and following.text[:1].isdigit()
    ):
        return canonical_number("." + following.text), 2
    return None


def token_canonical(sql: str) -> str:
    """Fallback canonical form: tokens re-joined, keywords upper, identifiers folded (quoted if need be).

    Literals print by value (canonical_number, canonical_blob); comments are dropped by the tokenizer.
    """
    load_parser()
    from sqlglot.errors import SqlglotError
    from sqlglot.tokens import TokenType

    try:
        tokens = tokenize(sql)
    except SqlglotError:
        return " ".join(sql.split())
    parts: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        literal = _token_literal(sql, tokens, i)
        if literal is not None:
            parts.append(literal[0])
            i += literal[1]
            continue
        if token.token_type == TokenType.STRING:
            parts.append("'" + token.text.replace("'", "''") + "'")
        elif token.token_type == TokenType.IDENTIFIER:
            parts.append(_print_name(fold_name(token.text)))
        elif token.token_type == TokenType.VAR:
            parts.append(fold_name(token.text))
        else:
            parts.append(token.text.upper())
        i += 1
    return " ".join(parts)


def _strip_outer_parens(node: exp.Expression) -> exp.Expression:
    load_parser()
    from sqlglot import exp

    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _parse_statement(text: str) -> exp.Expression | None:
    load_parser()
    import sqlglot

    tree = sqlglot.parse_one(text, read=DIALECT)
    return _functions_as_called(tree, text) if tree is not None else None


def _parse(text: str) -> exp.Expression | None:
    """An expression's tree, read as a SELECT's one result: alone, ``replace(a, 'x', '')`` would be read
    as a REPLACE statement (unparsed, with a warning on stderr).  None if it is not one plain expression."""
    load_parser()
    from sqlglot import exp

    select = _parse_statement("SELECT " + text)
    if not isinstance(select, exp.Select) or len(select.expressions) != 1:
        return None
    if any(value for key, value in select.args.items() if key != "expressions"):
        return None
    tree = select.expressions[0]
    return None if isinstance(tree, exp.Alias) else tree.pop()


def _functions_as_called(tree: exp.Expression, text: str) -> exp.Expression:
    """``mod(x, y)`` stays a call: sqlglot reads it as ``x % y``, but SQLite's ``%`` converts its operands
    to INTEGER and mod() does not (``mod(5.5, 2)`` is 1.5, ``5.5 % 2`` is 1.0).

    sqlglot gives the node built from a call the call's name position (``meta``), and the operator none.
    """
    load_parser()
    from sqlglot import exp

    def keep_call(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, exp.Mod) or "start" not in node.meta:
            return node
        if text[node.meta["start"] : node.meta["end"] + 1] == "%":
            return node
        # sqlglot wrapped binary arguments in parentheses to print them as operands of %.
        args = [
            arg.this if isinstance(arg, exp.Paren) and isinstance(arg.this, exp.Binary) else arg
            for arg in node.args.values()
            if arg is not None
        ]
        return exp.Anonymous(this="MOD", expressions=args)

    return tree.transform(keep_call, copy=False)


@functools.cache
def _plus_kinds() -> tuple[frozenset[TokenType], frozenset[TokenType]]:
    """Token kinds that end an operand (a ``+`` after one is binary), and literal kinds."""
    load_parser()
    from sqlglot.tokens import TokenType

    literals = frozenset({TokenType.NUMBER, TokenType.STRING, TokenType.HEX_STRING})
    operand_ends = literals | {
        TokenType.VAR,
        TokenType.IDENTIFIER,
        TokenType.R_PAREN,
        TokenType.R_BRACKET,
        TokenType.NULL,
        TokenType.TRUE,
        TokenType.FALSE,
        TokenType.END,
        TokenType.CURRENT_DATE,
        TokenType.CURRENT_TIME,
        TokenType.CURRENT_TIMESTAMP,
    }
    return frozenset(operand_ends), literals


def _has_unary_plus(text: str) -> bool:
    """Whether ``text`` applies a unary ``+`` to anything but a literal, which sqlglot drops.

    ``+a`` is not a no-op in SQLite: it has no affinity and no collation (with 1 stored, ``a = '1'``
    is 1 and ``+a = '1'`` is 0).  A ``+`` after anything but an operand's end counts as unary (when
    unsure, the expression is compared by its tokens, which keep the ``+``); on a literal it changes nothing.
    """
    if "+" not in text:
        return False
    load_parser()
    from sqlglot.errors import SqlglotError
    from sqlglot.tokens import TokenType

    try:
        tokens = tokenize(text)
    except SqlglotError:
        return False  # the caller's parse fails too, and falls back to tokens
    operand_ends, literals = _plus_kinds()
    for i, token in enumerate(tokens):
        if token.token_type != TokenType.PLUS or (i > 0 and tokens[i - 1].token_type in operand_ends):
            continue
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if following is None or following.token_type not in literals and _token_literal(text, tokens, i + 1) is None:
            return True
    return False


def _without_outer_parens(text: str) -> str:
    """``(x)`` as ``x``, on the tokens (for an expression compared by its tokens): ``(a) + (b)`` is kept."""
    load_parser()
    from sqlglot.errors import SqlglotError
    from sqlglot.tokens import TokenType

    try:
        tokens = tokenize(text)
    except SqlglotError:
        return text
    first, last = 0, len(tokens) - 1
    while last - first > 1 and tokens[first].token_type == TokenType.L_PAREN:
        depth = 0
        for i in range(first, last + 1):
            depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(tokens[i].token_type, 0)
            if depth == 0:
                break
        if i != last:
            break
        first, last = first + 1, last - 1
    return text[tokens[first - 1].end + 1 : tokens[last + 1].start] if first else text


@functools.cache
def _equality_level() -> tuple[tuple[type[exp.Expression], ...], tuple[type[exp.Expression], ...]]:
    """SQLite's one precedence level of ``=``, ``==``, ``!=``, ``<>``, IS, IN, LIKE, GLOB, MATCH, REGEXP,
    BETWEEN (sqlglot's nodes; ESCAPE belongs to its LIKE), and ``<``, ``<=``, ``>``, ``>=`` just above it."""
    load_parser()
    from sqlglot import exp

    equality = (exp.EQ, exp.NEQ, exp.Is, exp.NullSafeEQ, exp.NullSafeNEQ, exp.In, exp.Like, exp.Glob, exp.Match)
    return (*equality, exp.RegexpLike, exp.Between, exp.Escape), (exp.LT, exp.LTE, exp.GT, exp.GTE)


def _mixed_equality(tree: exp.Expression, *, through_parens: bool = False) -> bool:
    """Whether an operator of SQLite's equality level sits, unparenthesised, in one of that level or of ``<``.

    SQLite reads those left to right (``a = b IN (1, 2)`` is ``(a = b) IN (1, 2)``, ``a LIKE b < c`` is
    ``a LIKE (b < c)``), sqlglot gives IN, LIKE, BETWEEN... a precedence of their own: such a tree is not
    SQLite's meaning (the text is read again with SQLite's grouping in parentheses, :func:`_regrouped`).
    A NOT there (``NOT IN``, ``= NOT b = c``) counts too.

    ``through_parens``: parenthesised too.  sqlglot adds parentheses of its own where its grouping needs
    them (``0 < c >= c NOT IN (0) IS 0`` is read ``(0 < c >= (NOT c IN (0))) IS 0``, which is not
    SQLite's ``((0 < c >= c) NOT IN (0)) IS 0``): only the text tells them from the source's.
    """
    load_parser()
    from sqlglot import exp

    equality, comparison = _equality_level()
    for node in tree.find_all(*equality, exp.Not):
        child, parent = node, node.parent
        while through_parens and isinstance(parent, exp.Paren):
            child, parent = parent, parent.parent
        if not isinstance(parent, (*equality, *comparison)):
            continue
        if isinstance(parent, exp.Escape) and child.arg_key == "this":  # the LIKE of its ESCAPE
            continue
        if isinstance(parent, exp.In) and child.arg_key == "expressions":  # inside IN's list: parenthesised
            continue
        return True
    return False


def _drop_redundant_parens(tree: exp.Expression) -> exp.Expression:
    """``(a > 0) AND (b > 0)`` is ``a > 0 AND b > 0``; ``a - (b - c)`` keeps its parentheses.

    A pair of parentheses is dropped only when the text without it parses to the very same tree.
    """
    load_parser()
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    for paren in list(tree.find_all(exp.Paren)):
        inner = paren.this
        if paren is tree or not isinstance(inner, exp.Expression) or isinstance(inner, exp.Query):
            continue
        paren.replace(inner)
        try:
            same = _parse(tree.sql(dialect=DIALECT)) == tree and not _mixed_equality(tree)
        except SqlglotError:
            same = False
        if not same:
            wrapper = exp.Paren()
            inner.replace(wrapper)
            wrapper.set("this", inner)
    return tree


def _affinity(type_name: str) -> str:
    """SQLite's type affinity of a declared type name (datatype3 section 3.1): all a CAST depends on."""
    name = ascii_upper(type_name)  # as SQLite does: "ınt" (dotless i) is no INT
    if "INT" in name:
        return "INTEGER"
    if any(word in name for word in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if "BLOB" in name or not name.strip():
        return "BLOB"
    if any(word in name for word in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return "NUMERIC"


def _cast_types_as_affinities(text: str) -> str:
    """``CAST(x AS <type>)`` rewritten to the type's affinity, before sqlglot sees it.

    sqlglot rewrites type names (NUMERIC->REAL, BOOLEAN->INTEGER, ``CAST(x AS DATETIME)`` ->
    ``DATETIME(x)``), which would make different casts compare equal; the affinity is what SQLite
    itself goes by, so ``CAST(x AS VARCHAR(10))`` and ``CAST(x AS TEXT)`` stay equal.
    """
    if "cast" not in fold_name(text):  # a CAST is spelled with its keyword: no parser needed without one
        return text
    load_parser()
    from sqlglot.errors import SqlglotError
    from sqlglot.tokens import TokenType

    try:
        tokens = tokenize(text)
    except SqlglotError:
        return text
    edits: list[tuple[int, int, str]] = []
    for i, token in enumerate(tokens[:-1]):
        if token.token_type == TokenType.STRING or token.text.upper() != "CAST":
            continue
        if tokens[i + 1].token_type != TokenType.L_PAREN:
            continue
        depth, as_at = 0, None
        for j in range(i + 1, len(tokens)):
            kind = tokens[j].token_type
            if kind == TokenType.L_PAREN:
                depth += 1
            elif kind == TokenType.R_PAREN:
                depth -= 1
                if depth == 0:
                    if as_at is not None and as_at + 1 < j:
                        start, end = tokens[as_at + 1].start, tokens[j - 1].end + 1
                        edits.append((start, end, _affinity(text[start:end])))
                    break
            elif depth == 1 and kind == TokenType.ALIAS:
                as_at = j
    for start, end, affinity in reversed(edits):
        text = text[:start] + affinity + text[end:]
    return text


@functools.cache
def _affinity_of() -> dict[exp.DataType.Type, str]:
    """The five affinities as sqlglot parses them, and how they are printed back (it would print NUMERIC as REAL)."""
    load_parser()
    from sqlglot import exp

    return {
        exp.DataType.Type.INT: "INTEGER",
        exp.DataType.Type.TEXT: "TEXT",
        exp.DataType.Type.VARBINARY: "BLOB",
        exp.DataType.Type.DOUBLE: "REAL",
        exp.DataType.Type.DECIMAL: "NUMERIC",
    }


def _print_affinity(cast: exp.Cast) -> exp.Cast:
    load_parser()
    from sqlglot import exp

    to = cast.args.get("to")
    affinity = _affinity_of().get(to.this) if isinstance(to, exp.DataType) else None
    if affinity is not None:
        cast.set("to", exp.DataType(this=exp.DataType.Type.USERDEFINED, kind=affinity))
    return cast


def _is_truth_test(boolean: exp.Boolean) -> bool:
    """``x IS TRUE`` / ``x IS NOT FALSE``: SQLite's truth tests, where TRUE is not just 1.

    ``2 IS TRUE`` is 1 but ``2 IS 1`` is 0.  Only the right operand counts (``TRUE IS x`` is
    ``1 IS x``); SQLite sees through parentheses and COLLATE around it.  sqlglot parses the
    spellings as Is (``IS NOT TRUE`` as NOT over it) or NullSafeEQ/NEQ (``IS [NOT] DISTINCT FROM``).
    """
    load_parser()
    from sqlglot import exp

    node: exp.Expression = boolean
    while isinstance(node.parent, exp.Paren) or (isinstance(node.parent, exp.Collate) and node.arg_key == "this"):
        node = node.parent
    return isinstance(node.parent, (exp.Is, exp.NullSafeEQ, exp.NullSafeNEQ)) and node.arg_key == "expression"


def _canonicalise_tree(node: exp.Expression, table: str | None, literal_columns: bool) -> exp.Expression:
    load_parser()
    from sqlglot import exp

    def rewrite(n: exp.Expression) -> exp.Expression:
        n.pop_comments()  # comments are whitespace: they never make two items differ
        neg_literal = isinstance(n, exp.Neg) and isinstance(n.this, exp.Literal) and not n.this.is_string
        if neg_literal and canonical_number(n.this.this) == "0":
            return exp.Literal.number(0)  # -0 is the INTEGER 0 (a REAL -0.0 is left as it is)
        if isinstance(n, exp.Literal) and not n.is_string:
            return exp.Literal.number(canonical_number(n.this, negated=isinstance(n.parent, exp.Neg)))
        if isinstance(n, exp.HexString):
            return exp.HexString(this=n.this.upper())
        if isinstance(n, exp.Boolean) and not _is_truth_test(n):
            # SQLite has no boolean type: TRUE and FALSE are the integers 1 and 0 (except after IS).
            return exp.Literal.number(1 if n.this else 0)
        if isinstance(n, exp.Column):
            if literal_columns and not n.table and n.this and n.this.quoted:
                # In a DEFAULT, "abc" cannot name a column: SQLite reads it as a string.
                return exp.Literal.string(n.name)
            if table is not None and n.table and fold_name(n.table) == fold_name(table):
                # "t"."age" inside table t's own CHECK/index is just age (a new node: fold it here).
                return exp.Column(this=exp.Identifier(this=fold_name(n.name), quoted=True))
        if isinstance(n, exp.Cast):
            _print_affinity(n)
        if isinstance(n, exp.Collate) and isinstance(n.expression, (exp.Var, exp.Identifier, exp.Literal)):
            # Collation names are case-insensitive (ASCII), however written: nocase, "NoCase", 'NOCASE'.
            name = ascii_upper(n.expression.name)
            n.set("expression", exp.Var(this=name) if is_plain_word(name) else exp.Identifier(this=name, quoted=True))
        if isinstance(n, exp.Ordered) and n.args.get("desc") is False:
            n.set("desc", None)  # ASC is the default order (NULLs first either way)
        if isinstance(n, exp.Join) and n.args.get("kind") == "INNER":
            n.set("kind", None)  # INNER JOIN is JOIN (LEFT, CROSS, NATURAL... are kept)
        if isinstance(n, exp.Identifier):
            return exp.Identifier(this=fold_name(n.name), quoted=True)
        return n

    return node.transform(rewrite, copy=True)


def _prepare(sql: str) -> str:
    """The text as sqlglot is given it: trimmed, CAST types replaced by their affinities."""
    text = sql.strip()
    return _cast_types_as_affinities(text) if text else ""


# The two commonest defaults, `0` and `'text'`, spelled so that sqlglot's tree could print nothing else:
# digits only (canonical_number decides, as on the tree), and a string without quotes, backslashes or
# control characters (printed as written). tests/test_equivalence.py holds both paths equal.
_PLAIN_INTEGER = re.compile(r"[0-9]+")
_PLAIN_STRING = re.compile(r"'[^'\\\x00-\x1f\x7f]*'")


# A DEFAULT that is one bare word is a name (stored as its text), unless it is one of these: TRUE and
# FALSE are 1 and 0, NULL is no default, CURRENT_* the current time (each checked in SQLite and libSQL).
_BARE_WORD = re.compile(r"[^\W\d][\w$]*")
_DEFAULT_KEYWORDS = frozenset({"TRUE", "FALSE", "NULL", "CURRENT_TIME", "CURRENT_DATE", "CURRENT_TIMESTAMP"})


@functools.lru_cache(maxsize=65536)
def canonical_expression(sql: str, table: str | None = None, *, literal_columns: bool = False) -> str:
    """One spelling per meaning: outer parentheses, case, quoting and spacing removed.

    ``table`` lets a column qualified by its own table equal the bare column.
    ``literal_columns`` is for DEFAULT clauses, where a double-quoted word is a string.
    """
    text = _prepare(sql)
    if _PLAIN_INTEGER.fullmatch(text):
        return canonical_number(text)
    if _PLAIN_STRING.fullmatch(text):
        return text
    return canonical_tree_expression(text, table, literal_columns)


def canonical_tree_expression(text: str, table: str | None, literal_columns: bool) -> str:
    """canonical_expression through sqlglot's tree (``text`` already prepared)."""
    load_parser()
    from sqlglot.errors import SqlglotError

    if not text:
        return ""
    if _has_unary_plus(text):
        return token_canonical(_without_outer_parens(_sqlite_grouped(text) or text))
    try:
        tree = _read_expression(text)
    except SqlglotError:
        tree = None
    if tree is None:  # what sqlglot lacks may be SQLite's grouping (a BETWEEN b = c AND d)
        tree = _regrouped(text, None, _read_expression)[1]
        if tree is None:
            return token_canonical(text)
    elif _mixed_equality(tree, through_parens=True):
        grouped, tree = _regrouped(text, tree, _read_expression)
        if tree is None:
            return token_canonical(_without_outer_parens(grouped))
    tree = _drop_redundant_parens(_strip_outer_parens(tree))
    tree = _canonicalise_tree(tree, table, literal_columns)
    return tree.sql(dialect=DIALECT)


def _read_expression(text: str) -> exp.Expression | None:
    """_parse, then one round trip when there are inner parentheses, so that the parenthesis test
    (_drop_redundant_parens) compares like with like."""
    load_parser()
    from sqlglot import exp

    tree = _parse(text)
    if tree is not None and _strip_outer_parens(tree).find(exp.Paren) is not None:
        for cast in tree.find_all(exp.Cast):
            _print_affinity(cast)
        tree = _parse(_strip_outer_parens(tree).sql(dialect=DIALECT))
    return tree


def _sqlite_grouped(text: str, *, statement: bool = False) -> str | None:
    """:func:`driftgate.grouping.sqlite_grouped`: the text with SQLite's grouping of ``=``, IN, LIKE, ``<``...
    in parentheses; None when it is not read with certainty."""
    load_parser()
    from driftgate.grouping import sqlite_grouped

    return sqlite_grouped(text, statement=statement)


def _regrouped(
    text: str, tree: exp.Expression | None, read: Callable[[str], exp.Expression | None], *, statement: bool = False
) -> tuple[str, exp.Expression | None]:
    """A text whose tree (``tree``, read by ``read``; None if sqlglot could not read it) chains operators of
    SQLite's equality level or ``<``, with SQLite's grouping of them in parentheses, and sqlglot's tree of
    that: SQLite's grouping.

    The tree is None when it cannot be had (the text not read with certainty, sqlglot failing on the
    grouped text or still grouping otherwise): the caller compares the (grouped) text by its tokens.
    ``statement``: a CREATE VIEW, whose SELECT's grouping is checked.
    """
    load_parser()
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    grouped = _sqlite_grouped(text, statement=statement)
    if grouped is None:
        return text, None
    if grouped != text:
        try:
            tree = read(grouped)
        except SqlglotError:
            return grouped, None
    checked = tree.expression if statement and isinstance(tree, exp.Create) else tree
    if checked is None or (statement and not isinstance(checked, exp.Query)) or _mixed_equality(checked):
        return grouped, None
    return grouped, tree


def canonical_default(dflt_value: str | None) -> str | None:
    """A column default as compared: ``DEFAULT NULL`` is the same as no default."""
    if dflt_value is None:
        return None
    word = dflt_value.strip()
    if _BARE_WORD.fullmatch(word) and ascii_upper(word) not in _DEFAULT_KEYWORDS:
        # `DEFAULT abc`: SQLite stores the name's text, as written, as a string default ('abc').
        return "'" + word + "'"
    canonical = canonical_expression(dflt_value, literal_columns=True)
    if canonical.upper() == "NULL":
        return None
    return canonical


def canonical_trigger(sql: str) -> str:
    """A trigger compares by its token-canonical text, read as SQLite reads its head: ``FOR EACH ROW`` is
    implied (SQLite has no other), no timing is ``BEFORE``, ``UPDATE OF`` names a set of columns (it fires
    when any of them is updated: sorted, folded, each once), and the ``WHEN`` condition is an expression
    (:func:`canonical_expression`: ``WHEN (x)`` is ``WHEN x``).  The body is left to the tokens."""
    load_parser()
    from sqlglot.errors import SqlglotError
    from sqlglot.tokens import TokenType

    try:
        tokens = tokenize(sql)
    except SqlglotError:
        return token_canonical(sql)
    words = ["" if t.token_type in (TokenType.STRING, TokenType.IDENTIFIER) else t.text.upper() for t in tokens]
    edits: list[tuple[int, int, str]] = []  # (start, end) in the text, replaced by the new text
    body = words.index("BEGIN") if "BEGIN" in words else len(words)
    for i in range(min(body, len(words)) - 2):
        if words[i : i + 3] == ["FOR", "EACH", "ROW"]:
            edits.append((tokens[i].start, tokens[i + 2].end + 1, ""))
            break
    event = _trigger_event_at(words, tokens)
    if event is not None:  # no timing: SQLite's default is BEFORE
        edits.append((tokens[event].start, tokens[event].start, "BEFORE "))
    if body < len(words):
        edits.extend(_trigger_head_edits(sql, tokens, words, body))
    for start, end, text in sorted(edits, reverse=True):  # from the end: earlier positions stay valid
        sql = sql[:start] + text + sql[end:]
    return token_canonical(sql)


def _trigger_head_edits(sql: str, tokens: list[Token], words: list[str], body: int) -> list[tuple[int, int, str]]:
    """The ``WHEN`` condition as :func:`canonical_expression` spells it, and the ``UPDATE OF`` columns as a
    sorted set, as edits of ``sql`` (``body``: the index of ``BEGIN``)."""
    from sqlglot.tokens import TokenType

    edits: list[tuple[int, int, str]] = []
    when = words.index("WHEN") if "WHEN" in words[:body] else None
    if when is not None and when + 1 < body:
        condition = sql[tokens[when + 1].start : tokens[body - 1].end + 1]
        edits.append((tokens[when + 1].start, tokens[body - 1].end + 1, canonical_expression(condition)))
    head_end = when if when is not None else body
    update = words.index("UPDATE") if "UPDATE" in words[:head_end] else None
    if update is not None and words[update + 1 : update + 2] == ["OF"] and "ON" in words[update:head_end]:
        on = words.index("ON", update)
        names = [token.text for token in tokens[update + 2 : on] if token.token_type != TokenType.COMMA]
        if names and len(names) * 2 - 1 == on - update - 2:  # name, name, ... (nothing else)
            columns = ", ".join(quote(name) for name in sorted({fold_name(name) for name in names}))
            edits.append((tokens[update + 2].start, tokens[on - 1].end + 1, columns))
    return edits


def _trigger_event_at(words: list[str], tokens: list[Token]) -> int | None:
    """The index of a trigger's event (DELETE/INSERT/UPDATE) when no timing precedes it, else None."""
    if "TRIGGER" not in words:
        return None
    at = words.index("TRIGGER") + 1
    if words[at : at + 3] == ["IF", "NOT", "EXISTS"]:
        at += 3
    at += 1  # the name
    if at < len(tokens) and tokens[at].text == ".":  # schema.name
        at += 2
    return at if at < len(words) and words[at] in ("DELETE", "INSERT", "UPDATE") else None


def _column_list(names: list[str]) -> str:
    """A view's column list, ``v(X, "y")`` as ``("x", "y") AS ``: folded and quoted like identifiers in a tree."""
    if not names:
        return ""
    return "(" + ", ".join(quote(fold_name(name)) for name in names) + ") AS "


def _view_fallback(text: str) -> str:
    """A view sqlglot cannot parse: its column list, then the token-canonical text after the first AS."""
    load_parser()
    from sqlglot.errors import SqlglotError
    from sqlglot.tokens import TokenType

    try:
        tokens = tokenize(text)
    except SqlglotError:
        tokens = []
    as_at = next((i for i, token in enumerate(tokens) if token.token_type == TokenType.ALIAS), None)
    if as_at is None:
        canonical = token_canonical(text)
        _head, sep, tail = canonical.partition(" AS ")
        return tail if sep else canonical
    names: list[str] = []
    if as_at > 0 and tokens[as_at - 1].token_type == TokenType.R_PAREN:
        opening = max((i for i in range(as_at) if tokens[i].token_type == TokenType.L_PAREN), default=as_at - 1)
        names = [t.text for t in tokens[opening + 1 : as_at - 1] if t.token_type != TokenType.COMMA]
    return _column_list(names) + token_canonical(text[tokens[as_at].end + 1 :])


def canonical_view(sql: str) -> str:
    """A view compares by its column list and SELECT, printed by sqlglot in one style (spacing, case, quoting, AS).

    The view's name, IF NOT EXISTS and TEMP around it do not matter; its column list ``v(x, y)``
    does.  The text is prepared as for canonical_expression (CAST types as affinities); a SELECT
    sqlglot cannot parse falls back to the token-canonical text after the first top-level AS.
    """
    load_parser()
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    text = _prepare(sql).rstrip(";")
    if _has_unary_plus(text):
        return _view_fallback(_sqlite_grouped(text, statement=True) or text)
    try:
        tree = _parse_statement(text)
    except SqlglotError:
        tree = None
    select = tree.expression if isinstance(tree, exp.Create) else None
    if not isinstance(select, exp.Query):  # what sqlglot lacks may be SQLite's grouping
        tree = _regrouped(text, None, _parse_statement, statement=True)[1]
        if tree is None:
            return _view_fallback(text)
    elif _mixed_equality(select, through_parens=True):
        grouped, tree = _regrouped(text, tree, _parse_statement, statement=True)
        if tree is None:
            return _view_fallback(grouped)
    assert isinstance(tree, exp.Create)
    select = tree.expression
    target = tree.this
    names = [column.name for column in target.expressions] if isinstance(target, exp.Schema) else []
    return _column_list(names) + _canonicalise_tree(select, None, False).sql(dialect=DIALECT)


@functools.lru_cache(maxsize=4096)  # a schema has a handful of type spellings, compared on every column
def canonical_type(declared: str) -> str:
    """Type names compare case- and spacing-insensitively; INT is not INTEGER (rowid aliasing).

    Case is folded for ASCII letters only, as SQLite reads type names: ``ınt`` (dotless i) is no INT.
    """
    text = " ".join(ascii_upper(declared).replace("(", " (").split())
    return text.replace(" (", "(").replace("( ", "(").replace(" )", ")").replace(" ,", ",").replace(", ", ",")


def canonical_action(action: str | None) -> str:
    return " ".join((action or "NO ACTION").upper().split())
