"""The conformance suite itself: one test function per kind of finding, shipped with the package.

A project's ``conformance/test_conformance.py`` (written by ``driftgate init``) only does
``from driftgate.suite import *``, so a kind added by a later driftgate version arrives with
the upgrade instead of with a hand-edited copy.  The driftgate pytest plugin parametrizes each
function with the findings of its kind; the test ids read ``<source>:<object>``.
"""

from __future__ import annotations

from collections.abc import Callable

from driftgate.findings import KINDS, Finding
from driftgate.pytest_plugin import KIND_PREFIX, assert_conforms


def _conformance_test(kind: str) -> Callable[[Finding], None]:
    def test(driftgate_finding: Finding) -> None:
        assert_conforms(driftgate_finding)

    # pytest collects by this name and the plugin reads the kind back from it.
    test.__name__ = test.__qualname__ = f"{KIND_PREFIX}{kind}"
    test.__doc__ = f"Each {kind} finding of the run conforms (or is accepted in [tool.driftgate])."
    return test


__all__ = [f"{KIND_PREFIX}{kind}" for kind in KINDS]
globals().update({name: _conformance_test(name.removeprefix(KIND_PREFIX)) for name in __all__})
