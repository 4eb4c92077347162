"""Expected sources: small adapters that each turn some files into SQL statements.

Every source ends up as statements executed in the shadow database, so adding a
source (a Drizzle TypeScript reader, say) means adding one adapter here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from driftgate.errors import InputError
from driftgate.findings import SourceInfo
from driftgate.model import Location, Schema
from driftgate.sources.statements import SqlStatement, split_sql_script

if TYPE_CHECKING:
    from driftgate.cache import ExpectedModelCache
    from driftgate.replay_helper import ReplayHelper
    from driftgate.request import CheckRequest
    from driftgate.sources.migrations import MigrationsFolder


@dataclass(frozen=True)
class ExpectedSource:
    """One expected schema: its label (legacy, sql, baseline), its files, its statements."""

    label: str
    files: tuple[str, ...]
    statements: tuple[SqlStatement, ...]
    detail: str = ""

    @property
    def info(self) -> SourceInfo:
        return SourceInfo(self.label, self.files, self.detail)

    def schema(self, ignore: Iterable[str] = (), cache: ExpectedModelCache | None = None) -> Schema:
        """The replayed model; with ``cache``, read from or stored in the expected-model cache."""
        return self.cached_schema(ignore, cache)[0]

    def cached_schema(
        self,
        ignore: Iterable[str] = (),
        cache: ExpectedModelCache | None = None,
        *,
        helper: ReplayHelper | None = None,
        store: Callable[[str, Schema], None] | None = None,
    ) -> tuple[Schema, str | None]:
        """:meth:`schema`, and the model's cache key (None without a cache).

        ``helper``: a replay helper (:mod:`driftgate.replay_helper`), for a large replay.  ``store(key,
        model)`` keeps a model just replayed (by default, ``cache.put`` at once).
        """
        ignore = tuple(ignore)
        if cache is None:
            return _replay(self.statements, ignore, helper, self.label), None
        from driftgate.cache import cache_key

        key = cache_key(self.statements, ignore)
        schema = cache.get(key)
        if schema is None:
            schema = _replay(self.statements, ignore, helper, self.label)
            (store or cache.put)(key, schema)
        return schema, key


def _replay(
    statements: Sequence[SqlStatement],
    ignore: Iterable[str],
    helper: ReplayHelper | None = None,
    label: str | None = None,
) -> Schema:
    # The replay needs libSQL (and the parser only for what PRAGMAs do not tell, see introspect): imported
    # only when a model is not in the cache, and not at all here when a helper replays the script whole.
    ignore = tuple(ignore)  # read twice below, when a helper fails
    if helper is not None:
        whole = helper.model(statements, ignore)
        if whole is not None:
            return whole
        helper.prepare(statements)
    from driftgate.shadow import shadow_schema

    return shadow_schema(statements, ignore=ignore, helper=helper, label=label)


def legacy_source(paths: Sequence[Path]) -> ExpectedSource:
    from driftgate.sources.legacy import extract_legacy_statements  # tree-sitter, only for --legacy

    statements = extract_legacy_statements(paths)
    if not statements:
        raise InputError(f"--legacy: no DDL found in {', '.join(map(str, paths))}")
    files = tuple(sorted({s.location.file for s in statements}))
    return ExpectedSource("legacy", files, tuple(statements), f"{len(statements)} DDL statements from application code")


def sql_files(paths: Sequence[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*.sql") if p.is_file())
            if not inside:
                raise InputError(f"--sql: {path} holds no .sql files")
            found.extend(inside)
        elif path.is_file():
            found.append(path)
        else:
            raise InputError(f"--sql: {path}: no such file or directory")
    return found


def sql_source(paths: Sequence[Path]) -> ExpectedSource:
    statements: list[SqlStatement] = []
    files = sql_files(paths)
    for file in files:
        try:
            # Bytes, not read_text(): newline translation would turn a CR inside a quoted name or string into LF.
            text = file.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{file}: cannot read ({exc})") from None
        statements.extend(split_sql_script(text, Location(str(file), 1)))
    return ExpectedSource("sql", tuple(map(str, files)), tuple(statements), f"{len(statements)} statements")


# A request's expected sources, and its migrations folder if it names one.
LoadedSources = tuple[list[ExpectedSource], "MigrationsFolder | None"]


def load_sources(request: CheckRequest) -> LoadedSources:
    """Everything that can be wrong with the input is found here, before the database is touched."""
    from driftgate.sources.migrations import load_migrations

    sources = []
    if request.legacy:
        sources.append(legacy_source(request.legacy))
    if request.sql:
        sources.append(sql_source(request.sql))
    if request.drizzle:
        from driftgate.sources.drizzle import drizzle_source

        sources.append(drizzle_source(request.drizzle, request.drizzle_casing))
    folder = load_migrations(request.migrations) if request.migrations else None
    if folder is not None and request.tag:
        folder.entry(request.tag)  # an unknown --tag is bad input
    if not sources and folder is None:
        raise InputError(
            "nothing to compare: give --legacy, --sql, --drizzle or --migrations (or set them in [tool.driftgate])"
        )
    return sources, folder


def replay_ignore(request: CheckRequest) -> tuple[str, ...]:
    """The names a replay of ``request``'s sources leaves out: its ignored tables, and the ledger (its name
    escaped: it is not a pattern)."""
    import glob

    return (*request.ignore_tables, glob.escape(request.ledger_table))
