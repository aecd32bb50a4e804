"""`manage.py worker`: django-tasks-db's `db_worker` (same options), made to keep going.

- On start, and after each database outage, tasks whose worker died mid-run are queued
  again (`tasks.tasks_requeue_stale`; the periodic jobs do it too).
- A database error (PostgreSQL restarting, a dropped connection) does not end the worker:
  it closes its connections, waits (1 s, doubling up to 30 s) and goes on. db_worker exits.
- A task is stopped after TASK_TIMEOUT_SECONDS and marked failed. Not with --reload (the
  default with DEBUG), which runs the worker off the main thread, where no alarm can ring.
"""

import logging
import os
import signal
import threading
import time

from django.conf import settings
from django.core.management.base import CommandError
from django.db import InterfaceError, OperationalError, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from kierratys.common import tasks

logger = logging.getLogger("django_tasks_db")
MAX_PAUSE = 30.0


class TaskTimeout(Exception):
    """The task ran longer than TASK_TIMEOUT_SECONDS."""


def _ring(signum, frame):
    raise TaskTimeout(f"The task ran longer than {settings.TASK_TIMEOUT_SECONDS} s.")


class Worker(db_worker.Worker):
    def run(self) -> None:
        pause = 1.0
        while True:
            started = time.monotonic()
            try:
                tasks.tasks_requeue_stale()
                super().run()
                return
            except (OperationalError, InterfaceError) as error:
                if not self.running:
                    return
                if time.monotonic() - started > 2 * MAX_PAUSE:
                    pause = 1.0  # it worked for a while: a new outage
                logger.warning("Worker lost the database (%s); again in %.0f s", error, pause)
                connections.close_all()
                time.sleep(pause)
                pause = min(pause * 2, MAX_PAUSE)

    def run_task(self, db_task_result) -> None:
        if threading.current_thread() is not threading.main_thread():
            super().run_task(db_task_result)
            return
        previous = signal.signal(signal.SIGALRM, _ring)
        signal.setitimer(signal.ITIMER_REAL, settings.TASK_TIMEOUT_SECONDS)
        try:
            super().run_task(db_task_result)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


class Command(db_worker.Command):
    help = "Run the background worker (db_worker that survives outages and lost tasks)."

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ):
        # As db_worker.Command.handle, with our Worker.
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only in the reloader's child
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
