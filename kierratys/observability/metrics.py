"""Prometheus metrics, served on /metrics to the operator (views.py).

One server process: the metrics live in the process (prometheus_client's default registry).
Several (`python -m kierratys.server --workers N`): set PROMETHEUS_MULTIPROC_DIR to an
empty folder writable by the server; each process then writes its values to files there
and a scrape, whichever process answers it, adds them up. The server empties the folder as
it starts (kierratys/server.py). The variable must be set before the processes start:
prometheus_client reads it when it is imported.
"""

import logging
import os
import time
from pathlib import Path

from django.conf import settings
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

# Read once, as prometheus_client does when it is imported: the two must agree.
MULTIPROCESS_FOLDER = (
    Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    else None
)
# Methods are labelled as themselves; anything else is "other", so no client can make
# new series at will. Routes are url names (a fixed set), never raw paths.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# A queue depth counts at most this many rows, so a scrape stays cheap whatever the backlog.
QUEUE_COUNT_CAP = 10_000

REQUESTS = Counter(
    "kierratys_http_requests",
    "HTTP requests answered, by method, route (url name) and status.",
    ["method", "route", "status"],
)
REQUEST_SECONDS = Histogram(
    "kierratys_http_request_duration_seconds",
    "Time from a request reaching Django's middleware to its response, by method and route.",
    ["method", "route"],
)
WEBSOCKETS = Gauge(
    "kierratys_websocket_connections",
    "Live-update sockets open now.",
    multiprocess_mode="livesum",  # the processes alive now, added up
)
LIVE_EVENT_LAG = Histogram(
    "kierratys_live_event_lag_seconds",
    "From a live event's commit to its hand-over to a socket (for a batch of events, the "
    "oldest one's commit); across machines this includes their clock difference.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


def route_of(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name
    if request.path.startswith(settings.STATIC_URL):
        return "static"  # WhiteNoise answers before URLs are resolved
    return "unmatched"


def request_observed(request, status: int, seconds: float) -> None:
    method = request.method if request.method in METHODS else "other"
    route = route_of(request)
    REQUESTS.labels(method=method, route=route, status=str(status)).inc()
    REQUEST_SECONDS.labels(method=method, route=route).observe(seconds)


def live_event_delivered(published: float) -> None:
    """An event committed at `published` (time.time()) was handed to a socket just now."""
    LIVE_EVENT_LAG.observe(max(0.0, time.time() - published))


class TaskQueue:
    """The task queue's depth (django-tasks-db), read from the database at scrape time."""

    def describe(self):
        return []  # no query when registered, only when scraped

    def collect(self):
        from django_tasks_db.models import DBTaskResult

        depth = GaugeMetricFamily(
            "kierratys_task_queue_depth",
            f"Background tasks queued (due now) or running, by queue; counted up to "
            f"{QUEUE_COUNT_CAP}.",
            labels=["queue", "state"],
        )
        try:
            for queue in settings.TASKS["default"].get("QUEUES", ["default"]):
                tasks = DBTaskResult.objects.filter(queue_name=queue)
                for state, rows in (("queued", tasks.ready()), ("running", tasks.running())):
                    depth.add_metric([queue, state], rows[:QUEUE_COUNT_CAP].count())
        except Exception:
            logger.warning("Metrics: the task queue could not be read", exc_info=True)
            return
        yield depth


class _ThisProcess:
    """The metrics of this process (single-process mode)."""

    def collect(self):
        return REGISTRY.collect()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def forget_dead_processes(folder: Path) -> None:
    """A worker that died (and was replaced) no longer counts towards the open sockets."""
    for path in folder.glob("gauge_live*_*.db"):
        pid = path.stem.rpartition("_")[2]
        if pid.isdigit() and not _alive(int(pid)):
            multiprocess.mark_process_dead(int(pid), str(folder))


def exposition() -> tuple[bytes, str]:
    """The text a scrape gets, and its content type."""
    registry = CollectorRegistry(auto_describe=False)
    if MULTIPROCESS_FOLDER is not None:
        forget_dead_processes(MULTIPROCESS_FOLDER)
        multiprocess.MultiProcessCollector(registry, path=str(MULTIPROCESS_FOLDER))
    else:
        registry.register(_ThisProcess())
    registry.register(TaskQueue())
    return generate_latest(registry), CONTENT_TYPE_LATEST
