"""Find the DDL that legacy application code sends to a libSQL client.

Legacy code builds its schema with calls such as ``db.execute(`CREATE TABLE ...`)``
or ``client.batch([...])``.  We parse each TypeScript/JavaScript file with
tree-sitter, find those calls and work out the SQL text of their first argument
as far as the file itself allows: literals, ``+`` concatenations, ``const``
strings, ``{ sql, args }`` objects, arrays given to ``batch`` and arrays iterated
by ``for (const s of ARR)`` / ``ARR.forEach(s => ...)``.  Only DDL is kept.

Every character of a resolved text remembers the source line it came from, so a
statement reports the line where its text really is, even when it was built by
concatenation across lines or defined in a ``const`` far from the call.

A statement whose failure the code ignores (a ``try``/``catch`` around its call, a
``.catch(...)`` on its promise) is marked ``tolerated``: the replay skips it where
SQLite refuses it, as the application goes on past that failure.
"""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import tree_sitter_typescript
from tree_sitter import Language, Node, Parser, Tree

from driftgate.errors import InputError
from driftgate.model import Location
from driftgate.sources.statements import SqlStatement, is_ddl, statement_spans

# Every suffix _parse knows by name: a directory must not skip a file it would read if named.
SOURCE_SUFFIXES = frozenset({".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"})
# Methods of libSQL / better-sqlite3 style clients whose first argument is SQL.
CLIENT_METHODS = frozenset({"execute", "executeMultiple", "batch", "exec", "run", "prepare", "all", "get", "query"})
# Array methods whose callback's first parameter is each element in turn.
_ELEMENT_CALLBACKS = frozenset({"forEach", "map", "flatMap"})
# Wrappers that do not change a value: (x), x as T, x satisfies T, x!
_TRANSPARENT = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression"})
_FUNCTIONS = frozenset(
    {
        "function_declaration",
        "function_expression",
        "generator_function_declaration",
        "generator_function",
        "arrow_function",
        "method_definition",
    }
)
_DECLARATIONS = frozenset({"lexical_declaration", "variable_declaration"})
# Loops multiply the texts an expression may have; past this many we give up on it.
_MAX_ALTERNATIVES = 256
# How deep names may refer to names; also what stops cyclic definitions (const a = b, b = a).
_MAX_DEPTH = 48
_CLASSES = frozenset({"class_declaration", "class", "abstract_class_declaration"})
_SNIPPET_WIDTH = 40
_DROP = re.compile(r"DROP\b", re.IGNORECASE)
# DDL text in a literal (raw source, ${...} kept): strict enough that 'CREATE TABLE failed' is not.
_NAME = r"(?:\"[^\"]*\"|`[^`]*`|\[[^\]]*\]|\$\{[^}]*\}|[\w$.])+"
_DDL_HEAD = re.compile(
    r"(?is)\s*(?:CREATE\s+(?:(?:UNIQUE|TEMP|TEMPORARY|VIRTUAL)\s+)?(?:TABLE|INDEX|VIEW|TRIGGER)(?:\s+IF\s+NOT\s+EXISTS)?"
    r"|ALTER\s+TABLE|DROP\s+(?:TABLE|INDEX|VIEW|TRIGGER)(?:\s+IF\s+EXISTS)?)\s+$"
)
_DDL_LOOKING = re.compile(
    r"(?is)\s*(?:CREATE\s+(?:(?:UNIQUE|TEMP|TEMPORARY|VIRTUAL)\s+)?(?:TABLE|INDEX|VIEW|TRIGGER)\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    + _NAME
    + r"\s*(?:\(|(?:ON|AS|USING|BEFORE|AFTER|INSTEAD|INSERT|UPDATE|DELETE)\b)"
    + r"|ALTER\s+TABLE\s+"
    + _NAME
    + r"\s+(?:ADD|RENAME|DROP)\b|DROP\s+(?:TABLE|INDEX|VIEW|TRIGGER)\s+(?:IF\s+EXISTS\s+)?"
    + _NAME
    + r"\s*(?:;|$))"
)
# Callees whose arguments are messages: console.log(...), logger.warn(...), log(...)
_LOG_CALL = re.compile(r"(?:^|\.)(?:console|logger|log|info|warn|warning|error|debug|trace|fatal)$", re.IGNORECASE)
_DROP_REASON = "driftgate cannot tell whether this DROP runs (code may drop in a path such as a test reset)"


def extract_legacy_statements(paths: Sequence[Path]) -> list[SqlStatement]:
    """All DDL statements sent to a SQL client by the given files/directories, in order."""
    statements: list[SqlStatement] = []
    for path in _source_files(paths):
        statements.extend(_FileScan(path, _read(path)).statements())
    return statements


# --- files -----------------------------------------------------------------


