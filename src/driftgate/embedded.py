"""An embedded (file) database built from expected DDL: the example's stand-in for production.

Serving such a database from a real server is test infrastructure: :mod:`driftgate.testing`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import libsql

from driftgate.errors import InputError
from driftgate.sources.statements import SqlStatement, is_transaction_control


def build_database(statements: Sequence[SqlStatement], path: Path) -> Path:
    """Execute the statements into a new libSQL file, as the legacy application would have."""
    if path.exists():
        raise InputError(f"{path}: already exists; refusing to overwrite a database")
    connection = libsql.connect(str(path))
    try:
        for statement in statements:
            if statement.unresolved or is_transaction_control(statement.sql):
                continue
            try:
                connection.execute(statement.sql)
            except Exception as exc:  # libsql raises its own error types
                if statement.tolerated:  # the application ignores this failure (SQLite undid the statement)
                    continue
                raise InputError(f"{statement.location}: SQL error: {exc}") from None
        connection.commit()
    finally:
        connection.close()
    return path
