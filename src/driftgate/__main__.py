from driftgate.cli import main

main()
