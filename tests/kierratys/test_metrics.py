"""/metrics: Prometheus' text for the operator's bearer token, a plain 404 for anyone else."""

import json
import os
import re
import subprocess
import sys

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from kierratys import live, server
from kierratys.asgi import application
from kierratys.common.tasks import send_email
from kierratys.observability import metrics
from kierratys.observability.middleware import MetricsMiddleware, RequestIdMiddleware

from ..factories import UserFactory
from ..support.servers import ROOT, session_cookie_for

TOKEN = "operator-secret-0123456789abcdef"


@pytest.fixture(autouse=True)
def _token(settings):
    settings.METRICS_TOKEN = TOKEN


def scrape(client=None, token=TOKEN) -> dict[tuple[str, frozenset], float]:
    """The exposition, parsed: (sample name, labels) -> value."""
    client = client or Client()
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples, name, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def page_without(response, path: str) -> str:
    text = response.content.decode().replace(path, "PATH")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)


# --- who may read it ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer "],
)
def test_anyone_without_the_token_gets_the_ordinary_not_found_page(client, authorization):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = client.get("/metrics", **headers)
    unknown = client.get("/no-such-page", **headers)
    assert response.status_code == unknown.status_code == 404
    # Nothing tells the endpoint exists: the same page but for the path and the form token.
    assert page_without(response, "/metrics") == page_without(unknown, "/no-such-page")
    assert b"kierratys_http_requests" not in response.content


