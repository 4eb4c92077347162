"""The HTML drift report and its fix script, rendered from hand-built findings (no database needed).

The last tests open the page in a real headless Chromium: a screenshot that is not blank, and the
DOM with and without JavaScript. Chromium is required (Debian: ``apt-get install -y chromium``).
"""

from __future__ import annotations

import html
import re
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from pathlib import Path

import pytest

from driftgate.findings import Finding, Report, SourceInfo
from driftgate.report.fixscript import CREATE_OBJECT, WARNING, classify, collect_fixes, fix_script
from driftgate.report.html import diff_segments, fix_path, render_html, write_html
from driftgate.report.json_report import report_document

REBUILD = (
    "-- SQLite cannot change a default in place: rebuild users (CREATE TABLE users_new with active INTEGER "
    "DEFAULT 1, INSERT INTO users_new SELECT ..., DROP TABLE users, ALTER TABLE users_new RENAME TO users)"
)
ADD_COLUMN = "ALTER TABLE users ADD COLUMN email TEXT;"
CREATE_INDEX = "CREATE INDEX idx_sessions_machine ON sessions (machine_id, started_at DESC);"
CREATE_UNIQUE = "CREATE UNIQUE INDEX users_username_unique ON users (username);"
RECREATE_INDEX = "DROP INDEX idx_events_lookup;\nCREATE INDEX idx_events_lookup ON events (user_id, timestamp DESC);"
EVIL = "length(name) > 0 AND name <> '</code><script>alert(1)</script>'"


def F(source: str, kind: str, table: str | None, obj: str, status: str, **kw: object) -> Finding:  # noqa: N802
    return Finding(source=source, kind=kind, table=table, object=obj, status=status, **kw)  # type: ignore[arg-type]


