"""Two units press Reserve on the last item at once: one gets it, the other a clear 409."""

import re

import pytest
from playwright.sync_api import expect

from reservations.models import Reservation

from ..factories import ListingFactory, UserFactory
from .helpers import assert_same_document, mark_document, translated, wait_for_live_socket

pytestmark = pytest.mark.browser

CONFLICT = "Someone else reserved first. Choose a smaller quantity, or join the waiting list."


def open_item(new_page, force_login, user, listing):
    page = new_page("desktop", locale="en-GB")
    force_login(page, user)
    page.goto(f"/listings/{listing.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    form = page.locator("[data-reserve-form]")
    expect(form.locator("input[name=quantity]")).to_have_value("1")
    form.locator("input[name=contact_phone]").fill("040 111 2233")
    wait_for_live_socket(page)
    return page


def test_last_item_goes_to_exactly_one_of_two_simultaneous_reservers(
    new_page, force_login, screenshot
):
    listing = ListingFactory(title="Viimeinen sohva", quantity=1)
    first, second, onlooker = UserFactory(), UserFactory(), UserFactory()
    assert len({first.unit_id, second.unit_id, onlooker.unit_id, listing.owner_unit_id}) == 4

    watching = new_page("phone", locale="en-GB")
    force_login(watching, onlooker)
    watching.goto("/listings/")
    card = watching.locator(f".card-item[data-listing-id='{listing.pk}']")
    expect(card).to_be_visible()
    wait_for_live_socket(watching)
    mark_document(watching)

    pages = [open_item(new_page, force_login, user, listing) for user in (first, second)]
    buttons = [
        page.locator("[data-reserve-form]").get_by_role("button", name="Reserve", exact=True)
        for page in pages
    ]
    statuses = {}
    for n, page in enumerate(pages):
        page.on(
            "response",
            lambda response, n=n: (
                statuses.setdefault(n, response.status)
                if response.request.method == "POST"
                else None
            ),
        )
    # Both clicks are dispatched before either answer can arrive: clicks do not wait for
    # the navigation they start.
    for button in buttons:
        button.click()

    reservation_url = re.compile(r"/reservations/\d+/$")
    conflict_url = re.compile(rf"/listings/{listing.pk}/reserve/$")
    for page in pages:
        expect(page).to_have_url(re.compile(f"{reservation_url.pattern}|{conflict_url.pattern}"))
    winners = [page for page in pages if reservation_url.search(page.url)]
    losers = [page for page in pages if conflict_url.search(page.url)]
    assert len(winners) == 1 and len(losers) == 1, [page.url for page in pages]

    winner, loser = winners[0], losers[0]
    expect(winner.locator("[data-reservation-status]")).to_have_class(re.compile("status-active"))
    assert statuses[pages.index(loser)] == 409
    assert statuses[pages.index(winner)] == 302
    expect(loser.locator(".message-error")).to_have_text(translated("en", CONFLICT))
    expect(loser.locator("main [data-available]")).to_have_text("0")
    expect(loser.locator(".error-summary")).to_contain_text("None left")
    screenshot(loser, "journey-race-conflict-desktop")

    # The onlooker's card greys out, then goes, without a reload.
    watching.wait_for_function(
        """id => {
            const card = document.querySelector(`.card-item[data-listing-id="${id}"]`);
            return !card || card.classList.contains('is-gone');
        }""",
        arg=listing.pk,
        timeout=5000,
    )
    if card.count():  # still greyed out: it goes after a few seconds
        assert float(card.locator("article").evaluate("a => getComputedStyle(a).opacity")) < 1
        expect(card).to_have_attribute("aria-disabled", "true")
    assert_same_document(watching)

    reservations = list(Reservation.objects.filter(listing=listing))
    assert len(reservations) == 1
    winning_user = first if winners[0] is pages[0] else second
    assert reservations[0].unit_id == winning_user.unit_id
    assert reservations[0].status == Reservation.Status.ACTIVE
    listing.refresh_from_db()
    assert listing.quantity_available == 0
