"""Signing in through the organisation's own provider in Chromium, on the provider's own
login page, and being signed out by it (issue 18)."""

import re

import pytest
from playwright.sync_api import expect

from kierratys.accounts.roles import STAFF
from kierratys.accounts.sso.models import RoleMapping, UnitMapping

from ..factories.accounts import OrganisationFactory, identity_provider_for, unit_of
from .helpers import axe_check, screenshot, translated, wait_for_live_socket

pytestmark = pytest.mark.browser
SIGNED_OUT = "Live updates off: you are no longer signed in. Reload the page to sign in again."


@pytest.fixture
def provider(oidc, live_asgi_server, browser_db):
    organisation = OrganisationFactory()
    school = unit_of(organisation)
    provider = identity_provider_for(
        organisation, oidc.issuer, name="Turun tunnus", unit_claim="unit", allow_passwords=False
    )
    RoleMapping.objects.create(provider=provider, group="kierratys", role=STAFF)
    UnitMapping.objects.create(provider=provider, value="koulu", unit=school)
    oidc.add_client(
        provider.client_id,
        provider.client_secret,
        redirect_uris=[f"{live_asgi_server}/accounts/sso/{provider.slug}/callback/"],
        post_logout_redirect_uris=[f"{live_asgi_server}/"],
        backchannel_logout_uri=f"{live_asgi_server}/accounts/sso/{provider.slug}/backchannel-logout/",
    )
    oidc.set_user(
        "maija",
        email="maija.meikalainen@demo.example",
        name="Maija Meikäläinen",
        password="Salasana-2026",
        groups=["kierratys"],
        unit="koulu",
    )
    return provider


def _sign_in_at_provider(page, oidc):
    page.goto("/accounts/login/")
    page.locator("main input[name=username]").fill("maija.meikalainen@demo.example")
    # No password: off to the provider.
    page.locator("form:has(input[name=username]) button[type=submit]").click()
    page.wait_for_url(f"{oidc.issuer}/**")
    page.get_by_label("Email or username").fill("maija.meikalainen@demo.example")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong")
    page.get_by_label("Password").fill("Salasana-2026")
    page.get_by_role("button", name="Sign in").click()
    page.locator(".account-menu").wait_for()


def test_signing_in_and_out_through_the_provider(new_page, oidc, provider):
    page = new_page("phone", locale="en-GB")
    _sign_in_at_provider(page, oidc)
    screenshot(page, "sso-signed-in-phone")

    page.goto("/accounts/profile/")
    expect(page.locator("[data-account-source]")).to_contain_text("Turun tunnus")
    expect(page.get_by_label("Your name")).to_be_disabled()

    page.locator(".account-menu summary").click()
    page.get_by_role("button", name=translated("en", "Sign out")).click()
    page.wait_for_url(f"{oidc.issuer}/**")  # the provider asks to sign out there too
    assert oidc.issuer in page.url


def test_the_provider_signing_someone_out_closes_their_pages(new_page, oidc, provider):
    page = new_page("desktop", locale="en-GB")
    _sign_in_at_provider(page, oidc)
    page.goto("/listings/")
    wait_for_live_socket(page)

    sent = oidc.logout_user("maija")  # the provider posts its logout token to us

    assert sent and all(delivery["ok"] for delivery in sent), sent
    expect(page.locator("[data-live-indicator] [data-live-text]")).to_have_text(
        translated("en", SIGNED_OUT), timeout=10000
    )
    page.goto("/listings/")
    page.locator("input[name=username]").wait_for()  # signed out: the sign-in page


def test_a_new_person_picks_their_unit_once_with_the_keyboard(new_page, oidc, provider):
    from kierratys.accounts.models import User

    from ..factories.accounts import UnitFactory

    school = UnitFactory(
        department__organisation=provider.organisation, name="Luostarivuoren koulu"
    )
    oidc.set_user(
        "uusi",
        email="uusi.opettaja@demo.example",
        name="Uusi Opettaja",
        password="Salasana-2026",
        groups=["kierratys"],
    )
    page = new_page("phone", locale="en-GB")
    page.goto("/accounts/login/")
    axe_check(page)
    screenshot(page, "sso-login-phone")
    page.get_by_role("link", name="Sign in with Turun tunnus").click()
    page.wait_for_url(f"{oidc.issuer}/**")
    page.get_by_label("Email or username").fill("uusi")
    page.get_by_label("Password").fill("Salasana-2026")
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url("**/accounts/sso/unit/")
    assert not User.objects.filter(email="uusi.opettaja@demo.example").exists()
    picker = page.get_by_role("combobox", name="Your unit")
    picker.press_sequentially("luostari", delay=30)
    expect(page.get_by_role("option", name=re.compile("Luostarivuoren koulu"))).to_be_visible()
    axe_check(page)
    screenshot(page, "sso-unit-phone")
    picker.press("ArrowDown")
    picker.press("Enter")
    page.get_by_role("button", name="Continue").click()

    page.locator(".account-menu").wait_for()
    assert User.objects.get(email="uusi.opettaja@demo.example").unit == school
