"""Health probes for /healthz. They say ok or error, never why (no secrets).

Anyone may call /healthz, so it stays cheap and bounded whatever the outside services do:

- each check runs in a thread of its own and is given CHECK_SECONDS; one that has not
  answered by then is an error, and is not started again while it still hangs (at most one
  call per component in flight per process);
- the database is checked first, on the check thread's own connection, which is closed
  before storage and Redis are asked: no connection is held across their network calls;
- the report is kept for CACHE_SECONDS and one report is made at a time per process:
  probes arriving meanwhile wait for it (never longer than it can take) and share it.
"""

import logging
import threading
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.files.storage import default_storage
from django.db import connection, connections

logger = logging.getLogger(__name__)

CHECK_SECONDS = 2.0
CACHE_SECONDS = 5.0


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _channel_layer() -> str:
    layer = get_channel_layer()
    async_to_sync(layer.group_send)("healthz", {"type": "healthz.ping"})
    return "ok"


def _storage() -> str:
    default_storage.exists("healthz-probe")
    return "ok"


class _Check:
    """One component's check, run in a thread; at most one of them in flight."""

    def __init__(self, name: str, probe):
        self.name = name
        self.probe = probe
        self.thread: threading.Thread | None = None

    def start(self) -> tuple[threading.Thread, dict] | None:
        """Start a call, whose answer its dict gets; none while an earlier one still hangs."""
        if self.thread is not None and self.thread.is_alive():
            logger.warning("Health: %s still has not answered an earlier check", self.name)
            return None
        answer: dict = {}
        self.thread = threading.Thread(
            target=self._run, args=(answer,), name=f"healthz-{self.name}", daemon=True
        )
        self.thread.start()
        return self.thread, answer

    def _run(self, answer: dict) -> None:
        try:
            answer["status"] = self.probe()
        except Exception:
            logger.warning("Health: %s unreachable", self.name, exc_info=True)
            answer["status"] = "error"
        finally:
            connections.close_all()  # this thread's own, if the probe opened one

    def wait(self, call: tuple[threading.Thread, dict] | None, deadline: float) -> str:
        if call is None:
            return "error"
        thread, answer = call
        thread.join(max(0.0, deadline - time.monotonic()))
        if "status" not in answer:
            logger.warning("Health: %s did not answer within %s s", self.name, CHECK_SECONDS)
            return "error"
        return answer["status"]


_CHECKS = {
    "database": _Check("database", _database),
    "channel_layer": _Check("channel_layer", _channel_layer),
    "storage": _Check("storage", _storage),
}
_lock = threading.Lock()
_cached: dict = {"until": 0.0, "report": None}
_UNKNOWN = {"database": "error", "channel_layer": "error", "storage": "error", "status": "down"}


def _release_callers_connection() -> None:
    """The probing request holds no connection while the checks wait on the network."""
    if not connection.in_atomic_block:
        connection.close()


def _measure() -> dict:
    _release_callers_connection()
    database = _CHECKS["database"]
    report = {"database": database.wait(database.start(), time.monotonic() + CHECK_SECONDS)}
    # The database thread has closed its connection by now (or hangs holding only that).
    calls = {name: _CHECKS[name].start() for name in ("channel_layer", "storage")}
    deadline = time.monotonic() + CHECK_SECONDS
    for name, call in calls.items():
        report[name] = _CHECKS[name].wait(call, deadline)
    report["status"] = "ok" if all(v == "ok" for v in report.values()) else "degraded"
    if report["database"] != "ok":
        report["status"] = "down"
    return report


def check() -> dict:
    # A report takes at most two deadlines to make; waiting longer means something is off.
    if not _lock.acquire(timeout=3 * CHECK_SECONDS):
        return dict(_cached["report"] or _UNKNOWN)
    try:
        if _cached["report"] is None or time.monotonic() >= _cached["until"]:
            _cached["report"] = _measure()
            _cached["until"] = time.monotonic() + CACHE_SECONDS
        return dict(_cached["report"])
    finally:
        _lock.release()


def forget() -> None:
    """Drop the cached report (tests; a check still hanging stays in flight)."""
    _cached["report"] = None
    _cached["until"] = 0.0
