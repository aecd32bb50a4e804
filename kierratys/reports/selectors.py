"""Impact report: every figure is aggregated in the database. Reads only.

A *collection* is a reservation with status "collected": it counts its
`quantity_collected` items and is dated by the reservation's `updated_at` (the handover
time). Department and unit filters apply to the giving side: the listing's owner unit.

Weight, CO2e and value per item come from the listing (weight only) or else from its
category, or else from the nearest broader category that has the figure. Everything is a
COALESCE in SQL; nothing here loops over data rows in Python.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, TruncMonth
from django.utils.translation import get_language

from kierratys.models import Department, Unit
from listings import choices
from listings.models import Category, Listing, ListingEvent
from reservations.models import Reservation

LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)
AMOUNT = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal("0.00")
TOP_CATEGORIES = 10
FIX_LIST_LIMIT = 25
TABLES = ("summary", "monthly", "categories", "departments", "quality", "listings")


# --- the filter -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFilter:
    """A period in local dates (both inclusive) and optional owner and category filters."""

    start: date
    end: date
    department: Department | None = None
    unit: Unit | None = None
    category_id: int | None = None

    @property
    def starts(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=LOCAL_TZ)

    @property
    def ends(self) -> datetime:
        """The first moment after the period (exclusive bound: index friendly)."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=LOCAL_TZ)

    @property
    def category_ids(self) -> list[int]:
        if self.category_id is None:
            return []
        return choices.category_with_descendants(self.category_id)

    @property
    def breakdown(self) -> str | None:
        """What the side-by-side table compares: departments, the units of one, or nothing."""
        if self.unit is not None:
            return None
        return "unit" if self.department is not None else "department"

    def listing_q(self, prefix: str = "") -> Q:
        q = Q()
        if self.unit is not None:
            q &= Q(**{f"{prefix}owner_unit_id": self.unit.pk})
        elif self.department is not None:
            q &= Q(**{f"{prefix}owner_unit__department_id": self.department.pk})
        if self.category_id is not None:
            q &= Q(**{f"{prefix}category_id__in": self.category_ids})
        return q

    def in_period(self, name: str) -> Q:
        return Q(**{f"{name}__gte": self.starts, f"{name}__lt": self.ends})


# --- expressions ----------------------------------------------------------------------------


def _category_factor(name: str) -> Coalesce:
    """The listing's category figure, else its parent's, else its grandparent's."""
    return Coalesce(
        f"listing__category__{name}",
        f"listing__category__parent__{name}",
        f"listing__category__parent__parent__{name}",
    )


class DaysBetween(Func):
    """Fractional days from the second datetime to the first."""

    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra_context):
        raise NotImplementedError("days between datetimes: PostgreSQL and SQLite only")

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0)::double precision",
            arg_joiner=" - ",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="(julianday(%(expressions)s))",
            arg_joiner=") - julianday(",
            **extra_context,
        )


