"""Database URLs: which kind, where the token comes from, and how to print them safely."""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from driftgate.errors import InputError

REMOTE_SCHEMES = ("libsql", "https", "http", "wss", "ws")
URL_ENV_VARS = ("DRIFTGATE_DB_URL", "TURSO_DATABASE_URL", "TURSO_URL")
TOKEN_ENV_VARS = ("DRIFTGATE_AUTH_TOKEN", "TURSO_AUTH_TOKEN", "TURSO_TOKEN")


@dataclass(frozen=True)
class DatabaseTarget:
    """A database to connect to. ``repr`` never shows the token."""

    url: str  # what the client gets: credentials removed, ?tls=0 rewritten
    auth_token: str | None
    file_path: Path | None  # set for file: URLs and bare paths

    def __repr__(self) -> str:
        return f"DatabaseTarget({self.display!r})"

    @property
    def display(self) -> str:
        return redact(self.url)

    @property
    def is_file(self) -> bool:
        return self.file_path is not None


_SECRET_QUERY = re.compile(r"(?i)([?&](?:authToken|auth_token|token|jwt|password)=)[^&#\s]*")
_USERINFO = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://)[^/@\s]*@")


def redact(text: str, secrets: tuple[str | None, ...] = ()) -> str:
    """Remove tokens and passwords from any text shown to a user."""
    text = _SECRET_QUERY.sub(r"\1***", text)
    text = _USERINFO.sub(r"\1", text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def url_scheme(url: str) -> str:
    """The scheme in lower case; "" for a bare path (``C:/x.db``: a drive letter is no scheme)."""
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if len(scheme) == 1 and url[1:3] in (":\\", ":/"):
        return ""
    return scheme


def relative_to(url: str, root: Path) -> str:
    """A relative ``file:`` URL or bare path made relative to ``root``; any other URL as it is."""
    scheme = url_scheme(url)
    if scheme == "file":
        rest = url[len("file:") :]
        if rest and not rest.startswith("/"):
            return f"file:{root / rest}"
    elif not scheme and not Path(url).is_absolute():
        return str(root / url)
    return url


def _file_path(url: str) -> Path:
    if url.startswith("file://"):
        return Path(urllib.parse.unquote(urllib.parse.urlparse(url).path))
    return Path(urllib.parse.unquote(url[len("file:") :].split("?", 1)[0]))


def missing_file_message(path: Path) -> str:
    """Why a file: database cannot be opened: a folder is not said to be missing."""
    if path.is_dir():
        return f"--db: {path} is a directory, not a database file"
    return f"--db: database file {path} does not exist"


def parse_database_url(url: str, token: str | None = None, *, must_exist: bool = True) -> DatabaseTarget:
    """Check a URL and pull the token out of it (``?authToken=`` wins over ``token``)."""
    url = url.strip()
    if not url:
        raise InputError("--db: no database URL given (or set DRIFTGATE_DB_URL / TURSO_DATABASE_URL)")
    scheme = url_scheme(url)
    if scheme == "file" or not scheme:
        path = _file_path(url) if scheme == "file" else Path(url)
        if must_exist and not path.is_file():
            raise InputError(missing_file_message(path))
        return DatabaseTarget(url=f"file:{path}", auth_token=None, file_path=path)
    if scheme not in REMOTE_SCHEMES:
        raise InputError(
            f"--db: unsupported URL scheme {scheme!r} in {redact(url)} (use libsql, https, wss, http, ws, file)"
        )
    try:
        parsed = urllib.parse.urlsplit(url)
    except ValueError as exc:
        raise InputError(f"--db: malformed URL {redact(url)} ({exc})") from None
    query = urllib.parse.parse_qsl(parsed.query, keep_blank_values=True)
    rest = []
    tls: str | None = None
    for key, value in query:
        if key == "authToken":
            token = value or token
        elif key == "tls":
            if value not in ("0", "1"):
                raise InputError(f"--db: ?tls= must be 0 or 1, not {value!r}")
            tls = value
        else:
            rest.append((key, value))
    if rest:
        raise InputError(f"--db: unknown URL parameter {rest[0][0]!r} (only authToken and tls are understood)")
    if scheme == "libsql":
        # As @libsql/client's createClient reads it (0.18, core/config.js): HTTP, with TLS unless ?tls=0.
        # It asks for an explicit port with ?tls=0; driftgate lets the default port 80 stand.
        scheme = "http" if tls == "0" else "https"
    elif tls == "1" and scheme in ("http", "ws"):
        scheme += "s"
    elif tls == "0" and scheme in ("https", "wss"):
        scheme = scheme[:-1]
    try:
        parsed.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise InputError(f"--db: invalid port in {redact(url)}") from None
    if not parsed.hostname:
        raise InputError(f"--db: no host in {redact(url)}")
    # Keep the host as written ([::1] stays bracketed); only credentials are dropped.
    netloc = parsed.netloc.rpartition("@")[2]
    clean = urllib.parse.urlunsplit((scheme, netloc, parsed.path, "", ""))
    return DatabaseTarget(url=clean, auth_token=token or None, file_path=None)


def chosen_url(option: str | None, config_value: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """The database URL by precedence: flag, then environment, then config; None when none is set."""
    environ = os.environ if environ is None else environ
    return option or next((environ[v] for v in URL_ENV_VARS if environ.get(v)), None) or config_value or None


def resolve_database(
    option: str | None, config_value: str | None, environ: Mapping[str, str] | None = None, *, must_exist: bool = True
) -> DatabaseTarget:
    """Flag, then environment, then config (DESIGN 4 "Decisions pinned so far")."""
    environ = os.environ if environ is None else environ
    url = chosen_url(option, config_value, environ)
    if not url:
        raise InputError("--db: no database URL given (or set DRIFTGATE_DB_URL / TURSO_DATABASE_URL)")
    token = next((environ[v] for v in TOKEN_ENV_VARS if environ.get(v)), None)
    return parse_database_url(url, token, must_exist=must_exist)
