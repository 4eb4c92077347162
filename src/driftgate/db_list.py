"""Which databases a command is asked for, and their names (DESIGN 4, "Fleets").

``--db`` (repeated), ``--db-list FILE``, a database URL in the environment, or ``db_urls`` /
``db_list`` in [tool.driftgate]: read here, before anything else runs, and validated before any
database is contacted.  A single database needs only this module; the fleet machinery
(:mod:`driftgate.fleet`) is imported only for several.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from driftgate.config import FileConfig
from driftgate.errors import InputError
from driftgate.urls import TOKEN_ENV_VARS, URL_ENV_VARS, DatabaseTarget, parse_database_url, relative_to

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# Turso tokens are JWTs (base64url header "eyJ...", three dot-separated parts); other tokens are long
# opaque strings. Either one, pasted where a name or URL belongs, must be refused without echoing it.
_JWT_LIKE = re.compile(r"eyJ[A-Za-z0-9_-]{8,}(\.[A-Za-z0-9_-]*){0,2}")
# No "." (so no file name with an extension), mixed case and digits: what random tokens look like.
_OPAQUE_TOKEN = re.compile(r"(?=.*\d)(?=.*[a-z])(?=.*[A-Z])[A-Za-z0-9_\-+/=]{40,}")


@dataclass(frozen=True)
class Member:
    """One database of a fleet: its name in reports and test ids, and where it was listed."""

    name: str
    target: DatabaseTarget
    origin: str  # "--db" or "FILE:LINE", for error messages


@dataclass(frozen=True)
class Listed:
    name: str | None
    url: str
    origin: str


def looks_like_token(text: str, folder: Path) -> bool:
    """A JWT, or a long random-looking string that is not an existing file (a bare path may look random)."""
    if _JWT_LIKE.fullmatch(text):
        return True
    return bool(_OPAQUE_TOKEN.fullmatch(text)) and not (folder / text).exists()


def read_db_list(path: Path) -> list[Listed]:
    """``URL`` or ``NAME URL`` per line; blank lines and ``#`` comments ignored.

    Relative file paths are relative to the list file, as paths in pyproject.toml are to it.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"--db-list: cannot read {path} ({getattr(exc, 'strerror', None) or exc})") from None
    listed = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        origin = f"{path}:{number}"
        fields = line.split()
        if any(looks_like_token(field, path.parent) for field in fields):
            raise InputError(
                f"{origin}: this line holds what looks like an auth token (not shown); a line is `URL` or "
                "`NAME URL`: pass tokens as ?authToken= in the URL or in TURSO_AUTH_TOKEN"
            )
        if len(fields) > 2:
            raise InputError(f"{origin}: expected `URL` or `NAME URL`, found {len(fields)} fields")
        name, url = (None, fields[0]) if len(fields) == 1 else (fields[0], fields[1])
        listed.append(Listed(name, relative_to(url, path.parent), origin))
    if not listed:
        raise InputError(f"--db-list: {path} lists no database")
    return listed


def derived_name(target: DatabaseTarget) -> str:
    """The file stem, or the first label of the URL's host (DESIGN 4)."""
    if target.file_path is not None:
        return target.file_path.stem or "database"
    host = urllib.parse.urlsplit(target.url).hostname or "database"
    return host.split(".", 1)[0] or "database"


def fleet_members(listed: Sequence[Listed], environ: Mapping[str, str]) -> list[Member]:
    """Validate every entry before any database is contacted: bad input is exit 2 naming file:line."""
    if not listed:
        raise InputError("--db-list: no database listed")
    token = next((environ[v] for v in TOKEN_ENV_VARS if environ.get(v)), None)
    given: dict[str, str] = {}
    seen_urls: dict[str, str] = {}
    targets = []
    for entry in listed:
        if entry.name is not None:
            if not NAME_PATTERN.fullmatch(entry.name):
                raise InputError(
                    f"{entry.origin}: invalid name {entry.name!r} (letters, digits, '.', '_', '-'; at most 64)"
                )
            if entry.name in given:
                raise InputError(f"{entry.origin}: duplicate name {entry.name!r} (first at {given[entry.name]})")
            given[entry.name] = entry.origin
        try:
            target = parse_database_url(entry.url, token)
        except InputError as error:
            raise InputError(f"{entry.origin}: {str(error).removeprefix('--db: ')}") from None
        if target.url in seen_urls:
            raise InputError(f"{entry.origin}: {target.display} is listed twice (first at {seen_urls[target.url]})")
        seen_urls[target.url] = entry.origin
        targets.append((entry, target))
    taken = set(given)
    members = []
    for entry, target in targets:
        name = entry.name
        if name is None:
            base = derived_name(target)
            name, n = base, 1
            while name in taken:
                n += 1
                name = f"{base}#{n}"
            taken.add(name)
        members.append(Member(name, target, entry.origin))
    return members


def listed_databases(
    config: FileConfig, dbs: Sequence[str], db_list: str | None, environ: Mapping[str, str], db_option: str = "--db"
) -> list[Listed] | None:
    """The databases asked for, or None when the single-database rules (flag, environment, config) apply.

    Flags (``--db`` repeated, ``--db-list``) win; then a database URL in the environment (one
    database); then ``db_urls`` and ``db_list`` of [tool.driftgate].
    """
    listed = [Listed(None, url, db_option) for url in dbs]  # db_option names the flag in errors
    if db_list:
        listed += read_db_list(Path(db_list))
    if dbs or db_list:
        return listed
    if any(environ.get(v) for v in URL_ENV_VARS):
        return None
    origin = f"{config.path}: [tool.driftgate] db_urls"
    listed = [Listed(None, relative_to(url, config.root), origin) for url in config.str_list("db_urls")]
    list_path = config.path_value("db_list")
    if list_path is not None:
        listed += read_db_list(list_path)
    return listed or None


def single_url(listed: list[Listed] | None) -> tuple[bool, str | None]:
    """(is one database, its URL): one database keeps the single-database behaviour and report."""
    if listed is None:
        return True, None
    if len(listed) == 1:
        return True, listed[0].url
    return False, None
