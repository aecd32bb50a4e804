"""Impact report: every figure is aggregated in the database. Reads only.

A *collection* is a reservation with status "collected": it counts its
`quantity_collected` items and is dated by the reservation's `updated_at` (the handover
time). Department and unit filters apply to the giving side: the listing's owner unit.

Weight, CO2e and value per item come from the listing (weight only) or else from its
category, or else from the nearest broader category that has the figure: COALESCE in SQL.

Speed: joining collections to the (wide) listings table is the expensive part, so it is
done once per page. The ORM builds that query (filters, fallbacks, month, days); one SQL
statement wraps it as a common table expression and groups it every way the page needs
(totals, months, categories, departments or units, the fix list) with UNION ALL. Nothing
here loops over data rows in Python; Python only reads the few aggregated rows.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case,
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

from kierratys.accounts.models import Department, Unit
from listings import choices
from listings.models import Category, Listing, ListingEvent
from reservations.models import Reservation

LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)
AMOUNT = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal("0.00")
TOP_CATEGORIES = 10
FIX_LIST_LIMIT = 25
TABLES = ("summary", "monthly", "categories", "departments", "quality", "listings")
# Where an item's weight came from (a column of the collections CTE).
MISSING, MEASURED, FROM_CATEGORY = 0, 1, 2


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

    @cached_property
    def department_unit_ids(self) -> list[int]:
        """The department's units, looked up once: plain ids let the planner estimate."""
        return list(self.department.units.order_by("pk").values_list("pk", flat=True))

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
            q &= Q(**{f"{prefix}owner_unit_id__in": self.department_unit_ids})
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


def _known(name: str) -> Case:
    return Case(When(**{f"{name}__isnull": False}, then=Value(1)), default=Value(0))


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


def _collection_rows(f: ReportFilter, group: str | None):
    """One row per collection with what it counts for (columns aliased r_<name>)."""
    days = (
        DaysBetween("updated_at", "listing__published_at")
        if connection.vendor in ("postgresql", "sqlite")
        else Value(None, output_field=FloatField())
    )
    group_field = {
        "department": "listing__owner_unit__department_id",
        "unit": "listing__owner_unit_id",
    }.get(group)
    columns = {
        "listing_id": F("listing_id"),
        "month": TruncMonth("updated_at", tzinfo=LOCAL_TZ),
        "group_id": F(group_field) if group_field else Value(None, IntegerField()),
        "category_id": F("listing__category_id"),
        "items": F("quantity_collected"),
        "kg": ExpressionWrapper(F("quantity_collected") * F("weight_each"), AMOUNT),
        "co2e": ExpressionWrapper(F("quantity_collected") * F("co2e_each"), AMOUNT),
        "value": ExpressionWrapper(F("quantity_collected") * F("value_each"), AMOUNT),
        "weight_source": Case(
            When(own_weight__isnull=False, then=Value(MEASURED)),
            When(category_weight__isnull=False, then=Value(FROM_CATEGORY)),
            default=Value(MISSING),
        ),
        "category_weight_known": _known("category_weight"),
        "co2e_known": _known("co2e_each"),
        "value_known": _known("value_each"),
        "days": days,
    }
    aliased = {f"r_{name}": expression for name, expression in columns.items()}
    return _collections(f).annotate(**aliased).values(*aliased), tuple(columns)


IMPACT_SQL = "SUM(items), SUM(kg), SUM(co2e), SUM(value), COUNT(*)"
NO_EXTRAS = ", ".join(["NULL"] * 11)  # the columns only totals and categories fill
MEDIAN_SQL = {
    "postgresql": "percentile_cont(0.5) WITHIN GROUP (ORDER BY days)",
    # The middle row, or the mean of the two middle rows, by window functions.
    "sqlite": (
        "(SELECT AVG(days) FROM (SELECT days, ROW_NUMBER() OVER (ORDER BY days) AS rn,"
        " COUNT(*) OVER () AS n FROM c WHERE days IS NOT NULL) AS ranked"
        " WHERE rn IN ((n + 1) / 2, (n + 2) / 2))"
    ),
}
RESULT_COLUMNS = (
    "part", "month", "key", "items", "kg", "co2e", "value", "collections",
    "weight_measured", "weight_category", "weight_missing", "co2e_category", "value_category",
    "listings_collected", "listings_without_weight", "median_days",
    "category_weight_known", "co2e_known", "value_known",
)  # fmt: skip


