import json

import pytest

from kierratys.accounts.roles import COORDINATOR
from kierratys.api import services
from kierratys.api.models import Scope
from tests.factories import OrganisationFactory, member_of, unit_of

ALL_SCOPES = list(Scope.values)


@pytest.fixture(autouse=True)
def _fresh_counters():
    """Rate and search counters start from nothing in each test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def turku(db):
    return OrganisationFactory()


@pytest.fixture
def coordinator(turku):
    return member_of(turku, roles=[COORDINATOR])


@pytest.fixture
def school(turku):
    """The unit the tokens act for."""
    return unit_of(turku)


def make_token(coordinator, unit, scopes=ALL_SCOPES, **fields):
    fields.setdefault("days", 30)
    return services.token_create(
        actor=coordinator,
        name=fields.pop("name", "Hankinta"),
        unit_id=unit.pk,
        scopes=scopes,
        **fields,
    )


@pytest.fixture
def token(coordinator, school):
    return make_token(coordinator, school)


class Api:
    """The test client speaking JSON with a token."""

    def __init__(self, client, secret):
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}

    def get(self, path, data=None, **extra):
        return self.client.get(path, data, **self.headers, **extra)

    def post(self, path, body=None, raw=None, content_type="application/json", **extra):
        payload = raw if raw is not None else json.dumps(body or {})
        return self.client.post(path, payload, content_type=content_type, **self.headers, **extra)

    def put(self, path, body=None, **extra):
        return self.client.put(
            path, json.dumps(body or {}), content_type="application/json", **self.headers, **extra
        )


@pytest.fixture
def api(client, token):
    return Api(client, token.secret)


def problem_of(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:kierratys:problem:")
    assert body["title"] and body["detail"]
    return body
