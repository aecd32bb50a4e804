"""The background work of one server process: what `manage.py worker` and
`manage.py periodic_jobs` do, run inside the ASGI server (`python -m kierratys.server --jobs`,
used by `make run`).

Why inside: on the embedded default the channel layer is in memory, and reaches only the
sockets of its own process. The saved-search matches the worker finds, and the expiries and
promotions of the periodic jobs, would reach no browser from a process of their own. Here
the sync job code runs in threads started with `sync_to_async(thread_sensitive=False)`, so
each `async_to_sync` send inside `kierratys.live` goes back to the server's event loop, where
the in-memory layer and the sockets live. With Redis this works the same (the sends go
through Redis); production still runs the worker and the periodic jobs as processes of
their own, beside any number of servers. (As under `manage.py worker --reload`, a task is
not stopped after TASK_TIMEOUT_SECONDS here: that alarm rings only in a main thread.)
"""

import asyncio
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from asgiref.sync import sync_to_async
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    OperationalError,
    close_old_connections,
    connections,
)
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.utils import is_locked_database_exception

from inventory import services as inventory_services
from kierratys.accounts import services as account_services
from kierratys.accounts.privacy import services as privacy_services
from kierratys.announcements import services as announcement_services
from kierratys.common import tasks
from kierratys.webhooks import delivery as webhook_delivery
from listings import services as listing_services
from listings.wanted import services as wanted_services
from reservations import notify
from reservations import services as reservation_services
from reservations.loans import services as loan_services

logger = logging.getLogger(__name__)

WORKER_INTERVAL = 2.0  # seconds between looks at the task queue when it is empty
PERIODIC_SECONDS = 300  # as `periodic_jobs --loop 300` did beside runserver
STOP_SECONDS = 10  # how long shutting down waits for a task that is running


# The PostgreSQL advisory lock that one periodic round holds (any constant used only here).
ROUND_LOCK = 4_200_230_001


@contextmanager
def _only_round_anywhere():
    """True while this process may run the round: no other process on any machine runs one.

    On PostgreSQL a session-level advisory lock, on a connection of its own that does
    nothing else, so it is neither a transaction held across the round's outside calls
    (mail) nor lost when the jobs close their own connections. Whoever finds it taken
    skips the round. If this process dies, PostgreSQL ends its session and the lock.
    On SQLite the service runs on one machine: `_one_at_a_time` and SQLite's own writer
    lock keep rounds apart there (and a round is idempotent).
    """
    if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        yield True
        return
    holder = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [ROUND_LOCK])
            held = cursor.fetchone()[0]
        try:
            yield held
        finally:
            if held:  # closing alone would not do it on a pooled connection
                try:
                    with holder.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_unlock(%s)", [ROUND_LOCK])
                except DatabaseError:
                    pass  # the session is gone, and its lock with it
    finally:
        holder.close()


def periodic_jobs_run() -> dict[str, int]:
    """One round of the periodic jobs (`manage.py periodic_jobs`), with what each did;
    empty when another process (on this machine or another) is running a round."""
    with _only_round_anywhere() as held:
        if not held:
            logger.info("Another process is running the periodic jobs: this round is skipped")
            return {}
        return _jobs()


