"""Delivery and the waiting list from the item page, on a phone (issue 15, 1-3).

Reserving with a delivery in one step (the time picked in the reserve form, the task on
the warehouse board); joining the waiting list when none are left, with the place in the
queue; and a delivery booked after the collect-by date keeping the reservation until its
day. In English: the strings are new, and locale/ is merged by the lead.
"""

import re

import pytest
from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import override
from playwright.sync_api import expect

from inventory.models import Task
from reservations import services as reservation_services
from reservations.models import Reservation

from ..factories import (
    ListingFactory,
    UserFactory,
    next_working_day,
    reserve,
    warehouse_with_slots,
)
from .helpers import LISTER, RESERVER, WAREHOUSE, in_worker_thread

pytestmark = pytest.mark.browser
WIDE = {"viewport": {"width": 1366, "height": 900}}


def english(new_page, size, live_asgi_server, **options):
    page = new_page(size, locale="en-GB", **options)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_asgi_server}])
    return page


def in_english(day, fmt):
    with override("en"):
        return date_format(day, fmt)


def fits_the_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_reserving_with_a_delivery_in_one_step_on_a_phone(
    new_page, demo_accounts, force_login, live_asgi_server, axe_check, screenshot
):
    lister, reserver, driver = (demo_accounts[e] for e in (LISTER, RESERVER, WAREHOUSE))
    warehouse, shelves, _slots = warehouse_with_slots()
    listing = ListingFactory(
        title="Harmaa sohva",
        quantity=2,
        owner_unit=lister.unit,
        created_by=lister,
        storage_location=shelves[0],
    )
    day = next_working_day()
    page = english(new_page, "phone", live_asgi_server)
    force_login(page, reserver)
    page.goto(f"/listings/{listing.pk}/")

    box = page.locator(".reserve-box")
    picker = box.locator("[data-delivery-picker]")
    submit = box.locator("button.primary")
    expect(picker).to_be_hidden()  # "we collect it ourselves" is the default
    expect(submit).to_have_text("Reserve")
    expect(box.get_by_label("Contact person")).to_have_value(reserver.full_name)

    box.get_by_label("Delivery by the warehouse").check()
    expect(picker).to_be_visible()
    expect(picker.locator("legend").first).to_have_text(
        "Delivery time (only for delivery by the warehouse)"
    )
    expect(picker.locator(".help")).to_have_text(
        f"Delivered by {warehouse.name}. Choose a day and a time:"
    )
    expect(submit).to_have_text("Reserve and book the delivery")
    first_day = picker.locator("fieldset.slot-day").first
    expect(first_day.locator("legend")).to_contain_text(in_english(day, "D j.n."))
    time = first_day.get_by_label("08:00–10:00")
    time.check()
    target = first_day.locator("label.slot-time").first.bounding_box()
    assert target["height"] >= 24 and target["width"] >= 24
    assert fits_the_width(page)
    screenshot(page, "delivery-reserve-picker-phone")
    axe_check(page)

    # Back to pickup hides the times; delivery again shows the one chosen, still chosen.
    box.get_by_label("We collect it ourselves").check()
    expect(picker).to_be_hidden()
    expect(submit).to_have_text("Reserve")
    box.get_by_label("Delivery by the warehouse").check()
    expect(time).to_be_checked()

    submit.click()
    reservation = Reservation.objects.get(listing=listing)
    expect(page).to_have_url(f"/reservations/{reservation.pk}/")
    expect(page.locator(".messages")).to_contain_text(
        "Reserved for delivery. The warehouse brings it on "
        f"{in_english(day, 'SHORT_DATE_FORMAT')} at 08:00–10:00."
    )
    expect(page.locator(".messages")).not_to_contain_text("Collect it by")
    delivery_box = page.locator(".delivery-box")
    expect(delivery_box).to_contain_text(f"{day:%-d.%-m.%Y} 08:00–10:00")
    screenshot(page, "delivery-reserved-phone")

    task = Task.objects.get(reservation=reservation)
    assert (task.kind, task.status, task.date) == (Task.Kind.DELIVERY, Task.Status.SCHEDULED, day)

    # The warehouse sees the delivery on its board at once.
    staff = english(new_page, "phone", live_asgi_server)
    force_login(staff, driver)
    staff.goto("/inventory/")
    card = staff.locator(f".task-card[data-task-id='{task.pk}']")
    expect(card).to_contain_text(listing.code)
    expect(card).to_contain_text(f"→ {reserver.unit.name}")
    expect(staff.locator("section.board-column", has=card).locator("h2")).to_contain_text(
        "Scheduled"
    )

    # The same form on a wide screen, for the record.
    wide = english(new_page, "desktop", live_asgi_server, **WIDE)
    force_login(wide, reserver)
    wide.goto(f"/listings/{listing.pk}/reserve/")
    wide.get_by_label("Delivery by the warehouse").check()
    expect(wide.locator("main h1")).to_have_text(f"Reserve {listing.title} for delivery")
    assert fits_the_width(wide)
    screenshot(wide, "delivery-reserve-picker-desktop")


