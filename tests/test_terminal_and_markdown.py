"""Terminal output in CI logs and on terminals, --quiet, NO_COLOR, and the --markdown summary."""

from __future__ import annotations

import json
import os
import pty
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from cli import driftgate
from conftest import LEGACY_SQL, LEGACY_TS, PLAN_MIGRATIONS, build_file_db

ANSI = re.compile(r"\x1b\[[0-9;]*m")
HOSTILE = ["a|b", "**x**", "<img src=x onerror=alert(1)>", "@team `tick`", "#1 $x$ :smile:"]


def run_check(cwd: Path, *args: str | Path, env: dict[str, str], terminal: bool) -> tuple[int, str]:
    """`driftgate check` with stdout a pipe (as in CI) or a pseudo-terminal."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFTGATE_", "TURSO_", "NO_COLOR"))}
    environ.update(env)
    argv = [sys.executable, "-m", "driftgate", "check", *map(str, args)]
    if not terminal:
        done = subprocess.run(argv, cwd=cwd, env=environ, capture_output=True, text=True, timeout=120)
        return done.returncode, done.stdout
    leader, follower = pty.openpty()
    process = subprocess.Popen(argv, cwd=cwd, env=environ, stdout=follower, stderr=subprocess.DEVNULL)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(60), b"".join(chunks).decode().replace("\r\n", "\n")


def drifted_example(tmp_path: Path) -> tuple[str | Path, ...]:
    db = build_file_db(tmp_path / "ex.db", LEGACY_SQL.read_text())
    return ("--db", db, "--legacy", LEGACY_TS, "--migrations", PLAN_MIGRATIONS)


def test_ci_log_is_whole_even_when_narrow(tmp_path: Path) -> None:
    code, out = run_check(tmp_path, *drifted_example(tmp_path), env={"COLUMNS": "40"}, terminal=False)
    assert code == 1
    assert "…" not in out
    for word in ("foreign_key", "table_option", "not_compared", "unexpected", "primary_key"):
        assert re.search(rf"│ {word}\s*│|┃ {word}\s*┃", out), word
    assert "missing baseline:index:conversation_summaries_user_id_machine_id_unique  expected UNIQUE" in out
    assert not ANSI.search(out)


def test_a_terminal_fits_its_width_and_gets_colour_unless_no_color(tmp_path: Path) -> None:
    args = drifted_example(tmp_path)
    code, out = run_check(tmp_path, *args, env={"COLUMNS": "60"}, terminal=True)
    assert code == 1
    assert ANSI.search(out)  # red statuses, bold headers
    table = [ANSI.sub("", line) for line in out.splitlines() if line.startswith(("┃", "│", "┏", "└"))]
    assert table and max(len(line) for line in table) <= 60
    code, plain = run_check(tmp_path, *args, env={"COLUMNS": "60", "NO_COLOR": "1"}, terminal=True)
    assert code == 1
    assert not ANSI.search(plain)
    assert "driftgate verdict: baseline 0000_baseline is blocked" in plain


def test_quiet_prints_only_the_verdict(tmp_path: Path) -> None:
    code, out = run_check(tmp_path, *drifted_example(tmp_path), "--quiet", env={}, terminal=False)
    assert code == 1
    assert out.splitlines() == [
        "driftgate verdict: baseline 0000_baseline is blocked by 12 findings (12 failing in all)"
    ]


def test_markdown_summary_to_file_and_github_step_summary(tmp_path: Path) -> None:
    step_summary = tmp_path / "step.md"
    step_summary.write_text("earlier step\n")
    summary = tmp_path / "summary.md"
    code, _ = run_check(
        tmp_path,
        *drifted_example(tmp_path),
        "--markdown",
        summary,
        env={"GITHUB_STEP_SUMMARY": str(step_summary)},
        terminal=False,
    )
    assert code == 1
    text = summary.read_text()
    assert step_summary.read_text() == "earlier step\n" + text
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "driftgate verdict:</strong> baseline 0000_baseline is blocked by 12 findings" in html
    assert "<td>baseline</td>\n<td>426</td>\n<td>12</td>" in html.replace(' style="text-align:right"', "")
    assert html.count("<td>missing</td>") == 4 and html.count("<td>different</td>") == 8
    assert "<code>users_username_unique</code>" in html
    assert len(text) < 4000


def test_markdown_names_from_schemas_render_as_themselves(tmp_path: Path) -> None:
    quoted = ['"' + name.replace('"', '""') + '"' for name in HOSTILE]
    (tmp_path / "expected.sql").write_text("".join(f"CREATE TABLE {q} (id INTEGER PRIMARY KEY);\n" for q in quoted))
    db = tmp_path / "live.db"
    sqlite3.connect(db).executescript(f"CREATE TABLE {quoted[0]} (id TEXT PRIMARY KEY);")
    run = driftgate("check", "--db", db, "--sql", "expected.sql", "--markdown", "s.md", cwd=tmp_path)
    assert run.code == 1, run.err
    html = MarkdownIt("commonmark").enable("table").render((tmp_path / "s.md").read_text())
    cells = re.findall(r"<td><code>(.*?)</code></td>", html)
    unescape = {"&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"'}
    shown = {re.sub("|".join(unescape), lambda m: unescape[m.group(0)], cell) for cell in cells}
    assert set(HOSTILE[1:]) <= shown  # missing tables, each named exactly
    assert "a|b.id" in shown  # the type that differs, pipe and all, in one cell
    assert "<img" not in html and "<strong>x</strong>" not in html


def test_markdown_lists_at_most_30_findings(tmp_path: Path) -> None:
    (tmp_path / "expected.sql").write_text("".join(f"CREATE TABLE t{i} (id INTEGER);\n" for i in range(45)))
    db = build_file_db(tmp_path / "live.db", "CREATE TABLE other (id INTEGER);")
    run = driftgate("check", "--db", db, "--sql", "expected.sql", "--markdown", "s.md", cwd=tmp_path)
    assert run.code == 1
    text = (tmp_path / "s.md").read_text()
    assert text.count("| missing |") == 30
    assert "… and 16 more: see the JSON or HTML report." in text  # 45 missing + 1 unexpected


def test_markdown_cuts_long_names_so_a_summary_fits_a_pull_request_comment(tmp_path: Path) -> None:
    long_names = [f"t{i}_" + "x" * 5000 for i in range(25)]  # SQLite sets no limit on a name's length
    tables = [*long_names, "short one"]
    (tmp_path / "expected.sql").write_text("".join(f'CREATE TABLE "{n}" (id INTEGER);\n' for n in tables))
    db = build_file_db(tmp_path / "live.db", "CREATE TABLE other (id INTEGER);")
    args = ("--db", db, "--sql", "expected.sql", "--markdown", "s.md", "--json", "r.json")
    run = driftgate("check", *args, cwd=tmp_path)
    assert run.code == 1
    text = (tmp_path / "s.md").read_text()
    assert len(text) < 65_536  # a GitHub comment's limit (the 25 names alone hold 125,000 characters)
    rows = [line for line in text.splitlines() if line.startswith("| missing |")]
    assert len(rows) == 26
    cells = [re.search(r"`(t\d+_x+…)`", row) for row in rows if "short one" not in row]
    assert len(cells) == 25 and all(c is not None and len(c.group(1)) == 120 for c in cells)  # 119 + "…"
    assert "`short one`" in text  # a short name is whole, as before
    report = json.loads((tmp_path / "r.json").read_text())
    assert {f["object"] for f in report["findings"] if f["status"] == "missing"} == set(tables)  # whole there


def test_markdown_to_an_unwritable_place_is_one_line_exit_2(tmp_path: Path) -> None:
    (tmp_path / "adir").mkdir()
    (tmp_path / "expected.sql").write_text("CREATE TABLE t (id INTEGER);\n")
    db = build_file_db(tmp_path / "live.db", "CREATE TABLE t (id INTEGER);")
    run = driftgate("check", "--db", db, "--sql", "expected.sql", "--markdown", tmp_path / "adir", cwd=tmp_path)
    assert run.code == 2
    assert run.err.startswith("driftgate: error: --markdown: cannot write") and run.err.count("\n") == 1
    assert f"cannot write {tmp_path / 'adir'} (" in run.err  # the file asked for, not a parent


@pytest.mark.parametrize("fleet", [False, True], ids=["one-database", "fleet"])
def test_an_unwritable_step_summary_is_a_warning_not_an_error(tmp_path: Path, fleet: bool) -> None:
    """$GITHUB_STEP_SUMMARY is a courtesy nobody passed on the command line: the check still answers."""
    (tmp_path / "expected.sql").write_text("CREATE TABLE t (id INTEGER);\n")
    build_file_db(tmp_path / "a.db", "CREATE TABLE t (id INTEGER);")
    build_file_db(tmp_path / "b.db", "CREATE TABLE t (id INTEGER);")
    databases = ("--db", "a.db", "--db", "b.db") if fleet else ("--db", "a.db")
    (tmp_path / "blocker").write_text("a file, not a folder")
    step = tmp_path / "blocker" / "summary.md"
    run = driftgate(
        "check", *databases, "--sql", "expected.sql", "--markdown", "s.md", cwd=tmp_path,
        env={"GITHUB_STEP_SUMMARY": str(step)},
    )  # fmt: skip
    assert run.code == 0, run.err
    assert run.err.startswith("driftgate: warning: cannot append to $GITHUB_STEP_SUMMARY") and str(step) in run.err
    assert run.out.splitlines()[-1].startswith("driftgate verdict:")
    assert (tmp_path / "s.md").read_text().startswith("### driftgate passes")


def test_the_summary_prints_names_as_they_are_not_as_emoji() -> None:
    """rich reads `:ok:` as an emoji code: a baseline tag (a file name) is printed as it is."""
    import io

    from driftgate.findings import Report, SourceInfo, new_finding
    from driftgate.report.terminal import print_summary, summary_console

    finding = new_finding("baseline", "table", "t:ok:", "t:ok:", "ok", "table exists", expected="1 column")
    report = Report("file:x:cl:.db", (SourceInfo("baseline", ("m",)),), (finding,), gate_tag="0001_team:ok:go")
    out = io.StringIO()
    print_summary(report, summary_console(out, is_terminal=False))
    text = out.getvalue()
    assert "driftgate verdict: baseline 0001_team:ok:go may be stamped: 1 check conform" in text, text
    assert "x:cl:.db" in text and "\U0001f197" not in text and "\U0001f191" not in text  # 🆗, 🆑
