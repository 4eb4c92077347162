"""A replay helper: a forked child that replays on the other core while this process does other work.

Replaying a script (reading its statements, executing them in libSQL, building the model) is CPU work in
one Python thread.  The helper is a copy of this process forked when a check starts, before it starts a
thread or first uses libSQL (see :func:`driftgate.forked.fork_allowed`).  It serves replays in one of two
ways:

- a large replay (:data:`HELPER_STATEMENTS` or more) is shared (:meth:`ReplayHelper.prepare`): the
  helper is sent the last part of the statements (:data:`HELPER_READS`) and reads them while this
  process reads the rest; :func:`driftgate.shadow.shadow_schema` takes what it read, and has it replay
  about half of the scratch databases too (the exchange is in :mod:`driftgate.shadow`, both ends of it);
- a smaller one is done by the helper whole (:meth:`ReplayHelper.model`), when it was started
  ``reading_ahead``: it imports the replay's modules as soon as it is forked, and the parser once it is
  told the sources are small (:meth:`ReplayHelper.import_parser_for`), while this process imports the
  rest of the check, so that a small cold check never waits for sqlglot's import on its critical path
  (this process does not import sqlglot at all when the live database conforms).  The CLI starts such a
  helper before it imports the check.

A helper kept for the comparison (:attr:`ReplayHelper.shares_conforming`, the check's own) also takes a share
of it after a shared replay: it compares the tables it replayed with themselves and renders their findings
(:func:`driftgate.shadow.help_replay`), which the check takes (:meth:`ReplayHelper.take_share`) when the
database turns out to equal the model, comparing and rendering only the other tables itself; the renderings
come back through memory both processes map (:data:`SHARED_BYTES`), not through the pipe.

A helper that reads ahead also builds the live state (:meth:`ReplayHelper.live`) of a database of up to
:data:`LIVE_TABLES` tables whose DDL texts are not the expected ones (a legacy database against
drizzle's DDL), when building it would make this process import the parser (sqlglot, whose import alone
takes a tenth of a second; the helper imports it as it starts): see :func:`driftgate.check.live_model`.
Once the live state is built, the helper is ended.

Whatever the helper fails to do, the replay does itself: the model is the same with or without one
(a statement that fails there is replayed here, so that its error reads exactly as it always did).

Each exchange carries its own number, so that an answer can never be taken for another replay's (an
exchange cut short leaves the helper out of step: it is then closed, and never asked again).  This
module imports neither the parser nor libSQL: starting a helper costs the parent nothing but the fork.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
from collections.abc import Callable, Iterator, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from driftgate.forked import Channel, Child, ChildLost

if TYPE_CHECKING:
    from driftgate.live import LiveState, RawLive
    from driftgate.model import Schema
    from driftgate.request import CheckRequest
    from driftgate.sources import LoadedSources
    from driftgate.sources.statements import SqlStatement

# Below this many statements a helper saves less than the exchange costs (about 250 tables).
HELPER_STATEMENTS = 1000
# The share of the statements the helper reads (it replays about half of the scratch databases).  Less
# than half: it must send what it read back, and it reads its part beside the server's introspection
# when the database is local.  Measured, 1,000 tables over a local sqld, interleaved, per-round medians,
# against 0.3: 0.45 took 0.953x and 0.973x the time (24 and 20 rounds, faster in 19 and 15), 0.4 0.975x,
# 0.55 0.992x.  (Earlier sessions found 0.3 best: then the helper did not yet compare its share of the
# tables, and this process's part of the reading was not yet the longest thing it did.)
HELPER_READS = 0.45

# Up to this many live tables, a helper that reads ahead builds the live state for a process without the
# parser (:meth:`ReplayHelper.live`); beyond, sending it the models and the state back costs about what
# importing the parser here does (0.1-0.17 s), so it is built here.
LIVE_TABLES = 200

# Sources (SQL files, a migrations folder) of at least this many bytes make a shared replay (the bench's
# 1,000 statements, HELPER_STATEMENTS, are 132 KB), for which the helper needs no parser: it reads statements
# with driftgate.sqlite_tokens, and only executes and introspects its scratch databases.  Its parser import
# would be a tenth to a fifth of a second of CPU for nothing, on a warm run too; taken from this process
# when the machine's other core is busy (see import_parser_for).
SHARED_SOURCE_BYTES = 128 * 1024

# The memory the helper and this process both see (forked.SharedBytes), where the helper puts the renderings
# of its share of a comparison (13 MB at 1,000 tables; mapped, not taken: a page costs memory once written).
# A share that does not fit goes through the pipe.
SHARED_BYTES = 256 * 1024 * 1024

_exchanges = itertools.count(1)


class ReplayHelper:
    """A running helper, serving one replay at a time, until :meth:`close`."""

    def __init__(self, child: Child, *, reading_ahead: bool = False) -> None:
        self.child: Child | None = child
        self._shared = child.shared  # kept past close: a share taken may still be read there
        self.reading_ahead = reading_ahead  # it imports the parser before it is asked anything
        self._reading: tuple[Sequence[SqlStatement], int] | None = None  # what prepare sent, its exchange
        self._ending: Child | None = None  # killed by close(reap=False), reaped by the next close
        self._meanwhile: list[Callable[[], object]] = []  # done the next time this process waits for it
        # Set by an owner that keeps the helper until the check has compared (run_check): a shared replay
        # then asks it for its share of the comparison too.
        self.shares_conforming = False
        self._shares: dict[int, _Share] = {}  # by exchange, in the order the answers will come
        # The sources loaded as soon as the request was known (keep_loaded); the replays of some begun then
        # (replay_ahead), by exchange, in the order the answers will come; and those answers, once taken.
        self._loaded: tuple[CheckRequest, LoadedSources] | None = None
        self._ahead: dict[int, tuple[Sequence[SqlStatement], tuple[str, ...]]] = {}
        self._models: list[tuple[Sequence[SqlStatement], tuple[str, ...], Schema | None]] = []

    @classmethod
    def start(cls, *, reading_ahead: bool = False) -> ReplayHelper | None:
        """A helper, when this process may fork one that uses libSQL; else None.

        ``reading_ahead``: the helper imports the replay's modules at once, replays small scripts whole
        (:meth:`model`) and builds small live states (:meth:`live`), while this process reads its sources
        (the CLI forks it before it even imports the check; ``run_check`` as the check starts); told which
        sources are coming (:meth:`import_parser_for`), it imports the parser meanwhile.  Without it, a
        helper only shares large replays.
        """
        child = Child.start(_serve_reading_ahead if reading_ahead else _serve, shared_bytes=SHARED_BYTES)
        return cls(child, reading_ahead=reading_ahead) if child is not None else None

    @classmethod
    @contextlib.contextmanager
    def reading_ahead(cls) -> Iterator[ReplayHelper | None]:
        """A helper that reads ahead (:meth:`start`), or None; closed on the way out, whatever happens."""
        helper = cls.start(reading_ahead=True)
        try:
            yield helper
        finally:
            if helper is not None:
                helper.close()

    @staticmethod
    def helps_with(statements: Sequence[SqlStatement]) -> bool:
        """Whether a replay of these statements is large enough for a helper to be worth its exchange."""
        return len(statements) >= HELPER_STATEMENTS

    def split(self, statements: Sequence[SqlStatement]) -> int:
        """Where the helper's part of the statements begins (:data:`HELPER_READS`)."""
        count = len(statements)
        return count - int(count * HELPER_READS)

    def model(self, statements: Sequence[SqlStatement], ignore: tuple[str, ...]) -> Schema | None:
        """The model of ``statements``, replayed whole by a helper that reads ahead, for a script too small
        to share (:meth:`helps_with`); None when there is no such helper, or it failed (replay here).
        A replay of these very statements begun ahead (:meth:`replay_ahead`) is taken, not done again."""
        if self.child is None or not self.reading_ahead or self.helps_with(statements):
            return None
        self._take_ahead()
        for index, (begun, begun_ignore, model) in enumerate(self._models):
            if begun_ignore == ignore and begun == statements:
                del self._models[index]
                return model
        return self._ask("model", statements, ignore)

    def keep_loaded(self, request: CheckRequest, loaded: LoadedSources) -> None:
        """``request``'s sources, loaded as soon as it was known (the CLI's :func:`~driftgate.cli.check_begun`),
        for the check to take (:meth:`loaded_ahead`) rather than load them again."""
        self._loaded = (request, loaded)

    def loaded_ahead(self, request: CheckRequest) -> LoadedSources | None:
        """The sources kept for this very ``request`` (:meth:`keep_loaded`), else None."""
        return self._loaded[1] if self._loaded is not None and self._loaded[0] is request else None

    def replay_ahead(self, statements: Sequence[SqlStatement], ignore: tuple[str, ...]) -> None:
        """A small script's whole replay begun now, while this process imports the check, for :meth:`model`
        to take when it is asked for these very statements.  Only before any other exchange, and only for a
        script whose model is not in the cache (the CLI looks first): an answer never asked for is still
        taken, and waited for, before the next exchange."""
        if self.child is None or not self.reading_ahead or self.helps_with(statements):
            return
        if self._reading is not None or self._shares or self._models:
            return
        exchange = next(_exchanges)
        if self.send(("model", exchange, statements, ignore)):
            self._ahead[exchange] = (statements, ignore)

    def _take_ahead(self) -> None:
        """The answers of the replays begun ahead, in order (they come before any other)."""
        while self._ahead:
            exchange = next(iter(self._ahead))
            statements, ignore = self._ahead.pop(exchange)
            answer = self.receive("model", exchange) if self.child is not None else None
            if answer is not None:  # else lost, and closed: nothing is begun any more
                self._models.append((statements, ignore, answer[0]))

    def builds_live(self, raw: RawLive) -> bool:
        """Whether this helper would build the live state of ``raw`` (:meth:`live`)."""
        return self.may_build_live(len(raw.document.get("tables", ())))

    def may_build_live(self, tables: int) -> bool:
        """Whether this helper would build the live state of a schema of ``tables`` tables: one that reads
        ahead, still running, and at most :data:`LIVE_TABLES` tables."""
        return self.child is not None and self.reading_ahead and tables <= LIVE_TABLES

    def live(
        self, raw: RawLive, known: Sequence[Schema], ignore: tuple[str, ...], ledger_table: str
    ) -> LiveState | None:
        """The live state built from ``raw`` (:func:`driftgate.live.live_state`) by a helper that reads ahead,
        which imports the parser as it starts, for a process that has not imported it; None when there is no
        such helper, or it failed (built here)."""
        if not self.builds_live(raw):
            return None
        return self._ask("live", raw, tuple(known), ignore, ledger_table)

    def _ask(self, kind: str, *question: Any) -> Any:
        """The answer to ``question`` in a new exchange of ``kind`` (one message each way); None when the
        helper is out of step, lost, or failed."""
        if not self._in_step():
            return None
        exchange = next(_exchanges)
        if not self.send((kind, exchange, *question)):
            return None
        answer = self.receive(kind, exchange)
        return answer[0] if answer is not None else None

    def _in_step(self) -> bool:
        """False, and the helper closed, when the last exchange (prepare's) never took place: out of step.
        Shares of a comparison still to come are taken first (an exchange begun now would read them)."""
        if self._reading is not None:
            self.close()
            return False
        self._take_ahead()
        self._take_shares()
        return self.child is not None

    def expect_share(self, exchange: int) -> None:
        """The helper, sent a replay in ``exchange`` with a share to compare, will answer it then."""
        self._shares[exchange] = _Share()

    def shared(self, exchange: int, model: Schema, label: str, first: int | None) -> None:
        """The share asked for in ``exchange`` is of ``model``'s tables from ``first`` on (None: it cannot
        be of use, its tables not being the model's last ones), compared under ``label``."""
        share = self._shares.get(exchange)
        if share is not None:
            share.model, share.label, share.first = model, label, first

    @property
    def awaits_share(self) -> bool:
        """Whether a share of a comparison is still to be taken: the helper is then kept running."""
        return self.child is not None and any(s.first is not None and not s.taken for s in self._shares.values())

    def share_begins(self, model: Schema, label: str) -> int | None:
        """Where the tables of the helper's share of ``model`` compared with itself under ``label`` begin among
        ``model``'s; None when it has no share of it (this process compares every table itself)."""
        exchange = self._share_of(model, label)
        return None if exchange is None else self._shares[exchange].first

    def take_share(self, model: Schema, label: str) -> ConformingShare | None:
        """The helper's share (:meth:`share_begins`), waited for: its tables' input keys, and each comparator's
        rendering and counts of their findings; None when it was lost or failed."""
        exchange = self._share_of(model, label)
        if exchange is None:
            return None
        self._take_shares(until=exchange)
        share = self._shares.pop(exchange, None)
        if share is None or share.answer is None:
            return None
        keys, renderings, counts = share.answer
        shared = self._shared
        try:  # a rendering the helper put in the memory both see is read there, in place
            pieces = [r if isinstance(r, bytes) else shared.view(r) for r in renderings]  # type: ignore[union-attr]
        except (AttributeError, TypeError, ValueError):  # a place it could not have put anything: not trusted
            return None
        return keys, pieces, counts

    def _share_of(self, model: Schema, label: str) -> int | None:
        if self.child is None:
            return None
        return next(
            (e for e, s in self._shares.items() if s.model is model and s.label == label and s.first is not None),
            None,
        )

    def _take_shares(self, until: int | None = None) -> None:
        """The answers of the shares asked for, in order, up to the exchange ``until`` (all without it)."""
        for exchange, share in list(self._shares.items()):
            if not share.taken:
                answer = self.receive("conforming", exchange) if self.child is not None else None
                share.taken, share.answer = True, answer[0] if answer is not None else None
            if exchange == until:
                return

    def prepare(self, statements: Sequence[SqlStatement]) -> None:
        """A replay of ``statements`` is coming: when it is worth the help, the helper is sent their last
        part to read now (see :meth:`reading`)."""
        if self.child is None or not self.helps_with(statements) or not self._in_step():
            return
        exchange = next(_exchanges)
        if self.send(("read", exchange, statements[self.split(statements) :])):
            self._reading = (statements, exchange)

    def reading(self, statements: Sequence[SqlStatement]) -> int | None:
        """The exchange in which the helper reads the last part of these very ``statements`` (sent by
        :meth:`prepare`), for the replay to take up; else None."""
        if self._reading is None or self._reading[0] is not statements:
            return None
        exchange = self._reading[1]
        self._reading = None
        return exchange

    def send(self, message: tuple[Any, ...]) -> bool:
        """``message`` sent; False when the helper is lost (it is then closed)."""
        try:
            if self.child is not None:
                self.child.send(message)
                return True
        except ChildLost:
            self.close()
        return False

    def import_parser_for(self, request: CheckRequest) -> None:
        """A helper that reads ahead starts importing the parser (on a thread) unless ``request``'s sources
        will make a shared replay, which needs none there (:data:`SHARED_SOURCE_BYTES`): sent before any
        exchange, as soon as the request is known.  A wrong guess costs time, never a wrong model: a helper
        that needs the parser imports it then."""
        if self.child is not None and self.reading_ahead and self._reading is None and _small_sources(request):
            self.send(("parser",))

    def meanwhile(self, work: Callable[[], object]) -> None:
        """``work`` is done in this process the next time it waits for the helper's answer, rather than
        later on the check's own path (the imports the reports need, say); never, if it never waits.  It
        must not fail: whatever it raises is dropped (the work is done again where it is needed)."""
        self._meanwhile.append(work)

    def receive(self, tag: str, exchange: int) -> tuple[Any, ...] | None:
        """The rest of the helper's next message, which must be ``tag``'s in ``exchange``; None when the
        helper is lost or out of step (it is then closed: a replay never waits for it again)."""
        while self._meanwhile:
            with contextlib.suppress(Exception):
                self._meanwhile.pop(0)()
        try:
            message = self.child.receive() if self.child is not None else None
        except ChildLost:
            message = None
        if not isinstance(message, tuple) or len(message) < 2 or message[:2] != (tag, exchange):
            self.close()
            return None
        return tuple(message[2:])

    def close(self, *, reap: bool = True) -> None:
        """The helper is no longer needed (it may still be working, or waiting for work): end it.

        ``reap=False``: it is killed now and reaped by the next close, so that this process goes on while
        it goes (that takes a few milliseconds: measured, 6 ms of a 0.3 s check of 40 tables).
        """
        self._reading = None
        self._meanwhile.clear()
        self._shares.clear()
        self._ahead.clear()
        self._models.clear()
        if self.child is not None:
            self.child.kill()
            self._ending, self.child = self.child, None
        if reap and self._ending is not None:
            self._ending.wait()
            self._ending = None

    def __enter__(self) -> ReplayHelper:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


