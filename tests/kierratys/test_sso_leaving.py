"""The sign-in page's choice of provider, passwords switched off, the profile, and leaving:
RP-initiated and back-channel logout (issue 18)."""

import html
import re
import urllib.parse

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client

from kierratys.accounts.models import User
from kierratys.accounts.roles import STAFF
from kierratys.accounts.sso.models import RoleMapping, UnitMapping
from tests.factories.accounts import (
    PASSWORD as ACCOUNT_PASSWORD,
)
from tests.factories.accounts import (
    OrganisationFactory,
    identity_provider_for,
    member_of,
    other_organisation,
    unit_of,
)

from .sso_support import register, sign_in

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def client():
    return Client(**EN)


@pytest.fixture
def organisation():
    return OrganisationFactory()


@pytest.fixture
def school(organisation):
    return unit_of(organisation)


@pytest.fixture
def provider(oidc, organisation, school):
    provider = identity_provider_for(organisation, oidc.issuer, unit_claim="unit")
    RoleMapping.objects.create(provider=provider, group="kierratys", role=STAFF)
    UnitMapping.objects.create(provider=provider, value="koulu-1", unit=school)
    register(oidc, provider)
    oidc.set_user(
        "u-1",
        email="maija@demo.example",
        name="Maija Meikäläinen",
        password="pw-1234",
        groups=["kierratys"],
        unit="koulu-1",
    )
    return provider


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


# --- the sign-in page ---------------------------------------------------------------------


def test_the_sign_in_page_has_a_button_for_each_provider(client, provider, oidc):
    response = client.get("/accounts/login/")
    # The form may send an address on to the provider (a redirect CSP must allow).
    assert f"form-action 'self' {oidc.issuer}" in response["Content-Security-Policy"]
    page = response.content.decode()
    assert "Sign in with Kaupungin tunnus" in page
    assert f'href="/accounts/sso/{provider.slug}/start/"' in page


def test_an_address_without_a_password_goes_to_its_organisations_provider(client, provider):
    response = client.post(
        "/accounts/login/?next=/listings/", {"username": " Maija@Demo.Example ", "password": ""}
    )
    assert response.status_code == 302
    location = urllib.parse.urlsplit(response["Location"])
    assert location.path == f"/accounts/sso/{provider.slug}/start/"
    query = urllib.parse.parse_qs(location.query)
    assert query["login_hint"] == ["Maija@Demo.Example"] and query["next"] == ["/listings/"]


def test_the_provider_is_given_the_address_as_a_hint(client, provider):
    response = client.get(f"/accounts/sso/{provider.slug}/start/?login_hint=maija@demo.example")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(response["Location"]).query)
    assert query["login_hint"] == ["maija@demo.example"]
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["state"] and query["nonce"]


def test_an_address_of_an_organisation_without_a_provider_asks_for_the_password(client, provider):
    other = other_organisation()
    response = client.post("/accounts/login/", {"username": "someone@kunta1.example"})
    assert other and response.status_code == 200
    assert 'name="password"' in response.content.decode()


def test_passwords_still_work_where_the_organisation_allows_them(client, provider, school):
    member = member_of(unit=school)
    response = client.post(
        "/accounts/login/", {"username": member.email, "password": ACCOUNT_PASSWORD}
    )
    assert response.status_code == 302 and signed_in(client)


def test_a_password_is_refused_where_the_organisation_switched_them_off(client, provider, school):
    provider.allow_passwords = False
    provider.save()
    member = member_of(unit=school)

    response = client.post(
        "/accounts/login/", {"username": member.email, "password": ACCOUNT_PASSWORD}
    )

    assert response.status_code == 200 and not signed_in(client)
    assert "signs you in with its own accounts" in response.content.decode()


def test_other_organisations_keep_their_passwords(client, provider):
    provider.allow_passwords = False
    provider.save()
    member = member_of(other_organisation())
    response = client.post(
        "/accounts/login/", {"username": member.email, "password": ACCOUNT_PASSWORD}
    )
    assert response.status_code == 302 and signed_in(client)


def test_no_sign_up_where_the_organisation_signs_in_through_its_provider(client, provider, school):
    provider.allow_passwords = False
    provider.save()
    response = client.post(
        "/accounts/signup/",
        {"email": "uusi@demo.example", "full_name": "Uusi", "unit": school.pk, "phone": ""},
    )
    assert "no sign-up is needed" in response.content.decode()
    assert not User.objects.filter(email="uusi@demo.example").exists()


def test_no_password_reset_mail_where_passwords_are_off(provider, school, mailoutbox):
    from kierratys.accounts import services

    provider.allow_passwords = False
    provider.save()
    member = member_of(unit=school)
    services.password_reset_mail.call(email=member.email, language="fi")
    assert mailoutbox == []


# --- the profile --------------------------------------------------------------------------


def test_the_profile_says_where_the_account_comes_from(client, oidc, provider):
    sign_in(client, provider, oidc, login="u-1")

    page = client.get("/accounts/profile/").content.decode()

    assert "Your account comes from Kaupungin tunnus" in page
    assert 'name="full_name"' in page and "disabled" in page.split('name="full_name"')[1][:200]