def sample_report(**overrides: object) -> Report:
    findings = [
        # users: two sources; baseline fails on a default, legacy conforms.
        F("legacy", "table", "users", "users", "ok", expected="4 columns", actual="4 columns", location="app/db.ts:10"),
        F(
            "baseline",
            "table",
            "users",
            "users",
            "ok",
            expected="4 columns",
            actual="4 columns",
            location="migrations/0000_baseline.sql:1",
        ),
        F("legacy", "default", "users", "users.active", "ok", expected="1", actual="1", message="default matches"),
        F(
            "baseline",
            "default",
            "users",
            "users.active",
            "different",
            expected="'1'",
            actual="1",
            message="users.active: default differs",
            fix=REBUILD,
            location="migrations/0000_baseline.sql:5",
        ),
        F(
            "baseline",
            "column",
            "users",
            "users.email",
            "missing",
            expected="email TEXT",
            message="column users.email is expected but the database table has no such column",
            fix=ADD_COLUMN,
            location="migrations/0000_baseline.sql:6",
        ),
        F(
            "legacy",
            "column",
            "users",
            "users.email",
            "missing",
            expected="email TEXT",
            message="column users.email is expected but the database table has no such column",
            fix=ADD_COLUMN,
        ),
        F(
            "baseline",
            "index",
            "users",
            "users_username_unique",
            "missing",
            expected="UNIQUE (username)",
            message="baseline will assume index users_username_unique exists",
            fix=CREATE_UNIQUE,
        ),
        F(
            "legacy",
            "check",
            "users",
            "users(length(name) > 0)",
            "ok",
            expected=EVIL,
            actual=EVIL,
            message="check holds",
        ),
        F(
            "baseline",
            "column",
            "users",
            "users.nickname",
            "unexpected",
            actual="nickname TEXT",
            message="the database has column users.nickname, which baseline does not define",
            fix="-- add nickname to the schema, or (destructive) ALTER TABLE users DROP COLUMN nickname;",
        ),
        # events: an index whose key order differs, and an accepted unexpected index.
        F(
            "baseline",
            "index",
            "events",
            "idx_events_lookup",
            "different",
            expected="(user_id, timestamp DESC)",
            actual="(user_id, timestamp)",
            message="idx_events_lookup: key parts differ",
            fix=RECREATE_INDEX,
            location="migrations/0000_baseline.sql:20",
        ),
        F(
            "baseline",
            "index",
            "events",
            "idx_events_extra",
            "unexpected",
            actual="(kind)",
            accepted=True,
            message="the database has index idx_events_extra",
            fix="-- DROP INDEX idx_events_extra;",
        ),
        # sessions: a missing index.
        F(
            "baseline",
            "index",
            "sessions",
            "idx_sessions_machine",
            "missing",
            expected="(machine_id, started_at DESC)",
            message="index idx_sessions_machine on sessions is expected but the database lacks it",
            fix=CREATE_INDEX,
        ),
        # audit_log: legacy DDL with ${...} could not be compared.
        F(
            "legacy",
            "table",
            "audit_log",
            "audit_log",
            "not_compared",
            expected="CREATE TABLE ${prefix}_audit_log (id INTEGER PRIMARY KEY)",
            message="not compared: DDL with an unresolved ${...} interpolation",
            location="app/db.ts:88",
        ),
        # machines: everything conforms, so its section is collapsed.
        F("legacy", "table", "machines", "machines", "ok", expected="2 columns", actual="2 columns"),
        F("baseline", "table", "machines", "machines", "ok", expected="2 columns", actual="2 columns"),
        F(
            "baseline",
            "type",
            "machines",
            "machines.machine_id",
            "ok",
            expected="TEXT",
            actual="TEXT",
            message="declared type matches",
        ),
        # the ledger has no table.
        F(
            "baseline",
            "ledger",
            None,
            "0000_baseline",
            "ok",
            expected="hash 1a2b3c4d5e6f…, created_at 1700000000000",
            actual="pending",
            message="0000_baseline is pending (not recorded yet)",
            location="migrations/0000_baseline.sql",
        ),
    ]
    fields: dict[str, object] = {
        "database": "libsql://prod-db.example.turso.io",
        "sources": (
            SourceInfo("legacy", ("app/db.ts",), "12 DDL statements from application code"),
            SourceInfo("baseline", ("migrations/0000_baseline.sql",), "migrations up to 0000_baseline"),
        ),
        "findings": tuple(findings),
        "started_at": "2026-11-26T10:00:00+00:00",
        "tool_versions": {"driftgate": "0.1.0", "sqlglot": "30.0.0"},
        "gate_tag": "0000_baseline",
    }
    fields.update(overrides)
    return Report(**fields)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def report() -> Report:
    return sample_report()


@pytest.fixture(scope="module")
def page(report: Report) -> str:
    return render_html(report)


def rows_of(page: str) -> list[str]:
    return re.findall(r'<tr class="it[^"]*".*?</tr>', page, flags=re.DOTALL)


def row_for(page: str, kind: str, text: str) -> str:
    matches = [r for r in rows_of(page) if f'data-k="{kind}"' in r and text in r]
    assert len(matches) == 1, f"expected one {kind} row with {text!r}, got {len(matches)}"
    return matches[0]


def section(page: str, title: str) -> str:
    match = re.search(rf'<details class="tbl[^"]*" id="s\d+" data-t="{re.escape(title)}".*?</details>', page, re.DOTALL)
    assert match, f"no section {title}"
    return match.group(0)


# --- the top of the page ----------------------------------------------------------------------------


def test_verdict_gate_and_run_facts(report: Report, page: str) -> None:
    assert report.verdict().startswith("baseline 0000_baseline is blocked")
    assert f'id="verdict">{html.escape(report.verdict())}</p>' in page
    assert f"<title>driftgate: {html.escape(report.verdict())}</title>" in page
    assert "may not be stamped" in page
    gate = page[page.index('id="gate"') : page.index('id="run"')]
    for finding in report.blocking:
        assert html.escape(finding.object) in gate
    assert "idx_events_extra" not in gate  # accepted: does not block
    assert "app/db.ts:88" not in gate and "audit_log" not in gate  # legacy findings never block a stamp
    assert "libsql://prod-db.example.turso.io" in page
    assert "2026-11-26T10:00:00+00:00" in page
    assert "12 DDL statements from application code" in page and "migrations/0000_baseline.sql" in page
    assert "sqlglot 30.0.0" in page


