"""Signing in through an organisation's own OpenID Connect provider (issue 18), against
the real test provider (tests/support/oidc)."""

import logging

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from kierratys.accounts.models import SignInMethod, User
from kierratys.accounts.roles import COORDINATOR, STAFF, WAREHOUSE, role_names
from kierratys.accounts.sso.models import ExternalIdentity, RoleMapping, UnitMapping
from tests.factories.accounts import (
    OrganisationFactory,
    identity_provider_for,
    member_of,
    other_organisation,
    unit_of,
)

from .sso_support import provider_round_trip, register, sign_in

pytestmark = pytest.mark.django_db

PASSWORD = "pw-1234"


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")  # the messages below are the English ones


@pytest.fixture
def organisation():
    return OrganisationFactory()  # Turku, signing up from demo.example


@pytest.fixture
def school(organisation):
    return unit_of(organisation)


@pytest.fixture
def provider(oidc, organisation, school):
    provider = identity_provider_for(organisation, oidc.issuer, unit_claim="unit")
    RoleMapping.objects.create(provider=provider, group="kierratys", role=STAFF)
    RoleMapping.objects.create(provider=provider, group="varasto", role=WAREHOUSE)
    UnitMapping.objects.create(provider=provider, value="koulu-1", unit=school)
    register(oidc, provider)
    return provider


def person(oidc, sub="u-1", **fields):
    fields.setdefault("email", "Maija.Meikalainen@demo.example")
    fields.setdefault("name", "Maija Meikäläinen")
    fields.setdefault("groups", ["kierratys"])
    fields.setdefault("unit", "koulu-1")
    return oidc.set_user(sub, password=PASSWORD, **fields)


def signed_in_user(client):
    user_id = client.session.get(SESSION_KEY)
    return User.objects.get(pk=user_id) if user_id else None


# --- first and later sign-ins -------------------------------------------------------------


def test_first_sign_in_makes_the_account_from_the_claims(client, oidc, provider, school):
    person(oidc, groups=["kierratys", "varasto"])

    response = sign_in(client, provider, oidc, login="u-1")

    assert response.status_code == 302 and response["Location"] == "/"
    user = signed_in_user(client)
    assert user.email == "maija.meikalainen@demo.example"
    assert user.full_name == "Maija Meikäläinen"
    assert user.unit == school and user.is_active
    assert role_names(user) == {STAFF, WAREHOUSE}
    assert not user.has_usable_password()
    assert user.last_sign_in_method == SignInMethod.SSO
    assert user.last_sign_in_provider == "Kaupungin tunnus"
    assert ExternalIdentity.objects.get(user=user).subject == "u-1"


def test_the_page_asked_for_comes_after_signing_in(client, oidc, provider):
    person(oidc)
    response = sign_in(client, provider, oidc, login="u-1", start="?next=/listings/")
    assert response["Location"] == "/listings/"


def test_an_address_elsewhere_is_not_followed_after_signing_in(client, oidc, provider):
    person(oidc)
    response = sign_in(client, provider, oidc, login="u-1", start="?next=https://evil.example/")
    assert response["Location"] == "/"


def test_roles_follow_the_groups_on_every_sign_in(client, oidc, provider):
    person(oidc, groups=["kierratys", "varasto"])
    sign_in(client, provider, oidc, login="u-1")
    client.logout()

    person(oidc, groups=["kierratys"])  # taken out of the warehouse group
    sign_in(client, provider, oidc, login="u-1")

    assert role_names(signed_in_user(client)) == {STAFF}


def test_a_mapping_removed_between_sign_ins_takes_the_role_away(client, oidc, provider):
    RoleMapping.objects.create(provider=provider, group="koordinaattorit", role=COORDINATOR)
    person(oidc, groups=["kierratys", "koordinaattorit"])
    sign_in(client, provider, oidc, login="u-1")
    assert COORDINATOR in role_names(signed_in_user(client))
    assert signed_in_user(client).is_staff  # admin access with the coordinator role
    client.logout()

    RoleMapping.objects.filter(group="koordinaattorit").delete()
    sign_in(client, provider, oidc, login="u-1")

    user = signed_in_user(client)
    assert role_names(user) == {STAFF} and not user.is_staff


def test_someone_in_none_of_the_mapped_groups_is_not_let_in(client, oidc, provider):
    person(oidc, groups=["siivous"])

    response = sign_in(client, provider, oidc, login="u-1")

    assert response.status_code == 403
    assert "has not given you access" in response.content.decode()
    assert not User.objects.filter(email="maija.meikalainen@demo.example").exists()
    assert signed_in_user(client) is None


