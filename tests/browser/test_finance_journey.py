"""Internal prices from end to end (issue 21, item 4): the coordinator sets the prices from
the Organisation page; a unit's staff member sees the charges before reserving an item from
the warehouse; the warehouse hands it over; the coordinator's month shows the charge to the
unit's cost centre, and the month's XLSX and CSV downloads total the same as the page and
as the charges made. No serious WCAG issue on any of the pages, at 390 and 1366 px."""

import csv
import io
import shutil
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from listings.models import ListingEvent
from reservations.charges.models import Charge, PriceList
from reservations.models import Reservation

from ..factories import ListingFactory, warehouse_with_slots
from .helpers import COORDINATOR, LISTER, RESERVER, WAREHOUSE

pytestmark = pytest.mark.browser

SHOTS = Path("/work/shots")
WIDE = {"viewport": {"width": 1366, "height": 900}}


def english_page(new_page, live_asgi_server, size, **options):
    page = new_page(size, locale="en-GB", **options)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_asgi_server}])
    return page


def keep(path: Path, name: str) -> None:
    if SHOTS.is_dir():
        shutil.copy(path, SHOTS / f"prices-{name}.png")


def euros(text: str) -> Decimal:
    return Decimal(text.replace("€", "").replace("\u00a0", "").replace(",", "").strip())


def test_a_months_finance_export_totals_what_was_charged(
    new_page, live_asgi_server, demo_accounts, force_login, axe_check, screenshot
):
    coordinator, reserver = demo_accounts[COORDINATOR], demo_accounts[RESERVER]
    warehouse_user = demo_accounts[WAREHOUSE]
    _warehouse, shelves, _slots = warehouse_with_slots()
    chairs = ListingFactory(
        title="Finance test chair",
        quantity=3,
        owner_unit=demo_accounts[LISTER].unit,
        created_by=demo_accounts[LISTER],
        storage_location=shelves[0],
    )
    # On the shelf for 40 days: the second month of storage has started.
    ListingEvent.objects.create(
        listing=chairs, kind="shelved", created_at=timezone.now() - timedelta(days=40)
    )

    # The coordinator finds the prices on the Organisation page: not in use yet.
    desk = english_page(new_page, live_asgi_server, "desktop", **WIDE)
    force_login(desk, coordinator)
    desk.goto("/reservations/")
    desk.locator("a[data-nav=organisation]").click()
    desk.get_by_role("link", name="Internal prices").click()
    expect(desk.locator("[data-prices-off]")).to_contain_text("not in use")
    axe_check(desk)
    desk.get_by_role("link", name="Edit the prices").click()
    expect(desk.get_by_role("heading", name="Internal prices", level=1)).to_be_visible()
    keep(screenshot(desk, "prices-empty-desktop"), "prices-empty-1366")

    # A bad price is told under its field and saves nothing; then the right ones.
    desk.get_by_label("Delivery (€)").fill("-25")
    desk.get_by_role("button", name="Save the prices").click()
    expect(desk.locator(".field .errors")).to_have_text("A price cannot be negative.")
    assert not PriceList.objects.exists()
    desk.get_by_label("Delivery (€)").fill("25")
    desk.get_by_label("Per trip").check()
    desk.get_by_label("Storage per item and month (€)").fill("3.50")
    desk.get_by_label("Cleaning or repair per item (€)").fill("10")
    desk.get_by_role("button", name="Save the prices").click()
    expect(desk.get_by_text("Prices saved. They apply to handovers from now on.")).to_be_visible()
    expect(desk.locator("[data-prices-off]")).to_have_count(0)
    keep(screenshot(desk, "prices-desktop"), "prices-1366")
    axe_check(desk)

    # The staff member sees the charges to their cost centre before reserving.
    phone = english_page(new_page, live_asgi_server, "phone")
    force_login(phone, reserver)
    phone.goto(f"/listings/{chairs.pk}/reserve/")
    quote = phone.locator("[data-quote]")
    expect(quote).to_contain_text(reserver.unit.cost_centre)
    # 2 months × 3.50 € storage and 10 € cleaning for one chair.
    expect(quote.locator("[data-quote-total=pickup]")).to_contain_text("17.00 €")
    expect(quote.locator("[data-quote-total=delivery]")).to_contain_text("42.00 €")
    keep(screenshot(phone, "quote-phone"), "quote-390")
    axe_check(phone)
    phone.get_by_label("Quantity").fill("2")
    phone.locator("[data-reserve-form]").get_by_role("button", name="Reserve", exact=True).click()
    expect(phone.get_by_text("Reserved. Collect it by")).to_be_visible()
    reservation = Reservation.objects.get(listing=chairs, unit=reserver.unit)

    # The warehouse hands both chairs over.
    driver = english_page(new_page, live_asgi_server, "phone")
    force_login(driver, warehouse_user)
    driver.goto(f"/reservations/{reservation.pk}/handover/")
    driver.locator("[data-handover-submit]").click()
    expect(driver.get_by_text("Handover confirmed.")).to_be_visible()
    charges = list(Charge.objects.filter(reservation=reservation))
    charged = sum(c.amount_eur for c in charges)
    assert charged == Decimal("34.00")  # 2 chairs: 2 × 2 × 3.50 + 2 × 10
    assert {c.cost_centre for c in charges} == {reserver.unit.cost_centre}

    # The coordinator's month: the unit's cost centre with its total.
    desk.goto("/organisation/finance/")
    row = desk.locator(f"[data-totals] tr[data-cost-centre='{reserver.unit.cost_centre}']")
    expect(row).to_contain_text(reserver.unit.display_name)
    page_total = euros(row.locator("[data-total]").inner_text())
    grand_total = euros(desk.locator("[data-grand-total]").inner_text())
    assert page_total == grand_total == charged
    keep(screenshot(desk, "month-desktop"), "month-1366")
    axe_check(desk)
    narrow = english_page(new_page, live_asgi_server, "phone")
    force_login(narrow, coordinator)
    narrow.goto("/organisation/finance/")
    expect(narrow.locator("[data-grand-total]")).to_contain_text("34.00 €")
    keep(screenshot(narrow, "month-phone"), "month-390")
    axe_check(narrow)
    narrow.goto("/organisation/finance/prices/")
    keep(screenshot(narrow, "prices-phone"), "prices-390")
    axe_check(narrow)

    # The downloads: totals per cost centre as XLSX and CSV, every charge as CSV.
    with desk.expect_download() as xlsx_download:
        desk.locator("[data-download=totals-xlsx]").click()
    sheet = load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes())).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[1] == "Cost centre" and header[-1] == "Total (€)"
    assert {row[1]: Decimal(str(row[-1])) for row in rows} == {
        reserver.unit.cost_centre: page_total
    }

    with desk.expect_download() as csv_download:
        desk.locator("[data-download=totals-csv]").click()
    text = Path(csv_download.value.path()).read_text(encoding="utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert {row[1]: Decimal(row[-1]) for row in rows} == {reserver.unit.cost_centre: page_total}

    with desk.expect_download() as lines_download:
        desk.locator("[data-download=lines-csv]").click()
    text = Path(lines_download.value.path()).read_text(encoding="utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == len(charges) == 2  # storage and cleaning
    assert sum(Decimal(row[-1]) for row in rows) == charged
