"""`driftgate stamp` against a sqld that is SIGKILLed at a random moment: all or nothing, then a clean re-stamp.

Each trial runs the real CLI through a forwarding proxy (tests/tcp_proxy.py) and kills sqld either at a random
wall-clock delay within a normal stamp's duration (mostly the check's reads), or keyed to the write itself: just
before the ledger batch reaches sqld, a few milliseconds after it did, or when its answer comes back (committed
but never acknowledged).  After restarting sqld on the same port and data, the ledger must hold nothing or exactly
the complete stamp, and a second stamp must finish with exactly one row per journal entry up to the tag.

The random draws (kill delays) come from one seed, printed with every run and in every failure message;
``DRIFTGATE_FAULT_SEED=<seed>`` replays the same draws (wall-clock kills still meet a machine's own timing,
so the outcome of those trials may differ; the keyed ones may not).  Outcome counts are asserted only where
the fault point fixes the outcome: a kill before the write reaches sqld leaves nothing, a kill when the
committed write's answer comes back leaves the complete stamp.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import libsql_client
import pytest

from cli import Run, driftgate
from conftest import PREPARE_SQL, SEQUENCE_MIGRATIONS, legacy_sql, load_remote
from driftgate.sources.migrations import load_migrations
from driftgate.testing import SqldServer
from tcp_proxy import TcpProxy

LEDGER = "__drizzle_migrations"
INDEXES_0001 = (SEQUENCE_MIGRATIONS / "0001_add_lookup_indexes.sql").read_text(encoding="utf-8")
MODES = ("wallclock", "before-write", "during-write", "after-commit")
# The outcome each keyed fault point forces (the others may end either way, all or nothing).
FORCED = {"before-write": "exit3-nothing", "after-commit": "exit3-complete"}
SEED_ENV = "DRIFTGATE_FAULT_SEED"


def fault_seed() -> int:
    """The seed of this run: from the environment to replay one, else a fresh one (printed either way)."""
    given = os.environ.get(SEED_ENV)
    return int(given) if given else random.randrange(2**32)


def read_ledger(url: str) -> list[tuple[str, int]] | None:
    with libsql_client.create_client_sync(url) as client:
        exists = client.execute("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?", [LEDGER])
        if exists.rows[0][0] == 0:
            return None
        rows = client.execute(f"SELECT hash, created_at FROM {LEDGER} ORDER BY id").rows
        return [(str(r[0]), int(r[1])) for r in rows]


def drop_ledger(url: str) -> None:
    with libsql_client.create_client_sync(url) as client:
        client.execute(f"DROP TABLE IF EXISTS {LEDGER}")


class Killer:
    """The proxy hook: kills sqld at the chosen point of the ledger write, once per trial."""

    def __init__(self, server: SqldServer) -> None:
        self.server = server
        self.mode = "none"
        self.delay = 0.0
        self.fired = threading.Event()
        self.write_seen = False
        self.timer: threading.Timer | None = None
        self._tail = b""
        self._lock = threading.Lock()

    def arm(self, mode: str, delay: float) -> None:
        with self._lock:
            self.mode, self.delay, self.write_seen, self._tail = mode, delay, False, b""
            self.fired.clear()
            if self.timer is not None:
                self.timer.join(5)  # no stray kill from the previous trial
                self.timer = None

    def kill(self) -> None:
        with self._lock:
            if self.fired.is_set():
                return
            self.fired.set()
        self.server.kill()

    def __call__(self, direction: str, chunk: bytes) -> bool:
        if self.fired.is_set():
            return False  # the server is dead: nothing more gets through
        if direction == "up":
            seen, self._tail = self._tail + chunk, chunk[-64:]
            if b"INSERT INTO" in seen and not self.write_seen:
                self.write_seen = True
                if self.mode == "before-write":
                    self.kill()
                    return False
                if self.mode == "during-write":
                    self.timer = threading.Timer(self.delay, self.kill)
                    self.timer.start()
            return True
        if self.write_seen and self.mode == "after-commit":
            self.kill()  # sqld answered the batch: it committed, but the client never hears it
            return False
        return True


def stamp(url: str, tag: str, cwd: Path) -> Run:
    args = ("stamp", "--db", url, "--migrations", SEQUENCE_MIGRATIONS, "--tag", tag, "--yes", "--timeout", "5")
    return driftgate(*args, cwd=cwd, timeout=60)


@pytest.mark.parametrize(
    ("tag", "prepare", "trials"),
    [
        pytest.param("0000_baseline", (), 10, id="one-row"),
        pytest.param("0001_add_lookup_indexes", (INDEXES_0001,), 12, id="two-rows-one-transaction"),
    ],
)
def test_stamp_survives_sqld_sigkill(
    tmp_path: Path, sqld_binary_ok: None, tag: str, prepare: tuple[str, ...], trials: int
) -> None:
    folder = load_migrations(SEQUENCE_MIGRATIONS)
    expected = [(e.hash, e.when) for e in folder.up_to(tag)]
    assert len(expected) == (1 if tag == "0000_baseline" else 2)
    seed = fault_seed()
    print(f"\n{tag}: fault seed {seed} (replay: {SEED_ENV}={seed})")
    rng = random.Random(seed)
    by_mode: dict[str, Counter[str]] = {mode: Counter() for mode in MODES}
    server = SqldServer(tmp_path / "sqld-data").start()
    killer = Killer(server)
    outcomes: Counter[str] = Counter()
    log: list[str] = []
    try:
        load_remote(server.http_url, legacy_sql(), PREPARE_SQL.read_text(encoding="utf-8"), *prepare)
        with TcpProxy(server.port, killer) as proxy, ThreadPoolExecutor(1) as pool:
            # A normal stamp through the proxy: it must pass, and its duration bounds the wall-clock kills.
            started = time.monotonic()
            clean = stamp(proxy.url, tag, tmp_path)
            duration = time.monotonic() - started
            assert clean.code == 0, clean.err
            assert read_ledger(server.http_url) == expected
            drop_ledger(server.http_url)

            for trial in range(trials):
                mode = MODES[trial % len(MODES)]
                delay = rng.uniform(0, duration) if mode == "wallclock" else rng.uniform(0, 0.004)
                killer.arm(mode, delay)
                started = time.monotonic()
                future = pool.submit(stamp, proxy.url, tag, tmp_path)
                if mode == "wallclock":
                    while not future.done() and time.monotonic() - started < delay:
                        time.sleep(0.002)
                    killer.kill()
                run = future.result(timeout=90)
                killer.fired.wait(5)  # a delayed kill may land after the client already exited
                killer.kill()  # every trial ends with a SIGKILL, even one that finished first
                proxy.close_all()
                assert run.code in (0, 3), f"trial {trial} ({mode}, seed {seed}): exit {run.code}\n{run.err}"

                server.start()
                rows = read_ledger(server.http_url)
                state = "nothing" if not rows else "complete"
                assert rows in (None, [], expected), f"trial {trial} ({mode}, seed {seed}): partial ledger {rows}"
                if run.code == 0:
                    assert rows == expected, f"trial {trial} ({mode}, seed {seed}): exit 0 but ledger {rows}"
                outcomes[f"exit{run.code}-{state}"] += 1
                by_mode[mode][f"exit{run.code}-{state}"] += 1
                log.append(f"{trial}:{mode}:{delay * 1000:.1f}ms:exit{run.code}:{state}")

                again = stamp(server.http_url, tag, tmp_path)
                assert again.code == 0, f"trial {trial} ({mode}, seed {seed}): re-stamp exit {again.code}\n{again.err}"
                assert read_ledger(server.http_url) == expected
                drop_ledger(server.http_url)
    finally:
        server.stop()

    print(f"{tag}: seed {seed}, clean stamp {duration:.2f} s, outcomes {dict(outcomes)}\n  " + " ".join(log))
    assert sum(outcomes.values()) == trials
    # The faults really hit the stamp on both sides of the all-or-nothing edge: every kill before the write
    # left nothing, every kill as the committed answer came back left the complete stamp.
    for mode, forced in FORCED.items():
        ran = sum(by_mode[mode].values())
        assert ran >= 2 and by_mode[mode] == Counter({forced: ran}), f"seed {seed}: {mode} gave {dict(by_mode[mode])}"
