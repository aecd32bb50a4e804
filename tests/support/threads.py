"""Real threads for tests: each has its own database connection, closed when it ends, and
what it raises comes back to the test instead of being lost in the thread."""

import contextlib
import threading

from django.db import connections

JOIN_SECONDS = 60  # a thread still running after this is hung (a deadlock), not slow


def _run(call, outcome: dict, barrier=None) -> None:
    try:
        if barrier is not None:
            barrier.wait(timeout=JOIN_SECONDS)
        outcome["result"] = call()
    except BaseException as error:  # handed to the test thread
        outcome["error"] = error
    finally:
        connections.close_all()


def race(calls) -> tuple[list, list[BaseException]]:
    """Run each call in a thread of its own, all let go at once, and wait for them.

    Returns (what the calls returned, what they raised), each in no particular order;
    fails if a thread hangs.
    """
    barrier = threading.Barrier(len(calls))
    outcomes = [{} for _ in calls]
    threads = [
        threading.Thread(target=_run, args=(call, outcome, barrier))
        for call, outcome in zip(calls, outcomes, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_SECONDS)
    assert not any(t.is_alive() for t in threads), "a thread hung: deadlock?"
    results = [o["result"] for o in outcomes if "result" in o]
    errors = [o["error"] for o in outcomes if "error" in o]
    return results, errors


@contextlib.contextmanager
def in_background(call, *, release: threading.Event | None = None):
    """Run `call` in another thread while the `with` body runs; then set `release` (which the
    call may be waiting for), wait for the thread and raise what the call raised."""
    outcome: dict = {}
    thread = threading.Thread(target=_run, args=(call, outcome))
    thread.start()
    try:
        yield outcome
    finally:
        if release is not None:
            release.set()
        thread.join(timeout=JOIN_SECONDS)
    assert not thread.is_alive(), "the background thread hung"
    if "error" in outcome:
        raise outcome["error"]


def in_thread(function, /, *args, **kwargs):
    """`function(*args, **kwargs)` in a short-lived thread: its result, or its error raised."""
    with in_background(lambda: function(*args, **kwargs)) as outcome:
        pass
    return outcome.get("result")