def test_someone_taken_out_of_every_group_can_no_longer_sign_in(client, oidc, provider):
    person(oidc)
    sign_in(client, provider, oidc, login="u-1")
    client.logout()
    person(oidc, groups=[])

    response = sign_in(client, provider, oidc, login="u-1")

    assert response.status_code == 403 and signed_in_user(client) is None


def test_someone_the_provider_switched_off_cannot_sign_in(client, oidc, provider):
    person(oidc)
    sign_in(client, provider, oidc, login="u-1")
    client.logout()
    person(oidc, disabled=True)

    with pytest.raises(AssertionError):  # the provider's own page refuses them
        provider_round_trip(client, provider, oidc, login="u-1", password=PASSWORD)
    assert signed_in_user(client) is None


def test_an_account_switched_off_here_stays_off(client, oidc, provider):
    person(oidc)
    sign_in(client, provider, oidc, login="u-1")
    client.logout()
    User.objects.filter(email="maija.meikalainen@demo.example").update(is_active=False)

    response = sign_in(client, provider, oidc, login="u-1")

    assert response.status_code == 403 and "switched off" in response.content.decode()
    assert signed_in_user(client) is None


def test_the_name_and_address_follow_the_provider(client, oidc, provider):
    person(oidc)
    sign_in(client, provider, oidc, login="u-1")
    client.logout()
    person(oidc, email="maija.virtanen@demo.example", name="Maija Virtanen")

    sign_in(client, provider, oidc, login="u-1")

    user = signed_in_user(client)
    assert (user.email, user.full_name) == ("maija.virtanen@demo.example", "Maija Virtanen")
    assert User.objects.count() == 1


def test_a_password_account_of_the_organisation_moves_to_the_provider(
    client, oidc, provider, school
):
    existing = member_of(unit=school, email="maija.meikalainen@demo.example")

    person(oidc)
    sign_in(client, provider, oidc, login="u-1")

    assert signed_in_user(client) == existing
    assert ExternalIdentity.objects.get(provider=provider).user == existing


def test_an_account_of_another_organisation_is_never_taken_over(client, oidc, provider):
    elsewhere = member_of(other_organisation(), email="maija.meikalainen@demo.example")
    person(oidc)

    response = sign_in(client, provider, oidc, login="u-1")

    assert response.status_code == 403 and signed_in_user(client) is None
    elsewhere.refresh_from_db()
    assert not ExternalIdentity.objects.exists() and elsewhere.full_name != "Maija Meikäläinen"


# --- the unit, when the provider does not name it -----------------------------------------


def test_a_new_person_picks_their_unit_once(client, oidc, provider, organisation):
    library = unit_of(organisation)
    person(oidc, unit=None)

    response = sign_in(client, provider, oidc, login="u-1")

    assert response["Location"] == "/accounts/sso/unit/"
    assert not User.objects.exists()  # nothing until they have chosen
    page = client.get("/accounts/sso/unit/")
    assert "Choose your unit" in page.content.decode()
    response = client.post("/accounts/sso/unit/", {"unit": library.pk})
    assert response.status_code == 302
    assert signed_in_user(client).unit == library
    client.logout()

    sign_in(client, provider, oidc, login="u-1")  # the next time: no question
    assert signed_in_user(client).unit == library


def test_another_organisations_unit_cannot_be_picked(client, oidc, provider):
    foreign = unit_of(other_organisation())
    person(oidc, unit=None)
    sign_in(client, provider, oidc, login="u-1")

    response = client.post("/accounts/sso/unit/", {"unit": foreign.pk})

    assert response.status_code == 200 and not User.objects.exists()
    assert signed_in_user(client) is None


def test_the_unit_page_without_a_sign_in_sends_to_the_sign_in_page(client):
    assert client.get("/accounts/sso/unit/")["Location"] == "/accounts/login/"


# --- bad answers from the provider --------------------------------------------------------

FAULT_MESSAGES = {
    "tampered-signature": "could not be verified",
    "wrong-audience": "could not be verified",
    "wrong-issuer": "could not be verified",
    "expired": "could not be verified",
    "nonce-mismatch": "could not be verified",
    "unknown-key": "could not be verified",
    "alg-none": "could not be verified",
    "missing-email": "did not tell us your e-mail address",
}


