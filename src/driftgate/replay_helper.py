"""A replay helper: a forked child that does about half of each large replay on the other core.

Replaying a 1,000-table script (tokenising 4,000 statements, executing them in libSQL) is CPU work in
one Python thread.  The helper is a copy of this process forked when a check starts, before it starts a
thread or first uses libSQL (see :func:`driftgate.forked.fork_allowed`).  It waits, costing nothing,
until a large replay is coming (:meth:`ReplayHelper.prepare`): it is then sent the last part of the
statements (:data:`HELPER_READS`), imports the parser and reads them while this process does the same
with the rest.  :func:`driftgate.shadow.shadow_schema` takes what it read, and has it replay about half
of the scratch databases too (the exchange is in :mod:`driftgate.shadow`, both ends of it).  Whatever the helper fails
to do, the replay does itself: the model is the same with or without one.

Each exchange carries its own number, so that an answer can never be taken for another replay's (an
exchange cut short leaves the helper out of step: it is then closed, and never asked again).  This
module imports neither the parser nor libSQL: starting a helper costs the parent nothing but the fork.
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from driftgate.forked import Channel, Child, ChildLost

if TYPE_CHECKING:
    from driftgate.sources.statements import SqlStatement

# Below this many statements a helper saves less than the exchange costs (about 250 tables).
HELPER_STATEMENTS = 1000
# The share of the statements the helper reads (it replays about half of the scratch databases).  Less
# than half: it must send what it read back, and beside a local sqld it shares its core with the server
# answering the live read at that very moment (measured, 1,000 tables, local sqld, 16 rounds each: a
# share of 0.5 waited up to 0.14 s for the helper; 0.4 and 0.33 about 0.02 s, the unpickling).
HELPER_READS = 0.4

_exchanges = itertools.count(1)


class ReplayHelper:
    """A running helper, serving one replay at a time, until :meth:`close`."""

    def __init__(self, child: Child) -> None:
        self.child: Child | None = child
        self._reading: tuple[Sequence[SqlStatement], int] | None = None  # what prepare sent, its exchange

    @classmethod
    def start(cls) -> ReplayHelper | None:
        """A helper, when this process may fork one that uses libSQL; else None."""
        child = Child.start(_serve)
        return cls(child) if child is not None else None

    @staticmethod
    def helps_with(statements: Sequence[SqlStatement]) -> bool:
        """Whether a replay of these statements is large enough for a helper to be worth its exchange."""
        return len(statements) >= HELPER_STATEMENTS

    @staticmethod
    def split(statements: Sequence[SqlStatement]) -> int:
        """Where the helper's part of the statements begins (:data:`HELPER_READS`)."""
        return len(statements) - int(len(statements) * HELPER_READS)

    def prepare(self, statements: Sequence[SqlStatement]) -> None:
        """A replay of ``statements`` is coming: when it is worth the help, the helper is sent their last
        part to read now (see :meth:`reading`)."""
        if self.child is None or not self.helps_with(statements):
            return
        if self._reading is not None:  # the last exchange never took place: out of step
            self.close()
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

    def receive(self, tag: str, exchange: int) -> tuple[Any, ...] | None:
        """The rest of the helper's next message, which must be ``tag``'s in ``exchange``; None when the
        helper is lost or out of step (it is then closed: a replay never waits for it again)."""
        try:
            message = self.child.receive() if self.child is not None else None
        except ChildLost:
            message = None
        if not isinstance(message, tuple) or len(message) < 2 or message[:2] != (tag, exchange):
            self.close()
            return None
        return tuple(message[2:])

    def close(self) -> None:
        """The helper is no longer needed (it may still be working, or waiting for work): end it."""
        self._reading = None
        if self.child is not None:
            self.child.stop()
            self.child = None

    def __enter__(self) -> ReplayHelper:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def _serve(channel: Channel) -> None:
    """The helper's life: one exchange after another, each begun by "read" (see
    :func:`driftgate.shadow.help_replay`); anything else ends it."""
    gc.disable()  # what it builds lives until it exits, in no cycle: a collection would only walk it
    while True:
        request = channel.receive()
        if not isinstance(request, tuple) or len(request) != 3 or request[0] != "read":
            return
        from driftgate.normalize import load_parser

        load_parser()
        from driftgate.shadow import help_replay

        if not help_replay(request[2], request[1], channel):
            return
