"""A transfer between two warehouses of one organisation (issue 21, item 3): warehouse staff
ask for it on the item's page (phone), it appears live on the other warehouse's board
(desktop), is started by typing the label's code and stored on a shelf of the other
warehouse. No serious WCAG issue at 390 or 1366 px."""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from inventory.models import Task

from ..factories import ListingFactory, StorageLocationFactory, WarehouseFactory, next_working_day
from .helpers import LISTER, WAREHOUSE

pytestmark = pytest.mark.browser

SHOTS = Path("/work/shots")
WIDE = {"viewport": {"width": 1366, "height": 900}}


def english_page(new_page, live_asgi_server, size, **options):
    page = new_page(size, locale="en-GB", **options)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_asgi_server}])
    return page


def keep(path: Path, name: str) -> None:
    if SHOTS.is_dir():
        shutil.copy(path, SHOTS / f"transfers-{name}.png")


def test_a_transfer_is_asked_for_started_by_scan_and_shelved_at_the_other_warehouse(
    new_page, live_asgi_server, demo_accounts, force_login, axe_check, screenshot
):
    driver, lister = demo_accounts[WAREHOUSE], demo_accounts[LISTER]
    organisation = driver.unit.department.organisation
    north = WarehouseFactory(organisation=organisation, name="Transfer North")
    south = WarehouseFactory(organisation=organisation, name="Transfer South")
    shelf_a = StorageLocationFactory(warehouse=north, code="N-01-1")
    shelf_b = StorageLocationFactory(warehouse=south, code="S-04-2")
    listing = ListingFactory(
        title="Transfer test table",
        quantity=3,
        owner_unit=lister.unit,
        created_by=lister,
        storage_location=shelf_a,
    )

    # The other warehouse's board is open on a desk: the new task appears there live.
    desk = english_page(new_page, live_asgi_server, "desktop", **WIDE)
    force_login(desk, driver)
    desk.goto(f"/inventory/?warehouse={south.pk}")
    expect(desk.locator("main h1")).to_have_text("Warehouse tasks")

    # On a phone, on the item's page: move it to the other warehouse.
    phone = english_page(new_page, live_asgi_server, "phone")
    force_login(phone, driver)
    phone.goto(f"/listings/{listing.pk}/")
    box = phone.locator(".transfer-box")
    box.locator("summary").click()
    box.get_by_label("To warehouse").select_option(label="Transfer South")
    keep(screenshot(phone, "transfers-item-phone"), "item-390")
    axe_check(phone)
    box.get_by_role("button", name="Create a transfer task").click()
    task = Task.objects.get(listing=listing, kind=Task.Kind.TRANSFER)
    expect(phone).to_have_url(f"/inventory/tasks/{task.pk}/")
    expect(phone.locator(".messages")).to_contain_text("Transfer task created.")
    facts = phone.locator("[data-live-region=task]")
    expect(facts).to_contain_text("Transfer North N-01-1")
    expect(facts).to_contain_text("Transfer South")

    card = desk.locator(f".task-card[data-task-id='{task.pk}']")
    expect(card).to_contain_text("Transfer North N-01-1 → Transfer South")  # no reload
    expect(desk.locator("section.board-column", has=card).locator("h2")).to_contain_text("Open")
    keep(screenshot(desk, "transfers-board-desktop"), "board-1366")
    axe_check(desk)

    # Scheduled for a day, then started by the label's code, as a scan types it.
    phone.locator("form[action$='/schedule/'] input[name=date]").fill(
        next_working_day().isoformat()
    )
    phone.get_by_role("button", name="Save the date").click()
    expect(facts.locator(".status-badge")).to_have_text("Scheduled")
    start = phone.locator("form[action$='/start/']")
    start.get_by_label("Item code").fill(listing.code)
    start.get_by_role("button", name="Start", exact=True).click()
    expect(facts.locator(".status-badge")).to_have_text("In progress")
    expect(card).to_be_visible()
    expect(desk.locator("section.board-column", has=card).locator("h2")).to_contain_text(
        "In progress"
    )

    # Stored on a shelf of the warehouse it went to: only that warehouse's shelves offered.
    shelve = phone.locator("form[action$='/shelve/']")
    options = shelve.locator("select[name=location] option")
    expect(options).to_have_text(["Transfer South S-04-2"])
    keep(screenshot(phone, "transfers-task-phone"), "task-390")
    axe_check(phone)
    shelve.get_by_role("button", name="Stored").click()
    expect(facts.locator(".status-badge")).to_have_text("Done")
    listing.refresh_from_db()
    assert listing.storage_location_id == shelf_b.pk

    wide = english_page(new_page, live_asgi_server, "desktop", **WIDE)
    force_login(wide, driver)
    wide.goto(f"/listings/{listing.pk}/")
    expect(wide.locator(".warehouse-box")).to_contain_text("Transfer South")
    expect(wide.locator("main")).to_contain_text("Moved to another warehouse")
    keep(screenshot(wide, "transfers-item-desktop"), "item-1366")
    axe_check(wide)
