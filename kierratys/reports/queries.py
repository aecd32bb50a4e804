"""The impact report's SQL: every figure is aggregated in the database.

A *collection* is a reservation with status "collected": it counts its
`quantity_collected` items and is dated by the reservation's `updated_at` (the handover
time). Department and unit filters apply to the giving side: the listing's owner unit, or
for what the organisation received from partners, the receiving unit (filters.py).

Weight, CO2e and value per item come from the listing (weight only) or else from its
category, or else from the nearest broader category that has the figure: COALESCE in SQL.
At each level the listing's organisation may have replaced the category's figure
(`Organisation.impact_overrides`): the owner's figure, so the giving and the receiving
organisation report the same kilograms for one handover.

Speed: joining collections to the (wide) listings table is the expensive part, so it is
done once per page. The ORM builds that query (filters, fallbacks, month, days); one SQL
statement wraps it as a common table expression and groups it every way the page needs
(totals, months, categories, departments or units, the fix list) with UNION ALL. Nothing
here loops over data rows in Python; Python only reads the few aggregated rows."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth

from kierratys.accounts.models import Organisation
from reservations.models import Reservation

from .filters import (
    AMOUNT,
    FIX_LIST_LIMIT,
    FROM_CATEGORY,
    GIVEN,
    LOCAL_TZ,
    MEASURED,
    MISSING,
    OWN,
    RECEIVED,
    RECEIVER_ORGANISATION,
    ZERO,
    ReportFilter,
)

# --- expressions ----------------------------------------------------------------------------


def _category_factor(name: str, overrides: dict) -> Coalesce:
    """The listing's category figure, else its parent's, else its grandparent's; at each
    level the listing organisation's override first."""
    levels = []
    for path in ("category", "category__parent", "category__parent__parent"):
        replaced = [
            When(listing__organisation_id=org, **{f"listing__{path}__slug": slug}, then=value)
            for (org, slug), figures in overrides.items()
            if (value := figures.get(name)) is not None
        ]
        if replaced:
            levels.append(Case(*replaced, default=None, output_field=AMOUNT))
        levels.append(f"listing__{path}__{name}")
    return Coalesce(*levels, output_field=AMOUNT)


def impact_overrides() -> dict:
    """{(organisation id, category slug): {figure: Decimal}} of every organisation that has any."""
    return {
        (org, slug): {name: Value(Decimal(str(n)), AMOUNT) for name, n in figures.items()}
        for org, given in Organisation.objects.exclude(impact_overrides={}).values_list(
            "pk", "impact_overrides"
        )
        for slug, figures in given.items()
    }


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


def _side(f: ReportFilter):
    """OWN (within the organisation), RECEIVED (from a partner's listing) or GIVEN."""
    org = f.organisation_id
    if org is None:
        return Value(OWN, IntegerField())
    return Case(
        When(Q(listing__organisation_id=org, **{RECEIVER_ORGANISATION: org}), then=Value(OWN)),
        When(listing__organisation_id=org, then=Value(GIVEN)),
        default=Value(RECEIVED),
        output_field=IntegerField(),
    )


def _credited(f: ReportFilter, group: str):
    """The department or unit a collection counts for: the giving one, or the receiving
    one for what came from a partner."""
    department = group == "department"
    giving = F("listing__owner_unit__department_id" if department else "listing__owner_unit_id")
    if f.organisation_id is None:
        return giving
    return Case(
        When(listing__organisation_id=f.organisation_id, then=giving),
        default=F("unit__department_id" if department else "unit_id"),
        output_field=IntegerField(),
    )


def with_figures(queryset):
    """Collections with the weight, CO2e and value each item counts for."""
    overrides = impact_overrides()
    category_weight = _category_factor("typical_weight_kg", overrides)
    return queryset.annotate(
        own_weight=F("listing__weight_kg"),
        category_weight=category_weight,
        weight_each=Coalesce("listing__weight_kg", category_weight, output_field=AMOUNT),
        co2e_each=_category_factor("co2e_kg_per_item", overrides),
        value_each=_category_factor("replacement_value_eur", overrides),
    ).order_by()


def _collections(f: ReportFilter):
    """Collected reservations in the period that the organisation reports, with their side
    and the figures each item counts for."""
    return with_figures(
        Reservation.objects.filter(status=Reservation.Status.COLLECTED)
        .filter(f.in_period("updated_at"), f.collection_q())
        .annotate(side=_side(f))
    )


def _collection_rows(f: ReportFilter, group: str | None):
    """One row per collection with what it counts for (columns aliased r_<name>)."""
    days = (
        DaysBetween("updated_at", "listing__published_at")
        if connection.vendor in ("postgresql", "sqlite")
        else Value(None, output_field=FloatField())
    )
    columns = {
        "listing_id": F("listing_id"),
        "side": F("side"),
        "month": TruncMonth("updated_at", tzinfo=LOCAL_TZ),
        "group_id": _credited(f, group) if group else Value(None, IntegerField()),
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
        f" COUNT(DISTINCT CASE WHEN weight_source <> {MEASURED} AND side = {OWN}"
        " THEN listing_id END),"
        f" {median}, CAST(NULL AS integer), CAST(NULL AS integer), CAST(NULL AS integer)"
        " FROM c",
        f"SELECT 'month', month, NULL, {IMPACT_SQL}, {NO_EXTRAS} FROM c GROUP BY month",
        # Categories, with whether the category (or a broader one) has each figure.
        f"SELECT 'category', NULL, category_id, {IMPACT_SQL},"
        " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
        " MIN(category_weight_known), MIN(co2e_known), MIN(value_known)"
        " FROM c GROUP BY category_id",
        # Own listings without their own weight, most items first (a partner's listing
        # is theirs to fix).
        f"SELECT 'fix', NULL, listing_id, items, NULL, NULL, NULL, collections, {NO_EXTRAS}"
        " FROM (SELECT listing_id, SUM(items) AS items, COUNT(*) AS collections FROM c"
        f" WHERE weight_source <> {MEASURED} AND side = {OWN} GROUP BY listing_id"
        f" ORDER BY items DESC, listing_id LIMIT {int(fix_limit)}) AS fix",
    ]
    if group is not None:
        parts.append(
            f"SELECT 'group', NULL, group_id, {IMPACT_SQL}, {NO_EXTRAS} FROM c GROUP BY group_id"
        )
    # Given to partners and received from them, apart (the given ones are in `a` only).
    parts.append(f"SELECT 'side', NULL, side, {IMPACT_SQL}, {NO_EXTRAS} FROM a GROUP BY side")
    sql = (
        f"WITH a AS (SELECT {renamed} FROM ({inner}) AS collected),"
        f" c AS (SELECT * FROM a WHERE side <> {GIVEN}) " + " UNION ALL ".join(parts)
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
    found: dict = {"total": [], "month": [], "category": [], "group": [], "fix": [], "side": []}
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


def sides(rows: list[dict]) -> dict:
    """{"given": impact, "received": impact} from the 'side' rows."""
    found = {row["key"]: _impact_of(row) for row in rows}
    return {"given": found.get(GIVEN, EMPTY), "received": found.get(RECEIVED, EMPTY)}
