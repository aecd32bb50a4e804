"""Service tokens: a missing, unknown, expired or revoked token is 401, a missing scope
403; the secret is stored only as a hash; the last use is marked at most once a minute; a
signed-in browser uses its session, with CSRF on writes; the rate limit answers 429."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kierratys.api import services
from kierratys.api.models import Scope, ServiceToken
from kierratys.api.tokens import hash_of
from tests.factories import ListingFactory, member_of

from .conftest import Api, make_token, problem_of

pytestmark = pytest.mark.django_db
CATEGORIES = "/api/v1/categories/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_without_a_token_the_answer_is_401_with_a_bearer_challenge(client):
    response = client.get(CATEGORIES, **EN)
    problem_of(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_token_is_401(client, token):
    body = problem_of(Api(client, token.secret[:-2] + "xx").get(CATEGORIES, **EN), 401)
    assert body["detail"] == "The token is not valid."


def test_a_malformed_authorization_header_is_401(client):
    response = client.get(CATEGORIES, HTTP_AUTHORIZATION="Bearer a b", **EN)
    problem_of(response, 401)


def test_an_expired_token_is_401(client, token):
    past = timezone.now() - timedelta(days=2)
    ServiceToken.objects.filter(pk=token.token.pk).update(
        created_at=past, expires_at=past + timedelta(days=1)
    )
    body = problem_of(Api(client, token.secret).get(CATEGORIES, **EN), 401)
    assert body["detail"] == "The token has expired."


def test_a_revoked_token_is_401_at_once(client, coordinator, token):
    api = Api(client, token.secret)
    assert api.get(CATEGORIES).status_code == 200
    services.token_revoke(actor=coordinator, token_id=token.token.pk)
    body = problem_of(api.get(CATEGORIES, **EN), 401)
    assert body["detail"] == "The token has been revoked."


def test_a_token_without_the_scope_is_403(client, coordinator, school):
    reader = make_token(coordinator, school, scopes=[Scope.LISTINGS_READ])
    api = Api(client, reader.secret)
    assert api.get(CATEGORIES).status_code == 200
    body = problem_of(api.get("/api/v1/reservations/", **EN), 403)
    assert "reservations" in body["detail"]


def test_only_a_hash_of_the_secret_is_stored(token):
    row = ServiceToken.objects.get(pk=token.token.pk)
    stored = [str(value) for value in row.__dict__.values()]
    assert token.secret not in stored
    assert row.secret_hash == hash_of(token.secret)
    assert token.secret.startswith(row.prefix)


def test_the_last_use_is_written_at_most_once_a_minute(client, token):
    api = Api(client, token.secret)
    api.get(CATEGORIES)
    first = ServiceToken.objects.get(pk=token.token.pk).last_used_at
    assert first is not None
    api.get(CATEGORIES)
    assert ServiceToken.objects.get(pk=token.token.pk).last_used_at == first


def test_the_token_acts_for_its_unit_through_its_own_account(token, school):
    account = token.token.account
    assert account.unit == school
    assert not account.has_usable_password()
    assert account.full_name == "API: Hankinta"


def test_a_signed_in_browser_uses_its_session_and_needs_csrf_to_write():
    person = member_of()
    listing = ListingFactory()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(person)
    assert browser.get(CATEGORIES).status_code == 200
    response = browser.post(
        "/api/v1/reservations/",
        {"listing": listing.pk, "quantity": 1, "contact_name": "A", "contact_phone": "1"},
        content_type="application/json",
        **EN,
    )
    body = problem_of(response, 403)
    assert "CSRF" in body["detail"]


def test_over_the_rate_limit_is_429_with_retry_after_and_ratelimit_headers(
    client, coordinator, school
):
    limited = make_token(coordinator, school, rate_per_minute=2)
    api = Api(client, limited.secret)
    first = api.get(CATEGORIES)
    assert first["RateLimit-Policy"] == '"minute";q=2;w=60'
    assert first["RateLimit"].startswith('"minute";r=1;t=')
    api.get(CATEGORIES)
    response = api.get(CATEGORIES, **EN)
    problem_of(response, 429)
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["RateLimit"].startswith('"minute";r=0;')


def test_each_token_has_its_own_rate_limit(client, coordinator, school):
    one = make_token(coordinator, school, rate_per_minute=1)
    other = make_token(coordinator, school, rate_per_minute=1)
    assert Api(client, one.secret).get(CATEGORIES).status_code == 200
    assert Api(client, one.secret).get(CATEGORIES).status_code == 429
    assert Api(client, other.secret).get(CATEGORIES).status_code == 200


def test_only_a_coordinator_creates_tokens_and_only_for_own_units(coordinator, school):
    from django.core.exceptions import PermissionDenied

    from kierratys.common.errors import NotFound
    from tests.factories import other_organisation, unit_of

    with pytest.raises(PermissionDenied):
        make_token(member_of(), school)
    with pytest.raises(NotFound):
        make_token(coordinator, unit_of(other_organisation()))
    assert not ServiceToken.objects.exists()
