"""What a check is asked: the request the CLI, the pytest plugin, a fleet and the stamp build
(:func:`driftgate.config.build_request`) and :mod:`driftgate.check` answers.

Its own small module, so that the CLI knows the request (and can size its sources for the replay
helper) before it imports the check itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_LEDGER_TABLE = "__drizzle_migrations"


@dataclass(frozen=True)
class CheckRequest:
    db_url: str | None = None
    legacy: tuple[Path, ...] = ()
    sql: tuple[Path, ...] = ()
    migrations: Path | None = None
    tag: str | None = None
    timeout: float = 30.0
    ignore_tables: tuple[str, ...] = ()
    accept: frozenset[str] = field(default_factory=frozenset)
    ledger_table: str = DEFAULT_LEDGER_TABLE
    config_db_url: str | None = None  # from [tool.driftgate]; flags and environment win
    drizzle: tuple[Path, ...] = ()  # Drizzle sqlite-core schema files or folders (--drizzle)
    drizzle_casing: str | None = None  # drizzle.config.ts `casing` or [tool.driftgate] drizzle_casing
    cache: bool = True  # the expected-model cache (--no-cache, config `cache = false`)
