"""Periodic jobs started on several machines at once: one round at a time (issue 23).

On PostgreSQL a round holds an advisory lock; a round started meanwhile, in another thread
or another process, is skipped and does nothing.
"""

import os
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from kierratys.management import jobs
from reservations.models import Reservation

from ..conftest import needs_postgres
from ..factories import ListingFactory
from ..factories.reservations import reserve
from ..support.servers import ROOT, database_url

pytestmark = [needs_postgres, pytest.mark.django_db(transaction=True)]


def in_thread(function):
    """Run `function` in a thread with database connections of its own; returns a
    callable that waits for its result."""
    outcome = {}

    def run():
        try:
            outcome["value"] = function()
        except BaseException as error:  # handed to the test
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()

    def result(timeout=20):
        thread.join(timeout)
        assert not thread.is_alive(), "the round never ended"
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    return result


def test_a_round_started_while_another_runs_is_skipped_and_the_next_one_runs(monkeypatch):
    rounds, entered, release = [], threading.Event(), threading.Event()

    def slow_jobs():
        rounds.append(threading.current_thread().name)
        entered.set()
        assert release.wait(15)
        return {"expired": 0}

    monkeypatch.setattr(jobs, "_jobs", slow_jobs)
    first = in_thread(jobs.periodic_jobs_run)
    assert entered.wait(15)
    # The first round is running: a second one, in its own thread and connection, skips.
    assert in_thread(jobs.periodic_jobs_run)() == {}
    assert len(rounds) == 1
    release.set()
    assert first() == {"expired": 0}
    # The lock went with the first round: the next one runs.
    assert in_thread(jobs.periodic_jobs_run)() == {"expired": 0}
    assert len(rounds) == 2


def test_a_round_that_fails_leaves_the_lock_free(monkeypatch):
    def broken():
        raise RuntimeError("a job failed")

    monkeypatch.setattr(jobs, "_jobs", broken)
    with pytest.raises(RuntimeError):
        jobs.periodic_jobs_run()
    monkeypatch.setattr(jobs, "_jobs", lambda: {"expired": 0})
    assert in_thread(jobs.periodic_jobs_run)() == {"expired": 0}


def periodic_jobs_command() -> subprocess.CompletedProcess:
    """`manage.py periodic_jobs -v 2` in a process of its own, on the test database."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "kierratys.settings",
        "DEBUG": "true",
        "DATABASE_URL": database_url(),
    }
    return subprocess.run(
        [sys.executable, "manage.py", "periodic_jobs", "-v", "2"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_the_command_on_another_machine_skips_while_a_round_holds_the_lock():
    listing = ListingFactory(quantity=1)
    overdue = reserve(listing)
    Reservation.objects.filter(pk=overdue.pk).update(
        collect_by=timezone.localdate() - timedelta(days=1)
    )
    # Another machine's round is running: it holds the lock in its own session.
    other_machine = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other_machine.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [jobs.ROUND_LOCK])
        skipped = periodic_jobs_command()
        assert "Skipped: another process is running the periodic jobs." in skipped.stdout
        overdue.refresh_from_db()
        assert overdue.status == Reservation.Status.ACTIVE
    finally:
        other_machine.close()  # its session ends, and the lock with it
    ran = periodic_jobs_command()
    assert "expired 1" in ran.stdout
    overdue.refresh_from_db()
    assert overdue.status == Reservation.Status.EXPIRED
