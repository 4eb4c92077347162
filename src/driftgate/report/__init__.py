"""Reporters: they only render findings (JSON, HTML, terminal); they never compare."""

from __future__ import annotations

import os
from pathlib import Path


def write_atomically(path: Path, *parts: str | bytes) -> None:
    """Write the whole file or nothing: a reader never sees a truncated report (text is written as UTF-8).

    Several ``parts`` are written one after the other (a 26 MB report and its final newline are not
    joined into a copy first).
    """
    import tempfile  # here, not for every command: the CLI's --help and its start do without it

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            for part in parts:
                handle.write(part if isinstance(part, bytes) else part.encode("utf-8"))
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; reports are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