def _figures_sql(f: ReportFilter, *, group: str | None, fix_limit: int) -> tuple[str, list]:
    rows, columns = _collection_rows(f, group)
    inner, params = rows.query.sql_with_params()
    # Select the inner query's columns by their aliases: robust to how Django orders them.
    renamed = ", ".join(f"r_{name} AS {name}" for name in columns)
    median = MEDIAN_SQL.get(connection.vendor, "NULL")
    parts = [
        # Totals and data quality.
        # (Typed NULLs: PostgreSQL resolves UNION column types from the first rows.)
        "SELECT 'total', NULL, CAST(NULL AS bigint), " + IMPACT_SQL + ","
        f" SUM(CASE WHEN weight_source = {MEASURED} THEN items ELSE 0 END),"
        f" SUM(CASE WHEN weight_source = {FROM_CATEGORY} THEN items ELSE 0 END),"
        f" SUM(CASE WHEN weight_source = {MISSING} THEN items ELSE 0 END),"
        " SUM(co2e_known * items), SUM(value_known * items),"
        " COUNT(DISTINCT listing_id),"
        f" COUNT(DISTINCT CASE WHEN weight_source <> {MEASURED} THEN listing_id END),"
        f" {median}, CAST(NULL AS integer), CAST(NULL AS integer), CAST(NULL AS integer)"
        " FROM c",
        f"SELECT 'month', month, NULL, {IMPACT_SQL}, {NO_EXTRAS} FROM c GROUP BY month",
        # Categories, with whether the category (or a broader one) has each figure.
        f"SELECT 'category', NULL, category_id, {IMPACT_SQL},"
        " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
        " MIN(category_weight_known), MIN(co2e_known), MIN(value_known)"
        " FROM c GROUP BY category_id",
        # Listings without their own weight, most items first.
        f"SELECT 'fix', NULL, listing_id, items, NULL, NULL, NULL, collections, {NO_EXTRAS}"
        " FROM (SELECT listing_id, SUM(items) AS items, COUNT(*) AS collections FROM c"
        f" WHERE weight_source <> {MEASURED} GROUP BY listing_id"
        f" ORDER BY items DESC, listing_id LIMIT {int(fix_limit)}) AS fix",
    ]
    if group is not None:
        parts.append(
            f"SELECT 'group', NULL, group_id, {IMPACT_SQL}, {NO_EXTRAS} FROM c GROUP BY group_id"
        )
    sql = (
        f"WITH c AS (SELECT {renamed} FROM ({inner}) AS collected) "  # noqa: S608
        + " UNION ALL ".join(parts)
    )
    return sql, list(params)


def _amount(value) -> Decimal:
    if value is None:
        return ZERO
    if isinstance(value, float):
        value = round(value, 2)
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _month(value) -> date:
    """TruncMonth read back raw: a datetime (PostgreSQL) or its text (SQLite)."""
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_TZ).date() if value.tzinfo else value.date()
    return value


