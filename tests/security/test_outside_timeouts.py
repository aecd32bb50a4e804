"""Issue 14, findings 2 and 3: outside services that accept a connection and never answer.

A hung S3 held each anonymous /healthz probe, and its database connection, for about three
minutes (ten probes exhausted PostgreSQL); a hung SMTP server stalled the worker for good.
Each test points the real code at a real socket server that accepts and then stays silent.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from kierratys import health
from kierratys.common import tasks

from ..conftest import needs_postgres
from ..support.servers import AsgiServer, database_url

ROOT = Path(__file__).resolve().parents[2]
# Generous bounds: the checks' own deadlines are seconds; before the fix these took minutes.
ANSWER_WITHIN = 30


class Blackhole:
    """A TCP server that accepts every connection and never sends a byte."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.held = []
        self.open = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while self.open:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            self.held.append(conn)  # kept open, silent

    def close(self):
        self.open = False
        self.thread.join()
        for conn in self.held:
            conn.close()
        self.sock.close()


@pytest.fixture
def blackhole():
    holes = []

    def make():
        holes.append(Blackhole())
        return holes[-1]

    yield make
    for hole in holes:
        hole.close()


@pytest.fixture(autouse=True)
def _fresh_health_report():
    health.forget()
    yield
    health.forget()


def outside_env(**env) -> dict:
    """The process environment without the CI's own S3/Redis/mail, plus `env`."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "REDIS_", "EMAIL_", "DJANGO_SETTINGS"))
    }
    return {**base, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "kierratys.settings", **env}


def s3_env(hole) -> dict:
    return {
        "AWS_STORAGE_BUCKET_NAME": "kierratys-media",
        "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{hole.port}",
        "AWS_S3_REGION_NAME": "eu-north-1",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",  # a fake key for a fake server
    }


def python(code: str, env: dict) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter with the project's settings read from `env`."""
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=ANSWER_WITHIN,
    )


# --- S3: the storage client gives up ---------------------------------------------------------


@pytest.mark.parametrize(
    ("attempts", "env"),
    [
        (1, {"AWS_S3_MAX_ATTEMPTS": "1", "AWS_S3_READ_TIMEOUT": "1"}),
        (2, {"AWS_S3_MAX_ATTEMPTS": "2", "AWS_S3_READ_TIMEOUT": "1"}),
        (3, {"AWS_S3_READ_TIMEOUT": "1"}),  # the default number of attempts
    ],
)
def test_a_silent_s3_fails_after_its_read_timeout_and_bounded_retries(blackhole, attempts, env):
    hole = blackhole()
    code = (
        "from django.core.files.storage import default_storage\n"
        "try:\n"
        "    default_storage.exists('photo.jpg')\n"
        "except Exception as error:\n"
        "    print('failed', type(error).__name__)\n"
    )
    result = python(code, outside_env(**s3_env(hole), **env))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("failed")
    assert hole.accepted == attempts


def test_s3_timeouts_have_short_defaults(blackhole):
    hole = blackhole()
    code = (
        "import json\n"
        "from django.core.files.storage import default_storage as s\n"
        "c = s.client_config\n"
        "print(json.dumps([c.connect_timeout, c.read_timeout, c.retries,"
        " c.s3['addressing_style']]))\n"
    )
    result = python(code, outside_env(**s3_env(hole)))
    assert result.returncode == 0, result.stderr
    connect, read, retries, addressing = json.loads(result.stdout)
    assert 0 < connect <= 5 and 0 < read <= 10
    assert retries["total_max_attempts"] <= 3
    assert addressing == "path"  # the configured addressing style survives a client_config


# --- /healthz: bounded, cached, holds no connection -----------------------------------------


def probe_all(base: str, count: int) -> list[tuple[int, dict]]:
    def probe(_):
        with urllib.request.urlopen(f"{base}/healthz", timeout=ANSWER_WITHIN) as response:
            return response.status, json.loads(response.read())

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(probe, range(count)))


def server_database(tmp_path) -> str:
    """The test database on PostgreSQL; elsewhere a file of the server's own."""
    return database_url() if connection.vendor == "postgresql" else f"sqlite:///{tmp_path}/h.db"


def other_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("silent", [{"storage"}, {"channel_layer"}, {"storage", "channel_layer"}])
def test_ten_probes_against_silent_services_answer_at_once_and_hold_nothing(
    blackhole, tmp_path, silent
):
    env = {
        "DATABASE_URL": server_database(tmp_path),
        "AWS_STORAGE_BUCKET_NAME": "",
        "REDIS_URL": "",
    }
    s3 = redis = None
    if "storage" in silent:
        s3 = blackhole()
        # The storage client would give up on its own after this; the probe must not wait.
        env |= s3_env(s3) | {"AWS_S3_READ_TIMEOUT": "60"}
    if "channel_layer" in silent:
        redis = blackhole()
        env |= {"REDIS_URL": f"redis://127.0.0.1:{redis.port}/0", "REDIS_SOCKET_TIMEOUT": "60"}
    with AsgiServer(**outside_env(**env)) as server:
        answers = probe_all(server.base, 10)
        if connection.vendor == "postgresql":
            assert other_connections() == 0  # no probe holds a database connection
        answers += probe_all(server.base, 10)  # a second wave, the first call still hanging
    assert len(answers) == 20
    for status, body in answers:
        assert status == 200  # the database answers
        assert body["database"] == "ok"
        assert body["status"] == "degraded"
        for name in ("storage", "channel_layer"):
            assert body[name] == ("error" if name in silent else "ok")
    # At most one storage or Redis call in flight per process, whatever the probes do.
    for hole in (s3, redis):
        if hole is not None:
            assert hole.accepted == 1


