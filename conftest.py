"""Repository root: the conformance suite's settings live in pyproject.toml's [tool.driftgate]."""
