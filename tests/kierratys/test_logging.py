"""`make run` prints each request once: the server's access line, never a second copy from
Django's own console handler (on while DEBUG is) nor a "Not Found" warning repeating it."""

import logging
import subprocess
import urllib.error
import urllib.request

import pytest
from django.conf import settings

from kierratys import server

from ..support.servers import ROOT, free_port, stop_process, wait_for_port


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def dev_server(tmp_path):
    """The server as `make run` starts it (DEBUG on, access log at info), on an empty SQLite
    file: the pages fetched below need no table."""
    port = free_port()
    log = tmp_path / "server.log"
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "kierratys.settings",
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            server.command(port=port, log_level="info"),
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}", log
    finally:
        stop_process(process)


def test_each_request_is_printed_once(dev_server):
    base, log = dev_server
    assert _get(f"{base}/accounts/login/") == 200
    assert _get(f"{base}/no-such-page-here/") == 404
    lines = log.read_text().splitlines()
    login = [line for line in lines if "/accounts/login/" in line]
    missing = [line for line in lines if "/no-such-page-here/" in line]
    assert len(login) == 1, login
    assert len(missing) == 1, missing
    assert "404" in missing[0]


def _handlers_reached(name: str, level: int) -> list[logging.Handler]:
    """The handlers a record of `level` on logger `name` is written by, as logging does it."""
    logger = logging.getLogger(name)
    if not logger.isEnabledFor(level):
        return []
    record = logging.LogRecord(name, level, __file__, 1, "x", None, None)
    if not logger.filter(record):
        return []
    reached = []
    current = logger
    while current:
        reached += [
            handler
            for handler in current.handlers
            # pytest's own capturing handlers are not the project's
            if not type(handler).__module__.startswith("_pytest")
            and level >= handler.level
            and handler.filter(record)
        ]
        if not current.propagate:
            break
        current = current.parent
    return reached


@pytest.mark.parametrize(
    ("name", "level"),
    [
        ("django.channels.server", logging.INFO),  # daphne's request line under runserver
        ("django.utils.autoreload", logging.INFO),
        ("django.request", logging.ERROR),  # a 500 and its traceback
        ("django.security.csrf", logging.WARNING),
        ("kierratys", logging.WARNING),
    ],
)
def test_a_record_is_written_by_exactly_one_handler(settings, name, level):
    settings.DEBUG = True  # Django's own console handler only writes while DEBUG is on
    assert len(_handlers_reached(name, level)) == 1


def test_client_error_warnings_are_left_to_the_access_line():
    assert _handlers_reached("django.request", logging.WARNING) == []
    assert settings.LOGGING["loggers"]["django.request"]["level"] == "ERROR"