def test_counts_come_from_the_json_summary(report: Report, page: str) -> None:
    summary = report_document(report)["summary"]
    totals = page[page.index('id="totals"') : page.index("</div>", page.index('id="totals"'))]
    for label in ("checked", "ok", "failed", "accepted"):
        assert f"{label} <b>{summary[label]}</b>" in totals
    counts = page[page.index('id="counts"') : page.index("</section>", page.index('id="counts"'))]
    # The "all kinds / all sources" cell equals the JSON summary per status.
    total_row = re.search(r'<tr class="total">.*?</tr>', counts, re.DOTALL).group(0)
    last_cell = re.findall(r'<td class="n">(.*?)</td>', total_row, re.DOTALL)[-1]
    shown = {st: int(n) for n, st in re.findall(r'<span class="c [a-z_]+">(\d+) ([a-z ]+)</span>', last_cell)}
    expected = {st.replace("_", " "): n for st, n in summary["by_status"].items()}
    expected["accepted"] = summary["accepted"]
    assert shown == expected
    # One row per kind, one column per source: baseline's index cell splits by status.
    index_row = re.search(r"<tr><td>index</td>.*?</tr>", counts, re.DOTALL).group(0)
    assert '<span class="c missing">2 missing</span>' in index_row
    assert '<span class="c accepted">1 accepted</span>' in index_row


# --- per table ---------------------------------------------------------------------------------------


def test_drift_row_shows_both_values_with_the_difference_marked(page: str) -> None:
    row = row_for(page, "default", "users.active: default differs")
    # baseline expected '1', the database has 1: the quotes are marked, both values are there.
    assert "<del>&#39;</del>1<del>&#39;</del>" in row
    assert 'class="live"><code class="val">1</code>' in row
    assert '<span class="b different">different</span>' in row
    assert '<span class="b ok">ok</span>' in row  # legacy's cell for the same item
    assert '<pre class="fix">-- SQLite cannot change a default in place' in row
    assert "0000_baseline.sql:5" in row

    index = row_for(page, "index", "idx_events_lookup")
    assert "(user_id, timestamp<del> DESC</del>)" in index
    assert "(user_id, timestamp)" in index


def test_diff_segments() -> None:
    assert diff_segments("'1'", "1") == ([("del", "'"), ("", "1"), ("del", "'")], [("", "1")])
    old, new = diff_segments("CURRENT_TIMESTAMP", "datetime('now')")
    assert ("del", "CURRENT_TIMESTAMP") in old and any(tag == "ins" for tag, _ in new)
    big = "x" * 5000
    assert diff_segments(big, big + "y") == ([("del", big)], [("ins", big + "y")])


def test_user_sql_is_escaped(page: str) -> None:
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert page.count("<script>") == 1  # ours, inline
    assert "</code><script>" not in page


def test_nothing_is_loaded_from_the_network(page: str) -> None:
    report = sample_report(database="https://prod-db.example.turso.io")
    for text in (page, render_html(report)):
        for attribute in re.findall(r'\b(?:src|href|action|poster|data)\s*=\s*"([^"]*)"', text, re.IGNORECASE):
            assert attribute.startswith("#"), attribute
        assert not re.search(r"<(link|iframe|img|object|embed)\b", text, re.IGNORECASE)
        assert "@import" not in text and "url(" not in text and "fetch(" not in text
    assert "https://prod-db.example.turso.io" in render_html(report)  # shown as text, never fetched


