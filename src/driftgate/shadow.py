"""Expected DDL -> model, by executing it in a private in-memory libSQL database.

SQLite itself is the only parser that agrees with SQLite (DESIGN 2), and libSQL
also accepts its own statements (``ALTER TABLE ... ALTER COLUMN``).  The shadow
database is then read with the very introspection used on the live database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import libsql

from driftgate.errors import InputError
from driftgate.identifiers import canonical_identifier
from driftgate.introspect import INTROSPECTION_SQL, build_schema, merge_documents, parse_document
from driftgate.model import Location, Schema, fold_name
from driftgate.sources.statements import is_transaction_control
from driftgate.sqlite_tokens import (
    TABLE_CONSTRAINT_WORDS,
    StatementTokens,
    matching_paren,
    object_head,
    scan,
    top_level_starts,
)

if TYPE_CHECKING:  # sources imports shadow; only annotations need this
    from driftgate.forked import Channel
    from driftgate.replay_helper import ReplayHelper
    from driftgate.sources.statements import SqlStatement

    # A statement as a scratch database is given it: its SQL, or the statement itself when a failure is an
    # input error; a tolerated one (``SqlStatement.tolerated``) as (its index in the script, its SQL), wherever
    # it is replayed (the helper too): skipped when SQLite refuses it, its index told (Locations.forget).
    _Executed = str | SqlStatement | tuple[int, str]

# Statements whose effect is confined to the objects they name; any other (PRAGMA, VACUUM, ...) may
# change the whole database, so a script holding one is replayed in a single database.
_LOCAL_VERBS = {"CREATE", "ALTER", "DROP", "INSERT", "UPDATE", "DELETE", "REPLACE"}
# About this many statements per scratch database: SQLite rescans its whole schema table on every
# CREATE, so one database for everything costs O(n^2); bins of bounded size keep the replay linear.
BIN_STATEMENTS = 200
_VIEWS_AND_TRIGGERS = "\0views-and-triggers"  # a name no identifier can have


_Key = tuple[str, str, str | None]


class Locations:
    """Remembers which statement defined each object, so findings can point at a file and line.

    A tolerated statement (``SqlStatement.tolerated``) is recorded like any other, and what it replaced is
    kept: should the replay skip it (SQLite refused it), :meth:`forget` puts that back, so a refused
    ``ALTER TABLE t ADD COLUMN c`` leaves ``c`` where the CREATE TABLE defined it.
    """

    def __init__(self) -> None:
        self._where: dict[_Key, Location] = {}
        # Each tolerated statement's records, in statement order: (its index, key, what it replaced, itself).
        self._tolerated: list[tuple[int, _Key, Location | None, Location]] = []

    def record(
        self, statement: SqlStatement, tokens: StatementTokens, head: tuple[str, int] | None, index: int = 0
    ) -> None:
        """``head``: :func:`create_head` of the statement's words; ``index``: the statement's in the script
        (what :meth:`forget` is told)."""
        if not tokens.words:
            return
        if not statement.tolerated:
            self._record(statement, tokens, head)
            return
        own = Locations()
        own._record(statement, tokens, head)
        for key, where in own._where.items():
            self._tolerated.append((index, key, self._where.get(key), where))
            self._where[key] = where

    def _record(self, statement: SqlStatement, tokens: StatementTokens, head: tuple[str, int] | None) -> None:
        words, texts = tokens.words, tokens.texts
        base = (statement.location.line or 1) - 1

        def at(token_index: int) -> Location:
            line = tokens.line(token_index)
            if 0 < line <= len(statement.line_map):  # SQL rendered from TypeScript: its own lines
                return Location(statement.location.file, statement.line_map[line - 1])
            return Location(statement.location.file, base + line)

        if head is not None:
            kind, name_at = head
            if name_at >= len(words):
                return
            name = canonical_identifier(texts[name_at])
            self._where[(kind, name, None)] = at(0)
            if kind == "table":
                self._record_columns(name, tokens, name_at, at)
        elif words[:2] == ["ALTER", "TABLE"] and "ADD" in words:
            table = canonical_identifier(texts[2])
            col_at = words.index("ADD") + 1
            if col_at < len(words) and words[col_at] == "COLUMN":
                col_at += 1
            if col_at < len(words):
                self._where[("column", table, canonical_identifier(texts[col_at]))] = at(col_at)

    def _record_columns(self, table: str, tokens: StatementTokens, name_at: int, at: Callable[[int], Location]) -> None:
        words = tokens.words
        open_at = next((i for i in range(name_at + 1, len(words)) if words[i] == "("), None)
        if open_at is None:
            return
        for first, _stop in top_level_starts(words, open_at + 1, matching_paren(words, open_at)):
            if words[first] not in TABLE_CONSTRAINT_WORDS:
                self._where[("column", table, canonical_identifier(tokens.texts[first]))] = at(first)

    def update(self, other: Locations, offset: int = 0) -> None:
        """What ``other`` recorded, as if its statements came after this one's (a later one wins); its
        statements' indexes are ``offset`` past its own."""
        for index, key, replaced, where in other._tolerated:
            self._tolerated.append((index + offset, key, self._where.get(key) if replaced is None else replaced, where))
        self._where.update(other._where)

    def forget(self, skipped: Iterable[int]) -> None:
        """The tolerated statements at these indexes were skipped (SQLite refused them): what they recorded
        is undone, unless a later statement recorded the same thing again."""
        gone = set(skipped)
        if not gone:
            return
        for index, key, replaced, where in reversed(self._tolerated):
            if index in gone and self._where.get(key) is where:
                if replaced is None:
                    del self._where[key]
                else:
                    self._where[key] = replaced

    def compact(self, names: set[str]) -> dict[tuple[str, str, str | None], tuple[str, int | None]]:
        """What was recorded about the objects named ``names`` (canonical), as plain tuples (a few times
        cheaper to send another process than locations): every key a :meth:`lookup` of one of them reads."""
        return {key: (where.file, where.line) for key, where in self._where.items() if key[1] in names}

    @classmethod
    def from_compact(cls, compact: dict[tuple[str, str, str | None], tuple[str, int | None]]) -> Locations:
        locations = cls()
        locations._where = {key: Location(file, line) for key, (file, line) in compact.items()}
        return locations

    def lookup(self, kind: str, name: str, column: str | None) -> Location | None:
        key_name = canonical_identifier(name)
        if column is not None:
            found = self._where.get(("column", key_name, canonical_identifier(column)))
            if found:
                return found
        if kind in ("column", "foreign_key", "check", "table"):
            return self._where.get(("table", key_name, None))
        return self._where.get((kind, key_name, None))