class Median(Aggregate):
    """PostgreSQL's exact median (an ordered-set aggregate)."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _times(name: str) -> Sum:
    return Sum(
        ExpressionWrapper(F("quantity_collected") * F(name), output_field=AMOUNT),
        output_field=AMOUNT,
    )


def _impact() -> dict:
    """Items, kg, CO2e and euros of the collections in a (grouped) queryset."""
    return {
        "items": Sum("quantity_collected"),
        "kg": _times("weight_each"),
        "co2e": _times("co2e_each"),
        "value": _times("value_each"),
    }


def _collections(f: ReportFilter):
    """Collected reservations in the period, with the figures each item counts for."""
    return (
        Reservation.objects.filter(status=Reservation.Status.COLLECTED)
        .filter(f.in_period("updated_at"), f.listing_q("listing__"))
        .annotate(
            own_weight=F("listing__weight_kg"),
            category_weight=_category_factor("typical_weight_kg"),
            weight_each=Coalesce(
                "listing__weight_kg",
                "listing__category__typical_weight_kg",
                "listing__category__parent__typical_weight_kg",
                "listing__category__parent__parent__typical_weight_kg",
            ),
            co2e_each=_category_factor("co2e_kg_per_item"),
            value_each=_category_factor("replacement_value_eur"),
        )
        .order_by()
    )


def _clean(row: dict) -> dict:
    """NULL sums (nothing matched) are zero."""
    for key in ("items", "kg", "co2e", "value"):
        if key in row:
            row[key] = row[key] or (0 if key == "items" else ZERO)
    return row


def _name(row: dict, prefix: str) -> str:
    language = (get_language() or "fi")[:2]
    language = language if language in ("fi", "sv", "en") else "fi"
    return row.get(f"{prefix}name_{language}") or row.get(f"{prefix}name_fi") or ""


def _category_names(prefix: str) -> list[str]:
    return [f"{prefix}name_fi", f"{prefix}name_sv", f"{prefix}name_en"]


# --- the parts of the report ----------------------------------------------------------------


def _median_days(f: ReportFilter) -> float | None:
    """Median days from publishing to collection, computed by the database."""
    days = DaysBetween("updated_at", "listing__published_at")
    if connection.vendor == "postgresql":
        return None  # computed in summary()'s single query instead
    if connection.vendor != "sqlite":
        return None  # not available on this database
    inner = (
        _collections(f)
        .filter(listing__published_at__isnull=False)
        .annotate(days=days)
        .values_list("days")
    )
    sql, params = inner.query.sql_with_params()
    # Middle row (or the mean of the two middle rows) by window functions, in one query.
    query = (
        "SELECT AVG(days) FROM ("  # noqa: S608 - the inner SQL is Django's, parameters apart
        " SELECT days, ROW_NUMBER() OVER (ORDER BY days) AS rn, COUNT(*) OVER () AS n"
        f" FROM ({sql}) AS collected"
        ") AS ranked WHERE rn IN ((n + 1) / 2, (n + 2) / 2)"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        row = cursor.fetchone()
    return row[0] if row else None


def summary(f: ReportFilter) -> dict:
    """The key figures and the data-quality counts."""
    aggregates = {
        **_impact(),
        "collections": Count("pk"),
        "listings_collected": Count("listing", distinct=True),
        "weight_measured": Sum("quantity_collected", filter=Q(own_weight__isnull=False)),
        "weight_category": Sum(
            "quantity_collected", filter=Q(own_weight__isnull=True, category_weight__isnull=False)
        ),
        "weight_missing": Sum("quantity_collected", filter=Q(weight_each__isnull=True)),
        "co2e_category": Sum("quantity_collected", filter=Q(co2e_each__isnull=False)),
        "co2e_missing": Sum("quantity_collected", filter=Q(co2e_each__isnull=True)),
        "value_category": Sum("quantity_collected", filter=Q(value_each__isnull=False)),
        "value_missing": Sum("quantity_collected", filter=Q(value_each__isnull=True)),
        "listings_without_weight": Count(
            "listing", distinct=True, filter=Q(own_weight__isnull=True)
        ),
    }
    postgres = connection.vendor == "postgresql"
    if postgres:
        aggregates["median_days"] = Median(DaysBetween("updated_at", "listing__published_at"))
    row = _clean(_collections(f).aggregate(**aggregates))
    for key, value in row.items():
        if value is None and key != "median_days":
            row[key] = 0
    if not postgres:
        row["median_days"] = _median_days(f)
    row["median_available"] = connection.vendor in ("postgresql", "sqlite")
    row["published"] = (
        Listing.objects.exclude(status=Listing.Status.DRAFT)
        .filter(f.in_period("published_at"), f.listing_q())
        .count()
    )
    row["disposed"] = _disposed(f)
    row["expired"] = (
        Reservation.objects.filter(status=Reservation.Status.EXPIRED)
        .filter(f.in_period("updated_at"), f.listing_q("listing__"))
        .count()
    )
    return row


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


def monthly(f: ReportFilter) -> list[dict]:
    """One row per month of the period (months without collections included, as zeros)."""
    rows = (
        _collections(f)
        .annotate(month=TruncMonth("updated_at", tzinfo=LOCAL_TZ))
        .values("month")
        .annotate(**_impact(), collections=Count("pk"))
        .order_by("month")
    )
    found = {_as_date(row["month"]): _clean(row) for row in rows}
    empty = {"items": 0, "kg": ZERO, "co2e": ZERO, "value": ZERO, "collections": 0}
    return [{**found.get(month, empty), "month": month} for month in month_starts(f.start, f.end)]


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_TZ).date() if value.tzinfo else value.date()
    return value


def top_categories(f: ReportFilter, limit: int | None = TOP_CATEGORIES) -> list[dict]:
    rows = (
        _collections(f)
        .values("listing__category_id", *_category_names("listing__category__"))
        .annotate(**_impact(), collections=Count("pk"))
        .order_by("-items", "listing__category__name_fi")
    )
    if limit:
        rows = rows[:limit]
    return [
        {
            **_clean(row),
            "category_id": row["listing__category_id"],
            "name": _name(row, "listing__category__"),
        }
        for row in rows
    ]


def breakdown(f: ReportFilter) -> list[dict]:
    """Departments side by side (or the units of the chosen department), zeros included."""
    if f.breakdown is None:
        return []
    if f.breakdown == "unit":
        key = "listing__owner_unit_id"
        names = Unit.objects.filter(department=f.department).order_by("name")
    else:
        key = "listing__owner_unit__department_id"
        names = Department.objects.order_by("name")
    totals = {
        row[key]: _clean(row)
        for row in _collections(f).values(key).annotate(**_impact(), collections=Count("pk"))
    }
    empty = {"items": 0, "kg": ZERO, "co2e": ZERO, "value": ZERO, "collections": 0}
    rows = [
        {**totals.get(pk, empty), "id": pk, "name": name}
        for pk, name in names.values_list("pk", "name")
    ]
    rows.sort(key=lambda row: (-row["items"], row["name"]))
    return rows


def listings_to_fix(f: ReportFilter, limit: int | None = FIX_LIST_LIMIT):
    """Collected listings in the period without their own weight, most items first."""
    rows = (
        _collections(f)
        .filter(own_weight__isnull=True)
        .values(
            "listing_id",
            "listing__code",
            "listing__title",
            "listing__owner_unit__name",
            "category_weight",
            *_category_names("listing__category__"),
        )
        .annotate(items=Sum("quantity_collected"), collections=Count("pk"))
        .order_by("-items", "listing_id")
    )
    if limit:
        rows = rows[:limit]
    for row in rows.iterator() if limit is None else rows:
        yield {
            "listing_id": row["listing_id"],
            "code": row["listing__code"] or "",
            "title": row["listing__title"],
            "unit": row["listing__owner_unit__name"],
            "category": _name(row, "listing__category__"),
            "category_weight": row["category_weight"],
            "items": row["items"] or 0,
            "collections": row["collections"],
        }


def categories_missing_figures(f: ReportFilter) -> list[dict]:
    """Categories used by the period's collections that lack a figure (after fallbacks)."""
    rows = (
        _collections(f)
        .filter(
            Q(category_weight__isnull=True) | Q(co2e_each__isnull=True) | Q(value_each__isnull=True)
        )
        .values(
            "listing__category_id",
            "category_weight",
            "co2e_each",
            "value_each",
            *_category_names("listing__category__"),
        )
        .annotate(items=Sum("quantity_collected"))
        .order_by("-items", "listing__category_id")
    )
    return [
        {
            "category_id": row["listing__category_id"],
            "name": _name(row, "listing__category__"),
            "weight_missing": row["category_weight"] is None,
            "co2e_missing": row["co2e_each"] is None,
            "value_missing": row["value_each"] is None,
            "items": row["items"] or 0,
        }
        for row in rows
    ]


