"""The impact report counts loans apart from reuse (issue 20, item 1)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from reservations.loans import services
from reservations.loans.models import Loan

from ..factories import UnitFactory, book, loan_listing, member_of, other_organisation

pytestmark = pytest.mark.django_db
HELSINKI = ZoneInfo("Europe/Helsinki")


def lent(listing, *, on: date, days: int, quantity=1, returned=True, user=None):
    """A loan picked up on `on` and returned `days` days later (both days in use)."""
    today = timezone.localdate()
    loan = book(listing, user=user, quantity=quantity, start=today, end=today)
    services.loan_pick_up(actor=listing.created_by, loan_id=loan.pk)
    if returned:
        services.loan_return(actor=listing.created_by, loan_id=loan.pk, condition="good")
    picked = datetime(on.year, on.month, on.day, 10, tzinfo=HELSINKI)
    Loan.objects.filter(pk=loan.pk).update(
        picked_up_at=picked,
        returned_at=picked + timedelta(days=days - 1) if returned else None,
        start=on,
        end=on + timedelta(days=days - 1),
    )
    return loan


def test_loans_are_counted_apart_and_never_as_reuse(client, coordinator):
    bikes = loan_listing(quantity=3, owner_unit=UnitFactory(department=coordinator.unit.department))
    lent(bikes, on=date(2025, 6, 2), days=7, quantity=2)  # 2 bikes × 7 days
    lent(bikes, on=date(2025, 7, 1), days=3)  # 1 × 3
    lent(bikes, on=date(2024, 7, 1), days=3)  # another year: not counted
    elsewhere = other_organisation()
    theirs = loan_listing(owner_unit=member_of(elsewhere).unit)
    lent(theirs, on=date(2025, 6, 2), days=5, user=member_of(elsewhere))  # not ours

    client.force_login(coordinator)
    year = {"start": "2025-01-01", "end": "2025-12-31"}
    response = client.get(reverse("reports:index"), year, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    report = response.context["report"]
    assert report.loans["times_lent"] == 2
    assert report.loans["items_lent"] == 3
    assert report.loans["item_days"] == 2 * 7 + 3
    assert report.totals["items"] == 0  # nothing reused: lent and returned
    assert "Times lent" in response.text and "not counted in the figures above" in response.text


def test_no_loans_no_section(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("reports:index"), HTTP_ACCEPT_LANGUAGE="en")
    assert "data-report-loans" not in response.text
