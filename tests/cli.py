"""Run the real ``driftgate`` command in a subprocess: real exit codes, real stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self, path: Path) -> dict[str, Any]:
        return json.loads(path.read_text(encoding="utf-8"))


def driftgate(*args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> Run:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFTGATE_", "TURSO_"))}
    environ.update(env or {})
    environ["COLUMNS"] = "200"
    done = subprocess.run(
        [sys.executable, "-m", "driftgate", *map(str, args)],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def failing(report: dict[str, Any]) -> set[tuple[str, str, str, str]]:
    return {
        (f["source"], f["kind"], f["object"], f["status"])
        for f in report["findings"]
        if f["status"] != "ok" and not f["accepted"]
    }
