"""The collector pause: off while any thread is inside, restored when the last one leaves."""

from __future__ import annotations

import gc
import threading

from driftgate.gcpause import collector_paused


def test_nested_and_concurrent_pauses_restore_the_collector() -> None:
    assert gc.isenabled()
    inside = threading.Barrier(2)
    leave = threading.Event()
    seen: list[bool] = []

    def other() -> None:
        with collector_paused():
            inside.wait()
            leave.wait(5)
            seen.append(gc.isenabled())

    thread = threading.Thread(target=other)
    thread.start()
    with collector_paused():
        inside.wait()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner exit is not the last one
    assert not gc.isenabled()  # the other thread is still inside
    leave.set()
    thread.join(5)
    assert seen == [False]
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
