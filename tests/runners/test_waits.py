"""The runners' waits end early on an interrupt of the main thread, as Ray's cancel sends it."""

from __future__ import annotations

import _thread
import queue
import signal
import threading
import time

import pytest

from harness.runners.waits import get_within, wait_for

LONG_S = 60.0  # far longer than the interrupt takes: an unsliced wait sits it out


def _interrupted(wait) -> float:
    """Seconds until `wait()` raised the KeyboardInterrupt sent 0.3 s after it began.

    SIGINT gets Python's default handler, as in a Ray worker: a shell's background job
    inherits it ignored, and an in-process CLI test may leave the harness's own."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.3, _thread.interrupt_main)
    started = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            wait()
        return time.monotonic() - started
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)


def test_an_event_wait_ends_on_an_interrupt():
    assert _interrupted(lambda: wait_for(threading.Event(), LONG_S)) < LONG_S / 2
    assert _interrupted(lambda: wait_for(threading.Event(), None)) < LONG_S / 2


def test_a_queue_get_ends_on_an_interrupt():
    assert _interrupted(lambda: get_within(queue.Queue(), LONG_S)) < LONG_S / 2


def test_without_an_interrupt_they_keep_their_contract():
    event, items = threading.Event(), queue.Queue()
    assert wait_for(event, 0.3) is False
    with pytest.raises(queue.Empty):
        get_within(items, 0.3)
    event.set()
    items.put("line")
    assert wait_for(event, LONG_S) is True
    assert get_within(items, LONG_S) == "line"
    with pytest.raises(queue.Empty):
        get_within(items, 0)  # a timeout of zero still looks once
