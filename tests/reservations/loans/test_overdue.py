"""Overdue loans keep holding their items (issue 20), and who hears of a booking and a
cancellation: on both databases."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from kierratys.accounts.roles import WAREHOUSE
from kierratys.common.errors import Conflict
from reservations.loans import selectors, services
from reservations.loans.errors import LoanError
from reservations.loans.models import Loan, LoanDay

from ...factories import UnitFactory, UserFactory, book, loan_listing, overdue_loan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """The messages are asserted in English, the mails too (people without a language of
    their own get the service's)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def days(n):
    return timezone.localdate() + timedelta(days=n)


def free(listing, start, end):
    return list(selectors.free_by_day(listing=listing, start=start, end=end).values())


def test_an_overdue_loan_holds_today_and_tomorrow_so_nobody_books_what_is_out():
    bikes = loan_listing(quantity=2)
    late = overdue_loan(bikes, quantity=2)
    assert free(bikes, days(0), days(2)) == [2, 2, 2]
    assert services.loans_hold_overdue() == 1
    assert free(bikes, days(0), days(2)) == [0, 0, 2]
    with pytest.raises(Conflict) as refused:
        book(bikes, start=days(1), end=days(3))
    assert refused.value.code == LoanError.NOT_FREE
    assert "late back" in refused.value.messages[0]
    assert days(1).strftime("%-d.%-m.%Y") in refused.value.messages[0]
    assert Loan.objects.count() == 1
    # Run again: nothing more held; a day later, one day more.
    services.loans_hold_overdue()
    assert free(bikes, days(0), days(2)) == [0, 0, 2]
    services.loans_hold_overdue(today=days(1))
    assert free(bikes, days(0), days(3)) == [0, 0, 0, 2]
    assert late.holds.count() == 3


def test_returning_an_overdue_loan_frees_the_days_it_held():
    bikes = loan_listing(quantity=2)
    late = overdue_loan(bikes, quantity=1)
    services.loans_hold_overdue()
    assert free(bikes, days(0), days(1)) == [1, 1]
    services.loan_return(actor=bikes.created_by, loan_id=late.pk, condition="good")
    assert free(bikes, days(0), days(1)) == [2, 2]
    assert not late.holds.exists()
    assert services.loans_hold_overdue() == 0
    book(bikes, start=days(0), end=days(1), quantity=2)


def test_a_loan_on_time_or_returned_holds_nothing_more():
    bikes = loan_listing(quantity=1)
    loan = book(bikes, start=days(0), end=days(1))
    services.loan_pick_up(actor=bikes.created_by, loan_id=loan.pk)
    assert services.loans_hold_overdue() == 0
    assert free(bikes, days(0), days(2)) == [0, 0, 1]


def test_a_later_booking_now_short_is_told_once_with_the_owner(
    run_tasks, django_capture_on_commit_callbacks
):
    bikes = loan_listing(quantity=2)
    owner = bikes.created_by
    borrower = UserFactory(email="seuraava@demo.example")
    later = book(bikes, user=borrower, start=days(1), end=days(3), quantity=2)
    run_tasks()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        overdue_loan(bikes, quantity=1)
        services.loans_hold_overdue()
    # Today was free and is held; tomorrow the booking has both: the ledger is never over.
    assert free(bikes, days(0), days(1)) == [1, 0]
    assert all(day.booked <= day.capacity for day in LoanDay.objects.filter(listing=bikes))
    run_tasks()
    told = sorted(address for m in mail.outbox for address in m.to)
    assert told == sorted(["seuraava@demo.example", owner.email])
    assert all(m.subject.startswith("Your loan booking may be short") for m in mail.outbox)
    assert "has not been returned yet" in mail.outbox[0].body
    later.refresh_from_db()
    assert later.told_short_at is not None
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.loans_hold_overdue()
        services.loans_hold_overdue(today=days(1))
    run_tasks()
    assert mail.outbox == []  # once


def test_the_periodic_jobs_hold_overdue_loans():
    from kierratys.management import jobs

    bikes = loan_listing()
    overdue_loan(bikes)
    assert jobs.periodic_jobs_run()["overdue loans holding their items"] == 1


# --- the owner unit hears of a booking and a cancellation -----------------------------------


def test_the_owner_unit_hears_of_a_new_booking_and_of_its_cancellation(
    run_tasks, django_capture_on_commit_callbacks
):
    bikes = loan_listing()
    owner = bikes.created_by
    borrower = UserFactory(email="lainaaja@demo.example")
    with django_capture_on_commit_callbacks(execute=True):
        loan = book(bikes, user=borrower)
    run_tasks()
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert mail.outbox[0].subject == "New loan booking: Polkupyörä"
    assert borrower.unit.name in mail.outbox[0].body
    assert "booked this for unit" not in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.loan_cancel(actor=borrower, loan_id=loan.pk)
    run_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([owner.email, borrower.email])
    to_owner = next(m for m in mail.outbox if m.to == [owner.email])
    assert to_owner.subject == "Loan cancelled: Polkupyörä"


def test_a_booking_never_picked_up_tells_the_owner_it_lapsed_not_that_it_was_cancelled(
    run_tasks, django_capture_on_commit_callbacks
):
    bikes = loan_listing()
    loan = book(bikes, start=days(0), end=days(1))
    run_tasks()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.loans_expire(today=days(2)) == 1
    run_tasks()
    to_owner = next(m for m in mail.outbox if m.to == [bikes.created_by.email])
    assert "was not picked up by its last day and has been cancelled" in to_owner.body
    assert f"{loan.unit.name} cancelled" not in to_owner.body


def test_the_owner_side_cancelling_is_not_told_of_its_own_cancellation(
    run_tasks, django_capture_on_commit_callbacks
):
    bikes = loan_listing()
    borrower = UserFactory(email="lainaaja@demo.example")
    loan = book(bikes, user=borrower)
    run_tasks()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.loan_cancel(actor=bikes.created_by, loan_id=loan.pk, reason="Rikki")
    run_tasks()
    assert [m.to for m in mail.outbox] == [["lainaaja@demo.example"]]


def test_mails_say_who_booked_for_which_unit(run_tasks, django_capture_on_commit_callbacks):
    bikes = loan_listing()
    owner = bikes.created_by
    warehouse = UserFactory(roles=[WAREHOUSE], full_name="Varasto Väinö")
    school = UnitFactory(name="Koulu X")
    UserFactory(unit=school, email="koulu@demo.example")
    with django_capture_on_commit_callbacks(execute=True):
        loan = book(bikes, user=warehouse, unit_id=school.pk)
    run_tasks()
    to_owner = next(m for m in mail.outbox if m.to == [owner.email])
    assert f"{warehouse.full_name} booked this for unit Koulu X." in to_owner.body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.loan_cancel(actor=warehouse, loan_id=loan.pk)
    run_tasks()
    to_owner = next(m for m in mail.outbox if m.to == [owner.email])
    assert f"{warehouse.full_name} booked this for unit Koulu X." in to_owner.body
