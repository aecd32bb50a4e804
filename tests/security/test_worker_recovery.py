"""Issue 14, finding 8: the worker lost work.

A task whose worker was killed mid-run stayed "running" for good (its email never went),
and the worker exited for good on a passing database error. These tests start real worker
processes on the test database, kill them with SIGKILL and cut their PostgreSQL
connections, then check that the work still gets done.
"""

import email
import email.policy
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kierratys.common import tasks

from ..conftest import needs_postgres
from ..support.servers import database_url
from . import worker_tasks
from .test_outside_timeouts import Blackhole, outside_env

pytestmark = [needs_postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
APP_NAME = "worker-under-test"
WAIT = 60  # generous: each step takes a second or two


def wait_until(predicate, what: str, worker=None):
    """Wait for `predicate`; fail early if `worker` has died meanwhile."""
    deadline = time.monotonic() + WAIT
    while not predicate():
        assert time.monotonic() < deadline, f"waited {WAIT} s for {what}"
        if worker is not None:
            assert worker.alive(), f"the worker died waiting for {what}:\n{worker.output()}"
        time.sleep(0.1)


def row(result) -> DBTaskResult:
    return DBTaskResult.objects.get(id=result.id)


class WorkerProcess:
    """`manage.py <command>` on the test database, its output in a log file."""

    def __init__(self, tmp_path, *args, command="worker", **env):
        self.log = tmp_path / f"worker-{time.monotonic_ns()}.log"
        self.args = [command, "--no-startup-delay", "--no-reload", "--interval", "0.2", *args]
        self.env = outside_env(
            **{
                "DATABASE_URL": f"{database_url()}?application_name={APP_NAME}",
                "EMAIL_URL": "dummymail://",
                **env,
            }
        )
        self.process = None

    def start(self):
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", *self.args],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def run(self):
        """Run to the end (`--batch`)."""
        self.start()
        self.process.wait(timeout=WAIT)
        assert self.process.returncode == 0, self.output()
        return self

    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        return self.log.read_text()

    def kill(self):
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=WAIT)

    def stop(self):
        if self.process and self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def workers():
    started = []

    def make(*args, **kwargs):
        started.append(WorkerProcess(*args, **kwargs))
        return started[-1]

    yield make
    for worker in started:
        worker.stop()


def lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


# --- killed mid-run -------------------------------------------------------------------------


@pytest.mark.parametrize("first_worker", ["db_worker", "worker"])
def test_a_task_whose_worker_was_killed_runs_again_after_the_periodic_jobs(
    workers, tmp_path, settings, first_worker
):
    runs = tmp_path / "runs.txt"
    result = worker_tasks.hold_first_run.enqueue(str(runs))
    worker = workers(tmp_path, command=first_worker).start()
    wait_until(lambda: lines(runs) == 1, "the first run to start", worker)
    worker.kill()
    assert row(result).status == "RUNNING"  # what the worker left behind

    settings.TASK_LEASE_SECONDS = 0  # as if the lease had run out
    call_command("periodic_jobs", verbosity=0)
    workers(tmp_path, "--batch", command="db_worker").run()
    assert row(result).status == "SUCCESSFUL"
    assert row(result).return_value == 2  # run again, to the end


def test_an_email_cut_off_by_a_killed_worker_is_delivered_by_the_next_worker(workers, tmp_path):
    silent_smtp = Blackhole()
    outbox = tmp_path / "outbox"
    try:
        tasks.send_email.enqueue(
            to="sanna@demo.example",
            template="listing_expired",
            context={"title": "Sohva 'Aalto'", "code": "T-7", "url": "https://x/l/7/"},
            language="sv",
        )
        stuck = workers(
            tmp_path, EMAIL_URL=f"smtp://127.0.0.1:{silent_smtp.port}", EMAIL_TIMEOUT="600"
        ).start()
        wait_until(lambda: silent_smtp.accepted == 1, "the worker to reach the mail server", stuck)
        stuck.kill()  # mid-send
    finally:
        silent_smtp.close()

    # The next worker starts after the lease ran out, and mails through a working server.
    workers(tmp_path, "--batch", TASK_LEASE_SECONDS="0", EMAIL_URL=f"filemail:///{outbox}").run()
    [sent] = list(outbox.iterdir())
    message = email.message_from_string(
        sent.read_text().split("\n" + "-" * 79)[0], policy=email.policy.default
    )
    assert message["To"] == "sanna@demo.example"
    assert message["Subject"] == "Vad ska hända med Sohva 'Aalto'?"


