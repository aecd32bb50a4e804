"""A coordinator adds a delivery slot on a phone, with the keyboard only (issue 15, item 17):
from the menu to the warehouse, through the form (a mistake first, then right), and the new
slot is on the warehouse's page, ready for booking."""

from datetime import time

import pytest
from playwright.sync_api import expect

from inventory.models import TimeSlot

from ..factories import StorageLocationFactory, TimeSlotFactory, WarehouseFactory
from .helpers import COORDINATOR, assert_focus_visible, focused, tab_to

pytestmark = pytest.mark.browser


def english_page(new_page, live_asgi_server, size, **options):
    page = new_page(size, locale="en-GB", **options)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_asgi_server}])
    return page


def type_into(page, selector: str, text: str) -> None:
    """Tab to the field and type, as a keyboard user does."""
    tab_to(page, selector)
    assert_focus_visible(page)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def type_time(page, hh_mm: str) -> None:
    """Type a morning time into the focused time field, segment by segment. Where the
    browser's own locale shows a 12-hour clock (this Chromium's does, whatever the page's
    language) the last key fills its AM/PM segment; a 24-hour clock ignores it."""
    page.keyboard.type(hh_mm.replace(":", "") + "A")
    value = page.evaluate("document.activeElement.value")
    assert value == hh_mm, f"typed {hh_mm}, the field holds {value!r}"


def test_a_coordinator_adds_a_delivery_slot_with_the_keyboard_on_a_phone(
    new_page, live_asgi_server, demo_accounts, force_login, axe_check, screenshot
):
    warehouse = WarehouseFactory(
        name="Artukaisen kierrätysvarasto", opening_hours="Mon–Fri 8–15", phone="02 330 0399"
    )
    for weekday in range(5):  # as the demo's: three slots each working day
        for start in (8, 10, 12):
            TimeSlotFactory(
                warehouse=warehouse,
                weekday=weekday,
                start=time(start),
                end=time(start + 2),
                is_active=(weekday, start) != (4, 12),
            )
    for code in ("A-01-1", "A-01-2", "A-02-1", "A-02-2", "B-01-1", "B-01-2"):
        StorageLocationFactory(warehouse=warehouse, code=code, description=f"Hylly {code[0]}")
    page = english_page(new_page, live_asgi_server, "phone")
    force_login(page, demo_accounts[COORDINATOR])
    page.goto("/")

    # The menu, its Organisation entry, then the Warehouses tool.
    tab_to(page, ".site-menu summary")
    page.keyboard.press("Enter")
    tab_to(page, "a[data-nav=organisation]")
    page.keyboard.press("Enter")
    expect(page).to_have_url("/organisation/")
    tab_to(page, "main [data-tool=warehouses] a")
    page.keyboard.press("Enter")
    expect(page).to_have_url("/inventory/warehouses/")
    screenshot(page, "warehouses-list-phone")
    tab_to(page, f"main a[href='/inventory/warehouses/{warehouse.pk}/']")
    page.keyboard.press("Enter")
    expect(page.locator("main h1")).to_have_text("Artukaisen kierrätysvarasto")
    screenshot(page, "warehouses-detail-phone")
    axe_check(page)

    tab_to(page, "main a[href$='/slots/new/']")
    page.keyboard.press("Enter")
    expect(page.locator("main h1")).to_have_text("Add a delivery slot")

    # The fields in reading order; the weekday list is chosen with the arrow keys.
    tab_to(page, "select[name=weekday]")
    assert_focus_visible(page)
    page.keyboard.press("ArrowDown")  # Monday -> Tuesday
    expect(page.locator("select[name=weekday]")).to_have_value("1")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "start"
    type_time(page, "07:00")
    tab_to(page, "input[name=end]")
    type_time(page, "08:30")  # into Tuesday's 08:00-10:00: a mistake
    type_into(page, "input[name=delivery_capacity]", "4")
    type_into(page, "input[name=pickup_capacity]", "2")
    page.keyboard.press("Enter")

    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("This time overlaps the slot 08:00–10:00 on the same day.")
    expect(page.locator(".field.has-error input[name=start]")).to_be_visible()
    assert TimeSlot.objects.filter(warehouse=warehouse, weekday=1).count() == 3
    screenshot(page, "warehouses-slot-error-phone")
    axe_check(page)

    # The summary links to the field; the typed values are still there. Ending as the
    # next slot starts is fine.
    expect(page.locator("input[name=end]")).to_have_value("08:30")
    tab_to(page, ".error-summary a[href='#id_start']")
    page.keyboard.press("Enter")
    tab_to(page, "input[name=end]")
    type_time(page, "08:00")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")

    expect(page.locator(".messages")).to_contain_text("Delivery slot added.")
    tuesday = page.locator(".settings-week > div", has=page.locator("h3", has_text="Tuesday"))
    expect(tuesday.locator("li").first).to_contain_text("07:00–08:00")  # first of its day
    slot = TimeSlot.objects.get(warehouse=warehouse, weekday=1, start=time(7))
    assert (slot.start, slot.end, slot.delivery_capacity, slot.pickup_capacity, slot.is_active) == (
        time(7),
        time(8),
        4,
        2,
        True,
    )
    screenshot(page, "warehouses-detail-added-phone")
    edit = f"/inventory/warehouses/{warehouse.pk}/slots/{slot.pk}/"
    page.goto(edit)
    expect(page.locator(".settings-switch button")).to_have_text("Take out of use")
    screenshot(page, "warehouses-slot-edit-phone")
    page.goto(f"/inventory/warehouses/{warehouse.pk}/edit/")
    expect(page.locator("input[name=opening_hours]")).to_have_value("Mon–Fri 8–15")
    screenshot(page, "warehouses-edit-phone")
    axe_check(page)

    # The same pages on a wide screen.
    desktop = english_page(
        new_page, live_asgi_server, "desktop", viewport={"width": 1366, "height": 900}
    )
    force_login(desktop, demo_accounts[COORDINATOR])
    for path, name in [
        ("/inventory/warehouses/", "warehouses-list-desktop"),
        (f"/inventory/warehouses/{warehouse.pk}/", "warehouses-detail-desktop"),
        (f"/inventory/warehouses/{warehouse.pk}/slots/new/", "warehouses-slot-form-desktop"),
        (edit, "warehouses-slot-edit-desktop"),
        (f"/inventory/warehouses/{warehouse.pk}/edit/", "warehouses-edit-desktop"),
    ]:
        desktop.goto(path)
        screenshot(desktop, name)
    axe_check(desktop)