@dataclass
class _Touches:
    """What one statement names, for grouping statements that touch disjoint objects."""

    verb: str
    created: str | None  # the object a CREATE makes (folded)
    names: set[str]  # every token's folded text, except foreign-key targets
    fk_targets: set[str]  # the folded name right after REFERENCES
    renamed_to: str | None = None  # ALTER TABLE ... RENAME TO x / RENAME COLUMN a TO b
    creates_table: bool = False  # ``created`` is a table


def create_head(words: list[str]) -> tuple[str, int] | None:
    """(kind, index of the name) of a CREATE statement (:func:`object_head`), None for any other."""
    return object_head(words) if words and words[0] == "CREATE" else None


def _touches(tokens: StatementTokens, head: tuple[str, int] | None) -> _Touches:
    """``head``: :func:`create_head` of the statement's words."""
    words, texts = tokens.words, tokens.texts
    folded = _folded_texts(texts)
    names: set[str] = set()
    fk_targets: set[str] = set()
    start = 0
    at = -1
    for _ in range(words.count("REFERENCES")):  # the list methods search in C; a table has a few
        at = words.index("REFERENCES", at + 1)
        if at + 1 < len(folded):
            names.update(folded[start : at + 1])
            fk_targets.add(folded[at + 1])
            start = at + 2
    names.update(folded[start:])
    verb = words[0] if words else ""
    created = fold_name(texts[head[1]]) if head is not None and head[1] < len(texts) else None
    renamed_to = None
    if verb == "ALTER" and "TO" in words:
        to_at = words.index("TO") + 1
        renamed_to = fold_name(texts[to_at]) if to_at < len(texts) else None
    view_or_trigger = (
        head[0] in ("view", "trigger")
        if head is not None
        else verb == "DROP" and bool({"VIEW", "TRIGGER"} & set(words[:3]))
    )
    if view_or_trigger:
        # sqlite_schema order decides the order of views and triggers: keep them all in one database.
        names.add(_VIEWS_AND_TRIGGERS)
    return _Touches(verb, created, names, fk_targets, renamed_to, head is not None and head[0] == "table")


