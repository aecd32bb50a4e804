"""Reads: an organisation's prices, the estimate shown before confirming, and the charges of
a month with their totals per cost centre."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from kierratys.accounts.models import Unit
from listings.models import Listing, ListingEvent

from . import pricing
from .models import Charge, PriceList


def price_list_of(*, organisation_id: int) -> PriceList:
    """The organisation's prices; an unsaved all-zero list while it has none."""
    return PriceList.objects.filter(organisation_id=organisation_id).first() or PriceList(
        organisation_id=organisation_id
    )


def stored_since(*, listing: Listing) -> date:
    """The day the item came to the warehouse: its last "shelved" event (a transfer between
    warehouses does not start a new stay), else the day it was listed."""
    when = (
        ListingEvent.objects.filter(listing=listing, kind="shelved")
        .order_by("-created_at", "-pk")
        .values_list("created_at", flat=True)
        .first()
    ) or listing.created_at
    return timezone.localdate(when)


def storing_organisation_id(*, listing: Listing) -> int | None:
    """The organisation of the warehouse that holds the item now; None at its owner unit."""
    if not listing.storage_location_id:
        return None
    return (
        Listing.objects.filter(pk=listing.pk)
        .values_list("storage_location__warehouse__organisation_id", flat=True)
        .first()
    )


def unit_billing(*, unit_id: int) -> tuple[int | None, str]:
    """The unit's organisation and its cost centre code now."""
    row = (
        Unit.objects.filter(pk=unit_id)
        .values_list("department__organisation_id", "cost_centre")
        .first()
    )
    return row if row else (None, "")


@dataclass
class Quote:
    """The estimated charges of a handover, shown before the unit confirms: the lines for
    storage and cleaning or repair (any handover from the warehouse) and the delivery line
    (only when delivered), with the cost centre they would be charged to."""

    cost_centre: str
    lines: list = field(default_factory=list)
    quantity: int = 1

    @property
    def delivery_line(self):
        return next((line for line in self.lines if line.is_delivery), None)

    @property
    def warehouse_lines(self) -> list:
        return [line for line in self.lines if not line.is_delivery]

    @property
    def warehouse_total_eur(self) -> Decimal:
        return sum((line.amount_eur for line in self.warehouse_lines), Decimal("0.00"))

    @property
    def total_eur(self) -> Decimal:
        return sum((line.amount_eur for line in self.lines), Decimal("0.00"))


def quote(
    *, unit_id: int | None, listing: Listing, quantity: int, delivery_by: Iterable[int] = ()
) -> Quote | None:
    """What a unit would be charged for `quantity` of `listing` handed over today, by the
    rule of charges_at_handover and charge_delivery (reservations.charges.services):
    storage and cleaning when the item is on a shelf of the organisation's own warehouse,
    and delivery when a warehouse of the organisation is among `delivery_by` (the
    organisations of the warehouses that would deliver). None when nothing would be
    charged: every price zero, or a handover between organisations."""
    if unit_id is None:
        return None
    organisation_id, cost_centre = unit_billing(unit_id=unit_id)
    if organisation_id is None or organisation_id != listing.organisation_id:
        return None
    prices = price_list_of(organisation_id=organisation_id)
    if prices.is_free:
        return None
    quantity = max(1, quantity or 1)
    lines = []
    if storing_organisation_id(listing=listing) == organisation_id:
        months = pricing.storage_months(
            stored_on=stored_since(listing=listing), handed_over_on=timezone.localdate()
        )
        lines += pricing.warehouse_lines(prices, items=quantity, months=months)
    if organisation_id in set(delivery_by) and (
        line := pricing.delivery_line(prices, items=quantity)
    ):
        lines.append(line)
    return Quote(cost_centre=cost_centre, lines=lines, quantity=quantity) if lines else None


@dataclass
class BasketQuote:
    """The storage and cleaning charges of a basket's items, item by item."""

    cost_centre: str
    items: list  # (listing, Quote)

    @property
    def total_eur(self) -> Decimal:
        return sum((q.warehouse_total_eur for _listing, q in self.items), Decimal("0.00"))


def basket_quote(*, unit_id: int | None, listings: list[Listing]) -> BasketQuote | None:
    """The quote of each listing in a basket for its `basket_quantity`, without delivery
    (a basket's deliveries are booked, and quoted, one by one afterwards). None when
    nothing would be charged."""
    if not listings or unit_id is None:
        return None
    organisation_id, cost_centre = unit_billing(unit_id=unit_id)
    if not prices_in_use(organisation_id=organisation_id):
        return None
    items = [
        (listing, q)
        for listing in listings
        if (q := quote(unit_id=unit_id, listing=listing, quantity=listing.basket_quantity))
    ]
    return BasketQuote(cost_centre=cost_centre, items=items) if items else None


def prices_in_use(*, organisation_id: int | None) -> bool:
    """Has the organisation any price above zero? Else nothing about prices is shown."""
    return (
        organisation_id is not None and not price_list_of(organisation_id=organisation_id).is_free
    )


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month's first moment and the next month's, in the service's time zone."""
    start = month.replace(day=1)
    end = pricing.add_months(start, 1)
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), zone),
        timezone.make_aware(datetime.combine(end, time.min), zone),
    )


def month_charges(*, organisation_id: int, month: date) -> list[Charge]:
    """The organisation's charges made in the month, by cost centre and time."""
    start, end = month_bounds(month)
    return list(
        Charge.objects.filter(
            organisation_id=organisation_id, charged_at__gte=start, charged_at__lt=end
        )
        .select_related("unit")
        .order_by("cost_centre", "charged_at", "pk")
    )


@dataclass
class CostCentreTotal:
    cost_centre: str
    units: list = field(default_factory=list)  # the units charged to it, by name
    lines: int = 0
    total_eur: Decimal = Decimal("0.00")


def cost_centre_totals(charges: list[Charge]) -> list[CostCentreTotal]:
    """Per cost centre code as recorded on the charges: its units, lines and sum."""
    totals: dict[str, CostCentreTotal] = {}
    for charge in charges:
        total = totals.setdefault(charge.cost_centre, CostCentreTotal(charge.cost_centre))
        if charge.unit not in total.units:
            total.units.append(charge.unit)
        total.lines += 1
        total.total_eur += charge.amount_eur
    return [totals[code] for code in sorted(totals)]


def charges_page(*, organisation_id: int, month: date) -> dict:
    """The coordinator's month: every charge, the totals per cost centre and in all, the
    months before and after, and whether prices are in use now."""
    charges = month_charges(organisation_id=organisation_id, month=month)
    totals = cost_centre_totals(charges)
    first = month.replace(day=1)
    this_month = timezone.localdate().replace(day=1)
    return {
        "month": first,
        "previous_month": pricing.add_months(first, -1),
        "next_month": pricing.add_months(first, 1) if first < this_month else None,
        "charges": charges,
        "totals": totals,
        "grand_total": sum((t.total_eur for t in totals), Decimal("0.00")),
        "prices": price_list_of(organisation_id=organisation_id),
    }
