"""What `pip install driftgate` brings: built as pip builds it, read from the wheel's metadata."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

from conftest import REPO


def test_wheel_declares_xdist_the_containers_extra_and_an_spdx_license(tmp_path: Path) -> None:
    # Built from a copy: setuptools writes build/ and *.egg-info next to the sources it builds.
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(REPO / "pyproject.toml", project)
    shutil.copy(REPO / "README.md", project)
    shutil.copytree(REPO / "src", project / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(project)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("driftgate-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(archive.read(name).decode())
    requires = metadata.get_all("Requires-Dist") or []
    assert metadata["License-Expression"] == "MIT"
    assert metadata["License"] is None  # the table form setuptools warns about is gone
    assert any(r.startswith("pytest-xdist") and "extra ==" not in r for r in requires)  # `-n auto` after command 1
    assert any(r.startswith("testcontainers") and r.endswith('extra == "containers"') for r in requires)
    assert "containers" in (metadata.get_all("Provides-Extra") or [])
