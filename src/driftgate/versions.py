"""Installed versions of the packages driftgate reports and keys its cache on.

Read from the ``<name>-<version>.dist-info`` folder every wheel install leaves on ``sys.path``
(the wheel format fixes that name), because ``importlib.metadata`` costs 30 ms of imports (the
email parser) on every check, a tenth of a small project's whole run.  A package installed some
other way (an egg, a zip) is asked of ``importlib.metadata`` as before.
"""

from __future__ import annotations

import functools
import os
import sys


@functools.cache
def installed_version(name: str) -> str | None:
    """The version of distribution ``name`` (e.g. ``libsql-client``), or None when it is not installed."""
    wanted = name.replace("-", "_").lower() + "-"
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in names:
            if folder.endswith(".dist-info") and folder.lower().startswith(wanted):
                return folder[len(wanted) : -len(".dist-info")]
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None
