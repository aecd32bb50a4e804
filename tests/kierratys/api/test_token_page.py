"""The coordinator's API tokens page: create a token (the secret shown once), see the
organisation's tokens, revoke one; only coordinators, only their own organisation's."""

import pytest
from django.urls import reverse

from kierratys.api.models import Scope, ServiceToken
from kierratys.common.submissions import new_token
from tests.factories import member_of, other_organisation

from .conftest import Api, make_token

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
PAGE = "/organisation/api-tokens/"


def _post(client, url, data=None, submission=None):
    return client.post(url, {**(data or {}), "submission": submission or new_token()}, **EN)


def _create(client, school, **fields):
    data = {
        "name": "Hankintajärjestelmä",
        "unit": school.pk,
        "scopes": [Scope.LISTINGS_READ, Scope.RESERVATIONS],
        "days": 90,
        "rate_per_minute": 120,
        **fields,
    }
    return _post(client, PAGE, data, submission=fields.pop("submission", None))


def test_a_coordinator_creates_a_token_and_sees_its_secret_once(client, coordinator, school):
    client.force_login(coordinator)
    submission = new_token()
    response = _create(client, school, submission=submission)
    assert response.status_code == 200
    html = response.content.decode()
    token = ServiceToken.objects.get()
    secret = response.context["created"].secret
    assert secret in html and "shown only this once" in html
    assert token.scope_set == {Scope.LISTINGS_READ, Scope.RESERVATIONS}
    assert token.unit == school and token.rate_per_minute == 120
    # The secret works, and is never on the page again, not even for the same form again.
    assert Api(client, secret).get("/api/v1/categories/").status_code == 200
    client.force_login(coordinator)
    assert secret not in client.get(PAGE, **EN).content.decode()
    again = _create(client, school, submission=submission)
    assert again.status_code == 302 and secret not in again.content.decode()
    assert ServiceToken.objects.count() == 1


def test_the_page_lists_the_tokens_with_their_state(client, coordinator, school):
    make_token(coordinator, school, name="Varastojärjestelmä", scopes=[Scope.TASKS])
    client.force_login(coordinator)
    html = client.get(PAGE, **EN).content.decode()
    assert "Varastojärjestelmä" in html and "Warehouse tasks" in html and "Not used yet." in html


def test_bad_input_is_shown_and_nothing_is_created(client, coordinator, school):
    client.force_login(coordinator)
    response = _create(client, school, name="", scopes=[], days=5000)
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "scopes", "days"}
    assert not ServiceToken.objects.exists()


def test_another_organisations_unit_cannot_be_chosen(client, coordinator):
    from tests.factories import unit_of

    client.force_login(coordinator)
    response = _create(client, unit_of(other_organisation()))
    assert response.status_code == 400
    assert not ServiceToken.objects.exists()


def test_revoking_stops_the_token(client, coordinator, school):
    created = make_token(coordinator, school)
    client.force_login(coordinator)
    response = _post(client, reverse("api_tokens:revoke", args=[created.token.pk]))
    assert response.status_code == 302
    created.token.refresh_from_db()
    assert created.token.revoked_at is not None and created.token.revoked_by == coordinator
    assert Api(client, created.secret).get("/api/v1/categories/").status_code == 401


def test_only_coordinators_see_the_page_and_only_their_own_tokens(client, coordinator, school):
    created = make_token(coordinator, school)
    client.force_login(member_of())
    assert client.get(PAGE, **EN).status_code == 403
    from kierratys.accounts.roles import COORDINATOR

    client.force_login(member_of(other_organisation(), roles=[COORDINATOR]))
    assert created.token.name not in client.get(PAGE, **EN).content.decode()
    response = _post(client, reverse("api_tokens:revoke", args=[created.token.pk]))
    assert response.status_code == 404
    created.token.refresh_from_db()
    assert created.token.revoked_at is None


def test_the_organisation_page_links_to_the_tokens(client, coordinator):
    client.force_login(coordinator)
    html = client.get(reverse("organisation_hub"), **EN).content.decode()
    assert f'href="{PAGE}"' in html
