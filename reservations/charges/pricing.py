"""The arithmetic of internal prices, shared by the quote and the charges so that what a
unit is shown before confirming is what it is charged (for the same day and quantity).

- Delivery: one delivery task is one trip; priced per trip, or per item delivered.
- Storage: per item and month started, counted from the day the item came to the
  warehouse (`storage_months`).
- Cleaning or repair: per item handed over from the warehouse.
"""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .models import Charge, PriceList

CENT = Decimal("0.01")


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter (31.1. → 28.2.)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def storage_months(*, stored_on: date, handed_over_on: date) -> int:
    """Months started, counted from the intake day: the first month starts on the intake
    day itself, the next a calendar month later (15.1. to 14.2. is one month, 15.1. to 15.2.
    two). A handover on the intake day is one month; never fewer than one."""
    if handed_over_on <= stored_on:
        return 1
    elapsed = (handed_over_on.year - stored_on.year) * 12 + handed_over_on.month - stored_on.month
    if add_months(stored_on, elapsed) > handed_over_on:
        elapsed -= 1
    return elapsed + 1


@dataclass(frozen=True)
class Line:
    """One service of a quote or a charge: quantity × unit price."""

    kind: str
    quantity: int
    per: str
    unit_price_eur: Decimal
    months: int = 0  # storage: the months started (quantity is items × months)

    @property
    def amount_eur(self) -> Decimal:
        return (self.unit_price_eur * self.quantity).quantize(CENT)

    @property
    def label(self) -> str:
        return Charge.Kind(self.kind).label

    @property
    def per_label(self) -> str:
        return Charge.Per(self.per).label

    @property
    def is_delivery(self) -> bool:
        return self.kind == Charge.Kind.DELIVERY


def delivery_line(prices: PriceList, *, items: int) -> Line | None:
    """One trip per delivery task, or each item on it, as the organisation chose."""
    if not prices.delivery_eur:
        return None
    if prices.delivery_basis == PriceList.DeliveryBasis.TRIP:
        return Line(Charge.Kind.DELIVERY, 1, Charge.Per.TRIP, prices.delivery_eur)
    return Line(Charge.Kind.DELIVERY, items, Charge.Per.ITEM, prices.delivery_eur)


def warehouse_lines(prices: PriceList, *, items: int, months: int) -> list[Line]:
    """Storage for every item and month started, and cleaning or repair of every item
    handed over from the warehouse."""
    lines = []
    if prices.storage_month_eur:
        lines.append(
            Line(
                Charge.Kind.STORAGE,
                items * months,
                Charge.Per.ITEM_MONTH,
                prices.storage_month_eur,
                months=months,
            )
        )
    if prices.cleaning_eur:
        lines.append(Line(Charge.Kind.CLEANING, items, Charge.Per.ITEM, prices.cleaning_eur))
    return lines
