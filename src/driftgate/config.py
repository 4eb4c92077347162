"""Settings: command-line flags, then environment, then ``[tool.driftgate]`` (DESIGN 4).

The config file is found like pytest and ruff find theirs: the pyproject.toml
of the working directory or its nearest parent.  Relative paths in it are
relative to that file.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from driftgate.errors import InputError
from driftgate.request import DEFAULT_LEDGER_TABLE, CheckRequest
from driftgate.urls import relative_to

_GLOB_CHARACTERS = frozenset("*?[")

KNOWN_KEYS = {
    "db_url",
    "legacy",
    "sql",
    "migrations",
    "tag",
    "json",
    "html",
    "timeout",
    "ignore_tables",
    "accept",
    "ledger_table",
    "drizzle_config",
    "drizzle",
    "drizzle_casing",
    "cache",
    "db_urls",  # a fleet (DESIGN 4, "Fleets")
    "db_list",
    "markdown",
}


@dataclass(frozen=True)
class FileConfig:
    path: Path | None = None
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def path_value(self, key: str) -> Path | None:
        value = self.values.get(key)
        return self.root / value if isinstance(value, str) and value else None

    def path_list(self, key: str) -> list[Path]:
        return [self.root / v for v in self.str_list(key)]

    def drizzle_paths(self) -> list[Path]:
        """``drizzle``: paths, and glob patterns as drizzle.config.ts's ``schema`` takes them (``schema/*``,
        ``src/**/schema.ts``), expanded relative to this file on every run, sorted; a pattern that
        matches nothing is bad input."""
        found: list[Path] = []
        for entry in self.str_list("drizzle"):
            if not _GLOB_CHARACTERS.intersection(entry):
                found.append(self.root / entry)
                continue
            from driftgate.sources.drizzle.modules import drizzle_kit_order

            matches = [self.root / m for m in glob.glob(entry, root_dir=self.root, recursive=True)]
            if not matches:
                raise InputError(f"{self.path}: [tool.driftgate] drizzle: {entry} matches no file")
            found.extend(sorted(matches, key=drizzle_kit_order))
        return found

    def str_list(self, key: str) -> list[str]:
        """A list setting; TOML's bare string means a one-item list (never a list of characters)."""
        value = self.values.get(key) or []
        return [value] if isinstance(value, str) else list(value)

    def db_url(self) -> str | None:
        """``db_url``; a relative ``file:`` URL or bare path is relative to this file, like every path in it."""
        value = self.values.get("db_url")
        if not isinstance(value, str) or not value.strip() or self.path is None:
            return value or None
        return relative_to(value.strip(), self.root)


def find_pyproject(start: Path | None = None) -> Path | None:
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_config(start: Path | None = None, path: Path | None = None) -> FileConfig:
    path = path or find_pyproject(start)
    if path is None:
        return FileConfig()
    import tomllib  # once a pyproject.toml is read: --help does without it

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML ({exc})") from None
    values = data.get("tool", {}).get("driftgate", {})
    if not isinstance(values, dict):
        raise InputError(f"{path}: [tool.driftgate] must be a table")
    unknown = sorted(set(values) - KNOWN_KEYS)
    if unknown:
        raise InputError(f"{path}: unknown key [tool.driftgate] {unknown[0]} (known: {', '.join(sorted(KNOWN_KEYS))})")
    for key in ("legacy", "sql", "ignore_tables", "accept", "drizzle", "db_urls"):
        value = values.get(key)
        if key in values and not (
            isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
        ):
            raise InputError(f"{path}: [tool.driftgate] {key} must be a list of strings")
    if "cache" in values and not isinstance(values["cache"], bool):
        raise InputError(f"{path}: [tool.driftgate] cache must be true or false")
    single = (
        "db_url",
        "migrations",
        "tag",
        "json",
        "html",
        "ledger_table",
        "drizzle_config",
        "drizzle_casing",
        "markdown",
    )
    for key in (*single, "db_list"):
        if key in values and not isinstance(values[key], str):
            raise InputError(f"{path}: [tool.driftgate] {key} must be a string")
    return FileConfig(path, values)


def build_request(
    config: FileConfig,
    *,
    db: str | None,
    legacy: tuple[str, ...],
    sql: tuple[str, ...],
    migrations: str | None,
    tag: str | None,
    timeout: float | None,
    drizzle: tuple[str, ...] = (),
    no_cache: bool = False,
    invocation_dir: Path | None = None,
) -> CheckRequest:
    """The one request builder of the CLI and the pytest plugin: flags, then environment, then [tool.driftgate].

    The environment is consulted when the database is resolved (``urls.chosen_url``), so a
    request keeps the flag and the config value apart.  ``invocation_dir`` is where the run
    started (the working directory for the CLI, pytest's invocation directory for the plugin):
    drizzle.config.ts is looked for there.
    """
    ledger_table = config.get("ledger_table") or DEFAULT_LEDGER_TABLE
    migrations_path = Path(migrations) if migrations else config.path_value("migrations")
    drizzle_config = config.path_value("drizzle_config") or find_drizzle_config(invocation_dir or Path.cwd())
    drizzle_casing = config.get("drizzle_casing")
    if drizzle_config is not None and drizzle_config.is_file():
        from driftgate.sources.migrations import drizzle_config_settings

        settings = drizzle_config_settings(drizzle_config)
        drizzle_casing = drizzle_casing or settings.get("casing")
        if migrations_path is None and "out" in settings:
            migrations_path = Path(settings["out"])
        ledger_table = config.get("ledger_table") or settings.get("table", ledger_table)
    try:
        timeout_value = float(timeout if timeout is not None else config.get("timeout", 30))
    except (TypeError, ValueError):
        raise InputError("--timeout: must be a number of seconds") from None
    if timeout_value <= 0:
        raise InputError("--timeout: must be greater than 0")
    return CheckRequest(
        db_url=db,
        config_db_url=config.db_url(),
        legacy=tuple(Path(p) for p in legacy) or tuple(config.path_list("legacy")),
        sql=tuple(Path(p) for p in sql) or tuple(config.path_list("sql")),
        migrations=migrations_path,
        tag=tag or config.get("tag"),
        timeout=timeout_value,
        ignore_tables=tuple(config.str_list("ignore_tables")),
        accept=frozenset(config.str_list("accept")),
        ledger_table=ledger_table,
        drizzle=tuple(Path(p) for p in drizzle) or tuple(config.drizzle_paths()),
        drizzle_casing=drizzle_casing,
        cache=not no_cache and config.get("cache", True),
    )


# drizzle-kit 0.31's drizzleConfigFromFile: without --config, the first of these that exists (bin.cjs).
DRIZZLE_CONFIG_NAMES = ("drizzle.config.ts", "drizzle.config.js", "drizzle.config.json")


def find_drizzle_config(folder: Path) -> Path | None:
    """The config drizzle-kit would read in ``folder`` when given no --config.

    Here, not beside the config's reader (driftgate.sources.drizzle): importing that package loads
    tree-sitter and the evaluator, 40 ms of every check's start, for a lookup most runs find nothing by.
    """
    return next((folder / name for name in DRIZZLE_CONFIG_NAMES if (folder / name).is_file()), None)
