"""Test-only tasks for tests/security/test_worker_recovery.py, run by real worker processes."""

import time
from pathlib import Path

from django.db import connection
from django_tasks import task


@task()
def hold_first_run(path: str) -> int:
    """Its first run blocks (the test kills that worker); any later run finishes at once."""
    runs = Path(path)
    count = len(runs.read_text().splitlines()) + 1 if runs.exists() else 1
    with runs.open("a") as log:
        log.write("run\n")
    if count == 1:
        time.sleep(600)
    return count


@task()
def hold_the_database(seconds: int) -> str:
    """Holds a query open, so the test can end the worker's connection under it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(%s)", [seconds])
    return "slept"


@task()
def never_ends() -> str:
    time.sleep(3600)
    return "woke"


@task()
def answer() -> int:
    return 42
