"""Exceptions that end a run with a documented exit code (DESIGN 4).

Each carries a one-line message that names the file, line or option at fault;
the CLI and the pytest plugin print it without a traceback.
"""

from __future__ import annotations


class DriftgateError(Exception):
    """Base class: ``exit_code`` is what the CLI returns for it."""

    exit_code = 2


class InputError(DriftgateError):
    """Bad input or usage: a missing file, unparsable SQL/TS, a bad option (exit 2)."""

    exit_code = 2


class DatabaseError(DriftgateError):
    """The database is unreachable, refused the credentials, or is not libSQL (exit 3)."""

    exit_code = 3


class StampRefused(DriftgateError):
    """The stamp was refused: drift, or a ledger that does not allow it (exit 1)."""

    exit_code = 1
