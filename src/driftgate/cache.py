"""The expected-model cache (DESIGN 4): the model an expected source replays to, kept between runs.

The key is everything the model depends on: driftgate's version and the digest of its own code (an
editable install changes without a version bump), the libSQL engine and sqlglot versions, the
ignored-table patterns, and the exact expected statements in order with every field (text, location,
unresolved parts, line map). An entry is
one file named by the key's digest, written atomically; an entry that cannot be read, does not
decode, or carries another key is ignored and rewritten. The live database is never cached.

An entry is a pickle (the only encoding fast enough: a 1,000-table model has 270,000 objects), read by
an unpickler that resolves no class but the model's own, so a file planted in the cache directory
can at worst be ignored.

Beside an entry, a *conforming record* per source label: what comparing that model with a database
whose schema equals it gives (every finding ok): their number, their counts by (source, kind,
status) and the JSON report's rendering of them (a conforming :class:`driftgate.findings.FindingsPart`).
Comparison is a pure function of the two schemas and the label, so the record is as exact as the
entry it belongs to.  Its head holds plain values only, read by an unpickler that resolves no class,
and the rendering's length and sha256: a damaged record is ignored like a damaged entry.  A record and
its model are kept or evicted together.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from driftgate import model
from driftgate.findings import Rendering, rendering_pieces, rendering_size

if TYPE_CHECKING:
    from driftgate.sources.statements import SqlStatement

FORMAT = 1  # bump when the entry layout changes
# Entries are kept by last use: every driftgate upgrade (or edit of an editable install) and every
# changed schema leaves a new entry, so the oldest go once there are too many or they take too much room.
KEEP_ENTRIES = 64
KEEP_BYTES = 256 * 1024 * 1024  # a 4,000-table model is about 10 MB, its conforming record about 100 MB
KEEP_SECONDS = 30 * 24 * 3600  # unused for 30 days
_MAX_RECORD = KEEP_BYTES  # a conforming record's rendering is never larger than the cache may hold
_STALE_TEMP_SECONDS = 3600  # a temporary file this old was left by a run that died while writing
_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        model.Schema,
        model.Table,
        model.Column,
        model.Index,
        model.IndexPart,
        model.ForeignKey,
        model.Check,
        model.View,
        model.Trigger,
        model.Location,
    )
}


def cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``DRIFTGATE_CACHE_DIR``, else ``$XDG_CACHE_HOME/driftgate``, else ``~/.cache/driftgate``."""
    environ = os.environ if environ is None else environ
    if environ.get("DRIFTGATE_CACHE_DIR"):
        return Path(environ["DRIFTGATE_CACHE_DIR"])
    if environ.get("XDG_CACHE_HOME"):
        return Path(environ["XDG_CACHE_HOME"]) / "driftgate"
    return Path.home() / ".cache" / "driftgate"


@functools.cache
def _code_digest() -> str:
    """sha256 of driftgate's own source files: a changed canonical form must never meet an old entry."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.cache
def _engine_versions() -> tuple[str, ...]:
    import libsql

    from driftgate import __version__
    from driftgate.versions import installed_version

    found = [__version__, _code_digest()]
    for name in ("libsql", "sqlglot", "sqlglotc"):
        found.append(f"{name}={installed_version(name) or '-'}")
    connection = libsql.connect(":memory:")
    try:
        found.append(str(connection.execute("SELECT sqlite_version()").fetchone()[0]))
    finally:
        connection.close()
    return tuple(found)


def cache_key(statements: Sequence[SqlStatement], ignore: Iterable[str]) -> str:
    import orjson

    head = [FORMAT, _engine_versions(), sorted(ignore)]
    try:
        # orjson writes a dataclass as every one of its fields (text, location, unresolved parts, line
        # map, ...), new ones too, each value as JSON: as exact as repr() and a tenth of its time.
        payload = orjson.dumps([*head, "dataclass fields", statements])
    except TypeError:  # a value orjson cannot write (a lone surrogate in a name): repr is as exact
        payload = orjson.dumps([*head, "repr", [repr(s) for s in statements]])
    return hashlib.sha256(payload).hexdigest()


class _ModelUnpickler(pickle.Unpickler):
    """Only the model's own classes may be named in an entry: anything else is a foreign entry."""

    def find_class(self, module: str, name: str) -> Any:
        if module == model.__name__ and name in _CLASSES:
            return _CLASSES[name]
        raise pickle.UnpicklingError(f"{module}.{name} is not part of the model")


class _PlainUnpickler(pickle.Unpickler):
    """A conforming record holds tuples, strings, numbers and bytes: any class named is a foreign file."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} has no place in a conforming record")


# count, counts, rendering (a view of a larger text, or several pieces, when just rendered; bytes when read back)
ConformingRecord = tuple[int, tuple[tuple[tuple[str, str, str], int], ...], Rendering]


def _valid_counts(count: object, counts: object) -> bool:
    """A conforming record's count and counts: plain ints (each count positive, their sum the count),
    every key an ok finding's."""
    return (
        type(count) is int
        and count >= 0
        and isinstance(counts, tuple)
        and all(
            isinstance(item, tuple)
            and len(item) == 2
            and isinstance(item[0], tuple)
            and len(item[0]) == 3
            and all(type(part) is str for part in item[0])
            and item[0][2] == "ok"  # a record stands for findings that all match
            and type(item[1]) is int
            and item[1] > 0
            for item in counts
        )
        and sum(item[1] for item in counts) == count
    )


def _rendering_version() -> str:
    """What the rendering depends on beyond the model's key: the JSON encoder's version."""
    import orjson

    return f"orjson={orjson.__version__}"


