"""A coordinator's partners page on a phone and a desktop (issue 17): partners through an
agreement and a region, a proposal to accept, the form to propose; no serious WCAG issue."""

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kierratys.accounts.partnerships import Partnership, Region, RegionMembership

from ..factories import DepartmentFactory, UnitFactory, UserFactory, other_organisation
from .helpers import COORDINATOR

pytestmark = pytest.mark.browser

SHOTS = Path("/work/shots")


def english_page(new_page, live_asgi_server, size):
    page = new_page(size, locale="en-GB")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_asgi_server}])
    return page


def keep(path: Path, name: str) -> None:
    if SHOTS.is_dir():
        shutil.copy(path, SHOTS / f"partners-{name}.png")


def test_a_coordinator_accepts_a_proposal_and_sees_the_partners(
    new_page, live_asgi_server, demo_accounts, force_login, axe_check, screenshot
):
    # The demo seeds Kaarina (an agreement with Turku) and the Turku region (Kaarina and
    # the wellbeing services county); Raisio joins the region, Naantali proposes.
    coordinator = demo_accounts[COORDINATOR]
    raisio = other_organisation(2, name="Raisio")
    naantali = other_organisation(4, name="Naantali")
    someone = UserFactory(unit=UnitFactory(department=DepartmentFactory(organisation=naantali)))
    now, today = timezone.now(), timezone.localdate()
    region = Region.objects.get(slug="turun-seutu")
    RegionMembership.objects.create(region=region, organisation=raisio, joined_on=today)
    incoming = Partnership.objects.create(
        proposer=naantali,
        partner=coordinator.unit.department.organisation,
        starts_on=today,
        ends_on=today + timedelta(days=365),
        proposed_by=someone,
        proposed_at=now,
    )

    page = english_page(new_page, live_asgi_server, "phone")
    force_login(page, coordinator)
    page.goto("/reservations/")
    page.locator(".site-menu summary").click()
    page.locator("a[data-nav=organisation]").click()  # the coordinator's tools
    page.get_by_role("link", name="Partners").click()
    expect(page.get_by_role("heading", name="Partners", level=1)).to_be_visible()
    expect(page.locator("#partners")).to_contain_text("Region: Turun seutu")
    expect(page.locator("#partners")).to_contain_text("Kaarina")
    keep(screenshot(page, "partners-phone"), "phone")
    axe_check(page)

    page.locator(f"#partnership-{incoming.pk}").get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Partnership with Naantali accepted.")).to_be_visible()
    expect(page.locator("#partners")).to_contain_text("Naantali")

    desktop = english_page(new_page, live_asgi_server, "desktop")
    force_login(desktop, coordinator)
    desktop.goto("/organisation/partners/")
    keep(screenshot(desktop, "partners-desktop"), "desktop")
    axe_check(desktop)
    desktop.locator(f"#partnership-{incoming.pk}").get_by_role(
        "link", name="End the partnership"
    ).click()
    keep(screenshot(desktop, "partners-end-desktop"), "end-desktop")
    axe_check(desktop)
