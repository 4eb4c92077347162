"""``driftgate pull``: Drizzle sqlite-core TypeScript that says exactly what the live database has."""

from __future__ import annotations

import glob
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from driftgate.connection import Database
from driftgate.errors import DatabaseError, InputError
from driftgate.identifiers import fold_name
from driftgate.introspect import build_schema
from driftgate.live import read_document
from driftgate.pull.choose import PullPlan, plan_pull
from driftgate.pull.not_expressible import MD_NAME, SQL_NAME, not_expressible_md, not_expressible_sql
from driftgate.pull.render import HEADER, files, single_file
from driftgate.request import DEFAULT_LEDGER_TABLE
from driftgate.urls import DatabaseTarget

SINGLE_FILE_NAME = "schema.ts"


@dataclass(frozen=True)
class PullResult:
    plan: PullPlan
    written: tuple[Path, ...]


def read_plan(
    target: DatabaseTarget,
    *,
    casing: str,
    idiomatic: bool,
    timeout: float,
    ignore: tuple[str, ...] = (),
    ledger_table: str = DEFAULT_LEDGER_TABLE,
) -> PullPlan:
    """Read the live schema (read-only connection) and choose a construct per item."""
    with Database(target, timeout=timeout) as db:
        document = read_document(db)
        schema = build_schema(document, ignore=(*ignore, glob.escape(ledger_table)))
        view_columns = _view_columns(db, [v.name for v in schema.views])
    raw_defaults = {(fold_name(row[0]), fold_name(row[2])): row[5] for row in document.get("columns", [])}
    object_sql = {(row[0], row[1]): row[3] for row in document.get("objects", [])}
    return plan_pull(schema, raw_defaults, object_sql, casing=casing, idiomatic=idiomatic, view_columns=view_columns)


def _view_columns(db: Database, names: list[str]) -> dict[str, list[tuple[str, str]]]:
    """Column names and declared types of each view, in one query (a broken view gives none)."""
    if not names:
        return {}
    query = "SELECT v.value, c.name, c.type FROM json_each(?) v JOIN pragma_table_info(v.value) c ORDER BY v.key, c.cid"
    try:
        rows = db.query(query, (json.dumps(names),))
    except DatabaseError:  # a view over a dropped table cannot be described: the others still can
        rows = []
        for name in names:
            try:
                rows += db.query(query, (json.dumps([name]),))
            except DatabaseError:
                continue
    result: dict[str, list[tuple[str, str]]] = {}
    for view, column, declared in rows:
        result.setdefault(view, []).append((column, declared or ""))
    return result


def _ours(path: Path) -> bool:
    """A file an earlier pull wrote (only those are replaced under --force)."""
    if path.name in (MD_NAME, SQL_NAME):  # pull's own names (a table's file ends in .ts)
        return True
    try:
        return path.suffix == ".ts" and path.read_text(encoding="utf-8").startswith(HEADER)
    except (OSError, UnicodeDecodeError):
        return False


def write_pull(plan: PullPlan, out_dir: Path, *, single: bool, force: bool) -> tuple[Path, ...]:
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"-o: {out_dir} exists and is not a directory")
    existing = sorted(out_dir.iterdir()) if out_dir.is_dir() else []
    if existing and not force:
        raise InputError(f"-o: {out_dir} is not empty (use --force to replace the files an earlier pull wrote)")
    contents = {SINGLE_FILE_NAME: single_file(plan)} if single else files(plan)
    contents[MD_NAME] = not_expressible_md(plan)
    exact_sql = not_expressible_sql(plan)
    if exact_sql is not None:
        contents[SQL_NAME] = exact_sql
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        # Everything is written aside first, so a failure leaves the folder as it was.
        with tempfile.TemporaryDirectory(dir=out_dir, prefix=".driftgate-pull-") as scratch:
            for name, text in contents.items():
                (Path(scratch) / name).write_text(text, encoding="utf-8")
            for path in existing:
                if path.is_file() and _ours(path):
                    path.unlink()
            for name in contents:
                shutil.move(str(Path(scratch) / name), out_dir / name)
    except OSError as exc:
        raise InputError(f"-o: cannot write {out_dir} ({exc.strerror or exc})") from None
    return tuple(out_dir / name for name in contents)


def run_pull(
    target: DatabaseTarget,
    out_dir: Path,
    *,
    casing: str = "camelCase",
    single: bool = False,
    idiomatic: bool = False,
    force: bool = False,
    timeout: float = 30.0,
    ignore: tuple[str, ...] = (),
    ledger_table: str = DEFAULT_LEDGER_TABLE,
) -> PullResult:
    if out_dir.is_dir() and any(out_dir.iterdir()) and not force:  # before connecting: bad input first
        raise InputError(f"-o: {out_dir} is not empty (use --force to replace the files an earlier pull wrote)")
    plan = read_plan(
        target, casing=casing, idiomatic=idiomatic, timeout=timeout, ignore=ignore, ledger_table=ledger_table
    )
    return PullResult(plan, write_pull(plan, out_dir, single=single, force=force))
