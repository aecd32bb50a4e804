"""Across two organisations (issue 17, "Done when"): Turku and Kaarina are partners (the
demo's agreement). A Turku school lists a sofa; while it is at the organisation stage
Kaarina's open catalogue does not show it. The stage job widens it to the partners and the
card appears in Kaarina's open catalogue without a reload; Kaarina reserves it, the school
hands it over at the door, a handover document exists for both, and each organisation's
report counts it once: given by Turku, received by Kaarina."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from playwright.sync_api import expect

from listings import services as listing_services
from listings.models import Category, Listing
from listings.services.audience import listings_audience_advance
from reservations.models import HandoverDocument, Reservation

from ..images import jpeg_upload
from .helpers import (
    COORDINATOR,
    LISTER,
    assert_same_document,
    in_worker_thread,
    mark_document,
    wait_for_live_socket,
)

pytestmark = pytest.mark.browser

KAARINA_RESERVER = "reserver@kaarina.demo.example"
KAARINA_COORDINATOR = "coordinator@kaarina.demo.example"


def english_page(new_page, live_asgi_server, size):
    page = new_page(size, locale="en-GB")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_asgi_server}])
    return page


def sofa_of(lister) -> Listing:
    """Published through the service, as the form does: Turku has no department stage, so
    it starts at the organisation stage and widens to the partners when that ends."""
    return in_worker_thread(
        listing_services.listing_create,
        actor=lister,
        unit=lister.unit,
        fields={
            "title": "Harmaa kolmen istuttava sohva",
            "category": Category.objects.get(slug="sofas"),
            "condition": "good",
            "quantity": 2,
            "weight_kg": 40,
            "pickup_instructions": "Koulun pääovi, soita tullessa.",
        },
        uploads=[jpeg_upload("sofa.jpg")],
        publish=True,
    )


def test_a_listing_widens_to_the_partner_who_reserves_and_collects_it(
    new_page, live_asgi_server, demo_accounts, force_login, screenshot
):
    lister, turku_coordinator = demo_accounts[LISTER], demo_accounts[COORDINATOR]
    kaarina, kaarina_coordinator = (
        demo_accounts[KAARINA_RESERVER],
        demo_accounts[KAARINA_COORDINATOR],
    )
    sofa = sofa_of(lister)
    assert sofa.audience == Listing.Audience.ORGANISATION
    assert sofa.audience_widens_at is not None

    # 1. Kaarina's open catalogue does not show Turku's sofa at the organisation stage.
    watching = english_page(new_page, live_asgi_server, "desktop")
    force_login(watching, kaarina)
    watching.goto("/listings/")
    card = watching.locator(f".card-item[data-listing-id='{sofa.pk}']")
    expect(watching.locator("h1")).to_be_visible()
    expect(card).to_have_count(0)
    assert watching.goto(sofa.get_absolute_url()).status == 404
    watching.goto("/listings/")
    wait_for_live_socket(watching)
    mark_document(watching)

    # 2. The periodic job runs once the organisation stage is over: the card appears live.
    moved = in_worker_thread(
        listings_audience_advance, now=sofa.audience_widens_at + timedelta(seconds=1)
    )
    assert moved >= 1
    sofa.refresh_from_db()
    assert sofa.audience == Listing.Audience.PARTNERS
    if not settings.REDIS_URL:
        # The embedded pass's in-memory channel layer carries only events published inside
        # the server process, and the job ran in this one: the page is reloaded instead.
        # CI's first pass (Redis) sees the card arrive live.
        watching.reload()
    expect(card).to_be_visible()
    expect(card.locator(".card-title")).to_have_text("Harmaa kolmen istuttava sohva")
    if settings.REDIS_URL:
        assert_same_document(watching)
    screenshot(watching, "journey-partner-card-live")

    # 3. Kaarina reserves it from the card.
    card.locator("a.card-link").click()
    expect(watching).to_have_url(f"/listings/{sofa.pk}/")
    form = watching.locator("[data-reserve-form]")
    form.locator("input[name=quantity]").fill("2")
    form.locator("input[name=contact_phone]").fill("040 222 3344")
    form.locator("button[type=submit]").first.click()
    expect(watching).to_have_url(re.compile(r"/reservations/\d+/$"))
    reservation = Reservation.objects.get(listing=sofa)
    assert (reservation.unit_id, reservation.quantity, reservation.status) == (
        kaarina.unit_id,
        2,
        Reservation.Status.ACTIVE,
    )

    # 4. The Turku school hands it over at the door with the item's short code.
    desk = english_page(new_page, live_asgi_server, "phone")
    force_login(desk, lister)
    desk.goto(f"/reservations/{reservation.pk}/handover/")
    desk.locator("[name=scanned_code]").fill(f"k-{sofa.pk}")
    desk.locator("[data-handover-submit]").click()
    expect(desk).to_have_url(re.compile(rf"/reservations/{reservation.pk}/$"))
    expect(desk.get_by_text("Handover confirmed.")).to_be_visible()
    reservation.refresh_from_db()
    assert (reservation.status, reservation.quantity_collected) == ("collected", 2)

    # 5. A handover document between the two organisations, open to both sides.
    document = HandoverDocument.objects.get(reservation=reservation)
    assert (document.giving_organisation.slug, document.receiving_organisation.slug) == (
        "turku",
        "kaarina",
    )
    assert document.quantity == 2
    desk.get_by_role("link", name="Print the handover document").click()
    expect(desk).to_have_url(f"/reservations/{reservation.pk}/document/")
    expect(desk.locator("[data-document-number]")).to_have_text(document.number)
    expect(desk.locator("[data-quantity]")).to_have_text("2")
    watching.goto(f"/reservations/{reservation.pk}/document/")
    expect(watching.locator("[data-document-number]")).to_have_text(document.number)
    screenshot(watching, "journey-partner-handover-document")

    # 6. Each organisation's report counts it once: given by Turku, received by Kaarina.
    reports = english_page(new_page, live_asgi_server, "desktop")
    force_login(reports, turku_coordinator)
    reports.goto("/reports/")
    expect(reports.locator("[data-figure=given] dd")).to_have_text("2 items")
    expect(reports.locator("[data-figure=received] dd")).to_have_text("0 items")
    screenshot(reports, "journey-partner-report-turku")

    theirs = english_page(new_page, live_asgi_server, "desktop")
    force_login(theirs, kaarina_coordinator)
    theirs.goto("/reports/")
    expect(theirs.locator("[data-figure=received] dd")).to_have_text("2 items")
    expect(theirs.locator("[data-figure=given] dd")).to_have_text("0 items")
    screenshot(theirs, "journey-partner-report-kaarina")