def test_the_providers_name_cannot_be_changed_here(client, oidc, provider):
    sign_in(client, provider, oidc, login="u-1")

    client.post(
        "/accounts/profile/", {"full_name": "Joku Muu", "phone": "040 123", "language": "en"}
    )

    user = User.objects.get(email="maija@demo.example")
    assert user.full_name == "Maija Meikäläinen" and user.phone == "040 123"


def test_a_password_account_edits_its_name(client, school):
    member = member_of(unit=school)
    client.force_login(member)
    page = client.get("/accounts/profile/").content.decode()
    assert "a password of this service" in page
    client.post("/accounts/profile/", {"full_name": "Uusi Nimi", "phone": "", "language": "en"})
    member.refresh_from_db()
    assert member.full_name == "Uusi Nimi"


def test_the_coordinators_list_says_how_each_person_signed_in(client, oidc, provider, school):
    from kierratys.accounts.roles import COORDINATOR

    sign_in(client, provider, oidc, login="u-1")
    coordinator = Client(**EN)
    coordinator.force_login(member_of(unit=school, roles=[COORDINATOR]))

    page = coordinator.get("/organisation/users/").content.decode()

    row = page.split("maija@demo.example")[1][:1500]
    assert "Kaupungin tunnus" in row


# --- leaving ------------------------------------------------------------------------------


def test_signing_out_signs_out_at_the_provider_too(client, oidc, provider):
    sign_in(client, provider, oidc, login="u-1")

    response = client.post("/accounts/logout/")

    assert not signed_in(client)
    page = response.content.decode()
    assert "You are signed out" in page
    link = html.unescape(re.search(r'href="([^"]+)" data-auto-continue', page).group(1))
    location = urllib.parse.urlsplit(link)
    assert f"{location.scheme}://{location.netloc}" == oidc.issuer
    query = urllib.parse.parse_qs(location.query)
    assert query["client_id"] == [provider.client_id]
    assert query["post_logout_redirect_uri"] == ["http://testserver/"]


def test_a_password_sign_out_stays_here(client, school, provider):
    client.force_login(member_of(unit=school))
    response = client.post("/accounts/logout/")
    assert not response["Location"].startswith("http")


def _sid(oidc, sub="u-1") -> str:
    (session,) = oidc.sessions(sub)
    return session["clients"][0]["sid"]


def test_back_channel_logout_ends_that_session_only(client, oidc, provider):
    sign_in(client, provider, oidc, login="u-1")
    sid = _sid(oidc)
    other_browser = Client(**EN)
    sign_in(other_browser, provider, oidc, login="u-1")  # a session of its own there too
    token = oidc.logout_token(provider.client_id, "u-1", sid)

    response = Client().post(
        f"/accounts/sso/{provider.slug}/backchannel-logout/", {"logout_token": token}
    )

    assert response.status_code == 200
    assert not signed_in(client)
    assert client.get("/listings/").status_code == 302  # back to the sign-in page
    assert other_browser.get("/listings/").status_code == 200  # not opened by that session


def test_back_channel_logout_without_a_session_ends_all_of_the_persons(client, oidc, provider):
    sign_in(client, provider, oidc, login="u-1")
    other_browser = Client(**EN)
    sign_in(other_browser, provider, oidc, login="u-1")
    token = oidc.logout_token(provider.client_id, "u-1", None)

    response = Client().post(
        f"/accounts/sso/{provider.slug}/backchannel-logout/", {"logout_token": token}
    )

    assert response.status_code == 200
    assert other_browser.get("/listings/").status_code == 302
    assert client.get("/listings/").status_code == 302


@pytest.mark.parametrize(
    "fault",
    [
        "tampered-signature",
        "wrong-audience",
        "wrong-issuer",
        "expired",
        "unknown-key",
        "alg-none",
        "missing-events",
        "with-nonce",
    ],
)
def test_a_bad_logout_token_ends_nothing(client, oidc, provider, fault):
    sign_in(client, provider, oidc, login="u-1")
    sessions = Session.objects.count()
    token = oidc.logout_token(provider.client_id, "u-1", _sid(oidc), fault=fault)

    response = Client().post(
        f"/accounts/sso/{provider.slug}/backchannel-logout/", {"logout_token": token}
    )

    assert response.status_code == 400
    assert signed_in(client) and Session.objects.count() == sessions


def test_a_logout_token_of_another_provider_ends_nothing(client, oidc, provider):
    sign_in(client, provider, oidc, login="u-1")
    elsewhere = identity_provider_for(other_organisation(), oidc.issuer, slug="muu")
    token = oidc.logout_token(provider.client_id, "u-1", _sid(oidc))

    response = Client().post(
        f"/accounts/sso/{elsewhere.slug}/backchannel-logout/", {"logout_token": token}
    )

    assert response.status_code == 400 and signed_in(client)  # its audience is not ours


def test_back_channel_logout_needs_a_token(provider):
    response = Client().post(f"/accounts/sso/{provider.slug}/backchannel-logout/", {})
    assert response.status_code == 400
    assert Client().get(f"/accounts/sso/{provider.slug}/backchannel-logout/").status_code == 405
