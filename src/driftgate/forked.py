"""Work done in a forked copy of this process, on the machine's other core.

A cold check of a large schema is CPU-bound in one Python process while a second core sits idle.  A
forked child starts with everything the parent has already read (the statements, the model) without
copying or pickling any of it, so two kinds of work go there (both only on Linux with two or more
cores; anywhere else, or when forking is refused, the parent does the work itself, with the same
result):

- half of a large replay (:class:`driftgate.shadow.ReplayHelper`);
- writing a new model to the expected-model cache (:func:`in_background`).

Forking is safe only where no other thread can hold a lock the child would need: each user says which
threads it tolerates (see :func:`fork_allowed`).  A child never returns into the parent's code: it
leaves through ``os._exit`` whatever happens, so no ``atexit`` handler, buffered output or pytest
teardown runs twice.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
import warnings
from collections.abc import Callable
from typing import Any, BinaryIO


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
    if os.environ.get("DRIFTGATE_FORK", "").strip() == "0":  # the user's way out, should forking ever hurt
        return False
    if threading.active_count() != 1:
        return False
    return tolerate_native_threads or os_thread_count() == 1


class Child:
    """A forked child running ``work(channel)``, with a two-way channel of pickled messages."""

    def __init__(self, pid: int, reader: BinaryIO, writer: BinaryIO) -> None:
        self.pid = pid
        self._reader, self._writer = reader, writer
        self._reaped = False

    @classmethod
    def start(cls, work: Callable[[Channel], None], *, tolerate_native_threads: bool = False) -> Child | None:
        """The running child, or None when forking is not allowed (:func:`fork_allowed`) or fails."""
        if not fork_allowed(tolerate_native_threads=tolerate_native_threads):
            return None
        from_parent, to_child = os.pipe()  # (read end, write end)
        from_child, to_parent = os.pipe()
        try:
            with warnings.catch_warnings():
                # Python 3.12+ warns about forking with threads; the only one tolerated here is libSQL's
                # idle runtime thread, and a child that tolerates it never calls into libSQL.
                warnings.simplefilter("ignore", DeprecationWarning)
                pid = os.fork()
        except OSError:
            for fd in (to_child, from_parent, from_child, to_parent):
                os.close(fd)
            return None
        if pid == 0:  # the child: never returns
            code = 1
            try:
                os.close(to_child)
                os.close(from_child)
                work(Channel(os.fdopen(from_parent, "rb"), os.fdopen(to_parent, "wb")))
                code = 0
            except BaseException:  # noqa: BLE001 - the parent sees the channel close and does the work itself
                pass
            finally:
                os._exit(code)
        os.close(from_parent)
        os.close(to_parent)
        return cls(pid, os.fdopen(from_child, "rb"), os.fdopen(to_child, "wb"))

    def send(self, message: Any) -> None:
        try:
            pickle.dump(message, self._writer, protocol=pickle.HIGHEST_PROTOCOL)
            self._writer.flush()
        except (OSError, pickle.PicklingError) as exc:
            raise ChildLost(str(exc)) from None

    def receive(self) -> Any:
        try:
            return pickle.load(self._reader)
        except Exception as exc:  # end of file, a truncated or garbled message: the child is gone
            raise ChildLost(str(exc)) from None

    def wait(self) -> bool:
        """Let the child finish; True when it exited cleanly."""
        with contextlib.suppress(OSError):
            self._writer.close()
        if self._reaped:
            return False
        self._reaped = True
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            return False
        finally:
            with contextlib.suppress(OSError):
                self._reader.close()
        return os.waitstatus_to_exitcode(status) == 0

    def stop(self) -> None:
        """End the child now, whatever it is doing (its work is no longer wanted), and reap it."""
        if not self._reaped:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        self.wait()


class Channel:
    """The child's end of :class:`Child`'s channel."""

    def __init__(self, reader: BinaryIO, writer: BinaryIO) -> None:
        self._reader, self._writer = reader, writer

    def send(self, message: Any) -> None:
        pickle.dump(message, self._writer, protocol=pickle.HIGHEST_PROTOCOL)
        self._writer.flush()

    def receive(self) -> Any:
        return pickle.load(self._reader)


def in_background(work: Callable[[], None]) -> Child | None:
    """``work()`` in a forked child (:meth:`Child.wait` for it to finish), or None when this process
    may not fork: the caller then does it itself.  libSQL's idle thread is tolerated."""
    return Child.start(lambda _channel: work(), tolerate_native_threads=True)
