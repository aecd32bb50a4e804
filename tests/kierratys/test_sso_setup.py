"""Setting up an organisation's provider (the service's administrators), and the demo's
Varha, which signs in only through its provider (issue 18)."""

import json

import pytest
from django.test import Client

from kierratys.accounts.models import User
from kierratys.accounts.roles import COORDINATOR, STAFF, WAREHOUSE, role_names
from kierratys.accounts.sso.models import IdentityProvider
from tests.factories.accounts import OrganisationFactory, UserFactory, member_of
from tests.support.oidc_provider import DEMO_CONFIG

from .sso_support import OURS, callback_uri, sign_in

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ADD = "/admin/sso/identityprovider/add/"


@pytest.fixture
def admin_client():
    client = Client(**EN)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _form(organisation, issuer, **fields):
    return {
        "organisation": organisation.pk,
        "name": "Turun tunnus",
        "slug": "turku",
        "enabled": "on",
        "allow_passwords": "on",
        "issuer": issuer,
        "client_id": "kierratys",
        "new_client_secret": "very-secret-value",
        "scopes": "openid email profile",
        "groups_claim": "groups",
        "unit_claim": "",
        "required_acr": "",
        **{
            f"{prefix}-{key}": value
            for prefix in ("role_mappings", "unit_mappings")
            for key, value in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0"}.items()
        },
        **fields,
    }


def test_the_secret_is_never_shown_after_saving(admin_client, oidc):
    organisation = OrganisationFactory()

    response = admin_client.post(ADD, _form(organisation, oidc.issuer))

    assert response.status_code == 302, response.content.decode()[:3000]
    provider = IdentityProvider.objects.get()
    assert provider.client_secret == "very-secret-value"
    page = admin_client.get(f"/admin/sso/identityprovider/{provider.pk}/change/").content
    assert b"very-secret-value" not in page


def test_an_empty_secret_keeps_the_saved_one(admin_client, oidc):
    organisation = OrganisationFactory()
    admin_client.post(ADD, _form(organisation, oidc.issuer))
    provider = IdentityProvider.objects.get()

    admin_client.post(
        f"/admin/sso/identityprovider/{provider.pk}/change/",
        _form(organisation, oidc.issuer, new_client_secret="", name="Uusi nimi"),
    )

    provider.refresh_from_db()
    assert provider.name == "Uusi nimi" and provider.client_secret == "very-secret-value"


def test_an_issuer_that_does_not_answer_is_refused(admin_client, oidc):
    organisation = OrganisationFactory()
    oidc.stop()

    response = admin_client.post(ADD, _form(organisation, oidc.issuer))

    assert response.status_code == 200
    assert "did not answer in time" in response.content.decode()
    assert not IdentityProvider.objects.exists()


def test_an_issuer_that_names_another_is_refused(admin_client, oidc):
    response = admin_client.post(ADD, _form(OrganisationFactory(), oidc.issuer + "/"))
    assert "does not lead to the identity provider it names" in response.content.decode()
    assert not IdentityProvider.objects.exists()


def test_coordinators_do_not_set_up_providers(oidc):
    coordinator = Client(**EN)
    coordinator.force_login(member_of(roles=[COORDINATOR], is_staff=True))
    response = coordinator.get(ADD)
    assert response.status_code in (302, 403, 404)


# --- the demo -----------------------------------------------------------------------------


@pytest.fixture
def demo_varha(oidc, settings):
    """The demo's accounts and providers, with the test provider holding demo.json's people
    and the client's callback on this test server."""
    from django.core.management import call_command

    settings.DEMO_OIDC_ISSUER = oidc.issuer
    call_command("seed_demo", "--force", verbosity=0)
    config = json.loads(DEMO_CONFIG.read_text())
    for user in config["users"]:
        oidc.set_user(**user)
    provider = IdentityProvider.objects.get(slug="varha")
    (client,) = config["clients"]
    oidc.add_client(
        client["client_id"],
        client["client_secret"],
        redirect_uris=[callback_uri(provider)],
        post_logout_redirect_uris=[f"{OURS}/"],
    )
    return provider


def test_the_demos_varha_signs_in_through_its_provider_only(oidc, demo_varha):
    from kierratys.demo import DEMO_PASSWORD

    client = Client(**EN)
    refused = client.post(
        "/accounts/login/",
        {"username": "coordinator@varha.demo.example", "password": DEMO_PASSWORD},
    )
    assert "signs you in with its own accounts" in refused.content.decode()

    sign_in(client, demo_varha, oidc, login="vilma", password=DEMO_PASSWORD)

    user = User.objects.get(email="coordinator@varha.demo.example")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.unit.name == "Varhan kalustopalvelut"
    assert role_names(user) == {STAFF, COORDINATOR}


def test_the_demos_warehouse_person_gets_their_roles_from_the_groups(oidc, demo_varha):
    from kierratys.demo import DEMO_PASSWORD

    client = Client(**EN)
    sign_in(client, demo_varha, oidc, login="valtteri", password=DEMO_PASSWORD)
    user = User.objects.get(email="warehouse@varha.demo.example")
    assert role_names(user) == {STAFF, WAREHOUSE}


def test_the_other_demo_organisations_keep_their_passwords(oidc, demo_varha):
    from kierratys.demo import DEMO_PASSWORD

    client = Client(**EN)
    response = client.post(
        "/accounts/login/", {"username": "coordinator@demo.example", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
