import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from kierratys import health

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _fresh_report():
    """The report is kept a few seconds per process: each test makes its own."""
    health.forget()
    yield
    health.forget()


@pytest.mark.django_db
def test_health_reports_every_component_without_login(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "channel_layer": "ok",
        "storage": "ok",
        "status": "ok",
    }


def test_health_is_503_when_the_database_is_unreachable():
    """A real unreachable PostgreSQL server (nothing listens on port 1)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "AWS_"))}
    env.update(
        DEBUG="true",
        DJANGO_SETTINGS_MODULE="kierratys.settings",
        DATABASE_URL="postgres://postgres@127.0.0.1:1/kierratys?connect_timeout=2",
    )
    probe = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client(HTTP_HOST='127.0.0.1').get('/healthz');"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    assert answer["body"]["database"] == "error"
    assert answer["body"]["status"] == "down"
    assert "127.0.0.1:1" not in result.stdout  # no connection details leak


@pytest.mark.django_db
def test_probes_within_the_cache_period_share_one_report(client, settings):
    assert client.get(reverse("healthz")).json()["storage"] == "ok"
    # Storage breaks: the kept report still answers, then the next one says so.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.kierratys.test_health.BrokenStorage"},
    }
    assert client.get(reverse("healthz")).json()["storage"] == "ok"
    health.forget()
    report = client.get(reverse("healthz")).json()
    assert report["storage"] == "error" and report["status"] == "degraded"


class BrokenStorage:
    def exists(self, name):
        raise OSError("the disk is gone")