def quality_rows(totals: dict) -> list[dict]:
    """Weight, CO2e and value: how many collected items had each kind of figure."""
    items = totals["items"]

    def share(n):
        if not items:
            return Decimal("0.0")
        return (Decimal(n) * 100 / items).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    rows = []
    for key, measured in (
        ("weight", totals["weight_measured"]),
        ("co2e", 0),
        ("value", 0),
    ):
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


# --- what the views call --------------------------------------------------------------------


@dataclass
class Report:
    filter: ReportFilter
    totals: dict
    monthly: list[dict]
    categories: list[dict]
    breakdown: list[dict]
    quality: list[dict]
    to_fix: list[dict]
    categories_missing: list[dict] = field(default_factory=list)

    @property
    def to_fix_more(self) -> int:
        return max(0, self.totals["listings_without_weight"] - len(self.to_fix))


def impact_report(*, filters: ReportFilter) -> Report:
    """Everything the report page shows, in a fixed number of queries."""
    totals = summary(filters)
    return Report(
        filter=filters,
        totals=totals,
        monthly=monthly(filters),
        categories=top_categories(filters),
        breakdown=breakdown(filters),
        quality=quality_rows(totals),
        to_fix=list(listings_to_fix(filters)),
        categories_missing=categories_missing_figures(filters),
    )


def report_table(*, filters: ReportFilter, table: str):
    """The rows of one table of the page, for the CSV export (the fix list in full)."""
    if table == "summary":
        return summary(filters)
    if table == "monthly":
        return monthly(filters)
    if table == "categories":
        return top_categories(filters, limit=None)
    if table == "departments":
        return breakdown(filters)
    if table == "quality":
        return quality_rows(summary(filters))
    if table == "listings":
        return listings_to_fix(filters, limit=None)
    raise KeyError(table)


def category_factors() -> tuple[list[dict], list[str]]:
    """The methodology page's factor table, in tree order, and the distinct sources."""
    order = {row["pk"]: (n, depth) for n, (row, depth) in enumerate(choices.category_tree())}
    rows = list(
        Category.objects.values(
            "pk",
            "name_fi",
            "name_sv",
            "name_en",
            "typical_weight_kg",
            "co2e_kg_per_item",
            "replacement_value_eur",
            "factors_are_estimates",
            "factor_source",
        )
    )
    rows.sort(key=lambda row: order.get(row["pk"], (len(order), 0)))
    sources: list[str] = []
    for row in rows:
        row["name"] = _name(row, "")
        row["depth"] = order.get(row["pk"], (0, 0))[1]
        source = row["factor_source"].strip()
        if source and source not in sources:
            sources.append(source)
        row["source_number"] = sources.index(source) + 1 if source else None
    return rows, sources
