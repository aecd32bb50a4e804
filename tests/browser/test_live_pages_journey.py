"""Pages that follow changes made by someone else, without a reload: the item page, the
warehouse task board, the reservations list; and what the live dot says when the
session has ended.

Every change goes through the server (pages posted in a browser), so its events reach the
sockets on both CI passes (see test_live_journey.py).
"""

import re

import pytest
from playwright.sync_api import expect

from inventory.models import Task
from reservations.models import Reservation

from ..factories import ListingFactory, next_working_day, reserve, warehouse_with_slots
from .helpers import (
    LISTER,
    RESERVER,
    WAREHOUSE,
    assert_same_document,
    fi,
    in_worker_thread,
    mark_document,
    translated,
    wait_for_live_socket,
)

pytestmark = pytest.mark.browser


# The live indicator's text when the server closes the socket as signed out (base.html).
SIGNED_OUT = "Live updates off: you are no longer signed in. Reload the page to sign in again."


def reserve_through_the_form(page, listing, quantity: int, *, delivery: bool = False) -> None:
    page.goto(f"/listings/{listing.pk}/")
    form = page.locator("[data-reserve-form]")
    form.locator("input[name=quantity]").fill(str(quantity))
    if delivery:  # and the first free time, in the same form (issue 15, 2)
        form.get_by_label(fi("Delivery by the warehouse")).check()
        form.locator("[data-delivery-picker] input[name=delivery_slot]").first.check()
    form.locator("input[name=contact_phone]").fill("040 765 4321")
    form.locator("button.primary").click()
    expect(page).to_have_url(re.compile(r"/reservations/\d+/$"))


def test_item_page_count_and_reserve_maximum_follow_other_reservations(
    new_page, demo_accounts, force_login
):
    lister = demo_accounts[LISTER]
    listing = ListingFactory(
        title="Pyöreä pöytä", quantity=5, owner_unit=lister.unit, created_by=lister
    )
    watching = new_page("desktop")
    force_login(watching, demo_accounts[WAREHOUSE])
    watching.goto(f"/listings/{listing.pk}/")
    available = watching.locator("[data-live-region=availability] [data-available]")
    maximum = watching.locator("[data-reserve-form] input[name=quantity]")
    expect(available).to_have_text("5")
    expect(maximum).to_have_attribute("max", "5")
    wait_for_live_socket(watching)
    mark_document(watching)

    reserving = new_page("phone")
    force_login(reserving, demo_accounts[RESERVER])
    reserve_through_the_form(reserving, listing, 2)
    expect(available).to_have_text("3")
    expect(maximum).to_have_attribute("max", "3")

    reserve_through_the_form(reserving, listing, 3)
    expect(available).to_have_text("0")
    expect(maximum).to_have_attribute("max", "1")  # the waiting list still takes 1 or more
    expect(watching.locator("[data-live-announcer]")).to_have_text(fi("No longer available."))
    assert_same_document(watching)
    assert sum(r.quantity for r in Reservation.objects.filter(listing=listing)) == 5


def test_greyed_out_card_comes_back_when_the_reservation_is_cancelled(
    new_page, demo_accounts, force_login
):
    lister = demo_accounts[LISTER]
    listing = ListingFactory(
        title="Viimeinen hylly", quantity=1, owner_unit=lister.unit, created_by=lister
    )
    watching = new_page("phone")
    force_login(watching, demo_accounts[WAREHOUSE])
    watching.goto("/listings/")
    card = watching.locator(f".card-item[data-listing-id='{listing.pk}']")
    expect(card.locator("[data-available]")).to_have_text("1")
    expect(card).not_to_have_attribute("aria-disabled", re.compile(".*"))
    wait_for_live_socket(watching)
    mark_document(watching)

    # The last one is reserved: the card greys out (and would go after 4 s) ...
    reserving = new_page("desktop")
    force_login(reserving, demo_accounts[RESERVER])
    reserve_through_the_form(reserving, listing, 1)
    expect(card).to_have_class(re.compile(r"\bis-gone\b"))
    expect(card).to_have_attribute("aria-disabled", "true")
    expect(card.locator("[data-available]")).to_have_text("0")

    # ... but the reserving unit cancels at once: it is back, usable, and stays.
    reserving.locator("details.withdraw summary").click()
    reserving.locator("details.withdraw").get_by_role(
        "button", name=fi("Cancel the reservation")
    ).click()
    expect(reserving.locator("[data-reservation-status]")).to_have_text(fi("Cancelled"))
    expect(card.locator("[data-available]")).to_have_text("1")
    expect(card).not_to_have_class(re.compile(r"\bis-gone\b"))
    expect(card).not_to_have_attribute("aria-disabled", re.compile(".*"))
    assert float(card.locator("article").evaluate("a => getComputedStyle(a).opacity")) == 1
    watching.wait_for_timeout(4500)  # past the greyed-out card's removal
    expect(card).to_be_visible()
    assert_same_document(watching)


