"""The periodic round that `make run` runs inside its server (kierratys/management/jobs.py)."""

import pytest
from django.db import OperationalError

from kierratys.management import jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_pause(monkeypatch):
    monkeypatch.setattr(jobs.time, "sleep", lambda seconds: None)


def test_a_round_locked_out_by_the_worker_on_sqlite_is_tried_again(monkeypatch, no_pause):
    calls = []

    def round_():
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("database is locked")
        return {"expired": 1}

    monkeypatch.setattr(jobs, "periodic_jobs_run", round_)
    assert jobs._periodic_round() == {"expired": 1}
    assert len(calls) == 3


def test_other_database_errors_and_a_lock_that_stays_are_raised(monkeypatch, no_pause):
    def broken():
        raise OperationalError("no such table: reservations_reservation")

    monkeypatch.setattr(jobs, "periodic_jobs_run", broken)
    with pytest.raises(OperationalError, match="no such table"):
        jobs._periodic_round()

    calls = []

    def locked():
        calls.append(1)
        raise OperationalError("database is locked")

    monkeypatch.setattr(jobs, "periodic_jobs_run", locked)
    with pytest.raises(OperationalError, match="locked"):
        jobs._periodic_round()
    assert len(calls) == jobs.LOCKED_TRIES


def test_the_round_reports_what_each_job_did():
    assert set(jobs.periodic_jobs_run()) == {
        "expired",
        "requests expired",
        "reminders",
        "expiry questions",
        "audiences widened",
        "new reservations told",
        "lost tasks queued again",
        "reservation contacts cleared",
        "access log entries removed",
        "sign-in sessions removed",
        "announcements gone live",
        "wanted requests expired",
        "webhook attempts",
        "loan reminders",
        "loans not picked up cancelled",
        "overdue loans holding their items",
    }