@pytest.mark.django_db
def test_with_no_token_configured_even_an_empty_bearer_is_not_found(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer none").status_code == 404


@pytest.mark.django_db
def test_the_token_does_not_open_other_methods(client):
    response = client.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 404


@pytest.mark.django_db
def test_the_operator_needs_no_sign_in_and_nothing_is_cached(client):
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


# --- requests ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_page_just_requested_is_counted_by_route_name_and_status(client):
    before = scrape(client)
    assert client.get("/accounts/login/").status_code == 200
    after = scrape(client)
    counted = ("kierratys_http_requests_total", "kierratys_http_request_duration_seconds_count")
    assert value(after, counted[0], method="GET", route="login", status="200") == (
        value(before, counted[0], method="GET", route="login", status="200") + 1
    )
    assert value(after, counted[1], method="GET", route="login") == (
        value(before, counted[1], method="GET", route="login") + 1
    )
    # The latency histogram: cumulative buckets up to +Inf, which holds every request.
    buckets = {
        dict(labels)["le"]: v
        for (name, labels), v in after.items()
        if name == "kierratys_http_request_duration_seconds_bucket"
        and dict(labels)["route"] == "login"
        and dict(labels)["method"] == "GET"
    }
    assert len(buckets) > 5
    assert buckets["+Inf"] == value(after, counted[1], method="GET", route="login")
    assert value(after, "kierratys_http_request_duration_seconds_sum", method="GET", route="login")


@pytest.mark.django_db
def test_raw_paths_never_become_labels(client):
    before = scrape(client)
    for n in range(3):
        assert client.get(f"/no-such-page-{n}/").status_code == 404
    after = scrape(client)
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    assert value(after, "kierratys_http_requests_total", **unmatched) == (
        value(before, "kierratys_http_requests_total", **unmatched) + 3
    )
    assert not any("no-such-page" in str(labels) for _name, labels in after)


@pytest.mark.django_db
def test_unknown_methods_share_one_label(client):
    before = scrape(client)
    client.generic("BREW", "/accounts/login/")
    after = scrape(client)
    assert sum(v for (n, labels), v in after.items() if ("method", "other") in labels) > sum(
        v for (n, labels), v in before.items() if ("method", "other") in labels
    )
    assert not any(("method", "BREW") in labels for _name, labels in after)


@pytest.mark.django_db
def test_the_middlewares_make_no_database_query(django_assert_num_queries):
    request = RequestFactory().get("/accounts/login/")
    with django_assert_num_queries(0):
        response = RequestIdMiddleware(MetricsMiddleware(lambda r: HttpResponse("ok")))(request)
    assert response["X-Request-ID"]


# --- the task queue ----------------------------------------------------------------------


@pytest.mark.django_db
def test_queue_depth_counts_queued_and_running_tasks(client):
    before = scrape(client)
    queued = ("kierratys_task_queue_depth", {"queue": "default", "state": "queued"})
    running = ("kierratys_task_queue_depth", {"queue": "default", "state": "running"})
    assert value(before, queued[0], **queued[1]) == 0
    for n in range(2):
        send_email.enqueue(to=f"person{n}@demo.example", template="x", context={}, language=None)
    after = scrape(client)
    assert value(after, queued[0], **queued[1]) == 2
    assert value(after, running[0], **running[1]) == 0
    DBTaskResult.objects.filter(pk=DBTaskResult.objects.first().pk).update(status="RUNNING")
    later = scrape(client)
    assert value(later, queued[0], **queued[1]) == 1
    assert value(later, running[0], **running[1]) == 1


@pytest.mark.django_db
def test_a_retry_waiting_for_later_is_not_queue_depth(client):
    from datetime import timedelta

    from django.utils import timezone

    send_email.using(run_after=timezone.now() + timedelta(minutes=4)).enqueue(
        to="later@demo.example", template="x", context={}, language=None
    )
    assert value(scrape(client), "kierratys_task_queue_depth", queue="default", state="queued") == 0


@pytest.mark.django_db
def test_the_queue_is_counted_with_a_bounded_query(client, monkeypatch):
    monkeypatch.setattr(metrics, "QUEUE_COUNT_CAP", 2)
    for n in range(3):
        send_email.enqueue(to=f"p{n}@demo.example", template="x", context={}, language=None)
    assert value(scrape(client), "kierratys_task_queue_depth", queue="default", state="queued") == 2


# --- live sockets ------------------------------------------------------------------------


async def open_socket(user) -> WebsocketCommunicator:
    """A socket through the real stack (origin check, session, consumer)."""
    session = await sync_to_async(session_cookie_for)(user)
    communicator = WebsocketCommunicator(
        application,
        "/ws/live/",
        headers=[
            (b"origin", b"http://127.0.0.1:8000"),
            (b"host", b"127.0.0.1"),
            (b"cookie", f"sessionid={session}".encode()),
        ],
    )
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def open_sockets() -> float:
    return value(await sync_to_async(scrape)(), "kierratys_websocket_connections")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("close_thread_connections")
async def test_the_socket_gauge_goes_up_and_down_with_real_sockets():
    user = await sync_to_async(UserFactory)()
    start = await open_sockets()
    first = await open_socket(user)
    second = await open_socket(user)
    assert await open_sockets() == start + 2
    await first.disconnect()
    assert await open_sockets() == start + 1
    await second.disconnect()
    assert await open_sockets() == start


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("close_thread_connections")
async def test_a_refused_socket_is_never_counted():
    start = await open_sockets()
    communicator = WebsocketCommunicator(
        application,
        "/ws/live/",
        headers=[(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1")],
    )
    await communicator.connect()  # anonymous: accepted only to be closed with 4401
    assert await communicator.receive_output() == {"type": "websocket.close", "code": 4401}
    await communicator.wait()
    assert await open_sockets() == start


def publish_after_commit(user) -> None:
    with transaction.atomic():
        live.publish([live.user_group(user.pk)], "notice.changed", {"id": 7})


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("close_thread_connections")
async def test_an_event_delivered_to_a_socket_is_observed_as_live_event_lag():
    user = await sync_to_async(UserFactory)()
    communicator = await open_socket(user)
    before = await sync_to_async(scrape)()
    await sync_to_async(publish_after_commit)(user)
    assert await communicator.receive_json_from() == {"event": "notice.changed", "data": {"id": 7}}
    after = await sync_to_async(scrape)()
    await communicator.disconnect()
    count = "kierratys_live_event_lag_seconds_count"
    assert value(after, count) == value(before, count) + 1
    lag = value(after, "kierratys_live_event_lag_seconds_sum") - value(
        before, "kierratys_live_event_lag_seconds_sum"
    )
    assert 0 <= lag < 5


# --- several server processes ------------------------------------------------------------

_WORKER = """
import django; django.setup()
from django.test import RequestFactory
from kierratys.observability import metrics
request = RequestFactory().get("/")
request.resolver_match = None
metrics.request_observed(request, 200, 0.01)
metrics.WEBSOCKETS.inc()
"""

_SCRAPE = """
import django; django.setup()
from kierratys.observability import metrics
print(metrics.exposition()[0].decode())
"""


def test_several_processes_add_up_in_multiprocess_mode(tmp_path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "AWS_"))}
    env.update(
        DEBUG="true",
        DJANGO_SETTINGS_MODULE="kierratys.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",  # no queue table: left out
        PROMETHEUS_MULTIPROC_DIR=str(folder),
    )

    def run(code: str) -> str:
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    run(_WORKER)
    run(_WORKER)
    text = run(_SCRAPE)
    samples = {
        (s.name, json.dumps(s.labels, sort_keys=True)): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    labels = json.dumps({"method": "GET", "route": "unmatched", "status": "200"}, sort_keys=True)
    assert samples[("kierratys_http_requests_total", labels)] == 2  # both processes' requests
    # Both processes have ended: their sockets are not open any more.
    assert samples.get(("kierratys_websocket_connections", "{}"), 0) == 0


def test_the_server_starts_with_an_empty_metrics_folder(tmp_path, monkeypatch):
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_123.db").write_bytes(b"old run")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    server.fresh_metrics_folder(workers=2)
    assert list(folder.iterdir()) == []


def test_several_workers_get_a_shared_metrics_folder_by_themselves(monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "")  # unset; restored after the test
    server.fresh_metrics_folder(workers=1)
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == ""
    server.fresh_metrics_folder(workers=2)
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    assert os.path.isdir(folder)
    os.rmdir(folder)
