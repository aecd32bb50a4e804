"""Loans (issue 20): two units race for the last bike of a week (one wins, the other's
calendar shows the week booked without a reload and its late booking is refused with a
clear 409), and a bike is handed out and taken back by scanning its QR label."""

import re
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reservations.loans.models import Loan

from ..factories import book, loan_listing
from .helpers import (
    COORDINATOR,
    LISTER,
    RESERVER,
    WAREHOUSE,
    assert_same_document,
    axe_check,
    in_worker_thread,
    label_camera_video,
    mark_document,
    screenshot,
    wait_for_live_socket,
)

pytestmark = pytest.mark.browser
WIDE = {"viewport": {"width": 1366, "height": 900}}


def shot(page, name: str) -> None:
    screenshot(page, f"loans-{name}")  # screenshots/ at the repository root


def next_week():
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    return monday, monday + timedelta(days=6)


def open_item(new_page, force_login, user, listing, month, size="desktop", **options):
    page = new_page(size, locale="en-GB", **options)
    force_login(page, user)
    page.goto(f"/listings/{listing.pk}/?month={month:%Y-%m}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    wait_for_live_socket(page)
    return page


def fill_booking(page, start, end):
    form = page.locator("[data-loan-form]")
    form.get_by_label("First day").fill(start.isoformat())
    form.get_by_label("Last day").fill(end.isoformat())
    return form


def test_two_units_race_for_the_last_bike_of_a_week(
    new_page, demo_accounts, force_login, live_asgi_server
):
    lister, onlooker = demo_accounts[LISTER], demo_accounts[COORDINATOR]
    racers = [demo_accounts[RESERVER], demo_accounts[WAREHOUSE]]
    bikes = loan_listing(
        title="Kesäleirin polkupyörä", quantity=1, owner_unit=lister.unit, created_by=lister
    )
    monday, sunday = next_week()

    # Someone of a third unit watches the week on a phone.
    watching = open_item(new_page, force_login, onlooker, bikes, monday, size="phone")
    monday_cell = watching.locator(f"[data-day='{monday.isoformat()}']")
    expect(monday_cell).to_have_attribute("data-free", "1")
    expect(monday_cell).to_contain_text("1 free")
    mark_document(watching)
    shot(watching, "calendar-before-390")

    pages = [open_item(new_page, force_login, user, bikes, monday, **WIDE) for user in racers]
    statuses = {}
    for n, page in enumerate(pages):
        fill_booking(page, monday, sunday)
        page.on(
            "response",
            lambda response, n=n: (
                statuses.setdefault(n, response.status)
                if response.request.method == "POST"
                else None
            ),
        )
    buttons = [page.get_by_role("button", name="Book these days") for page in pages]
    for button in buttons:  # both sent before either answer arrives
        button.click()

    loan_url = re.compile(r"/loans/\d+/$")
    refused_url = re.compile(rf"/loans/item/{bikes.pk}/$")
    for page in pages:
        expect(page).to_have_url(re.compile(f"{loan_url.pattern}|{refused_url.pattern}"))
    winners = [page for page in pages if loan_url.search(page.url)]
    losers = [page for page in pages if refused_url.search(page.url)]
    assert len(winners) == 1 and len(losers) == 1, [page.url for page in pages]
    winner, loser = winners[0], losers[0]
    assert statuses[pages.index(winner)] == 302
    assert statuses[pages.index(loser)] == 409
    expect(winner.locator("[data-loan-status]")).to_have_text("Booked")
    expect(loser.locator(".error-summary, .errors").first).to_contain_text("is fully booked")
    # The refusal shows the calendar as it is now: that week is booked.
    expect(loser.locator(f"[data-day='{monday.isoformat()}']")).to_have_attribute("data-free", "0")
    shot(loser, "race-refused-1366")

    loans = list(Loan.objects.filter(listing=bikes))
    assert len(loans) == 1 and loans[0].unit_id == racers[pages.index(winner)].unit_id

    # The onlooker's calendar follows without a reload: every day of the week is booked.
    for offset in range(7):
        cell = watching.locator(f"[data-day='{(monday + timedelta(days=offset)).isoformat()}']")
        expect(cell).to_have_attribute("data-free", "0")
        expect(cell).to_contain_text("booked")
    assert_same_document(watching)
    shot(watching, "calendar-after-390")
    assert axe_check(watching, context="[data-loan-box]") == []

    # The loser keeps the page open; the winner cancels on theirs: the week is free again
    # on the loser's calendar without a reload.
    loser.goto(f"/listings/{bikes.pk}/?month={monday:%Y-%m}")
    wait_for_live_socket(loser)
    mark_document(loser)
    winner.locator("details summary", has_text="Cancel the booking").click()
    winner.locator("details form").get_by_role("button", name="Cancel the booking").click()
    expect(winner.locator("[data-loan-status]")).to_have_text("Cancelled")
    expect(loser.locator(f"[data-day='{monday.isoformat()}']")).to_have_attribute("data-free", "1")
    assert_same_document(loser)


def scan(page, button_name: str, path_part: str, timeout_ms: int = 10_000):
    """Press the scan button and wait until scan.js posts the form to `path_part`."""
    with page.expect_response(
        lambda r: r.request.method == "POST" and path_part in r.url, timeout=timeout_ms
    ) as answer:
        page.get_by_role("button", name=button_name).click()
    return answer.value


def test_a_bike_is_picked_up_and_returned_by_scanning_its_label(
    new_page, demo_accounts, force_login, camera_browser, live_asgi_server, tmp_path
):
    lister, borrower = demo_accounts[LISTER], demo_accounts[RESERVER]
    bikes = loan_listing(
        title="Sininen polkupyörä", quantity=1, owner_unit=lister.unit, created_by=lister
    )
    today = timezone.localdate()
    loan = in_worker_thread(book, bikes, user=borrower, start=today, end=today + timedelta(days=3))
    label_page = new_page("phone")
    force_login(label_page, lister)
    video, label_url = label_camera_video(label_page, bikes, tmp_path, live_asgi_server)

    owner = new_page("phone", via=camera_browser(video), locale="en-GB")
    force_login(owner, lister)
    owner.goto(f"/listings/{bikes.pk}/")
    owner.locator(f"[data-loan-id='{loan.pk}'] a").click()
    expect(owner).to_have_url(f"/loans/{loan.pk}/")
    owner.get_by_role("link", name="Hand out").click()
    expect(owner).to_have_url(f"/loans/{loan.pk}/pick-up/")
    expect(owner.get_by_role("button", name="Scan the label")).to_be_visible()
    shot(owner, "pick-up-390")

    answer = scan(owner, "Scan the label", "/pick-up/")
    assert answer.status == 302, f"{answer.status}: {answer.text()[:2000]}"
    assert parse_qs(answer.request.post_data)["scanned_code"] == [label_url]
    expect(owner).to_have_url(f"/loans/{loan.pk}/")
    expect(owner.locator("[data-loan-status]")).to_have_text("Picked up")

    owner.get_by_role("link", name="Take back").click()
    expect(owner).to_have_url(f"/loans/{loan.pk}/return/")
    owner.get_by_role("radio", name="Damaged").check()
    owner.get_by_label("What is damaged (required for damage)").fill("Etujarru löysällä")
    shot(owner, "return-390")
    answer = scan(owner, "Scan the label", "/return/")
    assert answer.status == 302, f"{answer.status}: {answer.text()[:2000]}"
    expect(owner.locator("[data-loan-status]")).to_have_text("Returned")
    expect(owner.locator("[data-return-condition]")).to_have_text("Damaged: Etujarru löysällä")
    shot(owner, "returned-390")

    loan.refresh_from_db()
    assert loan.status == Loan.Status.RETURNED
    assert (loan.return_condition, loan.damage_note) == ("damaged", "Etujarru löysällä")

    # The borrower's "Loans" page, wide.
    wide = new_page("desktop", locale="en-GB", **WIDE)
    force_login(wide, borrower)
    wide.goto("/loans/")
    expect(wide.locator(f"[data-loan-id='{loan.pk}'] [data-status]")).to_have_text("Returned")
    shot(wide, "mine-1366")
    wide.goto(f"/listings/{bikes.pk}/")
    shot(wide, "item-1366")