def _jobs() -> dict[str, int]:
    return {
        "expired": reservation_services.reservations_expire(),
        "requests expired": reservation_services.reservation_requests_expire(),
        "reminders": reservation_services.reservations_remind(),
        "expiry questions": inventory_services.listings_expiry_notify(),
        "audiences widened": listing_services.listings_audience_advance(),
        "wanted requests expired": wanted_services.wanted_requests_expire(),
        # Normally swept within seconds of reserving; this catches any sweep never queued.
        "new reservations told": notify.notify_owners.call(),
        "lost tasks queued again": tasks.tasks_requeue_stale(),
        # Normally sent by the worker at once; this sends any round never queued.
        "webhook attempts": webhook_delivery.deliveries_send_due(),
        # Personal data kept no longer than its settings say (issue 23).
        "reservation contacts cleared": reservation_services.reservation_contacts_expire(),
        "access log entries removed": privacy_services.access_log_clean(),
        # Expired sessions, and the sign-in records of sessions that are gone (issue 18).
        "sign-in sessions removed": account_services.user_sessions_clean(),
        # Scheduled announcements whose queued task has not run yet (issue 21).
        "announcements gone live": announcement_services.announcements_announce_due(),
        # Loans (issue 20): reminders before the last day and when overdue; bookings never
        # picked up by their last day are cancelled.
        "loan reminders": loan_services.loans_remind(),
        "loans not picked up cancelled": loan_services.loans_expire(),
        # Overdue loans keep holding their items today and tomorrow.
        "overdue loans holding their items": loan_services.loans_hold_overdue(),
    }


# A task and a periodic round never run at once: they write the same rows (both sweep new
# reservations to their owners), and on SQLite two writers at once fail ("database is locked").
_one_at_a_time = threading.Lock()
LOCKED_TRIES = 5  # SQLite: the worker claiming its next task can still lock a round out


def _periodic_round() -> dict[str, int]:
    for attempt in range(1, LOCKED_TRIES + 1):
        with _one_at_a_time:
            close_old_connections()
            try:
                return periodic_jobs_run()
            except OperationalError as error:
                # The round is idempotent: what it did before failing is not done twice.
                if attempt == LOCKED_TRIES or not is_locked_database_exception(error):
                    raise
            finally:
                close_old_connections()
        time.sleep(attempt)
    raise AssertionError("unreachable")


class InProcessJobs:
    """The worker and the periodic jobs as tasks on the running event loop.

    `start()` on the server's loop (ASGI lifespan startup), `await stop()` at shutdown.
    Each runs its sync code in a thread of its own, never on the loop.
    """

    def __init__(
        self,
        *,
        worker_interval: float = WORKER_INTERVAL,
        periodic_seconds: float = PERIODIC_SECONDS,
    ):
        self.worker_interval = worker_interval
        self.periodic_seconds = periodic_seconds
        self.worker = None
        self.running: list[asyncio.Task] = []
        self.executor = None

    def start(self) -> None:
        from .commands.worker import Worker

        class InProcessWorker(Worker):
            def run_task(self, db_task_result) -> None:
                with _one_at_a_time:
                    super().run_task(db_task_result)

        self.worker = InProcessWorker(
            queue_names=[DEFAULT_TASK_QUEUE_NAME],
            interval=self.worker_interval,
            batch=False,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=f"server-{os.getpid()}",
            excluded_queue_names=[],
        )
        # Two threads of their own: the worker holds one for as long as the server runs.
        self.executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="jobs")
        run_worker = sync_to_async(self.worker.run, thread_sensitive=False, executor=self.executor)
        self.running = [
            asyncio.create_task(run_worker(), name="worker"),
            asyncio.create_task(self._periodic(), name="periodic-jobs"),
        ]
        logger.info(
            "Worker and periodic jobs run in this process (every %s s)", self.periodic_seconds
        )

    async def _periodic(self) -> None:
        run_round = sync_to_async(_periodic_round, thread_sensitive=False, executor=self.executor)
        while True:
            try:
                done = await run_round()
            except Exception:
                logger.exception("The periodic jobs failed; again in %s s", self.periodic_seconds)
            else:
                if any(done.values()):
                    logger.info(", ".join(f"{name} {count}" for name, count in done.items()))
            await asyncio.sleep(self.periodic_seconds)

    async def stop(self) -> None:
        if self.worker is not None:
            self.worker.running = False  # it ends after the task it runs, or its next pause
        for task in self.running:
            if task.get_name() == "periodic-jobs":
                task.cancel()
        if self.running:
            _done, pending = await asyncio.wait(self.running, timeout=STOP_SECONDS)
            if pending:
                logger.warning("A background task was still running at shutdown")
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)
        self.running = []
