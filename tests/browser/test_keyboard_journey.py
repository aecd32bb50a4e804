"""Reserving with the keyboard only: no mouse, focus always visible."""

import re

import pytest
from playwright.sync_api import expect

from reservations.models import Reservation

from ..factories import ListingFactory
from .helpers import RESERVER, assert_focus_visible, focused, tab_to

pytestmark = pytest.mark.browser


def test_reserve_an_item_from_the_catalogue_with_the_keyboard(
    page, demo_accounts, force_login, screenshot
):
    reserver = demo_accounts[RESERVER]
    ListingFactory(title="Valkoinen kirjahylly", quantity=2)
    listing = ListingFactory(title="Tammipöytä", quantity=6)  # the newest: first in the list
    force_login(page, reserver)
    page.goto("/listings/")
    card_link = f".card-item[data-listing-id='{listing.pk}'] a.card-link"

    tab_to(page, card_link)
    assert_focus_visible(page)
    screenshot(page, "journey-keyboard-card-focused-desktop")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"/listings/{listing.pk}/")

    quantity = "[data-reserve-form] input[name=quantity]"
    tab_to(page, quantity)
    assert_focus_visible(page)
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    expect(page.locator(quantity)).to_have_value("3")

    # On through the handover choice: its radio group is one Tab stop, and the arrow keys
    # choose within it. The default, collecting it ourselves, stays.
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "handover"
    assert_focus_visible(page)

    phone = "[data-reserve-form] input[name=contact_phone]"
    tab_to(page, phone, limit=10)  # past the date field's day, month and year
    assert_focus_visible(page)
    page.keyboard.press("Control+A")
    page.keyboard.type("040 222 3344")
    screenshot(page, "journey-keyboard-reserve-form-desktop")
    page.keyboard.press("Enter")  # submits the form with its first button, Reserve

    expect(page).to_have_url(re.compile(r"/reservations/\d+/$"))
    reservation = Reservation.objects.get(listing=listing)
    assert reservation.unit_id == reserver.unit_id
    assert (reservation.quantity, reservation.contact_phone, reservation.handover) == (
        3,
        "040 222 3344",
        Reservation.Handover.PICKUP,
    )
    assert reservation.contact_name == reserver.full_name  # prefilled, untouched
    expect(page.locator("main h1")).to_have_text(f"3 × {listing.title}")

    # After the page changes, the keyboard starts again from the top: the skip link.
    page.keyboard.press("Tab")
    assert focused(page)["cls"] == "skip-link"
    assert_focus_visible(page)


def test_photo_buttons_show_keyboard_focus(page, demo_accounts, force_login):
    """The photo inputs are hidden behind their labels; the label must show the focus."""
    force_login(page, demo_accounts["lister@demo.example"])
    page.goto("/listings/new/")
    for input_id in ("id_photos_camera", "id_photos"):
        tab_to(page, f"#{input_id}", limit=40)
        outline = page.locator(f"label[for={input_id}]").evaluate(
            "label => getComputedStyle(label).outlineStyle"
        )
        assert outline != "none", f"focus on #{input_id} shows nowhere"
