"""Run `driftgate` once a barrier file appears, so many stampers start together."""

import sys
import time
from pathlib import Path

barrier = Path(sys.argv[1])
deadline = time.monotonic() + 60
while not barrier.exists() and time.monotonic() < deadline:
    time.sleep(0.005)
sys.argv = ["driftgate", *sys.argv[2:]]
from driftgate.cli import main  # noqa: E402

main()