# The helper's share of a conforming comparison (driftgate.shadow._conforming_share): its tables' input keys,
# and for each comparator the JSON report's rendering of their findings (as the helper sends it: the bytes,
# or where it put them in the memory both see; as take_share gives it: bytes or a view there) and the
# findings' counts.
ConformingShare = tuple[tuple[bytes, ...], list[Any], list[Any]]


class _Share:
    """A share of a comparison asked of the helper in one exchange, and its answer once taken."""

    def __init__(self) -> None:
        self.model: Schema | None = None
        self.label = ""
        self.first: int | None = None
        self.taken = False
        self.answer: ConformingShare | None = None


def _small_sources(request: CheckRequest) -> bool:
    """Whether ``request``'s sources may make a replay the helper does whole (or none at all): fewer than
    :data:`SHARED_SOURCE_BYTES` bytes of SQL files and migrations, sized before they are read.  Legacy
    code holds its DDL among other code, and a Drizzle schema is exported by drizzle-kit (seconds, which
    the import fits in): both count as small."""
    if request.legacy or request.drizzle:
        return True
    total = 0
    for path in (*request.sql, *((request.migrations,) if request.migrations else ())):
        try:
            files = path.rglob("*.sql") if path.is_dir() else (path,)
            total += sum(file.stat().st_size for file in files)
        except OSError:  # the sources' own reading says what is wrong
            continue
        if total >= SHARED_SOURCE_BYTES:
            return False
    return True


