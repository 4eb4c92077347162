"""The example's migrations are what the real drizzle-kit writes for its schemas, byte for byte.

The SQL is compared, not the journal: `when` and snapshot ids change on every run.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import EXAMPLE, REPO

DRIZZLE_KIT = REPO / "tools" / "node_modules" / "drizzle-kit" / "bin.cjs"


@pytest.mark.parametrize("project", ["plan", "corrected"])
def test_committed_baseline_is_what_drizzle_kit_generates(tmp_path: Path, project: str) -> None:
    assert DRIZZLE_KIT.is_file(), "drizzle-kit missing: run `npm ci --ignore-scripts` in tools/"
    source = EXAMPLE / project
    work = tmp_path / project
    work.mkdir()
    shutil.copytree(source / "schema", work / "schema")
    shutil.copy(source / "drizzle.config.ts", work / "drizzle.config.ts")
    (work / "node_modules").symlink_to(REPO / "tools" / "node_modules")
    done = subprocess.run(
        ["node", str(DRIZZLE_KIT), "generate", "--name", "baseline"],
        cwd=work,
        stdin=subprocess.DEVNULL,  # a question drizzle-kit might ask fails at once instead of waiting
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    generated = (work / "migrations" / "0000_baseline.sql").read_text()
    assert generated == (source / "migrations" / "0000_baseline.sql").read_text()