def test_joining_the_waiting_list_when_none_are_left_on_a_phone(
    new_page, demo_accounts, force_login, live_asgi_server, axe_check, screenshot
):
    reserver = demo_accounts[RESERVER]
    listing = ListingFactory(title="Punainen nojatuoli", quantity=1)
    in_worker_thread(reserve, listing, user=UserFactory())
    in_worker_thread(reserve, listing, user=UserFactory(), join_waiting_list=True)

    page = english(new_page, "phone", live_asgi_server)
    force_login(page, reserver)
    page.goto(f"/listings/{listing.pk}/")
    box = page.locator(".reserve-box")
    expect(box.locator("h2")).to_have_text("Join the waiting list")
    expect(box.locator("[data-queue-place]")).to_have_text("You would be number 2 in the queue.")
    main_button = box.locator("button.primary")
    expect(main_button).to_have_text("Join the waiting list")
    expect(box.get_by_role("button", name="Reserve", exact=True)).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Someone else reserved first")
    expect(page.locator("main")).not_to_contain_text("first:")  # nobody blamed
    assert fits_the_width(page)
    screenshot(page, "delivery-waiting-list-phone")
    axe_check(page)

    wide = english(new_page, "desktop", live_asgi_server, **WIDE)
    force_login(wide, reserver)
    wide.goto(f"/listings/{listing.pk}/")
    screenshot(wide, "delivery-waiting-list-desktop")

    main_button.click()
    ours = Reservation.objects.get(listing=listing, unit=reserver.unit)
    assert ours.status == Reservation.Status.WAITING
    expect(page).to_have_url(f"/reservations/{ours.pk}/")
    expect(page.locator(".messages")).to_contain_text("You are number 2 on the waiting list.")
    expect(page.locator("main")).not_to_contain_text("Someone else reserved first")
    expect(page.locator("main")).to_contain_text("Number 2 in the queue")
    screenshot(page, "delivery-waiting-joined-phone")


def test_a_delivery_after_the_collect_by_date_keeps_the_reservation_until_then(
    new_page, demo_accounts, force_login, live_asgi_server, screenshot
):
    reserver = demo_accounts[RESERVER]
    _warehouse, shelves, _slots = warehouse_with_slots()
    listing = ListingFactory(title="Kirjahylly", quantity=1, storage_location=shelves[0])
    reservation = in_worker_thread(
        reserve, listing, user=reserver, handover=Reservation.Handover.DELIVERY
    )
    collect_by = reservation.collect_by
    late = next_working_day(after_days=settings.RESERVATION_COLLECT_DAYS + 3)
    assert late > collect_by

    page = english(new_page, "phone", live_asgi_server)
    force_login(page, reserver)
    page.goto(f"/reservations/{reservation.pk}/")
    page.get_by_role("link", name="Choose a delivery time").click()
    # The booking page offers every free time, a day's times on one row.
    late_day = page.locator("fieldset.slot-day", has_text=in_english(late, "D j.n."))
    late_day.get_by_label("08:00–10:00").check()
    assert fits_the_width(page)
    screenshot(page, "delivery-booking-page-phone")
    page.get_by_role("button", name="Book the delivery").click()
    expect(page).to_have_url(f"/reservations/{reservation.pk}/")
    expect(page.locator(".messages")).to_contain_text("Delivery booked.")

    # The day after the old collect-by date the expiry job runs, and leaves it alone.
    expired = in_worker_thread(
        reservation_services.reservations_expire,
        today=collect_by + (late - collect_by) // 2,
    )
    assert expired == 0
    page.reload()
    status = page.locator(f"[data-reservation-status='{reservation.pk}']")
    expect(status).to_have_text("Reserved")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(re.compile(rf"{late:%-d\.%-m\.%Y}"))
    expect(facts).not_to_contain_text(f"{collect_by:%-d.%-m.%Y}")
    expect(page.locator(".delivery-box")).to_contain_text(f"{late:%-d.%-m.%Y} 08:00–10:00")
    screenshot(page, "delivery-held-until-delivery-phone")
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.ACTIVE and reservation.collect_by == late
