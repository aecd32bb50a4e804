"""A delivery from the warehouse shelf to a unit: booking, task board, loading, run sheet, handover.

The same journey runs in Finnish (the default), Swedish and English; the texts checked on
the way come from the language's django.po, so an untranslated step fails.
"""

import re

import pytest
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import override
from playwright.sync_api import expect

from inventory.models import Task
from listings.models import Listing
from reservations.models import Reservation

from ..factories import (
    ListingFactory,
    book_delivery,
    next_working_day,
    reserve,
    slot_for,
    warehouse_with_slots,
)
from .helpers import (
    LISTER,
    RESERVER,
    WAREHOUSE,
    decode_qr,
    follow_nav,
    in_worker_thread,
    switch_language,
    translated,
)

pytestmark = pytest.mark.browser


def in_language(new_page, size: str, language: str, live_asgi_server):
    """A page whose Django language is `language`, chosen as a visitor would: the cookie."""
    page = new_page(size, locale={"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}[language])
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_asgi_server}]
    )
    return page


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_delivery_from_the_shelf_is_booked_loaded_and_handed_over(
    new_page, demo_accounts, force_login, live_asgi_server, screenshot, language
):
    def t(msgid: str) -> str:
        return translated(language, msgid)

    lister, reserver, driver = (demo_accounts[e] for e in (LISTER, RESERVER, WAREHOUSE))
    warehouse, shelves, _slots = warehouse_with_slots()
    listing = ListingFactory(
        title="Harmaa sohva",
        quantity=1,
        owner_unit=lister.unit,
        created_by=lister,
        storage_location=shelves[0],
    )
    reservation = in_worker_thread(
        reserve, listing, user=reserver, handover=Reservation.Handover.DELIVERY
    )
    day = next_working_day()
    with override(language):
        day_on_page = date_format(day, "j.n.Y")

    # The reserving unit books a delivery time.
    unit_page = in_language(new_page, "desktop", language, live_asgi_server)
    force_login(unit_page, reserver)
    unit_page.goto(f"/reservations/{reservation.pk}/")
    expect(unit_page.locator("html")).to_have_attribute("lang", language)
    unit_page.get_by_role("link", name=t("Choose a delivery time")).click()
    expect(unit_page).to_have_url(f"/inventory/reservations/{reservation.pk}/delivery/")
    expect(unit_page.locator("main h1")).to_have_text(t("Choose a delivery time"))
    choice = unit_page.locator(f"input[name=choice][value$=':{day.isoformat()}']")
    choice.check()
    unit_page.get_by_role("button", name=t("Book the delivery")).click()
    expect(unit_page).to_have_url(f"/reservations/{reservation.pk}/")
    expect(unit_page.locator(".messages")).to_contain_text(t("Delivery booked."))
    delivery_box = unit_page.locator(".delivery-box")
    expect(delivery_box).to_contain_text(day_on_page)
    expect(delivery_box).to_contain_text("08:00–10:00")
    expect(delivery_box.locator(".status-badge")).to_have_text(t("Scheduled"))
    task = Task.objects.get(reservation=reservation)
    assert (task.kind, task.status, task.date, task.to_unit_id) == (
        Task.Kind.DELIVERY,
        Task.Status.SCHEDULED,
        day,
        reserver.unit_id,
    )

    # Warehouse staff, on a phone: the board, the task, loading with the typed code.
    staff_page = new_page("phone")
    force_login(staff_page, driver)
    staff_page.goto("/")
    switch_language(staff_page, language)
    follow_nav(staff_page, "warehouse")  # through the menu on a phone
    expect(staff_page).to_have_url("/inventory/")
    expect(staff_page.locator("main h1")).to_have_text(t("Warehouse tasks"))
    card = staff_page.locator(f".task-card[data-task-id='{task.pk}']")
    column = staff_page.locator("section.board-column", has=card)
    expect(column.locator("h2")).to_contain_text(t("Scheduled"))
    expect(card).to_contain_text(listing.code)
    with translation.override(language):  # the unit by its name in the page's language
        unit_name = reserver.unit.display_name
    expect(card).to_contain_text(f"→ {unit_name}")
    screenshot(staff_page, f"journey-warehouse-board-{language}-phone")
    card.locator("a.task-title").click()

    expect(staff_page).to_have_url(f"/inventory/tasks/{task.pk}/")
    facts = staff_page.locator("[data-live-region=task]")
    expect(facts.locator(".status-badge")).to_have_text(t("Scheduled"))
    expect(facts).to_contain_text(f"{day_on_page} 08:00–10:00")  # booked, so already scheduled
    expect(facts).to_contain_text(f"{unit_name}, {reserver.unit.address}")
    start_form = staff_page.locator("form[action$='/start/']")
    expect(start_form.locator("h2")).to_have_text(t("Load the item"))
    start_form.get_by_label(t("Item code")).fill(listing.code)
    start_form.get_by_role("button", name=t("Start"), exact=True).click()
    expect(staff_page.locator(".messages")).to_contain_text(t("Task updated."))
    expect(facts.locator(".status-badge")).to_have_text(t("In progress"))
    task.refresh_from_db()
    assert (task.status, task.assigned_to_id) == (Task.Status.IN_PROGRESS, driver.pk)
    screenshot(staff_page, f"journey-warehouse-task-started-{language}-phone")

    # The day's run sheet has the stop, its address and a QR code for the item.
    staff_page.goto(f"/inventory/run-sheet/?warehouse={warehouse.pk}&date={day.isoformat()}")
    expect(staff_page.locator("h1")).to_contain_text(f"{t('Run sheet')}: {warehouse.name}")
    stop = staff_page.locator(".stop", has_text=listing.code)
    expect(stop).to_have_count(1)
    expect(stop.locator("h2")).to_contain_text(f"08:00–10:00 · {t('Delivery')} #{task.pk}")
    expect(stop).to_contain_text(f"{t('Deliver to')}: {unit_name}, {reserver.unit.address}")
    expect(stop).to_contain_text(shelves[0].code)
    expect(stop.locator(".qr svg")).to_be_visible()
    assert decode_qr(stop.locator(".qr")) == [f"{live_asgi_server}/listings/{listing.pk}/"]
    screenshot(staff_page, f"journey-run-sheet-{language}-phone")

    # At the destination: the code typed again, and the reservation is collected.
    staff_page.goto(f"/inventory/tasks/{task.pk}/")
    deliver_form = staff_page.locator("form[action$='/deliver/']")
    expect(deliver_form.locator("h2")).to_have_text(t("Hand over at the destination"))
    deliver_form.get_by_label(t("Item code")).fill(listing.code.lower())
    deliver_form.get_by_role("button", name=t("Handed over"), exact=True).click()
    expect(staff_page.locator(".messages")).to_contain_text(t("Task updated."))
    expect(facts.locator(".status-badge")).to_have_text(t("Done"))

    reservation.refresh_from_db()
    task.refresh_from_db()
    listing.refresh_from_db()
    assert reservation.status == Reservation.Status.COLLECTED
    assert reservation.quantity_collected == 1
    assert task.status == Task.Status.DONE
    assert listing.status == Listing.Status.ARCHIVED

    unit_page.reload()
    expect(unit_page.locator(f"[data-reservation-status='{reservation.pk}']")).to_have_text(
        t("Collected")
    )
    expect(unit_page.locator(".delivery-box .status-badge")).to_have_text(t("Done"))
    # A delivery is worded as one: "Delivered 1", not "Collected 1".
    expect(unit_page.locator("main")).to_contain_text(re.compile(rf"{t('Delivered')}\s*1"))


def test_schedule_form_of_a_booked_delivery_shows_its_slot(page, demo_accounts, force_login):
    reserver = demo_accounts[RESERVER]
    _warehouse, shelves, slots = warehouse_with_slots()
    listing = ListingFactory(quantity=1, storage_location=shelves[0])
    reservation = in_worker_thread(
        reserve, listing, user=reserver, handover=Reservation.Handover.DELIVERY
    )
    day = next_working_day()
    task = in_worker_thread(book_delivery, reservation, slots, day)
    slot = slot_for(slots, day)
    force_login(page, demo_accounts[WAREHOUSE])
    page.goto(f"/inventory/tasks/{task.pk}/")
    schedule = page.locator("form[action$='/schedule/']")
    expect(schedule.locator("input[name=date]")).to_have_value(day.isoformat())
    # The page has loaded: read the value now rather than wait for it to change.
    assert schedule.locator("select[name=slot]").input_value() == str(slot.pk)
