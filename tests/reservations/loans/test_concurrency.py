"""Real threads on PostgreSQL: two units (or sixteen) racing for the last bike of a week
never both get it, whatever the overlap of their days."""

import random
from datetime import timedelta

import pytest
from django.db import close_old_connections
from django.utils import timezone

from kierratys.common.errors import Conflict
from reservations.loans import selectors, services
from reservations.loans.models import Loan

from ...conftest import needs_postgres
from ...factories import UserFactory, loan_listing
from ...support.threads import race

pytestmark = [needs_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 16


def _book(user, listing, start, end, quantity=1):
    def call():
        return services.loan_book(
            actor=user, listing_id=listing.pk, start=start, end=end, quantity=quantity
        )

    return call


def test_two_units_race_for_the_last_bike_of_a_week():
    bikes = loan_listing(quantity=1)
    monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
    sunday = monday + timedelta(days=6)
    one, other = UserFactory(), UserFactory()
    won, errors = race([_book(one, bikes, monday, sunday), _book(other, bikes, monday, sunday)])
    assert len(won) == 1
    assert len(errors) == 1 and isinstance(errors[0], Conflict), errors
    assert Loan.objects.filter(listing=bikes).count() == 1
    free = selectors.free_by_day(listing=bikes, start=monday, end=sunday)
    assert set(free.values()) == {0}
    close_old_connections()


def test_overlapping_ranges_never_overbook_a_day_over_many_rounds():
    users = [UserFactory() for _ in range(THREADS)]
    rng = random.Random(20)
    today = timezone.localdate()
    for _round in range(25):
        stock = rng.randint(1, 3)
        bikes = loan_listing(quantity=stock, loan_max_days=10)
        calls = []
        for user in users:
            start = today + timedelta(days=rng.randint(1, 8))
            end = start + timedelta(days=rng.randint(0, 5))
            calls.append(_book(user, bikes, start, end, quantity=rng.randint(1, stock)))
        won, errors = race(calls)
        assert won, "someone must get fresh stock"
        assert all(isinstance(e, Conflict) for e in errors), errors
        # Count each day from the loans themselves, not the ledger.
        for offset in range(1, 15):
            day = today + timedelta(days=offset)
            taken = sum(
                loan.quantity
                for loan in Loan.objects.filter(listing=bikes, start__lte=day, end__gte=day)
            )
            assert taken <= stock, f"{day}: {taken} booked of {stock}"
            free = selectors.free_by_day(listing=bikes, start=day, end=day)[day]
            assert free == stock - taken  # the ledger agrees with the loans
    close_old_connections()
