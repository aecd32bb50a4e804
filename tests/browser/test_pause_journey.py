"""A scheduled pause, from both sides (issue 21, 2): the coordinator pauses ordering for
today with a message; the unit's staff member sees the notice in the catalogue and on the
item, a reserve form left open from before is refused with the message; the coordinator
ends the pause and reserving works again. No serious WCAG issue on either page."""

import shutil
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reservations.models import Reservation

from ..factories import ListingFactory
from .helpers import COORDINATOR, LISTER, RESERVER

pytestmark = pytest.mark.browser

SHOTS = Path("/work/shots")
MESSAGE = "Varasto muuttaa. Tilaukset avautuvat taas huomenna."
WIDE = {"viewport": {"width": 1366, "height": 900}}


def english_page(new_page, live_asgi_server, size, **options):
    page = new_page(size, locale="en-GB", **options)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_asgi_server}])
    return page


def keep(path: Path, name: str) -> None:
    if SHOTS.is_dir():
        shutil.copy(path, SHOTS / f"pause-{name}.png")


def test_a_pause_refuses_reserving_with_its_message_until_it_ends(
    new_page, live_asgi_server, demo_accounts, force_login, axe_check, screenshot
):
    coordinator, reserver = demo_accounts[COORDINATOR], demo_accounts[RESERVER]
    listing = ListingFactory(title="Pause test chair", owner_unit=demo_accounts[LISTER].unit)

    # The staff member opens the reserve form before the pause: it goes stale.
    phone = english_page(new_page, live_asgi_server, "phone")
    force_login(phone, reserver)
    phone.goto(f"/listings/{listing.pk}/reserve/")
    stale_form = phone.locator("form[data-reserve-form]")
    expect(stale_form).to_be_visible()

    # The coordinator pauses ordering for today, from the menu's page.
    desk = english_page(new_page, live_asgi_server, "desktop", **WIDE)
    force_login(desk, coordinator)
    desk.goto("/reservations/")
    desk.locator("a[data-nav=organisation]").click()  # the coordinator's tools
    desk.get_by_role("link", name="Ordering pauses").click()
    expect(desk.get_by_role("heading", name="Ordering pauses", level=1)).to_be_visible()
    today = timezone.localdate().isoformat()
    desk.get_by_label("First day").fill(today)
    desk.get_by_label("Last day").fill(today)
    desk.get_by_label("Message in Finnish").fill(MESSAGE)
    desk.get_by_role("button", name="Pause ordering").click()
    expect(desk.get_by_text("Ordering is paused from")).to_be_visible()
    current = desk.locator("#current")
    expect(current).to_contain_text(MESSAGE)
    keep(screenshot(desk, "pause-coordinator-desktop"), "coordinator-1366")
    axe_check(desk)

    # The stale form is refused with the coordinator's message; nothing is reserved.
    stale_form.get_by_role("button", name="Reserve", exact=True).click()
    expect(phone.locator(".error-summary")).to_contain_text(MESSAGE)
    assert not Reservation.objects.filter(listing=listing).exists()

    # The catalogue and the item tell of the pause; the item has no reserve form.
    phone.goto("/listings/")
    notice = phone.locator("[data-pause-notice]")
    expect(notice).to_contain_text(MESSAGE)
    expect(notice).to_contain_text("is paused until")
    keep(screenshot(phone, "pause-catalogue-phone"), "catalogue-390")
    axe_check(phone)
    phone.goto(f"/listings/{listing.pk}/")
    expect(phone.locator(".reserve-box [data-pause-notice]")).to_contain_text(MESSAGE)
    expect(phone.locator("[data-reserve-form]")).to_have_count(0)
    keep(screenshot(phone, "pause-item-phone"), "item-390")
    axe_check(phone)

    wide_catalogue = english_page(new_page, live_asgi_server, "desktop", **WIDE)
    force_login(wide_catalogue, reserver)
    wide_catalogue.goto("/listings/")
    expect(wide_catalogue.locator("[data-pause-notice]")).to_contain_text(MESSAGE)
    keep(screenshot(wide_catalogue, "pause-catalogue-desktop"), "catalogue-1366")
    axe_check(wide_catalogue)

    # The coordinator ends it early; reserving works again at once.
    desk.reload()
    desk.locator("#current").get_by_role("button", name="End the pause now").click()
    expect(desk.get_by_text("The pause has ended: ordering is open.")).to_be_visible()
    expect(desk.locator("#current")).to_contain_text("Ordering is open.")
    keep(screenshot(desk, "pause-ended-desktop"), "ended-1366")
    axe_check(desk)

    phone.goto(f"/listings/{listing.pk}/")
    expect(phone.locator("[data-pause-notice]")).to_have_count(0)
    phone.locator("[data-reserve-form]").get_by_role("button", name="Reserve", exact=True).click()
    expect(phone.get_by_text("Reserved. Collect it by")).to_be_visible()
    assert Reservation.objects.filter(listing=listing, unit=reserver.unit).count() == 1
