"""Reporters: they only render findings (JSON, HTML, terminal); they never compare."""

from __future__ import annotations

import os
from pathlib import Path


def write_atomically(path: Path, *parts: str | bytes | memoryview) -> None:
    """Write the whole file or nothing: a reader never sees a truncated report (text is written as UTF-8).

    Several ``parts`` are written one after the other (a 26 MB report and its final newline are not
    joined into a copy first).  A large file replaced is freed on another thread (:func:`_held_open`).
    """
    import tempfile  # here, not for every command: the CLI's --help and its start do without it

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    old = None
    try:
        with os.fdopen(fd, "wb") as handle:
            for part in parts:
                handle.write(part.encode("utf-8") if isinstance(part, str) else part)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; reports are meant to be shared
        old = _held_open(path)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        if old is not None:
            os.close(old)
        raise
    if old is not None:
        import threading

        # Not a daemon: the interpreter waits for it before it exits.
        threading.Thread(target=os.close, args=(old,), name="driftgate-free-replaced").start()


# A file replaced by a rename is freed inside the rename when nothing else holds it: 18-30 ms for the
# 26 MB JSON report of a 1,000-table check (ext4), about 70 ms at 4,000 tables.  Held open, it is freed
# when closed, and a thread can do that while the run goes on (the close releases the GIL); should the
# process die first, its descriptors are closed and the file is freed all the same: nothing is left.
_FREED_ELSEWHERE_BYTES = 1 << 20


def _held_open(path: Path) -> int | None:
    """A descriptor of the large regular file ``path`` is about to replace, or None (small, another kind of
    file, another link to it, or not POSIX)."""
    if os.name != "posix":  # elsewhere an open file may not be replaced
        return None
    import stat

    try:
        found = os.stat(path, follow_symlinks=False)
        if not stat.S_ISREG(found.st_mode) or found.st_size < _FREED_ELSEWHERE_BYTES or found.st_nlink != 1:
            return None
        return os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:  # gone, unreadable: replaced as it always was
        return None
