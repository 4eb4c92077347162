"""Moved to :mod:`driftgate.testing`; importable here until every caller uses the new name."""

from driftgate.testing.sqld import SqldNotFound, SqldServer, find_sqld, free_port

__all__ = ["SqldNotFound", "SqldServer", "find_sqld", "free_port"]
