"""A coordinator's users page on a phone and a desktop (issue 18): who signed in when and
how, found by a search; the table reads as labelled blocks on a phone; no serious WCAG issue."""

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kierratys.accounts.models import User

from ..factories import UserFactory
from .helpers import COORDINATOR

pytestmark = pytest.mark.browser

SHOTS = Path("/work/shots")


def keep(path: Path, name: str) -> None:
    if SHOTS.is_dir():
        shutil.copy(path, SHOTS / f"signins-users-{name}.png")


def test_a_coordinator_sees_how_the_organisations_people_signed_in(
    new_page, live_asgi_server, demo_accounts, login, axe_check, screenshot
):
    coordinator = demo_accounts[COORDINATOR]
    now = timezone.now()
    UserFactory(
        full_name="Sanna Kertakirjautuja",
        unit=coordinator.unit,
        last_login=now - timedelta(hours=2),
        last_sign_in_method="sso",
        last_sign_in_provider="Turun kaupunki (Entra ID)",
    )
    UserFactory(full_name="Veikko Vielä-Kirjautumaton", unit=coordinator.unit)

    page = new_page("phone", locale="en-GB")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_asgi_server}])
    login(page, coordinator.email)  # the password form: recorded as a password sign-in
    page.locator(".site-menu summary").click()
    page.locator("a[data-nav=organisation]").click()  # the coordinator's tools
    page.get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users", level=1)).to_be_visible()
    own = page.locator("tr", has_text=coordinator.full_name)
    expect(own).to_contain_text("Password")
    signed_in = timezone.localtime(User.objects.get(pk=coordinator.pk).last_login)
    expect(own.locator("[data-last-sign-in] time")).to_have_text(f"{signed_in:%-d.%-m.%Y %H:%M}")
    expect(page.locator("tr", has_text="Sanna")).to_contain_text("Turun kaupunki (Entra ID)")
    expect(page.locator("tr", has_text="Vielä-Kirjautumaton")).to_contain_text("Never")
    keep(screenshot(page, "signins-users-phone"), "phone")
    axe_check(page)

    desktop = new_page("desktop", locale="en-GB", viewport={"width": 1366, "height": 900})
    desktop.context.add_cookies(
        [{"name": "django_language", "value": "en", "url": live_asgi_server}]
    )
    login(desktop, coordinator.email)
    desktop.goto("/organisation/users/")
    desktop.get_by_label("Search by name, email address or unit").fill("sanna")
    desktop.get_by_role("button", name="Search").click()
    expect(desktop.locator("tbody tr")).to_have_count(1)
    expect(desktop.locator("caption")).to_contain_text("1 user matches “sanna”")
    keep(screenshot(desktop, "signins-users-desktop"), "desktop")
    axe_check(desktop)
