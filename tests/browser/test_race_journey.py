"""Issue 5: two units press Reserve on the last chair at once; one gets it, the other a
clear 409. The owner then hands it over by scanning its QR label with the phone's camera,
and the item's history tells the whole story."""

import re
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect

from listings.models import Listing
from reservations.models import Reservation

from ..factories import ListingFactory, reserve
from .helpers import (
    COORDINATOR,
    LISTER,
    RESERVER,
    WAREHOUSE,
    assert_same_document,
    fi,
    in_worker_thread,
    label_camera_video,
    mark_document,
    scan_to_confirm,
    translated,
    wait_for_live_socket,
)

pytestmark = pytest.mark.browser


CONFLICT = "Someone else reserved first. Choose a smaller quantity, or join the waiting list."


def t(msgid: str) -> str:
    return translated("en", msgid)


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


def test_two_demo_units_race_for_the_last_chair_then_it_is_scanned_out(
    new_page,
    demo_accounts,
    force_login,
    camera_browser,
    live_asgi_server,
    tmp_path,
    screenshot,
):
    lister, onlooker = demo_accounts[LISTER], demo_accounts[COORDINATOR]
    racers = [demo_accounts[RESERVER], demo_accounts[WAREHOUSE]]
    listing = ListingFactory(
        title="Viimeinen tuoli", quantity=1, owner_unit=lister.unit, created_by=lister
    )
    assert len({lister.unit_id, onlooker.unit_id, *(user.unit_id for user in racers)}) == 4

    watching = new_page("phone", locale="en-GB")
    force_login(watching, onlooker)
    watching.goto("/listings/")
    card = watching.locator(f".card-item[data-listing-id='{listing.pk}']")
    expect(card).to_be_visible()
    wait_for_live_socket(watching)
    mark_document(watching)

    pages = [open_item(new_page, force_login, user, listing) for user in racers]
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
    winner_status = winner.locator("[data-reservation-status]")
    expect(winner_status).to_have_class(re.compile("status-active"))
    assert statuses[pages.index(loser)] == 409
    assert statuses[pages.index(winner)] == 302
    expect(loser.locator(".message-error")).to_have_text(t(CONFLICT))
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
    reservation = reservations[0]
    assert reservation.unit_id == racers[pages.index(winner)].unit_id
    assert reservation.status == Reservation.Status.ACTIVE
    listing.refresh_from_db()
    assert listing.quantity_available == 0
    wait_for_live_socket(winner)
    mark_document(winner)

    # The owner prints the label; the phone's camera will see it at the handover.
    label_page = new_page("phone")
    force_login(label_page, lister)
    video, label_url = label_camera_video(label_page, listing, tmp_path, live_asgi_server)

    owner = new_page("phone", via=camera_browser(video))  # in Finnish
    force_login(owner, lister)
    owner.goto("/reservations/")
    row = owner.locator(f"[data-live-region=theirs] [data-reservation-id='{reservation.pk}']")
    expect(row.locator("[data-status]")).to_have_class(re.compile("status-active"))
    row.get_by_role("link", name=fi("Hand over")).click()
    expect(owner).to_have_url(f"/reservations/{reservation.pk}/handover/")
    expect(owner.locator("main h1")).to_have_text(fi("Handover"))
    scan = owner.get_by_role("button", name=fi("Scan the label"))
    expect(scan).to_be_visible()  # scan.js shows the scanner where there is a camera API
    screenshot(owner, "journey-handover-phone")

    # scan.js reads the label from the camera and confirms by itself.
    answer = scan_to_confirm(owner, fi("Scan the label"))
    assert answer.status == 302, f"{answer.status}: {answer.text()[:2000]}"
    handover_form = parse_qs(answer.request.post_data)
    assert handover_form["scanned_code"] == [label_url], "not read by the camera"
    assert handover_form["quantity"] == ["1"]
    expect(owner).to_have_url(f"/reservations/{reservation.pk}/")
    expect(owner.locator(".messages")).to_contain_text(
        fi("Handover confirmed. Thank you for reusing!")
    )
    expect(owner.locator("[data-reservation-status]")).to_have_text(fi("Collected"))

    # The winning unit's open reservation page follows without a reload.
    expect(winner_status).to_have_text(t("Collected"))
    expect(winner_status).to_have_class(re.compile("status-collected"))
    assert_same_document(winner)

    reservation.refresh_from_db()
    listing.refresh_from_db()
    assert (reservation.status, reservation.quantity_collected) == (
        Reservation.Status.COLLECTED,
        1,
    )
    assert listing.status == Listing.Status.ARCHIVED

    # The item's history has every step. (Their order, and their language on a page
    # that is not in Finnish, are checked by the tests below.)
    owner.goto(f"/listings/{listing.pk}/")
    steps = owner.locator("section.history .history-list > li")
    expect(steps).to_have_count(3)
    reserved, collected, archived = (
        steps.filter(has=owner.locator("strong", has_text=re.compile(f"^{fi(label)}$")))
        for label in ("Reserved", "Collected", "Archived")
    )
    expect(reserved).to_contain_text(racers[pages.index(winner)].full_name)
    expect(collected).to_contain_text(lister.full_name)
    expect(collected.locator(".note")).to_have_text(fi("Confirmed by scanning the label."))
    expect(archived).to_contain_text(lister.full_name)
    expect(archived.locator(".note")).to_have_text(fi("Everything collected or disposed of."))
    screenshot(owner, "journey-history-after-scan-phone")


def collected_in_full(lister, reserver) -> Listing:
    """A one-piece listing reserved and handed over (services, no live page needed)."""
    from reservations import services

    listing = ListingFactory(quantity=1, owner_unit=lister.unit, created_by=lister)
    reservation = in_worker_thread(reserve, listing, user=reserver)
    in_worker_thread(
        services.reservation_collect,
        actor=lister,
        reservation_id=reservation.pk,
        scanned_code=listing.code,
    )
    return listing


def test_history_lists_archived_after_collected(new_page, demo_accounts, force_login):
    listing = collected_in_full(demo_accounts[LISTER], demo_accounts[RESERVER])
    page = new_page("phone")
    force_login(page, demo_accounts[LISTER])
    page.goto(f"/listings/{listing.pk}/")
    expect(page.locator("section.history .history-list > li > strong")).to_have_text(
        [fi("Archived"), fi("Collected"), fi("Reserved")], timeout=2000
    )


def test_history_labels_follow_the_page_language(new_page, demo_accounts, force_login):
    listing = collected_in_full(demo_accounts[LISTER], demo_accounts[RESERVER])
    page = new_page("phone", locale="en-GB")
    force_login(page, demo_accounts[LISTER])
    page.goto(f"/listings/{listing.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    labels = page.locator("section.history .history-list > li > strong").all_inner_texts()
    assert sorted(labels) == sorted([t("Archived"), t("Collected"), t("Reserved")])
