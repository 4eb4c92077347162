"""The pre-commit hook this repository offers: its entry keeps reference_sql/ fresh."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import LEGACY_TS, REPO


def test_hook_entry_passes_when_fresh_and_fails_when_stale(tmp_path: Path) -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "driftgate-extract-check" and hook["language"] == "python"
    assert hook["pass_filenames"] is False  # extract reads its sources from config, not from the changed files
    assert re.search(hook["files"], "src/db/client.ts") and not re.search(hook["files"], "README.md")
    program, *args = shlex.split(hook["entry"])
    assert program == "driftgate"
    argv = [sys.executable, "-m", "driftgate", *args]

    (tmp_path / "client.ts").write_text(LEGACY_TS.read_text())
    (tmp_path / "pyproject.toml").write_text('[tool.driftgate]\nlegacy = ["client.ts"]\n')
    stale = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert stale.returncode == 1, stale.stdout + stale.stderr  # no reference file yet
    made = subprocess.run([sys.executable, "-m", "driftgate", "extract"], cwd=tmp_path, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    fresh = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    client = tmp_path / "client.ts"
    client.write_text(
        client.read_text().replace("CREATE TABLE IF NOT EXISTS users", "CREATE TABLE IF NOT EXISTS people")
    )
    changed = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert changed.returncode == 1
    assert "reference_sql/legacy.sql is stale: run driftgate extract" in changed.stderr