def test_failures_first_and_conforming_tables_collapsed(page: str) -> None:
    titles = re.findall(r'<details class="tbl[^"]*" id="s\d+" data-t="([^"]*)"', page)
    assert titles == ["audit_log", "events", "sessions", "users", "machines", "Ledger"]
    for title in ("audit_log", "events", "sessions", "users"):
        assert re.match(r"<details[^>]* open>", section(page, title))
    for title in ("machines", "Ledger"):
        assert not re.match(r"<details[^>]* open>", section(page, title))
    users = rows_of(section(page, "users"))
    failing = [i for i, row in enumerate(users) if row.startswith('<tr class="it f"')]
    assert failing == list(range(len(failing))) and 0 < len(failing) < len(users)
    # The ledger has its own section, with the pending message.
    assert "0000_baseline is pending (not recorded yet)" in section(page, "Ledger")


def test_columns_per_source_and_live(page: str) -> None:
    users = section(page, "users")
    assert "<th>legacy <span" in users and "<th>baseline <span" in users and "<th>live database</th>" in users
    row = row_for(page, "index", "users_username_unique")
    assert "not in legacy" in row and '<span class="none">absent</span>' in row
    unexpected = row_for(page, "column", "nickname")
    assert '<div class="none">not expected</div>' in unexpected and "nickname TEXT" in unexpected


def test_not_compared_and_accepted(page: str) -> None:
    not_compared = page[page.index('id="not-compared"') : page.index('id="items"')]
    assert "Not compared (1)" in not_compared
    assert "DDL with an unresolved ${...} interpolation" in not_compared
    assert "app/db.ts:88" in not_compared
    row = row_for(page, "index", "idx_events_extra")
    assert '<span class="b accepted">accepted</span>' in row
    assert row.startswith('<tr class="it a"')  # accepted: not a failure
    assert "baseline:index:idx_events_extra" in page[page.index('id="accepted"') :]


def test_filters_are_progressive(page: str) -> None:
    assert '<div id="filters" hidden>' in page  # only JavaScript reveals them
    assert 'id="f-failing"' in page and 'id="f-kind"' in page and 'id="f-search"' in page
    for kind in ("default", "index", "ledger"):
        assert f'<option value="{kind}">' in page


# --- the fix script ----------------------------------------------------------------------------------


def test_fix_script_order_warning_and_dedupe(report: Report) -> None:
    script = fix_script(report)
    assert script.startswith("-- driftgate fix script\n")
    assert "-- database: libsql://prod-db.example.turso.io" in script
    assert f"-- verdict: {report.verdict()}" in script
    create_index = script.index(CREATE_INDEX)
    create_unique = script.index(CREATE_UNIQUE)
    add_column = script.index(ADD_COLUMN)
    rebuild = script.index(REBUILD)
    assert max(create_index, create_unique) < add_column < rebuild
    assert script.count(ADD_COLUMN) == 1  # the same fix from legacy and baseline, once
    assert "legacy:column:users.email" in script and "baseline:column:users.email" in script
    lines = script.splitlines()

    def preceding(text: str) -> str:
        """The line two above the fix's first line: the warning sits above the "-- fixes ..." line."""
        first = next(i for i, line in enumerate(lines) if text.splitlines()[0] in line)
        return lines[first - 2]

    for destructive in (REBUILD, RECREATE_INDEX, "-- add nickname to the schema, or (destructive)"):
        assert preceding(destructive) == WARNING, destructive
    for safe in (CREATE_INDEX, CREATE_UNIQUE, ADD_COLUMN):
        assert preceding(safe) != WARNING, safe
    assert "idx_events_extra" not in script  # accepted findings need no fix


