"""Work done in a forked copy of this process, on the machine's other core.

A cold check of a large schema is CPU-bound in one Python process while a second core sits idle.  Two
kinds of work go to a forked child (only on Linux with two or more cores; anywhere else, or when forking
is refused, the parent does the work itself, with the same result):

- part of a large replay (:class:`driftgate.replay_helper.ReplayHelper`, forked before anything is read
  and sent its part of the statements);
- writing a new model to the expected-model cache (:func:`in_background`): the child starts with it in
  its memory, so nothing is copied or sent; it runs at the lowest priority, so it takes a core only when
  the check leaves one idle.

Work that lets go of the interpreter (hashing and writing a conforming record's tens of megabytes) needs
no fork: a thread does it (:class:`ThreadWork`), waited for as a child is.

Forking is safe only where no other thread can hold a lock the child would need: each user says which
threads it tolerates (see :func:`fork_allowed`).  A child never returns into the parent's code: it
leaves through ``os._exit`` whatever happens, so no ``atexit`` handler, buffered output or pytest
teardown runs twice.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from typing import Any


class ChildLost(Exception):
    """The child died, or sent what it should not have: the parent does that work itself."""


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def os_thread_count() -> int:
    """Threads of this process as the kernel counts them, native ones too (libSQL starts one on its
    first connection, which :func:`threading.active_count` does not see)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 0  # unknown: not allowed


