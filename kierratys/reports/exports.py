"""CSV exports: one per table of the report page, with the same columns.

RFC 4180: comma-separated, UTF-8 with a byte-order mark (so spreadsheet programs read the
letters right), numbers with a decimal point, months as YYYY-MM and dates as YYYY-MM-DD.

Every cell goes through `safe_cell` in `write`: text that a spreadsheet would run as a
formula (OWASP "CSV injection") gets a leading quote, so titles, names and codes typed by
users are shown, never evaluated. Plain numbers, negative ones included, stay numbers.
"""

import csv
import re
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _


def _decimal(value) -> str:
    if value is None:
        return ""
    return str(Decimal(value).quantize(Decimal("0.01")))


def _impact_columns() -> list[str]:
    return [
        _("Items reused"),
        _("Waste avoided (kg)"),
        _("CO₂e avoided (kg)"),
        _("Replacement value saved (€)"),
        _("Collections"),
    ]


def _impact(row: dict) -> list[str]:
    return [
        str(row["items"]),
        _decimal(row["kg"]),
        _decimal(row["co2e"]),
        _decimal(row["value"]),
        str(row["collections"]),
    ]


def summary_rows(totals: dict) -> list[list[str]]:
    median = totals["median_days"]
    return [
        [_("Figure"), _("Value"), _("Unit of measure")],
        [_("Listings published"), str(totals["published"]), _("listings")],
        [_("Items reused"), str(totals["items"]), _("items")],
        [_("Waste avoided"), _decimal(totals["kg"]), "kg"],
        [_("CO₂e avoided"), _decimal(totals["co2e"]), _("kg CO₂e")],
        [_("Replacement value saved"), _decimal(totals["value"]), "EUR"],
        [
            _("Median time from publishing to collection"),
            "" if median is None else str(round(median, 1)),
            _("days"),
        ],
        [_("Items disposed"), str(totals["disposed"]), _("items")],
        [_("Reservations expired"), str(totals["expired"]), _("reservations")],
        [_("Collections"), str(totals["collections"]), _("collections")],
    ]


def monthly_rows(rows: list[dict]):
    yield [_("Month"), *_impact_columns()]
    for row in rows:
        yield [row["month"].strftime("%Y-%m"), *_impact(row)]


def category_rows(rows: list[dict]):
    yield [_("Category"), *_impact_columns()]
    for row in rows:
        yield [row["name"], *_impact(row)]


def breakdown_rows(rows: list[dict], level: str | None):
    yield [_("Unit") if level == "unit" else _("Department"), *_impact_columns()]
    for row in rows:
        yield [row["name"], *_impact(row)]


def figure_label(key: str) -> str:
    return {
        "weight": _("Weight"),
        "co2e": _("CO₂e"),
        "value": _("Replacement value"),
    }[key]


def quality_rows(rows: list[dict]):
    yield [
        _("Figure"),
        _("Items with the listing's own figure"),
        _("Share with the listing's own figure (%)"),
        _("Items with the category's figure"),
        _("Share with the category's figure (%)"),
        _("Items without a figure"),
        _("Share without a figure (%)"),
    ]
    for row in rows:
        yield [
            figure_label(row["figure"]),
            str(row["measured"]),
            str(row["measured_share"]),
            str(row["category"]),
            str(row["category_share"]),
            str(row["missing"]),
            str(row["missing_share"]),
        ]


def listing_rows(rows, request):
    yield [
        _("Code"),
        _("Title"),
        _("Unit"),
        _("Category"),
        _("Items collected"),
        _("Category's typical weight (kg)"),
        _("Edit page"),
    ]
    for row in rows:
        yield [
            row["code"],
            row["title"],
            row["unit"],
            row["category"],
            str(row["items"]),
            _decimal(row["category_weight"]),
            request.build_absolute_uri(reverse("listings:edit", args=[row["listing_id"]])),
        ]


def rows_for(table: str, data, *, request, level: str | None):
    if table == "summary":
        return summary_rows(data)
    if table == "monthly":
        return monthly_rows(data)
    if table == "categories":
        return category_rows(data)
    if table == "departments":
        return breakdown_rows(data, level)
    if table == "quality":
        return quality_rows(data)
    return listing_rows(data, request)


# = + - @ start formulas; tab and CR too in some programs; full-width forms in East Asian ones.
FORMULA_START = tuple("=+-@\t\r＝＋－＠")
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def safe_cell(value) -> str:
    """The cell as text a spreadsheet shows as it is: a leading quote before a formula."""
    text = "" if value is None else str(value)
    if NUMBER.fullmatch(text):
        return text
    # Spreadsheets skip leading whitespace before looking for a formula.
    if text.lstrip().startswith(FORMULA_START) or text.startswith(FORMULA_START):
        return "'" + text
    return text


def write(response, rows) -> None:
    """The CSV text into the response, starting with the byte-order mark."""
    response.write("\ufeff")
    csv.writer(response).writerows([safe_cell(cell) for cell in row] for row in rows)
