"""Settings: command-line flags, then environment, then ``[tool.driftgate]`` (DESIGN 4).

The config file is found like pytest and ruff find theirs: the pyproject.toml
of the working directory or its nearest parent.  Relative paths in it are
relative to that file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from driftgate.errors import InputError
from driftgate.urls import relative_to

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
    single = ("db_url", "migrations", "tag", "json", "html", "ledger_table", "drizzle_config", "drizzle_casing")
    for key in (*single, "db_list"):
        if key in values and not isinstance(values[key], str):
            raise InputError(f"{path}: [tool.driftgate] {key} must be a string")
    return FileConfig(path, values)