def turned_off(environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``DRIFTGATE_FORK=0`` is set in ``environ`` (by default this process's environment): the
    user's way out, should forking ever hurt."""
    return (os.environ if environ is None else environ).get("DRIFTGATE_FORK", "").strip() == "0"


def fork_allowed(*, tolerate_native_threads: bool) -> bool:
    """Whether a child may be forked here and now.

    Linux only (macOS's system libraries are not fork-safe, Windows has no fork), at least two usable
    cores, not turned off (``DRIFTGATE_FORK=0``), and no other Python thread.  Without
    ``tolerate_native_threads``, also refused once any native thread exists: a child that uses libSQL
    must be forked before this process first did (libSQL's runtime thread would be missing in the
    child).  A child that only pickles and writes files tolerates that thread, which is idle once every
    connection is closed.
    """
    if sys.platform != "linux" or not hasattr(os, "fork") or _cores() < 2:
        return False
    if turned_off():
        return False
    if threading.active_count() != 1:
        return False
    return tolerate_native_threads or os_thread_count() == 1


# How long the parent waits for a child's answer, or for a child to finish, before it gives up on it
# (kills it and does the work itself): far beyond any real work, only so that a hung child cannot hang
# the check.
ANSWER_SECONDS = 600.0
_FRAME_HEAD = 8  # each message: its length (8 bytes, big-endian), then its pickle


class SharedBytes:
    """Memory a forked child and its parent both see (mapped before the fork), where the child puts large
    byte strings for the parent to read in place: tens of megabytes sent through the pipe instead cost the
    parent a wait on every 64 KB the child writes, and two copies.  Each string gets space of its own (none
    is reused): what the parent reads stays as the child wrote it."""

    def __init__(self, size: int) -> None:
        import mmap

        self._map = mmap.mmap(-1, size)  # shared and anonymous; a page takes memory only once written
        self._used = 0  # the child's: where the next string goes

    def put(self, data: bytes | memoryview) -> tuple[int, int] | None:
        """(Where, how long) ``data`` now is, for :meth:`view` in the parent; None when it does not fit."""
        start, end = self._used, self._used + len(data)
        if end > len(self._map):
            return None
        self._map[start:end] = data
        self._used = end
        return start, len(data)

    def view(self, spot: tuple[int, int]) -> memoryview:
        """What the child :meth:`put` there, read in place (no copy)."""
        start, length = spot
        if start < 0 or length < 0 or start + length > len(self._map):
            raise ValueError(f"no such place in the shared memory: {spot}")
        return memoryview(self._map)[start : start + length]


class Child:
    """A forked child running ``work(channel)``, with a two-way channel of pickled messages (and, when it
    was started with some, memory both see: :attr:`shared`)."""

    def __init__(self, pid: int, reader: int, writer: int, shared: SharedBytes | None = None) -> None:
        self.pid = pid
        self._reader, self._writer = reader, writer  # file descriptors: frames are read with a deadline
        self._status: int | None = None  # the exit status, once reaped
        self.shared = shared

    @classmethod
    def start(
        cls, work: Callable[[Channel], None], *, tolerate_native_threads: bool = False, shared_bytes: int = 0
    ) -> Child | None:
        """The running child, or None when forking is not allowed (:func:`fork_allowed`) or fails.
        ``shared_bytes``: the size of the memory both see (:class:`SharedBytes`), if any."""
        if not fork_allowed(tolerate_native_threads=tolerate_native_threads):
            return None
        shared = None
        if shared_bytes:
            with contextlib.suppress(OSError, ValueError):  # no such memory: strings go through the pipe
                shared = SharedBytes(shared_bytes)
        from_parent, to_child = os.pipe()  # (read end, write end)
        from_child, to_parent = os.pipe()
        # Ctrl-C reaches the whole process group: held back until the child is inside its try (where it
        # ends the child) and the parent is past the fork, so neither runs the other's code.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            with warnings.catch_warnings():
                # Python 3.12+ warns about forking with threads; the only one tolerated here is libSQL's
                # idle runtime thread, and a child that tolerates it never calls into libSQL.
                warnings.simplefilter("ignore", DeprecationWarning)
                pid = os.fork()
        except OSError:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            for fd in (to_child, from_parent, from_child, to_parent):
                os.close(fd)
            return None
        if pid == 0:  # the child: never returns
            code = 1
            try:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
                os.close(to_child)
                os.close(from_child)
                work(Channel(from_parent, to_parent, shared))
                code = 0
            except BaseException:  # noqa: BLE001 - the parent sees the channel close and does the work itself
                pass
            finally:
                os._exit(code)
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        os.close(from_parent)
        os.close(to_parent)
        return cls(pid, from_child, to_child, shared)

    def send(self, message: Any) -> None:
        try:
            _write_frame(self._writer, pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception as exc:  # the child is gone (a broken pipe), or the message cannot be pickled
            raise ChildLost(str(exc)) from None

    def receive(self, timeout: float = ANSWER_SECONDS) -> Any:
        """The child's next message; :class:`ChildLost` when it ends, sends garbage or is silent too long."""
        try:
            return pickle.loads(_read_frame(self._reader, time.monotonic() + timeout))
        except Exception as exc:  # end of file, a truncated or garbled message, the time is up
            raise ChildLost(str(exc)) from None

    def wait(self, timeout: float = ANSWER_SECONDS) -> bool:
        """Let the child finish (killed if it takes longer than ``timeout``); True when it exited cleanly."""
        self._writer = _close(self._writer)
        deadline = time.monotonic() + timeout
        while self._status is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere
                self._status = -1
                break
            if pid:
                self._status = status
            elif time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)
                deadline = float("inf")
                time.sleep(0.001)
            else:
                time.sleep(0.001)
        self._reader = _close(self._reader)
        return self._status >= 0 and os.waitstatus_to_exitcode(self._status) == 0

    def kill(self) -> None:
        """End the child now, whatever it is doing (its work is no longer wanted); :meth:`wait` reaps it.
        A killed process takes a few milliseconds to go: the caller may do other work meanwhile."""
        if self._status is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    def stop(self) -> None:
        """:meth:`kill`, and reap it."""
        self.kill()
        self.wait()


class Channel:
    """The child's end of :class:`Child`'s channel (it waits as long as its parent takes)."""

    def __init__(self, reader: int, writer: int, shared: SharedBytes | None = None) -> None:
        self._reader, self._writer = reader, writer
        self.shared = shared  # the memory the parent sees too (Child.start's shared_bytes), if any

    def send(self, message: Any) -> None:
        _write_frame(self._writer, pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))

    def receive(self) -> Any:
        return pickle.loads(_read_frame(self._reader, float("inf")))


def _write_frame(fd: int, data: bytes) -> None:
    view = memoryview(len(data).to_bytes(_FRAME_HEAD, "big") + data)
    while view:
        view = view[os.write(fd, view) :]


def _read_frame(fd: int, deadline: float) -> bytes:
    size = int.from_bytes(_read_exactly(fd, _FRAME_HEAD, deadline), "big")
    return _read_exactly(fd, size, deadline)


def _read_exactly(fd: int, size: int, deadline: float) -> bytes:
    pieces, wanted = [], size
    while wanted:
        if deadline != float("inf"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError("no answer in time")
        piece = os.read(fd, min(wanted, 1 << 20))
        if not piece:
            raise EOFError("the other end is closed")
        pieces.append(piece)
        wanted -= len(piece)
    return b"".join(pieces)


def _close(fd: int) -> int:
    """-1, what a closed descriptor is kept as (closing a number twice could close another file)."""
    if fd >= 0:
        with contextlib.suppress(OSError):
            os.close(fd)
    return -1


def in_background(work: Callable[[], None], *, fork: bool = True) -> Child | None:
    """``work()`` in a forked child at the lowest priority (:meth:`Child.wait` for it to finish); or, when
    this process may not fork, or ``fork`` is false (work too small to be worth a fork), done here and
    now, and None.  libSQL's idle thread is tolerated."""

    def niced(_channel: Channel) -> None:
        with contextlib.suppress(OSError):
            os.nice(19)  # it only writes what is done: the cores go to the check first, to it when idle
        work()

    child = Child.start(niced, tolerate_native_threads=True) if fork else None
    if child is None:
        work()
    return child


class ThreadWork:
    """``work()`` on a thread of this process, waited for as a :class:`Child` is (:meth:`wait`).

    For work that mostly lets go of the interpreter (hashing, writing files), where a fork would cost
    more: the fork itself, and a copy of every page this process writes while the child lives.  A failure
    is dropped, as a child's is (what it was writing is simply not written).
    """

    def __init__(self, thread: threading.Thread) -> None:
        self._thread = thread

    @classmethod
    def start(cls, work: Callable[[], None], *, name: str) -> ThreadWork:
        def run() -> None:
            with contextlib.suppress(Exception):  # never a traceback: an unwritten cache entry is a miss
                work()

        thread = threading.Thread(target=run, name=name)  # not a daemon: the interpreter waits for it
        thread.start()
        return cls(thread)

    def wait(self, timeout: float = ANSWER_SECONDS) -> bool:
        """Let the work finish (at most ``timeout`` seconds); True when it has."""
        self._thread.join(timeout)
        return not self._thread.is_alive()