def _source_files(paths: Sequence[Path]) -> list[Path]:
    """Files to scan: arguments in the order given, directory contents sorted, each file once."""
    files: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        for file in _files_under(Path(path)):
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                files.append(file)
    return files


def _files_under(path: Path) -> list[Path]:
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    if not path.is_dir():
        return [path]  # a file named explicitly is scanned whatever its name
    found: list[Path] = []
    for folder, dirnames, filenames in os.walk(path):
        dirnames[:] = [d for d in dirnames if d != "node_modules"]  # prune: never descend into it
        found.extend(Path(folder, name) for name in filenames if _is_source_name(name))
    if not found:
        suffixes = "/".join(sorted(SOURCE_SUFFIXES))
        raise InputError(f"{path}: no {suffixes} files in this directory")
    return sorted(found)


def _is_source_name(name: str) -> bool:
    declaration = name.endswith((".d.ts", ".d.mts", ".d.cts"))
    return Path(name).suffix in SOURCE_SUFFIXES and not declaration


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: {error.strerror or error}") from error


# --- parsing ---------------------------------------------------------------


@cache
def _language(tsx: bool) -> Language:
    grammar = tree_sitter_typescript.language_tsx() if tsx else tree_sitter_typescript.language_typescript()
    return Language(grammar)


def _parse(path: Path, data: bytes) -> Tree:
    """Parse with the TypeScript grammar; plain JS may hold JSX, so it gets a second try as TSX."""
    suffix = path.suffix.lower()
    tree = Parser(_language(suffix in (".tsx", ".jsx"))).parse(data)
    if not tree.root_node.has_error:
        return tree
    if suffix in (".js", ".mjs", ".cjs"):
        retry = Parser(_language(True)).parse(data)
        if not retry.root_node.has_error:
            return retry
    raise _syntax_error(path, data, tree)


def _syntax_error(path: Path, data: bytes, tree: Tree) -> InputError:
    node = _first_error(tree.root_node)
    row = node.start_point.row
    snippet = node.text.decode("utf-8", "replace").strip() if node.text else ""
    if not snippet:  # MISSING nodes are empty: show the line they belong to instead
        lines = data.decode("utf-8", "replace").splitlines()
        snippet = lines[row].strip() if row < len(lines) else ""
    snippet = snippet.splitlines()[0] if snippet else ""
    if len(snippet) > _SNIPPET_WIDTH:
        snippet = snippet[:_SNIPPET_WIDTH] + "..."
    return InputError(f"{path}:{row + 1}: TypeScript syntax error near '{snippet}'")


