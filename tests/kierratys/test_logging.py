"""`make run` prints each request once: the server's access line, never a second copy from
Django's own console handler (on while DEBUG is) nor a "Not Found" warning repeating it.
In production (DEBUG off) each line is one JSON object, with the request's id."""

import io
import json
import logging
import logging.config
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import datetime

import pytest
from django.conf import settings

from kierratys import server
from kierratys.observability.logs import request_id

from ..support.servers import ROOT, free_port, stop_process, wait_for_port


def _get(url: str) -> int:
    return _fetch(url)[0]


def _fetch(url: str, headers: dict | None = None):
    """The status and the response headers (looked up in any case)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


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
    assert _get(f"{base}/accounts/password_reset/") == 200
    assert _get(f"{base}/no-such-page-here/") == 404
    lines = log.read_text().splitlines()
    login = [line for line in lines if "/accounts/password_reset/" in line]
    missing = [line for line in lines if "/no-such-page-here/" in line]
    assert len(login) == 1, login
    assert len(missing) == 1, missing
    assert "404" in missing[0]
    assert not login[0].lstrip().startswith("{")  # plain text for people in development


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


# --- production: one JSON object per line ------------------------------------------------


def _configured_handler(stream) -> logging.Handler:
    """A handler made from settings.LOGGING's own console handler, in its JSON form."""
    config = settings.LOGGING
    handler_config = {**config["handlers"]["console"], "formatter": "json", "stream": stream}
    configurator = logging.config.DictConfigurator(
        {
            "version": 1,
            "incremental": False,
            "disable_existing_loggers": False,
            "filters": config["filters"],
            "formatters": config["formatters"],
            "handlers": {"probe": handler_config},
            "loggers": {"probe": {"handlers": ["probe"], "level": "INFO", "propagate": False}},
        }
    )
    configurator.configure()
    return logging.getLogger("probe").handlers[0]


@pytest.fixture
def json_log():
    stream = io.StringIO()
    handler = _configured_handler(stream)
    logger = logging.getLogger("probe")
    yield logger, stream
    logger.removeHandler(handler)


def _lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_record_is_one_json_line_with_time_level_logger_message_request_id_exception(
    json_log,
):
    logger, stream = json_log
    token = request_id.set("req-123")
    try:
        try:
            raise ValueError("the cause")
        except ValueError:
            # An extra such as Django's `request` object must not end up in the line.
            logger.exception("Saving %s failed", "a photo", extra={"request": object()})
    finally:
        request_id.reset(token)
    assert len(stream.getvalue().splitlines()) == 1  # the traceback too is inside the line
    [line] = _lines(stream)
    assert list(line) == ["time", "level", "logger", "message", "request_id", "exception"]
    assert datetime.fromisoformat(line["time"]).utcoffset().total_seconds() == 0
    assert line["level"] == "ERROR"
    assert line["logger"] == "probe"
    assert line["message"] == "Saving a photo failed"
    assert line["request_id"] == "req-123"
    assert "ValueError: the cause" in line["exception"]


def test_a_line_outside_any_request_has_no_request_id(json_log):
    logger, stream = json_log
    logger.info("Periodic jobs done")
    [line] = _lines(stream)
    assert list(line) == ["time", "level", "logger", "message"]


@pytest.mark.parametrize(
    ("message", "secret"),
    [
        ('"GET /accounts/reset/MQ/cdt3ad-0f1e2d3c4b5a69788796/ HTTP/1.1" 302', "cdt3ad"),
        ('"GET /accounts/verify/MQ/cdt3ad-0f1e2d3c4b5a69788796/ HTTP/1.1" 200', "cdt3ad"),
        ("Internal Server Error: /listings/searches/unsubscribe/MTI:1tZk9x:abc123/", "abc123"),
        ('"GET /accounts/sso/callback/?code=SplxlOBeZQQYbYS6&state=af0ifjsldkj HTTP/1.1"', "Splx"),
        ('"GET /accounts/sso/callback/?code=SplxlOBeZQQYbYS6&state=af0ifjsldkj HTTP/1.1"', "af0i"),
    ],
)
def test_secrets_in_addresses_never_reach_the_log(json_log, message, secret):
    logger, stream = json_log
    logger.info(message)
    [line] = _lines(stream)
    assert secret not in line["message"]
    assert "***" in line["message"]


@pytest.fixture
def production_server(tmp_path):
    """The production server with DEBUG off (so JSON lines), two workers as in the image,
    on an empty SQLite file."""
    port = free_port()
    log = tmp_path / "server.log"
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "kierratys.settings",
        "DEBUG": "false",
        "SECRET_KEY": "test-only",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_MANIFEST": "false",  # no collectstatic here
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "METRICS_TOKEN": "operator-token",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),  # the server makes it
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            # As the image starts it (kierratys.server's main, which prepares the metrics).
            [sys.executable, "-m", "kierratys.server", "--port", str(port), "--workers", "2"],
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


def test_production_writes_json_lines_carrying_the_request_id(production_server):
    base, log = production_server
    status, headers = _fetch(f"{base}/healthz", {"X-Request-ID": "probe-42"})
    assert status == 200
    assert headers["X-Request-ID"] == "probe-42"  # the proxy's id, returned
    _status, headers = _fetch(f"{base}/no-such-page/")
    made = headers["X-Request-ID"]  # none given: one is made
    assert len(made) >= 16
    # A password-reset link fails here (no tables): its 500 is logged with the traceback.
    status, headers = _fetch(f"{base}/accounts/reset/MQ/cdt3ad-0f1e2d3c4b5a69788796/")
    assert status == 500
    failed = headers["X-Request-ID"]
    # Whichever worker answers a scrape counts both workers' requests.
    for _ in range(3):
        request = urllib.request.Request(
            f"{base}/metrics", headers={"Authorization": "Bearer operator-token"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            exposition = response.read().decode()
        assert 'route="healthz",status="200"} 1.0' in exposition
    text = log.read_text()
    # Every line, uvicorn's supervisor's too, which never loads Django.
    lines = [json.loads(line) for line in text.splitlines()]
    assert any("parent process" in line["message"] for line in lines)
    by_message = {line["message"]: line for line in lines}
    [health] = [line for message, line in by_message.items() if "/healthz" in message]
    assert health["logger"] == "uvicorn.access"
    assert health["request_id"] == "probe-42"
    [missing] = [line for message, line in by_message.items() if "/no-such-page/" in message]
    assert missing["request_id"] == made
    [error] = [line for line in lines if line["logger"] == "django.request"]
    assert error["level"] == "ERROR"
    assert error["request_id"] == failed  # Django's own line, matched to the answer
    assert "Traceback" in error["exception"]
    assert "cdt3ad" not in text  # the link's token is nowhere in the log


@pytest.mark.django_db
@pytest.mark.parametrize("given", ["two words", "x" * 129, "id\nINFO forged line", ""])
def test_an_unusable_request_id_from_outside_is_replaced(client, given):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=given)
    made = response["X-Request-ID"]
    assert made != given
    assert len(made) == 32 and int(made, 16) >= 0


@pytest.mark.django_db
def test_each_request_without_an_id_gets_its_own(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert first != second