def test_fix_script_classification() -> None:
    trigger = "CREATE TRIGGER t AFTER UPDATE ON a BEGIN DELETE FROM b WHERE id = old.id; END;"
    assert classify(trigger) == (CREATE_OBJECT, False)  # a DELETE inside a trigger body is not destructive
    table = "CREATE TABLE a (id INTEGER, b_id INTEGER REFERENCES b(id) ON DELETE cascade);"
    assert classify(table) == (CREATE_OBJECT, False)
    assert classify("DROP VIEW v;\nCREATE VIEW v AS SELECT 1;")[1] is True
    assert classify("-- declare it with check(), or rebuild t without it")[1] is True
    assert classify("-- restore 0000_x.sql as it was applied")[1] is False


def test_fix_script_is_in_the_page(page: str) -> None:
    block = re.search(r'<pre id="fix-sql">(.*?)</pre>', page, re.DOTALL).group(1)
    assert html.unescape(block) == fix_script(sample_report())


def test_write_html_writes_report_and_fix_script(tmp_path: Path, report: Report) -> None:
    target = tmp_path / "reports" / "driftgate.html"
    write_html(report, target)
    script = tmp_path / "reports" / "driftgate.fix.sql"
    assert fix_path(target) == script
    assert target.read_text(encoding="utf-8") == render_html(report, "driftgate.fix.sql")
    assert script.read_text(encoding="utf-8") == fix_script(report)
    assert "driftgate.fix.sql" in target.read_text(encoding="utf-8")
    # A conforming run still writes its fix script (the README says --html always does), saying so.
    clean = sample_report(findings=tuple(f for f in report.findings if f.status == "ok"))
    assert not collect_fixes(clean)
    write_html(clean, target)
    lines = script.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "-- driftgate fix script"
    assert "-- nothing to fix: no finding fails" in lines
    assert not [line for line in lines if not line.startswith("--")]  # no statement at all
    assert "Nothing to fix." in target.read_text(encoding="utf-8")
    assert "may be stamped" in target.read_text(encoding="utf-8")
    # Failing findings without an automatic fix: nothing to run, and the count to resolve by hand.
    manual = sample_report(findings=(F("legacy", "table", "t", "t", "not_compared", message="unresolved ${x}"),))
    assert not collect_fixes(manual)
    write_html(manual, target)
    assert "-- nothing to fix automatically: 1 failing finding to resolve by hand" in script.read_text()


def test_wording_spacing_and_plurals_in_the_page(report: Report) -> None:
    clean = sample_report(findings=tuple(f for f in report.findings if f.status == "ok"))
    text = " ".join(re.sub(r"<[^>]+>", " ", render_html(clean, "x.fix.sql")).split())
    assert re.search(r"No section has a failure\. \d+ conforming sections? (is|are) collapsed", text)
    assert "Fix script (0 fixes)" in text
    one_other = sample_report(
        findings=(
            *clean.findings,
            F("legacy", "index", "users", "idx_x", "missing", expected="(a)", fix="CREATE INDEX idx_x ON users (a);"),
        )
    )
    text = " ".join(re.sub(r"<[^>]+>", " ", render_html(one_other, "x.fix.sql")).split())
    assert "1 failing finding of other sources is reported below" in text
    assert "Fix script (1 fix)" in text


def test_run_block_folds_a_long_source_list(report: Report) -> None:
    files = tuple(f"drizzle/{i:04d}_step.sql" for i in range(84))
    long = sample_report(sources=(SourceInfo("baseline", files, "migrations up to 0083_step"),))
    page = render_html(long)
    run = page.split('<section id="run">', 1)[1].split("</section>", 1)[0]
    assert (
        "<details" in run
        and "<summary>84 files: <code>drizzle/0000_step.sql</code> … <code>drizzle/0083_step.sql</code></summary>"
        in run
    )
    assert run.count("<li>") == 84  # all still there, folded
    short = render_html(sample_report(sources=(SourceInfo("baseline", files[:3], ""),)))
    assert "<details" not in short.split('<section id="run">', 1)[1].split("</section>", 1)[0]


def test_unstamped_report_without_baseline() -> None:
    report = sample_report(gate_tag=None, findings=tuple(f for f in sample_report().findings if f.source == "legacy"))
    page = render_html(report)
    assert "nothing to stamp" in page
    assert html.escape(report.verdict()) in page


