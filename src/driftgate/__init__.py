"""driftgate: prove a live libSQL/SQLite database matches a proposed schema, then stamp the baseline."""

__version__ = "0.1.0"