def _figures(f: ReportFilter, *, group: str | None, fix_limit: int = FIX_LIST_LIMIT) -> dict:
    """Totals, months, categories, groups and the fix list, from one pass over the join."""
    found: dict = {"total": [], "month": [], "category": [], "group": [], "fix": []}
    try:
        sql, params = _figures_sql(f, group=group, fix_limit=fix_limit)
    except EmptyResultSet:  # e.g. a department without units: nothing can match
        found["total"].append(dict.fromkeys(RESULT_COLUMNS))
        return found
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [dict(zip(RESULT_COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:  # a few dozen aggregated rows, already summed by the database
        found[row["part"]].append(row)
    return found


def _impact_of(row: dict) -> dict:
    return {
        "items": int(row["items"] or 0),
        "kg": _amount(row["kg"]),
        "co2e": _amount(row["co2e"]),
        "value": _amount(row["value"]),
        "collections": int(row["collections"] or 0),
    }


EMPTY = {"items": 0, "kg": ZERO, "co2e": ZERO, "value": ZERO, "collections": 0}


# --- the parts of the report ----------------------------------------------------------------


def _totals(f: ReportFilter, total: dict) -> dict:
    totals = _impact_of(total)
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
    totals["expired"] = (
        Reservation.objects.filter(status=Reservation.Status.EXPIRED)
        .filter(f.in_period("updated_at"), f.listing_q("listing__"))
        .count()
    )
    return totals


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
    else:
        names = Department.objects.all()
    totals = {row["key"]: _impact_of(row) for row in rows}
    result = [
        {**totals.get(pk, EMPTY), "id": pk, "name": name}
        for pk, name in names.order_by("name").values_list("pk", "name")
    ]
    result.sort(key=lambda row: (-row["items"], row["name"]))
    return result


def _fix_details(rows: list[dict]) -> list[dict]:
    """The fix list's listings, in the order the database ranked them."""
    name_field = _language_field()
    details = {
        row["pk"]: row
        for row in Listing.objects.filter(pk__in=[row["key"] for row in rows])
        .values("pk", "code", "title", "owner_unit__name", f"category__{name_field}")
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
                "unit": listing["owner_unit__name"],
                "category": listing[f"category__{name_field}"],
                "category_weight": listing["category_weight"],
                "items": int(row["items"] or 0),
                "collections": int(row["collections"] or 0),
            }
        )
    return result


def listings_to_fix(f: ReportFilter):
    """All collected listings in the period without their own weight (for the CSV)."""
    name_field = _language_field()
    rows = (
        _collections(f)
        .filter(own_weight__isnull=True)
        .values(
            "listing_id",
            "listing__code",
            "listing__title",
            "listing__owner_unit__name",
            "category_weight",
            f"listing__category__{name_field}",
        )
        .annotate(items=Sum("quantity_collected"))
        .order_by("-items", "listing_id")
    )
    for row in rows.iterator():
        yield {
            "listing_id": row["listing_id"],
            "code": row["listing__code"] or "",
            "title": row["listing__title"],
            "unit": row["listing__owner_unit__name"],
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


def impact_report(*, filters: ReportFilter, top: int | None = TOP_CATEGORIES) -> Report:
    """Everything the report page shows, in a fixed number of queries."""
    found = _figures(filters, group=filters.breakdown)
    totals = _totals(filters, found["total"][0])
    categories, missing = _categories(found["category"], top)
    return Report(
        filter=filters,
        totals=totals,
        monthly=_monthly(filters, found["month"]),
        categories=categories,
        breakdown=_breakdown(filters, found["group"]),
        quality=quality_rows(totals),
        to_fix=_fix_details(found["fix"]),
        categories_missing=missing,
    )


def report_table(*, filters: ReportFilter, table: str):
    """The rows of one table of the page, for the CSV export (in full, not just the top)."""
    if table == "listings":
        return listings_to_fix(filters)
    report = impact_report(filters=filters, top=None)
    return {
        "summary": report.totals,
        "monthly": report.monthly,
        "categories": report.categories,
        "departments": report.breakdown,
        "quality": report.quality,
    }[table]


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
    name_field = _language_field()
    sources: list[str] = []
    for row in rows:  # the category tree: a few dozen rows of settings, not data
        row["name"] = row[name_field] or row["name_fi"]
        row["depth"] = order.get(row["pk"], (0, 0))[1]
        source = row["factor_source"].strip()
        if source and source not in sources:
            sources.append(source)
        row["source_number"] = sources.index(source) + 1 if source else None
    return rows, sources
