"""Bulk work in "Our listings" (issue 21, item 6), on a phone and a desk: the lister chooses
three listings, withdraws them in one go and is told how many; then a batch in which two
cannot be withdrawn changes nothing and names both, with the rows still chosen. No serious
WCAG issue at 390 px or 1366 px."""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from listings.models import Listing

from ..factories import ListingFactory
from .helpers import LISTER

pytestmark = pytest.mark.browser

SHOTS = Path("/work/shots")
WIDE = {"viewport": {"width": 1366, "height": 900}}


def english_page(new_page, live_asgi_server, size, **options):
    page = new_page(size, locale="en-GB", **options)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_asgi_server}])
    return page


def keep(path: Path, name: str) -> None:
    if SHOTS.is_dir():
        shutil.copy(path, SHOTS / f"bulk-{name}.png")


def pick(page, listing):
    return page.get_by_role("checkbox", name=f"Select {listing.code} {listing.title}")


def test_withdraw_three_then_a_refused_batch_changes_nothing(
    new_page, live_asgi_server, demo_accounts, force_login, axe_check, screenshot
):
    lister = demo_accounts[LISTER]
    chairs = [
        ListingFactory(title=f"Bulk chair {n}", owner_unit=lister.unit, created_by=lister)
        for n in range(1, 4)
    ]
    draft = ListingFactory(
        title="Bulk draft table",
        owner_unit=lister.unit,
        created_by=lister,
        status=Listing.Status.DRAFT,
        published_at=None,
    )

    # On a phone: choose three, withdraw them.
    phone = english_page(new_page, live_asgi_server, "phone")
    force_login(phone, lister)
    phone.goto("/listings/mine/")
    expect(phone.get_by_role("heading", name="Our listings", level=1)).to_be_visible()
    for chair in chairs:
        pick(phone, chair).check()
    expect(phone.locator("[data-bulk-count]")).to_have_text("Selected: 3")
    box = pick(phone, chairs[0]).bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    phone.get_by_label("Action").select_option(label="Withdraw")
    keep(screenshot(phone, "bulk-chosen-phone"), "chosen-390")
    axe_check(phone)
    phone.get_by_role("button", name="Apply to the selected").click()
    expect(phone.get_by_text("3 listings withdrawn. Nobody can reserve them now.")).to_be_visible()
    assert {Listing.objects.get(pk=c.pk).status for c in chairs} == {Listing.Status.WITHDRAWN}
    keep(screenshot(phone, "bulk-done-phone"), "done-390")
    axe_check(phone)

    # At a desk: "select all" chooses every row; two of them cannot be withdrawn again.
    desk = english_page(new_page, live_asgi_server, "desktop", **WIDE)
    force_login(desk, lister)
    desk.goto("/listings/mine/")
    desk.get_by_role("button", name="Select all on this page").click()
    total = desk.locator("input[name=id]").count()
    expect(desk.locator("[data-bulk-count]")).to_have_text(f"Selected: {total}")
    expect(desk.get_by_role("button", name="Clear the selection")).to_be_visible()
    desk.get_by_role("button", name="Clear the selection").click()
    expect(desk.locator("[data-bulk-count]")).to_have_text("Selected: 0")
    for listing in (chairs[0], draft):
        pick(desk, listing).check()
    desk.get_by_label("Action").select_option(label="Withdraw")
    desk.get_by_role("button", name="Apply to the selected").click()
    messages = desk.locator("[data-messages]")
    expect(messages).to_contain_text(
        "Nothing was changed: 2 of the selected listings cannot be withdrawn."
    )
    reason = "Only a published listing can be withdrawn."
    expect(messages).to_contain_text(f"{chairs[0].code} Bulk chair 1: {reason}")
    expect(messages).to_contain_text(f"{draft.code} Bulk draft table: {reason}")
    expect(pick(desk, chairs[0])).to_be_checked()
    expect(pick(desk, draft)).to_be_checked()
    expect(pick(desk, chairs[1])).not_to_be_checked()
    assert Listing.objects.get(pk=draft.pk).status == Listing.Status.DRAFT
    keep(screenshot(desk, "bulk-refused-desktop"), "refused-1366")
    axe_check(desk)