@pytest.mark.django_db
def test_concurrent_checks_in_one_process_share_one_report(blackhole, settings):
    """In-process: the storage check is called once for many concurrent checks."""
    hole = blackhole()
    from botocore.config import Config

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "b",
                "endpoint_url": f"http://127.0.0.1:{hole.port}",
                "region_name": "eu-north-1",
                "access_key": "k",
                "secret_key": "s",
                "client_config": Config(read_timeout=60, retries={"total_max_attempts": 1}),
            },
        },
    }
    with ThreadPoolExecutor(10) as pool:
        reports = list(pool.map(lambda _: health.check(), range(10)))
    assert all(r["storage"] == "error" for r in reports)
    assert hole.accepted == 1
    health.forget()  # the cache period is over, the first call is still hanging
    assert health.check()["storage"] == "error"
    assert hole.accepted == 1


# --- Redis: the channel layer's sockets time out ---------------------------------------------


@pytest.mark.parametrize("layer", ["pubsub", "core"])
def test_a_silent_redis_fails_a_send_within_the_configured_socket_timeout(blackhole, layer):
    hole = blackhole()
    code = (
        "import json\n"
        "from asgiref.sync import async_to_sync\n"
        "from channels.layers import get_channel_layer\n"
        "from channels_redis.utils import create_pool\n"
        "from django.conf import settings\n"
        "pool = create_pool(settings.CHANNEL_LAYERS['default']['CONFIG']['hosts'][0])\n"
        "k = pool.connection_kwargs\n"
        "print(json.dumps([k['socket_connect_timeout'], k['socket_timeout']]))\n"
        "try:\n"
        "    async_to_sync(get_channel_layer().group_send)('g', {'type': 'x'})\n"
        "except Exception as error:\n"
        "    print('failed', type(error).__name__)\n"
    )
    env = outside_env(
        REDIS_URL=f"redis://127.0.0.1:{hole.port}/0",
        REDIS_CHANNEL_LAYER=layer,
        REDIS_SOCKET_TIMEOUT="1",
        REDIS_CONNECT_TIMEOUT="0.5",
    )
    result = python(code, env)
    assert result.returncode == 0, result.stderr
    timeouts, outcome = result.stdout.strip().splitlines()[-2:]
    assert json.loads(timeouts) == [0.5, 1]
    assert outcome.startswith("failed")


def test_a_socket_timeout_in_the_redis_url_still_wins():
    """README: the core layer wants `REDIS_URL=redis://...?socket_timeout=10`."""
    code = (
        "from channels_redis.utils import create_pool\n"
        "from django.conf import settings\n"
        "pool = create_pool(settings.CHANNEL_LAYERS['default']['CONFIG']['hosts'][0])\n"
        "print(pool.connection_kwargs['socket_timeout'])\n"
    )
    env = outside_env(
        REDIS_URL="redis://127.0.0.1:1/0?socket_timeout=10", REDIS_CHANNEL_LAYER="core"
    )
    result = python(code, env)
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) == 10


# --- SMTP: a silent mail server fails the attempt, the task retries --------------------------

SEND = (
    "from kierratys.common import mail\n"
    # No organisation footer: that asks the database, which this bare process has not migrated.
    "mail.mail_footer.receivers.clear()\n"
    "print(mail.send_now(to='a@demo.example', template='verify_email',"
    " context={'name': 'A', 'verify_url': 'u'}, language='fi'))\n"
)


@pytest.mark.parametrize("scheme", ["smtp", "smtp+tls", "smtp+ssl"])
def test_send_now_gives_up_on_a_silent_mail_server(blackhole, scheme):
    hole = blackhole()
    env = outside_env(EMAIL_URL=f"{scheme}://127.0.0.1:{hole.port}", EMAIL_TIMEOUT="1")
    result = python(SEND, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"  # failed, not stuck
    assert hole.accepted == 1


def test_email_timeout_has_a_default():
    result = python(
        "from django.conf import settings; print(settings.EMAIL_TIMEOUT)", outside_env()
    )
    assert result.returncode == 0, result.stderr
    assert 0 < float(result.stdout) <= 30


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_the_worker_retries_a_mail_the_silent_server_never_took(blackhole):
    hole = blackhole()
    tasks.send_email.enqueue(
        to="a@demo.example",
        template="verify_email",
        context={"name": "A", "verify_url": "u"},
        language="sv",
    )
    env = outside_env(
        DATABASE_URL=database_url(), EMAIL_URL=f"smtp://127.0.0.1:{hole.port}", EMAIL_TIMEOUT="1"
    )
    worker = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=ANSWER_WITHIN,
    )
    assert worker.returncode == 0, worker.stderr
    first, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert first.status == "SUCCESSFUL" and first.return_value is False  # not sent, not stuck
    assert retry.status == "READY"
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert retry.args_kwargs["kwargs"]["language"] == "sv"