def test_source_labels_only_in_findings_still_get_a_column() -> None:
    extra = F("sql", "table", "users", "users", "ok", expected="4 columns", actual="4 columns")
    report = sample_report(findings=(*sample_report().findings, extra))
    assert "<th>sql <span" in section(render_html(report), "users")


# --- a real browser ----------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
TIMEOUT = 60


def chromium() -> str:
    path = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not path:
        pytest.fail("chromium is required for the browser tests: install it with `apt-get install -y chromium`")
    return path


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", *args,
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)


def png_pixels(path: Path) -> tuple[int, int, list[bytes], int]:
    """Decode an 8-bit, non-interlaced PNG with the stdlib: rows of raw pixels after unfiltering."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, chunk = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if chunk == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif chunk == b"IDAT":
            idat.append(body)
        elif chunk == b"IEND":
            break
        pos += 12 + length
    assert header is not None
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and interlace == 0 and color in (2, 6), header
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif kind == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev, strict=True))
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif kind == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows, bpp


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory, report: Report) -> Path:
    path = tmp_path_factory.mktemp("html") / "driftgate.html"
    write_html(report, path)
    return path


def test_chromium_screenshot_is_not_blank(tmp_path: Path, report_file: Path) -> None:
    shot = tmp_path / "shot.png"
    result = run_chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", report_file.as_uri())
    assert shot.exists(), f"no screenshot: {result.stderr[-2000:]}"
    assert shot.stat().st_size > 20_000
    width, height, rows, bpp = png_pixels(shot)
    assert (width, height) == (1280, 2000)
    colours = Counter(row[x : x + 3] for row in rows[::4] for x in range(0, len(row), bpp * 4))
    most_common = colours.most_common(1)[0][1]
    assert len(colours) > 50 and most_common < 0.95 * sum(colours.values()), "the page rendered blank"
    # The verdict banner is drawn with the inline CSS: a failing report has a light red banner.
    r, g, b = rows[10][10 * bpp : 10 * bpp + 3]
    assert r > 240 and 220 < g < 245 and 220 < b < 245, (r, g, b)


NO_SCRIPT_POLICY = """<meta http-equiv="Content-Security-Policy" content="script-src 'none'">"""


def dump_dom(tmp_path: Path, page: Path, javascript: bool) -> subprocess.CompletedProcess[str]:
    """The DOM after load, with the page's JavaScript running or not.

    ``--blink-settings=scriptEnabled=false`` is tried first. Current Chromium (156) then prints
    nothing in headless mode, so the fallback blocks the page's scripts with a Content-Security-Policy
    in a copy of the page: the same effect for the page, and --dump-dom still works.
    """
    args = ["--dump-dom", "--enable-logging=stderr", "--v=0"]
    if javascript:
        return run_chromium(tmp_path, *args, page.as_uri())
    result = run_chromium(tmp_path, *args, "--blink-settings=scriptEnabled=false", page.as_uri())
    if "</html>" in result.stdout:
        return result
    blocked = tmp_path / "no-js.html"
    blocked.write_text(page.read_text(encoding="utf-8").replace("<head>", "<head>" + NO_SCRIPT_POLICY, 1), "utf-8")
    result = run_chromium(tmp_path, *args, blocked.as_uri())
    assert "Content Security Policy" in result.stderr, "the page's script was not blocked"
    return result


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_chromium_dom(tmp_path: Path, report_file: Path, report: Report, javascript: bool) -> None:
    result = dump_dom(tmp_path, report_file, javascript)
    dom = result.stdout
    assert result.returncode == 0 and "</html>" in dom, result.stderr[-2000:]
    summary = report_document(report)["summary"]
    assert html.escape(report.verdict()) in dom
    assert f"checked <b>{summary['checked']}</b>" in dom and f"failed <b>{summary['failed']}</b>" in dom
    assert '<span class="c missing">2 missing</span>' in dom  # the counts table
    assert "<del>'</del>1<del>'</del>" in dom  # the known drift row, both values, marked
    assert "(user_id, timestamp<del> DESC</del>)" in dom
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert "Uncaught" not in result.stderr, result.stderr[-2000:]
    if javascript:
        assert '<div id="filters">' in dom  # revealed by the script
        assert "Copy fix script</button>" in dom
    else:
        assert '<div id="filters" hidden="">' in dom
        assert "Copy fix script</button>" not in dom
    # Failing tables open, conforming ones collapsed, with or without JavaScript.
    assert re.search(r'<details class="tbl has-f" id="s\d+" data-t="users" open="">', dom)
    assert re.search(r'<details class="tbl" id="s\d+" data-t="machines">', dom)


def test_chromium_filters_work(tmp_path: Path, report_file: Path) -> None:
    """Drive the filter controls the way a user would, then read the DOM back."""
    drive = """<script>
    var only = document.getElementById("f-failing");
    only.checked = true;
    only.dispatchEvent(new Event("change"));
    document.body.setAttribute("data-failing-only",
        document.querySelectorAll("tr.it:not([hidden])").length + "/" +
        document.querySelectorAll("details.tbl:not([hidden])").length);
    var search = document.getElementById("f-search");
    search.value = "NICKNAME";
    search.dispatchEvent(new Event("input"));
    </script></body>"""
    driven = tmp_path / "driven.html"
    driven.write_text(report_file.read_text(encoding="utf-8").replace("</body>", drive, 1), encoding="utf-8")
    # The search is debounced: a virtual time budget lets its timer fire before the DOM is dumped.
    result = run_chromium(tmp_path, "--dump-dom", "--virtual-time-budget=2000", driven.as_uri())
    dom = result.stdout
    assert "</html>" in dom, result.stderr[-2000:]
    failing_rows = len({(f.kind, f.object) for f in sample_report().findings if f.failed})  # one row per item
    assert f'data-failing-only="{failing_rows}/4"' in dom  # audit_log, events, sessions, users
    visible = re.findall(r'<tr class="it[^"]*" data-k="[^"]*">(?:(?!</tr>).)*', dom, re.DOTALL)
    assert len(visible) == 1 and "nickname" in visible[0]
    assert 'id="shown">1 items shown<' in dom


def test_fix_script_creates_an_index_after_the_column_it_covers() -> None:
    def missing(kind: str, obj: str, table: str, fix: str) -> Finding:
        return Finding(source="baseline", kind=kind, table=table, object=obj, status="missing", fix=fix)

    other_index = "CREATE INDEX ix_other ON other (b);"
    add_column = "ALTER TABLE t ADD COLUMN a TEXT;"
    index_on_new = "CREATE INDEX ix_t_a ON t (a);"
    report = Report(
        database="file:x.db",
        sources=(),
        findings=(
            missing("index", "ix_t_a", "t", index_on_new),
            missing("index", "ix_other", "other", other_index),
            missing("column", "t.a", "t", add_column),
        ),
    )
    script = fix_script(report)
    assert script.index(other_index) < script.index(add_column) < script.index(index_on_new)


def test_json_findings_carry_every_field_in_order_and_read_back() -> None:
    from driftgate.findings import Finding, findings_json
    from driftgate.report.json_report import report_document, report_from_document

    findings = (
        F("sql", "type", "t", "t.a", "different", expected="int", actual="text", fix="-- rebuild t"),
        F("baseline", "index", "t", "i", "missing", location="m.sql:3"),
    )
    rendered = findings_json(findings)
    assert [list(r) for r in rendered] == [list(Finding._fields)] * 2
    assert [tuple(r.values()) for r in rendered] == list(findings)
    report = Report("db", (), findings)
    assert report_from_document(report_document(report)).findings == findings
