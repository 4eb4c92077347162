"""Report files are written whole or not at all, whatever stood at their path before."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from driftgate.report import write_atomically

OLD = b"old report\n" * 200_000  # 2.2 MB: large enough to be freed on another thread


def freed_elsewhere() -> None:
    """Wait for the threads that close replaced files (the interpreter would at exit)."""
    for thread in threading.enumerate():
        if thread.name == "driftgate-free-replaced":
            thread.join(10)


def deleted_but_open() -> list[str]:
    """This process's descriptors of files that no longer have a name (a replaced file still held)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.endswith(" (deleted)"):
            found.append(target)
    return found


def test_a_large_report_replaced_is_freed_and_nothing_is_left_behind(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(OLD)
    inode = path.stat().st_ino
    write_atomically(path, b"new", "\n")
    assert path.read_bytes() == b"new\n" and path.stat().st_ino != inode
    assert oct(path.stat().st_mode & 0o777) == "0o644"
    freed_elsewhere()
    assert not [t for t in deleted_but_open() if str(tmp_path) in t], "the old report is still held open"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


def test_a_report_with_another_name_keeps_that_name_intact(tmp_path: Path) -> None:
    """A hard link to the old report is left as it was (it is not the report's to free)."""
    path, other = tmp_path / "r.json", tmp_path / "kept.json"
    path.write_bytes(OLD)
    os.link(path, other)
    write_atomically(path, "new")
    freed_elsewhere()
    assert path.read_text() == "new" and other.read_bytes() == OLD


def test_a_fifo_at_the_path_is_replaced_without_waiting_for_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    os.mkfifo(path)
    write_atomically(path, "new")  # opening the FIFO to read would block: it is never opened
    assert path.read_text() == "new"


def test_a_failed_write_leaves_the_old_report_and_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(OLD)

    def parts() -> list[object]:
        return ["fine", 42]  # not text: the write fails after it began

    with pytest.raises((TypeError, AttributeError)):
        write_atomically(path, *parts())  # type: ignore[arg-type]
    freed_elsewhere()
    assert path.read_bytes() == OLD and sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]