def _first_error(root: Node) -> Node:
    """The first ERROR or MISSING node in document order (pre-order finds the earliest)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            return node
        stack.extend(reversed([child for child in node.children if child.has_error or child.is_missing]))
    return root


def _line_starts(data: bytes) -> list[int]:
    """Byte offset where each line starts, to turn byte offsets into 1-based lines by bisection."""
    starts = [0]
    newline = data.find(b"\n")
    while newline >= 0:
        starts.append(newline + 1)
        newline = data.find(b"\n", newline + 1)
    return starts


def _declares(identifier: Node) -> bool:
    """Whether ``identifier`` is the name a variable declarator declares (not a use of it)."""
    parent = identifier.parent
    if parent is None or parent.type != "variable_declarator":
        return False
    return parent.child_by_field_name("name") == identifier


def _preorder(root: Node) -> Iterator[Node]:
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))


def _unwrap(node: Node) -> Node:
    while node.type in _TRANSPARENT and node.named_children:
        node = node.named_children[0]
    return node


def _first_argument(call: Node) -> Node | None:
    arguments = call.child_by_field_name("arguments")
    if arguments is None or arguments.type != "arguments":  # tagged templates have no argument list
        return None
    return next((a for a in arguments.named_children if a.type != "comment"), None)


def _client_method(call: Node) -> str | None:
    callee = call.child_by_field_name("function")
    if callee is None or callee.type != "member_expression":
        return None
    prop = callee.child_by_field_name("property")
    name = prop.text.decode() if prop is not None and prop.text else ""
    owner = callee.child_by_field_name("object")
    if owner is not None and _unwrap(owner).type == "regex":  # /re/.exec(s) matches text, it is no SQL call
        return None
    return name if name in CLIENT_METHODS else None


# --- resolved text ---------------------------------------------------------


@dataclass(frozen=True)
class _Text:
    """SQL text built from source pieces, with the source line of each character."""

    text: str
    lines: tuple[int, ...]
    holes: tuple[tuple[int, int, str], ...] = ()  # (start, end, expression) of each ${expression} left in
    literals: frozenset[int] = frozenset()  # ids of the string/template nodes the text was read from

    def __add__(self, other: _Text) -> _Text:
        shift = len(self.text)
        moved = tuple((start + shift, end + shift, expr) for start, end, expr in other.holes)
        return _Text(
            self.text + other.text, self.lines + other.lines, self.holes + moved, self.literals | other.literals
        )

    def stripped(self) -> _Text:
        """``.trim()``: without leading and trailing whitespace (holes cut into stay out of it)."""
        start = len(self.text) - len(self.text.lstrip())
        end = len(self.text.rstrip())
        if start >= end:
            return _Text("", (), (), self.literals)
        holes = tuple((a - start, b - start, e) for a, b, e in self.holes if a >= start and b <= end)
        return _Text(self.text[start:end], self.lines[start:end], holes, self.literals)

    def masked(self) -> str:
        """The text with each hole blanked, so quotes or ';' inside ${...} cannot confuse the splitter."""
        chars = list(self.text)
        for start, end, _ in self.holes:
            chars[start:end] = "_" * (end - start)
        return "".join(chars)


_EMPTY = _Text("", ())


class _TooMany(Exception):
    """More than _MAX_ALTERNATIVES texts: the statement is reported not_compared, never silently dropped."""


def _product(heads: list[_Text], tails: list[_Text]) -> list[_Text]:
    if len(heads) * len(tails) > _MAX_ALTERNATIVES:
        raise _TooMany
    return [head + tail for head in heads for tail in tails]


def _decode_escape(raw: str) -> str:
    """The characters a JS escape sequence stands for (a line continuation stands for none)."""
    body = raw[1:]
    if not body or body[0] in "\r\n\u2028\u2029":
        return ""
    simple = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
    try:
        if body[0] == "x":
            return chr(int(body[1:3], 16))
        if body.startswith("u{"):
            return chr(int(body[2:-1], 16))
        if body[0] == "u":
            return chr(int(body[1:5], 16))
    except ValueError:
        return body
    return simple.get(body, body)  # \\ \' \" \` \$ stand for themselves


@dataclass(frozen=True)
class _Binding:
    """What a name stands for: a value, each element of an iterable, or something we cannot know."""

    kind: str  # "value" | "elements" | "opaque"
    node: Node | None = None


_OPAQUE = _Binding("opaque")


# --- one file --------------------------------------------------------------


class _FileScan:
    """Resolves the SQL given to client calls in one parsed file."""

    def __init__(self, path: Path, data: bytes) -> None:
        self.path = path
        self.data = data
        self.tree = _parse(path, data)
        self.line_starts = _line_starts(data)
        self.depth = 0  # current nesting of _values/_texts/_elements, see _MAX_DEPTH
        self.scopes: dict[int, dict[str, _Binding]] = {}  # node id -> names declared directly in it
        # Loop variables (by the id of what they iterate): the element each takes in the text resolved now,
        # and the ones met not yet fixed.  One variable has one value in one text, however often it occurs.
        self.fixed: dict[int, Node] = {}
        self.met: dict[int, Node] = {}
        self.consumed: set[int] = set()  # ids of the literals read into some call's SQL

    def statements(self) -> Iterator[SqlStatement]:
        literals: list[Node] = []
        names: set[str] = set()  # names used anywhere other than where they are declared (see _unused)
        for node in _preorder(self.tree.root_node):
            if node.type == "call_expression":
                yield from self._call_statements(node)
            elif node.type in ("string", "template_string"):
                literals.append(node)
            elif node.type in ("identifier", "shorthand_property_identifier") and not _declares(node):
                names.add(self._source(node))
        # Never silence: DDL text that no call above was read to send is reported where it is written.
        for literal in literals:
            if literal.id not in self.consumed and self._looks_like_ddl(literal) and not self._unused(literal, names):
                sql = " ".join(self._source(literal)[1:-1].split())
                reason = "driftgate cannot tell how this SQL reaches the database"
                yield SqlStatement(sql, Location(str(self.path), self._line(literal.start_byte)), (sql,), reason)

    def _looks_like_ddl(self, literal: Node) -> bool:
        text = self._source(literal)[1:-1]
        if _DDL_LOOKING.match(text):
            return True
        # 'CREATE TABLE ' + name + ' (...)': a head alone, completed by what is added to it
        parent = literal.parent
        return bool(_DDL_HEAD.match(text)) and parent is not None and parent.type == "binary_expression"

    def _unused(self, literal: Node, names: set[str]) -> bool:
        """A literal in a log call, an error, or a const no one reads: text about SQL, not SQL sent."""
        node: Node | None = literal
        while node is not None and node.type not in _FUNCTIONS and node.type != "program":
            if node.type in ("throw_statement", "new_expression"):
                return True
            if node.type == "call_expression" and _LOG_CALL.search(
                self._source(node.child_by_field_name("function") or node)
            ):
                return True
            if node.type == "variable_declarator" and node.parent is not None:
                target = node.child_by_field_name("name")
                exported = node.parent.parent is not None and node.parent.parent.type == "export_statement"
                if target is not None and target.type == "identifier" and not exported:
                    return self._source(target) not in names
            node = node.parent
        return False

    def _call_statements(self, call: Node) -> Iterator[SqlStatement]:
        method = _client_method(call)
        argument = _first_argument(call) if method else None
        if argument is None:
            return
        try:
            texts = self._argument_texts(method, argument)
        except _TooMany:
            self.consumed.update(n.id for n in _preorder(argument) if n.type in ("string", "template_string"))
            sql = " ".join(self._source(argument).split())
            reason = f"the SQL may take more than {_MAX_ALTERNATIVES} texts"
            yield SqlStatement(sql, Location(str(self.path), self._line(argument.start_byte)), (sql,), reason)
            return
        guard = self._guard(call) if texts else ""
        if guard and method == "batch" and not self._batch_of_one(argument):
            guard = ""  # a batch is one transaction: a refused statement undoes the others, not only itself
        for text in texts:
            self.consumed |= text.literals
            yield from self._ddl(text, guard)

    def _argument_texts(self, method: str | None, argument: Node) -> list[_Text]:
        """The texts of a call's argument, each loop variable taking each of its elements in turn."""
        self.met = {}
        texts = self._batch_texts(argument) if method == "batch" else self._statement_texts(argument)
        if not self.met:
            return texts
        key, iterable = next(iter(self.met.items()))
        combined: list[_Text] = []
        for element in self._elements(iterable) or []:
            self.fixed[key] = element
            try:
                combined.extend(self._argument_texts(method, argument))
            finally:
                del self.fixed[key]
            if len(combined) > _MAX_ALTERNATIVES:
                raise _TooMany
        return combined

    def _ddl(self, text: _Text, guard: str = "") -> Iterator[SqlStatement]:
        """The DDL statements of one text a call sends; ``guard``: why the code ignores the call's failure
        (:meth:`_guard`), which tolerates a text of one statement: one of several that is refused stops
        the ones after it, which skipping it alone would not say."""
        spans = statement_spans(text.masked())
        tolerated = guard if len(spans) == 1 else ""
        for start, end in spans:
            sql = text.text[start:end]
            if is_ddl(sql):
                unresolved = tuple(expr for hole_start, _, expr in text.holes if start <= hole_start < end)
                location = Location(str(self.path), text.lines[start])
                if _DROP.match(sql):
                    # A DROP in code may sit in a reset/test path that never runs: replaying it would erase
                    # an expected object and let a database lacking it conform.
                    yield SqlStatement(sql, location, unresolved or ("DROP",), _DROP_REASON)
                else:
                    yield SqlStatement(sql, location, unresolved, tolerated="" if unresolved else tolerated)

    # -- failures the code ignores --

    def _guard(self, call: Node) -> str:
        """Why the code ignores a failure of ``call`` (``app.ts:42 catches its error``), else "".

        The call's promise gets ``.catch(handler)`` (or ``.then(f, handler)``; ``.then(f)`` and
        ``.finally(f)`` pass a failure on), or the call sits in the body of a ``try`` that has a
        ``catch`` clause, within the call's own function (a try around a call of that function is not
        followed).  A handler that rethrows unconditionally (:meth:`_rethrows`) passes the failure on to
        the next one out; one that rethrows under a condition (``if (...) throw e``) tolerates: on a fresh
        database the only way such a statement fails is the one it was written for.
        """
        child, node = call, call.parent
        promise = True  # child is the call's promise, or a promise chained on it
        while node is not None and node.type not in _FUNCTIONS:
            if promise and node.type in _TRANSPARENT:  # (p), p as Promise<T>, p!
                child, node = node, node.parent
                continue
            chained = node.parent if promise and node.type == "member_expression" else None
            if chained is not None and node.child_by_field_name("object") == child:
                prop = node.child_by_field_name("property")
                method = self._source(prop) if prop is not None else ""
                arguments = chained.child_by_field_name("arguments")
                if (
                    prop is not None
                    and method in ("catch", "then", "finally")
                    and chained.type == "call_expression"
                    and chained.child_by_field_name("function") == node
                    and arguments is not None
                ):
                    given = [a for a in arguments.named_children if a.type != "comment"]
                    handler = given[0] if method == "catch" and given else None
                    handler = given[1] if method == "then" and len(given) > 1 else handler
                    if handler is not None and self._handler_tolerates(handler):
                        return f"{self.path.name}:{self._line(prop.start_byte)} catches its error"
                    child, node = chained, chained.parent
                    continue
            promise = False
            if node.type == "try_statement" and node.child_by_field_name("body") == child:
                handler = node.child_by_field_name("handler")
                block = handler.child_by_field_name("body") if handler is not None else None
                if block is not None and not self._rethrows(block):
                    return f"{self.path.name}:{self._line(node.start_byte)} catches its error"
            child, node = node, node.parent
        return ""

    def _handler_tolerates(self, handler: Node) -> bool:
        """Whether a promise's failure handler lets the failure go: a function whose code this file holds
        and that does not rethrow unconditionally, or a logging function (``console.error``).  A handler
        whose code is elsewhere (imported, a parameter such as a Promise's ``reject``) may rethrow: it is
        not taken to tolerate."""
        handler = _unwrap(handler)
        if handler.type in ("identifier", "member_expression") and _LOG_CALL.search(self._source(handler)):
            return True
        values = self._values(handler) if handler.type == "identifier" else [handler]
        function = values[0] if values is not None and len(values) == 1 else None
        body = function.child_by_field_name("body") if function is not None and function.type in _FUNCTIONS else None
        if body is None:
            return False
        if body.type == "statement_block":
            return not self._rethrows(body)
        return not self._rejects(body)  # e => expression: no throw, but e => Promise.reject(e) fails again

    def _rethrows(self, block: Node) -> bool:
        """Whether a handler's block fails again whatever it caught: a ``throw`` (or a ``return
        Promise.reject(...)``) among its own statements, not inside an ``if`` or any nested statement."""
        for statement in block.named_children:
            if statement.type == "throw_statement":
                return True
            value = next((c for c in statement.named_children if c.type != "comment"), None)
            if statement.type == "return_statement" and value is not None and self._rejects(value):
                return True
        return False

    def _rejects(self, expression: Node) -> bool:
        """``Promise.reject(...)`` (a failed promise, as a handler's result)."""
        expression = _unwrap(expression)
        callee = expression.child_by_field_name("function") if expression.type == "call_expression" else None
        return callee is not None and self._source(callee).replace(" ", "") == "Promise.reject"

    def _batch_of_one(self, argument: Node) -> bool:
        """Whether each batch this argument sends is an array of one element.  A batch is one transaction:
        a statement refused in a larger one rolls the others back too, which skipping it alone would not
        say, so only a batch of one statement is tolerated."""
        values = self._values(argument)
        if not values:
            return False
        for value in values:
            elements = [e for e in value.named_children if e.type != "comment"] if value.type == "array" else []
            if len(elements) != 1 or elements[0].type == "spread_element":
                return False
        return True

    # -- what an argument holds --

    def _batch_texts(self, node: Node) -> list[_Text]:
        elements = self._elements(node) or []
        return [text for element in elements for text in self._statement_texts(element)]

    def _statement_texts(self, node: Node) -> list[_Text]:
        """Texts of a statement argument: a string expression or a ``{ sql, args }`` object."""
        texts: list[_Text] = []
        for value in self._values(node) or []:
            if value.type == "object":
                sql = self._property(value, "sql")
                found = self._texts(sql) if sql is not None else None
            else:
                found = self._value_texts(value)
            texts.extend(found or [])  # what we cannot know is not SQL we can check
        return texts

    def _texts(self, node: Node) -> list[_Text] | None:
        """Every text a string expression may have, or None when it cannot be known."""
        if self.depth >= _MAX_DEPTH:
            return None
        self.depth += 1
        try:
            return self._texts_of(node)
        finally:
            self.depth -= 1

    def _texts_of(self, node: Node) -> list[_Text] | None:
        values = self._values(node)
        if values is None:
            return None
        texts: list[_Text] = []
        for value in values:
            found = self._value_texts(value)
            if found is None:
                return None
            texts.extend(found)
        if len(texts) > _MAX_ALTERNATIVES:
            raise _TooMany
        return texts

    def _value_texts(self, node: Node) -> list[_Text] | None:
        if node.type in ("string", "template_string"):
            return self._literal(node)
        raw_template = self._string_raw_template(node)
        if raw_template is not None:
            return self._literal(raw_template, raw=True)
        if node.type == "binary_expression" and self._operator(node) == "+":
            return self._concatenation(node)
        if node.type == "number":
            return [self._raw(node.start_byte, node.end_byte)]
        if node.type == "call_expression":
            return self._method_texts(node)
        return None

    def _method_texts(self, call: Node) -> list[_Text] | None:
        """``text.trim()`` and ``ARRAY.join(sep)``, when the text or the array's elements are known."""
        callee = call.child_by_field_name("function")
        arguments = call.child_by_field_name("arguments")
        if callee is None or callee.type != "member_expression" or arguments is None:
            return None
        owner, prop = callee.child_by_field_name("object"), callee.child_by_field_name("property")
        method = self._source(prop) if prop is not None else ""
        given = [a for a in arguments.named_children if a.type != "comment"]
        if owner is None:
            return None
        if method == "trim" and not given:
            texts = self._texts(owner)
            return None if texts is None else [text.stripped() for text in texts]
        if method == "join" and len(given) <= 1:
            elements = self._elements(owner)
            separators = self._texts(given[0]) if given else [_Text(",", (self._line(call.start_byte),))]
            if elements is None or separators is None:
                return None
            joined = [_EMPTY]
            for index, element in enumerate(elements):
                texts = self._texts(element)
                if texts is None:
                    return None
                joined = _product(_product(joined, separators) if index else joined, texts)
            return joined
        return None

    def _concatenation(self, node: Node) -> list[_Text] | None:
        """``a + b``: an unknowable side becomes a ``${...}`` hole, unless both sides are unknowable."""
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            return None
        heads, tails = self._texts(left), self._texts(right)
        if heads is None and tails is None:
            return None
        return _product(heads or [self._hole(left)], tails or [self._hole(right)])

    def _string_raw_template(self, node: Node) -> Node | None:
        """The template of ``String.raw`...```` (a tagged template: DDL with backslashes kept as written)."""
        if node.type != "call_expression":
            return None
        callee, template = node.child_by_field_name("function"), node.child_by_field_name("arguments")
        if callee is None or template is None or template.type != "template_string":
            return None
        return template if self._source(callee).replace(" ", "") == "String.raw" else None

    def _literal(self, node: Node, *, raw: bool = False) -> list[_Text] | None:
        """A quoted string or template; raw text between escapes and substitutions is kept as is.

        ``raw``: a String.raw template, whose escape sequences stand for themselves (``\\d`` stays two
        characters), while its ``${...}`` substitutions are resolved like any template's.
        """
        texts = [_EMPTY]
        template = node.type == "template_string"  # JS reads its CR LF and lone CR as LF
        position = node.start_byte + 1  # past the opening quote/backtick
        for part in node.named_children:
            if part.type not in ("escape_sequence", "template_substitution") or (
                raw and part.type != "template_substitution"
            ):
                continue  # string_fragment (and raw escapes): covered by the raw text between the parts below
            pieces = _product([self._raw(position, part.start_byte, template=template)], self._part(part))
            texts = _product(texts, pieces)
            position = part.end_byte
        tail = self._raw(position, node.end_byte - 1, template=template)
        tail = _Text(tail.text, tail.lines, literals=frozenset({node.id}))
        return _product(texts, [tail])

    def _part(self, part: Node) -> list[_Text]:
        if part.type == "escape_sequence":
            raw = part.text.decode("utf-8", "replace") if part.text else ""
            decoded = _decode_escape(raw)
            return [_Text(decoded, (self._line(part.start_byte),) * len(decoded))]
        expression = next((c for c in part.named_children if c.type != "comment"), None)
        if expression is None:
            return [_EMPTY]
        return self._texts(expression) or [self._hole(expression)]

    # -- values of names --

    def _values(self, node: Node) -> list[Node] | None:
        """The expressions a node may evaluate to, following names, members and loop variables."""
        node = _unwrap(node)
        if node.type not in ("identifier", "shorthand_property_identifier", "member_expression"):
            return [node]
        if self.depth >= _MAX_DEPTH:
            return None
        self.depth += 1
        try:
            return self._name_values(node) if node.type != "member_expression" else self._member_values(node)
        finally:
            self.depth -= 1

    def _name_values(self, name: Node) -> list[Node] | None:
        binding = self._binding(name)
        if binding.kind == "value" and binding.node is not None:
            return self._values(binding.node)
        if binding.kind == "elements" and binding.node is not None:
            chosen = self.fixed.get(binding.node.id)
            if chosen is not None:
                return self._values(chosen)
            self.met.setdefault(binding.node.id, binding.node)
            elements = self._elements(binding.node)
            return None if elements is None else self._all_values(elements)
        return None

    def _all_values(self, nodes: list[Node]) -> list[Node] | None:
        values: list[Node] = []
        for node in nodes:
            found = self._values(node)
            if found is None:
                return None
            values.extend(found)
        return values

    def _elements(self, node: Node) -> list[Node] | None:
        """Elements of an array expression (or of a name bound to one); spreads are flattened."""
        if self.depth >= _MAX_DEPTH:
            return None
        self.depth += 1
        try:
            return self._elements_of(node)
        finally:
            self.depth -= 1

    def _elements_of(self, node: Node) -> list[Node] | None:
        values = self._values(node)
        if values is not None and len(values) == 1 and values[0].type == "call_expression":
            return self._call_elements(values[0])
        if values is None or any(value.type != "array" for value in values):
            return None
        elements: list[Node] = []
        for array in values:
            for element in array.named_children:
                if element.type == "spread_element" and element.named_children:
                    elements.extend(self._elements(element.named_children[0]) or [])
                elif element.type != "comment":
                    elements.append(element)
        return elements

    def _call_elements(self, call: Node) -> list[Node] | None:
        """``Object.values(OBJ)``: OBJ's property values; ``ARR.map(x => expr)``: expr, x each element."""
        callee = call.child_by_field_name("function")
        arguments = call.child_by_field_name("arguments")
        given = [a for a in arguments.named_children if a.type != "comment"] if arguments is not None else []
        if callee is None or callee.type != "member_expression" or len(given) != 1:
            return None
        if self._source(callee).replace(" ", "") == "Object.values":
            objects = self._values(given[0])
            if objects is None or len(objects) != 1 or objects[0].type != "object":
                return None
            entries = objects[0].named_children
            if any(e.type not in ("pair", "shorthand_property_identifier", "comment") for e in entries):
                return None  # a spread or a method: not a plain list of values
            found = [e.child_by_field_name("value") if e.type == "pair" else e for e in entries if e.type != "comment"]
            return [value for value in found if value is not None]
        prop = callee.child_by_field_name("property")
        body = given[0].child_by_field_name("body") if given[0].type == "arrow_function" else None
        if prop is not None and self._source(prop) == "map" and body is not None and body.type != "statement_block":
            return [body]  # its parameter is bound to each element (see _callback_binding)
        return None

    def _member_values(self, node: Node) -> list[Node] | None:
        """``obj.prop`` where obj is an object literal, ``this`` (a class field) or a class (static field)."""
        owner, prop = node.child_by_field_name("object"), node.child_by_field_name("property")
        if owner is None or prop is None or prop.type not in ("property_identifier", "private_property_identifier"):
            return None
        name = self._source(prop)
        if _unwrap(owner).type == "this":
            cls = self._enclosing_class(node)
            owners = [cls] if cls is not None else None
        else:
            owners = self._values(owner)
        members = [self._member(target, name) for target in owners or []]
        if not members or None in members:
            return None
        return self._all_values([member for member in members if member is not None])

    def _member(self, target: Node, name: str) -> Node | None:
        if target.type == "object":
            return self._property(target, name)
        if target.type in _CLASSES:
            return self._class_field(target, name)
        return None

    def _property(self, obj: Node, name: str) -> Node | None:
        for entry in obj.named_children:
            if entry.type == "shorthand_property_identifier" and self._source(entry) == name:
                return entry
            key = entry.child_by_field_name("key") if entry.type == "pair" else None
            if key is not None and self._key_name(key) == name:
                return entry.child_by_field_name("value")
        return None

    def _key_name(self, key: Node) -> str | None:
        if key.type in ("property_identifier", "private_property_identifier"):
            return self._source(key)
        if key.type == "string":
            return self._source(key)[1:-1]
        return None

    def _class_field(self, cls: Node, name: str) -> Node | None:
        body = cls.child_by_field_name("body")
        for member in body.named_children if body is not None else []:
            field_name = member.child_by_field_name("name") if member.type == "public_field_definition" else None
            if field_name is not None and self._source(field_name) == name:
                return member.child_by_field_name("value")
        return None

    def _enclosing_class(self, node: Node) -> Node | None:
        parent = node.parent
        while parent is not None and parent.type not in _CLASSES:
            parent = parent.parent
        return parent

    # -- scopes --

    def _binding(self, name_node: Node) -> _Binding:
        """The nearest binding of a name, walking out through blocks, loops and functions."""
        name = self._source(name_node)
        child, scope = name_node, name_node.parent
        while scope is not None:
            found = self._binding_in(scope, child, name)
            if found is not None:
                return found
            child, scope = scope, scope.parent
        return _OPAQUE

    def _binding_in(self, scope: Node, child: Node, name: str) -> _Binding | None:
        if scope.type == "for_in_statement":
            found = self._loop_binding(scope, child, name)
            if found is not None:
                return found
        if scope.type in _FUNCTIONS and name in self._parameter_names(scope):
            return self._callback_binding(scope, name)
        return self._declared_in(scope, name)

    def _loop_binding(self, loop: Node, child: Node, name: str) -> _Binding | None:
        left, body = loop.child_by_field_name("left"), loop.child_by_field_name("body")
        if left is None or body is None or (child.start_byte, child.end_byte) != (body.start_byte, body.end_byte):
            return None  # the loop variable is only in scope inside the body
        if name not in self._pattern_names(left):
            return None
        operator = loop.child_by_field_name("operator")
        right = loop.child_by_field_name("right")
        if left.type == "identifier" and operator is not None and operator.type == "of" and right is not None:
            return _Binding("elements", right)
        return _OPAQUE  # for-in keys or destructured elements

    def _callback_binding(self, function: Node, name: str) -> _Binding:
        """``ARR.forEach(s => ...)``: the callback's first parameter is each element of ARR."""
        arguments = function.parent
        call = arguments.parent if arguments is not None else None
        if arguments is None or call is None or call.type != "call_expression":
            return _OPAQUE
        if arguments.named_children[0] != function or self._first_parameter(function) != name:
            return _OPAQUE
        callee = call.child_by_field_name("function")
        if callee is None or callee.type != "member_expression":
            return _OPAQUE
        prop, owner = callee.child_by_field_name("property"), callee.child_by_field_name("object")
        if prop is None or owner is None or self._source(prop) not in _ELEMENT_CALLBACKS:
            return _OPAQUE
        return _Binding("elements", owner)

    def _declared_in(self, scope: Node, name: str) -> _Binding | None:
        # Index each scope once: scanning a module's statements on every lookup is quadratic.
        index = self.scopes.get(scope.id)
        if index is None:
            index = self.scopes[scope.id] = self._scope_index(scope)
        return index.get(name)

    def _scope_index(self, scope: Node) -> dict[str, _Binding]:
        index: dict[str, _Binding] = {}
        for child in scope.named_children:
            for name, binding in self._declared_by(child):
                index.setdefault(name, binding)
        return index

    def _declared_by(self, statement: Node) -> Iterator[tuple[str, _Binding]]:
        if statement.type == "export_statement":
            statement = statement.child_by_field_name("declaration") or statement
        if statement.type in _DECLARATIONS:
            yield from self._declarators(statement)
        elif statement.type in _CLASSES or statement.type == "function_declaration":
            declared = statement.child_by_field_name("name")
            if declared is not None:
                # a class is a value whose static fields we can read; a function is no string, no array
                # and no object (no text resolves through it), but a promise's handler may be one
                yield self._source(declared), _Binding("value", statement)

    def _declarators(self, declaration: Node) -> Iterator[tuple[str, _Binding]]:
        for declarator in declaration.named_children:
            target = declarator.child_by_field_name("name") if declarator.type == "variable_declarator" else None
            value = declarator.child_by_field_name("value") if target is not None else None
            if target is not None and target.type == "identifier" and value is not None:
                yield self._source(target), _Binding("value", value)
            elif target is not None:  # declared without a value, or destructured
                yield from ((name, _OPAQUE) for name in self._pattern_names(target))

    def _parameter_names(self, function: Node) -> set[str]:
        single = function.child_by_field_name("parameter")  # x => ...
        if single is not None:
            return {self._source(single)}
        parameters = function.child_by_field_name("parameters")
        names: set[str] = set()
        for parameter in parameters.named_children if parameters is not None else []:
            pattern = parameter.child_by_field_name("pattern") or parameter
            names |= self._pattern_names(pattern)
        return names

    def _first_parameter(self, function: Node) -> str | None:
        single = function.child_by_field_name("parameter")
        if single is not None:
            return self._source(single)
        parameters = function.child_by_field_name("parameters")
        first = parameters.named_children[0] if parameters is not None and parameters.named_children else None
        pattern = first.child_by_field_name("pattern") if first is not None else None
        return self._source(pattern) if pattern is not None and pattern.type == "identifier" else None

    def _pattern_names(self, pattern: Node) -> set[str]:
        """Names a binding pattern introduces (generously: any identifier inside it)."""
        kinds = ("identifier", "shorthand_property_identifier_pattern")
        return {self._source(node) for node in _preorder(pattern) if node.type in kinds}

    # -- source text and lines --

    def _source(self, node: Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def _operator(self, node: Node) -> str:
        operator = node.child_by_field_name("operator")
        return operator.type if operator is not None else ""

    def _line(self, byte: int) -> int:
        return bisect.bisect_right(self.line_starts, byte)

    def _raw(self, start: int, end: int, *, template: bool = False) -> _Text:
        """Source bytes taken literally, each character tagged with its line.

        ``template``: text of a template literal, where JavaScript turns CR LF and a lone CR into LF.
        """
        text = self.data[start:end].decode("utf-8", "replace")
        line = self._line(start)
        chars: list[str] = []
        lines: list[int] = []
        for index, char in enumerate(text):
            if template and char == "\r":
                if text[index + 1 : index + 2] == "\n":
                    continue  # the LF that follows stands for both
                char = "\n"
            chars.append(char)
            lines.append(line)
            line += text[index] == "\n"
        return _Text("".join(chars), tuple(lines))

    def _hole(self, node: Node) -> _Text:
        """An expression we cannot know, kept as ``${expression}`` in the text."""
        expression = self._source(node)
        placeholder = "${" + expression + "}"
        return _Text(
            placeholder,
            (self._line(node.start_byte),) * len(placeholder),
            ((0, len(placeholder), expression),),
        )
