"""The parts of the report page, shaped from the few aggregated rows."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import (
    Case,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import get_language

from kierratys.accounts.models import Department, Unit
from kierratys.common.names import name_expression
from listings.models import Category, Listing, ListingEvent
from listings.wanted.models import WantedRequest
from reservations.models import Reservation

from .filters import OWN, ReportFilter
from .queries import EMPTY, MEDIAN_SQL, _collections, _impact_of, _month, sides

# --- the parts of the report ----------------------------------------------------------------


def _totals(f: ReportFilter, total: dict, side_rows: list[dict]) -> dict:
    totals = _impact_of(total)
    totals.update(sides(side_rows))
    for key in (
        "weight_measured", "weight_category", "weight_missing", "co2e_category",
        "value_category", "listings_collected", "listings_without_weight",
    ):  # fmt: skip
        totals[key] = int(total[key] or 0)
    totals["co2e_missing"] = totals["items"] - totals["co2e_category"]
    totals["value_missing"] = totals["items"] - totals["value_category"]
    median = total["median_days"]
    totals["median_days"] = float(median) if median is not None else None
    totals["median_available"] = connection.vendor in MEDIAN_SQL
    totals["published"] = (
        Listing.objects.exclude(status=Listing.Status.DRAFT)
        .filter(f.in_period("published_at"), f.listing_q())
        .count()
    )
    totals["disposed"] = _disposed(f)
    totals["wanted_fulfilled"] = _wanted_fulfilled(f)
    totals["expired"] = (
        Reservation.objects.filter(status=Reservation.Status.EXPIRED)
        .filter(f.in_period("updated_at"), f.listing_q("listing__"))
        .count()
    )
    return totals


def _wanted_fulfilled(f: ReportFilter) -> int:
    """Wanted requests of the organisation (its unit or department, the category) that
    were closed as fulfilled in the period (issue 20)."""
    q = Q(status=WantedRequest.Status.FULFILLED) & f.in_period("closed_at")
    if f.organisation_id is not None:
        q &= Q(organisation_id=f.organisation_id)
    if f.unit is not None:
        q &= Q(unit_id=f.unit.pk)
    elif f.department is not None:
        q &= Q(unit_id__in=f.department_unit_ids)
    if f.category_id is not None:
        q &= Q(category_id__in=f.category_ids)
    return WantedRequest.objects.filter(q).count()


def _disposed(f: ReportFilter) -> int:
    """Items disposed: the sum of changes["quantity"] of "disposed" history events.

    A quantity that is not a plain whole number counts as 0 rather than failing the page.
    """
    quantity = KeyTextTransform("quantity", "changes")
    result = (
        ListingEvent.objects.filter(kind="disposed")
        .filter(f.in_period("created_at"), f.listing_q("listing__"))
        .annotate(quantity_text=quantity)
        .aggregate(
            n=Sum(
                Case(
                    When(
                        quantity_text__regex=r"^[0-9]{1,6}$",
                        then=Cast("quantity_text", IntegerField()),
                    ),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            )
        )
    )
    return result["n"] or 0


def month_starts(start: date, end: date) -> list[date]:
    months, current = [], start.replace(day=1)
    while current <= end:
        months.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def _monthly(f: ReportFilter, rows: list[dict]) -> list[dict]:
    """One row per month of the period, months without collections as zeros."""
    found = {_month(row["month"]): _impact_of(row) for row in rows}
    return [{**found.get(month, EMPTY), "month": month} for month in month_starts(f.start, f.end)]


def _language_field() -> str:
    language = (get_language() or "fi")[:2]
    return f"name_{language}" if language in ("fi", "sv", "en") else "name_fi"


def _categories(rows: list[dict], limit: int | None) -> tuple[list[dict], list[dict]]:
    """Categories by items reused (top `limit`), and those lacking a figure."""
    name_field = _language_field()
    names = dict(
        Category.objects.filter(pk__in=[row["key"] for row in rows]).values_list("pk", name_field)
    )
    ranked = sorted(rows, key=lambda row: (-int(row["items"] or 0), names.get(row["key"], "")))
    top = [
        {**_impact_of(row), "category_id": row["key"], "name": names.get(row["key"], "")}
        for row in (ranked[:limit] if limit else ranked)
    ]
    missing = [
        {
            "category_id": row["key"],
            "name": names.get(row["key"], ""),
            "weight_missing": not row["category_weight_known"],
            "co2e_missing": not row["co2e_known"],
            "value_missing": not row["value_known"],
            "items": int(row["items"] or 0),
        }
        for row in ranked
        if not (row["category_weight_known"] and row["co2e_known"] and row["value_known"])
    ]
    return top, missing


def _breakdown(f: ReportFilter, rows: list[dict]) -> list[dict]:
    """Departments side by side (or the units of the chosen department), zeros included."""
    if f.breakdown is None:
        return []
    if f.breakdown == "unit":
        names = Unit.objects.filter(department=f.department)
    elif f.organisation_id is not None:
        names = Department.objects.filter(organisation_id=f.organisation_id)
    else:
        names = Department.objects.all()
    totals = {row["key"]: _impact_of(row) for row in rows}
    result = [
        {**totals.get(pk, EMPTY), "id": pk, "name": name}
        for pk, name in names.values_list("pk", name_expression())
    ]
    result.sort(key=lambda row: (-row["items"], row["name"]))
    return result


def _fix_details(rows: list[dict]) -> list[dict]:
    """The fix list's listings, in the order the database ranked them."""
    name_field = _language_field()
    details = {
        row["pk"]: row
        for row in Listing.objects.filter(pk__in=[row["key"] for row in rows])
        .values(
            "pk",
            "code",
            "title",
            f"category__{name_field}",
            owner_unit_name=name_expression("owner_unit__"),
        )
        .annotate(
            category_weight=Coalesce(
                "category__typical_weight_kg",
                "category__parent__typical_weight_kg",
                "category__parent__parent__typical_weight_kg",
            )
        )
    }
    result = []
    for row in rows:
        listing = details.get(row["key"])
        if listing is None:
            continue
        result.append(
            {
                "listing_id": row["key"],
                "code": listing["code"] or "",
                "title": listing["title"],
                "unit": listing["owner_unit_name"],
                "category": listing[f"category__{name_field}"],
                "category_weight": listing["category_weight"],
                "items": int(row["items"] or 0),
                "collections": int(row["collections"] or 0),
            }
        )
    return result


