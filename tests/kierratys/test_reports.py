"""Impact reporting: exact figures on a known fixture, fallbacks, CSV, permissions, bad input."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from kierratys.accounts.roles import COORDINATOR, WAREHOUSE
from kierratys.reports import selectors
from kierratys.reports.forms import ReportFilterForm
from kierratys.reports.svg import nice_max
from listings.models import Listing, ListingEvent
from reservations import services
from reservations.models import Reservation

from ..factories import (
    CategoryFactory,
    DepartmentFactory,
    ListingFactory,
    UnitFactory,
    UserFactory,
    reserve,
)

pytestmark = pytest.mark.django_db
HELSINKI = ZoneInfo("Europe/Helsinki")
YEAR_2025 = {"start": "2025-01-01", "end": "2025-12-31"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The fixture makes many users; hashing their passwords slowly tests nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def at(year, month, day, hour=12, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=HELSINKI)


def collect(listing, receiver, *, reserved, collected, when):
    """Reserve through the service, hand over `collected` of them, date the handover."""
    reservation = reserve(listing, user=receiver, quantity=reserved)
    services.reservation_collect(
        actor=listing.created_by, reservation_id=reservation.pk, quantity=collected
    )
    Reservation.objects.filter(pk=reservation.pk).update(updated_at=when)
    return reservation


def expire(listing, receiver, *, when):
    reservation = reserve(listing, user=receiver, quantity=1)
    Reservation.objects.filter(pk=reservation.pk).update(collect_by=date(2020, 1, 1))
    assert services.reservations_expire() == 1
    Reservation.objects.filter(pk=reservation.pk).update(updated_at=when)
    return reservation


def dispose(listing, quantity, when):
    ListingEvent.objects.create(
        listing=listing,
        kind="disposed",
        changes={"quantity": quantity, "reason": "rikki"},
        created_at=when,
    )


@dataclass
class World:
    dept_a: object
    dept_b: object
    dept_c: object
    unit_a1: object
    unit_a2: object
    unit_b1: object
    receiver: object
    parent: object
    c1: object
    c2: object
    c3: object
    grandparent: object
    grandchild: object
    l1: object
    l2: object
    l3: object
    l4: object


@pytest.fixture
def world() -> World:
    """Known collections in 2025 (Helsinki time).

    L1  A1  C1 (own 10 kg / 30 / 100)   weight 12   4 collected, 2 of 3 collected, 1 cancelled
    L2  A2  C2 (none: parent 20/50/200)  no weight   5 collected
    L3  B1  C3 (none, no parent)         no weight   3 collected  -> missing everything
    L4  B1  grandchild (grandparent 8/9/7) no weight 2 collected at 31.12. 23:30
    L5  A1  C1                           weight 12   1 collected at 1.1.2026 00:30 (not 2025)
    """
    dept_a = DepartmentFactory(name="Kasvatus", code="KA")
    dept_b = DepartmentFactory(name="Hyvinvointi", code="HY")
    dept_c = DepartmentFactory(name="Ympäristö", code="YM")
    unit_a1 = UnitFactory(department=dept_a, name="Koulu A1")
    unit_a2 = UnitFactory(department=dept_a, name="Koulu A2")
    unit_b1 = UnitFactory(department=dept_b, name="Palvelutalo B1")
    receiver = UserFactory(unit=UnitFactory(department=dept_c, name="Toimisto C"))

    parent = CategoryFactory(
        slug="r-parent", typical_weight_kg=20, co2e_kg_per_item=50, replacement_value_eur=200
    )
    c1 = CategoryFactory(
        slug="r-c1",
        parent=parent,
        depth=1,
        typical_weight_kg=10,
        co2e_kg_per_item=30,
        replacement_value_eur=100,
    )
    c2 = CategoryFactory(
        slug="r-c2",
        parent=parent,
        depth=1,
        typical_weight_kg=None,
        co2e_kg_per_item=None,
        replacement_value_eur=None,
    )
    c3 = CategoryFactory(
        slug="r-c3", typical_weight_kg=None, co2e_kg_per_item=None, replacement_value_eur=None
    )
    grandparent = CategoryFactory(
        slug="r-gp", typical_weight_kg=8, co2e_kg_per_item=9, replacement_value_eur=7
    )
    middle = CategoryFactory(
        slug="r-mid",
        parent=grandparent,
        depth=1,
        typical_weight_kg=None,
        co2e_kg_per_item=None,
        replacement_value_eur=None,
    )
    grandchild = CategoryFactory(
        slug="r-gc",
        parent=middle,
        depth=2,
        typical_weight_kg=None,
        co2e_kg_per_item=None,
        replacement_value_eur=None,
    )
    cache.clear()  # the category tree is cached

    published = at(2025, 1, 10)
    l1 = ListingFactory(
        owner_unit=unit_a1, category=c1, weight_kg=12, quantity=10, published_at=published
    )
    l2 = ListingFactory(owner_unit=unit_a2, category=c2, quantity=6, published_at=published)
    l3 = ListingFactory(owner_unit=unit_b1, category=c3, quantity=3, published_at=published)
    l4 = ListingFactory(owner_unit=unit_b1, category=grandchild, quantity=2, published_at=published)
    l5 = ListingFactory(
        owner_unit=unit_a1, category=c1, weight_kg=12, quantity=2, published_at=published
    )
    # Not counted as published in 2025: a draft and one published in 2024.
    ListingFactory(owner_unit=unit_a1, category=c1, status=Listing.Status.DRAFT, published_at=None)
    ListingFactory(owner_unit=unit_a1, category=c1, published_at=at(2024, 6, 1))

    collect(l1, receiver, reserved=4, collected=4, when=at(2025, 3, 15))
    collect(l1, receiver, reserved=3, collected=2, when=at(2025, 5, 20))  # partial
    cancelled = reserve(l1, user=receiver, quantity=1)
    services.reservation_cancel(actor=receiver, reservation_id=cancelled.pk)
    Reservation.objects.filter(pk=cancelled.pk).update(updated_at=at(2025, 4, 1))
    collect(l2, receiver, reserved=5, collected=5, when=at(2025, 3, 2))
    collect(l3, receiver, reserved=3, collected=3, when=at(2025, 7, 1))
    collect(l4, receiver, reserved=2, collected=2, when=at(2025, 12, 31, 23, 30))
    collect(l5, receiver, reserved=1, collected=1, when=at(2026, 1, 1, 0, 30))

    expire(l1, receiver, when=at(2025, 6, 1))
    expire(l2, receiver, when=at(2024, 11, 1))  # outside the period

    dispose(l1, 3, at(2025, 8, 1))
    dispose(l3, 1, at(2025, 9, 1))
    dispose(l1, 5, at(2024, 8, 1))  # outside the period
    ListingEvent.objects.create(  # a malformed quantity counts 0, never fails the page
        listing=l2, kind="disposed", changes={"quantity": "lots"}, created_at=at(2025, 8, 2)
    )
    return World(
        dept_a,
        dept_b,
        dept_c,
        unit_a1,
        unit_a2,
        unit_b1,
        receiver,
        parent,
        c1,
        c2,
        c3,
        grandparent,
        grandchild,
        l1,
        l2,
        l3,
        l4,
    )


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def get_report(client, **params):
    response = client.get(reverse("reports:index"), params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.content[:500]
    return response


def report_of(client, **params):
    report = get_report(client, **params).context["report"]
    assert report is not None
    return report


def csv_rows(client, table, **params):
    response = client.get(reverse("reports:csv", args=[table]), params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


# --- exact figures --------------------------------------------------------------------------


def test_key_figures_for_the_whole_city(world, coordinator_client):
    totals = report_of(coordinator_client, **YEAR_2025).totals
    assert totals["items"] == 16  # 4 + 2 (partial) + 5 + 3 + 2; cancelled and 2026 excluded
    assert totals["collections"] == 5
    assert totals["kg"] == Decimal("188.00")  # 6×12 own + 5×20 parent + 3×0 + 2×8 grandparent
    assert totals["co2e"] == Decimal("448.00")  # 6×30 + 5×50 + 0 + 2×9
    assert totals["value"] == Decimal("1614.00")  # 6×100 + 5×200 + 0 + 2×7
    assert totals["published"] == 5
    assert totals["disposed"] == 4
    assert totals["expired"] == 1
    # Collections after 51, 64, 130 − 1 h (summer time), 172 − 1 h and 355.48 days.
    assert totals["median_days"] == pytest.approx(130 - 1 / 24, abs=1e-6)


def test_data_quality_shares(world, coordinator_client):
    report = report_of(coordinator_client, **YEAR_2025)
    weight, co2e, value = report.quality
    assert (weight["measured"], weight["category"], weight["missing"]) == (6, 7, 3)
    assert weight["measured_share"] == Decimal("37.5")
    assert weight["category_share"] == Decimal("43.8")
    assert weight["missing_share"] == Decimal("18.8")
    assert (co2e["measured"], co2e["category"], co2e["missing"]) == (0, 13, 3)
    assert (value["measured"], value["category"], value["missing"]) == (0, 13, 3)
    assert [(row["listing_id"], row["items"], row["category_weight"]) for row in report.to_fix] == [
        (world.l2.pk, 5, Decimal("20.00")),
        (world.l3.pk, 3, None),
        (world.l4.pk, 2, Decimal("8.00")),
    ]
    assert report.to_fix_more == 0
    assert [(row["category_id"], row["items"]) for row in report.categories_missing] == [
        (world.c3.pk, 3)
    ]


def test_months_are_helsinki_local_and_complete(world, coordinator_client):
    months = report_of(coordinator_client, **YEAR_2025).monthly
    assert [row["month"] for row in months] == [date(2025, m, 1) for m in range(1, 13)]
    by_month = {row["month"].month: row for row in months}
    assert by_month[3]["items"] == 9 and by_month[3]["co2e"] == Decimal("370.00")
    assert by_month[5]["items"] == 2
    assert by_month[7]["items"] == 3 and by_month[7]["kg"] == Decimal("0.00")
    assert by_month[12]["items"] == 2  # 31.12. 23:30 in Helsinki is still December
    assert sum(row["items"] for row in months) == 16
    january = report_of(coordinator_client, start="2026-01-01", end="2026-01-31").totals
    assert january["items"] == 1  # 1.1.2026 00:30 Helsinki = 31.12.2025 22:30 UTC


def test_single_day_period_is_inclusive(world, coordinator_client):
    totals = report_of(coordinator_client, start="2025-03-15", end="2025-03-15").totals
    assert totals["items"] == 4


def test_departments_side_by_side_and_top_categories(world, coordinator_client):
    report = report_of(coordinator_client, **YEAR_2025)
    rows = {row["name"]: row for row in report.breakdown}
    assert rows["Kasvatus"]["items"] == 11
    assert rows["Kasvatus"]["kg"] == Decimal("172.00")
    assert rows["Kasvatus"]["co2e"] == Decimal("430.00")
    assert rows["Kasvatus"]["value"] == Decimal("1600.00")
    assert rows["Hyvinvointi"]["items"] == 5 and rows["Hyvinvointi"]["kg"] == Decimal("16.00")
    assert rows["Ympäristö"]["items"] == 0  # the receiving side counts nothing
    assert report.breakdown[0]["name"] == "Kasvatus"
    assert [(row["category_id"], row["items"]) for row in report.categories] == [
        (world.c1.pk, 6),
        (world.c2.pk, 5),
        (world.c3.pk, 3),
        (world.grandchild.pk, 2),
    ]


def test_filters_by_department_unit_and_category(world, coordinator_client):
    by_department = report_of(coordinator_client, department=world.dept_a.pk, **YEAR_2025)
    assert by_department.totals["items"] == 11
    assert by_department.totals["published"] == 3
    assert by_department.totals["disposed"] == 3
    assert by_department.totals["expired"] == 1
    assert {row["name"]: row["items"] for row in by_department.breakdown} == {
        "Koulu A1": 6,
        "Koulu A2": 5,
    }
    by_unit = report_of(coordinator_client, unit=world.unit_a2.pk, **YEAR_2025)
    assert by_unit.totals["items"] == 5 and by_unit.totals["kg"] == Decimal("100.00")
    assert by_unit.breakdown == []
    # A category includes its subcategories.
    by_parent = report_of(coordinator_client, category=world.parent.pk, **YEAR_2025)
    assert by_parent.totals["items"] == 11
    by_grandparent = report_of(coordinator_client, category=world.grandparent.pk, **YEAR_2025)
    assert by_grandparent.totals["items"] == 2
    assert by_grandparent.totals["value"] == Decimal("14.00")


def test_department_without_units_shows_zeros(world, coordinator_client):
    empty = DepartmentFactory(name="Uusi toimiala", code="UT")
    report = report_of(coordinator_client, department=empty.pk, **YEAR_2025)
    assert report.totals["items"] == 0 and report.totals["published"] == 0
    assert report.breakdown == [] and report.monthly[0]["items"] == 0


def test_empty_period_shows_zeros(world, coordinator_client):
    response = get_report(coordinator_client, start="2010-01-01", end="2010-12-31")
    totals = response.context["report"].totals
    assert totals["items"] == 0 and totals["kg"] == 0 and totals["median_days"] is None
    assert "No items were collected in this period." in response.text


def test_default_period_is_this_calendar_year(coordinator_client):
    from django.utils import timezone

    year = timezone.localdate().year
    report = report_of(coordinator_client)
    assert (report.filter.start, report.filter.end) == (date(year, 1, 1), date(year, 12, 31))


# --- the page -------------------------------------------------------------------------------


def test_page_shows_accessible_charts_and_tables(world, coordinator_client):
    response = get_report(coordinator_client, **YEAR_2025)
    html = response.text
    assert html.count('role="img"') == 3  # items and CO2e per month, departments
    assert 'aria-labelledby="chart-items-title chart-items-desc"' in html
    assert '<title id="chart-items-title">Items reused per month</title>' in html
    assert "16 items reused in" in html  # the description states the figures
    assert '<caption id="r-caption-1">Reuse per month' in html
    assert '<caption id="r-caption-2">Reuse per department' in html
    # Wide tables scroll on a phone: their wrappers are keyboard-reachable, named regions.
    assert (
        '<div class="table-wrap" tabindex="0" role="region" aria-labelledby="r-caption-1">' in html
    )
    assert '<th scope="row">March 2025</th>' in html
    assert reverse("listings:edit", args=[world.l2.pk]) in html
    assert reverse("reports:csv", args=["monthly"]) + "?start=2025-01-01&amp;end=2025-12-31" in html


def test_coordinator_sees_reports_in_the_navigation(coordinator_client):
    response = coordinator_client.get(reverse("listings:catalogue"))
    assert 'data-nav="reports"' in response.text


def test_methodology_page(world, coordinator_client, client):
    response = coordinator_client.get(reverse("reports:methodology"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "nearest broader category" in response.text
    assert "Office chairs" in response.text  # the seeded categories and their source
    assert "environmental product declarations" in response.text
    client.force_login(UserFactory())
    assert client.get(reverse("reports:methodology")).status_code == 200


def test_nice_axis_maximum():
    assert [nice_max(v) for v in (0, 1, 3, 7, 11, 240, 2600)] == [1, 1, 5, 10, 20, 250, 5000]


# --- CSV ------------------------------------------------------------------------------------


def test_csv_of_the_key_figures(world, coordinator_client):
    rows = csv_rows(coordinator_client, "summary", **YEAR_2025)
    assert rows[0] == ["Figure", "Value", "Unit of measure"]
    values = {row[0]: row[1] for row in rows[1:]}
    assert values["Items reused"] == "16"
    assert values["Waste avoided"] == "188.00"
    assert values["CO₂e avoided"] == "448.00"
    assert values["Replacement value saved"] == "1614.00"
    assert values["Listings published"] == "5"
    assert values["Items disposed"] == "4"
    assert values["Reservations expired"] == "1"
    assert values["Median time from publishing to collection"] == "130.0"


def test_csv_of_months_departments_categories_quality_and_listings(world, coordinator_client):
    months = csv_rows(coordinator_client, "monthly", **YEAR_2025)
    assert months[0][0] == "Month" and len(months) == 13
    assert months[3] == ["2025-03", "9", "148.00", "370.00", "1400.00", "2"]
    departments = csv_rows(coordinator_client, "departments", **YEAR_2025)
    assert departments[0][:2] == ["Department", "Items reused"]
    assert departments[1] == ["Kasvatus", "11", "172.00", "430.00", "1600.00", "3"]
    units = csv_rows(coordinator_client, "departments", department=world.dept_b.pk, **YEAR_2025)
    assert units[0][0] == "Unit" and units[1][:2] == ["Palvelutalo B1", "5"]
    categories = csv_rows(coordinator_client, "categories", **YEAR_2025)
    assert [row[1] for row in categories[1:]] == ["6", "5", "3", "2"]
    quality = csv_rows(coordinator_client, "quality", **YEAR_2025)
    assert quality[1] == ["Weight", "6", "37.5", "7", "43.8", "3", "18.8"]
    assert quality[3] == ["Replacement value", "0", "0.0", "13", "81.3", "3", "18.8"]
    listings = csv_rows(coordinator_client, "listings", **YEAR_2025)
    assert [row[4] for row in listings[1:]] == ["5", "3", "2"]
    assert listings[1][0] == world.l2.code and listings[1][5] == "20.00"
    assert listings[2][5] == ""
    assert listings[1][6].endswith(reverse("listings:edit", args=[world.l2.pk]))


def test_csv_of_an_unknown_table_is_not_found(coordinator_client):
    assert coordinator_client.get(reverse("reports:csv", args=["secrets"])).status_code == 404


def test_csv_with_bad_filters_goes_back_to_the_form(coordinator_client):
    url = reverse("reports:csv", args=["summary"])
    response = coordinator_client.get(url, {"start": "2025-12-31", "end": "2025-01-01"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reports:index") + "?")
    follow = coordinator_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "The end date is before the start date." in follow.text


# --- downloads in the page's language: CSV for Excel, and XLSX -------------------------------


def csv_in(client, language, table, **params):
    """The CSV as Excel in `language` reads it: BOM, then the delimiter of that language."""
    response = client.get(
        reverse("reports:csv", args=[table]), params, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return text[1:]


def workbook_of(client, table, *, language="en", **params):
    response = client.get(
        reverse("reports:xlsx", args=[table]), params, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment") and f"kierratys-{table}-" in disposition
    assert disposition.endswith('.xlsx"')
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_csv_in_finnish_and_swedish_has_semicolons_and_decimal_commas(
    world, coordinator_client, language
):
    text = csv_in(coordinator_client, language, "monthly", **YEAR_2025)
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert (
        rows[0][:2]
        == {
            "fi": ["Kuukausi", "Uudelleenkäytetyt tavarat"],
            "sv": ["Månad", "Återanvända föremål"],
        }[language]
    )
    assert rows[3] == ["2025-03", "9", "148,00", "370,00", "1400,00", "2"]
    assert "." not in "".join(rows[3][2:])
    quality = list(
        csv.reader(
            io.StringIO(csv_in(coordinator_client, language, "quality", **YEAR_2025)), delimiter=";"
        )
    )
    assert quality[1][1:] == ["6", "37,5", "7", "43,8", "3", "18,8"]


def test_csv_in_english_has_commas_and_decimal_points(world, coordinator_client):
    text = csv_in(coordinator_client, "en", "monthly", **YEAR_2025)
    assert text.splitlines()[0].startswith("Month,Items reused,")
    assert ";" not in text
    assert list(csv.reader(io.StringIO(text)))[3] == [
        "2025-03", "9", "148.00", "370.00", "1400.00", "2"
    ]  # fmt: skip


def test_each_csv_button_has_an_excel_one_beside_it(world, coordinator_client):
    html = get_report(coordinator_client, **YEAR_2025).text
    query = "?start=2025-01-01&amp;end=2025-12-31"
    for table in ("summary", "monthly", "departments", "categories", "quality", "listings"):
        assert reverse("reports:csv", args=[table]) + query in html
        assert reverse("reports:xlsx", args=[table]) + query in html
    assert "Download the months (Excel)" in html


def test_xlsx_of_the_months_has_numbers_dates_and_a_frozen_bold_header(world, coordinator_client):
    sheet = workbook_of(coordinator_client, "monthly", **YEAR_2025).active
    assert sheet.title == "Months"
    header = [cell.value for cell in sheet[1]]
    assert header == [
        "Month",
        "Items reused",
        "Waste avoided (kg)",
        "CO₂e avoided (kg)",
        "Replacement value saved (€)",
        "Collections",
    ]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == 13
    march = sheet[4]
    assert march[0].is_date and march[0].value.date() == date(2025, 3, 1)
    assert march[0].number_format == "yyyy-mm"
    assert [cell.value for cell in march[1:]] == [9, 148, 370, 1400, 2]
    assert all(cell.data_type == "n" for cell in march[1:])
    assert march[2].number_format == "#,##0.00" and march[1].number_format == "#,##0"
    assert not sheet[2][0].font.bold
    assert 8 <= sheet.column_dimensions["A"].width <= 12
    assert sheet.column_dimensions["E"].width >= len("Replacement value saved (€)")


def test_xlsx_of_the_key_figures_and_listings(world, coordinator_client):
    summary = workbook_of(coordinator_client, "summary", **YEAR_2025).active
    values = {row[0].value: row[1].value for row in summary.iter_rows(min_row=2)}
    assert values["Items reused"] == 16
    assert values["Waste avoided"] == 188
    assert values["Median time from publishing to collection"] == 130
    assert isinstance(values["Items reused"], int)
    listings = workbook_of(coordinator_client, "listings", **YEAR_2025).active
    assert listings.title == "Listings without a weight"
    first = [cell.value for cell in listings[2]]
    assert first[0] == world.l2.code and first[4] == 5 and first[5] == 20
    assert first[6].endswith(reverse("listings:edit", args=[world.l2.pk]))
    assert listings[3][5].value is None  # no typical weight: an empty cell, not 0


def test_xlsx_headers_and_sheet_title_follow_the_language(world, coordinator_client):
    sheet = workbook_of(coordinator_client, "quality", language="fi", **YEAR_2025).active
    assert sheet.title == "Tietojen laatu"
    assert sheet["A2"].value == "Paino"
    assert sheet["C2"].value == 37.5 and sheet["C2"].number_format == "#,##0.0"
    units = workbook_of(
        coordinator_client, "departments", language="sv", department=world.dept_b.pk, **YEAR_2025
    ).active
    assert units["A1"].value == "Enhet"
    assert units["A2"].value == "Palvelutalo B1" and units["B2"].value == 5


def test_xlsx_is_refused_and_checked_like_the_csv(world, client, coordinator_client):
    assert coordinator_client.get(reverse("reports:xlsx", args=["secrets"])).status_code == 404
    bad = coordinator_client.get(
        reverse("reports:xlsx", args=["summary"]), {"start": "2025-12-31", "end": "2025-01-01"}
    )
    assert bad.status_code == 302
    client.force_login(UserFactory(unit=world.unit_a1, roles=[WAREHOUSE]))
    url = reverse("reports:xlsx", args=["summary"])
    assert client.get(url, {"unit": world.unit_a2.pk}).status_code == 403
    own = workbook_of(client, "summary", **YEAR_2025).active
    assert {row[0].value: row[1].value for row in own.iter_rows(min_row=2)}["Items reused"] == 6


# --- permissions ----------------------------------------------------------------------------


def test_unit_member_sees_only_their_own_unit(world, client):
    member = UserFactory(unit=world.unit_a1)
    client.force_login(member)
    response = get_report(client, **YEAR_2025)
    report = response.context["report"]
    assert report.filter.unit == world.unit_a1
    assert report.totals["items"] == 6 and report.totals["kg"] == Decimal("72.00")
    assert report.breakdown == []
    assert 'name="department"' not in response.text and 'name="unit"' not in response.text
    assert report_of(client, unit=world.unit_a1.pk, **YEAR_2025).totals["items"] == 6
    rows = csv_rows(client, "summary", **YEAR_2025)
    assert {row[0]: row[1] for row in rows}["Items reused"] == "6"


@pytest.mark.parametrize("table", [None, "summary", "listings"])
def test_unit_member_cannot_ask_for_other_figures(world, client, table):
    client.force_login(UserFactory(unit=world.unit_a1, roles=[WAREHOUSE]))
    url = reverse("reports:csv", args=[table]) if table else reverse("reports:index")
    for params in (
        {"unit": world.unit_a2.pk},
        {"department": world.dept_a.pk},
        {"unit": "abc"},
        {"department": "abc"},
    ):
        response = client.get(url, params, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 403, params
    assert "your own unit" in response.text


def test_users_without_a_unit_or_role_are_refused(client):
    client.force_login(UserFactory(unit=None))
    assert client.get(reverse("reports:index")).status_code == 403
    assert client.get(reverse("reports:csv", args=["summary"])).status_code == 403
    nobody = UserFactory()
    nobody.groups.clear()
    client.force_login(nobody)
    assert client.get(reverse("reports:index")).status_code == 403
    assert client.get(reverse("reports:methodology")).status_code == 403


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(reverse("reports:index"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_coordinator_sees_any_unit(world, client):
    client.force_login(UserFactory(roles=[COORDINATOR], unit=world.unit_b1))
    assert report_of(client, unit=world.unit_a1.pk, **YEAR_2025).totals["items"] == 6
    assert report_of(client, department=world.dept_a.pk, **YEAR_2025).totals["items"] == 11


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2025-12-31", "end": "2025-01-01"}, "The end date is before the start date."),
        ({"start": "1999-01-01", "end": "2000-06-01"}, "between the years 2000 and 2100"),
        ({"start": "2025-01-01", "end": "2101-01-01"}, "between the years 2000 and 2100"),
        ({"start": "0001-01-01", "end": "2025-01-01"}, "between the years 2000 and 2100"),
        ({"start": "2001-01-01", "end": "2011-01-01"}, "at most 10 years"),
        ({"start": "2025-02-30"}, "Enter a valid date."),
        ({"start": "yesterday"}, "Enter a valid date."),
        ({"end": "99999-01-01"}, "Enter a valid date."),
        ({"department": "999999"}, "Unknown department."),
        ({"department": "abc"}, "Unknown department."),
        ({"unit": "999999"}, "Unknown unit."),
        ({"unit": "1; DROP TABLE"}, "Unknown unit."),
        ({"category": "999999"}, "Unknown category."),
        ({"category": "abc"}, "Unknown category."),
    ],
)
def test_bad_input_gives_a_clear_message(coordinator_client, params, message):
    response = get_report(coordinator_client, **params)
    assert response.context["report"] is None
    assert message in response.text
    assert 'class="error-summary"' in response.text


def test_unit_outside_the_chosen_department(world, coordinator_client):
    response = get_report(coordinator_client, department=world.dept_b.pk, unit=world.unit_a1.pk)
    assert response.context["report"] is None
    assert "This unit is not in the chosen department." in response.text


def test_ten_years_exactly_is_allowed(coordinator_client):
    assert report_of(coordinator_client, start="2015-01-01", end="2024-12-31").totals["items"] == 0


def test_form_alone_reports_reversed_dates():
    form = ReportFilterForm({"start": "2025-05-01", "end": "2025-04-30"})
    assert not form.is_valid() and "end" in form.errors


# --- speed ----------------------------------------------------------------------------------


def count_queries(client) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reports:index"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_the_data(client, coordinator):
    client.force_login(coordinator)
    receiver = UserFactory()
    category = CategoryFactory(typical_weight_kg=None)  # every listing lands on the fix list
    departments = [DepartmentFactory() for _ in range(3)]

    def add(n):
        for i in range(n):
            unit = UnitFactory(department=departments[i % 3])
            listing = ListingFactory(owner_unit=unit, category=category, quantity=2)
            reservation = reserve(listing, user=receiver, quantity=2)
            services.reservation_collect(
                actor=listing.created_by, reservation_id=reservation.pk, quantity=1 + i % 2
            )
            dispose(listing, 1, listing.published_at)

    add(1)
    one = count_queries(client)
    add(29)
    thirty = count_queries(client)
    assert one == thirty
    assert one <= 25


def test_selector_query_count_is_fixed(world):
    """Every figure of the report comes from a fixed number of queries."""
    filters = selectors.ReportFilter(start=date(2025, 1, 1), end=date(2025, 12, 31))
    with CaptureQueriesContext(connection) as queries:
        selectors.impact_report(filters=filters)
    baseline = len(queries)
    for n in range(5):
        ListingFactory(published_at=at(2025, 2, 1) + timedelta(days=n))
    with CaptureQueriesContext(connection) as queries:
        selectors.impact_report(filters=filters)
    assert len(queries) == baseline