def test_new_delivery_task_appears_on_the_open_task_board(
    new_page, demo_accounts, force_login, screenshot
):
    lister, reserver = demo_accounts[LISTER], demo_accounts[RESERVER]
    _warehouse, shelves, _slots = warehouse_with_slots()
    listing = ListingFactory(
        title="Harmaa sohva",
        quantity=2,
        owner_unit=lister.unit,
        created_by=lister,
        storage_location=shelves[0],
    )
    board = new_page("desktop")
    force_login(board, demo_accounts[WAREHOUSE])
    board.goto("/inventory/")
    expect(board.locator("main h1")).to_have_text(fi("Warehouse tasks"))
    expect(board.locator(".task-card")).to_have_count(0)
    wait_for_live_socket(board)
    mark_document(board)

    # The reserving unit reserves the stored sofa with a delivery time, in one step.
    unit_page = new_page("phone")
    force_login(unit_page, reserver)
    reserve_through_the_form(unit_page, listing, 2, delivery=True)
    task = Task.objects.get(listing=listing)
    assert (task.kind, task.status) == (Task.Kind.DELIVERY, Task.Status.SCHEDULED)
    assert task.date == next_working_day()

    card = board.locator(f".task-card[data-task-id='{task.pk}']")
    expect(card).to_be_visible()
    column = board.locator("section.board-column", has=card)
    expect(column.locator("h2")).to_have_text(f"{fi('Scheduled')} (1)")
    expect(card.locator("a.task-title")).to_have_text(f"{fi('Delivery')}: Harmaa sohva")
    expect(card).to_contain_text(f"{listing.code} · 2 {fi('pcs')}")
    expect(card).to_contain_text(f"{shelves[0].code} → {reserver.unit.name}")
    expect(board.locator(".task-card")).to_have_count(1)
    expect(board.locator("[data-live-announcer]")).to_have_text(fi("Tasks updated."))
    assert_same_document(board)
    screenshot(board, "journey-live-task-board-desktop")


def test_reservation_cancelled_by_the_owner_changes_on_the_reserving_units_list(
    new_page, demo_accounts, force_login
):
    lister, reserver = demo_accounts[LISTER], demo_accounts[RESERVER]
    listing = ListingFactory(
        title="Korkea kaappi", quantity=3, owner_unit=lister.unit, created_by=lister
    )
    reservation = in_worker_thread(reserve, listing, user=reserver, quantity=2)
    other = in_worker_thread(reserve, listing, user=reserver, quantity=1)

    ours = new_page("desktop")
    force_login(ours, reserver)
    ours.goto("/reservations/")
    row = ours.locator(f"[data-live-region=ours] [data-reservation-id='{reservation.pk}']")
    status = row.locator("[data-status]")
    expect(status).to_have_text(fi("Reserved"))
    wait_for_live_socket(ours)
    mark_document(ours)

    owner = new_page("phone")
    force_login(owner, lister)
    owner.goto(f"/reservations/{reservation.pk}/")
    owner.locator("details.withdraw summary").click()
    owner.get_by_label(fi("Reason")).fill("Tuoli on rikki.")
    owner.locator("details.withdraw").get_by_role(
        "button", name=fi("Cancel the reservation")
    ).click()
    expect(owner.locator("[data-reservation-status]")).to_have_text(fi("Cancelled"))

    expect(status).to_have_text(fi("Cancelled"))
    expect(status).to_have_class(re.compile(r"\bstatus-cancelled\b"))
    other_status = ours.locator(f"[data-reservation-id='{other.pk}'] [data-status]")
    expect(other_status).to_have_text(fi("Reserved"))  # only that one changed
    expect(ours.locator("[data-live-announcer]")).to_have_text(fi("Reservations updated."))
    assert_same_document(ours)
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.CANCELLED


def test_live_dot_stops_and_says_so_when_the_server_answers_4401(
    new_page, demo_accounts, force_login
):
    """The server's close code for "not signed in" (mocked here: see the next test)."""
    sockets = []

    def server(route):
        sockets.append(route)
        if len(sockets) > 1:
            route.close(code=4401, reason="not signed in")

    page = new_page("desktop", locale="en-GB")
    page.route_web_socket(re.compile(r"/ws/live/$"), server)
    force_login(page, demo_accounts[RESERVER])
    page.goto("/listings/")
    wait_for_live_socket(page)
    sockets[0].close(code=1012, reason="service restart")  # the page reconnects at once

    indicator = page.locator("[data-live-indicator]")
    expect(indicator).to_have_attribute("data-reason", "signed-out", timeout=5000)
    expect(indicator).to_have_attribute("data-state", "offline")
    expect(indicator).to_have_attribute("title", translated("en", SIGNED_OUT))
    expect(indicator.locator("[data-live-text]")).to_have_text(translated("en", SIGNED_OUT))
    expect(page.locator("[data-live-announcer]")).to_have_text(translated("en", SIGNED_OUT))
    page.wait_for_timeout(2500)  # a retry would come within 2 s
    assert len(sockets) == 2, f"{len(sockets)} connections: it kept reconnecting"


def test_live_dot_says_signed_out_after_signing_out_in_another_tab(
    new_page, demo_accounts, force_login
):
    page = new_page("desktop", locale="en-GB")
    force_login(page, demo_accounts[RESERVER])
    page.goto("/listings/")
    wait_for_live_socket(page)

    other_tab = page.context.new_page()
    other_tab.goto("/")
    other_tab.locator(".account-menu summary").click()
    other_tab.get_by_role("button", name=translated("en", "Sign out")).click()
    other_tab.locator("input[name=username]").wait_for()
    page.evaluate("window.KierratysLive.socket().close()")  # as when the network drops

    expect(page.locator("[data-live-indicator] [data-live-text]")).to_have_text(
        translated("en", SIGNED_OUT), timeout=3000
    )
