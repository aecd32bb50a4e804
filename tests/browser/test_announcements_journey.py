"""Announcements (issue 21): a coordinator publishes one, a staff member's open page shows
it without reloading, and dismissing takes it away in place and for good.

The coordinator publishes through the page (in the server process), so the event reaches
the open page on both CI passes (the embedded pass's channel layer is in memory)."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kierratys.announcements.models import Announcement, AnnouncementDismissal

from .helpers import (
    COORDINATOR,
    RESERVER,
    assert_same_document,
    mark_document,
    wait_for_live_socket,
)

pytestmark = pytest.mark.browser

SHOTS = Path("/work/shots")
WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"announce-{name}.png"), full_page=True)


def test_an_announcement_appears_live_and_is_dismissed(
    new_page, demo_accounts, force_login, axe_check
):
    reserver, coordinator = demo_accounts[RESERVER], demo_accounts[COORDINATOR]

    # A staff member has the reservations page open.
    watching = new_page("desktop", locale="en-GB", viewport=WIDE)
    force_login(watching, reserver)
    watching.goto("/reservations/")
    banner = watching.locator("[data-announcements]")
    expect(banner).to_be_hidden()
    wait_for_live_socket(watching)
    mark_document(watching)

    # The coordinator writes one on their page, on a phone.
    desk = new_page("phone", locale="en-GB")
    force_login(desk, coordinator)
    desk.goto("/organisation/announcements/")
    expect(desk.locator("h1")).to_have_text("Announcements")
    axe_check(desk)
    # A mistake first: told what to fix, nothing saved.
    desk.locator("#id_title_fi").fill("Varasto suljettu inventaarion ajan")
    desk.get_by_role("button", name="Publish").click()
    expect(desk.locator(".error-summary")).to_be_visible()
    expect(desk.locator("#id_body_fi_error")).to_contain_text("This field is required.")
    assert not Announcement.objects.exists()
    axe_check(desk)
    desk.locator("#id_body_fi").fill(
        "Artukaisen varasto on kiinni 8.–9.12.\nToimitukset jatkuvat 10.12."
    )
    desk.locator("#id_title_sv").fill("Lagret stängt under inventeringen")
    desk.locator("#id_body_sv").fill("Lagret i Artukainen är stängt 8–9.12.")
    ends = timezone.localtime() + timedelta(days=3)
    desk.locator("#id_ends_at").fill(ends.strftime("%Y-%m-%dT%H:%M"))
    desk.locator("input[name=severity][value=important]").check()
    desk.get_by_role("button", name="Publish").click()
    expect(desk.locator(".message-success")).to_be_visible()
    item = Announcement.objects.get()
    assert item.severity == "important" and item.announced_at is not None

    # The staff member's open page shows it, and reads it out (important), no reload.
    article = banner.locator(f"[data-announcement-id='{item.pk}']")
    expect(article).to_be_visible()
    # English is empty: the Finnish text, marked as Finnish for screen readers.
    expect(article.locator(".announcement-title [data-title]")).to_have_text(
        "Varasto suljettu inventaarion ajan"
    )
    expect(article.locator(".announcement-title [data-title]")).to_have_attribute("lang", "fi")
    expect(article.locator(".announcement-body br")).to_have_count(1)
    expect(watching.locator("[data-live-announcer]")).to_contain_text("Varasto suljettu")
    assert_same_document(watching)
    expect(banner).to_have_attribute("aria-label", "Announcements")
    axe_check(watching)
    shot(watching, "banner-1366")
    watching.set_viewport_size(PHONE)
    shot(watching, "banner-390")

    # The coordinator's page lists it as shown now (and has the banner too).
    desk.goto("/organisation/announcements/")
    expect(desk.locator(f"#announcement-{item.pk}")).to_contain_text("End now")
    axe_check(desk)
    shot(desk, "manage-390")
    desk.set_viewport_size(WIDE)
    shot(desk, "manage-1366")

    # Dismissed in place: gone from this page, and from the next.
    dismiss = article.locator("button.announcement-dismiss")
    expect(dismiss).to_have_text("Dismiss: Varasto suljettu inventaarion ajan")
    dismiss.click()
    expect(article).to_have_count(0)
    expect(banner).to_be_hidden()
    assert_same_document(watching)
    assert AnnouncementDismissal.objects.filter(user=reserver, announcement=item).exists()
    watching.goto("/listings/")
    expect(watching.locator("[data-announcements] [data-announcement-id]")).to_have_count(0)
    # Still in the list of announcements.
    watching.goto("/announcements/")
    expect(watching.locator("main")).to_contain_text("Varasto suljettu inventaarion ajan")
    axe_check(watching)