def test_a_task_that_keeps_killing_its_worker_is_given_up_not_run_forever():
    result = worker_tasks.answer.enqueue()
    started = timezone.now() - timedelta(seconds=settings.TASK_LEASE_SECONDS + 60)
    DBTaskResult.objects.filter(id=result.id).update(
        status="RUNNING", started_at=started, worker_ids=["a", "b", "c"]
    )
    call_command("periodic_jobs", verbosity=0)
    assert row(result).status == "FAILED"
    assert "worker" in row(result).traceback


def test_a_task_still_within_its_lease_is_left_to_its_worker():
    result = worker_tasks.answer.enqueue()
    DBTaskResult.objects.filter(id=result.id).update(
        status="RUNNING", started_at=timezone.now(), worker_ids=["a"]
    )
    assert tasks.tasks_requeue_stale() == 0
    assert row(result).status == "RUNNING"
    old = timezone.now() - timedelta(seconds=settings.TASK_LEASE_SECONDS + 1)
    DBTaskResult.objects.filter(id=result.id).update(started_at=old)
    assert tasks.tasks_requeue_stale() == 1
    assert row(result).status == "READY"


def test_a_task_running_past_its_timeout_is_stopped_and_the_worker_goes_on(workers, tmp_path):
    hung = worker_tasks.never_ends.enqueue()
    worker = workers(tmp_path, TASK_TIMEOUT_SECONDS="1").start()
    wait_until(lambda: row(hung).status == "FAILED", "the hung task to be stopped", worker)
    assert row(hung).exception_class_path.endswith("TaskTimeout")
    after = worker_tasks.answer.enqueue()
    wait_until(lambda: row(after).status == "SUCCESSFUL", "the next task", worker)
    assert worker.alive()


# --- database hiccups -----------------------------------------------------------------------


def maintenance(sql: str, *params):
    """Run SQL from the maintenance database (a database cannot lock itself out)."""
    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"] or "postgres",
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def cut_worker_connections() -> None:
    maintenance(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
        APP_NAME,
    )


def test_the_worker_survives_the_database_refusing_connections(workers, tmp_path):
    worker = workers(tmp_path).start()
    first = worker_tasks.answer.enqueue()
    wait_until(lambda: row(first).status == "SUCCESSFUL", "the worker to poll", worker)

    name = settings.DATABASES["default"]["NAME"]
    maintenance(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    try:
        cut_worker_connections()
        wait_until(lambda: "lost the database" in worker.output() or not worker.alive(), "a poll")
        assert worker.alive(), worker.output()
    finally:
        maintenance(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')

    after = worker_tasks.answer.enqueue()
    wait_until(lambda: row(after).status == "SUCCESSFUL", "the task after the outage", worker)
    assert worker.alive()


def test_the_worker_survives_its_connection_being_cut_under_a_task(workers, tmp_path):
    worker = workers(tmp_path).start()
    holding = worker_tasks.hold_the_database.enqueue(30)

    def sleeping():
        return maintenance(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s AND query LIKE %s",
            APP_NAME,
            "%pg_sleep%",
        )

    wait_until(sleeping, "the task's query", worker)
    cut_worker_connections()
    after = worker_tasks.answer.enqueue()
    wait_until(lambda: row(after).status == "SUCCESSFUL", "the task after the cut", worker)
    assert worker.alive(), worker.output()
    # The cut task is failed or, if even that could not be written, left to the lease.
    assert row(holding).status in {"FAILED", "RUNNING"}
