"""The ledger and stamp rules as pure functions (no server): each rule in both directions.

The journal, the ledger rows and the report are built in memory; the same ``LedgerState``
feeds the ``ledger`` findings and the stamp decision, so both are asserted side by side.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from driftgate.errors import InputError, StampRefused
from driftgate.findings import Finding, Report
from driftgate.ledger import ledger_findings, ledger_state
from driftgate.live import LedgerRow
from driftgate.sources.migrations import MigrationsFolder, load_migrations
from driftgate.stamp import decide_stamp

TABLE = "__drizzle_migrations"


def folder_with(tmp_path: Path, whens: Sequence[int]) -> MigrationsFolder:
    """A real drizzle-kit-shaped folder: one SQL file per entry, the journal with the given `when`s."""
    (tmp_path / "meta").mkdir(parents=True)
    entries = []
    for idx, when in enumerate(whens):
        tag = f"{idx:04d}_step"
        (tmp_path / f"{tag}.sql").write_text(f"CREATE TABLE t{idx} (id integer);\n", encoding="utf-8")
        entries.append({"idx": idx, "version": "6", "when": when, "tag": tag, "breakpoints": True})
    journal = {"version": "7", "dialect": "sqlite", "entries": entries}
    (tmp_path / "meta" / "_journal.json").write_text(json.dumps(journal), encoding="utf-8")
    return load_migrations(tmp_path)


def row(hash_: str, created_at: int | None) -> LedgerRow:
    return LedgerRow(hash_, created_at)


def statuses(folder: MigrationsFolder, rows: Sequence[LedgerRow] | None) -> dict[str, str]:
    return {f.object: f.status for f in ledger_findings(ledger_state(folder, rows), TABLE)}


def report(tag: str | None, *blocking: str) -> Report:
    findings = tuple(Finding("baseline", "table", name, name, "unexpected") for name in blocking)
    return Report("file:x.db", (), findings, gate_tag=tag)


def decision(folder: MigrationsFolder, rows: Sequence[LedgerRow] | None, tag: str, *blocking: str) -> str:
    try:
        plan = decide_stamp(report(tag, *blocking), folder, rows, TABLE)
    except StampRefused as refused:
        return f"refused: {refused}"
    return "already" if plan.already_stamped else f"write {[e.tag for e in plan.to_insert]}"


@pytest.fixture
def two(tmp_path: Path) -> MigrationsFolder:
    return folder_with(tmp_path, [100, 200])


def test_recorded_with_its_hash_is_ok_and_already_stamped(two: MigrationsFolder) -> None:
    first = two.entries[0]
    rows = [row(first.hash, first.when)]
    assert statuses(two, rows) == {"0000_step": "ok", "0001_step": "ok"}
    assert decision(two, rows, first.tag) == "already"


def test_edited_file_hash(two: MigrationsFolder) -> None:
    first = two.entries[0]
    edited = [row("0" * 64, first.when)]
    assert statuses(two, edited)["0000_step"] == "different"
    assert decision(two, edited, first.tag).startswith("refused: ") and "edited" in decision(two, edited, first.tag)
    same = [row(first.hash, first.when)]
    assert statuses(two, same)["0000_step"] == "ok"


def test_unknown_row(two: MigrationsFolder) -> None:
    strange = [row("f" * 64, 42)]
    assert statuses(two, strange) == {"0000_step": "ok", "0001_step": "ok", "42": "unexpected"}
    assert "does not know" in decision(two, strange, "0000_step")
    assert statuses(two, []) == {"0000_step": "ok", "0001_step": "ok"}
    assert decision(two, [], "0000_step") == "write ['0000_step']"
    assert decision(two, None, "0001_step") == "write ['0000_step', '0001_step']"


@pytest.mark.parametrize("created_at, shadowed", [(201, True), (200 + 10**6, True), (199, False)])
def test_high_water_mark_against_a_pending_entry(two: MigrationsFolder, created_at: int, shadowed: bool) -> None:
    first = two.entries[0]
    rows = [row(first.hash, first.when), row("e" * 64, created_at)]
    assert statuses(two, rows)["0001_step"] == ("different" if shadowed else "ok")
    assert statuses(two, rows)[str(created_at)] == "unexpected"  # the stranger itself, either way


def test_high_water_mark_blocks_a_stamp_at_and_above_the_when(two: MigrationsFolder) -> None:
    first, second = two.entries
    later_only = [row(second.hash, second.when)]  # 0001 recorded, baseline not: newest >= baseline's when
    assert statuses(two, later_only)["0000_step"] == "different"
    assert "skip it silently" in decision(two, later_only, first.tag)
    assert decision(two, [], first.tag) == "write ['0000_step']"


@pytest.mark.parametrize("whens, late", [([200, 100], True), ([200, 200], True), ([100, 200], False)])
def test_journal_order(tmp_path: Path, whens: list[int], late: bool) -> None:
    folder = folder_with(tmp_path, whens)
    for rows in (None, [row(folder.entries[0].hash, folder.entries[0].when)]):  # stamped or not
        found = {f.object: f for f in ledger_findings(ledger_state(folder, rows), TABLE)}
        assert found["0001_step"].status == ("different" if late else "ok")
        if late:
            assert "never apply" in found["0001_step"].message
            assert found["0001_step"].fix and "regenerate" in found["0001_step"].fix
            assert "when" in found["0001_step"].fix
    result = decision(folder, None, "0000_step")
    assert result.startswith("refused") if late else result == "write ['0000_step']"


def test_journal_order_compares_with_every_earlier_entry(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, [100, 300, 200])  # 0002 is above 0000 but not above 0001
    assert statuses(folder, None) == {"0000_step": "ok", "0001_step": "ok", "0002_step": "different"}


def test_already_stamped_wins_over_later_drift(two: MigrationsFolder) -> None:
    first = two.entries[0]
    stamped = [row(first.hash, first.when)]
    assert decision(two, stamped, first.tag, "intruder") == "already"
    later_too = [*stamped, row(two.entries[1].hash, two.entries[1].when)]
    assert decision(two, later_too, first.tag, "intruder") == "already"
    refused = decision(two, None, first.tag, "intruder")
    assert refused.startswith("refused: refusing to stamp 0000_step") and "baseline:table:intruder" in refused


def test_no_migrations_folder_is_bad_input(two: MigrationsFolder) -> None:
    with pytest.raises(InputError, match="no migrations folder"):
        decide_stamp(report(None), two, None, TABLE)


def test_extra_failures_block_like_findings(two: MigrationsFolder) -> None:
    with pytest.raises(StampRefused, match="2 baseline tests failed"):
        decide_stamp(report("0000_step"), two, None, TABLE, extra=["2 baseline tests failed"])
    assert not decide_stamp(report("0000_step"), two, None, TABLE).already_stamped


def test_pending_after_is_what_the_migrator_would_run(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, [100, 200, 300])
    first, second, third = folder.entries
    assert ledger_state(folder, None).pending_after(first) == (second, third)  # the baseline gets stamped
    recorded = [row(first.hash, first.when), row(second.hash, second.when)]
    assert ledger_state(folder, recorded).pending_after(first) == (third,)  # --tag 0000, 0001 already ran
    assert ledger_state(folder, [row("e" * 64, 250)]).pending_after(first) == (third,)  # 0001 would be skipped
    assert ledger_state(folder, None).pending_after(third) == ()
