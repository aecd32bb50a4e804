"""The owner approves requests (issue 20, item 3): the requester's reservation page waits
for the decision and shows it live when the owner approves on another page.

Every change goes through the server (pages posted in a browser), so its events reach the
sockets on both CI passes."""

import re

import pytest
from playwright.sync_api import expect

from reservations.models import Reservation

from ..factories import ListingFactory
from .helpers import LISTER, RESERVER, assert_same_document, mark_document, wait_for_live_socket

pytestmark = pytest.mark.browser


def test_an_approval_required_reservation_is_approved_live(
    new_page, demo_accounts, force_login, screenshot, axe_check
):
    lister, reserver = demo_accounts[LISTER], demo_accounts[RESERVER]
    listing = ListingFactory(
        title="Neuvottelupöytä",
        quantity=2,
        owner_unit=lister.unit,
        created_by=lister,
        owner_approves=True,
        approval_days=3,
    )

    # The reserver is told before reserving that the owner approves requests.
    asking = new_page("phone")
    force_login(asking, reserver)
    asking.goto(listing.get_absolute_url())
    expect(asking.locator("[data-owner-approves]")).to_be_visible()
    form = asking.locator("[data-reserve-form]")
    form.locator("input[name=contact_phone]").fill("040 765 4321")
    form.get_by_role("button", name="Varaa", exact=True).click()
    expect(asking).to_have_url(re.compile(r"/reservations/\d+/$"))
    request = Reservation.objects.get(listing=listing)
    assert request.status == Reservation.Status.REQUESTED

    badge = asking.locator(f"[data-reservation-status='{request.pk}']")
    expect(badge).to_have_class(re.compile(r"\bstatus-requested\b"))
    expect(asking.locator("[data-decide-by]")).to_be_visible()
    axe_check(asking)
    screenshot(asking, "journey-approval-waiting-phone")
    wait_for_live_socket(asking)
    mark_document(asking)

    # The owner sees the request waiting for a decision and approves it.
    owner = new_page("desktop")
    force_login(owner, lister)
    owner.goto("/reservations/")
    row = owner.locator(f"[data-request-id='{request.pk}']")
    expect(row).to_contain_text("Neuvottelupöytä")
    axe_check(owner)
    screenshot(owner, "journey-approval-to-decide-desktop")
    row.get_by_role("button").click()
    expect(owner.locator(f"[data-request-id='{request.pk}']")).to_have_count(0)

    # The requester's page shows it approved, without a reload.
    expect(badge).to_have_class(re.compile(r"\bstatus-active\b"))
    expect(asking.locator("[data-decide-by]")).to_have_count(0)
    assert_same_document(asking)
    request.refresh_from_db()
    assert request.status == Reservation.Status.ACTIVE and request.collect_by is not None
    screenshot(asking, "journey-approval-approved-phone")
