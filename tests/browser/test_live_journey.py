"""Live updates between two people: a new listing and a new reservation, without reloading.

Every change here goes through the server (pages posted in a browser), so its events reach
the sockets on both CI passes: the embedded pass's in-memory channel layer only carries
events published inside the server process.
"""

import re

import pytest
from playwright.sync_api import expect

from listings.models import Category, Listing
from reservations.models import Reservation

from ..factories import ListingFactory
from .helpers import LISTER, RESERVER, assert_same_document, mark_document, wait_for_live_socket

pytestmark = pytest.mark.browser


def publish_through_the_form(page, title: str, category: Category) -> Listing:
    page.goto("/listings/new/")
    page.locator("#id_title").fill(title)
    page.locator("#id_category").select_option(str(category.pk))
    page.locator("input[name=condition][value=good]").check()
    page.locator("#id_quantity").fill("4")
    page.locator("button[name=action][value=publish]").click()
    expect(page).to_have_url(re.compile(r"/listings/\d+/$"))
    return Listing.objects.get(pk=int(re.search(r"/listings/(\d+)/$", page.url).group(1)))


def test_new_listing_and_its_reservation_show_up_live(
    new_page, demo_accounts, force_login, screenshot
):
    lister, reserver = demo_accounts[LISTER], demo_accounts[RESERVER]
    # Something in the catalogue already, from a third unit.
    ListingFactory(title="Vanha kirjahylly", category=Category.objects.get(slug="shelves"))

    watching = new_page("desktop")
    force_login(watching, reserver)
    watching.goto("/listings/")
    expect(watching.locator(".card-item")).to_have_count(1)
    wait_for_live_socket(watching)
    mark_document(watching)

    listing_page = new_page("phone")
    force_login(listing_page, lister)
    listing = publish_through_the_form(
        listing_page, "Punainen nojatuoli", Category.objects.get(slug="sofas")
    )

    card = watching.locator(f".card-item[data-listing-id='{listing.pk}']")
    expect(card).to_be_visible()
    expect(card.locator(".card-title")).to_have_text("Punainen nojatuoli")
    expect(card.locator("[data-available]")).to_have_text("4")
    expect(watching.locator(".card-item").first).to_have_attribute(
        "data-listing-id", str(listing.pk)
    )  # the newest first
    expect(watching.locator("[data-live-announcer]")).to_contain_text("Punainen nojatuoli")
    assert_same_document(watching)
    screenshot(watching, "journey-live-new-card-desktop")

    # The lister watches the unit's reservations while the reserver reserves.
    listing_page.goto("/reservations/")
    theirs = listing_page.locator("[data-live-region=theirs]")
    expect(theirs.locator("[data-reservation-id]")).to_have_count(0)
    wait_for_live_socket(listing_page)
    mark_document(listing_page)

    card.locator("a.card-link").click()
    expect(watching).to_have_url(f"/listings/{listing.pk}/")
    form = watching.locator("[data-reserve-form]")
    expect(form.locator("input[name=contact_name]")).to_have_value(reserver.full_name)
    form.locator("input[name=quantity]").fill("2")
    form.locator("input[name=contact_phone]").fill("040 765 4321")
    form.get_by_role("button", name="Varaa", exact=True).click()
    expect(watching).to_have_url(re.compile(r"/reservations/\d+/$"))
    reservation = Reservation.objects.get(listing=listing)
    assert (reservation.unit_id, reservation.quantity, reservation.status) == (
        reserver.unit_id,
        2,
        Reservation.Status.ACTIVE,
    )
    assert reservation.contact_phone == "040 765 4321"

    row = theirs.locator(f"[data-reservation-id='{reservation.pk}']")
    expect(row).to_be_visible()
    expect(row).to_contain_text("Punainen nojatuoli")
    expect(row).to_contain_text(reserver.unit.name)
    expect(row.locator("td.num")).to_have_text("2")
    assert_same_document(listing_page)
    screenshot(listing_page, "journey-live-reservations-phone")


def test_first_listing_appears_live_in_an_empty_catalogue(new_page, demo_accounts, force_login):
    watching = new_page("desktop")
    force_login(watching, demo_accounts[RESERVER])
    watching.goto("/listings/")
    expect(watching.locator(".card-item")).to_have_count(0)
    wait_for_live_socket(watching)
    mark_document(watching)

    listing_page = new_page("desktop")
    force_login(listing_page, demo_accounts[LISTER])
    listing = publish_through_the_form(
        listing_page, "Ensimmäinen tuoli", Category.objects.get(slug="office-chairs")
    )

    new_card = watching.locator(f".card-item[data-listing-id='{listing.pk}']")
    expect(new_card).to_be_visible(timeout=2000)  # a live event takes milliseconds
    assert_same_document(watching)