def listings_to_fix(f: ReportFilter):
    """All own collected listings in the period without their own weight (for the CSV)."""
    name_field = _language_field()
    rows = (
        _collections(f)
        .filter(own_weight__isnull=True, side=OWN)
        .values(
            "listing_id",
            "listing__code",
            "listing__title",
            "category_weight",
            f"listing__category__{name_field}",
            owner_unit_name=name_expression("listing__owner_unit__"),
        )
        .annotate(items=Sum("quantity_collected"))
        .order_by("-items", "listing_id")
    )
    for row in rows.iterator():
        yield {
            "listing_id": row["listing_id"],
            "code": row["listing__code"] or "",
            "title": row["listing__title"],
            "unit": row["owner_unit_name"],
            "category": row[f"listing__category__{name_field}"],
            "category_weight": row["category_weight"],
            "items": row["items"] or 0,
        }


def quality_rows(totals: dict) -> list[dict]:
    """Weight, CO2e and value: how many collected items had each kind of figure."""
    items = totals["items"]

    def share(n):
        if not items:
            return Decimal("0.0")
        return (Decimal(n) * 100 / items).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    rows = []
    for key, measured in (("weight", totals["weight_measured"]), ("co2e", 0), ("value", 0)):
        category = totals[f"{key}_category"]
        missing = totals[f"{key}_missing"]
        rows.append(
            {
                "figure": key,
                "measured": measured,
                "measured_share": share(measured),
                "category": category,
                "category_share": share(category),
                "missing": missing,
                "missing_share": share(missing),
            }
        )
    return rows
