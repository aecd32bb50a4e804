"""Reads: free days for the calendar, one's loans, the overdue lists."""

import calendar as pycalendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone

from kierratys.accounts.roles import (
    WAREHOUSE,
    belongs_to_unit,
    has_role,
    may_act_for_other_units,
    organisation_id_of,
)
from kierratys.common.errors import NotFound

from ..permissions import is_owner_side
from .models import Loan, LoanDay

Status = Loan.Status
MONTHS_AHEAD = 12  # how far the calendar pages forward


def booked_by_day(*, listing, start: date, end: date) -> dict[date, int]:
    return dict(
        LoanDay.objects.filter(listing_id=listing.pk, day__gte=start, day__lte=end)
        .filter(booked__gt=0)
        .values_list("day", "booked")
    )


def free_by_day(*, listing, start: date, end: date) -> dict[date, int]:
    """How many are free on each day of the window (both ends included)."""
    booked = booked_by_day(listing=listing, start=start, end=end)
    return {
        start + timedelta(days=n): max(
            0, listing.quantity - booked.get(start + timedelta(days=n), 0)
        )
        for n in range((end - start).days + 1)
    }


@dataclass(frozen=True)
class Day:
    day: date
    free: int
    bookable: bool  # today or later, inside the listing's dates

    @property
    def state(self) -> str:
        if not self.bookable:
            return "closed"
        return "free" if self.free > 0 else "booked"


def month_of(value: str | None, today: date) -> date:
    """The month asked for as YYYY-MM, kept between this month and a year ahead."""
    first = today.replace(day=1)
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        asked = date(year, month, 1)
    except (TypeError, ValueError, OverflowError):  # "2026-13", "x", a year of 20 digits
        return first
    last = _add_months(first, MONTHS_AHEAD)
    return min(max(asked, first), last)


def _add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def loan_calendar(*, listing, month: date, today: date | None = None) -> dict:
    """One month of the item's calendar: weeks of seven cells (None outside the month),
    each with how many are free; and the previous and next months, when they can be shown."""
    today = today or timezone.localdate()
    weeks_of_days = pycalendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    start = weeks_of_days[0][0]
    end = weeks_of_days[-1][-1]
    free = free_by_day(listing=listing, start=start, end=end)
    weeks = [
        [
            Day(
                day=day,
                free=free[day],
                bookable=today <= day and listing.available_from <= day <= listing.available_until,
            )
            if day.month == month.month
            else None
            for day in week
        ]
        for week in weeks_of_days
    ]
    first = today.replace(day=1)
    previous = _add_months(month, -1)
    following = _add_months(month, 1)
    return {
        "month": month,
        "weeks": weeks,
        "quantity": listing.quantity,
        "previous": previous if previous >= first else None,
        "next": following if following <= _add_months(first, MONTHS_AHEAD) else None,
    }


def _loans():
    return Loan.objects.select_related(
        "listing__owner_unit__department", "unit__department", "booked_by"
    )


def can_see(user, loan: Loan) -> bool:
    return (
        belongs_to_unit(user, loan.unit_id)
        or loan.booked_by_id == user.pk
        or is_owner_side(user, loan.listing)
    )


def loan_for_user(*, user, loan_id: int) -> Loan:
    """A loan for its borrower, whoever booked it, and the item's owner side; anyone else,
    another organisation's people too, gets a 404."""
    loan = (
        _loans().select_related("listing__storage_location__warehouse").filter(pk=loan_id).first()
    )
    if loan is None or not can_see(user, loan):
        raise NotFound
    return loan


def loans_of_user(*, user) -> dict:
    """The loans of the user's unit, and those the user booked for other units: open first."""
    mine = _loans().filter(Q(unit_id=user.unit_id) | Q(booked_by=user))
    return {
        "open": list(mine.filter(status__in=Loan.HOLDING_STATUSES).order_by("start", "pk")),
        "closed": list(
            mine.exclude(status__in=Loan.HOLDING_STATUSES).order_by("-updated_at", "-pk")[:50]
        ),
        "today": timezone.localdate(),
    }


def loans_of_listing(*, listing, user) -> list[Loan]:
    """The open loans of an item, for its owner side (to hand out and take back)."""
    if not is_owner_side(user, listing):
        return []
    return list(
        _loans().filter(listing=listing, status__in=Loan.HOLDING_STATUSES).order_by("start", "pk")
    )


def _overdue(today: date | None):
    today = today or timezone.localdate()
    return _loans().filter(status=Status.PICKED_UP, end__lt=today).order_by("end", "pk")


def overdue_for_owner(*, user, today: date | None = None) -> list[Loan]:
    """Loans of the user's unit's items that are late back."""
    if user.unit_id is None:
        return []
    return list(_overdue(today).filter(listing__owner_unit_id=user.unit_id))


def overdue_for_warehouse(*, user, today: date | None = None) -> list[Loan]:
    """For warehouse staff and coordinators: loans late back of their organisation's items
    and of items on their organisation's shelves. Anyone else: 403."""
    organisation_id = organisation_id_of(user)
    if organisation_id is None or not may_act_for_other_units(user):
        raise PermissionDenied
    ours = Q(listing__organisation_id=organisation_id)
    if has_role(user, WAREHOUSE):  # as `is_owner_side`: the shelves are the warehouse's
        ours |= Q(listing__storage_location__warehouse__organisation_id=organisation_id)
    return list(_overdue(today).filter(ours))
