"""What `pip install driftgate` brings: built as pip builds it, read from the wheel's metadata."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

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


@pytest.mark.parametrize("name", ["sqlglot", "sqlglotc", "libsql", "libsql-client", "orjson", "no-such-distribution"])
def test_installed_versions_are_what_importlib_metadata_says(name: str) -> None:
    """driftgate reads versions from dist-info folder names (no importlib.metadata import on each check)."""
    from importlib.metadata import PackageNotFoundError, version

    from driftgate.versions import installed_version

    try:
        expected: str | None = version(name)
    except PackageNotFoundError:
        expected = None
    assert installed_version(name) == expected
