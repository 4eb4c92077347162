from driftgate.cli import run

run()
