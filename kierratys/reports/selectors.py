"""Impact report: what the views call. Reads only (filters, queries and presenters beside it)."""

from dataclasses import dataclass, field

from listings import choices
from listings.models import Category

from .filters import TABLES, TOP_CATEGORIES, ReportFilter  # noqa: F401  (views use TABLES)
from .loans import loan_figures
from .outcomes import end_of_life_rates
from .presenters import (
    _breakdown,
    _categories,
    _fix_details,
    _language_field,
    _monthly,
    _totals,
    listings_to_fix,
    quality_rows,
)
from .queries import _figures

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
    outcomes: list[dict] = field(default_factory=list)
    # Loans (issue 20), counted apart from reuse: reports.loans.
    loans: dict = field(default_factory=dict)

    @property
    def to_fix_more(self) -> int:
        return max(0, self.totals["listings_without_weight"] - len(self.to_fix))


def impact_report(*, filters: ReportFilter, top: int | None = TOP_CATEGORIES) -> Report:
    """Everything the report page shows, in a fixed number of queries."""
    found = _figures(filters, group=filters.breakdown)
    totals = _totals(filters, found["total"][0], found["side"])
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
        outcomes=end_of_life_rates(filters=filters, totals=totals),
        loans=loan_figures(filters=filters),
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
        "outcomes": report.outcomes,
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