@pytest.mark.parametrize("fault", sorted(FAULT_MESSAGES))
def test_a_bad_id_token_signs_nobody_in(client, oidc, provider, fault, caplog):
    existing = member_of(email="maija.meikalainen@demo.example", full_name="Vanha Nimi")
    person(oidc)
    oidc.set_fault(fault)

    with caplog.at_level(logging.DEBUG):
        back = provider_round_trip(client, provider, oidc, login="u-1", password=PASSWORD)
        response = client.get(back)

    assert response.status_code in (400, 403)
    assert FAULT_MESSAGES[fault] in response.content.decode()
    assert signed_in_user(client) is None
    assert User.objects.count() == 1 and not ExternalIdentity.objects.exists()
    existing.refresh_from_db()
    assert existing.full_name == "Vanha Nimi"
    code = back.split("code=")[1].split("&")[0]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert code not in logged and "eyJ" not in logged  # no code, no token in the log


def test_a_state_used_twice_is_refused(client, oidc, provider):
    person(oidc)
    back = provider_round_trip(client, provider, oidc, login="u-1", password=PASSWORD)
    client.get(back)
    client.logout()

    response = client.get(back)

    assert response.status_code == 400
    assert "expired or was already used" in response.content.decode()
    assert signed_in_user(client) is None


def test_a_callback_without_state_is_refused(client, oidc, provider):
    person(oidc)
    back = provider_round_trip(client, provider, oidc, login="u-1", password=PASSWORD)
    without_state = back.split("&state=")[0].replace("?state=", "?x=")

    response = client.get(without_state)

    assert response.status_code == 400 and signed_in_user(client) is None
    assert not User.objects.exists()


def test_a_callback_from_another_browser_is_refused(client, oidc, provider):
    person(oidc)
    back = provider_round_trip(client, provider, oidc, login="u-1", password=PASSWORD)

    stranger = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = stranger.get(back)

    assert response.status_code == 400 and not User.objects.exists()


def test_an_address_outside_the_organisations_domains_is_refused(client, oidc, provider):
    person(oidc, email="maija@gmail.example")

    response = sign_in(client, provider, oidc, login="u-1")

    assert response.status_code == 403
    assert "does not belong to this organisation" in response.content.decode()
    assert not User.objects.exists()


def test_an_unverified_address_is_refused(client, oidc, provider):
    person(oidc, email_verified=False)
    response = sign_in(client, provider, oidc, login="u-1")
    assert response.status_code == 403 and not User.objects.exists()


def test_a_required_authentication_level_is_enforced(client, oidc, provider):
    from tests.support.oidc_provider import ACR_MFA, ACR_PASSWORD

    provider.required_acr = ACR_MFA
    provider.save()
    person(oidc, acr=ACR_PASSWORD)

    response = sign_in(client, provider, oidc, login="u-1")

    assert response.status_code == 403 and "stronger sign-in" in response.content.decode()
    assert not User.objects.exists()
    person(oidc, acr=ACR_MFA)
    client.get("/")  # a fresh start
    assert sign_in(client, provider, oidc, login="u-1").status_code == 302
    assert signed_in_user(client) is not None


def test_a_new_signing_key_is_fetched_when_the_provider_rotates(client, oidc, provider):
    person(oidc)
    sign_in(client, provider, oidc, login="u-1")
    client.logout()

    oidc.rotate_keys(keep_previous=False)

    assert sign_in(client, provider, oidc, login="u-1").status_code == 302
    assert signed_in_user(client) is not None


def test_a_provider_that_is_down_gets_a_clear_message(client, oidc, organisation):
    provider = identity_provider_for(organisation, oidc.issuer, slug="alhaalla")
    oidc.stop()

    response = client.get("/accounts/sso/alhaalla/start/")

    assert response.status_code == 503
    page = response.content.decode()
    assert "did not answer in time" in page
    assert 'name="password"' in page  # the password sign-in is still offered
    assert provider.name in page


def test_a_slow_provider_times_out_with_a_clear_message(client, oidc, provider, settings):
    person(oidc)
    back = provider_round_trip(client, provider, oidc, login="u-1", password=PASSWORD)
    settings.SSO_TIMEOUT_SECONDS = 0.5
    oidc.set_delay(3)

    response = client.get(back)

    assert response.status_code == 503 and "did not answer in time" in response.content.decode()
    assert not User.objects.exists()


def test_a_provider_not_in_use_is_not_found(client, oidc, provider):
    provider.enabled = False
    provider.save()
    assert client.get(f"/accounts/sso/{provider.slug}/start/").status_code == 404


def test_a_sign_in_cancelled_at_the_provider_says_so(client, oidc, provider):
    started = client.get(f"/accounts/sso/{provider.slug}/start/")
    state = started["Location"].split("state=")[1].split("&")[0]

    response = client.get(
        f"/accounts/sso/{provider.slug}/callback/?error=access_denied&state={state}"
    )

    assert response.status_code == 400
    assert "cancelled" in response.content.decode() and signed_in_user(client) is None
