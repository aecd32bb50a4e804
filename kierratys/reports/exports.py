"""The report's downloads: one table per table of the report page, with the same columns.

Each function gives a `spreadsheets.Table` of plain values (counts as `int`, figures as
`Decimal` with their places, months as dates); `spreadsheets` writes it as CSV in the
page's language's conventions or as an XLSX workbook. Headers and sheet titles are in the
page's language.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.urls import reverse
from django.utils.translation import gettext as _

from .spreadsheets import LINK, MONTH, NUMBER, Column, Table

CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def _decimal(value, places: Decimal = CENT) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(places, rounding=ROUND_HALF_UP)


def _impact_columns() -> list[Column]:
    return [
        Column(_("Items reused"), NUMBER),
        Column(_("Waste avoided (kg)"), NUMBER),
        Column(_("CO₂e avoided (kg)"), NUMBER),
        Column(_("Replacement value saved (€)"), NUMBER),
        Column(_("Collections"), NUMBER),
    ]


def _impact(row: dict) -> list:
    return [
        int(row["items"]),
        _decimal(row["kg"]),
        _decimal(row["co2e"]),
        _decimal(row["value"]),
        int(row["collections"]),
    ]


def summary_table(totals: dict) -> Table:
    median = totals["median_days"]
    rows = [
        [_("Listings published"), int(totals["published"]), _("listings")],
        [_("Items reused"), int(totals["items"]), _("items")],
        [_("Waste avoided"), _decimal(totals["kg"]), "kg"],
        [_("CO₂e avoided"), _decimal(totals["co2e"]), _("kg CO₂e")],
        [_("Replacement value saved"), _decimal(totals["value"]), "EUR"],
        [_("Given to partner organisations"), int(totals["given"]["items"]), _("items")],
        [_("Received from partner organisations"), int(totals["received"]["items"]), _("items")],
        [_("Median time from publishing to collection"), _decimal(median, TENTH), _("days")],
        [_("Items disposed"), int(totals["disposed"]), _("items")],
        [_("Reservations expired"), int(totals["expired"]), _("reservations")],
        [_("Wanted requests fulfilled"), int(totals["wanted_fulfilled"]), _("requests")],
        [_("Collections"), int(totals["collections"]), _("collections")],
    ]
    columns = [Column(_("Figure")), Column(_("Value"), NUMBER), Column(_("Unit of measure"))]
    return Table(_("Key figures"), columns, rows)


def monthly_table(rows: list[dict]) -> Table:
    return Table(
        _("Months"),
        [Column(_("Month"), MONTH), *_impact_columns()],
        ([row["month"], *_impact(row)] for row in rows),
    )


def category_table(rows: list[dict]) -> Table:
    return Table(
        _("Categories"),
        [Column(_("Category")), *_impact_columns()],
        ([row["name"], *_impact(row)] for row in rows),
    )


def breakdown_table(rows: list[dict], level: str | None) -> Table:
    units = level == "unit"
    return Table(
        _("Units") if units else _("Departments"),
        [Column(_("Unit") if units else _("Department")), *_impact_columns()],
        ([row["name"], *_impact(row)] for row in rows),
    )


def figure_label(key: str) -> str:
    return {
        "weight": _("Weight"),
        "co2e": _("CO₂e"),
        "value": _("Replacement value"),
    }[key]


def quality_table(rows: list[dict]) -> Table:
    columns = [
        Column(_("Figure")),
        Column(_("Items with the listing's own figure"), NUMBER),
        Column(_("Share with the listing's own figure (%)"), NUMBER),
        Column(_("Items with the category's figure"), NUMBER),
        Column(_("Share with the category's figure (%)"), NUMBER),
        Column(_("Items without a figure"), NUMBER),
        Column(_("Share without a figure (%)"), NUMBER),
    ]
    return Table(
        _("Data quality"),
        columns,
        (
            [
                figure_label(row["figure"]),
                int(row["measured"]),
                _decimal(row["measured_share"], TENTH),
                int(row["category"]),
                _decimal(row["category_share"], TENTH),
                int(row["missing"]),
                _decimal(row["missing_share"], TENTH),
            ]
            for row in rows
        ),
    )


def listing_table(rows, request) -> Table:
    columns = [
        Column(_("Code")),
        Column(_("Title")),
        Column(_("Unit")),
        Column(_("Category")),
        Column(_("Items collected"), NUMBER),
        Column(_("Category's typical weight (kg)"), NUMBER),
        Column(_("Edit page"), LINK),
    ]
    return Table(
        _("Listings without a weight"),
        columns,
        (
            [
                row["code"],
                row["title"],
                row["unit"],
                row["category"],
                int(row["items"]),
                _decimal(row["category_weight"]),
                request.build_absolute_uri(reverse("listings:edit", args=[row["listing_id"]])),
            ]
            for row in rows
        ),
    )


def outcomes_table(rows: list[dict]) -> Table:
    columns = [Column(_("Outcome")), Column(_("Items"), NUMBER), Column(_("Share (%)"), NUMBER)]
    return Table(
        _("Outcomes"),
        columns,
        ([str(row["label"]), int(row["items"]), _decimal(row["share"], TENTH)] for row in rows),
    )


def region_table(report) -> Table:
    """The regional view's table: a row per member organisation, then the region's total."""
    columns = [
        Column(_("Organisation")),
        Column(_("Business ID")),
        *_impact_columns(),
        Column(_("Given to partners"), NUMBER),
        Column(_("Received from partners"), NUMBER),
        Column(_("Donated"), NUMBER),
        Column(_("Sold"), NUMBER),
        Column(_("Recycled"), NUMBER),
    ]

    def line(name, business_id, row):
        return [
            name,
            business_id,
            *_impact(row),
            int(row["given"]),
            int(row["received"]),
            int(row["donate"]),
            int(row["sell"]),
            int(row["recycle"]),
        ]

    rows = [
        line(row["organisation"].display_name, row["organisation"].business_id, row)
        for row in report.members
    ]
    rows.append(line(_("Region total"), "", report.total))
    return Table(_("Region"), columns, rows)


def table_for(table: str, data, *, request, level: str | None) -> Table:
    if table == "summary":
        return summary_table(data)
    if table == "monthly":
        return monthly_table(data)
    if table == "categories":
        return category_table(data)
    if table == "departments":
        return breakdown_table(data, level)
    if table == "quality":
        return quality_table(data)
    if table == "outcomes":
        return outcomes_table(data)
    return listing_table(data, request)