class ExpectedModelCache:
    """Reads and writes entries in one directory; every failure means "not cached", never an error."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or cache_dir()

    def _path(self, name: str) -> Path:
        return self.directory / f"expected-{name}.pickle"

    def get(self, key: str) -> model.Schema | None:
        try:
            with self._path(key).open("rb") as handle:
                entry = _ModelUnpickler(handle).load()
        except Exception:  # unreadable, truncated, garbage or naming foreign classes: not cached
            return None
        if not isinstance(entry, tuple) or len(entry) != 3 or entry[:2] != (FORMAT, key):
            return None
        if not isinstance(entry[2], model.Schema):
            return None
        with contextlib.suppress(OSError):  # the modification time is the last use (see prune)
            os.utime(self._path(key))
        return entry[2]

    def holds(self, key: str) -> bool:
        """Whether an entry for ``key`` is there (:meth:`get` still says whether it can be used)."""
        return self._path(key).is_file()

    def put(self, key: str, schema: model.Schema) -> None:
        self._write(key, pickle.dumps((FORMAT, key, schema), protocol=pickle.HIGHEST_PROTOCOL))

    def _write(self, name: str, *data: bytes | memoryview, keep_too: str | None = None) -> None:
        """File ``expected-<name>.pickle`` (``data`` one after the other), written atomically; then the
        oldest entries go (never this one, nor ``keep_too``)."""
        with contextlib.suppress(OSError):
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".expected-", suffix=".tmp", dir=self.directory)
            try:
                with os.fdopen(fd, "wb") as handle:
                    for piece in data:
                        handle.write(piece)
                os.replace(tmp, self._path(name))
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            self.prune(keep=(name,) if keep_too is None else (name, keep_too))

    @staticmethod
    def _record_name(key: str, label: str) -> str:
        return f"{key}-{hashlib.sha256(label.encode()).hexdigest()[:16]}-conforming"

    def get_conforming(self, key: str, label: str) -> ConformingRecord | None:
        """The conforming record of entry ``key`` for source ``label``, or None (absent, foreign, damaged).

        A record file is a pickled head (format, key, label, encoder version, count, counts, length and
        sha256 of the rendering) followed by the rendering's raw bytes, read once and never copied
        through the unpickler.  Every part is checked: a rendering that is not the one the head
        describes, byte for byte, is a damaged record.
        """
        path = self._path(self._record_name(key, label))
        try:
            with path.open("rb") as handle:
                head = _PlainUnpickler(handle).load()
                if not isinstance(head, tuple) or len(head) != 8:
                    return None
                if head[:4] != (FORMAT, key, label, _rendering_version()):
                    return None
                _format, _key, _label, _version, count, counts, length, digest = head
                if not _valid_counts(count, counts) or type(length) is not int or not 0 <= length <= _MAX_RECORD:
                    return None
                rendered = handle.read(length + 1)  # one byte more: the file must end with the rendering
        except Exception:  # unreadable, truncated, garbage or naming a class: not cached
            return None
        if len(rendered) != length or (length == 0) != (count == 0):
            return None
        if hashlib.sha256(rendered).digest() != digest:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)
        return count, counts, rendered

    def put_conforming(self, key: str, label: str, record: ConformingRecord) -> None:
        count, counts, rendered = record
        pieces = rendering_pieces(rendered)
        digest = hashlib.sha256()
        for piece in pieces:
            digest.update(piece)
        head = (FORMAT, key, label, _rendering_version(), count, counts, rendering_size(rendered), digest.digest())
        data = pickle.dumps(head, protocol=pickle.HIGHEST_PROTOCOL)
        self._write(self._record_name(key, label), data, *pieces, keep_too=key)  # the model goes with it

    def prune(self, keep: str | Sequence[str] | None = None, now: float | None = None) -> list[Path]:
        """Remove the entries least recently used beyond :data:`KEEP_ENTRIES` or :data:`KEEP_BYTES`, those
        unused for :data:`KEEP_SECONDS`, and temporary files a dead run left; never entry ``keep`` (or
        any of several: a conforming record and the model it belongs to go together).

        Races with another run are harmless: a removed entry is a miss, and a file already gone is skipped.
        Returns what it removed.  Once the size limit is reached, every older entry goes too (least
        recently used first, however small).
        """
        now = time.time() if now is None else now
        entries: list[tuple[float, int, Path]] = []
        stale: list[Path] = []
        kept = {f"expected-{name}.pickle" for name in ((keep,) if isinstance(keep, str) else keep or ())}
        kept_size = 0
        try:
            found = list(os.scandir(self.directory))
        except OSError:
            return []
        for item in found:
            try:
                stat = item.stat(follow_symlinks=False)
            except OSError:
                continue
            name = item.name
            if name in kept:
                kept_size += stat.st_size
            elif name.startswith(".expected-") and name.endswith(".tmp"):
                if now - stat.st_mtime > _STALE_TEMP_SECONDS:
                    stale.append(Path(item.path))
            elif name.startswith("expected-") and name.endswith(".pickle"):
                entries.append((stat.st_mtime, stat.st_size, Path(item.path)))
        kept_bytes = kept_size
        for count, (mtime, size, path) in enumerate(sorted(entries, reverse=True), start=len(kept)):
            kept_bytes += size
            if count >= KEEP_ENTRIES or kept_bytes > KEEP_BYTES or now - mtime > KEEP_SECONDS:
                stale.append(path)
        removed = []
        for path in stale:
            try:
                path.unlink()
            except OSError:  # gone already (another run), or not a file: not ours to remove
                continue
            removed.append(path)
        return removed
