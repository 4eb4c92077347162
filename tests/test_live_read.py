"""Which errors make the live read fall back to reading the schema in chunks of tables."""

from __future__ import annotations

import pytest

from driftgate.errors import DatabaseError
from driftgate.live import _too_large


@pytest.mark.parametrize(
    "message",
    [
        "http://127.0.0.1:8080: RESPONSE_TOO_LARGE: Response is too large",
        # What a stock sqld answered for the one-shot query over 4,000 tables (15 columns, 3 indexes each).
        "http://127.0.0.1:8080: SQLITE_TOOBIG: SQLite error: string or blob too big",
    ],
)
def test_a_too_large_answer_is_read_in_chunks(message: str) -> None:
    assert _too_large(DatabaseError(message))


@pytest.mark.parametrize(
    "message",
    ["http://127.0.0.1:8080: SQLITE_ERROR: no such table: x", "http://127.0.0.1:8080: connection refused"],
)
def test_other_errors_are_not_retried_in_chunks(message: str) -> None:
    assert not _too_large(DatabaseError(message))