def _serve_reading_ahead(channel: Channel) -> None:
    """:func:`_serve`, the replay's own modules imported first.

    The replay reads statements without the parser (:mod:`driftgate.sqlite_tokens`), but most real
    schemas have a default or a CHECK it must read (``DEFAULT (unixepoch())``): imported as soon as the
    sources are known to be small ("parser", :meth:`ReplayHelper.import_parser_for`), while this process
    imports the check, it is seldom waited for.  On a thread, so that a replay asked for before it is
    imported starts at once (and waits only if it needs the parser, in ``load_parser``).  Measured with
    :meth:`ReplayHelper.meanwhile` (the CLI's summary imports rich while it waits), against importing it
    first, interleaved, cold: 40 synthetic tables (no parser needed) 0.29 s against 0.33 s (medians, 20
    rounds); the bundled example (needed) 0.415 s against 0.443 s (16 rounds).
    """
    gc.disable()
    import driftgate.shadow  # noqa: F401

    _serve(channel)


# What each exchange's first message holds, by its kind: how many items.  "parser" is no exchange: it
# starts the parser's import and has no answer.
_REQUEST_SIZES = {"read": 3, "model": 4, "live": 6, "parser": 1}


def _serve(channel: Channel) -> None:
    """The helper's life: one exchange after another, each begun by "read" (a shared replay, see
    :func:`driftgate.shadow.help_replay`), "model" (a whole one) or "live" (the live state), or the word
    to import the parser ("parser"); anything else ends it."""
    gc.disable()  # what it builds lives until it exits, in no cycle: a collection would only walk it
    while True:
        request = channel.receive()
        kind = request[0] if isinstance(request, tuple) and request else None
        if kind not in _REQUEST_SIZES or len(request) != _REQUEST_SIZES[kind]:
            return
        if kind == "parser":
            import threading

            from driftgate.normalize import load_parser

            threading.Thread(target=load_parser, name="driftgate-parser", daemon=True).start()
            continue
        from driftgate.shadow import help_replay, shadow_schema

        if kind == "read":
            if not help_replay(request[2], request[1], channel):
                return
            continue
        answer: Any = None
        try:
            if kind == "model":
                answer = shadow_schema(request[2], ignore=request[3])
            else:
                from driftgate.live import live_state

                answer = live_state(request[2], known=request[3], ignore=request[4], ledger_table=request[5])
        except Exception:  # noqa: BLE001 - bad input above all: done again by the parent, for its error
            answer = None
        channel.send((kind, request[1], answer))
