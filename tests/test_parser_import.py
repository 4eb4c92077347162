"""sqlglot is imported lazily, only when a text must be read: safely, from any number of threads."""

from __future__ import annotations

FIRST_PARSE_IN_THREADS = r"""
import sys, threading
from driftgate.introspect import _index_details, _table_details
from driftgate.normalize import canonical_expression, canonical_view, tokenize

calls = [
    lambda: canonical_expression("(a + 1) * 2"),
    lambda: tokenize("CREATE TABLE t (a)"),
    lambda: _table_details("CREATE TABLE t (a text COLLATE NOCASE)", "t", []),
    lambda: _index_details("CREATE INDEX i ON t (lower(a)) WHERE a > 0", "t"),
    lambda: canonical_view("CREATE VIEW v AS SELECT 1"),
] * 2
start = threading.Barrier(len(calls))
errors = []

def run(call):
    start.wait()
    try:
        call()
    except BaseException as exc:
        errors.append(repr(exc))

threads = [threading.Thread(target=run, args=(call,)) for call in calls]
for t in threads:
    t.start()
for t in threads:
    t.join()
assert "sqlglot" in sys.modules
print(errors)
"""


def test_the_parser_s_first_import_from_many_threads_at_once() -> None:
    """A fleet's threads may all need sqlglot first at the same moment: no half-initialised module."""
    import subprocess
    import sys

    for _ in range(4):  # a fresh interpreter each time: the race is on the first import only
        run = subprocess.run([sys.executable, "-c", FIRST_PARSE_IN_THREADS], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        assert run.stdout.strip() == "[]", run.stdout
