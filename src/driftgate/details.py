"""What a stored CREATE text adds to the PRAGMAs: the results :mod:`driftgate.ddl` reads from it.

Kept apart from the reader, which needs sqlglot: introspection hands out :data:`NO_DETAILS` for the
many texts that have nothing to read, without importing the tokenizer.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TableDetails:
    collations: dict[str, str] = field(default_factory=dict)  # column (folded) -> collation
    generated: dict[str, str] = field(default_factory=dict)  # column (folded) -> canonical expression
    checks: list[tuple[str | None, str]] = field(default_factory=list)  # (constraint name, canonical expr)
    deferrable: dict[tuple[str, ...], str] = field(default_factory=dict)  # FK from-columns -> deferrable
    autoincrement: bool = False
    virtual_module: str | None = None
    # ON CONFLICT clauses other than the default ABORT: NOT NULL by column (folded), UNIQUE by its columns
    # (folded, in order), the PRIMARY KEY's.
    not_null_conflicts: dict[str, str] = field(default_factory=dict)
    unique_conflicts: dict[tuple[str, ...], str] = field(default_factory=dict)
    primary_key_conflict: str | None = None


@dataclass
class IndexDetails:
    part_expressions: list[str | None] = field(default_factory=list)  # canonical expr per key part
    where: str | None = None


NO_DETAILS = TableDetails()  # shared and never mutated: readers only read details
NO_INDEX_DETAILS = IndexDetails()