def _folded_texts(texts: list[str]) -> list[str]:
    """Every token's text, folded as SQLite folds names (:func:`fold_name`), in one string operation.

    A statement's texts are joined with a separator; when the result is ASCII and holds exactly one
    separator per gap (no text contains it), folding the whole is folding each, a fifth faster than
    115,000 fold_name calls on a 1,000-table script.  (No tokens: the count check fails, the list is empty.)
    """
    joined = "\x1f".join(texts)
    if joined.isascii() and joined.count("\x1f") == len(texts) - 1:
        return joined.lower().split("\x1f")
    return [fold_name(text) for text in texts]


def replay_bins(touches: Sequence[_Touches | None], size: int) -> list[list[int]] | None:
    """Statement indexes grouped into scratch databases, or None when the script needs one database.

    Statements are joined (union-find) when they share the name of any object the script creates or
    renames; a foreign-key target joins only when that table is ever altered or dropped (SQLite
    rewrites REFERENCES on a rename; creating a table never looks at its parents). Views and triggers
    stay together, since their order in sqlite_schema is creation order within one database. Whole
    groups are then packed into bins of about ``size`` statements in the order of the least table name
    each creates (folded; the group of views and triggers, and any group creating no table, first): the
    model does not depend on the order of the bins, and so the last bins, which a replay helper replays,
    hold the last tables of the model, which it can then compare as well (:func:`help_replay`).
    """
    if len(touches) <= size or any(t is None or t.verb not in _LOCAL_VERBS for t in touches):
        return None
    known: set[str] = {_VIEWS_AND_TRIGGERS}
    created_count: dict[str, int] = {}
    changed: set[str] = set()  # names that appear in any ALTER or DROP
    for t in touches:
        assert t is not None
        if t.created is not None:
            known.add(t.created)
            created_count[t.created] = created_count.get(t.created, 0) + 1
        if t.renamed_to is not None:
            known.add(t.renamed_to)
        if t.verb in ("ALTER", "DROP"):
            changed |= t.names | t.fk_targets
    stable = {name for name, count in created_count.items() if count == 1 and name not in changed}
    parent = list(range(len(touches)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, t in enumerate(touches):
        assert t is not None
        for name in (t.names & known) | (t.fk_targets & known) - stable:
            if name in owner:
                parent[root(i)] = root(owner[name])
            else:
                owner[name] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(touches)):
        groups.setdefault(root(i), []).append(i)

    def first_table(members: list[int]) -> tuple[str, int]:
        created = [t.created for i in members if (t := touches[i]) is not None and t.creates_table and t.created]
        together = any(_VIEWS_AND_TRIGGERS in t.names for i in members if (t := touches[i]) is not None)
        return ("" if together or not created else min(created)), members[0]

    bins: list[list[int]] = [[]]
    for members in sorted(groups.values(), key=first_table):
        if bins[-1] and len(bins[-1]) + len(members) > size:
            bins.append([])
        bins[-1].extend(members)
    return [sorted(b) for b in bins] if len(bins) > 1 else None


class _ReplayFailed(Exception):
    pass


def _executed(runnable: Sequence[SqlStatement], index: int) -> str | tuple[int, str]:
    """A statement as a scratch database is given it (:data:`_Executed`), anywhere but the whole replay."""
    statement = runnable[index]
    return (index, statement.sql) if statement.tolerated else statement.sql


def _replay(statements: Iterable[_Executed], *, raise_input_error: bool, skipped: list[int]) -> dict[str, list[Any]]:
    """One scratch database: execute, introspect, close."""
    return parse_document(_replayed_text(statements, raise_input_error=raise_input_error, skipped=skipped))


def _replayed_text(statements: Iterable[_Executed], *, raise_input_error: bool, skipped: list[int]) -> str:
    """:func:`_replay`'s introspection document, as the JSON text libSQL returns (a statement may be given
    as its SQL alone, when it cannot fail with an input error).  The index of each tolerated statement that
    SQLite refuses is added to ``skipped``: a refused statement changes nothing (SQLite undoes it whole),
    as in the application's database, whose code ignores that failure."""
    connection = libsql.connect(":memory:")
    try:
        connection.execute("PRAGMA foreign_keys = OFF")
        for statement in statements:
            if isinstance(statement, tuple):
                try:
                    connection.execute(statement[1])
                except Exception:  # noqa: BLE001 - whatever SQLite refuses, the code ignores
                    skipped.append(statement[0])
                continue
            try:
                connection.execute(statement if isinstance(statement, str) else statement.sql)
            except Exception as exc:  # libsql raises its own ValueError subclasses
                if not raise_input_error or isinstance(statement, str):
                    raise _ReplayFailed from None
                first_line = " ".join(statement.sql.split())[:80]
                raise InputError(f"{statement.location}: SQL error: {exc} (in: {first_line})") from None
        text: str = connection.execute(INTROSPECTION_SQL).fetchone()[0]
        return text
    finally:
        connection.close()


def shadow_schema(
    statements: Sequence[SqlStatement],
    *,
    ignore: Iterable[str] = (),
    bin_size: int | None = BIN_STATEMENTS,
    helper: ReplayHelper | None = None,
    label: str | None = None,
) -> Schema:
    """Execute ``statements`` in fresh in-memory databases and introspect the result.

    Statements touching disjoint objects go to separate scratch databases (see :func:`replay_bins`);
    ``bin_size=None`` replays everything in one, as the tests compare. Any failure in a split replay
    replays the whole script in one database, so errors read exactly as they always did.

    ``helper`` (:mod:`driftgate.replay_helper`), for a large script, reads the last part of the
    statements and replays about half of the scratch databases on the other core (:func:`help_replay`);
    whatever it fails to do is done here, so the model is the same with or without it.  When the helper
    is kept for the comparison (:attr:`ReplayHelper.shares_conforming`) and ``label`` names the source, it
    then also compares the tables it replayed with themselves and renders their findings, in case the
    database conforms (:meth:`ReplayHelper.take_share`): a large conforming check compares and
    renders its findings on both cores.
    """
    exchange = helper.reading(statements) if helper is not None else None
    if helper is not None and exchange is not None and bin_size is None:
        helper.close()  # prepared for a split replay that is not wanted: out of step
    if helper is None or exchange is None or bin_size is None:
        helper = exchange = None
    split = helper.split(statements) if helper is not None else len(statements)
    first, second = _script(statements[:split]), _script(statements[split:])
    runnable, not_compared, items = first[0] + second[0], first[1] + second[1], first[2] + second[2]
    share = None
    if helper is not None and label is not None and helper.shares_conforming and not not_compared and not items:
        share = (label, tuple(ignore))
    try:
        locations, document, theirs = _replayed(runnable, len(first[0]), bin_size, helper, exchange, share)
    except BaseException:
        if helper is not None:  # the exchange was cut short: out of step, it is never used again
            helper.close()
        raise
    schema = build_schema(document, ignore=ignore, locate=locations.lookup)
    model = Schema(
        schema.tables,
        schema.views,
        schema.triggers,
        tuple(not_compared),
        tuple(items),
        table_keys=schema.table_keys,
        object_keys=schema.object_keys,
    )
    if helper is not None and exchange is not None and share is not None:
        helper.shared(exchange, model, share[0], _first_of(model, theirs))
    return model


def _first_of(model: Schema, theirs: set[str] | None) -> int | None:
    """Where the helper's tables (folded names ``theirs``) begin among the model's: None unless they are
    exactly its last tables (what a comparison split there needs, see compare.split_tables)."""
    if theirs is None:
        return None
    first = next((i for i, t in enumerate(model.tables) if fold_name(t.name) in theirs), len(model.tables))
    if any(fold_name(t.name) not in theirs for t in model.tables[first:]):
        return None
    return first  # the helper's own tables are checked by their keys when its share is taken (check.py)


Share = tuple[str, tuple[str, ...]]  # the label and the ignored names of a conforming comparison to share


def _replayed(
    runnable: list[SqlStatement],
    mine: int,
    bin_size: int | None,
    helper: ReplayHelper | None,
    exchange: int | None,
    share: Share | None = None,
) -> tuple[Locations, dict[str, list[Any]], set[str] | None]:
    """Where each thing is defined, the introspection document of the whole script, and the (folded) names
    of the tables the helper replayed when it was asked to share the comparison of its tables (``share``),
    else None.  With a helper, this process reads the first ``mine`` statements, and the helper (in
    ``exchange``) the others."""
    locations = Locations()
    touches = _read(runnable[:mine], locations)
    theirs = helper.receive("read", exchange) if helper is not None and exchange is not None else None
    if theirs is None:  # no helper, or lost: its half is read here
        helper = exchange = None
        touches.extend(_read(runnable[mine:], locations, mine))
    else:
        touches.extend(theirs[0])
        locations.update(theirs[1], mine)
    bins = replay_bins(touches, bin_size) if bin_size is not None else None
    request = None
    if bins is not None and share is not None and helper is not None and not any(s.tolerated for s in runnable):
        # (a tolerated statement's locations may yet be undone, below: no share then, its locations unsent)
        theirs = bins[_bins_for_half(bins) :]
        names = {canonical_identifier(name) for members in theirs for i in members for name in _named(touches[i])}
        request = (*share, locations.compact(names))
    skipped: list[int] = []
    try:
        if bins is not None:
            documents, first = _replay_bins(runnable, bins, helper, exchange, skipped, request)
            locations.forget(skipped)
            tables = None if first is None else {fold_name(row[0]) for d in documents[first:] for row in d["tables"]}
            return locations, merge_documents(documents), tables
        _replay_bins(runnable, [], helper, exchange, skipped)  # the helper, told there is nothing to replay, is in step
    except _ReplayFailed:
        skipped.clear()
    whole = [(i, s.sql) if s.tolerated else s for i, s in enumerate(runnable)]
    document = _replay(whole, raise_input_error=True, skipped=skipped)
    locations.forget(skipped)
    return locations, document, None


def _named(touch: _Touches | None) -> tuple[str, ...]:
    """The names a statement gives objects (what it creates, what it renames to)."""
    if touch is None:
        return ()
    return tuple(name for name in (touch.created, touch.renamed_to) if name is not None)


def refused_tolerated(statements: Sequence[SqlStatement]) -> dict[int, str]:
    """SQLite's error for each tolerated statement it refuses, by the statement's index in ``statements``,
    when those a replay executes are executed in order in one database, as :func:`shadow_schema` replays
    them (the same, however it groups them: see :func:`replay_bins`).  For whatever executes legacy DDL
    anew (``extract``, an example database).  A statement that is not tolerated and fails is passed over:
    the replay says what is wrong with it."""
    refused: dict[int, str] = {}
    connection = libsql.connect(":memory:")
    try:
        connection.execute("PRAGMA foreign_keys = OFF")
        for index, statement in enumerate(statements):
            if statement.unresolved or is_transaction_control(statement.sql):  # as _script leaves them out
                continue
            try:
                connection.execute(statement.sql)
            except Exception as exc:  # libsql raises its own ValueError subclasses
                if statement.tolerated:
                    refused[index] = str(exc)
    finally:
        connection.close()
    return refused


NotCompared = tuple[str, str, Location | None]


def _script(
    statements: Sequence[SqlStatement],
) -> tuple[list[SqlStatement], list[NotCompared], list[tuple[str, str, str, Location | None]]]:
    """The statements to execute, the ones that cannot be (an unresolved ``${...}``), and the parts of
    executed ones that cannot be compared."""
    not_compared: list[NotCompared] = []
    items: list[tuple[str, str, str, Location | None]] = []
    runnable: list[SqlStatement] = []
    for statement in statements:
        if statement.unresolved:
            placeholders = ", ".join(dict.fromkeys("${" + u + "}" for u in statement.unresolved))  # each once
            reason = statement.reason or f"the SQL depends on {placeholders}"
            not_compared.append((statement.sql, reason, statement.location))
            continue
        items.extend(statement.not_compared_items)
        if not is_transaction_control(statement.sql):
            runnable.append(statement)
    return runnable, not_compared, items


def _read(runnable: Sequence[SqlStatement], locations: Locations, offset: int = 0) -> list[_Touches | None]:
    """Each statement's tokens, read once: where it defines things (into ``locations``) and what it touches.
    ``offset``: the index of the first statement in the script."""
    touches: list[_Touches | None] = []
    for index, statement in enumerate(runnable, offset):
        tokens = scan(statement.sql)
        if tokens is None:  # SQLite cannot read it either: the replay fails, and says why
            touches.append(None)
            continue
        head = create_head(tokens.words)
        locations.record(statement, tokens, head, index)
        touches.append(_touches(tokens, head))
    return touches


def _replay_bins(
    runnable: Sequence[SqlStatement],
    bins: list[list[int]],
    helper: ReplayHelper | None,
    exchange: int | None,
    skipped: list[int],
    share: tuple[str, tuple[str, ...], dict[Any, Any]] | None = None,
) -> tuple[list[dict[str, list[Any]]], int | None]:
    """Each bin's introspection document, in bin order, and where the documents the helper replayed begin
    (None when it replayed none): the helper replays the later bins holding about half of the statements,
    this process the others (and the helper's too, should it fail).  The tolerated statements SQLite refused,
    in any bin, are added to ``skipped``.  ``share``: what the helper needs to compare its tables then
    (:func:`help_replay`); it answers in the same exchange, whatever happens."""

    def replayed(members: list[int]) -> dict[str, list[Any]]:
        return _replay((_executed(runnable, i) for i in members), raise_input_error=False, skipped=skipped)

    if helper is None or exchange is None:
        return [replayed(members) for members in bins], None
    mine = _bins_for_half(bins)
    theirs = bins[mine:]
    sent = helper.send(("replay", exchange, [[_executed(runnable, i) for i in members] for members in theirs], share))
    if sent and share is not None:
        helper.expect_share(exchange)
    try:
        documents = [replayed(members) for members in bins[:mine]]
    except _ReplayFailed:
        if sent:  # its answer is not needed, but read, to stay in step
            helper.receive("replayed", exchange)
        raise
    answer = helper.receive("replayed", exchange) if sent else None
    if answer is None:  # lost: its bins are replayed here
        documents.extend(replayed(members) for members in theirs)
        return documents, None
    if answer[0] is None:  # a statement failed there: the whole script is replayed here, for its error
        raise _ReplayFailed
    documents.extend(map(parse_document, answer[0]))
    skipped.extend(answer[1])
    return documents, mine


def _bins_for_half(bins: list[list[int]]) -> int:
    """How many leading bins hold about half of the statements."""
    total, held = sum(map(len, bins)), 0
    for index, members in enumerate(bins):
        if held * 2 >= total:
            return index
        held += len(members)
    return len(bins)


def help_replay(statements: Sequence[SqlStatement], exchange: int, channel: Channel) -> bool:
    """The helper's side of :func:`shadow_schema`, in the forked child, given the last part of the
    statements in ``exchange``: send what they define and touch; then replay the bins whose SQL it is sent
    and send their introspection texts (None for them all when a statement fails: the parent replays the
    script in one database, for the error exactly as it reads there), and the indexes of the tolerated
    statements SQLite refused.  False when the parent is out of step."""
    runnable = _script(statements)[0]
    locations = Locations()
    channel.send(("read", exchange, _read(runnable, locations), locations))
    request = channel.receive()
    if not isinstance(request, tuple) or len(request) != 4 or request[:2] != ("replay", exchange):
        return False
    skipped: list[int] = []
    try:
        texts: list[str] | None = [
            _replayed_text(sqls, raise_input_error=False, skipped=skipped) for sqls in request[2]
        ]
    except _ReplayFailed:
        texts = None
    channel.send(("replayed", exchange, texts, skipped))
    if request[3] is not None:
        answer = None
        if texts:
            try:
                answer = _conforming_share(texts, *request[3])
            except Exception:  # noqa: BLE001 - the parent compares these tables itself, as without a helper
                answer = None
        if answer is not None and channel.shared is not None:  # put where the parent reads them in place
            keys, renderings, counts = answer
            answer = (keys, [channel.shared.put(r) or r for r in renderings], counts)
        channel.send(("conforming", exchange, answer))
    return True


def _conforming_share(
    texts: list[str], label: str, ignore: tuple[str, ...], compact: dict[Any, Any]
) -> tuple[tuple[bytes, ...], list[bytes], list[Any]] | None:
    """The helper's share of a conforming comparison: the tables of its scratch databases (built as the
    parent builds the whole model, its locations from ``compact``) compared with themselves, comparator by
    comparator, each list of findings rendered for the JSON report and counted; with the tables' input keys,
    by which the parent knows them for its own last tables (:func:`driftgate.introspect.table_input_key`).
    None when they hold views or triggers (the parent's part holds those)."""
    from driftgate.compare import conforming_chunks
    from driftgate.findings import counted
    from driftgate.report.json_report import rendered_findings

    locations = Locations.from_compact(compact)
    schema = build_schema(merge_documents(map(parse_document, texts)), ignore=ignore, locate=locations.lookup)
    if schema.views or schema.triggers:
        return None
    chunks = conforming_chunks(schema, label)
    return schema.table_keys, [bytes(rendered_findings(c)) for c in chunks], [counted(c) for c in chunks]
