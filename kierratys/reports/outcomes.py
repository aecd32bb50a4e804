"""What became of an organisation's furniture: reuse, donation, sale and recycling, apart.

Reuse counts the items collected from the organisation's own listings, by its own units or
by partners (received items are the giver's outcome, not ours). Donation, sale and recycling
count the end-of-life decisions (listings.EndOfLife) on its listings made in the period.
Each share is of the four together."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from listings.models import EndOfLife

from .filters import ReportFilter

REUSE = "reuse"
OUTCOMES = (REUSE, EndOfLife.Outcome.DONATE, EndOfLife.Outcome.SELL, EndOfLife.Outcome.RECYCLE)
TENTH = Decimal("0.1")
LABELS = {
    REUSE: _("Reused"),
    EndOfLife.Outcome.DONATE: _("Donated"),
    EndOfLife.Outcome.SELL: _("Sold"),
    EndOfLife.Outcome.RECYCLE: _("Recycled"),
}


def end_of_life_items(f: ReportFilter, organisation_ids=None) -> list[dict]:
    """(organisation id, outcome, items, kg) rows of the period's end-of-life decisions:
    the report's own listings, or those of `organisation_ids` (the regional view)."""
    decisions = EndOfLife.objects.filter(f.in_period("decided_at"))
    if organisation_ids is None:
        decisions = decisions.filter(f.listing_q("listing__"))
    else:
        decisions = decisions.filter(listing__organisation_id__in=organisation_ids)
        if f.category_id is not None:
            decisions = decisions.filter(listing__category_id__in=f.category_ids)
    return list(
        decisions.values("listing__organisation_id", "outcome")
        .annotate(items=Sum("quantity"), kg=Sum("weight_kg"))
        .order_by()
    )


def share(n: int, total: int) -> Decimal:
    if not total:
        return Decimal("0.0")
    return (Decimal(n) * 100 / total).quantize(TENTH, rounding=ROUND_HALF_UP)


def rates(counts: dict) -> list[dict]:
    """{outcome: items} → rows of outcome, items and share, in a fixed order."""
    total = sum(counts.get(outcome, 0) for outcome in OUTCOMES)
    return [
        {
            "outcome": str(outcome),
            "label": LABELS[outcome],
            "items": counts.get(outcome, 0),
            "share": share(counts.get(outcome, 0), total),
        }
        for outcome in OUTCOMES
    ]


def end_of_life_rates(*, filters: ReportFilter, totals: dict) -> list[dict]:
    """The four outcomes of the report's totals (with given/received) and its period."""
    counts = {str(row["outcome"]): int(row["items"] or 0) for row in end_of_life_items(filters)}
    own_listings_reused = totals["items"] - totals["received"]["items"] + totals["given"]["items"]
    counts[REUSE] = own_listings_reused
    return rates(counts)
