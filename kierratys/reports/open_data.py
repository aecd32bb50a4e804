"""Open impact data (issue 19): an organisation's monthly figures per category, published
without sign-in under CC BY 4.0 once its coordinator has chosen so (`open_data_since`).

The figures are the impact report's, counted the same way (filters.py, queries.py):
- reused: items the organisation's units took into use, from its own listings or from
  partners' (what it gave to partners is the partner's reuse, not counted here), with
  their weight, CO2e avoided and replacement value;
- donated, sold, recycled: the end-of-life decisions on its own listings (outcomes.py).

Months are whole calendar months in Finnish time, the last `MONTHS` of them up to the one
before this one: a published month never changes afterwards, which is what harvesters and
people comparing downloads expect. Only months and categories with something in them have
a row. The figures are kept in the shared cache for an hour: the address is public."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db.models import ExpressionWrapper, F, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from kierratys.accounts.models import Organisation
from listings.models import Category, EndOfLife

from .filters import AMOUNT, GIVEN, LOCAL_TZ, ReportFilter
from .queries import _amount, _collections, _month

MONTHS = 36
LICENCE_URL = "http://creativecommons.org/licenses/by/4.0/"
CACHE_SECONDS = 3600
OUTCOME_COLUMNS = {
    EndOfLife.Outcome.DONATE: "donated_items",
    EndOfLife.Outcome.SELL: "sold_items",
    EndOfLife.Outcome.RECYCLE: "recycled_items",
}
COLUMNS = (
    "month",
    "organisation_business_id",
    "organisation",
    "category",
    "category_fi",
    "category_sv",
    "category_en",
    "reused_items",
    "reused_kg",
    "co2e_avoided_kg",
    "replacement_value_eur",
    *OUTCOME_COLUMNS.values(),
)


@dataclass(frozen=True)
class Period:
    start: date  # the first day of the first month
    end: date  # the last day of the last month


def period(today: date | None = None) -> Period:
    """The last MONTHS whole months before this one."""
    today = today or timezone.localdate()
    end = today.replace(day=1) - timedelta(days=1)
    start = end.replace(day=1)
    for _ in range(MONTHS - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    return Period(start=start, end=end)


def published_organisations():
    return Organisation.objects.filter(is_active=True, open_data_since__isnull=False).order_by(
        "slug"
    )


def published_organisation(*, slug: str) -> Organisation | None:
    return published_organisations().filter(slug=slug).first()


def _reuse_rows(f: ReportFilter) -> list[dict]:
    def times(name):
        return Sum(ExpressionWrapper(F("quantity_collected") * F(name), AMOUNT))

    return list(
        _collections(f)
        .exclude(side=GIVEN)
        .annotate(month=TruncMonth("updated_at", tzinfo=LOCAL_TZ))
        .values("month", "listing__category_id")
        .annotate(
            items=Sum("quantity_collected"),
            kg=times("weight_each"),
            co2e=times("co2e_each"),
            value=times("value_each"),
        )
        .order_by()
    )


def _outcome_rows(f: ReportFilter) -> list[dict]:
    return list(
        EndOfLife.objects.filter(f.in_period("decided_at"), f.listing_q("listing__"))
        .annotate(month=TruncMonth("decided_at", tzinfo=LOCAL_TZ))
        .values("month", "listing__category_id", "outcome")
        .annotate(items=Sum("quantity"))
        .order_by()
    )


def _empty_row(month: date, category: dict, organisation: Organisation) -> dict:
    return {
        "month": month.strftime("%Y-%m"),
        "organisation_business_id": organisation.business_id,
        "organisation": organisation.name,
        "category": category["slug"],
        "category_fi": category["name_fi"],
        "category_sv": category["name_sv"],
        "category_en": category["name_en"],
        "reused_items": 0,
        "reused_kg": Decimal("0.00"),
        "co2e_avoided_kg": Decimal("0.00"),
        "replacement_value_eur": Decimal("0.00"),
        **dict.fromkeys(OUTCOME_COLUMNS.values(), 0),
    }


def _compute(organisation: Organisation, span: Period) -> list[dict]:
    f = ReportFilter(start=span.start, end=span.end, organisation_id=organisation.pk)
    reuse, outcomes = _reuse_rows(f), _outcome_rows(f)
    category_ids = {row["listing__category_id"] for row in [*reuse, *outcomes]}
    categories = {
        c["pk"]: c
        for c in Category.objects.filter(pk__in=category_ids).values(
            "pk", "slug", "name_fi", "name_sv", "name_en"
        )
    }
    rows: dict[tuple, dict] = {}

    def row_for(found: dict) -> dict:
        month = _month(found["month"])
        key = (month, found["listing__category_id"])
        if key not in rows:
            category = categories[found["listing__category_id"]]
            rows[key] = _empty_row(month, category, organisation)
        return rows[key]

    for found in reuse:
        row = row_for(found)
        row["reused_items"] += int(found["items"] or 0)
        row["reused_kg"] = _amount(found["kg"])
        row["co2e_avoided_kg"] = _amount(found["co2e"])
        row["replacement_value_eur"] = _amount(found["value"])
    for found in outcomes:
        column = OUTCOME_COLUMNS.get(found["outcome"])
        if column:
            row_for(found)[column] += int(found["items"] or 0)
    return [rows[key] for key in sorted(rows, key=lambda k: (k[0], categories[k[1]]["slug"]))]


def impact_rows(*, organisation: Organisation, today: date | None = None) -> list[dict]:
    """The organisation's rows, oldest month first and by category within a month."""
    span = period(today)
    since = int(organisation.open_data_since.timestamp())
    key = f"open-data:{organisation.pk}:{since}:{span.end}"
    return cache.get_or_set(key, lambda: _compute(organisation, span), CACHE_SECONDS)
